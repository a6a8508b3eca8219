//! `gate_up_swiglu`: the gate/up projections of a SwiGLU MLP with the gating in their
//! epilogue, one dispatch (contract in `hir_core::backend::swiglu`, kernels in
//! `hir_kernels::GATE_UP_SWIGLU`).
//!
//! # Design
//!
//! The unfused path is three dispatches (`matmul` for gate, `matmul` for up, `swiglu`), and
//! writes gate and up to storage only to read them back. The fused kernel computes both
//! products per output tile (one pass over x, both weights) and writes `act`, plus `gate` and
//! `up` only when the caller keeps them (training). It mirrors `matmul`'s choice of kernel
//! for `x · Wᵀ` (see `matmul.rs`), so each gate and up value is summed in the same order as
//! by the unfused kernel:
//! - `m = 1`: `gate_up_vec` (as `matvec_rows`);
//! - `2 ≤ m ≤ 64` and no forced tile config: `gate_up_rows` (as `matmul_rows`, the same
//!   lanes `KL` for m);
//! - otherwise `gate_up_tiled` (as `matmul_tiled`) with the table's tile config, or the
//!   forced one, when its three double-buffered tiles (x and both weights) fit the device's
//!   workgroup memory, else `small`. Every config sums each output in ascending p, so the
//!   config changes speed, not results.
//!
//! Both weights must have the same storage (f32, or f16 from `upload_weight`, then the
//! kernel's f16 variant `gate_up_swiglu_f16w` reads both as f16 and accumulates in f32).
//! Calls the kernel does not cover — weights of different storage, a stored weight whose
//! shape is not `[d_ff, d_in]`, empty outputs, a tile grid beyond the dispatch limits — run
//! the unfused ops instead ([`hir_core::backend::swiglu::gate_up_unfused`], chosen by
//! [`plan`]), which also report the errors of inconsistent calls.

use hir_core::backend::swiglu::{check_gate_up, GateUp, GateUpOutput};
use hir_core::backend::Result;
use hir_kernels::GATE_UP_SWIGLU;

use super::matmul::{flag, rows_lanes, vec4_binding, ROWS_MAX_M, ROWS_STRIP};
use super::matmul_tiles::{choose, AdapterClass, TileConfig, SMALL};
use crate::dispatch::{grid_1d, to_u32, Kernel, Params, MAX_GROUPS_PER_DIM};
use crate::f16::f16_variant;
use crate::gpu::Gpu;
use crate::tensor::{Elem, WgpuTensor};
use crate::variants::variant;

const OP: &str = "gate_up_swiglu";

/// What the fused op returns: `act`, and `(gate, up)` when kept.
pub(crate) type GateUpOut = GateUpOutput<WgpuTensor>;

/// Bytes of workgroup memory of `cfg` in the fused kernel: two buffers of the x slice and
/// of each weight's slice (see `TileConfig::workgroup_bytes`, which counts one weight).
fn fused_bytes(cfg: &TileConfig) -> u32 {
    2 * cfg.bk * (cfg.bm / 4 + 1) * 16 + 2 * 2 * cfg.bk * (cfg.bn / 4 + 1) * 16
}

/// Whether the fused kernel reads the weights as f16 (`Some(true)`) or f32 (`Some(false)`),
/// or `None` when it does not cover them (different storage, or an f16 weight that is not
/// `[d_ff, d_in]`).
fn weights_f16(w_gate: &WgpuTensor, w_up: &WgpuTensor, shape: GateUp) -> Option<bool> {
    match (w_gate.elem, w_up.elem) {
        (Elem::F32, Elem::F32) => Some(false),
        (Elem::F16 { rows, cols }, Elem::F16 { rows: r2, cols: c2 })
            if (rows, cols) == (shape.d_ff, shape.d_in) && (r2, c2) == (rows, cols) =>
        {
            Some(true)
        }
        _ => None,
    }
}

/// How the fused op runs a call: the kernel, its workgroup grid, or `None` for the unfused
/// ops (see the module doc).
pub(crate) fn plan(
    gpu: &Gpu,
    w_gate: &WgpuTensor,
    w_up: &WgpuTensor,
    shape: GateUp,
    (forced, subgroups): (Option<TileConfig>, bool),
) -> Result<Option<(Kernel, [u32; 3])>> {
    let GateUp {
        rows: m,
        d_in: k,
        d_ff: n,
        keep,
    } = shape;
    let Some(f16) = weights_f16(w_gate, w_up, shape) else {
        return Ok(None);
    };
    let shader = if f16 {
        f16_variant(GATE_UP_SWIGLU)?
    } else {
        GATE_UP_SWIGLU
    };
    if m == 0 || n == 0 {
        return Ok(None);
    }
    let vec = k.is_multiple_of(4);
    if m == 1 {
        let kernel = Kernel::new(shader, "gate_up_vec").with("KEEP", flag(keep));
        return Ok(Some((kernel, grid_1d(n, 1))));
    }
    if forced.is_none() && m <= ROWS_MAX_M {
        // The few-row path sums like `matmul_rows`, whose subgroup variant the unfused
        // product runs when the backend uses subgroups.
        let rows_shader = if subgroups && gpu.summary.subgroups {
            variant(GATE_UP_SWIGLU, f16, true)?
        } else {
            shader
        };
        let kernel = Kernel::new(rows_shader, "gate_up_rows")
            .with("KEEP", flag(keep))
            .with("VEC", flag(vec))
            .with("KL", f64::from(rows_lanes(m)));
        return Ok(Some((kernel, grid_1d(n.div_ceil(ROWS_STRIP), 1))));
    }
    let limits = gpu.device.limits();
    let cfg = forced.unwrap_or_else(|| {
        choose(
            AdapterClass::of(&gpu.summary),
            m,
            n,
            limits.max_compute_workgroup_storage_size,
            limits.max_compute_invocations_per_workgroup,
        )
    });
    let fits = |c: &TileConfig| {
        c.is_valid()
            && fused_bytes(c) <= limits.max_compute_workgroup_storage_size
            && c.threads() <= limits.max_compute_invocations_per_workgroup
    };
    let cfg = if fits(&cfg) { cfg } else { SMALL };
    let (bm, bn) = (cfg.bm as usize, cfg.bn as usize);
    let (gx, gy) = (n.div_ceil(bn), m.div_ceil(bm));
    if !fits(&cfg) || gx > MAX_GROUPS_PER_DIM as usize || gy > MAX_GROUPS_PER_DIM as usize {
        return Ok(None);
    }
    let exact = m.is_multiple_of(bm) && n.is_multiple_of(bn) && k.is_multiple_of(cfg.bk as usize);
    let kernel = Kernel::new(shader, "gate_up_tiled")
        .with("KEEP", flag(keep))
        .with("VEC", flag(vec))
        .with("CHECKED", flag(!exact))
        .with("VEC_C", flag(n.is_multiple_of(4)))
        .with("BM", f64::from(cfg.bm))
        .with("BN", f64::from(cfg.bn))
        .with("BK", f64::from(cfg.bk))
        .with("TM", f64::from(cfg.tm))
        .with("TN", f64::from(cfg.tn))
        .with("WG_X", f64::from(cfg.wg_x()))
        .with("WG_Y", f64::from(cfg.wg_y()));
    Ok(Some((kernel, [gx as u32, gy as u32, 1])))
}

/// See `Backend::gate_up_swiglu`: runs the fused kernel chosen by [`plan`], or returns
/// `Ok(None)` when the caller must run the unfused ops.
pub(crate) fn gate_up_swiglu(
    gpu: &Gpu,
    x: &WgpuTensor,
    w_gate: &WgpuTensor,
    w_up: &WgpuTensor,
    shape: GateUp,
    forced_and_subgroups: (Option<TileConfig>, bool),
) -> Result<Option<GateUpOut>> {
    let out = check_gate_up(x.len, w_gate.len, w_up.len, shape)?;
    let Some((kernel, groups)) = plan(gpu, w_gate, w_up, shape, forced_and_subgroups)? else {
        return Ok(None);
    };
    let params = Params::new()
        .u32(to_u32(OP, "rows", shape.rows)?)
        .u32(to_u32(OP, "d_in", shape.d_in)?)
        .u32(to_u32(OP, "d_ff", shape.d_ff)?);
    let act = gpu.alloc(out);
    // Without `keep`, gate and up are bound to two small buffers the kernel never writes.
    let kept_len = if shape.keep { out } else { 4 };
    let (gate, up) = (gpu.alloc(kept_len), gpu.alloc(kept_len));
    let bindings = [
        vec4_binding(OP, x, true)?,
        vec4_binding(OP, w_gate, true)?.stored_weight_ok(),
        vec4_binding(OP, w_up, true)?.stored_weight_ok(),
        vec4_binding(OP, &act, false)?,
        vec4_binding(OP, &gate, false)?,
        vec4_binding(OP, &up, false)?,
    ];
    gpu.dispatch(kernel, &bindings, &params, groups)?;
    Ok(Some((act, shape.keep.then_some((gate, up)))))
}
