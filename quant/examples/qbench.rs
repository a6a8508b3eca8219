//! Single-thread microbenchmark of `matmul_xwt` on SmolLM2-135M's shapes.
//!
//! `cargo run --release -p hir-quant --example qbench [-- FORMAT,...|all [m,... [isa,...]]]`
//!
//! Shapes 576→1536 and 1536→576 (512 for the K formats, whose blocks are 256 wide) and, for
//! Q8_0, the tied head 576→49152. Prints, per format × shape × m × instruction set, GB/s of weight bytes read and GFLOP/s
//! (2·m·rows·cols per call), for the weights streamed from memory: each call uses the next
//! of enough copies of the matrix to fill 256 MB, as a decode step walks through a model's
//! layers, so nothing is served from cache. `dequant+dot` is the path `matmul_xwt` had
//! before the kernels (dequantize a row to f32, dot it with every activation row), for
//! comparison. `QBENCH_HOT=1` uses one copy instead (cache-resident: compute speed). First line: this machine's single-thread read bandwidth (a plain sum over a
//! 256 MB buffer).

use hir_quant::{dequant, dequantize_rows, matmul_xwt, Isa, QuantMatrix, WeightFormat};
use std::hint::black_box;
use std::time::Instant;

/// Bytes the copies of one matrix fill (beyond every cache).
const SPAN: usize = 256 << 20;

fn pseudo_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 32) as u8
        })
        .collect()
}

/// Bytes of a `rows × cols` matrix of `f` with finite values (scales set to 0.01, plain
/// values from small integers).
fn matrix(f: WeightFormat, rows: usize, cols: usize, seed: u64) -> Vec<u8> {
    let n = rows * cols;
    match f {
        WeightFormat::F32 => pseudo_bytes(n, seed)
            .iter()
            .flat_map(|&b| (b as f32 / 128.0 - 1.0).to_le_bytes())
            .collect(),
        WeightFormat::F16 => pseudo_bytes(n, seed)
            .iter()
            .flat_map(|&b| half::f16::from_f32(b as f32 / 128.0 - 1.0).to_le_bytes())
            .collect(),
        WeightFormat::BF16 => pseudo_bytes(n, seed)
            .iter()
            .flat_map(|&b| half::bf16::from_f32(b as f32 / 128.0 - 1.0).to_le_bytes())
            .collect(),
        _ => {
            let bb = f.block_bytes();
            let mut v = pseudo_bytes(n / f.block_elems() * bb, seed);
            let offs: &[usize] = match f {
                WeightFormat::Q6_K => &[208],
                WeightFormat::Q8_0 | WeightFormat::Q4_0 => &[0],
                _ => &[0, 2],
            };
            for blk in v.chunks_exact_mut(bb) {
                for &o in offs {
                    blk[o..o + 2].copy_from_slice(&half::f16::from_f32(0.01).to_le_bytes());
                }
            }
            v
        }
    }
}

/// The fastest of `calls · reps` individually timed calls of `f` (the machines this runs on
/// are shared: the minimum is the call that ran undisturbed).
fn best(calls: usize, reps: usize, mut f: impl FnMut(usize)) -> f64 {
    let mut best = f64::INFINITY;
    for i in 0..calls * reps {
        let t = Instant::now();
        f(i);
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

/// Single-thread read bandwidth: a plain sum over a 256 MB buffer, read in order, each 8 MB
/// piece timed on its own (the fastest piece counts: the machine is shared).
fn bandwidth() -> f64 {
    const PIECE: usize = 8 << 20;
    let buf: Vec<f32> = (0..SPAN / 4).map(|i| (i % 7) as f32).collect();
    let mut best_secs = f64::INFINITY;
    for _ in 0..3 {
        for piece in buf.chunks_exact(PIECE / 4) {
            let t = Instant::now();
            let mut acc = [0f32; 16];
            for c in piece.chunks_exact(16) {
                for (a, v) in acc.iter_mut().zip(c) {
                    *a += v;
                }
            }
            black_box(acc);
            best_secs = best_secs.min(t.elapsed().as_secs_f64());
        }
    }
    PIECE as f64 / best_secs / 1e9
}

/// The old path: dequantize a row, dot it with every activation row.
fn dequant_dot(x: &[f32], m: usize, w: &QuantMatrix<'_>, out: &mut [f32], row: &mut [f32]) {
    let (k, n) = (w.cols(), w.rows());
    for j in 0..n {
        dequant::dequantize_row(w.format(), w.row(j), row);
        for r in 0..m {
            out[r * n + j] = x[r * k..(r + 1) * k]
                .iter()
                .zip(&*row)
                .map(|(a, b)| a * b)
                .sum();
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let formats: Vec<WeightFormat> = match args.first() {
        Some(a) if a != "all" => a.split(',').filter_map(WeightFormat::from_name).collect(),
        _ => WeightFormat::ALL.to_vec(),
    };
    let ms: Vec<usize> = match args.get(1) {
        Some(a) => a.split(',').filter_map(|v| v.parse().ok()).collect(),
        None => vec![1, 4, 16],
    };
    println!(
        "single-thread read bandwidth (sum over 256 MB, fastest 8 MB piece): {:.1} GB/s",
        bandwidth()
    );
    println!(
        "{:<6} {:>12} {:>3} {:<12} {:>8} {:>9} {:>9}",
        "format", "shape", "m", "isa", "us/call", "GB/s", "GFLOP/s"
    );
    let isas: Vec<Isa> = match args.get(2) {
        Some(a) => a.split(',').filter_map(Isa::from_name).collect(),
        None => Isa::available(),
    };
    let mut shapes: Vec<(WeightFormat, usize, usize)> = vec![];
    for &f in &formats {
        // SmolLM2's 576 is not a whole number of 256-value K blocks: 512 stands in.
        let hidden = if f.block_elems() == 256 { 512 } else { 576 };
        shapes.push((f, 1536, hidden));
        shapes.push((f, hidden, 1536));
    }
    if formats.contains(&WeightFormat::Q8_0) {
        shapes.push((WeightFormat::Q8_0, 49152, 576));
    }
    for (f, rows, cols) in shapes {
        let one = matrix(f, rows, cols, 1);
        // QBENCH_HOT=1: one copy, served from cache (the kernels' compute speed).
        let hot = std::env::var("QBENCH_HOT").is_ok_and(|v| v == "1");
        let copies = if hot { 1 } else { (SPAN / one.len()).max(2) };
        let all: Vec<u8> = (0..copies).flat_map(|_| one.iter().copied()).collect();
        let mats: Vec<QuantMatrix<'_>> = all
            .chunks_exact(one.len())
            .map(|b| QuantMatrix::new(f, rows, cols, b).unwrap())
            .collect();
        // Dequantizing every row to f32 (the prompt-processing path): GB/s of weight bytes
        // read, and the f32 values written per second in the GFLOP/s column's place (G/s).
        if rows < 10000 {
            let mut buf = vec![0f32; rows * cols];
            let line = |name: &str, secs: f64| {
                println!(
                    "{:<6} {:>5}→{:<6} {:>3} {:<12} {:>8.1} {:>9.2} {:>7.2}G/s",
                    f.name(),
                    cols,
                    rows,
                    "deq",
                    name,
                    secs * 1e6,
                    one.len() as f64 / secs / 1e9,
                    (rows * cols) as f64 / secs / 1e9
                );
            };
            for &isa in &isas {
                let s = best(8, 4, |i| {
                    dequantize_rows(isa, &mats[i % copies], 0..rows, &mut buf);
                    black_box(&buf);
                });
                line(isa.name(), s);
            }
            let s = best(8, 2, |i| {
                let w = &mats[i % copies];
                for (j, o) in buf.chunks_exact_mut(cols).enumerate() {
                    dequant::dequantize_row(f, w.row(j), o);
                }
                black_box(&buf);
            });
            line("dequant::", s);
        }
        for &m in &ms {
            let x: Vec<f32> = (0..m * cols)
                .map(|i| ((i % 13) as f32 - 6.0) / 8.0)
                .collect();
            let mut out = vec![0f32; m * rows];
            let mut row = vec![0f32; cols];
            let calls = if hot { 64 } else { copies.clamp(1, 64) };
            let report = |name: &str, secs: f64| {
                println!(
                    "{:<6} {:>5}→{:<6} {:>3} {:<12} {:>8.1} {:>9.2} {:>9.2}",
                    f.name(),
                    cols,
                    rows,
                    m,
                    name,
                    secs * 1e6,
                    one.len() as f64 / secs / 1e9,
                    2.0 * (m * rows * cols) as f64 / secs / 1e9
                );
            };
            for &isa in &isas {
                let s = best(calls, 8, |i| {
                    matmul_xwt(isa, &x, m, &mats[i % copies], 0..rows, &mut out);
                    black_box(&out);
                });
                report(isa.name(), s);
            }
            if args.get(2).is_none() && (m == 1 || rows < 10000) {
                let s = best(calls.min(8), 3, |i| {
                    dequant_dot(&x, m, &mats[i % copies], &mut out, &mut row);
                    black_box(&out);
                });
                report("dequant+dot", s);
            }
        }
    }
}
