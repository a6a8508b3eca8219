#!/usr/bin/env python3
"""Regenerate the NLTK goldens the `verify/tests/nltk_*.rs` tests compare against.

    python3 -m venv /work/venv-text-nltk && /work/venv-text-nltk/bin/pip install nltk
    NLTK_DATA=/work/shared/oracle/nltk_data /work/venv-text-nltk/bin/python \
        verify/tests/data/nltk/make_golden.py /work/shared/oracle

Writes, next to this script (one JSON object per line, aligned line by line, gzip):
- corpus.jsonl.gz   {"t": text}  -- the inputs (see README.md for their sources)
- tokenize.jsonl.gz {"s": [[start, end], ...] sentence spans in code points (sent_tokenize),
                     "w": fnv(word_tokenize(text)),
                     "re": fnv(re.findall(r"\\w+", text)),
                     "rx": fnv(nltk RegexpTokenizer(r"\\w+").tokenize(text))}
- pos.jsonl.gz      {"p": fnv(tags of nltk.pos_tag(word_tokenize(text)))}

fnv(list) is the 64-bit FNV-1a hash (hex) of the UTF-8 of the items, each followed by a NUL
byte: exact for our purpose and keeps the committed data small.
"""
import glob
import gzip
import json
import os
import random
import re
import sys

import nltk
from nltk.tokenize import RegexpTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))

TRICKY = [
    "",
    "   ",
    "\n\n",
    "Hello.",
    "Hello world",
    "Mr. Smith went to Washington. He arrived at 3 p.m. on Jan. 5th.",
    "The U.S. is big. So is the U.K.! Isn't it? Yes...",
    "He said, \"Stop.\" Then he left. 'Really?' she asked.",
    "He said, “Stop.” Then he left. ‘Really?’ she asked. «Oui.» Non.",
    "(How does it deal with this parenthesis?)  \"It should be part of the\nprevious sentence.\" \"(And the same with this one.)\" ('And this one!')\n\"('(And (this)) '?)\" [(and this. )]",
    "Very bad acting!!! I promise.",
    "Wait... what?! No way!!! OK. . . fine.",
    "1. First item.\n2. Second item.\n3. Third item.",
    "* Bullet one.\n* Bullet two.\n- Dash item. Another sentence.",
    "## Heading\n\nParagraph one. Paragraph two.\n\n### Sub\nText.",
    "Prices rose 3.5% in 2023. That's a lot! E.g. bread cost $2.50.",
    "i.e. this is lower-case. e.g. this too. etc. And this.",
    "Dr. J. R. R. Tolkien wrote it. S. Bach too.",
    "Use `code.here()` and ```python\nprint('x.')\n``` ok.",
    "Email me at a.b@c.com. Or visit www.example.org. Thanks!",
    "They'll say \"I cannot\" -- isn't it? 'Tis the season. 'Twas night. Gimme gonna gotta lemme wanna more'n d'ye.",
    "WANNA go? I wanna go. Cannot. CANNOT. can't won't shan't y'all o'clock rock'n'roll.",
    "She said ''hello'' and ``goodbye''. Fine!",
    "Ellipsis at end...",
    "Emoji time 😀. Next sentence 🎉! Done.",
    "Numbers: 1,000,000. -5.5 degrees. .5 cups. 3-4 days.",
    "A sentence with a colon: here it is. And a semicolon; too.",
    "Trailing spaces.   \n\t",
    "Tabs\tinside.\tMore text.",
    "Unicode: café, naïve, Zoë. Ελληνικά. Ρωσία! ПРИВЕТ. Мир.",
    "Hindi: नमस्ते दुनिया। यह एक परीक्षण है.",
    "CJK：你好。世界！日本語の文です。",
    "He paid £5 — no, €5 – for it. Figure‒dash. Bar―here.",
    "a--b --c d-- e---f ----",
    "x.)\" y. ] z.} w.> q.'",
    "Sentence one.)(Sentence two.",
    "End with quote.\" Next one.' And 'last'.",
    "Ask: Why? Because! Then, no.",
    "Information\x1cseparator.\x1dMore\x1e.\x1f",
    "Non-breaking\u00a0space. Thin\u2009space. Ideographic\u3000space.",
    "Combining: cafe\u0301. Nai\u0308ve.",
    "ſtop. İstanbul. ıi. 'ſ 'S 'Tis 'TIS 'tİs",
    "No. 5 is here. Vol. 2 is there. Fig. 3 shows it.",
    "The end.\n\nNew paragraph starts here. It continues.",
    "\"Quote at start.\" Then text.",
    "'Single quote at start' and ''double single''.",
    "What?! Really?? Yes!!",
    "<b>Bold.</b> <i>Italic!</i> {braces.} [brackets.]",
    "P.S. Don't forget. P.P.S. Me neither.",
    "Hyphen-ated words. Co-operate. e-mail.",
    "#hashtag @mention $100 50% A&B.",
    "It's 5 o'clock. You're late; we've waited. I'd go. He'd've.",
    "Line one\nLine two. Line three\n\n\nLine four.",
    "A.B.C. D.E.F. G.",
    "ok , ok ,ok, ,ok :ok: ok:",
    "...",
    ". . .",
    "!",
    "?!",
    "\"",
    "''",
    "``",
    "'",
    "a.",
    "A.",
    "-",
    "--",
    "— — —",
    "1.",
    "1. 2. 3.",
]

PIECES = [
    "Mr.", "Mrs.", "Dr.", "U.S.", "e.g.", "i.e.", "etc.", "vs.", "No.", "Jan.", "p.m.", "St.",
    "J.", "a.", "A.", "1.", "3.5", "-5", ".5", "1,000", "2023.", "iv.",
    ".", "..", "...", ". . .", "!", "?", "?!", "!!!", ",", ";", ":", "--", "-", "---", "–", "—",
    "'", "''", '"', "`", "``", "“", "”", "‘", "’", "«", "»", "„",
    "(", ")", "[", "]", "{", "}", "<", ">", "*", "**", "#", "@", "$", "%", "&",
    "'s", "'S", "'ll", "'re", "'ve", "'m", "'d", "n't", "N'T", "'t", "'Tis", "'twas",
    "can", "not", "cannot", "gonna", "wanna", "gimme", "lemme", "more'n", "d'ye", "gotta",
    "The", "the", "He", "he", "She", "It", "it", "And", "and", "But", "However", "In", "If",
    "word", "Word", "WORD", "x", "Y", "café", "naïve", "Zoë", "Ελλάδα", "ſ", "İs", "ıs",
    "😀", "🎉", "नमस्ते", "你好。", "cafe\u0301",
    " ", " ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\x1c", "\r\n",
]


def fuzz_texts(n, seed=20261127):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(1, 40)
        parts = []
        for _ in range(k):
            parts.append(rng.choice(PIECES))
            parts.append(rng.choice([" ", " ", " ", "", "\n"]))
        out.append("".join(parts))
    return out


CHARS = list("aAbZz09 .?!,;:'\"`()[]{}<>-*@#$%&\n\t") + [
    "\u00a0", "\x1c", "“", "”", "‘", "’", "«", "»", "„", "–", "—", "é", "\u0301", "ſ", "İ", "²", "٣",
    "Mr.", "e.g.", "n't", "'s", "can", "not", "'t", "is", "..", "--", "J.", "1.", " I ", " The ",
]


def char_fuzz_texts(n, seed):
    rng = random.Random(seed)
    return ["".join(rng.choice(CHARS) for _ in range(rng.randint(1, 30))) for _ in range(n)]


def load_corpus(oracle, n_fuzz=3000, n_char_fuzz=1500, seed=20261127):
    texts = list(TRICKY)
    seen = set(texts)

    def add(t):
        if isinstance(t, str) and t not in seen:
            seen.add(t)
            texts.append(t)

    for path in sorted(glob.glob(os.path.join(oracle, "*", "input_response_data_*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                add(row["response"])
                # Loose-mode variant the checkers also see.
                add(row["response"].replace("*", ""))
    for path in [os.path.join(oracle, "ifeval", "input_data.jsonl"),
                 os.path.join(oracle, "ifbench", "IFBench_test.jsonl")]:
        with open(path, encoding="utf-8") as f:
            for line in f:
                add(json.loads(line)["prompt"])
    for t in fuzz_texts(n_fuzz, seed) + char_fuzz_texts(n_char_fuzz, seed + 1):
        add(t)
    return texts


def spans(text, sents):
    # sent_tokenize returns substrings in order; recover their code-point spans.
    tok = nltk.tokenize._get_punkt_tokenizer("english")
    got = list(tok.span_tokenize(text))
    assert [text[s:e] for s, e in got] == sents
    return [[s, e] for s, e in got]


def fnv(items):
    h = 0xCBF29CE484222325
    for item in items:
        for b in item.encode("utf-8") + b"\0":
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def dump(name, rows):
    with gzip.GzipFile(os.path.join(HERE, name), "wb", mtime=0) as f:
        for r in rows:
            f.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))


def main():
    oracle = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/oracle"
    # Optional, for local stress runs (the committed goldens use the defaults):
    # make_golden.py ORACLE N_FUZZ N_CHAR_FUZZ SEED
    extra = [int(x) for x in sys.argv[2:5]]
    texts = load_corpus(oracle, *extra)
    rx = RegexpTokenizer(r"\w+")
    corpus, tok, pos = [], [], []
    for t in texts:
        sents = nltk.sent_tokenize(t)
        words = nltk.word_tokenize(t)
        corpus.append({"t": t})
        tok.append({
            "s": spans(t, sents),
            "w": fnv(words),
            "re": fnv(re.findall(r"\w+", t)),
            "rx": fnv(rx.tokenize(t)),
        })
        pos.append({"p": fnv(tag for _, tag in nltk.pos_tag(words))})
    dump("corpus.jsonl.gz", corpus)
    dump("tokenize.jsonl.gz", tok)
    dump("pos.jsonl.gz", pos)
    print(f"{len(texts)} texts", file=sys.stderr)


if __name__ == "__main__":
    main()
