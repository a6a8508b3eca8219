//! SmolLM2-135M-Instruct's tokenizer and chat template against the reference goldens of
//! `tests/golden/smollm2/` (made by `scripts/reference/smollm2_golden.py`):
//! `tokenize.json` holds llama.cpp's ids for tricky strings (llama-cpp-python 0.3.36,
//! `tokenize(add_bos=False, special=True)` on the GGUF), `chat_template.json` the GGUF's chat
//! template rendered by jinja2 as transformers does, and llama.cpp's ids of the result.
//!
//! The template rendering needs no model file. The id checks need the GGUF's vocabulary: they
//! look for `$HIR_SMOLLM2`, then `<repo>/fixtures/downloads/SmolLM2-135M-Instruct.Q4_1.gguf`
//! (`scripts/fetch-smollm2.sh`); they are `#[ignore]`d, so `cargo test` lists them as ignored
//! with the reason, and `cargo test --test tokenizer_smollm2 -- --ignored` runs them (failing
//! when the file is missing).

mod common;

use hir::io::gguf::GgufVocab;
use hir::io::tokenizer::{ChatMessage, ChatTemplate, HfChatCodec, JinjaTemplate};
use hir_core::instruct::ChatCodec;
use serde_json::Value;

fn messages(case: &Value) -> Vec<ChatMessage> {
    case["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            ChatMessage::new(
                m["role"].as_str().expect("role"),
                m["content"].as_str().expect("content"),
            )
        })
        .collect()
}

#[test]
fn smollm2_chat_template_renders_as_transformers() {
    let g = common::smollm2_golden_json("chat_template.json");
    let special = &g["special_tokens"];
    let template = JinjaTemplate::new(
        g["chat_template"].as_str().expect("template"),
        "tests/golden/smollm2/chat_template.json",
        special["bos_token"].as_str().expect("bos"),
        special["eos_token"].as_str().expect("eos"),
    )
    .expect("compile");
    let cases = g["cases"].as_array().expect("cases");
    assert!(cases.len() >= 4);
    for case in cases {
        let add = case["add_generation_prompt"].as_bool().expect("flag");
        let text = template.render(&messages(case), add).expect("render");
        assert_eq!(text, case["text"].as_str().expect("text"), "{case}");
    }
}

/// The GGUF's tokenizer metadata, through the crate's GGUF reader (metadata only, no tensors).
fn smollm2_vocab() -> (GgufVocab, String) {
    let path = common::smollm2("tokenizer_smollm2");
    let file = hir::io::gguf::GgufFile::open(&path).expect("open the GGUF");
    let vocab = hir::io::gguf::read_vocab(&file).expect("read the GGUF vocabulary");
    (vocab, path.display().to_string())
}

#[test]
#[ignore = "needs SmolLM2: run scripts/fetch-smollm2.sh, then cargo test -- --ignored"]
fn smollm2_gguf_tokenizer_matches_llama_cpp() {
    let (vocab, origin) = smollm2_vocab();
    assert_eq!(vocab.pre.as_deref(), Some("smollm"));
    let codec = HfChatCodec::from_gguf_vocab(&vocab, &origin).expect("codec");
    let g = common::smollm2_golden_json("tokenize.json");
    let cases = g["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30);
    for case in cases {
        let text = case["text"].as_str().expect("text");
        let want: Vec<u32> = common::ids_of(&case["ids"]);
        let ids = codec.encode_text(text).expect("encode");
        assert_eq!(ids, want, "{text:?}");
        assert_eq!(codec.decode_all(&ids).expect("decode"), text, "{text:?}");
    }
}

#[test]
#[ignore = "needs SmolLM2: run scripts/fetch-smollm2.sh, then cargo test -- --ignored"]
fn smollm2_gguf_codec_encodes_chats_like_llama_cpp() {
    let (vocab, origin) = smollm2_vocab();
    let codec = HfChatCodec::from_gguf_vocab(&vocab, &origin).expect("codec");
    assert!(matches!(codec.template(), ChatTemplate::Jinja(_)));
    // <|im_end|> (id 2) ends a turn and is also the GGUF's eos.
    assert_eq!(codec.stop_ids(), &[2]);
    let g = common::smollm2_golden_json("chat_template.json");
    for case in g["cases"].as_array().expect("cases") {
        let want: Vec<u32> = common::ids_of(&case["ids"]);
        let msgs = messages(case);
        let add = case["add_generation_prompt"].as_bool().expect("flag");
        let text = codec.template().render(&msgs, add).expect("render");
        assert_eq!(codec.encode_text(&text).expect("encode"), want, "{case}");
        // A single user turn (with or without a system message) is what encode_prompt sees.
        let single_user = match msgs.as_slice() {
            [u] if u.role == "user" && add => Some((None, u)),
            [s, u] if s.role == "system" && u.role == "user" && add => Some((Some(s), u)),
            _ => None,
        };
        if let Some((system, user)) = single_user {
            let c = codec.clone().with_system(system.map(|s| s.content.clone()));
            assert_eq!(c.encode_prompt(&user.content).expect("prompt"), want);
        }
    }
    assert_eq!(
        codec.encode_response("Paris.").expect("resp").last(),
        Some(&2)
    );
}

#[test]
#[ignore = "needs SmolLM2: run scripts/fetch-smollm2.sh, then cargo test -- --ignored"]
fn smollm2_codec_round_trips_through_a_hf_directory() {
    // What a checkpoint directory saves (tokenizer.json + tokenizer_config.json) reads back as
    // the same codec.
    let (vocab, origin) = smollm2_vocab();
    let codec = HfChatCodec::from_gguf_vocab(&vocab, &origin).expect("codec");
    let dir_guard = tempfile::tempdir().expect("temp dir");
    let dir = dir_guard.path();
    codec.write_hf_dir(dir).expect("write");
    let back = HfChatCodec::from_hf_dir(dir).expect("read back");
    assert_eq!(back.stop_ids(), codec.stop_ids());
    assert_eq!(back.vocab_size(), codec.vocab_size());
    let json = hir::io::tokenizer::tokenizer_json_from_gguf(&vocab, &origin).expect("json");
    let from_json: tokenizers::Tokenizer = json.parse().expect("parse");
    for case in common::smollm2_golden_json("tokenize.json")["cases"]
        .as_array()
        .expect("cases")
    {
        let text = case["text"].as_str().expect("text");
        let want = codec.encode_text(text).expect("encode");
        assert_eq!(back.encode_text(text).expect("encode"), want, "{text:?}");
        let ids = from_json.encode(text, false).expect("encode");
        assert_eq!(ids.get_ids(), want.as_slice(), "{text:?}");
    }
    assert_eq!(
        back.encode_prompt("Hi").expect("prompt"),
        codec.encode_prompt("Hi").expect("prompt")
    );
}
