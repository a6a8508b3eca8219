// Rotary position embedding, Hugging Face "rotate half" layout, in place on x: [N, heads, E].
// For pair i < E/2 of every head of token t:
//   x[i] ← x[i]·cos − x[i+E/2]·sin,   x[i+E/2] ← x[i+E/2]·cos + x[i]·sin.
//
// The cos/sin come from a table the host computes exactly as the reference does (the f32
// angle f32(pos)·inv_freq, its cos and sin evaluated in f64 and rounded to f32):
// `cs[(t · E/2 + i) · 2]` = cos, `+ 1` = sin. GPU sin/cos of large arguments (positions in
// the thousands) are not accurate enough, and the table makes the result independent of the
// GPU's transcendental functions. `sign` = −1 rotates by the opposite angle (the backward).
// One thread per (token, head, pair).

struct Params {
    // Number of (token, head, pair) triples.
    n: u32,
    heads: u32,
    // E / 2.
    half: u32,
    sign: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> cs: array<f32>;

@compute @workgroup_size(256)
fn rope(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let e = gid.x + gid.y * nwg.x * 256u;
    if e >= p.n {
        return;
    }
    let i = e % p.half;
    let th = e / p.half;           // token · heads + head
    let t = th / p.heads;
    let base = th * 2u * p.half;
    let k = (t * p.half + i) * 2u;
    let cos_a = cs[k];
    let sin_a = p.sign * cs[k + 1u];
    let a = x[base + i];
    let b = x[base + i + p.half];
    x[base + i] = a * cos_a - b * sin_a;
    x[base + i + p.half] = b * cos_a + a * sin_a;
}
