// Token embedding: out[i, :] = table[ids[i], :], and its deterministic backward without
// float atomics.
//
// The backward runs one thread per (distinct id, column). The host groups the tokens by id
// (a counting sort of the ids it already holds): `uniq[u]` is the u-th distinct id,
// `offsets[u] .. offsets[u + 1]` the range of `tokens` holding its token indices in
// increasing order. Each thread adds its tokens' gradients to the table entry one by one,
// in token order: the same additions, in the same order, as the sequential CPU reference.
//
// f16 storage (`embedding_f16`): the host derives a variant whose forward table binding is
// `array<f16>` (a frozen table uploaded in f16; the declaration of `f_table` is the only
// changed line, `enable f16;` prepended); the gather converts each value to f32 (exact).
//
// The forward never reads outside the table, whatever the ids: an id is clamped to the last
// row (`rows − 1`). The host validates ids it holds (an id ≥ rows is a shape error before the
// dispatch); ids drawn on the device by `sample_to_index` are < the vocabulary they were
// drawn from, which the host checks against `rows`, so the clamp changes nothing for valid
// input and only bounds the read for a buffer that breaks the contract.

struct Params {
    // Elements of the output (forward) or distinct ids · dim (backward).
    n: u32,
    dim: u32,
    // Rows of the table (forward; the backward's ids come grouped from the host).
    rows: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// forward
@group(0) @binding(1) var<storage, read> f_table: array<f32>;
@group(0) @binding(2) var<storage, read> f_ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> f_out: array<f32>;

// backward
@group(0) @binding(1) var<storage, read> b_dout: array<f32>;
@group(0) @binding(2) var<storage, read> b_uniq: array<u32>;
@group(0) @binding(3) var<storage, read> b_offsets: array<u32>;
@group(0) @binding(4) var<storage, read> b_tokens: array<u32>;
@group(0) @binding(5) var<storage, read_write> b_dtable: array<f32>;

@compute @workgroup_size(256)
fn embedding(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if i < p.n {
        let t = i / p.dim;
        let c = i - t * p.dim;
        let id = min(f_ids[t], p.rows - 1u);
        f_out[i] = f32(f_table[id * p.dim + c]);
    }
}

@compute @workgroup_size(256)
fn embedding_backward_acc(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if i < p.n {
        let u = i / p.dim;
        let c = i - u * p.dim;
        let o = b_uniq[u] * p.dim + c;
        var acc = b_dtable[o];
        for (var e = b_offsets[u]; e < b_offsets[u + 1u]; e++) {
            acc = acc + b_dout[b_tokens[e] * p.dim + c];
        }
        b_dtable[o] = acc;
    }
}
