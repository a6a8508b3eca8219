//! The ops, one file per op family; each function validates shapes (the CPU reference's
//! checks and messages) and records its kernels through [`crate::gpu::Gpu::dispatch`].

pub(crate) mod attention;
pub(crate) mod elementwise;
pub(crate) mod embedding;
pub(crate) mod loss;
pub(crate) mod matmul;
pub(crate) mod memory;
pub(crate) mod optim;
pub(crate) mod policy_loss;
pub(crate) mod rmsnorm;
pub(crate) mod rope;
pub(crate) mod sample;
pub(crate) mod swiglu;
