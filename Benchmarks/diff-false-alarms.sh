#!/usr/bin/env bash
# How often does `schedscope diff` call a regression where there is none?
#
# Every trace is the same synthetic test suite (`synth --tests`), recorded with a different
# seed: the runs differ as re-runs of one suite differ, and nothing regressed. The script
# diffs PAIRS disjoint pairs of sides, each side RUNS traces, with the default limits, and
# counts the diffs that exit 2 and the metrics they named.
#
#   Benchmarks/diff-false-alarms.sh                   # 50 pairs of one run a side
#   RUNS=5 Benchmarks/diff-false-alarms.sh            # 50 pairs of five runs a side
#   TESTS=200 PAIRS=100 RUNS=5 SCHEDSCOPE=.build/release/schedscope Benchmarks/diff-false-alarms.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEDSCOPE=${SCHEDSCOPE:-.build/debug/schedscope}
TESTS=${TESTS:-100}   # test cases per trace (100: about 15,000 events)
PAIRS=${PAIRS:-50}
RUNS=${RUNS:-1}       # traces a side
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"

[ -x "$SCHEDSCOPE" ] || { echo "build first: swift build (or set SCHEDSCOPE)" >&2; exit 64; }

seed=0
alarms=0
declare -A named=()
for pair in $(seq 1 "$PAIRS"); do
  base=() head=()
  for side in base head; do
    for _ in $(seq 1 "$RUNS"); do
      seed=$((seed + 1))
      trace="$WORK/tests$TESTS-seed$seed.sctrace"
      [ -f "$trace" ] || "$SCHEDSCOPE" synth -o "$trace" --tests "$TESTS" --seed "$seed" 2>/dev/null
      if [ "$side" = base ]; then base+=("$trace"); else head+=("$trace"); fi
    done
  done
  status=0
  verdict=$("$SCHEDSCOPE" diff --base "${base[@]}" --head "${head[@]}" 2>/dev/null | grep '^Verdict') || status=$?
  case "$verdict" in
    *REGRESSED:*)
      alarms=$((alarms + 1))
      for metric in $(echo "${verdict#*REGRESSED: }" | tr -d ','); do named[$metric]=$(( ${named[$metric]:-0} + 1 )); done
      ;;
  esac
done

echo "schedscope diff false alarms: $alarms of $PAIRS pairs ($RUNS run(s) a side, synth --tests $TESTS, seeds 1-$seed)"
for metric in "${!named[@]}"; do echo "  $metric: ${named[$metric]}"; done | sort
echo "traces kept in $WORK"
