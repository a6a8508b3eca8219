#!/usr/bin/env python3
"""llama.cpp speed on SmolLM2-135M-Instruct (Q4_1 GGUF), the baseline for hir's issue-6 numbers.

Measures, through llama-cpp-python's low-level API (llama_batch_init / llama_decode):
  prompt      prompt processing of a 128-token prompt (one llama_decode, logits on the last)
  decode      single-stream greedy decode of 128 new tokens after that prompt (tok/s)
  batched     --batch sequences (default 8; distinct 128-token prompts, prefilled first, not timed) decoding
              greedily together, one token per sequence per llama_decode: total new tokens/s
Each measurement is repeated (--repeats, default 3); prints JSON with median, min and max.

Usage: python scripts/bench/llamacpp_speed.py [--model PATH] [--threads 2] [--repeats 3] [--batch 8]
Needs llama-cpp-python (0.3.36 used; see tests/golden/smollm2/README.md for the install).

The pip build of llama.cpp uses OpenMP, whose threads spin at barriers: on an oversubscribed
machine (more runnable threads than cores) --threads 2 collapses (measured here on 2 cores with
two niced rustc jobs running: decode 2.6 tok/s). Set OMP_WAIT_POLICY=passive in that case and
say so with the numbers. Measured 2026-11-27 on 2 x86-64 cores (AVX-512), load average 6-8
(other builds running, so all numbers are low and noisy), median [min, max] of 3:
  threads 2, OMP_WAIT_POLICY=passive: prompt 125.6 [124.2, 173.4], decode 44.1 [40.4, 58.9],
                                      batched 8x: 76.4 [70.8, 76.5] total new tok/s
  threads 1:                          prompt 86.2 [81.7, 87.6], decode 37.9 [36.2, 39.0],
                                      batched 8x: 57.3 [53.8, 57.5]
  threads 2, default OpenMP wait:     prompt 29.9 [19.2, 37.8], decode 2.6 [2.3, 4.3],
                                      batched 8x: 8.7 [6.9, 8.8]
NOTES.md's quiet-machine figures for comparison: prompt 336 tok/s, decode ~100-120 tok/s.
"""
import argparse
import ctypes
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import llama_cpp as lc

REPO = Path(__file__).resolve().parents[2]
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
PROMPT_TOKENS = 128
NEW_TOKENS = 128
N_SEQ = 8

TEXT = (
    "Write a 300+ word essay about the history of the printing press. Your response should "
    "contain at least 3 paragraphs separated by the markdown divider: ***. Do not include the "
    "keywords \"Gutenberg\" or \"Germany\" in the response. Wrap your entire response with double "
    "quotation marks, and end it with the exact phrase \"Is there anything else I can help "
    "with?\". Highlight at least 2 sections with markdown, i.e. *highlighted section*. "
)


def model_path(arg):
    for p in (arg, os.environ.get("HIR_SMOLLM2"), REPO / "fixtures" / "downloads" / GGUF_NAME,
              Path("/work/models") / GGUF_NAME):
        if p and Path(p).is_file():
            return Path(p).resolve()
    sys.exit("model not found: pass --model, set $HIR_SMOLLM2 or run scripts/fetch-smollm2.sh")


def tokenize(vocab, text):
    data = text.encode("utf-8")
    buf = (lc.llama_token * (len(data) + 8))()
    n = lc.llama_tokenize(vocab, data, len(data), buf, len(buf), False, True)
    if n < 0:
        raise RuntimeError("tokenize failed")
    return list(buf[:n])


class Ctx:
    """A llama.cpp context with its own batch buffer."""

    def __init__(self, model, n_ctx, n_seq, threads, n_batch):
        p = lc.llama_context_default_params()
        p.n_ctx = n_ctx
        p.n_batch = n_batch
        p.n_ubatch = n_batch
        p.n_seq_max = n_seq
        p.n_threads = threads
        p.n_threads_batch = threads
        p.no_perf = True
        self.ctx = lc.llama_init_from_model(model, p)
        if not self.ctx:
            raise RuntimeError("llama_init_from_model failed")
        self.n_vocab = lc.llama_vocab_n_tokens(lc.llama_model_get_vocab(model))
        self.batch = lc.llama_batch_init(n_batch, 0, n_seq)
        self.cap = n_batch

    def clear(self):
        lc.llama_memory_clear(lc.llama_get_memory(self.ctx), True)

    def decode(self, items):
        """items: list of (token, pos, seq_id, want_logits). Returns nothing; raises on error."""
        assert len(items) <= self.cap
        b = self.batch
        for i, (tok, pos, seq, want) in enumerate(items):
            b.token[i] = tok
            b.pos[i] = pos
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = seq
            b.logits[i] = 1 if want else 0
        b.n_tokens = len(items)
        rc = lc.llama_decode(self.ctx, b)
        if rc != 0:
            raise RuntimeError(f"llama_decode returned {rc}")

    def argmax(self, i):
        ptr = lc.llama_get_logits_ith(self.ctx, i)
        return int(np.argmax(np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))))

    def free(self):
        lc.llama_batch_free(self.batch)
        lc.llama_free(self.ctx)


def prefill(ctx, seqs):
    """Feeds each sequence's prompt (seq id = index), in chunks of the batch size."""
    items = [(t, p, s, p == len(ids) - 1) for s, ids in enumerate(seqs) for p, t in enumerate(ids)]
    out_index = {}
    for start in range(0, len(items), ctx.cap):
        chunk = items[start:start + ctx.cap]
        ctx.decode(chunk)
        for i, (_, _, s, want) in enumerate(chunk):
            if want:
                out_index[s] = ctx.argmax(i)
    return [out_index[s] for s in range(len(seqs))]


def bench_prompt(ctx, prompt):
    ctx.clear()
    t0 = time.perf_counter()
    first = prefill(ctx, [prompt])
    dt = time.perf_counter() - t0
    return len(prompt) / dt, first


def bench_decode(ctx, prompt, n_new):
    ctx.clear()
    nxt = prefill(ctx, [prompt])[0]
    out = []
    t0 = time.perf_counter()
    for k in range(n_new):
        out.append(nxt)
        ctx.decode([(nxt, len(prompt) + k, 0, True)])
        nxt = ctx.argmax(0)
    dt = time.perf_counter() - t0
    return n_new / dt, out


def bench_batched(ctx, prompts, n_new):
    ctx.clear()
    nxt = prefill(ctx, prompts)
    t0 = time.perf_counter()
    for k in range(n_new):
        ctx.decode([(nxt[s], len(prompts[s]) + k, s, True) for s in range(len(prompts))])
        nxt = [ctx.argmax(s) for s in range(len(prompts))]
    dt = time.perf_counter() - t0
    return len(prompts) * n_new / dt


def summary(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs),
            "runs": [round(x, 2) for x in xs]}


@lc.llama_log_callback
def _quiet_log(level, text, user_data):
    """Drops llama.cpp's log lines (the low-level API otherwise prints debug output)."""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=N_SEQ, help="sequences decoded together")
    args = ap.parse_args()
    n_seq = args.batch
    path = model_path(args.model)

    lc.llama_log_set(_quiet_log, ctypes.c_void_p(0))
    lc.llama_backend_init()
    mp = lc.llama_model_default_params()
    model = lc.llama_model_load_from_file(str(path).encode(), mp)
    if not model:
        sys.exit(f"failed to load {path}")
    vocab = lc.llama_model_get_vocab(model)
    base = tokenize(vocab, TEXT * 4)
    while len(base) < PROMPT_TOKENS + n_seq * 7:
        base = base + base
    prompt = base[:PROMPT_TOKENS]
    prompts = [base[7 * s:7 * s + PROMPT_TOKENS] for s in range(n_seq)]  # distinct prompts

    per_seq_ctx = 512  # >= 128 prompt + 128 new
    single = Ctx(model, per_seq_ctx, 1, args.threads, 512)
    multi = Ctx(model, per_seq_ctx * n_seq, n_seq, args.threads, 512)

    # Warm-up (not reported): page in the weights, size the compute buffers.
    bench_prompt(single, prompt)
    bench_decode(single, prompt, 8)
    bench_batched(multi, prompts, 4)

    pp, dec, bat = [], [], []
    ref_tokens = None
    for _ in range(args.repeats):
        pp.append(bench_prompt(single, prompt)[0])
        rate, toks = bench_decode(single, prompt, NEW_TOKENS)
        dec.append(rate)
        assert ref_tokens is None or toks == ref_tokens, "greedy decode is not deterministic"
        ref_tokens = toks
        bat.append(bench_batched(multi, prompts, NEW_TOKENS))
    single.free()
    multi.free()
    lc.llama_model_free(model)

    import importlib.metadata as md
    print(json.dumps({
        "model": path.name,
        "llama_cpp_python": md.version("llama-cpp-python"),
        "threads": args.threads, "threads_batch": args.threads,
        "cpu": platform.processor() or platform.machine(), "os_cpus": os.cpu_count(),
        "prompt_tokens": PROMPT_TOKENS, "new_tokens": NEW_TOKENS, "batched_sequences": n_seq,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "prompt_tok_per_s": summary(pp),
        "decode_tok_per_s": summary(dec),
        "batched_total_new_tok_per_s": summary(bat),
        "repeats": args.repeats,
    }, indent=1))


if __name__ == "__main__":
    main()
