#!/usr/bin/env bash
# SmolLM2-135M-Instruct on the CPU: hir against llama.cpp on the same GGUF, in the same run, with
# the same thread count. Prints a Markdown table (medians of 3) with hir / llama.cpp ratios.
#
#   PYTHON=/path/to/venv/bin/python bash benches/compare_llamacpp.sh
#
# Environment:
#   PYTHON    a Python with llama-cpp-python (0.3.36 used; install: tests/golden/smollm2/README.md)
#   THREADS   thread counts to measure, e.g. "1 2" (default "2"); hir reads RAYON_NUM_THREADS
#   BATCH     sequences decoded together for the batched row (default 16)
#   HIR       a hir binary (default: build this tree); HIR_FLAGS extra flags for its benches
#             (e.g. "--dtype f32" to measure dequantized f32 weights)
#   HIR_SMOLLM2  the GGUF (default: fixtures/downloads/, fetched by scripts/fetch-smollm2.sh)
#
# llama.cpp runs twice per thread count: with OpenMP's default wait policy (its threads spin at
# barriers: fastest on a quiet machine, collapses when other processes compete for the cores)
# and with OMP_WAIT_POLICY=passive. Both sides: a 128-token prompt; decode = 128 greedy new
# tokens of one sequence after it; batched = BATCH sequences x 128 new tokens decoded together,
# after their prefill (hir's `decode_tokens_per_s` of `bench generate`; its prefill-included
# figure is printed too).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
THREADS=${THREADS:-2}
BATCH=${BATCH:-16}
MODEL=${HIR_SMOLLM2:-fixtures/downloads/SmolLM2-135M-Instruct.Q4_1.gguf}
[ -f "$MODEL" ] || bash scripts/fetch-smollm2.sh
if [ -z "${HIR:-}" ]; then
    cargo build --release --quiet
    HIR=${CARGO_TARGET_DIR:-target}/release/hir
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1); hir: $HIR ${HIR_FLAGS:-}"
for t in $THREADS; do
    (unset OMP_WAIT_POLICY; "$PYTHON" scripts/bench/llamacpp_speed.py --model "$MODEL" --threads "$t" \
        --repeats 3 --batch "$BATCH" >"$tmp/llama-default-$t")
    OMP_WAIT_POLICY=passive "$PYTHON" scripts/bench/llamacpp_speed.py --model "$MODEL" --threads "$t" \
        --repeats 3 --batch "$BATCH" >"$tmp/llama-passive-$t"
    for kind in prompt decode generate; do
        RAYON_NUM_THREADS=$t "$HIR" bench "$kind" --model "$MODEL" --seq 128 --prompt-tokens 128 \
            --tokens 128 --batch "$BATCH" --reps 3 ${HIR_FLAGS:-}
    done >"$tmp/hir-$t"
done
"$PYTHON" - "$tmp" "$THREADS" "$BATCH" <<'PY'
import json, sys
tmp, threads, batch = sys.argv[1], sys.argv[2].split(), sys.argv[3]
for t in threads:
    d = json.load(open(f"{tmp}/llama-default-{t}"))
    p = json.load(open(f"{tmp}/llama-passive-{t}"))
    hir = {r["bench"]: r for r in map(json.loads, open(f"{tmp}/hir-{t}"))}
    print(f"\n| SmolLM2-135M-Instruct Q4_1, {t} thread(s), tokens/s | hir | llama.cpp {d['llama_cpp_python']} default OpenMP | hir / llama.cpp | llama.cpp, OMP_WAIT_POLICY=passive | hir / llama.cpp |")
    print("|---|---|---|---|---|---|")
    rows = [
        ("prompt processing, 128 tokens", hir["prompt"]["tokens_per_s"], "prompt_tok_per_s"),
        ("single-stream greedy decode, 128 new tokens", hir["decode"]["tokens_per_s"], "decode_tok_per_s"),
        (f"{batch} sequences x 128 new tokens decoded together, total", hir["generate"].get("decode_tokens_per_s"), "batched_total_new_tok_per_s"),
    ]
    for name, h, key in rows:
        ld, lp = d[key]["median"], p[key]["median"]
        if h is None:  # a hir older than `decode_tokens_per_s`
            print(f"| {name} | n/a | {ld:.1f} | | {lp:.1f} | |")
            continue
        print(f"| {name} | {h:.1f} | {ld:.1f} | {h / ld:.2f} | {lp:.1f} | {h / lp:.2f} |")
    print(f"| hir, {batch} sequences with their prefill | {hir['generate']['tokens_per_s']:.1f} | | | | |")
PY
