#!/usr/bin/env python3
"""Retrieval quality on ../shared/data/semantic-eval: ingests corpus.jsonl into a fresh data
directory with `deja ingest --jsonl`, runs queries.jsonl with `deja search --batch`, and scores the
run with ../shared/tools/semantic_eval.py beside the sample's BM25 and raw-MiniLM baseline runs.

    python3 scripts/eval_semantic.py [--keep DIR] [--chroma]

With --chroma the corpus is ingested with vectors in a real ChromaDB (`chroma run`) and the queries
run twice on it, through the embedded store's copy of the vectors and through ChromaDB: parity.
"""
import argparse, contextlib, os, subprocess, sys, tempfile

import chroma_local

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--keep", help="data directory to use (and keep)")
ap.add_argument("--chroma", action="store_true", help="vectors in a real ChromaDB too; score both")
args = ap.parse_args()
subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
deja = os.path.join(ROOT, ".build", "release", "deja")
data = os.path.join(args.shared, "data", "semantic-eval")
scorer = os.path.join(args.shared, "tools", "semantic_eval.py")
work = args.keep or tempfile.mkdtemp(prefix="deja-semantic-")
runs = []
with chroma_local.server(work) if args.chroma else contextlib.nullcontext([]) as flags:
    subprocess.run([deja, "ingest", "--jsonl", "--data-dir", work, os.path.join(data, "corpus.jsonl"), *flags], check=True)
    for name, extra in [("deja", []), ("deja-chroma", flags)] if flags else [("deja", [])]:
        runs.append((name, os.path.join(work, f"run_{name}.tsv")))
        with open(runs[-1][1], "w") as out:
            subprocess.run([deja, "search", "--data-dir", work, "--batch", os.path.join(data, "queries.jsonl"), "-k", "10", *extra],
                           check=True, stdout=out)
for name, path in runs + [("bm25", os.path.join(data, "baseline_runs", "run_bm25.tsv")),
                          ("minilm", os.path.join(data, "baseline_runs", "run_minilm.tsv"))]:
    print(f"== {name}")
    sys.stdout.flush()
    subprocess.run([sys.executable, scorer, path, "--set", data], check=True)
