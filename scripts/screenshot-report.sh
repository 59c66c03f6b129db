#!/usr/bin/env bash
# Renders the demo study's HTML theme report in headless Chromium and saves a screenshot, to check
# by eye that the page and its inline SVG charts display (no network, no scripts).
# Usage: scripts/screenshot-report.sh [OUT.png]   (installs Debian's chromium if it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/themes-report.png}
if ! command -v chromium >/dev/null; then
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
cargo build --quiet
html=$(pwd)/target/themes-report.html
target/debug/thema export themes --format html --by role -o "$html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$(mktemp -d)" --hide-scrollbars --window-size=1200,2400 \
  --screenshot="$(pwd)/$out" "file://$html" 2>/dev/null
echo "screenshot: $out"
