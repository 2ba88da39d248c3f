#!/usr/bin/env python3
"""Metric search at 20,000 metrics: search latency over HTTP while a refresh embeds them all, and
after; and that a refresh re-embeds only the documents that changed.

The 458 real metrics of ../shared/data/metric-search/corpus.json are repeated under 44 exporter
prefixes (each copy's HELP names its exporter, so every document is distinct), and served by a
small stand-in for Prometheus' metadata API (/api/v1/metadata, label/__name__/values,
targets/metadata, series) run by this script: no real Prometheus holds 20,000 metric families.

    python3 scripts/bench_metrics.py [--deja .build/release/deja] [--metrics 20000]
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile, threading, time, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared")))
ap.add_argument("--deja", default=os.path.join(ROOT, ".build", "release", "deja"))
ap.add_argument("--metrics", type=int, default=20000)
args = ap.parse_args()

base = json.load(open(os.path.join(args.shared, "data", "metric-search", "corpus.json")))
copies = -(-args.metrics // len(base))
catalogue = {}
for copy in range(copies):
    for metric in base:
        if len(catalogue) == args.metrics:
            break
        name = f"exp{copy}_{metric['metric']}"
        catalogue[name] = dict(metric, metric=name, jobs=[f"exporter{copy}"],
                               help=(metric["help"] or metric["metric"]) + f" (exporter {copy})")
names = sorted(catalogue)
lock = threading.Lock()


class FakePrometheus(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        path = urllib.parse.urlparse(self.path)
        with lock:
            if path.path == "/api/v1/metadata":
                data = {n: [{"type": m["type"], "help": m["help"], "unit": m["unit"]}] for n, m in catalogue.items()}
            elif path.path == "/api/v1/label/__name__/values":
                data = names
            elif path.path == "/api/v1/targets/metadata":
                data = [{"target": {"job": m["jobs"][0], "instance": "x:1"}, "metric": n} for n, m in catalogue.items()]
            elif path.path == "/api/v1/series":
                job = re.search(r'job="([^"]+)"', urllib.parse.parse_qs(path.query)["match[]"][0]).group(1)
                data = [dict({"__name__": n, "job": job}, **{l: "v" for l in m["labels"]}) for n, m in catalogue.items() if m["jobs"][0] == job]
            else:
                self.send_response(404), self.end_headers()
                return
        body = json.dumps({"status": "success", "data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


fake = ThreadingHTTPServer(("127.0.0.1", 0), FakePrometheus)
threading.Thread(target=fake.serve_forever, daemon=True).start()
data_dir = tempfile.mkdtemp(prefix="deja-bench-metrics-")
port = 18000 + os.getpid() % 1000
log = open(os.path.join(data_dir, "server.log"), "w")
server = subprocess.Popen([args.deja, "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}",
                           "--prometheus-url", f"http://127.0.0.1:{fake.server_port}", "--prometheus-refresh", "20s"], stdout=log, stderr=log)
QUESTIONS = ["disk throughput", "memory used by the heap", "network packets dropped", "time spent waiting for locks",
             "how many requests failed", "size of the write ahead log", "number of open connections", "CPU time in kernel mode",
             "garbage collection frequency", "scrape took too long", "rule evaluation latency", "notifications that failed",
             "swap usage", "temperature of the hardware", "entropy available", "time since boot", "context switches per second",
             "queue length", "bytes sent over the network", "configuration reload failed"]


def get(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return json.loads(response.read())


def timed_searches(rounds):
    times = []
    for _ in range(rounds):
        for question in QUESTIONS:
            started = time.perf_counter()
            get("/api/v1/metrics/search?" + urllib.parse.urlencode({"q": question, "limit": 10}))
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99) - 1]


try:
    deadline = time.time() + 60
    while True:
        try:
            get("/healthz")
            break
        except OSError:
            assert time.time() < deadline, "deja serve did not start"
            time.sleep(0.2)
    started = time.time()
    while get("/readyz").get("metric_index", {}).get("metrics", 0) < len(catalogue):
        assert time.time() - started < 3600, "the first refresh took over an hour"
        time.sleep(1)
    print(f"{len(catalogue)} metrics indexed and embedded in {time.time() - started:.0f} s (one background thread)")
    p50, p99 = timed_searches(10)
    print(f"search over {len(catalogue)} metrics (200 queries): p50 {p50:.1f} ms, p99 {p99:.1f} ms")

    def next_refresh(action):
        """Runs `action` until the server logs its next refresh; returns (embedded, metrics, action's results)."""
        log.flush()
        mark = os.path.getsize(log.name)
        results = []
        deadline = time.time() + 3600
        while time.time() < deadline:
            found = re.search(r"embedded=(\d+) metrics=(\d+)", open(log.name).read()[mark:])
            if found:
                return int(found.group(1)), int(found.group(2)), results
            results.append(action())
        raise AssertionError("no refresh within an hour")

    # Every HELP text changes: the next refresh embeds all of them again while search answers
    # from the index it has.
    with lock:
        for name in names:
            catalogue[name]["help"] += " (revised)"
    embedded, total, rounds = next_refresh(lambda: timed_searches(1))
    p50s, p99s = [p for p, _ in rounds], [p for _, p in rounds]
    print(f"while a refresh embedded all {embedded} documents again ({len(rounds) * len(QUESTIONS)} queries): "
          f"p50 {statistics.median(p50s):.1f} ms, p99 per round median {statistics.median(p99s):.1f} ms, worst {max(p99s):.1f} ms")
    with lock:
        for name in names[:100]:
            catalogue[name]["help"] += " Changed."
    embedded, total, _ = next_refresh(lambda: time.sleep(0.5))
    print(f"after 100 HELP texts changed, the next refresh embedded {embedded} documents of {total}")
finally:
    server.terminate()
    server.wait(timeout=60)
    fake.shutdown()
