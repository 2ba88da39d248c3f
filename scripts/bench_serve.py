#!/usr/bin/env python3
"""`deja serve` under load, from a second process on loopback.

    python3 scripts/bench_serve.py [--seconds 300] [--producers 4] [--search-events 1000000]
    python3 scripts/bench_serve.py --sustained-rate 27000   # only part 2, with that measured rate
    python3 scripts/bench_serve.py --push-only --seconds 60 --deja /tmp/earlier/deja   # part 1, another build

1. Sustained Loki JSON push of the loghub-2k mix (fresh variable values), batches of 1,000 lines,
   for --seconds: events/s acknowledged, acknowledgement latency p50/p99, 429s, and the server's RSS
   sampled every 10 s (memory should stay flat).
2. On a fresh server: search over HTTP once --search-events events are stored, queries of up to 32
   word pieces (log lines and the semantic-eval queries), while ingest runs at half the sustained
   rate: p50/p99.
3. Then, still under that ingest, --alerts Alertmanager notifications (one alert each, a service of
   the mix, started inside the stored range): the webhook's answer p50/p99, and the time from
   receipt until the alert reads back enriched (polled every 10 ms).
Release build; reads ../shared (or $DEJA_SHARED). Prints one JSON report.
"""
import argparse, http.client, json, os, random, re, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from loghub_load import Producers, fresh, loghub_lines, percentile, push_body  # noqa: E402
ap = argparse.ArgumentParser()
ap.add_argument("--seconds", type=int, default=300)
ap.add_argument("--producers", type=int, default=4)
ap.add_argument("--search-events", type=int, default=1_000_000)
ap.add_argument("--queries", type=int, default=200)
ap.add_argument("--alerts", type=int, default=100)
ap.add_argument("--sustained-rate", type=float, help="skip part 1 and take this as the sustained rate (events/s)")
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--push-only", action="store_true", help="stop after part 1")
ap.add_argument("--deja", help="this binary instead of the repository's release build (an earlier build, side by side)")
args = ap.parse_args()

if args.deja:
    deja = args.deja
else:
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    deja = os.path.join(ROOT, ".build", "release", "deja")
port = server = data = None


def start_server():
    """A fresh `deja serve` on a fresh data directory."""
    global port, server, data
    if server:
        server.send_signal(signal.SIGTERM)
        server.wait()
        shutil.rmtree(data)
    data = tempfile.mkdtemp(prefix="deja-bench-serve-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([deja, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}", "--log-level", "warning"],
                              stdout=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("deja serve did not start")


def request(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, payload


def rss_mb():
    with open(f"/proc/{server.pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


# The loghub-2k mix with fresh variable values, as Loki push bodies of 1,000 lines.
random.seed(7)
lines = loghub_lines(args.shared)
bodies = [push_body(random.sample(lines, 1000), 1_763_000_000_000_000_000 + i * 1000) for i in range(300)]


def producers_of(count, rate=None):
    return Producers(count, [port], lambda n: (bodies[n % len(bodies)], 1000, None), rate=rate)


report = {}
if args.sustained_rate:
    sustained_rate = args.sustained_rate
else:
    # 1. Sustained push.
    start_server()
    producers = producers_of(args.producers)
    rss = []
    while time.time() - producers.started < args.seconds:
        time.sleep(10)
        rss.append(round(rss_mb()))
    elapsed = producers.finish()
    report["sustained"] = {
        "seconds": round(elapsed), "events_acknowledged_per_s": round(producers.acknowledged / elapsed),
        "ack_latency_p50_ms": round(percentile(producers.latencies, 0.5) * 1000, 1),
        "ack_latency_p99_ms": round(percentile(producers.latencies, 0.99) * 1000, 1),
        "throttled_429": producers.throttled, "errors": producers.errors, "rss_mb_every_10s": rss,
    }
    sustained_rate = producers.acknowledged / elapsed
    print(json.dumps(report), file=sys.stderr)
    if args.push_only:
        server.send_signal(signal.SIGTERM)
        server.wait()
        shutil.rmtree(data)
        print(json.dumps(report))
        sys.exit(0)
start_server()

# 2. Fill to --search-events, then search while ingest runs at half the sustained rate.
def stored():
    text = request("GET", "/metrics")[1].decode()
    match = re.search(r"^deja_stored_events (\S+)", text, re.M)
    return float(match.group(1)) if match else 0


producers = producers_of(args.producers)
while stored() < args.search_events:
    time.sleep(2)
producers.finish()
queries = [fresh(line) for _, line in random.sample(lines, args.queries * 6)]
evaldir = os.path.join(args.shared, "data", "semantic-eval")
queries += [json.loads(l)["query"] for l in open(os.path.join(evaldir, "queries.jsonl"))]
from transformers import AutoTokenizer  # noqa: E402  (the model's own tokenizer counts word pieces)
tokenizer = AutoTokenizer.from_pretrained(os.environ.get("DEJA_MODEL_DIR", os.path.expanduser("~/.cache/deja/models/all-MiniLM-L6-v2")))
queries = [q for q in queries if len(tokenizer(q)["input_ids"]) <= 32]
random.shuffle(queries)
queries = queries[: args.queries]
background = producers_of(args.producers, rate=sustained_rate / 2)
latencies = []
for query in queries:
    begun = time.perf_counter()
    status, _ = request("POST", "/api/v1/search", json.dumps({"query": query, "limit": 10}).encode(), {"Content-Type": "application/json"})
    latencies.append(time.perf_counter() - begun)
    assert status == 200, status
report["search_under_ingest"] = {
    "stored_events": int(stored()), "queries": len(latencies), "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
    "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
}
print(json.dumps({"search_under_ingest": report["search_under_ingest"]}), flush=True)

# 3. Alerts under the same ingest.
answers, ready = [], []
systems = sorted({system for system, _ in lines})
for index in range(args.alerts):
    starts = 1_763_000_000 + random.randint(0, 290)  # inside the pushed range (nanosecond timestamps from 1_763e18)
    payload = {"version": "4", "groupKey": f"{{}}:{{alertname=\"Bench{index}\"}}", "status": "firing", "receiver": "deja", "groupLabels": {},
               "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
               "alerts": [{"status": "firing", "labels": {"alertname": f"HighErrorRate{index}", "service_name": systems[index % len(systems)]},
                           "annotations": {"summary": "errors above their usual rate"},
                           "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(starts)), "endsAt": "0001-01-01T00:00:00Z",
                           "generatorURL": "", "fingerprint": f"bench{index:04d}"}]}
    begun = time.perf_counter()
    status, _ = request("POST", "/api/v1/alerts/alertmanager", json.dumps(payload).encode(), {"Content-Type": "application/json"})
    answered = time.perf_counter()
    answers.append(answered - begun)
    assert status == 200, status
    while json.loads(request("GET", f"/api/v1/alerts/bench{index:04d}")[1]).get("enrichment") is None:
        time.sleep(0.01)
    ready.append(time.perf_counter() - begun)
    time.sleep(0.05)
ingest_elapsed = background.finish()
if answers:
    report["alerts_under_ingest"] = {
        "alerts": len(answers), "answer_p50_ms": round(percentile(answers, 0.5) * 1000, 1), "answer_p99_ms": round(percentile(answers, 0.99) * 1000, 1),
        "enriched_p50_ms": round(percentile(ready, 0.5) * 1000, 1), "enriched_p99_ms": round(percentile(ready, 0.99) * 1000, 1),
        "enriched_max_ms": round(max(ready) * 1000, 1),
    }
report["background_ingest_events_per_s"] = round(background.acknowledged / ingest_elapsed)
server.send_signal(signal.SIGTERM)
server.wait()
shutil.rmtree(data)
print(json.dumps(report, indent=2))
