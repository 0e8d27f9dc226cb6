#!/bin/sh
# tests/fuzz/run_fuzz.sh FUZZER SEEDS_TOOL SHARED_DIR SECONDS
# Builds a fresh seed corpus (the shared models and the zoo's models up to
# 128 KB, read at run time, plus the small models the unit tests build) in a
# temp dir, then runs
# the libFuzzer target for SECONDS.  Exit 0 = no finding; otherwise the
# fuzzer's exit code, with the crashing input left in the printed directory.
#
# Long run (documented; burns one core):
#   build-X/tests/fuzz/fuzz_tflite -max_total_time=600 -max_len=131072 \
#       -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 CORPUS_DIR
# with CORPUS_DIR prepared as below (or: NEURIO_FUZZ_SECONDS=600 ctest -L fuzz).
set -u
fuzzer=$1 seeds=$2 shared=$3 secs=${NEURIO_FUZZ_SECONDS:-$4}
work=$(mktemp -d "${TMPDIR:-/tmp}/neurio-fuzz-XXXXXX") || exit 1
mkdir -p "$work/corpus" "$work/artifacts"
n_shared=0
if [ -d "$shared/models" ]; then
    for f in "$shared"/models/*.tflite; do
        [ -f "$f" ] || continue
        if [ "$(wc -c < "$f")" -le 131072 ]; then
            cp "$f" "$work/corpus/" && n_shared=$((n_shared + 1))
        fi
    done
else
    echo "note: $shared/models absent; seeding with the test-built models only"
fi
# the model zoo (golden-zoo/<case>/model.tflite), renamed after its case
for f in "$shared"/golden-zoo/*/model.tflite; do
    [ -f "$f" ] || continue
    if [ "$(wc -c < "$f")" -le 131072 ]; then
        case_name=$(basename "$(dirname "$f")")
        cp "$f" "$work/corpus/zoo_$case_name.tflite" && n_shared=$((n_shared + 1))
    fi
done
"$seeds" "$work/corpus" || { echo "seed generation failed"; exit 1; }
echo "corpus: $n_shared shared models + $(ls "$work/corpus" | wc -l) files total; running ${secs}s"
"$fuzzer" -max_total_time="$secs" -max_len=131072 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/fuzz.log" 2>&1
rc=$?
grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY:|INFO: seed corpus)" "$work/fuzz.log"
if [ "$rc" -ne 0 ]; then
    echo "FUZZ FINDING (exit $rc): log and crashing input kept in $work"
    tail -40 "$work/fuzz.log"
    exit "$rc"
fi
rm -rf "$work"
echo "no finding in ${secs}s"
exit 0
