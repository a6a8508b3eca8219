//! Every registered WGSL shader parses and validates with naga (the compiler wgpu 30 uses),
//! with the capabilities the backend may enable: subgroup operations and f16.

use naga::valid::{Capabilities, ValidationFlags, Validator};

/// Every registered shader and every derived f16-storage, subgroup and f16 + subgroup
/// variant, as `(name, source)`.
fn sources() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = hir_kernels::all()
        .iter()
        .map(|&(n, s)| (n.to_string(), s.to_string()))
        .collect();
    for v in hir_kernels::F16_VARIANTS {
        let src = v.source().unwrap_or_else(|| {
            panic!(
                "{}: the declaration to replace is not in {}.wgsl exactly once",
                v.name, v.base.name
            )
        });
        out.push((v.name.to_string(), src));
    }
    for v in hir_kernels::SUBGROUP_VARIANTS {
        for f16 in [false, true] {
            let has_f16 = hir_kernels::F16_VARIANTS.iter().any(|f| f.base == v.base);
            if f16 && !has_f16 {
                continue;
            }
            let derived = hir_kernels::variant(v.base, f16, true).unwrap_or_else(|| {
                panic!(
                    "{} (f16: {f16}): a replaced line is not in {}.wgsl exactly once",
                    v.name, v.base.name
                )
            });
            out.push(derived);
        }
    }
    out
}

/// Whether `source` parses and validates with `caps`, or naga's message.
fn validate(source: &str, caps: Capabilities) -> Result<naga::Module, String> {
    let module = naga::front::wgsl::parse_str(source).map_err(|e| e.emit_to_string(source))?;
    Validator::new(ValidationFlags::all(), caps)
        .validate(&module)
        .map_err(|e| e.emit_to_string(source))?;
    Ok(module)
}

#[test]
fn every_shader_parses_and_validates() {
    let mut failures = Vec::new();
    for (name, source) in sources() {
        match validate(
            &source,
            Capabilities::SUBGROUP | Capabilities::SHADER_FLOAT16,
        ) {
            Ok(module) => assert!(
                !module.entry_points.is_empty(),
                "{name}.wgsl has no entry point"
            ),
            Err(e) => failures.push(format!("{name}.wgsl: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn registry_names_are_unique_and_resolvable() {
    let names: Vec<&str> = hir_kernels::all().iter().map(|(n, _)| *n).collect();
    for (i, n) in names.iter().enumerate() {
        assert!(!names[..i].contains(n), "duplicate shader name {n}");
        assert_eq!(hir_kernels::get(n).map(|s| s.name), Some(*n));
    }
    assert!(hir_kernels::get("no such shader").is_none());
}

#[test]
fn f16_variants_change_only_the_weight_binding() {
    for v in hir_kernels::F16_VARIANTS {
        let src = v.source().expect("derivable");
        assert!(src.starts_with("enable f16;\n"), "{}", v.name);
        let body = &src["enable f16;\n".len()..];
        let changed: Vec<(&str, &str)> = body
            .lines()
            .zip(v.base.source.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 1, "{}: {changed:?}", v.name);
        assert!(changed[0].0.contains(v.f16_decl), "{}", v.name);
        assert_eq!(body.lines().count(), v.base.source.lines().count());
        assert!(
            hir_kernels::get(v.name).is_none(),
            "{} shadows a shader",
            v.name
        );
    }
}

#[test]
fn only_subgroup_variants_need_the_subgroup_capability() {
    // Adapters without `Features::SUBGROUP` run every other source: it must validate
    // without the capability, and a subgroup variant must need it.
    for (name, source) in sources() {
        let without = validate(&source, Capabilities::SHADER_FLOAT16);
        if name.ends_with("_sg") {
            assert!(without.is_err(), "{name} validates without SUBGROUP");
        } else if let Err(e) = without {
            panic!("{name} needs a capability beyond SHADER_FLOAT16:\n{e}");
        }
    }
}

#[test]
fn subgroup_variants_change_only_the_replaced_lines() {
    for v in hir_kernels::SUBGROUP_VARIANTS {
        let src = v.source().expect("derivable");
        // Undoing the replacements (each `to` once in the variant) gives the base back.
        let mut undone = src.clone();
        for (from, to) in v.replacements {
            assert_eq!(undone.matches(to).count(), 1, "{}: {to}", v.name);
            undone = undone.replacen(to, from, 1);
        }
        assert_eq!(undone, v.base.source, "{}", v.name);
        assert!(
            hir_kernels::get(v.name).is_none(),
            "{} shadows a shader",
            v.name
        );
        // Composed with the f16-storage variant: the f16 source with the same replacements.
        if let Some(f) = hir_kernels::F16_VARIANTS.iter().find(|f| f.base == v.base) {
            let (name, both) = hir_kernels::variant(v.base, true, true).expect("derivable");
            assert_eq!(name, format!("{}_sg", f.name));
            assert_eq!(Some(both), v.apply(&f.source().expect("derivable")));
        }
    }
}
