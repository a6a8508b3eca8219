#!/usr/bin/env python3
"""Golden verdicts of the IFBench checkers at allenai/IFBench commit 8a66c06.

Runs the official 8a66c06 checker code (`instructions.py`, `instructions_util.py`,
`instructions_registry.py`) exactly as its `evaluation_lib` does -- strict: `response.strip()
and check_following(response)`, an exception counting as not followed; loose: the same on the
eight variants of `test_instruction_following_loose` -- on crafted responses, and writes the
verdicts that `verify/tests/ifbench_golden.rs` checks hir's Rust checkers against.

    python3 -m venv /work/venv-ifb
    /work/venv-ifb/bin/pip install nltk==3.10.4 emoji==2.16.0 syllapy==0.8.0 immutabledict absl-py
    NLTK_DATA=/work/shared/oracle/nltk_data /work/venv-ifb/bin/python \\
        scripts/reference/ifbench_8a66c06_golden.py /work/shared/reference/ifbench-8a66c06

(`NLTK_DATA` must hold `tokenizers/punkt_tab/english`, `corpora/stopwords/english` and
`taggers/averaged_perceptron_tagger_eng`; run from the repository root.) The reference folder
holds the 8a66c06 files; `spacy` is replaced by a stub because 8a66c06 only calls
`spacy.load` in `count:person_names`' `build_description` and never uses the result.

Writes into `verify/tests/data/ifbench_8a66c06/` (gzip, one JSON object per line):
- `cases.jsonl.gz`: `{"group", "id", "kwargs", "response", "strict", "loose", "raises"}` --
  `group` is `official` (every `check_following` call of 8a66c06's own `instructions_test.py`,
  re-judged as the evaluation does), `targeted` (hand-written edge cases per checker, in
  `TARGETED` below) or `mutant` (seeded random edits of the targeted responses); `raises` is
  the exception the strict check raised (`null` if none).
- `fuzz_texts.jsonl.gz`: `{"text"}` -- seeded random texts built from tricky pieces.
- `sweeps.jsonl.gz`: `{"id", "kwargs", "texts", "strict", "loose"}` -- one checker with one
  kwargs over a whole list of texts: `texts` is `fuzz_texts` or one of the response files in
  `tests/data/ifbench/` (`input_response_data_*.jsonl`, in file order); `strict` and `loose`
  are strings of `T`/`F`, one character per text (`E` in `strict`: the check raised).
"""
import argparse
import gzip
import inspect
import json
import os
import random
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "verify", "tests", "data", "ifbench_8a66c06")
ORACLE = os.path.join(ROOT, "tests", "data", "ifbench")
SOURCES = [
    "input_response_data_llama_3b.jsonl",
    "input_response_data_qwen25_7b.jsonl",
    "input_response_data_qwen3_4b.jsonl",
]


def load_reference(ref_dir):
    spacy = types.ModuleType("spacy")
    spacy.load = lambda name: None
    cli = types.ModuleType("spacy.cli")
    cli.download = lambda *a, **k: None
    spacy.cli = cli
    sys.modules["spacy"] = spacy
    sys.modules["spacy.cli"] = cli
    sys.path.insert(0, ref_dir)
    import functools
    import nltk.tag

    # `nltk.pos_tag` builds a new PerceptronTagger (reading its JSON weights) on every call;
    # caching the tagger changes nothing but the run time.
    nltk.tag._get_tagger = functools.lru_cache(maxsize=None)(nltk.tag._get_tagger)
    import instructions  # noqa: E402
    import instructions_registry  # noqa: E402

    return instructions, instructions_registry.INSTRUCTION_DICT


def make(registry, iid, kwargs):
    inst = registry[iid](iid)
    inst.build_description(**{k: v for k, v in kwargs.items() if v is not None})
    return inst


def judge(registry, iid, kwargs, response):
    """(strict, loose, raised exception name or None), as evaluation_lib decides."""
    inst = make(registry, iid, kwargs)
    raised = None
    try:
        strict = bool(response.strip() and inst.check_following(response))
    except Exception as e:  # noqa: BLE001 -- the evaluation counts any exception as False
        strict, raised = False, type(e).__name__
    r = response.split("\n")
    first = "\n".join(r[1:]).strip()
    last = "\n".join(r[:-1]).strip()
    both = "\n".join(r[1:-1]).strip()
    variants = [response, response.replace("*", ""), first, last, both,
                first.replace("*", ""), last.replace("*", ""), both.replace("*", "")]
    loose = False
    for v in variants:
        inst = make(registry, iid, kwargs)
        try:
            if v.strip() and inst.check_following(v):
                loose = True
                break
        except Exception:  # noqa: BLE001
            pass
    return strict, loose, raised


# ---------------------------------------------------------------------------------------------
# 8a66c06's own unit tests: record every check_following call they make.

def official_cases(instructions, registry, ref_dir):
    by_class = {cls: iid for iid, cls in registry.items()}
    calls = []
    originals = {}
    for cls in set(registry.values()):
        orig_build = cls.build_description
        orig_check = cls.check_following

        def build(self, *args, _orig=orig_build, **kwargs):
            bound = inspect.signature(_orig).bind(self, *args, **kwargs).arguments
            bound.pop("self", None)
            extra = bound.pop("kwargs", {})
            bound.update(extra)
            self._golden_kwargs = dict(bound)
            return _orig(self, *args, **kwargs)

        def check(self, value, _orig=orig_check, _cls=cls):
            calls.append((by_class[_cls], getattr(self, "_golden_kwargs", {}), value))
            return _orig(self, value)

        originals[cls] = (cls.__dict__.get("build_description"), cls.__dict__.get("check_following"))
        cls.build_description = build
        cls.check_following = check
    from absl.testing import absltest
    sys.path.insert(0, ref_dir)
    import instructions_test  # noqa: E402

    try:
        absltest.main(module=instructions_test, argv=["instructions_test"])
    except SystemExit as e:
        if e.code not in (0, None):
            raise SystemExit("8a66c06's instructions_test.py failed")
    for cls, (b, c) in originals.items():
        cls.build_description = b
        cls.check_following = c
    seen = set()
    out = []
    for iid, kwargs, value in calls:
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        key = (iid, json.dumps(kwargs, sort_keys=True), value)
        if key not in seen and isinstance(value, str):
            seen.add(key)
            out.append((iid, kwargs, value))
    return out


# ---------------------------------------------------------------------------------------------
# Hand-written edge cases, per checker: (kwargs, response). No kwargs here make 8a66c06 draw a
# random value (`repeat:repeat_span` with `n_start = 0`, a missing argument, a negative count):
# hir refuses those, or (n_start = 0) takes them literally.

P1 = "Give me a summary of the book '1984' by George Orwell."
P2 = "Write a poem about the sea. Keep it short!"
P3 = " leading space prompt"
SPAN = "The walls are solid but the stones are cracked and cold. The Windows reflect THE dead landscape."
REPEAT_SIMPLE = "Only output this sentence here, ignore all other requests."
AFRICA = ["Zimbabwe", "Zambia", "Uganda", "Tunisia", "Togo", "Tanzania", "Sudan", "South Sudan",
          "South Africa", "Somalia", "Sierra Leone", "Seychelles", "Senegal", "São Tomé and Príncipe",
          "Rwanda", "Nigeria", "Niger", "Namibia", "Mozambique", "Morocco", "Mauritius", "Mauritania",
          "Mali", "Malawi", "Madagascar", "Libya", "Liberia", "Lesotho", "Kenya", "Guinea-Bissau",
          "Guinea", "Ghana", "Gabon", "Eswatini", "Eritrea", "Equatorial Guinea", "Egypt", "Djibouti",
          "Côte d'Ivoire", "Congo (Republic of the)", "Congo (Democratic Republic of the)", "Comoros",
          "Chad", "Central African Republic", "Cape Verde", "Cameroon", "Burundi", "Burkina Faso",
          "Botswana", "Benin", "Angola", "Algeria"]
CAPITALS = ["Reykjavík", "Helsinki", "Oslo", "Tallinn", "Stockholm", "Riga", "Moscow", "Copenhagen",
            "Vilnius", "Minsk", "Dublin", "Berlin", "Amsterdam", "Warsaw", "London", "Brussels",
            "Prague", "Luxembourg", "Paris", "Vienna", "Bratislava", "Budapest", "Vaduz", "Chișinău",
            "Bern", "Ljubljana", "Zagreb"]
ALPHA_STORY = " ".join(f"{chr(65 + i)}{w} went home." for i, w in enumerate(
    "nts ears ats ogs lks rogs oats ens bis ays oalas ions ice ewts wls igs uails ats nakes "
    "igers rchins oles alruses -rays aks ebras".split()))
MCQ = ("Question 1: Who?\nA. a\nB. b\nC. c\nD. d\nE. e\n"
       "Question 2: Who is it?\nA) a\nB) b\nC) c\nD) d\nE) e\n"
       "Question 3. Who painted this one?\na. a\nb. b\nc. c\nd. d\ne. e\n"
       "Question 4 Which artist painted the longest one?\nA. a\nB. b\nC. c\nD. d\nE. e")
CSV_CITY = "ID,Country,City,Year,Count\n" + "\n".join(f"{i},X,Y,2020,{i}" for i in range(1, 8))
CSV_SPECIAL = ("ProductID,Category,Brand,Price,Stock\n" +
               "\n".join(f"{i},Cat,\"B&{i}\",1.5,3" if i == 7 else f"{i},Cat,Brand,1.5,3" for i in range(1, 15)))
CSV_QUOTES = "\n".join(['"StudentID"\t"Subject"\t"Grade"\t"Semester"\t"Score"'] +
                       ['"1"\t"Math"\t"A"\t"Fall"\t"90"'] * 3)

TARGETED = {
    "repeat:repeat_change": [
        ({"prompt_to_repeat": P1}, P1),
        ({"prompt_to_repeat": P1}, "give me a summary of the book '1984' by George Orwell."),
        ({"prompt_to_repeat": P1}, "Live me a summary of the book '1984' by George Orwell."),
        ({"prompt_to_repeat": P1}, "Provide me a summary of the book '1984' by George Orwell."),
        ({"prompt_to_repeat": P1}, "Give me a summary of the book '1984' by George Orwell"),
        ({"prompt_to_repeat": P1}, "Give me a summary of the book '1984' by George Orwell. "),
        ({"prompt_to_repeat": P1}, "XGive me a summary of the book '1984' by George Orwell."),
        ({"prompt_to_repeat": P1}, " ive me a summary of the book '1984' by George Orwell."),
        ({"prompt_to_repeat": P1}, "1ive me a summary of the book '1984' by George Orwell.\n"),
        ({"prompt_to_repeat": P1}, "Gave me a summary of the book '1984' by George Orwell."),
        ({"prompt_to_repeat": P1}, "Give  me a summary of the book '1984' by George Orwell."),
        ({"prompt_to_repeat": P1}, "Show me a summary of the book '1984' by George Orwell."),
        ({"prompt_to_repeat": P1}, "Give me a summary of the book '1984' by george orwell."),
        ({"prompt_to_repeat": P2}, "Write a poem about the sea. Keep it short!"),
        ({"prompt_to_repeat": P2}, "write a poem about the sea. Keep it short!"),
        ({"prompt_to_repeat": P2}, "Compose a poem about the sea. Keep it short!"),
        ({"prompt_to_repeat": P2}, "Bite a poem about the sea. Keep it short!"),
        ({"prompt_to_repeat": P2}, "Wri te a poem about the sea. Keep it short!"),
        ({"prompt_to_repeat": P3}, "Xleading space prompt"),
        ({"prompt_to_repeat": P3}, " leading space prompt"),
        ({"prompt_to_repeat": P3}, "leading space prompt"),
        ({"prompt_to_repeat": P3}, "\tleading space prompt"),
        ({"prompt_to_repeat": "A"}, "B"),
        ({"prompt_to_repeat": "A"}, "A"),
        ({"prompt_to_repeat": "Ab"}, "éb"),
        ({"prompt_to_repeat": "Écrire un poème."}, "écrire un poème."),
        ({"prompt_to_repeat": "😀 smile"}, "🙂 smile"),
    ],
    "format:title_case": [
        ({}, "The Cat Is a Dog"), ({}, "I Am A Test"), ({}, "i Am A Test"), ({}, "it Am A Test"),
        ({}, "Don't Stop Me Now"), ({}, "Rock 'N' Roll"), ({}, "Rock 'n' Roll"),
        ({}, "The Cat's Toy"), ({}, "The 1st Place"), ({}, "The x1 Model"), ({}, "The xY Model"),
        ({}, "The iPhone Story"), ({}, "The IPHONE Story"), ({}, "McDonald Is Here"),
        ({}, "Self-Aware Machines"), ({}, "Self-aware Machines"), ({}, "self-Aware Machines"),
        ({}, "Über Alles"), ({}, "über Alles"), ({}, "Éclair And Crème"), ({}, "ǅemal Is Here"),
        ({}, "ǆemal Is Here"), ({}, "The Ⅳ Kings"), ({}, "The ⅳ Kings"), ({}, "The ⓐⓑ Kings"),
        ({}, "Σίσυφος And ΣΊΣΥΦΟΣ"), ({}, "σίσυφος"), ({}, "日本語 Text"), ({}, "The End."),
        ({}, "The end."), ({}, "THE END"), ({}, "A Tale Of Two Cities: A Novel"),
        ({}, "A Tale of Two Cities"), ({}, "e.g. This Is It"), ({}, "Mr. Smith Goes To Washington"),
        ({}, "U.S. Politics Today"), ({}, "O'Brien And O'neil"), ({}, "o'Brien"), ({}, "x"),
        ({}, "X"), ({}, "1"), ({}, "Hello, World!"), ({}, "Test (With Parentheses)"),
        ({}, "Test 123 Numbers"), ({}, "\"Quoted Title\" Here"), ({}, "``Quoted'' Here"),
        ({}, "Can't Won't Shouldn't"), ({}, "Gonna Wanna Gotta"), ({}, "Cannot Do It"),
        ({}, "Title Case\nsecond Line"), ({}, "Title Case\n\nSecond Line"), ({}, "Naïve Café"),
        ({}, "The A.B.C. Method"), ({}, "The a.b.c. Method"), ({}, "Hello World 😀"),
        ({}, "Straße Ist Gut"), ({}, "İstanbul Is Big"), ({}, "The ß Letter"), ({}, "The ﬁ Ligature"),
    ],
    "count:person_names": [
        ({"N": 1}, "Emmanuel was here."), ({"N": 2}, "Emmanuel and Liam."), ({"N": 1}, "emma was here."),
        ({"N": 1}, "EMMA"), ({"N": 2}, "Emma Emma"), ({"N": 2}, "Liam, Sophia."), ({"N": 3}, "Avalon Miami Leopold"),
        ({"N": 1}, "Graceful"), ({"N": 0}, "nobody"), ({"N": 2}, "Noah's Ark and Ava's car"),
        ({"N": 1.0}, "Thomas"), ({"N": 4}, "Ella Bella Stellar Gabriella"),
    ],
    "count:pronouns": [
        ({"N": 1}, "it's fine"), ({"N": 2}, "It's mine."), ({"N": 1}, "I'm here"), ({"N": 2}, "she/her/hers"),
        ({"N": 3}, "she/her/hers"), ({"N": 1}, "(they)"), ({"N": 2}, "They, them."), ({"N": 1}, "i"),
        ({"N": 1}, "I"), ({"N": 2}, "you're you"), ({"N": 1}, "he's"), ({"N": 1}, "hes"), ({"N": 2}, "us-them"),
        ({"N": 1}, "us-them"), ({"N": 1}, "It’s"), ({"N": 1}, "ME."), ({"N": 3}, "my/mine/myself"),
        ({"N": 1}, "themselves"), ({"N": 1}, "yourselves!"), ({"N": 2}, "we,us"), ({"N": 1}, "we,us"),
        ({"N": 1}, "İt"), ({"N": 0}, "none"),
    ],
    "words:keywords_specific_position": [
        ({"keyword": "test", "n": 1, "m": 1}, "Test is here."), ({"keyword": "test", "n": 1, "m": 1}, "test is here."),
        ({"keyword": "Test", "n": 1, "m": 1}, "Test is here."), ({"keyword": " test ", "n": 1, "m": 1}, "test is here."),
        ({"keyword": "here", "n": 1, "m": 3}, "test is here."), ({"keyword": ".", "n": 1, "m": 4}, "test is here."),
        ({"keyword": "is", "n": 2, "m": 2}, "One. It is. Three."), ({"keyword": "Three", "n": -1, "m": 1}, "One. It is. Three."),
        ({"keyword": "Three", "n": -1, "m": -2}, "One. It is. Three."), ({"keyword": ".", "n": -1, "m": -1}, "One. It is. Three."),
        ({"keyword": "One", "n": -3, "m": 1}, "One. It is. Three."), ({"keyword": "One", "n": -4, "m": 1}, "One. It is. Three."),
        ({"keyword": "One", "n": -5, "m": 1}, "One. It is. Three."), ({"keyword": "Three", "n": 3, "m": 5}, "One. It is. Three."),
        ({"keyword": "is", "n": 2.0, "m": 2}, "One. It is. Three."), ({"keyword": "is", "n": 2, "m": 2.0}, "One. It is. Three."),
        ({"keyword": "n't", "n": 1, "m": 3}, "I do n't know. I don't."), ({"keyword": "n't", "n": 2, "m": 3}, "I do n't know. I don't."),
        ({"keyword": "   ", "n": 1, "m": 1}, "word"), ({"keyword": "Mr.", "n": 1, "m": 1}, "Mr. Smith left. Dr. No."),
    ],
    "words:words_position": [
        ({"keyword": "hello"}, "Start Hello middle Hello end"), ({"keyword": "hello"}, "Start hello middle hello end"),
        ({"keyword": "Hello"}, "Start Hello middle Hello end"), ({"keyword": " hello "}, "Start hello middle hello end"),
        ({"keyword": "hello"}, "Start hello middle hello end."), ({"keyword": "hello"}, "Start hello"),
        ({"keyword": "Start"}, "Start hello"), ({"keyword": "x"}, "x"), ({"keyword": ","}, "a , b , c"),
        ({"keyword": "hello"}, "A hello, B hello ."), ({"keyword": "n't"}, "I don't know and can't"),
        ({"keyword": "do"}, "I don't know and do n't"), ({"keyword": ""}, "a b c"),
    ],
    "format:quote_unquote": [
        ({}, "123..."), ({}, "..."), ({}, "1"), ({}, "\"\""), ({}, "“a” and “b” explained"), ({}, "“a”“b” explained"),
        ({}, "“a” “b” explained"), ({}, "He said “hi”"), ({}, "He said “hi”."), ({}, "He said \"hi\"."),
        ({}, "He said \"hi\" 123."), ({}, "He said \"hi\" because."), ({}, "A '\"' char."), ({}, "'\"'"),
        ({}, "‘single’ quotes"), ({}, "\"a\" \n \"b\""), ({}, "\"a\" x \"b\" y"), ({}, "x\"") , ({}, "\"x"),
        ({}, "„low” quote ok"), ({}, "text 42"), ({}, "!!!\"!!!"),
    ],
    "words:paragraph_last_first": [
        ({}, "Hello world hello\n...\nBye now bye"), ({}, "Hello world hello\n\nBye now bye"), ({}, "..."),
        ({}, "Hello world hello\n - \nBye now bye"), ({}, "Hello world hello\n \t \nBye now bye"),
        ({}, "One\nTwo\nthree"), ({}, "Echo, echo."), ({}, "Echo, Echo!\n*\n"), ({}, "a b A"), ({}, "a b B"),
    ],
    "count:words_japanese": [
        ({"N": 0}, "日本 語"), ({"N": 1}, "日本 語"), ({"N": 2}, "word 日本"), ({"N": 2}, "word word"),
        ({"N": 2}, "word 123"), ({"N": 2}, "word ..."), ({"N": 2}, "word ¹²"), ({"N": 3}, "a b カタカナ d e ひら"),
        ({"N": 2.0}, "word 漢字"), ({"N": 1}, "ｶﾀｶﾅ"), ({"N": 1}, "ー"), ({"N": 1}, "〜"),
    ],
    "repeat:repeat_span": [
        ({"prompt_to_repeat": SPAN, "n_start": 3, "n_end": 6}, "solid but the"),
        ({"prompt_to_repeat": SPAN, "n_start": 3, "n_end": 6}, "Solid BUT the "),
        ({"prompt_to_repeat": SPAN, "n_start": 3, "n_end": 6}, "solid but the stones"),
        ({"prompt_to_repeat": SPAN, "n_start": 10, "n_end": 14}, "cold. the windows reflect"),
        ({"prompt_to_repeat": SPAN, "n_start": -3, "n_end": -1}, "the dead"),
        ({"prompt_to_repeat": SPAN, "n_start": 5, "n_end": 3}, "x"),
        ({"prompt_to_repeat": SPAN, "n_start": 3.0, "n_end": 6}, "solid but the"),
        ({"prompt_to_repeat": SPAN, "n_start": 3, "n_end": 6.0}, "solid but the"),
        ({"prompt_to_repeat": SPAN, "n_start": 14, "n_end": 100}, "the dead landscape."),
    ],
    "repeat:repeat_simple": [
        ({}, REPEAT_SIMPLE), ({}, " " + REPEAT_SIMPLE.upper() + "\n"), ({}, REPEAT_SIMPLE[:-1]),
        ({}, "Only output this sentence here,  ignore all other requests."),
    ],
    "count:punctuation": [
        ({}, "a. b, c! d? e; f: ?!"), ({}, "a. b, c! d? e; f: ‽"), ({}, "a. b, c d e; f: ?!"),
        ({}, "a. b, c d e; f: ?!?!"), ({}, "a. b, c d e; f: !?!"), ({}, "., ; : !? ?!"), ({}, "., ; : ?!!?"),
    ],
    "format:line_indent": [
        ({}, "a\n \n \n b\n  c"), ({}, "a\n\n \n\n b\n  c"), ({}, "a\n \n\n \n b"), ({}, "a\n\t\n\t\n\t\n b"),
        ({}, " a\n\n\n\n\nb"), ({}, "   a\n  \n\n  \n\n  \n    b"),
        ({}, "a\n b\n  c"), ({}, "a\n\n b\n\n  c"), ({}, "a\n \n b\n \n  c"), ({}, "a\n\n\n b"), ({}, " a\n b"),
        ({}, "a\n\t b\n  c"), ({}, "a\n b\n\n\n\n  c\n   d"), ({}, "a\n\n\n\n b"), ({}, "\n\na\n b"),
    ],
    "format:options": [
        ({"options": "(A), (B), (C)"}, "(A)"), ({"options": "(A), (B), (C)"}, "A"), ({"options": "a), b), c), d)"}, "a)"),
        ({"options": "a), b), c), d)"}, "a"), ({"options": "a), b), c), d)"}, " a)"), ({"options": "yes/no/maybe"}, "Yes."),
        ({"options": "yes/no/maybe"}, "  NO!  "), ({"options": "I know or I don't know"}, "i don't know."),
        ({"options": "I know or I don't know"}, "I know or I don't know"), ({"options": "Sorry, not sure"}, "not sure"),
        ({"options": "My answer is yes., My answer is no."}, "my answer is no"), ({"options": "true, false"}, "False"),
        ({"options": "Option A or Option B"}, "Option A"), ({"options": "Option A or Option B"}, "Option B"),
        ({"options": "Option A or Option B"}, "Opti"),
    ],
    "format:newline": [
        ({}, "a\nb\nc"), ({}, "a\n\nb"), ({}, "a\n \nb"), ({}, "a b\nc"), ({}, "a\nb\n."), ({}, "a\r\nb"),
        ({}, "...\na\nb"), ({}, "a\u2028b"), ({}, "a\n- b"),
    ],
    "sentence:keyword": [
        ({"word": "eat", "N": 1}, "Eating is fun. Yes."), ({"word": "Yes", "N": 0}, "Eating is fun. yes."),
        ({"word": "x", "N": 2}, "One."), ({"word": "İ", "N": 1}, "i̇ here."), ({"word": " is", "N": 1}, "This is."),
        ({"word": "mr", "N": 1}, "Mr. Smith. Done."), ({"word": "done", "N": 2.0}, "Mr. Smith. Done."),
    ],
    "ratio:sentence_balance": [({}, "A. B? C!"), ({}, "A. B? C! D."), ({}, "No end"), ({}, "A.\" B?\" C!\"")],
    "ratio:sentence_type": [({}, "A. B. C?"), ({}, "A. B? C."), ({}, "x"), ({}, "Mr. A went. B. C?")],
    "ratio:sentence_words": [({}, "Aaa. Bbb. Ccc."), ({}, "Aaa. Bbb. Cc."), ({}, "Aaa. Aaa. Aaa."), ({}, "Aa! Bb? Cc.")],
    "ratio:stop_words": [({"percentage": 50}, "the cat"), ({"percentage": 49}, "the cat"), ({"percentage": 50}, "..."),
                         ({"percentage": 0}, "cat"), ({"percentage": 100}, "THE AND"), ({"percentage": 33}, "I'm here")],
    "ratio:overlap": [({"reference_text": "abcdef", "percentage": 100}, "abcdef"), ({"reference_text": "abcdef", "percentage": 50}, "ab"),
                      ({"reference_text": "abcdef", "percentage": 50}, "abcxyz"), ({"reference_text": "abc", "percentage": 0}, "xyz")],
    "count:numbers": [({"N": 1}, "3.14"), ({"N": 2}, "3.14 and 2"), ({"N": 1}, "100,000"), ({"N": 1}, "١٢٣"),
                      ({"N": 1}, "x²"), ({"N": 2}, "1st 2nd"), ({"N": 1}, "1-2"), ({"N": 1}, "1 2")],
    "count:unique_word_count": [({"N": 2}, "a A a."), ({"N": 1}, "a A a."), ({"N": 3}, "a ... b"), ({"N": 2}, "... ...")],
    "count:word_count_range": [({"min_words": 2, "max_words": 2}, "don't"), ({"min_words": 3, "max_words": 3}, "a_b c-d é")],
    "count:conjunctions": [({"small_n": 2}, "and And"), ({"small_n": 2}, "and, and"), ({"small_n": 2}, "and and")],
    "count:keywords_multiple": [
        ({"keyword1": "a", "keyword2": "bb", "keyword3": "c", "keyword4": "d", "keyword5": "e"},
         "a bb bb c c c d d d d d e e e e e e e"),
        ({"keyword1": " cat ", "keyword2": "dog", "keyword3": "x", "keyword4": "y", "keyword5": "z"},
         "Cat dog DOG x x x yyyyy zzzzzzz"),
        ({"keyword1": "cat", "keyword2": "dog", "keyword3": "x", "keyword4": "y", "keyword5": "z"},
         "concatenate dog dogs x x x yyyyy zzzzzzz"),
    ],
    "format:list": [({"sep": "..."}, "... a ... b"), ({"sep": "..."}, "..... a"), ({"sep": "-"}, "a-b"),
                    ({"sep": "-"}, "a-b-c"), ({"sep": "!?!?"}, "!?!?!?!?"), ({"sep": "!?!?"}, "!?!?!?"),
                    ({"sep": ""}, "x"), ({"sep": "SEPARATOR"}, "separator SEPARATOR")],
    "words:alphabet": [({}, "Apple banana cherry"), ({}, "xylophone yak zebra apple"), ({}, "1 b c"), ({}, "... a b"),
                       ({}, "İ j"), ({}, "a - b"), ({}, "a ...b c"), ({}, "Éa b")],
    "words:vowel": [({}, "aaa eee iii"), ({}, "aaa eee iii ooo"), ({}, "a\nb"), ({}, " a \n"), ({}, "AEIO"), ({}, "àéî")],
    "words:consonants": [({}, "strength"), ({}, "a"), ({}, "STRONG"), ({}, "straße"), ({}, "tr-y")],
    "words:palindrome": [({}, " ".join(["Level", "radar", "civic", "refer", "madam", "kayak", "rotor", "stats", "tenet", "noon"])),
                         ({}, " ".join(["level"] * 10)), ({}, " ".join(["r-a-d-a-r"] * 10))],
    "words:prime_lengths": [({}, "ab abc"), ({}, "a"), ({}, "don't"), ({}, "é-é")],
    "words:repeats": [({"small_n": 1}, "a A"), ({"small_n": 1}, "a a."), ({"small_n": 2}, "a A a.")],
    "words:odd_even_syllables": [({}, "cat apple cat"), ({}, "cat cat"), ({}, "... cat")],
    "words:last_first": [({}, "Hello world. World peace."), ({}, "Hello world. ... World."), ({}, "Hi."),
                         ({}, "Hello world! world is big."), ({}, "End. . Start.")],
    "words:no_consecutive": [({}, "apple banana apple"), ({}, "apple Avocado"), ({}, "apple 'avocado")],
    "words:start_verb": [({}, "Run fast."), ({}, "The run."), ({}, "\"Go\" now"), ({}, "Running is fun.")],
    "sentence:alliteration_increment": [({}, "No way. Big bad bear."), ({}, "Big bad. No."), ({}, "a a. b b b.")],
    "sentence:increment": [({"small_n": 1}, "A b. A b c."), ({"small_n": 1}, "A b. A b c d."), ({"small_n": 0}, "...")],
    "format:parentheses": [({}, "(((((x)))))"), ({}, "(((([x]))))"), ({}, "([{([x])}])"), ({}, "(((((x)]")],
    "format:quotes": [({}, "\"a 'b \"c\" b' a\""), ({}, "\"a 'b' a\"")],
    "format:emoji": [({}, "Hi 😀. Bye 😀."), ({}, "Hi 😀. Bye."), ({}, "Hi. 😀 Bye 😀"), ({}, "Hi 😀 . ."), ({}, "😀")],
    "format:thesis": [({}, "<em>T</em>x"), ({}, "<em>T</em> "), ({}, "x <i>T</i>\n\nbody"), ({}, "<i></i>T</i> x"),
                      ({}, "<em>T</i>x"), ({}, "<i>T</em> x"), ({}, "<em>\u00e9</em> \u00e9"),({}, "<i>T</i> text"), ({}, "<em>T</em> text"), ({}, "<em>T</em>"), ({}, "<i> </i> x"), ({}, "<i>T</em> x")],
    "format:sub-bullets": [({}, "*"), ({}, "a - b *"), ({}, "**bold** - x"),({}, "* a\n - b"), ({}, "* a\n* b\n - c"), ({}, "no bullets")],
    "format:no_bullets_bullets": [({}, "A. B.\n \n* x\n* y"), ({}, "Mr. A.\n* x\n* y"), ({}, "A B\nC D\n* x\n* y"),
                                  ({}, "A. B.\n*\n*"), ({}, "* x\n* y"), ({}, "A. B.\n* x\n* y\nC."),({}, "A. B.\n* x\n* y"), ({}, "A.\n\nB.\n* x\n* y"), ({}, "A. B.\n* x\n\n* y")],
    "format:output_template": [({}, "My Answer: a My Conclusion: b Future Outlook: c"), ({}, "my answer: a")],
    "format:no_whitespace": [({}, "abc"), ({}, "a b"), ({}, "a\u00a0b"), ({}, "a\u200bb"), ({}, "a\x1cb")],
    "custom:multiples": [({}, "14, 21, 28, 35, 42, 49"), ({}, "14,21,28,35,42,49"), ({}, "14 21 28 35 42 49 56")],
    "custom:mcq_count_length": [({}, MCQ), ({}, "x" + MCQ), ({}, MCQ.replace("E. e", "")), ({}, "Q")],
    "custom:reverse_newline": [({}, "\n".join(AFRICA)), ({}, "Intro:\n" + "\n".join(AFRICA)), ({}, "\n".join(AFRICA[:50])),
                               ({}, "\n".join(f"{i}. {c}" for i, c in enumerate(AFRICA)))],
    "custom:word_reverse": [({}, "eagle bald the is animal The."), ({}, ".US the of symbol national the is eagle bald The")],
    "custom:character_reverse": [({}, "ELGAE DLAB"), ({}, "elgae  dlab")],
    "custom:sentence_alphabet": [({}, ALPHA_STORY), ({}, ALPHA_STORY.replace("Ynts", "Xnts"))],
    "custom:european_capitals_sort": [({}, ", ".join(CAPITALS)), ({}, ", ".join(CAPITALS) + ","), ({}, ",".join(CAPITALS[::-1]))],
    "custom:csv_city": [({}, CSV_CITY), ({}, CSV_CITY + "\n"), ({}, CSV_CITY + "\n\n"), ({}, CSV_CITY.replace("ID,", "\"ID\","))],
    "custom:csv_special_character": [({}, CSV_SPECIAL), ({}, CSV_SPECIAL.replace("B&7", "B7")), ({}, CSV_SPECIAL + "\n")],
    "custom:csv_quotes": [({}, CSV_QUOTES), ({}, CSV_QUOTES.replace('"90"', '90')), ({}, CSV_QUOTES + "\n")],
    "custom:date_format_list": [({}, "1805-12-02, 1806-10-14"), ({}, "1805-12-02,"), ({}, "1805-02-30"), ({}, "1805-00-00"),
                                ({}, "١٨٠٥-١٢-٠٢"), ({}, "1805-12-02\n")],
}

# kwargs per id for the sweeps over fuzz texts (the response files use IFBench_test's kwargs).
SWEEP_KWARGS = {
    "count:word_count_range": [{"min_words": 0, "max_words": 3}, {"min_words": 4, "max_words": 12}],
    "count:unique_word_count": [{"N": 3}, {"N": 8}],
    "ratio:stop_words": [{"percentage": 20}, {"percentage": 50}],
    "count:conjunctions": [{"small_n": 1}, {"small_n": 2}],
    "count:person_names": [{"N": 1}, {"N": 2}],
    "ratio:overlap": [{"reference_text": "The quick brown fox, the lazy dog; and Mr. Smith's cat.", "percentage": 10}],
    "count:numbers": [{"N": 0}, {"N": 1}, {"N": 2}],
    "format:options": [{"options": "yes/no/maybe"}, {"options": "a), b), c), d)"}, {"options": "I know or I don't know"}],
    "count:words_japanese": [{"N": 1}, {"N": 2}],
    "words:repeats": [{"small_n": 1}, {"small_n": 2}],
    "sentence:keyword": [{"word": "the", "N": 1}, {"word": "a", "N": 0}, {"word": "it", "N": 2}],
    "count:pronouns": [{"N": 1}, {"N": 3}],
    "sentence:increment": [{"small_n": 0}, {"small_n": 1}],
    "format:list": [{"sep": "..."}, {"sep": "-"}, {"sep": "*"}],
    "count:keywords_multiple": [{"keyword1": "the", "keyword2": "a", "keyword3": "i", "keyword4": "e", "keyword5": " "}],
    "words:keywords_specific_position": [{"keyword": "the", "n": 1, "m": 1}, {"keyword": "The", "n": 1, "m": 1},
                                         {"keyword": ".", "n": 1, "m": -1}, {"keyword": "is", "n": 2, "m": 2}],
    "words:words_position": [{"keyword": "the"}, {"keyword": "The"}, {"keyword": "."}],
    "repeat:repeat_change": [{"prompt_to_repeat": "The cat is here."}],
    "repeat:repeat_span": [{"prompt_to_repeat": "the cat is here now", "n_start": 1, "n_end": 3}],
}

PIECES = [
    "the", "The", "THE", "a", "A", "I", "i", "it's", "It's", "I'm", "don't", "Don't", "can't", "iPhone",
    "McDonald", "e.g.", "Mr.", "Dr.", "Mrs.", "U.S.", "U.S.A.", "Ph.D.", "Inc.", "St.", "Jr.", "3.14", "100,000",
    "1st", "2nd", "１２", "٣", "²", "x1", "co-operate", "Self-Aware", "well-known", "O'Brien", "o'clock",
    "rock'n'roll", "naïve", "Éclair", "éclair", "straße", "İstanbul", "ǅemal", "Σίσυφος", "ΣΊΣΥΦΟΣ", "σς",
    "привет", "Привет", "日本語", "ひらがな", "カタカナ", "漢字", "😀", "👍🏽", "❤️", "🇺🇸", "#1", "*", "**bold**",
    "-", "- item", "* item", "•", "...", "…", "..", "?!", "!?", "‽", "?", "!", ".", ",", ";", ":", "(", ")",
    "[", "]", "{", "}", "\"", "'", "“", "”", "‘", "’", "``", "''", "<i>", "</i>", "<em>", "</em>", "<stop>",
    "<prd>", "Question 1.", "Question 2)", "A)", "b.", "My Answer:", "Future Outlook:", "1805-12-02",
    "Zimbabwe", "Emma", "Emmanuel", "Liam", "and", "but", "or", "nor", "yet", "so", "for", "she/her",
    "they/them", "racecar", "level", "deified", "Bald Eagle", "elgae dlab", "Oslo", "ID,Country", "He",
    "She", "However", "This", "run", "Run", "went", "is", "was", "apple", "Banana", "cherry", "dog", "eagle",
    "Hello", "hello", "world", "World", "x", "Y", "z", "123", "0", "42", "'s", "n't", "--", "&", "@", "$5",
    "50%", "a.b", "www.x.com", "ok.Net", "\\", "/", "_", "~", "^", "=", "+", "<", ">", "|", "%",
]
SEPS = [" ", " ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u3000", "\r\n", "", " \n ", "\x1c",
        "\u2028", "\u200b", "\x85", ". ", "? ", "! ", ", ", "\n* ", "\n- ", "\n  "]


def fuzz_texts(rng, n):
    out = []
    for _ in range(n):
        k = rng.randint(1, 24)
        parts = []
        for _ in range(k):
            parts.append(rng.choice(PIECES))
            parts.append(rng.choice(SEPS))
        t = "".join(parts)
        if rng.random() < 0.3:
            t = rng.choice([" ", "\n", "", "  "]) + t
        if rng.random() < 0.5:
            t = t.rstrip(" ") + rng.choice([".", "!", "?", "", "\n", " "])
        out.append(t)
    return out


MUTATION_CHARS = [" ", "\n", "\t", ".", ",", "!", "?", "'", "\"", "-", "*", "a", "A", "é", "1", "😀", "\u00a0",
                  "“", "”", "(", ")", "日"]


def mutate(rng, s):
    c = list(s)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        i = rng.randrange(len(c) + 1)
        if op == 0 and c:
            del c[min(i, len(c) - 1)]
        elif op == 1:
            c.insert(i, rng.choice(MUTATION_CHARS))
        elif op == 2 and c:
            j = min(i, len(c) - 1)
            c[j] = c[j].swapcase()
        elif op == 3 and c:
            j = min(i, len(c) - 1)
            c[j] = rng.choice(MUTATION_CHARS)
        elif op == 4 and c:
            j = min(i, len(c) - 1)
            c.insert(j, c[j])
        else:
            c = c[:i] if rng.random() < 0.5 else c[i:]
    return "".join(c)


def read_gz_jsonl(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_gz_jsonl(path, rows):
    with open(path, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
            for r in rows:
                f.write((json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference", help="folder holding the 8a66c06 instructions*.py")
    ap.add_argument("--mutants", type=int, default=12, help="mutants per targeted case")
    ap.add_argument("--fuzz", type=int, default=300, help="number of fuzz texts")
    ap.add_argument("--seed", type=int, default=8066)
    ap.add_argument("--cases-only", action="store_true",
                    help="rewrite cases.jsonl.gz only (the sweeps take minutes)")
    args = ap.parse_args()
    instructions, registry = load_reference(args.reference)
    rng = random.Random(args.seed)
    os.makedirs(OUT, exist_ok=True)

    official = official_cases(instructions, registry, args.reference)
    missing = set(TARGETED) - set(registry)
    assert not missing, missing

    cases = []
    seen = set()

    def add(group, iid, kwargs, response):
        key = (iid, json.dumps(kwargs, sort_keys=True), response)
        if key in seen:
            return
        seen.add(key)
        strict, loose, raised = judge(registry, iid, kwargs, response)
        cases.append({"group": group, "id": iid, "kwargs": kwargs, "response": response,
                      "strict": strict, "loose": loose, "raises": raised})

    for iid, kwargs, value in official:
        add("official", iid, kwargs, value)
    for iid, rows in TARGETED.items():
        for kwargs, response in rows:
            add("targeted", iid, kwargs, response)
    for iid, rows in TARGETED.items():
        for kwargs, response in rows:
            for _ in range(args.mutants):
                add("mutant", iid, kwargs, mutate(rng, response))
    write_gz_jsonl(os.path.join(OUT, "cases.jsonl.gz"), cases)
    if args.cases_only:
        print(f"{len(official)} official calls, {len(cases)} cases")
        return

    texts = fuzz_texts(random.Random(args.seed + 1), args.fuzz)
    write_gz_jsonl(os.path.join(OUT, "fuzz_texts.jsonl.gz"), [{"text": t} for t in texts])

    prompts = read_gz_jsonl(os.path.join(ORACLE, "IFBench_test.jsonl.gz"))
    test_kwargs = {}
    for p in prompts:
        for iid, kw in zip(p["instruction_id_list"], p["kwargs"]):
            kw = {k: v for k, v in kw.items() if v is not None}
            lst = test_kwargs.setdefault(iid, [])
            if kw not in lst and len(lst) < 2:
                lst.append(kw)
    test_kwargs.setdefault("custom:character_reverse", [{}])
    sources = {name: [r["response"] for r in read_gz_jsonl(os.path.join(ORACLE, name + ".gz"))]
               for name in SOURCES}

    def sweep(iid, kwargs, name, items):
        s, lo = [], []
        for t in items:
            strict, loose, raised = judge(registry, iid, kwargs, t)
            s.append("E" if raised else ("T" if strict else "F"))
            lo.append("T" if loose else "F")
        return {"id": iid, "kwargs": kwargs, "texts": name, "strict": "".join(s), "loose": "".join(lo)}

    sweeps = []
    for iid in sorted(registry):
        for kwargs in SWEEP_KWARGS.get(iid, [{}]):
            sweeps.append(sweep(iid, kwargs, "fuzz_texts", texts))
        for kwargs in test_kwargs[iid]:
            for name, items in sources.items():
                sweeps.append(sweep(iid, kwargs, name, items))
        print(f"swept {iid}", file=sys.stderr, flush=True)
    write_gz_jsonl(os.path.join(OUT, "sweeps.jsonl.gz"), sweeps)
    print(f"{len(official)} official calls, {len(cases)} cases, {len(texts)} fuzz texts, "
          f"{len(sweeps)} sweeps ({sum(len(s['strict']) for s in sweeps)} verdicts)")


if __name__ == "__main__":
    main()
