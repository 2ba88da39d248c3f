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
# The server end to end, with real clients (Elasticsearch, OpenTelemetry, Loki protobuf, rsyslog).
export DEJA_SCREENSHOTS="${DEJA_SCREENSHOTS:-$(mktemp -d /tmp/deja-ui-screenshots-XXXXXX)}"
python3 -m pytest -q tests/integration
echo "UI screenshots (search and recurring-issues pages): $DEJA_SCREENSHOTS"
