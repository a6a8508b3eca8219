#!/usr/bin/env python3
"""PyTorch's f32 matrix product on the CPU, the baseline of `hir bench matmul`.

For each shape `M,K,N,T` given (T = none | a | b: which operand is stored transposed, as
`hir bench matmul --transpose`), times `torch.mm` on `torch.set_num_threads(--threads)`
(default 2) after one warm-up call and prints one JSON line per shape:
  {"m": M, "k": K, "n": N, "transpose": T, "seconds": median, "gflops": x, "torch": version}
A transposed operand is a `.t()` view of a contiguous matrix, as `x @ W.T` in a linear layer.

Usage: python benches/pytorch_sgemm.py 2048,2048,2048,none 2048,384,1024,b [--reps 5]
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shapes", nargs="+", help="M,K,N,T with T in none|a|b")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(1)
    for spec in args.shapes:
        m, k, n, t = spec.split(",")
        m, k, n = int(m), int(k), int(n)
        a = torch.randn(k, m, generator=gen).t() if t == "a" else torch.randn(m, k, generator=gen)
        b = torch.randn(n, k, generator=gen).t() if t == "b" else torch.randn(k, n, generator=gen)
        c = torch.empty(m, n)
        torch.mm(a, b, out=c)
        times = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            torch.mm(a, b, out=c)
            times.append(time.perf_counter() - t0)
        s = statistics.median(times)
        print(json.dumps({"m": m, "k": k, "n": n, "transpose": t, "seconds": s,
                          "gflops": 2 * m * k * n / s / 1e9, "torch": torch.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
