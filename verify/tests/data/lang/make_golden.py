#!/usr/bin/env python3
"""Regenerate the golden files of verify/tests/lang_*.rs from the official Python packages.

    python3 -m venv venv && venv/bin/pip install langdetect==1.0.9 emoji==2.16.0 syllapy==0.8.0
    venv/bin/python verify/tests/data/lang/make_golden.py /work/shared/oracle

The corpus is the `response` field of every `*/input_response_data_*.jsonl` under the given
oracle directory (model responses to the IFEval / IFBench prompts), written to
`responses.jsonl.gz`, plus hand-written tricky cases. Outputs (gzip, one JSON value a line):
  responses.jsonl.gz  one response string a line
  langdetect.jsonl.gz {"resp": i, "langs": [...]} for the units of response i (see `units`),
                      then {"text": t, "lang": l} for extra cases; l is null where langdetect
                      raises LangDetectException
  syllapy.jsonl.gz    line 1: the extra words; line 2: syllapy.count of every word of
                      `syllapy_words` (extra words, then each response's `str.split()` tokens,
                      deduplicated in order)
  emoji.jsonl.gz      {"s": string, "e": emoji.is_emoji(string)} for every distinct character of
                      the responses, every EMOJI_DATA key and variants of it, and extra cases
  emoji_list.jsonl.gz line 1: 3000 seeded random strings of emoji components and text; then
                      the code-point spans [[start, end], ...] of emoji.emoji_list for each
                      response, then for each of those strings (part `emoji`)
Parts can be chosen: make_golden.py ORACLE_DIR [langdetect] [langdetect_fuzz] [syllapy] [emoji]
(default: all).
  langdetect_fuzz.jsonl.gz  {"text": t, "lang": l} for 4000 random strings built from pieces that
                      stress the URL / e-mail / Vietnamese / script handling (part
                      `langdetect_fuzz`; seeded, so reproducible)
  langdetect_py312.jsonl.gz  the same as langdetect.jsonl.gz when run under CPython >= 3.12,
                      whose `sum()` of floats (used by langdetect) is compensated; with
                      CPython <= 3.11 the script writes langdetect.jsonl.gz. Run it under
                      both (e.g. `make_golden.py ORACLE langdetect` with a 3.12 venv).
"""
import glob
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write_gz(name, rows):
    path = os.path.join(HERE, name)
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        for row in rows:
            f.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    print(name, os.path.getsize(path), "bytes")


def load_responses(oracle):
    files = sorted(glob.glob(os.path.join(oracle, "*", "input_response_data_*.jsonl")))
    out = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                out.append(json.loads(line)["response"])
    return out


def units(resp):
    """The texts langdetect is checked on for one response: the response itself, then every
    third of its non-blank lines and non-blank '. '-separated pieces of lines (deduplicated;
    Python langdetect takes ~30 ms a text, so the corpus is thinned to keep this script fast)."""
    out = [resp]
    for line in resp.split("\n"):
        if line.strip():
            out.append(line)
        for piece in line.split(". "):
            if piece.strip() and piece != line:
                out.append(piece)
    seen = set()
    res = []
    for u in out:
        if u not in seen:
            seen.add(u)
            res.append(u)
    return res[:1] + res[1:][::3]


LANG_EXTRA = [
    "", " ", "12345", "!!! ??? ...", "https://example.com/a?b=c", "mail me: a.b@c.org",
    "a", "A", "AB", "the", "THE QUICK BROWN FOX", "Hello World", "ok", "xyz",
    "Привет, как дела? Hello there", "日本語のテキストです。カタカナ", "한국어 문장입니다",
    "Tiếng Việt có dấu", "Tie\u0302\u0301ng Vie\u0323\u0302t", "ăn cơm chưa",
    "Acesta este un text în limba română cu ș și ț", "این یک متن فارسی است ی",
    "هذا نص عربي", "Αυτό είναι ελληνικό κείμενο", "Dies ist ein deutscher Satz.",
    "Esto es una frase en español.", "Questo è un testo italiano.", "这是一个中文句子。",
    "這是一個繁體中文句子。", "ㄅㄆㄇㄈ", "ǅemal ǈubljana ǋegoš", "ⒶⒷⒸ ⓐⓑⓒ",
    "Mixed русский and English words together", "😀 🎉 👍🏽", "\u2014\u2019\u201c quotes \u201d",
    "«Bonjour» à tous", "  double  spaces  ", "x" * 12000, "ab " * 5000,
    "This is English. " * 800 + "Ceci est français. " * 200,
]


def langdetect_golden(responses):
    import langdetect
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    profiles = os.path.join(os.path.dirname(langdetect.__file__), "profiles")
    factory = DetectorFactory()
    jsons = []
    for name in sorted(os.listdir(profiles)):
        with open(os.path.join(profiles, name), encoding="utf-8") as f:
            jsons.append(f.read())
    factory.load_json_profile(jsons)

    def sorted_detect(text):
        d = factory.create()
        d.append(text)
        try:
            return d.detect()
        except LangDetectException:
            return None

    def default_detect(text):
        try:
            return langdetect.detect(text)
        except LangDetectException:
            return None

    rows = []
    n = 0
    order_diffs = 0
    for i, resp in enumerate(responses):
        langs = []
        for k, u in enumerate(units(resp)):
            a = sorted_detect(u)
            # Checking the os.listdir profile order too doubles the cost: whole responses only.
            if k == 0 and default_detect(u) != a:
                order_diffs += 1
            langs.append(a)
            n += 1
        rows.append({"resp": i, "langs": langs})
    words = sorted({w for r in responses for w in r.split()})[::40]
    for t in LANG_EXTRA + words:
        a = sorted_detect(t)
        if default_detect(t) != a:
            order_diffs += 1
        rows.append({"text": t, "lang": a})
        n += 1
    print("langdetect:", n, "cases;", order_diffs, "of the responses and extra cases differ",
          "between sorted and os.listdir profile order")
    name = "langdetect_py312.jsonl.gz" if sys.version_info >= (3, 12) else "langdetect.jsonl.gz"
    write_gz(name, rows)


SYLLAPY_EXTRA = [
    "", " ", "-", "--", "a-", "-a", "a-b", "self-care", "well-being", "e-mail", "x-ray",
    "re-e", "a-1", "1-a", "a--b", "a-b-c", "a-\nb", "a\n-b", "the", "le", "ble", "able",
    "table", "TABLE", "Apple.", "'quoted'", "(paren)", "dr.", "and/or", "and\\/or", "\u0130stanbul",
    "\u03a3\u03a3", "\u0391\u03a3", "na\u00efve", "caf\u00e9", "\u00fcber", "x\u0663y", "\uff11a",
    "rhythm", "syzygy", "queue", "eye", "e", "y", "yy", "ye", "bee", "free-", "free-e",
    "hello\tworld", " padded ", "...word...", "don't", "o'clock", "rock'n'roll",
]


def syllapy_fuzz():
    """3000 seeded random words mixing letters, hyphens, newlines, digits and punctuation."""
    import random

    rng = random.Random(777)
    pieces = list("aeiouybcdlmnrstxAEYLE-'.,!?\n \t0\u0663\u00e9\u0130\u03a3") + ["le", "e-", "-e"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(3000)]


def syllapy_words(responses):
    words = []
    seen = set()
    for t in SYLLAPY_EXTRA + syllapy_fuzz() + [w for r in responses for w in r.split()]:
        if t not in seen:
            seen.add(t)
            words.append(t)
    return words


def syllapy_golden(responses):
    import syllapy

    counts = [syllapy.count(w) for w in syllapy_words(responses)]
    print("syllapy:", len(counts), "words")
    write_gz("syllapy.jsonl.gz", [SYLLAPY_EXTRA + syllapy_fuzz(), counts])


EMOJI_EXTRA = [
    "", " ", "a", "\u200d", "\ufe0f", "\u20e3", "#", "#\u20e3", "#\ufe0f\u20e3", "1\ufe0f\u20e3",
    "\U0001f600\U0001f600", "\U0001f44d\U0001f3fd", "\U0001f3fd", "\U0001f1eb\U0001f1f7",
    "\U0001f1eb", "\U0001f1eb\U0001f1eb", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d", "\u2764", "\u2764\ufe0f",
    "\u2764\ufe0e", "\u263a", "\u263a\ufe0f", "\u00a9", "\u00ae\ufe0f", "\u2122",
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "\U0001f9d1\U0001f3fb\u200d\u2764\ufe0f\u200d\U0001f9d1\U0001f3fc", "x\U0001f600",
    "\U0001f600 ", "\U0001fae8", "\U0001f6dc", "\U0001f426\u200d\U0001f525",
]


def emoji_golden(responses):
    import emoji
    from emoji.unicode_codes import EMOJI_DATA

    import random

    rng = random.Random(4242)
    parts = ["\u200d", "\ufe0f", "\ufe0e", "\u20e3", "\U0001f3fb", "\U0001f3ff", "#", "1",
             "\U0001f1fa", "\U0001f1f8", "\U0001f468", "\U0001f469", "\U0001f467", "\u2764",
             "\U0001f3f4", "\U000e0067", "\U000e007f", "\u2640", "\u2642", "\U0001f9d1", "a"]
    cands = list(EMOJI_EXTRA)
    cands += ["".join(rng.choice(parts) for _ in range(rng.randint(1, 5))) for _ in range(3000)]
    cands += sorted({c for r in responses for c in r})
    for k in sorted(EMOJI_DATA):
        cands += [k, k + "\ufe0f", k.replace("\ufe0f", ""), k[:-1], k[1:], k + k]
    seen = set()
    rows = []
    for s in cands:
        if s not in seen:
            seen.add(s)
            rows.append({"s": s, "e": emoji.is_emoji(s)})
    print("emoji:", len(rows), "strings,", sum(r["e"] for r in rows), "emoji")
    write_gz("emoji.jsonl.gz", rows)

    keys = sorted(EMOJI_DATA)
    text = ["a", " ", "x", "\u200d", "\ufe0f", "\ufe0e", "\n", "."]
    strings = []
    for _ in range(3000):
        pieces = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            pieces.append(rng.choice(keys) if r < 0.4 else rng.choice(parts) if r < 0.75
                          else rng.choice(text))
        strings.append("".join(pieces))
    spans = [[[m["match_start"], m["match_end"]] for m in emoji.emoji_list(t)]
             for t in responses + strings]
    print("emoji_list:", len(spans), "strings,", sum(map(len, spans)), "matches")
    write_gz("emoji_list.jsonl.gz", [strings] + spans)


FUZZ_PIECES = [
    "http", "https", "://", "http://", "https://", "@", ".", "-", "_", "/", "?", "=", "#", "&",
    "~", ";", "+", "a", "b", "e", "o", "B", "E", "x" * 70, "ab" * 130, "y" * 300, "1", "42",
    " ", "  ", "\n", "\u00e9", "e\u0301", "a\u0323", "o\u0302\u0301", "\u01b0", "\u01af\u0300",
    "\u0103\u0309", "A\u0303", "\u65e5", "\u672c", "\u8a9e", "\u4e2d", "\u570b", "\u30a2",
    "\u3042", "\ud55c", "\u3105", "\u0219", "\u021b", "\u06cc", "\u0645", "\u2019", "\u00ab",
    "\u00a0", "\u24b6", "\u01c5", "THE", "Hello", "world", "the", "and", "der", "und",
    "le", "la", "\u03a3", "\u03c2", "\u0130", "\u043f\u0440\u0438", "\u0432\u0435\u0442",
    "\u1ea1", "\u1e00", "\u0300", "\U0001f600", "\u200d", "mail", "com", "org",
]


def langdetect_fuzz_golden():
    import random

    import langdetect
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    profiles = os.path.join(os.path.dirname(langdetect.__file__), "profiles")
    factory = DetectorFactory()
    jsons = []
    for name in sorted(os.listdir(profiles)):
        with open(os.path.join(profiles, name), encoding="utf-8") as f:
            jsons.append(f.read())
    factory.load_json_profile(jsons)
    rng = random.Random(20240611)
    rows = []
    for _ in range(4000):
        t = "".join(rng.choice(FUZZ_PIECES) for _ in range(rng.randint(1, 40)))
        d = factory.create()
        d.append(t)
        try:
            lang = d.detect()
        except LangDetectException:
            lang = None
        rows.append({"text": t, "lang": lang})
    print("langdetect fuzz:", len(rows), "cases,", sum(r["lang"] is None for r in rows), "None")
    write_gz("langdetect_fuzz.jsonl.gz", rows)


def main():
    oracle = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/oracle"
    responses = load_responses(oracle)
    write_gz("responses.jsonl.gz", responses)
    parts = sys.argv[2:] or ["langdetect", "langdetect_fuzz", "syllapy", "emoji"]
    if "syllapy" in parts:
        syllapy_golden(responses)
    if "emoji" in parts:
        emoji_golden(responses)
    if "langdetect_fuzz" in parts:
        langdetect_fuzz_golden()
    if "langdetect" in parts:
        langdetect_golden(responses)


if __name__ == "__main__":
    main()
