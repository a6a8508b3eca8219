//! GFLOP/s of the CPU backend's `matmul` on the products listed in
//! `backend-cpu/benches/gemm_cases.txt` (the model's linear layers in their three forms, and
//! 2048³). `benches/sgemm_torch.py` measures PyTorch on the same list; `benches/sgemm_compare.sh`
//! runs both (and optionally a second build of this example) interleaved and prints the ratios.
//!
//! ```text
//! RAYON_NUM_THREADS=2 cargo run --release -p hir-backend-cpu --example gemm_bench [-- FILTER [ROUNDS]]
//! ```
//!
//! With `FILTER` = `-` it reads exact case names from stdin, one per line, and answers each
//! with its line (how `benches/sgemm_compare.py` interleaves it with PyTorch, case by case).
//!
//! Every case runs `ROUNDS` turns (default 3) of at least 0.1 s each and prints its fastest
//! call: `name m k n ta tb beta gflops`.

use std::io::Write;
use std::time::Instant;

use hir_backend_cpu::CpuBackend;
use hir_core::backend::{Backend, Matmul};

/// One line of `gemm_cases.txt`.
struct Case {
    name: String,
    mm: Matmul,
}

fn cases(filter: &str) -> Vec<Case> {
    include_str!("../benches/gemm_cases.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let num = |i: usize| f[i].parse::<usize>().expect("number");
            let mut mm = Matmul::new(num(1), num(2), num(3));
            mm.trans_a = num(4) == 1;
            mm.trans_b = num(5) == 1;
            mm.beta = f[6].parse().expect("beta");
            Case {
                name: f[0].to_string(),
                mm,
            }
        })
        .filter(|c| c.name.contains(filter))
        .collect()
}

/// Fastest call of `f` (seconds) over at least 0.1 s and 2 calls.
fn best(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut best = f64::INFINITY;
    let mut calls = 0;
    while calls < 2 || start.elapsed().as_secs_f64() < 0.1 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
        calls += 1;
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let filter = args.get(1).map(String::as_str).unwrap_or("");
    let rounds: usize = args.get(2).map_or(3, |r| r.parse().expect("rounds"));
    let backend = CpuBackend::new();
    if filter == "-" {
        // Server mode for sgemm_compare.py: one exact case name per input line.
        for line in std::io::stdin().lines() {
            let line = line.expect("stdin");
            for case in cases("").into_iter().filter(|c| c.name == line.trim()) {
                measure(&backend, &case, rounds);
            }
        }
        return;
    }
    for case in cases(filter) {
        measure(&backend, &case, rounds);
    }
}

/// Prints the fastest call of `case` over `rounds` turns.
fn measure(backend: &CpuBackend, case: &Case, rounds: usize) {
    {
        let mm = case.mm;
        let a: Vec<f32> = (0..mm.m * mm.k)
            .map(|i| ((i * 7) % 13) as f32 / 13.0 - 0.5)
            .collect();
        let b: Vec<f32> = (0..mm.k * mm.n)
            .map(|i| ((i * 5) % 11) as f32 / 11.0 - 0.5)
            .collect();
        let (ta, tb) = (
            backend.upload(&a).expect("upload"),
            backend.upload(&b).expect("upload"),
        );
        let mut tc = backend.zeros(mm.m * mm.n).expect("zeros");
        let mut t = f64::INFINITY;
        for _ in 0..rounds {
            t = t.min(best(|| {
                backend.matmul(&ta, &tb, &mut tc, mm).expect("matmul")
            }));
        }
        let flop = 2.0 * (mm.m * mm.n * mm.k) as f64;
        println!(
            "{} {} {} {} {} {} {} {:.1}",
            case.name,
            mm.m,
            mm.k,
            mm.n,
            mm.trans_a as u8,
            mm.trans_b as u8,
            mm.beta,
            flop / t / 1e9
        );
        std::io::stdout().flush().expect("stdout");
    }
}
