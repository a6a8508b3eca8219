#!/usr/bin/env python3
"""Check that a LoRA adapter hir wrote loads in PEFT and gives hir's logits.

    python scripts/reference/peft_check.py --base BASE_DIR --adapter ADAPTER_DIR \\
        --ids 1,2,3 --hir-logits LOGITS.safetensors \\
        [--merged MERGED_DIR --hir-merged-logits MERGED_LOGITS.safetensors] [--tol 1e-4]

* BASE_DIR: a Hugging Face model directory (config.json + *.safetensors) only; a GGUF file is
  refused (the check is of the adapter on a Hugging Face base, as PEFT users load it).
* ADAPTER_DIR: a PEFT adapter directory (adapter_config.json + adapter_model.safetensors),
  e.g. the adapter of a `hir train --lora-rank R` checkpoint.
* LOGITS.safetensors: what `hir forward --model BASE_DIR --adapter ADAPTER_DIR --ids ... --out F`
  writes: one f32 tensor `logits` [T, vocab].
* MERGED_DIR (optional): what `hir merge --model BASE_DIR --adapter ADAPTER_DIR --out MERGED_DIR`
  writes; MERGED_LOGITS.safetensors: `hir forward --model MERGED_DIR --ids ... --out F`.

The base is loaded with `AutoModelForCausalLM.from_pretrained` (float32, eager attention), the
adapter with `PeftModel.from_pretrained(base, ADAPTER_DIR)`: the base model object is passed
explicitly, so the adapter's `base_model_name_or_path` is never followed (it may name a path
that does not exist here, or a Hub id; nothing is downloaded: HF_HUB_OFFLINE=1). Everything
runs in `eval()` mode (LoRA dropout off), batch of one.

Checks, each printing its max |Δ|:
  1. every tensor in adapter_model.safetensors was consumed by PEFT (same values as the live
     lora_A/lora_B weights) and no live adapter weight was left at PEFT's initialisation;
  2. PEFT's logits vs hir's logits ≤ tol;
  with --merged:
  3. the merged directory loads in transformers with no missing/unexpected/mismatched weights
     and no LoRA tensors left in it;
  4. transformers' logits of the merged directory vs hir's merged logits ≤ tol;
  5. transformers' logits of the merged directory vs PEFT's adapted logits ≤ tol (the merge
     is the adapter's function).

Exit status: 0 when every check passes, 1 when one fails or an input is unusable (printed as
`error: ...`), 2 for command-line usage errors. Needs torch, transformers, peft and safetensors
(versions used: tests/golden_lora/README.md).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

DEFAULT_TOL = 1e-4


class CheckError(Exception):
    """An input that cannot be used, with a message naming it."""


def parse_ids(text: str) -> list[int]:
    """`1,2,3` -> [1, 2, 3] (argparse type: a bad value is a usage error)."""
    try:
        ids = [int(t) for t in text.split(",") if t.strip() != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated token ids like 1,2,3, got {text!r}")
    if not ids:
        raise argparse.ArgumentTypeError("expected at least one token id")
    if any(i < 0 for i in ids):
        raise argparse.ArgumentTypeError(f"token ids must be non-negative, got {text!r}")
    return ids


def parse_args(argv: list[str]) -> argparse.Namespace:
    doc = __doc__.split("\n\n")
    p = argparse.ArgumentParser(
        description=doc[0],
        epilog="\n\n".join(doc[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--base", required=True, type=Path,
                   help="base model: a Hugging Face directory (config.json + *.safetensors); not a GGUF file")
    p.add_argument("--adapter", required=True, type=Path,
                   help="PEFT adapter directory (adapter_config.json + adapter_model.safetensors)")
    p.add_argument("--ids", required=True, type=parse_ids, help="comma-separated token ids, e.g. 1,2,3")
    p.add_argument("--hir-logits", required=True, type=Path,
                   help="safetensors file with hir's `logits` f32 [T, vocab] for BASE + ADAPTER")
    p.add_argument("--merged", type=Path, help="merged Hugging Face directory written by `hir merge`")
    p.add_argument("--hir-merged-logits", type=Path,
                   help="safetensors file with hir's `logits` f32 [T, vocab] for the merged directory")
    p.add_argument("--tol", type=float, default=DEFAULT_TOL,
                   help=f"max allowed |Δ| of the logits (default {DEFAULT_TOL:g})")
    args = p.parse_args(argv)
    if (args.merged is None) != (args.hir_merged_logits is None):
        p.error("--merged and --hir-merged-logits go together")
    return args


def check_hf_dir(path: Path, what: str) -> None:
    """A Hugging Face model directory, or a clear error."""
    if path.is_file():
        kind = "a GGUF file" if path.suffix.lower() == ".gguf" else "a file"
        raise CheckError(
            f"{what} `{path}` is {kind}; expected a Hugging Face model directory "
            "(config.json + model.safetensors). GGUF is not supported by this check"
        )
    if not path.is_dir():
        raise CheckError(f"{what} `{path}` does not exist")
    if not (path / "config.json").is_file():
        raise CheckError(f"{what} `{path}` has no config.json; expected a Hugging Face model directory")
    if not any(path.glob("*.safetensors")):
        raise CheckError(f"{what} `{path}` has no *.safetensors weights")


def read_adapter_config(adapter: Path) -> dict:
    if not adapter.is_dir():
        raise CheckError(f"adapter directory `{adapter}` does not exist")
    cfg_path = adapter / "adapter_config.json"
    if not cfg_path.is_file():
        raise CheckError(f"`{cfg_path}` is missing; expected a PEFT adapter directory")
    if not (adapter / "adapter_model.safetensors").is_file():
        raise CheckError(f"`{adapter / 'adapter_model.safetensors'}` is missing")
    try:
        cfg = json.loads(cfg_path.read_text())
    except (OSError, ValueError) as e:
        raise CheckError(f"`{cfg_path}` is not valid JSON: {e}")
    if not isinstance(cfg, dict) or cfg.get("peft_type") != "LORA":
        raise CheckError(f"`{cfg_path}`: expected \"peft_type\": \"LORA\", got {cfg.get('peft_type')!r}")
    return cfg


def read_logits(path: Path, n_ids: int, vocab: int):
    """The `logits` tensor of a hir output file, checked to be f32 [T, vocab]."""
    import torch
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if not path.is_file():
        raise CheckError(f"logits file `{path}` does not exist")
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckError(f"`{path}` is not a readable safetensors file: {e}")
    if "logits" not in tensors:
        raise CheckError(f"`{path}` has no tensor `logits` (has: {', '.join(sorted(tensors)) or 'none'})")
    logits = tensors["logits"]
    if logits.dtype != torch.float32:
        raise CheckError(f"`{path}`: `logits` is {logits.dtype}, expected float32")
    if tuple(logits.shape) != (n_ids, vocab):
        raise CheckError(
            f"`{path}`: `logits` has shape {list(logits.shape)}, expected [{n_ids}, {vocab}] "
            f"([number of --ids, vocab_size])"
        )
    return logits


def load_causal_lm(path: Path, what: str):
    """transformers model in f32/eager/eval, refusing silently re-initialised weights."""
    import torch
    from transformers import AutoModelForCausalLM

    try:
        model, info = AutoModelForCausalLM.from_pretrained(
            path, dtype=torch.float32, attn_implementation="eager", output_loading_info=True
        )
    except Exception as e:  # noqa: BLE001 - transformers raises many kinds; report them all
        raise CheckError(f"transformers cannot load {what} `{path}`: {type(e).__name__}: {e}")
    problems = {k: sorted(v) for k, v in info.items() if k in ("missing_keys", "unexpected_keys", "mismatched_keys") and v}
    if problems:
        raise CheckError(f"{what} `{path}` does not match its config.json: {problems}")
    model.eval()
    return model


def live_adapter(model) -> dict:
    """Live adapter weights of a PeftModel by adapter-file key (`.default` dropped)."""
    return {
        n.replace(".default.", "."): p.detach()
        for n, p in model.named_parameters()
        if ".lora_A." in n or ".lora_B." in n
    }


def logits_of(model, ids):
    import torch

    with torch.no_grad():
        return model(input_ids=torch.tensor([ids], dtype=torch.int64), use_cache=False).logits[0].float()


def report(label: str, diff: float, tol: float) -> bool:
    ok = diff <= tol
    print(f"{'PASS' if ok else 'FAIL'}  {label}: max |Δ| = {diff:.3e} (tol {tol:g})")
    return ok


def run(args: argparse.Namespace) -> bool:
    import torch
    from peft import PeftModel
    from safetensors.torch import load_file

    torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    check_hf_dir(args.base, "--base")
    cfg = read_adapter_config(args.adapter)
    name = cfg.get("base_model_name_or_path")
    note = "" if name is None or Path(name).exists() else " (not a path here; not used: the base is passed explicitly)"
    print(
        f"adapter: r={cfg.get('r')} lora_alpha={cfg.get('lora_alpha')} "
        f"target_modules={cfg.get('target_modules')} base_model_name_or_path={name!r}{note}"
    )

    base = load_causal_lm(args.base, "--base")
    vocab = base.config.vocab_size
    if max(args.ids) >= vocab:
        raise CheckError(f"--ids contains {max(args.ids)}, outside the base's vocabulary of {vocab}")
    hir_logits = read_logits(args.hir_logits, len(args.ids), vocab)
    try:
        model = PeftModel.from_pretrained(base, args.adapter)
    except Exception as e:  # noqa: BLE001
        raise CheckError(f"PEFT cannot load adapter `{args.adapter}`: {type(e).__name__}: {e}")
    model.eval()

    ok = True
    on_disk = load_file(str(args.adapter / "adapter_model.safetensors"))
    live = live_adapter(model)
    unused = sorted(set(on_disk) - set(live))
    not_loaded = sorted(set(live) - set(on_disk))
    if unused or not_loaded:
        print(f"FAIL  adapter keys: in the file but not used by PEFT: {unused[:6]}{' ...' if len(unused) > 6 else ''}; "
              f"PEFT adapter weights missing from the file: {not_loaded[:6]}{' ...' if len(not_loaded) > 6 else ''}")
        ok = False
    else:
        diff = max((live[k].float() - v.float()).abs().max().item() for k, v in on_disk.items())
        ok &= report(f"adapter tensors as loaded by PEFT vs the file ({len(on_disk)} tensors)", diff, 0.0)

    peft_logits = logits_of(model, args.ids)
    ok &= report(f"PEFT logits vs hir logits `{args.hir_logits}`", (peft_logits - hir_logits).abs().max().item(), args.tol)
    with model.disable_adapter():
        base_logits = logits_of(model, args.ids)
    print(f"info  adapter's effect on the logits: max |adapted - base| = {(peft_logits - base_logits).abs().max().item():.3e}")

    if args.merged is not None:
        check_hf_dir(args.merged, "--merged")
        merged = load_causal_lm(args.merged, "--merged")
        left = [n for n, _ in merged.named_parameters() if "lora_" in n]
        if left:
            raise CheckError(f"--merged `{args.merged}` still holds LoRA tensors: {left[:4]}")
        if merged.config.vocab_size != vocab:
            raise CheckError(f"--merged has vocab_size {merged.config.vocab_size}, the base {vocab}")
        hir_merged = read_logits(args.hir_merged_logits, len(args.ids), vocab)
        merged_logits = logits_of(merged, args.ids)
        ok &= report(
            f"transformers logits of `{args.merged}` vs hir merged logits `{args.hir_merged_logits}`",
            (merged_logits - hir_merged).abs().max().item(),
            args.tol,
        )
        ok &= report(
            f"transformers logits of `{args.merged}` vs PEFT adapted logits",
            (merged_logits - peft_logits).abs().max().item(),
            args.tol,
        )
    return ok


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        ok = run(args)
    except CheckError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print("all checks passed" if ok else "some checks FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
