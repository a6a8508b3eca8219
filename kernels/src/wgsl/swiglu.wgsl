// SwiGLU gating: h = silu(gate) · up, silu(x) = x · σ(x), σ(x) = 1 / (1 + e^(−x)); and its
// backward: dup = dh · silu(g), dgate = dh · up · σ(g) · (1 + g · (1 − σ(g))).
// One thread per element.

struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// forward
@group(0) @binding(1) var<storage, read> f_gate: array<f32>;
@group(0) @binding(2) var<storage, read> f_up: array<f32>;
@group(0) @binding(3) var<storage, read_write> f_h: array<f32>;

// backward
@group(0) @binding(1) var<storage, read> b_dh: array<f32>;
@group(0) @binding(2) var<storage, read> b_gate: array<f32>;
@group(0) @binding(3) var<storage, read> b_up: array<f32>;
@group(0) @binding(4) var<storage, read_write> b_dgate: array<f32>;
@group(0) @binding(5) var<storage, read_write> b_dup: array<f32>;

fn sigmoid(x: f32) -> f32 {
    return 1.0 / (1.0 + exp(-x));
}

@compute @workgroup_size(256)
fn swiglu(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if i < p.n {
        let g = f_gate[i];
        f_h[i] = g * sigmoid(g) * f_up[i];
    }
}

@compute @workgroup_size(256)
fn swiglu_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if i < p.n {
        let g = b_gate[i];
        let s = sigmoid(g);
        b_dup[i] = b_dh[i] * g * s;
        b_dgate[i] = b_dh[i] * b_up[i] * s * (1.0 + g * (1.0 - s));
    }
}
