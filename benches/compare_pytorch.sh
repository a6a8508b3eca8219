#!/usr/bin/env bash
# Runs hir's CPU benchmarks and the PyTorch baseline (2 threads) in the same session and prints
# a Markdown table with ratios. Needs a Python with torch + transformers (see tests/golden/README.md):
#   PYTHON=/path/to/venv/bin/python bash benches/compare_pytorch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
cargo build --release -q
export RAYON_NUM_THREADS=2
hir_step=$(./target/release/hir bench step --backend cpu)
hir_decode=$(./target/release/hir bench decode --backend cpu)
torch=$(OMP_NUM_THREADS=2 "$PYTHON" benches/pytorch_baseline.py | tail -n 1)
"$PYTHON" - "$hir_step" "$hir_decode" "$torch" <<'PY'
import json, sys
step, dec, torch = (json.loads(a) for a in sys.argv[1:4])
print(f"model: {step['params']/1e6:.2f}M parameters; torch {torch['torch']}, 2 threads")
print("| measurement | hir (cpu) | PyTorch (cpu) | hir / PyTorch |")
print("|---|---|---|---|")
for name, h, t in [
    (f"training step (fwd+bwd+AdamW), {step['batch']}x{step['seq']} tokens, tokens/s", step["tokens_per_s"], torch["train_tokens_per_s"]),
    ("single-sequence decode with KV cache, tokens/s", dec["tokens_per_s"], torch["decode_tokens_per_s"]),
]:
    print(f"| {name} | {h:.0f} | {t:.0f} | {h/t:.2f} |")
PY
