"""deploy/: the Dockerfile lints, every overlay renders and validates against the Kubernetes schemas
offline, the manifests follow the conventions operators rely on, and Deja started exactly as the
container would be (the image's entrypoint and environment, the manifests' settings) with a real
ChromaDB answers its probes and takes a push in the format the shipped Fluent Bit config sends."""
import base64, gzip, json, os, re, shutil, subprocess, tempfile, time

import pytest
import yaml

from conftest import DEJA, ROOT, Server, free_port

DEPLOY = os.path.join(ROOT, "deploy")
OVERLAYS = ["single-node", "cluster"]
KUBERNETES_VERSION = "1.31.0"


def render(overlay):
    result = subprocess.run(["kubectl", "kustomize", os.path.join(DEPLOY, "k8s", "overlays", overlay)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def objects(overlay):
    return [o for o in yaml.safe_load_all(render(overlay)) if o]


def find(items, kind, name):
    return next(o for o in items if o["kind"] == kind and o["metadata"]["name"] == name)


def test_dockerfile_passes_hadolint():
    result = subprocess.run(["hadolint", os.path.join(DEPLOY, "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_and_validates_against_the_kubernetes_schemas(overlay, tmp_path):
    rendered = tmp_path / f"{overlay}.yaml"
    rendered.write_text(render(overlay))
    result = subprocess.run(["kubernetes-validate", "-k", KUBERNETES_VERSION, "--strict", "--quiet", str(rendered)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_collector_manifests_validate_and_configs_parse():
    result = subprocess.run(["kubernetes-validate", "-k", KUBERNETES_VERSION, "--strict", "--quiet",
                             os.path.join(DEPLOY, "collectors", "fluent-bit.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ["promtail.yaml", "otel-collector.yaml"]:
        with open(os.path.join(DEPLOY, "collectors", name)) as fh:
            config = yaml.safe_load(fh)
        text = json.dumps(config)
        assert "deja.deja.svc.cluster.local:8080" in text, name
    otel = yaml.safe_load(open(os.path.join(DEPLOY, "collectors", "otel-collector.yaml")))
    assert set(otel["service"]["pipelines"]["logs"]["exporters"]) == {"otlphttp/loki", "otlphttp/deja"}
    promtail = yaml.safe_load(open(os.path.join(DEPLOY, "collectors", "promtail.yaml")))
    assert [c["url"].endswith("/loki/api/v1/push") for c in promtail["clients"]] == [True, True]
    alloy = open(os.path.join(DEPLOY, "collectors", "alloy.alloy")).read()
    assert alloy.count("endpoint {") == 2 and "deja.deja.svc.cluster.local:8080/loki/api/v1/push" in alloy


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workloads_follow_the_conventions(overlay):
    items = objects(overlay)
    for item in items:
        assert item["metadata"]["labels"]["app.kubernetes.io/part-of"] == "deja", item["metadata"]["name"]
        if item["kind"] != "Namespace":
            assert item["metadata"]["namespace"] == "deja"
    workloads = [o for o in items if o["kind"] in ("Deployment", "StatefulSet")]
    deja = next(o for o in workloads if o["metadata"]["name"] == "deja")
    # Both keep the write-ahead log on a volume of each pod's own: acknowledged events survive a restart.
    assert deja["kind"] == "StatefulSet" and deja["spec"]["serviceName"] == "deja-headless"
    assert deja["spec"]["volumeClaimTemplates"][0]["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert find(items, "Service", "deja-headless")["spec"]["clusterIP"] == "None"
    for workload in workloads:
        pod = workload["spec"]["template"]
        assert workload["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
        assert pod["spec"]["automountServiceAccountToken"] is False
        for container in pod["spec"]["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False and security["capabilities"]["drop"] == ["ALL"]
            assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
            assert container["readinessProbe"] and container["livenessProbe"]
    container = deja["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert deja["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    assert deja["spec"]["template"]["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
    service = find(items, "Service", "deja")
    assert service["spec"]["selector"].items() <= deja["spec"]["template"]["metadata"]["labels"].items()
    if overlay == "cluster":
        hpa, pdb = find(items, "HorizontalPodAutoscaler", "deja"), find(items, "PodDisruptionBudget", "deja")
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "deja"}
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        assert pdb["spec"]["selector"]["matchLabels"] == deja["spec"]["selector"]["matchLabels"]
        chroma = find(items, "StatefulSet", "chromadb")
        assert chroma["spec"]["serviceName"] == "chromadb-headless"
        assert find(items, "Service", "chromadb-headless")["spec"]["clusterIP"] == "None"
        assert chroma["spec"]["volumeClaimTemplates"]
        # Only Deja may reach ChromaDB, which authenticates nothing itself.
        policy = find(items, "NetworkPolicy", "chromadb")
        assert policy["spec"]["podSelector"]["matchLabels"] == chroma["spec"]["selector"]["matchLabels"]
        assert policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"] == deja["spec"]["selector"]["matchLabels"]
        # The shared state: PostgreSQL on a volume, reachable from Deja's pods only, its URL from a Secret.
        postgres = find(items, "StatefulSet", "postgres")
        assert postgres["spec"]["serviceName"] == "postgres-headless" and postgres["spec"]["volumeClaimTemplates"]
        policy = find(items, "NetworkPolicy", "postgres")
        assert policy["spec"]["podSelector"]["matchLabels"] == postgres["spec"]["selector"]["matchLabels"]
        assert policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"] == deja["spec"]["selector"]["matchLabels"]
        env = {e["name"]: e for e in deja["spec"]["template"]["spec"]["containers"][0]["env"]}
        secret = find(items, "Secret", env["DEJA_STATE"]["valueFrom"]["secretKeyRef"]["name"])
        url = base64.b64decode(secret["data"]["url"]).decode()
        password = base64.b64decode(secret["data"]["password"]).decode()
        assert url == f"postgres://deja:{password}@postgres:5432/deja?sslmode=disable"
        assert env["DEJA_REPLICA"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
        config = next(o for o in items if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("deja-config"))
        assert config["data"]["DEJA_VECTOR_STORE"] == "chroma"
        assert config["data"]["DEJA_CHROMA_URL"] == "http://chromadb:8000"


def dockerfile_runtime():
    """The runtime stage's ENTRYPOINT and ENV, as the image runs Deja."""
    text = open(os.path.join(DEPLOY, "Dockerfile")).read()
    runtime = text[text.rindex("\nFROM "):]
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", runtime, re.M).group(1))
    env = {}
    for block in re.findall(r"^ENV ((?:.*\\\n)*.*)$", runtime, re.M):
        for name, value in re.findall(r"(\w+)=(\S+)", block):
            env[name] = value
    return entrypoint, env


def fluent_bit_deja_output():
    manifest = [o for o in yaml.safe_load_all(open(os.path.join(DEPLOY, "collectors", "fluent-bit.yaml"))) if o]
    config = yaml.safe_load(find(manifest, "ConfigMap", "fluent-bit-config")["data"]["fluent-bit.yaml"])
    return next(o for o in config["pipeline"]["outputs"] if o["name"] == "es" and o["host"].startswith("deja."))


def test_deja_started_as_the_container_is_answers_probes_and_fluent_bit_pushes(chroma, postgres, tmp_path):
    items = objects("cluster")
    deployment = find(items, "StatefulSet", "deja")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    entrypoint, env = dockerfile_runtime()
    assert entrypoint == ["/usr/local/bin/deja", "serve"]
    for source in container.get("envFrom", []):
        config = find(items, "ConfigMap", source["configMapRef"]["name"])
        env.update(config["data"])
    for variable in container.get("env", []):
        source = variable.get("valueFrom", {})
        if "secretKeyRef" in source:
            reference = source["secretKeyRef"]
            env[variable["name"]] = base64.b64decode(find(items, "Secret", reference["name"])["data"][reference["key"]]).decode()
        elif "fieldRef" in source:
            assert source["fieldRef"]["fieldPath"] == "metadata.name"
            env[variable["name"]] = "deja-0"
        else:
            env[variable["name"]] = variable["value"]

    # The pod's mounts, here: the data volume, the tokens Secret, the baked-in model.
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    local = {mounts["data"]: str(tmp_path / "data")}
    secret = find(items, "Secret", volumes["tokens"]["secret"]["secretName"])
    os.makedirs(tmp_path / "tokens")
    for key, value in secret["data"].items():
        (tmp_path / "tokens" / key).write_bytes(base64.b64decode(value))
    local[mounts["tokens"]] = str(tmp_path / "tokens")
    local[env["DEJA_MODEL_DIR"]] = os.environ.get("DEJA_MODEL_DIR", os.path.expanduser("~/.cache/deja/models/all-MiniLM-L6-v2"))
    for name, value in list(env.items()):
        for mount, path in local.items():
            if value == mount or value.startswith(mount + "/"):
                env[name] = path + value[len(mount):]
    # Cluster DNS names and the pod's 0.0.0.0 become this machine's loopback addresses.
    assert env["DEJA_CHROMA_URL"] == "http://chromadb:8000"
    env["DEJA_CHROMA_URL"] = chroma.url
    assert env["DEJA_STATE"].split("@")[1] == "postgres:5432/deja?sslmode=disable"
    env["DEJA_STATE"] = postgres.url
    port = free_port()
    assert env["DEJA_LISTEN"] == "0.0.0.0:8080"
    env["DEJA_LISTEN"] = f"127.0.0.1:{port}"

    log_path = tmp_path / "deja.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([DEJA, *entrypoint[1:], *container.get("args", [])], stdout=log, stderr=log,
                                   env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env})
    server = Server(str(tmp_path))
    server.port, server.base, server.process, server.log_path = port, f"http://127.0.0.1:{port}", process, str(log_path)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            assert process.poll() is None, log_path.read_text()
            try:
                if server.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        for probe in ["startupProbe", "livenessProbe", "readinessProbe"]:
            status, _, body = server.request("GET", container[probe]["httpGet"]["path"])
            assert status == 200, (probe, body)

        # A chunk as Fluent Bit's es output sends it with the shipped settings.
        output = fluent_bit_deja_output()
        tokens = json.loads((tmp_path / "tokens" / "tokens.json").read_text())["tokens"]
        ingest_token = next(t["token"] for t in tokens if t["scopes"] == ["ingest"])
        read_token = next(t["token"] for t in tokens if t["scopes"] == ["read"])
        password = output["http_passwd"].replace("${DEJA_INGEST_TOKEN}", ingest_token)
        action = {"create": {"_index": output["index"]}}
        if output.get("suppress_type_name") not in (True, "on"):
            action["create"]["_type"] = "_doc"
        trace = ("java.lang.IllegalStateException: connection pool exhausted after 30000 ms\n"
                 "\tat com.shop.db.Pool.borrow(Pool.java:88)\n\tat com.shop.checkout.OrderRepository.save(OrderRepository.java:41)")
        record = {"@timestamp": "2026-11-20T12:00:00.123Z", "time": "2026-11-20T12:00:00.123456789Z", "stream": "stderr", "_p": "F",
                  "log": trace, "kubernetes": {"pod_name": "checkout-7d9f8-x2x4q", "namespace_name": "shop", "container_name": "app",
                                               "labels": {"app.kubernetes.io/name": "checkout", "pod-template-hash": "7d9f8"},
                                               "host": "node-1", "container_image": "shop/checkout:1.4.2"}}
        body = (json.dumps(action) + "\n" + json.dumps(record) + "\n").encode()
        headers = {"Content-Type": "application/x-ndjson", "User-Agent": "Fluent-Bit",
                   "Authorization": "Basic " + base64.b64encode(f"{output['http_user']}:{password}".encode()).decode()}
        if output.get("compress") == "gzip":
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        status, _, answer = server.request("POST", f"{output.get('path', '')}/_bulk", body, headers)
        assert status == 200 and answer["errors"] is False, answer
        status, _, _ = server.request("POST", "/_bulk", body, {**headers, "Authorization": "Basic " + base64.b64encode(b"x:wrong").decode()})
        assert status == 401

        deadline, groups = time.time() + 90, []
        while time.time() < deadline:
            status, _, found = server.request("POST", "/api/v1/search", {"query": "database connection pool ran out"},
                                              {"Authorization": f"Bearer {read_token}"})
            assert status == 200, found
            groups = [g for g in found["groups"] if g.get("similarity") is not None and "pool exhausted" in g["signature"]["message"]]
            if groups:
                break
            time.sleep(0.5)
        assert groups, found
        event = groups[0]["events"][0]
        assert groups[0]["signature"]["service"] == "checkout" and event["tenant"] == "default"
        assert event["labels"]["kubernetes.namespace_name"] == "shop" and "OrderRepository.save" in event["body"]
        # The vector went to the ChromaDB the manifests point at, the count to the PostgreSQL, under the pod's name.
        assert chroma.client().get_collection("deja-default").count() >= 1
        assert postgres.query("SELECT service, count FROM deja_signatures") == [["checkout", "1"]]
        assert postgres.query("SELECT replica FROM deja_replicas") == [["deja-0"]]
    finally:
        server.stop()
