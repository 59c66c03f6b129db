#!/usr/bin/env python3
"""Writes codings/consensus.log.jsonl for the demo: the resolution log of the team meetings.

The demo's consensus plan (demo/codings/consensus.tsv) is what the team agreed for four
transcripts. A real team gets there through `thema consensus resolve`, which logs every decision;
this script logs the same decisions after the fact: for each disagreement between r1 and r2 in
those transcripts it records what the consensus layer holds over it (r1's spans, r2's, both,
neither, or a boundary set by hand). Run by scripts/build-demo.sh after the codings are applied.
"""
import json
import subprocess
import sys

MEETINGS = {
    "LW2-y1": "2024-10-02T14:00:00Z",
    "LW7-y1": "2024-10-02T15:30:00Z",
    "V4": "2024-10-09T14:00:00Z",
    "LW9-y2": "2025-06-04T14:00:00Z",
}
A, B = "r1", "r2"


def merged(spans):
    out = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(x) for x in out]


def main():
    thema = sys.argv[1] if len(sys.argv) > 1 else "target/debug/thema"
    listing = subprocess.run(
        [thema, "--json", "consensus", "list", "--coders", f"{A},{B}"],
        check=True, capture_output=True, text=True,
    ).stdout
    consensus = [json.loads(line) for line in open("codings/consensus.jsonl", encoding="utf-8")]
    lines = []
    for d in json.loads(listing):
        at = MEETINGS.get(d["transcript"])
        if at is None:
            continue
        lo, hi = d["start"], d["end"]
        spans = sorted(
            (s["start"], s["end"]) for s in consensus
            if s["transcript"] == d["transcript"] and s["code"] == d["code"]
            and s["start"] < hi and lo < s["end"]
        )
        a = [tuple(x) for x in d["a"]]
        b = [tuple(x) for x in d["b"]]
        if not spans:
            take = "none"
        elif spans == a:
            take = "a"
        elif spans == b:
            take = "b"
        elif spans == merged(a + b):
            take = "both"
        else:
            take = "adjust"
        lines.append({
            "at": at, "by": "RK", "id": d["id"], "coders": [A, B],
            "code": d["code"], "transcript": d["transcript"], "take": take,
            "spans": [list(s) for s in spans],
        })
    lines.sort(key=lambda r: (r["at"], r["id"]))
    with open("codings/consensus.log.jsonl", "w", encoding="utf-8") as out:
        for r in lines:
            out.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"logged {len(lines)} resolutions")


if __name__ == "__main__":
    main()
