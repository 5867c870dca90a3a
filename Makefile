# The two commands a new user needs: `make demo` and `make test`.
# Each does its own set-up (builds, Python venv, npm packages) on a fresh machine.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint test-rust test-python test-node test-browser toolchain bench soak gen gen-check

# The flow in Python, the package most of our users start with. The same flow
# for Rust users: cargo run -p paynet-core --example demo
demo: python
	$(PY) examples/demo.py

test: gen-check lint test-rust test-python test-node test-browser dist test-dist

toolchain:
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) first" >&2; exit 1; }

lint: toolchain
	cargo clippy --profile ci --workspace --all-targets -- -D warnings
	# The lean modules, without the embedded sandbox (ARCHITECTURE.md "Distribution").
	cargo clippy --profile ci -p paynet-python -p paynet-node --no-default-features -- -D warnings

test-rust: toolchain
	cargo test --profile ci -p paynet-core -p paynet-sandbox -p paynet-codegen

# --- Generated from core's spec (ARCHITECTURE.md "The spec"): committed files. ---
gen: toolchain
	cargo run --profile ci -p paynet-codegen

# CI fails when a declaration in core changed and `make gen` was not run.
gen-check: gen
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files --error-unmatch spec/paynet.json docs/API.md lib/api.d.ts lib/names.js lib/errors_gen.js lib/errors.d.ts lib/index.mjs bindings-python/python/paynet/_resources.py bindings-python/python/paynet/_models_gen.py bindings-python/python/paynet/_errors_gen.py >/dev/null; \
		git diff --exit-code -- spec docs lib/api.d.ts lib/names.js lib/errors_gen.js lib/errors.d.ts lib/index.mjs bindings-python/python/paynet/_resources.py bindings-python/python/paynet/_models_gen.py bindings-python/python/paynet/_errors_gen.py || { echo "generated files are stale: run make gen and commit the result" >&2; exit 1; }; fi

# --- Python (owned by bindings-python) ---
PY_DEV_DEPS := "maturin>=1.16,<1.17" "pytest>=8" "pytest-asyncio>=1.5" "hypothesis>=6" "mypy>=2.4" "pandas>=2.2" \
	"django>=5.2" "django-stubs>=5.2" "flask>=3.1" "fastapi>=0.115" "httpx2>=2.16" "uvicorn>=0.34" \
	"python-multipart>=0.0.20" "selenium>=4.30" \
	"pyarrow>=17" "polars>=1.10" "duckdb>=1.1" "tqdm>=4.66" "nbclient>=0.10" "nbformat>=5.10" "ipykernel>=6.29" "matplotlib>=3.9"

# A venv with the dev tools, and the extension built once (editable install),
# with the test hooks (`testing.panic`) that `pip install .` leaves out.
.PHONY: python
python: toolchain
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(PY_DEV_DEPS)
	$(VENV)/bin/maturin develop --quiet --profile ci --features test-hooks

test-python: python node
	$(PY) -m pytest -q tests/python
	$(PY) -m mypy --strict examples tests/python/typing_check.py bindings-python/python/paynet
	$(PY) -m mypy.stubtest paynet._native

# The example shops (examples/shops/) in headless Chromium (Debian's chromium and
# chromium-driver); skipped without them unless PAYNET_REQUIRE_BROWSER=1 (set by .ci/run).
# Screenshots of the 3D and Paynet.js flows: test-output/screenshots/.
test-browser: python node
	$(PY) -m pytest -q tests/browser

# --- Node (owned by bindings-node) ---
.PHONY: node
# npm packages only when the lock changed; the addon always (cargo is incremental),
# with the test hooks that `npm install` (the `prepare` script) leaves out.
# `npm install`, not `npm ci`: the lock can only list the optional platform
# packages the registry in use serves, and `npm ci` refuses such a lock.
node: toolchain
	@command -v npm >/dev/null || { echo "npm not found: install Node.js >= 20.17 first" >&2; exit 1; }
	if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		npm install --ignore-scripts --no-audit --no-fund; fi
	npm run --silent build:native -- --features test-hooks

# The generated native loader and .d.ts are committed: fail if a build changed them.
test-node: node
	node --test tests/node/
	npx --no-install tsc -p tsconfig.json
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git diff --exit-code -- bindings-node/native/index.js bindings-node/native/index.d.ts; fi

# --- The long soak (RELIABILITY.md). Not part of `test`, which runs a bounded one. ---
# SOAK_PAYMENTS=10000 SOAK_SEED=1 make soak: async Python, then Node, through 10 % after-commit faults.
SOAK_PAYMENTS ?= 10000
SOAK_SEED ?= 1
soak: python node
	$(PY) tests/python/soak.py $(SOAK_PAYMENTS) $(SOAK_SEED)
	node tests/node/soak.mjs $(SOAK_PAYMENTS) $(SOAK_SEED)

# --- Benchmarks (owned by benches/; see BENCHMARKS.md). Not part of `test`. ---
# BENCH_SMOKE=1 make bench: a seconds-long harness check.
bench: toolchain
	benches/run.sh

# core's cargo-fuzz targets, FUZZ_SECONDS (default 60) each; nightly, by hand, not part of `test` (core/fuzz/README.md).
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz: toolchain
	@cargo +nightly --version >/dev/null 2>&1 || { echo "make fuzz needs a nightly toolchain: rustup toolchain install nightly" >&2; exit 1; }
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd core/fuzz && for t in answers params money; do \
		mkdir -p corpus/$$t; \
		env -u CARGO_TARGET_DIR cargo +nightly fuzz run $$t corpus/$$t seeds/$$t -- -dict=dicts/$$t.dict -max_total_time=$(FUZZ_SECONDS); \
	done

# --- Distribution (ARCHITECTURE.md "Distribution"), the last step of `test`. ---
# `make dist`: the release artifacts in dist/, each built once. `make test-dist`
# installs them as users do (fresh venv / temp folder, no cargo on PATH) and runs
# the quickstarts; CI can call tests/dist/run.sh [python|node] directly.
.PHONY: dist dist-linux dist-tools dist-python dist-node test-dist
DIST_PY_DEPS := "maturin>=1.16,<1.17" "ziglang>=0.13,<0.18" "auditwheel>=6"
# `make dist` (and so CI) builds and tests the x86_64 glibc artifacts. `make dist-linux`
# also cross-builds, with zig, aarch64 and the musl (Alpine) ones: each target compiles
# every dependency again, so about 4 minutes per target here, and it needs
# `rustup target add` for each (LINUX_TARGETS).
PY_TARGETS ?= x86_64-unknown-linux-gnu
NODE_TARGETS ?= x86_64-unknown-linux-gnu
LINUX_TARGETS := x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl
dist: dist-python dist-node
dist-linux:
	rustup target add $(LINUX_TARGETS)
	$(MAKE) dist PY_TARGETS="$(LINUX_TARGETS)" NODE_TARGETS="$(LINUX_TARGETS)"

# maturin and zig (the ziglang wheel) link both artifacts against glibc 2.17.
dist-tools: toolchain
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(DIST_PY_DEPS)

dist-python: dist-tools
	rm -f dist/paynet-*.whl dist/paynet-*.tar.gz
	for t in $(PY_TARGETS); do \
		case $$t in *-musl) policy=musllinux_1_2 ;; *) policy=manylinux2014 ;; esac; \
		PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/maturin build --release --zig \
			--target $$t --compatibility $$policy --out dist; done
	$(VENV)/bin/maturin sdist --out dist
	# auditwheel checks manylinux wheels against this glibc host; a musllinux wheel
	# (whose loader is not here) shows its tag and the libraries it needs instead.
	for w in dist/paynet-*.whl; do case "$$w" in \
		*musllinux*) unzip -p "$$w" '*.dist-info/WHEEL' | grep '^Tag:'; \
			unzip -o -q -d dist/.check "$$w" 'paynet/_native*.so'; readelf -d dist/.check/paynet/_native*.so | grep NEEDED; rm -rf dist/.check ;; \
		*) $(VENV)/bin/auditwheel show "$$w" ;; esac; done
	ls -l dist/paynet-*.whl dist/paynet-*.tar.gz

# The release profile (`build:release`), never `ci`; then the napi-rs packages.
dist-node: dist-tools
	@command -v npm >/dev/null || { echo "npm not found: install Node.js >= 20.17 first" >&2; exit 1; }
	if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		npm install --ignore-scripts --no-audit --no-fund; fi
	rm -f dist/paynet-*.tgz
	for t in $(NODE_TARGETS); do NAPI_TARGET=$$t scripts/napi-release-zig.sh "$(CURDIR)/$(VENV)/bin/python"; done
	node scripts/dist-npm.mjs

test-dist:
	tests/dist/run.sh
