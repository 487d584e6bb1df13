#!/usr/bin/env python3
"""The speed figures of issue 5 and of docs/BENCHMARKS.md from one run of TraceBenchmarks.

Reads the text the harness prints (saved to a file, or on standard input) and prints, for
each pass, wall time p0 / p50, events per second at p0 / p50, the ratio to zlib's
inflate-only pass of the same run (its p0 over the pass's p0: the targets' "≥ 0.6 of
zlib's inflate-only speed") and peak RSS; then each parallel pass's speed-up over its
one-thread pass.

    cd Benchmarks
    SCHEDSCOPE_BENCH_EVENTS=50000000 swift package --disable-sandbox benchmark --target TraceBenchmarks \\
        --filter "inflate.*" --filter "read:.*" --filter "analyze: read.*" | tee /tmp/harness.txt
    python3 harness-figures.py /tmp/harness.txt --events 50000991

`--events` is the trace's event count (`schedscope summary` of the cached trace says it;
the harness's own events/s row is rounded to millions).
"""
import argparse
import re
import sys

ROW = re.compile(r"^│ (?P<metric>[^│]+?)\s*│(?P<values>.*)│\s*$")
INFLATE = "inflate only (zlib ceiling)"


def passes(lines):
    """Yields (pass name, {metric: [p0, p25, p50, p75, p90, p99, p100]})."""
    name, metrics = None, {}
    for line in lines:
        line = line.rstrip("\n")
        match = ROW.match(line)
        if match:
            if name is None:
                continue
            values = [v.strip() for v in match.group("values").split("│")]
            try:
                metrics[match.group("metric").rstrip(" *")] = [float(v) for v in values[:7]]
            except ValueError:
                pass  # the header row
        elif line and line[0].isalpha() and "\x1b" not in line:
            if name is not None and metrics:
                yield name, metrics
            name, metrics = line.strip(), {}
    if name is not None and metrics:
        yield name, metrics


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", help="the harness's output (default: standard input)")
    parser.add_argument("--events", type=int, required=True, help="events in the benchmark trace")
    args = parser.parse_args()
    lines = open(args.output) if args.output else sys.stdin
    found = {name: metrics for name, metrics in passes(lines)}
    times = {name: m["Time (wall clock) (ms)"] for name, m in found.items() if "Time (wall clock) (ms)" in m}
    if not times:
        sys.exit("harness-figures: no pass with a wall-clock row in the input")
    inflate = times.get(INFLATE)
    print(f"{'pass':<66} {'ms p0 / p50':>15} {'M events/s p0 / p50':>20} {'vs inflate':>10} {'peak RSS':>9}")
    for name, t in times.items():
        p0, p50 = t[0], t[2]
        rate = f"{args.events / p0 / 1e3:.1f} / {args.events / p50 / 1e3:.1f}"
        ratio = f"{inflate[0] / p0:.2f}" if inflate else "–"
        rss = found[name].get("Memory (resident peak) (M)")
        print(f"{name:<66} {f'{p0:,.0f} / {p50:,.0f}':>15} {rate:>20} {ratio:>10} {f'{rss[6]:.0f} MB' if rss else '–':>9}")
    for name, t in times.items():
        if name.endswith(", parallel"):
            single = times.get(name[: -len("parallel")] + "1 thread")
            if single:
                print(f"speed-up, {name[: -len(', parallel')]}: {single[0] / t[0]:.2f}× at p0, {single[2] / t[2]:.2f}× at p50")


if __name__ == "__main__":
    main()
