#!/bin/sh
# bench/rss_samples.sh [BUILD_DIR] [N...] — peak RSS of `neurio run` on the
# host device for N samples of hello_world_int8 (default 10^4, 10^5, 10^6),
# with the default outputs (predictions, profile.json, inferences.csv,
# report.html, SQLite store).  Memory should not grow with N (issue 19).
# Prints N, the launcher's own peak RSS (kB,
# VmHWM through bench/rss_probe.so; GNU time's %M would be the compiler it
# spawns), wall time and the profile's size.  A benchmark: it prints figures, never fails
# on them.  Inputs are random int8 written here (numpy, Debian's python3).
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
ns=${*:-10000 100000 1000000}
shared=${NEURIO_SHARED_DIR:-$(cd "$(dirname "$0")/.." && pwd)/../shared}
model=$shared/models/hello_world_int8.tflite
[ -f "$model" ] || { echo "bench/rss_samples.sh: $model absent"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/neurio-rss-XXXXXX")
trap 'rm -rf "$work"' EXIT
cat > "$work/rig.cfg" <<CFG
device = { plugin = "host"; };
model = { path = "$model"; };
data = { inputs = "x.npy"; batch_size = 256; };
task = { kind = "none"; };
output = { dir = "runs"; };
CFG
printf '%10s %14s %10s %14s\n' samples peak_rss_kB wall_s profile_bytes
for n in $ns; do
    /usr/bin/python3 -c "import numpy as np; np.save('$work/x.npy', np.random.default_rng(1).integers(-128, 128, size=($n, 1), dtype=np.int8))"
    rm -rf "$work/runs"
    rm -f "$work/rss.txt"
    NEURIO_RSS_OUT="$work/rss.txt" LD_PRELOAD="$build/bench/neurio_rss_probe.so" \
        /usr/bin/time -f '%e' -o "$work/time.txt" "$build/core/neurio" run "$work/rig.cfg" \
        > "$work/out.txt" 2>&1 || { echo "run failed for N=$n:"; tail -5 "$work/out.txt"; continue; }
    prof=$(ls "$work"/runs/*/profile.json)
    read -r wall < "$work/time.txt"
    rss=$(tail -1 "$work/rss.txt")
    printf '%10s %14s %10s %14s\n' "$n" "$rss" "$wall" "$(wc -c < "$prof")"
done
