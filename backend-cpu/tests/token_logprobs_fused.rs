//! The fused `token_logprobs` / `token_logprobs_backward` of the CPU backend give, bit for
//! bit, what the training step computed before they existed: `scale(logits, 1/T)`,
//! `cross_entropy`, `scale(loss, −1)`, and `cross_entropy_backward` with `dloss = −dlogp`
//! followed by `scale(dlogits, 1/T)` (the `Backend` trait's default implementations).

use hir_backend_cpu::CpuBackend;
use hir_core::backend::Backend;
use hir_core::rng::Rng;

fn normal(seed: u64, n: usize, scale: f32) -> Vec<f32> {
    let mut r = Rng::new(seed);
    (0..n).map(|_| r.next_normal() * scale).collect()
}

fn bits(v: Vec<f32>) -> Vec<u32> {
    v.into_iter().map(f32::to_bits).collect()
}

#[test]
fn fused_token_logprobs_equal_the_unfused_sequence_bit_for_bit() {
    let b = CpuBackend::new();
    let (rows, vocab) = (9, 1003);
    let logits = normal(1, rows * vocab, 4.0);
    let mut targets: Vec<u32> = (0..rows as u32)
        .map(|r| (r * 331 + 7) % vocab as u32)
        .collect();
    targets[2] = u32::MAX;
    targets[7] = u32::MAX;
    let dlogp = normal(2, rows, 1.0);
    let t = b.upload_index(&targets).unwrap();
    let x = b.upload(&logits).unwrap();
    let g = b.upload(&dlogp).unwrap();
    for temperature in [1.0f32, 0.7, 1.3, 2.0, 0.05] {
        // The unfused sequence.
        let mut z = b.copy(&x).unwrap();
        if temperature != 1.0 {
            b.scale(&mut z, 1.0 / temperature).unwrap();
        }
        let (mut want_logp, want_lse) = b.cross_entropy(&z, &t, vocab).unwrap();
        b.scale(&mut want_logp, -1.0).unwrap();
        let mut dloss = b.copy(&g).unwrap();
        b.scale(&mut dloss, -1.0).unwrap();
        let mut want_d = b
            .cross_entropy_backward(&z, &want_lse, &t, &dloss, vocab)
            .unwrap();
        if temperature != 1.0 {
            b.scale(&mut want_d, 1.0 / temperature).unwrap();
        }
        // The fused ops.
        let (logp, lse) = b.token_logprobs(&x, &t, vocab, temperature).unwrap();
        let d = b
            .token_logprobs_backward(&x, &lse, &t, &g, vocab, temperature)
            .unwrap();
        let dl = |t: &<CpuBackend as Backend>::Tensor| bits(b.download(t).unwrap());
        assert_eq!(dl(&logp), dl(&want_logp), "logp at T={temperature}");
        assert_eq!(dl(&lse), dl(&want_lse), "lse at T={temperature}");
        assert_eq!(dl(&d), dl(&want_d), "dlogits at T={temperature}");
        // Not vacuous: the rows that count carry non-zero values.
        assert!(b.download(&logp).unwrap()[0] < 0.0);
        assert!(b.download(&d).unwrap()[..vocab].iter().any(|&v| v != 0.0));
    }
}
