#!/usr/bin/env python3
"""Peak RSS of `deja serve` for the largest single requests its documented limits allow, against
its idle RSS (issue 16's bar: under 2x). Each request is sent alone, then the store catches up.

  python3 scripts/bench_request_memory.py [--deja .build/release/deja]
"""
import argparse, gzip, json, os, subprocess, sys, tempfile, time, urllib.error, urllib.request

MB = 1 << 20


def rss(pid, field):
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def request(base, path, body, headers):
    req = urllib.request.Request(base + path, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=300) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def requests_within_limits():
    """(name, path, body, headers): the largest of each kind the default limits accept or refuse."""
    line = "x" * (250 << 10)  # just under the 256 KiB line limit
    loki_lines = [[str(1_764_000_000_000_000_000 + i), line] for i in range(62)]  # ~15.5 MB, under 16 MiB of body
    yield "loki-json-16mb-of-long-lines", "/loki/api/v1/push", json.dumps(
        {"streams": [{"stream": {"app": "big"}, "values": loki_lines}]}).encode(), {"Content-Type": "application/json"}
    wide = {f"label{i}": "v" * 2000 for i in range(63)}
    wide["app"] = "wide"
    lines = [[str(1_764_000_000_000_000_000 + i), f"event {i}"] for i in range(120)]  # ~16 MB of events in memory
    yield "loki-json-64-labels-of-2kb-on-120-lines", "/loki/api/v1/push", gzip.compress(json.dumps(
        {"streams": [{"stream": wide, "values": lines}]}).encode()), {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    ndjson = "".join(json.dumps({"id": f"n{i}", "service": "bulk", "body": f"request {i} failed: " + "y" * 560}) + "\n"
                     for i in range(22_000)).encode()  # ~13 MB inflated, 16 MB of events in memory
    yield "ndjson-gzip-22000-events", "/api/v1/ingest", gzip.compress(ndjson), {"Content-Type": "application/x-ndjson",
                                                                                      "Content-Encoding": "gzip"}
    bomb = gzip.compress(b"{" * (64 * MB))
    yield "gzip-bomb-inflating-past-the-limit", "/api/v1/ingest", bomb, {"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"}
    bulk = "".join('{"create":{}}\n' + json.dumps({"message": f"doc {i} " + "z" * 150, "@timestamp": "2026-11-20T12:00:00Z",
                                                   **{f"f{k}": "w" * 20 for k in range(40)}}) + "\n" for i in range(4_000)).encode()  # as many as 16 MB of events allows
    yield "elasticsearch-bulk-4000-docs-40-fields", "/_bulk", bulk, {"Content-Type": "application/x-ndjson"}


def serve(deja, data_dir):
    """A fresh server, warmed with one small push and one search: its RSS then is the idle figure."""
    port = 18000 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([deja, "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(data_dir, "log"), "w"))
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    request(base, "/api/v1/ingest", b'{"body":"warm up"}\n', {"Content-Type": "application/x-ndjson"})
    urllib.request.urlopen(base + "/api/v1/search?q=warm", timeout=60).read()
    time.sleep(3)
    return server, base


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deja", default=".build/release/deja")
    args = parser.parse_args()
    print(f"{'request (each to a fresh server)':44} {'status':>6} {'body MB':>8} {'idle RSS MB':>12} {'peak RSS MB':>12} {'x idle':>7}")
    worst = 0.0
    for name, path, body, headers in requests_within_limits():
        with tempfile.TemporaryDirectory(prefix="deja-memory-") as data_dir:
            server, base = serve(args.deja, data_dir)
            try:
                idle = rss(server.pid, "VmRSS")
                with open(f"/proc/{server.pid}/clear_refs", "w") as fh:
                    fh.write("5")  # the peak (VmHWM) starts again from now
                status = request(base, path, body, headers)
                # Until the store has caught up: what the request left behind is stored too.
                for _ in range(600):
                    if json.loads(urllib.request.urlopen(base + "/readyz", timeout=10).read()).get("backlog_bytes") == 0:
                        break
                    time.sleep(0.5)
                time.sleep(2)
                peak = rss(server.pid, "VmHWM")
            finally:
                server.terminate()
                server.wait(timeout=120)
        worst = max(worst, peak / idle)
        print(f"{name:44} {status:>6} {len(body) / MB:>8.1f} {idle / MB:>12.0f} {peak / MB:>12.0f} {peak / idle:>7.2f}")
    print(f"worst peak / idle: {worst:.2f} (bar: < 2)")
    return 0 if worst < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
