//! Argument validation: the shared checks of [`hir_core::backend::shape`] (the same checks and
//! messages as the CPU reference), plus the 32-bit limit of kernel parameters.

pub(crate) use hir_core::backend::shape::{check_ids, check_len, err, mul, rows_of};
use hir_core::backend::Result;

/// `n` as a `u32` for a kernel parameter, or a shape error naming `what` when it does not fit.
pub(crate) fn to_u32(op: &'static str, what: &str, n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        err(
            op,
            format!("`{what}` = {n} exceeds the 32-bit range of the GPU kernels"),
        )
    })
}
