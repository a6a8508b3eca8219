#!/usr/bin/env python3
"""Generate the PyTorch golden files for hir's Rust transformer.

Every model here is a tiny, randomly initialised Hugging Face `transformers`
decoder (Llama or Qwen2). For each one this script writes, under
`tests/golden/<name>/`:

* `config.json` + `model.safetensors` (or sharded `model-*.safetensors` with
  `model.safetensors.index.json`): exactly what `save_pretrained` writes, except
  for `llama_tied_oldcfg`, whose config.json is rewritten into the pre-5.x style
  (top-level `rope_theta`, `rope_scaling: null`, `torch_dtype`).
* `expected.safetensors` with
  - `input_ids`  int64 [T]
  - `logits`     f32 [T, vocab]  (forward over input_ids, batch of one)
  - `loss`       f32 []          (`model(ids, labels=ids).loss`: mean cross-entropy
                                  of predicting ids[1..] from ids[..T-1])
  - `grad.<HF parameter name>` f32, the gradient of that loss for every
    parameter (`named_parameters()`, so a tied `lm_head.weight` appears only as
    `grad.model.embed_tokens.weight`).

All expected values are computed in float32 by a model loaded back from the
files just written (so they describe exactly what is on disk, e.g. the
bf16/f16-rounded weights), with eager attention and deterministic algorithms.

Run:  /work/venv-golden/bin/python tests/golden/make_golden.py
(from the repository root; see tests/golden/README.md).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import torch
import transformers
from safetensors.torch import save_file
from transformers import (
    LlamaConfig,
    LlamaForCausalLM,
    Qwen2Config,
    Qwen2ForCausalLM,
)

HERE = Path(__file__).resolve().parent


@dataclass
class Spec:
    """One golden model: its architecture, storage dtype and test input."""

    name: str
    arch: str  # "llama" or "qwen2"
    config: dict
    seq_len: int
    seed: int
    init_range: float = 0.15
    save_dtype: torch.dtype = torch.float32
    max_shard_size: str | None = None
    old_rope_style: bool = False
    notes: list[str] = field(default_factory=list)


SPECS = [
    Spec(
        name="llama_gqa_untied",
        arch="llama",
        config=dict(
            vocab_size=71,
            hidden_size=72,
            num_attention_heads=3,
            num_key_value_heads=1,
            head_dim=24,
            intermediate_size=40,
            num_hidden_layers=2,
            tie_word_embeddings=False,
            rope_theta=10000.0,
            rms_norm_eps=1e-6,
        ),
        seq_len=13,
        seed=1001,
    ),
    Spec(
        name="llama_tied_oldcfg",
        arch="llama",
        config=dict(
            vocab_size=64,
            hidden_size=64,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=16,
            intermediate_size=64,
            num_hidden_layers=2,
            tie_word_embeddings=True,
            rope_theta=500000.0,
            rms_norm_eps=1e-5,
        ),
        seq_len=17,
        seed=1002,
        old_rope_style=True,
    ),
    Spec(
        name="qwen2_bias",
        arch="qwen2",
        config=dict(
            vocab_size=61,
            hidden_size=72,
            num_attention_heads=6,
            num_key_value_heads=2,
            head_dim=12,
            intermediate_size=60,
            num_hidden_layers=2,
            tie_word_embeddings=True,
            rope_theta=1e6,
            rms_norm_eps=1e-6,
        ),
        seq_len=11,
        seed=1003,
    ),
    Spec(
        name="llama_bf16_sharded",
        arch="llama",
        config=dict(
            vocab_size=90,
            hidden_size=48,
            num_attention_heads=4,
            num_key_value_heads=4,
            head_dim=12,
            intermediate_size=64,
            num_hidden_layers=2,
            tie_word_embeddings=False,
            rope_theta=10000.0,
            rms_norm_eps=1e-5,
        ),
        seq_len=9,
        seed=1004,
        save_dtype=torch.bfloat16,
        max_shard_size="30KB",
    ),
    Spec(
        name="llama_f16",
        arch="llama",
        config=dict(
            vocab_size=64,
            hidden_size=32,
            num_attention_heads=2,
            num_key_value_heads=1,
            head_dim=16,
            intermediate_size=48,
            num_hidden_layers=2,
            tie_word_embeddings=False,
            rope_theta=10000.0,
            rms_norm_eps=1e-5,
        ),
        seq_len=15,
        seed=1005,
        init_range=0.2,
        save_dtype=torch.float16,
    ),
    Spec(
        name="llama_attn_mlp_bias",
        arch="llama",
        config=dict(
            vocab_size=48,
            hidden_size=40,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=10,
            intermediate_size=36,
            num_hidden_layers=2,
            tie_word_embeddings=True,
            rope_theta=10000.0,
            rms_norm_eps=1e-6,
            attention_bias=True,
            mlp_bias=True,
        ),
        seq_len=10,
        seed=1006,
    ),
]

ARCHS = {
    "llama": (LlamaConfig, LlamaForCausalLM),
    "qwen2": (Qwen2Config, Qwen2ForCausalLM),
}


def build_model(spec: Spec) -> torch.nn.Module:
    """Build the model and overwrite every parameter from a seeded generator.

    Parameters are filled in sorted-name order from our own generator (not the
    transformers initialiser), so the values depend only on torch's RNG:
    norm weights 1 + 0.1·N(0,1), biases 0.1·N(0,1), everything else
    init_range·N(0,1).
    """
    config_cls, model_cls = ARCHS[spec.arch]
    config = config_cls(
        **spec.config,
        initializer_range=spec.init_range,
        attn_implementation="eager",
        pad_token_id=None,
        bos_token_id=None,
        eos_token_id=None,
    )
    model = model_cls(config).float()
    gen = torch.Generator().manual_seed(spec.seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * noise)
            elif name.endswith(".bias"):
                p.copy_(0.1 * noise)
            else:
                p.copy_(spec.init_range * noise)
    return model


def rewrite_old_rope_style(path: Path) -> None:
    """Rewrite a transformers-5 config.json into the pre-5 layout."""
    cfg = json.loads(path.read_text())
    rope = cfg.pop("rope_parameters")
    assert rope.get("rope_type", "default") == "default", rope
    cfg["rope_theta"] = rope["rope_theta"]
    cfg["rope_scaling"] = None
    if "dtype" in cfg:
        cfg["torch_dtype"] = cfg.pop("dtype")
    cfg["transformers_version"] = "4.46.0"
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def make_input_ids(spec: Spec) -> torch.Tensor:
    """Fixed ids in [0, vocab): seeded, always containing 0 and vocab-1 and a repeat."""
    vocab = spec.config["vocab_size"]
    gen = torch.Generator().manual_seed(spec.seed + 7)
    ids = torch.randint(0, vocab, (spec.seq_len,), generator=gen, dtype=torch.int64)
    ids[1] = 0
    ids[spec.seq_len // 2] = vocab - 1
    ids[-1] = ids[2]  # a repeated token
    return ids


def check_rope(model: torch.nn.Module, spec: Spec) -> None:
    """Assert the loaded model uses the intended RoPE base (catches config parsing slips)."""
    head_dim = spec.config["head_dim"]
    theta = spec.config["rope_theta"]
    want = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    got = model.model.rotary_emb.inv_freq.float()
    torch.testing.assert_close(got, want, rtol=1e-6, atol=0)


def expected_values(model: torch.nn.Module, ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """Logits, loss and every parameter gradient for one sequence."""
    model.zero_grad(set_to_none=True)
    out = model(input_ids=ids[None], labels=ids[None], use_cache=False)
    out.loss.backward()
    # The loss must be the plain mean next-token cross-entropy the Rust side computes.
    manual = torch.nn.functional.cross_entropy(out.logits[0, :-1].double(), ids[1:])
    assert abs(manual.item() - out.loss.item()) <= 1e-5 * max(1.0, manual.item()), (manual, out.loss)
    tensors = {
        "input_ids": ids.clone().contiguous(),
        "logits": out.logits[0].detach().float().contiguous(),
        "loss": out.loss.detach().float().reshape(()).contiguous(),
    }
    for name, p in model.named_parameters():
        assert p.grad is not None, name
        tensors[f"grad.{name}"] = p.grad.detach().float().contiguous().clone()
    return tensors


def f64_reference_gap(model: torch.nn.Module, ids: torch.Tensor, f32: dict) -> tuple[float, float]:
    """Max |f32 - f64| over logits and over relative grads: the reference's own noise."""
    m64 = model.double()
    got = expected_values(m64, ids)
    model.float()
    dl = (got["logits"] - f32["logits"].double()).abs().max().item()
    dg = 0.0
    for k, v in f32.items():
        if k.startswith("grad."):
            scale = max(1.0, v.abs().max().item())
            dg = max(dg, (got[k] - v.double()).abs().max().item() / scale)
    return dl, dg


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def make_one(spec: Spec) -> dict:
    out_dir = HERE / spec.name
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)

    model = build_model(spec)
    to_save = model.to(spec.save_dtype) if spec.save_dtype != torch.float32 else model
    kwargs = {}
    if spec.max_shard_size is not None:
        kwargs["max_shard_size"] = spec.max_shard_size
    to_save.save_pretrained(out_dir, **kwargs)
    if spec.old_rope_style:
        rewrite_old_rope_style(out_dir / "config.json")
    # The reference model: loaded back from disk, upcast to f32.
    _, model_cls = ARCHS[spec.arch]
    loaded = model_cls.from_pretrained(out_dir, attn_implementation="eager", dtype=spec.save_dtype)
    rounded = {n: p.detach().clone() for n, p in model.named_parameters()}
    loaded = loaded.float()
    loaded.eval()
    check_rope(loaded, spec)
    for n, p in loaded.named_parameters():
        assert torch.equal(p.detach(), rounded[n].float()), f"{spec.name}: {n} did not round-trip"
    assert set(rounded) == {n for n, _ in loaded.named_parameters()}
    tied = loaded.lm_head.weight is loaded.model.embed_tokens.weight
    assert tied == spec.config["tie_word_embeddings"], spec.name

    ids = make_input_ids(spec)
    tensors = expected_values(loaded, ids)
    # A single metadata key: safetensors writes metadata from a hash map, so several
    # keys would make the file bytes differ from run to run.
    provenance = (
        f"tests/golden/make_golden.py {spec.name}; torch {torch.__version__}; "
        f"transformers {transformers.__version__}"
    )
    save_file(tensors, str(out_dir / "expected.safetensors"), metadata={"generator": provenance})
    dl, dg = f64_reference_gap(loaded, ids, tensors)
    logits = tensors["logits"]
    max_grad = max(v.abs().max().item() for k, v in tensors.items() if k.startswith("grad."))
    files = sorted(p.name for p in out_dir.iterdir())
    return {
        "name": spec.name,
        "params": sum(p.numel() for p in loaded.parameters()),
        "dtype": str(spec.save_dtype).replace("torch.", ""),
        "rope_style": "top-level rope_theta" if spec.old_rope_style else "rope_parameters",
        "T": spec.seq_len,
        "loss": tensors["loss"].item(),
        "max|logit|": logits.abs().max().item(),
        "logit std": logits.std().item(),
        "max|grad|": max_grad,
        "f32-f64 logits": dl,
        "f32-f64 rel grad": dg,
        "n_grads": sum(1 for k in tensors if k.startswith("grad.")),
        "files": files,
        "bytes": dir_size(out_dir),
    }


def main() -> int:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}")
    total = 0
    for spec in SPECS:
        s = make_one(spec)
        total += s["bytes"]
        print(
            f"{s['name']:20s} params={s['params']:6d} dtype={s['dtype']:8s} T={s['T']:2d} "
            f"loss={s['loss']:.4f} max|logit|={s['max|logit|']:.3f} std={s['logit std']:.3f} "
            f"max|grad|={s['max|grad|']:.4f} grads={s['n_grads']} "
            f"f32vs64: logits {s['f32-f64 logits']:.1e} grads {s['f32-f64 rel grad']:.1e} "
            f"[{s['rope_style']}] {s['bytes'] / 1024:.0f} KiB"
        )
        print(f"{'':20s} files: {', '.join(s['files'])}")
    print(f"total {total} bytes ({total / 1024 / 1024:.2f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
