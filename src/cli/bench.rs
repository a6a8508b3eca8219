//! `hir bench matmul|step|decode`: throughput of the compute backends.
//!
//! Numbers are only comparable within one run on one machine; `benches/compare_pytorch.sh`
//! runs these next to the PyTorch baseline and prints ratios.

use crate::backend_choice::BackendChoice;
use clap::{Args, ValueEnum};
use hir_core::backend::{Backend, Matmul, SampleParams};
use hir_core::model::{
    param_count, GenerateConfig, KvCache, Model, ModelConfig, PackedBatch, Params,
};
use hir_core::optim::{zero_grads, AdamW, AdamWConfig};
use hir_core::rng::Rng;
use std::time::Instant;

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchKind {
    /// Square f32 matmul `C = A·B`, GFLOP/s.
    Matmul,
    /// One training step (forward + backward + AdamW), tokens/s.
    Step,
    /// Single-sequence greedy decoding with the KV cache, tokens/s (after `--prompt-tokens`,
    /// not timed).
    Decode,
    /// Batched greedy generation (`--batch` sequences of `--prompt-tokens`, `--tokens` new
    /// tokens each), new tokens/s over the whole batch, prefill included (`tokens_per_s`) and
    /// without it (`decode_tokens_per_s`: the steps after the prefill).
    Generate,
    /// Prompt processing (prefill of one `--seq`-token prompt into the KV cache), tokens/s.
    Prompt,
}

/// Which operand of `hir bench matmul` is stored transposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transpose {
    /// `C = A·B`.
    None,
    /// `C = Aᵀ·B` (A stored `[K, M]`).
    A,
    /// `C = A·Bᵀ` (B stored `[N, K]`).
    B,
}

/// Parses `M,K,N` (also `MxKxN`) into three positive sizes.
fn parse_shape(s: &str) -> Result<(usize, usize, usize), String> {
    let parts: Vec<&str> = s.split([',', 'x', 'X']).map(str::trim).collect();
    let bad = || format!("`{s}`: expected three positive sizes M,K,N (e.g. 2048,384,1024)");
    if parts.len() != 3 {
        return Err(bad());
    }
    let mut v = [0usize; 3];
    for (o, p) in v.iter_mut().zip(&parts) {
        *o = p.parse().ok().filter(|&x| x > 0).ok_or_else(bad)?;
    }
    Ok((v[0], v[1], v[2]))
}

/// Flags of `hir bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to measure.
    #[arg(value_enum)]
    pub kind: BenchKind,
    /// Compute backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: BackendChoice,
    /// The model for `step`, `decode`, `generate` and `prompt`: a GGUF file or a Hugging
    /// Face directory (default: a random ~10M-parameter Llama).
    #[arg(long, conflicts_with = "config")]
    pub model: Option<std::path::PathBuf>,
    /// Benchmark this architecture with random weights: a Hugging Face `config.json` (e.g.
    /// SmolLM2's, to measure a model's speed without its weights).
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    /// Matrix size for `matmul` (`--size N` is the product N×N by N×N).
    #[arg(long, default_value_t = 1024)]
    pub size: usize,
    /// A non-square `matmul`: `M,K,N` multiplies op(A) `[M, K]` by op(B) `[K, N]` (overrides
    /// `--size`).
    #[arg(long, value_parser = parse_shape)]
    pub shape: Option<(usize, usize, usize)>,
    /// Which `matmul` operand is transposed (the model's products: `b` is `x·Wᵀ`, the forward
    /// of a linear layer; `a` is `dyᵀ·x`, its weight gradient; `none` is `dy·W`, its input
    /// gradient).
    #[arg(long, value_enum, default_value_t = Transpose::None)]
    pub transpose: Transpose,
    /// Sequences per training step, or sequences generated together for `generate`.
    #[arg(long, default_value_t = 4)]
    pub batch: usize,
    /// Tokens per sequence for `step`, prompt tokens for `prompt`.
    #[arg(long, default_value_t = 256)]
    pub seq: usize,
    /// Tokens to generate for `decode` and `generate` (after `--prompt-tokens`).
    #[arg(long, default_value_t = 128)]
    pub tokens: usize,
    /// Prompt length (per sequence) before `decode` and `generate`.
    #[arg(long, default_value_t = 16)]
    pub prompt_tokens: usize,
    /// Decode steps between two readbacks of the sampled ids for `decode` and `generate`
    /// (the ids stay on the device in between; 1 reads back every step).
    #[arg(long, default_value_t = GenerateConfig::DEFAULT_READBACK_EVERY,
          value_parser = parse_readback_every)]
    pub readback_every: usize,
    /// Timed repetitions (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub reps: usize,
    /// How `decode`, `generate` and `prompt` hold the 2-D weights (`auto` keeps a GGUF file's
    /// blocks, Hugging Face and random weights stay f32; `f32`; `bf16`/`f16` convert on
    /// load). `step` trains f32 weights.
    #[arg(long, value_enum, default_value_t)]
    pub dtype: crate::io::weights::WeightDtype,
    /// The device's f32 peak in GFLOP/s, for `matmul`'s percentage of peak (default: looked
    /// up by the GPU's name in hir's table of data-sheet peaks; none for the CPU).
    #[arg(long, value_parser = super::bench_peak::parse_peak)]
    pub peak_gflops: Option<f64>,
}

/// `--readback-every`: a whole number of steps, at least 1.
fn parse_readback_every(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(k) if k >= 1 => Ok(k),
        _ => Err(format!("expected a number of decode steps ≥ 1, got `{s}`")),
    }
}

/// The "~10M parameter" benchmark model (the same config `benches/pytorch_baseline.py` builds).
pub fn bench_config() -> ModelConfig {
    ModelConfig {
        vocab_size: 8192,
        hidden_size: 256,
        intermediate_size: 768,
        num_hidden_layers: 10,
        num_attention_heads: 8,
        num_key_value_heads: 4,
        head_dim: 32,
        rope_theta: 10_000.0,
        rms_norm_eps: 1e-6,
        tie_word_embeddings: true,
        attention_bias: false,
        o_proj_bias: false,
        mlp_bias: false,
        max_position_embeddings: 2048,
    }
}

/// Most parameters `hir bench --config` builds random weights for: 2^33 (8.6 billion, 34 GB
/// of f32 weights, plus the backend's copy).
pub const MAX_BENCH_PARAMS: u64 = 1 << 33;
/// Largest `--size` of `hir bench matmul`: three 32768² f32 matrices are 12.9 GB.
pub const MAX_MATMUL_SIZE: usize = 1 << 15;
/// Most tokens one benchmark batch may hold (`--batch` × tokens per sequence).
pub const MAX_BENCH_TOKENS: usize = 1 << 20;

/// Checks the counts the benchmark `kind` uses: each positive, sizes within their bounds.
fn check_counts(args: &BenchArgs) -> anyhow::Result<()> {
    let positive = |flag: &str, v: usize| {
        anyhow::ensure!(v > 0, "{flag} must be at least 1 (got 0)");
        Ok(())
    };
    positive("--reps", args.reps)?;
    match args.kind {
        BenchKind::Matmul => match args.shape {
            None => {
                positive("--size", args.size)?;
                anyhow::ensure!(
                    args.size <= MAX_MATMUL_SIZE,
                    "--size {}: the three {0}×{0} f32 matrices would take {:.1} GB; at most \
                     {MAX_MATMUL_SIZE} is accepted",
                    args.size,
                    3.0 * 4.0 * (args.size as f64).powi(2) / 1e9
                );
            }
            Some((m, k, n)) => {
                let most = MAX_MATMUL_SIZE * MAX_MATMUL_SIZE;
                for (what, len) in [
                    ("M·K", m.checked_mul(k)),
                    ("K·N", k.checked_mul(n)),
                    ("M·N", m.checked_mul(n)),
                ] {
                    anyhow::ensure!(
                        len.is_some_and(|l| l <= most),
                        "--shape {m},{k},{n}: {what} is over {most} elements; use smaller sizes"
                    );
                }
            }
        },
        BenchKind::Step => {
            positive("--batch", args.batch)?;
            positive("--seq", args.seq)?;
            check_tokens("--batch × --seq", args.batch.checked_mul(args.seq))?;
        }
        BenchKind::Prompt => positive("--seq", args.seq)?,
        BenchKind::Decode => {
            positive("--prompt-tokens", args.prompt_tokens)?;
            anyhow::ensure!(
                args.tokens >= 2,
                "--tokens must be at least 2 for decode (the first token comes from the \
                 prefill; the following ones are timed), got {}",
                args.tokens
            );
            check_tokens(
                "--prompt-tokens + --tokens",
                args.prompt_tokens.checked_add(args.tokens),
            )?;
        }
        BenchKind::Generate => {
            positive("--batch", args.batch)?;
            positive("--prompt-tokens", args.prompt_tokens)?;
            positive("--tokens", args.tokens)?;
            let per_seq = args.prompt_tokens.checked_add(args.tokens);
            check_tokens(
                "--batch × (--prompt-tokens + --tokens)",
                per_seq.and_then(|n| n.checked_mul(args.batch)),
            )?;
        }
    }
    Ok(())
}

fn check_tokens(what: &str, n: Option<usize>) -> anyhow::Result<()> {
    match n {
        Some(n) if n <= MAX_BENCH_TOKENS => Ok(()),
        Some(n) => anyhow::bail!("{what} = {n} tokens; at most {MAX_BENCH_TOKENS} are accepted"),
        None => anyhow::bail!("{what} overflows; at most {MAX_BENCH_TOKENS} tokens are accepted"),
    }
}

/// Checks that `tokens` positions fit the model's `max_position_embeddings`.
fn check_positions(what: &str, tokens: usize, cfg: &ModelConfig) -> anyhow::Result<()> {
    anyhow::ensure!(
        tokens <= cfg.max_position_embeddings,
        "{what} = {tokens} tokens, more than the model's max_position_embeddings ({})",
        cfg.max_position_embeddings
    );
    Ok(())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Runs `hir bench`, printing one JSON object.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    check_counts(&args)?;
    crate::with_backend!(args.backend, |b| {
        let report = match args.kind {
            BenchKind::Matmul => bench_matmul(&b, &args)?,
            BenchKind::Step => bench_step(&b, &args)?,
            BenchKind::Decode => bench_decode(&b, &args)?,
            BenchKind::Generate => bench_generate(&b, &args)?,
            BenchKind::Prompt => bench_prompt(&b, &args)?,
        };
        let mut report = report;
        if args.kind != BenchKind::Matmul {
            // `--dtype` decides how the weights are held, so rows with different ones differ.
            report["dtype"] = serde_json::to_value(args.dtype)?;
        }
        // Whether the kernels ran their subgroup variants (wgpu with `Features::SUBGROUP`,
        // unless `HIR_WGPU_SUBGROUPS=0`), so rows of both paths on one GPU differ.
        report["subgroups"] = subgroups_in_use(&b).into();
        println!("{report}");
    });
    Ok(())
}

/// Whether `b` is the wgpu backend running its kernels' subgroup variants.
fn subgroups_in_use<B: 'static>(b: &B) -> bool {
    (b as &dyn std::any::Any)
        .downcast_ref::<hir_backend_wgpu::WgpuBackend>()
        .is_some_and(|w| w.subgroups_in_use())
}

/// `len` random normal floats, or an error naming the operand when they cannot be allocated.
fn random_matrix(len: usize, what: &str, rng: &mut Rng) -> anyhow::Result<Vec<f32>> {
    let mut host: Vec<f32> = Vec::new();
    host.try_reserve_exact(len).map_err(|_| {
        anyhow::anyhow!(
            "cannot allocate the {:.1} GB of matrix {what}; use a smaller --size or --shape",
            (len as f64) * 4.0 / 1e9
        )
    })?;
    host.extend((0..len).map(|_| rng.next_normal()));
    Ok(host)
}

fn bench_matmul<B: Backend>(b: &B, args: &BenchArgs) -> anyhow::Result<serde_json::Value> {
    // Sizes are bounded in `check_counts`, so the products below cannot overflow.
    let (m, k, n) = args.shape.unwrap_or((args.size, args.size, args.size));
    let mut rng = Rng::new(1);
    let a = b.upload(&random_matrix(m * k, "A", &mut rng)?)?;
    let bm = b.upload(&random_matrix(k * n, "B", &mut rng)?)?;
    let mut c = b.zeros(m * n)?;
    let mm = match args.transpose {
        Transpose::None => Matmul::new(m, k, n),
        Transpose::A => Matmul::new(m, k, n).transpose_a(),
        Transpose::B => Matmul::new(m, k, n).transpose_b(),
    };
    // Reading back one row of C waits for the product on asynchronous backends (the GPU
    // runs commands in order) without timing the transfer of the whole matrix.
    let row0 = b.upload_index(&[0])?;
    b.matmul(&a, &bm, &mut c, mm)?;
    b.download(&b.gather_rows(&c, &row0, n)?)?; // warm-up and sync
    let mut times = Vec::new();
    for _ in 0..args.reps {
        let t = Instant::now();
        b.matmul(&a, &bm, &mut c, mm)?;
        b.download(&b.gather_rows(&c, &row0, n)?)?;
        times.push(t.elapsed().as_secs_f64());
    }
    let s = median(times);
    let transpose = match args.transpose {
        Transpose::None => "none",
        Transpose::A => "a",
        Transpose::B => "b",
    };
    let gflops = 2.0 * (m as f64) * (k as f64) * (n as f64) / s / 1e9;
    let name = b.name();
    let peak = super::bench_peak::peak_for(&name, args.peak_gflops);
    Ok(serde_json::json!({
        "bench": "matmul", "backend": name, "size": args.size, "m": m, "k": k, "n": n,
        "transpose": transpose, "seconds": s, "gflops": gflops,
        "peak_gflops": peak.as_ref().map(|p| p.gflops),
        "peak_source": peak.as_ref().map(|p| p.source.clone()),
        "percent_of_peak": peak.as_ref().map(|p| 100.0 * gflops / p.gflops),
    }))
}

fn bench_model<B: Backend>(b: &B, args: &BenchArgs) -> anyhow::Result<Model<B>> {
    use crate::io::weights::{HostWeights, WeightDtype};
    // A training step needs f32 weights.
    let dtype = match (args.kind, args.dtype) {
        (BenchKind::Step, WeightDtype::Auto | WeightDtype::F32) => WeightDtype::F32,
        (BenchKind::Step, _) => anyhow::bail!("--dtype: `bench step` trains f32 weights"),
        (_, dtype) => dtype,
    };
    if let Some(path) = &args.model {
        return Ok(crate::io::model::load_weights(path, dtype)?.to_model(b)?);
    }
    let cfg = match &args.config {
        Some(path) => {
            let text = crate::io::input_file::read_text(
                path,
                "a model config",
                crate::io::input_file::MAX_CONFIG_BYTES,
            )?;
            ModelConfig::from_hf_json(&text)
                .map_err(|e| anyhow::anyhow!("--config `{}`: {e}", path.display()))?
        }
        None => bench_config(),
    };
    // Random weights have no files to check the sizes against: bound them instead.
    let n = cfg
        .validate_param_budget(MAX_BENCH_PARAMS)
        .map_err(|e| match &args.config {
            Some(path) => anyhow::anyhow!("--config `{}`: {e}", path.display()),
            None => anyhow::anyhow!("the built-in benchmark config: {e}"),
        })?;
    let host = Params::try_init_random(&cfg, 0.02, 0).map_err(|_| {
        anyhow::anyhow!(
            "cannot allocate the {:.1} GB of random weights for {n} parameters; benchmark a \
             smaller config",
            n as f64 * 4.0 / 1e9
        )
    })?;
    if matches!(dtype, WeightDtype::Auto | WeightDtype::F32) {
        return Ok(Model::from_host(b, cfg, &host)?);
    }
    let host = crate::io::model::HostModel {
        config: cfg,
        params: host,
    };
    Ok(HostWeights::from_f32(host, dtype).to_model(b)?)
}

/// `n` token ids drawn below `vocab` with `seed` (the benchmark prompts).
fn random_ids(n: usize, vocab: usize, seed: u64) -> Vec<u32> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| rng.below(vocab as u64) as u32).collect()
}

fn bench_generate<B: Backend>(b: &B, args: &BenchArgs) -> anyhow::Result<serde_json::Value> {
    let model = bench_model(b, args)?;
    check_positions(
        "--prompt-tokens + --tokens",
        args.prompt_tokens + args.tokens,
        &model.config,
    )?;
    let v = model.config.vocab_size;
    let prompts: Vec<Vec<u32>> = (0..args.batch)
        .map(|i| random_ids(args.prompt_tokens, v, i as u64))
        .collect();
    let refs: Vec<&[u32]> = prompts.iter().map(Vec::as_slice).collect();
    let seeds: Vec<u64> = (0..args.batch as u64).collect();
    let greedy = SampleParams {
        temperature: 0.0,
        top_p: 1.0,
    };
    let cfg = GenerateConfig {
        max_new_tokens: args.tokens,
        sample: greedy,
        stop_ids: Vec::new(),
        readback_every: args.readback_every,
    };
    let mut times = Vec::new();
    let mut produced = 0;
    for _ in 0..args.reps {
        let t = Instant::now();
        let out = model.generate(b, &refs, &seeds, &cfg)?;
        times.push(t.elapsed().as_secs_f64());
        produced = out.iter().map(|g| g.tokens.len()).sum::<usize>();
    }
    // The same batch decoded step by step, timing only the steps after the prefill (the
    // figure llama.cpp's batched benchmark reports); the ids stay on the device and are read
    // back every `--readback-every` steps, as in `generate`.
    let mut decode_times = Vec::new();
    let slots: Vec<usize> = (0..args.batch).collect();
    for _ in 0..args.reps {
        let mut cache = KvCache::new(b, &model, args.batch, args.prompt_tokens + args.tokens)?;
        let entries: Vec<(usize, &[u32])> = refs.iter().copied().enumerate().collect();
        let logits = model.forward_cached(b, &mut cache, &entries)?;
        let next = b.sample_to_index(&logits, v, &seeds, &greedy)?;
        b.download_index(&next)?;
        let t = Instant::now();
        decode_steps(b, &model, &mut cache, &slots, next, args, |_| seeds.clone())?;
        decode_times.push(t.elapsed().as_secs_f64());
    }
    let s = median(times);
    let decode_s = median(decode_times);
    let decoded = args.batch * (args.tokens - 1);
    Ok(serde_json::json!({
        "bench": "generate", "backend": b.name(), "params": param_count(&model.config),
        "batch": args.batch, "new_tokens": produced, "seconds": s,
        "tokens_per_s": produced as f64 / s,
        "decode_new_tokens": decoded, "decode_seconds": decode_s,
        "decode_tokens_per_s": decoded as f64 / decode_s,
        "readback_every": args.readback_every,
    }))
}

fn bench_prompt<B: Backend>(b: &B, args: &BenchArgs) -> anyhow::Result<serde_json::Value> {
    let model = bench_model(b, args)?;
    check_positions("--seq", args.seq, &model.config)?;
    let prompt = random_ids(args.seq, model.config.vocab_size, 7);
    let mut times = Vec::new();
    for _ in 0..args.reps {
        let mut cache = KvCache::new(b, &model, 1, prompt.len())?;
        let t = Instant::now();
        let logits = model.forward_cached(b, &mut cache, &[(0, &prompt)])?;
        b.download(&logits)?;
        times.push(t.elapsed().as_secs_f64());
    }
    let s = median(times);
    Ok(serde_json::json!({
        "bench": "prompt", "backend": b.name(), "params": param_count(&model.config),
        "tokens": args.seq, "seconds": s, "tokens_per_s": args.seq as f64 / s,
    }))
}

fn bench_step<B: Backend>(b: &B, args: &BenchArgs) -> anyhow::Result<serde_json::Value> {
    let mut model = bench_model(b, args)?;
    check_positions("--seq", args.seq, &model.config)?;
    let mut rng = Rng::new(2);
    let v = model.config.vocab_size as u64;
    let seqs: Vec<Vec<u32>> = (0..args.batch)
        .map(|_| (0..args.seq).map(|_| rng.below(v) as u32).collect())
        .collect();
    let batch = PackedBatch::new(&seqs);
    let mut grads = model.zeros_like_params(b)?;
    let cfg = AdamWConfig {
        lr: 1e-4,
        ..AdamWConfig::default()
    };
    let mut opt = AdamW::new(b, &model.params, cfg)?;
    let mut step = |model: &mut Model<B>| -> anyhow::Result<f32> {
        zero_grads(b, &mut grads)?;
        let loss = model.loss_and_grads(b, &batch, &mut grads)?;
        opt.step(b, &mut model.params, &grads)?;
        Ok(loss)
    };
    step(&mut model)?; // warm-up
    let mut times = Vec::new();
    let mut loss = 0.0;
    for _ in 0..args.reps {
        let t = Instant::now();
        loss = step(&mut model)?;
        times.push(t.elapsed().as_secs_f64());
    }
    let s = median(times);
    let tokens = (args.batch * args.seq) as f64;
    Ok(serde_json::json!({
        "bench": "step", "backend": b.name(), "params": param_count(&model.config),
        "batch": args.batch, "seq": args.seq, "seconds": s,
        "tokens_per_s": tokens / s, "loss": loss,
    }))
}

fn bench_decode<B: Backend>(b: &B, args: &BenchArgs) -> anyhow::Result<serde_json::Value> {
    let model = bench_model(b, args)?;
    check_positions(
        "--prompt-tokens + --tokens",
        args.prompt_tokens + args.tokens,
        &model.config,
    )?;
    let prompt = random_ids(args.prompt_tokens, model.config.vocab_size, 0);
    let greedy = SampleParams {
        temperature: 0.0,
        top_p: 1.0,
    };
    let v = model.config.vocab_size;
    let mut times = Vec::new();
    for _ in 0..args.reps {
        let mut cache = KvCache::new(b, &model, 1, prompt.len() + args.tokens)?;
        let logits = model.forward_cached(b, &mut cache, &[(0, &prompt)])?;
        let next = b.sample_to_index(&logits, v, &[0], &greedy)?;
        b.download_index(&next)?;
        let t = Instant::now();
        decode_steps(b, &model, &mut cache, &[0], next, args, |i| vec![i as u64])?;
        times.push(t.elapsed().as_secs_f64());
    }
    let s = median(times);
    Ok(serde_json::json!({
        "bench": "decode", "backend": b.name(), "params": param_count(&model.config),
        "tokens": args.tokens - 1, "seconds": s, "tokens_per_s": (args.tokens - 1) as f64 / s,
        "readback_every": args.readback_every,
    }))
}

/// Greedy decode steps `1..args.tokens` of `slots` from the first drawn ids `next`, keeping
/// the ids on the device and reading them back every `args.readback_every` steps (and after
/// the last one); `seeds(step)` gives the step's seeds.
fn decode_steps<B: Backend>(
    b: &B,
    model: &Model<B>,
    cache: &mut KvCache<B>,
    slots: &[usize],
    mut next: B::Index,
    args: &BenchArgs,
    seeds: impl Fn(usize) -> Vec<u64>,
) -> anyhow::Result<()> {
    let greedy = SampleParams {
        temperature: 0.0,
        top_p: 1.0,
    };
    let v = model.config.vocab_size;
    let mut unread = Vec::new();
    for i in 1..args.tokens {
        let logits = model.forward_cached_index(b, cache, slots, &next)?;
        unread.push(next);
        next = b.sample_to_index(&logits, v, &seeds(i), &greedy)?;
        if unread.len() >= args.readback_every {
            let refs: Vec<&B::Index> = unread.iter().collect();
            b.download_indices(&refs)?;
            unread.clear();
        }
    }
    unread.push(next);
    let refs: Vec<&B::Index> = unread.iter().collect();
    b.download_indices(&refs)?;
    Ok(())
}
