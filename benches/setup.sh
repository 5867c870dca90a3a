#!/usr/bin/env bash
# Installs everything the benchmarks need, outside the tests' .venv and
# node_modules: wrk (apt), a bench venv with paynet built in release mode,
# the Node peers and a release build of the paynet addon in a private copy
# of the package, and the sandbox binary (release). Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
B="$ROOT/benches/.build"
mkdir -p "$B"
log() { printf '[bench setup] %s\n' "$*" >&2; }

# --- wrk -------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk (apt)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
fi

# --- sandbox (release) -----------------------------------------------------
log "cargo build --release -p paynet-sandbox"
(cd "$ROOT" && cargo build --release --quiet -p paynet-sandbox)

# --- Python: bench venv, peers, paynet (release, pip install .) ------------
PY="${PYTHON:-python3}"
if [ ! -x "$B/venv/bin/python" ]; then
  log "creating $B/venv"
  "$PY" -m venv "$B/venv"
fi
VPY="$B/venv/bin/python"
"$VPY" -m pip install -q --upgrade pip >/dev/null
"$VPY" -m pip install -q -r "$ROOT/benches/requirements.txt"
# Rebuild paynet when any of its sources changed since the last install.
PYSTAMP="$(cd "$ROOT" && cat pyproject.toml Cargo.lock $(find core/src bindings-python -type f -not -path '*/__pycache__/*' | sort) | sha1sum | cut -c1-16)"
if [ "$(cat "$B/paynet-py.stamp" 2>/dev/null)" != "$PYSTAMP" ]; then
  log "pip install $ROOT (maturin, release profile) into the bench venv"
  (cd "$ROOT" && "$VPY" -m pip install -q --force-reinstall --no-deps .)
  echo "$PYSTAMP" > "$B/paynet-py.stamp"
fi

# --- Node: peers + @napi-rs/cli in benches/.build/node, paynet copy --------
NODE_DIR="$B/node"
mkdir -p "$NODE_DIR"
cp "$ROOT/benches/node/package.json" "$NODE_DIR/package.json"
if [ ! -d "$NODE_DIR/node_modules/axios" ] || [ "$ROOT/benches/node/package.json" -nt "$NODE_DIR/.installed" ]; then
  log "npm install (axios, @napi-rs/cli) into $NODE_DIR"
  (cd "$NODE_DIR" && npm install --silent --no-audit --no-fund >/dev/null)
  touch "$NODE_DIR/.installed"
fi
# A private copy of the paynet package: the repo's lib/ and package.json plus
# a release addon. The tests' addon in bindings-node/native is never touched.
PKG="$NODE_DIR/node_modules/paynet"
NODESTAMP="$(cd "$ROOT" && cat package.json Cargo.lock $(find core/src bindings-node/src bindings-node/Cargo.toml bindings-node/build.rs lib -type f | sort) | sha1sum | cut -c1-16)"
if [ "$(cat "$B/paynet-node.stamp" 2>/dev/null)" != "$NODESTAMP" ] || [ ! -d "$PKG/bindings-node/native" ]; then
  log "napi build --release into $PKG/bindings-node/native"
  rm -rf "$PKG" && mkdir -p "$PKG/bindings-node/native"
  cp -r "$ROOT/lib" "$ROOT/package.json" "$PKG/"
  (cd "$ROOT" && "$NODE_DIR/node_modules/.bin/napi" build \
      --manifest-path bindings-node/Cargo.toml --package-json-path package.json \
      --output-dir "$PKG/bindings-node/native" --platform --release \
      --js index.js --dts index.d.ts >/dev/null)
  echo "$NODESTAMP" > "$B/paynet-node.stamp"
fi
log "ready"
