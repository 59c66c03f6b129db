#!/usr/bin/env bash
# Runs thema's macro bench: builds thema-bench in release, generates (once, cached under
# target/bench-study-N-W-C) a study of N transcripts × W words × C coders, measures every
# performance-target figure with SQLite FTS5 and a linear scan as baselines in the same run, and prints
# one Markdown table with ratios and PASS/MISS. Progress goes to stderr, the table to stdout.
#
#   scripts/bench.sh            # 1,000 × 10,000 words × 3 coders (the target study; ~10 min)
#   scripts/bench.sh --small    # 100 × 2,000 words × 3 coders, a quick check (~1 min)
#   scripts/bench.sh --transcripts 300 --words 5000 --coders 2
#   scripts/bench.sh --only build,fts5-build    # some phases (see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p thema-bench --bin macro-bench
cargo build --release --quiet --bin thema   # the whole-process figures run the real binary
target="${CARGO_TARGET_DIR:-target}"
exec "$target/release/macro-bench" "$@"
