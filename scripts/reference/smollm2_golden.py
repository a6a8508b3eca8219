#!/usr/bin/env python3
"""Independent references for SmolLM2-135M-Instruct (Q4_1 GGUF), written to tests/golden/smollm2/.

Stages (run all by default, or name some on the command line):

  tokenize   tokenize.json       llama.cpp tokenizer on the GGUF, cross-checked with the HF
                                 tokenizer transformers builds from the same GGUF
  template   chat_template.json  the GGUF's tokenizer.chat_template rendered by jinja2 the way
                                 transformers' apply_chat_template(tokenize=False) does, + ids
  tensors    tensors.json        checksums of tensors as transformers loads them from the GGUF
                                 (dequantized, Q/K un-permuted), cross-checked against gguf-py
  logits     logits.safetensors  f32 PyTorch (eager, CPU) logits on 3 fixed id sequences,
             logits.json         checked against a float64 run and against llama.cpp on an
                                 all-F32 GGUF (F32 KV cache); llama.cpp on the Q4_1 file recorded
  greedy     greedy.json         16 greedy tokens of the f32 reference for two chat prompts,
                                 with llama.cpp's greedy tokens on the F32 GGUF and on Q4_1

Usage: python scripts/reference/smollm2_golden.py [--model PATH] [stage ...]
The model defaults to $HIR_SMOLLM2, then fixtures/downloads/SmolLM2-135M-Instruct.Q4_1.gguf
(scripts/fetch-smollm2.sh fetches it). Versions used: tests/golden/smollm2/README.md.
"""
import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("TQDM_DISABLE", "1")

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "golden" / "smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
VOCAB = 49152

TOKENIZE_TEXTS = [
    "",
    "12345",
    "3.14159",
    "in 2026",
    "Call 555-0199 or +1 (800) 123-4567 by 10:30pm.",
    "héllo 👋🏽 世界",
    "naïve café",
    "Ünïcödé: ß, ø, œ, Ж, ع, 한국어, 🤖🚀✨",
    "  two leading",
    " one",
    "   ",
    "trailing spaces   ",
    "a\n\nb\r\n",
    "\tx",
    "tabs\tand\n\n\nnewlines\n",
    "a \n  b",
    "line1\n \nline2\n\n",
    "x  y   z    ",
    "    indented code\n\tmore",
    "\r\r\n\u00a0nbsp\u200bzwsp",
    "1,000,000.50$ 99% 7th",
    "Ġ literal Ċ and ĠĠ",
    "<|im_start|>user\nhi<|im_end|>\n",
    "<|endoftext|>",
    "text<|im_end|>more<|im_start|>",
    "don't, WON'T! I'm we'll they've she's it'd",
    "Hello world",
    "Hello World!!! ... ???",
    "def f(x):\n    return x**2  # square\n",
    "https://example.com/path?q=1&r=two#frag",
    "HELLO lower MiXeD CamelCase snake_case",
    (
        "Write a 300+ word essay about the history of the printing press. Your response "
        "should contain at least 3 paragraphs separated by the markdown divider: ***. "
        "Do not include the keywords \"Gutenberg\" or \"Germany\" in the response. "
        "Wrap your entire response with double quotation marks, and end it with the "
        "exact phrase \"Is there anything else I can help with?\". Highlight at least "
        "2 sections with markdown, i.e. *highlighted section*. In your response, the "
        "letter e should appear less than 150 times; answer in English, ALL LOWERCASE."
    ),
]

CHAT_CASES = [
    {"messages": [{"role": "user", "content": "What is the capital of France?"}],
     "add_generation_prompt": True},
    {"messages": [{"role": "system", "content": "You are a terse assistant."},
                  {"role": "user", "content": "List three primes."}],
     "add_generation_prompt": True},
    {"messages": [{"role": "user", "content": "Hi!"},
                  {"role": "assistant", "content": "Hello! How can I help?"},
                  {"role": "user", "content": "Tell me a joke about cats.\nKeep it short."}],
     "add_generation_prompt": True},
    {"messages": [{"role": "user", "content": "Say yes."},
                  {"role": "assistant", "content": "Yes."}],
     "add_generation_prompt": False},
]

GREEDY_PROMPTS = [
    "What is the capital of France?",
    "Write a haiku about rain. Do not use any commas.",
]
GREEDY_NEW = 16

TENSORS = [
    ("model.embed_tokens.weight", "token_embd.weight"),
    ("model.layers.0.self_attn.q_proj.weight", "blk.0.attn_q.weight"),
    ("model.layers.0.self_attn.k_proj.weight", "blk.0.attn_k.weight"),
    ("model.layers.0.self_attn.v_proj.weight", "blk.0.attn_v.weight"),
    ("model.layers.0.self_attn.o_proj.weight", "blk.0.attn_output.weight"),
    ("model.layers.0.mlp.gate_proj.weight", "blk.0.ffn_gate.weight"),
    ("model.layers.0.mlp.up_proj.weight", "blk.0.ffn_up.weight"),
    ("model.layers.0.mlp.down_proj.weight", "blk.0.ffn_down.weight"),
    ("model.layers.29.self_attn.k_proj.weight", "blk.29.attn_k.weight"),
    ("model.layers.0.input_layernorm.weight", "blk.0.attn_norm.weight"),
    ("model.norm.weight", "output_norm.weight"),
]


def model_path(arg):
    for p in (arg, os.environ.get("HIR_SMOLLM2"), REPO / "fixtures" / "downloads" / GGUF_NAME,
              Path("/work/models") / GGUF_NAME):
        if p and Path(p).is_file():
            return Path(p).resolve()
    sys.exit("model not found: pass --model, set $HIR_SMOLLM2 or run scripts/fetch-smollm2.sh")


def versions():
    import importlib.metadata as md
    out = {"python": sys.version.split()[0]}
    try:
        import llama_cpp
        out["llama_cpp_python"] = llama_cpp.__version__
    except ImportError:
        pass
    for pkg in ("torch", "transformers", "tokenizers", "gguf", "numpy", "safetensors", "jinja2",
                "accelerate"):
        try:
            out[pkg] = md.version(pkg.replace("_", "-"))
        except md.PackageNotFoundError:
            pass
    return out


def dump(name, obj):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(obj, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size} bytes)")


# ---------------------------------------------------------------- llama.cpp / HF tokenizers

_llama_vocab = None


def llama_vocab(path):
    global _llama_vocab
    if _llama_vocab is None:
        from llama_cpp import Llama
        _llama_vocab = Llama(model_path=str(path), vocab_only=True, verbose=False)
    return _llama_vocab


def llama_tokenize(path, text):
    if text == "":
        return []
    return [int(t) for t in llama_vocab(path).tokenize(text.encode("utf-8"), add_bos=False,
                                                         special=True)]


_hf_tok = None


def hf_tokenizer(path):
    global _hf_tok
    if _hf_tok is None:
        from transformers import AutoTokenizer
        _hf_tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    return _hf_tok


def gguf_metadata(path):
    from gguf import GGUFReader
    r = GGUFReader(str(path))
    meta = {}
    for key in ("tokenizer.chat_template", "tokenizer.ggml.bos_token_id",
                "tokenizer.ggml.eos_token_id", "tokenizer.ggml.padding_token_id",
                "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.add_bos_token",
                "tokenizer.ggml.pre", "tokenizer.ggml.model"):
        f = r.fields.get(key)
        if f is None:
            continue
        v = f.contents()
        meta[key] = v
    tokens = r.fields["tokenizer.ggml.tokens"].contents()
    return meta, tokens, r


def stage_tokenize(path):
    hf = hf_tokenizer(path)
    cases = []
    ndiff = 0
    for text in TOKENIZE_TEXTS:
        ids = llama_tokenize(path, text)
        hf_ids = [int(t) for t in hf.encode(text, add_special_tokens=False)]
        case = {"text": text, "ids": ids}
        # Round trip: llama.cpp detokenization of its own ids gives the text back.
        back = llama_vocab(path).detokenize(ids, special=True).decode("utf-8") if ids else ""
        assert back == text, (text, back)
        if hf_ids != ids:
            case["hf_ids"] = hf_ids
            ndiff += 1
        cases.append(case)
    print(f"tokenize: {len(cases)} strings, {ndiff} differ between llama.cpp and HF-from-GGUF")
    dump("tokenize.json", {
        "source": "llama-cpp-python Llama(vocab_only=True).tokenize(text.encode(), add_bos=False, "
                  "special=True) on " + GGUF_NAME + "; 'hf_ids' present only where the HF "
                  "tokenizer transformers builds from the GGUF (AutoTokenizer gguf_file=..., "
                  "encode(add_special_tokens=False)) differs",
        "versions": versions(),
        "cases": cases,
    })


# ---------------------------------------------------------------- chat template

def render_like_transformers(template, messages, add_generation_prompt, special):
    """Mirror of transformers' chat-template rendering (utils/chat_template_utils.py:
    _compile_jinja_template + render): ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
    loopcontrols, tojson/raise_exception/strftime_now, special-token strings as variables."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template).render(messages=messages,
                                            add_generation_prompt=add_generation_prompt,
                                            **special)


def special_strings(path):
    meta, tokens, _ = gguf_metadata(path)
    bos = tokens[int(meta["tokenizer.ggml.bos_token_id"])]
    eos = tokens[int(meta["tokenizer.ggml.eos_token_id"])]
    special = {"bos_token": bos, "eos_token": eos}
    if "tokenizer.ggml.unknown_token_id" in meta:
        special["unk_token"] = tokens[int(meta["tokenizer.ggml.unknown_token_id"])]
    if "tokenizer.ggml.padding_token_id" in meta:
        special["pad_token"] = tokens[int(meta["tokenizer.ggml.padding_token_id"])]
    return meta, special


def chat_prompt(path, messages, add_generation_prompt=True):
    meta, special = special_strings(path)
    return render_like_transformers(meta["tokenizer.chat_template"], messages,
                                    add_generation_prompt, special)


def stage_template(path):
    meta, special = special_strings(path)
    template = meta["tokenizer.chat_template"]
    hf = hf_tokenizer(path)
    cases = []
    for case in CHAT_CASES:
        text = render_like_transformers(template, case["messages"], case["add_generation_prompt"],
                                        special)
        hf_text = hf.apply_chat_template(case["messages"], tokenize=False,
                                         add_generation_prompt=case["add_generation_prompt"])
        assert hf_text == text, ("transformers renders differently", text, hf_text)
        cases.append(dict(case, text=text, ids=llama_tokenize(path, text)))
    print(f"template: {len(cases)} cases, transformers.apply_chat_template agrees on all")
    dump("chat_template.json", {
        "source": "GGUF tokenizer.chat_template rendered with jinja2 ImmutableSandboxedEnvironment"
                  "(trim_blocks, lstrip_blocks, loopcontrols) as transformers' "
                  "apply_chat_template(tokenize=False) does (checked equal to it); ids from "
                  "llama.cpp tokenize(add_bos=False, special=True)",
        "versions": versions(),
        "chat_template": template,
        "special_tokens": special,
        "gguf": {k: (v if not isinstance(v, str) or len(v) < 200 else None)
                 for k, v in meta.items() if k != "tokenizer.chat_template"},
        "cases": cases,
    })


# ---------------------------------------------------------------- model

_models = {}


def hf_model(path, dtype_name="float32"):
    import torch
    from transformers import AutoModelForCausalLM
    if dtype_name not in _models:
        if "float32" not in _models:
            m = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name,
                                                     dtype=torch.float32,
                                                     attn_implementation="eager")
            m.eval()
            _models["float32"] = m
        if dtype_name == "float64":
            import copy
            _models["float64"] = copy.deepcopy(_models["float32"]).double().eval()
    return _models[dtype_name]


def gguf_dequant_unpermuted(reader, gguf_name, n_head, n_head_kv):
    """Independent dequantization with gguf-py + undoing llama.cpp's Q/K row permutation."""
    from gguf import quants
    t = next(t for t in reader.tensors if t.name == gguf_name)
    w = quants.dequantize(t.data, t.tensor_type).astype(np.float32)
    shape = tuple(int(x) for x in reversed(t.shape))  # numpy order: [rows, cols]
    w = w.reshape(shape)
    heads = n_head if ".attn_q." in gguf_name else n_head_kv if ".attn_k." in gguf_name else None
    if heads is not None:  # inverse of convert_hf_to_gguf.py LlamaModel.permute
        w = w.reshape(heads, w.shape[0] // heads // 2, 2, *w.shape[1:]).swapaxes(1, 2)
        w = w.reshape(shape)
    return w, t.tensor_type.name


def stage_tensors(path):
    import torch
    model = hf_model(path)
    cfg = model.config
    sd = model.state_dict()
    _, _, reader = gguf_metadata(path)
    out = []
    for hf_name, gguf_name in TENSORS:
        w = sd[hf_name].detach().to(torch.float32).numpy()
        ref, qtype = gguf_dequant_unpermuted(reader, gguf_name, cfg.num_attention_heads,
                                             cfg.num_key_value_heads)
        assert ref.shape == w.shape, (hf_name, ref.shape, w.shape)
        assert np.array_equal(ref, w), (hf_name, float(np.abs(ref - w).max()))
        w64 = w.astype(np.float64)
        entry = {"name": hf_name, "gguf_name": gguf_name, "gguf_type": qtype,
                 "shape": list(w.shape), "sum": float(w64.sum()),
                 "sum_sq": float((w64 * w64).sum())}
        if w.ndim == 2:
            entry["row0_first8"] = [float(x) for x in w[0, :8]]
            entry["row1_first8"] = [float(x) for x in w[1, :8]]
        else:
            entry["first16"] = [float(x) for x in w[:16]]
        out.append(entry)
    print(f"tensors: {len(out)} tensors, transformers == gguf-py dequant + un-permute (bit-exact)")
    dump("tensors.json", {
        "source": "transformers AutoModelForCausalLM.from_pretrained(gguf_file=..., "
                  "torch_dtype=float32).state_dict(); equal bit for bit to gguf-py "
                  "quants.dequantize + inverse of llama.cpp's Q/K permute. sum and sum_sq in "
                  "float64 over the f32 values; row values are exact f32 values",
        "versions": versions(),
        "config": {"hidden_size": cfg.hidden_size, "num_hidden_layers": cfg.num_hidden_layers,
                   "num_attention_heads": cfg.num_attention_heads,
                   "num_key_value_heads": cfg.num_key_value_heads,
                   "intermediate_size": cfg.intermediate_size, "vocab_size": cfg.vocab_size,
                   "rms_norm_eps": cfg.rms_norm_eps,
                   "rope_theta": getattr(cfg, "rope_theta", None) or
                   (getattr(cfg, "rope_parameters", None) or {}).get("rope_theta"),
                   "max_position_embeddings": cfg.max_position_embeddings,
                   "tie_word_embeddings": cfg.tie_word_embeddings},
        "tensors": out,
    })


def logit_sequences(path):
    chat = llama_tokenize(path, chat_prompt(path, [{"role": "user", "content":
                                                    "What is the capital of France?"}]))
    rng = np.random.default_rng(20261127)
    arbitrary = [0, 1, 2] + [int(x) for x in rng.integers(3, VOCAB, size=37)]
    arbitrary[20] = arbitrary[7]  # a repeated id
    long_text = TOKENIZE_TEXTS[-1] + "\n\n" + TOKENIZE_TEXTS[22] + TOKENIZE_TEXTS[5]
    long_ids = llama_tokenize(path, long_text)
    long_ids = (long_ids * 2)[:100]
    assert len(long_ids) == 100
    return [("chat_capital", chat), ("arbitrary40", arbitrary), ("long100", long_ids)]


def torch_logits(path, ids, dtype_name):
    import torch
    model = hf_model(path, dtype_name)
    with torch.no_grad():
        out = model(torch.tensor([ids]), use_cache=False)
    return out.logits[0].double().numpy()


_llama_full = None


def llama_full(path):
    global _llama_full
    if _llama_full is None:
        from llama_cpp import Llama
        _llama_full = Llama(model_path=str(path), n_ctx=512, n_batch=512, n_threads=2,
                            n_threads_batch=2, logits_all=True, seed=0, verbose=False)
    return _llama_full


def llama_logits(path, ids):
    llm = llama_full(path)
    llm.reset()
    llm.eval(ids)
    return np.array(llm.scores[:len(ids)], dtype=np.float64)


def f32_gguf(path):
    """Writes (once) an all-F32 copy of the GGUF: same metadata, every tensor dequantized by
    gguf-py, llama.cpp's own (permuted) layout kept. Lives next to the downloads, not committed."""
    import gguf
    dest = Path(os.environ.get("HIR_REF_F32_GGUF", "/tmp/SmolLM2-135M-Instruct.F32.gguf"))
    if dest.is_file():
        return dest
    reader = gguf.GGUFReader(str(path))
    arch = reader.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(str(dest) + ".part", arch)
    for field in reader.fields.values():
        if field.name == "general.architecture" or field.name.startswith("GGUF."):
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        value = field.contents()
        if field.name == "general.file_type":
            value = int(gguf.LlamaFileType.ALL_F32)
        writer.add_key_value(field.name, value, vtype, sub_type=sub)
    for t in reader.tensors:
        w = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        writer.add_tensor(t.name, w.reshape(tuple(int(x) for x in reversed(t.shape))))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(str(dest) + ".part", dest)
    return dest


_llama_f32 = None


def llama_f32(path):
    """llama.cpp on the F32 GGUF with an F32 KV cache: an implementation independent of
    transformers, on the same dequantized weights."""
    global _llama_f32
    if _llama_f32 is None:
        import llama_cpp
        from llama_cpp import Llama
        _llama_f32 = Llama(model_path=str(f32_gguf(path)), n_ctx=512, n_batch=512, n_threads=2,
                           n_threads_batch=2, logits_all=True, seed=0, verbose=False,
                           type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32)
    return _llama_f32


def llama_f32_logits(path, seqs):
    llm = llama_f32(path)
    out = []
    for ids in seqs:
        llm.reset()
        llm.eval(ids)
        out.append(np.array(llm.scores[:len(ids)], dtype=np.float64))
    return out


def stage_logits(path):
    from safetensors.numpy import save_file
    tensors = {}
    meta = []
    seqs = logit_sequences(path)
    lf32 = llama_f32_logits(path, [ids for _, ids in seqs])
    for (name, ids), lcf in zip(seqs, lf32):
        f32 = torch_logits(path, ids, "float32")
        f64 = torch_logits(path, ids, "float64")
        lc = llama_logits(path, ids)
        assert f32.shape == (len(ids), VOCAB)
        top5 = np.argsort(-f32, axis=1, kind="stable")[:, :5]
        top5_vals = np.take_along_axis(f32, top5, axis=1)
        top6 = -np.sort(-f32, axis=1)[:, :6]
        gap = top6[:, 0] - top6[:, 1]
        gap6 = np.diff(-top6, axis=1).min()  # smallest gap between ranks 1..6: top-5 margin
        tensors[f"{name}.ids"] = np.array(ids, dtype=np.int32)
        tensors[f"{name}.last_logits"] = f32[-1].astype(np.float32)
        tensors[f"{name}.top5_ids"] = top5.astype(np.int32)
        tensors[f"{name}.top5_logits"] = top5_vals.astype(np.float32)
        entry = {
            "name": name, "len": len(ids), "ids": ids,
            "top5_ids": top5.tolist(),
            "min_top1_top2_gap": float(gap.min()),
            "min_gap_between_ranks_1_to_6": float(gap6),
            "f32_vs_f64": {"max_abs_all_positions": float(np.abs(f32 - f64).max()),
                           "max_abs_last": float(np.abs(f32[-1] - f64[-1]).max()),
                           "top1_agree": int((f32.argmax(1) == f64.argmax(1)).sum())},
            "llamacpp_f32_gguf_vs_f32": {
                "max_abs_all_positions": float(np.abs(lcf - f32).max()),
                "max_abs_last": float(np.abs(lcf[-1] - f32[-1]).max()),
                "top1_agree": int((lcf.argmax(1) == f32.argmax(1)).sum()),
            },
            "llamacpp_q4_1_vs_f32": {
                "max_abs_all_positions": float(np.abs(lc - f32).max()),
                "max_abs_last": float(np.abs(lc[-1] - f32[-1]).max()),
                "mean_abs_all_positions": float(np.abs(lc - f32).mean()),
                "top1_agree": int((lc.argmax(1) == f32.argmax(1)).sum()),
            },
        }
        meta.append(entry)
        print(f"logits {name}: T={len(ids)} f32-vs-f64 max {entry['f32_vs_f64']['max_abs_all_positions']:.3g}"
              f"; llama.cpp-F32-GGUF-vs-f32 max {entry['llamacpp_f32_gguf_vs_f32']['max_abs_all_positions']:.3g}"
              f"; llama.cpp-vs-f32 max {entry['llamacpp_q4_1_vs_f32']['max_abs_all_positions']:.3g}"
              f" (last {entry['llamacpp_q4_1_vs_f32']['max_abs_last']:.3g}), top1 agree "
              f"{entry['llamacpp_q4_1_vs_f32']['top1_agree']}/{len(ids)}")
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(OUT / "logits.safetensors"),
              metadata={"source": "scripts/reference/smollm2_golden.py"})
    print(f"wrote logits.safetensors ({(OUT / 'logits.safetensors').stat().st_size} bytes)")
    dump("logits.json", {
        "source": "transformers AutoModelForCausalLM.from_pretrained(gguf_file=..., "
                  "torch_dtype=float32, attn_implementation='eager'), CPU, one forward over "
                  "each id sequence (batch of one, no cache). logits.safetensors holds per "
                  "sequence <name>.ids i32 [T], <name>.last_logits f32 [49152] (last position), "
                  "<name>.top5_ids i32 [T,5] and <name>.top5_logits f32 [T,5] (every position, "
                  "descending). f32_vs_f64: the same model cast to float64. "
                  "llamacpp_q4_1_vs_f32: llama-cpp-python logits_all on the Q4_1 file "
                  "(activations quantized to 8 bits in its matmuls, f16 KV cache) vs this f32. "
                  "llamacpp_f32_gguf_vs_f32: llama.cpp on an all-F32 GGUF written from gguf-py's "
                  "dequantization (F32 KV cache) vs this f32: an independent implementation",
        "versions": versions(),
        "sequences": meta,
    })


# ---------------------------------------------------------------- greedy

def torch_greedy(path, ids, n):
    import torch
    model = hf_model(path)
    out = []
    with torch.no_grad():
        res = model(torch.tensor([ids]), use_cache=True)
        past = res.past_key_values
        logits = res.logits[0, -1]
        for _ in range(n):
            nxt = int(torch.argmax(logits))
            out.append(nxt)
            res = model(torch.tensor([[nxt]]), past_key_values=past, use_cache=True)
            past = res.past_key_values
            logits = res.logits[0, -1]
    # Cross-check: the cached loop equals one uncached forward over prompt + generated tokens.
    with torch.no_grad():
        full = model(torch.tensor([ids + out]), use_cache=False).logits[0]
    again = [int(x) for x in full[len(ids) - 1:-1].argmax(-1)]
    return out, again == out


def llama_greedy(llm, ids, n):
    llm.reset()
    llm.eval(ids)
    out = []
    for _ in range(n):
        nxt = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        out.append(nxt)
        llm.eval([nxt])
    return out


def stage_greedy(path):
    vocab = llama_vocab(path)
    cases = []
    for prompt in GREEDY_PROMPTS:
        messages = [{"role": "user", "content": prompt}]
        text = chat_prompt(path, messages)
        ids = llama_tokenize(path, text)
        ref, consistent = torch_greedy(path, ids, GREEDY_NEW)
        assert consistent, "cached greedy loop disagrees with an uncached forward"
        lc = llama_greedy(llama_full(path), ids, GREEDY_NEW)
        lcf = llama_greedy(llama_f32(path), ids, GREEDY_NEW)
        detok = lambda t: vocab.detokenize(t, special=True).decode("utf-8", errors="replace")
        agree = next((i for i, (a, b) in enumerate(zip(ref, lc)) if a != b), len(ref))
        print(f"greedy {prompt!r}: f32 {detok(ref)!r}; llama.cpp agrees on first {agree}")
        cases.append({"messages": messages, "add_generation_prompt": True, "prompt_text": text,
                      "prompt_ids": ids, "greedy_ids": ref, "greedy_text": detok(ref),
                      "llamacpp_q4_1_greedy_ids": lc, "llamacpp_q4_1_greedy_text": detok(lc),
                      "llamacpp_agrees_first_n": agree,
                      "llamacpp_f32_gguf_greedy_ids": lcf})
        print(f"  llama.cpp on the F32 GGUF: {'same' if lcf == ref else detok(lcf)!r}")
    dump("greedy.json", {
        "source": "prompt: GGUF chat template (default system prompt, add_generation_prompt) "
                  "tokenized by llama.cpp (special=True). greedy_ids: argmax decoding for "
                  f"{GREEDY_NEW} tokens (no EOS stop) with the f32 transformers reference, "
                  "KV cache on (checked equal to uncached forwards). llamacpp_q4_1_greedy_ids: "
                  "llama-cpp-python argmax on the Q4_1 file, for comparison only. "
                  "llamacpp_f32_gguf_greedy_ids: llama.cpp argmax on the all-F32 GGUF (F32 KV)",
        "versions": versions(),
        "new_tokens": GREEDY_NEW,
        "cases": cases,
    })


STAGES = {"tokenize": stage_tokenize, "template": stage_template, "tensors": stage_tensors,
          "logits": stage_logits, "greedy": stage_greedy}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="path to " + GGUF_NAME)
    ap.add_argument("stages", nargs="*", help="any of: " + " ".join(STAGES) + " (default: all)")
    args = ap.parse_args()
    for name in args.stages:
        if name not in STAGES:
            ap.error(f"unknown stage {name!r}; expected one of {', '.join(STAGES)}")
    path = model_path(args.model)
    import torch
    torch.manual_seed(0)
    torch.set_num_threads(int(os.environ.get("HIR_REF_THREADS", "2")))
    for name in args.stages or list(STAGES):
        STAGES[name](path)


if __name__ == "__main__":
    main()
