#!/usr/bin/env bash
# hir's f32 matmul against PyTorch's sgemm on the products of gemm_cases.txt, 2 threads, in one
# run (THREADS, default 2), interleaved case by case (see sgemm_compare.py):
#   PYTHON=/path/to/venv/bin/python bash backend-cpu/benches/sgemm_compare.sh [ROUNDS] [BEFORE_BINARY]
# BEFORE_BINARY: another build of the gemm_bench example (e.g. of an older commit) to compare too.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
cargo build --release -q -p hir-backend-cpu --example gemm_bench
export RAYON_NUM_THREADS=${THREADS:-2} OMP_NUM_THREADS=${THREADS:-2}
exec "$PYTHON" backend-cpu/benches/sgemm_compare.py ./target/release/examples/gemm_bench \
    benches/sgemm_torch.py "${1:-3}" ${2:+"$2"}
