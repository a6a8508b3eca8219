//! The f16-storage kernel variants as [`Shader`]s: the sources `hir_kernels::F16_VARIANTS`
//! derives from the f32 kernels (see the `hir-kernels` crate doc), built once per process.

use std::sync::OnceLock;

use hir_core::backend::{BackendError, Result};
use hir_kernels::{Shader, F16_VARIANTS};

/// The f16-storage variant of `base` (whose weight binding reads f16 and converts to f32).
pub(crate) fn f16_variant(base: Shader) -> Result<Shader> {
    // Three short sources, derived and leaked once: `Shader` holds `&'static str`s, like the
    // embedded f32 sources.
    static VARIANTS: OnceLock<Vec<(&'static str, Option<Shader>)>> = OnceLock::new();
    let variants = VARIANTS.get_or_init(|| {
        F16_VARIANTS
            .iter()
            .map(|v| {
                let shader = v.source().map(|src| Shader {
                    name: v.name,
                    source: Box::leak(src.into_boxed_str()),
                });
                (v.base.name, shader)
            })
            .collect()
    });
    variants
        .iter()
        .find(|(name, _)| *name == base.name)
        .and_then(|(_, s)| *s)
        .ok_or_else(|| {
            BackendError::Device(format!(
                "no f16-storage variant of the `{}` kernels could be derived",
                base.name
            ))
        })
}
