#!/usr/bin/env bash
# Wall time and peak RSS of schedscope commands on synthetic traces of growing length
# (the memory figures of docs/BENCHMARKS.md). Usage: Benchmarks/measure-cli.sh [EVENTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
bin=.build/release/schedscope
dir=${TMPDIR:-/tmp}/schedscope-measure
mkdir -p "$dir"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000000 50000000)
printf '%-12s %-34s %10s %10s %12s\n' events command wall_s user_s peak_rss_MB
for n in "${sizes[@]}"; do
  trace="$dir/synth-$n.sctrace"
  [ -f "$trace" ] || "$bin" synth -o "$trace" --procs 8 --events "$n" --seed 1 2>/dev/null
  for cmd in "summary" "stats --by proc" "validate" "events --kind task_end --format jsonl"; do
    for cores in 0 0-1; do
      /usr/bin/time -o "$dir/time.txt" -f '%e %U %M' taskset -c "$cores" "$bin" $cmd "$trace" >/dev/null 2>&1 || true
      read -r wall user rss < <(tail -1 "$dir/time.txt")
      printf '%-12s %-34s %10s %10s %12.1f\n' "$n" "$cmd (cpus $cores)" "$wall" "$user" "$(echo "$rss/1024" | bc -l)"
    done
  done
done
