#!/usr/bin/env python3
"""Differential fuzz of the reader's multi-core paths: mutates a trace and runs reading
commands on it twice, on every core the process may use and under `taskset -c 0`,
expecting the same stdout, stderr and exit code, and neither a crash (exit >= 128) nor a
hang (60 s).

Two families of mutants. Raw ones (byte flips, cuts, zeroed runs, duplicated runs) mostly
break a CRC, so they test how damage is found and skipped. Re-framed ones keep every CRC
valid, so their damage gets past the checks into the decoder, the merge and the analyses:
an events payload inflated, mutated (bits, bytes, runs cut or repeated, forged varints) and
deflated again; a chunk header field forged (generation, thread, timestamps, counts,
lengths, type, encoding); or a decompression bomb (a payload that inflates past its
declared length).

    schedscope synth --procs 8 --events 5000000 --seed 7 -o /tmp/fuzz-base.sctrace
    Scripts/fuzz-cores.py .build/release/schedscope /tmp/fuzz-base.sctrace 1 100

A trace of several generations (the synthetic ones make one every million events or so)
exercises the split read; a smaller one, the three-stage read. Mutants that differ are kept
next to the base trace as bad-SEED-N.sctrace. Exit 1 if any differed.
"""
import hashlib, os, random, subprocess, sys

import trace_mutants  # next to this script

binary, base_path, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
base = open(base_path, "rb").read()
rng = random.Random(seed)
directory = os.path.dirname(os.path.abspath(base_path))
mutant_path = os.path.join(directory, f"mutant-{seed}.sctrace")
COMMANDS = (["analyze", "--format", "json"], ["stats", "--by", "label"], ["events", "--kind", "task_end"])


def mutate(data):
    if rng.random() < 0.5:
        return trace_mutants.reframed(rng, data)
    data = bytearray(data)
    kind = rng.choice(["flip", "flips", "cut", "zero", "duplicate"])
    if kind == "flip":
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "flips":
        for _ in range(rng.randint(2, 20)):
            data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
    elif kind == "cut":
        data = data[:rng.randrange(len(data))]
    elif kind == "zero":
        start, length = rng.randrange(len(data)), rng.randint(1, 5000)
        data[start:start + length] = bytes(len(data[start:start + length]))
    else:
        start, length = rng.randrange(len(data)), rng.randint(60, 50000)
        data[start:start] = data[start:start + length]
    return kind, bytes(data)


def run(arguments, one_core):
    command = (["taskset", "-c", "0"] if one_core else []) + [binary] + arguments
    try:
        done = subprocess.run(command, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return ("timeout",)
    return (done.returncode, hashlib.md5(done.stdout).hexdigest(), hashlib.md5(done.stderr).hexdigest())


bad = 0
for index in range(count):
    kind, data = mutate(base)
    with open(mutant_path, "wb") as file:
        file.write(data)
    for arguments in COMMANDS:
        many, one = run(arguments + [mutant_path], False), run(arguments + [mutant_path], True)
        crashed = many[0] == "timeout" or (isinstance(many[0], int) and many[0] >= 128)
        if many != one or crashed:
            bad += 1
            kept = os.path.join(directory, f"bad-{seed}-{index}.sctrace")
            with open(kept, "wb") as file:
                file.write(data)
            print(f"differs: {kind}, {arguments[0]}: all cores {many}, one core {one}; kept {kept}", flush=True)
os.remove(mutant_path)
print(f"{count} mutants, {bad} differences")
sys.exit(1 if bad else 0)
