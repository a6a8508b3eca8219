"""Interleaves hir's matmul (examples/gemm_bench.rs), PyTorch's sgemm (benches/sgemm_torch.py)
and optionally an older build of gemm_bench, case by case, and prints a Markdown table of the
best GFLOP/s of each over the rounds. Run through sgemm_compare.sh (it builds gemm_bench).

    python sgemm_compare.py HIR_BINARY TORCH_SCRIPT ROUNDS [BEFORE_BINARY]

hir and PyTorch run as long-lived servers (no start-up cost per case); for every case of every
round each implementation gets one turn of at least 0.1 s right after the other, so a burst of
load from other processes hits them alike, and the best turn over the rounds is the least
disturbed one. BEFORE_BINARY is started once per case with the case name as its filter (older
builds have no server mode); the last column of its output is taken.
"""

import subprocess
import sys

hir_bin, torch_script, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
before_bin = sys.argv[4] if len(sys.argv) > 4 else None
names = []
with open(__file__.rsplit("/", 1)[0] + "/gemm_cases.txt") as f:
    for line in f:
        if not line.startswith("#") and line.strip():
            names.append(line.split())


def server(cmd):
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)


def ask(proc, name):
    proc.stdin.write(name + "\n")
    proc.stdin.flush()
    return float(proc.stdout.readline().split()[-1])


hir = server([hir_bin, "-", "1"])
torch = server([sys.executable, torch_script, "-", "1"])
best = {}
for _ in range(rounds):
    for case in names:
        name = case[0]
        got = best.setdefault(name, {})
        got["hir"] = max(got.get("hir", 0.0), ask(hir, name))
        got["torch"] = max(got.get("torch", 0.0), ask(torch, name))
        if before_bin:
            out = subprocess.run([before_bin, name, "1"], capture_output=True, text=True, check=True)
            line = next(l for l in out.stdout.splitlines() if l.split()[0] == name)
            got["before"] = max(got.get("before", 0.0), float(line.split()[-1]))
hir.stdin.close()
torch.stdin.close()

head = "| product | m | k | n | op | " + ("hir before | " if before_bin else "") + "hir | PyTorch | hir / PyTorch |"
print(head)
print("|---" * (head.count("|") - 1) + "|")
for name, m, k, n, ta, tb, beta in names:
    b = best[name]
    op = ("Aᵀ" if ta == "1" else "A") + "·" + ("Bᵀ" if tb == "1" else "B") + (" + C" if float(beta) else "")
    before = f"{b['before']:.1f} | " if before_bin else ""
    print(f"| {name} | {m} | {k} | {n} | {op} | {before}{b['hir']:.1f} | {b['torch']:.1f} | {b['hir'] / b['torch']:.2f} |")
