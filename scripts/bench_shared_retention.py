#!/usr/bin/env python3
"""One shared-state retention pass at scale: how long the grouping leader takes to cut PostgreSQL's
counts to the window, and whether they still add up after.

    .venv/bin/python scripts/bench_shared_retention.py [--signatures 52000] [--minutes 10] [--deja BINARY]

Starts a real PostgreSQL and ChromaDB (as the integration tests do), lets a release `deja serve`
replica create the schema, then fills the shared state with SQL: --signatures signatures over 20
services, each seen in --minutes minutes (1 to 9 events each, one stream per service) within
twelve hours starting anywhere in the last seven days, the size of the 1M-event replay's
signatures. The replica is then started with `--retention 84h` (half the span) and the pass it
logs is read. Prints one JSON report.
"""
import argparse, json, os, re, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import conftest  # noqa: E402
from conftest import Chroma, Postgres, Server  # noqa: E402  (the integration tests' real servers)

ap = argparse.ArgumentParser()
ap.add_argument("--signatures", type=int, default=52_000)
ap.add_argument("--minutes", type=int, default=10)
ap.add_argument("--deja", default=os.path.join(ROOT, ".build", "release", "deja"))
args = ap.parse_args()
conftest.DEJA = args.deja

postgres, chroma = Postgres().start(), Chroma().start()
data = tempfile.mkdtemp(prefix="deja-retention-bench-")
flags = ["--state", postgres.url, "--replica", "bench", "--vector-store", "chroma", "--chroma-url", chroma.url]
try:
    Server(data, flags).start().stop()  # the schema
    now_minute = int(time.time()) // 60
    week = 7 * 24 * 60
    postgres.query(f"""
        INSERT INTO deja_streams (tenant, labels_key, labels)
        SELECT 'bench', '{{"service":"svc' || s || '"}}', ('{{"service":"svc' || s || '"}}')::jsonb FROM generate_series(0, 19) s;
        INSERT INTO deja_signatures (tenant, service, hash, message, level, count, first_seen, last_seen, example_body, example_time,
                                     example_labels, search_terms)
        SELECT 'bench', 'svc' || (i % 20), md5(i::text), 'message ' || i || ' failed', 6, 0, 0, 0, 'message ' || i || ' failed', 0, '{{}}',
               'message ' || i || ' failed'
        FROM generate_series(1, {args.signatures}) i;
        CREATE TEMP TABLE spans AS
            SELECT id, {now_minute} - (random() * {week})::int8 AS start FROM deja_signatures;
        INSERT INTO deja_signature_minutes (signature_id, minute, count)
            SELECT DISTINCT ON (id, minute) id, minute, 1 + (random() * 8)::int8
            FROM (SELECT id, least(start + (random() * 720)::int8, {now_minute}) AS minute FROM spans, generate_series(1, {args.minutes})) m;
        INSERT INTO deja_stream_minutes (signature_id, stream_id, minute, count)
            SELECT m.signature_id, st.id, m.minute, m.count FROM deja_signature_minutes m
            JOIN deja_signatures s ON s.id = m.signature_id JOIN deja_streams st ON st.labels_key = '{{"service":"' || s.service || '"}}';
        UPDATE deja_signatures s SET count = t.count, first_seen = t.first * 60000000000, last_seen = t.last * 60000000000 + 59000000000,
                                     example_time = t.last * 60000000000
        FROM (SELECT signature_id, sum(count) AS count, min(minute) AS first, max(minute) AS last FROM deja_signature_minutes GROUP BY 1) t
        WHERE s.id = t.signature_id;
        ANALYZE;
        """)
    before = postgres.query("SELECT (SELECT count(*) FROM deja_signatures), (SELECT count(*) FROM deja_signature_minutes), "
                            "(SELECT count(*) FROM deja_stream_minutes), (SELECT sum(count) FROM deja_signatures)")[0]
    server = Server(data, flags + ["--retention", "84h"]).start()
    deadline, line = time.time() + 600, None
    while time.time() < deadline and line is None:
        found = re.findall(r".*retention removed old counts from the shared state.*", open(server.log_path, errors="replace").read())
        line = found[0] if found else None
        time.sleep(0.5)
    server.stop()
    assert line, "no retention pass logged within 600 s:\n" + server.log()
    after = postgres.query("SELECT (SELECT count(*) FROM deja_signatures), (SELECT count(*) FROM deja_signature_minutes), "
                           "(SELECT count(*) FROM deja_stream_minutes), (SELECT sum(count) FROM deja_signatures)")[0]
    mismatched = postgres.query("SELECT count(*) FROM deja_signatures s WHERE count <> "
                                "(SELECT coalesce(sum(count), 0) FROM deja_signature_minutes m WHERE m.signature_id = s.id)")[0][0]
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    print(json.dumps({
        "before": dict(zip(["signatures", "signature_minutes", "stream_minutes", "events"], map(int, before))),
        "after": dict(zip(["signatures", "signature_minutes", "stream_minutes", "events"], map(int, after))),
        "pass": {"seconds": float(fields.get("seconds", "nan")), "signatures_removed": int(fields.get("signatures_removed", -1)),
                 "signatures_recounted": int(fields.get("signatures_recounted", -1))},
        "signatures_whose_count_differs_from_their_minutes": int(mismatched),
    }, indent=2))
finally:
    chroma.stop()
    postgres.stop()
