//! The PPO-clip token loss (`ppo_token`): its derivative against central finite differences
//! over a grid of (logp, old_logp, adv) that covers every branch — unclipped, the ratio clip
//! on both sides, the dual clip, the log-ratio clamp — skipping points within `h` of a kink.

use hir_core::rl::{ppo_token, PpoClip, PpoToken};

const CLIP: PpoClip = PpoClip {
    clip_ratio_low: 0.2,
    clip_ratio_high: 0.28,
    clip_ratio_c: 3.0,
};

/// Which piece of the piecewise loss a point lies on.
fn piece(t: &PpoToken, logp: f32, old: f32) -> (bool, bool, bool, bool, bool) {
    let d = logp - old;
    let ratio = d.clamp(-20.0, 20.0).exp();
    (
        t.clipped,
        t.clipped_lower,
        !(-20.0..=20.0).contains(&d),
        ratio < 1.0 - CLIP.clip_ratio_low,
        ratio > 1.0 + CLIP.clip_ratio_high,
    )
}

#[test]
fn derivative_matches_central_differences_on_every_branch() {
    // Truncation error of the central difference is h²/6·|f'''| ≈ 1.7e-5·|A|·ρ for h = 1e-2;
    // rounding of the f32 loss adds about ulp(l)/h ≈ 1.2e-5·|l|. 1e-4·max(1, |A|·ρ) covers
    // both with margin.
    let h = 1e-2f32;
    let log_ratios = [
        -25.0, -21.0, -19.5, -5.0, -1.0, -0.5, -0.3, -0.25, -0.2, -0.1, 0.0, 0.05, 0.1, 0.15, 0.2,
        0.3, 0.5, 0.9, 1.05, 1.2, 1.5, 3.0, 19.5, 21.0, 25.0,
    ];
    let mut checked = 0;
    let mut seen = [0usize; 5]; // plain, ratio clip, dual clip, log-ratio clamp, skipped
    for adv in [-2.0f32, -0.5, 0.7, 1.5] {
        for old in [-0.5f32, -3.0] {
            for d in log_ratios {
                let logp = old + d;
                let t0 = ppo_token(logp, old, adv, &CLIP);
                let (lo, hi) = (logp - h, logp + h);
                let tl = ppo_token(lo, old, adv, &CLIP);
                let th = ppo_token(hi, old, adv, &CLIP);
                let p = piece(&t0, logp, old);
                if piece(&tl, lo, old) != p || piece(&th, hi, old) != p {
                    seen[4] += 1;
                    continue;
                }
                let fd = (th.loss as f64 - tl.loss as f64) / (hi as f64 - lo as f64);
                let ratio = (d.clamp(-20.0, 20.0) as f64).exp();
                let tol = 1e-4 * (adv.abs() as f64 * ratio).max(1.0);
                assert!(
                    (fd - t0.dlogp as f64).abs() <= tol,
                    "adv {adv} old {old} log-ratio {d}: analytic {} vs fd {fd}",
                    t0.dlogp
                );
                checked += 1;
                let k = if p.2 {
                    3
                } else if p.1 {
                    2
                } else if p.0 {
                    1
                } else {
                    0
                };
                seen[k] += 1;
            }
        }
    }
    assert!(checked >= 150, "only {checked} points checked ({seen:?})");
    assert!(
        seen[..4].iter().all(|&c| c > 0),
        "a branch was never checked: {seen:?}"
    );
}

#[test]
fn values_by_hand() {
    // ρ = e^{0.5} = 1.6487213 > 1.28, A = 1: l1 = −1.6487, l2 = −1.28 → l = −1.28, clipped, d = 0.
    let t = ppo_token(0.5, 0.0, 1.0, &CLIP);
    assert!((t.loss - -1.28).abs() < 1e-6 && t.dlogp == 0.0 && t.clipped && !t.clipped_lower);
    // ρ = e^{0.1} = 1.1051709, A = 2: inside the clip range, l = −2ρ, d = −2ρ.
    let t = ppo_token(0.1, 0.0, 2.0, &CLIP);
    assert!((t.loss - -2.210_341_8).abs() < 1e-6 && (t.dlogp - -2.210_341_8).abs() < 1e-6);
    // ρ = e^{1.5} = 4.4816891 > c = 3, A = −1: l1 = 4.48, l2 = 1.28, max = 4.48 > 3 → dual clip
    // l = 3, d = 0.
    let t = ppo_token(1.5, 0.0, -1.0, &CLIP);
    assert!(t.loss == 3.0 && t.dlogp == 0.0 && t.clipped_lower && !t.clipped);
    // ρ = e^{−0.5} = 0.6065307 < 0.8, A = −1: l1 = 0.6065, l2 = 0.8 → l = 0.8, clipped, d = 0.
    let t = ppo_token(-0.5, 0.0, -1.0, &CLIP);
    assert!((t.loss - 0.8).abs() < 1e-6 && t.dlogp == 0.0 && t.clipped);
    // ρ = e^{2} = 7.389 with A = −1 would be dual-clipped to 3; at ρ = e^{0.9} = 2.4596 it is
    // not: l = 2.4596, d = 2.4596 (= −A·ρ).
    let t = ppo_token(0.9, 0.0, -1.0, &CLIP);
    assert!((t.dlogp - 2.459_603).abs() < 1e-5 && !t.clipped_lower);
}
