"""Metric search over a real Prometheus (Debian's prometheus, prometheus-node-exporter and
prometheus-alertmanager on loopback): Deja reads their metric metadata and finds metrics by meaning;
when Prometheus goes away, /readyz says so and search keeps answering from the last index."""
import os, shutil, signal, subprocess, tempfile, time, urllib.parse, urllib.request

from conftest import Server, free_port


def start(args, log_dir, name):
    binary = shutil.which(args[0])
    assert binary, f"{args[0]} is missing: scripts/setup.sh --integration installs prometheus, prometheus-node-exporter and prometheus-alertmanager"
    log = open(os.path.join(log_dir, f"{name}.log"), "ab")
    return subprocess.Popen([binary, *args[1:]], stdout=log, stderr=log)


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def test_metric_search_over_a_real_prometheus():
    work = tempfile.mkdtemp(prefix="deja-prometheus-")
    node_port, alertmanager_port, prometheus_port = free_port(), free_port(), free_port()
    processes = []
    try:
        processes.append(start(["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{node_port}"], work, "node"))
        alertmanager_config = write(work, "alertmanager.yml", "route: {receiver: none}\nreceivers: [{name: none}]\n")
        processes.append(start(["prometheus-alertmanager", f"--web.listen-address=127.0.0.1:{alertmanager_port}",
                                "--cluster.listen-address=", f"--storage.path={work}/alertmanager", f"--config.file={alertmanager_config}"],
                               work, "alertmanager"))
        config = f"""
global: {{scrape_interval: 1s}}
scrape_configs:
  - {{job_name: prometheus, static_configs: [{{targets: ['127.0.0.1:{prometheus_port}']}}]}}
  - {{job_name: node, static_configs: [{{targets: ['127.0.0.1:{node_port}']}}]}}
  - {{job_name: alertmanager, static_configs: [{{targets: ['127.0.0.1:{alertmanager_port}']}}]}}
"""
        prometheus = start(["prometheus", f"--config.file={write(work, 'prometheus.yml', config)}", f"--storage.tsdb.path={work}/tsdb",
                            f"--web.listen-address=127.0.0.1:{prometheus_port}"], work, "prometheus")
        processes.append(prometheus)
        prometheus_url = f"http://127.0.0.1:{prometheus_port}"
        # Wait until every target has been scraped: its metadata exists only then.
        deadline = time.time() + 60
        while time.time() < deadline:
            body = wait_http(prometheus_url + "/api/v1/targets/metadata?metric=go_goroutines").decode()
            if all(f'"job":"{job}"' in body for job in ("prometheus", "node", "alertmanager")):
                break
            time.sleep(0.5)
        else:
            raise AssertionError("Prometheus did not scrape its three targets within 60 s")

        server = Server(tempfile.mkdtemp(prefix="deja-serve-metrics-"),
                        ["--prometheus-url", prometheus_url, "--prometheus-refresh", "2s"]).start()
        try:
            deadline = time.time() + 240
            while time.time() < deadline:
                _, _, ready = server.request("GET", "/readyz")
                if ready.get("metric_index", {}).get("metrics", 0) > 300:
                    break
                time.sleep(1)
            else:
                raise AssertionError(f"the metric index was not built within 240 s: {ready}\n{server.log()}")

            def search(text, **params):
                query = urllib.parse.urlencode({"q": text, **params})
                status, _, body = server.request("GET", "/api/v1/metrics/search?" + query)
                assert status == 200, body
                return body["metrics"]

            disk = search("free disk space", limit=3)
            assert "node_filesystem_avail_bytes" in [hit["metric"] for hit in disk] or "node_filesystem_free_bytes" in [hit["metric"] for hit in disk], disk
            hit = next(hit for hit in disk if hit["metric"].startswith("node_filesystem_"))
            assert hit["jobs"] == ["node"], hit
            # Label names come from the job's recent series, which a refresh or two may wait for
            # (node exporter's first scrapes can miss slow collectors).
            deadline = time.time() + 60
            while "mountpoint" not in hit["labels"] and time.time() < deadline:
                time.sleep(1)
                hit = next(h for h in search("free disk space", limit=3) if h["metric"] == hit["metric"])
            assert "mountpoint" in hit["labels"], hit
            assert hit["links"]["prometheus"].startswith(prometheus_url + "/graph?g0.expr=")
            # The PromQL fits the type, and Prometheus accepts it.
            cpu = search("time the processor spent in each mode", type="counter", limit=3)
            assert cpu[0]["metric"] == "node_cpu_seconds_total", cpu
            assert cpu[0]["promql"] == "rate(node_cpu_seconds_total[5m])"
            answer = wait_http(prometheus_url + "/api/v1/query?" + urllib.parse.urlencode({"query": cpu[0]["promql"]})).decode()
            assert '"status":"success"' in answer
            alerting = search("notifications that could not be sent", job="alertmanager", limit=5)
            assert alerting and all(hit["jobs"] == ["alertmanager"] or "alertmanager" in hit["jobs"] for hit in alerting)
            assert "alertmanager_notifications_failed_total" in [hit["metric"] for hit in alerting], alerting
            assert "up" in [hit["metric"] for hit in search("is the scrape target up", limit=5)]

            # Prometheus goes away: readiness names it, search answers from the last index.
            prometheus.send_signal(signal.SIGTERM)
            prometheus.wait(timeout=30)
            deadline = time.time() + 30
            while time.time() < deadline:
                _, _, ready = server.request("GET", "/readyz")
                if ready.get("metric_index", {}).get("failing"):
                    break
                time.sleep(0.5)
            assert prometheus_url in ready["metric_index"].get("failing", {}), f"{ready}\n{server.log()}"
            assert ready["status"] == "ready"
            assert search("free disk space", limit=3)
            status, _, metrics = server.request("GET", "/metrics")
            text = metrics.decode() if isinstance(metrics, bytes) else str(metrics)
            assert "deja_metric_source_failures_total" in text
        finally:
            server.stop()
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w") as fh:
        fh.write(text)
    return path
