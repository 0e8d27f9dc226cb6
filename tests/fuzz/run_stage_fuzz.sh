#!/bin/sh
# tests/fuzz/run_stage_fuzz.sh FUZZER KIND SRC_DIR SHARED_DIR BIN_DIR SECONDS
# Seeds a fresh corpus for one stage fuzzer (stage_seeds.sh KIND) in a temp
# dir and runs it for SECONDS (NEURIO_FUZZ_SECONDS overrides).  Exit 0 = no
# finding; otherwise the fuzzer's exit code, with the log and the crashing
# input kept in the printed directory.  The last line sums it up for the
# fuzz table: execs, edges (cov), corpus, peak RSS.
set -u
fuzzer=$1 kind=$2 src=$3 shared=$4 bin=$5 secs=${NEURIO_FUZZ_SECONDS:-$6}
here=$(cd "$(dirname "$0")" && pwd)
fuzzer=$(cd "$(dirname "$fuzzer")" && pwd)/$(basename "$fuzzer") # it runs from $work
# third-party leaks we cannot fix (libconfig 1.5, see the file)
LSAN_OPTIONS="suppressions=$src/tests/common/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
work=$(mktemp -d "${TMPDIR:-/tmp}/neurio-fuzz-XXXXXX") || exit 1
mkdir -p "$work/corpus" "$work/artifacts"
sh "$here/stage_seeds.sh" "$kind" "$src" "$shared" "$bin" "$work/corpus" ||
    { echo "seed generation failed"; exit 1; }
echo "corpus: $(ls "$work/corpus" | wc -l) seed files ($kind); running ${secs}s"
(cd "$work" && "$fuzzer" -max_total_time="$secs" -max_len=131072 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" > "$work/fuzz.log" 2>&1)
rc=$?
grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY:|INFO: seed corpus)" "$work/fuzz.log"
last=$(grep -E "^#[0-9]+ " "$work/fuzz.log" | tail -1)
echo "summary $(basename "$fuzzer"): $last"
if [ "$rc" -ne 0 ]; then
    echo "FUZZ FINDING (exit $rc): log and crashing input kept in $work"
    tail -40 "$work/fuzz.log"
    exit "$rc"
fi
rm -rf "$work"
echo "no finding in ${secs}s"
exit 0
