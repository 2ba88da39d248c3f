#!/usr/bin/env python3
"""Retrieval quality on ../shared/data/semantic-eval (the public sample), on Deja's own development
set (eval/devset, --devset), on its second set, written after the weights were chosen
(--heldback), on its third, written after every rule was (--blind), on its fourth, written
after the third had taken part in choices (--fourth), or on its fifth, written after the fourth
had (--fifth): ingests corpus.jsonl into
a fresh data directory with `deja ingest --jsonl`, runs queries.jsonl with `deja search --batch`,
and scores the run with ../shared/tools/semantic_eval.py, beside the sample's BM25 and raw-MiniLM
baseline runs, or per half (A, B) of the development set and of the third set.

    python3 scripts/eval_semantic.py [--keep DIR] [--chroma] [--devset | --heldback | --blind | --fourth | --fifth] [--per-system N] [--like-this | --like-line]

--per-system sets the loghub distractor lines per system of Deja's own sets (200: about 2,500
events, the held-out set's size).

With --chroma the corpus is ingested with vectors in a real ChromaDB (`chroma run`) and the queries
run twice on it, through the embedded store's copy of the vectors and through ChromaDB: parity.
With --like-line, one loghub line of each loghub template with two events or more is the query
(its body as pasted without a header) and the template's events are relevant.
With --like-this the queries are "logs like this one": each event of a root-cause cluster of two or
more events (labels.jsonl) is a query by its body, and its cluster's events are relevant (grade 2).
"""
import argparse, collections, contextlib, json, os, random, subprocess, sys, tempfile

import chroma_local

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--keep", help="data directory to use (and keep)")
ap.add_argument("--chroma", action="store_true", help="vectors in a real ChromaDB too; score both")
ap.add_argument("--devset", action="store_true", help="Deja's own development set (eval/devset) instead of the public sample")
ap.add_argument("--heldback", action="store_true", help="the second development set (eval/devset/heldback.py), written after the weights were chosen")
ap.add_argument("--blind", action="store_true", help="the third development set (eval/devset/blind.py), written after every rule was")
ap.add_argument("--fourth", action="store_true", help="the fourth development set (eval/devset/fourth.py), written after the third took part in choices")
ap.add_argument("--fifth", action="store_true", help="the fifth development set (eval/devset/fifth.py), written after the fourth took part in choices")
ap.add_argument("--per-system", type=int, default=56, help="loghub distractor lines per system in Deja's own sets")
ap.add_argument("--like-this", action="store_true", help="each clustered event's body as a query, its cluster's events relevant")
ap.add_argument("--like-line", action="store_true",
                help="one loghub line of each loghub template with two events or more as a query (its body, no header), the template's events relevant")
args = ap.parse_args()
subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
deja = os.path.join(ROOT, ".build", "release", "deja")
scorer = os.path.join(args.shared, "tools", "semantic_eval.py")
work = args.keep or tempfile.mkdtemp(prefix="deja-semantic-")
os.makedirs(work, exist_ok=True)
own_set = ("heldback" if args.heldback else "blind" if args.blind else "fourth" if args.fourth
           else "fifth" if args.fifth else "clusters" if args.devset else None)
if own_set:
    data = os.path.join(work, {"clusters": "devset"}.get(own_set, own_set))
    subprocess.run([sys.executable, os.path.join(ROOT, "eval", "devset", "build.py"), data, "--shared", args.shared,
                    "--clusters", own_set, "--per-system", str(args.per_system)], check=True)
else:
    data = os.path.join(args.shared, "data", "semantic-eval")
queries, qrels = os.path.join(data, "queries.jsonl"), os.path.join(data, "qrels.tsv")
if args.like_this or args.like_line:
    bodies = {e["id"]: e["body"] for e in map(json.loads, open(os.path.join(data, "corpus.jsonl")))}
    clusters = collections.defaultdict(list)
    for label in map(json.loads, open(os.path.join(data, "labels.jsonl"))):
        if args.like_this and label.get("cluster"):
            clusters[label["cluster"]].append(label["id"])
        if args.like_line and (label.get("template") or "").startswith("loghub/"):
            clusters[label["template"]].append(label["id"])
    if args.like_line:  # one line of each template is the query
        rng = random.Random(7)
        clusters = {t: (rng.choice(m), m) for t, m in sorted(clusters.items()) if len(m) >= 2}
    queries, qrels = os.path.join(work, "like-this-queries.jsonl"), os.path.join(work, "like-this-qrels.tsv")
    with open(queries, "w") as q, open(qrels, "w") as r:
        r.write("qid\tdoc_id\tgrade\n")
        for members in clusters.values():
            chosen, members = members if args.like_line else (None, members)
            for event in ([chosen] if chosen else members if len(members) >= 2 else []):
                q.write(json.dumps({"qid": event, "query": bodies[event], "kind": "like-this"}) + "\n")
                r.writelines(f"{event}\t{member}\t2\n" for member in members)
runs = []
with chroma_local.server(work) if args.chroma else contextlib.nullcontext([]) as flags:
    subprocess.run([deja, "ingest", "--jsonl", "--data-dir", work, os.path.join(data, "corpus.jsonl"), *flags], check=True)
    for name, extra in [("deja", []), ("deja-chroma", flags)] if flags else [("deja", [])]:
        runs.append((name, os.path.join(work, f"run_{name}.tsv")))
        with open(runs[-1][1], "w") as out:
            subprocess.run([deja, "search", "--data-dir", work, "--batch", queries, "-k", "10", *extra],
                           check=True, stdout=out)
if args.like_this or args.like_line:  # no baselines for these queries: Deja's runs only
    for name, path in runs:
        print(f"== {name}, logs like this one")
        sys.stdout.flush()
        subprocess.run([sys.executable, scorer, path, "--queries", queries, "--qrels", qrels], check=True)
    sys.exit(0)
if own_set:  # the sample ships its baseline runs; the development set's are made here
    subprocess.run([sys.executable, os.path.join(args.shared, "bench", "semantic_baselines.py"), "--set", data,
                    "--out", os.path.join(data, "baseline_runs"), "--methods", "bm25,minilm",
                    "--model", os.environ.get("DEJA_MODEL_DIR", os.path.expanduser("~/.cache/deja/models/all-MiniLM-L6-v2"))], check=True, stdout=subprocess.DEVNULL)
baselines = [(name, os.path.join(data, "baseline_runs", f"run_{name}.tsv")) for name in ("bm25", "minilm")]
for name, path in runs + baselines:
    for half in (["", "A", "B"] if args.devset or args.blind or args.fourth or args.fifth else [""]):
        print(f"== {name}" + (f", half {half}" if half else ""))
        sys.stdout.flush()
        queries = os.path.join(data, f"queries-{half}.jsonl" if half else "queries.jsonl")
        subprocess.run([sys.executable, scorer, path, "--queries", queries, "--qrels", os.path.join(data, "qrels.tsv")], check=True)
