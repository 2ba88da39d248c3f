#!/usr/bin/env python3
"""Template-mining accuracy and speed on loghub-2k, side by side with Drain3 (its default config).

For each of the datasets in ../shared/data/loghub-2k, feeds the Content column of
<Name>_2k.log_structured.csv as messages to `deja patterns --message-per-line --assignments` (release
build) and to Drain3's TemplateMiner, scores both with ../shared/tools/loghub_eval.py (corrected
labels, the script's default), and times both on the same messages, single thread.

    python3 scripts/eval_patterns.py [--install]      (--install: pip install drain3)
"""
import argparse, csv, glob, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--install", action="store_true")
ap.add_argument("--no-drain3", action="store_true")
ap.add_argument("--data", help="a folder of Loghub-layout sets (default: ../shared/data/loghub-2k)")
ap.add_argument("--deja", help="a built deja binary (default: build the release one)")
ap.add_argument("--no-speed", action="store_true")
args = ap.parse_args()
if args.install:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "drain3"], check=True)
if not args.deja:
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
deja = args.deja or os.path.join(ROOT, ".build", "release", "deja")
data = args.data or os.path.join(args.shared, "data", "loghub-2k")
evaluator = os.path.join(args.shared, "tools", "loghub_eval.py")
work = tempfile.mkdtemp(prefix="deja-patterns-")
ours_dir, drain_dir = os.path.join(work, "deja"), os.path.join(work, "drain3")
os.makedirs(ours_dir), os.makedirs(drain_dir)

def drain3_assign(messages):
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    miner = TemplateMiner(config=config)
    start = time.perf_counter()
    ids = [miner.add_log_message(m)["cluster_id"] for m in messages]
    elapsed = time.perf_counter() - start
    templates = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    return ids, templates, elapsed

speed = {}
names = sorted(os.path.basename(d) for d in glob.glob(os.path.join(data, "*")) if os.path.isdir(d))
all_messages = []
for name in names:
    with open(os.path.join(data, name, f"{name}_2k.log_structured.csv"), newline="", encoding="utf-8") as fh:
        messages = [row["Content"] for row in csv.DictReader(fh)]
    all_messages += messages
    content = os.path.join(work, f"{name}.txt")
    with open(content, "w", encoding="utf-8") as fh:
        fh.write("".join(m.replace("\n", " ") + "\n" for m in messages))
    subprocess.run([deja, "patterns", "--message-per-line", "--assignments", os.path.join(ours_dir, f"{name}.csv"), content],
                   check=True, stdout=subprocess.DEVNULL)
    if not args.no_drain3:
        ids, templates, _ = drain3_assign(messages)
        with open(os.path.join(drain_dir, f"{name}.csv"), "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["LineId", "EventId", "EventTemplate"])
            for i, cid in enumerate(ids, 1):
                w.writerow([i, cid, templates[cid]])

def scores(pred_dir):
    out = subprocess.run([sys.executable, evaluator, "--all", data, pred_dir, "--json"], check=True, capture_output=True, text=True).stdout
    return {r["dataset"]: r for r in json.loads(out)} if isinstance(json.loads(out), list) else json.loads(out)

ours = scores(ours_dir)
theirs = scores(drain_dir) if not args.no_drain3 else {}

# Speed: all messages, repeated ten times, single thread. The machine is shared, so the two run
# alternately, five rounds, and each reports its median.
ours_rate = drain_rate = None
if not args.no_speed:
    big = os.path.join(work, "all.txt")
    with open(big, "w", encoding="utf-8") as fh:
        for _ in range(10):
            fh.write("".join(m.replace("\n", " ") + "\n" for m in all_messages))
    ours_rates, drain_rates = [], []
    for _ in range(5):
        out = subprocess.run([deja, "bench", "patterns", big, "--repeats", "1"], check=True, capture_output=True, text=True).stdout
        ours_rates.append(float(out.split()[-2]))  # "N lines, M patterns, R lines/s": in process, like Drain3's below
        if not args.no_drain3:
            drain_rates.append(2 * len(all_messages) / drain3_assign(all_messages * 2)[2])
    ours_rate = sorted(ours_rates)[2]
    drain_rate = sorted(drain_rates)[2] if drain_rates else None

def metric(r, key):
    for k in (key, key.lower()):
        if k in r:
            return r[k]
    return float("nan")

print("| dataset | GA | PA | FGA | FTA | Drain3 GA | Drain3 PA | patterns / truth |")
print("|---|---|---|---|---|---|---|---|")
ga = []
for name in names:
    r = ours.get(name, {})
    d = theirs.get(name, {})
    ga.append(metric(r, "GA"))
    print(f"| {name} | {metric(r, 'GA'):.3f} | {metric(r, 'PA'):.3f} | {metric(r, 'FGA'):.3f} | {metric(r, 'FTA'):.3f} | "
          f"{metric(d, 'GA'):.3f} | {metric(d, 'PA'):.3f} | {r.get('pred_groups', '-')} / {r.get('gt_groups', '-')} |")
print(f"\naverage GA {sum(ga) / len(ga):.3f}, lowest {min(ga):.3f}"
      + (f"; Drain3 average GA {sum(metric(theirs[n], 'GA') for n in names) / len(names):.3f}" if theirs else ""))
if ours_rate:
    print(f"mining speed: deja {ours_rate:,.0f} lines/s" + (f", Drain3 {drain_rate:,.0f} lines/s, ratio {ours_rate / drain_rate:.1f}x" if drain_rate else ""))
