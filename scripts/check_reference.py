#!/usr/bin/env python3
"""Checks `deja embed` against a sentence-transformers reference file (e.g. ../shared/fixtures/minilm/
reference.jsonl, which holds loghub lines that may not be copied into this repo).

    python3 scripts/check_reference.py REFERENCE.jsonl [--deja PATH] [--batch-sizes 1,32]

Per record: token ids equal, 1 - cosine <= 1e-6, every component within 1e-4. Exit 1 on any failure."""
import argparse, json, math, subprocess, sys, tempfile

ap = argparse.ArgumentParser()
ap.add_argument("reference")
ap.add_argument("--deja", default=".build/release/deja")
ap.add_argument("--batch-sizes", default="1,32")
args = ap.parse_args()

refs = [json.loads(l) for l in open(args.reference, encoding="utf-8")]
with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
    for r in refs:
        fh.write(json.dumps({"text": r["text"]}) + "\n")
failures = 0
for batch in args.batch_sizes.split(","):
    out = subprocess.run([args.deja, "embed", "--jsonl", "--tokens", "--batch-size", batch, fh.name],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    assert len(out) == len(refs), f"{len(out)} outputs for {len(refs)} inputs"
    worst_cos = worst_abs = 0.0
    for r, line in zip(refs, out):
        got = json.loads(line)
        if got["input_ids"] != r["input_ids"]:
            failures += 1
            print(f"batch {batch}: token ids differ for {r['text'][:80]!r}")
            continue
        a, b = got["embedding"], r["embedding"]
        dot = sum(x * y for x, y in zip(a, b))
        cos = dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))
        diff = max(abs(x - y) for x, y in zip(a, b))
        worst_cos, worst_abs = max(worst_cos, 1 - cos), max(worst_abs, diff)
        if 1 - cos > 1e-6 or diff > 1e-4:
            failures += 1
            print(f"batch {batch}: 1-cos {1 - cos:.2e}, max abs {diff:.2e} for {r['text'][:80]!r}")
    print(f"batch {batch}: {len(refs)} records, worst 1-cos {worst_cos:.3e}, worst abs diff {worst_abs:.3e}")
print("FAIL" if failures else "OK", f"({failures} failures)")
sys.exit(1 if failures else 0)
