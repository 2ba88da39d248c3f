"""Load for the serve benchmarks (`bench_serve.py`, `bench_cluster.py`): the loghub-2k mix with
fresh variable values, as Loki push bodies, pushed by producer threads over keep-alive connections."""
import glob, http.client, json, os, random, re, sys, threading, time


def loghub_lines(shared):
    """Every line of the loghub-2k systems under `shared`, as (system, line)."""
    lines = []
    for path in sorted(glob.glob(os.path.join(shared, "data", "loghub-2k", "*", "*_2k.log"))):
        system = os.path.basename(os.path.dirname(path)).lower()
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines += [(system, l.rstrip("\n")) for l in fh if l.strip()]
    if not lines:
        sys.exit(f"no loghub-2k logs under {shared}/data/loghub-2k")
    return lines


def fresh(line):
    """The line with fresh digits: the same shape, new variable values."""
    return re.sub(r"\d", lambda _: str(random.randint(0, 9)), line)


def push_body(batch, start_ns, service=None):
    """A Loki JSON push of `batch` (system, line) one nanosecond apart, a stream per system (or all under `service`)."""
    streams = {}
    for offset, (system, line) in enumerate(batch):
        streams.setdefault(service or system, []).append([str(start_ns + offset), fresh(line)])
    return json.dumps({"streams": [{"stream": {"service_name": s, "job": "bench"}, "values": v} for s, v in streams.items()]}).encode()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


class Producers:
    """Threads pushing to `ports` in turn; `make_body(n)` gives request n's (body, events, key).
    `rate` (events/s) caps them when set. Each request's (key, events, status, or None when the
    connection broke) is kept in `outcomes`."""

    def __init__(self, count, ports, make_body, rate=None, headers=None):
        self.latencies, self.outcomes, self.acknowledged, self.throttled, self.errors = [], [], 0, 0, 0
        self.lock, self.stop, self.rate = threading.Lock(), threading.Event(), rate
        self.ports, self.make_body = ports, make_body
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.counter = 0
        self.threads = [threading.Thread(target=self.run) for _ in range(count)]
        self.started = time.time()
        for thread in self.threads:
            thread.start()

    def run(self):
        connections = {}
        while not self.stop.is_set():
            if self.rate:
                due = self.started + self.acknowledged / self.rate
                if due > time.time():
                    time.sleep(min(0.05, due - time.time()))
                    continue
            with self.lock:
                number = self.counter
                self.counter += 1
            port = self.ports[number % len(self.ports)]
            body, events, key = self.make_body(number)
            begun = time.perf_counter()
            try:
                connection = connections.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connections[port] = connection
                connection.request("POST", "/loki/api/v1/push", body=body, headers=self.headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                connections.pop(port, None)
                status = None
            elapsed = time.perf_counter() - begun
            with self.lock:
                self.outcomes.append((key, events, status))
                if status == 204:
                    self.acknowledged += events
                    self.latencies.append(elapsed)
                elif status == 429:
                    self.throttled += 1
                else:
                    self.errors += 1
            if status == 429:
                time.sleep(float(response.getheader("Retry-After", "1")))
            elif status is None:
                time.sleep(0.2)

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join()
        return time.time() - self.started
