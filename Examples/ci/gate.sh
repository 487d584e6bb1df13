#!/usr/bin/env bash
# Records RUNS traces of a baseline and of a candidate, then gates on `schedscope diff`:
# exit 0 when nothing regressed, 2 when something did (1: a trace could not be read,
# 64: bad limits). The Markdown report goes to --markdown FILE (for a pull-request
# comment) and the text report to stdout. docs/CI.md explains each step.
#
#   Examples/ci/gate.sh                        # the demo: a synthetic suite, no regression (exit 0)
#   CANDIDATE=leaky Examples/ci/gate.sh        # the demo with a candidate that leaks more (exit 2)
#   RUNS=7 Examples/ci/gate.sh --markdown diff.md --config Examples/ci/diff-limits.conf
#
# Recording your own program: set RECORD_BASE and RECORD_HEAD to commands that write one
# trace to "$TRACE" (run $RUN of $RUNS), e.g. a program that calls
# Recorder.startFromEnvironment(), built from each commit:
#   RECORD_BASE='SCHEDSCOPE_TRACE="$TRACE" ../base/.build/release/my-server --self-test'
#   RECORD_HEAD='SCHEDSCOPE_TRACE="$TRACE" .build/release/my-server --self-test'
# Every other argument goes to `schedscope diff` (--threshold, --config, --alpha, …).
set -euo pipefail

SCHEDSCOPE=${SCHEDSCOPE:-schedscope}
RUNS=${RUNS:-5}            # 4 or more a side let the Mann–Whitney test reach p < 0.05
WORK=${WORK:-schedscope-diff}
TESTS=${TESTS:-100}        # the demo suite's size
markdown=""
diff_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --markdown) markdown=$2; shift 2 ;;
    *) diff_args+=("$1"); shift ;;
  esac
done

# The demo's recordings: the same synthetic test suite, one seed per run (runs of a real
# suite differ the same way: timing, interleaving). The "leaky" candidate leaks a task
# in one test of 10 instead of one of 40.
leak_every=40
[ "${CANDIDATE:-}" = leaky ] && leak_every=10
RECORD_BASE=${RECORD_BASE:-'"$SCHEDSCOPE" synth -o "$TRACE" --tests '"$TESTS"' --seed "$RUN" 2>/dev/null'}
RECORD_HEAD=${RECORD_HEAD:-'"$SCHEDSCOPE" synth -o "$TRACE" --tests '"$TESTS"' --seed $((RUN + 1000)) --leak-every '"$leak_every"' 2>/dev/null'}

command -v "$SCHEDSCOPE" >/dev/null || { echo "gate.sh: '$SCHEDSCOPE' not found; build it (swift build -c release) or set SCHEDSCOPE" >&2; exit 64; }

rm -rf "$WORK"
mkdir -p "$WORK/base" "$WORK/head"
for RUN in $(seq 1 "$RUNS"); do
  export RUN RUNS SCHEDSCOPE
  TRACE="$WORK/base/run$RUN.sctrace" eval "$RECORD_BASE"
  TRACE="$WORK/head/run$RUN.sctrace" eval "$RECORD_HEAD"
done
echo "recorded $RUNS run(s) a side in $WORK/" >&2

status=0
"$SCHEDSCOPE" diff --base "$WORK/base" --head "$WORK/head" ${diff_args[@]+"${diff_args[@]}"} || status=$?
if [ -n "$markdown" ] && [ "$status" -le 2 ]; then
  # The same comparison as Markdown (warnings are in it too, so stderr is dropped).
  "$SCHEDSCOPE" diff --base "$WORK/base" --head "$WORK/head" --format markdown ${diff_args[@]+"${diff_args[@]}"} > "$markdown" 2>/dev/null || true
fi
case $status in
  0) echo "schedscope diff: no regression" >&2 ;;
  2) echo "schedscope diff: regression (see above)" >&2 ;;
  *) echo "schedscope diff: could not compare (exit $status)" >&2 ;;
esac
exit "$status"
