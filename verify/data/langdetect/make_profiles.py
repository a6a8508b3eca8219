#!/usr/bin/env python3
"""Convert the language profiles of the PyPI `langdetect` package into `profiles.bin`.

Run with a Python that has `langdetect==1.0.9` installed:
    python make_profiles.py
Format (all integers little-endian):
    b"LDP1"
    u8 number of languages; per language (sorted by name):
        u8 name length, name (ASCII), 3 x u32 n_words (1-, 2-, 3-grams)
    u32 number of n-grams; per n-gram (sorted by code points, only lengths 1..=3):
        u8 UTF-8 length, UTF-8 bytes, u8 number of languages having it,
        per language: u8 language index, LEB128 varint frequency
"""
import json
import os
import struct

import langdetect

PROFILES = os.path.join(os.path.dirname(langdetect.__file__), "profiles")


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def main():
    names = sorted(f for f in os.listdir(PROFILES) if not f.startswith("."))
    profiles = []
    for name in names:
        with open(os.path.join(PROFILES, name), encoding="utf-8") as f:
            profiles.append(json.load(f))
    out = bytearray(b"LDP1")
    out.append(len(names))
    table = {}
    for idx, (name, prof) in enumerate(zip(names, profiles)):
        assert prof["name"] == name
        out.append(len(name))
        out += name.encode("ascii")
        for n in prof["n_words"]:
            out += struct.pack("<I", n)
        for gram, freq in prof["freq"].items():
            if 1 <= len(gram) <= 3:
                table.setdefault(gram, []).append((idx, freq))
    out += struct.pack("<I", len(table))
    for gram in sorted(table):
        enc = gram.encode("utf-8")
        out.append(len(enc))
        out += enc
        out.append(len(table[gram]))
        for idx, freq in table[gram]:
            assert freq > 0
            out.append(idx)
            out += varint(freq)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "profiles.bin"), "wb") as f:
        f.write(out)
    print(len(names), "languages,", len(table), "n-grams,", len(out), "bytes")


if __name__ == "__main__":
    main()
