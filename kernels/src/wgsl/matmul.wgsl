// C = alpha · op(A) · op(B) + beta · C, op(X) = Xᵀ when the transpose flag is set.
// op(A) is [m, k], op(B) is [k, n], C is [m, n], all row-major.
//
// Every matmul kernel binds A, B and C as arrays of vec4<f32> (the host binds whole vec4s:
// the tensor's bytes rounded up to 16, inside its pooled buffer). A scalar element x is
// read as `a[x >> 2][x & 3]`; an aligned run of four as one 16-byte load `a[x >> 2]`.
//
// `matmul_tiled`: register-blocked tiling, every size a pipeline override constant chosen by
// the host from its tile table (backend-wgpu/src/ops/matmul_tiles.rs):
// - A workgroup of WG_X × WG_Y threads computes a BM × BN tile of C; each thread a TM × TN
//   register block (TM, TN ∈ {4, 8}): rows (u·WG_Y + ty)·4 + e and columns
//   (v·WG_X + tx)·4 + e of the tile (u < TM/4, v < TN/4, e < 4), so that neighbouring
//   threads read neighbouring vec4s of workgroup memory (no bank conflicts) and write
//   neighbouring vec4s of C.
// - k is walked in slices of BK. A slice of op(A) (BM × BK) and of op(B) (BK × BN) is staged
//   in workgroup memory as [BK][BM] and [BK][BN] vec4 rows, each row padded by one vec4
//   (4 floats) so that the transposing stores of the loader (below) fall in different banks.
// - Loads go along the stored matrix's contiguous dimension, in units of four elements: one
//   16-byte load when that dimension is a multiple of 4 (VEC_A / VEC_B), else four scalar
//   loads. When the stored dimension runs along k (A stored [m, k], B stored [n, k]) the unit
//   is scattered into four rows of the tile; otherwise it is stored as one vec4.
// - Double buffering: two tile buffers. Each thread loads slice s+1 from storage into
//   registers before computing slice s from workgroup memory (the loads' latency hides
//   behind the arithmetic), then stores them into the other buffer; one barrier per slice.
// - Summation order: each output is one accumulator, updated for p = 0, 1, …, k−1 in order
//   (sum = sum + a·b; the compiler may fuse it into an FMA, the same way on every run).
//
// Override constants (one pipeline per combination):
// - TRANS_A / TRANS_B: the stored layouts.
// - CHECKED: bounds checks on loads and stores; false only when BM | m, BN | n and BK | k.
// - VEC_A / VEC_B: the stored contiguous dimension (k or m for A, k or n for B) is a
//   multiple of 4, so units are aligned vec4 loads. VEC_C: n is a multiple of 4 (vec4
//   stores of C).
// - BM, BN, BK, TM, TN, WG_X = BN / TN, WG_Y = BM / TM, and the tile buffer sizes A_SIZE,
//   B_SIZE (the host checks them against the workgroup memory limit).
//
// `matvec_rows` / `matvec_cols`: m = 1 (decoding). With op(B) = Bᵀ (B stored [n, k], rows
// contiguous), one workgroup of 64 threads per output reduces a row of B against a; with B
// stored [k, n], one thread per output walks down a column (neighbouring threads read
// neighbouring addresses). op(A) of a single row is the same vector whatever TRANS_A.
//
// f16 storage (`matmul_f16b`): the host derives a variant of this file whose B binding is
// `array<vec4<f16>>` (a frozen weight uploaded in f16; `hir_kernels::F16_VARIANTS`): the
// declaration of `b` below is the only line that changes, with `enable f16;` prepended. B is
// read only through `b_at` / `b_vec`, which convert to f32, so every product and sum stays
// in f32 (the result is the f32 product with the f16 values, which f32 holds exactly).

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override CHECKED: bool = true;
override VEC_A: bool = false;
override VEC_B: bool = false;
override VEC_C: bool = false;
override BM: u32 = 64u;
override BN: u32 = 64u;
override BK: u32 = 8u;
override TM: u32 = 4u;
override TN: u32 = 4u;
override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
// Row strides of the tiles in vec4s (one vec4 of padding) and the size of both buffers.
override SA4: u32 = BM / 4u + 1u;
override SB4: u32 = BN / 4u + 1u;
override A_SIZE: u32 = 2u * BK * (BM / 4u + 1u);
override B_SIZE: u32 = 2u * BK * (BN / 4u + 1u);

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

var<workgroup> a_tile: array<vec4<f32>, A_SIZE>;
var<workgroup> b_tile: array<vec4<f32>, B_SIZE>;

// Units staged per thread and slice (at most 4 each; the host checks).
var<private> ra: array<vec4<f32>, 4>;
var<private> rb: array<vec4<f32>, 4>;

fn a_at(x: u32) -> f32 {
    return a[x >> 2u][x & 3u];
}

// Every read of B goes through `b_at` / `b_vec`, whose conversions to f32 are the identity
// here and turn the f16 elements of the derived f16-storage variant into f32 (see the f16
// note above).
fn b_at(x: u32) -> f32 {
    return f32(b[x >> 2u][x & 3u]);
}

fn b_vec(v: u32) -> vec4<f32> {
    return vec4<f32>(b[v]);
}

// op(A)[i, q] (0 outside the matrix when CHECKED).
fn a_scalar(i: u32, q: u32) -> f32 {
    if CHECKED && (i >= p.m || q >= p.k) {
        return 0.0;
    }
    if TRANS_A {
        return a_at(q * p.m + i);
    }
    return a_at(i * p.k + q);
}

// op(B)[q, j] (0 outside the matrix when CHECKED).
fn b_scalar(q: u32, j: u32) -> f32 {
    if CHECKED && (q >= p.k || j >= p.n) {
        return 0.0;
    }
    if TRANS_B {
        return b_at(j * p.k + q);
    }
    return b_at(q * p.n + j);
}

// A unit of op(A) along the stored contiguous dimension: op(A)[i..i+4, q] when A is stored
// [k, m], op(A)[i, q..q+4] when stored [m, k].
fn a_unit(i: u32, q: u32) -> vec4<f32> {
    if TRANS_A {
        if VEC_A {
            if CHECKED && (i >= p.m || q >= p.k) {
                return vec4<f32>(0.0);
            }
            return a[(q * p.m + i) >> 2u];
        }
        return vec4<f32>(a_scalar(i, q), a_scalar(i + 1u, q), a_scalar(i + 2u, q), a_scalar(i + 3u, q));
    }
    if VEC_A {
        if CHECKED && (i >= p.m || q >= p.k) {
            return vec4<f32>(0.0);
        }
        return a[(i * p.k + q) >> 2u];
    }
    return vec4<f32>(a_scalar(i, q), a_scalar(i, q + 1u), a_scalar(i, q + 2u), a_scalar(i, q + 3u));
}

// A unit of op(B) along the stored contiguous dimension: op(B)[q..q+4, j] when B is stored
// [n, k], op(B)[q, j..j+4] when stored [k, n].
fn b_unit(q: u32, j: u32) -> vec4<f32> {
    if TRANS_B {
        if VEC_B {
            if CHECKED && (q >= p.k || j >= p.n) {
                return vec4<f32>(0.0);
            }
            return b_vec((j * p.k + q) >> 2u);
        }
        return vec4<f32>(b_scalar(q, j), b_scalar(q + 1u, j), b_scalar(q + 2u, j), b_scalar(q + 3u, j));
    }
    if VEC_B {
        if CHECKED && (q >= p.k || j >= p.n) {
            return vec4<f32>(0.0);
        }
        return b_vec((q * p.n + j) >> 2u);
    }
    return vec4<f32>(b_scalar(q, j), b_scalar(q, j + 1u), b_scalar(q, j + 2u), b_scalar(q, j + 3u));
}

// Loads the units of slice p0 this thread stages into ra / rb.
fn load_slice(t: u32, row0: u32, col0: u32, p0: u32) {
    let nt = WG_X * WG_Y;
    let ua = BM * BK / 4u;
    let ub = BK * BN / 4u;
    for (var l = 0u; l < 4u; l++) {
        let e = t + l * nt;
        if e < ua {
            if TRANS_A {
                ra[l] = a_unit(row0 + 4u * (e % (BM / 4u)), p0 + e / (BM / 4u));
            } else {
                ra[l] = a_unit(row0 + e / (BK / 4u), p0 + 4u * (e % (BK / 4u)));
            }
        }
        if e < ub {
            if TRANS_B {
                rb[l] = b_unit(p0 + 4u * (e % (BK / 4u)), col0 + e / (BK / 4u));
            } else {
                rb[l] = b_unit(p0 + e / (BN / 4u), col0 + 4u * (e % (BN / 4u)));
            }
        }
    }
}

// Stores the staged units into tile buffer `buf`.
fn store_slice(t: u32, buf: u32) {
    let nt = WG_X * WG_Y;
    let ua = BM * BK / 4u;
    let ub = BK * BN / 4u;
    let ba = buf * BK * SA4;
    let bb = buf * BK * SB4;
    for (var l = 0u; l < 4u; l++) {
        let e = t + l * nt;
        if e < ua {
            if TRANS_A {
                a_tile[ba + (e / (BM / 4u)) * SA4 + e % (BM / 4u)] = ra[l];
            } else {
                let i = e / (BK / 4u);
                let q = 4u * (e % (BK / 4u));
                for (var x = 0u; x < 4u; x++) {
                    a_tile[ba + (q + x) * SA4 + i / 4u][i % 4u] = ra[l][x];
                }
            }
        }
        if e < ub {
            if TRANS_B {
                let j = e / (BK / 4u);
                let q = 4u * (e % (BK / 4u));
                for (var x = 0u; x < 4u; x++) {
                    b_tile[bb + (q + x) * SB4 + j / 4u][j % 4u] = rb[l][x];
                }
            } else {
                b_tile[bb + (e / (BN / 4u)) * SB4 + e % (BN / 4u)] = rb[l];
            }
        }
    }
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_tiled(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let row0 = wid.y * BM;
    let col0 = wid.x * BN;
    let tm4 = TM / 4u;
    let tn4 = TN / 4u;
    // acc[r * 2 + v]: row r of the thread's block, column group v.
    var acc: array<vec4<f32>, 16>;
    for (var r = 0u; r < 16u; r++) {
        acc[r] = vec4<f32>(0.0);
    }
    let slices = (p.k + BK - 1u) / BK;
    if slices > 0u {
        load_slice(t, row0, col0, 0u);
        store_slice(t, 0u);
    }
    workgroupBarrier();
    for (var s = 0u; s < slices; s++) {
        let cur = s & 1u;
        let more = s + 1u < slices;
        if more {
            load_slice(t, row0, col0, (s + 1u) * BK);
        }
        let ba = cur * BK * SA4;
        let bb = cur * BK * SB4;
        for (var q = 0u; q < BK; q++) {
            var af: array<vec4<f32>, 2>;
            var bf: array<vec4<f32>, 2>;
            for (var u = 0u; u < tm4; u++) {
                af[u] = a_tile[ba + q * SA4 + u * WG_Y + lid.y];
            }
            for (var v = 0u; v < tn4; v++) {
                bf[v] = b_tile[bb + q * SB4 + v * WG_X + lid.x];
            }
            for (var u = 0u; u < tm4; u++) {
                for (var e = 0u; e < 4u; e++) {
                    let x = af[u][e];
                    for (var v = 0u; v < tn4; v++) {
                        let r = (u * 4u + e) * 2u + v;
                        acc[r] = acc[r] + x * bf[v];
                    }
                }
            }
        }
        if more {
            store_slice(t, 1u - cur);
        }
        workgroupBarrier();
    }
    for (var u = 0u; u < tm4; u++) {
        for (var e = 0u; e < 4u; e++) {
            let i = row0 + (u * WG_Y + lid.y) * 4u + e;
            if CHECKED && i >= p.m {
                continue;
            }
            for (var v = 0u; v < tn4; v++) {
                let j = col0 + (v * WG_X + lid.x) * 4u;
                let val = acc[(u * 4u + e) * 2u + v];
                if VEC_C {
                    if CHECKED && j >= p.n {
                        continue;
                    }
                    let o = (i * p.n + j) >> 2u;
                    if p.beta == 0.0 {
                        c[o] = p.alpha * val;
                    } else {
                        c[o] = p.alpha * val + p.beta * c[o];
                    }
                } else {
                    for (var x = 0u; x < 4u; x++) {
                        if CHECKED && j + x >= p.n {
                            continue;
                        }
                        let o = i * p.n + j + x;
                        if p.beta == 0.0 {
                            c[o >> 2u][o & 3u] = p.alpha * val[x];
                        } else {
                            c[o >> 2u][o & 3u] = p.alpha * val[x] + p.beta * c[o >> 2u][o & 3u];
                        }
                    }
                }
            }
        }
    }
}

const MV_WG: u32 = 64u;
var<workgroup> partial: array<f32, 64>;

// m = 1, B stored [n, k]: workgroup `wid.x + wid.y · num_workgroups.x` computes output
// column j.
@compute @workgroup_size(64)
fn matvec_rows(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let j = wid.x + wid.y * nwg.x;
    var s = 0.0;
    if j < p.n {
        for (var q = t; q < p.k; q += MV_WG) {
            s = s + a_at(q) * b_at(j * p.k + q);
        }
    }
    partial[t] = s;
    workgroupBarrier();
    for (var w = MV_WG / 2u; w > 0u; w = w / 2u) {
        if t < w {
            partial[t] = partial[t] + partial[t + w];
        }
        workgroupBarrier();
    }
    if t == 0u && j < p.n {
        if p.beta == 0.0 {
            c[j >> 2u][j & 3u] = p.alpha * partial[0];
        } else {
            c[j >> 2u][j & 3u] = p.alpha * partial[0] + p.beta * c[j >> 2u][j & 3u];
        }
    }
}

// m = 1, B stored [k, n]: one thread per output column j.
@compute @workgroup_size(256)
fn matvec_cols(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let j = gid.x + gid.y * nwg.x * 256u;
    if j >= p.n {
        return;
    }
    var s = 0.0;
    for (var q = 0u; q < p.k; q++) {
        s = s + a_at(q) * b_at(q * p.n + j);
    }
    if p.beta == 0.0 {
        c[j >> 2u][j & 3u] = p.alpha * s;
    } else {
        c[j >> 2u][j & 3u] = p.alpha * s + p.beta * c[j >> 2u][j & 3u];
    }
}
