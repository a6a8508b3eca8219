// Losses over the vocabulary: softmax cross-entropy (forward, backward) and the per-token
// log-probability and entropy of the (tempered) softmax.
//
// Row kernels (`cross_entropy_forward`, `token_logprobs_entropy`): one workgroup of 256
// threads per row of logits [rows, V]. Thread r visits the columns r, r + 256, ... (coalesced)
// and keeps a partial max (pass 1), then a partial Σ exp(z − max) (pass 2) and, for the
// entropy, a partial Σ p·(z − lse) (pass 3); each pass ends with a tree reduction in
// workgroup memory, so the order of every sum is fixed by V alone (deterministic).
// lse = max + log Σ exp(z − max). Rows whose target is u32::MAX (ignored) get loss / logp 0;
// their lse / entropy are still computed.
//
// `cross_entropy_backward`: one thread per logit: dloss[r] · (exp(z − lse[r]) − [j = t_r]),
// zero rows for ignored targets.
//
// The same two kernels serve `token_logprobs` / `token_logprobs_backward` (the training
// objective at a temperature T) through `inv_t` and `sign`: the logits are multiplied by
// inv_t = 1/T as they are read (z = x · inv_t, the product `scale` would have stored), the
// forward writes sign · (lse − z_t) (sign −1: logp), and the backward writes
// ((sign · dloss) · (p − [j = t])) · inv_t, the gradient with respect to the unscaled logits.
// Plain cross-entropy is inv_t = 1, sign = 1 (every extra product exact). One pass over the
// vocabulary replaces the two `scale` passes and the sign flips of the unfused sequence.
//
// Large dispatches are linearised: workgroup (x, y) is number y · num_workgroups.x + x.

struct LossParams {
    rows: u32,
    vocab: u32,
    /// Logits are divided by this first (token_logprobs_entropy only).
    temperature: f32,
    /// Logits are multiplied by this as they are read (cross_entropy_forward / _backward;
    /// 1 for plain cross-entropy).
    inv_t: f32,
    /// The forward's output and the backward's dloss are multiplied by this (±1).
    sign: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

const WG: u32 = 256u;
const IGNORE: u32 = 0xffffffffu;

@group(0) @binding(0) var<uniform> P: LossParams;
// cross_entropy_forward (out_a = loss, out_b = lse) and token_logprobs_entropy (out_a = logp,
// out_b = entropy).
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<u32>;
@group(0) @binding(3) var<storage, read_write> out_a: array<f32>;
@group(0) @binding(4) var<storage, read_write> out_b: array<f32>;

var<workgroup> red: array<f32, WG>;

/// Tree reduction of `red` (sum when `is_max` is false, max otherwise); returns the total to
/// every thread.
fn reduce(val: f32, lid: u32, is_max: bool) -> f32 {
    red[lid] = val;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            if is_max {
                red[lid] = max(red[lid], red[lid + s]);
            } else {
                red[lid] = red[lid] + red[lid + s];
            }
        }
        workgroupBarrier();
    }
    let total = red[0];
    workgroupBarrier();
    return total;
}

/// The log-sum-exp of `logits[base .. base + V] · inv_t` (every thread gets it).
fn row_lse(base: u32, lid: u32, inv_t: f32) -> f32 {
    var mx = -3.0e38;
    for (var j = lid; j < P.vocab; j += WG) {
        mx = max(mx, logits[base + j] * inv_t);
    }
    let row_max = reduce(mx, lid, true);
    var s = 0.0;
    for (var j = lid; j < P.vocab; j += WG) {
        s += exp(logits[base + j] * inv_t - row_max);
    }
    let total = reduce(s, lid, false);
    return row_max + log(total);
}

/// out_a = sign · loss [rows], out_b = lse [rows] of the logits times inv_t.
@compute @workgroup_size(256)
fn cross_entropy_forward(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let r = wid.y * nwg.x + wid.x;
    if r >= P.rows {
        return;
    }
    let base = r * P.vocab;
    let l = row_lse(base, lid, P.inv_t);
    if lid == 0u {
        let t = targets[r];
        out_b[r] = l;
        var loss = 0.0;
        if t != IGNORE {
            loss = l - logits[base + t] * P.inv_t;
        }
        out_a[r] = P.sign * loss;
    }
}

/// out_a = logp [rows], out_b = entropy [rows] of softmax(logits / temperature).
@compute @workgroup_size(256)
fn token_logprobs_entropy(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let r = wid.y * nwg.x + wid.x;
    if r >= P.rows {
        return;
    }
    let base = r * P.vocab;
    let t = P.temperature;
    // Divide (not multiply by 1/T) like the reference does.
    var mx = -3.0e38;
    for (var j = lid; j < P.vocab; j += WG) {
        mx = max(mx, logits[base + j] / t);
    }
    let row_max = reduce(mx, lid, true);
    var s = 0.0;
    for (var j = lid; j < P.vocab; j += WG) {
        s += exp(logits[base + j] / t - row_max);
    }
    let l = row_max + log(reduce(s, lid, false));
    // H = −Σ p_j (z_j − lse); a p_j that underflows to 0 contributes 0.
    var pz = 0.0;
    for (var j = lid; j < P.vocab; j += WG) {
        let lp = logits[base + j] / t - l;
        let p = exp(lp);
        if p > 0.0 {
            pz += p * lp;
        }
    }
    let h = reduce(pz, lid, false);
    if lid == 0u {
        let tg = targets[r];
        out_b[r] = -h;
        var lp = 0.0;
        if tg != IGNORE {
            lp = logits[base + tg] / t - l;
        }
        out_a[r] = lp;
    }
}

// cross_entropy_backward.
@group(0) @binding(1) var<storage, read> b_logits: array<f32>;
@group(0) @binding(2) var<storage, read> lse_in: array<f32>;
@group(0) @binding(3) var<storage, read> b_targets: array<u32>;
@group(0) @binding(4) var<storage, read> dloss: array<f32>;
@group(0) @binding(5) var<storage, read_write> dlogits: array<f32>;

/// dlogits[r, j] = ((sign · dloss[r]) · (softmax(z_r)_j − [j = t_r])) · inv_t with
/// z = logits · inv_t; zero for ignored rows.
@compute @workgroup_size(256)
fn cross_entropy_backward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let idx = gid.x + gid.y * nwg.x * WG;
    if idx >= P.rows * P.vocab {
        return;
    }
    let r = idx / P.vocab;
    let j = idx % P.vocab;
    let t = b_targets[r];
    if t == IGNORE {
        dlogits[idx] = 0.0;
        return;
    }
    let p = exp(b_logits[idx] * P.inv_t - lse_in[r]);
    dlogits[idx] = ((P.sign * dloss[r]) * (p - select(0.0, 1.0, j == t))) * P.inv_t;
}
