#!/usr/bin/env python3
"""Writes the GGUF test fixtures of `tests/gguf_reader.rs` with llama.cpp's own Python package
(gguf-py, `pip install gguf numpy safetensors`; written with gguf 0.x, see README).

Outputs (in tests/data/gguf/):
  quants.gguf                  one small tensor per ggml type the Rust reader dequantizes,
                               plus metadata of every GGUF value type (incl. a nested array)
  quants_expected.safetensors  f32 values `gguf.quants.dequantize` gives for each tensor
  tiny_llama.gguf              tests/golden/llama_f16 (GQA 2/1, untied) as F32, Q/K permuted as
                               convert_hf_to_gguf.py's LlamaModel.permute, llama metadata and
                               a small fake gpt2 tokenizer
  tiny_qwen2.gguf              tests/golden/qwen2_bias (tied, q/k/v biases, not permuted) with
                               2-D weights in F16 and 1-D tensors in F32

Run from the repository root: python scripts/reference/gguf_fixtures.py
"""
import json
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from safetensors.numpy import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "gguf")
GOLDEN = os.path.join(ROOT, "tests", "golden")
rng = np.random.default_rng(20261127)


def random_f16(n, scale):
    """Finite f16 scale values (never inf/nan), as raw little-endian bytes."""
    return (rng.standard_normal(n) * scale).astype(np.float16).view(np.uint8).reshape(n, 2)


def random_blocks(qtype, rows, cols):
    """Random but valid blocks for types gguf-py cannot quantize: random bytes, with the f16
    (or f32) scale fields overwritten by finite values."""
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    n = rows * cols // block
    b = rng.integers(0, 256, size=(n, size), dtype=np.uint8)
    if qtype == Q.Q2_K:
        b[:, 80:82] = random_f16(n, 0.05)
        b[:, 82:84] = random_f16(n, 0.05)
    elif qtype == Q.Q3_K:
        b[:, 108:110] = random_f16(n, 0.05)
    elif qtype in (Q.Q4_K, Q.Q5_K):
        b[:, 0:2] = random_f16(n, 0.05)
        b[:, 2:4] = random_f16(n, 0.05)
    elif qtype == Q.Q6_K:
        b[:, 208:210] = random_f16(n, 0.05)
    elif qtype == Q.Q8_K:
        b[:, 0:4] = (rng.standard_normal((n, 1)) * 0.01).astype(np.float32).view(np.uint8)
    else:
        raise ValueError(qtype)
    return b.reshape(rows, cols // block * size)


def dequant_q8_k(raw, rows, cols):
    """gguf-py has no Q8_K dequantizer; this is ggml's dequantize_row_q8_K (y = d * q)."""
    b = raw.reshape(-1, 292)
    d = b[:, 0:4].copy().view(np.float32)
    q = b[:, 4:260].view(np.int8).astype(np.float32)
    return (d * q).reshape(rows, cols)


def write_quants():
    w = gguf.GGUFWriter(os.path.join(OUT, "quants.gguf"), "test")
    w.add_name("quants fixture")
    w.add_key_value("test.u8", 200, gguf.GGUFValueType.UINT8)
    w.add_key_value("test.i8", -100, gguf.GGUFValueType.INT8)
    w.add_key_value("test.u16", 60000, gguf.GGUFValueType.UINT16)
    w.add_key_value("test.i16", -30000, gguf.GGUFValueType.INT16)
    w.add_key_value("test.u32", 4000000000, gguf.GGUFValueType.UINT32)
    w.add_key_value("test.i32", -2000000000, gguf.GGUFValueType.INT32)
    w.add_key_value("test.f32", 0.125, gguf.GGUFValueType.FLOAT32)
    w.add_key_value("test.bool", True, gguf.GGUFValueType.BOOL)
    w.add_key_value("test.string", "héllo ✓", gguf.GGUFValueType.STRING)
    w.add_key_value("test.u64", 2**63 + 5, gguf.GGUFValueType.UINT64)
    w.add_key_value("test.i64", -(2**62), gguf.GGUFValueType.INT64)
    w.add_key_value("test.f64", 1e-300, gguf.GGUFValueType.FLOAT64)
    w.add_array("test.array_i32", [1, -2, 3])
    w.add_array("test.array_str", ["a", "bc", ""])
    w.add_key_value("test.nested", [[1, 2], [3]], gguf.GGUFValueType.ARRAY,
                    sub_type=gguf.GGUFValueType.ARRAY)
    expected = {}
    for qtype in [Q.F32, Q.F16, Q.BF16, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q8_0,
                  Q.Q2_K, Q.Q3_K, Q.Q4_K, Q.Q5_K, Q.Q6_K, Q.Q8_K]:
        block, _ = gguf.GGML_QUANT_SIZES[qtype]
        rows, cols = 2, (512 if block == 256 else 256)
        name = f"t_{qtype.name.lower()}"
        if qtype in (Q.Q2_K, Q.Q3_K, Q.Q4_K, Q.Q5_K, Q.Q6_K, Q.Q8_K):
            raw = random_blocks(qtype, rows, cols)
        else:
            x = (rng.standard_normal((rows, cols)) * 0.5).astype(np.float32)
            raw = gguf.quants.quantize(x, qtype)
        if qtype == Q.Q8_K:
            exp = dequant_q8_k(raw, rows, cols)
        else:
            exp = gguf.quants.dequantize(raw, qtype)
        exp = np.ascontiguousarray(exp, dtype=np.float32).reshape(rows, cols)
        assert np.isfinite(exp).all(), qtype
        if qtype in (Q.F32, Q.F16):
            w.add_tensor(name, raw)
        else:
            w.add_tensor(name, np.ascontiguousarray(raw).view(np.uint8), raw_dtype=qtype)
        expected[name] = exp
    cube = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    w.add_tensor("t_3d", cube)
    expected["t_3d"] = cube
    finish(w)
    save_file(expected, os.path.join(OUT, "quants_expected.safetensors"))


def finish(w):
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def permute(weights, n_head, n_head_kv):
    """convert_hf_to_gguf.py LlamaModel.permute."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2)
            .reshape(weights.shape))


NAMES = {
    "input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
    "post_attention_layernorm": "ffn_norm", "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down",
}


def gguf_name(hf):
    fixed = {"model.embed_tokens.weight": "token_embd.weight",
             "model.norm.weight": "output_norm.weight", "lm_head.weight": "output.weight"}
    if hf in fixed:
        return fixed[hf]
    _, _, layer, rest = hf.split(".", 3)
    module, kind = rest.rsplit(".", 1)
    return f"blk.{layer}.{NAMES[module]}.{kind}"


def fake_tokenizer(w, vocab):
    tokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + [f"t{i}" for i in range(3, vocab)]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("smollm")
    w.add_token_list(tokens)
    w.add_token_types([3, 3, 3] + [1] * (vocab - 3))
    w.add_token_merges(["t 1", "t1 0", "Ġ t"])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_pad_token_id(0)
    w.add_add_bos_token(False)
    w.add_chat_template("{% for m in messages %}<|im_start|>{{ m['content'] }}<|im_end|>{% endfor %}")


def write_model(golden, out_name, arch, to_f16):
    cfg = json.load(open(os.path.join(GOLDEN, golden, "config.json")))
    tensors = {k: v.astype(np.float32) for k, v in
               load_file(os.path.join(GOLDEN, golden, "model.safetensors")).items()}
    heads, kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    w = gguf.GGUFWriter(os.path.join(OUT, out_name), arch)
    w.add_name(f"hir test fixture from tests/golden/{golden}")
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_rope_freq_base(cfg["rope_parameters"]["rope_theta"])
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    w.add_rope_dimension_count(cfg["head_dim"])
    w.add_key_length(cfg["head_dim"])
    w.add_value_length(cfg["head_dim"])
    w.add_vocab_size(cfg["vocab_size"])
    w.add_file_type(1 if to_f16 else 0)
    fake_tokenizer(w, cfg["vocab_size"])
    for name in sorted(tensors):
        t = tensors[name]
        if arch == "llama":
            if name.endswith(("q_proj.weight", "q_proj.bias")):
                t = permute(t, heads, heads)
            if name.endswith(("k_proj.weight", "k_proj.bias")):
                t = permute(t, heads, kv)
        if to_f16 and t.ndim == 2:
            t = t.astype(np.float16)
        w.add_tensor(gguf_name(name), np.ascontiguousarray(t))
    finish(w)


def main():
    os.makedirs(OUT, exist_ok=True)
    write_quants()
    write_model("llama_f16", "tiny_llama.gguf", "llama", to_f16=False)
    write_model("qwen2_bias", "tiny_qwen2.gguf", "qwen2", to_f16=True)
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))


if __name__ == "__main__":
    sys.exit(main())
