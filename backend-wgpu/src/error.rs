//! [`WgpuError`]: why the wgpu backend could not be set up.

/// A failure while setting up the wgpu backend (before any op runs).
///
/// Errors of individual ops are [`hir_core::backend::BackendError`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum WgpuError {
    /// No adapter fits the request; lists every adapter wgpu enumerated.
    #[error(
        "no suitable GPU adapter: {reason}. Adapters seen: {}. (Set WGPU_BACKEND=vulkan|metal|dx12|gl to pick a backend, WGPU_ADAPTER_NAME=<substring> to pick an adapter; without a GPU, install a software driver, e.g. `apt-get install mesa-vulkan-drivers` for lavapipe.)",
        if .seen.is_empty() { "none".to_string() } else { .seen.join("; ") }
    )]
    NoAdapter {
        /// What was asked for and not found.
        reason: String,
        /// `name (backend, device type)` of every adapter enumerated.
        seen: Vec<String>,
    },
    /// The adapter refused to open a device with the requested features and limits.
    #[error("could not open a device on adapter `{adapter}`: {source}")]
    RequestDevice {
        /// The adapter's name.
        adapter: String,
        /// wgpu's error.
        #[source]
        source: wgpu::RequestDeviceError,
    },
}
