//! Host-side cost of recording a dispatch: times `n` tiny `scale` dispatches on the default
//! adapter (`cargo run --release -p hir-backend-wgpu --example dispatch_overhead -- 2000`).

use std::time::Instant;

use hir_backend_wgpu::WgpuBackend;
use hir_core::backend::Backend;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(2000);
    let gpu = WgpuBackend::new()?;
    println!("adapter: {}", gpu.adapter_info());
    let mut x = gpu.upload(&[1.0; 64])?;
    gpu.scale(&mut x, 1.0)?;
    gpu.synchronize()?;
    let t = Instant::now();
    for _ in 0..n {
        gpu.scale(&mut x, 1.0)?;
    }
    let recorded = t.elapsed();
    gpu.synchronize()?;
    let total = t.elapsed();
    println!(
        "{n} dispatches: {:.1} µs each to record, {:.1} µs each including GPU execution",
        recorded.as_secs_f64() * 1e6 / n as f64,
        total.as_secs_f64() * 1e6 / n as f64
    );
    Ok(())
}
