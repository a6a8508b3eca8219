#!/usr/bin/env bash
# The wgpu backend on a real GPU, in one run: builds, runs the shared op suite and the
# wgpu-vs-CPU training-step test on the GPU, then the benchmark rows of the README's GPU table
# for both backends on the same machine, and writes everything as JSON lines.
#
#   OUT=/some/dir bash benches/gpu_check.sh        # results in $OUT/gpu_check.jsonl, logs beside
#
# Sized for a few minutes on a 16-core machine with one datacenter GPU (build ~2–3 min, suite
# ~1 min, benches ~3 min). QUICK=1 skips the CPU rows that take longest. The peak the matmul
# rows report against comes from src/cli/bench_peak.rs (by GPU name) or PEAK_GFLOPS.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-target/gpu_check}
mkdir -p "$OUT"
log="$OUT/gpu_check.log"
json="$OUT/gpu_check.jsonl"
: > "$json"
: > "$log"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
peak=()
if [ -n "${PEAK_GFLOPS:-}" ]; then peak=(--peak-gflops "$PEAK_GFLOPS"); fi

step() { echo "== $*" | tee -a "$log"; }

step "device"
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true; nproc; } >> "$log"

# A machine without a Rust toolchain takes binaries built elsewhere: HIR (the CLI), SUITE_BIN
# and TRAINER_BIN (the test executables `cargo test --release --no-run` prints for
# hir-backend-tests' `wgpu` and hir-backend-wgpu's `trainer_step`).
if [ -z "${HIR:-}" ]; then
  step "build (release)"
  cargo build --release -p hir >> "$log" 2>&1 || { echo "build failed" | tee -a "$log"; exit 1; }
  HIR=target/release/hir
fi
gpu_test() { # name, prebuilt binary (may be empty), cargo test arguments
  local name=$1 bin=$2
  shift 2
  if [ -n "$bin" ]; then
    timeout 600 "$bin" --ignored --nocapture > "$OUT/$name.log" 2>&1
  else
    timeout 600 cargo test --release "$@" -- --ignored --nocapture > "$OUT/$name.log" 2>&1
  fi
  echo "{\"check\": \"$name\", \"rc\": $?}" >> "$json"
}

step "shared op suite on the GPU"
gpu_test suite "${SUITE_BIN:-}" -p hir-backend-tests --test wgpu
grep -E 'cases|passed|FAILED|failed' "$OUT/suite.log" | tail -30 >> "$log"

step "training step: wgpu against the CPU"
gpu_test trainer_step "${TRAINER_BIN:-}" -p hir-backend-wgpu --test trainer_step

bench() { # backend, then hir bench arguments
  local backend=$1
  shift
  timeout 300 "$HIR" bench "$@" --backend "$backend" >> "$json" 2>> "$log" \
    || echo "{\"bench_failed\": \"$backend $*\"}" >> "$json"
}
smol=(--config benches/configs/smollm2-135m.json)

step "matmul"
for s in 2048 4096; do bench wgpu matmul --size $s --reps 5 "${peak[@]}"; done
bench wgpu matmul --shape 1024,576,1536 --transpose b --reps 5 "${peak[@]}"
bench wgpu matmul --shape 64,576,1536 --transpose b --reps 5 "${peak[@]}"
bench cpu matmul --size 2048 --reps 3

step "model rows (SmolLM2-135M shape, random weights)"
for be in wgpu cpu; do
  bench $be step "${smol[@]}" --batch 4 --seq 256 --reps 3
  bench $be prompt "${smol[@]}" --seq 128 --reps 3
  bench $be decode "${smol[@]}" --tokens 64 --reps 3
  if [ "$be" = wgpu ] || [ -z "${QUICK:-}" ]; then
    bench $be generate "${smol[@]}" --batch 64 --prompt-tokens 16 --tokens 64 --reps 2
  fi
  bench $be generate "${smol[@]}" --batch 8 --prompt-tokens 16 --tokens 64 --reps 2
done

step "f16 weight storage (wgpu; the CPU backend keeps f16 rows too)"
for be in wgpu cpu; do
  bench $be decode "${smol[@]}" --tokens 64 --reps 3 --dtype f16
done
bench wgpu generate "${smol[@]}" --batch 64 --prompt-tokens 16 --tokens 64 --reps 2 --dtype f16

step "subgroups off (the same few-row rows on the plain kernels; every row's \"subgroups\" says which ran)"
bench wgpu matmul --shape 8,576,1536 --transpose b --reps 5 "${peak[@]}"
bench wgpu matmul --shape 64,576,1536 --transpose b --reps 5 "${peak[@]}"
bench wgpu generate "${smol[@]}" --batch 8 --prompt-tokens 16 --tokens 64 --reps 2
export HIR_WGPU_SUBGROUPS=0
bench wgpu matmul --shape 8,576,1536 --transpose b --reps 5 "${peak[@]}"
bench wgpu matmul --shape 64,576,1536 --transpose b --reps 5 "${peak[@]}"
bench wgpu generate "${smol[@]}" --batch 8 --prompt-tokens 16 --tokens 64 --reps 2
bench wgpu generate "${smol[@]}" --batch 64 --prompt-tokens 16 --tokens 64 --reps 2 --dtype f16
unset HIR_WGPU_SUBGROUPS

step "done"
cat "$json"
