#!/usr/bin/env bash
# An adapter hir trained loads in PEFT and gives hir's logits, and `hir merge`'s directory
# loads in transformers and gives hir's logits (done-when 1 of the LoRA issue).
#
#   PYTHON=/path/to/venv/bin/python [HIR=target/release/hir] bash scripts/check-peft-roundtrip.sh
#
# PYTHON needs torch, transformers and peft (tests/golden_lora/requirements.txt). The base is
# the built-in policy's Hugging Face directory (assets/builtin, a Llama); the script trains a
# LoRA run of 2 steps on it (rank 4, alpha 8, lr 1e-2 so the adapters move), then runs
# scripts/reference/peft_check.py, which exits 1 when a logit differs by more than 1e-4.
set -euo pipefail
cd "$(dirname "$0")/.."
HIR=${HIR:-target/release/hir}
PYTHON=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
base=assets/builtin
printf '%s\n' \
  '{"task": "Write a note.", "constraints": [{"instruction_id": "punctuation:no_comma"}]}' \
  '{"task": "Describe a cat.", "constraints": [{"instruction_id": "change_case:english_lowercase"}]}' \
  '{"task": "Write a haiku.", "constraints": [{"instruction_id": "punctuation:no_comma"}]}' \
  > "$work/data.jsonl"
"$HIR" train --model "$base" --data "$work/data.jsonl" --eval-count 1 --eval-max-tokens 4 \
  --steps 2 --lora-rank 4 --lora-alpha 8 --set lr=1e-2 --set train_batch_size=2 \
  --set rollout_n=2 --set ppo_mini_batch_size=2 --set max_response_length=8 \
  --run-dir "$work/run" --quiet > /dev/null
ids=1,17,42,99,7,256,3,12
"$HIR" forward --model "$base" --adapter "$work/run/checkpoint" --ids $ids --out "$work/adapted.safetensors"
"$HIR" merge --model "$base" --adapter "$work/run/checkpoint" --out "$work/merged"
"$HIR" forward --model "$work/merged" --ids $ids --out "$work/merged.safetensors"
OMP_NUM_THREADS=1 "$PYTHON" scripts/reference/peft_check.py --base "$base" \
  --adapter "$work/run/checkpoint" --ids $ids --hir-logits "$work/adapted.safetensors" \
  --merged "$work/merged" --hir-merged-logits "$work/merged.safetensors"
