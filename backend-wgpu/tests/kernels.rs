//! Kernel variants the generic conformance suite does not reach, against the CPU reference:
//! the bounds-check-free matmul (every dimension a multiple of the tile), the matrix–vector
//! kernels on longer vectors, the tiled kernel on the few rows of batched decoding, a grid of more than 65535 workgroups, and the RoPE table cache.
//! Tolerances as in the conformance suite (`2e-6·(k+16)` absolute + `1e-5` relative for a
//! k-term dot product of O(1) inputs; exact for data movement).

mod common;

use hir_backend_cpu::CpuBackend;
use hir_core::backend::{Backend, Matmul};
use hir_core::rng::Rng;

fn normal(seed: u64, n: usize) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.next_normal()).collect()
}

/// `C = alpha·op(A)·op(B) + beta·C` on backend `be`, read back.
fn run_matmul<B: Backend>(be: &B, (a, b, c): (&[f32], &[f32], &[f32]), mm: Matmul) -> Vec<f32> {
    let (a, b, mut c) = (
        be.upload(a).unwrap(),
        be.upload(b).unwrap(),
        be.upload(c).unwrap(),
    );
    be.matmul(&a, &b, &mut c, mm).unwrap();
    be.download(&c).unwrap()
}

/// Runs the matmul `(m, k, n)` with transposes `(ta, tb)` and scalars `(alpha, beta)` on
/// both backends and checks the difference.
fn check_matmul<B: Backend>(
    gpu: &B,
    (m, k, n): (usize, usize, usize),
    (ta, tb): (bool, bool),
    (alpha, beta): (f32, f32),
) {
    let (a, b, c) = (normal(1, m * k), normal(2, k * n), normal(3, m * n));
    let inputs = (&a[..], &b[..], &c[..]);
    let mm = Matmul {
        m,
        k,
        n,
        trans_a: ta,
        trans_b: tb,
        alpha,
        beta,
    };
    let got = run_matmul(gpu, inputs, mm);
    let want = run_matmul(&CpuBackend::new(), inputs, mm);
    let abs = 2e-6 * (k as f32 + 16.0);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= abs + 1e-5 * w.abs(),
            "matmul m={m} k={k} n={n} tA={ta} tB={tb}: c[{i}] = {g}, reference {w}"
        );
    }
}

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test -p hir-backend-wgpu -- --ignored"]
fn matmul_unchecked_tiles_and_matvec() {
    let gpu = common::gpu("kernels::matmul");
    let mut cases = 0;
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        // Multiples of 64 × 16 × 64: the bounds-check-free variant.
        check_matmul(&gpu, (128, 48, 64), (ta, tb), (1.0, 0.0));
        check_matmul(&gpu, (64, 16, 192), (ta, tb), (-0.5, 2.0));
        // m = 1: matrix–vector kernels (rows of B when tB, columns otherwise).
        check_matmul(&gpu, (1, 300, 257), (ta, tb), (1.0, 0.0));
        check_matmul(&gpu, (1, 64, 70), (ta, tb), (0.5, -1.5));
        // 2–9 rows (batched decoding): the tiled kernel with most of its 64-row tile masked.
        check_matmul(&gpu, (2, 300, 257), (ta, tb), (1.0, 0.0));
        check_matmul(&gpu, (5, 65, 70), (ta, tb), (0.5, -1.5));
        check_matmul(&gpu, (8, 576, 131), (ta, tb), (1.0, 0.0));
        check_matmul(&gpu, (9, 100, 33), (ta, tb), (1.0, 0.5));
        cases += 8;
    }
    println!(
        "kernels::matmul: {cases} matmul cases on {}",
        gpu.adapter_info().name
    );
}

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test -p hir-backend-wgpu -- --ignored"]
fn large_grids_and_rope_table_reuse() {
    let gpu = common::gpu("kernels::grid");
    let cpu = CpuBackend::new();
    // 70000·256 threads: more than 65535 workgroups, spread over a 2-D grid.
    let n = 65_600 * 256 + 3;
    let x = normal(4, n);
    let mut t = gpu.upload(&x).unwrap();
    gpu.scale(&mut t, 0.5).unwrap();
    let got = gpu.download(&t).unwrap();
    assert!(
        got.iter().zip(&x).all(|(g, x)| *g == x * 0.5),
        "scale on a 2-D grid"
    );

    // The same positions object twice (cache hit), then equal positions in a new buffer,
    // then other positions: each must rotate like the reference.
    let (heads, e) = (2, 8);
    let p1: Vec<u32> = vec![0, 5, 1999, 7];
    let p2: Vec<u32> = vec![3, 1, 4, 1];
    let xs = normal(5, p1.len() * heads * e);
    let gpos1 = gpu.upload_index(&p1).unwrap();
    let gpos1b = gpu.upload_index(&p1).unwrap();
    let gpos2 = gpu.upload_index(&p2).unwrap();
    for (gpos, pos) in [(&gpos1, &p1), (&gpos1, &p1), (&gpos1b, &p1), (&gpos2, &p2)] {
        let mut g = gpu.upload(&xs).unwrap();
        gpu.rope(&mut g, gpos, heads, e, 10_000.0, false).unwrap();
        let mut c = cpu.upload(&xs).unwrap();
        cpu.rope(
            &mut c,
            &cpu.upload_index(pos).unwrap(),
            heads,
            e,
            10_000.0,
            false,
        )
        .unwrap();
        // Same table, same formula; a GPU may fuse `a·cos − b·sin` into an FMA, so allow the
        // elementwise tolerance of the conformance suite rather than bit equality.
        let (g, c) = (gpu.download(&g).unwrap(), cpu.download(&c).unwrap());
        for (gi, ci) in g.iter().zip(&c) {
            assert!(
                (gi - ci).abs() <= 1e-6 + 1e-6 * ci.abs(),
                "rope {gi} vs {ci}"
            );
        }
    }
}

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test -p hir-backend-wgpu -- --ignored"]
fn many_dispatches_keep_their_own_parameters_across_batches() {
    let gpu = common::gpu("kernels::batches");
    // 1500 dispatches span several submitted batches (512 commands each), each with its own
    // `alpha` in the parameter arena: y = Σ i·x exactly (integers below 2^24).
    let x = gpu.upload(&[1.0, 2.0, 3.0]).unwrap();
    let mut y = gpu.zeros(3).unwrap();
    for i in 0..1500 {
        gpu.axpy(i as f32, &x, &mut y).unwrap();
    }
    let s = (0..1500).sum::<u32>() as f32;
    assert_eq!(gpu.download(&y).unwrap(), vec![s, 2.0 * s, 3.0 * s]);
}
