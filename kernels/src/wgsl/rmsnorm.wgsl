// RMSNorm: y = x · rstd · w, rstd = 1 / sqrt(mean(x²) + eps), per row of x: [rows, dim]; its
// backward: with x̂ = x · rstd, dx = rstd · (dy·w − x̂ · mean(dy·w·x̂)), dw += Σ_rows dy·x̂; and
// the fused residual add `add_rmsnorm`: x1 = x + delta (written over delta), y = rmsnorm(x1).
//
// `rmsnorm`, `add_rmsnorm` and `rmsnorm_backward_dx`: one 256-thread workgroup per row (rows
// spread over a 2-D grid); each thread sums a strided part of the row, then a tree reduction
// in workgroup memory (fixed order: deterministic). `add_rmsnorm` writes each x1 element in
// the first strided pass and reads it back in the second from the same thread (its own
// writes, so no barrier is needed): one dispatch instead of an `axpy` and an `rmsnorm`, and
// x1 is read once more instead of twice. `rmsnorm_backward_dw`: one thread per column,
// summing the rows in row order (the CPU reference's order).
//
// The row sums (`reduce`) are written for subgroups of one invocation: each subgroup adds
// its invocations' values (`sg_add`, the identity here), its rank-0 invocation parks the
// sum in slot `subgroup id` of workgroup memory, and the slots 0 … subgroups − 1 are
// folded in a fixed tree (top half onto bottom half, for any count). With `sg = (t, 256)`
// that is the plain 256-slot tree. The subgroup variant (`rmsnorm_sg`,
// `hir_kernels::SUBGROUP_VARIANTS`) replaces `sg_add` / `sg_rank` by `subgroupAdd` /
// `subgroupExclusiveAdd(1u)` and `sg` by the `subgroup_id` / `num_subgroups` builtins, so
// the tree folds one slot per subgroup (any subgroup size, partial subgroups included;
// deterministic on one adapter). The loop keeps its 8 barriers either way.

struct Params {
    rows: u32,
    dim: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;

// forward
@group(0) @binding(1) var<storage, read> f_x: array<f32>;
@group(0) @binding(2) var<storage, read> f_w: array<f32>;
@group(0) @binding(3) var<storage, read_write> f_y: array<f32>;
@group(0) @binding(4) var<storage, read_write> f_rstd: array<f32>;

// fused residual add (`add_rmsnorm`)
@group(0) @binding(1) var<storage, read> a_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> a_delta: array<f32>;
@group(0) @binding(3) var<storage, read> a_w: array<f32>;
@group(0) @binding(4) var<storage, read_write> a_y: array<f32>;
@group(0) @binding(5) var<storage, read_write> a_rstd: array<f32>;

// backward
@group(0) @binding(1) var<storage, read> b_dy: array<f32>;
@group(0) @binding(2) var<storage, read> b_x: array<f32>;
@group(0) @binding(3) var<storage, read> b_w: array<f32>;
@group(0) @binding(4) var<storage, read> b_rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> b_out: array<f32>;

const WG: u32 = 256u;
var<workgroup> partial: array<f32, 256>;

// The subgroup primitives, for subgroups of one invocation (see the header; the subgroup
// variant replaces these two lines).
fn sg_add(x: f32) -> f32 { return x; }
fn sg_rank() -> u32 { return 0u; }

// Sums `v` over the workgroup; every thread gets the total. `sg`: (subgroup id, number of
// subgroups); `rank`: `sg_rank()` taken where every invocation was active.
fn reduce(t: u32, v: f32, sg: vec2<u32>, rank: u32) -> f32 {
    let s = sg_add(v);
    if rank == 0u {
        partial[sg.x] = s;
    }
    workgroupBarrier();
    for (var w = WG / 2u; w > 0u; w = w / 2u) {
        if t < w && t + w < sg.y {
            partial[t] = partial[t] + partial[t + w];
        }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier();
    return total;
}

@compute @workgroup_size(256)
fn rmsnorm(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let sg = vec2<u32>(t, WG); // (subgroup id, number of subgroups) in `rmsnorm`
    let rank = sg_rank();
    let row = wid.x + wid.y * nwg.x;
    if row >= p.rows {
        return;
    }
    let base = row * p.dim;
    var s = 0.0;
    for (var c = t; c < p.dim; c += WG) {
        let v = f_x[base + c];
        s = s + v * v;
    }
    let ms = reduce(t, s, sg, rank) / f32(p.dim);
    let r = 1.0 / sqrt(ms + p.eps);
    if t == 0u {
        f_rstd[row] = r;
    }
    for (var c = t; c < p.dim; c += WG) {
        f_y[base + c] = f_x[base + c] * r * f_w[c];
    }
}

// a_delta += a_x (the new residual stream x1), then a_y = rmsnorm(x1) · a_w and a_rstd.
@compute @workgroup_size(256)
fn add_rmsnorm(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let sg = vec2<u32>(t, WG); // (subgroup id, number of subgroups) in `add_rmsnorm`
    let rank = sg_rank();
    let row = wid.x + wid.y * nwg.x;
    if row >= p.rows {
        return;
    }
    let base = row * p.dim;
    var s = 0.0;
    for (var c = t; c < p.dim; c += WG) {
        let v = a_delta[base + c] + a_x[base + c];
        a_delta[base + c] = v;
        s = s + v * v;
    }
    let ms = reduce(t, s, sg, rank) / f32(p.dim);
    let r = 1.0 / sqrt(ms + p.eps);
    if t == 0u {
        a_rstd[row] = r;
    }
    for (var c = t; c < p.dim; c += WG) {
        a_y[base + c] = a_delta[base + c] * r * a_w[c];
    }
}

// b_out = dx: [rows, dim].
@compute @workgroup_size(256)
fn rmsnorm_backward_dx(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let sg = vec2<u32>(t, WG); // (subgroup id, number of subgroups) in `rmsnorm_backward_dx`
    let rank = sg_rank();
    let row = wid.x + wid.y * nwg.x;
    if row >= p.rows {
        return;
    }
    let base = row * p.dim;
    let r = b_rstd[row];
    var s = 0.0;
    for (var c = t; c < p.dim; c += WG) {
        s = s + (b_dy[base + c] * b_w[c]) * (b_x[base + c] * r);
    }
    let mean = reduce(t, s, sg, rank) / f32(p.dim);
    for (var c = t; c < p.dim; c += WG) {
        b_out[base + c] = r * (b_dy[base + c] * b_w[c] - b_x[base + c] * r * mean);
    }
}

// b_out = dw: [dim], accumulated.
@compute @workgroup_size(256)
fn rmsnorm_backward_dw(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = gid.x + gid.y * nwg.x * 256u;
    if c >= p.dim {
        return;
    }
    var s = 0.0;
    for (var row = 0u; row < p.rows; row++) {
        let i = row * p.dim + c;
        s = s + b_dy[i] * b_x[i] * b_rstd[row];
    }
    b_out[c] = b_out[c] + s;
}
