//! XML output with the escaping rules of [`crate::refi::xml`]: attributes given as
//! `(name, Some(value))` are written, `None` ones left out.

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;

use crate::refi::xml::{escape_attr, escape_text};
use crate::refi::RefiError;

/// Attributes of one element.
pub(super) type Attrs<'a> = Vec<(&'a str, Option<String>)>;

/// An XML document being written.
pub(super) struct Out {
    writer: Writer<Vec<u8>>,
}

impl Out {
    /// A document with its declaration.
    pub fn new() -> Result<Self, RefiError> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .map_err(write_error)?;
        Ok(Out { writer })
    }

    fn start<'a>(name: &'a str, attrs: &Attrs<'_>) -> BytesStart<'a> {
        let mut start = BytesStart::new(name);
        for (key, value) in attrs {
            if let Some(value) = value {
                start.push_attribute(Attribute {
                    key: QName(key.as_bytes()),
                    value: escape_attr(value).into_bytes().into(),
                });
            }
        }
        start
    }

    /// Opens an element.
    pub fn open(&mut self, name: &str, attrs: Attrs<'_>) -> Result<(), RefiError> {
        self.writer
            .write_event(Event::Start(Self::start(name, &attrs)))
            .map_err(write_error)
    }

    /// Writes an empty element.
    pub fn empty(&mut self, name: &str, attrs: Attrs<'_>) -> Result<(), RefiError> {
        self.writer
            .write_event(Event::Empty(Self::start(name, &attrs)))
            .map_err(write_error)
    }

    /// Closes an element.
    pub fn close(&mut self, name: &str) -> Result<(), RefiError> {
        self.writer
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(write_error)
    }

    /// Writes an element holding text.
    pub fn text(&mut self, name: &str, attrs: Attrs<'_>, text: &str) -> Result<(), RefiError> {
        self.writer
            .write_event(Event::Start(Self::start(name, &attrs)))
            .map_err(write_error)?;
        self.writer
            .write_event(Event::Text(BytesText::from_escaped(escape_text(text))))
            .map_err(write_error)?;
        self.close(name)
    }

    /// The document, ending with a newline.
    pub fn finish(self) -> Result<String, RefiError> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        String::from_utf8(bytes).map_err(|e| RefiError::Invalid(format!("XML output: {e}")))
    }
}

fn write_error(e: impl std::fmt::Display) -> RefiError {
    RefiError::Invalid(format!("writing XML: {e}"))
}

/// `Some(value)`, for attribute lists.
pub(super) fn some(value: impl Into<String>) -> Option<String> {
    Some(value.into())
}
