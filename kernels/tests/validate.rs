//! Every registered WGSL shader parses and validates with naga (the compiler wgpu 30 uses),
//! with the capabilities the backend may enable: subgroup operations and f16.

use naga::valid::{Capabilities, ValidationFlags, Validator};

#[test]
fn every_shader_parses_and_validates() {
    let mut failures = Vec::new();
    for &(name, source) in hir_kernels::all() {
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
