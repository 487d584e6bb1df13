#!/usr/bin/env bash
# Rebuilds every fixture trace and then the golden outputs (Fixtures/README.md).
#
#   Fixtures/regenerate.sh            traces + goldens
#   Fixtures/regenerate.sh --traces   traces only
#
# Review what changed (git diff --stat Fixtures) before committing: a golden that moves
# without a reason is a bug, not a fixture to update.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --product schedscope
bin="$(swift build --show-bin-path)/schedscope"

# Clean traces: deterministic from their options (same options, same bytes).
"$bin" synth -o Fixtures/demo.sctrace --procs 4 --tasks 2000 --seed 1
"$bin" synth -o Fixtures/tiny.sctrace --procs 2 --tasks 40 --seed 3
mkdir -p Fixtures/diff
"$bin" synth -o Fixtures/diff/base.sctrace --tests 40 --seed 1 --leak-every 20
"$bin" synth -o Fixtures/diff/head.sctrace --tests 40 --seed 2 --leak-every 10

# Little-endian unsigned integers read from a file: u32 FILE OFFSET.
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }

# Chunk i's header offset and stored payload length, walking the chunk headers
# (docs/FORMAT.md: the file header's length is at byte 12; a chunk header is 60 bytes
# with its stored payload length at byte 44).
chunk() {
  local file=$1 wanted=$2 offset index=0 size
  offset=$(u32 "$file" 12)
  size=$(stat -c %s "$file")
  while [ "$offset" -lt "$size" ]; do
    local stored
    stored=$(u32 "$file" $((offset + 44)))
    if [ "$index" -eq "$wanted" ]; then echo "$offset $stored"; return; fi
    offset=$((offset + 60 + stored))
    index=$((index + 1))
  done
  echo "no chunk $wanted in $file" >&2
  exit 1
}
chunks() {
  local file=$1 offset count=0 size
  offset=$(u32 "$file" 12)
  size=$(stat -c %s "$file")
  while [ "$offset" -lt "$size" ]; do
    offset=$((offset + 60 + $(u32 "$file" $((offset + 44)))))
    count=$((count + 1))
  done
  echo "$count"
}

mkdir -p Fixtures/damaged

# truncated.sctrace: demo.sctrace cut in the middle of its last events chunk's payload
# (the chunk before the end chunk, which is the file's last).
read -r offset stored < <(chunk Fixtures/demo.sctrace $(($(chunks Fixtures/demo.sctrace) - 2)))
head -c $((offset + 60 + stored / 2)) Fixtures/demo.sctrace > Fixtures/damaged/truncated.sctrace

# corrupt-chunk.sctrace: demo.sctrace with the middle byte of chunk 2's payload (an event
# chunk) inverted, so that the payload fails its CRC.
read -r offset stored < <(chunk Fixtures/demo.sctrace 2)
at=$((offset + 60 + stored / 2))
cp Fixtures/demo.sctrace Fixtures/damaged/corrupt-chunk.sctrace
printf "$(printf '\\%03o' $(($(u8 Fixtures/demo.sctrace "$at") ^ 0xFF)))" |
  dd of=Fixtures/damaged/corrupt-chunk.sctrace bs=1 seek="$at" conv=notrunc status=none

# not-a-trace.txt: a text file where a trace is expected.
printf 'kind,count\ntask_start,42\n' > Fixtures/damaged/not-a-trace.txt

ls -l Fixtures/*.sctrace Fixtures/diff/ Fixtures/damaged/
[ "${1:-}" = "--traces" ] && exit 0

# Goldens: the update run rewrites every golden that changed and fails those tests on
# purpose; the second run must pass.
rm -f Fixtures/golden/*
SCHEDSCOPE_UPDATE_GOLDENS=1 swift test --filter SchedscopeCLITests >/dev/null 2>&1 || true
swift test --filter SchedscopeCLITests
git status --short Fixtures
