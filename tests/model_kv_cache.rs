//! KV-cache decoding gives the logits of the full forward pass, on a ragged batch.

mod common;

use common::{max_abs_diff, random_params, tiny_config};
use hir_backend_cpu::CpuBackend;
use hir_core::backend::Backend;
use hir_core::model::{KvCache, Model, PackedBatch};

#[test]
fn cached_decoding_matches_full_forward() {
    for (tied, bias) in [(false, false), (true, true)] {
        let cfg = tiny_config(tied, bias);
        let b = CpuBackend::new();
        let model = Model::from_host(&b, cfg.clone(), &random_params(&cfg, 3)).unwrap();
        let seqs: Vec<Vec<u32>> = vec![
            vec![1, 5, 9, 2, 22, 7, 3],
            vec![3],
            vec![4, 4, 18, 0, 11, 6, 13, 2, 8, 19],
        ];
        let prompt_lens = [3usize, 1, 4];
        let v = cfg.vocab_size;

        // Reference: one full forward over the packed batch.
        let batch = PackedBatch::new(&seqs);
        let (logits, _) = model.forward(&b, &batch).unwrap();
        let full = b.download(&logits).unwrap();
        let row = |s: usize, t: usize| {
            let i = batch.seq_starts[s] as usize + t;
            &full[i * v..(i + 1) * v]
        };

        // Cached: prefill each prompt, then decode one token at a time; sequences finish at
        // different steps, so later steps run on a shrinking subset of slots.
        let mut cache = KvCache::new(&b, &model, seqs.len(), 16).unwrap();
        let entries: Vec<(usize, &[u32])> = seqs
            .iter()
            .zip(prompt_lens)
            .enumerate()
            .map(|(s, (seq, p))| (s, &seq[..p]))
            .collect();
        let out = b
            .download(&model.forward_cached(&b, &mut cache, &entries).unwrap())
            .unwrap();
        let mut worst = 0f32;
        for (e, (s, p)) in prompt_lens.iter().enumerate().map(|(s, p)| (s, (s, *p))) {
            worst = worst.max(max_abs_diff(&out[e * v..(e + 1) * v], row(s, p - 1)));
        }
        let mut pos = prompt_lens.to_vec();
        let mut compared = seqs.len();
        loop {
            let active: Vec<usize> = (0..seqs.len())
                .filter(|&s| pos[s] < seqs[s].len())
                .collect();
            if active.is_empty() {
                break;
            }
            let entries: Vec<(usize, &[u32])> = active
                .iter()
                .map(|&s| (s, &seqs[s][pos[s]..pos[s] + 1]))
                .collect();
            let out = b
                .download(&model.forward_cached(&b, &mut cache, &entries).unwrap())
                .unwrap();
            for (e, &s) in active.iter().enumerate() {
                worst = worst.max(max_abs_diff(&out[e * v..(e + 1) * v], row(s, pos[s])));
                pos[s] += 1;
                compared += 1;
            }
        }
        assert_eq!(
            compared,
            seqs.iter().map(|s| s.len()).sum::<usize>() - prompt_lens.iter().sum::<usize>()
                + seqs.len()
        );
        // Same math in a different summation order: differences are f32 rounding only.
        assert!(worst <= 1e-5, "cached vs full logits differ by {worst}");
    }
}

#[test]
fn cache_overflow_and_bad_slots_are_errors() {
    let cfg = tiny_config(false, false);
    let b = CpuBackend::new();
    let model = Model::from_host(&b, cfg.clone(), &random_params(&cfg, 3)).unwrap();
    let mut cache = KvCache::new(&b, &model, 2, 4).unwrap();
    let too_long = [1u32, 2, 3, 4, 5];
    let e = model
        .forward_cached(&b, &mut cache, &[(0, &too_long[..])])
        .err()
        .unwrap();
    assert!(e.to_string().contains("capacity is 4"), "{e}");
    let e = model
        .forward_cached(&b, &mut cache, &[(5, &too_long[..1])])
        .err()
        .unwrap();
    assert!(e.to_string().contains("slot 5 does not exist"), "{e}");
    let bad_id = [99u32];
    let e = model
        .forward_cached(&b, &mut cache, &[(0, &bad_id[..])])
        .err()
        .unwrap();
    assert!(e.to_string().contains("outside the vocabulary"), "{e}");
    // Failed calls left the cache untouched.
    assert_eq!(cache.lens, [0, 0]);
}
