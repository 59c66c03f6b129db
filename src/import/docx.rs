//! Word `.docx` files: reads `word/document.xml` from the zip with quick-xml and turns it into
//! plain paragraphs (runs concatenated, so a label split across formatting runs — bold
//! `Interviewer` + `:` — reads as one; tabs and line breaks kept; tracked deletions, field codes
//! and the fallback copy of text boxes skipped). The paragraphs are then parsed like typed text.
//! It does not look at styles, headers, footers or comments.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{encoding, ImportError};

/// Largest `word/document.xml` read (guards against zip bombs): 256 MiB.
const MAX_XML_BYTES: u64 = 256 * 1024 * 1024;

/// Whether bytes start with a zip local file header.
pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Extracts the document's paragraphs as text, one paragraph per blank-line-separated block.
pub(crate) fn extract_text(bytes: &[u8], file: &str) -> Result<String, ImportError> {
    let bad = |reason: String| ImportError::BadDocx {
        file: file.to_string(),
        reason,
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable zip archive ({e})")))?;
    let mut entry = match archive.by_name("word/document.xml") {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(bad(
                "zip archive without word/document.xml (not a Word document)".to_string(),
            ))
        }
        Err(e) => return Err(bad(format!("cannot open word/document.xml ({e})"))),
    };
    let mut raw = Vec::new();
    (&mut entry)
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| bad(format!("cannot read word/document.xml ({e})")))?;
    if raw.len() as u64 > MAX_XML_BYTES {
        return Err(bad("word/document.xml is larger than 256 MiB".to_string()));
    }
    let xml =
        String::from_utf8(raw).map_err(|_| bad("word/document.xml is not UTF-8".to_string()))?;
    let text = paragraphs(&xml).map_err(|e| bad(format!("word/document.xml: {e}")))?;
    // Character references can carry CRs and control characters; clean them like any text.
    Ok(encoding::normalise(&text))
}

/// Walks the document XML, collecting the text of each `w:p`.
fn paragraphs(xml: &str) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut out: Vec<String> = Vec::new();
    // Paragraphs can nest (text boxes inside a paragraph): one buffer per open paragraph.
    let mut open: Vec<String> = Vec::new();
    let mut in_text = false;
    // Depth inside elements whose text is not document text (deletions, field codes, fallbacks).
    let mut skip_depth = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                let name = e.name();
                let name = name.as_ref();
                if skip_depth > 0
                    || matches!(
                        name,
                        b"w:delText" | b"w:instrText" | b"mc:Fallback" | b"w:del"
                    )
                {
                    skip_depth += 1;
                    continue;
                }
                match name {
                    b"w:p" => open.push(String::new()),
                    b"w:t" => in_text = true,
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if skip_depth > 0 {
                    continue;
                }
                if let Some(buf) = open.last_mut() {
                    match e.name().as_ref() {
                        b"w:tab" | b"w:ptab" => buf.push('\t'),
                        b"w:br" | b"w:cr" => buf.push('\n'),
                        b"w:noBreakHyphen" => buf.push('-'),
                        _ => {}
                    }
                } else if e.name().as_ref() == b"w:p" {
                    out.push(String::new());
                }
            }
            Event::End(e) => {
                if skip_depth > 0 {
                    skip_depth -= 1;
                    continue;
                }
                match e.name().as_ref() {
                    b"w:p" => {
                        if let Some(buf) = open.pop() {
                            out.push(buf);
                        }
                    }
                    b"w:t" => in_text = false,
                    _ => {}
                }
            }
            Event::Text(t) if in_text && skip_depth == 0 => {
                let text = t.decode().map_err(|e| e.to_string())?;
                if let Some(buf) = open.last_mut() {
                    buf.push_str(&text);
                }
            }
            Event::GeneralRef(r) if in_text && skip_depth == 0 => {
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        quick_xml::escape::resolve_xml_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_string()
                    }
                };
                if let Some(buf) = open.last_mut() {
                    buf.push_str(&resolved);
                }
            }
            Event::CData(t) if in_text && skip_depth == 0 => {
                if let Some(buf) = open.last_mut() {
                    buf.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // Soft line breaks inside a paragraph stay line breaks; paragraphs become blank-line blocks.
    let text = out
        .iter()
        .map(|p| p.lines().map(str::trim_end).collect::<Vec<_>>().join("\n"))
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_joined_deletions_skipped() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Interview</w:t></w:r><w:r><w:t>er</w:t></w:r><w:r><w:t xml:space="preserve">: Fish &amp; chips</w:t></w:r>
<w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:r><w:tab/><w:t>tab</w:t><w:br/><w:t>next &#233;</w:t></w:r></w:p>
<w:p/><w:p><w:r><w:instrText>PAGE</w:instrText><w:t>LW7: Yes.</w:t></w:r></w:p>
</w:body></w:document>"#;
        assert_eq!(
            paragraphs(xml).unwrap(),
            "Interviewer: Fish & chips\ttab\nnext é\n\nLW7: Yes."
        );
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
        assert_eq!(extract_text(&docx(xml), "d.docx").unwrap(), "a\nbc");
    }

    #[test]
    fn broken_xml_is_reported() {
        assert!(paragraphs("<w:p><w:t>x</w:p>").is_err());
    }
}
