#!/usr/bin/env bash
# `make dist-node`: `npm run build:release` for x86_64-unknown-linux-gnu, linked by zig against
# glibc 2.17 symbols (as maturin --zig does for the wheel), so the published addon loads on any
# glibc >= 2.17 system and not only on ones as new as the build machine.
#
#   [NAPI_TARGET=aarch64-unknown-linux-gnu] scripts/napi-release-zig.sh <python with maturin and ziglang> [napi build args]
#
# The Linux targets: x86_64 and aarch64, glibc (2.17 symbols) and musl (Alpine's Node loads a
# dynamically linked addon, so the C runtime is not linked in statically).
#
# The C and linker wrappers call `maturin zig cc`, maturin's cargo-zigbuild front end (it fixes up
# the arguments rustc and cc-rs pass that zig does not take). release.yml uses napi's own
# --use-napi-cross instead (its gcc toolchain from npm, also glibc 2.17).
set -euo pipefail
python="$1"; shift
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${NAPI_TARGET:-x86_64-unknown-linux-gnu}"
case "$target" in
  x86_64-unknown-linux-gnu) platform=linux-x64-gnu ;;
  aarch64-unknown-linux-gnu) platform=linux-arm64-gnu ;;
  x86_64-unknown-linux-musl) platform=linux-x64-musl ;;
  aarch64-unknown-linux-musl) platform=linux-arm64-musl ;;
  *) echo "$0: $target: only the Linux targets" >&2; exit 2 ;;
esac
case "$target" in
  *-musl) zig_target="${target%%-*}-linux-musl"; export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=-crt-static" ;;
  *) zig_target="${target%%-*}-linux-gnu.2.17" ;;
esac
maturin="$(dirname "$python")/maturin"
[ -x "$maturin" ] || { echo "$0: no maturin next to $python" >&2; exit 1; }
zig_version="$("$python" -m ziglang version)"
wrappers="${CARGO_TARGET_DIR:-$root/target}/zig-wrappers/$zig_target"
mkdir -p "$wrappers"
for tool in cc c++ ar ranlib; do
  args=""
  case "$tool" in cc|c++) args="-g -fno-sanitize=all -target $zig_target" ;; esac
  cat > "$wrappers/zig-$tool" <<EOF
#!/bin/sh
export CARGO_ZIGBUILD_ZIG_VERSION='$zig_version'
export CARGO_ZIGBUILD_ZIG_COMMAND='$python'
export CARGO_ZIGBUILD_ZIG_COMMAND_ARGS='-m ziglang'
exec '$maturin' zig $tool -- $args "\$@"
EOF
  chmod +x "$wrappers/zig-$tool"
done
env_target="${target//-/_}"
upper="${env_target^^}"
export "CARGO_TARGET_${upper}_LINKER=$wrappers/zig-cc"
export "CC_${env_target}=$wrappers/zig-cc" "CXX_${env_target}=$wrappers/zig-c++"
export "AR_${env_target}=$wrappers/zig-ar" "RANLIB_${env_target}=$wrappers/zig-ranlib"
cd "$root"
npm run --silent build:release -- --target "$target" "$@"
addon="bindings-node/native/paynet.$platform.node"
case "$target" in *-musl) file "$addon"; exit 0 ;; esac
newest="$(objdump -T "$addon" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
echo "$addon: needs $newest at most"
case "$newest" in
  GLIBC_2.1[0-7]|GLIBC_2.[0-9]|GLIBC_2.[0-9].*|GLIBC_2.1[0-7].*) ;;
  *) echo "$0: $addon needs $newest, more than glibc 2.17" >&2; exit 1 ;;
esac
