//! Word `.docx` files: reads `word/document.xml` (and `word/styles.xml`, to know which paragraph
//! styles are headings) from the zip with quick-xml and turns the body into paragraphs, each with
//! what its formatting says ([`Look`]). Runs are concatenated, so a label split across formatting
//! runs — bold `Interviewer` + `:` — reads as one; tabs and line breaks are kept; tracked
//! deletions, field codes and the fallback copy of text boxes are skipped.
//!
//! - A paragraph in a heading, title or subtitle style is a `Heading`. Styles are recognised by
//!   their name in `styles.xml` (`heading 1`, `Title`: built-in names are English in every
//!   language of Word, while style ids are localised, `berschrift1`), by an outline level (on the
//!   paragraph or its style, or a style it is based on), or, without `styles.xml`, by the id
//!   (`Heading2`, `Title`, `Subtitle`).
//! - A table becomes one `Note` paragraph, one line per row: `Key: value` for a row of two cells,
//!   else the cells joined by ` | ` (empty cells left out).
//! - A paragraph whose text runs are all bold is `Bold`; all italic, `Italic` (direct formatting
//!   and the `Strong` / `Emphasis` character styles).
//!
//! What a look means for turns is decided in `text`. Headers, footers, comments and formatting
//! inherited from paragraph styles are not read.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::text::{Look, StyledParagraph};
use super::{encoding, ImportError};

/// Largest part (`word/document.xml`, `word/styles.xml`) read (guards against zip bombs): 256 MiB.
const MAX_XML_BYTES: u64 = 256 * 1024 * 1024;

/// Whether bytes start with a zip local file header.
pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The document's paragraphs, cleaned like any text (line ends, control characters), empty ones
/// left out.
pub(crate) fn extract(bytes: &[u8], file: &str) -> Result<Vec<StyledParagraph>, ImportError> {
    let bad = |reason: String| ImportError::BadDocx {
        file: file.to_string(),
        reason,
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable zip archive ({e})")))?;
    let xml = read_part(&mut archive, "word/document.xml")
        .map_err(bad)?
        .ok_or_else(|| {
            bad("zip archive without word/document.xml (not a Word document)".to_string())
        })?;
    // styles only refine what a paragraph looks like: a damaged styles part is not an error
    let headings = match read_part(&mut archive, "word/styles.xml") {
        Ok(Some(styles)) => heading_styles(&styles),
        _ => HashSet::new(),
    };
    let raw = paragraphs(&xml, &headings).map_err(|e| bad(format!("word/document.xml: {e}")))?;
    Ok(raw
        .into_iter()
        .filter_map(|p| {
            // character references can carry CRs and control characters: clean them like any text
            let text = encoding::normalise(&p.text)
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n");
            (!text.trim().is_empty()).then_some(StyledParagraph { text, look: p.look })
        })
        .collect())
}

/// The paragraphs as plain text, one blank-line-separated block each (for telling layouts such
/// as a Teams transcript apart).
pub(crate) fn plain_text(paragraphs: &[StyledParagraph]) -> String {
    paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Reads one part of the archive as UTF-8; `None` when the archive has no such part.
fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, String> {
    let mut entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("cannot open {name} ({e})")),
    };
    let mut raw = Vec::new();
    (&mut entry)
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| format!("cannot read {name} ({e})"))?;
    if raw.len() as u64 > MAX_XML_BYTES {
        return Err(format!("{name} is larger than 256 MiB"));
    }
    String::from_utf8(raw)
        .map(Some)
        .map_err(|_| format!("{name} is not UTF-8"))
}

/// The `w:val` attribute of an element.
fn val(e: &BytesStart<'_>) -> Option<String> {
    e.try_get_attribute("w:val")
        .ok()
        .flatten()
        .and_then(|a| a.unescape_value().ok())
        .map(|v| v.into_owned())
}

/// Whether an on/off property (`<w:b/>`, `<w:i w:val="0"/>`) is on.
fn on(e: &BytesStart<'_>) -> bool {
    !matches!(val(e).as_deref(), Some("0" | "false" | "off" | "none"))
}

/// Whether an outline level (`<w:outlineLvl w:val="0"/>`) makes a heading: levels 0–8 do, 9 is
/// body text.
fn outline_heading(e: &BytesStart<'_>) -> bool {
    val(e)
        .and_then(|v| v.parse::<u8>().ok())
        .is_some_and(|level| level < 9)
}

/// A heading style id as English Word writes it (used when `styles.xml` does not say).
fn heading_id(id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    let numbered = id
        .strip_prefix("heading")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    numbered || id == "title" || id == "subtitle"
}

/// The ids of paragraph styles that are headings, from `word/styles.xml` (see the module
/// documentation). A malformed part yields what was read before the fault.
fn heading_styles(xml: &str) -> HashSet<String> {
    #[derive(Default)]
    struct Style {
        id: String,
        name: String,
        based_on: Option<String>,
        outline: bool,
    }
    let mut styles: HashMap<String, Style> = HashMap::new();
    let mut current: Option<Style> = None;
    let mut reader = Reader::from_str(xml);
    loop {
        let (e, empty) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                if e.name().as_ref() == b"w:style" {
                    if let Some(style) = current.take() {
                        styles.insert(style.id.clone(), style);
                    }
                }
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        match e.name().as_ref() {
            b"w:style" => {
                let attr = |name: &str| {
                    e.try_get_attribute(name)
                        .ok()
                        .flatten()
                        .and_then(|a| a.unescape_value().ok())
                        .map(|v| v.into_owned())
                };
                let style = (attr("w:type").as_deref() == Some("paragraph"))
                    .then(|| attr("w:styleId"))
                    .flatten()
                    .map(|id| Style {
                        id,
                        ..Style::default()
                    });
                match (style, empty) {
                    (Some(style), true) => {
                        styles.insert(style.id.clone(), style);
                    }
                    (style, _) => current = style,
                }
            }
            b"w:name" => {
                if let (Some(style), Some(name)) = (current.as_mut(), val(&e)) {
                    style.name = name;
                }
            }
            b"w:basedOn" => {
                if let Some(style) = current.as_mut() {
                    style.based_on = val(&e);
                }
            }
            b"w:outlineLvl" => {
                if let Some(style) = current.as_mut() {
                    style.outline |= outline_heading(&e);
                }
            }
            _ => {}
        }
    }
    let own = |s: &Style| {
        let name = s.name.to_lowercase();
        s.outline || name == "title" || name == "subtitle" || name.starts_with("heading ")
    };
    styles
        .values()
        .filter(|style| {
            // a style based on a heading is a heading (followed a few steps; cycles end there)
            let mut s = *style;
            for _ in 0..8 {
                if own(s) {
                    return true;
                }
                match s.based_on.as_ref().and_then(|b| styles.get(b)) {
                    Some(parent) => s = parent,
                    None => return false,
                }
            }
            false
        })
        .map(|s| s.id.clone())
        .collect()
}

/// A paragraph as read, before cleaning.
struct RawParagraph {
    text: String,
    look: Look,
}

/// A paragraph being read.
#[derive(Default)]
struct Open {
    text: String,
    style: Option<String>,
    outline: bool,
    /// Pieces of visible text, and how many of them were bold and italic.
    pieces: usize,
    bold: usize,
    italic: usize,
}

impl Open {
    fn look(&self, headings: &HashSet<String>) -> Look {
        let heading_style = self
            .style
            .as_deref()
            .is_some_and(|s| headings.contains(s) || heading_id(s));
        if self.outline || heading_style {
            Look::Heading
        } else if self.pieces > 0 && self.bold == self.pieces {
            Look::Bold
        } else if self.pieces > 0 && self.italic == self.pieces {
            Look::Italic
        } else {
            Look::Plain
        }
    }
}

/// Formatting of the run being read.
#[derive(Default, Clone, Copy)]
struct RunFormat {
    bold: bool,
    italic: bool,
}

/// The table being read (the outermost one; nested tables' text joins their cell).
#[derive(Default)]
struct Table {
    depth: usize,
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: String,
}

impl Table {
    /// The table as note text (see the module documentation).
    fn text(&self) -> String {
        self.rows
            .iter()
            .filter_map(|cells| {
                let cells: Vec<&str> = cells
                    .iter()
                    .map(|c| c.trim())
                    .filter(|c| !c.is_empty())
                    .collect();
                match cells.as_slice() {
                    [] => None,
                    [key, value] if key.ends_with(':') => Some(format!("{key} {value}")),
                    [key, value] => Some(format!("{key}: {value}")),
                    _ => Some(cells.join(" | ")),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Walks the document XML, collecting each `w:p` outside tables and each table.
fn paragraphs(xml: &str, headings: &HashSet<String>) -> Result<Vec<RawParagraph>, String> {
    let mut reader = Reader::from_str(xml);
    let mut walk = Walk::new(headings);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => walk.start(&e),
            Event::Empty(e) => walk.empty(&e),
            Event::End(e) => walk.end(e.name().as_ref()),
            Event::Text(t) if walk.in_text() => {
                let text = t.decode().map_err(|e| e.to_string())?;
                push_text(&mut walk.open, &walk.runs, &text);
            }
            Event::GeneralRef(r) if walk.in_text() => {
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        quick_xml::escape::resolve_xml_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_string()
                    }
                };
                push_text(&mut walk.open, &walk.runs, &resolved);
            }
            Event::CData(t) if walk.in_text() => {
                push_text(&mut walk.open, &walk.runs, &String::from_utf8_lossy(&t));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(walk.out)
}

/// Where the walk through the document XML is, and the paragraphs collected so far.
struct Walk<'h> {
    /// The styles that make a paragraph a heading.
    headings: &'h HashSet<String>,
    out: Vec<RawParagraph>,
    /// Paragraphs can nest (text boxes inside a paragraph): one buffer per open paragraph.
    open: Vec<Open>,
    /// Runs can nest the same way.
    runs: Vec<RunFormat>,
    table: Table,
    in_text: bool,
    in_paragraph_properties: bool,
    /// Depth inside elements whose text is not document text (deletions, field codes, fallbacks).
    skip_depth: usize,
}

impl<'h> Walk<'h> {
    fn new(headings: &'h HashSet<String>) -> Self {
        Walk {
            headings,
            out: Vec::new(),
            open: Vec::new(),
            runs: Vec::new(),
            table: Table::default(),
            in_text: false,
            in_paragraph_properties: false,
            skip_depth: 0,
        }
    }

    /// Whether text met now is document text.
    fn in_text(&self) -> bool {
        self.in_text && self.skip_depth == 0
    }

    /// An element opens.
    fn start(&mut self, e: &BytesStart<'_>) {
        let name = e.name();
        let name = name.as_ref();
        if self.skip_depth > 0
            || matches!(
                name,
                b"w:delText" | b"w:instrText" | b"mc:Fallback" | b"w:del"
            )
        {
            self.skip_depth += 1;
            return;
        }
        let table = &mut self.table;
        match name {
            b"w:p" => self.open.push(Open::default()),
            b"w:t" => self.in_text = true,
            b"w:r" => self.runs.push(RunFormat::default()),
            b"w:pPr" => self.in_paragraph_properties = true,
            b"w:tbl" => table.depth += 1,
            b"w:tr" if table.depth == 1 => table.row.clear(),
            b"w:tc" if table.depth == 1 => table.cell.clear(),
            _ => properties(
                e,
                &mut self.open,
                &mut self.runs,
                self.in_paragraph_properties,
            ),
        }
    }

    /// An empty element: a tab, a break or a property.
    fn empty(&mut self, e: &BytesStart<'_>) {
        if self.skip_depth > 0 {
            return;
        }
        if let Some(p) = self.open.last_mut() {
            match e.name().as_ref() {
                b"w:tab" | b"w:ptab" => p.text.push('\t'),
                b"w:br" | b"w:cr" => p.text.push('\n'),
                b"w:noBreakHyphen" => p.text.push('-'),
                _ => properties(
                    e,
                    &mut self.open,
                    &mut self.runs,
                    self.in_paragraph_properties,
                ),
            }
        }
    }

    /// The element `name` closes.
    fn end(&mut self, name: &[u8]) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        let table = &mut self.table;
        match name {
            b"w:p" => self.end_paragraph(),
            b"w:t" => self.in_text = false,
            b"w:r" => {
                self.runs.pop();
            }
            b"w:pPr" => self.in_paragraph_properties = false,
            b"w:tc" if table.depth == 1 => {
                let cell = std::mem::take(&mut table.cell);
                table.row.push(cell);
            }
            b"w:tr" if table.depth == 1 => {
                let row = std::mem::take(&mut table.row);
                table.rows.push(row);
            }
            b"w:tbl" => {
                table.depth = table.depth.saturating_sub(1);
                if table.depth == 0 {
                    let text = table.text();
                    *table = Table::default();
                    self.out.push(RawParagraph {
                        text,
                        look: Look::Note,
                    });
                }
            }
            _ => {}
        }
    }

    /// A paragraph closes: into the table cell it is in, else into the document.
    fn end_paragraph(&mut self) {
        let Some(p) = self.open.pop() else {
            return;
        };
        let table = &mut self.table;
        if table.depth > 0 {
            let text = p.text.replace(['\n', '\t'], " ");
            if !table.cell.is_empty() && !text.trim().is_empty() {
                table.cell.push(' ');
            }
            table.cell.push_str(text.trim());
        } else {
            let look = p.look(self.headings);
            self.out.push(RawParagraph { text: p.text, look });
        }
    }
}

/// Adds text of the current run to the open paragraph, counting its formatting.
fn push_text(open: &mut [Open], runs: &[RunFormat], text: &str) {
    let Some(p) = open.last_mut() else {
        return;
    };
    p.text.push_str(text);
    if !text.trim().is_empty() {
        let format = runs.last().copied().unwrap_or_default();
        p.pieces += 1;
        p.bold += usize::from(format.bold);
        p.italic += usize::from(format.italic);
    }
}

/// Records a paragraph or run property element (style, outline level, bold, italic).
fn properties(e: &BytesStart<'_>, open: &mut [Open], runs: &mut [RunFormat], in_ppr: bool) {
    match e.name().as_ref() {
        b"w:pStyle" if in_ppr => {
            if let Some(p) = open.last_mut() {
                p.style = val(e);
            }
        }
        b"w:outlineLvl" if in_ppr => {
            if let Some(p) = open.last_mut() {
                p.outline |= outline_heading(e);
            }
        }
        // the paragraph mark's own run properties (inside w:pPr) format no text
        b"w:b" if !in_ppr => {
            if let Some(r) = runs.last_mut() {
                r.bold = on(e);
            }
        }
        b"w:i" if !in_ppr => {
            if let Some(r) = runs.last_mut() {
                r.italic = on(e);
            }
        }
        b"w:rStyle" if !in_ppr => {
            if let Some(r) = runs.last_mut() {
                match val(e).as_deref() {
                    Some("Strong") => r.bold = true,
                    Some("Emphasis") => r.italic = true,
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml: &str, headings: &[&str]) -> Vec<(String, Look)> {
        let headings = headings.iter().map(|s| s.to_string()).collect();
        paragraphs(xml, &headings)
            .unwrap()
            .into_iter()
            .map(|p| (p.text, p.look))
            .collect()
    }

    #[test]
    fn runs_joined_deletions_skipped() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Interview</w:t></w:r><w:r><w:t>er</w:t></w:r><w:r><w:t xml:space="preserve">: Fish &amp; chips</w:t></w:r>
<w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:r><w:tab/><w:t>tab</w:t><w:br/><w:t>next &#233;</w:t></w:r></w:p>
<w:p/><w:p><w:r><w:instrText>PAGE</w:instrText><w:t>LW7: Yes.</w:t></w:r></w:p>
</w:body></w:document>"#;
        assert_eq!(
            read(xml, &[]),
            vec![
                (
                    "Interviewer: Fish & chips\ttab\nnext é".to_string(),
                    Look::Plain
                ),
                ("LW7: Yes.".to_string(), Look::Plain)
            ]
        );
    }

    #[test]
    fn looks_from_styles_tables_and_runs() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
<w:p><w:pPr><w:pStyle w:val="berschrift1"/></w:pPr><w:r><w:t>Part 1</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>By id</w:t></w:r></w:p>
<w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>By outline</w:t></w:r></w:p>
<w:p><w:pPr><w:outlineLvl w:val="9"/><w:rPr><w:b/></w:rPr></w:pPr><w:r><w:t>Body, bold mark</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Date</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>21 May</w:t></w:r></w:p><w:p><w:r><w:t>2024</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>Site:</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Hub</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>What would </w:t></w:r><w:r><w:rPr><w:rStyle w:val="Strong"/></w:rPr><w:t>help</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:i/></w:rPr><w:t>Recording paused.</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:i/><w:b w:val="0"/></w:rPr><w:t>Not bold</w:t></w:r><w:r><w:rPr><w:i w:val="false"/></w:rPr><w:t>, not italic</w:t></w:r></w:p>
</w:body></w:document>"#;
        let got = read(xml, &["berschrift1"]);
        let expected = [
            ("Part 1", Look::Heading),
            ("By id", Look::Heading),
            ("By outline", Look::Heading),
            ("Body, bold mark", Look::Plain),
            ("Date: 21 May 2024\nSite: Hub\na | b | c", Look::Note),
            ("What would help ", Look::Bold),
            ("Recording paused.", Look::Italic),
            ("Not bold, not italic", Look::Plain),
        ];
        assert_eq!(
            got,
            expected
                .iter()
                .map(|(t, l)| (t.to_string(), *l))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn heading_styles_by_name_outline_and_basis() {
        let styles = r#"<w:styles xmlns:w="x">
<w:style w:type="paragraph" w:styleId="Standard"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Titel"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="Mine"><w:name w:val="Section head"/><w:basedOn w:val="berschrift1"/></w:style>
<w:style w:type="paragraph" w:styleId="Outlined"><w:name w:val="Custom"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Loop1"><w:name w:val="a"/><w:basedOn w:val="Loop2"/></w:style>
<w:style w:type="paragraph" w:styleId="Loop2"><w:name w:val="b"/><w:basedOn w:val="Loop1"/></w:style>
<w:style w:type="character" w:styleId="Heading1Char"><w:name w:val="heading 1 char"/></w:style>
</w:styles>"#;
        let mut got: Vec<String> = heading_styles(styles).into_iter().collect();
        got.sort();
        assert_eq!(got, ["Mine", "Outlined", "Titel", "berschrift1"]);
        assert!(heading_styles("<w:styles><w:style").is_empty());
        assert!(heading_id("Heading3") && heading_id("Subtitle") && !heading_id("HeadingX"));
    }

    fn docx(xml: &str) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn references_to_control_characters_are_cleaned() {
        let xml = "<w:document><w:body><w:p><w:r><w:t>a&#13;b&#x7;c</w:t></w:r></w:p></w:body></w:document>";
        let got = extract(&docx(xml), "d.docx").unwrap();
        assert_eq!(plain_text(&got), "a\nbc");
    }

    #[test]
    fn broken_xml_is_reported() {
        assert!(paragraphs("<w:p><w:t>x</w:p>", &HashSet::new()).is_err());
    }
}
