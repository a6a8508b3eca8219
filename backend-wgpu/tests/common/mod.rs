//! The GPU test policy shared by the integration tests.
//!
//! Every test that needs an adapter is `#[ignore = "needs a GPU adapter ..."]`, so a plain
//! `cargo test` lists it as ignored, with the reason, instead of passing it without running
//! anything. `cargo test -p hir-backend-wgpu -- --ignored` runs them (as `.ci/run` does, on
//! lavapipe when there is no GPU); run that way, a missing adapter fails the test.

use hir_backend_wgpu::WgpuBackend;

/// The backend on the chosen adapter (printed, with `test`'s name). Panics, with wgpu's
/// reason and the adapters it saw, when no adapter can be opened.
pub fn gpu(test: &str) -> WgpuBackend {
    match WgpuBackend::new() {
        Ok(b) => {
            println!("{test}: adapter {}", b.adapter_info());
            b
        }
        Err(e) => panic!(
            "{test}: no GPU adapter ({e}); this test runs only when asked for (--ignored), \
             and needs one"
        ),
    }
}
