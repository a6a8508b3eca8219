//! # hir-backend-cpu
//!
//! The f32 reference implementation of [`hir_core::backend::Backend`].
