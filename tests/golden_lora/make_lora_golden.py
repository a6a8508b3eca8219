#!/usr/bin/env python3
"""Generate the PEFT LoRA golden files for hir's adapter support.

Every case is a tiny, randomly initialised Hugging Face `transformers` decoder
(Llama or Qwen2, built with the conventions of tests/golden/make_golden.py) with
a LoRA adapter made by `peft`. For each case this script writes, under
`tests/golden_lora/<case>/`:

* `base/`: the base model as `save_pretrained` writes it (config.json,
  generation_config.json, model.safetensors; f32).
* `adapter/`: what `PeftModel.save_pretrained` writes (adapter_config.json,
  adapter_model.safetensors; the model-card README.md it also writes is
  removed). PEFT initialises lora_B to zero, which would make every lora_A
  gradient zero; here EVERY lora_A and lora_B is overwritten with
  0.1·N(0,1) from a seeded generator before saving.
* `expected.safetensors`, every value computed in float32 (eager attention,
  `model.eval()`, so LoRA dropout is off) by models loaded back from the files
  just written (base: `AutoModelForCausalLM.from_pretrained(base/)`, adapter:
  `PeftModel.from_pretrained(base, adapter/)`):
  - `input_ids`     int64 [T]
  - `logits`        f32 [T, vocab]  adapted model, batch of one
  - `loss`          f32 []          `model(ids, labels=ids).loss`
  - `grad.<key>`    f32             gradient of that loss for every adapter
                                    tensor; <key> is exactly its key in
                                    adapter_model.safetensors
                                    (`base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`)
  - `merged_logits` f32 [T, vocab]  `merge_and_unload()` of a fresh load
  - `base_logits`   f32 [T, vocab]  the base model alone

Self-checks (asserted): the adapter and base weights round-trip bit-exactly;
the grad keys are exactly the adapter file's keys; loss is the plain mean
next-token cross-entropy; merged_logits ≈ logits; the f32 reference is within
a small margin of a float64 run of the same models.

Run:  OMP_NUM_THREADS=1 /work/venv-bench/bin/python tests/golden_lora/make_lora_golden.py
(from the repository root; see tests/golden_lora/README.md).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import hashlib  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import peft  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from peft import LoraConfig, PeftModel, get_peft_model  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForCausalLM,
    LlamaConfig,
    LlamaForCausalLM,
    Qwen2Config,
    Qwen2ForCausalLM,
)

HERE = Path(__file__).resolve().parent

# Self-check bounds (far below the Rust test's 1e-4; see README.md).
MERGE_TOL = 2e-5
F64_LOGITS_TOL = 2e-5
F64_REL_GRAD_TOL = 2e-5


@dataclass
class Case:
    """One golden case: base architecture, LoRA configuration and test input."""

    name: str
    arch: str  # "llama" or "qwen2"
    config: dict
    seq_len: int
    seed: int
    rank: int
    alpha: float
    targets: list[str]
    dropout: float = 0.0
    init_range: float = 0.15
    lora_init: float = 0.1


CASES = [
    Case(
        name="llama_all7",
        arch="llama",
        config=dict(
            vocab_size=112,
            hidden_size=48,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=16,  # heads·head_dim = 64 ≠ hidden: q/o LoRA dims differ from hidden
            intermediate_size=80,
            num_hidden_layers=2,
            tie_word_embeddings=False,
            rope_theta=10000.0,
            rms_norm_eps=1e-5,
        ),
        seq_len=12,
        seed=2001,
        rank=4,
        alpha=8,
        targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    ),
    Case(
        name="qwen2_qv",
        arch="qwen2",
        config=dict(
            vocab_size=96,
            hidden_size=40,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=10,
            intermediate_size=64,
            num_hidden_layers=2,
            tie_word_embeddings=True,
            rope_theta=1e6,
            rms_norm_eps=1e-6,
        ),
        seq_len=11,
        seed=2002,
        rank=2,
        alpha=5,
        targets=["q_proj", "v_proj"],
    ),
    Case(
        name="llama_tied_mlp",
        arch="llama",
        config=dict(
            vocab_size=128,
            hidden_size=32,
            num_attention_heads=2,
            num_key_value_heads=1,
            head_dim=16,
            intermediate_size=56,
            num_hidden_layers=2,
            tie_word_embeddings=True,
            rope_theta=500000.0,
            rms_norm_eps=1e-5,
        ),
        seq_len=13,
        seed=2003,
        rank=8,
        alpha=3,
        targets=["o_proj", "gate_proj", "down_proj"],
        dropout=0.1,
    ),
]

ARCHS = {
    "llama": (LlamaConfig, LlamaForCausalLM),
    "qwen2": (Qwen2Config, Qwen2ForCausalLM),
}


def build_base(case: Case) -> torch.nn.Module:
    """The base model, every parameter overwritten from a seeded generator.

    Same conventions as tests/golden/make_golden.py: filled in sorted-name order,
    norm weights 1 + 0.1·N(0,1), biases 0.1·N(0,1), everything else
    init_range·N(0,1).
    """
    config_cls, model_cls = ARCHS[case.arch]
    config = config_cls(
        **case.config,
        initializer_range=case.init_range,
        attn_implementation="eager",
        pad_token_id=None,
        bos_token_id=None,
        eos_token_id=None,
    )
    model = model_cls(config).float()
    gen = torch.Generator().manual_seed(case.seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * noise)
            elif name.endswith(".bias"):
                p.copy_(0.1 * noise)
            else:
                p.copy_(case.init_range * noise)
    # What PEFT records as `base_model_name_or_path`: the repo-relative base dir
    # (deliberately not an absolute path; loaders must not rely on it).
    model.name_or_path = f"tests/golden_lora/{case.name}/base"
    return model


def make_input_ids(case: Case) -> torch.Tensor:
    """Fixed ids in [0, vocab): seeded, always containing 0 and vocab-1 and a repeat."""
    vocab = case.config["vocab_size"]
    gen = torch.Generator().manual_seed(case.seed + 7)
    ids = torch.randint(0, vocab, (case.seq_len,), generator=gen, dtype=torch.int64)
    ids[1] = 0
    ids[case.seq_len // 2] = vocab - 1
    ids[-1] = ids[2]  # a repeated token
    return ids


def file_key(live_name: str) -> str:
    """Live PEFT parameter name -> key in adapter_model.safetensors (drop `.default`)."""
    assert ".lora_A.default." in live_name or ".lora_B.default." in live_name, live_name
    return live_name.replace(".default.", ".")


def lora_params(model: torch.nn.Module) -> dict[str, torch.nn.Parameter]:
    """Every adapter tensor, by its adapter-file key."""
    return {file_key(n): p for n, p in model.named_parameters() if ".lora_" in n}


def load_base(case_dir: Path, dtype: torch.dtype = torch.float32) -> torch.nn.Module:
    model = AutoModelForCausalLM.from_pretrained(
        case_dir / "base", attn_implementation="eager", dtype=torch.float32
    )
    model = model.to(dtype)
    model.eval()
    return model


def load_adapted(case_dir: Path, dtype: torch.dtype = torch.float32, trainable: bool = True):
    base = load_base(case_dir, dtype)
    model = PeftModel.from_pretrained(base, case_dir / "adapter", is_trainable=trainable)
    model = model.to(dtype)
    model.eval()
    return model


def adapted_values(model: torch.nn.Module, ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """Logits, loss and every adapter gradient of the adapted model for one sequence."""
    model.zero_grad(set_to_none=True)
    out = model(input_ids=ids[None], labels=ids[None], use_cache=False)
    out.loss.backward()
    manual = torch.nn.functional.cross_entropy(out.logits[0, :-1].double(), ids[1:])
    assert abs(manual.item() - out.loss.item()) <= 1e-5 * max(1.0, manual.item()), (manual, out.loss)
    tensors = {
        "input_ids": ids.clone().contiguous(),
        "logits": out.logits[0].detach().float().contiguous(),
        "loss": out.loss.detach().float().reshape(()).contiguous(),
    }
    for key, p in lora_params(model).items():
        assert p.grad is not None, key
        tensors[f"grad.{key}"] = p.grad.detach().float().contiguous().clone()
    # Only adapters are trainable: no base parameter may have a gradient.
    for n, p in model.named_parameters():
        if ".lora_" not in n:
            assert not p.requires_grad and p.grad is None, n
    return tensors


@torch.no_grad()
def plain_logits(model: torch.nn.Module, ids: torch.Tensor) -> torch.Tensor:
    return model(input_ids=ids[None], use_cache=False).logits[0].float().contiguous()


def write_case(case: Case, out_dir: Path) -> None:
    """Write base/ and adapter/ for one case."""
    base = build_base(case)
    base.save_pretrained(out_dir / "base")
    lora = LoraConfig(
        r=case.rank,
        lora_alpha=case.alpha,
        target_modules=list(case.targets),
        lora_dropout=case.dropout,
        bias="none",
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(base, lora)
    gen = torch.Generator().manual_seed(case.seed + 100)
    with torch.no_grad():
        params = lora_params(model)
        for key in sorted(params):
            p = params[key]
            p.copy_(case.lora_init * torch.randn(p.shape, generator=gen, dtype=torch.float32))
    model.save_pretrained(out_dir / "adapter")
    card = out_dir / "adapter" / "README.md"
    if card.exists():
        card.unlink()
    sort_target_modules(out_dir / "adapter" / "adapter_config.json")
    # Round trip: the file holds exactly the live adapter tensors, bit for bit.
    on_disk = load_file(str(out_dir / "adapter" / "adapter_model.safetensors"))
    live = {k: p.detach() for k, p in lora_params(model).items()}
    assert set(on_disk) == set(live), (sorted(on_disk), sorted(live))
    for k, v in on_disk.items():
        assert v.dtype == torch.float32 and torch.equal(v, live[k]), k


def sort_target_modules(path: Path) -> None:
    """Sort `target_modules` in adapter_config.json, changing nothing else.

    PEFT keeps target_modules as a Python set and writes it in hash order, which
    differs from run to run (PYTHONHASHSEED); sorting makes the file
    reproducible. The file is re-serialised the way PEFT 0.22 writes it
    (`json.dumps(..., indent=2)` of key-sorted dicts, no trailing newline) and
    checked to differ from the original in that list's order only.
    """
    text = path.read_text()
    cfg = json.loads(text)
    assert json.dumps(cfg, indent=2) == text, "PEFT's adapter_config.json layout changed"
    cfg["target_modules"] = sorted(cfg["target_modules"])
    path.write_text(json.dumps(cfg, indent=2))


def check_config(case: Case, out_dir: Path) -> dict:
    """adapter_config.json says what the case asked for."""
    cfg = json.loads((out_dir / "adapter" / "adapter_config.json").read_text())
    assert cfg["r"] == case.rank, cfg["r"]
    assert cfg["lora_alpha"] == case.alpha, cfg["lora_alpha"]
    assert sorted(cfg["target_modules"]) == sorted(case.targets), cfg["target_modules"]
    assert cfg["bias"] == "none" and not cfg.get("use_dora") and not cfg.get("use_rslora"), cfg
    assert not cfg.get("modules_to_save"), cfg
    assert cfg["base_model_name_or_path"] == f"tests/golden_lora/{case.name}/base", cfg
    assert cfg["lora_dropout"] == case.dropout, cfg["lora_dropout"]
    return cfg


def f64_gap(case_dir: Path, ids: torch.Tensor, f32: dict) -> tuple[float, float]:
    """Max |f32 - f64| over logits and over relative grads: the reference's own noise."""
    got = adapted_values(load_adapted(case_dir, torch.float64), ids)
    dl = (got["logits"].double() - f32["logits"].double()).abs().max().item()
    dg = 0.0
    for k, v in f32.items():
        if k.startswith("grad."):
            scale = max(1.0, v.abs().max().item())
            dg = max(dg, (got[k].double() - v.double()).abs().max().item() / scale)
    return dl, dg


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def make_one(case: Case) -> dict:
    out_dir = HERE / case.name
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    write_case(case, out_dir)
    cfg = check_config(case, out_dir)

    ids = make_input_ids(case)
    adapted = load_adapted(case_dir=out_dir)
    # The loaded adapter is the one on disk (PEFT did not re-initialise anything).
    on_disk = load_file(str(out_dir / "adapter" / "adapter_model.safetensors"))
    loaded = {k: p.detach() for k, p in lora_params(adapted).items()}
    assert set(loaded) == set(on_disk)
    for k, v in on_disk.items():
        assert torch.equal(loaded[k], v), k
    tensors = adapted_values(adapted, ids)
    grad_keys = {k[len("grad.") :] for k in tensors if k.startswith("grad.")}
    assert grad_keys == set(on_disk), "grad keys must be exactly the adapter file's keys"

    merged = load_adapted(out_dir, trainable=False).merge_and_unload()
    merged.eval()
    assert not any(".lora_" in n for n, _ in merged.named_parameters())
    tensors["merged_logits"] = plain_logits(merged, ids)
    tensors["base_logits"] = plain_logits(load_base(out_dir), ids)

    merge_diff = (tensors["merged_logits"] - tensors["logits"]).abs().max().item()
    assert merge_diff <= MERGE_TOL, f"{case.name}: merged vs adapted logits {merge_diff}"
    adapter_effect = (tensors["base_logits"] - tensors["logits"]).abs().max().item()
    assert adapter_effect > 0.05, f"{case.name}: adapter barely changes the logits ({adapter_effect})"

    provenance = (
        f"tests/golden_lora/make_lora_golden.py {case.name}; torch {torch.__version__}; "
        f"transformers {transformers.__version__}; peft {peft.__version__}"
    )
    # One metadata key only: safetensors writes metadata from a hash map.
    save_file(tensors, str(out_dir / "expected.safetensors"), metadata={"generator": provenance})
    dl, dg = f64_gap(out_dir, ids, tensors)
    assert dl <= F64_LOGITS_TOL and dg <= F64_REL_GRAD_TOL, (dl, dg)

    grads = {k: v for k, v in tensors.items() if k.startswith("grad.")}
    sizes = {
        str(p.relative_to(out_dir)): p.stat().st_size
        for p in sorted(out_dir.rglob("*"))
        if p.is_file()
    }
    return {
        "name": case.name,
        "arch": case.arch,
        "r": cfg["r"],
        "alpha": cfg["lora_alpha"],
        "targets": ",".join(case.targets),
        "T": case.seq_len,
        "vocab": case.config["vocab_size"],
        "n_adapter": len(on_disk),
        "adapter_params": sum(v.numel() for v in on_disk.values()),
        "loss": tensors["loss"].item(),
        "max|g|": max(v.abs().max().item() for v in grads.values()),
        "min max|g|": min(v.abs().max().item() for v in grads.values()),
        "merge": merge_diff,
        "effect": adapter_effect,
        "f64 logits": dl,
        "f64 grads": dg,
        "sizes": sizes,
        "bytes": dir_size(out_dir),
    }


def sha256_tree(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix != ".py" and p.name not in ("README.md", "requirements.txt"):
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def main() -> int:
    transformers.utils.logging.disable_progress_bar()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}")
    total = 0
    for case in CASES:
        s = make_one(case)
        total += s["bytes"]
        print(
            f"{s['name']:15s} {s['arch']:5s} r={s['r']} alpha={s['alpha']} targets={s['targets']} "
            f"T={s['T']} vocab={s['vocab']} tensors={s['n_adapter']} ({s['adapter_params']} params) "
            f"loss={s['loss']:.4f}"
        )
        print(
            f"{'':15s} max|g|={s['max|g|']:.4f} (smallest per-tensor max|g| {s['min max|g|']:.2e}) "
            f"max|merged-logits|={s['merge']:.2e} max|base-logits|={s['effect']:.3f} "
            f"f32vs64: logits {s['f64 logits']:.1e} grads {s['f64 grads']:.1e}"
        )
        for path, size in s["sizes"].items():
            print(f"{'':15s}   {size:8d}  {path}")
        print(f"{'':15s} total {s['bytes']} bytes ({s['bytes'] / 1024:.0f} KiB)")
    print(f"all cases: {total} bytes ({total / 1024:.0f} KiB); sha256 {sha256_tree(HERE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
