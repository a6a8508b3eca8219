#!/usr/bin/env bash
# Times `hir eval ifeval` against the official google-research IFEval tool
# (benches/ifeval_official/, vendored verbatim) on the same files, and checks that both write
# byte-identical eval_results_{strict,loose}.jsonl (except lines decided by langdetect's
# unseeded randomness). Prints a Markdown table; exits 1 on a real disagreement.
#
#   PYTHON=/path/to/venv/bin/python bash benches/compare_ifeval.sh
#
# Environment:
#   PYTHON     a Python >= 3.9 with benches/ifeval_official/requirements.txt installed
#              (default: python3)
#   NLTK_DATA  NLTK data dir holding tokenizers/punkt_tab/english/ (the official tool's sentence
#              splitter and word_tokenize need it). If unset, a temporary dir is laid out from the
#              repo's copy in verify/data/nltk/punkt_tab (the same files).
#   RUNS       runs per tool and file (default 5)
#   FILES      response files in tests/data/ifeval/ (default: both committed ones)
#   CARGO_TARGET_DIR  respected when locating the release binary
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
RUNS=${RUNS:-5}
FILES=${FILES:-"input_response_data_llama_3b.jsonl input_response_data_qwen25_7b.jsonl"}

if ! "$PYTHON" -c 'import absl, langdetect, nltk, immutabledict' 2>/dev/null; then
  echo "error: $PYTHON cannot import absl/langdetect/nltk/immutabledict;" >&2
  echo "  python3 -m venv VENV && VENV/bin/pip install -r benches/ifeval_official/requirements.txt" >&2
  echo "  then run with PYTHON=VENV/bin/python" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z "${NLTK_DATA:-}" ]]; then
  mkdir -p "$work/nltk_data/tokenizers"
  cp -r verify/data/nltk/punkt_tab "$work/nltk_data/tokenizers/punkt_tab"
  export NLTK_DATA="$work/nltk_data"
  echo "NLTK_DATA not set: using verify/data/nltk/punkt_tab via $NLTK_DATA" >&2
fi
found=""
IFS=: read -r -a nltk_dirs <<<"$NLTK_DATA"
for d in "${nltk_dirs[@]}"; do
  [[ -f "$d/tokenizers/punkt_tab/english/sent_starters.txt" ]] && found=$d
done
if [[ -z "$found" ]]; then
  echo "error: NLTK_DATA=$NLTK_DATA has no tokenizers/punkt_tab/english/; point NLTK_DATA at an" >&2
  echo "  NLTK data dir with punkt_tab, or unset it to use verify/data/nltk/punkt_tab" >&2
  exit 2
fi

cargo build --release -q --bin hir
hir="${CARGO_TARGET_DIR:-target}/release/hir"
[[ "$hir" = /* ]] || hir="$PWD/$hir"

# shellcheck disable=SC2086
"$PYTHON" benches/ifeval_official/compare.py --hir "$hir" --python "$(command -v "$PYTHON")" \
  --data tests/data/ifeval --runs "$RUNS" --work "$work/runs" $FILES
