//! The `--backend` flag shared by the compute subcommands.

use clap::ValueEnum;

/// Which compute backend runs the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum BackendArg {
    /// The multi-threaded f32 CPU reference.
    #[default]
    Cpu,
}

/// Runs `$body` with `$b` bound to the backend chosen by `$arg`.
///
/// Each backend is a different type, so the body is instantiated once per backend.
#[macro_export]
macro_rules! with_backend {
    ($arg:expr, |$b:ident| $body:expr) => {
        match $arg {
            $crate::cli::backend_arg::BackendArg::Cpu => {
                let $b = hir_backend_cpu::CpuBackend::new();
                $body
            }
        }
    };
}
