#!/usr/bin/env bash
# The test command: sets up what is missing (packages, model, build), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --integration
# The full reference (with loghub lines, which may not be copied here) is checked when present.
REFERENCE="${DEJA_SHARED:-../shared}/fixtures/minilm/reference.jsonl"
if [[ -f "$REFERENCE" ]]; then
  python3 scripts/check_reference.py "$REFERENCE" --deja "$(swift build --show-bin-path)/deja" --batch-sizes 1,32
fi
swift test
# On an AVX-512 CPU the encoder takes the AVX-512 path; its AVX2 path is held to the same reference.
if grep -qw avx512f /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo; then
  DEJA_KERNEL=avx2 swift test --skip-build --filter EmbeddingReferenceTests
fi
# The server end to end, with real clients (Elasticsearch, OpenTelemetry, Loki protobuf, rsyslog).
export DEJA_SCREENSHOTS="${DEJA_SCREENSHOTS:-$(mktemp -d /tmp/deja-ui-screenshots-XXXXXX)}"
# Their clients and tools (pytest, chroma, hadolint, kubernetes-validate) live in .venv (setup.sh).
PATH="$PWD/.venv/bin:$PATH" python3 -m pytest -q tests/integration
echo "UI screenshots (search, recurring issues, issue, alert, metrics and demo pages): $DEJA_SCREENSHOTS"
