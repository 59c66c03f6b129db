//! Text compared the way a reader compares it: case, typographic quotes and apostrophes,
//! dashes and runs of whitespace do not matter. A quote typed with a straight apostrophe finds
//! the transcript's typographic one (`don't` ↔ `don’t`), `--` finds `—`, a line break finds a
//! space.
//!
//! [`Loose`] holds the loose form of a text and, for every byte of it, the byte of the original
//! it came from, so a match in the loose form maps back to the original text.

/// A text in loose form, with the way back to the original.
#[derive(Debug, Clone)]
pub struct Loose {
    /// The loose form.
    pub text: String,
    /// For each byte of `text`, the original byte it came from; one more entry at the end: the
    /// original's length.
    origin: Vec<usize>,
}

/// The loose form of one character: lowercased, with typographic marks made plain. An empty
/// string for a character that only joins or shapes others (zero-width joiners and marks).
fn fold(c: char, out: &mut String) {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '`' | '´' => {
            out.push('\'')
        }
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '«' | '»' => {
            out.push('"')
        }
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => out.push('-'),
        '\u{2026}' => out.push_str("..."),
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' => {}
        c => out.extend(c.to_lowercase()),
    }
}

impl Loose {
    /// The loose form of `text`: dashes in a row (`--`, `—`) become one, every run of
    /// whitespace one space, and the text is trimmed.
    pub fn new(text: &str) -> Loose {
        let mut out = String::with_capacity(text.len());
        let mut origin = Vec::with_capacity(text.len() + 1);
        let mut folded = String::new();
        let mut pending_space: Option<usize> = None;
        for (byte, c) in text.char_indices() {
            if c.is_whitespace() {
                if !out.is_empty() && pending_space.is_none() {
                    pending_space = Some(byte);
                }
                continue;
            }
            folded.clear();
            fold(c, &mut folded);
            if folded.is_empty() {
                continue;
            }
            if folded == "-" && out.ends_with('-') && pending_space.is_none() {
                continue; // `--` and `—` read the same
            }
            if let Some(space) = pending_space.take() {
                out.push(' ');
                origin.push(space);
            }
            for _ in 0..folded.len() {
                origin.push(byte);
            }
            out.push_str(&folded);
        }
        origin.push(text.len());
        Loose { text: out, origin }
    }

    /// The original byte range of the loose byte range `[start, end)`: from the first
    /// character's origin to just past the last character's.
    pub fn original(&self, start: usize, end: usize, text: &str) -> (usize, usize) {
        let a = self.origin.get(start).copied().unwrap_or(text.len());
        if end <= start {
            return (a, a);
        }
        // past the last original character that contributed to the match
        let last = self.origin.get(end - 1).copied().unwrap_or(text.len());
        let b = text[last..]
            .chars()
            .next()
            .map_or(text.len(), |c| last + c.len_utf8());
        (a, b.max(a))
    }

    /// Every occurrence of the loose form of `needle`, as original byte ranges.
    pub fn find_all(&self, needle: &str, text: &str) -> Vec<(usize, usize)> {
        let needle = Loose::new(needle).text;
        if needle.is_empty() {
            return Vec::new();
        }
        self.text
            .match_indices(needle.as_str())
            .map(|(at, m)| self.original(at, at + m.len(), text))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typography_case_and_spacing_do_not_matter() {
        let text = "LW7: I don’t know — it’s “fine”,\n  really…  Honestly.";
        let loose = Loose::new(text);
        for quote in [
            "don't know -- it's \"fine\"",
            "I DON'T KNOW - IT’S",
            "fine\", really... honestly",
        ] {
            let found = loose.find_all(quote, text);
            assert_eq!(found.len(), 1, "{quote}");
        }
        let found = loose.find_all("don't know -- it's \"fine\"", text);
        let (a, b) = found[0];
        assert_eq!(&text[a..b], "don’t know — it’s “fine”");
        let (a, b) = loose.find_all("really... honestly", text)[0];
        assert_eq!(&text[a..b], "really…  Honestly");
        assert!(loose.find_all("not there", text).is_empty());
    }

    #[test]
    fn characters_that_change_length_map_back_exactly() {
        let text = "İstanbul ẞtraße; Café";
        let loose = Loose::new(text);
        let (a, b) = loose.find_all("café", text)[0];
        assert_eq!(&text[a..b], "Café");
        let (a, b) = loose.find_all("ßtraße", text)[0];
        assert_eq!(&text[a..b], "ẞtraße");
    }
}
