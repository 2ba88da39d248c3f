#!/usr/bin/env python3
"""Chooses the miner's similarity threshold by leave-one-dataset-out on the loghub-2k sets.

For every threshold in the grid, mines each set with `deja patterns --message-per-line
--assignments --similarity S` and scores GA with ../shared/tools/loghub_eval.py (corrected labels).
Then, for each set in turn, picks the threshold with the best mean GA on the *other* sets and
reports the held-out set's GA under it: the figure a set nobody tuned on would get. The all-in
figure (one threshold chosen on every set and scored on them) is printed beside it.

    python3 scripts/tune_patterns.py [--deja BIN] [--data DIR] [--grid 0.5,0.6,...]
"""
import argparse, csv, glob, json, os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--data", help="Loghub-layout sets (default: ../shared/data/loghub-2k)")
ap.add_argument("--deja", default=os.path.join(ROOT, ".build", "release", "deja"))
ap.add_argument("--grid", default="0.5,0.55,0.6,0.65,0.7,0.75,0.8,0.82,0.85,0.9")
args = ap.parse_args()
data = args.data or os.path.join(args.shared, "data", "loghub-2k")
evaluator = os.path.join(args.shared, "tools", "loghub_eval.py")
grid = [float(x) for x in args.grid.split(",")]
names = sorted(os.path.basename(d) for d in glob.glob(os.path.join(data, "*")) if os.path.isdir(d))
work = tempfile.mkdtemp(prefix="deja-tune-")

contents = {}
for name in names:
    with open(glob.glob(os.path.join(data, name, f"{name}_2k.log_structured*.csv"))[0], newline="", encoding="utf-8") as fh:
        path = os.path.join(work, f"{name}.txt")
        with open(path, "w", encoding="utf-8") as out:
            out.write("".join(row["Content"].replace("\n", " ") + "\n" for row in csv.DictReader(fh)))
        contents[name] = path

ga = {}  # (threshold, set) -> GA
for threshold in grid:
    pred = os.path.join(work, f"s{threshold}")
    os.makedirs(pred)
    for name in names:
        subprocess.run([args.deja, "patterns", "--message-per-line", "--similarity", str(threshold),
                        "--assignments", os.path.join(pred, f"{name}.csv"), contents[name]], check=True, stdout=subprocess.DEVNULL)
    out = json.loads(subprocess.run([sys.executable, evaluator, "--all", data, pred, "--json"], check=True,
                                    capture_output=True, text=True).stdout)
    for row in out if isinstance(out, list) else out.values():
        ga[(threshold, row["dataset"])] = row["GA"]

print("| threshold | " + " | ".join(names) + " | mean |")
print("|---|" + "---|" * (len(names) + 1))
for t in grid:
    print(f"| {t} | " + " | ".join(f"{ga[(t, n)]:.3f}" for n in names) + f" | {statistics.mean(ga[(t, n)] for n in names):.3f} |")

def best(sets):
    return max(grid, key=lambda t: statistics.mean(ga[(t, n)] for n in sets))  # ties: the lower threshold

print("\nleave-one-dataset-out: each set scored with the threshold chosen on the other sets")
held = []
for name in names:
    chosen = best([n for n in names if n != name])
    held.append(ga[(chosen, name)])
    print(f"  {name}: threshold {chosen}, GA {ga[(chosen, name)]:.3f}")
all_in = best(names)
print(f"held-out mean GA {statistics.mean(held):.3f}, lowest {min(held):.3f}")
print(f"all-in: threshold {all_in}, mean GA {statistics.mean(ga[(all_in, n)] for n in names):.3f}")
