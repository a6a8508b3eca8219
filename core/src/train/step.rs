//! [`Trainer::step`]: rollout, verification, selection, rewrite, replay, advantages, update.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use crate::backend::{Backend, SampleParams};
use crate::hindsight::{plan_replays, verify, GroupRollouts, Scope, SelectConfig, Verdict};
use crate::model::GenerateConfig;
use crate::rl::{compute_advantages, reward_stats, AdvEstimator, AdvantageConfig, AdvantageInput};
use crate::rng::{derive, uniform};

use super::logprob::response_stats;
use super::metrics::{mean_std, StepMetrics};
use super::rows::Row;
use super::{kl_estimator, TrainError, Trainer};

/// The experience of one step, ready for [`Trainer::learn`].
#[derive(Debug, Clone)]
pub struct StepBatch {
    /// The step these rows belong to (1-based).
    pub step: u64,
    /// The rows to update on: per prompt group, each rollout, and each selected response's
    /// hindsight replay right after it.
    pub rows: Vec<Row>,
    /// Responses generated for this step (rollouts plus resamples).
    pub generated: u64,
    /// The experience-side metrics (rewards, replay counts, timing so far).
    pub metrics: StepMetrics,
    /// Clock reading when the step started.
    pub started: f64,
}

/// The generated responses of one prompt (the `m` rollouts, then any resamples).
struct Group {
    data_index: usize,
    rows: Vec<Row>,
    texts: Vec<String>,
    verdicts: Vec<Verdict>,
    /// `F_div` per response (mean or sum of token entropies, as configured).
    entropy: Vec<f32>,
    /// Mean token entropy per response (for the logs).
    mean_entropy: Vec<f32>,
}

impl<B: Backend> Trainer<B> {
    /// Runs one training step (spec §2) and returns its metrics: [`Trainer::collect`] then
    /// [`Trainer::learn`].
    pub fn step(&mut self) -> Result<StepMetrics, TrainError> {
        let batch = self.collect()?;
        self.learn(batch)
    }

    /// The experience half of a step (spec §2.1–2.5): rollout, verification, selection,
    /// rewrite and replay, old and reference log-probs. Nothing is updated; the returned rows
    /// are what [`Trainer::learn`] trains on, in order (each replay right after its source).
    pub fn collect(&mut self) -> Result<StepBatch, TrainError> {
        let s = self.step + 1;
        let cfg = self.config.clone();
        let t_start = self.now();
        let mut m = StepMetrics::new();
        let step_seed = derive(cfg.seed, s);

        // 1. Rollout: B prompts × m samples, one batched generation.
        let picks =
            super::schedule::step_prompts(cfg.seed, s, cfg.train_batch_size, self.data.len());
        let mut groups: Vec<Group> = picks
            .iter()
            .map(|&d| Group {
                data_index: d,
                rows: Vec::new(),
                texts: Vec::new(),
                verdicts: Vec::new(),
                entropy: Vec::new(),
                mean_entropy: Vec::new(),
            })
            .collect();
        let requests: Vec<(usize, u64)> = (0..groups.len())
            .flat_map(|g| (0..cfg.rollout_n).map(move |i| (g, i as u64)))
            .collect();
        let mut phase = [0.0f64; 2];
        let mut generated = self.rollout(&mut groups, &requests, step_seed, &mut phase)?;
        let t_gen = self.now();

        // 2–3. Verify, old log-probs and entropies (done inside `rollout`), then resample
        // groups short of eligible responses when asked to.
        let k = if cfg.replay { cfg.replay_k } else { 0 };
        let mut resampled = 0u64;
        if k > 0 && cfg.replay_shortage == "resample" {
            let mut extra = vec![0usize; groups.len()];
            loop {
                let mut requests = Vec::new();
                for (g, grp) in groups.iter().enumerate() {
                    let eligible = grp
                        .verdicts
                        .iter()
                        .filter(|v| crate::hindsight::is_eligible(v.dense()))
                        .count();
                    let need = k
                        .saturating_sub(eligible)
                        .min(cfg.replay_max_resample - extra[g]);
                    for _ in 0..need {
                        requests.push((g, (cfg.rollout_n + extra[g]) as u64));
                        extra[g] += 1;
                    }
                }
                if requests.is_empty() {
                    break;
                }
                let n = self.rollout(&mut groups, &requests, step_seed, &mut phase)?;
                generated += n;
                resampled += n;
            }
        }
        let t_old = self.now();

        // 3–4. Select and rewrite (re-verified inside `plan_replays`).
        let lambda0 = if cfg.replay_selection == "random" {
            0.0
        } else {
            cfg.replay_lambda0
        };
        let eta = if cfg.replay_curriculum {
            cfg.replay_eta
        } else {
            0.0
        };
        let select_cfg = SelectConfig {
            k,
            scope: if cfg.replay_scope == "global" {
                Scope::Global
            } else {
                Scope::Group
            },
            lambda0,
            eta,
        };
        let scores: Vec<Vec<f32>> = groups
            .iter()
            .enumerate()
            .map(|(g, grp)| {
                if cfg.replay_selection == "random" {
                    (0..grp.rows.len())
                        .map(|i| uniform(derive(derive(step_seed ^ 0x5e1ec7, g as u64), i as u64)))
                        .collect()
                } else {
                    grp.entropy.clone()
                }
            })
            .collect();
        let text_refs: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.texts.iter().map(|t| t.as_str()).collect())
            .collect();
        let plan = if k > 0 {
            let rollouts: Vec<GroupRollouts<'_>> = groups
                .iter()
                .enumerate()
                .map(|(g, grp)| GroupRollouts {
                    instruction: &self.data[grp.data_index],
                    responses: &text_refs[g],
                    verdicts: &grp.verdicts,
                    entropies: &scores[g],
                })
                .collect();
            Some(plan_replays(&rollouts, s, &select_cfg))
        } else {
            None
        };

        // 5. Rows: every original rollout, each selected response's source row (resamples
        // enter only when selected) with its replay right after it.
        let mut rows: Vec<Row> = Vec::new();
        let mut replay_dense = Vec::new();
        let mut dropped_long = 0usize;
        for (g, grp) in groups.iter().enumerate() {
            let items = plan.as_ref().map(|p| &p.per_group[g][..]).unwrap_or(&[]);
            for (i, row) in grp.rows.iter().enumerate() {
                let item = items.iter().find(|it| it.index == i);
                if i >= cfg.rollout_n && item.is_none() {
                    continue;
                }
                let source = rows.len();
                rows.push(row.clone());
                if let Some(item) = item {
                    let ids = self.codec.encode_prompt(&item.rewrite.prompt)?;
                    if ids.is_empty() || ids.len() > cfg.max_prompt_length {
                        dropped_long += 1;
                        continue;
                    }
                    replay_dense.push(row.dense as f64);
                    rows.push(Row {
                        prompt: Arc::new(ids),
                        reward: 1.0,
                        dense: 1.0,
                        replay_of: Some(source),
                        ..row.clone()
                    });
                }
            }
        }
        let replay_rows: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].replay_of.is_some())
            .collect();
        if cfg.replay_logprobs == "recompute" && !replay_rows.is_empty() {
            let st = response_stats(
                &self.backend,
                &self.policy,
                &rows,
                &replay_rows,
                cfg.temperature,
                self.token_budget,
            )?;
            for (j, &r) in replay_rows.iter().enumerate() {
                rows[r].old_logp = st.logp[j].clone();
            }
        }

        // Reference log-probs (the initial policy), for KL in the reward or the loss.
        if let Some(reference) = &self.reference {
            let need: Vec<usize> = (0..rows.len())
                .filter(|&i| rows[i].replay_of.is_none() || cfg.replay_logprobs == "recompute")
                .collect();
            let st = response_stats(
                &self.backend,
                reference,
                &rows,
                &need,
                cfg.temperature,
                self.token_budget,
            )?;
            for (j, &r) in need.iter().enumerate() {
                rows[r].ref_logp = st.logp[j].clone();
            }
            for &r in &replay_rows {
                if cfg.replay_logprobs == "copy" {
                    let src = rows[r].replay_of.unwrap_or(r);
                    rows[r].ref_logp = rows[src].ref_logp.clone();
                }
            }
        }
        let t_ref = self.now();

        let gen_rows: Vec<&Row> = groups
            .iter()
            .flat_map(|g| g.rows.iter().take(cfg.rollout_n))
            .collect();
        let rewards_gen: Vec<f32> = gen_rows.iter().map(|r| r.reward).collect();
        let groups_gen: Vec<u32> = gen_rows.iter().map(|r| r.group).collect();
        let rs = reward_stats(&rewards_gen, &groups_gen);
        let dense: Vec<f64> = gen_rows.iter().map(|r| r.dense as f64).collect();
        let lens: Vec<f64> = gen_rows.iter().map(|r| r.response.len() as f64).collect();
        let truncated = gen_rows.iter().filter(|r| r.truncated).count();
        let token_entropy: Vec<f64> = groups
            .iter()
            .flat_map(|g| g.mean_entropy.iter().take(cfg.rollout_n).map(|&e| e as f64))
            .collect();
        let eligible = gen_rows
            .iter()
            .filter(|r| crate::hindsight::is_eligible(r.dense))
            .count();
        let n_gen = gen_rows.len().max(1) as f64;
        let lambda = crate::hindsight::curriculum_lambda(s, lambda0, eta);
        let mut put = |k: &str, v: f64| {
            m.insert(String::from(k), v);
        };
        put("training/step", s as f64);
        put("critic/rewards/mean", rs.reward_mean as f64);
        put("critic/rewards/std", rs.reward_std as f64);
        put(
            "critic/frac_reward_zero_std",
            rs.frac_reward_zero_std as f64,
        );
        put("hir/success_rate", rs.reward_mean as f64);
        put("hir/dense_mean", mean_std(&dense).0);
        put("hir/eligible_frac", eligible as f64 / n_gen);
        put("hir/replay_count", replay_dense.len() as f64);
        put("hir/replay_dense_mean", mean_std(&replay_dense).0);
        put("hir/lambda", if k > 0 { lambda } else { 0.0 });
        put(
            "hir/reverify_failures",
            plan.as_ref().map_or(0.0, |p| p.reverify_failures as f64),
        );
        put("hir/replay_dropped_too_long", dropped_long as f64);
        put("hir/resampled", resampled as f64);
        put("rollouts/generated", generated as f64);
        put("rollouts/update_rows", rows.len() as f64);
        put("actor/entropy", mean_std(&token_entropy).0);
        put("actor/lr", cfg.lr as f64);
        put("response_length/mean", mean_std(&lens).0);
        put("response_length/clip_ratio", truncated as f64 / n_gen);
        put("timing_s/gen", phase[0]);
        put("timing_s/old_log_prob", phase[1]);
        put("timing_s/resample", t_old - t_gen);
        put("timing_s/select_rewrite_ref", t_ref - t_old);
        Ok(StepBatch {
            step: s,
            rows,
            generated,
            metrics: m,
            started: t_start,
        })
    }

    /// The learning half of a step (spec §2.6–2.7): advantages over `batch.rows`, then the
    /// policy update; returns the step's full metrics.
    pub fn learn(&mut self, batch: StepBatch) -> Result<StepMetrics, TrainError> {
        let cfg = self.config.clone();
        let StepBatch {
            step: s,
            rows,
            generated,
            mut metrics,
            started: t_start,
        } = batch;
        let t_ref = self.now();
        let mut seq_starts = vec![0usize];
        let mut old_flat = Vec::new();
        let mut ref_flat = Vec::new();
        for r in &rows {
            old_flat.extend_from_slice(&r.old_logp);
            ref_flat.extend_from_slice(&r.ref_logp);
            seq_starts.push(old_flat.len());
        }
        let rewards: Vec<f32> = rows.iter().map(|r| r.reward).collect();
        let group_ids: Vec<u32> = rows.iter().map(|r| r.group).collect();
        let adv = compute_advantages(
            &AdvantageInput {
                rewards: &rewards,
                group_ids: &group_ids,
                seq_starts: &seq_starts,
                old_logp: &old_flat,
                ref_logp: &ref_flat,
            },
            &AdvantageConfig {
                estimator: AdvEstimator::from_name(&cfg.adv_estimator).unwrap_or_default(),
                gamma: cfg.gamma,
                kl_in_reward: (cfg.use_kl_in_reward && self.reference.is_some())
                    .then(|| (kl_estimator(&cfg.kl_penalty), cfg.kl_coef)),
                norm_adv_by_std_in_grpo: cfg.norm_adv_by_std_in_grpo,
                ..AdvantageConfig::default()
            },
        );
        let t_adv = self.now();

        // 7. Policy update on mini-batches of prompt groups.
        let upd = self.update(&rows, &seq_starts, &adv.advantages, s)?;
        let t_end = self.now();
        self.step = s;
        self.generated_rollouts += generated;

        let mut put = |k: &str, v: f64| {
            metrics.insert(String::from(k), v);
        };
        put("rollouts/generated_total", self.generated_rollouts as f64);
        put("actor/kl_in_reward", adv.kl_mean as f64);
        put("actor/grad_norm", upd.grad_norm);
        for (key, v) in &upd.objective {
            put(&format!("actor/{key}"), *v);
        }
        let advs: Vec<f64> = adv.advantages.iter().map(|&a| a as f64).collect();
        put("critic/advantages/mean", mean_std(&advs).0);
        put(
            "critic/advantages/max",
            advs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        put(
            "critic/advantages/min",
            advs.iter().copied().fold(f64::INFINITY, f64::min),
        );
        put("timing_s/adv", t_adv - t_ref);
        put("timing_s/update_actor", t_end - t_adv);
        put("timing_s/step", t_end - t_start);
        let tokens: usize = rows.iter().map(|r| r.prompt.len() + r.response.len()).sum();
        put(
            "perf/throughput",
            if t_end > t_start {
                tokens as f64 / (t_end - t_start)
            } else {
                0.0
            },
        );
        Ok(metrics)
    }

    /// Samples `requests` = (group, sample index) responses, decodes and verifies them, and
    /// computes their old log-probs and entropies; appends them to their groups. Returns how
    /// many were generated; adds the seconds spent generating (and verifying) and computing
    /// log-probs to `phase[0]` and `phase[1]`.
    fn rollout(
        &mut self,
        groups: &mut [Group],
        requests: &[(usize, u64)],
        step_seed: u64,
        phase: &mut [f64; 2],
    ) -> Result<u64, TrainError> {
        let t0 = self.now();
        let cfg = &self.config;
        let prompts: Vec<&[u32]> = requests
            .iter()
            .map(|&(g, _)| &self.prompt_ids[groups[g].data_index][..])
            .collect();
        let seeds: Vec<u64> = requests
            .iter()
            .map(|&(g, i)| derive(derive(step_seed, g as u64), i))
            .collect();
        let gen_cfg = GenerateConfig {
            max_new_tokens: cfg.max_response_length,
            sample: SampleParams {
                temperature: cfg.temperature,
                top_p: cfg.top_p,
            },
            stop_ids: self.codec.stop_ids().to_vec(),
        };
        let out = self
            .policy
            .generate(&self.backend, &prompts, &seeds, &gen_cfg)?;
        let mut new_rows = Vec::with_capacity(out.len());
        let mut texts = Vec::with_capacity(out.len());
        for (&(g, _), gen) in requests.iter().zip(&out) {
            let text = self.codec.decode(gen.content())?;
            let verdict = verify(&self.data[groups[g].data_index], &text);
            new_rows.push(Row {
                prompt: self.prompt_ids[groups[g].data_index].clone(),
                response: Arc::new(gen.tokens.clone()),
                reward: verdict.sparse(),
                dense: verdict.dense(),
                group: g as u32,
                replay_of: None,
                old_logp: Vec::new(),
                ref_logp: Vec::new(),
                truncated: !gen.stopped,
            });
            texts.push((text, verdict));
        }
        let t1 = self.now();
        let all: Vec<usize> = (0..new_rows.len()).collect();
        let st = response_stats(
            &self.backend,
            &self.policy,
            &new_rows,
            &all,
            cfg.temperature,
            self.token_budget,
        )?;
        let sum = cfg.replay_entropy == "sum";
        for (((&(g, _), mut row), (text, verdict)), (logp, ent)) in requests
            .iter()
            .zip(new_rows)
            .zip(texts)
            .zip(st.logp.into_iter().zip(st.entropy))
        {
            let total: f32 = ent.iter().sum();
            let mean = if ent.is_empty() {
                0.0
            } else {
                total / ent.len() as f32
            };
            let f_div = if sum { total } else { mean };
            row.old_logp = logp;
            row.ref_logp = vec![0.0; row.response.len()];
            let grp = &mut groups[g];
            grp.rows.push(row);
            grp.texts.push(text);
            grp.verdicts.push(verdict);
            grp.entropy.push(f_div);
            grp.mean_entropy.push(mean);
        }
        phase[0] += t1 - t0;
        phase[1] += self.now() - t1;
        Ok(requests.len() as u64)
    }
}
