#!/usr/bin/env python3
"""Write `emoji_keys.txt`: every key of `emoji.EMOJI_DATA` (PyPI `emoji` 2.16.0), one per
line, sorted by code points (`emoji.is_emoji(s)` is exactly `s in EMOJI_DATA`), and
`emoji_components.txt`: the keys whose status is `component` (skin tones, hair styles),
which `emoji.tokenize` treats specially around zero-width joiners.

    python make_keys.py   # with emoji==2.16.0 installed
"""
import os

import emoji
from emoji.unicode_codes import EMOJI_DATA, STATUS

assert emoji.__version__ == "2.16.0", emoji.__version__
keys = sorted(EMOJI_DATA)
assert all("\n" not in k and "\r" not in k and k for k in keys)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "emoji_keys.txt"), "w", encoding="utf-8", newline="\n") as f:
    for k in keys:
        f.write(k + "\n")
print(len(keys), "keys")
components = sorted(k for k, v in EMOJI_DATA.items() if v["status"] == STATUS["component"])
with open(os.path.join(here, "emoji_components.txt"), "w", encoding="utf-8", newline="\n") as f:
    for k in components:
        f.write(k + "\n")
print(len(components), "components")
