//! A small element tree read with quick-xml, matched by local name so any namespace prefix or
//! version works, and the escaping rules used when writing REFI-QDA XML.
//!
//! Reading keeps line numbers for messages. Writing escapes newlines in attribute values as
//! `&#10;` (a parser would otherwise turn them into spaces) and carriage returns everywhere.

use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::refi::RefiError;

/// One element: its local name, attributes (local names), children and direct text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name (`TextSource`, never `qda:TextSource`).
    pub name: String,
    /// Attributes by local name, in document order, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// Text directly inside the element (entities resolved, line ends normalised).
    pub text: String,
    /// 1-based line where the element starts.
    pub line: usize,
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name`, if present.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.into_owned(),
    }
}

/// Decodes an XML file's bytes: UTF-8 with or without a byte-order mark, or UTF-16 with one.
pub fn decode_xml(bytes: &[u8], file: &str) -> Result<String, RefiError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|e| RefiError::xml(file, 0, format!("not valid UTF-8: {e}")));
    }
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok(text.into_owned());
    }
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|e| RefiError::xml(file, 0, format!("not valid UTF-8: {e}")))
}

fn line_at(text: &str, byte: usize, cache: &mut (usize, usize)) -> usize {
    let byte = byte.min(text.len());
    if byte < cache.0 {
        *cache = (0, 1);
    }
    cache.1 += text.as_bytes()[cache.0..byte]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    cache.0 = byte;
    cache.1
}

/// Parses a whole document into its root element. `file` names the document in errors.
pub fn parse(text: &str, file: &str) -> Result<Element, RefiError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut lines = (0usize, 1usize);
    loop {
        let position = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            let line = line_at(text, reader.error_position() as usize, &mut lines);
            RefiError::xml(file, line, e.to_string())
        })?;
        match event {
            Event::Start(start) => {
                let line = line_at(text, position, &mut lines);
                stack.push(element_of(&start, reader.decoder(), file, line)?);
            }
            Event::Empty(start) => {
                let line = line_at(text, position, &mut lines);
                let element = element_of(&start, reader.decoder(), file, line)?;
                attach(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                if let Some(done) = stack.pop() {
                    attach(&mut stack, &mut root, done);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let content = t.xml10_content().map_err(|e| {
                        RefiError::xml(file, line_at(text, position, &mut lines), e.to_string())
                    })?;
                    top.text.push_str(&content);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    let content = t.xml10_content().map_err(|e| {
                        RefiError::xml(file, line_at(text, position, &mut lines), e.to_string())
                    })?;
                    top.text.push_str(&content);
                }
            }
            Event::GeneralRef(r) => {
                let line = line_at(text, position, &mut lines);
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| RefiError::xml(file, line, e.to_string()))?
                        .map(String::from)
                } else {
                    let name = r
                        .decode()
                        .map_err(|e| RefiError::xml(file, line, e.to_string()))?;
                    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_string)
                };
                let Some(resolved) = resolved else {
                    return Err(RefiError::xml(file, line, "unknown entity reference"));
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(RefiError::xml(
            file,
            open.line,
            format!("<{}> is never closed", open.name),
        ));
    }
    root.ok_or_else(|| RefiError::xml(file, 1, "no root element"))
}

fn element_of(
    start: &BytesStart<'_>,
    decoder: Decoder,
    file: &str,
    line: usize,
) -> Result<Element, RefiError> {
    let mut element = Element {
        name: local(start.name().as_ref()),
        line,
        ..Element::default()
    };
    for attr in start.attributes().with_checks(false) {
        let attr = attr.map_err(|e| RefiError::xml(file, line, format!("bad attribute: {e}")))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr
            .decode_and_unescape_value(decoder)
            .map_err(|e| RefiError::xml(file, line, format!("attribute {key}: {e}")))?
            .into_owned();
        let key = if key.starts_with("xmlns") {
            key
        } else {
            local(key.as_bytes())
        };
        element.attrs.push((key, value));
    }
    Ok(element)
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => {
            if root.is_none() {
                *root = Some(element);
            }
        }
    }
}

/// Characters XML 1.0 cannot carry at all, even escaped; written as U+FFFD.
fn unrepresentable(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Escapes element text: `&`, `<`, `>` and carriage returns.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if unrepresentable(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value: markup characters, quotes, and whitespace other than spaces
/// (`&#10;`, `&#13;`, `&#9;`), so values survive attribute-value normalisation.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if unrepresentable(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_local_names_entities_and_lines() {
        let doc = "<?xml version=\"1.0\"?>\n<q:Project xmlns:q=\"urn:QDA-XML:project:1.0\" name=\"a &amp; b&#10;c\">\n  <q:Description>x &lt; y\r\nz</q:Description>\n  <q:Users/>\n</q:Project>";
        let root = parse(doc, "project.qde").unwrap();
        assert_eq!(root.name, "Project");
        assert_eq!(root.attr("name"), Some("a & b\nc"));
        assert_eq!(root.attr("xmlns:q"), Some("urn:QDA-XML:project:1.0"));
        assert_eq!(root.child_text("Description"), Some("x < y\nz"));
        assert_eq!(root.child("Users").map(|u| u.line), Some(5));
        assert!(root.child("Users").unwrap().children.is_empty());
        assert_eq!(root.line, 2);
    }

    #[test]
    fn malformed_xml_names_file_and_line() {
        let err = parse("<a>\n<b></c>\n</a>", "project.qde").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("project.qde") && text.contains(":2"),
            "{text}"
        );
    }

    #[test]
    fn escaping_keeps_newlines_in_attributes() {
        assert_eq!(escape_attr("a\"b\nc&"), "a&quot;b&#10;c&amp;");
        assert_eq!(escape_text("a<b\r\n"), "a&lt;b&#13;\n");
        let doc = format!(
            "<a n=\"{}\">{}</a>",
            escape_attr("x\ny\t\"z\""),
            escape_text("1 & 2")
        );
        let root = parse(&doc, "t").unwrap();
        assert_eq!(root.attr("n"), Some("x\ny\t\"z\""));
        assert_eq!(root.text, "1 & 2");
    }
}
