#!/usr/bin/env python3
"""Check the Bridgeway demo study's hand-made content before the lead applies it with thema.

Checks, and reports every problem as FILE:LINE: message (exit status 1 if there is any):
  * demo/codings/{r1,r2,r3,consensus}.tsv: header `transcript<TAB>quote<TAB>code`; every transcript is
    in demo/sources/MANIFEST.csv; every quote is 8-60 words, occurs exactly once in its source file's
    speech (after decoding; for VTT/SRT/JSON within one cue's text) and lies on one line of one cue or
    paragraph; every code is the full name path of a code in codebooks/*.json; no row is repeated.
  * codebooks/*.json: codes sorted by id, ids unique across the study, parents exist, every field
    filled, colours #rrggbb; replaying codebooks/NAME.log.jsonl gives exactly codebooks/NAME.json.
  * transcripts/attributes.csv: one row per transcript of the manifest, the expected columns.
  * memos/*.md: front matter with title, coder, created and a code id or transcript id that exists.

The source readers here are deliberately small and independent of thema's importers, so they can
serve as a second opinion: `--dump DIR` writes each transcript in the canonical form (one turn per
paragraph, `SPEAKER: text`) as this script understands it.

    python3 demo/check_plans.py [--dump DIR] [--quiet]
"""
import csv
import html
import json
import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = os.path.join(ROOT, "demo", "sources")
CODINGS = os.path.join(ROOT, "demo", "codings")
PLAN_FILES = ["r1.tsv", "r2.tsv", "r3.tsv", "consensus.tsv"]
ATTR_COLUMNS = ["transcript", "participant", "role", "wave", "gender", "area", "years_in_role", "date", "order", "media"]

problems = []


def problem(where, msg):
    problems.append(f"{where}: {msg}")


# ------------------------------------------------------------------ reading sources

def decode(data):
    """Bytes to text: UTF-8 (BOM stripped) or, failing that, Windows-1252; newlines normalised to LF."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def label_split(line, speakers, seps=(": ", ":\t")):
    """Split `LABEL: text` when LABEL is one of the expected speakers."""
    for s in speakers:
        for sep in seps:
            if line.startswith(s + sep):
                return s, line[len(s) + len(sep):].lstrip(" \t")
    return None, line


def after_header(text):
    """Hand-typed files open with a header block (title, date, `Interviewer: RK`, ...) ended by a blank line."""
    parts = text.split("\n\n", 1)
    return parts[1] if len(parts) == 2 else text


def units_plain(text, speakers):
    out = []
    for para in after_header(text).split("\n\n"):
        lines = [l for l in para.split("\n") if l.strip()]
        if not lines:
            continue
        spk, first = label_split(lines[0], speakers)
        out.append((spk, [first] + lines[1:]))
    return out


def units_md(text, speakers):
    if text.startswith("---\n"):
        text = text[text.index("\n---\n", 4) + 5:]
    out = []
    for para in text.split("\n\n"):
        para = para.strip()
        if not para or para.startswith("#") or para.startswith(">"):
            continue
        m = re.match(r"\*\*(.+?):\*\*\s+(?:\[(\d\d:\d\d:\d\d)\]\s+)?(.*)$", para, re.S)
        if m and m.group(1) in speakers:
            out.append((m.group(1), m.group(3).split("\n")))
        else:
            out.append((None, para.split("\n")))
    return out


def units_cues(text, speakers):
    """WebVTT (Zoom `Name: text`, Teams `<v Name>text</v>`) and SRT: one unit per cue."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        idx = next((i for i, l in enumerate(lines) if "-->" in l), None)
        if idx is None:
            continue  # WEBVTT header, NOTE, STYLE
        payload = lines[idx + 1:]
        spk = None
        m = re.match(r"<v\s+([^>]+)>", payload[0]) if payload else None
        if m:
            spk = html.unescape(m.group(1)).strip()
        clean = [html.unescape(re.sub(r"<[^>]*>", "", l)).strip() for l in payload]
        if spk is None and clean:
            spk, clean[0] = label_split(clean[0], speakers)
        out.append((spk, [l for l in clean if l]))
    return out


def units_whisperx(text, speakers):
    doc = json.loads(text)
    return [(seg.get("speaker"), [seg["text"].strip()]) for seg in doc["segments"]]


def units_headed(text, header_re, footer=None):
    out = []
    for block in text.split("\n\n"):
        lines = [l for l in block.split("\n") if l.strip()]
        if not lines or (footer and lines[0].strip() == footer):
            continue
        m = re.match(header_re, lines[0])
        if m:
            out.append((m.group(1), lines[1:]))
        else:
            out.append((None, lines))
    return out


def units_docx(path, speakers):
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    root = ET.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    paras = ["".join(t.text or "" for t in p.iter(f"{{{ns['w']}}}t")) for p in root.iter(f"{{{ns['w']}}}p")]
    start = paras.index("") + 1 if "" in paras else 0  # header paragraphs end at the first empty one
    out = []
    for p in paras[start:]:
        if p.strip():
            spk, text = label_split(p, speakers)
            out.append((spk, [text]))
    return out


def read_source(row):
    path = os.path.join(SOURCES, row["source_file"])
    speakers = row["speakers"].split(";")
    fmt = row["format"]
    if fmt == "docx":
        return units_docx(path, speakers)
    text = decode(open(path, "rb").read())
    if fmt == "txt":
        return units_plain(text, speakers)
    if fmt == "md":
        return units_md(text, speakers)
    if fmt in ("vtt-zoom", "vtt-teams", "srt"):
        return units_cues(text, speakers)
    if fmt == "whisperx-json":
        return units_whisperx(text, speakers)
    if fmt == "otter-txt":
        return units_headed(text, r"^(.+?)  (?:\d+:)?\d+:\d\d\s*$", "Transcribed by https://otter.ai")
    if fmt == "rev-txt":
        return units_headed(text, r"^(.+?) \((?:\d\d:)?\d\d:\d\d\):$")
    raise ValueError(f"unknown format {fmt}")


def turns(units):
    """Merge consecutive units of one speaker (an unlabelled unit continues the previous speaker)."""
    out = []
    for spk, lines in units:
        text = " ".join(lines)
        if out and (spk is None or spk == out[-1][0]):
            out[-1][1] = out[-1][1] + " " + text
        else:
            out.append([spk, text])
    return out


# ------------------------------------------------------------------ codebooks

def replay(ops):
    """Apply a history log; see demo/README.md for the operations and their fields."""
    codes = {}
    for n, op in enumerate(ops, 1):
        kind, c = op["op"], op["code"]
        if kind == "add":
            if c in codes:
                raise ValueError(f"line {n}: {c} added twice")
            codes[c] = {"id": c, "name": op["name"], "parent": op["parent"], "description": "",
                        "include": "", "exclude": "", "example": "", "color": op["color"]}
            continue
        if c not in codes:
            raise ValueError(f"line {n}: {kind} of unknown code {c}")
        if kind == "rename":
            if codes[c]["name"] != op["from"]:
                raise ValueError(f"line {n}: rename from {op['from']!r} but {c} is {codes[c]['name']!r}")
            codes[c]["name"] = op["name"]
        elif kind == "describe":
            for f in ("description", "include", "exclude", "example"):
                if f in op:
                    codes[c][f] = op[f]
        elif kind == "move":
            if codes[c]["parent"] != op["from"]:
                raise ValueError(f"line {n}: move from {op['from']} but parent of {c} is {codes[c]['parent']}")
            if op["parent"] is not None and op["parent"] not in codes:
                raise ValueError(f"line {n}: move to unknown parent {op['parent']}")
            codes[c]["parent"] = op["parent"]
        elif kind in ("merge", "delete"):
            if kind == "merge" and op["into"] not in codes:
                raise ValueError(f"line {n}: merge into unknown code {op['into']}")
            for x in codes.values():
                if x["parent"] == c:
                    x["parent"] = op["into"] if kind == "merge" else codes[c]["parent"]
            del codes[c]
        else:
            raise ValueError(f"line {n}: unknown op {kind!r}")
    return [codes[k] for k in sorted(codes)]


def load_codebooks():
    paths, ids = {}, set()
    cbdir = os.path.join(ROOT, "codebooks")
    for fn in sorted(os.listdir(cbdir)):
        if not fn.endswith(".json"):
            continue
        where = f"codebooks/{fn}"
        book = json.load(open(os.path.join(cbdir, fn), encoding="utf-8"))
        codes = book["codes"]
        if [c["id"] for c in codes] != sorted(c["id"] for c in codes):
            problem(where, "codes are not sorted by id")
        byid = {c["id"]: c for c in codes}
        for c in codes:
            if c["id"] in ids:
                problem(where, f"code id {c['id']} is used by another codebook")
            ids.add(c["id"])
            for f in ("id", "name", "description", "include", "exclude", "example", "color"):
                if not isinstance(c.get(f), str) or not c[f].strip():
                    problem(where, f"{c['id']}: field {f!r} is empty")
            if not re.fullmatch(r"#[0-9a-f]{6}", c.get("color", "")):
                problem(where, f"{c['id']}: colour {c.get('color')!r} is not #rrggbb")
            if c["parent"] is not None and c["parent"] not in byid:
                problem(where, f"{c['id']}: parent {c['parent']} does not exist")

        def path(c, seen=()):
            if c["id"] in seen:
                raise ValueError(f"{where}: parent cycle at {c['id']}")
            return (path(byid[c["parent"]], seen + (c["id"],)) + "/" if c["parent"] else "") + c["name"]

        for c in codes:
            p = path(c)
            if p in paths:
                problem(where, f"code path {p!r} is not unique")
            paths[p] = c["id"]
        log = os.path.join(cbdir, fn[:-5] + ".log.jsonl")
        if not os.path.exists(log):
            problem(where, "no history log beside it")
            continue
        ops = []
        for n, line in enumerate(open(log, encoding="utf-8"), 1):
            op = json.loads(line)
            for f in ("at", "coder", "op", "code", "why"):
                if f not in op:
                    problem(f"codebooks/{os.path.basename(log)}:{n}", f"missing field {f!r}")
            if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", op.get("at", "")):
                problem(f"codebooks/{os.path.basename(log)}:{n}", "`at` is not RFC 3339")
            if ops and op["at"] < ops[-1]["at"]:
                problem(f"codebooks/{os.path.basename(log)}:{n}", "log is not in time order")
            ops.append(op)
        try:
            if replay(ops) != codes:
                problem(where, f"replaying {os.path.basename(log)} does not give this codebook")
        except ValueError as e:
            problem(f"codebooks/{os.path.basename(log)}", str(e))
    return paths, ids


# ------------------------------------------------------------------ main

def main(argv):
    dump = argv[argv.index("--dump") + 1] if "--dump" in argv else None
    quiet = "--quiet" in argv
    manifest = list(csv.DictReader(open(os.path.join(SOURCES, "MANIFEST.csv"), encoding="utf-8")))
    sources = {}
    for row in manifest:
        units = read_source(row)
        expected = set(row["speakers"].split(";"))
        found = {s for s, _ in units if s is not None}
        if found != expected:
            problem(f"demo/sources/MANIFEST.csv ({row['source_file']})", f"speakers found {sorted(found)}, expected {sorted(expected)}")
        if units and units[0][0] is None:
            problem(f"demo/sources/{row['source_file']}", "first unit has no speaker")
        sources[row["transcript"]] = (row, units, turns(units))
        if dump:
            os.makedirs(dump, exist_ok=True)
            with open(os.path.join(dump, row["transcript"] + ".txt"), "w", encoding="utf-8") as f:
                f.write("\n\n".join(f"{s}: {t}" for s, t in turns(units)) + "\n")

    paths, ids = load_codebooks()

    counts = defaultdict(Counter)
    for fn in PLAN_FILES:
        path = os.path.join(CODINGS, fn)
        seen = set()
        lines = open(path, encoding="utf-8").read().split("\n")
        if lines[0] != "transcript\tquote\tcode":
            problem(f"demo/codings/{fn}:1", "header must be transcript<TAB>quote<TAB>code")
        for n, line in enumerate(lines[1:], 2):
            if not line:
                continue
            where = f"demo/codings/{fn}:{n}"
            cols = line.split("\t")
            if len(cols) != 3:
                problem(where, f"{len(cols)} columns")
                continue
            tid, quote, code = cols
            if (tid, quote, code) in seen:
                problem(where, "repeated row")
            seen.add((tid, quote, code))
            if code not in paths:
                problem(where, f"no code {code!r} in the codebooks")
            if tid not in sources:
                problem(where, f"no transcript {tid!r} in the manifest")
                continue
            counts[fn][tid] += 1
            words = len(quote.split())
            if not 8 <= words <= 60:
                problem(where, f"quote has {words} words (want 8-60)")
            if quote != quote.strip():
                problem(where, "quote starts or ends with white space")
            _, units, tts = sources[tid]
            in_lines = sum(line_text.count(quote) for _, ls in units for line_text in ls)
            in_turns = sum(t.count(quote) for _, t in tts)
            if in_lines != 1 or in_turns != 1:
                problem(where, f"quote occurs {in_lines} times on single lines and {in_turns} times in turns "
                               f"of {tid} (want exactly once): {quote[:50]!r}")

    attrs = list(csv.DictReader(open(os.path.join(ROOT, "transcripts", "attributes.csv"), encoding="utf-8")))
    if attrs and list(attrs[0].keys()) != ATTR_COLUMNS:
        problem("transcripts/attributes.csv:1", f"columns {list(attrs[0].keys())}, expected {ATTR_COLUMNS}")
    if sorted(a["transcript"] for a in attrs) != sorted(sources):
        problem("transcripts/attributes.csv", "transcripts differ from demo/sources/MANIFEST.csv")
    if sorted(int(a["order"]) for a in attrs) != list(range(1, len(attrs) + 1)):
        problem("transcripts/attributes.csv", "order is not 1..N")
    if [a["transcript"] for a in sorted(attrs, key=lambda a: int(a["order"]))] != \
            [a["transcript"] for a in sorted(attrs, key=lambda a: a["date"])]:
        problem("transcripts/attributes.csv", "order does not follow date")

    memodir = os.path.join(ROOT, "memos")
    for fn in sorted(os.listdir(memodir)):
        text = open(os.path.join(memodir, fn), encoding="utf-8").read()
        m = re.match(r"---\n(.*?)\n---\n", text, re.S)
        if not m:
            problem(f"memos/{fn}:1", "no front matter")
            continue
        fm = dict(l.split(": ", 1) for l in m.group(1).split("\n"))
        for f in ("title", "coder", "created"):
            if f not in fm:
                problem(f"memos/{fn}", f"front matter lacks {f}")
        if "code" in fm and fm["code"] not in ids:
            problem(f"memos/{fn}", f"code {fm['code']} does not exist")
        if "transcript" in fm and fm["transcript"] not in sources:
            problem(f"memos/{fn}", f"transcript {fm['transcript']} does not exist")
        if "code" not in fm and "transcript" not in fm:
            problem(f"memos/{fn}", "front matter links to neither a code nor a transcript")
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", fm.get("created", "")):
            problem(f"memos/{fn}", "created is not an ISO date")

    if not quiet:
        tids = sorted(sources)
        print("segments planned per transcript:")
        print("transcript " + " ".join(f"{f[:-4]:>9}" for f in PLAN_FILES))
        for t in tids:
            print(f"{t:<10} " + " ".join(f"{counts[f][t]:>9}" for f in PLAN_FILES))
        print("total      " + " ".join(f"{sum(counts[f].values()):>9}" for f in PLAN_FILES))
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
