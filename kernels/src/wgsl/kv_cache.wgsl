// The KV cache for inference: writing new keys/values (`kv_cache_write`) and attention of new
// query tokens against the cache (`attention_cached`).
//
// Layouts (row-major): x_new: [N, Hkv, E]; q, o: [N, H, E]; caches: [slots, max_len, Hkv, E].
// Query head h reads key/value head g = h / (H / Hkv). Query i attends to cache[slot[i],
// 0 ..= pos[i]].
//
// * kv_cache_write: one workgroup per new token; the workgroup first checks whether a later
//   token writes the same (slot, pos) (then this one is skipped: the later one wins), then
//   copies the row.
// * attention_cached: one workgroup per (query token, head), 64 threads, matrix–vector shaped:
//   per tile of 64 cached keys, thread r scores key j0 + r; every thread then reads the 64
//   scores (same values, same order, so the running max and sum agree bit for bit across
//   threads) and accumulates the output dimensions e ≡ r (mod 64).
//
// lavapipe (Mesa's llvmpipe) caps the loop iterations of one shader invocation at 65535 in
// total and silently stops the invocation there (see attention.wgsl); the host refuses calls
// that would exceed it.
//
// Head sizes up to MAX_E = 256 are supported.

// The same parameter block as attention.wgsl (the host fills both with one function).
struct AttnParams {
    heads: u32,
    kv_heads: u32,
    head_dim: u32,
    /// Unused here (attention.wgsl: rows per staged K/V tile).
    kv_rows: u32,
    /// 1 / sqrt(E).
    scale: f32,
    /// Number of new tokens (kv_cache_write) or query tokens (attention_cached).
    n: u32,
    /// Cache positions per slot.
    max_len: u32,
    /// Unused here (attention.wgsl: threads per row).
    splits: u32,
}

const ROWS: u32 = 64u;
const MAX_E: u32 = 256u;

@group(0) @binding(0) var<uniform> P: AttnParams;

var<workgroup> tile_info: vec3<u32>;

// kv_cache_write.
@group(0) @binding(1) var<storage, read_write> cache: array<f32>;
@group(0) @binding(2) var<storage, read> x_new: array<f32>;
@group(0) @binding(3) var<storage, read> w_slot: array<u32>;
@group(0) @binding(4) var<storage, read> w_pos: array<u32>;
// attention_cached.
@group(0) @binding(1) var<storage, read> c_q: array<f32>;
@group(0) @binding(2) var<storage, read> k_cache: array<f32>;
@group(0) @binding(3) var<storage, read> v_cache: array<f32>;
@group(0) @binding(4) var<storage, read> c_slot: array<u32>;
@group(0) @binding(5) var<storage, read> c_pos: array<u32>;
@group(0) @binding(6) var<storage, read_write> o_cached: array<f32>;

var<workgroup> overwritten: atomic<u32>;

/// cache[slot[i], pos[i]] = x[i]; skipped when a later token writes the same place.
@compute @workgroup_size(64)
fn kv_cache_write(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = wid.y * nwg.x + wid.x;
    if lid == 0u {
        atomicStore(&overwritten, 0u);
    }
    workgroupBarrier();
    // P.n = number of new tokens; the row length is Hkv·E.
    let live = i < P.n;
    if live {
        let si = w_slot[i];
        let pi = w_pos[i];
        for (var i2 = i + 1u + lid; i2 < P.n; i2 += ROWS) {
            if w_slot[i2] == si && w_pos[i2] == pi {
                atomicOr(&overwritten, 1u);
            }
        }
    }
    let skip = workgroupUniformLoad(&overwritten);
    if live && skip == 0u {
        let row = P.kv_heads * P.head_dim;
        let dst = (w_slot[i] * P.max_len + w_pos[i]) * row;
        for (var c = lid; c < row; c += ROWS) {
            cache[dst + c] = x_new[i * row + c];
        }
    }
}

var<workgroup> q_sh: array<f32, MAX_E>;
var<workgroup> s_sh: array<f32, ROWS>;

/// Attention of query token i, head h (workgroup (i, h)) against cache[slot[i], 0 ..= pos[i]].
@compute @workgroup_size(64)
fn attention_cached(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = wid.z * nwg.x + wid.x;
    // P.n = number of query tokens (uniform per workgroup).
    if i >= P.n {
        return;
    }
    let h = wid.y;
    let e = P.head_dim;
    let g = h / (P.heads / P.kv_heads);
    let qoff = (i * P.heads + h) * e;
    for (var c = lid; c < e; c += ROWS) {
        q_sh[c] = c_q[qoff + c];
    }
    if lid == 0u {
        tile_info = vec3<u32>(c_slot[i], c_pos[i] + 1u, 0u);
    }
    let m3 = workgroupUniformLoad(&tile_info);
    let stride = P.kv_heads * e;
    let base = m3.x * P.max_len * stride + g * e;
    let nkeys = m3.y;
    var acc = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    var m = 0.0;
    var l = 0.0;
    var started = false;
    for (var j0 = 0u; j0 < nkeys; j0 += ROWS) {
        let cnt = min(ROWS, nkeys - j0);
        if lid < cnt {
            let at = base + (j0 + lid) * stride;
            var s = 0.0;
            {
                // Unrolled by 4, same order (lavapipe caps the loop iterations).
                var c = 0u;
                for (; c + 4u <= e; c += 4u) {
                    s += q_sh[c] * k_cache[at + c];
                    s += q_sh[(c + 1u)] * k_cache[at + (c + 1u)];
                    s += q_sh[(c + 2u)] * k_cache[at + (c + 2u)];
                    s += q_sh[(c + 3u)] * k_cache[at + (c + 3u)];
                }
                for (; c < e; c++) {
                    s += q_sh[c] * k_cache[at + c];
                }
            }
            s_sh[lid] = s * P.scale;
        }
        workgroupBarrier();
        var mt = -3.0e38;
        for (var j = 0u; j < cnt; j++) {
            mt = max(mt, s_sh[j]);
        }
        var m_new = mt;
        var corr = 0.0;
        if started {
            m_new = max(m, mt);
            corr = exp(m - m_new);
        }
        l *= corr;
        for (var cc = 0u; cc < 4u; cc++) {
            acc[cc] *= corr;
        }
        for (var j = 0u; j < cnt; j++) {
            let p = exp(s_sh[j] - m_new);
            l += p;
            let at = base + (j0 + j) * stride;
            for (var cc = 0u; cc < 4u; cc++) {
                let c = lid + cc * ROWS;
                if c < e {
                    acc[cc] += p * v_cache[at + c];
                }
            }
        }
        m = m_new;
        started = true;
        workgroupBarrier();
    }
    let inv = 1.0 / l;
    for (var cc = 0u; cc < 4u; cc++) {
        let c = lid + cc * ROWS;
        if c < e {
            o_cached[qoff + c] = acc[cc] * inv;
        }
    }
}
