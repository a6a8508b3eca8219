//! Every registered WGSL shader parses and validates with naga (the compiler wgpu 30 uses),
//! with the capabilities the backend may enable: subgroup operations and f16.

use naga::valid::{Capabilities, ValidationFlags, Validator};

/// Every registered shader and every derived f16-storage variant, as `(name, source)`.
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
    out
}

#[test]
fn every_shader_parses_and_validates() {
    let mut failures = Vec::new();
    for (name, source) in sources() {
        let source = source.as_str();
        let module = match naga::front::wgsl::parse_str(source) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{name}.wgsl: {}", e.emit_to_string(source)));
                continue;
            }
        };
        let caps = Capabilities::SUBGROUP | Capabilities::SHADER_FLOAT16;
        let mut validator = Validator::new(ValidationFlags::all(), caps);
        if let Err(e) = validator.validate(&module) {
            failures.push(format!("{name}.wgsl: {}", e.emit_to_string(source)));
            continue;
        }
        assert!(
            !module.entry_points.is_empty(),
            "{name}.wgsl has no entry point"
        );
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
