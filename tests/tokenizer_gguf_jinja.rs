//! Tokenizers built from GGUF metadata and Jinja chat templates, on hand-built inputs (no model
//! file needed). The real SmolLM2 vocabulary is checked in `tests/tokenizer_smollm2.rs`.

use hir::io::gguf::GgufVocab;
use hir::io::tokenizer::{
    tokenizer_from_gguf, tokenizer_json_from_gguf, ChatMessage, ChatTemplate, HfChatCodec,
    JinjaTemplate, TokenizerConfig, TokenizerError,
};
use hir_core::instruct::ChatCodec;
use std::path::Path;

/// A tiny byte-level vocabulary: three ChatML control tokens, a few byte tokens (`Ġ` is the
/// space byte, `Ċ` the newline byte) and three merges.
fn tiny_vocab() -> GgufVocab {
    let tokens = [
        "<|endoftext|>",
        "<|im_start|>",
        "<|im_end|>",
        "a",
        "b",
        "c",
        "Ġ",
        "1",
        "2",
        "ab",
        "Ġa",
        "abc",
        "Ċ",
    ];
    GgufVocab {
        model: "gpt2".into(),
        pre: Some("smollm".into()),
        tokens: tokens.iter().map(|t| t.to_string()).collect(),
        token_types: tokens
            .iter()
            .map(|t| if t.starts_with("<|") { 3 } else { 1 })
            .collect(),
        merges: vec!["a b".into(), "Ġ a".into(), "ab c".into()],
        bos_token_id: Some(1),
        eos_token_id: Some(2),
        add_bos_token: Some(false),
        ..GgufVocab::default()
    }
}

/// The same tokenizer written by hand in SmolLM2's `tokenizer.json` layout.
const TINY_TOKENIZER_JSON: &str = r#"{
  "version": "1.0", "truncation": null, "padding": null,
  "added_tokens": [
    {"id": 0, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 1, "content": "<|im_start|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 2, "content": "<|im_end|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
  ],
  "normalizer": null,
  "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
    {"type": "Digits", "individual_digits": true},
    {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}
  ]},
  "post_processor": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
  "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
  "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
    "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
    "vocab": {"<|endoftext|>": 0, "<|im_start|>": 1, "<|im_end|>": 2, "a": 3, "b": 4, "c": 5,
      "Ġ": 6, "1": 7, "2": 8, "ab": 9, "Ġa": 10, "abc": 11, "Ċ": 12},
    "merges": ["a b", "Ġ a", "ab c"]}
}"#;

#[test]
fn gguf_byte_level_vocab_tokenizes_like_the_hand_written_tokenizer_json() {
    let built = tokenizer_from_gguf(&tiny_vocab(), "tiny.gguf").expect("build");
    let hand: tokenizers::Tokenizer = TINY_TOKENIZER_JSON.parse().expect("hand-written json");
    let text = "abc ab 12\n<|im_end|>";
    // By hand: "abc" is one token; " ab" merges `a b` (rank 0) before `Ġ a` (rank 1), giving
    // Ġ + ab; the space before the digits is its own pre-token; digits are split one by one.
    let expected = [11, 6, 9, 6, 7, 8, 12, 2];
    let ids =
        |t: &tokenizers::Tokenizer, s: &str| t.encode(s, false).expect("enc").get_ids().to_vec();
    assert_eq!(ids(&built, text), expected);
    assert_eq!(ids(&hand, text), expected);
    for s in ["a", "cab ba", "  a1b2", "\n\nabc", "1 2  3"] {
        let s = s.replace('3', "2");
        assert_eq!(ids(&built, &s), ids(&hand, &s), "{s:?}");
    }
    assert_eq!(built.decode(&expected, false).expect("decode"), text);
    assert_eq!(built.get_vocab_size(true), 13);
}

#[test]
fn add_bos_token_adds_a_template_post_processor() {
    let mut v = tiny_vocab();
    v.add_bos_token = Some(true);
    let t = tokenizer_from_gguf(&v, "tiny.gguf").expect("build");
    assert_eq!(t.encode("ab", true).expect("enc").get_ids(), &[1, 9]);
    assert_eq!(t.encode("ab", false).expect("enc").get_ids(), &[9]);
    v.bos_token_id = Some(99);
    let e = tokenizer_from_gguf(&v, "tiny.gguf").expect_err("bad bos id");
    assert!(e.to_string().contains("bos_token_id"), "{e}");
}

#[test]
fn unsupported_gguf_vocabularies_are_clear_errors() {
    let mut v = tiny_vocab();
    v.pre = Some("klingon".into());
    let e = tokenizer_json_from_gguf(&v, "x.gguf").expect_err("unknown pre");
    let msg = e.to_string();
    assert!(matches!(e, TokenizerError::Gguf { .. }), "{msg}");
    for part in ["x.gguf", "klingon", "smollm", "llama-bpe", "qwen2", "gpt-2"] {
        assert!(msg.contains(part), "{msg} lacks {part}");
    }
    let mut v = tiny_vocab();
    v.model = "llama".into();
    let e = tokenizer_from_gguf(&v, "x.gguf").expect_err("spm");
    assert!(
        e.to_string().contains("`llama` is not supported yet"),
        "{e}"
    );
    let mut v = tiny_vocab();
    v.token_types.pop();
    assert!(tokenizer_from_gguf(&v, "x.gguf").is_err());
    let mut v = tiny_vocab();
    v.merges.push("abc".into());
    let e = tokenizer_from_gguf(&v, "x.gguf").expect_err("bad merge");
    assert!(e.to_string().contains("merges[3]"), "{e}");
}

#[test]
fn every_supported_pre_tokenizer_builds() {
    for pre in [
        None,
        Some("gpt-2"),
        Some("default"),
        Some("llama-bpe"),
        Some("qwen2"),
    ] {
        let mut v = tiny_vocab();
        v.pre = pre.map(str::to_string);
        let t = tokenizer_from_gguf(&v, "tiny.gguf").expect("build");
        // " ab" is Ġ + ab in every family; "abc" is one token.
        let ids = t.encode("abc ab", false).expect("enc").get_ids().to_vec();
        assert_eq!(ids, [11, 6, 9], "{pre:?}");
    }
}

/// The Qwen2.5 ChatML template without tools (as in its tokenizer_config.json, shortened).
const CHATML_JINJA: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

#[test]
fn jinja_chatml_renders_like_the_builtin_chatml() {
    let jinja = ChatTemplate::Jinja(
        JinjaTemplate::new(CHATML_JINJA, "test: chat_template", "", "<|im_end|>").expect("compile"),
    );
    for system in [None, Some("Be brief.")] {
        for prompt in ["hi", "two\nlines  ", ""] {
            assert_eq!(
                jinja.render_user(system, prompt).expect("jinja"),
                ChatTemplate::ChatMl
                    .render_user(system, prompt)
                    .expect("chatml"),
            );
        }
    }
    assert_eq!(
        ChatTemplate::ChatMl
            .render_user(None, "hi")
            .expect("chatml"),
        "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    );
    let msgs = [
        ChatMessage::new("user", "U"),
        ChatMessage::new("assistant", "A"),
    ];
    assert_eq!(
        jinja.render(&msgs, false).expect("render"),
        "<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n"
    );
}

#[test]
fn jinja_templates_get_python_methods_tokens_and_trimmed_blocks() {
    // transformers renders with trim_blocks + lstrip_blocks: the newline after a block tag and
    // the indentation before one disappear. Expected text from jinja2 3.1.6
    // (ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True), as transformers).
    let src = "{{ bos_token }}\n{% for m in messages %}\n  {% if m.role == 'user' %}\n[{{ m.content.strip() | upper }}]{% if m.content.startswith(' x') %}!{% endif %}\n  {% endif %}\n{% endfor %}\n{{ eos_token }}";
    let t = JinjaTemplate::new(src, "t", "<s>", "</s>").expect("compile");
    let out = t
        .render(&[ChatMessage::new("user", " xy ")], false)
        .expect("render");
    assert_eq!(out, "<s>\n[XY]!</s>");
    let date = JinjaTemplate::new("{{ strftime_now('%d %b %Y') }}", "t", "", "").expect("compile");
    assert_eq!(date.render(&[], false).expect("render"), "26 Jul 2024");
}

#[test]
fn raise_exception_and_syntax_errors_name_the_template() {
    let src = "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}ok";
    let t =
        JinjaTemplate::new(src, "model.gguf: tokenizer.chat_template", "", "").expect("compile");
    assert_eq!(
        t.render(&[ChatMessage::new("user", "u")], true)
            .expect("ok"),
        "ok"
    );
    let e = t
        .render(&[ChatMessage::new("system", "s")], true)
        .expect_err("raises");
    let msg = e.to_string();
    assert!(matches!(e, TokenizerError::Template { .. }), "{msg}");
    assert!(msg.contains("System role not supported"), "{msg}");
    assert!(msg.contains("model.gguf: tokenizer.chat_template"), "{msg}");
    let e = JinjaTemplate::new("{% for %}", "bad.jinja", "", "").expect_err("syntax");
    assert!(e.to_string().contains("bad.jinja"), "{e}");
}

#[test]
fn tokenizer_config_variants_parse() {
    let p = Path::new("dir/tokenizer_config.json");
    let c = TokenizerConfig::from_json(
        r#"{"chat_template": "T", "bos_token": "<s>", "eos_token": {"content": "</s>", "lstrip": false}}"#,
        p,
    )
    .expect("parse");
    assert_eq!(c.chat_template.as_deref(), Some("T"));
    assert_eq!(c.bos_token.as_deref(), Some("<s>"));
    assert_eq!(c.eos_token.as_deref(), Some("</s>"));
    let c = TokenizerConfig::from_json(
        r#"{"chat_template": [{"name": "tool_use", "template": "X"}, {"name": "default", "template": "D"}], "bos_token": null}"#,
        p,
    )
    .expect("parse");
    assert_eq!(c.chat_template.as_deref(), Some("D"));
    assert!(c.chat_template_origin.contains("[default]"));
    assert_eq!(c.bos_token, None);
    let c = TokenizerConfig::from_json(&c.to_json(), p).expect("round trip");
    assert_eq!(c.chat_template.as_deref(), Some("D"));
    let c = TokenizerConfig::from_json("{}", p).expect("parse");
    assert_eq!(c.chat_template, None);
    for bad in [
        r#"{"chat_template": [{"name": "tool_use", "template": "X"}]}"#,
        r#"{"chat_template": 3}"#,
        r#"{"eos_token": {"lstrip": true}}"#,
        "[1]",
        "{not json",
    ] {
        let e = TokenizerConfig::from_json(bad, p).expect_err(bad);
        assert!(e.to_string().contains("dir/tokenizer_config.json"), "{e}");
    }
}

/// A fresh scratch directory for one test, removed when the guard drops.
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("hir-tok-test-{name}-"))
        .tempdir()
        .expect("scratch dir")
}

#[test]
fn hf_dir_codec_uses_the_jinja_template_and_finds_the_turn_end() {
    let dir_guard = scratch("hf");
    let dir = dir_guard.path();
    std::fs::write(dir.join("tokenizer.json"), TINY_TOKENIZER_JSON).expect("write");
    let config = serde_json::json!({
        "chat_template": CHATML_JINJA,
        "bos_token": null,
        "eos_token": {"content": "<|endoftext|>"},
    });
    std::fs::write(dir.join("tokenizer_config.json"), config.to_string()).expect("write");
    let codec = HfChatCodec::from_hf_dir(dir).expect("codec");
    assert!(matches!(codec.template(), ChatTemplate::Jinja(_)));
    // <|im_end|> follows an assistant message; eos <|endoftext|> also stops.
    assert_eq!(codec.stop_ids(), &[2, 0]);
    assert_eq!(codec.encode_response("ab").expect("enc"), [9, 2]);
    let rendered = codec.render_chat(None, "ab").expect("render");
    assert_eq!(
        rendered,
        ChatTemplate::ChatMl
            .render_user(None, "ab")
            .expect("chatml")
    );
    assert_eq!(
        codec.encode_prompt("ab").expect("enc"),
        codec.encode_text(&rendered).expect("enc")
    );
    let codec = codec.with_system(Some("c".into()));
    assert_eq!(
        codec.render_chat(codec.system(), "ab").expect("render"),
        "<|im_start|>system\nc<|im_end|>\n<|im_start|>user\nab<|im_end|>\n<|im_start|>assistant\n"
    );
    // chat_template.jinja wins over tokenizer_config.json's template.
    std::fs::write(
        dir.join("chat_template.jinja"),
        "{% for m in messages %}{{ m.content }}<|endoftext|>{% endfor %}",
    )
    .expect("write");
    let codec = HfChatCodec::from_hf_dir(dir).expect("codec");
    assert_eq!(codec.stop_ids(), &[0]);
    assert_eq!(
        codec.render_chat(None, "ab").expect("render"),
        "ab<|endoftext|>"
    );
}

#[test]
fn hf_dir_without_template_falls_back_to_chatml_only_with_its_tokens() {
    let dir_guard = scratch("fallback");
    let dir = dir_guard.path();
    std::fs::write(dir.join("tokenizer.json"), TINY_TOKENIZER_JSON).expect("write");
    let codec = HfChatCodec::from_hf_dir(dir).expect("codec");
    assert_eq!(codec.template(), &ChatTemplate::ChatMl);
    assert_eq!(codec.stop_ids(), &[2, 0]);
    let plain = TINY_TOKENIZER_JSON
        .replace("<|im_start|>", "<|a|>")
        .replace("<|im_end|>", "<|b|>");
    std::fs::write(dir.join("tokenizer.json"), plain).expect("write");
    let e = HfChatCodec::from_hf_dir(dir).expect_err("no template");
    assert!(e.to_string().contains("no chat template"), "{e}");
    let e = HfChatCodec::from_hf_dir(&dir.join("missing")).expect_err("no dir");
    assert!(e.to_string().contains("tokenizer.json"), "{e}");
}

#[test]
fn gguf_codec_uses_the_gguf_template() {
    let mut v = tiny_vocab();
    v.chat_template = Some(CHATML_JINJA.into());
    let codec = HfChatCodec::from_gguf_vocab(&v, "tiny.gguf").expect("codec");
    match codec.template() {
        ChatTemplate::Jinja(t) => {
            assert_eq!(t.origin(), "tiny.gguf: tokenizer.chat_template");
            assert_eq!(
                (t.bos_token(), t.eos_token()),
                ("<|im_start|>", "<|im_end|>")
            );
        }
        other => panic!("expected the GGUF's Jinja template, got {other:?}"),
    }
    assert_eq!(codec.stop_ids(), &[2]);
    assert_eq!(codec.decode(&[11, 6, 9, 2, 11]).expect("decode"), "abc ab");
}
