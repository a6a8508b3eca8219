// The gate/up projections of a SwiGLU MLP with the gating in their epilogue, in ONE dispatch:
//   gate = x · W_gateᵀ, up = x · W_upᵀ, act = silu(gate) · up,  silu(g) = g · σ(g),
// x [m, k] row-major, W_gate and W_up stored [n, k] (the layout of a linear layer's weight),
// gate, up and act [m, n]. `act` is always written; `gate` and `up` only when KEEP (training
// keeps them for the backward pass; inference binds two small unused buffers instead).
//
// Each entry point is the matrix-product kernel the unfused path (`Backend::matmul` with
// trans_b, then `swiglu`) would have run for the same m, computing BOTH products per output
// in the same order, followed by the `swiglu` kernel's expression `g · σ(g) · u`,
// σ(g) = 1 / (1 + e^(−g)) (see matmul.wgsl, matmul_rows.wgsl and swiglu.wgsl):
// - `gate_up_vec` (m = 1, decoding one sequence) is `matvec_rows`: one workgroup of 64
//   threads per output column j; thread t sums x[q]·W[j, q] for q = t, t + 64, … into one
//   gate and one up register, then both partial arrays are reduced by the same halving
//   tree.
// - `gate_up_rows` (2 ≤ m ≤ 64, batched decoding) is `matmul_rows`: 256 threads compute a
//   strip of NS = 4 columns for all m rows as a KL × RG grid of lanes along k and row
//   groups, each lane accumulating 4 rows × 4 columns of gate AND of up (32 registers),
//   reading each weight row once for the whole batch (16-byte loads when k % 4 = 0, VEC).
//   The lane sums are reduced from workgroup memory as matmul_rows reduces them (lane order
//   0 … KL − 1 by one thread per output; with subgroups, `gate_up_swiglu_sg`, one subgroup
//   per output, ranked lanes and a subgroupAdd); with two products to reduce, that is four
//   passes of one column (gate and up side by side, the same 2176 floats as matmul_rows'
//   two passes of two columns).
// - `gate_up_tiled` (prefill, training) is `matmul_tiled` with A stored [m, k] and B stored
//   [n, k] (TRANS_A = false, TRANS_B = true, alpha = 1, beta = 0), staging one x slice and
//   a slice of EACH weight per step (three double-buffered tiles; the host checks them
//   against the workgroup memory limit), and keeping two TM × TN register blocks per
//   thread. Each output is one accumulator per product, summed in ascending p.
// So every gate/up value is summed in the same order as by the unfused kernel; the results
// are bit-identical to the unfused wgpu path as long as the compiler contracts `s + a·b` the
// same way in both (the suite checks it on the adapter it runs on).
//
// Loop counts stay far below lavapipe's 65535 per-invocation cap: ⌈k / 64⌉ (vec),
// ⌈k / (4·KL)⌉ + 8·KL (rows), ⌈k / BK⌉ · BK (tiled).
//
// Override constants: KEEP (write gate and up), VEC (k % 4 = 0: 16-byte loads of x and the
// weights), CHECKED / VEC_C and the tile sizes of the tiled entry point (as in matmul.wgsl,
// TRANS_A = false and TRANS_B = true fixed), KL of the rows entry point.
//
// f16 storage (`gate_up_swiglu_f16w`): both weights are bound as `array<W4>`, and the host
// derives the variant for frozen weights uploaded in f16 by replacing the one line that
// defines the alias `W4` (`vec4<f32>` → `vec4<f16>`, `enable f16;` prepended;
// `hir_kernels::F16_VARIANTS`). The weights are read only through `w_at` / `w_vec`, which
// convert to f32, so every product and sum stays in f32.

override KEEP: bool = true;
override VEC: bool = false;
override CHECKED: bool = true;
override VEC_C: bool = false;
override BM: u32 = 64u;
override BN: u32 = 64u;
override BK: u32 = 8u;
override TM: u32 = 4u;
override TN: u32 = 4u;
override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override SA4: u32 = BM / 4u + 1u;
override SB4: u32 = BN / 4u + 1u;
override A_SIZE: u32 = 2u * BK * (BM / 4u + 1u);
override B_SIZE: u32 = 2u * BK * (BN / 4u + 1u);

struct Params {
    m: u32,
    k: u32,
    n: u32,
}

alias W4 = vec4<f32>;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> wg: array<W4>;
@group(0) @binding(3) var<storage, read> wu: array<W4>;
@group(0) @binding(4) var<storage, read_write> act: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> gate: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> up: array<vec4<f32>>;

fn sigmoid(v: f32) -> f32 {
    return 1.0 / (1.0 + exp(-v));
}

// Writes output o (element index into [m, n]): act, and gate and up when KEEP.
fn put_out(o: u32, g: f32, u: f32) {
    act[o >> 2u][o & 3u] = g * sigmoid(g) * u;
    if KEEP {
        gate[o >> 2u][o & 3u] = g;
        up[o >> 2u][o & 3u] = u;
    }
}

// Writes the four outputs o..o+4 (o a multiple of 4) as vec4s.
fn put_out4(o: u32, g: vec4<f32>, u: vec4<f32>) {
    var h: vec4<f32>;
    for (var e = 0u; e < 4u; e++) {
        h[e] = g[e] * sigmoid(g[e]) * u[e];
    }
    act[o >> 2u] = h;
    if KEEP {
        gate[o >> 2u] = g;
        up[o >> 2u] = u;
    }
}

fn x_at(i: u32) -> f32 {
    return x[i >> 2u][i & 3u];
}

// Every read of a weight goes through these (conversions to f32: the identity here, f16 →
// f32 in the derived f16-storage variant). `gate_w` selects W_gate, else W_up.
fn w_at(gate_w: bool, i: u32) -> f32 {
    if gate_w {
        return f32(wg[i >> 2u][i & 3u]);
    }
    return f32(wu[i >> 2u][i & 3u]);
}

fn w_vec(gate_w: bool, v: u32) -> vec4<f32> {
    if gate_w {
        return vec4<f32>(wg[v]);
    }
    return vec4<f32>(wu[v]);
}

// ---- m = 1 ---------------------------------------------------------------------------------

const MV_WG: u32 = 64u;
var<workgroup> part_g: array<f32, 64>;
var<workgroup> part_u: array<f32, 64>;

// Workgroup `wid.x + wid.y · num_workgroups.x` computes output column j.
@compute @workgroup_size(64)
fn gate_up_vec(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let j = wid.x + wid.y * nwg.x;
    var sg = 0.0;
    var su = 0.0;
    if j < p.n {
        for (var q = t; q < p.k; q += MV_WG) {
            let xq = x_at(q);
            sg = sg + xq * w_at(true, j * p.k + q);
            su = su + xq * w_at(false, j * p.k + q);
        }
    }
    part_g[t] = sg;
    part_u[t] = su;
    workgroupBarrier();
    for (var w = MV_WG / 2u; w > 0u; w = w / 2u) {
        if t < w {
            part_g[t] = part_g[t] + part_g[t + w];
            part_u[t] = part_u[t] + part_u[t + w];
        }
        workgroupBarrier();
    }
    if t == 0u && j < p.n {
        put_out(j, part_g[0], part_u[0]);
    }
}

// ---- 2 ≤ m ≤ 64 ----------------------------------------------------------------------------

override KL: u32 = 16u;
override RG: u32 = 256u / KL;
const RPT: u32 = 4u;
const NS: u32 = 4u;
override ROWS: u32 = 4u * (256u / KL);
override RED_LANE: u32 = 2u * 4u * (256u / KL) + 1u;

// Lane l of (row i, product h: 0 gate, 1 up) of the current column at red_index(i, h, l)
// (rows fastest, a lane's block padded to an odd stride, as in matmul_rows.wgsl).
var<workgroup> red: array<f32, 2176>;

fn red_index(i: u32, h: u32, l: u32) -> u32 {
    return l * RED_LANE + h * ROWS + i;
}

// The subgroup primitives of `gate_up_rows`, for subgroups of one invocation, as in
// matmul_rows.wgsl (the subgroup variant `gate_up_swiglu_sg` replaces these three lines and
// the `sg` line of `gate_up_rows`, like `matmul_rows_sg`).
fn sg_add(x: f32) -> f32 { return x; }
fn sg_rank() -> u32 { return 0u; }
fn sg_active() -> u32 { return 1u; }

// x[i, q..q+4] (zeros beyond k).
fn x_unit(i: u32, q: u32) -> vec4<f32> {
    if VEC {
        return x[(i * p.k + q) >> 2u];
    }
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) {
        if q + e < p.k {
            v[e] = x_at(i * p.k + q + e);
        }
    }
    return v;
}

// W[j, q..q+4] (zeros beyond k, and for j ≥ n).
fn w_unit(gate_w: bool, j: u32, q: u32) -> vec4<f32> {
    if j >= p.n {
        return vec4<f32>(0.0);
    }
    if VEC {
        return w_vec(gate_w, (j * p.k + q) >> 2u);
    }
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) {
        if q + e < p.k {
            v[e] = w_at(gate_w, j * p.k + q + e);
        }
    }
    return v;
}

@compute @workgroup_size(256)
fn gate_up_rows(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let sg = vec2<u32>(t, 256u); // (subgroup id, number of subgroups) in `gate_up_rows`
    // In uniform control flow: every invocation of the workgroup is active here.
    let rank = sg_rank();
    let count = sg_active();
    let j0 = (wid.x + wid.y * nwg.x) * NS;
    let kl = t % KL;
    let rg = t / KL;
    // acc_*[r * NS + s]: row rg + RG·r, column j0 + s.
    var acc_g: array<f32, 16>;
    var acc_u: array<f32, 16>;
    for (var r = 0u; r < RPT * NS; r++) {
        acc_g[r] = 0.0;
        acc_u[r] = 0.0;
    }
    let units = (p.k + 3u) / 4u;
    for (var u = kl; u < units; u += KL) {
        let q = 4u * u;
        var bg: array<vec4<f32>, 4>;
        var bu: array<vec4<f32>, 4>;
        for (var s = 0u; s < NS; s++) {
            bg[s] = w_unit(true, j0 + s, q);
            bu[s] = w_unit(false, j0 + s, q);
        }
        for (var r = 0u; r < RPT; r++) {
            let i = rg + RG * r;
            if i < p.m {
                let av = x_unit(i, q);
                for (var s = 0u; s < NS; s++) {
                    acc_g[r * NS + s] = acc_g[r * NS + s] + dot(av, bg[s]);
                    acc_u[r * NS + s] = acc_u[r * NS + s] + dot(av, bu[s]);
                }
            }
        }
    }
    // One pass per column: every thread parks its gate and up partial sums of column
    // j0 + s, then subgroup g adds the KL lanes of rows g, g + subgroups, … < ROWS, gate and
    // up, exactly as `matmul_rows` sums one output (its c active invocations, ranked, each
    // add lanes rank, rank + c, … in order, then `sg_add`), so the sums are the unfused
    // kernel's bits with and without subgroups; the rank-0 invocation writes the outputs.
    for (var s = 0u; s < NS; s++) {
        for (var r = 0u; r < RPT; r++) {
            red[red_index(rg + RG * r, 0u, kl)] = acc_g[r * NS + s];
            red[red_index(rg + RG * r, 1u, kl)] = acc_u[r * NS + s];
        }
        workgroupBarrier();
        let j = j0 + s;
        // The loop bounds are the same for the whole subgroup, so every `sg_add` is reached
        // by all its active invocations.
        for (var i = sg.x; i < ROWS; i += sg.y) {
            var pg = 0.0;
            var pu = 0.0;
            for (var l = rank; l < KL; l += count) {
                pg = pg + red[red_index(i, 0u, l)];
            }
            for (var l = rank; l < KL; l += count) {
                pu = pu + red[red_index(i, 1u, l)];
            }
            let g = sg_add(pg);
            let u = sg_add(pu);
            if rank == 0u && i < p.m && j < p.n {
                put_out(i * p.n + j, g, u);
            }
        }
        workgroupBarrier();
    }
}

// ---- tiled ---------------------------------------------------------------------------------

var<workgroup> a_tile: array<vec4<f32>, A_SIZE>;
var<workgroup> g_tile: array<vec4<f32>, B_SIZE>;
var<workgroup> u_tile: array<vec4<f32>, B_SIZE>;

// Units staged per thread and slice (at most 4 each; the host checks).
var<private> ra: array<vec4<f32>, 4>;
var<private> rg4: array<vec4<f32>, 4>;
var<private> ru4: array<vec4<f32>, 4>;

// x[i, q..q+4] (0 outside the matrix when CHECKED).
fn a_unit(i: u32, q: u32) -> vec4<f32> {
    if VEC {
        if CHECKED && (i >= p.m || q >= p.k) {
            return vec4<f32>(0.0);
        }
        return x[(i * p.k + q) >> 2u];
    }
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) {
        if !CHECKED || (i < p.m && q + e < p.k) {
            v[e] = x_at(i * p.k + q + e);
        }
    }
    return v;
}

// W[j, q..q+4] (0 outside the matrix when CHECKED).
fn b_unit(gate_w: bool, q: u32, j: u32) -> vec4<f32> {
    if VEC {
        if CHECKED && (q >= p.k || j >= p.n) {
            return vec4<f32>(0.0);
        }
        return w_vec(gate_w, (j * p.k + q) >> 2u);
    }
    var v = vec4<f32>(0.0);
    for (var e = 0u; e < 4u; e++) {
        if !CHECKED || (q + e < p.k && j < p.n) {
            v[e] = w_at(gate_w, j * p.k + q + e);
        }
    }
    return v;
}

// Loads the units of slice p0 this thread stages (all three run along k).
fn load_slice(t: u32, row0: u32, col0: u32, p0: u32) {
    let nt = WG_X * WG_Y;
    let ua = BM * BK / 4u;
    let ub = BK * BN / 4u;
    for (var l = 0u; l < 4u; l++) {
        let e = t + l * nt;
        if e < ua {
            ra[l] = a_unit(row0 + e / (BK / 4u), p0 + 4u * (e % (BK / 4u)));
        }
        if e < ub {
            let q = p0 + 4u * (e % (BK / 4u));
            let j = col0 + e / (BK / 4u);
            rg4[l] = b_unit(true, q, j);
            ru4[l] = b_unit(false, q, j);
        }
    }
}

// Stores the staged units into tile buffer `buf` (transposed: [BK][BM] and [BK][BN]).
fn store_slice(t: u32, buf: u32) {
    let nt = WG_X * WG_Y;
    let ua = BM * BK / 4u;
    let ub = BK * BN / 4u;
    let ba = buf * BK * SA4;
    let bb = buf * BK * SB4;
    for (var l = 0u; l < 4u; l++) {
        let e = t + l * nt;
        if e < ua {
            let i = e / (BK / 4u);
            let q = 4u * (e % (BK / 4u));
            for (var c = 0u; c < 4u; c++) {
                a_tile[ba + (q + c) * SA4 + i / 4u][i % 4u] = ra[l][c];
            }
        }
        if e < ub {
            let j = e / (BK / 4u);
            let q = 4u * (e % (BK / 4u));
            for (var c = 0u; c < 4u; c++) {
                g_tile[bb + (q + c) * SB4 + j / 4u][j % 4u] = rg4[l][c];
                u_tile[bb + (q + c) * SB4 + j / 4u][j % 4u] = ru4[l][c];
            }
        }
    }
}

@compute @workgroup_size(WG_X, WG_Y)
fn gate_up_tiled(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let row0 = wid.y * BM;
    let col0 = wid.x * BN;
    let tm4 = TM / 4u;
    let tn4 = TN / 4u;
    // acc_*[r * 2 + v]: row r of the thread's block, column group v.
    var acc_g: array<vec4<f32>, 16>;
    var acc_u: array<vec4<f32>, 16>;
    for (var r = 0u; r < 16u; r++) {
        acc_g[r] = vec4<f32>(0.0);
        acc_u[r] = vec4<f32>(0.0);
    }
    let slices = (p.k + BK - 1u) / BK;
    if slices > 0u {
        load_slice(t, row0, col0, 0u);
        store_slice(t, 0u);
    }
    workgroupBarrier();
    for (var s = 0u; s < slices; s++) {
        let cur = s & 1u;
        let more = s + 1u < slices;
        if more {
            load_slice(t, row0, col0, (s + 1u) * BK);
        }
        let ba = cur * BK * SA4;
        let bb = cur * BK * SB4;
        for (var q = 0u; q < BK; q++) {
            var af: array<vec4<f32>, 2>;
            var gf: array<vec4<f32>, 2>;
            var uf: array<vec4<f32>, 2>;
            for (var u = 0u; u < tm4; u++) {
                af[u] = a_tile[ba + q * SA4 + u * WG_Y + lid.y];
            }
            for (var v = 0u; v < tn4; v++) {
                gf[v] = g_tile[bb + q * SB4 + v * WG_X + lid.x];
                uf[v] = u_tile[bb + q * SB4 + v * WG_X + lid.x];
            }
            for (var u = 0u; u < tm4; u++) {
                for (var e = 0u; e < 4u; e++) {
                    let xv = af[u][e];
                    for (var v = 0u; v < tn4; v++) {
                        let r = (u * 4u + e) * 2u + v;
                        acc_g[r] = acc_g[r] + xv * gf[v];
                        acc_u[r] = acc_u[r] + xv * uf[v];
                    }
                }
            }
        }
        if more {
            store_slice(t, 1u - cur);
        }
        workgroupBarrier();
    }
    for (var u = 0u; u < tm4; u++) {
        for (var e = 0u; e < 4u; e++) {
            let i = row0 + (u * WG_Y + lid.y) * 4u + e;
            if CHECKED && i >= p.m {
                continue;
            }
            for (var v = 0u; v < tn4; v++) {
                let j = col0 + (v * WG_X + lid.x) * 4u;
                let r = (u * 4u + e) * 2u + v;
                if VEC_C {
                    if CHECKED && j >= p.n {
                        continue;
                    }
                    put_out4(i * p.n + j, acc_g[r], acc_u[r]);
                } else {
                    for (var c = 0u; c < 4u; c++) {
                        if CHECKED && j + c >= p.n {
                            continue;
                        }
                        put_out(i * p.n + j + c, acc_g[r][c], acc_u[r][c]);
                    }
                }
            }
        }
    }
}
