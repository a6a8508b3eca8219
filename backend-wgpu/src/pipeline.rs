//! The pipeline cache: shader modules by shader name, compute pipelines by
//! (shader, entry point, pipeline-overridable constants, binding layout).
//!
//! Pipelines use explicit bind-group layouts derived from the dispatch's bindings (binding 0
//! a uniform block, then one storage buffer per binding, read-only or read-write), so an
//! entry point need not use every binding of its layout and a shader file may declare
//! different variables on the same binding number for different entry points.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use hir_kernels::Shader;

/// What identifies a compute pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PipelineKey {
    /// Registry name of the shader.
    pub shader: &'static str,
    /// Entry point.
    pub entry: &'static str,
    /// Override constants as `(name, f64 bits)`.
    pub overrides: Vec<(&'static str, u64)>,
    /// Per storage binding (1, 2, ...): `true` when read-only.
    pub read_only: Vec<bool>,
}

/// A compiled pipeline and the layout its bind groups are made with.
pub(crate) struct CachedPipeline {
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
}

#[derive(Default)]
struct Caches {
    modules: HashMap<&'static str, wgpu::ShaderModule>,
    pipelines: HashMap<PipelineKey, Arc<CachedPipeline>>,
}

/// Compiled shader modules and pipelines, created on first use.
#[derive(Default)]
pub(crate) struct PipelineCache {
    caches: Mutex<Caches>,
}

/// The bind-group layout: binding 0 uniform, then storage buffers.
fn layout_entries(read_only: &[bool]) -> Vec<wgpu::BindGroupLayoutEntry> {
    let mut entries = vec![wgpu::BindGroupLayoutEntry {
        binding: 0,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }];
    for (i, &ro) in read_only.iter().enumerate() {
        entries.push(wgpu::BindGroupLayoutEntry {
            binding: i as u32 + 1,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only: ro },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        });
    }
    entries
}

impl PipelineCache {
    /// The pipeline for `key`, compiling `shader` and the pipeline on first use.
    pub fn get(
        &self,
        device: &wgpu::Device,
        shader: Shader,
        key: PipelineKey,
    ) -> Arc<CachedPipeline> {
        let mut caches = self.caches.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = caches.pipelines.get(&key) {
            return Arc::clone(p);
        }
        let module = caches
            .modules
            .entry(shader.name)
            .or_insert_with(|| {
                device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(shader.name),
                    source: wgpu::ShaderSource::Wgsl(shader.source.into()),
                })
            })
            .clone();
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(key.entry),
            entries: &layout_entries(&key.read_only),
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(key.entry),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let constants: Vec<(&str, f64)> = key
            .overrides
            .iter()
            .map(|&(n, bits)| (n, f64::from_bits(bits)))
            .collect();
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(key.entry),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some(key.entry),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants: &constants,
                zero_initialize_workgroup_memory: false,
            },
            cache: None,
        });
        let cached = Arc::new(CachedPipeline { pipeline, layout });
        caches.pipelines.insert(key, Arc::clone(&cached));
        cached
    }

    /// Number of pipelines compiled so far.
    pub fn len(&self) -> usize {
        self.caches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pipelines
            .len()
    }
}
