//! The derived kernel variants as [`Shader`]s: f16 storage (`hir_kernels::F16_VARIANTS`),
//! subgroup operations (`hir_kernels::SUBGROUP_VARIANTS`) and both, whose sources
//! `hir_kernels::variant` derives from the one WGSL source (see the `hir-kernels` crate
//! doc). Each is derived once per process, when first asked for.

use std::sync::{Mutex, OnceLock, PoisonError};

use hir_core::backend::{BackendError, Result};
use hir_kernels::Shader;

/// `base` with its weight binding in f16 (`f16`) and/or its subgroup variant (`subgroups`);
/// `base` itself when neither is asked for.
pub(crate) fn variant(base: Shader, f16: bool, subgroups: bool) -> Result<Shader> {
    if !f16 && !subgroups {
        return Ok(base);
    }
    // A few short sources, derived and leaked once each: `Shader` holds `&'static str`s,
    // like the embedded sources.
    type Derived = ((&'static str, bool, bool), Option<Shader>);
    static DERIVED: OnceLock<Mutex<Vec<Derived>>> = OnceLock::new();
    let key = (base.name, f16, subgroups);
    let mut derived = DERIVED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let shader = match derived.iter().find(|(k, _)| *k == key) {
        Some((_, s)) => *s,
        None => {
            let s = hir_kernels::variant(base, f16, subgroups).map(|(name, src)| Shader {
                name: Box::leak(name.into_boxed_str()),
                source: Box::leak(src.into_boxed_str()),
            });
            derived.push((key, s));
            s
        }
    };
    shader.ok_or_else(|| {
        let what = match (f16, subgroups) {
            (true, false) => "f16-storage",
            (false, true) => "subgroup",
            _ => "f16-storage subgroup",
        };
        BackendError::Device(format!(
            "no {what} variant of the `{}` kernels could be derived",
            base.name
        ))
    })
}
