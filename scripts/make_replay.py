#!/usr/bin/env python3
"""Writes N ingest events (deja ingest --jsonl shape) replaying the loghub-2k lines of
../shared/data/loghub-2k round robin, every digit replaced by a random one (seeded), so that
values are fresh but statements repeat as in production logs.

    python3 scripts/make_replay.py 50000 > /tmp/replay.jsonl
    deja ingest --jsonl --data-dir /tmp/replay-store /tmp/replay.jsonl
"""
import glob, json, os, random, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
count = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
shared = os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared"))
random.seed(7)
lines = []
for path in sorted(glob.glob(os.path.join(shared, "data", "loghub-2k", "*", "*_2k.log"))):
    service = os.path.basename(os.path.dirname(path)).lower()
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines += [(service, l.rstrip("\n")) for l in fh]
if not lines:
    sys.exit(f"no loghub-2k logs under {shared}")
for i in range(count):
    service, line = lines[i % len(lines)]
    body = re.sub(r"\d", lambda _: str(random.randint(0, 9)), line)
    print(json.dumps({"id": f"e{i}", "service": service, "timestamp": "2026-11-20T09:14:07Z", "body": body}))
