#!/usr/bin/env python3
"""Mutated Go execution traces through the CLI: none may crash it.

Takes the Go fixtures' trace.out files, damages copies of them (flipped bits, a cut at a
random byte, bytes overwritten with 0, 0xff, 0x7f, 0x80 or noise, eight bytes copied
over others), and runs `import go`, `analyze`, `summary`, `validate`, `events`, `leaks`
and `export chrome` on each. Exit statuses 0-2 are answers (clean, damaged, a finding);
anything else, or a run over 30 s, is reported, and the first trace of each kind of
failure is kept as /tmp/mutated-go-crash-N.trace.

    swift build -c release --product schedscope
    Scripts/mutate-go-traces.py [SEED] [COUNT]      # defaults: 1 200

Seed 1 (150 traces) and seed 7 (500) ran clean on 2026-11-26, and seed 11 (400, with
`events`, `leaks` and `export` added) on 2026-11-27 (docs/BENCHMARKS.md).
"""
import os
import random
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, '.build', 'release', 'schedscope')
sources = [os.path.join(root, 'Fixtures', 'go', name, 'trace.out') for name in ('leaks', 'preempt', 'gcheavy', 'fanout')]
seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
rng = random.Random(seed)
trace = '/tmp/mutated-go.trace'
failures = {}

for _ in range(count):
    data = bytearray(open(rng.choice(sources), 'rb').read())
    damage = rng.randrange(4)
    if damage == 0:
        for _ in range(rng.randrange(1, 20)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif damage == 1:
        data = data[:rng.randrange(len(data))]
    elif damage == 2:
        for _ in range(rng.randrange(1, 10)):
            data[rng.randrange(16, len(data))] = rng.choice([0, 0xff, 0x7f, 0x80, rng.randrange(256)])
    else:
        at, source = rng.randrange(16, len(data)), rng.randrange(16, len(data))
        data[at:at + 8] = data[source:source + 8]
    open(trace, 'wb').write(data)
    for command in (['import', 'go', trace, '-o', '/tmp/mutated-go.sctrace'], ['analyze', trace, '--format', 'json', '--by-region'],
                    ['summary', trace], ['validate', trace], ['events', trace], ['leaks', trace, '--fail'],
                    ['export', 'chrome', trace, '-o', '/tmp/mutated-go.json']):
        try:
            run = subprocess.run([binary] + command, capture_output=True, timeout=30)
            status, stderr = run.returncode, run.stderr.decode(errors='replace')
        except subprocess.TimeoutExpired:
            status, stderr = 'timeout', ''
        if status in (0, 1, 2):
            continue
        where = next((line.split(' at ')[-1] for line in stderr.split('\n') if ' at /' in line), '')
        key = (command[0], str(status), where)
        failures[key] = failures.get(key, 0) + 1
        if failures[key] == 1:
            open(f'/tmp/mutated-go-crash-{len(failures)}.trace', 'wb').write(data)

for (command, status, where), times in sorted(failures.items()):
    print(f'{times:5d}  {command}: exit {status} {where}')
print(f'{count} mutated traces, {len(failures)} kinds of failure')
sys.exit(1 if failures else 0)
