#!/usr/bin/env python3
"""Writes N ingest events (deja ingest --jsonl shape) replaying the loghub-2k lines of
../shared/data/loghub-2k round robin, every digit of the message (loghub's Content) replaced by a
random one (seeded), so that values are fresh but statements repeat as in production logs; the
header before it is kept, its dates valid.

    python3 scripts/make_replay.py 50000 > /tmp/replay.jsonl
    deja ingest --jsonl --data-dir /tmp/replay-store /tmp/replay.jsonl
"""
import csv, datetime, glob, json, os, random, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
count = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
shared = os.environ.get("DEJA_SHARED", os.path.join(ROOT, "..", "shared"))
random.seed(7)
lines = []
for path in sorted(glob.glob(os.path.join(shared, "data", "loghub-2k", "*", "*_2k.log"))):
    service = os.path.basename(os.path.dirname(path)).lower()
    with open(path, encoding="utf-8", errors="replace") as fh:
        raw = [l.rstrip("\n") for l in fh]
    with open(path + "_structured.csv", encoding="utf-8", errors="replace", newline="") as fh:
        contents = [row["Content"] for row in csv.DictReader(fh)]
    # The header (time, level, host) stays as written: a real stream's dates are valid; the
    # message's digits are re-drawn.
    for line, content in zip(raw, contents):
        found = line.rfind(content.strip()) if content.strip() else -1
        split = max(found, 0)
        lines.append((service, line[:split], line[split:]))
if not lines:
    sys.exit(f"no loghub-2k logs under {shared}")
start = datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc)
out = sys.stdout
for i in range(count):
    service, header, message = lines[i % len(lines)]
    body = header + re.sub(r"\d", lambda _: str(random.randint(0, 9)), message)
    # A week of traffic: timestamps advance with the events, with a little jitter.
    at = start + datetime.timedelta(seconds=i * 604800 / count + random.random())
    out.write(json.dumps({"id": f"e{i}", "service": service, "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "body": body}) + "\n")
