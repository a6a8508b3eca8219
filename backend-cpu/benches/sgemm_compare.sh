#!/usr/bin/env bash
# hir's f32 matmul against PyTorch's sgemm on the products of gemm_cases.txt, 2 threads, in one run:
#   PYTHON=/path/to/venv/bin/python bash backend-cpu/benches/sgemm_compare.sh [ROUNDS] [BEFORE_BINARY]
# Each round runs hir's example `gemm_bench` over all cases, then benches/sgemm_torch.py, then (if
# given) BEFORE_BINARY, another build of gemm_bench (e.g. of an older commit); the table keeps the
# best GFLOP/s of every case over the rounds, which is the least disturbed by other load.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
ROUNDS=${1:-3}
BEFORE=${2:-}
cargo build --release -q -p hir-backend-cpu --example gemm_bench
export RAYON_NUM_THREADS=2 OMP_NUM_THREADS=2
out=$(mktemp -d)
for _ in $(seq "$ROUNDS"); do
    ./target/release/examples/gemm_bench "" 1 >>"$out/hir"
    "$PYTHON" benches/sgemm_torch.py "" 1 >>"$out/torch"
    if [ -n "$BEFORE" ]; then "$BEFORE" "" 1 >>"$out/before"; fi
done
"$PYTHON" - "$out" <<'PY'
import os, sys
out = sys.argv[1]
best, order = {}, []
for col in ("hir", "torch", "before"):
    path = os.path.join(out, col)
    if not os.path.exists(path):
        continue
    for line in open(path):
        f = line.split()
        key = tuple(f[:7])
        if key not in order:
            order.append(key)
        # gemm_bench prints the GFLOP/s last (older builds printed two columns: crate, hir).
        best.setdefault(key, {})[col] = max(best.get(key, {}).get(col, 0.0), float(f[-1]))
has_before = any("before" in v for v in best.values())
print("| product | m | k | n | op | " + ("hir before | " if has_before else "") + "hir | PyTorch | hir / PyTorch |")
print("|---|---|---|---|---|" + ("---|" if has_before else "") + "---|---|---|")
for key in order:
    name, m, k, n, ta, tb, beta = key
    b = best[key]
    op = ("Aᵀ" if ta == "1" else "A") + "·" + ("Bᵀ" if tb == "1" else "B") + (" + C" if float(beta) else "")
    before = f"{b.get('before', float('nan')):.1f} | " if has_before else ""
    print(f"| {name} | {m} | {k} | {n} | {op} | {before}{b['hir']:.1f} | {b['torch']:.1f} | {b['hir'] / b['torch']:.2f} |")
PY
rm -r "$out"
