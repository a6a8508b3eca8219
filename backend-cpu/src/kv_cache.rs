//! The KV cache for inference: writing new keys/values, and attention of new queries against
//! the cache (prefill and decode); contract in [`hir_core::backend::kv_cache`].

use hir_core::backend::kv_cache::{check_attention, check_write};
use hir_core::backend::{CachedAttention, KvCacheShape, Result};
use rayon::prelude::*;

use crate::exp::exp;
use crate::memory::zeroed;
use crate::task_size::rows_per_task;

/// `y += alpha * x`.
#[inline(always)]
fn axpy_row(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `((a0 + a4) + (a1 + a5)) + ((a2 + a6) + (a3 + a7))`: how eight partial sums are combined
/// (the order of `attention_tiles::dot` and `attention_tiles::sum`).
#[inline(always)]
fn combine(a: &[f32; 8]) -> f32 {
    ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
}

/// `Σ x_i` with eight interleaved partial sums: the same operations, in the same order, as
/// `attention_tiles::sum`, inlined so that it is compiled for the caller's instruction set.
#[inline(always)]
fn sum(x: &[f32]) -> f32 {
    let c = x.chunks_exact(8);
    let tail: f32 = c.remainder().iter().sum();
    let mut acc = [0.0f32; 8];
    for x in c {
        for l in 0..8 {
            acc[l] += x[l];
        }
    }
    combine(&acc) + tail
}

/// `q · k` with eight interleaved partial sums: the same operations, in the same order, as
/// `attention_tiles::dot`, inlined so that it is compiled for the caller's instruction set.
#[inline(always)]
fn dot(q: &[f32], k: &[f32]) -> f32 {
    let (qc, kc) = (q.chunks_exact(8), k.chunks_exact(8));
    let mut tail = 0.0f32;
    for (&x, &y) in qc.remainder().iter().zip(kc.remainder()) {
        tail += x * y;
    }
    let mut acc = [0.0f32; 8];
    for (x, y) in qc.zip(kc) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    combine(&acc) + tail
}

/// [`dot`] with AVX2 intrinsics: one 8-lane register holds the eight partial sums, each lane
/// a multiply then an add (no FMA), combined as [`combine`] does, so the bits are [`dot`]'s.
/// (Left to itself, the compiler vectorised [`dot`] across the heads of a group with
/// shuffles, at about half the speed.)
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot_avx2(q: &[f32], k: &[f32]) -> f32 {
    use std::arch::x86_64::_mm256_storeu_ps;
    use std::arch::x86_64::{_mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_setzero_ps};
    let n = q.len().min(k.len());
    let full = n / 8 * 8;
    let mut tail = 0.0f32;
    for (&x, &y) in q[full..n].iter().zip(&k[full..n]) {
        tail += x * y;
    }
    let mut acc = _mm256_setzero_ps();
    for c in (0..full).step_by(8) {
        // SAFETY: `c + 8 ≤ full ≤ n`, so eight floats from `c` lie inside `q` and `k`.
        let (x, y) = unsafe {
            (
                _mm256_loadu_ps(q.as_ptr().add(c)),
                _mm256_loadu_ps(k.as_ptr().add(c)),
            )
        };
        acc = _mm256_add_ps(acc, _mm256_mul_ps(x, y));
    }
    let mut lanes = [0.0f32; 8];
    // SAFETY: `lanes` holds eight floats.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), acc) };
    combine(&lanes) + tail
}

/// [`dot`], through [`dot_avx2`] when `AVX2` (set only by [`attend_group_avx2`]).
#[inline(always)]
fn dot_for<const AVX2: bool>(q: &[f32], k: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        // SAFETY: `AVX2` is true only inside `attend_group_avx2`, which runs only after
        // `is_x86_feature_detected!("avx2")` said yes.
        return unsafe { dot_avx2(q, k) };
    }
    dot(q, k)
}

/// The keys and values one query row attends to: key `j < n` is `k[off + j·stride ..][..E]`
/// (and likewise `v`).
#[derive(Clone, Copy)]
struct KeyRows<'a> {
    k: &'a [f32],
    v: &'a [f32],
    off: usize,
    stride: usize,
    n: usize,
}

/// The query heads that share one key/value head, for one token: the arguments of
/// [`attend_group`].
struct GroupJob<'a, 'b> {
    /// `G` query rows, `[G, E]`.
    q: &'a [f32],
    /// Head size `E`.
    e: usize,
    keys: KeyRows<'a>,
    scale: f32,
    /// Scratch space.
    scores: &'b mut Vec<f32>,
    /// `[G, E]`.
    out: &'b mut [f32],
}

/// Attention of the `G` query rows of `job.q` against the keys they share. Each key and
/// value row is loaded once for all `G` heads (from L1 for the second and later ones); per
/// head the operations and their order are those of one row on its own (the same bits).
/// Inlined into one copy per instruction set ([`attend_group`]).
#[inline(always)]
fn attend_group_body<const AVX2: bool>(job: GroupJob<'_, '_>) {
    let GroupJob {
        q,
        e,
        keys,
        scale,
        scores,
        out,
    } = job;
    let KeyRows {
        k,
        v,
        off,
        stride,
        n,
    } = keys;
    let g = q.len() / e;
    // scores[t·n + j] for head t and key j, then one 1/Σ per head.
    scores.clear();
    scores.resize(g * n + g, 0.0);
    let (s_all, invs) = scores.split_at_mut(g * n);
    for j in 0..n {
        let kj = &k[off + j * stride..][..e];
        for t in 0..g {
            s_all[t * n + j] = dot_for::<AVX2>(&q[t * e..][..e], kj) * scale;
        }
    }
    for (row, inv) in s_all.chunks_exact_mut(n).zip(invs.iter_mut()) {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
        for s in row.iter_mut() {
            *s = exp(*s - max);
        }
        *inv = 1.0 / sum(row);
    }
    out.fill(0.0);
    for j in 0..n {
        let vj = &v[off + j * stride..][..e];
        for (t, o) in out.chunks_exact_mut(e).enumerate() {
            axpy_row(s_all[t * n + j] * invs[t], vj, o);
        }
    }
}

/// [`attend_group_body`] compiled for AVX2: 8-wide vectors instead of SSE's 4. Plain
/// multiplies and adds only (Rust never fuses them into FMA), so the bits are those of the
/// baseline build.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn attend_group_avx2(job: GroupJob<'_, '_>) {
    attend_group_body::<true>(job)
}

/// Attention of one group of query rows, on the widest instruction set the CPU has (`avx2`
/// says whether it has AVX2; the result is the same bits either way).
fn attend_group(job: GroupJob<'_, '_>, avx2: bool) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: `avx2` is true only when the running CPU reports AVX2 (checked by the
        // caller with `is_x86_feature_detected!`).
        return unsafe { attend_group_avx2(job) };
    }
    let _ = avx2;
    attend_group_body::<false>(job)
}

/// Whether [`attend_group`] may use its AVX2 copy on this CPU.
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `cache[slot[i], pos[i]] = x[i]` for every token `i`, in token order (a later token wins
/// when two write the same place).
pub(crate) fn kv_cache_write(
    cache: &mut [f32],
    x: &[f32],
    slot: &[u32],
    pos: &[u32],
    shape: KvCacheShape,
) -> Result<()> {
    let n = check_write((cache.len(), x.len()), slot, pos, shape)?.tokens;
    let (max_len, row) = (shape.max_len, shape.kv_heads * shape.head_dim);
    for i in 0..n {
        let at = (slot[i] as usize * max_len + pos[i] as usize) * row;
        cache[at..at + row].copy_from_slice(&x[i * row..(i + 1) * row]);
    }
    Ok(())
}

/// Query `i` attends to `cache[slot[i], 0..=pos[i]]`. Returns `o: [N, H, E]`.
///
/// The same math as the training forward (`crate::attention`) one query row at
/// a time (decoding attends one new row per sequence, too little for the blocked `gemm`
/// path), so on the same tokens the two agree up to f32 rounding of the reordered sums.
///
/// The (token, key/value head) groups run in parallel, each task taking enough consecutive
/// groups for [`crate::task_size::MIN_TASK_WORK`]: a single decoding sequence still spreads
/// its heads over the threads once its cache is long enough, and a short one runs on the
/// calling thread. Every row is computed by itself, so the split never changes a bit.
pub(crate) fn attention_cached(
    q: &[f32],
    k_cache: &[f32],
    v_cache: &[f32],
    slot: &[u32],
    pos: &[u32],
    shape: CachedAttention,
) -> Result<Vec<f32>> {
    check_attention((q.len(), k_cache.len(), v_cache.len()), slot, pos, shape)?;
    let max_len = shape.max_len;
    let (heads, kv_heads, e) = (
        shape.shape.heads,
        shape.shape.kv_heads,
        shape.shape.head_dim,
    );
    let (group, stride) = (heads / kv_heads, kv_heads * e);
    let scale = (1.0 / (e as f64).sqrt()) as f32;
    let mut o = zeroed(q.len());
    if o.is_empty() {
        return Ok(o);
    }
    // Each query row reads every key and value once (a dot product and an axpy): 2·E per key.
    let keys: usize = pos.iter().map(|&p| p as usize + 1).sum();
    let work_per_group = 2 * e * group * keys.div_ceil(pos.len());
    let avx2 = has_avx2();
    // Heads `g·G .. (g+1)·G` of a token share key/value head `g` and are consecutive in `o`.
    o.par_chunks_mut(group * e)
        .enumerate()
        .with_min_len(rows_per_task(work_per_group))
        .for_each_init(Vec::new, |scores, (r, out)| {
            let (i, g) = (r / kv_heads, r % kv_heads);
            let keys = KeyRows {
                k: k_cache,
                v: v_cache,
                off: slot[i] as usize * max_len * stride + g * e,
                stride,
                n: pos[i] as usize + 1,
            };
            let job = GroupJob {
                q: &q[r * group * e..][..group * e],
                e,
                keys,
                scale,
                scores,
                out,
            };
            attend_group(job, avx2);
        });
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention_tiles;

    /// One query row as it was computed before [`dot4`] and the AVX2 copy: one key at a time
    /// through `attention_tiles::{dot, sum}`. The new row must give the same bits.
    fn attend_row_before(q: &[f32], keys: KeyRows<'_>, scale: f32, out: &mut [f32]) {
        let KeyRows {
            k,
            v,
            off,
            stride,
            n,
        } = keys;
        let e = q.len();
        let mut scores = Vec::new();
        let mut max = f32::NEG_INFINITY;
        for j in 0..n {
            let s = attention_tiles::dot(q, &k[off + j * stride..][..e]) * scale;
            max = max.max(s);
            scores.push(s);
        }
        for s in scores.iter_mut() {
            *s = exp(*s - max);
        }
        let inv = 1.0 / attention_tiles::sum(&scores);
        out.fill(0.0);
        for (j, &p) in scores.iter().enumerate() {
            axpy_row(p * inv, &v[off + j * stride..][..e], out);
        }
    }

    #[test]
    fn a_group_is_the_same_bits_as_rows_before_on_every_instruction_set() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 6.0
        };
        for e in [1usize, 5, 8, 12, 64, 67] {
            for n in [1usize, 2, 3, 4, 5, 8, 13, 37, 130] {
                let stride = 3 * e;
                let k: Vec<f32> = (0..n * stride + e).map(|_| next()).collect();
                let v: Vec<f32> = (0..n * stride + e).map(|_| next()).collect();
                let q: Vec<f32> = (0..e).map(|_| next()).collect();
                let keys = KeyRows {
                    k: &k,
                    v: &v,
                    off: e,
                    stride,
                    n,
                };
                let scale = 0.37;
                for avx2 in [false, has_avx2()] {
                    for g in [1usize, 3] {
                        let qs: Vec<f32> =
                            (0..g * e).map(|i| q[i % e] * (1.0 + i as f32)).collect();
                        let (mut scores, mut got) = (Vec::new(), vec![0.0f32; g * e]);
                        let job = GroupJob {
                            q: &qs,
                            e,
                            keys,
                            scale,
                            scores: &mut scores,
                            out: &mut got,
                        };
                        attend_group(job, avx2);
                        for t in 0..g {
                            let mut want = vec![0.0f32; e];
                            attend_row_before(&qs[t * e..][..e], keys, scale, &mut want);
                            let bits =
                                |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                            assert_eq!(
                                bits(&got[t * e..][..e]),
                                bits(&want),
                                "e {e} n {n} avx2 {avx2} head {t} of {g}"
                            );
                        }
                    }
                }
            }
        }
    }
}
