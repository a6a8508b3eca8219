//! Inconsistent sizes give `BackendError::Shape` naming the op and the argument, never a panic.

mod common;

use common::{cpu, ix, t};
use hir_backend_cpu::conformance::run_all;
use hir_backend_cpu::CpuBackend;
use hir_core::backend::{
    AttentionShape, Backend, BackendError, CachedAttention, KvCacheShape, Matmul, SampleParams,
};

/// The op and the message of a shape error.
fn shape_err<T: std::fmt::Debug>(r: Result<T, BackendError>) -> (&'static str, String) {
    match r {
        Err(BackendError::Shape { op, detail }) => (op, detail),
        other => panic!("expected a shape error, got {other:?}"),
    }
}

#[test]
fn messages_name_the_op_and_the_argument() {
    let b = cpu();
    let (op, d) = shape_err(b.matmul(
        &t(&[0.0; 6]),
        &t(&[0.0; 5]),
        &mut t(&[0.0; 4]),
        Matmul::new(2, 3, 2).transpose_b(),
    ));
    assert_eq!(op, "matmul");
    assert!(
        d.contains("`b [n, k]") && d.contains("5 elements") && d.contains("expected 6"),
        "{d}"
    );

    let (op, d) = shape_err(b.embedding(&t(&[0.0; 6]), &ix(&[0, 3]), 2));
    assert_eq!(op, "embedding");
    assert!(d.contains("ids[1]") && d.contains("= 3"), "{d}");

    let (op, d) = shape_err(b.attention(
        &t(&[0.0; 8]),
        &t(&[0.0; 8]),
        &t(&[0.0; 8]),
        &[0, 1],
        AttentionShape::new(1, 1, 4),
    ));
    assert_eq!(op, "attention");
    assert!(d.contains("seq_starts") && d.contains("N = 2"), "{d}");

    let (op, d) = shape_err(b.cross_entropy(&t(&[0.0; 6]), &ix(&[1, 7]), 3));
    assert_eq!(op, "cross_entropy");
    assert!(d.contains("targets[1]") && d.contains("u32::MAX"), "{d}");

    let (op, d) = shape_err(b.rope(&mut t(&[0.0; 6]), &ix(&[0]), 2, 3, 1e4, false));
    assert_eq!(op, "rope");
    assert!(d.contains("even"), "{d}");

    let (op, _) = shape_err(b.sample(
        &t(&[0.0; 6]),
        3,
        &[1, 2],
        &SampleParams {
            temperature: -1.0,
            top_p: 1.0,
        },
    ));
    assert_eq!(op, "sample");
    let (op, _) = shape_err(b.kv_cache_write(
        &mut t(&[0.0; 16]),
        &t(&[0.0; 4]),
        &ix(&[2]),
        &ix(&[0]),
        KvCacheShape::new(2, 2, 2),
    ));
    assert_eq!(op, "kv_cache_write");
    assert!(CpuBackend::with_threads(0).is_err());
}

#[test]
fn every_shape_error_case_of_the_conformance_suite_errors_on_cpu() {
    // The suite's "shape errors" case fails when the backend under test accepts any of its
    // inconsistent calls; here the backend under test is the CPU backend itself.
    let reports = run_all(&CpuBackend::new());
    let r = reports
        .iter()
        .find(|r| r.name == "shape errors")
        .expect("case exists");
    assert!(r.passed, "{r}");
    let b = cpu();
    assert!(b.axpy(1.0, &t(&[0.0; 3]), &mut t(&[0.0; 4])).is_err());
    assert!(b.add_bias(&mut t(&[0.0; 6]), &t(&[0.0; 4]), 3).is_err());
    assert!(b
        .bias_backward_acc(&t(&[0.0; 7]), &mut t(&[0.0; 3]), 3)
        .is_err());
    assert!(b.gather_rows(&t(&[0.0; 6]), &ix(&[2]), 3).is_err());
    assert!(b
        .swiglu_backward(&t(&[0.0; 3]), &t(&[0.0; 3]), &t(&[0.0; 4]))
        .is_err());
    assert!(b
        .token_logprobs_entropy(&t(&[0.0; 6]), &ix(&[0, 0]), 3, 0.0)
        .is_err());
    assert!(b
        .attention_cached(
            &t(&[0.0; 4]),
            &t(&[0.0; 8]),
            &t(&[0.0; 8]),
            &ix(&[0]),
            &ix(&[2]),
            CachedAttention::new(AttentionShape::new(1, 1, 4), 2)
        )
        .is_err());
    assert!(b
        .adamw_step(
            &mut t(&[0.0; 3]),
            &t(&[0.0; 3]),
            &mut t(&[0.0; 3]),
            &mut t(&[0.0; 3]),
            &hir_core::backend::AdamWParams {
                lr: 1e-3,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.0,
                step: 0,
                grad_scale: 1.0
            }
        )
        .is_err());
}
