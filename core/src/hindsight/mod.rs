//! Hindsight instruction replay: select-then-rewrite (spec §2 steps 2–5).
//!
//! After a rollout, every response `y` of an instruction `q = (x, C)` is **verified**
//! ([`verify()`]) into a per-constraint [`Verdict`], from which come the sparse reward (all
//! constraints hold; the only training reward) and the dense one (the fraction that hold).
//! Most failures carry no learning signal under the sparse reward, so HiR replays some of them
//! as successes:
//!
//! 1. **Select** ([`select()`]): among the responses that satisfy some but not all constraints
//!    ([`is_eligible`]), take the top `k` per prompt group (or `k·B` over the batch, [`Scope`])
//!    by `F = F_div + λ_s·F_int` — token entropy plus a curriculum-weighted dense reward
//!    ([`score`], [`curriculum_lambda`]).
//! 2. **Rewrite** ([`rewrite()`]): for each selected `y`, build `q' = (x, C')` from the
//!    constraints `y` satisfied, in their original order and re-rendered with the same layout
//!    ([`crate::instruct::Layout`]). By construction `y` satisfies all of `q'`.
//! 3. **Re-verify and plan** ([`plan_replays`]): check `sparse(q', y) = 1` again and return,
//!    per group, the `(q', y)` pairs to add to the batch with reward 1 next to their sources.
//!
//! Everything here is independent of the model and the backend: an RL stack that has
//! responses, their entropies and these verifiers can use it as it is (the `hir replay` CLI
//! does exactly that on JSONL).

pub mod replay;
pub mod rewrite;
pub mod select;
pub mod verify;

pub use replay::{plan_replays, GroupRollouts, ReplayItem, ReplayPlan};
pub use rewrite::{rewrite, Rewrite};
pub use select::{
    curriculum_lambda, dense_overrides, is_eligible, last_finite_step, score, select,
    select_in_batch, Candidate, EntropyAgg, Scope, SelectConfig, Selection,
};
pub use verify::{verify, Verdict};
