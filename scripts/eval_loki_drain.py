#!/usr/bin/env python3
"""Our pattern miner on Loki's Drain test corpora (../shared/data/loki-drain, AGPL: read in place,
never copied): per file, our pattern count beside the count Loki's Drain produces, and the most
frequent patterns of each, to compare how they read.

    python3 scripts/eval_loki_drain.py [--show 3]
"""
import argparse, json, os, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--show", type=int, default=3)
args = ap.parse_args()
subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
deja = os.path.join(ROOT, ".build", "release", "deja")
folder = os.path.join(args.shared, "data", "loki-drain")
expected = json.load(open(os.path.join(folder, "expected.json")))
print("| file | lines | deja patterns | Loki patterns |\n|---|---|---|---|")
shown = []
for name in sorted(expected):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        continue
    out = subprocess.run([deja, "patterns", "--message-per-line", "--json", path], check=True, capture_output=True, text=True).stdout
    ours = [json.loads(l) for l in out.splitlines()]
    lines = sum(1 for _ in open(path, encoding="utf-8"))
    print(f"| {name} | {lines} | {len(ours)} | {expected[name]['pattern_count']} |")
    shown.append((name, ours[:args.show], expected[name]["patterns"][:args.show]))
for name, ours, theirs in shown:
    print(f"\n{name}\n  deja:")
    for p in ours:
        print(f"    {p['count']:>5}  {p['template'][:160]}")
    print("  Loki:")
    for t in theirs:
        print(f"           {t[:160]}")
