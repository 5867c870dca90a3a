#!/usr/bin/env bash
# `make bench`: set up (wrk, bench venv, release builds), then run every row.
# BENCH_SMOKE=1 runs each case once and briefly (harness check; output in benches/.build/).
# BENCH_REPS, BENCH_SECONDS, BENCH_ROWS (e.g. "2,3") tune a full run.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
"$HERE/setup.sh"
exec "$HERE/.build/venv/bin/python" "$HERE/run.py" "$@"
