//! Argument validation: the shared checks of [`hir_core::backend::shape`].

pub(crate) use hir_core::backend::shape::{check_ids, check_len, err, mul, rows_of};
