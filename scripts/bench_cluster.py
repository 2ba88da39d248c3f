#!/usr/bin/env python3
"""Cluster mode beside the embedded default, in one run, from a second process on loopback.

    .venv/bin/python scripts/bench_cluster.py [--seconds 60] [--producers 6] [--kill-cycles 20] [--search-events 1000000]

Starts a real PostgreSQL and a real ChromaDB (as the integration tests do) and release builds of
`deja serve`:
1. The embedded default (one server): Loki JSON push of the loghub-2k mix (fresh variable values,
   batches of 1,000 lines) for --seconds: events/s acknowledged and stored, acknowledgement p50/p99.
2. Three replicas sharing PostgreSQL and ChromaDB, filled with the same mix to --search-events
   events, then searches over HTTP (log lines of the mix and the semantic-eval queries) spread
   over the replicas: p50/p99, whether every replica gave the same groups for the same query, and
   beside them ChromaDB's own nearest-neighbour query time at that moment;
   then how long until the grouping leader has every signature in an issue, whether every replica
   lists the same issues, and the searches once more.
3. The same push spread over the three for --seconds: events/s acknowledged and counted in the
   shared state, together.
4. --kill-cycles times, under load: SIGKILL a random replica, restart it. Each request of 50 lines
   carries a service of its own, so the shared state shows exactly which requests were counted:
   acknowledged requests missing or counted twice must be 0 (a request whose connection broke may
   be counted once or not at all).
Reads ../shared (or $DEJA_SHARED). Prints one JSON report.
"""
import argparse, json, os, random, re, shutil, signal, sys, tempfile, time, urllib.error, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from conftest import Chroma, Postgres, Server  # noqa: E402  (the integration tests' real servers)
from loghub_load import Producers, fresh, loghub_lines, percentile, push_body  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--seconds", type=int, default=60)
ap.add_argument("--producers", type=int, default=6)
ap.add_argument("--kill-cycles", type=int, default=20)
ap.add_argument("--search-events", type=int, default=1_000_000)
ap.add_argument("--queries", type=int, default=200)
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--deja", default=os.path.join(ROOT, ".build", "release", "deja"))
args = ap.parse_args()
import conftest  # noqa: E402
conftest.DEJA = args.deja

random.seed(7)
lines = loghub_lines(args.shared)
START_NS = 1_763_000_000_000_000_000
bodies = [push_body(random.sample(lines, 1000), START_NS + i * 1000) for i in range(300)]


def producers_for(targets, make_body=lambda n: (bodies[n % len(bodies)], 1000, None)):
    return Producers(args.producers, [target.port for target in targets], make_body, headers={"X-Scope-OrgID": "bench"})


def push_for(seconds, targets, stored):
    """Pushes for `seconds`; `stored()` tells how many events are stored (counted) so far."""
    before = stored()
    producers = producers_for(targets)
    time.sleep(seconds)
    elapsed = producers.finish()
    return {"events_acknowledged_per_s": round(producers.acknowledged / elapsed),
            "events_stored_per_s": round((stored() - before) / elapsed),
            "ack_latency_p50_ms": round(percentile(producers.latencies, 0.5) * 1000, 1),
            "ack_latency_p99_ms": round(percentile(producers.latencies, 0.99) * 1000, 1),
            "throttled_429": producers.throttled, "errors": producers.errors}


def data_dir(name):
    return tempfile.mkdtemp(prefix=f"deja-bench-{name}-")


report = {"cpu_cores": os.cpu_count()}

# 1. The embedded default.
single = Server(data_dir("single"), ["--log-level", "warning"]).start()


def stored_in(server):
    text = server.request("GET", "/metrics")[2]
    text = text.decode() if isinstance(text, bytes) else str(text)
    match = re.search(r"^deja_stored_events (\S+)", text, re.M)
    return float(match.group(1)) if match else 0


report["embedded_default"] = push_for(args.seconds, [single], lambda: stored_in(single))
single.stop()
shutil.rmtree(single.data_dir, ignore_errors=True)
print(json.dumps(report), file=sys.stderr)

# 2. Three replicas on one PostgreSQL and one ChromaDB.
postgres, chroma = Postgres().start(), Chroma().start()
replicas = [Server(data_dir(f"replica{i}"), ["--state", postgres.url, "--replica", f"replica-{i}", "--vector-store", "chroma",
                                             "--chroma-url", chroma.url, "--log-level", "warning"]).start() for i in range(3)]


def total_counted():
    return int(postgres.query("SELECT coalesce(sum(count), 0) FROM deja_signatures")[0][0])


# Searches at --search-events events, spread over the replicas.
producers = producers_for(replicas)
while producers.acknowledged < args.search_events:  # what is acknowledged is counted once the backlogs are stored
    time.sleep(0.5)
producers.finish()
load_ended = time.time()
settled, last = 0, -1
while settled < 3:  # the replicas have counted their backlogs
    time.sleep(1)
    now = total_counted()
    settled, last = (settled + 1 if now == last else 0), now
queries = [fresh(line) for _, line in random.sample(lines, args.queries)]
queries += [json.loads(l)["query"] for l in open(os.path.join(args.shared, "data", "semantic-eval", "queries.jsonl"))]


CHROMA_DATABASE = "/api/v2/tenants/default_tenant/databases/default_database"


def chroma_query_seconds(rng):
    """One nearest-neighbour query of the bench tenant's collection, straight to ChromaDB (a random
    unit vector, 100 results, as Deja asks): what ChromaDB alone takes at that moment."""
    if not getattr(chroma_query_seconds, "collection", None):
        try:
            with urllib.request.urlopen(chroma.url + CHROMA_DATABASE + "/collections/deja-bench", timeout=10) as response:
                chroma_query_seconds.collection = json.loads(response.read())["id"]
        except urllib.error.HTTPError:
            return None  # not published to yet
    vector = [rng.gauss(0, 1) for _ in range(384)]
    norm = sum(v * v for v in vector) ** 0.5
    body = json.dumps({"query_embeddings": [[v / norm for v in vector]], "n_results": 100, "include": ["distances"]}).encode()
    request = urllib.request.Request(f"{chroma.url}{CHROMA_DATABASE}/collections/{chroma_query_seconds.collection}/query", data=body,
                                     method="POST", headers={"Content-Type": "application/json"})
    begun = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    return time.perf_counter() - begun


def searched():
    """The queries spread over the replicas (every tenth asked of all three): latencies and sameness;
    beside them, every fifth query's time straight to ChromaDB."""
    latencies, same, compared, chroma_latencies, stages = [], 0, 0, [], {}
    rng = random.Random(7)
    for number, query in enumerate(queries):
        if number % 5 == 0 and (seconds := chroma_query_seconds(rng)) is not None:
            chroma_latencies.append(seconds)
        answers = []
        for replica in (replicas if number % 10 == 0 else [replicas[number % 3]]):
            begun = time.perf_counter()
            status, _, result = replica.request("POST", "/api/v1/search", {"query": query, "limit": 10}, {"X-Scope-OrgID": "bench"})
            latencies.append(time.perf_counter() - begun)
            assert status == 200, result
            for stage, milliseconds in {"queued": result.get("queuedMilliseconds", 0), **result.get("stages", {})}.items():
                stages.setdefault(stage, []).append(milliseconds / 1000)
            answers.append([(g["signature"]["id"], g["count"]) for g in result["groups"]])
        if len(answers) == 3:
            compared += 1
            same += answers[0] == answers[1] == answers[2]
    return {"queries": len(latencies), "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1), "max_ms": round(max(latencies) * 1000, 1),
            "queries_asked_of_all_three": compared, "same_groups_from_all_three": same,
            "stages_p50_p99_ms": {stage: [round(percentile(values, q) * 1000, 1) for q in (0.5, 0.99)] for stage, values in stages.items()},
            "chroma_alone_p50_ms": round(percentile(chroma_latencies, 0.5) * 1000, 1) if chroma_latencies else None,
            "chroma_alone_p99_ms": round(percentile(chroma_latencies, 0.99) * 1000, 1) if chroma_latencies else None}


# Once right after the load (PostgreSQL's autovacuum and the embedders still at work), once a minute later.
report["search"] = {"events": total_counted(), "signatures": int(postgres.query("SELECT count(*) FROM deja_signatures")[0][0]),
                    "right_after_load": searched()}
time.sleep(60)
report["search"]["a_minute_later"] = searched()
print(json.dumps(report), file=sys.stderr)


# Grouping: one replica (the lease holder) mines and places every replica's signatures; how long
# after the load until every signature is in an issue, and whether every replica lists the same issues.
def ungrouped():
    return int(postgres.query("SELECT count(*) FROM deja_signatures s LEFT JOIN deja_signature_groups g ON g.signature_id = s.id "
                              "WHERE g.issue_id IS NULL")[0][0])


def issues_listed(replica):
    status, _, body = replica.request("GET", "/api/v1/issues?limit=1000&since=2000-01-01T00:00:00Z", headers={"X-Scope-OrgID": "bench"})
    assert status == 200, body
    return [(i["issue"]["id"], i["windowCount"]) for i in body["issues"]]


deadline = time.time() + 1200
while ungrouped() and time.time() < deadline:
    time.sleep(5)
report["grouping"] = {"after_load_seconds": round(time.time() - load_ended), "signatures_not_in_an_issue": ungrouped(),
                      "leaders": [r.request("GET", "/metrics")[2].decode().count("\ndeja_grouping_leader 1") for r in replicas],
                      "same_issues_on_all_three": issues_listed(replicas[0]) == issues_listed(replicas[1]) == issues_listed(replicas[2]),
                      "issues": len(issues_listed(replicas[0]))}
report["search"]["once_grouped"] = searched()
print(json.dumps(report), file=sys.stderr)


# 3. Sustained push over the three.
report["three_replicas"] = push_for(args.seconds, replicas, total_counted)
print(json.dumps(report), file=sys.stderr)



def counted_by_service(prefix):
    rows = postgres.query(f"SELECT service, sum(count) FROM deja_signatures WHERE tenant = 'bench' AND service LIKE '{prefix}%' GROUP BY service")
    return {service: int(total) for service, total in rows}


# 4. SIGKILL cycles under load: a service per request.
def own_body(number):
    key = f"kill-{number}"
    return push_body(random.sample(lines, 50), START_NS + number * 1000, service=key), 50, key


producers = producers_for(replicas, make_body=own_body)
for cycle in range(args.kill_cycles):
    time.sleep(random.uniform(1, 3))
    victim = random.choice(replicas)
    victim.stop(signal.SIGKILL)
    victim.start()
time.sleep(2)
producers.finish()
acknowledged = {key: n for key, n, status in producers.outcomes if status == 204}
broken = {key: n for key, n, status in producers.outcomes if status is None}
refused = {key for key, n, status in producers.outcomes if status not in (204, None)}
deadline = time.time() + 300
while time.time() < deadline:
    counts = counted_by_service("kill-")
    if all(counts.get(key, 0) >= n for key, n in acknowledged.items()):
        break
    time.sleep(1)
time.sleep(5)  # a double count would show by now
counts = counted_by_service("kill-")
report["kill_cycles"] = {
    "cycles": args.kill_cycles, "requests_acknowledged": len(acknowledged), "requests_broken_connection": len(broken),
    "requests_refused": len(refused),
    "acknowledged_lost": sum(1 for key, n in acknowledged.items() if counts.get(key, 0) < n),
    "acknowledged_counted_twice": sum(1 for key, n in acknowledged.items() if counts.get(key, 0) > n),
    "broken_counted_partly_or_twice": sum(1 for key, n in broken.items() if counts.get(key, 0) not in (0, n)),
    "refused_counted": sum(1 for key in refused if counts.get(key, 0) > 0),
}
print(json.dumps(report), file=sys.stderr)

for replica in replicas:
    replica.stop()
    shutil.rmtree(replica.data_dir, ignore_errors=True)
chroma.stop()
postgres.stop()
shutil.rmtree(chroma.data, ignore_errors=True)
shutil.rmtree(postgres.folder, ignore_errors=True)
print(json.dumps(report, indent=1))
