// Placeholder: the optim kernels of the wgpu backend are written on the `wgpu-ops` branch.
// This file only reserves the registry entry `hir_kernels::OPTIM`.

@compute @workgroup_size(1)
fn placeholder() {}
