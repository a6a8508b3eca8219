"""PyTorch's f32 GEMM on the products of backend-cpu/benches/gemm_cases.txt (the counterpart of
`cargo run --release -p hir-backend-cpu --example gemm_bench`).

    OMP_NUM_THREADS=2 /work/venv-bench/bin/python benches/sgemm_torch.py [FILTER [ROUNDS]]

With FILTER `-` it reads exact case names from stdin, one per line (server mode).

Prints `name m k n ta tb beta torch_gflops`: the fastest call over ROUNDS turns (default 3) of at
least 0.1 s each. The products are written into preallocated outputs (`out=` / `addmm_`), as hir's
matmul writes into its C.
"""

import os
import sys
import time

import torch

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
CASES = os.path.join(os.path.dirname(__file__), "..", "backend-cpu", "benches", "gemm_cases.txt")


def best(f):
    start = time.perf_counter()
    best_t, calls = float("inf"), 0
    while calls < 2 or time.perf_counter() - start < 0.1:
        t = time.perf_counter()
        f()
        best_t = min(best_t, time.perf_counter() - t)
        calls += 1
    return best_t


def cases():
    for line in open(CASES):
        if not line.startswith("#") and line.strip():
            yield line.split()


def main():
    filt = sys.argv[1] if len(sys.argv) > 1 else ""
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if filt == "-":
        # Server mode for backend-cpu/benches/sgemm_compare.py: one exact case name per line.
        table = {c[0]: c for c in cases()}
        for line in sys.stdin:
            measure(table[line.strip()], rounds)
        return
    for case in cases():
        if filt in case[0]:
            measure(case, rounds)


def measure(case, rounds):
    name, m, k, n, ta, tb, beta = case
    m, k, n, ta, tb, beta = int(m), int(k), int(n), ta == "1", tb == "1", float(beta)
    gen = torch.Generator().manual_seed(0)
    a = torch.randn((k, m) if ta else (m, k), generator=gen)
    b = torch.randn((n, k) if tb else (k, n), generator=gen)
    opa = a.t() if ta else a
    opb = b.t() if tb else b
    c = torch.zeros(m, n)
    if beta == 0.0:
        f = lambda: torch.mm(opa, opb, out=c)
    else:
        f = lambda: c.addmm_(opa, opb, beta=beta)
    t = min(best(f) for _ in range(rounds))
    print(f"{name} {m} {k} {n} {int(ta)} {int(tb)} {beta:g} {2 * m * n * k / t / 1e9:.1f}", flush=True)


if __name__ == "__main__":
    with torch.no_grad():
        main()
