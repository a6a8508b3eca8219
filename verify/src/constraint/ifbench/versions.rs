//! Which IFBench these checkers are: allenai/IFBench at commit **8a66c06** (2025-07-02), the
//! revision the HiR paper evaluated with and the official verdicts in `tests/data/ifbench/`
//! were produced with, and how later allenai/IFBench differs. (Documentation only.)
//!
//! # The reference
//!
//! Every checker here was re-derived line by line from 8a66c06's `instructions.py` and
//! `instructions_util.py` (a copy ships in the released HiR repository, `evaluation/IFBench/`,
//! unchanged apart from commented-out `nltk.download` / spaCy download calls). The checks
//! against that code: `tests/ifbench_oracle.rs` (1,005 official verdicts on real responses),
//! `tests/ifbench_official_cases.rs` (the official unit-test cases) and `tests/ifbench_golden.rs`
//! (golden verdicts of the 8a66c06 code itself on 8a66c06's unit-test calls, hand-written edge
//! cases per checker, their random mutants and sweeps over fuzz texts and every real response,
//! written by `scripts/reference/ifbench_8a66c06_golden.py`).
//!
//! The verdict is the strict one of the HiR copy of `evaluation_lib`: `response.strip() and
//! check_following(response)`, where an exception raised by the checker counts as "not
//! followed" (8a66c06's own `evaluation_lib` has no `try` and would crash instead; its loose
//! evaluation has none in either copy). Wherever 8a66c06 raises (`IndexError` on an empty
//! word list, `ZeroDivisionError`, `TypeError` on a float index), the checker here returns
//! `false`.
//!
//! Arguments for which 8a66c06 draws a random value (a missing argument, a negative count,
//! `0` for `words:keywords_specific_position`'s `n`/`m` and `repeat:repeat_span`'s `n_end`) are
//! refused with an error naming the argument. `repeat:repeat_span`'s `n_start = 0` (also a
//! random draw in 8a66c06: `if not n_start`) is taken literally as 0, the only reproducible
//! reading and the one the later code adopted.
//!
//! # 8a66c06 against the newest allenai/IFBench (db69a6f, `ifbench/instructions*.py`)
//!
//! Behaviour chosen everywhere: **8a66c06's**. No option selects the newer behaviour. Later
//! commits between the two (1ddceea … 1091c4c) changed the same places step by step.
//!
//! Shared machinery:
//! - `split_into_sentences`: 8a66c06 uses the regex splitter of Google's IFEval utilities
//!   (`<prd>`/`<stop>` markers, [`super::sentsplit`]); the newest calls `nltk.sent_tokenize`
//!   (Punkt). This changes the sentences of `ratio:sentence_type`, `ratio:sentence_balance`,
//!   `sentence:alliteration_increment`, `format:emoji`, `ratio:sentence_words`,
//!   `sentence:keyword`, `words:last_first`, `sentence:increment`, `format:no_bullets_bullets`,
//!   `custom:word_reverse`, `custom:sentence_alphabet` and `words:keywords_specific_position`.
//! - `evaluation_lib`: the newest matches responses to prompts also by the stripped prompt and
//!   scores a missing response as failed; its strict test also guards `response and ...`
//!   (no verdict changes for a string response).
//! - `count:person_names`' description loads spaCy's `en_core_web_sm` in 8a66c06 (unused); the
//!   newest drops spaCy.
//!
//! Per checker (8a66c06 → newest):
//! - `count:person_names`: a name counts when it is a substring (`name in value`, so
//!   `Emmanuel` counts `Emma`) → only as a whole word (`\bName\b`).
//! - `count:pronouns`: the 31 personal pronouns, counted among the whitespace words after `/`
//!   becomes a space, the text is lowercased and ASCII punctuation is removed (`it's` → `its`
//!   counts, `I'm` → `im` does not) → 63 pronouns (adding demonstratives, interrogatives,
//!   indefinites) counted among `nltk.word_tokenize(value.lower())` tokens.
//! - `sentence:keyword`: case-insensitive substring of the N-th sentence (`eat` is found in
//!   `eating`) → whole word, case-insensitive (`\bword\b`).
//! - `words:keywords_specific_position`: the m-th `nltk.word_tokenize` token, compared with
//!   `==` (case-sensitive) → the m-th token not counting tokens without an alphanumeric
//!   character, compared case-insensitively.
//! - `words:words_position`: tokens 2 and -2 of `nltk.word_tokenize`, compared with `==`
//!   (case-sensitive) → case-insensitive, and when the last token is one punctuation
//!   character tokens 2 and -3.
//! - `repeat:repeat_change`: `prompt[1:] == response[1:]` character by character (only the first
//!   *character* may differ: `Give` → `give` passes, `Give` → `Provide` fails) → the
//!   whitespace words after the first, joined by single spaces, must be equal (any new first
//!   word passes, whitespace differences are ignored). Its description also shows the prompt.
//! - `repeat:repeat_span`: the lowercased whitespace words `[n_start:n_end]` of the prompt
//!   (end excluded; `n_start = 0` draws a random start) → the character span
//!   `prompt[n_start:n_end + 1]` (end included), stripped and lowercased (`0` is a valid start).
//! - `format:title_case`: every `nltk.word_tokenize` token is tested (a lowercase first
//!   character fails when the rest is all-lowercase or all-uppercase by `str.islower` /
//!   `str.isupper`, so a one-character token such as `a` or `i` never fails, nor does `x1`)
//!   → tokens whose first character is not alphabetic are skipped (so a lowercase but
//!   non-alphabetic `ⅳ` or `ⓐ` no longer fails) and a one-character lowercase token fails.
//! - `format:quote_unquote`: curly double quotes `“ ”` become `"` before the test → the
//!   replacement is a no-op (`'"'` → `'"'`), so curly quotes are ignored; and a text with
//!   nothing left after stripping digits and punctuation (e.g. `123...`) raises `IndexError`
//!   (not followed) → is followed.
//! - `words:paragraph_last_first`: a line of nothing but punctuation (e.g. `...` or `-`)
//!   raises `IndexError` (not followed) → is skipped.
//! - `ratio:stop_words`, `ratio:overlap`, `words:alphabet`, `format:emoji`, `words:last_first`,
//!   `custom:sentence_alphabet`: the newest returns `False` explicitly where 8a66c06 raises
//!   (no words, no trigrams, an empty sentence); the strict verdict is the same.
//! - `format:no_whitespace`: same code.
//!
//! The test file of later revisions (`instructions_test.py`) asserts several of the newer
//! behaviours; `tests/ifbench_official_cases.rs` keeps those cases with 8a66c06's verdicts
//! and marks them `LATER:`.
