"""Limits, auth, tenant isolation on every endpoint, and the operations endpoints."""
import gzip, json, tempfile, time

import pytest

from conftest import Server


def ndjson(*events):
    return "".join(json.dumps(event) + "\n" for event in events).encode()


def test_limits_refuse_whole_requests_with_a_named_problem():
    with tempfile.TemporaryDirectory(prefix="deja-limits-") as data_dir:
        server = Server(data_dir, ["--max-body-bytes", "20000", "--max-decompressed-bytes", "100000", "--max-line-bytes", "1000"]).start()
        try:
            big = ndjson(*[{"id": f"big-{i}", "body": "x" * 500} for i in range(50)])
            status, _, body = server.request("POST", "/api/v1/ingest", big)
            assert status == 413 and "20000-byte limit" in body["error"]["message"]
            bomb = gzip.compress(b"{\"body\": \"" + b"a" * 200_000 + b"\"}\n")
            status, _, body = server.request("POST", "/api/v1/ingest", bomb, {"Content-Encoding": "gzip"})
            assert status == 413 and "inflates past" in body["error"]["message"]
            long_line = ndjson({"id": "ok-1", "body": "fine"}, {"id": "long-1", "body": "y" * 2000})
            status, _, body = server.request("POST", "/api/v1/ingest", long_line)
            assert status == 413 and "line 2" in body["error"]["message"]
            deep = ("[" * 40 + "]" * 40).encode()
            status, _, body = server.request("POST", "/loki/api/v1/push", deep, {"Content-Type": "application/json"})
            assert status == 400 and "deeper" in body["error"]["message"]
            status, _, body = server.request("POST", "/api/v1/ingest", ndjson({"id": "fine-1", "body": "ok"}, {"nobody": 1}))
            assert status == 400 and "line 2" in body["error"]["message"]
            # Nothing of a refused request was stored.
            time.sleep(1)
            for event_id in ["big-0", "ok-1", "fine-1"]:
                assert server.request("GET", f"/api/v1/events/{event_id}")[0] == 404
            status, _, metrics = server.request("GET", "/metrics")
            text = metrics.decode()
            assert 'deja_rejected_requests_total{reason="body_too_large"} 1' in text
            assert 'deja_rejected_requests_total{reason="decompressed_too_large"} 1' in text
        finally:
            server.stop()


def test_tokens_decide_tenant_and_scopes():
    with tempfile.TemporaryDirectory(prefix="deja-auth-") as data_dir:
        tokens = f"{data_dir}/tokens.json"
        with open(tokens, "w") as fh:
            json.dump({"tokens": [{"token": "ingest-a-0123", "tenant": "a", "scopes": ["ingest"]},
                                  {"token": "read-a-456789", "tenant": "a", "scopes": ["read"]},
                                  {"token": "all-b-abcdefg", "tenant": "b", "scopes": ["ingest", "read"]}]}, fh)
        server = Server(data_dir, ["--tokens", tokens]).start()
        try:
            event = ndjson({"id": "auth-1", "service": "vault", "body": "lease renewal failed for secret/db"})
            assert server.request("POST", "/api/v1/ingest", event)[0] == 401
            assert server.request("POST", "/api/v1/ingest", event, {"Authorization": "Bearer wrong-token-1"})[0] == 401
            # The header cannot pick a tenant when tokens are on.
            status, _, _ = server.request("POST", "/api/v1/ingest", event, {"Authorization": "Bearer ingest-a-0123", "X-Scope-OrgID": "b"})
            assert status == 200
            assert server.request("GET", "/api/v1/events/auth-1", headers={"Authorization": "Bearer ingest-a-0123"})[0] == 403
            reader = {"Authorization": "Bearer read-a-456789"}
            deadline = time.time() + 30
            while server.request("GET", "/api/v1/events/auth-1", headers=reader)[0] != 200 and time.time() < deadline:
                time.sleep(0.2)
            assert server.request("GET", "/api/v1/events/auth-1", headers=reader)[2]["tenant"] == "a"
            assert server.request("GET", "/api/v1/events/auth-1", headers={"Authorization": "Bearer all-b-abcdefg"})[0] == 404
            assert server.request("POST", "/api/v1/ingest", event, reader)[0] == 403
            assert server.request("GET", "/healthz")[0] == 200 and server.request("GET", "/metrics")[0] == 401
            assert server.request("GET", "/metrics", headers=reader)[0] == 403
            # Elasticsearch set-up calls need the ingest scope, not just any token.
            assert server.request("PUT", "/_index_template/logs", b"{}", reader)[0] == 403
            assert server.request("PUT", "/_index_template/logs", b"{}", {"Authorization": "Bearer ingest-a-0123"})[0] == 200
        finally:
            server.stop()


def test_tenants_never_see_each_other_on_any_endpoint(server):
    for tenant in ["red", "blue"]:
        body = ndjson(*[{"id": f"{tenant}-{i}", "service": f"{tenant}-svc", "level": "error",
                         "body": f"{tenant} reactor coolant pressure low in loop {i}"} for i in range(3)],
                      {"id": f"{tenant}-pump", "service": f"{tenant}-svc", "level": "warn", "body": "coolant pump pressure is dropping"})
        assert server.request("POST", "/api/v1/ingest", body, {"X-Scope-OrgID": tenant})[0] == 200
    red = {"X-Scope-OrgID": "red"}
    server.wait_for_event("red-2", tenant="red")
    server.wait_for_event("blue-2", tenant="blue")
    server.wait_for_search("reactor coolant pressure low", lambda g: True, tenant="red")
    assert server.request("GET", "/api/v1/events/blue-1", headers=red)[0] == 404
    assert server.request("GET", "/api/v1/similar/blue-1", headers=red)[0] == 404
    for groups in [server.search("reactor coolant pressure low", tenant="red"),
                   server.request("GET", "/api/v1/search?q=reactor%20coolant", headers=red)[2]["groups"],
                   server.request("GET", "/api/v1/similar/red-1", headers=red)[2]["groups"]]:
        assert groups and all(event["tenant"] == "red" for group in groups for event in group["events"])
        assert all(group["signature"]["tenant"] == "red" for group in groups)
    status, _, signatures = server.request("GET", "/api/v1/signatures?since=3650d&buckets=4", headers=red)
    assert status == 200 and signatures["signatures"]
    assert all(s["signature"]["tenant"] == "red" for s in signatures["signatures"])
    assert sum(sum(s["counts"]) for s in signatures["signatures"]) == 4
    status, _, patterns = server.request("GET", "/api/v1/patterns?since=3650d&buckets=4", headers=red)
    assert status == 200 and patterns["patterns"]
    assert all(p["pattern"]["tenant"] == "red" for p in patterns["patterns"])
    assert sum(sum(p["counts"]) for p in patterns["patterns"]) == 4


def test_search_api_validates_its_input(server):
    assert server.request("GET", "/api/v1/search")[0] == 400
    status, _, body = server.request("GET", "/api/v1/search?q=x&level=loud")
    assert status == 400 and "loud" in body["error"]["message"]
    assert server.request("GET", "/api/v1/search?q=x&since=yesterday")[0] == 400
    assert server.request("GET", "/api/v1/search?q=x&limit=0")[0] == 400
    assert server.request("GET", "/api/v1/events/no-such-event")[0] == 404


def test_openapi_document_lists_the_routes_that_answer(server):
    status, _, document = server.request("GET", "/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.")
    for path in ["/api/v1/search", "/api/v1/similar/{id}", "/api/v1/events/{id}", "/api/v1/patterns", "/api/v1/signatures", "/api/v1/ingest", "/healthz", "/readyz", "/metrics"]:
        assert path in document["paths"], path
    # Each documented GET answers with a documented status.
    for path, methods in document["paths"].items():
        if "get" not in methods:
            continue
        concrete = path.replace("{id}", "no-such-event") + ("?q=probe" if path == "/api/v1/search" else "")
        status, _, _ = server.request("GET", concrete)
        assert str(status) in methods["get"]["responses"], (path, status)


def test_probes_and_metrics(server):
    assert server.request("GET", "/healthz")[0] == 200
    status, _, ready = server.request("GET", "/readyz")
    assert status == 200 and ready["status"] == "ready"
    text = server.request("GET", "/metrics")[2].decode()
    for name in ["deja_ingest_queue_bytes", "deja_wal_bytes", "deja_stored_events"]:
        assert name in text


def test_a_full_backlog_answers_429_with_retry_after_and_stores_what_it_acknowledged():
    import threading
    with tempfile.TemporaryDirectory(prefix="deja-backlog-") as data_dir:
        # Room for one request of 500 events (about 30 KB as stored), not for twelve at once.
        server = Server(data_dir, ["--max-backlog-bytes", "60000"]).start()
        try:
            results, lock = [], threading.Lock()

            def push(worker):
                ids = [f"bp-{worker}-{i}" for i in range(500)]
                status, headers, _ = server.request("POST", "/api/v1/ingest", ndjson(*[{"id": i, "body": f"cache miss storm on shard {i}"} for i in ids]))
                with lock:
                    results.append((status, headers.get("Retry-After"), ids))

            threads = [threading.Thread(target=push, args=(w,)) for w in range(12)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            statuses = [status for status, _, _ in results]
            assert 429 in statuses and 200 in statuses, statuses
            assert all(retry == "1" for status, retry, _ in results if status == 429)
            for status, _, ids in results:
                if status == 200:
                    server.wait_for_event(ids[-1])
            text = server.request("GET", "/metrics")[2].decode()
            assert 'deja_rejected_requests_total{reason="overloaded"}' in text
        finally:
            server.stop()
