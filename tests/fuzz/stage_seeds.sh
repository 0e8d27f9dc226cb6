#!/bin/sh
# tests/fuzz/stage_seeds.sh KIND SRC_DIR SHARED_DIR BIN_DIR DIR — the seed
# corpus of one stage fuzzer, read at run time (never copied into the repo):
#   npy       every .npy of ../shared/golden and golden-zoo (<= 128 KB) and
#             the examples' arrays
#   rig       config/*.cfg, each also with a few --set arguments appended
#             (and with --set lists: data.inputs=[...], model.calibration=[...])
#   model     ../shared/models, golden-zoo models (<= 128 KB), examples' .onnx
#   store     a results store written by store_fuzz_seeds (real runs' rows)
#   link_host the device's answers recorded from the real device runtime
#   link_dev  the host's requests recorded from the real host link
set -u
kind=$1 src=$2 shared=$3 bin=$4 dir=$5
small() { [ -f "$1" ] && [ "$(wc -c < "$1")" -le 131072 ]; }
n=0
add() { cp "$1" "$dir/$(printf '%04d' "$n")-$(basename "$1")" && n=$((n + 1)); }
case "$kind" in
npy)
    for f in "$shared"/golden/*/*.npy "$shared"/golden-zoo/*/*.npy "$src"/examples/*/*.npy; do
        small "$f" && add "$f"
    done ;;
rig)
    for f in "$src"/config/*.cfg; do
        add "$f"
        { cat "$f"; printf '\000data.limit=3\000device.board=mps2-an500\000output.predictions=p.npy'; } \
            > "$dir/set-$(basename "$f")"
        { cat "$f"; printf '\000data.inputs=["%s", %s ]\000model.calibration=[%s]' "$f" "$f" "$f"; } \
            > "$dir/setlist-$(basename "$f")"
    done ;;
model)
    for f in "$shared"/models/*.tflite "$shared"/golden-zoo/*/*.tflite "$src"/examples/*/*.onnx; do
        small "$f" && add "$f"
    done ;;
store)
    "$bin/tests/fuzz/store_fuzz_seeds" "$dir/seed.db" || exit 1 ;;
link_host|link_dev)
    "$bin/tests/fuzz/link_fuzz_seeds" "$kind" "$dir" || exit 1 ;;
*)
    echo "unknown seed kind $kind"; exit 2 ;;
esac
[ "$(ls "$dir" | wc -l)" -gt 0 ] || { echo "no seeds for $kind"; exit 1; }
exit 0
