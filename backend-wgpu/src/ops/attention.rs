//! Causal grouped-query attention for training, forward and backward (contract in
//! `hir_core::backend::attention`, kernels in `hir_kernels::ATTENTION`; the tiling is
//! described at the top of `attention.wgsl`), and the limits the KV-cache kernels share
//! with them (`ops/kv_cache.rs`).
//!
//! The training kernels run one workgroup per (tile of up to `ROWS / S` rows of one sequence,
//! head), `S` threads per row each taking every `S`-th key (or query) and merging their
//! partial states at the end in a fixed order (the flash-decoding split); the host picks `S`
//! ([`splits`]) from the longest sequence and lists the tiles (sequence start, sequence end,
//! first row) from `seq_starts`, which it already holds. The backward is FlashAttention-2's:
//! `D = rowsum(dO∘O)` first, then one pass for dQ (per query tile) and one for dK/dV (per key
//! tile and query head), then, for grouped-query attention, a fixed-order sum over the heads
//! of each group. No float atomics, so every result is deterministic.
//!
//! Limits: head sizes up to [`MAX_HEAD_DIM`]; on lavapipe, whose shader invocations stop
//! silently after 65535 loop iterations, sequences (or cached contexts) longer than the
//! kernels fit in that budget even at [`MAX_SPLITS`] threads per row (about 22,000 tokens at
//! head size 64, 11,000 at 128, 2,900 at 256; cached contexts: about 8,400 to 9,400 keys) are
//! refused with a [`BackendError::Device`] rather than computed wrongly. Other
//! devices have no length limit.

use hir_core::backend::attention::{check_backward, check_forward, AttentionDims};
use hir_core::backend::shape::err;
use hir_core::backend::{AttentionSaved, AttentionShape, BackendError, Result};
use hir_kernels::ATTENTION;

use crate::dispatch::{grid_1d, to_u32, Binding, Kernel, Params, MAX_GROUPS_PER_DIM};
use crate::gpu::Gpu;
use crate::ops::memory::upload_index;
use crate::tensor::WgpuTensor;

/// Threads per workgroup of the tiled kernels, so rows per tile at one thread per row
/// (`ROWS` in the WGSL; also the workgroup size of the KV-cache kernels).
pub(crate) const ROWS: usize = 64;
/// vec4 of one K/V (or Q/dO) tile in workgroup memory (`TILE_VEC` in the WGSL): two tiles
/// plus the small per-row arrays stay within WebGPU's default 16 KiB of workgroup storage.
const TILE_VEC: usize = 480;
/// vec4 per thread and round of the merge of the split partial states (`MERGE_VEC`).
const MERGE_VEC: usize = TILE_VEC / ROWS;
/// The most threads that share one row of the training kernels (`S`; a power of two).
pub(crate) const MAX_SPLITS: usize = 16;
/// The largest head size the kernels support (`4 · MAX_E4` in the WGSL: private
/// accumulators of `MAX_E4` vec4; `MAX_E` in `kv_cache.wgsl`).
pub(crate) const MAX_HEAD_DIM: usize = 256;
/// Loop iterations one shader invocation may run on lavapipe (Mesa's llvmpipe stops an
/// invocation silently after 65535 in total, observed on Mesa 22.3 — see `attention.wgsl`),
/// less a margin for the estimates below.
const LAVAPIPE_LOOP_BUDGET: usize = 60_000;

/// Refuses, on lavapipe only, a call whose kernels would run more loop iterations per
/// invocation (`estimate`) than lavapipe executes, instead of returning silently wrong
/// results. Other drivers have no such cap.
pub(crate) fn check_loop_budget(
    gpu: &Gpu,
    op: &'static str,
    estimate: usize,
    what: String,
) -> Result<()> {
    if estimate > LAVAPIPE_LOOP_BUDGET && gpu.summary.name.contains("llvmpipe") {
        return Err(BackendError::Device(format!(
            "{op}: {what} needs about {estimate} loop iterations per shader invocation, more \
             than lavapipe (llvmpipe) executes (65535); use a shorter sequence, the CPU \
             backend, or a hardware GPU"
        )));
    }
    Ok(())
}

/// Iterations of one unrolled-by-4 loop over the head dimension (`kv_cache.wgsl`).
pub(crate) fn unrolled(e: usize) -> usize {
    e / 4 + e % 4
}

/// Rows of one staged tile of the training kernels (`kv_rows`): `TILE_VEC` vec4 hold
/// `TILE_VEC / ceil(E / 4)` head vectors, at most [`ROWS`].
fn kv_rows(e: usize) -> usize {
    (TILE_VEC / e.div_ceil(4).max(1)).min(ROWS)
}

/// Estimated loop iterations of the busiest invocation of the training kernels (forward,
/// dQ, dK/dV) for a sequence of `t` tokens with `splits` threads per row: per own key or
/// query (every `splits`-th) two vec4 head-dim loops and the key loops themselves; per
/// staged tile the staging loop and the loop overheads; the row's loads and writes; and the
/// merge of the split states (rounds of [`MERGE_VEC`] vec4, each summing `splits` terms).
///
/// lavapipe runs 8 invocations in lockstep with one loop counter, so a loop counts the
/// most iterations any of them runs: per staged tile of `kv_rows` keys, `ceil(kv_rows /
/// splits)` own keys (not `kv_rows / splits`), which is why splitting beyond `kv_rows`
/// gains nothing.
fn training_loop_estimate(t: usize, e: usize, splits: usize) -> usize {
    let w = e.div_ceil(4);
    let kv_rows = kv_rows(e);
    let tiles = t.div_ceil(kv_rows);
    let items = tiles * kv_rows.div_ceil(splits);
    let stage = (kv_rows * w).div_ceil(ROWS);
    let merge = 2 * splits + w.div_ceil(MERGE_VEC) * (MERGE_VEC + 2 + MERGE_VEC * (splits + 6));
    items * (2 * w + 2) + tiles * (stage + 4) + 6 * w + merge
}

/// Threads per row (`S`) of the training kernels for a longest sequence of `t` tokens: the
/// fewest (a power of two up to [`MAX_SPLITS`]) whose busiest invocation fits lavapipe's
/// loop budget. Chosen the same way on every device, so a hardware GPU runs the
/// configuration the lavapipe suite tests; for long sequences it also makes more, shorter
/// workgroups, which helps a large GPU more than it costs (K/V tiles are staged `S` times as
/// often, from cache).
fn splits(t: usize, e: usize) -> usize {
    let mut s = 1;
    while s < MAX_SPLITS && training_loop_estimate(t, e, s) > LAVAPIPE_LOOP_BUDGET {
        s *= 2;
    }
    s
}

/// Workgroup counts for `count` row workgroups: x (≤ 65535) times layers of x, the layers on
/// z when `spread_on_z` (then `other` workgroups along y) and on y otherwise (then `other`
/// along z). The kernels flatten the row number as `layer · num_workgroups.x + x`.
pub(crate) fn grid_rows(count: usize, other: u32, spread_on_z: bool) -> [u32; 3] {
    let x = count.min(MAX_GROUPS_PER_DIM as usize) as u32;
    let layers = count.div_ceil(MAX_GROUPS_PER_DIM as usize) as u32;
    if spread_on_z {
        [x, other, layers]
    } else {
        [x, layers, other]
    }
}

/// The kernels' limits on the head layout, checked after the contract's checks: the head
/// size up to [`MAX_HEAD_DIM`] and a 32-bit head count.
pub(crate) fn check_kernel_heads(op: &'static str, shape: AttentionShape) -> Result<()> {
    let head_dim = shape.head_dim;
    if head_dim > MAX_HEAD_DIM {
        return Err(err(
            op,
            format!("head_dim ({head_dim}) exceeds the wgpu kernels' limit of {MAX_HEAD_DIM}"),
        ));
    }
    to_u32(op, "heads", shape.heads)?;
    Ok(())
}

/// Validated sizes of a training attention call and its tile list.
struct Dims {
    heads: usize,
    kv_heads: usize,
    e: usize,
    /// Tokens `N`.
    n: usize,
    /// The longest sequence.
    longest: usize,
    /// Threads per row ([`splits`]).
    splits: usize,
    /// `(sequence start, sequence end, first row)` per tile, flattened.
    tiles: Vec<u32>,
}

impl Dims {
    /// The grid of the tiled dispatches: the tiles on x and z ([`grid_rows`]), the heads on
    /// y; `None` when there are no tiles.
    fn tile_grid(&self, op: &'static str) -> Result<Option<[u32; 3]>> {
        let count = self.tiles.len() / 3;
        if count.div_ceil(MAX_GROUPS_PER_DIM as usize) > MAX_GROUPS_PER_DIM as usize {
            return Err(err(
                op,
                format!(
                    "N = {} tokens make {count} tiles of {}, more than one dispatch holds",
                    self.n,
                    ROWS / self.splits
                ),
            ));
        }
        if self.heads > MAX_GROUPS_PER_DIM as usize {
            return Err(err(
                op,
                format!(
                    "{} heads exceed one dispatch ({MAX_GROUPS_PER_DIM})",
                    self.heads
                ),
            ));
        }
        Ok((count > 0).then(|| grid_rows(count, self.heads as u32, true)))
    }

    /// See [`check_loop_budget`].
    fn check_budget(&self, gpu: &Gpu, op: &'static str) -> Result<()> {
        check_loop_budget(
            gpu,
            op,
            training_loop_estimate(self.longest, self.e, self.splits),
            format!(
                "a sequence of {} tokens with head_dim {}",
                self.longest, self.e
            ),
        )
    }

    /// The kernels' parameter block (`AttnParams`): `n` depends on the kernel.
    fn params(&self, n: usize) -> Params {
        attn_params(
            AttentionShape::new(self.heads, self.kv_heads, self.e),
            n,
            0,
            self.splits,
        )
    }
}

/// The `AttnParams` block (`attention.wgsl`, `kv_cache.wgsl`): heads, kv_heads, head_dim,
/// kv_rows, scale, n, max_len, splits (threads per row of the training kernels).
pub(crate) fn attn_params(
    shape: AttentionShape,
    n: usize,
    max_len: usize,
    splits: usize,
) -> Params {
    let AttentionShape {
        heads,
        kv_heads,
        head_dim: e,
    } = shape;
    let kv_rows = kv_rows(e);
    let scale = (1.0 / (e as f64).sqrt()) as f32;
    Params::new()
        .u32(heads as u32)
        .u32(kv_heads as u32)
        .u32(e as u32)
        .u32(kv_rows as u32)
        .f32(scale)
        .u32(n as u32)
        .u32(max_len as u32)
        .u32(splits as u32)
}

/// The kernels' checks after the contract's (`checked`), and the tile list of the (checked)
/// `seq_starts`.
fn dims(
    op: &'static str,
    checked: AttentionDims,
    q_len: usize,
    seq_starts: &[u32],
) -> Result<Dims> {
    let shape = checked.shape;
    check_kernel_heads(op, shape)?;
    to_u32(op, "q.len()", q_len)?;
    let e = shape.head_dim;
    let longest = seq_starts
        .windows(2)
        .map(|w| (w[1] - w[0]) as usize)
        .max()
        .unwrap_or(0);
    let splits = splits(longest, e);
    let mut tiles = Vec::new();
    for w in seq_starts.windows(2) {
        let (a, b) = (w[0], w[1]);
        for t0 in (0..b - a).step_by(ROWS / splits) {
            tiles.extend([a, b, t0]);
        }
    }
    Ok(Dims {
        heads: shape.heads,
        kv_heads: shape.kv_heads,
        e,
        n: checked.tokens,
        longest,
        splits,
        tiles,
    })
}

/// See `Backend::attention`.
pub(crate) fn attention(
    gpu: &Gpu,
    q: &WgpuTensor,
    k: &WgpuTensor,
    v: &WgpuTensor,
    seq_starts: &[u32],
    shape: AttentionShape,
) -> Result<(WgpuTensor, WgpuTensor)> {
    const OP: &str = "attention";
    let checked = check_forward((q.len, k.len, v.len), seq_starts, shape)?;
    let d = dims(OP, checked, q.len, seq_starts)?;
    let heads = d.heads;
    let grid = d.tile_grid(OP)?;
    d.check_budget(gpu, OP)?;
    let o = gpu.alloc(q.len);
    let lse = gpu.alloc(d.n * heads);
    if let Some(grid) = grid {
        let tile_list = upload_index(gpu, &d.tiles)?;
        gpu.dispatch(
            Kernel::new(ATTENTION, "attention_forward"),
            &[
                Binding::index(&tile_list),
                Binding::read(q),
                Binding::read(k),
                Binding::read(v),
                Binding::write(&o),
                Binding::write(&lse),
            ],
            &d.params(d.n),
            grid,
        )?;
    }
    Ok((o, lse))
}

/// See `Backend::attention_backward`.
pub(crate) fn attention_backward(
    gpu: &Gpu,
    d_o: &WgpuTensor,
    saved: AttentionSaved<'_, WgpuTensor>,
    seq_starts: &[u32],
    shape: AttentionShape,
) -> Result<(WgpuTensor, WgpuTensor, WgpuTensor)> {
    const OP: &str = "attention_backward";
    let checked = check_backward(d_o, saved, |t| t.len, seq_starts, shape)?;
    let AttentionSaved { q, k, v, o, lse } = saved;
    let d = dims(OP, checked, q.len, seq_starts)?;
    let (heads, kv_heads) = (d.heads, d.kv_heads);
    let grid = d.tile_grid(OP)?;
    d.check_budget(gpu, OP)?;
    let rows = d.n * heads;
    let dq = gpu.alloc(q.len);
    let dk = gpu.alloc(k.len);
    let dv = gpu.alloc(v.len);
    let Some(grid) = grid else {
        return Ok((dq, dk, dv));
    };
    // (lse, D = do·o) per (token, query head).
    let ld = gpu.alloc(2 * rows);
    gpu.dispatch(
        Kernel::new(ATTENTION, "attention_delta"),
        &[
            Binding::read(d_o),
            Binding::read(o),
            Binding::read(lse),
            Binding::write(&ld),
        ],
        &d.params(rows),
        grid_1d(rows, 256),
    )?;
    let tile_list = upload_index(gpu, &d.tiles)?;
    let inputs = [
        Binding::index(&tile_list),
        Binding::read(q),
        Binding::read(k),
        Binding::read(v),
        Binding::read(d_o),
        Binding::read(&ld),
    ];
    let mut b = inputs.to_vec();
    b.push(Binding::write(&dq));
    gpu.dispatch(
        Kernel::new(ATTENTION, "attention_dq"),
        &b,
        &d.params(d.n),
        grid,
    )?;
    if heads == kv_heads {
        // One query head per key/value head: the per-head result is dk, dv.
        let mut b = inputs.to_vec();
        b.extend([Binding::write(&dk), Binding::write(&dv)]);
        gpu.dispatch(
            Kernel::new(ATTENTION, "attention_dkdv"),
            &b,
            &d.params(d.n),
            grid,
        )?;
    } else {
        let (dk_h, dv_h) = (gpu.alloc(q.len), gpu.alloc(q.len));
        let mut b = inputs.to_vec();
        b.extend([Binding::write(&dk_h), Binding::write(&dv_h)]);
        gpu.dispatch(
            Kernel::new(ATTENTION, "attention_dkdv"),
            &b,
            &d.params(d.n),
            grid,
        )?;
        gpu.dispatch(
            Kernel::new(ATTENTION, "attention_group_sum"),
            &[
                Binding::read(&dk_h),
                Binding::read(&dv_h),
                Binding::write(&dk),
                Binding::write(&dv),
            ],
            &d.params(k.len),
            grid_1d(k.len, 256),
        )?;
    }
    Ok((dq, dk, dv))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The threads per row at the lengths the shared suite tests (`backend-tests`:
    /// `attention::LONG_2048`, `SPLIT_EDGES`), so those cases keep covering the boundaries.
    #[test]
    fn splits_at_the_tested_lengths() {
        assert_eq!(splits(635, 64), 1);
        assert_eq!(splits(2048, 64), 2);
        assert_eq!(splits(2048, 128), 4);
        assert_eq!(splits(448, 256), 1);
        assert_eq!(splits(449, 256), 2);
        assert_eq!(splits(777, 256), 2);
        assert_eq!(splits(778, 256), 4);
        assert_eq!(splits(2048, 256), 8);
    }

    /// Within lavapipe's budget up to the documented lengths, beyond it after them.
    #[test]
    fn loop_cap_lengths() {
        for (e, fits, beyond) in [
            (64, 22_000, 23_000),
            (128, 11_000, 12_000),
            (256, 2_900, 3_000),
        ] {
            let at = |t| training_loop_estimate(t, e, splits(t, e));
            assert!(at(fits) <= LAVAPIPE_LOOP_BUDGET, "E = {e}, T = {fits}");
            assert!(at(beyond) > LAVAPIPE_LOOP_BUDGET, "E = {e}, T = {beyond}");
        }
    }
}
