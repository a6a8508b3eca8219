//! The GPU test policy shared by the integration tests.
//!
//! Without an adapter the tests print `SKIPPED: no GPU adapter (...)` and pass, unless the
//! environment variable `HIR_REQUIRE_GPU=1` is set (CI sets it), in which case they fail.

use hir_backend_wgpu::WgpuBackend;

/// The backend, or `None` (after printing why) when no adapter exists and the GPU is not
/// required. Panics when `HIR_REQUIRE_GPU=1` and no adapter was found.
pub fn gpu_or_skip(test: &str) -> Option<WgpuBackend> {
    match WgpuBackend::new() {
        Ok(b) => {
            println!("{test}: adapter {}", b.adapter_info());
            Some(b)
        }
        Err(e) => {
            let required = std::env::var("HIR_REQUIRE_GPU").is_ok_and(|v| v == "1");
            assert!(!required, "HIR_REQUIRE_GPU=1 but no GPU adapter: {e}");
            println!("SKIPPED: no GPU adapter ({e})");
            eprintln!("SKIPPED: {test}: no GPU adapter ({e})");
            None
        }
    }
}
