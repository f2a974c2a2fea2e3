#!/usr/bin/env bash
# Builds every GreyOS sample app and test fixture into apps/out/.
#
#   bash apps/build.sh            # from anywhere
#
# - C sources (apps/samples/*.c, apps/fixtures/*.c) with clang-14 for wasm32-wasi,
#   -O2 -Wall -Wextra -Werror, grey.h from abi/. A C file whose text contains the
#   marker "greyos-build: service" is built as a service (WASI reactor exporting
#   grey_on_event); every other C file is a WASI command (_start).
# - WAT sources (*.wat) with wat2wasm (wabt).
# Output: apps/out/<name>.wasm (samples and fixtures share the folder; names are
# unique). Each build writes to a temporary file first, so a failure never
# leaves a half-written module, and running it again gives the same bytes.
# Fails loudly (non-zero, message on stderr) when a tool is missing or a build fails.
# Override the tools with CC=... WAT2WASM=... if they are named differently.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
abi="$(cd "$here/../abi" && pwd)"
out="$here/out"

CC="${CC:-clang-14}"
WAT2WASM="${WAT2WASM:-wat2wasm}"

die() { echo "apps/build.sh: $*" >&2; exit 1; }

need() {
    command -v "$1" >/dev/null 2>&1 ||
        die "missing tool '$1' — $2"
}
need "$CC" "install Debian packages clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 (or set CC)"
need "$WAT2WASM" "install Debian package wabt (or set WAT2WASM)"
# clang needs the wasm linker and the WASI sysroot; probe once with a clear message.
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
printf 'int main(void){return 0;}\n' >"$probe_dir/p.c"
if ! "$CC" --target=wasm32-wasi -O2 "$probe_dir/p.c" -o "$probe_dir/p.wasm" 2>"$probe_dir/err"; then
    cat "$probe_dir/err" >&2
    die "$CC cannot build for wasm32-wasi — install lld-14 (wasm-ld), wasi-libc and libclang-rt-14-dev-wasm32; do not pass --sysroot"
fi

mkdir -p "$out"

CFLAGS=(--target=wasm32-wasi -O2 -Wall -Wextra -Werror -I "$abi" -Wl,--strip-debug)
SERVICE_FLAGS=(-mexec-model=reactor -Wl,--export=grey_on_event)

built=0
report() {
    local f="$1" kind="$2"
    local size
    size=$(wc -c <"$f")
    printf '  %-34s %-8s %8d bytes\n' "out/$(basename "$f")" "$kind" "$size"
    built=$((built + 1))
}

declare -A seen=()
claim() {
    local name="$1" src="$2"
    [[ -z "${seen[$name]:-}" ]] || die "two sources build out/$name.wasm: ${seen[$name]} and $src"
    seen[$name]="$src"
}

echo "building into $out"
shopt -s nullglob
for src in "$here"/samples/*.c "$here"/fixtures/*.c; do
    name="$(basename "$src" .c)"
    claim "$name" "$src"
    kind=command
    flags=("${CFLAGS[@]}")
    if grep -q 'greyos-build: service' "$src"; then
        kind=service
        flags+=("${SERVICE_FLAGS[@]}")
    fi
    tmp="$out/.$name.wasm.tmp"
    "$CC" "${flags[@]}" "$src" -o "$tmp" || { rm -f "$tmp"; die "failed to build $src"; }
    mv -f "$tmp" "$out/$name.wasm"
    report "$out/$name.wasm" "$kind"
done
for src in "$here"/samples/*.wat "$here"/fixtures/*.wat; do
    name="$(basename "$src" .wat)"
    claim "$name" "$src"
    tmp="$out/.$name.wasm.tmp"
    "$WAT2WASM" --debug-names "$src" -o "$tmp" || { rm -f "$tmp"; die "failed to build $src"; }
    mv -f "$tmp" "$out/$name.wasm"
    report "$out/$name.wasm" wat
done
echo "built $built module(s)"
