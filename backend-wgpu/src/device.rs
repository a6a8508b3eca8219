//! Adapter selection and device creation.
//!
//! The instance is built with [`wgpu::InstanceDescriptor::new_without_display_handle_from_env`],
//! so `WGPU_BACKEND` (e.g. `vulkan`, `gl`), `WGPU_POWER_PREF` and the other `WGPU_*` instance
//! variables are honoured. Without `WGPU_BACKEND`, the primary APIs (Vulkan, Metal, DX12) are
//! tried first and GL only when they offer no adapter. `WGPU_ADAPTER_NAME=<substring>` picks the first adapter whose name
//! contains the substring (case-insensitive); otherwise the default high-performance adapter
//! is used. The device gets the adapter's own limits (`Limits::default()` is lower, e.g. for
//! storage-buffer bindings) and the optional features `SHADER_F16` and `SUBGROUP` when the
//! adapter has them.

use crate::error::WgpuError;

/// What the backend knows about the adapter it runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterSummary {
    /// The adapter's name (e.g. `"llvmpipe (LLVM 15.0.6, 256 bits)"`).
    pub name: String,
    /// The graphics API (`"Vulkan"`, `"Metal"`, `"Dx12"`, `"Gl"`).
    pub backend: String,
    /// `"DiscreteGpu"`, `"IntegratedGpu"`, `"VirtualGpu"`, `"Cpu"` or `"Other"`.
    pub device_type: String,
    /// The driver and its version, when the API reports them.
    pub driver: String,
    /// Whether the device was opened with `SHADER_F16`.
    pub shader_f16: bool,
    /// Whether the device was opened with `SUBGROUP`.
    pub subgroups: bool,
}

impl core::fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} ({}, {}{}",
            self.name,
            self.backend,
            self.device_type,
            if self.driver.is_empty() {
                String::new()
            } else {
                format!(", {}", self.driver)
            }
        )?;
        write!(
            f,
            ", f16 {}, subgroups {})",
            if self.shader_f16 { "yes" } else { "no" },
            if self.subgroups { "yes" } else { "no" }
        )
    }
}

impl AdapterSummary {
    /// The line a program prints when it opens this adapter: the adapter and its graphics API
    /// (the [`Display`](core::fmt::Display) form), plus a warning when the choice is likely
    /// not what the user wanted: a software rasterizer that runs on the CPU (llvmpipe,
    /// lavapipe, SwiftShader), or OpenGL chosen because no Vulkan, Metal or DX12 adapter was
    /// found. `api_forced` says whether `WGPU_BACKEND` chose the API (then GL is no fallback).
    pub fn choice_line(&self, api_forced: bool) -> String {
        let mut line = format!("wgpu adapter: {self}");
        if self.device_type == "Cpu" {
            line.push_str(
                "; this is a software rasterizer running on the CPU, usually slower than the \
                 CPU backend",
            );
        }
        if self.backend == "Gl" && !api_forced {
            line.push_str(
                "; no Vulkan, Metal or DX12 adapter was found, so wgpu fell back to OpenGL \
                 (install a Vulkan driver, or set WGPU_BACKEND=gl to choose it explicitly)",
            );
        }
        line
    }
}

/// One line per adapter: `name (backend, device type)`.
fn describe(info: &wgpu::AdapterInfo) -> String {
    format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type)
}

/// An opened device: the handles the backend works with.
pub(crate) struct OpenedDevice {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub summary: AdapterSummary,
}

/// Picks an adapter as described in the module doc and opens a device on it.
pub(crate) fn open() -> Result<OpenedDevice, WgpuError> {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    let seen: Vec<String> = adapters.iter().map(|a| describe(&a.get_info())).collect();
    let adapter = match std::env::var("WGPU_ADAPTER_NAME") {
        Ok(want) if !want.is_empty() => {
            let want_lc = want.to_lowercase();
            adapters
                .into_iter()
                .find(|a| a.get_info().name.to_lowercase().contains(&want_lc))
                .ok_or_else(|| WgpuError::NoAdapter {
                    reason: format!("WGPU_ADAPTER_NAME={want:?} matches no adapter name"),
                    seen: seen.clone(),
                })?
        }
        _ => {
            let options = wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::from_env()
                    .unwrap_or(wgpu::PowerPreference::HighPerformance),
                ..Default::default()
            };
            pollster::block_on(instance.request_adapter(&options)).map_err(|e| {
                WgpuError::NoAdapter {
                    reason: format!("wgpu found no default adapter ({e})"),
                    seen: seen.clone(),
                }
            })?
        }
    };
    let info = adapter.get_info();
    let available = adapter.features();
    let wanted = wgpu::Features::SHADER_F16 | wgpu::Features::SUBGROUP;
    let features = available & wanted;
    let desc = wgpu::DeviceDescriptor {
        label: Some("hir"),
        required_features: features,
        required_limits: adapter.limits(),
        experimental_features: wgpu::ExperimentalFeatures::disabled(),
        memory_hints: wgpu::MemoryHints::Performance,
        trace: wgpu::Trace::Off,
    };
    let (device, queue) = pollster::block_on(adapter.request_device(&desc)).map_err(|source| {
        WgpuError::RequestDevice {
            adapter: info.name.clone(),
            source,
        }
    })?;
    let driver = [info.driver.as_str(), info.driver_info.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(OpenedDevice {
        device,
        queue,
        summary: AdapterSummary {
            name: info.name.clone(),
            backend: format!("{:?}", info.backend),
            device_type: format!("{:?}", info.device_type),
            driver,
            shader_f16: features.contains(wgpu::Features::SHADER_F16),
            subgroups: features.contains(wgpu::Features::SUBGROUP),
        },
    })
}
