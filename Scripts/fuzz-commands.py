#!/usr/bin/env python3
"""Every command on mutants of .sctrace files: none may crash, hang or balloon.

Each mutant is a trace with one to three damaged chunks whose lengths and CRCs were made
valid again (`trace_mutants.reframed`: a mutated events payload, a forged chunk header, a
decompression bomb), cut at a random byte one time in ten. Every command that reads a trace
runs on it. An exit status other than 0, 1 or 2, a run over 20 s, or a peak RSS over
400 MB is reported, and the mutant is kept as OUT/bad-N-COMMAND.sctrace. Exit 1 if any.

    swift build --product schedscope        # a debug build also checks the asserts
    Scripts/fuzz-commands.py .build/debug/schedscope 1 200 Fixtures/tiny.sctrace Fixtures/demo.sctrace

Traces over 5 MB get a shorter list of commands (the ones that print a page, not every
event). For Go traces, `mutate-go-traces.py` does the same.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile

import trace_mutants  # next to this script

binary, seed, count, seeds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
if not seeds:
    sys.exit(__doc__)
rng = random.Random(seed)
work = tempfile.mkdtemp(prefix="schedscope-fuzz-")
out = os.path.join(work, "out")
mutant = os.path.join(work, "mutant.sctrace")

COMMANDS = [
    ["summary", "{t}"], ["events", "{t}"], ["events", "{t}", "--format", "jsonl"],
    ["stats", "{t}", "--by", "label"], ["stats", "{t}", "--by", "region"],
    ["analyze", "{t}"], ["analyze", "{t}", "--format", "json", "--by-region"],
    ["leaks", "{t}", "--by-region", "--fail"], ["imbalance", "{t}", "--window", "1us"],
    ["latency", "{t}"], ["gc", "{t}"], ["preemption", "{t}"], ["validate", "{t}"],
    ["export", "chrome", "{t}", "-o", "{o}.json"], ["export", "csv", "{t}", "-o", "{o}.csv"],
    ["report", "{t}", "-o", "{o}.html"], ["filter", "{t}", "-o", "{o}.sctrace", "--from", "1ns"],
    ["diff", "{base}", "{t}"],
]
LARGE_COMMANDS = [
    ["summary", "{t}"], ["analyze", "{t}", "--format", "json", "--by-region"], ["leaks", "{t}", "--by-region"],
    ["stats", "{t}", "--by", "label"], ["imbalance", "{t}", "--from", "1s", "--to", "5s"],
]


def run(arguments):
    """Exit status (or "timeout") and peak RSS in KB, from GNU time's report."""
    report = os.path.join(work, "rss")
    command = ["/usr/bin/time", "-o", report, "-f", "%M", binary] + arguments
    # A session of its own, so that a hang is killed with GNU time, not left running.
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        status = process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return "timeout", 0
    lines = open(report).read().split()
    return status, int(lines[-1]) if lines else 0


bad = 0
for index in range(count):
    base = rng.choice(seeds)
    data = open(base, "rb").read()
    kinds = []
    for _ in range(rng.randint(1, 3)):
        kind, data = trace_mutants.reframed(rng, data)
        kinds.append(kind)
    if rng.random() < 0.1:
        data = data[:rng.randrange(len(data))]
        kinds.append("cut")
    with open(mutant, "wb") as file:
        file.write(data)
    for command in (LARGE_COMMANDS if len(data) > 5_000_000 else COMMANDS):
        arguments = [a.replace("{t}", mutant).replace("{o}", out).replace("{base}", base) for a in command]
        status, rss = run(arguments)
        if status in (0, 1, 2) and rss <= 400_000:
            continue
        bad += 1
        kept = os.path.join(work, f"bad-{index}-{command[0]}.sctrace")
        shutil.copy(mutant, kept)
        print(f"{' '.join(command)}: exit {status}, peak RSS {rss} KB, mutant of {base} ({', '.join(kinds)}); kept {kept}", flush=True)
print(f"{count} mutants, {bad} failures; work directory {work}")
if not bad:
    shutil.rmtree(work)
sys.exit(1 if bad else 0)
