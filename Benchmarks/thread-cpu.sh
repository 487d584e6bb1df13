#!/usr/bin/env bash
# CPU time per thread of one command, from perf's cpu-clock samples (software events work
# in VMs without hardware counters): where the work of a pipeline of threads goes. With a
# free core per thread, a pipeline takes about as long as its busiest thread; on fewer
# cores, at least its total divided by the cores. Under load, perf's samples inflate the
# threads' CPU times, and not evenly: compare runs made side by side, and confirm a gain
# with wall time on a quiet machine.
#
#   Benchmarks/thread-cpu.sh [RUNS] -- COMMAND ARGS...
#
# Prints, per run, the CPU seconds of each thread (in order of creation: the main thread
# first), their sum, and the wall time of that run (perf's own overhead included).
set -euo pipefail
runs=3
if [[ "${1:-}" != "--" ]]; then runs=$1; shift; fi
[[ "${1:-}" == "--" ]] && shift
frequency=4000
data=$(mktemp)
trap 'rm -f "$data"' EXIT
for ((run = 1; run <= runs; run++)); do
    start=$(date +%s.%N)
    perf record -q -F "$frequency" -o "$data" -- "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    perf report -i "$data" --sort pid --stdio -F sample,pid 2>/dev/null |
        awk -v f="$frequency" -v wall="$(echo "$end - $start" | bc)" '
            /^#/ || NF < 2 { next }
            { cpu[n++] = $1 / f; total += $1 / f }
            END {
                line = ""
                for (i = 0; i < n; i++) line = line sprintf("%.2f ", cpu[i])
                printf "threads (s): %s| sum %.2f s | wall %.2f s\n", line, total, wall
            }'
done
