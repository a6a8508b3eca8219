#!/usr/bin/env bash
# hir's CPU backend against PyTorch, same machine, same run, same thread count: training steps
# of three model shapes, single-sequence decode of the ~10M model, and the f32 matrix product
# at 2048³ and at the shapes of a linear layer's forward / weight gradient / input gradient.
# Prints Markdown tables with ratios. Needs a Python with torch + transformers:
#   PYTHON=/path/to/venv/bin/python bash benches/compare_pytorch.sh
# Environment: THREADS (default 2), HIR (a hir binary; default: build this tree), REPS (5).
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
    t=$("$PYTHON" benches/pytorch_baseline.py --no-decode --train-steps "$REPS" $tflags 2>/dev/null | tail -n 1)
    printf 'step\t%s\t%s\t%s\n' "$label" "$h" "$t" >>"$out"
done <<'ROWS'
~10M Llama (README config), 4 × 256|--batch 4 --seq 256|--batch 4 --seq 256
12.6M Llama (hidden 384, 6 layers, ffn 1024, vocab 8192), 8 × 256|--config benches/configs/llama-12.6m.json --batch 8 --seq 256|--config benches/configs/llama-12.6m.json --batch 8 --seq 256
SmolLM2-135M shape (random weights), 8 × 128|--config benches/configs/smollm2-135m.json --batch 8 --seq 128 --reps 2|--config benches/configs/smollm2-135m.json --batch 8 --seq 128
ROWS
h=$("$HIR" bench decode --backend cpu --reps "$REPS")
t=$("$PYTHON" benches/pytorch_baseline.py --train-steps 1 2>/dev/null | tail -n 1)
printf 'decode\t~10M Llama, 1 sequence, 16-token prompt, 128 new tokens\t%s\t%s\n' "$h" "$t" >>"$out"
# Matrix products: M,K,N,transpose (b: x·Wᵀ forward; a: dyᵀ·x weight gradient; none: dy·W).
shapes="2048,2048,2048,none 1024,1024,1024,none 2048,384,1024,b 1024,2048,384,a 2048,1024,384,none 2048,384,8192,b 1024,576,1536,b 1536,1024,576,a 1024,1536,576,none"
tjson=$("$PYTHON" benches/pytorch_sgemm.py --threads "$THREADS" --reps "$REPS" $shapes)
for s in $shapes; do
    IFS=, read -r m k n tr <<<"$s"
    # A hir older than `--shape` measures nothing here (null).
    h=$("$HIR" bench matmul --backend cpu --shape "$m,$k,$n" --transpose "$tr" --reps "$REPS" 2>/dev/null) || h=null
    t=$(grep "\"m\": $m, \"k\": $k, \"n\": $n, \"transpose\": \"$tr\"" <<<"$tjson")
    printf 'matmul\t%s\t%s\t%s\n' "$s" "$h" "$t" >>"$out"
done
"$PYTHON" - "$out" "$THREADS" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
print(f"{lines[0]}; {sys.argv[2]} threads")
rows = [l.split("\t") for l in lines[1:]]
torch_v = json.loads(rows[0][3])["torch"]
print(f"\n| measurement (tokens/s) | hir (cpu) | PyTorch {torch_v} (cpu) | hir / PyTorch |")
print("|---|---|---|---|")
for kind, label, h, t in rows:
    h, t = json.loads(h), json.loads(t)
    if kind == "step":
        hv, tv = h["tokens_per_s"], t["train_tokens_per_s"]
        print(f"| training step (fwd+bwd+AdamW), {label} | {hv:.0f} | {tv:.0f} | {hv/tv:.2f} |")
    elif kind == "decode":
        hv, tv = h["tokens_per_s"], t["decode_tokens_per_s"]
        print(f"| decode with KV cache, {label} | {hv:.1f} | {tv:.1f} | {hv/tv:.2f} |")
print("\n| f32 matmul M,K,N (transposed operand) | hir GFLOP/s | PyTorch sgemm GFLOP/s | hir / PyTorch |")
print("|---|---|---|---|")
for kind, label, h, t in rows:
    if kind == "matmul":
        h, t = json.loads(h), json.loads(t)
        m, k, n, tr = label.split(",")
        if h is None:
            print(f"| {m},{k},{n} ({tr}) | n/a | {t['gflops']:.0f} | |")
            continue
        print(f"| {m},{k},{n} ({tr}) | {h['gflops']:.0f} | {t['gflops']:.0f} | {h['gflops']/t['gflops']:.2f} |")
PY
