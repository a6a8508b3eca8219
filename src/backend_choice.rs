//! [`BackendChoice`]: which compute backend runs the model — the value of the compute
//! subcommands' `--backend` flag (clap parses it directly: `cpu` or `wgpu`), and what a
//! training job (`run::JobOptions::backend`) is told. It lives
//! below the CLI so that the engines can take it without importing the CLI;
//! [`with_backend!`](crate::with_backend) instantiates code once per backend type.

use clap::ValueEnum;

/// Which compute backend runs the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum BackendChoice {
    /// The multi-threaded f32 CPU reference.
    #[default]
    Cpu,
    /// The GPU through wgpu (Vulkan, Metal, DX12 or GL; `WGPU_BACKEND` and
    /// `WGPU_ADAPTER_NAME` pick the API and the adapter).
    Wgpu,
}

/// Opens the wgpu backend, turning a setup failure (no adapter, device refused) into an
/// error that names the flag, and reports on one stderr line which adapter and graphics API
/// were chosen, warning about a software rasterizer or a fallback to OpenGL
/// (see `AdapterSummary::choice_line`).
pub fn open_wgpu() -> anyhow::Result<hir_backend_wgpu::WgpuBackend> {
    let b =
        hir_backend_wgpu::WgpuBackend::new().map_err(|e| anyhow::anyhow!("--backend wgpu: {e}"))?;
    let forced = std::env::var_os("WGPU_BACKEND").is_some_and(|v| !v.is_empty());
    eprintln!("{}", b.adapter_info().choice_line(forced));
    Ok(b)
}

/// Runs `$body` with `$b` bound to the backend chosen by `$arg`.
///
/// Each backend is a different type, so the body is instantiated once per backend. The
/// enclosing function must return `anyhow::Result` (opening the GPU can fail).
#[macro_export]
macro_rules! with_backend {
    ($arg:expr, |$b:ident| $body:expr) => {
        match $arg {
            $crate::backend_choice::BackendChoice::Cpu => {
                let $b = hir_backend_cpu::CpuBackend::new();
                $body
            }
            $crate::backend_choice::BackendChoice::Wgpu => {
                let $b = $crate::backend_choice::open_wgpu()?;
                $body
            }
        }
    };
}
