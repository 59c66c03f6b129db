//! HTML character references as Teams names (`Si&#226;n`), VTT payloads (`&amp;`) and web-exported
//! Markdown (`&#39;`, `&quot;`) carry them. Decodes numeric references and the common named ones;
//! anything else is left exactly as written.

use std::borrow::Cow;

/// Named references worth knowing in transcripts (HTML5 names).
const NAMED: [(&str, &str); 24] = [
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{A0}"),
    ("lrm", "\u{200E}"),
    ("rlm", "\u{200F}"),
    ("hellip", "…"),
    ("mdash", "—"),
    ("ndash", "–"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("pound", "£"),
    ("euro", "€"),
    ("eacute", "é"),
    ("egrave", "è"),
    ("aacute", "á"),
    ("acirc", "â"),
    ("iacute", "í"),
    ("oacute", "ó"),
    ("uuml", "ü"),
];

/// Replaces `&#NNN;`, `&#xHH;` and known `&name;` references in `s`.
pub(crate) fn decode(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let resolved = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .and_then(|(semi, _)| resolve(&after[..semi]).map(|text| (text, semi)));
        match resolved {
            Some((text, semi)) => {
                out.push_str(&text);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn resolve(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        // A control character from a reference would smuggle a line break or CR into a turn.
        return char::from_u32(code).filter(|&c| c != '\0').map(|c| {
            if c.is_control() {
                " ".to_string()
            } else {
                c.to_string()
            }
        });
    }
    NAMED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn references() {
        assert_eq!(decode("Si&#226;n &amp; Far&#xED;as"), "Siân & Farías");
        assert_eq!(decode("it&#39;s &quot;fine&quot;"), "it's \"fine\"");
        assert_eq!(
            decode("Q&A &bogus; &#0; &#xZZ; &"),
            "Q&A &bogus; &#0; &#xZZ; &"
        );
        assert_eq!(decode("&#128512;x"), "😀x");
        assert_eq!(decode("a&#13;b&#x0A;c"), "a b c");
    }
}
