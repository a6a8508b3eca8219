//! The f16-storage kernel variants as [`Shader`]s: the sources `hir_kernels::F16_VARIANTS`
//! derives from the f32 kernels (see the `hir-kernels` crate doc), built once per process
//! (by `variants.rs`, which also derives the subgroup variants).

use hir_core::backend::Result;
use hir_kernels::Shader;

/// The f16-storage variant of `base` (whose weight binding reads f16 and converts to f32).
pub(crate) fn f16_variant(base: Shader) -> Result<Shader> {
    crate::variants::variant(base, true, false)
}
