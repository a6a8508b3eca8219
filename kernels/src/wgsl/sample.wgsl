// Seeded sampling: one token per row of logits [rows, V], greedy at temperature 0, otherwise
// softmax sampling at temperature T with optional top-p (nucleus) filtering.
//
// One workgroup of 256 threads per row. Thread r owns the contiguous columns
// [r·C, (r+1)·C), C = ceil(V / 256), so that a prefix sum over threads followed by a walk of
// each thread's own columns visits the vocabulary in ascending index order.
//
// 1. Argmax (largest value, lowest index on ties, NaN never wins, an all-NaN row gives 0): a
//    per-thread scan of its columns, then a tree reduction of (value, index) pairs. At
//    temperature 0 that is the answer.
// 2. p_j = exp(z_j/T − max/T) (recomputed on the fly in every pass, always by the same
//    expression, so every pass sees the same bits); total = Σ p. A non-finite or zero total
//    falls back to the argmax, as the reference does.
// 3. Top-p without sorting: the kept set (the smallest prefix of the tokens sorted by p
//    descending, lower index first on ties, whose mass reaches top_p · total) is
//    {p > v*} plus the first tokens with p = v* in index order, where v* is the largest value
//    x with M(x) = Σ_{p_j ≥ x} p_j ≥ top_p · total. v* is found by bisection on the bit
//    pattern of x (positive f32 order like their bits), one reduction of M per step (≤ 31
//    steps). A tie token j (p_j = v*) is kept when Σ_{p > v*} p + (ties before j) · v* is still
//    below the target (the ties before j come from a prefix count over threads).
// 4. The draw: thread r sums its kept p; an exclusive prefix sum over threads gives each
//    thread its starting running sum; with threshold = u · (kept mass) each thread walks its
//    columns and reports the first j whose running sum exceeds the threshold; the smallest
//    report wins (atomicMin), and if rounding left none, the last kept token (atomicMax).
//
// u = hir_core::rng::uniform(seed) of each row is computed on the host and uploaded.

struct SampleParams {
    rows: u32,
    vocab: u32,
    /// 0 = greedy.
    temperature: f32,
    /// In (0, 1]; ≥ 1 disables top-p.
    top_p: f32,
}

const WG: u32 = 256u;
const ONE_BITS: u32 = 0x3f800000u;

@group(0) @binding(0) var<uniform> P: SampleParams;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> uniforms: array<f32>;
@group(0) @binding(3) var<storage, read_write> ids: array<u32>;

var<workgroup> red_v: array<f32, WG>;
var<workgroup> red_i: array<u32, WG>;
var<workgroup> found: atomic<u32>;
var<workgroup> last_kept: atomic<u32>;

fn is_nan(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn is_finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

/// Whether candidate (bv, bi) beats (av, ai) for the argmax.
fn better(bv: f32, bi: u32, av: f32, ai: u32) -> bool {
    let an = is_nan(av);
    let bn = is_nan(bv);
    if an != bn {
        return an;
    }
    if an {
        return bi < ai;
    }
    return bv > av || (bv == av && bi < ai);
}

/// Sum over the workgroup; every thread gets the same value (uniform).
fn reduce_sum(val: f32, lid: u32) -> f32 {
    red_v[lid] = val;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            red_v[lid] = red_v[lid] + red_v[lid + s];
        }
        workgroupBarrier();
    }
    let total = workgroupUniformLoad(&red_v[0]);
    workgroupBarrier();
    return total;
}

/// Exclusive prefix sum of one f32 per thread (in thread order); also returns the total.
fn scan_f32(val: f32, lid: u32) -> vec2<f32> {
    red_v[lid] = val;
    workgroupBarrier();
    for (var off = 1u; off < WG; off <<= 1u) {
        var x = red_v[lid];
        if lid >= off {
            x += red_v[lid - off];
        }
        workgroupBarrier();
        red_v[lid] = x;
        workgroupBarrier();
    }
    var excl = 0.0;
    if lid > 0u {
        excl = red_v[lid - 1u];
    }
    let total = workgroupUniformLoad(&red_v[WG - 1u]);
    workgroupBarrier();
    return vec2<f32>(excl, total);
}

/// Exclusive prefix sum of one u32 per thread (in thread order).
fn scan_u32(val: u32, lid: u32) -> u32 {
    red_i[lid] = val;
    workgroupBarrier();
    for (var off = 1u; off < WG; off <<= 1u) {
        var x = red_i[lid];
        if lid >= off {
            x += red_i[lid - off];
        }
        workgroupBarrier();
        red_i[lid] = x;
        workgroupBarrier();
    }
    var excl = 0u;
    if lid > 0u {
        excl = red_i[lid - 1u];
    }
    workgroupBarrier();
    return excl;
}

@compute @workgroup_size(256)
fn sample_rows(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let r = wid.y * nwg.x + wid.x;
    if r >= P.rows {
        return;
    }
    let v = P.vocab;
    let base = r * v;
    let chunk = (v + WG - 1u) / WG;
    let j_begin = min(lid * chunk, v);
    let j_end = min(j_begin + chunk, v);

    // 1. argmax.
    var bv = logits[base + j_begin];
    var bi = j_begin;
    if j_begin >= j_end {
        bv = bitcast<f32>(0x7fc00000u);
        bi = 0xffffffffu;
    }
    for (var j = j_begin; j < j_end; j++) {
        let z = logits[base + j];
        if better(z, j, bv, bi) {
            bv = z;
            bi = j;
        }
    }
    red_v[lid] = bv;
    red_i[lid] = bi;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            if better(red_v[lid + s], red_i[lid + s], red_v[lid], red_i[lid]) {
                red_v[lid] = red_v[lid + s];
                red_i[lid] = red_i[lid + s];
            }
        }
        workgroupBarrier();
    }
    var best = workgroupUniformLoad(&red_i[0]);
    if best == 0xffffffffu {
        best = 0u;
    }
    let t = P.temperature;
    if t == 0.0 {
        if lid == 0u {
            ids[r] = best;
        }
        return;
    }
    let mt = logits[base + best] / t;

    // 2. total probability mass.
    var s = 0.0;
    for (var j = j_begin; j < j_end; j++) {
        s += exp(logits[base + j] / t - mt);
    }
    let total = reduce_sum(s, lid);
    if !(is_finite(total) && total > 0.0) {
        if lid == 0u {
            ids[r] = best;
        }
        return;
    }

    // 3. top-p threshold v* (all tokens kept when top_p ≥ 1: v* = 0 keeps every p ≥ 0).
    var vstar = 0.0;
    var above = 0.0;
    var tie_excl = 0u;
    let use_top_p = P.top_p < 1.0;
    let target_mass = P.top_p * total;
    if use_top_p {
        var lo = 0u;
        var hi = ONE_BITS + 1u;
        while hi - lo > 1u {
            let mid = lo + (hi - lo) / 2u;
            let x = bitcast<f32>(mid);
            var ms = 0.0;
            for (var j = j_begin; j < j_end; j++) {
                let p = exp(logits[base + j] / t - mt);
                if p >= x {
                    ms += p;
                }
            }
            if reduce_sum(ms, lid) >= target_mass {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        vstar = bitcast<f32>(lo);
        var ma = 0.0;
        var ties = 0u;
        for (var j = j_begin; j < j_end; j++) {
            let p = exp(logits[base + j] / t - mt);
            if p > vstar {
                ma += p;
            } else if p == vstar {
                ties += 1u;
            }
        }
        above = reduce_sum(ma, lid);
        tie_excl = scan_u32(ties, lid);
    }

    // 4. kept mass per thread, prefix over threads, then the walk.
    var kept_sum = 0.0;
    var tie_no = tie_excl;
    for (var j = j_begin; j < j_end; j++) {
        let p = exp(logits[base + j] / t - mt);
        var keep = p >= vstar;
        if use_top_p && p == vstar {
            keep = above + f32(tie_no) * vstar < target_mass;
            tie_no += 1u;
        }
        if keep {
            kept_sum += p;
        }
    }
    let pre = scan_f32(kept_sum, lid);
    let threshold = uniforms[r] * pre.y;
    if lid == 0u {
        atomicStore(&found, 0xffffffffu);
        atomicStore(&last_kept, 0u);
    }
    workgroupBarrier();
    var running = pre.x;
    tie_no = tie_excl;
    var hit = 0xffffffffu;
    var last = 0xffffffffu;
    for (var j = j_begin; j < j_end; j++) {
        let p = exp(logits[base + j] / t - mt);
        var keep = p >= vstar;
        if use_top_p && p == vstar {
            keep = above + f32(tie_no) * vstar < target_mass;
            tie_no += 1u;
        }
        if keep {
            running += p;
            last = j;
            if running > threshold && hit == 0xffffffffu {
                hit = j;
            }
        }
    }
    if hit != 0xffffffffu {
        atomicMin(&found, hit);
    }
    if last != 0xffffffffu {
        atomicMax(&last_kept, last);
    }
    workgroupBarrier();
    if lid == 0u {
        let f = atomicLoad(&found);
        ids[r] = select(f, atomicLoad(&last_kept), f == 0xffffffffu);
    }
}
