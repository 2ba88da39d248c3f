#!/usr/bin/env bash
# Regenerates Sources/DejaServer/Generated from Protos/ (the output is committed; CI never runs this).
# Needs protoc (apt-get install protobuf-compiler) and protoc-gen-swift of the swift-protobuf
# version in Package.swift:
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf && swift build -c release --product protoc-gen-swift
set -euo pipefail
cd "$(dirname "$0")/.."
PLUGIN="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
[[ -x "$PLUGIN" ]] || { echo "set PROTOC_GEN_SWIFT to the protoc-gen-swift binary" >&2; exit 1; }
rm -rf Sources/DejaServer/Generated && mkdir -p Sources/DejaServer/Generated
protoc --plugin=protoc-gen-swift="$PLUGIN" --swift_out=Sources/DejaServer/Generated --swift_opt=Visibility=Internal \
  -I Protos -I /usr/include loki/push.proto opentelemetry/logs.proto
