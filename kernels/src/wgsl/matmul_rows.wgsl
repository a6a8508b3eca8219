// C = alpha · op(A) · Bᵀ + beta · C for a few rows (2 ≤ m ≤ 64: batched decoding against a
// weight stored [n, k], the layout of a linear layer), op(A) = A or Aᵀ. Same parameter block
// and bindings as matmul.wgsl (A, B, C as arrays of vec4<f32>, the host binds whole vec4s).
//
// `matmul_rows`: one workgroup of 256 threads computes a strip of NS = 4 columns of C for
// all m rows, so each row of B is read from storage once for the whole batch (the tiled
// kernel would re-read it per 64-row tile and mask most of its rows). The threads form a
// 16 × 16 grid: `kl = t % 16` is a lane along k, `rg = t / 16` a row group. Thread (kl, rg)
// owns rows rg, rg + 16, rg + 32, rg + 48 (those below m) and walks k in units of four,
// units kl, kl + 16, kl + 32, …: it loads the unit of each of the NS rows of B (one 16-byte
// load when k is a multiple of 4, VEC_B; threads of one row group read 256 contiguous
// bytes, and the 16 row groups the same bytes) and of each of its rows of op(A) (a vec4
// when A is stored [m, k] and k is a multiple of 4, VEC_A; else four scalar loads), and
// accumulates dot(a, b) into 4 × NS registers.
//
// Summation order (deterministic, not ascending p): lane kl sums its units in order, each
// unit as a 4-term dot product; the 16 lane sums of an output are then added by a fixed
// tree in workgroup memory (lanes 8 apart, then 4, 2, 1). No atomics.
//
// Loop counts stay far below lavapipe's 65535 per-invocation cap: ⌈k / 64⌉ iterations of
// the k loop per thread.

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

const KL: u32 = 16u;  // lanes along k
const RG: u32 = 16u;  // row groups
const RPT: u32 = 4u;  // rows per thread (RG · RPT = 64 rows at most)
const NS: u32 = 4u;   // columns per workgroup

// red[r · 256 + t]: thread t's partial sum for its row r, one column at a time.
var<workgroup> red: array<f32, 1024>;

fn a_at(x: u32) -> f32 {
    return a[x >> 2u][x & 3u];
}

fn b_at(x: u32) -> f32 {
    return b[x >> 2u][x & 3u];
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
        return b[(j * p.k + q) >> 2u];
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
    for (var s = 0u; s < NS; s++) {
        for (var r = 0u; r < RPT; r++) {
            red[r * 256u + t] = acc[r * NS + s];
        }
        workgroupBarrier();
        for (var w = KL / 2u; w > 0u; w = w / 2u) {
            if kl < w {
                for (var r = 0u; r < RPT; r++) {
                    red[r * 256u + t] = red[r * 256u + t] + red[r * 256u + t + w];
                }
            }
            workgroupBarrier();
        }
        let j = j0 + s;
        if kl == 0u && j < p.n {
            for (var r = 0u; r < RPT; r++) {
                let i = rg + RG * r;
                if i < p.m {
                    let o = i * p.n + j;
                    let sum = red[r * 256u + t];
                    if p.beta == 0.0 {
                        c[o >> 2u][o & 3u] = p.alpha * sum;
                    } else {
                        c[o >> 2u][o & 3u] = p.alpha * sum + p.beta * c[o >> 2u][o & 3u];
                    }
                }
            }
        }
        workgroupBarrier();
    }
}
