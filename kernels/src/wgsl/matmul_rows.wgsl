// C = alpha · op(A) · Bᵀ + beta · C for a few rows (2 ≤ m ≤ 64: batched decoding against a
// weight stored [n, k], the layout of a linear layer), op(A) = A or Aᵀ. Same parameter block
// and bindings as matmul.wgsl (A, B, C as arrays of vec4<f32>, the host binds whole vec4s).
//
// `matmul_rows`: one workgroup of 256 threads computes a strip of NS = 4 columns of C for
// all m rows, so each row of B is read from storage once for the whole batch (the tiled
// kernel would re-read it per 64-row tile and mask most of its rows). The threads form a
// KL × RG grid (KL · RG = 256; KL = 128 for m ≤ 8, 64 for m ≤ 16, 32 for m ≤ 32, 16 for
// m ≤ 64): `kl = t % KL` is a lane along k, `rg = t / KL` a row group. Thread (kl, rg)
// owns rows rg, rg + RG, rg + 2·RG, rg + 3·RG (those below m) and walks k in units of
// four, units kl, kl + KL, kl + 2·KL, …: it loads the unit of each of the NS rows of B (one
// 16-byte load when k is a multiple of 4, VEC_B; the lanes of a row group read contiguous
// bytes, and the RG row groups the same bytes) and of each of its rows of op(A) (a vec4
// when A is stored [m, k] and k is a multiple of 4, VEC_A; else four scalar loads), and
// accumulates dot(a, b) into 4 × NS registers.
//
// Summation order (deterministic, not ascending p): lane kl sums its units in order, each
// unit as a 4-term dot product; the KL lane sums of an output are parked in workgroup
// memory (two passes of 2 columns, at most 8.5 KiB; two barriers each) and combined by one
// subgroup per output: its c active invocations, ranked 0 … c − 1, each add the lanes
// rank, rank + c, rank + 2c, … in that order, and the subgroup adds their c partial sums
// (`sg_add`). No atomics.
//
// Subgroups (`matmul_rows_sg`, on an adapter with `Features::SUBGROUP`): this file is
// written for subgroups of ONE invocation — `sg_add` is the identity, every invocation is
// rank 0 of c = 1 and its own subgroup (`sg = (t, 256)`: subgroup id, number of
// subgroups), so an output is summed by one thread in lane order 0, 1, …, KL − 1. The
// variant (`hir_kernels::SUBGROUP_VARIANTS`) substitutes four lines: `sg_add` becomes
// `subgroupAdd`, the rank and count become `subgroupExclusiveAdd(1u)` and `subgroupAdd(1u)`
// (computed by the active invocations themselves, so a partial subgroup, any subgroup size
// from 1 to 128, a workgroup that is not a multiple of it, and any layout of invocations
// in subgroups are all correct), and `sg` becomes the `subgroup_id` / `num_subgroups`
// builtins. Then KL / c lanes per invocation and one subgroupAdd replace the KL serial
// reads of one thread (with 8 to 32 invocations per subgroup, 16 down to 4 reads). Its
// sums differ from the serial ones in rounding only, and are the same bits on every call
// on one adapter (fixed ranks, the hardware's fixed subgroupAdd order).
//
// Loop counts stay far below lavapipe's 65535 per-invocation cap: ⌈k / (4·KL)⌉ iterations
// of the k loop, KL of the final sums per thread and ⌈2 · ROWS / subgroups⌉ outputs.
//
// f16 storage (`matmul_rows_f16b`): as in matmul.wgsl, the host derives a variant whose B
// binding is `array<vec4<f16>>` (the only changed line, `enable f16;` prepended); B's f16
// values are converted to f32 on load and everything else is unchanged.

override TRANS_A: bool = false;
override VEC_A: bool = false;
override VEC_B: bool = false;

struct Params {
    m: u32,
    k: u32,
    n: u32,
    alpha: f32,
    beta: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f32>>;

// Lanes along k: 16, 32, 64 or 128, the largest whose row groups still cover m (the host
// picks it), so that few rows leave few threads idle and B is re-read by few row groups.
override KL: u32 = 16u;
override RG: u32 = 256u / KL;   // row groups
const RPT: u32 = 4u;            // rows per thread (RG · RPT ≥ m)
const NS: u32 = 4u;             // columns per workgroup
override ROWS: u32 = 4u * (256u / KL);
override RED_LANE: u32 = 2u * 4u * (256u / KL) + 1u;

// The lane sums of ROWS rows × 2 columns: lane l of (row i, column h) at
// red_index(i, h, l). Rows are the fastest index, and a lane's block is padded by one
// float (an odd stride), so that both the writes (neighbouring threads: neighbouring lanes)
// and the reads (neighbouring threads: neighbouring rows) fall in distinct banks. At most
// 128 · 17 = 2176 floats (KL = 128).
var<workgroup> red: array<f32, 2176>;

fn red_index(i: u32, h: u32, l: u32) -> u32 {
    return l * RED_LANE + h * ROWS + i;
}

// The subgroup primitives, for subgroups of one invocation (see the header; the subgroup
// variant replaces these three lines).
fn sg_add(x: f32) -> f32 { return x; }
fn sg_rank() -> u32 { return 0u; }
fn sg_active() -> u32 { return 1u; }

fn a_at(x: u32) -> f32 {
    return a[x >> 2u][x & 3u];
}

// B is read only through `b_at` / `b_vec` (conversions to f32: the identity here, f16 → f32
// in the derived f16-storage variant).
fn b_at(x: u32) -> f32 {
    return f32(b[x >> 2u][x & 3u]);
}

fn b_vec(v: u32) -> vec4<f32> {
    return vec4<f32>(b[v]);
}

// op(A)[i, q..q+4] (zeros beyond k).
fn a_unit(i: u32, q: u32) -> vec4<f32> {
    if VEC_A {
        return a[(i * p.k + q) >> 2u];
    }
    var v = vec4<f32>(0.0);
    for (var x = 0u; x < 4u; x++) {
        if q + x < p.k {
            if TRANS_A {
                v[x] = a_at((q + x) * p.m + i);
            } else {
                v[x] = a_at(i * p.k + q + x);
            }
        }
    }
    return v;
}

// B[j, q..q+4] of B stored [n, k] (zeros beyond k, and for j ≥ n).
fn b_unit(j: u32, q: u32) -> vec4<f32> {
    if j >= p.n {
        return vec4<f32>(0.0);
    }
    if VEC_B {
        return b_vec((j * p.k + q) >> 2u);
    }
    var v = vec4<f32>(0.0);
    for (var x = 0u; x < 4u; x++) {
        if q + x < p.k {
            v[x] = b_at(j * p.k + q + x);
        }
    }
    return v;
}

@compute @workgroup_size(256)
fn matmul_rows(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let sg = vec2<u32>(t, 256u); // (subgroup id, number of subgroups) in `matmul_rows`
    // In uniform control flow: every invocation of the workgroup is active here.
    let rank = sg_rank();
    let count = sg_active();
    let j0 = (wid.x + wid.y * nwg.x) * NS;
    let kl = t % KL;
    let rg = t / KL;
    // acc[r * NS + s]: row rg + 16 r, column j0 + s.
    var acc: array<f32, 16>;
    for (var r = 0u; r < RPT * NS; r++) {
        acc[r] = 0.0;
    }
    let units = (p.k + 3u) / 4u;
    for (var u = kl; u < units; u += KL) {
        let q = 4u * u;
        var bv: array<vec4<f32>, 4>;
        for (var s = 0u; s < NS; s++) {
            bv[s] = b_unit(j0 + s, q);
        }
        for (var r = 0u; r < RPT; r++) {
            let i = rg + RG * r;
            if i < p.m {
                let av = a_unit(i, q);
                for (var s = 0u; s < NS; s++) {
                    acc[r * NS + s] = acc[r * NS + s] + dot(av, bv[s]);
                }
            }
        }
    }
    // Two passes of NS / 2 columns: every thread parks its partial sums, then subgroup
    // s adds the KL lanes of outputs x = s, s + subgroups, … < 2 · ROWS (row x % ROWS,
    // column j0 + pass · 2 + x / ROWS) as the header describes; its rank-0 invocation
    // writes the result.
    for (var half = 0u; half < 2u; half++) {
        for (var r = 0u; r < RPT; r++) {
            for (var h = 0u; h < 2u; h++) {
                red[red_index(rg + RG * r, h, kl)] = acc[r * NS + half * 2u + h];
            }
        }
        workgroupBarrier();
        // The loop bounds are the same for the whole subgroup, so every `sg_add` is reached
        // by all its active invocations.
        for (var x = sg.x; x < 2u * ROWS; x += sg.y) {
            let o_row = x % ROWS;
            let o_col = x / ROWS;
            var part = 0.0;
            for (var l = rank; l < KL; l += count) {
                part = part + red[red_index(o_row, o_col, l)];
            }
            let sum = sg_add(part);
            let j = j0 + half * 2u + o_col;
            if rank == 0u && o_row < p.m && j < p.n {
                let o = o_row * p.n + j;
                if p.beta == 0.0 {
                    c[o >> 2u][o & 3u] = p.alpha * sum;
                } else {
                    c[o >> 2u][o & 3u] = p.alpha * sum + p.beta * c[o >> 2u][o & 3u];
                }
            }
        }
        workgroupBarrier();
    }
}
