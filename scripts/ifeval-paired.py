#!/usr/bin/env python3
"""Paired bootstrap of IFEval scores between two evaluations of the same prompts.

Usage: scripts/ifeval-paired.py A_DIR B_DIR [--resamples 10000] [--seed 0]

A_DIR and B_DIR are `hir eval ifeval --output_dir` directories (or the official tool's): each
holds `eval_results_strict.jsonl` and `eval_results_loose.jsonl`, one row per prompt with
`prompt`, `follow_all_instructions` and `follow_instruction_list`. Rows are paired by prompt.
For prompt-level and instruction-level accuracy, strict and loose, it prints A, B, B - A and
a 95 % percentile interval of B - A from resampling prompts with replacement (instruction
level resamples prompts too, keeping each prompt's instructions together).
"""

import argparse
import json
import random
import sys
from pathlib import Path


def load(d: Path, kind: str):
    rows = {}
    with open(d / f"eval_results_{kind}.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                rows[r["prompt"]] = (
                    1.0 if r["follow_all_instructions"] else 0.0,
                    [1.0 if x else 0.0 for x in r["follow_instruction_list"]],
                )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--resamples", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    for kind in ["strict", "loose"]:
        a, b = load(Path(args.a), kind), load(Path(args.b), kind)
        if set(a) != set(b):
            print(f"error: the two directories score different prompts ({kind})", file=sys.stderr)
            return 1
        keys = sorted(a)
        n = len(keys)
        pa = [a[k][0] for k in keys]
        pb = [b[k][0] for k in keys]
        ia = [sum(a[k][1]) for k in keys]
        ib = [sum(b[k][1]) for k in keys]
        cnt = [len(a[k][1]) for k in keys]
        for level in ["prompt", "instruction"]:
            def score(idx, which):
                if level == "prompt":
                    v = pa if which == "a" else pb
                    return sum(v[i] for i in idx) / len(idx)
                v = ia if which == "a" else ib
                return sum(v[i] for i in idx) / sum(cnt[i] for i in idx)
            full = list(range(n))
            sa, sb = score(full, "a"), score(full, "b")
            diffs = []
            for _ in range(args.resamples):
                idx = [rng.randrange(n) for _ in range(n)]
                diffs.append(score(idx, "b") - score(idx, "a"))
            diffs.sort()
            lo = diffs[int(0.025 * len(diffs))]
            hi = diffs[int(0.975 * len(diffs)) - 1]
            print(
                f"{level:11s} {kind:6s}  A {sa:.4f}  B {sb:.4f}  B-A {sb - sa:+.4f} "
                f"[{lo:+.4f}, {hi:+.4f}]  (n = {n} prompts)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
