"""Alert enrichment end to end with real components: Debian's Prometheus evaluates a rule that fires,
Debian's Alertmanager routes it to Deja's webhook (bearer token from its http_config), Deja names
the failure that was ingested for that service just before, forwards the enriched notification to
the next receiver (which fails once, so a retry is needed), and closes the record when the rule
resolves. No hand-written Alertmanager stand-in."""
import datetime, json, os, shutil, subprocess, tempfile, threading, time, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import DEJA, Server, free_port
from test_metrics import start, wait_http

TOKEN = "alertmanager-secret-token"
RULE = """groups:
  - name: shop
    interval: 1s
    rules:
      - alert: CheckoutDatabaseConnectionsExhausted
        expr: {expr}
        labels: {{service: checkout, severity: page}}
        annotations: {{summary: "checkout cannot get database connections"}}
"""


class Receiver(BaseHTTPRequestHandler):
    """The next receiver after Deja: refuses the first notification with a 503, keeps the rest."""
    received = []
    refusals = 1

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.refusals > 0:
            Receiver.refusals -= 1
            self.send_response(503)
        else:
            Receiver.received.append(json.loads(body))
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def iso(seconds_ago):
    at = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds_ago)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w") as fh:
        fh.write(text)
    return path


def test_prometheus_alert_arrives_enriched_and_resolves():
    work = tempfile.mkdtemp(prefix="deja-alerts-")
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    tokens = write(work, "tokens.json", json.dumps({"tokens": [{"token": TOKEN, "tenant": "shop", "scopes": ["ingest", "read"]}]}))
    server = Server(os.path.join(work, "deja"), ["--tokens", tokens, "--alert-forward", f"http://127.0.0.1:{receiver.server_port}/hook"])
    os.makedirs(server.data_dir)
    server.start()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    processes = []
    try:
        # The service's logs: routine lines and a steady unrelated warning for two hours, and the
        # failure behind the alert in the last minutes.
        lines = []
        for minute in range(120, 2, -4):
            lines.append({"service": "checkout", "level": "info", "timestamp": iso(minute * 60), "body": f"order {minute} placed in 84 ms"})
            lines.append({"service": "checkout", "level": "warning", "timestamp": iso(minute * 60), "body": f"card declined by issuer for order {minute}"})
            lines.append({"service": "pricing", "level": "error", "timestamp": iso(minute * 60), "body": "redis timeout after 200 ms"})
        for minute in (9, 7, 5, 3):
            lines.append({"id": f"cause-{minute}", "service": "checkout", "level": "error", "timestamp": iso(minute * 60),
                          "body": "HikariPool-1 - Connection is not available, request timed out after 30000ms."})
        status, _, answer = server.request("POST", "/api/v1/ingest", "".join(json.dumps(l) + "\n" for l in lines).encode(), auth)
        assert status == 200, answer
        deadline = time.time() + 60
        while time.time() < deadline and server.request("GET", "/api/v1/events/cause-3", headers=auth)[0] != 200:
            time.sleep(0.2)

        alertmanager_port, prometheus_port = free_port(), free_port()
        alertmanager_config = write(work, "alertmanager.yml", f"""
route: {{receiver: deja, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}}
receivers:
  - name: deja
    webhook_configs:
      - url: {server.base}/api/v1/alerts/alertmanager
        send_resolved: true
        http_config: {{authorization: {{credentials: {TOKEN}}}}}
""")
        processes.append(start(["prometheus-alertmanager", f"--web.listen-address=127.0.0.1:{alertmanager_port}", "--cluster.listen-address=",
                                f"--storage.path={work}/alertmanager", f"--config.file={alertmanager_config}"], work, "alertmanager"))
        wait_http(f"http://127.0.0.1:{alertmanager_port}/-/ready")
        rules = write(work, "rules.yml", RULE.format(expr="vector(1)"))
        config = write(work, "prometheus.yml", f"""
global: {{evaluation_interval: 1s}}
rule_files: [{rules}]
alerting: {{alertmanagers: [{{static_configs: [{{targets: ['127.0.0.1:{alertmanager_port}']}}]}}]}}
""")
        processes.append(start(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={work}/tsdb", "--web.enable-lifecycle",
                                # Resolutions reach Alertmanager within seconds, not minutes.
                                "--rules.alert.resend-delay=1s",
                                f"--web.listen-address=127.0.0.1:{prometheus_port}"], work, "prometheus"))

        def alert(status=None):
            code, _, body = server.request("GET", "/api/v1/alerts" + (f"?status={status}" if status else ""), headers=auth)
            assert code == 200, body
            return next((a for a in body["alerts"] if a["name"] == "CheckoutDatabaseConnectionsExhausted"), None)

        deadline = time.time() + 120
        while time.time() < deadline and not ((found := alert()) and found.get("enrichment")):
            time.sleep(0.5)
        assert found and found.get("enrichment"), f"no enriched alert within 120 s:\n{server.log()}"
        print(f"enriched alert {120 - (deadline - time.time()):.1f} s after Prometheus started")
        assert found["status"] == "firing" and found["labels"]["service"] == "checkout"
        top = found["related"][0]
        assert top["message"].startswith("HikariPool-<num> - Connection is not available"), found["related"]
        assert top["service"] == "checkout" and top["count"] == 4 and top["state"] == "new"
        assert all(r["service"] == "checkout" for r in found["related"])
        assert found["enrichment"]["service"] == "checkout"

        # The next receiver got it after a retry, with the enrichment beside Alertmanager's payload.
        deadline = time.time() + 60
        while time.time() < deadline and not Receiver.received:
            time.sleep(0.5)
        assert Receiver.received, "the enriched notification was not forwarded"
        forwarded = Receiver.received[0]
        assert forwarded["version"] == "4" and forwarded["receiver"] == "deja"
        assert forwarded["enrichment"][found["fingerprint"]]["related"][0]["message"] == top["message"]

        # The rule stops firing: Alertmanager sends the resolution and the record closes.
        write(work, "rules.yml", RULE.format(expr="vector(1) == 0"))
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{prometheus_port}/-/reload", method="POST"), timeout=10).read()
        deadline = time.time() + 120
        while time.time() < deadline and not alert("resolved"):
            time.sleep(0.5)
        print(f"resolved {120 - (deadline - time.time()):.1f} s after the rule changed")
        closed = alert("resolved")
        assert closed and closed["fingerprint"] == found["fingerprint"] and closed["endsAt"], f"not resolved within 120 s:\n{server.log()}"
        assert closed["related"] == found["related"]  # the enrichment stays with the record

        # The CLI lists it too, from the same data directory.
        listed = subprocess.run([DEJA, "alerts", "--data-dir", server.data_dir, "--tenant", "shop"], check=True, capture_output=True, text=True).stdout
        assert listed.startswith("RESOLVED\tCheckoutDatabaseConnectionsExhausted\t") and "\tcheckout\t" in listed
        assert "\tnew\tcheckout\tHikariPool-<num> - Connection is not available" in listed.splitlines()[1]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        receiver.shutdown()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
