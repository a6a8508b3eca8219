//! `policy_loss`: the PPO-clip policy loss over response tokens, forward and backward in one
//! op, on its own against an f64 reference and through the objectives of `hir_core::rl`:
//! - `PpoObjective` (PPO-clip + dual clip + KL-as-loss) against central finite differences of
//!   its total loss, for every aggregation mode and every KL estimator, and its `pg_loss`
//!   against verl's `agg_loss` written out;
//! - `PairwiseObjective` against central finite differences of its loss;
//! - the identity of spec §3 on the real objective: on-policy, with group-mean advantages
//!   and `seq-mean-token-sum` weights, the gradient the PPO objective sends to the parameters
//!   equals `(1/S)` times the sum of pairwise preference terms, replay pairs included.

use hir_core::backend::{Backend, PolicyLossParams, Result};
use hir_core::objective::{
    ObjectiveBatch, ObjectiveOutput, PairwiseObjective, PolicyObjective, PpoObjective,
};
use hir_core::rl::identity::{baseline_gradient, pairwise_gradient};
use hir_core::rl::{
    compute_advantages, ppo_token, token_weights, AdvEstimator, AdvantageConfig, AdvantageInput,
    KlEstimator, LossAggMode, PpoClip,
};

use crate::inputs::{ints, normal};
use crate::report::{Expected, Outputs, Tolerance, TRANSCENDENTAL};
use crate::suite::{Case, Outcome, Suite};

/// The policy_loss family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for n in [1, 37, 1000] {
        for kl in KLS {
            s.table(&PolicyLoss { n, kl });
        }
    }
    s.check("PPO objective gradient against finite differences", |b| {
        ppo_objective_gradient_matches_finite_differences(b)
    });
    s.check(
        "PPO objective loss and metrics match verl written out",
        |b| ppo_objective_loss_and_metrics_match_verl_written_out(b),
    );
    s.check(
        "pairwise objective gradient against finite differences",
        |b| pairwise_objective_gradient_matches_finite_differences(b),
    );
    s.check(
        "on-policy PPO gradient is the sum of pairwise preferences",
        |b| on_policy_ppo_gradient_is_the_sum_of_pairwise_preferences(b),
    );
}

/// `policy_loss` on `n` tokens: ratios spread over all clip regions (log-ratio ~ N(0, 0.4)),
/// advantages of both signs, some zero weights (padding).
struct PolicyLoss {
    n: usize,
    kl: KlEstimator,
}

/// `(logp, old, ref, adv, weight)` of a [`PolicyLoss`] case.
type Tokens = (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>);

impl PolicyLoss {
    fn inputs(&self) -> Tokens {
        let n = self.n;
        let old = normal(40, n, 1.0);
        let logp: Vec<f32> = old
            .iter()
            .zip(normal(41, n, 0.4))
            .map(|(o, d)| o - 2.0 + d)
            .collect();
        let old: Vec<f32> = old.iter().map(|o| o - 2.0).collect();
        let reference: Vec<f32> = logp
            .iter()
            .zip(normal(42, n, 0.3))
            .map(|(l, d)| l + d)
            .collect();
        let adv = normal(43, n, 1.0);
        let weight: Vec<f32> = ints(44, n, 4)
            .iter()
            .map(|&i| if i == 0 { 0.0 } else { 1.0 / n as f32 })
            .collect();
        (logp, old, reference, adv, weight)
    }
    fn params(&self) -> PolicyLossParams {
        PolicyLossParams {
            clip: CLIP,
            kl_coef: 0.05,
            kl: self.kl,
        }
    }
}

impl Case for PolicyLoss {
    fn name(&self) -> String {
        format!("policy_loss n={} kl={}", self.n, self.kl.name())
    }
    /// Per token: one exp and a few products; sums over up to 1000 weighted terms.
    fn tolerance(&self) -> Tolerance {
        TRANSCENDENTAL
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (logp, old, reference, adv, weight) = self.inputs();
        let (d, s) = b.policy_loss(
            &b.upload(&logp)?,
            &b.upload(&old)?,
            &b.upload(&reference)?,
            &b.upload(&adv)?,
            &b.upload(&weight)?,
            &self.params(),
        )?;
        Ok(vec![
            ("dlogp", b.download(&d)?),
            (
                "sums",
                vec![
                    s.pg_loss,
                    s.kl_loss,
                    s.tokens,
                    s.clipped,
                    s.clipped_lower,
                    s.neg_log_ratio,
                ],
            ),
        ])
    }
    /// Per token, in f64: the PPO-clip loss with verl's dual clip, the KL estimator and
    /// their derivatives; the sums over tokens of nonzero weight.
    fn expected(&self) -> Expected {
        let (logp, old, reference, adv, weight) = self.inputs();
        let p = self.params();
        let (lo, hi) = (
            1.0 - CLIP.clip_ratio_low as f64,
            1.0 + CLIP.clip_ratio_high as f64,
        );
        let mut dlogp = Vec::new();
        let mut sums = [0.0f64; 6];
        for t in 0..self.n {
            let (a, w) = (adv[t] as f64, weight[t] as f64);
            let log_ratio = logp[t] as f64 - old[t] as f64;
            let ratio = log_ratio.clamp(-20.0, 20.0).exp();
            let dratio = if log_ratio.abs() > 20.0 { 0.0 } else { ratio };
            let (l1, d1) = (-a * ratio, -a * dratio);
            let l2 = -a * ratio.clamp(lo, hi);
            let d2 = if ratio < lo || ratio > hi { 0.0 } else { d1 };
            let clipped = l2 > l1;
            let (mut loss, mut d) = if clipped { (l2, d2) } else { (l1, d1) };
            let mut lower = false;
            if a < 0.0 && loss > -a * CLIP.clip_ratio_c as f64 {
                (loss, d, lower) = (-a * CLIP.clip_ratio_c as f64, 0.0, true);
            }
            let x = logp[t] as f64 - reference[t] as f64;
            let (kl, dkl) = match self.kl {
                KlEstimator::K1 => (x, 1.0),
                KlEstimator::K2 => (0.5 * x * x, x),
                KlEstimator::K3 => {
                    let v = (-x).exp() + x - 1.0;
                    if v.abs() > 10.0 {
                        (10.0f64.copysign(v), 0.0)
                    } else {
                        (v, 1.0 - (-x).exp())
                    }
                }
            };
            dlogp.push(w * (d + p.kl_coef as f64 * dkl));
            if w != 0.0 {
                sums[0] += w * loss;
                sums[1] += w * kl;
                sums[2] += 1.0;
                sums[3] += clipped as u8 as f64;
                sums[4] += lower as u8 as f64;
                sums[5] -= log_ratio.clamp(-20.0, 20.0);
            }
        }
        vec![("dlogp", dlogp), ("sums", sums.to_vec())]
    }
}

const MODES: [LossAggMode; 3] = [
    LossAggMode::TokenMean,
    LossAggMode::SeqMeanTokenSum,
    LossAggMode::SeqMeanTokenMean,
];
const KLS: [KlEstimator; 3] = [KlEstimator::K1, KlEstimator::K2, KlEstimator::K3];
const CLIP: PpoClip = PpoClip {
    clip_ratio_low: 0.2,
    clip_ratio_high: 0.28,
    clip_ratio_c: 3.0,
};

/// A batch of 6 sequences (one of them empty) in two groups, with a replay row (index 5,
/// source 1): per-token log-probs spread over every clip region.
struct Data {
    starts: Vec<usize>,
    rewards: Vec<f32>,
    groups: Vec<u32>,
    replay_of: Vec<Option<usize>>,
    logp: Vec<f32>,
    old: Vec<f32>,
    reference: Vec<f32>,
    adv: Vec<f32>,
}

fn data() -> Data {
    let lens = [5usize, 3, 7, 1, 0, 3];
    let mut starts = vec![0];
    for l in lens {
        starts.push(starts.last().unwrap() + l);
    }
    let n = *starts.last().unwrap();
    let old: Vec<f32> = normal(1, n, 0.7).iter().map(|x| x - 2.0).collect();
    let logp: Vec<f32> = old
        .iter()
        .zip(normal(2, n, 0.5))
        .map(|(o, d)| o + d)
        .collect();
    let reference: Vec<f32> = logp
        .iter()
        .zip(normal(3, n, 0.3))
        .map(|(l, d)| l + d)
        .collect();
    let rewards = vec![1.0, 0.0, 0.0, 1.0, 0.0, 1.0];
    let groups = vec![0, 0, 0, 1, 1, 0];
    let replay_of = vec![None, None, None, None, None, Some(1)];
    let a = compute_advantages(
        &AdvantageInput {
            rewards: &rewards,
            group_ids: &groups,
            seq_starts: &starts,
            old_logp: &old,
            ref_logp: &reference,
        },
        &AdvantageConfig {
            estimator: AdvEstimator::ReinforcePlusPlus,
            ..Default::default()
        },
    );
    // Scale the whitened advantages up a little so the dual clip (A < 0, ρ > 3) is reachable
    // and mix in per-token variation.
    let mut adv: Vec<f32> = a
        .advantages
        .iter()
        .zip(normal(4, n, 0.5))
        .map(|(a, e)| 1.5 * a + e)
        .collect();
    let (mut logp, mut reference) = (logp, reference);
    // Two tokens in the dual clip (A < 0, ρ = e^{1.6}, e^{2} > 3) and one whose k3 estimate is
    // clamped at 10 (ref − logp = 3: e³ − 3 − 1 ≈ 16.1).
    for (t, dlr, a) in [(2, 1.6f32, -0.8f32), (10, 2.0, -1.2)] {
        logp[t] = old[t] + dlr;
        reference[t] = logp[t] + 0.1;
        adv[t] = a;
    }
    reference[12] = logp[12] + 3.0;
    Data {
        starts,
        rewards,
        groups,
        replay_of,
        logp,
        old,
        reference,
        adv,
    }
}

fn run<B: Backend>(
    b: &B,
    obj: &dyn PolicyObjective<B>,
    d: &Data,
    logp: &[f32],
    weights: &[f32],
) -> Result<ObjectiveOutput<B>> {
    let (lp, old, rf, adv, w) = (
        b.upload(logp)?,
        b.upload(&d.old)?,
        b.upload(&d.reference)?,
        b.upload(&d.adv)?,
        b.upload(weights)?,
    );
    let batch = ObjectiveBatch::<B> {
        seq_starts: &d.starts,
        rewards: &d.rewards,
        group_ids: &d.groups,
        replay_of: &d.replay_of,
        logp: &lp,
        old_logp: &old,
        ref_logp: &rf,
        advantages: &adv,
        weights: &w,
    };
    obj.compute(b, &batch)
}

/// The piece of the piecewise token loss (PPO branches and the k3 clamp) at `logp`.
fn piece(
    logp: f32,
    old: f32,
    reference: f32,
    adv: f32,
    kl: KlEstimator,
) -> (bool, bool, bool, bool, bool) {
    let t = ppo_token(logp, old, adv, &CLIP);
    let ratio = (logp - old).clamp(-20.0, 20.0).exp();
    let k3_clamped = kl == KlEstimator::K3 && kl.value_and_grad(logp, reference).1 == 0.0;
    (
        t.clipped,
        t.clipped_lower,
        ratio < 0.8,
        ratio > 1.28,
        k3_clamped,
    )
}

fn ppo_objective_gradient_matches_finite_differences<B: Backend>(b: &B) -> Outcome {
    let d = data();
    // The total loss is returned in f32: its rounding (≈ 6e-8·|L| with |L| ≲ 3) divided by the
    // step 2h = 2e-2 is ≲ 1e-5; the truncation error h²/6·|∂³L| is ≲ 2e-5·w·|A|·ρ. A wrong
    // term is off by a multiple of w ≥ 1/(6·7).
    let h = 1e-2f32;
    let mut pieces_seen = [0usize; 4];
    for mode in MODES {
        let w = token_weights(&d.starts, mode, None);
        for kl in KLS {
            let obj = PpoObjective {
                clip: CLIP,
                kl_loss: Some((kl, 0.05)),
            };
            let out = run(b, &obj, &d, &d.logp, &w)?;
            let dlogp = b.download(&out.dlogp)?;
            let mut checked = 0;
            for t in 0..d.logp.len() {
                let p = piece(d.logp[t], d.old[t], d.reference[t], d.adv[t], kl);
                let (lo, hi) = (d.logp[t] - h, d.logp[t] + h);
                if piece(lo, d.old[t], d.reference[t], d.adv[t], kl) != p
                    || piece(hi, d.old[t], d.reference[t], d.adv[t], kl) != p
                {
                    continue;
                }
                let mut x = d.logp.clone();
                x[t] = hi;
                let up = run(b, &obj, &d, &x, &w)?.loss as f64;
                x[t] = lo;
                let down = run(b, &obj, &d, &x, &w)?.loss as f64;
                let fd = (up - down) / (hi as f64 - lo as f64);
                let an = dlogp[t] as f64;
                ensure!(
                    (fd - an).abs() <= 3e-5 + 1e-3 * an.abs(),
                    "{} {}: token {t}: analytic {an}, fd {fd}",
                    mode.name(),
                    kl.name()
                );
                checked += 1;
                pieces_seen[if p.1 {
                    2
                } else if p.0 {
                    1
                } else {
                    0
                }] += 1;
                pieces_seen[3] += p.4 as usize;
            }
            ensure!(checked >= d.logp.len() - 3, "{checked} tokens checked");
        }
    }
    ensure!(
        pieces_seen.iter().all(|&c| c > 0),
        "unclipped / ratio-clipped / dual-clipped / k3-clamped tokens: {pieces_seen:?}"
    );
    Ok(())
}

fn ppo_objective_loss_and_metrics_match_verl_written_out<B: Backend>(b: &B) -> Outcome {
    let d = data();
    let toks: Vec<_> = (0..d.logp.len())
        .map(|t| ppo_token(d.logp[t], d.old[t], d.adv[t], &CLIP))
        .collect();
    let n = toks.len() as f64;
    let seqs: Vec<std::ops::Range<usize>> = d.starts.windows(2).map(|w| w[0]..w[1]).collect();
    let s = seqs.len() as f64;
    for mode in MODES {
        // verl agg_loss written out on the ragged batch (an empty row contributes 0).
        let want_pg = match mode {
            LossAggMode::TokenMean => toks.iter().map(|t| t.loss as f64).sum::<f64>() / n,
            LossAggMode::SeqMeanTokenSum => toks.iter().map(|t| t.loss as f64).sum::<f64>() / s,
            LossAggMode::SeqMeanTokenMean => {
                seqs.iter()
                    .filter(|r| !r.is_empty())
                    .map(|r| {
                        toks[r.clone()].iter().map(|t| t.loss as f64).sum::<f64>() / r.len() as f64
                    })
                    .sum::<f64>()
                    / s
            }
        };
        let w = token_weights(&d.starts, mode, None);
        let out = run(
            b,
            &PpoObjective {
                clip: CLIP,
                kl_loss: None,
            },
            &d,
            &d.logp,
            &w,
        )?;
        let m = |k: &str| out.metrics.iter().find(|(n, _)| *n == k).map(|x| x.1);
        let mode = mode.name();
        ensure!(
            (out.loss as f64 - want_pg).abs() < 1e-5,
            "{mode}: loss {} vs {want_pg}",
            out.loss
        );
        ensure!(m("pg_loss") == Some(out.loss), "{mode}: pg_loss");
        let clipfrac = toks.iter().filter(|t| t.clipped).count() as f64 / n;
        let lower = toks.iter().filter(|t| t.clipped_lower).count() as f64 / n;
        let ppo_kl = (0..toks.len())
            .map(|t| (d.old[t] - d.logp[t]) as f64)
            .sum::<f64>()
            / n;
        let near =
            |k: &str, want: f64, tol: f64| m(k).is_some_and(|v| (v as f64 - want).abs() < tol);
        ensure!(
            near("pg_clipfrac", clipfrac, 1e-6),
            "{mode}: pg_clipfrac {:?} vs {clipfrac}",
            m("pg_clipfrac")
        );
        ensure!(
            near("pg_clipfrac_lower", lower, 1e-6),
            "{mode}: pg_clipfrac_lower {:?} vs {lower}",
            m("pg_clipfrac_lower")
        );
        ensure!(
            near("ppo_kl", ppo_kl, 1e-5),
            "{mode}: ppo_kl {:?} vs {ppo_kl}",
            m("ppo_kl")
        );
        ensure!(
            m("tokens") == Some(n as f32),
            "{mode}: tokens {:?}",
            m("tokens")
        );
        ensure!(m("kl_loss").is_none(), "{mode}: kl_loss without a KL loss");
    }
    Ok(())
}

fn pairwise_objective_gradient_matches_finite_differences<B: Backend>(b: &B) -> Outcome {
    let d = data();
    let w = token_weights(&d.starts, LossAggMode::TokenMean, None);
    let obj = PairwiseObjective {
        beta: 0.5,
        response_pairs: true,
        instruction_pairs: true,
    };
    let out = run(b, &obj, &d, &d.logp, &w)?;
    let dlogp = b.download(&out.dlogp)?;
    let m = |k: &str| out.metrics.iter().find(|(n, _)| *n == k).map(|x| x.1);
    // Group 0 non-replay rows 0 (r=1), 1, 2 (r=0): pairs 0≻1, 0≻2; group 1 rows 3 (r=1),
    // 4 (r=0, empty): 3≻4; replay 5 of 1: 5≻1.
    ensure!(
        m("response_pairs") == Some(3.0),
        "response_pairs {:?}",
        m("response_pairs")
    );
    ensure!(
        m("instruction_pairs") == Some(1.0),
        "instruction_pairs {:?}",
        m("instruction_pairs")
    );
    // The loss is an f32 rounding of an f64 value (≈ 6e-8·|L|, |L| ≈ 1): over 2h = 2e-2 that
    // is ≲ 1e-5 of noise; the loss is smooth (softplus), truncation ≲ 2e-5·β³.
    let h = 1e-2f32;
    for t in 0..d.logp.len() {
        let mut x = d.logp.clone();
        x[t] = d.logp[t] + h;
        let up = run(b, &obj, &d, &x, &w)?.loss as f64;
        x[t] = d.logp[t] - h;
        let down = run(b, &obj, &d, &x, &w)?.loss as f64;
        let fd = (up - down) / ((d.logp[t] + h) as f64 - (d.logp[t] - h) as f64);
        let an = dlogp[t] as f64;
        ensure!(
            (fd - an).abs() <= 3e-5 + 1e-3 * an.abs(),
            "token {t}: {an} vs {fd}"
        );
    }
    // Tokens of one sequence share the sequence's derivative.
    ensure!(
        dlogp[d.starts[1]..d.starts[2]]
            .windows(2)
            .all(|p| p[0] == p[1]),
        "tokens of sequence 1 have different derivatives"
    );
    Ok(())
}

fn on_policy_ppo_gradient_is_the_sum_of_pairwise_preferences<B: Backend>(b: &B) -> Outcome {
    // With logp = old (ρ = 1, no clip active), Dr.GRPO advantages A_i = r_i − mean_group(r)
    // (no KL), and seq-mean-token-sum weights 1/S, the PPO loss gradient with respect to the
    // parameters is Σ_t dlogp_t·∇logp_t = −(1/S) Σ_i A_i g_i, g_i = Σ_{t∈i} ∇logp_t.
    // By the identity of spec §3 that is −(1/S) Σ_groups (1/(2n)) Σ_ij (r_i − r_j)(g_i − g_j),
    // replay pair (row 5 of row 1) included. Per-token gradients ∇logp_t are random vectors.
    let mut d = data();
    d.logp = d.old.clone();
    let a = compute_advantages(
        &AdvantageInput {
            rewards: &d.rewards,
            group_ids: &d.groups,
            seq_starts: &d.starts,
            old_logp: &d.old,
            ref_logp: &d.reference,
        },
        &AdvantageConfig {
            estimator: AdvEstimator::Grpo,
            norm_adv_by_std_in_grpo: false,
            kl_in_reward: None,
            ..Default::default()
        },
    );
    d.adv = a.advantages;
    let w = token_weights(&d.starts, LossAggMode::SeqMeanTokenSum, None);
    let out = run(
        b,
        &PpoObjective {
            clip: CLIP,
            kl_loss: None,
        },
        &d,
        &d.logp,
        &w,
    )?;
    let dlogp = b.download(&out.dlogp)?;
    let dim = 4;
    let n = d.logp.len();
    let v = normal(9, n * dim, 1.0);
    let param_grad: Vec<f64> = (0..dim)
        .map(|k| {
            (0..n)
                .map(|t| dlogp[t] as f64 * v[t * dim + k] as f64)
                .sum()
        })
        .collect();
    let g: Vec<Vec<f64>> = d
        .starts
        .windows(2)
        .map(|s| {
            (0..dim)
                .map(|k| (s[0]..s[1]).map(|t| v[t * dim + k] as f64).sum())
                .collect()
        })
        .collect();
    let s = d.rewards.len() as f64;
    let mut want = vec![0.0f64; dim];
    for group in [0u32, 1] {
        let rows: Vec<usize> = (0..d.groups.len())
            .filter(|&i| d.groups[i] == group)
            .collect();
        let r: Vec<f64> = rows.iter().map(|&i| d.rewards[i] as f64).collect();
        let gg: Vec<Vec<f64>> = rows.iter().map(|&i| g[i].clone()).collect();
        let pw = pairwise_gradient(&r, &gg);
        let bl = baseline_gradient(&r, &gg);
        for k in 0..dim {
            ensure!(
                (pw[k] - bl[k]).abs() < 1e-9,
                "group {group} component {k}: pairwise {} vs baseline {}",
                pw[k],
                bl[k]
            );
            want[k] -= pw[k] / s;
        }
    }
    for k in 0..dim {
        ensure!(
            (param_grad[k] - want[k]).abs() < 1e-5,
            "component {k}: {} vs {}",
            param_grad[k],
            want[k]
        );
    }
    Ok(())
}
