"""ChromaDB as the vector store, against a real `chroma run` (PyPI chromadb) on loopback: what Deja
writes is what a Chroma user reads, nearest neighbours agree, and an outage loses nothing."""
import json, os, re, sqlite3, subprocess, tempfile, threading, time, urllib.error, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import DEJA, Server, free_port

MESSAGES = [
    ("checkout", "error", "java.lang.NullPointerException: Cannot invoke \"Cart.total()\" because \"cart\" is null"),
    ("checkout", "info", "order {n} placed in {ms} ms"),
    ("pricing", "error", "System.NullReferenceException: Object reference not set to an instance of an object"),
    ("pricing", "warning", "price cache miss for sku {n}, refreshing"),
    ("inventory", "error", "AttributeError: 'NoneType' object has no attribute 'quantity'"),
    ("inventory", "info", "stock level for item {n} updated to {ms}"),
    ("gateway", "error", "upstream connect error or disconnect/reset before headers, retried {n} times"),
    ("gateway", "warning", "rate limit exceeded for client {n}, answering 429"),
    ("storefront", "error", "TypeError: Cannot read properties of undefined (reading 'price')"),
    ("storefront", "info", "rendered product page {n} in {ms} ms"),
]


def events(batch, repeats=3, tenant_tag=""):
    """NDJSON: every message `repeats` times, with distinct ids and values."""
    lines = []
    for r in range(repeats):
        for i, (service, level, text) in enumerate(MESSAGES):
            n = batch * 1000 + r * 10 + i
            lines.append(json.dumps({"id": f"{tenant_tag}b{batch}-r{r}-m{i}", "service": service, "level": level,
                                     "timestamp": f"2026-11-20T12:{batch % 60:02d}:{r:02d}Z",
                                     "body": text.format(n=n, ms=100 + n % 900)}))
    return ("\n".join(lines) + "\n").encode()


def push(server, body, tenant=None):
    headers = {"Content-Type": "application/x-ndjson", **({"X-Scope-OrgID": tenant} if tenant else {})}
    status, _, answer = server.request("POST", "/api/v1/ingest", body, headers)
    assert status == 200, answer


def metric(server, name):
    _, _, text = server.request("GET", "/metrics")
    for line in text.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def wait_until_published(server, expected_signatures, timeout=120):
    """Until the store holds the signatures and each one's Chroma record carries its current count."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        database = sqlite3.connect(f"file:{os.path.join(server.data_dir, 'deja.sqlite')}?mode=ro", uri=True)
        total, behind = database.execute("SELECT count(*), count(*) FILTER (WHERE indexed_count <> count) FROM signatures").fetchone()
        database.close()
        if total >= expected_signatures and behind == 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"signatures not published to ChromaDB within {timeout} s:\n{server.log()}")


def store_signatures(server, tenant):
    database = sqlite3.connect(f"file:{os.path.join(server.data_dir, 'deja.sqlite')}?mode=ro", uri=True)
    rows = database.execute("SELECT service, hash, count, level FROM signatures WHERE tenant = ?", (tenant,)).fetchall()
    database.close()
    return {f"{service}/{hash_}": count for service, hash_, count, _ in rows}


@pytest.fixture
def deja_with():
    """Starts `deja serve` on a ChromaDB; every server started is stopped at the end, failed or not."""
    started = []

    def start(chroma, data_dir, *extra):
        started.append(Server(data_dir, ["--vector-store", "chroma", "--chroma-url", chroma.url, *extra]))
        return started[-1].start()

    yield start
    for server in started:
        server.stop()


def test_python_client_reads_what_deja_wrote_and_finds_the_same_neighbours(chroma, deja_with):
    with tempfile.TemporaryDirectory(prefix="deja-chroma-interop-") as data_dir:
        server = deja_with(chroma, data_dir)
        push(server, events(1))
        push(server, events(2, repeats=1, tenant_tag="t2-"), tenant="team-b")
        wait_until_published(server, expected_signatures=len(MESSAGES) * 2)

        client = chroma.client()
        assert {c.name for c in client.list_collections()} == {"deja-default", "deja-team-b"}
        collection = client.get_collection("deja-default")
        assert collection.metadata["deja_tenant"] == "default"
        assert collection.configuration_json["hnsw"]["space"] == "cosine"
        records = collection.get(include=["metadatas", "documents", "embeddings"])
        assert len(records["ids"]) == len(MESSAGES)
        expected = store_signatures(server, "default")
        for key, meta, document, embedding in zip(records["ids"], records["metadatas"], records["documents"], records["embeddings"]):
            assert expected[key] == meta["count"] == 3
            assert key.startswith(meta["service"] + "/")
            assert meta["level"] in {"error", "info", "warning"}
            assert isinstance(meta["first_seen"], int) and meta["first_seen"] <= meta["last_seen"]
            assert meta["last_seen"] >= 1795176000  # 2026-11-20T12:00:00Z in Unix seconds
            # The document is the signature's message; its pattern is the template mined from it:
            # its constant words in order, each <*> standing for a value (with its unit, if any).
            template = re.escape(meta["pattern"]).replace(re.escape("<*>"), ".+?")
            assert meta["raw_log"] and re.fullmatch(template, document, re.S), (meta["pattern"], document)
            assert len(embedding) == 384
            assert meta["recipe"]  # how the vector was made: replicas take only their own recipe's
        # Filters a Chroma user writes work on Deja's metadata.
        errors = collection.get(where={"$and": [{"level": "error"}, {"last_seen": {"$gte": 1795176000}}]})
        assert len(errors["ids"]) == 5

        # Chroma's nearest neighbours of a record's own vector are Deja's most similar signatures.
        source = next(i for i, m in enumerate(records["metadatas"]) if m["raw_log"].startswith("AttributeError"))
        answer = collection.query(query_embeddings=[records["embeddings"][source]], n_results=4, include=["documents", "distances"])
        chroma_top = [(doc, round(1 - dist, 3)) for doc, dist in zip(answer["documents"][0], answer["distances"][0])][1:]
        # The example event of that signature is the first of it: its body gives the same vector.
        status, _, similar = server.request("GET", "/api/v1/similar/b1-r0-m4?limit=20")
        assert status == 200 and "notice" not in similar
        by_similarity = sorted((g for g in similar["groups"] if g.get("similarity") is not None), key=lambda g: -g["similarity"])
        deja_top = [(g["signature"]["message"], round(g["similarity"], 3)) for g in by_similarity[:3]]
        assert [d for d, _ in deja_top] == [d for d, _ in chroma_top], (deja_top, chroma_top)
        for (_, a), (_, b) in zip(deja_top, chroma_top):
            assert abs(a - b) < 0.002

        # Tenants stay apart in Chroma as in Deja.
        other = client.get_collection("deja-team-b").get()
        assert len(other["ids"]) == len(MESSAGES)
        assert server.search("null pointer", tenant="team-b")
        server.stop()

        # Issues come from the same vectors as in the embedded store: the same grouping, and the
        # null dereference of four languages is one issue.
        def partition(directory):
            out = subprocess.run([DEJA, "issues", "--data-dir", directory, "--assignments", "/dev/stdout"], check=True, capture_output=True, text=True).stdout
            groups = {}
            for line in out.splitlines()[1:]:
                event, issue = line.split(",")
                groups.setdefault(issue, set()).add(event)
            return {frozenset(g) for g in groups.values()}
        with tempfile.TemporaryDirectory(prefix="deja-chroma-parity-") as embedded:
            subprocess.run([DEJA, "ingest", "--jsonl", "--data-dir", embedded, "-"], input=events(1), check=True, capture_output=True)
            assert partition(data_dir) == partition(embedded)
        null = next(g for g in partition(data_dir) if "b1-r0-m0" in g)
        assert {"b1-r0-m2", "b1-r0-m4", "b1-r0-m8"} <= null and "b1-r0-m1" not in null


def test_chroma_outage_loses_nothing_and_every_signature_ends_up_there_once(chroma, deja_with):
    with tempfile.TemporaryDirectory(prefix="deja-chroma-outage-") as data_dir:
        server = deja_with(chroma, data_dir)
        push(server, events(1))
        wait_until_published(server, expected_signatures=len(MESSAGES))

        # Ingest runs on while Chroma goes away and comes back.
        stop, batches, failures = threading.Event(), [], []

        def producer():
            batch = 10
            while not stop.is_set():
                try:
                    push(server, events(batch, repeats=1))
                    batches.append(batch)
                except AssertionError as error:
                    failures.append(str(error))
                batch += 1
                time.sleep(0.05)

        thread = threading.Thread(target=producer)
        thread.start()
        time.sleep(1)
        chroma.stop()
        time.sleep(3)
        # Searches answer from keyword search and say so.
        status, _, answer = server.request("POST", "/api/v1/search", {"query": "NullReferenceException"})
        assert status == 200 and "unavailable" in answer["notice"], answer
        assert any("NullReferenceException" in g["signature"]["message"] for g in answer["groups"])
        status, _, ready = server.request("GET", "/readyz")
        assert status == 200 and "behind" in ready.get("vector_index", ""), ready
        assert metric(server, "deja_vector_index_failures_total") >= 1
        chroma.start()
        time.sleep(2)
        stop.set()
        thread.join()
        assert not failures, failures[:3]
        assert len(batches) > 10

        # New signatures, stored while Chroma was away, and every count catch up.
        push(server, json.dumps({"id": "late", "service": "billing", "level": "error",
                                 "body": "invoice 77 could not be rendered: template missing"}).encode() + b"\n")
        wait_until_published(server, expected_signatures=len(MESSAGES) + 1)
        expected = store_signatures(server, "default")
        assert sum(expected.values()) == 3 * len(MESSAGES) + len(MESSAGES) * len(batches) + 1
        records = chroma.client().get_collection("deja-default").get(include=["metadatas"])
        assert len(records["ids"]) == len(set(records["ids"])) == len(expected)
        assert {key: meta["count"] for key, meta in zip(records["ids"], records["metadatas"])} == expected
        status, _, answer = server.request("POST", "/api/v1/search", {"query": "invoice could not be rendered"})
        assert "notice" not in answer and answer["groups"][0].get("similarity") is not None
        server.stop()


def test_a_replica_finds_signatures_another_replica_published(chroma, deja_with):
    with tempfile.TemporaryDirectory(prefix="deja-replica-a-") as a_dir, tempfile.TemporaryDirectory(prefix="deja-replica-b-") as b_dir:
        a, b = deja_with(chroma, a_dir), deja_with(chroma, b_dir)
        push(a, events(1))
        push(b, json.dumps({"id": "b-own", "service": "billing", "level": "error", "body": "invoice renderer crashed"}).encode() + b"\n")
        wait_until_published(a, expected_signatures=len(MESSAGES))
        wait_until_published(b, expected_signatures=1)
        # B holds none of A's events, yet finds A's signature through the shared index, marked as such.
        status, _, answer = b.request("POST", "/api/v1/search", {"query": "object reference not set to an instance", "limit": 20})
        assert status == 200, answer
        remote = [g for g in answer["groups"] if g.get("remote")]
        assert any("NullReferenceException" in g["signature"]["message"] and g["count"] == 3 and g["signature"]["service"] == "pricing"
                   and "NullReferenceException" in g["events"][0]["body"] for g in remote), answer["groups"]
        assert all(g["signature"]["id"] < 0 for g in remote)
        own = [g for g in answer["groups"] if not g.get("remote")]
        assert all(g["signature"]["service"] == "billing" for g in own)
        # Filters apply to what the index knows (service, level); label filters need local events.
        status, _, answer = b.request("POST", "/api/v1/search", {"query": "null reference", "service": "pricing"})
        assert answer["groups"] and all(g["signature"]["service"] == "pricing" for g in answer["groups"])
        status, _, answer = b.request("POST", "/api/v1/search", {"query": "null reference", "labels": {"pod": "x"}})
        assert not any(g.get("remote") for g in answer["groups"])
        a.stop()
        b.stop()


class TokenProxy(BaseHTTPRequestHandler):
    """A reverse proxy that lets through only requests with the right x-chroma-token: how a
    ChromaDB without auth of its own is protected (the OSS server accepts every request)."""
    upstream = ""
    token = "s3cret"

    def handle_one(self):
        if self.headers.get("x-chroma-token") != self.token:
            body = b'{"error":"AuthError","message":"invalid token"}'
            self.send_response(401)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length") or 0)
        request = urllib.request.Request(self.upstream + self.path, data=self.rfile.read(length) if length else None, method=self.command,
                                         headers={"Content-Type": self.headers.get("Content-Type", "application/json")})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = handle_one

    def log_message(self, *args):
        pass


def run_deja(*args, env=None):
    return subprocess.run([DEJA, *args], capture_output=True, text=True, timeout=120, env=dict(os.environ, **(env or {})))


def test_start_says_what_is_wrong_with_chroma(chroma, tmp_path):
    # Nothing listening.
    result = run_deja("serve", "--data-dir", str(tmp_path / "a"), "--listen", "127.0.0.1:0",
                      "--vector-store", "chroma", "--chroma-url", f"http://127.0.0.1:{free_port()}")
    assert result.returncode != 0 and "unreachable (connection refused)" in result.stderr, result.stderr
    # Something that is not Chroma 1.x: Deja's own server.
    with tempfile.TemporaryDirectory() as other:
        deja = Server(other).start()
        try:
            result = run_deja("ingest", "--data-dir", str(tmp_path / "b"), "--vector-store", "chroma", "--chroma-url", deja.base, "/dev/null")
        finally:
            deja.stop()
    assert result.returncode != 0 and "is not a ChromaDB 1.x server" in result.stderr, result.stderr
    # A token the proxy in front of Chroma refuses, then the right one (from the environment).
    TokenProxy.upstream = chroma.url
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), TokenProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{proxy.server_address[1]}"
    sample = tmp_path / "app.log"
    sample.write_text("2026-11-20T12:00:00Z ERROR payment declined for order 7: card expired\n")
    result = run_deja("ingest", "--data-dir", str(tmp_path / "c"), str(sample), env={"DEJA_VECTOR_STORE": "chroma", "DEJA_CHROMA_URL": url,
                                                                                   "DEJA_CHROMA_TOKEN": "s3cret"})
    assert result.returncode == 0 and "1 signatures published" in result.stderr, result.stderr
    result = run_deja("search", "--data-dir", str(tmp_path / "c"), "--vector-store", "chroma", "--chroma-url", url, "--chroma-token", "wrong", "x")
    assert result.returncode != 0 and "refused the token (HTTP 401" in result.stderr, result.stderr
    proxy.shutdown()
    assert chroma.client().get_collection("deja-default").count() == 1


def test_retention_removes_signatures_from_chroma_too(chroma, tmp_path):
    flags = ["--vector-store", "chroma", "--chroma-url", chroma.url, "--data-dir", str(tmp_path / "data")]
    old = tmp_path / "old.log"
    old.write_text("2020-01-02T03:04:05Z ERROR disk quota exceeded on volume 7\n2020-01-02T03:04:06Z ERROR disk quota exceeded on volume 9\n")
    result = run_deja("ingest", *flags, str(old))
    assert result.returncode == 0, result.stderr
    collection = chroma.client().get_collection("deja-default")
    assert collection.count() == 1 and collection.get(include=["metadatas"])["metadatas"][0]["count"] == 2
    recent = tmp_path / "recent.log"
    recent.write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + " ERROR payment gateway timed out\n")
    result = run_deja("ingest", *flags, "--retention", "7d", str(recent))
    assert result.returncode == 0 and "retention removed 2 events and 1 signatures" in result.stderr, result.stderr
    records = collection.get(include=["documents"])
    assert records["documents"] == ["payment gateway timed out"], records
