#!/bin/sh
# bench/rss_samples.sh [BUILD_DIR] [N...] — peak RSS of `neurio run` on the
# host device for N samples of hello_world_int8 (default 10^4, 10^5, 10^6),
# with the default outputs (predictions, profile.json, inferences.csv,
# report.html, SQLite store).  Memory should not grow with N (issue 19).
# Three rigs (RSS_RIGS, default "plain anomaly refrun"): plain (task.kind =
# "none"), anomaly (task.kind = "anomaly", score "output", 0/1 labels: the
# ROC AUC over every score) and refrun (task.reference_run = "host": the host
# reference interpreter on every sample).
# Prints the rig, N, the launcher's own peak RSS (kB,
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
rigs=${RSS_RIGS:-plain anomaly refrun}
rig() { # rig NAME DATA_EXTRA TASK
    cat > "$work/$1.cfg" <<CFG
device = { plugin = "host"; };
model = { path = "$model"; };
data = { inputs = "x.npy"; batch_size = 256; $2 };
task = { $3 };
output = { dir = "runs"; };
CFG
}
rig plain "" 'kind = "none";'
rig anomaly 'labels = "y.npy";' 'kind = "anomaly"; score = "output";'
rig refrun "" 'kind = "none"; reference_run = "host";'
printf '%8s %10s %14s %10s %14s\n' rig samples peak_rss_kB wall_s profile_bytes
for n in $ns; do
    /usr/bin/python3 -c "import numpy as np; g = np.random.default_rng(1); np.save('$work/x.npy', g.integers(-128, 128, size=($n, 1), dtype=np.int8)); np.save('$work/y.npy', g.integers(0, 2, size=($n,), dtype=np.int64))"
    for r in $rigs; do
        rm -rf "$work/runs"
        rm -f "$work/rss.txt"
        NEURIO_RSS_OUT="$work/rss.txt" LD_PRELOAD="$build/bench/neurio_rss_probe.so" \
            /usr/bin/time -f '%e' -o "$work/time.txt" "$build/core/neurio" run "$work/$r.cfg" \
            > "$work/out.txt" 2>&1 || { echo "$r run failed for N=$n:"; tail -5 "$work/out.txt"; continue; }
        prof=$(ls "$work"/runs/*/profile.json)
        read -r wall < "$work/time.txt"
        rss=$(tail -1 "$work/rss.txt")
        printf '%8s %10s %14s %10s %14s\n' "$r" "$n" "$rss" "$wall" "$(wc -c < "$prof")"
    done
done
