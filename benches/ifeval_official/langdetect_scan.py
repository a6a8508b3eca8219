"""Lists the IFEval verdicts of the official tool that depend on langdetect's random seed.

The official tool calls langdetect unseeded, so a verdict of `language:response_language`,
`change_case:english_capital` or `change_case:english_lowercase` can change from run to run.
This re-runs the official strict/loose tests (vendored `evaluation_lib`) on the prompts that use
those checkers with `DetectorFactory.seed` = 0..N-1 and prints every (file, key, mode) whose
verdict list is not the same for all seeds. Run from the repo root:

  NLTK_DATA=... PYTHON benches/ifeval_official/langdetect_scan.py [N=100] [RESPONSE_FILE...]

(N=100 over both committed response files takes ~5 min on one core.)
"""

import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from langdetect import DetectorFactory  # noqa: E402
from instruction_following_eval import evaluation_lib  # noqa: E402

DATA = os.path.join(HERE, "..", "..", "tests", "data", "ifeval")
LANGDETECT_IDS = {
    "language:response_language",
    "change_case:english_capital",
    "change_case:english_lowercase",
}


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    files = sys.argv[2:] or [
        "input_response_data_llama_3b.jsonl",
        "input_response_data_qwen25_7b.jsonl",
    ]
    inputs = evaluation_lib.read_prompt_list(os.path.join(DATA, "input_data.jsonl"))
    selected = [i for i in inputs if set(i.instruction_id_list) & LANGDETECT_IDS]
    modes = (
        ("strict", evaluation_lib.test_instruction_following_strict),
        ("loose", evaluation_lib.test_instruction_following_loose),
    )
    for name in files:
        prompt_to_response = evaluation_lib.read_prompt_to_response_dict(os.path.join(DATA, name))
        seen = collections.defaultdict(lambda: collections.defaultdict(list))
        for seed in range(seeds):
            DetectorFactory.seed = seed
            for inp in selected:
                for mode, test in modes:
                    verdicts = tuple(test(inp, prompt_to_response).follow_instruction_list)
                    seen[(inp.key, mode)][verdicts].append(seed)
        for (key, mode), outcomes in sorted(seen.items()):
            if len(outcomes) > 1:
                ids = next(i for i in selected if i.key == key).instruction_id_list
                summary = "; ".join(
                    f"{list(v)} for {len(s)} seeds (seed 0: {'yes' if 0 in s else 'no'})"
                    for v, s in sorted(outcomes.items())
                )
                print(f"{name} key {key} {mode} {ids}: {summary}", flush=True)


if __name__ == "__main__":
    main()
