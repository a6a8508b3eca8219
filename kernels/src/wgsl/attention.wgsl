// Causal grouped-query attention over packed sequences: training forward and backward (the
// KV-cache kernels, which share the `AttnParams` layout, are in kv_cache.wgsl).
//
// Layouts (row-major): q, o, d_o: [N, H, E]; k, v: [N, Hkv, E]; lse: [N, H]. Query head h
// reads key/value head g = h / (H / Hkv).
//
// Training kernels (`attention_forward`, `attention_dq`, `attention_dkdv`) work on tiles of one
// sequence: the host lists them in `tiles` as (sequence start, sequence end, first row) triples,
// every tile holding up to 64 rows of one sequence; the dispatch is (tiles, heads).
//
// * attention_forward: one workgroup = 64 query rows of one (sequence, query head); thread r
//   owns query row t0 + r (its q and output accumulator live in private memory). The keys
//   0 ..= last row of the tile are walked in key tiles staged in workgroup memory (`kv_rows`
//   keys of K and V each, 1920 floats per tile, so workgroup memory does not depend on T;
//   all workgroup variables of one entry point fit in WebGPU's default 16 KiB).
//   Each thread computes its tile of scores, then applies the online softmax (running max m,
//   running sum l, accumulator rescaled once per key tile), and finally writes
//   o = acc / l and lse = m + log l. Memory is O(T·E), never O(T²).
// * attention_delta: one thread per (token, head): D = do·o, stored next to lse in `ld`
//   ([N, H, 2]: lse, D) for the two backward passes (FlashAttention-2's trick).
// * attention_dq: like the forward (thread = query row, K/V tiles in workgroup memory):
//   p = exp(s − lse), ds = p (do·v − D), dq = Σ_j ds k_j / sqrt(E).
// * attention_dkdv: one workgroup = 64 key rows of one (sequence, query head h); thread r
//   owns key row j0 + r (of key/value head g(h)) and accumulates dk, dv privately while the
//   workgroup walks the query rows ≥ j0 of head h in tiles staged in workgroup memory (q, do,
//   lse, D). dv_j = Σ p do_i, dk_j = Σ ds q_i / sqrt(E), written per query head ([N, H, E]).
// * attention_group_sum: one thread per element of dk, dv [N, Hkv, E]: the sum over the
//   query heads of the group, in ascending head order (skipped when H = Hkv: the per-head
//   result is dk, dv). No atomics anywhere: every output element is written by exactly one
//   thread, summed in a fixed order.
//
// lavapipe (Mesa's llvmpipe) caps the loop iterations of one shader invocation at 65535 in
// total (gallivm's loop limiter) and silently stops the invocation there, so per-thread
// loops are kept short: a thread walks one head's keys or queries, never a whole group's
// (observed on Mesa 22.3; consistent with gallivm's LP_MAX_TGSI_LOOP_ITERATIONS = 65535).
//
// Head sizes up to MAX_E = 256 are supported (private accumulators are MAX_E long).

struct AttnParams {
    heads: u32,
    kv_heads: u32,
    head_dim: u32,
    /// Rows per K/V (or Q/dO) tile staged in workgroup memory: min(64, TILE_FLOATS / E).
    kv_rows: u32,
    /// 1 / sqrt(E).
    scale: f32,
    /// Number of tokens N (attention_delta: N·H rows).
    n: u32,
    /// Unused here (kv_cache.wgsl: cache positions per slot).
    max_len: u32,
    _pad: u32,
}

const ROWS: u32 = 64u;
const MAX_E: u32 = 256u;
const TILE_FLOATS: u32 = 1920u;

@group(0) @binding(0) var<uniform> P: AttnParams;

// ---- training forward ---------------------------------------------------------------------

// Shared by attention_forward, attention_dq and attention_dkdv.
@group(0) @binding(1) var<storage, read> tiles: array<u32>;
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
// attention_forward outputs.
@group(0) @binding(5) var<storage, read_write> o: array<f32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

var<workgroup> tile_a: array<f32, TILE_FLOATS>;
var<workgroup> tile_b: array<f32, TILE_FLOATS>;
var<workgroup> row_a: array<f32, ROWS>;
var<workgroup> row_b: array<f32, ROWS>;
var<workgroup> tile_info: vec3<u32>;

/// Loads the tile triple (sequence start, sequence end, first row) into workgroup memory and
/// returns it as a workgroup-uniform value.
fn load_tile_meta(tile: u32, lid: u32) -> vec3<u32> {
    if lid == 0u {
        tile_info = vec3<u32>(tiles[3u * tile], tiles[3u * tile + 1u], tiles[3u * tile + 2u]);
    }
    return workgroupUniformLoad(&tile_info);
}

/// Stages keys/values r0 .. r0 + cnt (counted from token `base`) of key/value head `g` into
/// tile_a (k) and tile_b (v), 64 threads striding over the cnt·E floats.
fn stage_kv(base: u32, r0: u32, cnt: u32, g: u32, lid: u32) {
    let e = P.head_dim;
    for (var x = lid; x < cnt * e; x += ROWS) {
        let r = x / e;
        let c = x % e;
        let at = ((base + r0 + r) * P.kv_heads + g) * e + c;
        tile_a[x] = k[at];
        tile_b[x] = v[at];
    }
}

@compute @workgroup_size(64)
fn attention_forward(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let m3 = load_tile_meta(wid.x, lid);
    let a = m3.x;
    let t = m3.y - m3.x;
    let t0 = m3.z;
    let h = wid.y;
    let e = P.head_dim;
    let g = h / (P.heads / P.kv_heads);
    let i = t0 + lid;
    let valid = i < t;
    let kend = min(t0 + ROWS, t);

    var qr: array<f32, MAX_E>;
    var acc: array<f32, MAX_E>;
    var sc: array<f32, ROWS>;
    let qoff = ((a + i) * P.heads + h) * e;
    if valid {
        for (var c = 0u; c < e; c++) {
            qr[c] = q[qoff + c];
            acc[c] = 0.0;
        }
    }
    var m = 0.0;
    var l = 0.0;
    var started = false;
    for (var j0 = 0u; j0 < kend; j0 += P.kv_rows) {
        let cnt = min(P.kv_rows, kend - j0);
        stage_kv(a, j0, cnt, g, lid);
        workgroupBarrier();
        if valid && i >= j0 {
            let nk = min(cnt, i + 1u - j0);
            var mt = -3.0e38;
            for (var j = 0u; j < nk; j++) {
                var s = 0.0;
                {
                    // Unrolled by 4, same order (lavapipe caps the loop iterations).
                    var c = 0u;
                    for (; c + 4u <= e; c += 4u) {
                        s += qr[c] * tile_a[j * e + c];
                        s += qr[(c + 1u)] * tile_a[j * e + (c + 1u)];
                        s += qr[(c + 2u)] * tile_a[j * e + (c + 2u)];
                        s += qr[(c + 3u)] * tile_a[j * e + (c + 3u)];
                    }
                    for (; c < e; c++) {
                        s += qr[c] * tile_a[j * e + c];
                    }
                }
                s *= P.scale;
                sc[j] = s;
                mt = max(mt, s);
            }
            var m_new = mt;
            var corr = 0.0;
            if started {
                m_new = max(m, mt);
                corr = exp(m - m_new);
            }
            l *= corr;
            for (var c = 0u; c < e; c++) {
                acc[c] *= corr;
            }
            for (var j = 0u; j < nk; j++) {
                let p = exp(sc[j] - m_new);
                l += p;
                {
                    // Unrolled by 4, same order (lavapipe caps the loop iterations).
                    var c = 0u;
                    for (; c + 4u <= e; c += 4u) {
                        acc[c] += p * tile_b[j * e + c];
                        acc[(c + 1u)] += p * tile_b[j * e + (c + 1u)];
                        acc[(c + 2u)] += p * tile_b[j * e + (c + 2u)];
                        acc[(c + 3u)] += p * tile_b[j * e + (c + 3u)];
                    }
                    for (; c < e; c++) {
                        acc[c] += p * tile_b[j * e + c];
                    }
                }
            }
            m = m_new;
            started = true;
        }
        workgroupBarrier();
    }
    if valid {
        let inv = 1.0 / l;
        for (var c = 0u; c < e; c++) {
            o[qoff + c] = acc[c] * inv;
        }
        lse[(a + i) * P.heads + h] = m + log(l);
    }
}

// ---- training backward ----------------------------------------------------------------------

// attention_delta.
@group(0) @binding(1) var<storage, read> dl_do: array<f32>;
@group(0) @binding(2) var<storage, read> dl_o: array<f32>;
@group(0) @binding(3) var<storage, read> dl_lse: array<f32>;
// [N, H, 2]: (lse, D = do·o) per row.
@group(0) @binding(4) var<storage, read_write> ld: array<f32>;
// attention_dq and attention_dkdv (after tiles, q, k, v).
@group(0) @binding(5) var<storage, read> d_o: array<f32>;
@group(0) @binding(6) var<storage, read> ld_in: array<f32>;
@group(0) @binding(7) var<storage, read_write> dq: array<f32>;
@group(0) @binding(7) var<storage, read_write> dk: array<f32>;
@group(0) @binding(8) var<storage, read_write> dv: array<f32>;

/// D = do·o per (token, head) row, stored with the row's lse.
@compute @workgroup_size(256)
fn attention_delta(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let row = gid.x + gid.y * nwg.x * 256u;
    if row >= P.n {
        return;
    }
    let e = P.head_dim;
    var d = 0.0;
    for (var c = 0u; c < e; c++) {
        d += dl_do[row * e + c] * dl_o[row * e + c];
    }
    ld[2u * row] = dl_lse[row];
    ld[2u * row + 1u] = d;
}

@compute @workgroup_size(64)
fn attention_dq(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let m3 = load_tile_meta(wid.x, lid);
    let a = m3.x;
    let t = m3.y - m3.x;
    let t0 = m3.z;
    let h = wid.y;
    let e = P.head_dim;
    let g = h / (P.heads / P.kv_heads);
    let i = t0 + lid;
    let valid = i < t;
    let kend = min(t0 + ROWS, t);

    var qr: array<f32, MAX_E>;
    var dor: array<f32, MAX_E>;
    var acc: array<f32, MAX_E>;
    let qoff = ((a + i) * P.heads + h) * e;
    var li = 0.0;
    var di = 0.0;
    if valid {
        for (var c = 0u; c < e; c++) {
            qr[c] = q[qoff + c];
            dor[c] = d_o[qoff + c];
            acc[c] = 0.0;
        }
        li = ld_in[2u * ((a + i) * P.heads + h)];
        di = ld_in[2u * ((a + i) * P.heads + h) + 1u];
    }
    for (var j0 = 0u; j0 < kend; j0 += P.kv_rows) {
        let cnt = min(P.kv_rows, kend - j0);
        stage_kv(a, j0, cnt, g, lid);
        workgroupBarrier();
        if valid && i >= j0 {
            let nk = min(cnt, i + 1u - j0);
            for (var j = 0u; j < nk; j++) {
                var s = 0.0;
                var dp = 0.0;
                {
                    // Unrolled by 4, same order (lavapipe caps the loop iterations).
                    var c = 0u;
                    for (; c + 4u <= e; c += 4u) {
                        s += qr[c] * tile_a[j * e + c];
                        dp += dor[c] * tile_b[j * e + c];
                        s += qr[(c + 1u)] * tile_a[j * e + (c + 1u)];
                        dp += dor[(c + 1u)] * tile_b[j * e + (c + 1u)];
                        s += qr[(c + 2u)] * tile_a[j * e + (c + 2u)];
                        dp += dor[(c + 2u)] * tile_b[j * e + (c + 2u)];
                        s += qr[(c + 3u)] * tile_a[j * e + (c + 3u)];
                        dp += dor[(c + 3u)] * tile_b[j * e + (c + 3u)];
                    }
                    for (; c < e; c++) {
                        s += qr[c] * tile_a[j * e + c];
                        dp += dor[c] * tile_b[j * e + c];
                    }
                }
                let p = exp(s * P.scale - li);
                let ds = p * (dp - di);
                {
                    // Unrolled by 4, same order (lavapipe caps the loop iterations).
                    var c = 0u;
                    for (; c + 4u <= e; c += 4u) {
                        acc[c] += ds * tile_a[j * e + c];
                        acc[(c + 1u)] += ds * tile_a[j * e + (c + 1u)];
                        acc[(c + 2u)] += ds * tile_a[j * e + (c + 2u)];
                        acc[(c + 3u)] += ds * tile_a[j * e + (c + 3u)];
                    }
                    for (; c < e; c++) {
                        acc[c] += ds * tile_a[j * e + c];
                    }
                }
            }
        }
        workgroupBarrier();
    }
    if valid {
        for (var c = 0u; c < e; c++) {
            dq[qoff + c] = acc[c] * P.scale;
        }
    }
}

@compute @workgroup_size(64)
fn attention_dkdv(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let m3 = load_tile_meta(wid.x, lid);
    let a = m3.x;
    let t = m3.y - m3.x;
    let j0 = m3.z;
    let h = wid.y;
    let e = P.head_dim;
    let g = h / (P.heads / P.kv_heads);
    let j = j0 + lid;
    let valid = j < t;

    var kr: array<f32, MAX_E>;
    var vr: array<f32, MAX_E>;
    var dkr: array<f32, MAX_E>;
    var dvr: array<f32, MAX_E>;
    let kvoff = ((a + j) * P.kv_heads + g) * e;
    if valid {
        for (var c = 0u; c < e; c++) {
            kr[c] = k[kvoff + c];
            vr[c] = v[kvoff + c];
            dkr[c] = 0.0;
            dvr[c] = 0.0;
        }
    }
    for (var i0 = j0; i0 < t; i0 += P.kv_rows) {
        let cnt = min(P.kv_rows, t - i0);
        for (var x = lid; x < cnt * e; x += ROWS) {
            let r = x / e;
            let c = x % e;
            let at = ((a + i0 + r) * P.heads + h) * e + c;
            tile_a[x] = q[at];
            tile_b[x] = d_o[at];
        }
        if lid < cnt {
            let row = (a + i0 + lid) * P.heads + h;
            row_a[lid] = ld_in[2u * row];
            row_b[lid] = ld_in[2u * row + 1u];
        }
        workgroupBarrier();
        if valid {
            // Queries i ≥ j only: in this tile, rows r with i0 + r ≥ j.
            for (var r = select(0u, j - i0, j > i0); r < cnt; r++) {
                var s = 0.0;
                var dp = 0.0;
                {
                    // Unrolled by 4, same order (lavapipe caps the loop iterations).
                    var c = 0u;
                    for (; c + 4u <= e; c += 4u) {
                        s += tile_a[r * e + c] * kr[c];
                        dp += tile_b[r * e + c] * vr[c];
                        s += tile_a[r * e + (c + 1u)] * kr[(c + 1u)];
                        dp += tile_b[r * e + (c + 1u)] * vr[(c + 1u)];
                        s += tile_a[r * e + (c + 2u)] * kr[(c + 2u)];
                        dp += tile_b[r * e + (c + 2u)] * vr[(c + 2u)];
                        s += tile_a[r * e + (c + 3u)] * kr[(c + 3u)];
                        dp += tile_b[r * e + (c + 3u)] * vr[(c + 3u)];
                    }
                    for (; c < e; c++) {
                        s += tile_a[r * e + c] * kr[c];
                        dp += tile_b[r * e + c] * vr[c];
                    }
                }
                let p = exp(s * P.scale - row_a[r]);
                let ds = p * (dp - row_b[r]);
                {
                    // Unrolled by 4, same order (lavapipe caps the loop iterations).
                    var c = 0u;
                    for (; c + 4u <= e; c += 4u) {
                        dvr[c] += p * tile_b[r * e + c];
                        dkr[c] += ds * tile_a[r * e + c];
                        dvr[(c + 1u)] += p * tile_b[r * e + (c + 1u)];
                        dkr[(c + 1u)] += ds * tile_a[r * e + (c + 1u)];
                        dvr[(c + 2u)] += p * tile_b[r * e + (c + 2u)];
                        dkr[(c + 2u)] += ds * tile_a[r * e + (c + 2u)];
                        dvr[(c + 3u)] += p * tile_b[r * e + (c + 3u)];
                        dkr[(c + 3u)] += ds * tile_a[r * e + (c + 3u)];
                    }
                    for (; c < e; c++) {
                        dvr[c] += p * tile_b[r * e + c];
                        dkr[c] += ds * tile_a[r * e + c];
                    }
                }
            }
        }
        workgroupBarrier();
    }
    if valid {
        // Per query head: [N, H, E] (the group sum follows in attention_group_sum, or this
        // is dk, dv itself when H = Hkv).
        let out = ((a + j) * P.heads + h) * e;
        for (var c = 0u; c < e; c++) {
            dk[out + c] = dkr[c] * P.scale;
            dv[out + c] = dvr[c];
        }
    }
}

// attention_group_sum.
@group(0) @binding(1) var<storage, read> gs_dk: array<f32>;
@group(0) @binding(2) var<storage, read> gs_dv: array<f32>;
@group(0) @binding(3) var<storage, read_write> gs_dk_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> gs_dv_out: array<f32>;

/// dk[n, g, c] = Σ_{h in group g} dk_h[n, h, c] (and dv), heads in ascending order.
/// P.n = N·Hkv·E output elements.
@compute @workgroup_size(256)
fn attention_group_sum(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let idx = gid.x + gid.y * nwg.x * 256u;
    if idx >= P.n {
        return;
    }
    let e = P.head_dim;
    let group = P.heads / P.kv_heads;
    let c = idx % e;
    let g = (idx / e) % P.kv_heads;
    let tok = idx / (e * P.kv_heads);
    var sk = 0.0;
    var sv = 0.0;
    for (var hh = 0u; hh < group; hh++) {
        let at = (tok * P.heads + g * group + hh) * e + c;
        sk += gs_dk[at];
        sv += gs_dv[at];
    }
    gs_dk_out[idx] = sk;
    gs_dv_out[idx] = sv;
}
