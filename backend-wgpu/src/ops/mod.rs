//! The ops' host code, one file per op family (named as the family's contract in
//! `hir_core::backend`, its CPU reference and its WGSL file); each function validates its
//! arguments with the contract's `check`, adds the limits of the GPU kernels (32-bit sizes,
//! grid sizes, head sizes), and records its kernels through [`crate::gpu::Gpu::dispatch`].

pub(crate) mod attention;
pub(crate) mod cross_entropy;
pub(crate) mod elementwise;
pub(crate) mod embedding;
pub(crate) mod gate_up_swiglu;
pub(crate) mod kv_cache;
pub(crate) mod matmul;
pub(crate) mod matmul_tiles;
pub(crate) mod memory;
pub(crate) mod optim;
pub(crate) mod policy_loss;
pub(crate) mod rmsnorm;
pub(crate) mod rope;
pub(crate) mod sample;
pub(crate) mod swiglu;
