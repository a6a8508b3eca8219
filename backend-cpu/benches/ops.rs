//! Throughput of the CPU backend's hot ops: matmul (reported in FLOP/s) and attention.
//!
//! Run with `cargo bench -p hir-backend-cpu --bench ops`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hir_backend_cpu::CpuBackend;
use hir_core::backend::{AttentionSaved, AttentionShape, Backend, Matmul};
use hir_core::rng::Rng;

fn normal(seed: u64, n: usize) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.next_normal()).collect()
}

fn matmul(c: &mut Criterion) {
    let b = CpuBackend::new();
    let mut group = c.benchmark_group("matmul");
    group.sample_size(10);
    for n in [256usize, 1024] {
        let x = b.upload(&normal(1, n * n)).expect("upload");
        let y = b.upload(&normal(2, n * n)).expect("upload");
        let mut out = b.zeros(n * n).expect("zeros");
        // 2·n³ floating-point operations per product.
        group.throughput(Throughput::Elements(2 * (n as u64).pow(3)));
        for (ta, tb) in [(false, false), (true, false), (false, true)] {
            let id = BenchmarkId::new(format!("tA={ta} tB={tb}"), format!("{n}x{n}x{n}"));
            group.bench_function(id, |bench| {
                bench.iter(|| {
                    b.matmul(
                        &x,
                        &y,
                        &mut out,
                        Matmul {
                            m: n,
                            k: n,
                            n,
                            trans_a: ta,
                            trans_b: tb,
                            alpha: 1.0,
                            beta: 0.0,
                        },
                    )
                    .expect("matmul")
                })
            });
        }
    }
    group.finish();
}

fn attention(c: &mut Criterion) {
    let b = CpuBackend::new();
    let mut group = c.benchmark_group("attention");
    group.sample_size(10);
    // One 512-token sequence, Qwen2.5-0.5B-like heads: 14 query heads, 2 KV heads, E = 64.
    let (n, heads, kv, e) = (512usize, 14usize, 2usize, 64usize);
    let q = b.upload(&normal(3, n * heads * e)).expect("upload");
    let k = b.upload(&normal(4, n * kv * e)).expect("upload");
    let v = b.upload(&normal(5, n * kv * e)).expect("upload");
    let seq = [0u32, n as u32];
    group.bench_function("forward N=512 H=14 Hkv=2 E=64", |bench| {
        bench.iter(|| {
            b.attention(&q, &k, &v, &seq, AttentionShape::new(heads, kv, e))
                .expect("attention")
        })
    });
    let (o, lse) = b
        .attention(&q, &k, &v, &seq, AttentionShape::new(heads, kv, e))
        .expect("attention");
    let d_o = b.upload(&normal(6, n * heads * e)).expect("upload");
    group.bench_function("backward N=512 H=14 Hkv=2 E=64", |bench| {
        bench.iter(|| {
            b.attention_backward(
                &d_o,
                AttentionSaved {
                    q: &q,
                    k: &k,
                    v: &v,
                    o: &o,
                    lse: &lse,
                },
                &seq,
                AttentionShape::new(heads, kv, e),
            )
            .expect("attention_backward")
        })
    });
    group.finish();
}

criterion_group!(benches, matmul, attention);
criterion_main!(benches);
