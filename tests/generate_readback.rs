//! `Model::generate` with the sampled ids kept on the device between readbacks
//! (`GenerateConfig::readback_every`): every chunk length gives the same generations as the
//! step-by-step loop that reads every token back (the oracle below is `generate` as it was
//! before chunking: `sample` to the host, then `forward_cached` with the host ids), for
//! greedy and sampled decoding, stop tokens hit in the middle of a chunk, a budget that is
//! not a multiple of the chunk and prompts of different lengths. Also
//! `Model::forward_cached_index` against `forward_cached`.
//!
//! The CPU tests run always; the wgpu ones are `#[ignore]`d (run with `-- --ignored`, on
//! lavapipe when there is no GPU) and fail when no adapter opens.

mod common;

use common::{random_params, tiny_config};
use hir_backend_cpu::CpuBackend;
use hir_backend_wgpu::WgpuBackend;
use hir_core::backend::{Backend, SampleParams};
use hir_core::model::{GenerateConfig, Generation, KvCache, Model, ModelError};
use hir_core::rng::derive;

/// `generate` as it was before chunking: one `sample` (ids to the host) and one
/// `forward_cached` (ids back to the device) per step.
fn step_by_step<B: Backend>(
    b: &B,
    model: &Model<B>,
    prompts: &[&[u32]],
    seeds: &[u64],
    cfg: &GenerateConfig,
) -> Vec<Generation> {
    let max_prompt = prompts.iter().map(|p| p.len()).max().unwrap();
    let mut cache = KvCache::new(b, model, prompts.len(), max_prompt + cfg.max_new_tokens).unwrap();
    let v = model.config.vocab_size;
    let mut out: Vec<Generation> = prompts
        .iter()
        .map(|_| Generation {
            tokens: Vec::new(),
            stopped: false,
        })
        .collect();
    let mut active: Vec<usize> = (0..prompts.len()).collect();
    let mut last = vec![0u32; prompts.len()];
    let mut t = 0u64;
    loop {
        let logits = if t == 0 {
            let entries: Vec<(usize, &[u32])> = prompts.iter().copied().enumerate().collect();
            model.forward_cached(b, &mut cache, &entries).unwrap()
        } else {
            let singles: Vec<[u32; 1]> = active.iter().map(|&i| [last[i]]).collect();
            let entries: Vec<(usize, &[u32])> = active
                .iter()
                .zip(&singles)
                .map(|(&i, s)| (i, &s[..]))
                .collect();
            model.forward_cached(b, &mut cache, &entries).unwrap()
        };
        let row_seeds: Vec<u64> = active
            .iter()
            .map(|&i| derive(derive(seeds[i], t), 0))
            .collect();
        let drawn = b.sample(&logits, v, &row_seeds, &cfg.sample).unwrap();
        let mut still = Vec::new();
        for (&i, &tok) in active.iter().zip(&drawn) {
            out[i].tokens.push(tok);
            last[i] = tok;
            if cfg.stop_ids.contains(&tok) {
                out[i].stopped = true;
            } else if out[i].tokens.len() < cfg.max_new_tokens {
                still.push(i);
            }
        }
        active = still;
        t += 1;
        if active.is_empty() {
            return out;
        }
    }
}

const GREEDY: SampleParams = SampleParams {
    temperature: 0.0,
    top_p: 1.0,
};
const SAMPLED: SampleParams = SampleParams {
    temperature: 1.0,
    top_p: 0.9,
};

/// Every `readback_every` of 1, 3, 8 and 16 gives the step-by-step loop's generations, for
/// greedy and sampled decoding of four prompts of lengths 3, 1, 5 and 2 with a budget of 11
/// tokens. The stop id is the 5th token of a sequence's unstopped continuation (so it stops
/// in the middle of a chunk of 3 and of 8), and the test requires that some sequences stop
/// and some run to the budget (a shared stop id that stops some rows and not others).
fn chunks_give_the_step_by_step_tokens<B: Backend>(b: &B) {
    let cfg = tiny_config(false, true);
    let model = Model::from_host(b, cfg.clone(), &random_params(&cfg, 11)).unwrap();
    let prompts: Vec<Vec<u32>> = vec![vec![1, 5, 9], vec![3], vec![4, 4, 18, 0, 11], vec![7, 2]];
    let refs: Vec<&[u32]> = prompts.iter().map(Vec::as_slice).collect();
    let seeds = [1, 2, 3, 4];
    for (name, sample) in [("greedy", GREEDY), ("T=1 p=0.9", SAMPLED)] {
        let free = GenerateConfig {
            max_new_tokens: 11,
            sample,
            stop_ids: Vec::new(),
            readback_every: 1,
        };
        let unstopped = step_by_step(b, &model, &refs, &seeds, &free);
        for row in 0..prompts.len() {
            let stop = unstopped[row].tokens[4];
            let cfg = GenerateConfig {
                stop_ids: vec![stop],
                ..free.clone()
            };
            let want = step_by_step(b, &model, &refs, &seeds, &cfg);
            assert!(
                want[row].stopped && want[row].tokens.len() <= 5,
                "{name}: row {row} stops at its 5th token or before: {want:?}"
            );
            let what = format!("{name}, stop id {stop}");
            assert_every_chunking(b, &model, (&refs, &seeds), &cfg, &want, &what);
        }
        // Without stop ids every sequence runs to the budget (11 = 3·3 + 2 = 8 + 3 < 16).
        let what = format!("{name}, no stop ids");
        assert_every_chunking(b, &model, (&refs, &seeds), &free, &unstopped, &what);
        assert!(unstopped.iter().all(|g| g.tokens.len() == 11 && !g.stopped));
    }
    // Some rows stop and some do not with one shared stop id: a token of row 0's unstopped
    // continuation (from its 3rd on) that row 1's never draws.
    let free = GenerateConfig {
        max_new_tokens: 11,
        sample: SAMPLED,
        stop_ids: Vec::new(),
        readback_every: 1,
    };
    let unstopped = step_by_step(b, &model, &refs, &seeds, &free);
    let stop = *unstopped[0].tokens[2..]
        .iter()
        .find(|t| !unstopped[1].tokens.contains(t))
        .expect("rows 0 and 1 draw different tokens");
    let cfg = GenerateConfig {
        stop_ids: vec![stop],
        ..free
    };
    let want = step_by_step(b, &model, &refs, &seeds, &cfg);
    let stopped = want.iter().filter(|g| g.stopped).count();
    assert!(
        stopped > 0 && stopped < want.len(),
        "the seeds should mix stopped and unstopped rows: {want:?}"
    );
    assert_every_chunking(
        b,
        &model,
        (&refs, &seeds),
        &cfg,
        &want,
        &format!("stop id {stop}"),
    );
}

/// `generate` with `cfg` at every `readback_every` in 1, 3, 8, 16 gives exactly `want`.
fn assert_every_chunking<B: Backend>(
    b: &B,
    model: &Model<B>,
    (prompts, seeds): (&[&[u32]], &[u64]),
    cfg: &GenerateConfig,
    want: &[Generation],
    what: &str,
) {
    for k in [1, 3, 8, 16] {
        let chunked = GenerateConfig {
            readback_every: k,
            ..cfg.clone()
        };
        let got = model.generate(b, prompts, seeds, &chunked).unwrap();
        assert_eq!(got, want, "{what}, readback_every {k}");
    }
}

/// `forward_cached_index` with device ids gives `forward_cached`'s logits with the same ids
/// from the host (bit for bit), and refuses a wrong id count and a full slot.
fn forward_cached_index_matches<B: Backend>(b: &B) {
    let cfg = tiny_config(true, false);
    let model = Model::from_host(b, cfg.clone(), &random_params(&cfg, 3)).unwrap();
    let prompts: [&[u32]; 3] = [&[1, 2, 3], &[4], &[5, 6]];
    let entries: Vec<(usize, &[u32])> = prompts.iter().copied().enumerate().collect();
    let mut host_cache = KvCache::new(b, &model, 3, 5).unwrap();
    let mut dev_cache = KvCache::new(b, &model, 3, 5).unwrap();
    let logits = model.forward_cached(b, &mut host_cache, &entries).unwrap();
    model.forward_cached(b, &mut dev_cache, &entries).unwrap();
    // Slots 2 and 0 (out of order), ids drawn on the device.
    let v = cfg.vocab_size;
    let ids = b.sample_to_index(&logits, v, &[9, 8, 7], &SAMPLED).unwrap();
    let host_ids = b.download_index(&ids).unwrap();
    let two = b.upload_index(&[host_ids[2], host_ids[0]]).unwrap();
    let want = model
        .forward_cached(
            b,
            &mut host_cache,
            &[(2, &[host_ids[2]]), (0, &[host_ids[0]])],
        )
        .unwrap();
    let got = model
        .forward_cached_index(b, &mut dev_cache, &[2, 0], &two)
        .unwrap();
    assert_eq!(b.download(&got).unwrap(), b.download(&want).unwrap());
    assert_eq!(dev_cache.lens, vec![4, 1, 3]);
    // All three slots from the sampled buffer itself.
    let got = model
        .forward_cached_index(b, &mut dev_cache, &[0, 1, 2], &ids)
        .unwrap();
    assert_eq!(b.len(&got), 3 * v);
    assert_eq!(dev_cache.lens, vec![5, 2, 4]);
    let err = |r: Result<B::Tensor, ModelError>| match r {
        Err(ModelError::Input(m)) => m,
        Err(e) => panic!("expected an input error, got {e}"),
        Ok(_) => panic!("expected an input error, got logits"),
    };
    let m = err(model.forward_cached_index(b, &mut dev_cache, &[1], &ids));
    assert!(m.contains("3 ids for 1 slots"), "{m}");
    let m = err(model.forward_cached_index(b, &mut dev_cache, &[1, 0, 2], &ids));
    assert!(
        m.contains("slot 0 would hold 6 tokens; its capacity is 5"),
        "{m}"
    );
    let m = err(model.forward_cached_index(b, &mut dev_cache, &[1, 1, 2], &ids));
    assert!(m.contains("slot 1 appears twice"), "{m}");
    assert_eq!(
        dev_cache.lens,
        vec![5, 2, 4],
        "a refused call changes nothing"
    );
}

/// `readback_every = 0` is an input error, not a hang or a panic.
fn zero_readback_is_refused<B: Backend>(b: &B) {
    let cfg = tiny_config(true, false);
    let model = Model::from_host(b, cfg.clone(), &random_params(&cfg, 3)).unwrap();
    let gen = GenerateConfig {
        readback_every: 0,
        ..GenerateConfig::new(4, GREEDY, vec![])
    };
    match model.generate(b, &[&[1, 2]], &[0], &gen) {
        Err(ModelError::Input(m)) => assert!(m.contains("readback_every"), "{m}"),
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn cpu_chunks_give_the_step_by_step_tokens() {
    chunks_give_the_step_by_step_tokens(&CpuBackend::new());
}

#[test]
fn cpu_forward_cached_index_matches_forward_cached() {
    forward_cached_index_matches(&CpuBackend::new());
}

#[test]
fn cpu_zero_readback_is_refused() {
    zero_readback_is_refused(&CpuBackend::new());
}

/// The wgpu backend on the chosen adapter (printed). Panics, with wgpu's reason, when no
/// adapter opens: the test runs only when asked for (`--ignored`), and needs one.
fn gpu(test: &str) -> WgpuBackend {
    match WgpuBackend::new() {
        Ok(b) => {
            println!("{test}: adapter {}", b.adapter_info());
            b
        }
        Err(e) => panic!(
            "{test}: no GPU adapter ({e}); this test runs only when asked for (--ignored), \
             and needs one"
        ),
    }
}

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test --test generate_readback -- --ignored"]
fn wgpu_chunks_give_the_step_by_step_tokens() {
    let b = gpu("wgpu_chunks_give_the_step_by_step_tokens");
    chunks_give_the_step_by_step_tokens(&b);
    zero_readback_is_refused(&b);
}

#[test]
#[ignore = "needs a GPU adapter (Vulkan, Metal, DX12 or GL): cargo test --test generate_readback -- --ignored"]
fn wgpu_forward_cached_index_matches_forward_cached() {
    forward_cached_index_matches(&gpu("wgpu_forward_cached_index_matches_forward_cached"));
}
