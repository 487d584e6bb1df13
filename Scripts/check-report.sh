#!/usr/bin/env bash
# Loads an HTML report (schedscope report) in headless Chromium, fails on any console error
# or uncaught exception, checks that the charts rendered, and saves a screenshot.
#
#   Scripts/check-report.sh [REPORT.html [SCREENSHOT.png]]
#
# Without a report, writes one for Fixtures/demo.sctrace first. Needs chromium (Debian:
# apt-get install -y chromium) and python3. Exit 0: loaded cleanly; 1: errors (printed);
# 3: chromium is not installed.
set -euo pipefail
# Paths given relative to the caller's directory, before moving to the package root.
absolute() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
report=${1:+$(absolute "$1")}
screenshot=${2:+$(absolute "$2")}
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "check-report: chromium is not installed (apt-get install -y chromium); skipped" >&2
  exit 3
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$report" ]; then
  swift build --product schedscope >/dev/null
  report="$work/demo.html"
  "$(swift build --show-bin-path)/schedscope" report Fixtures/demo.sctrace -o "$report"
fi
[ -n "$screenshot" ] || screenshot=${report%.html}.png
[ -f "$report" ] || { echo "check-report: no such file: $report" >&2; exit 1; }
python3 Scripts/check-report.py "$browser" "$report" "$screenshot" "$work"
