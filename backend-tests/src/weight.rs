//! Stored weights (`upload_weight`, contract in `hir_core::backend::weight`): a frozen
//! weight in f16 (kept as f16 by the wgpu backend on an adapter with `SHADER_F16`, and by
//! the CPU backend), and as controls Q8_0, BF16 and F32 (which the wgpu backend dequantizes
//! to f32 at upload), serving as `matmul`'s `b` in both layouts, as `embedding`'s table, and
//! through `download`, `len` and `copy`; every other op refuses a stored tensor.
//!
//! The f64 reference is the product with the dequantized matrix
//! (`hir_core::backend::weight::dequantize`, whose f16 values f32 and f64 hold exactly), so
//! the f32 product's tolerance of the matmul family applies unchanged. The f16 values are
//! normal numbers (no subnormals) of magnitude 1/8 to 2, drawn as bit patterns.

use hir_core::backend::weight::dequantize;
use hir_core::backend::{Backend, BackendError, Matmul, QuantMatrix, Result, WeightFormat};

use crate::inputs::{ints, normal, wide};
use crate::matmul::{matmul, reference};
use crate::report::{Expected, Outputs, Tolerance, EXACT};
use crate::suite::{Case, Failure, Outcome, Suite};

/// `(m, k, n, alpha, beta)` of the f16 products, each run with and without trans_b:
/// m = 1 (the matrix–vector kernels), few rows 2, 5, 17, 64 (the few-row kernel with
/// trans_b; odd and multiple-of-4 k), and the tiled kernel on exact multiples of its tiles
/// (64 × 16 × 192, 96 × 24 × 160) and ragged shapes.
const F16_SHAPES: [(usize, usize, usize, f32, f32); 11] = [
    (1, 67, 33, 0.5, -1.5),
    (1, 64, 72, 1.0, 0.0),
    (2, 33, 37, 0.5, -1.5),
    (5, 64, 36, -1.0, 0.5),
    (17, 99, 33, 0.5, -1.5),
    (64, 128, 36, 1.0, 0.0),
    (64, 129, 67, -0.5, 2.0),
    (64, 16, 192, -0.5, 2.0),
    (96, 24, 160, 0.5, -1.5),
    (100, 67, 255, 0.5, -1.5),
    (70, 45, 66, 1.0, 0.0),
];

/// `(m, k, n)` of the control formats (k and n multiples of Q8_0's 32-value blocks).
const CONTROL_SHAPES: [(usize, usize, usize); 3] = [(1, 64, 64), (5, 64, 96), (100, 96, 64)];

/// The stored-weight family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for (m, k, n, alpha, beta) in F16_SHAPES {
        for trans_b in [true, false] {
            s.table(&StoredMatmul {
                format: WeightFormat::F16,
                mm: Matmul {
                    trans_b,
                    alpha,
                    beta,
                    ..Matmul::new(m, k, n)
                },
            });
        }
    }
    for format in [WeightFormat::Q8_0, WeightFormat::BF16, WeightFormat::F32] {
        for (m, k, n) in CONTROL_SHAPES {
            for trans_b in [true, false] {
                s.table(&StoredMatmul {
                    format,
                    mm: Matmul {
                        trans_b,
                        alpha: 0.5,
                        beta: -1.5,
                        ..Matmul::new(m, k, n)
                    },
                });
            }
        }
    }
    for (format, vocab, dim) in [
        (WeightFormat::F16, 13, 7),
        (WeightFormat::F16, 256, 33),
        (WeightFormat::Q8_0, 5, 64),
        (WeightFormat::BF16, 13, 7),
    ] {
        s.table(&StoredEmbedding { format, vocab, dim });
    }
    for format in [WeightFormat::F16, WeightFormat::Q8_0] {
        s.table(&DownloadCopy {
            format,
            rows: 7,
            cols: 32,
        });
    }
    s.table(&DownloadCopy {
        format: WeightFormat::F16,
        rows: 3,
        cols: 5,
    });
    s.check(
        "f16 zeros, subnormals and extremes survive download, embedding and matmul exactly",
        |b| special_values(b),
    );
    s.check(
        "other ops given a stored f16 weight refuse it naming the op (or all accept it as f32)",
        |b| refusals(b, false),
    );
}

/// Runs only this family on `backend` and returns its reports, named after `family` (e.g.
/// `weight[wide]` for a wgpu backend whose matmul tile config was forced).
pub fn family_reports<B: Backend>(backend: &B, family: &'static str) -> Vec<crate::CaseReport> {
    let mut suite = Suite::<B, B>::new(backend, None);
    suite.family(family, cases);
    suite.into_reports()
}

/// A `[rows, cols]` weight in `format` drawn from `seed`, as its bytes. f16: normal values of
/// magnitude 1/8 to 2 from random bit patterns; bf16: normal samples truncated to bf16; Q8_0:
/// block scales of about 1/64 and random 8-bit quants; f32: normal samples.
pub fn weight_bytes(format: WeightFormat, rows: usize, cols: usize, seed: u64) -> Vec<u8> {
    let n = rows * cols;
    match format {
        WeightFormat::F16 => ints(seed, n, 1 << 13)
            .into_iter()
            .flat_map(|x| {
                let (sign, mant, exp) = (x & 1, (x >> 1) & 0x3ff, 12 + (x >> 11));
                ((sign << 15 | exp << 10 | mant) as u16).to_le_bytes()
            })
            .collect(),
        WeightFormat::BF16 => normal(seed, n, 1.0)
            .into_iter()
            .flat_map(|v| ((v.to_bits() >> 16) as u16).to_le_bytes())
            .collect(),
        WeightFormat::Q8_0 => {
            let q = ints(seed, n, 256);
            let d = ints(seed + 1, n / 32, 1 << 10);
            q.chunks(32)
                .zip(d)
                .flat_map(|(block, mant)| {
                    // Exponent 9: 2^-6 · (1 + mant / 1024).
                    let scale = ((9u32 << 10) | mant) as u16;
                    scale
                        .to_le_bytes()
                        .into_iter()
                        .chain(block.iter().map(|&v| v as u8))
                        .collect::<Vec<u8>>()
                })
                .collect()
        }
        _ => normal(seed, n, 1.0)
            .into_iter()
            .flat_map(f32::to_le_bytes)
            .collect(),
    }
}

/// The matrix of [`weight_bytes`] (`bytes` must come from it with the same shape).
fn matrix(format: WeightFormat, rows: usize, cols: usize, bytes: &[u8]) -> QuantMatrix<'_> {
    QuantMatrix::new(format, rows, cols, bytes).expect("weight_bytes makes whole rows")
}

/// `C = alpha·A·W(ᵀ) + beta·C` with `W` uploaded with `upload_weight` in `format`:
/// `[n, k]` with trans_b, `[k, n]` without.
struct StoredMatmul {
    format: WeightFormat,
    mm: Matmul,
}

impl StoredMatmul {
    fn dims(&self) -> (usize, usize) {
        if self.mm.trans_b {
            (self.mm.n, self.mm.k)
        } else {
            (self.mm.k, self.mm.n)
        }
    }
    fn inputs(&self) -> (Vec<f32>, Vec<u8>, Vec<f32>) {
        let Matmul { m, k, n, .. } = self.mm;
        let (rows, cols) = self.dims();
        // With beta = 0 the previous C is all NaN, which must be ignored.
        let c0 = if self.mm.beta == 0.0 {
            vec![f32::NAN; m * n]
        } else {
            normal(33, m * n, 1.0)
        };
        (
            normal(31, m * k, 1.0),
            weight_bytes(self.format, rows, cols, 32),
            c0,
        )
    }
}

impl Case for StoredMatmul {
    fn name(&self) -> String {
        let Matmul {
            m,
            k,
            n,
            trans_b,
            alpha,
            beta,
            ..
        } = self.mm;
        format!(
            "matmul with a stored {} b m={m} k={k} n={n} tB={trans_b} alpha={alpha} beta={beta}",
            self.format
        )
    }
    fn tolerance(&self) -> Tolerance {
        // The matmul family's f32 product tolerance.
        Tolerance {
            abs: 2e-6 * (self.mm.k as f64 + 16.0),
            rel: 1e-5,
        }
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (a, w, c0) = self.inputs();
        let (rows, cols) = self.dims();
        let w = b.upload_weight(matrix(self.format, rows, cols, &w))?;
        let mut c = b.upload(&c0)?;
        matmul(b, &b.upload(&a)?, &w, &mut c, self.mm)?;
        Ok(vec![("c", b.download(&c)?)])
    }
    fn expected(&self) -> Expected {
        let (a, w, c0) = self.inputs();
        let (rows, cols) = self.dims();
        let wf = dequantize(&matrix(self.format, rows, cols, &w));
        vec![("c", reference(&a, &wf, &c0, self.mm))]
    }
}

/// `embedding` of 21 seeded ids from a `[vocab, dim]` table stored in `format`.
struct StoredEmbedding {
    format: WeightFormat,
    vocab: usize,
    dim: usize,
}

impl Case for StoredEmbedding {
    fn name(&self) -> String {
        format!(
            "embedding of a stored {} table V={} dim={}",
            self.format, self.vocab, self.dim
        )
    }
    fn tolerance(&self) -> Tolerance {
        EXACT
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let bytes = weight_bytes(self.format, self.vocab, self.dim, 41);
        let table = b.upload_weight(matrix(self.format, self.vocab, self.dim, &bytes))?;
        let ids = b.upload_index(&ints(42, 21, self.vocab as u32))?;
        Ok(vec![(
            "embedding",
            b.download(&b.embedding(&table, &ids, self.dim)?)?,
        )])
    }
    fn expected(&self) -> Expected {
        let bytes = weight_bytes(self.format, self.vocab, self.dim, 41);
        let table = dequantize(&matrix(self.format, self.vocab, self.dim, &bytes));
        let out = ints(42, 21, self.vocab as u32)
            .into_iter()
            .flat_map(|id| wide(&table[id as usize * self.dim..][..self.dim]))
            .collect();
        vec![("embedding", out)]
    }
}

/// `download` of a stored weight, its `len`, and `download` of its `copy`: the dequantized
/// values, exactly.
struct DownloadCopy {
    format: WeightFormat,
    rows: usize,
    cols: usize,
}

impl Case for DownloadCopy {
    fn name(&self) -> String {
        format!(
            "download, len and copy of a stored {} [{}, {}]",
            self.format, self.rows, self.cols
        )
    }
    fn tolerance(&self) -> Tolerance {
        EXACT
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let bytes = weight_bytes(self.format, self.rows, self.cols, 51);
        let w = b.upload_weight(matrix(self.format, self.rows, self.cols, &bytes))?;
        let copy = b.copy(&w)?;
        Ok(vec![
            ("download", b.download(&w)?),
            ("len", vec![b.len(&w) as f32, b.len(&copy) as f32]),
            ("copy", b.download(&copy)?),
        ])
    }
    fn expected(&self) -> Expected {
        let bytes = weight_bytes(self.format, self.rows, self.cols, 51);
        let w = wide(&dequantize(&matrix(
            self.format,
            self.rows,
            self.cols,
            &bytes,
        )));
        let n = (self.rows * self.cols) as f64;
        vec![("download", w.clone()), ("len", vec![n, n]), ("copy", w)]
    }
}

/// f16 bit patterns beyond the normal range the table cases draw from: ±0, the smallest and
/// largest subnormals, the smallest normal, ±65504 (the largest finite), ±1 and 1/3.
const F16_SPECIAL: [u16; 12] = [
    0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x3c00, 0xbc00, 0x3555, 0x83ff,
];

/// A `[12, 4]` f16 weight whose column 0 holds [`F16_SPECIAL`] (the other columns zero):
/// `download`, `embedding` of every row, and `matmul` with one-hot rows of `a` (m = 1 and
/// m = 2, both layouts) reproduce the values exactly, as each product is `1 · w + 0 · …`.
fn special_values<B: Backend>(b: &B) -> Outcome {
    let (rows, cols) = (F16_SPECIAL.len(), 4);
    let mut bits = vec![0u16; rows * cols];
    for (r, &v) in F16_SPECIAL.iter().enumerate() {
        bits[r * cols] = v;
    }
    let bytes: Vec<u8> = bits.iter().flat_map(|v| v.to_le_bytes()).collect();
    let m = matrix(WeightFormat::F16, rows, cols, &bytes);
    let want = dequantize(&m);
    let col0: Vec<f32> = want.iter().step_by(cols).copied().collect();
    ensure!(
        col0[2] > 0.0 && col0[2] < 1e-7,
        "not a subnormal: {}",
        col0[2]
    );
    let w = b.upload_weight(m)?;
    let got = b.download(&w)?;
    ensure!(
        got.iter()
            .map(|v| v.to_bits())
            .eq(want.iter().map(|v| v.to_bits())),
        "download gave {got:?}, want {want:?}"
    );
    let ids: Vec<u32> = (0..rows as u32).collect();
    let e = b.download(&b.embedding(&w, &b.upload_index(&ids)?, cols)?)?;
    ensure!(
        e.iter()
            .map(|v| v.to_bits())
            .eq(want.iter().map(|v| v.to_bits())),
        "embedding gave {e:?}, want {want:?}"
    );
    // x · Wᵀ (W as [n = 12, k = 4]) with every row of x = e_0 gives column 0 of W (a −0
    // becomes +0 in the sum); x · W (W as [k = 12, n = 4]) with the last row of x = e_r gives
    // row r of W.
    for m_rows in [1usize, 2] {
        let mut x = vec![0f32; m_rows * cols];
        for i in 0..m_rows {
            x[i * cols] = 1.0;
        }
        let mut c = b.zeros(m_rows * rows)?;
        let mm = Matmul {
            trans_b: true,
            ..Matmul::new(m_rows, cols, rows)
        };
        matmul(b, &b.upload(&x)?, &w, &mut c, mm)?;
        let c = b.download(&c)?;
        for (i, row) in c.chunks(rows).enumerate() {
            ensure!(
                row.iter()
                    .map(|v| v.to_bits())
                    .eq(col0
                        .iter()
                        .map(|v| v.to_bits())
                        .map(|b| if b == 0x8000_0000 { 0 } else { b })),
                "x·Wᵀ row {i} (m = {m_rows}) gave {row:?}, want {col0:?}"
            );
        }
        for r in 0..rows {
            let mut x = vec![0f32; m_rows * rows];
            x[(m_rows - 1) * rows + r] = 1.0;
            let mut c = b.zeros(m_rows * cols)?;
            matmul(
                b,
                &b.upload(&x)?,
                &w,
                &mut c,
                Matmul::new(m_rows, rows, cols),
            )?;
            let c = b.download(&c)?;
            let last = &c[(m_rows - 1) * cols..];
            ensure!(
                last[0] == want[r * cols] && last[1..].iter().all(|&v| v == 0.0),
                "x·W picking row {r} (m = {m_rows}) gave {last:?}, want {:?}",
                &want[r * cols..][..cols]
            );
        }
    }
    Ok(())
}

/// Other ops given a stored f16 `[4, 8]` weight (and its `copy`): each refuses it with
/// `StoredWeight` naming the op and the format. A backend that stores f16 as f32 (the
/// trait's default, or wgpu without `SHADER_F16`) accepts all of them instead; with `strict`
/// only refusals pass (the runners set it where the backend is known to keep f16).
pub fn refusals<B: Backend>(b: &B, strict: bool) -> Outcome {
    let (rows, cols) = (4, 8);
    let bytes = weight_bytes(WeightFormat::F16, rows, cols, 61);
    let w = b.upload_weight(matrix(WeightFormat::F16, rows, cols, &bytes))?;
    let wc = b.copy(&w)?;
    let x = b.upload(&normal(62, rows * cols, 1.0))?;
    let mut results: Vec<(&str, Result<()>)> = Vec::new();
    let mut y = b.copy(&x)?;
    results.push(("axpy", b.axpy(1.0, &w, &mut y)));
    let mut wm = b.copy(&w)?;
    results.push(("axpy", b.axpy(1.0, &x, &mut wm)));
    let mut wm = b.copy(&wc)?;
    results.push(("scale", b.scale(&mut wm, 2.0)));
    let mut wm = b.copy(&w)?;
    results.push(("fill_zero", b.fill_zero(&mut wm)));
    let norm_w = b.upload(&normal(63, cols, 1.0))?;
    results.push(("rmsnorm", b.rmsnorm(&w, &norm_w, cols, 1e-5).map(|_| ())));
    results.push(("sum_squares", b.sum_squares(&[&x, &w]).map(|_| ())));
    let mut c = b.zeros(rows * rows)?;
    let mm = Matmul {
        trans_b: true,
        ..Matmul::new(rows, cols, rows)
    };
    // A stored `a` (only `b` may be stored), and a stored `b` with a transposed `a`.
    results.push(("matmul", matmul(b, &w, &x, &mut c, mm)));
    let ta = Matmul {
        trans_a: true,
        trans_b: true,
        ..Matmul::new(rows, cols, rows)
    };
    results.push(("matmul with trans_a", matmul(b, &x, &w, &mut c, ta)));
    let refused = results.iter().filter(|(_, r)| r.is_err()).count();
    if !strict && refused == 0 {
        return Ok(());
    }
    for (op, r) in results {
        match r {
            Err(BackendError::StoredWeight { op: got, format }) => {
                ensure!(
                    got == op && format == WeightFormat::F16,
                    "{op}: refused as `{got}` with format {format}"
                );
            }
            Err(e) => return Err(Failure(format!("{op}: expected StoredWeight, got {e}"))),
            Ok(()) => return Err(Failure(format!("{op} accepted a stored f16 weight"))),
        }
    }
    Ok(())
}
