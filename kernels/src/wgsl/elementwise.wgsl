// Elementwise ops: axpy, scale, bias add and its backward, row gather.
//
// Conventions shared by every hir kernel: binding 0 is a uniform block of 4-byte scalars (the
// op's parameters), bindings 1.. are the storage buffers in the order the Rust side passes
// them. One-dimensional kernels run 256 threads per workgroup on a 2-D grid of workgroups
// (x ≤ 65535), and flatten it with `flat_index`.

struct Params {
    // Number of elements (or rows·cols) the kernel covers.
    n: u32,
    // Row length for the bias and gather kernels.
    cols: u32,
    // Scalar factor of axpy and scale.
    alpha: f32,
    // Number of rows (bias backward).
    rows: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// axpy: y += alpha * x.
@group(0) @binding(1) var<storage, read> ax_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> ax_y: array<f32>;

// scale: x *= alpha.
@group(0) @binding(1) var<storage, read_write> sc_x: array<f32>;

// add_bias: x[r, c] += bias[c].
@group(0) @binding(1) var<storage, read_write> ab_x: array<f32>;
@group(0) @binding(2) var<storage, read> ab_bias: array<f32>;

// bias_backward_acc: dbias[c] += Σ_r dy[r, c].
@group(0) @binding(1) var<storage, read> bb_dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> bb_dbias: array<f32>;

// gather_rows: out[i, :] = x[rows[i], :].
@group(0) @binding(1) var<storage, read> g_x: array<f32>;
@group(0) @binding(2) var<storage, read> g_rows: array<u32>;
@group(0) @binding(3) var<storage, read_write> g_out: array<f32>;

const WG: u32 = 256u;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(256)
fn axpy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_index(gid, nwg);
    if i < p.n {
        ax_y[i] = ax_y[i] + p.alpha * ax_x[i];
    }
}

@compute @workgroup_size(256)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_index(gid, nwg);
    if i < p.n {
        sc_x[i] = sc_x[i] * p.alpha;
    }
}

@compute @workgroup_size(256)
fn add_bias(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_index(gid, nwg);
    if i < p.n {
        ab_x[i] = ab_x[i] + ab_bias[i % p.cols];
    }
}

// One thread per column, summing its rows in row order (deterministic, the CPU's order).
@compute @workgroup_size(256)
fn bias_backward_acc(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = flat_index(gid, nwg);
    if c < p.cols {
        var s = 0.0;
        for (var r = 0u; r < p.rows; r = r + 1u) {
            s = s + bb_dy[r * p.cols + c];
        }
        bb_dbias[c] = bb_dbias[c] + s;
    }
}

@compute @workgroup_size(256)
fn gather_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_index(gid, nwg);
    if i < p.n {
        let r = i / p.cols;
        let c = i - r * p.cols;
        g_out[i] = g_x[g_rows[r] * p.cols + c];
    }
}
