#!/usr/bin/env bash
# `make test-dist` (after `make dist`): installs what `make dist` put in dist/ the way users
# do, in fresh temp folders, with no cargo (nor rustc, nor ~/.cargo) on PATH, and runs the
# README quickstarts against the embedded sandbox. Usable as is from CI:
#   tests/dist/run.sh [python|node]...    (default: both)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dist="$root/dist"
parts=("$@")
[ $# -gt 0 ] || parts=(python node)

# A PATH with python3 and node but without cargo: only the folders of those two programs.
python_bin="$(dirname "$(python3 -c 'import sys; print(sys.executable)')")"
node_bin="$(dirname "$(command -v node)")"
clean_path="$python_bin:$node_bin:/usr/bin:/bin"
for dir in ${clean_path//:/ }; do
  if [ -x "$dir/cargo" ] || [ -x "$dir/rustc" ]; then
    echo "test-dist: $dir has cargo or rustc: cannot build a PATH without them" >&2; exit 1
  fi
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

program() { # program <cmd...>: the installed paynet-sandbox program answers --help, serves, stops on SIGTERM
  "$@" --help | grep -q -- '--public-url' || { echo "test-dist: $* --help" >&2; exit 1; }
  local out="$work/program.out"
  "$@" --port 0 > "$out" &
  local pid=$! i
  for i in $(seq 100); do grep -q '^LISTENING url=http://127.0.0.1:' "$out" && break; sleep 0.1; done
  grep -q '^LISTENING url=' "$out" || { echo "test-dist: $* printed no LISTENING line" >&2; exit 1; }
  kill -TERM "$pid" && wait "$pid"
  echo "   paynet-sandbox serves: $(cat "$out")"
}

one() { # one <glob>: the single file matching in dist/
  local matches=("$dist"/$1)
  if [ ${#matches[@]} -ne 1 ] || [ ! -f "${matches[0]}" ]; then
    echo "test-dist: want exactly one dist/$1, found: ${matches[*]} (run make dist)" >&2; exit 1
  fi
  echo "${matches[0]}"
}

test_python() {
  local wheel
  wheel="$(one 'paynet-*-cp310-abi3-*manylinux*x86_64*.whl')"
  echo "== python: $(basename "$wheel")"
  # The tag is the file name's; also check the WHEEL metadata inside agrees.
  python3 - "$wheel" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    wheel = next(n for n in z.namelist() if n.endswith(".dist-info/WHEEL"))
    tags = [l.split(": ", 1)[1] for l in z.read(wheel).decode().splitlines() if l.startswith("Tag: ")]
    names = z.namelist()
assert tags and all(t.startswith("cp310-abi3-manylinux") for t in tags), tags
assert any(n.startswith("paynet/_native") and n.endswith(".so") for n in names), names
assert "paynet/py.typed" in names and "paynet/_native.pyi" in names, names
print("   WHEEL tags:", ", ".join(tags))
EOF
  # abi3: one wheel for every CPython >= 3.10; PAYNET_DIST_PYTHONS="python3.10 python3.13" tries several.
  local py exe i=0
  for py in ${PAYNET_DIST_PYTHONS:-python3}; do
    exe="$("$py" -c 'import sys; print(sys.executable)')"
    i=$((i + 1))
    local path="$(dirname "$exe"):$clean_path"
    [ ! -x "$(dirname "$exe")/cargo" ] || { echo "test-dist: cargo next to $exe" >&2; exit 1; }
    env -i HOME="$work" PATH="$path" "$exe" -m venv "$work/venv$i"
    env -i HOME="$work" PATH="$path" "$work/venv$i/bin/python" -m pip install --quiet \
      --disable-pip-version-check --no-index --no-deps "$wheel"
    (cd "$work" && env -i HOME="$work" PATH="$path" "$work/venv$i/bin/python" "$root/tests/dist/quickstart.py")
    program env -i HOME="$work" PATH="$path" "$work/venv$i/bin/paynet-sandbox"
  done
}

test_node() {
  local main platform
  main="$(one 'paynet-[0-9]*.tgz')"
  platform="$(one 'paynet-linux-x64-gnu-[0-9]*.tgz')"
  echo "== node: $(basename "$main") + $(basename "$platform")"
  mkdir -p "$work/node"
  # The published package.json: no lifecycle script may run on users' machines.
  tar -xzOf "$main" package/package.json | node -e '
    const p = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const bad = ["preinstall", "install", "postinstall", "prepare"].filter((s) => p.scripts?.[s]);
    if (bad.length) throw new Error(`install scripts in the published package.json: ${bad}`);
    if (!p.optionalDependencies?.["paynet-linux-x64-gnu"]) throw new Error("no optionalDependencies on paynet-linux-x64-gnu");'
  if tar -tzf "$main" | grep -q '\.node$'; then echo "test-dist: a .node in the main package" >&2; exit 1; fi
  cp "$root/tests/dist/quickstart.cjs" "$root/tests/dist/quickstart.mjs" "$work/node/"
  echo '{ "name": "paynet-dist-test", "private": true }' > "$work/node/package.json"
  # Local tarballs only: --offline fails rather than reach the registry.
  (cd "$work/node" && env -i HOME="$work" PATH="$clean_path" npm install --offline --no-audit --no-fund --no-update-notifier \
    --no-package-lock --loglevel=error "$platform" "$main")
  (cd "$work/node" && env -i HOME="$work" PATH="$clean_path" node quickstart.cjs)
  (cd "$work/node" && env -i HOME="$work" PATH="$clean_path" node quickstart.mjs)
  program env -i HOME="$work" PATH="$clean_path" "$work/node/node_modules/.bin/paynet-sandbox"
}

for part in "${parts[@]}"; do
  case "$part" in
    python) test_python ;;
    node) test_node ;;
    *) echo "usage: $0 [python|node]..." >&2; exit 2 ;;
  esac
done
echo "test-dist: ok"
