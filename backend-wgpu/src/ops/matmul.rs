//! `C = alpha·op(A)·op(B) + beta·C` (contract in `hir_core::backend::matmul`, kernels in
//! `hir_kernels::MATMUL` and `hir_kernels::MATMUL_ROWS`).
//!
//! # Design
//!
//! Three paths, by the number of rows `m`:
//! - `m = 1` (decoding one sequence): a matrix–vector kernel (`matvec_rows` when B is stored
//!   `[n, k]`, the layout of a linear layer's weight, else `matvec_cols`).
//! - `2 ≤ m ≤ 64` with B stored `[n, k]` (batched decoding): `matmul_rows`, where a
//!   workgroup computes 4 columns of C for all m rows, so B (the weight, by far the larger
//!   operand) is read from storage once, in 16-byte loads along k when `k % 4 = 0`; its 256
//!   threads split into lanes along k and row groups, fewer groups for fewer rows (128 lanes
//!   for m ≤ 8, down to 16 for m ≤ 64), reduced in lane order. The other
//!   layouts of few rows go to the tiled kernel (they do not occur in decoding).
//! - otherwise `matmul_tiled`: register-blocked tiles with double-buffered k slices; tile
//!   sizes come from the table in [`super::matmul_tiles`] (by adapter class and shape), and
//!   the layout, the vec4 loads (`VEC_A`/`VEC_B` when the stored contiguous dimension is a
//!   multiple of 4), vec4 stores (`VEC_C` when `n % 4 = 0`) and the bounds-check-free
//!   variant (`CHECKED = false` when the tile divides m, n and k) are override constants,
//!   one cached pipeline each.
//!
//! Every kernel binds A, B and C as `array<vec4<f32>>`, so their bindings cover the
//! tensor's bytes rounded up to 16 (pooled buffers are multiples of 64 bytes, so the
//! rounding stays inside the buffer; the kernels never touch the padding).
//!
//! A frozen weight stored as f16 (`upload_weight`, see `memory.rs`) may be `b` with A not
//! transposed: the same paths run the f16 variants of the kernels (`matmul_f16b`,
//! `matmul_rows_f16b`, derived from the same sources by `hir_kernels::F16_VARIANTS`), which
//! bind B as `array<vec4<f16>>` (its bytes rounded up to 8), convert each load to f32 and
//! accumulate in f32, so the result is the f32 product with the f16 values.
//!
//! With `subgroups` (the device has `Features::SUBGROUP` and the backend uses it, see
//! `WgpuBackend::with_subgroups`), the few-row path runs `matmul_rows_sg` (or
//! `matmul_rows_f16b_sg` for an f16 `b`), derived by `hir_kernels::SUBGROUP_VARIANTS`:
//! the KL lane sums of each output are added by one subgroup (`subgroupAdd`) instead of one
//! thread, correct for any subgroup size (see the kernel's header).
//!
//! Results are deterministic run to run (no atomics). The tiled kernel sums each output in
//! one accumulator in ascending p; `matmul_rows` and `matvec_rows` sum lanes along k and
//! combine them with a fixed tree (documented in the kernels).
//!
//! [`matmul`] takes an optional forced [`TileConfig`] (the backend's
//! `with_matmul_tiles`): then every `m ≥ 2` goes to the tiled kernel with that config, so
//! tests on one adapter reach the configs the table picks for the others.

use hir_core::backend::shape::err;
use hir_core::backend::weight::stored_weight_error;
use hir_core::backend::{BackendError, Matmul, Result};
use hir_kernels::{Shader, MATMUL, MATMUL_ROWS};

use super::matmul_tiles::{choose, AdapterClass, TileConfig};
use crate::dispatch::{grid_1d, to_u32, Binding, Kernel, Params, MAX_GROUPS_PER_DIM};
use crate::f16::f16_variant;
use crate::gpu::Gpu;
use crate::tensor::{Elem, WgpuTensor};
use crate::variants::variant;

/// Largest `m` of the few-row kernel (16 row groups × 4 rows per thread).
pub(super) const ROWS_MAX_M: usize = 64;
/// Columns of C per workgroup of the few-row kernel.
pub(super) const ROWS_STRIP: usize = 4;

/// Lanes along k of the few-row kernel for `m ≤ 64` rows: the most (of 16, 32, 64, 128)
/// whose `256 / lanes` row groups of 4 rows each still cover m.
pub(super) fn rows_lanes(m: usize) -> u32 {
    [128u32, 64, 32, 16]
        .into_iter()
        .find(|&kl| (256 / kl as usize) * 4 >= m)
        .unwrap_or(16)
}

/// A tensor bound as `array<vec4<f32>>` (or `array<vec4<f16>>` for a stored f16 weight):
/// its bytes rounded up to whole vec4s.
pub(super) fn vec4_binding<'a>(
    op: &'static str,
    t: &'a WgpuTensor,
    read_only: bool,
) -> Result<Binding<'a>> {
    let unit = match t.elem {
        Elem::F32 => 16,
        Elem::F16 { .. } => 8,
    };
    let bytes = t.bytes().div_ceil(unit).max(1) * unit;
    if t.buffer().size() < bytes {
        return Err(BackendError::Device(format!(
            "`{op}`: a buffer of {} bytes cannot hold {} elements as whole vec4s",
            t.buffer().size(),
            t.len
        )));
    }
    Ok(Binding::tensor(t, bytes, read_only))
}

/// The shaders of the product with `b` (`MATMUL`, `MATMUL_ROWS`): the f16 variants when `b`
/// is a stored f16 weight, after checking what the contract of a stored `b` requires (A not
/// transposed; the weight's `[rows, cols]` is `[n, k]` with trans_b, `[k, n]` without).
fn shaders_for(b: &WgpuTensor, mm: &Matmul) -> Result<(Shader, Shader)> {
    let Elem::F16 { rows, cols } = b.elem else {
        return Ok((MATMUL, MATMUL_ROWS));
    };
    const OP: &str = "matmul";
    if mm.trans_a {
        return Err(stored_weight_error(
            "matmul with trans_a",
            hir_core::backend::WeightFormat::F16,
        ));
    }
    let (want_rows, want_cols) = if mm.trans_b {
        (mm.n, mm.k)
    } else {
        (mm.k, mm.n)
    };
    if (rows, cols) != (want_rows, want_cols) {
        let layout = if mm.trans_b {
            "[n, k] with"
        } else {
            "[k, n] without"
        };
        return Err(err(
            OP,
            format!(
                "a stored b {layout} trans_b must be [{want_rows}, {want_cols}], it is [{rows}, {cols}]"
            ),
        ));
    }
    Ok((f16_variant(MATMUL)?, f16_variant(MATMUL_ROWS)?))
}

/// Override constant value of a flag.
pub(super) fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// See `Backend::matmul`; `forced` overrides the tile table (tests); `subgroups` runs the
/// few-row kernel's subgroup variant (only when the device has `Features::SUBGROUP`).
pub(crate) fn matmul(
    gpu: &Gpu,
    a: &WgpuTensor,
    b: &WgpuTensor,
    c: &mut WgpuTensor,
    mm: Matmul,
    forced: Option<TileConfig>,
    subgroups: bool,
) -> Result<()> {
    const OP: &str = "matmul";
    mm.check(a.len, b.len, c.len)?;
    let Matmul {
        m,
        k,
        n,
        trans_a,
        trans_b,
        alpha,
        beta,
    } = mm;
    let (matmul_shader, rows_shader) = shaders_for(b, &mm)?;
    if m == 0 || n == 0 {
        return Ok(());
    }
    let params = Params::new()
        .u32(to_u32(OP, "m", m)?)
        .u32(to_u32(OP, "k", k)?)
        .u32(to_u32(OP, "n", n)?)
        .f32(alpha)
        .f32(beta);
    let bindings = [
        vec4_binding(OP, a, true)?,
        vec4_binding(OP, b, true)?.stored_weight_ok(),
        vec4_binding(OP, c, false)?,
    ];
    if m == 1 {
        return if trans_b {
            let groups = grid_1d(n, 1);
            gpu.dispatch(
                Kernel::new(matmul_shader, "matvec_rows"),
                &bindings,
                &params,
                groups,
            )
        } else {
            gpu.dispatch(
                Kernel::new(matmul_shader, "matvec_cols"),
                &bindings,
                &params,
                grid_1d(n, 256),
            )
        };
    }
    if forced.is_none() && trans_b && m <= ROWS_MAX_M {
        let rows_shader = if subgroups && gpu.summary.subgroups {
            variant(MATMUL_ROWS, matches!(b.elem, Elem::F16 { .. }), true)?
        } else {
            rows_shader
        };
        let kernel = Kernel::new(rows_shader, "matmul_rows")
            .with("KL", f64::from(rows_lanes(m)))
            .with("TRANS_A", flag(trans_a))
            .with("VEC_A", flag(!trans_a && k.is_multiple_of(4)))
            .with("VEC_B", flag(k.is_multiple_of(4)));
        let groups = grid_1d(n.div_ceil(ROWS_STRIP), 1);
        return gpu.dispatch(kernel, &bindings, &params, groups);
    }
    let cfg = match forced {
        Some(cfg) => cfg,
        None => {
            let limits = gpu.device.limits();
            choose(
                AdapterClass::of(&gpu.summary),
                m,
                n,
                limits.max_compute_workgroup_storage_size,
                limits.max_compute_invocations_per_workgroup,
            )
        }
    };
    if !cfg.is_valid() {
        return Err(err(
            OP,
            format!("tile config {cfg:?} is not one the kernel supports"),
        ));
    }
    let (bm, bn) = (cfg.bm as usize, cfg.bn as usize);
    let exact = m.is_multiple_of(bm) && n.is_multiple_of(bn) && k.is_multiple_of(cfg.bk as usize);
    let (gx, gy) = (n.div_ceil(bn), m.div_ceil(bm));
    if gx > MAX_GROUPS_PER_DIM as usize || gy > MAX_GROUPS_PER_DIM as usize {
        return Err(err(
            OP,
            format!("m={m}, n={n} exceed the {MAX_GROUPS_PER_DIM}×{bm} tile grid"),
        ));
    }
    // The stored contiguous dimension: k for A [m, k], m for A [k, m]; k for B [n, k], n
    // for B [k, n].
    let vec_a = if trans_a { m } else { k }.is_multiple_of(4);
    let vec_b = if trans_b { k } else { n }.is_multiple_of(4);
    let kernel = Kernel::new(matmul_shader, "matmul_tiled")
        .with("TRANS_A", flag(trans_a))
        .with("TRANS_B", flag(trans_b))
        .with("CHECKED", flag(!exact))
        .with("VEC_A", flag(vec_a))
        .with("VEC_B", flag(vec_b))
        .with("VEC_C", flag(n.is_multiple_of(4)))
        .with("BM", f64::from(cfg.bm))
        .with("BN", f64::from(cfg.bn))
        .with("BK", f64::from(cfg.bk))
        .with("TM", f64::from(cfg.tm))
        .with("TN", f64::from(cfg.tn))
        .with("WG_X", f64::from(cfg.wg_x()))
        .with("WG_Y", f64::from(cfg.wg_y()));
    gpu.dispatch(kernel, &bindings, &params, [gx as u32, gy as u32, 1])
}
