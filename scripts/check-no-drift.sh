#!/usr/bin/env bash
# Runs two `hir` binaries on the same ordinary inputs and requires identical results: training
# metrics (without wall-clock keys) and checkpoint weights, IFEval and IFBench scoring of the
# oracle response files, and replay output. For changes that must not alter behaviour on valid
# input (hardening, restructuring).
#
#   scripts/check-no-drift.sh OLD_HIR NEW_HIR [WORK_DIR]
#
# OLD_HIR / NEW_HIR: paths to the two binaries (build the old one from the base commit, e.g.
# `git worktree add /tmp/base BASE && cargo build --release --manifest-path /tmp/base/Cargo.toml`).
set -euo pipefail
old=$1
new=$2
work=${3:-$(mktemp -d)}
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$work"
fail=0
same() { # name, file a, file b
    if cmp -s "$2" "$3"; then echo "same: $1"; else echo "DIFFERENT: $1 ($2 vs $3)"; fail=1; fi
}
metrics() { # strip wall-clock values from a metrics.jsonl
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    r.pop("elapsed_seconds", None)
    r["data"] = {k: v for k, v in r["data"].items() if not k.startswith(("timing_s/", "perf/"))}
    print(json.dumps(r, sort_keys=True))
' "$1"
}
gunzip_to() { gzip -dc "$1" > "$2"; }

for tag in old new; do
    bin=${!tag}
    d="$work/$tag"
    rm -rf "$d" && mkdir -p "$d"
    "$bin" train --steps 5 --seed 0 --run-dir "$d/train" --quiet > "$d/train.out" 2> "$d/train.err"
    metrics "$d/train/metrics.jsonl" > "$d/train.metrics"
    "$bin" eval ifeval --input_data "$root/tests/data/ifeval/input_data.jsonl" \
        --input_response_data "$root/tests/data/ifeval/input_response_data_llama_3b.jsonl" \
        --output_dir "$d/ifeval" | sed "s|$d|RUN|g" > "$d/ifeval.out"
    mkdir -p "$d/ifb-in"
    gunzip_to "$root/tests/data/ifbench/IFBench_test.jsonl.gz" "$d/ifb-in/input_data.jsonl"
    gunzip_to "$root/tests/data/ifbench/input_response_data_qwen3_4b.jsonl.gz" "$d/ifb-in/responses.jsonl"
    "$bin" eval ifbench --input_data "$d/ifb-in/input_data.jsonl" \
        --input_response_data "$d/ifb-in/responses.jsonl" --output_dir "$d/ifbench" | sed "s|$d|RUN|g" > "$d/ifbench.out"
    "$bin" replay --input "$root/tests/data/replay/groups.jsonl" --step 1 > "$d/replay_group.jsonl"
    "$bin" replay --input "$root/tests/data/replay/groups.jsonl" --step 1 --k 1 --scope global > "$d/replay_global.jsonl"
done
same "replay --step 1 (group scope)" "$work/old/replay_group.jsonl" "$work/new/replay_group.jsonl"
same "replay --step 1 --k 1 --scope global" "$work/old/replay_global.jsonl" "$work/new/replay_global.jsonl"
same "train --steps 5 --seed 0: metrics without timing" "$work/old/train.metrics" "$work/new/train.metrics"
same "train: checkpoint weights" "$work/old/train/checkpoint/model.safetensors" "$work/new/train/checkpoint/model.safetensors"
same "train: optimizer state" "$work/old/train/checkpoint/optimizer.safetensors" "$work/new/train/checkpoint/optimizer.safetensors"
same "train: printed table (without wall time)" <(grep -v "wall" "$work/old/train.out") <(grep -v "wall" "$work/new/train.out")
for f in eval_results_strict.jsonl eval_results_loose.jsonl; do
    same "eval ifeval: $f" "$work/old/ifeval/$f" "$work/new/ifeval/$f"
    same "eval ifbench: $f" "$work/old/ifbench/$f" "$work/new/ifbench/$f"
done
same "eval ifeval: report" "$work/old/ifeval.out" "$work/new/ifeval.out"
same "eval ifbench: report" "$work/old/ifbench.out" "$work/new/ifbench.out"
exit $fail
