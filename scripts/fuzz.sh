#!/usr/bin/env bash
# The decoder fuzz campaign at length: DecoderFuzzTests in a release build with N generated inputs
# per decoder (default 10,000,000). A decoder that traps leaves its input in
# ${TMPDIR:-/tmp}/deja-fuzz-crash-<decoder>: copy it to Tests/DejaServerTests/Fuzz/regressions/<decoder>-<what>
# so every test run replays it.
#   scripts/fuzz.sh [INPUTS]
set -euo pipefail
cd "$(dirname "$0")/.."
export DEJA_FUZZ_INPUTS="${1:-10000000}"
swift build -c release -Xswiftc -enable-testing --build-tests --scratch-path .build-fuzz >&2
swift test -c release -Xswiftc -enable-testing --scratch-path .build-fuzz --skip-build --filter DecoderFuzzTests 2>&1 | grep -E "^fuzz |✘|passed|failed"
