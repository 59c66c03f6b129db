#!/usr/bin/env bash
# Rebuilds the bundled demo study (the repository root) from demo/: imports every source file
# listed in demo/sources/MANIFEST.csv with `thema import`, then applies the three coders' and the
# consensus coding plans (demo/codings/*.tsv) with `thema code --quote`, and logs the meetings'
# resolutions (demo/meeting_log.py). The result —
# transcripts/*.txt and codings/*.jsonl — is committed, so nobody needs to run this.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
thema=target/debug/thema
rm -f transcripts/*.txt codings/*.jsonl
mkdir -p codings
# transcripts: one import per source, with the id the manifest gives
python3 - <<'PY' > /tmp/thema-demo-imports
import csv
for row in csv.DictReader(open("demo/sources/MANIFEST.csv", encoding="utf-8")):
    print(f"{row['transcript']}\t{row['source_file']}")
PY
while IFS=$'\t' read -r id file; do
  # attributes.csv already holds every row; import keeps it
  "$thema" import --id "$id" "demo/sources/$file"
done < /tmp/thema-demo-imports
# codings: each plan line is transcript, quote, code path
for plan in demo/codings/*.tsv; do
  coder=$(basename "$plan" .tsv)
  tail -n +2 "$plan" | while IFS=$'\t' read -r transcript quote code; do
    "$thema" --coder "$coder" code "$transcript" --quote "$quote" "$code" > /dev/null
  done
  echo "coded $(wc -l < "codings/$coder.jsonl") segments as $coder"
done
# the meetings' resolution log, as `thema consensus resolve` would have written it
python3 demo/meeting_log.py "$thema"
"$thema" check
