//! The warm start of the built-in policy: a byte-level BPE tokenizer trained on the suite, a
//! tiny Llama config, and supervised steps on the imperfect teacher's responses.
//!
//! Deterministic on the CPU for a given seed and step count (the CPU backend's results do not
//! depend on the thread count).

use super::build::{builtin_suite, Suite};
use super::greedy::{evaluate_greedy, EvalReport};
use super::hard::hard_suite;
use super::teacher::{imperfect_response, TeacherResponse};
use super::world::World;
use crate::io::tokenizer::{train_byte_level_bpe, HfChatCodec, TokenizerError};
use hir_core::backend::Backend;
use hir_core::instruct::{ChatCodec, CodecError};
use hir_core::model::{Model, ModelConfig, ModelError, PackedBatch, Params, IGNORE};
use hir_core::optim::{zero_grads, AdamW, AdamWConfig};
use hir_core::rng::{derive, Rng};

/// Settings of a warm-start run (the defaults made `assets/builtin/`).
#[derive(Debug, Clone, PartialEq)]
pub struct WarmStartConfig {
    /// Seed of the suite, the teacher, the initialisation and the batch order.
    pub seed: u64,
    /// Optimizer steps.
    pub steps: usize,
    /// Sequences per step.
    pub batch_size: usize,
    /// Peak learning rate (linear warm-up over `warmup` steps, then cosine decay to 10 %).
    pub lr: f32,
    /// Warm-up steps.
    pub warmup: usize,
    /// Teacher responses per training instruction.
    pub responses_per_instruction: usize,
    /// BPE vocabulary size (specials included).
    pub vocab_size: usize,
    /// Longest greedy response in the final evaluation, in tokens (stop token included).
    pub eval_max_new: usize,
    /// The world whose training split the policy learns (the tokenizer sees only it).
    pub world: World,
}

impl WarmStartConfig {
    /// The settings for `world`: the defaults, with the longer greedy evaluation responses
    /// the hard world needs.
    pub fn for_world(world: World) -> Self {
        match world {
            World::Default => Self::default(),
            World::Hard => Self {
                eval_max_new: HARD_EVAL_MAX_NEW,
                world,
                ..Self::default()
            },
        }
    }
}

/// Longest greedy response of the hard world's evaluation, in tokens (its teacher responses
/// are longer: more constraints, more sentences).
pub const HARD_EVAL_MAX_NEW: usize = 128;

/// The training and held-out instructions of `world`'s suite for `seed`.
pub fn world_suite(world: World, seed: u64) -> Suite {
    match world {
        World::Default => builtin_suite(seed),
        World::Hard => {
            let h = hard_suite(seed);
            Suite {
                train: h.train,
                eval: h.eval,
            }
        }
    }
}

impl Default for WarmStartConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            steps: 1500,
            batch_size: 16,
            lr: 3e-3,
            warmup: 30,
            responses_per_instruction: 4,
            vocab_size: 1024,
            eval_max_new: 64,
            world: World::Default,
        }
    }
}

/// Why a warm start failed.
#[derive(Debug, thiserror::Error)]
pub enum WarmStartError {
    /// Tokenizer training or loading failed.
    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),
    /// Encoding a text failed.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A model op failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A backend op (optimizer) failed.
    #[error(transparent)]
    Backend(#[from] hir_core::backend::BackendError),
    /// A setting is unusable.
    #[error("warm start: {0}")]
    Config(String),
}

/// The tiny Llama-family policy of the built-in suite for a vocabulary of `vocab_size`:
/// hidden 96, 3 layers, 4 query heads of 24, 2 key/value heads, SwiGLU 256, tied embeddings.
pub fn tiny_config(vocab_size: usize) -> ModelConfig {
    ModelConfig {
        vocab_size,
        hidden_size: 96,
        intermediate_size: 256,
        num_hidden_layers: 3,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        head_dim: 24,
        rope_theta: 10_000.0,
        rms_norm_eps: 1e-5,
        tie_word_embeddings: true,
        attention_bias: false,
        o_proj_bias: false,
        mlp_bias: false,
        max_position_embeddings: 512,
    }
}

/// One supervised example: prompt ids (chat template applied) and response ids (stop id last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SftExample {
    /// Prompt ids.
    pub prompt: Vec<u32>,
    /// Response ids, stop id included.
    pub response: Vec<u32>,
}

/// The teacher data of a warm start: `per_instruction` imperfect responses per training
/// instruction, in order (instruction-major).
pub fn teacher_data(suite: &Suite, seed: u64, per_instruction: usize) -> Vec<TeacherResponse> {
    let mut out = Vec::with_capacity(suite.train.len() * per_instruction);
    for (i, instr) in suite.train.iter().enumerate() {
        let mut rng = Rng::new(derive(seed ^ 0x7EAC_4E55, i as u64));
        for _ in 0..per_instruction {
            out.push(imperfect_response(instr, &mut rng));
        }
    }
    out
}

/// Mean next-token cross-entropy over the response tokens only (prompt positions get
/// [`IGNORE`] targets), with gradients ADDED into `grads`. Returns the loss. The loss is
/// the model's own ([`Model::loss_and_grads_on_targets`]); only the targets are SFT's.
pub fn sft_loss_and_grads<B: Backend>(
    b: &B,
    model: &Model<B>,
    examples: &[&SftExample],
    grads: &mut Params<B::Tensor>,
) -> Result<f32, ModelError> {
    let seqs: Vec<Vec<u32>> = examples
        .iter()
        .map(|e| [e.prompt.as_slice(), e.response.as_slice()].concat())
        .collect();
    let batch = PackedBatch::new(&seqs);
    let mut targets = Vec::with_capacity(batch.num_tokens());
    for (e, s) in examples.iter().zip(&seqs) {
        for t in 0..s.len() {
            // Position t predicts token t+1: a target only where t+1 is a response token.
            targets.push(if t + 1 >= e.prompt.len() && t + 1 < s.len() {
                s[t + 1]
            } else {
                IGNORE
            });
        }
    }
    if targets.iter().all(|&t| t == IGNORE) {
        return Err(ModelError::Input("no response tokens to train on".into()));
    }
    model.loss_and_grads_on_targets(b, &batch, &targets, grads)
}

/// The result of [`warm_start`].
pub struct WarmStart {
    /// The policy's architecture.
    pub config: ModelConfig,
    /// The trained weights (rounded through f16, as saved).
    pub params: Params<Vec<f32>>,
    /// The trained tokenizer with the ChatML template.
    pub codec: HfChatCodec,
    /// Greedy results on the held-out split.
    pub eval: EvalReport,
    /// Mean dense and success rate of the teacher data.
    pub teacher_dense: f64,
    /// Fraction of teacher responses satisfying every constraint.
    pub teacher_success: f64,
    /// Longest prompt and response of the training data, in tokens.
    pub max_prompt_tokens: usize,
    /// Longest teacher response, in tokens (stop token included).
    pub max_response_tokens: usize,
    /// Training prompt lengths in tokens (chat template included): p50, p99.
    pub prompt_tokens_p50_p99: (usize, usize),
    /// Teacher response lengths in tokens (stop token included): p50, p99.
    pub response_tokens_p50_p99: (usize, usize),
}

/// Builds the suite, trains the tokenizer, runs the supervised warm start and evaluates the
/// result greedily on the held-out split. `log` receives progress lines.
pub fn warm_start<B: Backend>(
    b: &B,
    cfg: &WarmStartConfig,
    mut log: impl FnMut(&str),
) -> Result<WarmStart, WarmStartError> {
    if cfg.batch_size == 0 || cfg.responses_per_instruction == 0 {
        return Err(WarmStartError::Config(
            "batch_size and responses_per_instruction must be ≥ 1".into(),
        ));
    }
    let suite = world_suite(cfg.world, cfg.seed);
    let data = teacher_data(&suite, cfg.seed, cfg.responses_per_instruction);
    let n = data.len() as f64;
    let teacher_dense = data.iter().map(|r| f64::from(r.dense())).sum::<f64>() / n;
    let teacher_success = data.iter().filter(|r| r.sparse()).count() as f64 / n;
    log(&format!(
        "suite: {} train / {} eval instructions; teacher data: {} responses, mean dense {:.3}, success {:.3}",
        suite.train.len(),
        suite.eval.len(),
        data.len(),
        teacher_dense,
        teacher_success
    ));

    let prompts: Vec<String> = suite.train.iter().map(|i| i.render()).collect();
    let mut corpus: Vec<&str> = prompts.iter().map(String::as_str).collect();
    corpus.extend(data.iter().map(|r| r.text.as_str()));
    let tokenizer = train_byte_level_bpe(&corpus, cfg.vocab_size)?;
    let json = tokenizer
        .to_string(false)
        .map_err(|e| TokenizerError::Train(e.to_string()))?;
    let codec = HfChatCodec::from_bytes(json.as_bytes(), "trained tokenizer")?;
    let config = tiny_config(codec.vocab_size());

    let mut examples = Vec::with_capacity(data.len());
    for (k, r) in data.iter().enumerate() {
        let prompt = codec.encode_prompt(&prompts[k / cfg.responses_per_instruction])?;
        let response = codec.encode_response(&r.text)?;
        examples.push(SftExample { prompt, response });
    }
    let max_prompt_tokens = examples.iter().map(|e| e.prompt.len()).max().unwrap_or(0);
    let max_response_tokens = examples.iter().map(|e| e.response.len()).max().unwrap_or(0);
    let mut lens: Vec<usize> = examples.iter().map(|e| e.response.len()).collect();
    lens.sort_unstable();
    let pct = |p: usize| lens[(lens.len() - 1) * p / 100];
    let mut prompt_lens: Vec<usize> = examples.iter().map(|e| e.prompt.len()).collect();
    prompt_lens.sort_unstable();
    let prompt_pct = |p: usize| prompt_lens[(prompt_lens.len() - 1) * p / 100];
    let prompt_tokens_p50_p99 = (prompt_pct(50), prompt_pct(99));
    let response_tokens_p50_p99 = (pct(50), pct(99));
    log(&format!(
        "prompt tokens p50 {} p99 {}",
        prompt_tokens_p50_p99.0, prompt_tokens_p50_p99.1
    ));
    log(&format!(
        "tokenizer: {} tokens; longest prompt {} tokens, response tokens p50 {} p90 {} p99 {} max {}; model: {} parameters",
        codec.vocab_size(),
        max_prompt_tokens,
        pct(50),
        pct(90),
        pct(99),
        max_response_tokens,
        hir_core::model::param_count(&config)
    ));

    let host = Params::init_random(&config, 0.02, derive(cfg.seed, 0x1417));
    let mut model = Model::from_host(b, config.clone(), &host)?;
    let mut grads = model.zeros_like_params(b)?;
    let mut opt = AdamW::new(
        b,
        &model.params,
        AdamWConfig {
            lr: cfg.lr,
            weight_decay: 0.01,
            ..AdamWConfig::default()
        },
    )?;
    let mut order: Vec<usize> = Vec::new();
    let mut rng = Rng::new(derive(cfg.seed, 0xBA7C4));
    let mut running = 0f32;
    for step in 0..cfg.steps {
        let mut batch = Vec::with_capacity(cfg.batch_size);
        while batch.len() < cfg.batch_size {
            if order.is_empty() {
                order = (0..examples.len()).collect();
                for i in (1..order.len()).rev() {
                    order.swap(i, rng.below(i as u64 + 1) as usize);
                }
            }
            if let Some(i) = order.pop() {
                batch.push(&examples[i]);
            }
        }
        opt.config.lr = lr_at(cfg, step);
        zero_grads(b, &mut grads)?;
        let loss = sft_loss_and_grads(b, &model, &batch, &mut grads)?;
        opt.step(b, &mut model.params, &grads)?;
        running = if step == 0 {
            loss
        } else {
            0.95 * running + 0.05 * loss
        };
        if (step + 1) % 50 == 0 || step + 1 == cfg.steps {
            log(&format!(
                "step {:>5}/{}: loss {loss:.4} (smoothed {running:.4}), lr {:.2e}",
                step + 1,
                cfg.steps,
                opt.config.lr
            ));
        }
    }

    // Evaluate what is saved: the weights rounded through f16.
    let mut params = model.to_host(b)?;
    for t in params.tensors_mut() {
        for x in t.iter_mut() {
            *x = half::f16::from_f32(*x).to_f32();
        }
    }
    let model = Model::from_host(b, config.clone(), &params)?;
    let eval = evaluate_greedy(b, &model, &codec, &suite.eval, 32, cfg.eval_max_new)?;
    Ok(WarmStart {
        config,
        params,
        codec,
        eval,
        teacher_dense,
        teacher_success,
        max_prompt_tokens,
        max_response_tokens,
        prompt_tokens_p50_p99,
        response_tokens_p50_p99,
    })
}

/// Learning rate at `step`: linear warm-up, then cosine decay to 10 % of the peak.
fn lr_at(cfg: &WarmStartConfig, step: usize) -> f32 {
    if step < cfg.warmup {
        return cfg.lr * (step + 1) as f32 / cfg.warmup as f32;
    }
    let span = cfg.steps.saturating_sub(cfg.warmup).max(1) as f32;
    let t = (step - cfg.warmup) as f32 / span;
    cfg.lr * (0.1 + 0.9 * 0.5 * (1.0 + (std::f32::consts::PI * t).cos()))
}
