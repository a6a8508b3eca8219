#!/usr/bin/env python3
"""Markdown tables of a `hir compare --json` result and its runs' replay diagnostics.

Usage: python3 scripts/compare-tables.py RESULT.json RUNS_DIR
(RUNS_DIR: the comparison's --output-dir, holding <method>-seed<s>/metrics.jsonl).
Reads only; prints the README's tables for the decisive test."""
import json
import statistics
import sys
from pathlib import Path


def ms(x):
    return f"{x['mean']:.3f} ± {x['std']:.3f}"


def ci(c):
    mark = "" if c["lo"] <= 0 <= c["hi"] else " *"
    return f"{c['mean']:+.3f} [{c['lo']:+.3f}, {c['hi']:+.3f}]{mark}"


def py_bootstrap(runs_dir, a, b, step, seeds, resamples=2000, seed=14):
    """The crossed paired bootstrap of hir::stats::paired_bootstrap, in Python (another RNG)."""
    import random

    def items(m, s):
        e = json.load(open(Path(runs_dir) / f"{m}-seed{s}" / f"eval_step{step}.json"))
        return [float(i["success"]) for i in e["items"]]

    d = [[x - y for x, y in zip(items(a, s), items(b, s))] for s in range(seeds)]
    n_s, n_i = len(d), len(d[0])
    mean = sum(map(sum, d)) / (n_s * n_i)
    rng = random.Random(seed)
    means = []
    for _ in range(resamples):
        ws = [0] * n_s
        for _ in range(n_s):
            ws[rng.randrange(n_s)] += 1
        vi = [0] * n_i
        for _ in range(n_i):
            vi[rng.randrange(n_i)] += 1
        tot = 0.0
        for s in range(n_s):
            if ws[s]:
                row = d[s]
                tot += ws[s] * sum(row[i] * vi[i] for i in range(n_i) if vi[i])
        means.append(tot / (n_s * n_i))
    means.sort()

    def q(p):
        h = p * (len(means) - 1)
        lo = int(h)
        hi = min(lo + 1, len(means) - 1)
        return means[lo] + (h - lo) * (means[hi] - means[lo])

    return {"mean": mean, "lo": q(0.025), "hi": q(0.975)}


def main(result, runs_dir):
    d = json.load(open(result))
    p = d["protocol"]
    print(f"protocol: world {p['world']}, {p['seeds']} seeds, {p['steps']} steps, B {p['train_batch_size']}, "
          f"m {p['rollout_n']}, eval steps {p['eval_steps']}, {p['eval_samples']} samples at T {p['eval_temperature']}, "
          f"wall {p['wall_s']/60:.1f} min\n")
    print("| method | final success | constraint-level | id | ood_combo | ood_family | sampled (4 × T 0.6) | curve area | rollouts to reinforce_pp's final | rollouts per run | wall s per run |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s in d["summary"]:
        fg = s["final_greedy"]
        parts = {x["part"]: x["scores"]["success"] for x in fg["parts"]}
        rt = s["rollouts_to_target"]
        print(f"| `{s['method']}` | {ms(fg['overall']['success'])} | {ms(fg['overall']['constraint'])} | "
              + " | ".join(f"{parts[k]['mean']:.3f}" if k in parts else "–" for k in ["id", "ood_combo", "ood_family"])
              + f" | {s['sampled']['overall']['success']['mean']:.3f} | {s['curve_area']:.3f} | "
              + ("never" if rt is None else f"{rt:.0f}")
              + f" | {s['generated_rollouts']:.0f} | {s['wall_s_mean']:.0f} |")
    print()
    for base in ["reinforce_pp", "dense", "hir"]:
        rows = [c for c in d["comparisons"] if c["baseline"] == base]
        if not rows:
            continue
        print(f"\n| method − `{base}` | Δ success [95% CI] | Δ constraint-level | Δ success id | Δ success ood_combo | Δ success ood_family |")
        print("|---|---|---|---|---|---|")
        for c in rows:
            parts = {x["part"]: x["success"] for x in c["parts"]}
            print(f"| `{c['method']}` | {ci(c['success'])} | {ci(c['constraint'])} | "
                  + " | ".join(ci(parts[k]) if k in parts else "–" for k in ["id", "ood_combo", "ood_family"]) + " |")
    # Replay diagnostics from the runs' metrics.
    keys = ["critic/frac_reward_zero_std", "hir/success_rate", "hir/eligible_frac", "hir/replay_count",
            "hir/replay_dense_mean", "hir/replay_kept_constraints", "hir/replay_clipfrac",
            "hir/replay_ratio_mean", "actor/pg_clipfrac", "hir/entropy_override_frac"]
    print("\n| method | " + " | ".join(f"`{k}`" for k in keys) + " |")
    print("|---|" + "---|" * len(keys))
    for s in d["summary"]:
        m = s["method"]
        vals = {k: [] for k in keys}
        first = []
        for run in sorted(Path(runs_dir).glob(f"{m}-seed*")):
            lines = [json.loads(l) for l in open(run / "metrics.jsonl")]
            first.append(lines[0]["data"].get("critic/frac_reward_zero_std", float("nan")))
            for l in lines:
                for k in keys:
                    if k in l["data"]:
                        vals[k].append(l["data"][k])
        cells = []
        for k in keys:
            v = vals[k]
            if not v:
                cells.append("–")
            elif k == "critic/frac_reward_zero_std":
                cells.append(f"{statistics.mean(first):.2f} → {statistics.mean(v):.2f}")
            else:
                cells.append(f"{statistics.mean(v):.3f}")
        print(f"| `{m}` | " + " | ".join(cells) + " |")
    print("\n(`*`: the 95% CI excludes 0. Diagnostics: means over every step and seed; "
          "frac_reward_zero_std: step 1 → mean over steps.)")
    # The paper's three claims, read off the paired CIs on final greedy success.
    claims = [
        ("replay beats binary RL at equal rollouts", [("hir", "reinforce_pp", +1), ("hir_global", "reinforce_pp", +1), ("hir_grpo", "grpo", +1)]),
        ("F_div + λ·F_int selection beats random", [("hir_random_select", "hir", -1)]),
        ("the curriculum matters", [("hir_no_curriculum", "hir", -1)]),
    ]
    print("\n| claim | comparison | Δ success [95% CI] | reading |")
    print("|---|---|---|---|")
    for name, rows in claims:
        for m, b, sign in rows:
            c = next((c for c in d["comparisons"] if c["method"] == m and c["baseline"] == b), None)
            if c is None:
                # Not among hir compare's comparisons (hir_grpo − grpo): the same crossed
                # paired bootstrap, computed here from the runs' per-item files.
                c = {"success": py_bootstrap(runs_dir, m, b, p["steps"], p["seeds"])}
                m = m + "` − `" + b + "` (script"
                b = ")"
            x = c["success"]
            if x["lo"] > 0:
                verdict = "holds" if sign > 0 else "goes against"
            elif x["hi"] < 0:
                verdict = "goes against" if sign > 0 else "holds"
            else:
                verdict = "not shown"
            print(f"| {name} | `{m}` − `{b}` | {ci(x)} | {verdict} |")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
