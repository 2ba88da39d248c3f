#!/usr/bin/env python3
"""Side-by-side embedding benchmark: `deja bench embed` (release build) and the anchors of
../shared/bench/embed_anchor.py (ONNX Runtime, optionally sentence-transformers) on the same input,
the same thread count, in one run; prints the ratios. Needs the anchor's PyPI packages
(sentence-transformers onnxruntime onnx threadpoolctl); --install installs them.

    python3 scripts/bench_embed.py [--limit 2000] [--threads 2] [--backends ort-fused] [--install]
"""
import argparse, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--model", default=os.environ.get("DEJA_MODEL_DIR", os.path.expanduser("~/.cache/deja/models/all-MiniLM-L6-v2")))
ap.add_argument("--limit", type=int, default=2000, help="lines of the 10,000-line mix for the throughput runs")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--backends", default="ort-fused")
ap.add_argument("--install", action="store_true")
args = ap.parse_args()

anchor = os.path.join(args.shared, "bench", "embed_anchor.py")
if args.install:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "sentence-transformers", "onnxruntime", "onnx", "threadpoolctl"], check=True)
subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True)
deja = os.path.join(ROOT, ".build", "release", "deja")
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

rows = []
ours = run_deja(mix, "--limit", str(args.limit), "--batch-size", "32")
for r in run_anchor(mix, 32, args.limit):
    rows.append(("throughput, batch 32, tokens/s", r["backend"], r["tokens_per_s"], ours["tokens_per_second"], True))
latency = run_deja(short, "--latency")
for r in run_anchor(short, 1):
    anchor_ms = 1000 / r["sentences_per_s"]
    rows.append(("21-token line, batch 1, ms per line", r["backend"], anchor_ms, latency["p50_ms"], False))
rss = subprocess.run(["/usr/bin/time", "-f", "%M", deja, "embed", "--threads", str(args.threads), mix],
                     check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr.strip().splitlines()[-1]

print(f"\n| measure | anchor | anchor | deja | deja / anchor |\n|---|---|---|---|---|")
for what, backend, theirs, mine, higher_is_better in rows:
    print(f"| {what} | {backend} | {theirs:.1f} | {mine:.1f} | {mine / theirs:.2f}x {'(higher is better)' if higher_is_better else '(lower is better)'} |")
print(f"\ndeja useful GFLOP/s at batch 32: {ours['useful_gflops']:.1f}; p99 of the 21-token line: {latency['p99_ms']:.2f} ms")
print(f"peak RSS of `deja embed` on the 10,000-line mix: {int(rss) / 1000:.0f} MB")
