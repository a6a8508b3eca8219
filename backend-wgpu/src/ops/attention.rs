//! Attention ops: causal grouped-query attention (training forward and backward), the KV
//! cache write, and attention against the KV cache (kernels in `hir_kernels::ATTENTION`; the
//! tiling is described at the top of `attention.wgsl`).
//!
//! The training kernels run one workgroup per (tile of up to [`ROWS`] rows of one sequence,
//! head); the host lists the tiles (sequence start, sequence end, first row) from
//! `seq_starts`, which it already holds. The backward is FlashAttention-2's: `D = rowsum(dO∘O)`
//! first, then one pass for dQ (per query tile) and one for dK/dV (per key tile and query
//! head), then, for grouped-query attention, a fixed-order sum over the heads of each group.
//! No float atomics, so every result is deterministic.
//!
//! Limits: head sizes up to [`MAX_HEAD_DIM`]; on lavapipe, whose shader invocations stop
//! silently after 65535 loop iterations, sequences (or cached contexts) longer than the
//! kernels fit in that budget (about 1600 tokens at head size 64, 780 at 128) are refused with a
//! [`BackendError::Device`] rather than computed wrongly.

use hir_core::backend::{BackendError, Result};
use hir_kernels::ATTENTION;

use crate::dispatch::{grid_1d, Binding, Kernel, Params, MAX_GROUPS_PER_DIM};
use crate::gpu::Gpu;
use crate::ops::memory::upload_index;
use crate::shape::{check_ids, check_len, err, mul, rows_of, to_u32};
use crate::tensor::{WgpuIndex, WgpuTensor};

/// Rows per tile, and threads per workgroup of the tiled kernels (`ROWS` in the WGSL).
const ROWS: usize = 64;
/// Floats of one K/V (or Q/dO) tile in workgroup memory (`TILE_FLOATS` in the WGSL): two
/// tiles plus the small per-row arrays stay within WebGPU's default 16 KiB of workgroup
/// storage.
const TILE_FLOATS: usize = 1920;
/// The largest head size the kernels support (`MAX_E` in the WGSL: private accumulators).
pub(crate) const MAX_HEAD_DIM: usize = 256;
/// Loop iterations one shader invocation may run on lavapipe (Mesa's llvmpipe stops an
/// invocation silently after 65535 in total, observed on Mesa 22.3 — see `attention.wgsl`),
/// less a margin for the estimates below.
const LAVAPIPE_LOOP_BUDGET: usize = 60_000;

/// Refuses, on lavapipe only, a call whose kernels would run more loop iterations per
/// invocation (`estimate`) than lavapipe executes, instead of returning silently wrong
/// results. Other drivers have no such cap.
fn check_loop_budget(gpu: &Gpu, op: &'static str, estimate: usize, what: String) -> Result<()> {
    if estimate > LAVAPIPE_LOOP_BUDGET && gpu.summary.name.contains("llvmpipe") {
        return Err(BackendError::Device(format!(
            "{op}: {what} needs about {estimate} loop iterations per shader invocation, more \
             than lavapipe (llvmpipe) executes (65535); use a shorter sequence, the CPU \
             backend, or a hardware GPU"
        )));
    }
    Ok(())
}

/// Iterations of one unrolled-by-4 loop over the head dimension.
fn unrolled(e: usize) -> usize {
    e / 4 + e % 4
}

/// Estimated loop iterations of the busiest invocation of the training kernels (forward,
/// dQ, dK/dV) for a sequence of `t` tokens: per key or query two unrolled head-dim loops
/// and the key loop itself, per tile the staging and the rescale.
fn training_loop_estimate(t: usize, e: usize) -> usize {
    let kv_rows = (TILE_FLOATS / e).min(ROWS);
    let tiles = t.div_ceil(kv_rows);
    t * (2 * unrolled(e) + 2) + tiles * (e + (kv_rows * e).div_ceil(ROWS) + 2) + 2 * e
}

/// Estimated loop iterations of one `attention_cached` invocation attending to `keys` keys:
/// per tile of 64 keys one unrolled dot product, the max and the weighted sum.
fn cached_loop_estimate(keys: usize, e: usize) -> usize {
    keys.div_ceil(ROWS) * (unrolled(e) + 6 * ROWS + 4) + e
}

/// Checks the head counts and head size (as the CPU reference does, plus the kernels' limit
/// on the head size).
fn check_heads(op: &'static str, heads: usize, kv_heads: usize, head_dim: usize) -> Result<()> {
    if heads == 0 || kv_heads == 0 || head_dim == 0 {
        return Err(err(
            op,
            format!("heads ({heads}), kv_heads ({kv_heads}) and head_dim ({head_dim}) must be > 0"),
        ));
    }
    if !heads.is_multiple_of(kv_heads) {
        return Err(err(
            op,
            format!("heads ({heads}) must be a multiple of kv_heads ({kv_heads})"),
        ));
    }
    if head_dim > MAX_HEAD_DIM {
        return Err(err(
            op,
            format!("head_dim ({head_dim}) exceeds the wgpu kernels' limit of {MAX_HEAD_DIM}"),
        ));
    }
    to_u32(op, "heads", heads)?;
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
    /// `(sequence start, sequence end, first row)` per tile, flattened.
    tiles: Vec<u32>,
}

impl Dims {
    /// Number of tiles (the x size of the tiled dispatches).
    fn tile_count(&self, op: &'static str) -> Result<u32> {
        let count = self.tiles.len() / 3;
        if count > MAX_GROUPS_PER_DIM as usize {
            return Err(err(
                op,
                format!(
                    "N = {} tokens make {count} tiles of {ROWS}, more than one dispatch holds \
                     ({MAX_GROUPS_PER_DIM})",
                    self.n
                ),
            ));
        }
        Ok(count as u32)
    }

    /// See [`check_loop_budget`].
    fn check_budget(&self, gpu: &Gpu, op: &'static str) -> Result<()> {
        check_loop_budget(
            gpu,
            op,
            training_loop_estimate(self.longest, self.e),
            format!(
                "a sequence of {} tokens with head_dim {}",
                self.longest, self.e
            ),
        )
    }

    /// The kernels' parameter block (`AttnParams`): `n` and `max_len` depend on the kernel.
    fn params(&self, n: usize, max_len: usize) -> Params {
        attn_params(self.heads, self.kv_heads, self.e, n, max_len)
    }
}

/// The `AttnParams` block: heads, kv_heads, head_dim, kv_rows, scale, n, max_len, padding.
fn attn_params(heads: usize, kv_heads: usize, e: usize, n: usize, max_len: usize) -> Params {
    let kv_rows = (TILE_FLOATS / e).min(ROWS);
    let scale = (1.0 / (e as f64).sqrt()) as f32;
    Params::new()
        .u32(heads as u32)
        .u32(kv_heads as u32)
        .u32(e as u32)
        .u32(kv_rows as u32)
        .f32(scale)
        .u32(n as u32)
        .u32(max_len as u32)
        .u32(0)
}

/// Checks `q, k, v` and `seq_starts` (the CPU reference's checks and messages) and lists the
/// tiles.
#[allow(clippy::too_many_arguments)]
fn dims(
    op: &'static str,
    q: &WgpuTensor,
    k: &WgpuTensor,
    v: &WgpuTensor,
    seq_starts: &[u32],
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<Dims> {
    check_heads(op, heads, kv_heads, head_dim)?;
    let q_row = mul(op, &[heads, head_dim])?;
    if !q.len.is_multiple_of(q_row) {
        return Err(err(
            op,
            format!(
                "`q` has {} elements, not a multiple of heads·head_dim = {q_row}",
                q.len
            ),
        ));
    }
    let n = q.len / q_row;
    let kv_len = mul(op, &[n, kv_heads, head_dim])?;
    check_len(op, "k [N, kv_heads, head_dim]", k.len, kv_len)?;
    check_len(op, "v [N, kv_heads, head_dim]", v.len, kv_len)?;
    to_u32(op, "q.len()", q.len)?;
    if seq_starts.first() != Some(&0) || seq_starts.last().map(|&l| l as usize) != Some(n) {
        return Err(err(
            op,
            format!(
                "`seq_starts` must start at 0 and end at N = {n} (one entry per sequence plus \
                 the final N), got {seq_starts:?}"
            ),
        ));
    }
    let mut tiles = Vec::new();
    let mut longest = 0;
    for (s, w) in seq_starts.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        if b < a {
            return Err(err(
                op,
                format!("`seq_starts` must be non-decreasing, but entry {s} is {a} > {b}"),
            ));
        }
        longest = longest.max((b - a) as usize);
        for t0 in (0..b - a).step_by(ROWS) {
            tiles.extend([a, b, t0]);
        }
    }
    Ok(Dims {
        heads,
        kv_heads,
        e: head_dim,
        n,
        longest,
        tiles,
    })
}

/// Workgroup counts for `count` row workgroups: x (≤ 65535) times layers of x, the layers on
/// z when `spread_on_z` (then `other` workgroups along y) and on y otherwise (then `other`
/// along z). The kernels flatten the row number as `layer · num_workgroups.x + x`.
fn grid_rows(count: usize, other: u32, spread_on_z: bool) -> [u32; 3] {
    let x = count.min(MAX_GROUPS_PER_DIM as usize) as u32;
    let layers = count.div_ceil(MAX_GROUPS_PER_DIM as usize) as u32;
    if spread_on_z {
        [x, other, layers]
    } else {
        [x, layers, other]
    }
}

/// See `Backend::attention`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention(
    gpu: &Gpu,
    q: &WgpuTensor,
    k: &WgpuTensor,
    v: &WgpuTensor,
    seq_starts: &[u32],
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<(WgpuTensor, WgpuTensor)> {
    const OP: &str = "attention";
    let d = dims(OP, q, k, v, seq_starts, heads, kv_heads, head_dim)?;
    let tiles = d.tile_count(OP)?;
    d.check_budget(gpu, OP)?;
    let o = gpu.alloc(q.len);
    let lse = gpu.alloc(d.n * heads);
    if tiles > 0 {
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
            &d.params(d.n, 0),
            [tiles, heads as u32, 1],
        )?;
    }
    Ok((o, lse))
}

/// See `Backend::attention_backward`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention_backward(
    gpu: &Gpu,
    d_o: &WgpuTensor,
    q: &WgpuTensor,
    k: &WgpuTensor,
    v: &WgpuTensor,
    o: &WgpuTensor,
    lse: &WgpuTensor,
    seq_starts: &[u32],
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<(WgpuTensor, WgpuTensor, WgpuTensor)> {
    const OP: &str = "attention_backward";
    let d = dims(OP, q, k, v, seq_starts, heads, kv_heads, head_dim)?;
    check_len(OP, "d_o [N, H, E]", d_o.len, q.len)?;
    check_len(OP, "o [N, H, E]", o.len, q.len)?;
    check_len(OP, "lse [N, H]", lse.len, q.len / head_dim)?;
    let tiles = d.tile_count(OP)?;
    d.check_budget(gpu, OP)?;
    let rows = d.n * heads;
    let dq = gpu.alloc(q.len);
    let dk = gpu.alloc(k.len);
    let dv = gpu.alloc(v.len);
    if tiles == 0 {
        return Ok((dq, dk, dv));
    }
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
        &d.params(rows, 0),
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
    let grid = [tiles, heads as u32, 1];
    let mut b = inputs.to_vec();
    b.push(Binding::write(&dq));
    gpu.dispatch(
        Kernel::new(ATTENTION, "attention_dq"),
        &b,
        &d.params(d.n, 0),
        grid,
    )?;
    if heads == kv_heads {
        // One query head per key/value head: the per-head result is dk, dv.
        let mut b = inputs.to_vec();
        b.extend([Binding::write(&dk), Binding::write(&dv)]);
        gpu.dispatch(
            Kernel::new(ATTENTION, "attention_dkdv"),
            &b,
            &d.params(d.n, 0),
            grid,
        )?;
    } else {
        let (dk_h, dv_h) = (gpu.alloc(q.len), gpu.alloc(q.len));
        let mut b = inputs.to_vec();
        b.extend([Binding::write(&dk_h), Binding::write(&dv_h)]);
        gpu.dispatch(
            Kernel::new(ATTENTION, "attention_dkdv"),
            &b,
            &d.params(d.n, 0),
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
            &d.params(k.len, 0),
            grid_1d(k.len, 256),
        )?;
    }
    Ok((dq, dk, dv))
}

/// The number of slots of a `[slots, max_len, kv_heads, head_dim]` cache argument `what`.
fn slots_of(
    op: &'static str,
    what: &str,
    len: usize,
    max_len: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<usize> {
    let slot_len = mul(op, &[max_len, kv_heads, head_dim])?;
    if slot_len == 0 {
        return Err(err(
            op,
            format!(
                "max_len ({max_len}), kv_heads ({kv_heads}), head_dim ({head_dim}) must be > 0"
            ),
        ));
    }
    to_u32(op, what, len)?;
    rows_of(op, what, len, slot_len)
}

/// Checks `slot`, `pos` (one entry per token, in range of the cache).
fn check_slot_pos(
    op: &'static str,
    slot: &WgpuIndex,
    pos: &WgpuIndex,
    n: usize,
    slots: usize,
    max_len: usize,
) -> Result<()> {
    check_len(op, "slot [N]", slot.len(), n)?;
    check_len(op, "pos [N]", pos.len(), n)?;
    check_ids(op, "slot", slot.host(), slots, "the number of cache slots")?;
    check_ids(op, "pos", pos.host(), max_len, "max_len")
}

/// See `Backend::kv_cache_write`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn kv_cache_write(
    gpu: &Gpu,
    cache: &mut WgpuTensor,
    x: &WgpuTensor,
    slot: &WgpuIndex,
    pos: &WgpuIndex,
    max_len: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<()> {
    const OP: &str = "kv_cache_write";
    let slots = slots_of(OP, "cache", cache.len, max_len, kv_heads, head_dim)?;
    let row = kv_heads * head_dim;
    let n = rows_of(OP, "x [N, kv_heads, head_dim]", x.len, row)?;
    check_slot_pos(OP, slot, pos, n, slots, max_len)?;
    gpu.dispatch(
        Kernel::new(ATTENTION, "kv_cache_write"),
        &[
            Binding::write(cache),
            Binding::read(x),
            Binding::index(slot),
            Binding::index(pos),
        ],
        &attn_params(kv_heads, kv_heads, head_dim, n, max_len),
        grid_rows(n, 1, false),
    )
}

/// See `Backend::attention_cached`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention_cached(
    gpu: &Gpu,
    q: &WgpuTensor,
    k_cache: &WgpuTensor,
    v_cache: &WgpuTensor,
    slot: &WgpuIndex,
    pos: &WgpuIndex,
    max_len: usize,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
) -> Result<WgpuTensor> {
    const OP: &str = "attention_cached";
    check_heads(OP, heads, kv_heads, head_dim)?;
    let slots = slots_of(OP, "k_cache", k_cache.len, max_len, kv_heads, head_dim)?;
    check_len(OP, "v_cache", v_cache.len, k_cache.len)?;
    let n = rows_of(OP, "q [N, heads, head_dim]", q.len, heads * head_dim)?;
    to_u32(OP, "q.len()", q.len)?;
    check_slot_pos(OP, slot, pos, n, slots, max_len)?;
    let keys = pos.host().iter().max().map_or(0, |&p| p as usize + 1);
    check_loop_budget(
        gpu,
        OP,
        cached_loop_estimate(keys, head_dim),
        format!("attending to {keys} cached keys with head_dim {head_dim}"),
    )?;
    let o = gpu.alloc(q.len);
    if heads > MAX_GROUPS_PER_DIM as usize {
        return Err(BackendError::Device(format!(
            "{OP}: {heads} heads exceed one dispatch ({MAX_GROUPS_PER_DIM})"
        )));
    }
    gpu.dispatch(
        Kernel::new(ATTENTION, "attention_cached"),
        &[
            Binding::read(q),
            Binding::read(k_cache),
            Binding::read(v_cache),
            Binding::index(slot),
            Binding::index(pos),
            Binding::write(&o),
        ],
        &attn_params(heads, kv_heads, head_dim, n, max_len),
        grid_rows(n, heads as u32, true),
    )?;
    Ok(o)
}
