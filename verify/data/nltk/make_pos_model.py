#!/usr/bin/env python3
"""Convert NLTK's `averaged_perceptron_tagger_eng` JSON files into the compact, exact model
that `hir_verify::text::pos` embeds (`averaged_perceptron_tagger_eng/model.zlib`).

    /work/venv-text-nltk/bin/python verify/data/nltk/make_pos_model.py \
        /work/shared/oracle/nltk_data/taggers/averaged_perceptron_tagger_eng

Every weight of the model is a multiple of 1/1000 (checked below), so it is stored as the
integer k = weight * 1000; Rust recovers the identical f64 as `k as f64 / 1000.0` (a correctly
rounded division, like Python's `int / int`). The text format, zlib-compressed:

    line 1:  the classes, tab-separated (class index = position)
    line 2:  N, the number of tag-dictionary entries; then N lines `word<TAB>class index`
    then one line per feature: `feature<TAB>idx:k idx:k ...` (a feature may have none)
"""
import json
import os
import sys
import zlib

src = sys.argv[1]
out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "averaged_perceptron_tagger_eng")
name = "averaged_perceptron_tagger_eng"


def load(kind):
    with open(os.path.join(src, f"{name}.{kind}.json"), encoding="utf-8") as f:
        return json.load(f)


weights, tagdict, classes = load("weights"), load("tagdict"), load("classes")
classes = sorted(classes)
index = {c: i for i, c in enumerate(classes)}
lines = ["\t".join(classes), str(len(tagdict))]
for word, tag in tagdict.items():
    assert "\t" not in word and "\n" not in word, word
    lines.append(f"{word}\t{index[tag]}")
for feat, ws in weights.items():
    assert "\t" not in feat and "\n" not in feat, feat
    parts = []
    for label, w in ws.items():
        k = round(w * 1000)
        assert k / 1000 == w, (feat, label, w)
        parts.append(f"{index[label]}:{k}")
    lines.append(f"{feat}\t{' '.join(parts)}")
data = ("\n".join(lines) + "\n").encode("utf-8")
os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, "model.zlib"), "wb") as f:
    f.write(zlib.compress(data, 9))
print(f"{len(classes)} classes, {len(tagdict)} tagdict entries, {len(weights)} features, "
      f"{len(data)} bytes raw", file=sys.stderr)
