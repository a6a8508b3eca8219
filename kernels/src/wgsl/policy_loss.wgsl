// The PPO-clip policy loss with dual clip and the KL-as-loss term, forward and backward in one
// pass (hir_core::rl::ppo_token and KlEstimator::value_and_grad, operation by operation).
//
// One thread per token t (256 per workgroup, 2-D grid flattened as gid.x + gid.y · nwg.x · 256):
//   ρ = exp(clamp(logp − old_logp, −20, 20)); l1 = −A·ρ; l2 = −A·clamp(ρ, 1 − ε_low, 1 + ε_high);
//   l = max(l1, l2) (through l2 only when l2 > l1: "clipped"); for A < 0, l = min(l, −A·c)
//   ("clipped_lower", derivative 0); the derivative of the branch taken is −A·ρ or 0.
//   kl_t (k1: d, k2: d²/2, k3: exp(−d) + d − 1 clamped to ±10), d = logp − ref_logp, only
//   when kl_coef ≠ 0.
//   dlogp_t = w_t · (∂l/∂logp + kl_coef · ∂kl/∂logp).
// The six token sums (Σ w·l, Σ w·kl, tokens, clipped, clipped_lower, Σ (old − logp), the
// last five over tokens with w ≠ 0) are reduced per workgroup by a tree in workgroup memory
// and written to partials[workgroup · 6 + k]; the host adds the partials in f64, in
// workgroup order (deterministic).

struct PolicyParams {
    n: u32,
    clip_ratio_low: f32,
    clip_ratio_high: f32,
    clip_ratio_c: f32,
    kl_coef: f32,
    /// 1 = k1, 2 = k2, 3 = k3.
    kl: u32,
    _pad0: u32,
    _pad1: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> P: PolicyParams;
@group(0) @binding(1) var<storage, read> logp: array<f32>;
@group(0) @binding(2) var<storage, read> old_logp: array<f32>;
@group(0) @binding(3) var<storage, read> ref_logp: array<f32>;
@group(0) @binding(4) var<storage, read> adv: array<f32>;
@group(0) @binding(5) var<storage, read> weight: array<f32>;
@group(0) @binding(6) var<storage, read_write> dlogp: array<f32>;
@group(0) @binding(7) var<storage, read_write> partials: array<f32>;

var<workgroup> red: array<array<f32, 6>, WG>;

@compute @workgroup_size(256)
fn policy_loss(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let t = gid.x + gid.y * nwg.x * WG;
    var sums = array<f32, 6>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    if t < P.n {
        let lp = logp[t];
        let old = old_logp[t];
        let a = adv[t];
        let w = weight[t];
        // ppo_token.
        let log_ratio = lp - old;
        let clamped = !(log_ratio >= -20.0 && log_ratio <= 20.0);
        let ratio = exp(clamp(log_ratio, -20.0, 20.0));
        let dratio = select(ratio, 0.0, clamped);
        let lo = 1.0 - P.clip_ratio_low;
        let hi = 1.0 + P.clip_ratio_high;
        let l1 = -a * ratio;
        let l2 = -a * clamp(ratio, lo, hi);
        let d1 = -a * dratio;
        let d2 = select(d1, 0.0, ratio < lo || ratio > hi);
        let clipped = l2 > l1;
        var loss = select(l1, l2, clipped);
        var dl = select(d1, d2, clipped);
        var clipped_lower = false;
        if a < 0.0 {
            let l3 = -a * P.clip_ratio_c;
            if loss > l3 {
                clipped_lower = true;
                loss = l3;
                dl = 0.0;
            }
        }
        // KlEstimator::value_and_grad.
        var kl = 0.0;
        var dkl = 0.0;
        if P.kl_coef != 0.0 {
            let d = lp - ref_logp[t];
            if P.kl == 1u {
                kl = d;
                dkl = 1.0;
            } else if P.kl == 2u {
                kl = 0.5 * d * d;
                dkl = d;
            } else {
                let k = -d;
                let r = exp(k);
                let v = r - k - 1.0;
                if v > 10.0 {
                    kl = 10.0;
                } else if v < -10.0 {
                    kl = -10.0;
                } else {
                    kl = v;
                    dkl = 1.0 - r;
                }
            }
        }
        dlogp[t] = w * (dl + P.kl_coef * dkl);
        if w != 0.0 {
            sums[0] = w * loss;
            sums[1] = w * kl;
            sums[2] = 1.0;
            sums[3] = select(0.0, 1.0, clipped);
            sums[4] = select(0.0, 1.0, clipped_lower);
            sums[5] = -clamp(log_ratio, -20.0, 20.0);
        }
    }
    red[lid] = sums;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            for (var k = 0u; k < 6u; k++) {
                red[lid][k] = red[lid][k] + red[lid + s][k];
            }
        }
        workgroupBarrier();
    }
    let wg = wid.x + wid.y * nwg.x;
    // Workgroups past the last token (the grid is rounded up) write nothing.
    if lid == 0u && wg * WG < P.n {
        for (var k = 0u; k < 6u; k++) {
            partials[wg * 6u + k] = red[0][k];
        }
    }
}
