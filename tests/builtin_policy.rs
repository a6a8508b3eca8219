//! The built-in policy: embedded files, tokenizer round trips and chat formatting, tokenizer
//! reproducibility, and the response-only warm-start loss.

use hir::demo_world::embedded_policy::{CONFIG_JSON, TOKENIZER_JSON};
use hir::demo_world::warmstart::{sft_loss_and_grads, teacher_data, tiny_config, SftExample};
use hir::demo_world::{builtin_policy, builtin_suite};
use hir::io::tokenizer::{train_byte_level_bpe, HfChatCodec, TokenizerError, SPECIAL_TOKENS};
use hir_backend_cpu::CpuBackend;
use hir_core::backend::Backend;
use hir_core::instruct::ChatCodec;
use hir_core::model::{param_count, Model, ModelConfig, PackedBatch, Params};

#[test]
fn embedded_policy_loads_and_matches_its_files() {
    let (config, params, codec) = builtin_policy().expect("embedded policy");
    let from_file = ModelConfig::from_hf_json(CONFIG_JSON).expect("config.json");
    assert_eq!(config, from_file);
    assert_eq!(config, tiny_config(codec.vocab_size()));
    assert!(config.vocab_size <= 1024);
    assert_eq!(params.count(), param_count(&config));
    assert!(params
        .tensors()
        .iter()
        .all(|t| t.iter().all(|x| x.is_finite())));
    // The committed files are the ones embedded.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/builtin");
    let on_disk = hir::io::model::load_hf_dir(&dir).expect("assets/builtin loads");
    assert_eq!(on_disk.config, config);
    assert_eq!(on_disk.params, params);
}

#[test]
fn specials_and_chat_prompt_format() {
    let (_, _, codec) = builtin_policy().expect("embedded policy");
    for (id, tok) in SPECIAL_TOKENS.iter().enumerate() {
        assert_eq!(codec.tokenizer().token_to_id(tok), Some(id as u32));
    }
    assert_eq!(codec.stop_ids(), &[2, 0]);
    let ids = codec.encode_prompt("Write a note.").expect("encode");
    let expected = codec
        .encode_text("<|im_start|>user\nWrite a note.<|im_end|>\n<|im_start|>assistant\n")
        .expect("encode");
    assert_eq!(ids, expected);
    assert_eq!(ids[0], 1);
    assert_eq!(ids.iter().filter(|&&t| t == 1).count(), 2);
    assert_eq!(ids.iter().filter(|&&t| t == 2).count(), 1);
    assert_eq!(
        codec.decode_all(&ids).expect("decode"),
        "<|im_start|>user\nWrite a note.<|im_end|>\n<|im_start|>assistant\n"
    );
    let r = codec.encode_response("Hi, there.").expect("encode");
    assert_eq!(r.last(), Some(&2));
    assert_eq!(codec.decode(&r).expect("decode"), "Hi, there.");
    // decode stops at the first stop id.
    let mut more = r.clone();
    more.extend(codec.encode_text("ignored").expect("encode"));
    assert_eq!(codec.decode(&more).expect("decode"), "Hi, there.");
}

#[test]
fn every_suite_text_round_trips() {
    let (_, _, codec) = builtin_policy().expect("embedded policy");
    let suite = builtin_suite(0);
    let data = teacher_data(&suite, 0, 1);
    let mut texts: Vec<String> = suite
        .train
        .iter()
        .chain(&suite.eval)
        .map(|i| i.render())
        .collect();
    texts.extend(data.into_iter().map(|r| r.text));
    texts.push("Ünïcödé ✓ 🙂 \t\r\n  spaces  ".into());
    for t in &texts {
        let ids = codec.encode_text(t).expect("encode");
        assert_eq!(&codec.decode_all(&ids).expect("decode"), t);
        let r = codec.encode_response(t).expect("encode");
        assert_eq!(&codec.decode(&r).expect("decode"), t);
    }
}

#[test]
fn tokenizer_training_reproduces_the_embedded_tokenizer() {
    // `hir warmstart` trains on the training prompts and the teacher data (seed 0, 4 each).
    let suite = builtin_suite(0);
    let data = teacher_data(&suite, 0, 4);
    let mut corpus: Vec<String> = suite.train.iter().map(|i| i.render()).collect();
    corpus.extend(data.into_iter().map(|r| r.text));
    let (_, _, codec) = builtin_policy().expect("embedded policy");
    let tok = train_byte_level_bpe(&corpus, codec.vocab_size()).expect("train");
    let json = tok.to_string(false).expect("json");
    assert_eq!(json.as_bytes(), TOKENIZER_JSON);
}

#[test]
fn bad_tokenizer_files_are_clear_errors() {
    let e = HfChatCodec::from_bytes(b"{not json", "x.json").expect_err("invalid");
    assert!(matches!(e, TokenizerError::Parse { .. }), "{e}");
    assert!(e.to_string().contains("x.json"));
    let e = HfChatCodec::from_file(std::path::Path::new("/nonexistent/tokenizer.json"))
        .expect_err("missing");
    assert!(e.to_string().contains("/nonexistent/tokenizer.json"), "{e}");
    // A tokenizer without the ChatML specials is refused, naming the token.
    let plain = train_byte_level_bpe(&["abc abc"], 300).expect("train");
    let mut v: serde_json::Value =
        serde_json::from_str(&plain.to_string(false).expect("json")).expect("json");
    v["added_tokens"] = serde_json::json!([]);
    if let Some(vocab) = v["model"]["vocab"].as_object_mut() {
        for t in SPECIAL_TOKENS {
            vocab.remove(t);
        }
    }
    let e = HfChatCodec::from_bytes(v.to_string().as_bytes(), "plain").expect_err("no specials");
    assert!(e.to_string().contains("<|im_start|>"), "{e}");
}

fn tiny_model(b: &CpuBackend) -> Model<CpuBackend> {
    let mut cfg = tiny_config(64);
    cfg.hidden_size = 16;
    cfg.intermediate_size = 32;
    cfg.num_hidden_layers = 2;
    cfg.head_dim = 4;
    Model::from_host(b, cfg.clone(), &Params::init_random(&cfg, 0.5, 9)).expect("model")
}

#[test]
fn sft_loss_with_one_token_prompts_is_the_full_sequence_loss() {
    // With a one-token prompt every next-token target is a response token, so the masked loss
    // and its gradients must equal Model::loss_and_grads exactly.
    let b = CpuBackend::new();
    let model = tiny_model(&b);
    let ex = [
        SftExample {
            prompt: vec![3],
            response: vec![5, 7, 11, 2],
        },
        SftExample {
            prompt: vec![4],
            response: vec![9, 2],
        },
    ];
    let refs: Vec<&SftExample> = ex.iter().collect();
    let mut g1 = model.zeros_like_params(&b).expect("zeros");
    let l1 = sft_loss_and_grads(&b, &model, &refs, &mut g1).expect("sft");
    let seqs = [vec![3u32, 5, 7, 11, 2], vec![4, 9, 2]];
    let mut g2 = model.zeros_like_params(&b).expect("zeros");
    let l2 = model
        .loss_and_grads(&b, &PackedBatch::new(&seqs), &mut g2)
        .expect("loss");
    assert_eq!(l1, l2);
    for (a, c) in g1.tensors().iter().zip(g2.tensors()) {
        assert_eq!(b.download(a).expect("dl"), b.download(c).expect("dl"));
    }
    // A longer prompt masks its positions: the loss is the mean over response tokens only.
    let ex2 = [SftExample {
        prompt: vec![3, 5, 7],
        response: vec![11, 2],
    }];
    let mut g3 = model.zeros_like_params(&b).expect("zeros");
    let l3 = sft_loss_and_grads(&b, &model, &[&ex2[0]], &mut g3).expect("sft");
    let (logits, _) = model
        .forward(&b, &PackedBatch::new(&[vec![3u32, 5, 7, 11, 2]]))
        .expect("forward");
    let z = b.download(&logits).expect("dl");
    let nll = |row: usize, t: usize| {
        let r = &z[row * 64..(row + 1) * 64];
        let m = r.iter().cloned().fold(f32::MIN, f32::max);
        let lse = m + r.iter().map(|x| (x - m).exp()).sum::<f32>().ln();
        f64::from(lse - r[t])
    };
    let expected = (nll(2, 11) + nll(3, 2)) / 2.0;
    assert!(
        (f64::from(l3) - expected).abs() < 1e-5,
        "{l3} vs {expected}"
    );
}

#[test]
fn f16_hf_dir_round_trips_the_builtin_weights() {
    // The built-in weights are F16 values, so writing them as F16 and reading back is exact.
    let (config, params, _) = builtin_policy().expect("embedded policy");
    let dir_guard = tempfile::tempdir().expect("temp dir");
    let dir = dir_guard.path();
    let model = hir::io::model::HostModel { config, params };
    hir::io::model::save_hf_dir_f16(dir, &model).expect("save");
    let back = hir::io::model::load_hf_dir(dir).expect("load");
    let cfg_text = std::fs::read_to_string(dir.join("config.json")).expect("config");
    assert_eq!(back, model);
    assert!(
        cfg_text.contains("\"torch_dtype\": \"float16\""),
        "{cfg_text}"
    );
}
