#!/usr/bin/env python3
"""Side-by-side embedding benchmark: `deja bench embed` (release build) and the anchors of
../shared/bench/embed_anchor.py (ONNX Runtime, optionally sentence-transformers) on the same input,
the same thread count, in one run; prints the ratios. Needs the anchor's PyPI packages
(sentence-transformers onnxruntime onnx threadpoolctl); --install installs them.

    python3 scripts/bench_embed.py [--limit 2000] [--threads 2] [--backends ort-fused] [--rounds 3] [--deja BINARY] [--install]

Each round runs Deja and then the anchor on both workloads; the ratio is taken within a round (the
host's speed drifts by tens of percent over minutes) and the median of the rounds' ratios reported.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--model", default=os.environ.get("DEJA_MODEL_DIR", os.path.expanduser("~/.cache/deja/models/all-MiniLM-L6-v2")))
ap.add_argument("--limit", type=int, default=2000, help="lines of the 10,000-line mix for the throughput runs")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--backends", default="ort-fused")
ap.add_argument("--rounds", type=int, default=3, help="interleaved Deja/anchor rounds; the median ratio is reported")
ap.add_argument("--deja", help="a deja binary to measure instead of building .build/release/deja")
ap.add_argument("--install", action="store_true")
args = ap.parse_args()

anchor = os.path.join(args.shared, "bench", "embed_anchor.py")
if args.install:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "sentence-transformers", "onnxruntime", "onnx", "threadpoolctl"], check=True)
if not args.deja:
    subprocess.run(["swift", "build", "-c", "release", "--product", "deja"], cwd=ROOT, check=True)
deja = args.deja or os.path.join(ROOT, ".build", "release", "deja")
work = tempfile.mkdtemp(prefix="deja-bench-")
mix = os.path.join(work, "loghub_mix_10k.txt")
short = os.path.join(work, "short_line.txt")
subprocess.run([sys.executable, anchor, "--make-workload", mix, "--data-dir", os.path.join(args.shared, "data", "loghub-2k")], check=True)
with open(short, "w") as fh:  # 21 tokens with [CLS]/[SEP]
    fh.write("ERROR [db-pool] connection to postgres refused after 3 retries, giving up\n" * 300)
env = dict(os.environ, HF_HUB_OFFLINE="1")

def run_anchor(path, batch, limit=None):
    out = os.path.join(work, f"anchor-{batch}.json")
    cmd = [sys.executable, anchor, path, "--model", args.model, "--backends", args.backends, "--batch-sizes", str(batch),
           "--threads", str(args.threads), "--repeats", "1", "--json", out]
    if limit:
        cmd += ["--limit", str(limit)]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return json.load(open(out))["results"]

def run_deja(*extra):
    out = subprocess.run([deja, "bench", "embed", "--json", "--threads", str(args.threads), *extra],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)

# rows[(measure, backend)] = [(anchor, deja), ...], one pair per round
rows = {}
latency_p99 = []
gflops = []
for round in range(args.rounds):
    ours = run_deja(mix, "--limit", str(args.limit), "--batch-size", "32")
    gflops.append(ours["useful_gflops"])
    for r in run_anchor(mix, 32, args.limit):
        rows.setdefault(("throughput, batch 32, tokens/s", r["backend"], True), []).append((r["tokens_per_s"], ours["tokens_per_second"]))
    latency = run_deja(short, "--latency")
    latency_p99.append(latency["p99_ms"])
    for r in run_anchor(short, 1):
        rows.setdefault(("21-token line, batch 1, ms per line", r["backend"], False), []).append((1000 / r["sentences_per_s"], latency["p50_ms"]))
    print(f"round {round + 1}: " + "; ".join(f"{what} {backend}: {pairs[-1][1]:.1f} vs {pairs[-1][0]:.1f}"
                                             for (what, backend, _), pairs in rows.items()), flush=True)
rss = subprocess.run(["/usr/bin/time", "-f", "%M", deja, "embed", "--threads", str(args.threads), mix],
                     check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr.strip().splitlines()[-1]

median = statistics.median
print(f"\n| measure | anchor | anchor, per round | deja, per round | deja / anchor, per round | median ratio |\n|---|---|---|---|---|---|")
for (what, backend, higher_is_better), pairs in rows.items():
    ratios = [mine / theirs for theirs, mine in pairs]
    print(f"| {what} | {backend} | {' · '.join(f'{t:.1f}' for t, _ in pairs)} | {' · '.join(f'{m:.1f}' for _, m in pairs)} | "
          f"{' · '.join(f'{r:.2f}' for r in ratios)} | {median(ratios):.2f}x {'(higher is better)' if higher_is_better else '(lower is better)'} |")
print(f"\ndeja useful GFLOP/s at batch 32: {median(gflops):.1f}; p99 of the 21-token line: {median(latency_p99):.2f} ms (medians of {args.rounds} rounds)")
print(f"peak RSS of `deja embed` on the 10,000-line mix: {int(rss) / 1000:.0f} MB")
