//! Turning a file's bytes into clean text: BOM sniffing (UTF-8, UTF-16 LE/BE), strict UTF-8, a
//! Windows-1252 fallback, binary detection, and line-ending normalisation (CRLF and lone CR become
//! LF; U+2028/U+2029 become line/paragraph breaks). It knows nothing about transcript formats.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::ImportError;

/// Decoded text and the name of the encoding it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// The text, LF line endings, no BOM.
    pub text: String,
    /// `"UTF-8"`, `"UTF-8 (BOM)"`, `"UTF-16LE"`, `"UTF-16BE"` or `"windows-1252"`.
    pub encoding: &'static str,
}

/// Bytes that Windows-1252 leaves undefined; a file holding them is neither UTF-8 nor cp1252.
const CP1252_UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

/// Decodes `bytes` (from file `file`, named in errors) into normalised text.
pub(crate) fn decode(bytes: &[u8], file: &str) -> Result<Decoded, ImportError> {
    let (raw, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (utf8_after_bom(rest, file)?, "UTF-8 (BOM)")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (utf16(rest, file, true)?, "UTF-16LE")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (utf16(rest, file, false)?, "UTF-16BE")
    } else if let Some(little_endian) = bomless_utf16(bytes) {
        let name = if little_endian {
            "UTF-16LE"
        } else {
            "UTF-16BE"
        };
        (utf16(bytes, file, little_endian)?, name)
    } else if bytes.contains(&0) {
        return Err(ImportError::Binary {
            file: file.to_string(),
            kind: "contains NUL bytes".to_string(),
        });
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_string(), "UTF-8"),
            Err(_) => (windows_1252(bytes, file)?, "windows-1252"),
        }
    };
    check_not_binary(&raw, file)?;
    Ok(Decoded {
        text: normalise(&raw),
        encoding,
    })
}

/// After a UTF-8 BOM the rest must be UTF-8: a file that says so and is not is refused.
fn utf8_after_bom(bytes: &[u8], file: &str) -> Result<String, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => Err(ImportError::Undecodable {
            file: file.to_string(),
            reason: format!(
                "starts with a UTF-8 byte order mark but byte {} is not valid UTF-8",
                e.valid_up_to() + 3
            ),
        }),
    }
}

fn utf16(bytes: &[u8], file: &str, little_endian: bool) -> Result<String, ImportError> {
    let (enc, name) = if little_endian {
        (UTF_16LE, "UTF-16LE")
    } else {
        (UTF_16BE, "UTF-16BE")
    };
    if !bytes.len().is_multiple_of(2) {
        return Err(ImportError::Undecodable {
            file: file.to_string(),
            reason: format!("{name} text with an odd number of bytes ({})", bytes.len()),
        });
    }
    match enc.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(text.into_owned()),
        None => Err(ImportError::Undecodable {
            file: file.to_string(),
            reason: format!("invalid {name} (unpaired surrogate)"),
        }),
    }
}

/// Recognises UTF-16 written without a BOM: in mostly-ASCII text every other byte is NUL.
/// Returns `Some(true)` for little-endian, `Some(false)` for big-endian.
fn bomless_utf16(bytes: &[u8]) -> Option<bool> {
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.len() < 8 || !sample.len().is_multiple_of(2) {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd_nul * 10 >= pairs * 9 && even_nul == 0 {
        Some(true)
    } else if even_nul * 10 >= pairs * 9 && odd_nul == 0 {
        Some(false)
    } else {
        None
    }
}

fn windows_1252(bytes: &[u8], file: &str) -> Result<String, ImportError> {
    if let Some(offset) = bytes.iter().position(|b| CP1252_UNDEFINED.contains(b)) {
        return Err(ImportError::Undecodable {
            file: file.to_string(),
            reason: format!(
                "not UTF-8, and byte 0x{:02X} at offset {offset} is undefined in Windows-1252",
                bytes[offset]
            ),
        });
    }
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    Ok(text.into_owned())
}

/// Strips a leading U+FEFF; normalises CRLF, lone CR, U+2028 and the vertical tab / form feed Word
/// writes for line and page breaks to LF, and U+2029 to a blank line; drops other C0 controls.
pub(crate) fn normalise(raw: &str) -> String {
    let raw = raw.strip_prefix('\u{FEFF}').unwrap_or(raw);
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{2028}' | '\u{0B}' | '\u{0C}' => out.push('\n'),
            '\u{2029}' => out.push_str("\n\n"),
            '\t' | '\n' => out.push(c),
            _ if c < ' ' || c == '\u{7F}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Text full of control characters is a binary file that happened to decode.
fn check_not_binary(text: &str, file: &str) -> Result<(), ImportError> {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0B}' | '\u{0C}' | '\u{85}') {
            control += 1;
        }
    }
    if control > 0 && control * 100 > total {
        return Err(ImportError::Binary {
            file: file.to_string(),
            kind: format!("{control} control characters in {total}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(bytes: &[u8]) -> (String, &'static str) {
        let d = decode(bytes, "t.txt").unwrap();
        (d.text, d.encoding)
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(ok("café\r\nx".as_bytes()), ("café\nx".to_string(), "UTF-8"));
        assert_eq!(
            ok(b"\xEF\xBB\xBFhi\rthere"),
            ("hi\nthere".to_string(), "UTF-8 (BOM)")
        );
    }

    #[test]
    fn word_breaks_and_stray_controls() {
        let long = "x".repeat(200);
        let input = format!("a\x0bb\x0cc\x07d\te{long}");
        assert_eq!(
            ok(input.as_bytes()),
            (format!("a\nb\ncd\te{long}"), "UTF-8")
        );
    }

    #[test]
    fn utf16_both_orders_and_without_bom() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Siân:\r\nok".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(ok(&le), ("Siân:\nok".to_string(), "UTF-16LE"));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("I: yes".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(ok(&be), ("I: yes".to_string(), "UTF-16BE"));
        let bare: Vec<u8> = "Interviewer: hello"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(ok(&bare), ("Interviewer: hello".to_string(), "UTF-16LE"));
    }

    #[test]
    fn windows_1252_fallback() {
        assert_eq!(
            ok(b"I\x92m \x93fine\x94 \x96 \xA35"),
            (
                "I\u{2019}m \u{201C}fine\u{201D} \u{2013} £5".to_string(),
                "windows-1252"
            )
        );
    }

    #[test]
    fn errors() {
        assert!(matches!(
            decode(b"ab\0cd\xff", "f"),
            Err(ImportError::Binary { .. })
        ));
        assert!(matches!(
            decode(b"caf\xe9 \x81", "f"),
            Err(ImportError::Undecodable { .. })
        ));
        assert!(matches!(
            decode(b"\xFF\xFEa", "f"),
            Err(ImportError::Undecodable { .. })
        ));
        assert!(matches!(
            decode(b"\xFF\xFE\x00\xD8a\x00", "f"),
            Err(ImportError::Undecodable { .. })
        ));
        assert!(matches!(
            decode(b"\x01\x02\x03\x04abc", "f"),
            Err(ImportError::Binary { .. })
        ));
    }
}
