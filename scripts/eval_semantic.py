#!/usr/bin/env python3
"""Retrieval quality on ../shared/data/semantic-eval: ingests corpus.jsonl into a fresh data
directory with `deja ingest --jsonl`, runs queries.jsonl with `deja search --batch`, and scores the
run with ../shared/tools/semantic_eval.py beside the sample's BM25 and raw-MiniLM baseline runs.

    python3 scripts/eval_semantic.py [--keep DIR]
"""
import argparse, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--keep", help="data directory to use (and keep)")
args = ap.parse_args()
subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
deja = os.path.join(ROOT, ".build", "release", "deja")
data = os.path.join(args.shared, "data", "semantic-eval")
scorer = os.path.join(args.shared, "tools", "semantic_eval.py")
work = args.keep or tempfile.mkdtemp(prefix="deja-semantic-")
run = os.path.join(work, "run_deja.tsv")
subprocess.run([deja, "ingest", "--jsonl", "--data-dir", work, os.path.join(data, "corpus.jsonl")], check=True)
with open(run, "w") as out:
    subprocess.run([deja, "search", "--data-dir", work, "--batch", os.path.join(data, "queries.jsonl"), "-k", "10"], check=True, stdout=out)
for name, path in [("deja", run), ("bm25", os.path.join(data, "baseline_runs", "run_bm25.tsv")),
                   ("minilm", os.path.join(data, "baseline_runs", "run_minilm.tsv"))]:
    print(f"== {name}")
    sys.stdout.flush()
    subprocess.run([sys.executable, scorer, path, "--set", data], check=True)
