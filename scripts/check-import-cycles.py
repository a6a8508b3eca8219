#!/usr/bin/env python3
"""Finds import circles between modules in every crate of the workspace.

    scripts/check-import-cycles.py [--verbose]

Read from the `crate::`, `super::` and `self::` paths in the sources (the `use` lines and
paths written inline). A path names the deepest module it reaches (`crate::rl::ppo::PpoClip`
names `rl::ppo`). A reference from module `a::b::x` to `a::c::y` is an edge between the
siblings `b -> c` under `a`; references between a module and its own ancestors (`use
super::Result`, a `pub use child::Item` re-export) are the tree itself, not an edge. Every
level of every crate is checked for circles (strongly connected sibling sets); the script
prints each one as `crate-dir/parent/{a, b}` with one example reference per edge, and exits 1
when there is any. Every path counts: doc-comment links and test modules too (a doc link from
`a` to `b` and an import from `b` to `a` make two files that must be read together).
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def crate_roots():
    """(label, src dir, root file) of every library/binary crate in the workspace."""
    out = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in ("target", ".git", "node_modules")]
        if "Cargo.toml" in filenames:
            src = os.path.join(dirpath, "src")
            for root_file in ("lib.rs", "main.rs"):
                if os.path.isfile(os.path.join(src, root_file)):
                    out.append((os.path.relpath(src, ROOT), src, root_file))
                    break
    return sorted(out)


def module_files(src, root_file):
    """{module path tuple: file} for every module file under src (skipping other bin roots)."""
    mods = {}
    for dirpath, _dirs, files in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        if parts and parts[0] == "bin":
            continue
        for f in files:
            if not f.endswith(".rs"):
                continue
            name = f[:-3]
            if not parts and f in ("lib.rs", "main.rs"):
                if f == root_file:
                    mods[()] = os.path.join(dirpath, f)
                continue
            if name == "mod":
                mods[parts] = os.path.join(dirpath, f)
            else:
                mods[parts + (name,)] = os.path.join(dirpath, f)
    return mods


USE_RE = re.compile(r"\buse\s+((?:crate|super|self)\b[^;]*);", re.S)
INLINE_RE = re.compile(r"\b((?:crate|super|self)(?:::\s*[A-Za-z_][A-Za-z0-9_]*)+)")


def strip_comments(text):
    """Drops string literals (plain comments and doc comments are kept: their links count)."""
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def expand_use(tree):
    """`crate::{a::{b, c}, d}` -> ['crate::a::b', 'crate::a::c', 'crate::d']."""
    tree = re.sub(r"\s+", "", tree)
    out = []

    def rec(prefix, s):
        i = s.find("{")
        if i < 0:
            for part in split_top(s):
                out.append(prefix + part)
            return
        head = s[:i]
        depth = 0
        for j in range(i, len(s)):
            if s[j] == "{":
                depth += 1
            elif s[j] == "}":
                depth -= 1
                if depth == 0:
                    break
        inner = s[i + 1:j]
        for part in split_top(inner):
            rec(prefix + head, part)

    rec("", tree)
    return out


def split_top(s):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def resolve(path, here, is_mod_file, mods):
    """The module a `crate::`/`super::`/`self::` path names, or None."""
    segs = [s for s in re.split(r"::", path.split(" as ")[0]) if s]
    segs = [s.split("as")[0] if False else s for s in segs]
    if not segs:
        return None
    base = list(here)
    if segs[0] == "crate":
        base = []
        segs = segs[1:]
    else:
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                if not base:
                    return None
                base = base[:-1]
            segs = segs[1:]
    cur = tuple(base)
    for s in segs:
        if s in ("*", "self"):
            break
        nxt = cur + (s,)
        if nxt in mods:
            cur = nxt
        else:
            break
    return cur


def edges_of(crate_label, mods):
    edges = {}  # (parent, a, b) -> example
    for here, path in mods.items():
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        text = strip_comments(text)
        refs = []
        for u in USE_RE.finditer(text):
            refs.extend(expand_use(u.group(1)))
        text_wo_use = USE_RE.sub("", text)
        refs.extend(re.sub(r"\s+", "", r) for r in INLINE_RE.findall(text_wo_use))
        for ref in refs:
            ref = re.sub(r"as\w+$", "", ref) if False else ref
            target = resolve(ref, here, path.endswith("mod.rs"), mods)
            if target is None or target == here:
                continue
            n = 0
            while n < len(here) and n < len(target) and here[n] == target[n]:
                n += 1
            if n == len(here) or n == len(target):
                continue  # ancestor / descendant: the tree itself
            parent, a, b = here[:n], here[n], target[n]
            rel = os.path.relpath(path, ROOT)
            edges.setdefault((parent, a, b), f"{rel}: {ref}")
    return edges


def sccs(nodes, adj):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in adj.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in sorted(nodes):
        if v not in index:
            strong(v)
    return out


def main():
    verbose = "--verbose" in sys.argv
    sys.setrecursionlimit(10000)
    found = 0
    for label, src, root_file in crate_roots():
        mods = module_files(src, root_file)
        edges = edges_of(label, mods)
        levels = {}
        for (parent, a, b), ex in edges.items():
            levels.setdefault(parent, {}).setdefault(a, set()).add(b)
        for parent, adj in sorted(levels.items()):
            nodes = set(adj) | {b for bs in adj.values() for b in bs}
            for comp in sccs(nodes, adj):
                if len(comp) < 2:
                    continue
                found += 1
                where = "/".join((label,) + parent)
                print(f"circle: {where}/{{{', '.join(sorted(comp))}}}")
                for a in sorted(comp):
                    for b in sorted(adj.get(a, ())):
                        if b in comp:
                            print(f"    {a} -> {b}   ({edges[(parent, a, b)]})")
        if verbose:
            print(f"{label}: {len(mods)} modules, {len(edges)} sibling edges")
    if found:
        print(f"{found} import circle(s)")
        return 1
    print("no import circle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
