#!/usr/bin/env bash
# Wall time, CPU time and peak RSS of the export and report commands on synthetic traces
# (the Export figures of docs/BENCHMARKS.md). Output goes through a pipe to `wc -c`, so the
# figures include formatting but no disk writes. Usage: Benchmarks/measure-export.sh [EVENTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product schedscope >/dev/null
bin=$PWD/.build/release/schedscope
dir=${TMPDIR:-/tmp}/schedscope-export-bench
mkdir -p "$dir"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000000 50000000)
printf '%-10s %-28s %8s %8s %12s %14s\n' events command wall_s user_s peak_rss_MB output_bytes
for n in "${sizes[@]}"; do
  trace="$dir/synth-$n.sctrace"
  [ -f "$trace" ] || "$bin" synth -o "$trace" --procs 8 --events "$n" --seed 1 2>/dev/null
  for cmd in "export chrome" "export csv" "report" "analyze --format openmetrics"; do
    case $cmd in
      analyze*) /usr/bin/time -o "$dir/time.txt" -f '%e %U %M' "$bin" $cmd "$trace" | wc -c > "$dir/bytes.txt" ;;
      *) /usr/bin/time -o "$dir/time.txt" -f '%e %U %M' "$bin" $cmd "$trace" -o - | wc -c > "$dir/bytes.txt" ;;
    esac
    read -r wall user rss < <(tail -1 "$dir/time.txt")
    printf '%-10s %-28s %8s %8s %12.1f %14s\n' "$n" "$cmd" "$wall" "$user" "$(echo "$rss/1024" | bc -l)" "$(cat "$dir/bytes.txt")"
  done
done
