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
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "check-report: chromium is not installed (apt-get install -y chromium); skipped" >&2
  exit 3
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report=${1:-}
if [ -z "$report" ]; then
  swift build --product schedscope >/dev/null
  report="$work/demo.html"
  "$(swift build --show-bin-path)/schedscope" report Fixtures/demo.sctrace -o "$report"
fi
screenshot=${2:-${report%.html}.png}
python3 Scripts/check-report.py "$browser" "$report" "$screenshot" "$work"
