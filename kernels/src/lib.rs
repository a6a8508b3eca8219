//! # hir-kernels
//!
//! The WGSL compute kernels of hir's wgpu backend, one file per op family.
