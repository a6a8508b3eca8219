#!/usr/bin/env bash
# SmolLM2-135M-Instruct on the CPU: hir against llama.cpp on the same GGUF, in the same run, with
# the same thread count. Prints a Markdown table (medians of 3) with hir / llama.cpp ratios.
#
#   PYTHON=/path/to/venv/bin/python bash benches/compare_llamacpp.sh
#
# Environment:
#   PYTHON    a Python with llama-cpp-python (0.3.36 used; install: tests/golden/smollm2/README.md)
#   THREADS   threads for both (default 2); hir's CPU backend reads RAYON_NUM_THREADS
#   HIR_SMOLLM2  the GGUF (default: fixtures/downloads/, fetched by scripts/fetch-smollm2.sh)
#
# llama.cpp's OpenMP threads spin-wait at barriers; on a machine with other load that collapses
# its 2-thread numbers, so OMP_WAIT_POLICY=passive is set (its quiet-machine speed is unchanged).
# Both sides: a 128-token prompt; decode = 128 greedy new tokens of one sequence after it;
# batched = 8 sequences x 128 new tokens decoded together (hir's number includes the 8 prompts'
# prefill, llama.cpp's does not: hir is not favoured).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
THREADS=${THREADS:-2}
MODEL=${HIR_SMOLLM2:-fixtures/downloads/SmolLM2-135M-Instruct.Q4_1.gguf}
[ -f "$MODEL" ] || bash scripts/fetch-smollm2.sh
cargo build --release --quiet
HIR=${CARGO_TARGET_DIR:-target}/release/hir
export RAYON_NUM_THREADS=$THREADS OMP_WAIT_POLICY=passive
llama=$(mktemp)
hir_out=$(mktemp)
trap 'rm -f "$llama" "$hir_out"' EXIT
"$PYTHON" scripts/bench/llamacpp_speed.py --model "$MODEL" --threads "$THREADS" --repeats 3 >"$llama"
for kind in prompt decode generate; do
    "$HIR" bench "$kind" --model "$MODEL" --seq 128 --prompt-tokens 128 --tokens 128 --batch 8 --reps 3
done >"$hir_out"
"$PYTHON" - "$llama" "$hir_out" "$THREADS" <<'PY'
import json, sys
llama = json.load(open(sys.argv[1]))
hir = {r["bench"]: r for r in map(json.loads, open(sys.argv[2]))}
rows = [
    ("prompt processing, 128 tokens, tokens/s", hir["prompt"]["tokens_per_s"], llama["prompt_tok_per_s"]["median"]),
    ("single-stream greedy decode, 128 new tokens, tokens/s", hir["decode"]["tokens_per_s"], llama["decode_tok_per_s"]["median"]),
    ("8 sequences x 128 new tokens, total new tokens/s", hir["generate"]["tokens_per_s"], llama["batched_total_new_tok_per_s"]["median"]),
]
print(f"| SmolLM2-135M-Instruct Q4_1, {sys.argv[3]} threads | hir (f32 weights) | llama.cpp {llama['llama_cpp_python']} (Q4_1 weights) | hir / llama.cpp |")
print("|---|---|---|---|")
for name, h, l in rows:
    print(f"| {name} | {h:.1f} | {l:.1f} | {h / l:.2f} |")
PY
