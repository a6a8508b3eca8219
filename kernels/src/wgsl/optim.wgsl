// Optimiser kernels: the global sum of squares (for the gradient norm) and the AdamW step.
//
// `sum_squares_partial`: workgroup w (256 threads) owns the block x[w·4096 .. (w+1)·4096];
// thread r adds the squares of elements r, r + 256, ... of the block (16 of them), then a tree
// reduction in workgroup memory gives the block's sum, stored at partials[offset + w]. The
// host runs it once per tensor (each tensor at its own offset), then `sum_squares_final`
// (one workgroup) adds all partials the same way and writes the single f32 that is read back.
// Every sum has an order fixed by the sizes alone (deterministic).
//
// `adamw_step`: one thread per element, torch.optim.AdamW's single-tensor formula in f32 with
// the scalar factors (computed in f64 on the host) passed as uniforms:
//   g = grad·grad_scale; p *= decay; m += (1−β1)(g − m); v = v·β2 + (1−β2)·g²;
//   p += −step_size · m / (sqrt(v) / bc2_sqrt + eps).

const WG: u32 = 256u;
const BLOCK: u32 = 4096u;

struct SumParams {
    /// Elements of x (partial pass) or partials to add (final pass).
    n: u32,
    /// Where this tensor's block sums go in `partials`.
    offset: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> S: SumParams;
// sum_squares_partial.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
// sum_squares_final.
@group(0) @binding(1) var<storage, read> partials_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> total: array<f32>;

var<workgroup> red: array<f32, WG>;

/// Tree reduction of one value per thread; thread 0 gets the sum.
fn reduce_sum(val: f32, lid: u32) -> f32 {
    red[lid] = val;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            red[lid] = red[lid] + red[lid + s];
        }
        workgroupBarrier();
    }
    return red[0];
}

@compute @workgroup_size(256)
fn sum_squares_partial(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let w = wid.y * nwg.x + wid.x;
    let base = w * BLOCK;
    if base >= S.n {
        return;
    }
    var acc = 0.0;
    for (var c = 0u; c < BLOCK / WG; c++) {
        let i = base + c * WG + lid;
        if i < S.n {
            let xi = x[i];
            acc += xi * xi;
        }
    }
    let s = reduce_sum(acc, lid);
    if lid == 0u {
        partials[S.offset + w] = s;
    }
}

@compute @workgroup_size(256)
fn sum_squares_final(@builtin(local_invocation_index) lid: u32) {
    var acc = 0.0;
    for (var i = lid; i < S.n; i += WG) {
        acc += partials_in[i];
    }
    let s = reduce_sum(acc, lid);
    if lid == 0u {
        total[0] = s;
    }
}

struct AdamParams {
    n: u32,
    /// 1 − lr·wd.
    decay: f32,
    /// 1 − β1.
    one_minus_b1: f32,
    /// 1 − β2.
    one_minus_b2: f32,
    beta2: f32,
    /// lr / (1 − β1^t).
    step_size: f32,
    /// sqrt(1 − β2^t).
    bc2_sqrt: f32,
    eps: f32,
    grad_scale: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> A: AdamParams;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m1: array<f32>;
@group(0) @binding(4) var<storage, read_write> m2: array<f32>;

@compute @workgroup_size(256)
fn adamw_step(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let i = gid.x + gid.y * nwg.x * WG;
    if i >= A.n {
        return;
    }
    let g = grad[i] * A.grad_scale;
    var p = param[i] * A.decay;
    var m = m1[i];
    m += A.one_minus_b1 * (g - m);
    let v = m2[i] * A.beta2 + A.one_minus_b2 * (g * g);
    let denom = sqrt(v) / A.bc2_sqrt + A.eps;
    p += -A.step_size * (m / denom);
    param[i] = p;
    m1[i] = m;
    m2[i] = v;
}
