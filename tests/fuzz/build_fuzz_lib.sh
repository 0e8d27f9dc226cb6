#!/bin/sh
# tests/fuzz/build_fuzz_lib.sh CLANG OUT.a SRC_DIR BIN_DIR SOURCE...
# Compiles libneurio's sources and the other stages the fuzzers reach (the
# rig reader, the result store, the device runtime, the link fixture model)
# with clang and the fuzzer's instrumentation (-fsanitize=fuzzer-no-link,
# address,undefined) into one static archive the stage fuzzers link.  The
# main build uses gcc; this is the instrumented copy of the same code.
# (Internal mode: build_fuzz_lib.sh --one CLANG SRC_DIR BIN_DIR FILE OBJ.)
set -eu
if [ "$1" = "--one" ]; then
    cc=$2 src=$3 bin=$4 file=$5 obj=$6
    # shellcheck disable=SC2046 # pkg-config's flags are words
    exec "$cc" $(pkg-config --cflags hidapi-hidraw libpq 2>/dev/null || echo -I/usr/include/hidapi -I/usr/include/postgresql) -std=c11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
        -fno-sanitize-recover=undefined -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
        "-DNEURIO_BUILD_SOURCE_DIR=\"$src\"" "-DNEURIO_BUILD_BINARY_DIR=\"$bin\"" \
        '-DNEURIO_INSTALL_LIBDIR="lib"' '-DNEURIO_INSTALL_DATADIR="share"' \
        '-DNEURIO_PLUGIN_INSTALL_DIR="lib/neurio/plugins"' \
        -I"$src/sdk/include" -I"$bin/sdk/include" -I"$src/firmware/include" \
        -I"$src/sdk/src" -I"$src/firmware" -I"$src/firmware/kernels" \
        -I"$src/firmware/runtime" -I"$bin/sdk/onnx-gen" -I"$src/core" -I"$src/results" \
        -I"$src/tests/link" -w -c "$file" -o "$obj"
fi
cc=$1 out=$2 src=$3 bin=$4
shift 4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/neurio-fuzzlib-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
i=0
for f in "$@"; do
    i=$((i + 1))
    printf '%s\n%s\n' "$f" "$tmp/o$i.o"
done | xargs -d '\n' -n 2 -P 2 "$0" --one "$cc" "$src" "$bin"
rm -f "$out"
ar rcs "$out" "$tmp"/*.o
