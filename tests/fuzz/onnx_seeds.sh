#!/bin/sh
# tests/fuzz/onnx_seeds.sh DIR — seed corpus for fuzz_onnx: the digits demo
# model, the small per-op graphs of tests/onnx/make_models.py and the
# LSTM/GRU/RNN graphs of tests/onnx/gen_rnn_cases.py (need Debian's
# python3-onnx; without it only the digits model is used).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
cp "$src/examples/digits/digits.onnx" "$1/" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/neurio-onnx-seeds-XXXXXX") || exit 1
if /usr/bin/python3 "$src/tests/onnx/make_models.py" "$tmp" > /dev/null 2>&1; then
    cp "$tmp"/*.onnx "$1/"
else
    echo "note: make_models.py failed (python3-onnx missing?); digits.onnx only"
fi
if /usr/bin/python3 "$src/tests/onnx/gen_rnn_cases.py" "$tmp/rnn" > /dev/null 2>&1; then
    for d in "$tmp"/rnn/cases/*/; do
        cp "$d/model.onnx" "$1/$(basename "$d").onnx"
    done
fi
rm -rf "$tmp"
exit 0
