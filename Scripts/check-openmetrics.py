#!/usr/bin/env python3
"""Parses OpenMetrics text (files named on the command line, or stdin) with the reference
parser of prometheus_client, which rejects what the OpenMetrics text format forbids
(missing # EOF, bad escapes, unit not matching the name, clashing names, ...).

    schedscope analyze run.sctrace --format openmetrics | Scripts/check-openmetrics.py

Exit 0 and a one-line summary per input when it parses; 1 with the parser's message when
it does not; 3 when prometheus_client is not installed (pip install prometheus-client).
"""
import sys

try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
except ImportError:
    print("prometheus_client is not installed (pip install prometheus-client)", file=sys.stderr)
    sys.exit(3)


def check(name, text):
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as error:  # the parser raises ValueError and friends
        print(f"{name}: not valid OpenMetrics: {error}", file=sys.stderr)
        return False
    samples = sum(len(family.samples) for family in families)
    print(f"{name}: {len(families)} metric families, {samples} samples")
    return True


inputs = sys.argv[1:] or ["-"]
ok = True
for path in inputs:
    text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    ok = check("stdin" if path == "-" else path, text) and ok
sys.exit(0 if ok else 1)
