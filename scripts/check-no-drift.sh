#!/usr/bin/env bash
# Runs two `hir` builds on the same ordinary inputs and requires identical results: training
# metrics (without wall-clock keys) and checkpoint weights, `hir compare` (all five methods,
# metrics of every run and the JSON summary without wall time), IFEval and IFBench scoring of
# the oracle response files, and replay output. For changes that must not alter behaviour on
# valid input (hardening, restructuring).
#
#   scripts/check-no-drift.sh BASE [NEW_HIR] [WORK_DIR]
#
# BASE: a git commit (built here: a worktree under WORK_DIR, compiled into
# target/no-drift-base so that a second run is incremental) or the path of a `hir` binary.
# NEW_HIR: the binary to check; by default this tree's `cargo build --bin hir`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base=$1
new=${2:-}
work=${3:-$(mktemp -d)}
mkdir -p "$work"
work="$(cd "$work" && pwd)"
if [ -x "$base" ] && [ -f "$base" ]; then
    old="$(cd "$(dirname "$base")" && pwd)/$(basename "$base")"
else
    commit=$(git -C "$root" rev-parse --verify "$base^{commit}")
    src="$work/base-src"
    rm -rf "$src"
    git -C "$root" worktree prune
    git -C "$root" worktree add --detach "$src" "$commit" >/dev/null
    echo "building the base ($commit) ..."
    CARGO_TARGET_DIR="$root/target/no-drift-base" cargo build --quiet --bin hir --manifest-path "$src/Cargo.toml"
    git -C "$root" worktree remove --force "$src"
    old="$root/target/no-drift-base/debug/hir"
fi
if [ -z "$new" ]; then
    echo "building this tree ..."
    cargo build --quiet --bin hir --manifest-path "$root/Cargo.toml"
    new="$root/target/debug/hir"
fi
echo "base: $old"
echo "new:  $new"
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
compare_json() { # strip wall time from `hir compare --json`
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if not k.startswith("wall_s")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
print(json.dumps(strip(d), sort_keys=True, indent=1))
' "$1"
}
gunzip_to() { gzip -dc "$1" > "$2"; }

for tag in old new; do
    bin=${!tag}
    d="$work/$tag"
    rm -rf "$d" && mkdir -p "$d"
    "$bin" train --steps 5 --seed 0 --run-dir "$d/train" --quiet > "$d/train.out" 2> "$d/train.err"
    metrics "$d/train/metrics.jsonl" > "$d/train.metrics"
    for j in summary eval_before; do compare_json "$d/train/$j.json" > "$d/train.$j"; done
    "$bin" eval ifeval --input_data "$root/tests/data/ifeval/input_data.jsonl" \
        --input_response_data "$root/tests/data/ifeval/input_response_data_llama_3b.jsonl" \
        --output_dir "$d/ifeval" | sed "s|$d|RUN|g" > "$d/ifeval.out"
    mkdir -p "$d/ifb-in"
    gunzip_to "$root/tests/data/ifbench/IFBench_test.jsonl.gz" "$d/ifb-in/input_data.jsonl"
    gunzip_to "$root/tests/data/ifbench/input_response_data_qwen3_4b.jsonl.gz" "$d/ifb-in/responses.jsonl"
    "$bin" eval ifbench --input_data "$d/ifb-in/input_data.jsonl" \
        --input_response_data "$d/ifb-in/responses.jsonl" --output_dir "$d/ifbench" | sed "s|$d|RUN|g" > "$d/ifbench.out"
    "$bin" replay --input "$root/tests/data/replay/groups.jsonl" --step 1 > "$d/replay_group.jsonl" 2> "$d/replay_group.err"
    "$bin" replay --input "$root/tests/data/replay/groups.jsonl" --step 1 --k 1 --scope global > "$d/replay_global.jsonl" 2> "$d/replay_global.err"
    (cd "$d" && "$bin" compare --steps 3 --seeds 1 --json --output-dir "$d/compare" > "$d/compare.json" 2> "$d/compare.err")
    compare_json "$d/compare.json" > "$d/compare.summary"
    for m in "$d"/compare/*/; do metrics "$m/metrics.jsonl" > "$d/compare-$(basename "$m").metrics"; done
done
same "replay --step 1 (group scope)" "$work/old/replay_group.jsonl" "$work/new/replay_group.jsonl"
same "replay --step 1 --k 1 --scope global" "$work/old/replay_global.jsonl" "$work/new/replay_global.jsonl"
same "replay: messages" <(cat "$work/old/replay_group.err" "$work/old/replay_global.err") <(cat "$work/new/replay_group.err" "$work/new/replay_global.err")
same "train: the run directory's config.toml" "$work/old/train/config.toml" "$work/new/train/config.toml"
same "train: summary.json and eval_before.json (without wall time)" <(cat "$work/old/train.summary" "$work/old/train.eval_before") <(cat "$work/new/train.summary" "$work/new/train.eval_before")
same "train: reference weights" "$work/old/train/reference.safetensors" "$work/new/train/reference.safetensors"
same "train --steps 5 --seed 0: metrics without timing" "$work/old/train.metrics" "$work/new/train.metrics"
same "train: checkpoint weights" "$work/old/train/checkpoint/model.safetensors" "$work/new/train/checkpoint/model.safetensors"
same "train: optimizer state" "$work/old/train/checkpoint/optimizer.safetensors" "$work/new/train/checkpoint/optimizer.safetensors"
same "train: printed table (without wall time)" <(grep -v "wall" "$work/old/train.out") <(grep -v "wall" "$work/new/train.out")
for f in eval_results_strict.jsonl eval_results_loose.jsonl; do
    same "eval ifeval: $f" "$work/old/ifeval/$f" "$work/new/ifeval/$f"
    same "eval ifbench: $f" "$work/old/ifbench/$f" "$work/new/ifbench/$f"
done
same "compare --steps 3 --seeds 1 --json (without wall time)" "$work/old/compare.summary" "$work/new/compare.summary"
for f in "$work"/old/compare-*.metrics; do
    same "compare: $(basename "$f" .metrics) metrics without timing" "$f" "$work/new/$(basename "$f")"
done
[ "$(ls "$work"/old/compare-*.metrics | wc -l)" = "$(ls "$work"/new/compare-*.metrics | wc -l)" ] || { echo "DIFFERENT: number of compare runs"; fail=1; }
same "eval ifeval: report" "$work/old/ifeval.out" "$work/new/ifeval.out"
same "eval ifbench: report" "$work/old/ifbench.out" "$work/new/ifbench.out"
if [ "$fail" = 0 ]; then echo "no drift"; else echo "DRIFT"; fi
exit $fail
