#!/usr/bin/env python3
"""Makes the demo study's recordings: synthesised speech of two transcripts, each turn spoken
at its timestamp, so `thema play` and the TUI's follow mode have something real to play.

    python3 scripts/make-demo-media.py            # writes media/LW9-y1.ogg and media/V4.ogg

Needs espeak-ng, sox and opusenc (Debian: apt install espeak-ng sox opus-tools). Each turn is
spoken by espeak-ng (the interviewer and the participant in different voices), sped up when it
would overrun the next turn's timestamp, cut if it still does, and padded with silence up to
it; the whole is encoded as 6 kbit/s mono Opus with discontinuous transmission (speech stays clear, the two files stay small).
The result is committed, so nobody needs to run this; the output is the same on every run
except for the encoder's version tag.
"""

import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
# transcript -> (interviewer voice, participant voice); LW9 is a man, V4 and both interviewers women
VOICES = {
    "LW9-y1": ("en-gb+f3", "en-gb+m3"),
    "V4": ("en-gb+f3", "en-gb+f4"),
}
RATE = 22050  # espeak-ng's own sample rate
TURN = re.compile(r"^\[(\d+):(\d\d):(\d\d)\] ([^:\n]+): (.*)$", re.S)


def turns(path):
    """(seconds, speaker, text) per timestamped turn."""
    out = []
    for para in path.read_text(encoding="utf-8").split("\n\n"):
        m = TURN.match(para.strip())
        if not m:
            continue
        h, mi, s, speaker, text = m.groups()
        # stage directions are not spoken
        text = re.sub(r"\[[^\]]*\]", " ", text).replace("\n", " ")
        out.append((int(h) * 3600 + int(mi) * 60 + int(s), speaker, " ".join(text.split())))
    return out


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def duration(wav):
    out = subprocess.run(["soxi", "-D", str(wav)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def make(transcript, tmp):
    interviewer, participant = VOICES[transcript]
    plan = turns(ROOT / "transcripts" / f"{transcript}.txt")
    pieces = []
    # silence before the first turn
    lead = tmp / f"{transcript}-lead.wav"
    run("sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(lead), "trim", "0", str(plan[0][0]))
    pieces.append(lead)
    for i, (at, speaker, text) in enumerate(plan):
        words = max(1, len(text.split()))
        # the last turn gets the time it needs at an easy pace
        slot = plan[i + 1][0] - at if i + 1 < len(plan) else words / 2.6 + 1.0
        voice = interviewer if speaker.startswith(("Interviewer", "Ruth", "Mercer")) else participant
        speed = min(400, max(150, int(words / max(slot - 0.4, 0.5) * 60 * 1.1)))
        raw = tmp / f"{transcript}-{i:03}-raw.wav"
        run("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text)
        fitted = tmp / f"{transcript}-{i:03}.wav"
        # cut what still overruns, then pad with silence to the next turn's timestamp
        spoken = min(duration(raw), slot)
        run("sox", str(raw), str(fitted), "trim", "0", f"{spoken:.3f}", "pad", "0", f"{slot - spoken:.3f}")
        pieces.append(fitted)
    whole = tmp / f"{transcript}.wav"
    run("sox", *map(str, pieces), str(whole))
    out = ROOT / "media" / f"{transcript}.ogg"
    out.parent.mkdir(exist_ok=True)
    # 4016=1: OPUS_SET_DTX, the pauses between turns cost next to nothing
    run("opusenc", "--quiet", "--serial", "1", "--bitrate", "6", "--downmix-mono",
        "--framesize", "60", "--set-ctl-int", "4016=1", "--title", f"{transcript} (synthesised demo recording)",
        str(whole), str(out))
    print(f"{out.relative_to(ROOT)}: {duration(whole):.0f} s, {out.stat().st_size // 1024} KB")


def main():
    for tool in ("espeak-ng", "sox", "soxi", "opusenc"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode:
            sys.exit(f"{tool} is missing (Debian: apt install espeak-ng sox opus-tools)")
    with tempfile.TemporaryDirectory() as tmp:
        for transcript in VOICES:
            make(transcript, pathlib.Path(tmp))


if __name__ == "__main__":
    main()
