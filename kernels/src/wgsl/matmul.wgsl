// C = alpha · op(A) · op(B) + beta · C, op(X) = Xᵀ when the transpose flag is set.
// op(A) is [m, k], op(B) is [k, n], C is [m, n], all row-major.
//
// `matmul_tiled`: a 16×16-thread workgroup computes a 64×64 tile of C, each thread a 4×4
// register block (rows ty + 16·r, columns tx + 16·c, so that neighbouring threads touch
// neighbouring addresses). The k dimension is walked in slices of 16: each slice of op(A)
// (64×16) and op(B) (16×64) is staged in workgroup memory, loaded along the stored matrix's
// contiguous dimension whatever the transpose. Every output sums its k products in order
// p = 0, 1, …, k−1.
//
// Override constants select the variant (one pipeline each):
// - TRANS_A / TRANS_B: the stored layouts.
// - CHECKED: bounds checks on loads and stores. The host selects CHECKED = false only when
//   m and n are multiples of 64 and k a multiple of 16, where every access is in range.
//
// `matvec`: m = 1 (decoding). With op(B) = Bᵀ (B stored [n, k], rows contiguous), one
// workgroup of 64 threads per output reduces a row of B against a; with B stored [k, n], one
// thread per output walks down a column (neighbouring threads read neighbouring addresses).
// op(A) of a single row is the same vector whatever TRANS_A.

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override CHECKED: bool = true;

struct Params {
    m: u32,
    k: u32,
    n: u32,
    alpha: f32,
    beta: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TM: u32 = 64u;   // rows of C per workgroup
const TN: u32 = 64u;   // columns of C per workgroup
const TK: u32 = 16u;   // k slice

var<workgroup> a_tile: array<f32, 1024>;   // [TK][TM]: a_tile[q * TM + i] = op(A)[row0 + i, p0 + q]
var<workgroup> b_tile: array<f32, 1024>;   // [TK][TN]: b_tile[q * TN + j] = op(B)[p0 + q, col0 + j]

// op(A)[i, q] from storage (0 outside the matrix when CHECKED).
fn load_a(i: u32, q: u32) -> f32 {
    if CHECKED && (i >= p.m || q >= p.k) {
        return 0.0;
    }
    if TRANS_A {
        return a[q * p.m + i];
    }
    return a[i * p.k + q];
}

// op(B)[q, j] from storage (0 outside the matrix when CHECKED).
fn load_b(q: u32, j: u32) -> f32 {
    if CHECKED && (q >= p.k || j >= p.n) {
        return 0.0;
    }
    if TRANS_B {
        return b[j * p.k + q];
    }
    return b[q * p.n + j];
}

@compute @workgroup_size(16, 16)
fn matmul_tiled(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let row0 = wid.y * TM;
    let col0 = wid.x * TN;
    var acc: array<array<f32, 4>, 4>;
    for (var r = 0u; r < 4u; r++) {
        for (var cc = 0u; cc < 4u; cc++) {
            acc[r][cc] = 0.0;
        }
    }
    let slices = (p.k + TK - 1u) / TK;
    for (var s = 0u; s < slices; s++) {
        let p0 = s * TK;
        // 1024 elements of each tile, 4 per thread, along the stored contiguous dimension.
        for (var l = 0u; l < 4u; l++) {
            let e = t + l * 256u;
            if TRANS_A {
                // A stored [k, m]: contiguous along i.
                let q = e / TM;
                let i = e % TM;
                a_tile[q * TM + i] = load_a(row0 + i, p0 + q);
            } else {
                // A stored [m, k]: contiguous along q.
                let i = e / TK;
                let q = e % TK;
                a_tile[q * TM + i] = load_a(row0 + i, p0 + q);
            }
            if TRANS_B {
                // B stored [n, k]: contiguous along q.
                let j = e / TK;
                let q = e % TK;
                b_tile[q * TN + j] = load_b(p0 + q, col0 + j);
            } else {
                // B stored [k, n]: contiguous along j.
                let q = e / TN;
                let j = e % TN;
                b_tile[q * TN + j] = load_b(p0 + q, col0 + j);
            }
        }
        workgroupBarrier();
        for (var q = 0u; q < TK; q++) {
            var av: array<f32, 4>;
            var bv: array<f32, 4>;
            for (var r = 0u; r < 4u; r++) {
                av[r] = a_tile[q * TM + lid.y + 16u * r];
                bv[r] = b_tile[q * TN + lid.x + 16u * r];
            }
            for (var r = 0u; r < 4u; r++) {
                for (var cc = 0u; cc < 4u; cc++) {
                    acc[r][cc] = acc[r][cc] + av[r] * bv[cc];
                }
            }
        }
        workgroupBarrier();
    }
    for (var r = 0u; r < 4u; r++) {
        let i = row0 + lid.y + 16u * r;
        for (var cc = 0u; cc < 4u; cc++) {
            let j = col0 + lid.x + 16u * cc;
            if !CHECKED || (i < p.m && j < p.n) {
                let o = i * p.n + j;
                if p.beta == 0.0 {
                    c[o] = p.alpha * acc[r][cc];
                } else {
                    c[o] = p.alpha * acc[r][cc] + p.beta * c[o];
                }
            }
        }
    }
}

const MV_WG: u32 = 64u;
var<workgroup> partial: array<f32, 64>;

// m = 1, B stored [n, k]: workgroup `wid.x + wid.y · 65535` computes output column j.
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
            s = s + a[q] * b[j * p.k + q];
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
            c[j] = p.alpha * partial[0];
        } else {
            c[j] = p.alpha * partial[0] + p.beta * c[j];
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
        s = s + a[q] * b[q * p.n + j];
    }
    if p.beta == 0.0 {
        c[j] = p.alpha * s;
    } else {
        c[j] = p.alpha * s + p.beta * c[j];
    }
}
