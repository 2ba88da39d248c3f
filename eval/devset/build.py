#!/usr/bin/env python3
"""Deja's own development set for semantic log search, in the format of ../shared/data/semantic-eval
(corpus.jsonl, queries.jsonl, qrels.tsv): root causes the public sample does not have, each worded
by several ecosystems with the error strings and traces those ecosystems print (their documentation
and source: CPython, the JDK, .NET, Node.js, Go, Ruby, PHP, PostgreSQL, MariaDB, MongoDB, SQLite,
OpenSSL, curl, nginx, Envoy, Kubernetes, the Linux kernel), plus routine lines and real distractor
lines from ../shared/data/loghub-2k (read at build time: their licence keeps them out of the repo).

Queries are split in two halves by a hash of their id (`half` = A or B): choose parameters on one,
report the other.

    python3 eval/devset/build.py OUT_DIR [--shared ../shared] [--clusters heldback|blind|fourth|fifth] [--per-system 56]

`--clusters heldback` builds the second set (heldback.py), written after the search's weights were
chosen; `--clusters blind` the third (blind.py), written after every rule was; `--clusters fourth`
the fourth (fourth.py), written after the third had taken part in choices; `--clusters fifth` the
fifth (fifth.py), written after the fourth had. `--per-system 200`
gives a set of about 3,000 events, the held-out set's size.
"""
import argparse, hashlib, importlib, json, os, random, re

BASE = 1_717_200_000  # 2024-06-01T00:00:00Z


def event_id(prefix, text):
    return prefix + hashlib.sha1(text.encode()).hexdigest()[:8]


def timestamp(rng):
    seconds = BASE + rng.randrange(7 * 86400)
    return f"{__import__('datetime').datetime.utcfromtimestamp(seconds).isoformat()}.{rng.randrange(1000):03d}Z"


def loghub_distractors(shared, rng, per_system=56):
    """`per_system` lines from each loghub-2k system, chosen with the set's own seed."""
    root = os.path.join(shared, "data", "loghub-2k")
    lines = []
    for system in sorted(os.listdir(root)):
        path = os.path.join(root, system, f"{system}_2k.log_structured.csv")
        if not os.path.exists(path):
            continue
        import csv
        rows = list(csv.DictReader(open(path, encoding="utf-8", errors="replace")))
        for row in rng.sample(rows, min(per_system, len(rows))):
            body = row.get("Content") or ""
            level = (row.get("Level") or "").upper()
            level = {"WARNING": "WARN", "E": "ERROR", "W": "WARN", "I": "INFO", "FATAL": "FATAL", "ERROR": "ERROR", "WARN": "WARN",
                     "INFO": "INFO", "DEBUG": "DEBUG"}.get(level, "INFO")
            lines.append({"service": system.lower(), "level": level, "body": body, "template": f"loghub/{system}/{row.get('EventId')}"})
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
    parser.add_argument("--clusters", default="clusters", choices=["clusters", "heldback", "blind", "fourth", "fifth"], help="which set's causes and queries")
    parser.add_argument("--per-system", type=int, default=56, help="distractor lines from each loghub-2k system")
    args = parser.parse_args()
    causes = importlib.import_module(args.clusters)
    CLUSTERS, QUERIES, RELATED, ROUTINE = causes.CLUSTERS, causes.QUERIES, causes.RELATED, causes.ROUTINE
    rng = random.Random({"clusters": 20261205, "heldback": 20261207, "blind": 20261212, "fourth": 20261213, "fifth": 20261214}[args.clusters])
    os.makedirs(args.out, exist_ok=True)
    corpus, labels = [], []
    members = {}
    for cluster, events in CLUSTERS.items():
        for number, (service, level, body) in enumerate(events):
            identifier = event_id("d", cluster + body)
            corpus.append({"id": identifier, "service": service, "level": level, "timestamp": timestamp(rng), "body": body})
            labels.append({"id": identifier, "cluster": cluster, "source": "authored", "template": f"{cluster}/{number}"})
            members.setdefault(cluster, []).append(identifier)
    for service, level, body in ROUTINE:
        identifier = event_id("r", body)
        corpus.append({"id": identifier, "service": service, "level": level, "timestamp": timestamp(rng), "body": body})
        labels.append({"id": identifier, "cluster": None, "source": "authored", "template": f"routine/{identifier}"})
    for line in loghub_distractors(args.shared, rng, args.per_system):
        identifier = event_id("l", line["template"] + line["body"] + str(len(corpus)))
        corpus.append({"id": identifier, "service": line["service"], "level": line["level"], "timestamp": timestamp(rng), "body": line["body"]})
        labels.append({"id": identifier, "cluster": None, "source": "loghub", "template": line["template"]})
    rng.shuffle(corpus)
    by_id = {event["id"]: event for event in corpus}

    queries, qrels = [], []
    for number, query in enumerate(QUERIES, 1):
        qid = f"{ {'clusters': 'dq', 'heldback': 'hq', 'blind': 'bq', 'fourth': 'fq', 'fifth': 'vq'}[args.clusters]}{number:03d}"
        half = "A" if int(hashlib.sha1(qid.encode()).hexdigest(), 16) % 2 == 0 else "B"
        record = {"qid": qid, "query": query["query"], "kind": query["kind"], "half": half}
        if query.get("filters"):
            record["filters"] = query["filters"]
        queries.append(record)
        filters = query.get("filters") or {}

        def passes(event_id_):
            event = by_id[event_id_]
            return all(event[key] == value for key, value in filters.items())

        if query["kind"] == "exact-id":
            # The exact token, as a person pasting it means it: `8812` is not in `88120`.
            token = re.compile(r"(?<![0-9a-z])" + re.escape(query["id"].lower()) + r"(?![0-9a-z])")
            for event in corpus:
                if token.search(event["body"].lower()) and passes(event["id"]):
                    qrels.append((qid, event["id"], 2))
            continue
        judged = set()
        for cluster in query["clusters"]:
            for member in members[cluster]:
                if passes(member) and member not in judged:
                    qrels.append((qid, member, 2))
                    judged.add(member)
        for cluster in query["clusters"]:
            for related in RELATED.get(cluster, []):
                for member in members[related]:
                    if passes(member) and member not in judged:
                        qrels.append((qid, member, 1))
                        judged.add(member)

    with open(os.path.join(args.out, "corpus.jsonl"), "w") as out:
        for event in corpus:
            out.write(json.dumps(event) + "\n")
    with open(os.path.join(args.out, "labels.jsonl"), "w") as out:
        for label in labels:
            out.write(json.dumps(label) + "\n")
    with open(os.path.join(args.out, "queries.jsonl"), "w") as out:
        for query in queries:
            out.write(json.dumps(query) + "\n")
    with open(os.path.join(args.out, "qrels.tsv"), "w") as out:
        out.write("qid\tdoc_id\trelevance\n")
        for qid, doc, relevance in qrels:
            out.write(f"{qid}\t{doc}\t{relevance}\n")
    for half in "AB":
        with open(os.path.join(args.out, f"queries-{half}.jsonl"), "w") as out:
            for query in queries:
                if query["half"] == half:
                    out.write(json.dumps(query) + "\n")
    kinds = {}
    for query in queries:
        kinds[query["kind"]] = kinds.get(query["kind"], 0) + 1
    print(f"{len(corpus)} events ({sum(len(v) for v in CLUSTERS.values())} in {len(CLUSTERS)} root causes, {len(ROUTINE)} routine), "
          f"{len(queries)} queries {kinds} -> {args.out}")


if __name__ == "__main__":
    main()
