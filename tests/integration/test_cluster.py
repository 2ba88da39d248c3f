"""Cluster mode on real engines: three `deja serve` replicas share one PostgreSQL (signatures and
their counts) and one ChromaDB (vectors). Every replica answers alike, counts equal what was
acknowledged, and a replica killed with SIGKILL mid-push loses and double-counts nothing."""
import json, os, random, re, signal, tempfile, threading, time

import pytest

from conftest import Server, free_port
from test_metrics import start, wait_http, write

SINCE, UNTIL = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"
BASE_NS = 1767225600 * 10**9  # 2026-01-01T00:00:00Z

MESSAGES = [
    "connection refused to postgres at 10.0.{a}.{b}:5432 after {n} ms",
    "payment {n} declined: card expired",
    "GET /api/orders/{n} returned 503 Service Unavailable",
    "worker {n} finished job in {a} ms",
    "disk /dev/sda{a} is full on host node-{n}",
]


def replicas(postgres, chroma, count=3, extra_args=()):
    servers = []
    for index in range(count):
        data = tempfile.mkdtemp(prefix=f"deja-replica{index}-")
        args = ["--state", postgres.url, "--replica", f"replica-{index}", "--vector-store", "chroma", "--chroma-url", chroma.url, *extra_args]
        servers.append(Server(data, args).start())
    return servers


def push(server, lines, service, tenant="acme", offset_ns=0):
    """Pushes `lines` as one Loki request; the status (204: acknowledged), or None when the
    connection broke (the request may or may not have been logged before it did)."""
    values = [[str(BASE_NS + offset_ns + i * 1_000_000), line] for i, line in enumerate(lines)]
    body = {"streams": [{"stream": {"service": service}, "values": values}]}
    try:
        return server.request("POST", "/loki/api/v1/push", body, {"X-Scope-OrgID": tenant}, timeout=30)[0]
    except OSError:
        return None


def lines_for(seed, count):
    rng = random.Random(seed)
    return [rng.choice(MESSAGES).format(a=rng.randint(0, 255), b=rng.randint(0, 99), n=rng.randint(1000, 99999)) for _ in range(count)]


def signatures(server, tenant="acme", **params):
    query = "&".join(f"{k}={v}" for k, v in {"since": SINCE, "until": UNTIL, "limit": 1000, "buckets": 6, **params}.items())
    status, _, body = server.request("GET", f"/api/v1/signatures?{query}", headers={"X-Scope-OrgID": tenant})
    assert status == 200, body
    return body["signatures"]


def ungrouped(entries):
    """`entries` without what the grouping leader may be giving them meanwhile (patterns and issues)."""
    return [{**e, "signature": {k: v for k, v in e["signature"].items() if k not in ("pattern", "patternID", "issueID")}} for e in entries]


def counted(server, tenant="acme"):
    """Every signature's (service, message) -> count, summed over all replicas, as `server` answers."""
    result = {}
    entries = signatures(server, tenant)
    assert len(entries) < 1000, "more signatures than one answer lists: the sums would leave some out"
    for entry in entries:
        signature = entry["signature"]
        assert sum(entry["counts"]) == signature["count"]
        result[(signature["service"], signature["message"])] = signature["count"]
    return result


def leading(server):
    """1 while `server` leads grouping, from its /metrics."""
    status, _, text = server.request("GET", "/metrics")
    lines = [line for line in text.decode().splitlines() if line.startswith("deja_grouping_leader ")]
    return int(float(lines[0].split()[1])) if lines else 0


def ranked_members(postgres, live=False):
    """Each issue's members by count (at most 100), as the grouping leader ranked them for search or, `live`, from the counts now."""
    if not live:
        return postgres.query("SELECT issue_id, rank, signature_id FROM deja_issue_top_members WHERE tenant = 'acme' ORDER BY 1, 2")
    return postgres.query("SELECT * FROM (SELECT g.issue_id, row_number() OVER (PARTITION BY g.issue_id ORDER BY s.count DESC, s.id) AS rank, "
                          "g.signature_id FROM deja_signature_groups g JOIN deja_signatures s ON s.id = g.signature_id "
                          "WHERE g.tenant = 'acme' AND g.issue_id IS NOT NULL) r WHERE rank <= 100 ORDER BY 1, 2")


def wait_until(predicate, timeout=120, what="the condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} did not hold within {timeout} s")


def test_every_replica_answers_alike_with_counts_equal_to_what_was_acknowledged(postgres, chroma):
    servers = replicas(postgres, chroma)
    try:
        sent = {}
        # The same streams go to every replica: each signature is counted by all three.
        for round_number in range(4):
            lines = lines_for(round_number, 50)
            for server in servers:
                assert push(server, lines, "checkout", offset_ns=round_number * 60 * 10**9) == 204
            for line in lines:
                sent[line] = sent.get(line, 0) + len(servers)
        total = sum(sent.values())
        wait_until(lambda: all(sum(counted(s).values()) == total for s in servers), what=f"{total} events counted on every replica")
        answers = [ungrouped(signatures(server)) for server in servers]
        assert answers[0] == answers[1] == answers[2]
        # Every acknowledged event counted once.
        assert sum(entry["signature"]["count"] for entry in answers[0]) == 600
        # The four rounds, a minute apart, fall in the first of six four-hour buckets.
        assert all(entry["counts"][0] == entry["signature"]["count"] and len(entry["counts"]) == 6 for entry in answers[0])

        # Search reads only shared state: once the vectors are published, every replica gives the same groups.
        def same_search():
            results = [s.search("database connection refused", tenant="acme") for s in servers]
            keys = [[(g["signature"]["id"], g["count"], g["events"][0]["body"]) for g in r] for r in results]
            return keys[0] and keys[0] == keys[1] == keys[2] and results[0][0]["signature"]["message"].startswith("connection refused")
        wait_until(same_search, what="the same search results from every replica")
        group = servers[1].search("database connection refused", tenant="acme")[0]
        assert group["count"] == sum(n for line, n in sent.items() if line.startswith("connection refused"))

        # The group's event is the signature's shared example: every replica shows it, and "like this one" from it.
        event_id = group["events"][0]["id"]
        assert event_id == group["signature"]["id"]
        for server in servers:
            status, _, event = server.request("GET", f"/api/v1/events/{event_id}", headers={"X-Scope-OrgID": "acme"})
            assert status == 200 and event["body"] == group["events"][0]["body"], event
            status, _, similar = server.request("GET", f"/api/v1/similar/{event_id}", headers={"X-Scope-OrgID": "acme"})
            assert status == 200 and all(g["signature"]["id"] != event_id for g in similar["groups"]), similar
        # One replica leads grouping; every replica answers the same patterns and issues, which
        # add up to every event acknowledged anywhere.
        def grouped(server, route):
            status, _, body = server.request("GET", f"/api/v1/{route}?since={SINCE}&until={UNTIL}&limit=1000", headers={"X-Scope-OrgID": "acme"})
            assert status == 200 and "notice" not in body, body
            return body[route]

        def all_grouped():
            issues = [grouped(s, "issues") for s in servers]
            patterns = [grouped(s, "patterns") for s in servers]
            return (issues[0] == issues[1] == issues[2] and patterns[0] == patterns[1] == patterns[2]
                    and sum(i["windowCount"] for i in issues[0]) == 600 and sum(sum(p["counts"]) for p in patterns[0]) == 600)
        wait_until(all_grouped, what="the same issues and patterns on every replica, covering all 600 events")
        answers = [signatures(server) for server in servers]
        assert answers[0] == answers[1] == answers[2] and all(e["signature"]["issueID"] and e["signature"]["patternID"] for e in answers[0])
        assert sorted(leading(s) for s in servers) == [0, 0, 1]
        # Search widens to each issue's most counted members, as the leader ranked them: the same as ranking them live.
        wait_until(lambda: ranked_members(postgres) == ranked_members(postgres, live=True), what="issue members ranked by count for search")
        issues = grouped(servers[0], "issues")
        patterns = grouped(servers[0], "patterns")
        issue_id = issues[0]["issue"]["id"]
        assert len(issues) >= 2, issues

        # A merge asked of one replica is done by the leader and seen by every replica; so is a split.
        first, second = issues[0]["issue"], issues[1]["issue"]
        status, _, merged = servers[2].request("POST", f"/api/v1/issues/{second['id']}/merge", {"into": first["id"]}, {"X-Scope-OrgID": "acme"})
        assert status == 200 and merged == {"issue": first["id"]}, merged
        for server in servers:
            status, _, detail = server.request("GET", f"/api/v1/issues/{second['id']}?since={SINCE}&until={UNTIL}", headers={"X-Scope-OrgID": "acme"})
            assert status == 200 and detail["issue"]["summary"]["issue"]["id"] == first["id"], detail
            assert sorted(s["id"] for s in detail["issue"]["signatures"]) == sorted(first["signatureIDs"] + second["signatureIDs"])
        status, _, split = servers[1].request("POST", f"/api/v1/issues/{first['id']}/split", {"signatures": second["signatureIDs"]},
                                              {"X-Scope-OrgID": "acme"})
        assert status == 200 and split["issue"] not in (first["id"], second["id"]), split
        for server in servers:
            status, _, detail = server.request("GET", f"/api/v1/issues/{split['issue']}?since={SINCE}&until={UNTIL}", headers={"X-Scope-OrgID": "acme"})
            assert status == 200 and sorted(s["id"] for s in detail["issue"]["signatures"]) == sorted(second["signatureIDs"]), detail
        wait_until(lambda: ranked_members(postgres) == ranked_members(postgres, live=True), what="the split issue's members ranked")

        # The leader stopped: another replica takes grouping over and carries on from what is stored.
        leader = next(s for s in servers if leading(s) == 1)
        leader.stop()
        rest = [s for s in servers if s is not leader]
        wait_until(lambda: sum(leading(s) for s in rest) == 1, timeout=60, what="another replica leading grouping")
        # A known message from a new service is a new signature the restored miner puts in its pattern; a new shape, a new pattern.
        assert push(rest[0], ["payment 4242 declined: card expired", "cache warmed in 12 ms"], "billing", offset_ns=300 * 10**9) == 204
        def regrouped():
            issues = [grouped(s, "issues") for s in rest]
            return issues[0] == issues[1] and sum(i["windowCount"] for i in issues[0]) == 602
        wait_until(regrouped, what="the new leader placing new signatures")
        after = {p["pattern"]["template"]: p["pattern"]["count"] for p in grouped(rest[1], "patterns")}
        before = {p["pattern"]["template"]: p["pattern"]["count"] for p in patterns}
        declined = next(t for t in before if "declined" in t)
        assert after[declined] == before[declined] + 1 and len(after) == len(before) + 1, (before, after)
        servers = rest

        # An identifier finds the example holding it exactly, on any replica, and not one holding a longer number.
        assert push(rest[0], ["refund INV-2024-427820 issued"], "refunds-eu", offset_ns=400 * 10**9) == 204
        assert push(rest[1], ["refund INV-2024-427821 issued"], "refunds-us", offset_ns=400 * 10**9) == 204
        assert push(rest[0], ["login from 10.20.30.40 denied"], "auth-eu", offset_ns=400 * 10**9) == 204
        assert push(rest[1], ["login from 10.20.30.4 denied"], "auth-us", offset_ns=400 * 10**9) == 204
        assert push(rest[0], ["lease renewed for 3C:22:FB:91:0A:7E"], "dhcp", offset_ns=400 * 10**9) == 204
        wait_until(lambda: sum(counted(rest[1]).values()) == 607, what="the refunds, logins and lease counted")
        for server in rest:
            for query, service, body in [("INV-2024-427820", "refunds-eu", "refund INV-2024-427820 issued"),
                                         ("10.20.30.4", "auth-us", "login from 10.20.30.4 denied"),
                                         ("3c:22:fb:91:0a:7e", "dhcp", "lease renewed for 3C:22:FB:91:0A:7E")]:
                found = [g for g in server.search(query, tenant="acme") if g.get("identifierMatches")]
                assert [(g["signature"]["service"], g["identifierMatches"], g["events"][0]["body"]) for g in found] == [(service, 1, body)], found
            # The answer says what keyword search read: each signature's message and example, not every raw event.
            status, _, answer = server.request("GET", "/api/v1/search?q=3c:22:fb:91:0a:7e", headers={"X-Scope-OrgID": "acme"})
            assert status == 200 and answer["keywordScope"] == "signatures", answer

        # A line and a service name holding a NUL byte (PostgreSQL's text refuses it) are counted, and ingest goes on.
        assert push(servers[0], ["worker \u0000 stalled"], "nul\u0000service", tenant="nul") == 204
        wait_until(lambda: counted(servers[-1], tenant="nul") == {("nul\ufffdservice", "worker \ufffd stalled"): 1}, what="the NUL line counted")
        assert servers[0].request("GET", "/readyz")[0] == 200

        # Another tenant sees none of it, on any replica, on any route.
        other = {"X-Scope-OrgID": "other"}
        for server in servers:
            assert signatures(server, tenant="other") == []
            assert signatures(server, tenant="other", signature=group["signature"]["id"]) == []
            assert server.search("connection refused", tenant="other") == []
            status, _, found = server.request("GET", "/api/v1/search?q=connection+refused", headers=other)
            assert status == 200 and found["groups"] == [], found
            assert server.request("GET", f"/api/v1/events/{event_id}", headers=other)[0] == 404
            assert server.request("GET", f"/api/v1/similar/{event_id}", headers=other)[0] == 404
            status, _, patterns = server.request("GET", f"/api/v1/patterns?since={SINCE}&until={UNTIL}", headers=other)
            assert status == 200 and patterns["patterns"] == [], patterns
            status, _, issues = server.request("GET", f"/api/v1/issues?since={SINCE}&until={UNTIL}", headers=other)
            assert status == 200 and issues["issues"] == [], issues
            assert server.request("GET", f"/api/v1/issues/{issue_id}", headers=other)[0] == 404
            status, _, state = server.request("GET", "/api/v1/status", headers=other)
            assert status == 200 and state["signatures"] == 0, state
        # Nor can it merge or split this tenant's issues through any replica: refused, and nothing changes.
        def settled():
            issues = [grouped(s, "issues") for s in servers]
            return issues[0] == issues[1] and sum(i["windowCount"] for i in issues[0]) == 607
        wait_until(settled, what="the refunds, logins and lease placed in issues")
        before = grouped(servers[0], "issues")
        members = [s["id"] for s in servers[0].request("GET", f"/api/v1/issues/{before[0]['issue']['id']}", headers={"X-Scope-OrgID": "acme"})[2]["issue"]["signatures"]]
        for server in servers:
            status, _, body = server.request("POST", f"/api/v1/issues/{before[1]['issue']['id']}/merge", {"into": before[0]["issue"]["id"]}, other)
            assert status == 404, body
            status, _, body = server.request("POST", f"/api/v1/issues/{before[0]['issue']['id']}/split", {"signatures": members[:1]}, other)
            assert status == 404, body
        assert all(grouped(s, "issues") == before for s in servers)
    finally:
        for server in servers:
            server.stop()


def metric(server, name, **labels):
    """The value of `name` in `server`'s /metrics, summed over its series holding `labels` (0 when absent)."""
    status, _, text = server.request("GET", "/metrics")
    assert status == 200
    total = 0.0
    for line in text.decode().splitlines():
        series, _, value = line.rpartition(" ")
        if series.split("{")[0] == name and labels.items() <= dict(re.findall(r'(\w+)="([^"]*)"', series)).items():
            total += float(value)
    return total


def test_a_replica_takes_the_vectors_another_published_instead_of_embedding_them_again(postgres, chroma):
    first, second = replicas(postgres, chroma, count=2)
    try:
        lines = lines_for(11, 60)
        assert push(first, lines, "payments", tenant="reuse") == 204
        wait_until(lambda: signatures(first, tenant="reuse"), what="the first replica's signatures")
        count = len(signatures(first, tenant="reuse"))
        embedded = lambda server: metric(server, "deja_embedding_batch_size_sum")
        wait_until(lambda: embedded(first) == count and metric(first, "deja_vector_index_pending") == 0,
                   what=f"{count} signatures embedded and published by the first replica")

        # One record as an older release left it (another recipe): that vector is not taken.
        collection = chroma.client().get_collection("deja-reuse")
        older = collection.get(limit=1, include=["metadatas"])
        collection.update(ids=older["ids"], metadatas=[{**older["metadatas"][0], "recipe": "an older release"}])

        # The same messages reach the second replica a minute later: it takes their vectors from ChromaDB.
        assert push(second, lines, "payments", tenant="reuse", offset_ns=60 * 10**9) == 204
        wait_until(lambda: embedded(second) + metric(second, "deja_vectors_reused_total") == count,
                   what=f"{count} signatures given vectors on the second replica")
        assert embedded(second) == 1 and metric(second, "deja_vectors_reused_total") == count - 1
        # Searched on either replica, the same groups, found by their vectors.
        query = "a card payment was refused because the card had expired"
        found = [[(g["signature"]["id"], g["count"]) for g in s.search(query, tenant="reuse")] for s in (first, second)]
        assert found[0] and found[0] == found[1]
        assert second.search(query, tenant="reuse")[0]["signature"]["message"].startswith("payment")
    finally:
        for server in (first, second):
            server.stop()


def test_label_filters_give_every_replica_the_same_exact_counts(postgres, chroma):
    servers = replicas(postgres, chroma)
    try:
        def push_labeled(server, lines, namespace, offset_ns):
            values = [[str(BASE_NS + offset_ns + i * 1_000_000), line] for i, line in enumerate(lines)]
            body = {"streams": [{"stream": {"service": "orders", "namespace": namespace}, "values": values}]}
            return server.request("POST", "/loki/api/v1/push", body, {"X-Scope-OrgID": "labels"}, timeout=30)[0]

        # prod's events reach two replicas, dev's the third; both namespaces log the same messages.
        lines = lines_for(21, 40)
        prod = lines[:30] + lines[10:]
        assert push_labeled(servers[0], lines[:30], "prod", 0) == 204
        assert push_labeled(servers[1], lines[10:], "prod", 60 * 10**9) == 204
        assert push_labeled(servers[2], lines, "dev", 120 * 10**9) == 204
        total = len(prod) + len(lines)
        wait_until(lambda: all(sum(counted(s, tenant="labels").values()) == total for s in servers), what=f"{total} events counted")

        def by_namespace(server, namespace):
            entries = signatures(server, "labels", **{"label.namespace": namespace})
            return {entry["signature"]["message"]: sum(entry["counts"]) for entry in entries}
        for namespace, sent in (("prod", prod), ("dev", lines)):
            answers = [by_namespace(server, namespace) for server in servers]
            assert answers[0] == answers[1] == answers[2]
            assert sum(answers[0].values()) == len(sent)
        # Per signature, the namespaces' counts add up to the signature's count.
        everything = counted(servers[0], tenant="labels")
        prod_counts, dev_counts = by_namespace(servers[1], "prod"), by_namespace(servers[2], "dev")
        assert {message: prod_counts.get(message, 0) + dev_counts.get(message, 0) for (_, message) in everything} == \
            {message: count for (_, message), count in everything.items()}
        assert signatures(servers[0], "labels", **{"label.namespace": "staging"}) == []

        # Search with a label filter: the same groups from every replica, counted in that namespace only.
        refused = sum(1 for line in prod if line.startswith("connection refused"))
        def same_search():
            results = [s.search("database connection refused", tenant="labels", labels={"namespace": "prod"}) for s in servers]
            keys = [[(g["signature"]["id"], g["count"]) for g in r] for r in results]
            counts = [g["count"] for g in results[0] if g["signature"]["message"].startswith("connection refused")]
            return keys[0] and keys[0] == keys[1] == keys[2] and counts == [refused]
        wait_until(same_search, what="the same label-filtered search results from every replica")
        assert servers[0].search("database connection refused", tenant="labels", labels={"namespace": "staging"}) == []

        # A label value PostgreSQL's jsonb cannot hold as sent (an escaped NUL) is counted too, and
        # does not hold up the events after it.
        assert push_labeled(servers[0], ["odd stream line"], "nul\u0000ns", 180 * 10**9) == 204
        assert push_labeled(servers[0], ["after the odd stream"], "prod", 181 * 10**9) == 204
        wait_until(lambda: sum(counted(servers[1], tenant="labels").values()) == total + 2, what="both lines counted")
        assert sum(by_namespace(servers[2], "prod").values()) == len(prod) + 1
    finally:
        for server in servers:
            server.stop()


def test_counts_stay_exact_through_sigkill_of_a_replica_mid_push(postgres, chroma):
    servers = replicas(postgres, chroma)
    outcomes = []  # (service, lines, status)
    lock = threading.Lock()
    stop = threading.Event()

    def producer(number):
        request = 0
        while not stop.is_set():
            target = servers[(number + request) % len(servers)]
            # A service of its own per request shows exactly which requests were counted; the shared
            # service's signatures are upserted by every replica at once.
            own = f"req-{number}-{request}"
            status = push(target, lines_for(request * 7 + number, 5), own, offset_ns=request * 10**9)
            shared = push(target, lines_for(request, 20), "checkout", offset_ns=request * 10**9)
            with lock:
                outcomes.append((own, 5, status))
                outcomes.append(("checkout", 20, shared))
            request += 1

    threads = [threading.Thread(target=producer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        for cycle in range(3):
            time.sleep(2)
            victim = servers[cycle % len(servers)]
            victim.stop(signal.SIGKILL)
            time.sleep(0.5)
            victim.start()
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    acknowledged = [o for o in outcomes if o[2] == 204]
    broken = [o for o in outcomes if o[2] is None]
    assert len(acknowledged) > 100, "too few pushes were acknowledged to test anything"
    assert all(o[2] in (204, 429, 503, None) for o in outcomes), {o[2] for o in outcomes}
    shared_acked = sum(n for service, n, status in acknowledged if service == "checkout")
    shared_broken = sum(n for service, n, status in broken if service == "checkout")
    own = {service: (n, status) for service, n, status in outcomes if service != "checkout"}

    # Every acknowledged request is counted once; a request whose connection broke, once or not at all.
    def service_counts():
        rows = postgres.query("SELECT service, sum(count) FROM deja_signatures WHERE tenant = 'acme' GROUP BY service")
        return {service: int(total) for service, total in rows}

    def settled():
        counts = service_counts()
        return all(counts.get(service, 0) == n for service, (n, status) in own.items() if status == 204) \
            and counts.get("checkout", 0) >= shared_acked
    wait_until(settled, timeout=180, what="every acknowledged event counted")
    time.sleep(3)  # anything counted twice would show by now
    counts = service_counts()
    for service, (n, status) in own.items():
        if status == 204:
            assert counts.get(service, 0) == n, (service, counts.get(service, 0))
        elif status is None:
            assert counts.get(service, 0) in (0, n), (service, counts.get(service, 0))
        else:
            assert counts.get(service, 0) == 0, (service, status)
    assert shared_acked <= counts["checkout"] <= shared_acked + shared_broken
    # Every replica answers the shared service's counts alike, as the shared state holds them (patterns
    # and issues are left out: the grouping leader may be giving them between the three reads).
    answers = [ungrouped(signatures(server, service="checkout", limit=1000)) for server in servers]
    assert answers[0] == answers[1] == answers[2]
    stored = dict(postgres.query("SELECT id, count FROM deja_signatures WHERE tenant = 'acme' AND service = 'checkout'"))
    assert answers[0] and all(entry["signature"]["count"] == int(stored[str(entry["signature"]["id"])]) for entry in answers[0])
    for server in servers:
        server.stop()


def test_while_postgres_is_down_ingest_acknowledges_up_to_its_backlog_then_429_and_search_says_what_is_missing(postgres, chroma):
    server = Server(tempfile.mkdtemp(prefix="deja-replica-"), ["--state", postgres.url, "--replica", "replica-0", "--vector-store", "chroma",
                                                               "--chroma-url", chroma.url, "--max-backlog-bytes", "300000"]).start()
    try:
        assert push(server, lines_for(0, 100), "checkout") == 204
        wait_until(lambda: sum(counted(server).values()) == 100, what="the first 100 events counted")
        postgres.stop()
        statuses = []
        for request in range(200):
            status = push(server, lines_for(request + 1, 100), "checkout", offset_ns=(request + 1) * 10**9)
            statuses.append(status)
            if status == 429:
                break
        acknowledged = statuses.count(204)
        # The log takes what its bound allows, then ingest says to retry later, and stores nothing it refused.
        assert acknowledged >= 5 and statuses[-1] == 429 and set(statuses) == {204, 429}, statuses
        # Once counting has failed (PostgreSQL does not answer within its timeout), the replica says why it is not ready.
        wait_until(lambda: server.request("GET", "/readyz")[0] == 503, timeout=60, what="/readyz to say not ready")
        ready = server.request("GET", "/readyz")[2]
        assert "counting events in the shared state failed" in ready["reason"], ready
        # Search answers from this replica's own events and says what is missing.
        status, _, body = server.request("POST", "/api/v1/search", {"query": "connection refused"}, {"X-Scope-OrgID": "acme"})
        assert status == 200 and "PostgreSQL" in body["notice"] and "this replica's own events" in body["notice"], body
        status, _, body = server.request("GET", f"/api/v1/signatures?since={SINCE}&until={UNTIL}", headers={"X-Scope-OrgID": "acme"})
        assert status == 503 and "PostgreSQL" in body["error"]["message"], body

        postgres.start()
        total = 100 + 100 * acknowledged
        wait_until(lambda: sum(counted(server).values()) == total, timeout=180, what=f"all {total} acknowledged events counted")
        time.sleep(2)
        assert sum(counted(server).values()) == total
        assert server.request("GET", "/readyz")[0] == 200
    finally:
        server.stop()


def test_alerts_and_metric_documents_are_the_clusters(postgres, chroma):
    """An alert the webhook brought to one replica is listed, enriched, by every replica; metric
    documents one replica read from a real Prometheus are searched on another that never read it."""
    work = tempfile.mkdtemp(prefix="deja-cluster-prometheus-")
    port = free_port()
    config = f"global: {{scrape_interval: 1s}}\nscrape_configs:\n  - {{job_name: prometheus, static_configs: [{{targets: ['127.0.0.1:{port}']}}]}}\n"
    prometheus = start(["prometheus", f"--config.file={write(work, 'prometheus.yml', config)}", f"--storage.tsdb.path={work}/tsdb",
                        f"--web.listen-address=127.0.0.1:{port}"], work, "prometheus")
    servers = []
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: b'"job":"prometheus"' in wait_http(url + "/api/v1/targets/metadata?metric=go_goroutines"), what="Prometheus scraping itself")
        common = ["--state", postgres.url, "--vector-store", "chroma", "--chroma-url", chroma.url]
        servers = [Server(tempfile.mkdtemp(prefix="deja-replica0-"), common + ["--replica", "replica-0", "--prometheus-url", url,
                                                                               "--prometheus-refresh", "2s"]).start(),
                   Server(tempfile.mkdtemp(prefix="deja-replica1-"), common + ["--replica", "replica-1"]).start()]
        acme = {"X-Scope-OrgID": "acme"}
        assert push(servers[0], ["HikariPool-1 - Connection is not available, request timed out after 30000ms."] * 3, "checkout",
                    offset_ns=0) == 204
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE_NS // 10**9 + 120))
        notification = {
            "version": "4", "groupKey": '{}:{alertname="CheckoutDatabaseDown"}', "status": "firing", "receiver": "deja",
            "groupLabels": {"alertname": "CheckoutDatabaseDown"}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://alertmanager",
            "truncatedAlerts": 0,
            "alerts": [{"status": "firing", "labels": {"alertname": "CheckoutDatabaseDown", "service": "checkout"},
                        "annotations": {"summary": "checkout cannot get database connections"}, "startsAt": started,
                        "endsAt": "0001-01-01T00:00:00Z", "generatorURL": url, "fingerprint": "c0ffee"}]}
        assert servers[1].request("POST", "/api/v1/alerts/alertmanager", notification, acme)[0] == 200
        # Alertmanager sends it again (a repeat), this time to the other replica: one occurrence, two notifications.
        assert servers[0].request("POST", "/api/v1/alerts/alertmanager", notification, acme)[0] == 200

        def listed(server):
            status, _, body = server.request("GET", "/api/v1/alerts", headers=acme)
            assert status == 200, body
            return body["alerts"]
        wait_until(lambda: all(len(listed(s)) == 1 and listed(s)[0].get("enrichment") and listed(s)[0]["notifications"] == 2 for s in servers),
                   what="the alert listed, enriched, on both replicas")
        assert listed(servers[0]) == listed(servers[1])
        fingerprint = listed(servers[0])[0]["fingerprint"]
        for server in servers:
            assert server.request("GET", "/api/v1/alerts", headers={"X-Scope-OrgID": "other"})[2]["alerts"] == []
            assert server.request("GET", f"/api/v1/alerts/{fingerprint}", headers=acme)[0] == 200
            assert server.request("GET", f"/api/v1/alerts/{fingerprint}", headers={"X-Scope-OrgID": "other"})[0] == 404

        def found(server):
            # (Metric documents are the default tenant's: the one --prometheus-url indexes for.)
            status, _, body = server.request("GET", "/api/v1/metrics/search?q=number+of+goroutines&limit=3")
            return status == 200 and "go_goroutines" in [hit["metric"] for hit in body["metrics"]]
        wait_until(lambda: found(servers[1]), timeout=180, what="replica-1 finding a metric only replica-0 read")
        # Another tenant's metric search does not see them.
        status, _, body = servers[1].request("GET", "/api/v1/metrics/search?q=number+of+goroutines&limit=3", headers={"X-Scope-OrgID": "other"})
        assert status == 200 and body["metrics"] == [], body
    finally:
        for server in servers:
            server.stop()
        prometheus.send_signal(signal.SIGTERM)
        prometheus.wait(timeout=30)


def test_retention_keeps_the_shared_state_and_chromadb_to_the_window(postgres, chroma):
    """Counts older than `--retention` leave the shared state; a signature left with none leaves
    it, its issue and ChromaDB too, and every replica answers from what remains; so do old alerts."""
    now = time.time_ns()
    hour = 3600 * 10**9

    def push_at(server, events, at):
        """`events`: (service, line) pairs, one stream each."""
        streams = {}
        for i, (service, line) in enumerate(events):
            streams.setdefault(service, []).append([str(at + i * 1_000_000), line])
        body = {"streams": [{"stream": {"service": service}, "values": values} for service, values in streams.items()]}
        return server.request("POST", "/loki/api/v1/push", body, {"X-Scope-OrgID": "retain"}, timeout=30)[0]

    iso = lambda ns: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns // 10**9))
    since, until = iso(now - 4 * hour), iso(now + hour)

    def counts(server):
        status, _, body = server.request("GET", f"/api/v1/signatures?since={since}&until={until}&limit=1000&buckets=5",
                                         headers={"X-Scope-OrgID": "retain"})
        assert status == 200, body
        for entry in body["signatures"]:
            assert sum(entry["counts"]) == entry["signature"]["count"]
        return {entry["signature"]["service"]: entry["signature"]["count"] for entry in body["signatures"]}

    def services():
        from chromadb.errors import NotFoundError
        try:
            collection = chroma.client().get_collection("deja-retain")
        except NotFoundError:  # nothing published yet
            return []
        return sorted(m["service"] for m in collection.get(include=["metadatas"])["metadatas"])

    # One message per service, so that each service is one signature.
    old, mixed, recent = ("disks", "disk /dev/sdb is full"), ("payments", "payment declined: card expired"), ("cache", "cache warmed")
    servers = replicas(postgres, chroma, count=2)
    try:
        # Three hours ago: the disk and the payments; ten minutes ago: the payments and the cache.
        assert push_at(servers[0], [old] * 3 + [mixed] * 2, now - 3 * hour) == 204
        assert push_at(servers[1], [mixed] * 4 + [recent] * 5, now - 600 * 10**9) == 204
        wait_until(lambda: all(counts(s) == {"disks": 3, "payments": 6, "cache": 5} for s in servers), what="every event counted")
        wait_until(lambda: services() == ["cache", "disks", "payments"] and all(metric(s, "deja_vector_index_pending") == 0 for s in servers),
                   what="three signatures published to ChromaDB")

        # Two alert occurrences, one last notified before the window (as Alertmanager left it).
        for fingerprint, received in (("old", now - 3 * hour), ("recent", now - 600 * 10**9)):
            postgres.query("INSERT INTO deja_alerts (tenant, fingerprint, starts_at, name, status, alert, group_key, receiver, external_url, "
                           f"first_received, last_received, notifications) VALUES ('retain', '{fingerprint}', {received}, 'DiskFull', 'firing', "
                           f"'{{}}', '{{}}', 'deja', '', {received}, {received}, 1)")

        # Restarted with a two-hour window: the leader's first pass removes what is older.
        for server in servers:
            server.stop()
            server.extra_args += ["--retention", "2h", "--retention-interval", "1s"]
            server.start()
        wait_until(lambda: all(counts(s) == {"payments": 4, "cache": 5} for s in servers), what="the old counts removed on every replica")
        wait_until(lambda: services() == ["cache", "payments"], what="the removed signature's ChromaDB record deleted")
        assert postgres.query("SELECT count(*) FROM deja_index_removals") == [["0"]]
        assert postgres.query("SELECT fingerprint FROM deja_alerts WHERE tenant = 'retain'") == [["recent"]]
        removed = lambda what, store: sum(metric(s, "deja_retention_removed_total", what=what, store=store) for s in servers)
        assert (removed("signatures", "shared"), removed("alerts", "shared")) == (1, 1)
        wait_until(lambda: removed("events", "local") == 5, what="the first replica's own five old events removed")
        cutoff_minute = (now - 2 * hour) // (60 * 10**9)
        assert postgres.query(f"SELECT count(*) FROM deja_signature_minutes WHERE minute < {cutoff_minute}") == [["0"]]
        assert postgres.query(f"SELECT count(*) FROM deja_stream_minutes WHERE minute < {cutoff_minute}") == [["0"]]
        for server in servers:
            found = [g["signature"]["service"] for g in server.search("the disk is full", tenant="retain")]
            assert found and "disks" not in found, found
            status, _, issues = server.request("GET", f"/api/v1/issues?since={since}&until={until}",
                                               headers={"X-Scope-OrgID": "retain"})
            assert status == 200 and "disks" not in json.dumps(issues) and "payments" in json.dumps(issues), issues

        # A late event of the removed signature counts again, as a new signature.
        assert push_at(servers[0], [old], now) == 204
        wait_until(lambda: all(counts(s) == {"disks": 1, "payments": 4, "cache": 5} for s in servers), what="the late event counted")
    finally:
        for server in servers:
            server.stop()


def test_retention_passes_beside_counting_lose_no_event_in_the_window(postgres, chroma):
    """Replicas count late (older than the window) and recent events while the leader's retention
    runs every second: no deadlock or lost update, every recent event counted once, no old one left."""
    servers = replicas(postgres, chroma, count=2, extra_args=["--retention", "2h", "--retention-interval", "1s"])
    now, hour = time.time_ns(), 3600 * 10**9
    iso = lambda ns: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns // 10**9))
    sent = {"recent": 0}
    lock = threading.Lock()

    def producer(index):
        rng = random.Random(index)
        for round in range(15):
            # The same messages late and recent: retention and counting take the same signatures' rows.
            lines = lines_for(index * 100 + round, 40)
            for at, kind in ((now - 3 * hour + round * 10**9, "old"), (now - 600 * 10**9 + round * 10**9, "recent")):
                values = [[str(at + i * 1_000_000), line] for i, line in enumerate(lines)]
                body = {"streams": [{"stream": {"service": f"svc{rng.randint(0, 3)}"}, "values": values}]}
                status = servers[index % 2].request("POST", "/loki/api/v1/push", body, {"X-Scope-OrgID": "churn"}, timeout=30)[0]
                assert status == 204
                if kind == "recent":
                    with lock:
                        sent["recent"] += len(lines)
            time.sleep(0.2)

    try:
        threads = [threading.Thread(target=producer, args=(index,)) for index in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        def total(server, since, until):
            status, _, body = server.request("GET", f"/api/v1/signatures?since={iso(since)}&until={iso(until)}&limit=1000",
                                             headers={"X-Scope-OrgID": "churn"})
            assert status == 200, body
            return sum(entry["signature"]["count"] for entry in body["signatures"])
        wait_until(lambda: all(total(s, now - hour, now + hour) == sent["recent"] and total(s, now - 4 * hour, now - 2 * hour) == 0
                               for s in servers), what=f"{sent['recent']} recent events counted, the late ones removed")
        assert postgres.query(f"SELECT count(*) FROM deja_signature_minutes WHERE minute < {(now - 2 * hour) // (60 * 10**9)}") == [["0"]]
        assert sum(metric(s, "deja_retention_failures_total") for s in servers) == 0
    finally:
        for server in servers:
            server.stop()
