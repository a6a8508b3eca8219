//! `gate_up_swiglu`: the gate/up projections of a SwiGLU MLP with the gating fused in
//! (`act = silu(x·W_gateᵀ) · (x·W_upᵀ)`, and `(gate, up)` when kept; contract in
//! `hir_core::backend::swiglu`).
//!
//! The table covers every kernel path of a fused backend (wgpu: 1 row, 2–64 rows, the tiled
//! kernel beyond; d_in odd and a multiple of 4, d_ff not a multiple of any tile, one shape
//! that the 64-wide tiles divide), with gate and up kept and not kept, both weights stored
//! in f16 (`upload_weight`), and weights of different storage (an f16 gate with an f32 up,
//! which a fused backend hands to the unfused ops). The f64 reference is the product with
//! the (dequantized) weights, then `silu(g)·u`.
//!
//! Tolerance: x is drawn at scale `1/√d_in`, so gate and up are O(1) and the f32 products'
//! terms are `O(1/√d_in)`: the matmul family's product tolerance for O(1) terms,
//! `2e-6·(k + 16)`, scaled by `1/√k`. `act` carries that error times
//! `|∂act/∂g| + |∂act/∂u| = |u·σ(g)·(1 + g·(1 − σ(g)))| + |silu(g)|`, below 8 for the
//! |g|, |u| < 4 of these inputs, plus `swiglu`'s transcendental tolerance (1e-5).
//!
//! Checks: the fused op against the unfused ops (`matmul`, `matmul`, `swiglu`) on the same
//! backend, bit for bit, on each path (the wgpu kernels sum in the unfused kernels' order);
//! and shape errors that name the op and the argument.

use hir_core::backend::weight::dequantize;
use hir_core::backend::{Backend, GateUp, Matmul, QuantMatrix, Result, WeightFormat};

use crate::inputs::normal;
use crate::report::{Expected, Outputs, Tolerance};
use crate::suite::{shape_error, Case, Outcome, Suite};
use crate::weight::weight_bytes;

/// How the two weights are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Both uploaded as f32 tensors.
    F32,
    /// Both uploaded with `upload_weight` in f16.
    F16,
    /// W_gate in f16 (`upload_weight`), W_up as an f32 tensor.
    Mixed,
}

/// `(rows, d_in, d_ff)` of the f32 cases: 1 row (matrix–vector), 2, 7 and 64 rows (the
/// few-row kernel), 65 and 130 rows (tiled), each with d_in odd (67) and a multiple of 4
/// (64), d_ff not a multiple of 4, 32 or 64 (45) and a multiple of 4 but not of the tiles (72);
/// and 128 × 64 × 128, which the 64-wide tiles divide exactly.
const SHAPES: [(usize, usize, usize); 13] = [
    (1, 67, 45),
    (1, 64, 72),
    (2, 67, 45),
    (2, 64, 72),
    (7, 67, 45),
    (7, 64, 72),
    (64, 67, 45),
    (64, 64, 72),
    (65, 67, 45),
    (65, 64, 72),
    (130, 67, 45),
    (130, 64, 72),
    (128, 64, 128),
];

/// The family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for (rows, d_in, d_ff) in SHAPES {
        s.table(&GateUpCase::new(rows, d_in, d_ff, true, Storage::F32));
    }
    for (rows, d_in, d_ff) in [(1, 67, 45), (7, 64, 72), (130, 67, 45), (128, 64, 128)] {
        s.table(&GateUpCase::new(rows, d_in, d_ff, false, Storage::F32));
    }
    for (rows, d_in, d_ff) in [
        (1, 67, 45),
        (2, 64, 72),
        (7, 67, 45),
        (64, 64, 72),
        (130, 67, 45),
    ] {
        s.table(&GateUpCase::new(rows, d_in, d_ff, true, Storage::F16));
    }
    for (rows, d_in, d_ff) in [(1, 64, 72), (65, 64, 72)] {
        s.table(&GateUpCase::new(rows, d_in, d_ff, false, Storage::F16));
    }
    for (rows, d_in, d_ff) in [(1, 67, 45), (7, 64, 72), (130, 67, 45)] {
        s.table(&GateUpCase::new(rows, d_in, d_ff, true, Storage::Mixed));
    }
    s.table(&GateUpCase::new(7, 64, 72, false, Storage::Mixed));
    s.check(
        "gate_up_swiglu equals matmul, matmul, swiglu bit for bit",
        |b| same_as_unfused(b),
    );
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// Runs only the gate_up_swiglu family on `backend` and returns its reports, named after
/// `family` (e.g. `gate_up_swiglu[no subgroups]` for the wgpu backend on its plain kernels).
pub fn family_reports<B: Backend>(backend: &B, family: &'static str) -> Vec<crate::CaseReport> {
    let mut suite = Suite::<B, B>::new(backend, None);
    suite.family(family, cases);
    suite.into_reports()
}

/// The tiled path's cases only (for a wgpu backend whose matmul tile config was forced,
/// which sends every call of 2 rows or more to the tiled kernel): ragged and exact shapes,
/// f32 and f16 weights, kept and not, and the bit-for-bit check against the unfused ops.
/// Returns their reports, named after `family` (e.g. `gate_up_swiglu[small]`).
pub fn tiled_reports<B: Backend>(backend: &B, family: &'static str) -> Vec<crate::CaseReport> {
    let mut suite = Suite::<B, B>::new(backend, None);
    suite.family(family, |s| {
        s.table(&GateUpCase::new(2, 67, 45, true, Storage::F32));
        s.table(&GateUpCase::new(65, 64, 72, false, Storage::F32));
        s.table(&GateUpCase::new(128, 64, 128, true, Storage::F32));
        s.table(&GateUpCase::new(130, 67, 45, true, Storage::F16));
        s.check(
            "gate_up_swiglu equals matmul, matmul, swiglu bit for bit",
            |b| same_as_unfused(b),
        );
    });
    suite.into_reports()
}

/// One call on seeded inputs: x `[rows, d_in]` at scale `1/√d_in`, the weights
/// `[d_ff, d_in]` (f32 normal samples, or f16 values of magnitude 1/8 to 2).
struct GateUpCase {
    shape: GateUp,
    storage: Storage,
}

impl GateUpCase {
    fn new(rows: usize, d_in: usize, d_ff: usize, keep: bool, storage: Storage) -> Self {
        Self {
            shape: GateUp::new(rows, d_in, d_ff, keep),
            storage,
        }
    }

    fn x(&self) -> Vec<f32> {
        let GateUp { rows, d_in, .. } = self.shape;
        normal(81, rows * d_in, 1.0 / (d_in as f32).sqrt())
    }

    /// The weights as uploaded: `(gate, up)`, each f32 values or f16 bytes.
    fn weights(&self) -> (Weight, Weight) {
        let GateUp { d_in, d_ff, .. } = self.shape;
        let f32w = |seed| Weight::F32(normal(seed, d_ff * d_in, 1.0));
        let f16w = |seed| Weight::F16(weight_bytes(WeightFormat::F16, d_ff, d_in, seed));
        match self.storage {
            Storage::F32 => (f32w(82), f32w(83)),
            Storage::F16 => (f16w(82), f16w(83)),
            Storage::Mixed => (f16w(82), f32w(83)),
        }
    }
}

/// A weight's host data.
enum Weight {
    F32(Vec<f32>),
    F16(Vec<u8>),
}

impl Weight {
    fn upload<B: Backend>(&self, b: &B, rows: usize, cols: usize) -> Result<B::Tensor> {
        match self {
            Weight::F32(v) => b.upload(v),
            Weight::F16(bytes) => b.upload_weight(f16_matrix(rows, cols, bytes)),
        }
    }

    fn values(&self, rows: usize, cols: usize) -> Vec<f32> {
        match self {
            Weight::F32(v) => v.clone(),
            Weight::F16(bytes) => dequantize(&f16_matrix(rows, cols, bytes)),
        }
    }
}

/// The f16 matrix of [`weight_bytes`] bytes.
fn f16_matrix(rows: usize, cols: usize, bytes: &[u8]) -> QuantMatrix<'_> {
    QuantMatrix::new(WeightFormat::F16, rows, cols, bytes).expect("weight_bytes makes whole rows")
}

/// `silu(g) = g / (1 + e^(−g))` in f64.
fn silu(g: f64) -> f64 {
    g / (1.0 + (-g).exp())
}

impl Case for GateUpCase {
    fn name(&self) -> String {
        let GateUp {
            rows,
            d_in,
            d_ff,
            keep,
        } = self.shape;
        format!(
            "gate_up_swiglu rows={rows} d_in={d_in} d_ff={d_ff} keep={keep} weights={:?}",
            self.storage
        )
    }
    fn tolerance(&self) -> Tolerance {
        // See the module doc.
        let k = self.shape.d_in as f64;
        Tolerance {
            abs: 8.0 * 2e-6 * (k + 16.0) / k.sqrt() + 1e-5,
            rel: 1e-5,
        }
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let GateUp { d_in, d_ff, .. } = self.shape;
        let (wg, wu) = self.weights();
        let x = b.upload(&self.x())?;
        let (wg, wu) = (wg.upload(b, d_ff, d_in)?, wu.upload(b, d_ff, d_in)?);
        let (act, kept) = b.gate_up_swiglu(&x, &wg, &wu, self.shape)?;
        let mut out = vec![
            ("act", b.download(&act)?),
            ("kept", vec![f32::from(u8::from(kept.is_some()))]),
        ];
        if let Some((gate, up)) = kept {
            out.push(("gate", b.download(&gate)?));
            out.push(("up", b.download(&up)?));
        }
        Ok(out)
    }
    fn expected(&self) -> Expected {
        let GateUp {
            rows,
            d_in,
            d_ff,
            keep,
        } = self.shape;
        let x = self.x();
        let (wg, wu) = self.weights();
        let (wg, wu) = (wg.values(d_ff, d_in), wu.values(d_ff, d_in));
        let (mut act, mut gate, mut up) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..rows {
            for j in 0..d_ff {
                let dot = |w: &[f32]| -> f64 {
                    (0..d_in)
                        .map(|p| x[i * d_in + p] as f64 * w[j * d_in + p] as f64)
                        .sum()
                };
                let (g, u) = (dot(&wg), dot(&wu));
                act.push(silu(g) * u);
                gate.push(g);
                up.push(u);
            }
        }
        let mut out = vec![("act", act), ("kept", vec![f64::from(u8::from(keep))])];
        if keep {
            out.push(("gate", gate));
            out.push(("up", up));
        }
        out
    }
}

/// The fused op against `matmul` (trans_b) twice and `swiglu` on the same backend, bit for
/// bit, on each path: 1, 7 and 130 rows, f32 and f16 weights.
fn same_as_unfused<B: Backend>(b: &B) -> Outcome {
    for storage in [Storage::F32, Storage::F16] {
        for (rows, d_in, d_ff) in [(1, 67, 45), (7, 64, 72), (130, 67, 45)] {
            let case = GateUpCase::new(rows, d_in, d_ff, true, storage);
            let (wg, wu) = case.weights();
            let x = b.upload(&case.x())?;
            let (wg, wu) = (wg.upload(b, d_ff, d_in)?, wu.upload(b, d_ff, d_in)?);
            let (act, kept) = b.gate_up_swiglu(&x, &wg, &wu, case.shape)?;
            let Some((gate, up)) = kept else {
                return Err(crate::Failure(format!(
                    "{}: gate and up not kept",
                    case.name()
                )));
            };
            let mm = Matmul::new(rows, d_in, d_ff).transpose_b();
            let mut g2 = b.zeros(rows * d_ff)?;
            b.matmul(&x, &wg, &mut g2, mm)?;
            let mut u2 = b.zeros(rows * d_ff)?;
            b.matmul(&x, &wu, &mut u2, mm)?;
            let act2 = b.swiglu(&g2, &u2)?;
            for (what, fused, unfused) in
                [("gate", &gate, &g2), ("up", &up, &u2), ("act", &act, &act2)]
            {
                let (f, u) = (b.download(fused)?, b.download(unfused)?);
                let differ = f
                    .iter()
                    .zip(&u)
                    .position(|(p, q)| p.to_bits() != q.to_bits());
                ensure!(
                    differ.is_none(),
                    "{}: {what}[{}] fused {} unfused {}",
                    case.name(),
                    differ.unwrap_or(0),
                    f[differ.unwrap_or(0)],
                    u[differ.unwrap_or(0)]
                );
            }
        }
    }
    Ok(())
}

/// Every call with inconsistent sizes is a shape error of `gate_up_swiglu` naming the
/// argument, whatever the weights' storage.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    let f16 = |rows: usize, cols: usize| {
        let bytes = weight_bytes(WeightFormat::F16, rows, cols, 71);
        b.upload_weight(f16_matrix(rows, cols, &bytes))
    };
    let shape = GateUp::new(3, 8, 5, true);
    let op = "gate_up_swiglu";
    shape_error(
        b.gate_up_swiglu(&t(23)?, &t(40)?, &t(40)?, shape),
        op,
        &["x"],
    )?;
    shape_error(
        b.gate_up_swiglu(&t(24)?, &t(41)?, &t(40)?, shape),
        op,
        &["w_gate"],
    )?;
    shape_error(
        b.gate_up_swiglu(&t(24)?, &t(40)?, &t(39)?, shape),
        op,
        &["w_up"],
    )?;
    shape_error(
        b.gate_up_swiglu(&t(24)?, &f16(5, 8)?, &f16(4, 8)?, shape),
        op,
        &["w_up"],
    )?;
    shape_error(
        b.gate_up_swiglu(&t(24)?, &f16(6, 8)?, &t(40)?, shape),
        op,
        &["w_gate"],
    )?;
    Ok(())
}
