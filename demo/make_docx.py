#!/usr/bin/env python3
"""Build demo/sources/LW5_interview_typed.docx, the Bridgeway demo study's one Word transcript.

Uses only the standard library (zipfile): a minimal valid .docx with [Content_Types].xml,
_rels/.rels and word/document.xml. Like a transcript typed in Word, each speaker label is split
across formatting runs (a bold "LW5" run, then a ":" run, then the text), and non-verbal
annotations such as [laughs] are italic runs of their own. Run from anywhere:

    python3 demo/make_docx.py

The output is byte-for-byte reproducible (fixed zip timestamps).
"""
import os
import re
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sources", "LW5_interview_typed.docx")

# (kind, ...) where kind is "title", "meta" (one plain paragraph) or "turn" (label, text).
# A turn with an empty label continues the previous speaker in a new paragraph.
PARAGRAPHS = [
    ["title", "Bridgeway Evaluation – Link Worker Interview (LW5)"],
    ["meta", "Date: 3 April 2024"],
    ["meta", "Interviewer: JM"],
    ["meta", "Location: Upper Dale village hall, back room"],
    ["meta", "Transcription conventions: [laughs], [inaudible] = unclear, … = trailing off"],
    ["meta", ""],
    ["turn", "Interviewer", "Thanks for meeting me out here. I got lost twice on the way. [laughs]"],
    ["turn", "LW5", "Everyone does. The satnav sends you up the farm track. You’re not the first."],
    ["turn", "Interviewer", "So tell me about your patch."],
    ["turn", "LW5", "I cover the rural side, so that’s eleven villages, two market towns if you can call them towns, and a lot of farms in between. Three GP surgeries, one of them’s a branch surgery that’s only open two days a week. I grew up out here, my dad farmed up at Fellside, so I know a lot of the families, which helps and doesn’t help."],
    ["turn", "Interviewer", "How does it not help?"],
    ["turn", "LW5", "People don’t want to tell you they’re lonely when you were at school with their son. There’s a lot of pride out here. A farmer’s not going to say he’s struggling. He’ll say he’s “a bit fed up”, and that could mean anything from he’s bored to he’s got the shotgun out. You learn to listen for it."],
    ["turn", "Interviewer", "That sounds heavy."],
    ["turn", "LW5", "It can be. We’ve had two suicides in farming families in the dale in the last eighteen months. Everyone knows. Nobody talks about it."],
    ["turn", "Interviewer", "What does the job look like day to day?"],
    ["turn", "LW5", "Driving, mainly. [laughs] I did four hundred miles last month. I’ve got about twenty-two on my list, and I might see three of them in a day because they’re forty minutes apart. In town they’ll see six or seven. So my numbers always look worse on the spreadsheet, and I’ve had to explain that more than once."],
    ["turn", "Interviewer", "Who have you had to explain it to?"],
    ["turn", "LW5", "The manager’s fine, she gets it. It’s when the reports go up to the commissioners. They see one link worker has half the contacts of another and they ask questions. Nobody puts the miles on the report."],
    ["turn", "Interviewer", "And transport for your clients?"],
    ["turn", "LW5", "That’s the biggest thing. There’s one bus a day through most of the villages, some have none. The Tuesday bus to town goes at ten past nine and comes back at half one, so if your group’s in the afternoon you can’t get there. If you don’t drive, and a lot of the older ones have given up driving, or lost their licence on medical grounds, you’re stuck. I can connect someone to the best group in the county and it’s no use if they can’t get to it."],
    ["turn", "Interviewer", "What do you do about that?"],
    ["turn", "LW5", "We’ve got a couple of volunteer drivers, V6 is one of them actually, you’re seeing him I think. They’re gold. But there’s only three of them and they’re all over seventy. If one of them gets poorly that’s a third of the service gone."],
    ["turn", "Interviewer", "What kind of groups are there out here?"],
    ["turn", "LW5", "The men’s shed at Upper Dale is the big one for men. Woodwork, fixing lawnmowers, mostly it’s tea and talking. Lunch clubs in a couple of the village halls. A knit and natter. The church does a coffee morning. It’s thin, to be honest. It depends on who’s in the village. If there’s a retired teacher with energy you get a book group. If she moves away it’s gone."],
    ["turn", "Interviewer", "Can you tell me about someone you’ve worked with?"],
    ["turn", "LW5", "There’s a farmer, I’ll not say where, widowed about three years. His daughter rang the surgery because he’d stopped coming down for Sunday dinner. I went up and he talked to me about sheep prices for an hour and a half, didn’t mention his wife once. I went back every week for six weeks. Week five he asked if the shed had a welder. [laughs] The shed didn’t, but it does now, he brought his own. He’s there twice a week. He’d never have gone if I’d said it was for lonely men."],
    ["turn", "Interviewer", "So the framing matters."],
    ["turn", "LW5", "Everything’s in how you say it. I never use the word lonely out here. I say “there’s a few lads who meet up”, or “they could use someone who knows engines”."],
    ["turn", "Interviewer", "What about the twelve weeks?"],
    ["turn", "LW5", "Twelve weeks is fine in theory. But when you can only get out to someone every fortnight because of the distance, that’s six visits. Six visits is nothing. With the farmer I cheated a bit, I’ll be honest, I did quick phone calls in between and didn’t log them as sessions."],
    ["turn", "Interviewer", "Do you get referrals that aren’t right for you?"],
    ["turn", "LW5", "Some. Less than town, I think. What we get out here is people who need a carer, not a link worker. Elderly people who can’t manage at home, and the family’s in Leeds or London, and the GP doesn’t know where else to send them. Adult social care has a waiting list of months. So they come to me and I’m doing a social care assessment in all but name."],
    ["turn", "Interviewer", "How do you feel about the job after a year?"],
    ["turn", "LW5", "I like it. I like being out. I’d go mad in an office. The isolation’s not just the clients, mind. I’m on my own all day in the car, and I don’t see the others except at the team meeting. Sometimes I ring one of the others on the hands-free, just to talk a case through. We’ve got a WhatsApp group that’s half cases and half cat pictures."],
    ["turn", "Interviewer", "[laughs] And supervision?"],
    ["turn", "LW5", "Monthly group supervision in town. I miss it half the time because by the time I’ve driven in and back it’s half a day gone."],
    ["turn", "Interviewer", "Is there anything else you want to say?"],
    ["turn", "LW5", "Just that rural’s different. Everything’s built for town and then stretched to fit us. Put that in."],
    ["turn", "Interviewer", "I will. Thanks very much."],
]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>
"""

RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>
"""


def run(text, bold=False, italic=False):
    """One <w:r> run; leading/trailing spaces are kept with xml:space="preserve"."""
    props = ""
    if bold or italic:
        props = "<w:rPr>" + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + "</w:rPr>"
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def body_runs(text):
    """Split text so that bracketed annotations ([laughs], [pause]) become italic runs."""
    out = []
    for piece in re.split(r"(\[[a-z ]+\])", text):
        if piece:
            out.append(run(piece, italic=piece.startswith("[")))
    return "".join(out)


def paragraph(item):
    kind = item[0]
    if kind == "title":
        return f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{run(item[1], bold=True)}</w:p>'
    if kind == "meta":
        return f"<w:p>{run(item[1])}</w:p>" if item[1] else "<w:p/>"
    label, text = item[1], item[2]
    if not label:
        return f"<w:p>{body_runs(text)}</w:p>"
    # the label is split across runs: bold name, then the colon, then the speech
    return f"<w:p>{run(label, bold=True)}{run(':')}{body_runs(' ' + text)}</w:p>"


def document_xml():
    body = "".join(paragraph(p) for p in PARAGRAPHS)
    sect = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
            '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" '
            'w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W}"><w:body>{body}{sect}</w:body></w:document>\n')


def main():
    parts = [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS), ("word/document.xml", document_xml())]
    with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2024, 4, 5, 16, 20, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8"))
    print(OUT)


if __name__ == "__main__":
    main()
