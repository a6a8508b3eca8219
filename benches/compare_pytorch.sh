#!/usr/bin/env bash
# hir's CPU backend against PyTorch, same machine, same run, same thread count: training steps
# of three model shapes and single-sequence decode of the ~10M model, then the f32 matrix
# product at 2048³ and at every shape of the three models' linear layers (forward, weight
# gradient, input gradient), interleaved case by case (backend-cpu/benches/sgemm_compare.sh).
# Prints Markdown tables with ratios. Needs a Python with torch + transformers:
#   PYTHON=/path/to/venv/bin/python bash benches/compare_pytorch.sh
# Environment: THREADS (default 2), HIR (a hir binary; default: build this tree), REPS (5),
# HIR_BASE (another hir binary, e.g. an older commit's, measured next to HIR for a before /
# after column), ROUNDS (rounds of the interleaved matmul comparison, 3).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
THREADS=${THREADS:-2}
REPS=${REPS:-5}
if [ -z "${HIR:-}" ]; then
    cargo build --release -q
    HIR=${CARGO_TARGET_DIR:-target}/release/hir
fi
export RAYON_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
out=$(mktemp)
trap 'rm -f "$out"' EXIT
lscpu | sed -n 's/^Model name: *//p' | head -n 1 | sed 's/^/cpu: /' >"$out"
# Training steps: label | hir flags | PyTorch flags.
while IFS='|' read -r label hflags tflags; do
    h=$("$HIR" bench step --backend cpu --reps "$REPS" $hflags)
    hb=null; [ -z "${HIR_BASE:-}" ] || hb=$("$HIR_BASE" bench step --backend cpu --reps "$REPS" $hflags)
    t=$("$PYTHON" benches/pytorch_baseline.py --no-decode --train-steps "$REPS" $tflags 2>/dev/null | tail -n 1)
    printf 'step\t%s\t%s\t%s\t%s\n' "$label" "$h" "$t" "$hb" >>"$out"
done <<'ROWS'
~10M Llama (README config), 4 × 256|--batch 4 --seq 256|--batch 4 --seq 256
12.6M Llama (hidden 384, 6 layers, ffn 1024, vocab 8192), 8 × 256|--config benches/configs/llama-12.6m.json --batch 8 --seq 256|--config benches/configs/llama-12.6m.json --batch 8 --seq 256
SmolLM2-135M shape (random weights), 8 × 128|--config benches/configs/smollm2-135m.json --batch 8 --seq 128|--config benches/configs/smollm2-135m.json --batch 8 --seq 128
ROWS
h=$("$HIR" bench decode --backend cpu --reps "$REPS")
hb=null; [ -z "${HIR_BASE:-}" ] || hb=$("$HIR_BASE" bench decode --backend cpu --reps "$REPS")
t=$("$PYTHON" benches/pytorch_baseline.py --train-steps 1 2>/dev/null | tail -n 1)
printf 'decode\t~10M Llama, 1 sequence, 16-token prompt, 128 new tokens\t%s\t%s\t%s\n' "$h" "$t" "$hb" >>"$out"
"$PYTHON" - "$out" "$THREADS" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
print(f"{lines[0]}; {sys.argv[2]} threads")
rows = [l.split("\t") for l in lines[1:]]
torch_v = json.loads(rows[0][3])["torch"]
base = any(json.loads(r[4]) is not None for r in rows)
extra = " | hir, HIR_BASE | HIR_BASE / PyTorch" if base else ""
print(f"\n| measurement (tokens/s) | hir (cpu) | PyTorch {torch_v} (cpu) | hir / PyTorch{extra} |")
print("|---|---|---|---|" + ("---|---|" if base else ""))
for kind, label, h, t, hb in rows:
    h, t, hb = json.loads(h), json.loads(t), json.loads(hb)
    key = "train_tokens_per_s" if kind == "step" else "decode_tokens_per_s"
    what = "training step (fwd+bwd+AdamW)" if kind == "step" else "decode with KV cache"
    hv, tv = h["tokens_per_s"], t[key]
    cols = f" {hb['tokens_per_s']:.0f} | {hb['tokens_per_s']/tv:.2f} |" if hb else ""
    print(f"| {what}, {label} | {hv:.0f} | {tv:.0f} | {hv/tv:.2f} |{cols}")
PY
echo
THREADS=$THREADS PYTHON=$PYTHON bash backend-cpu/benches/sgemm_compare.sh "${ROUNDS:-3}"
