//! The shared test suite of hir's [`Backend`] trait, in the spirit of burn's `backend-tests`:
//! every backend runs the same cases, and an op's tests sit in one file named after its op
//! family, next to the backend code of the same name:
//!
//! | op family | tests | CPU | wgpu host | WGSL |
//! |---|---|---|---|---|
//! | `matmul` | `src/matmul.rs` | `backend-cpu/src/matmul.rs` | `backend-wgpu/src/ops/matmul.rs` (tile table `ops/matmul_tiles.rs`) | `kernels/src/wgsl/matmul.wgsl`, `matmul_rows.wgsl` (2–64 rows) |
//!
//! and likewise for `memory`, `elementwise`, `embedding`, `rmsnorm` (`rmsnorm`,
//! `rmsnorm_backward`, `add_rmsnorm`), `rope`, `attention`
//! (`attention` + `attention_backward`), `kv_cache` (`kv_cache_write` + `attention_cached`),
//! `swiglu`, `cross_entropy` (`cross_entropy`, `cross_entropy_backward`, `token_logprobs`,
//! `token_logprobs_backward`, `token_logprobs_entropy`), `policy_loss`, `optim`
//! (`sum_squares`, `adamw_step`) and `sample`, `sampled_ids` (`sample_to_index`,
//! `download_indices`, and the other ops given ids drawn on the device), `gate_up_swiglu` (the
//! gate/up products with the SwiGLU gating fused in, f32 and f16 weights, and its fallback to
//! the unfused ops), and `weight` (stored weights from `upload_weight` as matmul's `b`, embedding's
//! table, through download and copy, and refused by every other op).
//!
//! # Design
//!
//! Every case is generic over `B: Backend` and is one of two kinds:
//! - a **table case** ([`Case`]): an op (or a short chain of ops) on seeded inputs of awkward
//!   shapes (1, odd sizes, non-multiples of a 16-wide tile, up to 640 tokens), whose outputs
//!   are compared elementwise with a plain f64 reference written in the same file (plain
//!   loops, straight from the op's contract), within a documented [`Tolerance`];
//! - a **check**: a function of the backend that asserts a property the table cannot
//!   express: the gradient of every backward op against central finite differences of the
//!   backend's forward ([`finite_difference`]), hand computations, sampling statistics, edge
//!   cases of a kernel, and that every inconsistent call is a shape error naming the op.
//!
//! [`run_all`] runs every case of every family on one backend and returns a [`CaseReport`]
//! per case; it never panics on a backend error (a failing op is a failed case). The
//! runners are `tests/cpu.rs` (the CPU backend, part of `cargo test --workspace`) and
//! `tests/wgpu.rs` (the wgpu backend, `#[ignore]`d: run it with `cargo test -p
//! hir-backend-tests --test wgpu -- --ignored --nocapture`; without a GPU adapter it fails).
//! [`run_against`] compares the table cases of two backends bit for bit, for the promises of
//! determinism (the CPU backend on any thread count; a backend run twice). `tests/teeth.rs`
//! proves the suite has teeth: a backend that breaks one op at a time fails that op's
//! family, and only that one.
//!
//! Calls of the ops whose signatures group their dimensions (`matmul`, `attention`,
//! `attention_backward`, `kv_cache_write`, `attention_cached`) all go through one wrapper
//! each ([`matmul::matmul`], [`attention::attention`], [`attention::attention_backward`],
//! [`kv_cache::kv_cache_write`], [`kv_cache::attention_cached`]).

#![warn(missing_docs)]

use hir_core::backend::Backend;

/// Returns `Err(Failure(format!(…)))` from the enclosing check unless `cond` holds (in scope
/// in every module declared below it).
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        {
            // Like `assert!`: a comparison with NaN is false, so it fails.
            let holds: bool = $cond;
            if !holds {
                return Err($crate::suite::Failure(format!($($fmt)+)));
            }
        }
    };
}

pub mod finite_difference;
pub mod inputs;
pub mod report;
pub mod suite;

pub mod attention;
pub mod cross_entropy;
pub mod elementwise;
pub mod embedding;
// The fused gate/up/SwiGLU op (issue 16).
pub mod gate_up_swiglu;
pub mod kv_cache;
pub mod matmul;
pub mod memory;
pub mod optim;
pub mod policy_loss;
pub mod rmsnorm;
pub mod rope;
pub mod sample;
pub mod sampled_ids;
pub mod swiglu;
pub mod weight;

pub use report::{print_summary, CaseReport, Tolerance};
pub use suite::{Case, Failure, Outcome, Suite};

/// Every op family, in the order they run: `(name, the family's cases)`.
fn families<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    s.family("memory", memory::cases);
    s.family("elementwise", elementwise::cases);
    s.family("matmul", matmul::cases);
    s.family("embedding", embedding::cases);
    s.family("rmsnorm", rmsnorm::cases);
    s.family("rope", rope::cases);
    s.family("attention", attention::cases);
    s.family("kv_cache", kv_cache::cases);
    s.family("swiglu", swiglu::cases);
    s.family("gate_up_swiglu", gate_up_swiglu::cases);
    s.family("cross_entropy", cross_entropy::cases);
    s.family("policy_loss", policy_loss::cases);
    s.family("optim", optim::cases);
    s.family("sample", sample::cases);
    s.family("sampled_ids", sampled_ids::cases);
    s.family("weight", weight::cases);
}

/// Runs every case of every op family on `backend` (table cases against their f64
/// reference, and the checks) and returns one report per case.
pub fn run_all<B: Backend>(backend: &B) -> Vec<CaseReport> {
    let mut suite = Suite::<B, B>::new(backend, None);
    families(&mut suite);
    suite.into_reports()
}

/// Runs every table case on `backend` and on `twin` and reports whether their outputs are
/// identical bit for bit (sampled tokens included); checks are not run.
pub fn run_against<B: Backend, R: Backend>(backend: &B, twin: &R) -> Vec<CaseReport> {
    let mut suite = Suite::new(backend, Some(twin));
    families(&mut suite);
    suite.into_reports()
}
