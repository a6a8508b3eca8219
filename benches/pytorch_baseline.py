#!/usr/bin/env python3
"""PyTorch CPU baseline for hir's transformer benchmark (the "~10M" Llama config).

Measures, with `torch.set_num_threads(2)` and float32:

(a) training step = forward + backward + AdamW step (lr 1e-4, weight decay 0.01)
    on a batch of 4 sequences x 256 tokens with labels = inputs; reported as
    tokens/s = batch*seq / median seconds per step (2 warm-up steps, then the
    median of --train-steps timed steps);
(b) single-sequence greedy decode with a KV cache: a 16-token prompt, then 128
    new tokens from a manual loop that feeds back `past_key_values`; reported as
    decode tokens/s = 128 / seconds for those 128 steps (prefill excluded; the
    first generated token comes from the prefill logits, every later one from a
    one-token cached forward; 1 warm-up run, then the median of --decode-runs).

`--config config.json` builds that Hugging Face config instead of the "~10M" one (random
weights, as `hir bench --config`); `--batch` / `--seq` set the training batch; `--no-decode`
skips (b).

Attention: `--attn eager` (default, the same math as the Rust side: explicit
softmax(QK^T/sqrt(d)+mask)V) or `--attn sdpa` (PyTorch's fused
scaled_dot_product_attention).

OMP_WAIT_POLICY defaults to PASSIVE (see below); run with OMP_WAIT_POLICY=ACTIVE for
PyTorch's default spinning behaviour.

Prints one JSON object on stdout:
  {"torch": ..., "threads": 2, "params": N, "train_tokens_per_s": x,
   "decode_tokens_per_s": y, ...}

Run: /work/venv-golden/bin/python benches/pytorch_baseline.py
(setup in tests/golden/README.md; takes about 2-4 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

# Let idle OpenMP threads sleep instead of spinning. On the shared 2-core machines here
# (other processes running), the default spin-wait makes 2-thread decoding ~8x slower
# (measured: ~3-5 tok/s vs ~30 tok/s). Must be set before torch (libgomp) loads; an
# OMP_WAIT_POLICY already in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import LlamaConfig, LlamaForCausalLM  # noqa: E402

THREADS = 2
BATCH = 4
SEQ = 256
PROMPT = 16
NEW_TOKENS = 128


def config_10m(attn: str) -> LlamaConfig:
    """The "~10M" benchmark config shared with the Rust benchmark."""
    return LlamaConfig(
        vocab_size=8192,
        hidden_size=256,
        num_hidden_layers=10,
        num_attention_heads=8,
        num_key_value_heads=4,
        head_dim=32,
        intermediate_size=768,
        tie_word_embeddings=True,
        rope_theta=10000.0,
        rms_norm_eps=1e-6,
        max_position_embeddings=2048,
        attn_implementation=attn,
        pad_token_id=None,
        bos_token_id=None,
        eos_token_id=None,
    )


def config_from_file(path: str, attn: str) -> LlamaConfig:
    """A Hugging Face config.json (the file `hir bench --config` reads)."""
    with open(path) as f:
        d = json.load(f)
    d.pop("architectures", None)
    d.pop("model_type", None)
    return LlamaConfig(**d, attn_implementation=attn, pad_token_id=None, bos_token_id=None,
                       eos_token_id=None)


def bench_train(model: LlamaForCausalLM, steps: int, gen: torch.Generator) -> list[float]:
    """Seconds per forward+backward+AdamW step, after 2 warm-up steps."""
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    ids = torch.randint(0, model.config.vocab_size, (BATCH, SEQ), generator=gen)
    times = []
    for i in range(2 + steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model(input_ids=ids, labels=ids, use_cache=False).loss
        loss.backward()
        opt.step()
        dt = time.perf_counter() - t0
        if i >= 2:
            times.append(dt)
        print(f"train step {i}: {dt:.3f} s loss {loss.item():.4f}", file=sys.stderr)
    return times


@torch.no_grad()
def decode_once(model: LlamaForCausalLM, prompt: torch.Tensor) -> tuple[float, list[int]]:
    """Greedy decode NEW_TOKENS tokens; returns (seconds for the decode loop, tokens)."""
    # transformers >= 5.24 names the KV cache `cache` (formerly `past_key_values`).
    out = model(input_ids=prompt, use_cache=True)
    cache = out.cache
    next_id = out.logits[:, -1].argmax(-1, keepdim=True)
    tokens = [next_id.item()]
    t0 = time.perf_counter()
    for _ in range(NEW_TOKENS - 1):
        out = model(input_ids=next_id, cache=cache, use_cache=True)
        cache = out.cache
        next_id = out.logits[:, -1].argmax(-1, keepdim=True)
        tokens.append(next_id.item())
    return time.perf_counter() - t0, tokens


@torch.no_grad()
def check_cached_decode(model: LlamaForCausalLM, prompt: torch.Tensor, tokens: list[int]) -> None:
    """The cached greedy tokens must be the argmax of one uncached forward over the sequence."""
    seq = torch.cat([prompt, torch.tensor([tokens[:-1]], dtype=prompt.dtype)], dim=1)
    logits = model(input_ids=seq, use_cache=False).logits[0, PROMPT - 1 :]
    full = logits.argmax(-1).tolist()
    if full != tokens:
        # Near-ties may flip under different summation orders; accept only those.
        for i, (a, b) in enumerate(zip(full, tokens)):
            if a != b:
                gap = (logits[i, a] - logits[i, b]).abs().item()
                assert gap < 1e-4, f"cached decode diverged at step {i}: {a} vs {b} (gap {gap})"
                break


def bench_decode(model: LlamaForCausalLM, runs: int, gen: torch.Generator) -> list[float]:
    """Decode tokens/s for each timed run (1 warm-up run first)."""
    model.eval()
    prompt = torch.randint(0, model.config.vocab_size, (1, PROMPT), generator=gen)
    rates = []
    for i in range(1 + runs):
        dt, tokens = decode_once(model, prompt)
        assert len(tokens) == NEW_TOKENS
        if i == 0:
            check_cached_decode(model, prompt, tokens)
        # NEW_TOKENS - 1 cached forwards produced tokens 2..NEW_TOKENS.
        rate = (NEW_TOKENS - 1) / dt
        if i >= 1:
            rates.append(rate)
        print(f"decode run {i}: {dt:.3f} s, {rate:.1f} tok/s", file=sys.stderr)
    return rates


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--attn", choices=["eager", "sdpa"], default="eager")
    ap.add_argument("--train-steps", type=int, default=5)
    ap.add_argument("--decode-runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--config", help="a Hugging Face config.json (default: the ~10M config)")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--no-decode", action="store_true", help="measure the training step only")
    args = ap.parse_args()
    globals().update(BATCH=args.batch, SEQ=args.seq)

    torch.set_num_threads(THREADS)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    cfg = config_from_file(args.config, args.attn) if args.config else config_10m(args.attn)
    model = LlamaForCausalLM(cfg).float()
    params = sum(p.numel() for p in model.parameters())

    train = bench_train(model, args.train_steps, gen)
    decode = None if args.no_decode else bench_decode(model, args.decode_runs, gen)
    step_s = statistics.median(train)
    result = {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ["OMP_WAIT_POLICY"],
        "attn": args.attn,
        "dtype": "float32",
        "params": params,
        "train_batch": BATCH,
        "train_seq": SEQ,
        "train_step_s_median": round(step_s, 4),
        "train_tokens_per_s": round(BATCH * SEQ / step_s, 1),
        "decode_prompt": PROMPT,
        "decode_new_tokens": NEW_TOKENS,
        "decode_tokens_per_s": None if decode is None else round(statistics.median(decode), 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
