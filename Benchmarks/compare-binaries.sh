#!/usr/bin/env bash
# Interleaved runs of two or more schedscope binaries on one trace (or of one binary on
# several): CPU time (perf's task-clock, which others' load on a shared machine disturbs
# less than wall time) and wall time, min and median of each. Runs alternate binaries and
# traces, so a change in the machine's load hits all of them alike.
#
# Usage: Benchmarks/compare-binaries.sh RUNS CPUS TRACE[,TRACE...] "SUBCOMMAND [ARGS]" BINARY...
#   e.g. Benchmarks/compare-binaries.sh 8 0 /tmp/p10m.sctrace summary /tmp/old/schedscope .build/release/schedscope
#        Benchmarks/compare-binaries.sh 5 0 /tmp/level1.sctrace,/tmp/huffman.sctrace analyze .build/release/schedscope
# CPUS is taskset's list: 0 for one core (the reader then runs on one thread), 0,1 for two.
set -euo pipefail
[ $# -ge 5 ] || { sed -n 2,11p "$0"; exit 64; }
runs=$1 cpus=$2 traces=$3 subcommand=$4
shift 4
results=$(mktemp)
stat=$(mktemp)
trap 'rm -f "$results" "$stat"' EXIT
for _ in $(seq "$runs"); do
  for binary in "$@"; do
    for trace in ${traces//,/ }; do
      start=$(date +%s.%N)
      # shellcheck disable=SC2086 # the subcommand and its arguments split on purpose
      perf stat -x, -e task-clock -o "$stat" taskset -c "$cpus" "$binary" $subcommand "$trace" >/dev/null 2>&1
      end=$(date +%s.%N)
      label=$binary
      [ "$traces" = "$trace" ] || label="$binary:$trace"
      echo "$label $start $end $(grep task-clock "$stat" | cut -d, -f1)" >>"$results"
    done
  done
done
python3 - "$results" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    binary, start, end, cpu_ms = line.split()
    runs.setdefault(binary, []).append((float(end) - float(start), float(cpu_ms) / 1000))
for binary, samples in runs.items():
    wall = [s[0] for s in samples]
    cpu = [s[1] for s in samples]
    print(f"{binary}: cpu min {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s; "
          f"wall min {min(wall):.3f} s, median {statistics.median(wall):.3f} s ({len(samples)} runs)")
EOF
