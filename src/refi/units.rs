//! How an exported project counts positions, for the program that will read it.
//!
//! thema stores code points into LF-only text. The REFI-QDA specification counts code points
//! too, but NVivo writes (and reads) UTF-16 code units into text with CRLF line ends, each line
//! end counting two: in a transcript with emoji, code points put most NVivo selections on the
//! wrong words. An export therefore chooses a unit, line ends and whether the text files start
//! with a byte-order mark, per target program ([`Target`]), from what the import of the study
//! found ([`crate::refi::record::RefiRecord`]) or as asked. [`WrittenText`] is one transcript as
//! written under such a choice, with its positions. Pure computation: no I/O.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refi::offsets::OffsetUnit;

/// The unit of exported selection positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PositionUnit {
    /// Unicode code points (the specification; MAXQDA, ATLAS.ti, QualCoder, thema).
    CodePoints,
    /// UTF-16 code units (NVivo).
    Utf16,
}

impl PositionUnit {
    /// The export unit that reproduces positions read in `unit` (CRLF handling aside).
    pub fn of(unit: OffsetUnit) -> Self {
        match unit {
            OffsetUnit::Utf16 | OffsetUnit::Utf16CrlfAsOne => PositionUnit::Utf16,
            OffsetUnit::CodePoints | OffsetUnit::CodePointsCrlfAsOne => PositionUnit::CodePoints,
        }
    }
}

impl fmt::Display for PositionUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PositionUnit::CodePoints => "Unicode code points",
            PositionUnit::Utf16 => "UTF-16 code units",
        })
    }
}

/// Line ends of the exported text files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEndings {
    /// `\n`, as thema stores transcripts.
    Lf,
    /// `\r\n`, counted as two positions (as NVivo counts them).
    Crlf,
}

impl fmt::Display for LineEndings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineEndings::Lf => "LF line ends",
            LineEndings::Crlf => "CRLF line ends (each counted as two)",
        })
    }
}

/// A program an export is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// NVivo (Windows and Mac): UTF-16 code units, CRLF, a byte-order mark, exactly as NVivo 12
    /// writes its own exports (verified on a real export: every selection reproduced).
    Nvivo,
    /// MAXQDA: code points, LF, no byte-order mark (what MAXQDA 24 writes; its own unit is not
    /// verified on non-BMP text).
    Maxqda,
    /// ATLAS.ti: code points, LF, no byte-order mark (ATLAS.ti reportedly counts CRLF as one;
    /// LF-only text makes that moot).
    Atlasti,
}

impl Target {
    /// The program a project's `origin` names, if thema knows it.
    pub fn from_origin(origin: &str) -> Option<Target> {
        let lower = origin.to_lowercase();
        if lower.contains("nvivo") {
            Some(Target::Nvivo)
        } else if lower.contains("maxqda") {
            Some(Target::Maxqda)
        } else if lower.contains("atlas") {
            Some(Target::Atlasti)
        } else {
            None
        }
    }

    /// The unit this program counts in.
    pub fn unit(self) -> PositionUnit {
        match self {
            Target::Nvivo => PositionUnit::Utf16,
            Target::Maxqda | Target::Atlasti => PositionUnit::CodePoints,
        }
    }

    /// The line ends this program's own exports use, where it matters for positions.
    pub fn line_endings(self) -> LineEndings {
        match self {
            Target::Nvivo => LineEndings::Crlf,
            Target::Maxqda | Target::Atlasti => LineEndings::Lf,
        }
    }

    /// Whether its text files start with a byte-order mark (never counted in positions).
    pub fn bom(self) -> bool {
        matches!(self, Target::Nvivo)
    }

    /// The program's name as people write it.
    pub fn display(self) -> &'static str {
        match self {
            Target::Nvivo => "NVivo",
            Target::Maxqda => "MAXQDA",
            Target::Atlasti => "ATLAS.ti",
        }
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Nvivo => "nvivo",
            Target::Maxqda => "maxqda",
            Target::Atlasti => "atlasti",
        }
    }
}

/// What the person exporting asked for; `None` leaves the choice to the target or the record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// `--target`.
    pub target: Option<Target>,
    /// `--offsets`.
    pub unit: Option<PositionUnit>,
    /// `--line-endings`.
    pub line_endings: Option<LineEndings>,
}

/// The settled way of writing texts and positions, and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFormat {
    /// The program written for, if any.
    pub target: Option<Target>,
    /// The unit of positions.
    pub unit: PositionUnit,
    /// The line ends of the text files.
    pub line_endings: LineEndings,
    /// Whether each text file starts with a byte-order mark.
    pub bom: bool,
    /// Where the choice came from, for the export report.
    pub because: String,
}

impl TextFormat {
    /// The specification's format: code points, LF, no byte-order mark.
    pub fn standard() -> Self {
        TextFormat {
            target: None,
            unit: PositionUnit::CodePoints,
            line_endings: LineEndings::Lf,
            bom: false,
            because: "the REFI-QDA standard".to_string(),
        }
    }

    /// Settles the format: the options given, else the target given, else what the study's
    /// import recorded (its program and the unit its positions were read in), else the standard.
    pub fn choose(
        options: &ExportOptions,
        recorded_target: Option<Target>,
        recorded_unit: Option<PositionUnit>,
        recorded_origin: &str,
    ) -> Self {
        let target = options.target.or(recorded_target);
        let (unit_default, because) = match (options.target, recorded_target, recorded_unit) {
            (Some(t), _, _) => (Some(t.unit()), format!("--target {}", t.name())),
            (None, _, Some(unit)) => (
                Some(unit),
                format!("as imported from {}", origin_label(recorded_origin)),
            ),
            (None, Some(t), None) => (
                Some(t.unit()),
                format!("as imported from {}", origin_label(recorded_origin)),
            ),
            (None, None, None) => (None, "the REFI-QDA standard".to_string()),
        };
        let mut because = because;
        if options.unit.is_some() || options.line_endings.is_some() {
            because.push_str(", with the options given");
        }
        TextFormat {
            target,
            unit: options
                .unit
                .or(unit_default)
                .unwrap_or(PositionUnit::CodePoints),
            line_endings: options
                .line_endings
                .or(target.map(Target::line_endings))
                .unwrap_or(LineEndings::Lf),
            bom: target.is_some_and(Target::bom),
            because,
        }
    }

    /// One line for reports: `UTF-16 code units, CRLF line ends (…), byte-order mark (--target nvivo)`.
    pub fn describe(&self) -> String {
        format!(
            "{}, {}{} ({})",
            self.unit,
            self.line_endings,
            if self.bom { ", byte-order mark" } else { "" },
            self.because
        )
    }

    /// The `origin` thema writes: the version, the program written for, and the unit when it
    /// is not the standard one, so that reading the file back needs no guessing (and an import
    /// of it records the same program).
    pub fn origin(&self) -> String {
        let mut origin = format!("thema {}", env!("CARGO_PKG_VERSION"));
        if let Some(target) = self.target {
            origin.push_str(&format!(" for {}", target.display()));
        }
        if self.unit == PositionUnit::Utf16 {
            origin.push_str("; positions in UTF-16 code units");
        }
        origin
    }
}

fn origin_label(origin: &str) -> String {
    if origin.trim().is_empty() {
        "an earlier REFI-QDA project".to_string()
    } else {
        format!("'{}'", origin.trim())
    }
}

/// A transcript as written into an export, with the position of every canonical offset.
#[derive(Debug, Clone)]
pub struct WrittenText {
    bytes: Vec<u8>,
    /// Position of each canonical code point offset (and of the end); empty when they are equal.
    positions: Vec<u64>,
}

impl WrittenText {
    /// Writes canonical (LF-only) `text` in `format`.
    pub fn new(text: &str, format: &TextFormat) -> Self {
        let crlf = format.line_endings == LineEndings::Crlf;
        let utf16 = format.unit == PositionUnit::Utf16;
        let mut bytes = Vec::with_capacity(text.len() + 3);
        if format.bom {
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
        }
        let plain = !(crlf && text.contains('\n') || utf16 && text.chars().any(wide));
        let mut positions = Vec::new();
        if !plain {
            positions.reserve(text.len() + 1);
        }
        let mut at = 0u64;
        for c in text.chars() {
            if !plain {
                positions.push(at);
            }
            if c == '\n' && crlf {
                bytes.push(b'\r');
                at += 1;
            }
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            at += if utf16 { c.len_utf16() as u64 } else { 1 };
        }
        if !plain {
            positions.push(at);
        }
        WrittenText { bytes, positions }
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The written position of canonical code point offset `offset` (offsets past the end give
    /// the end).
    pub fn position(&self, offset: usize) -> u64 {
        if self.positions.is_empty() {
            return offset as u64;
        }
        let last = self.positions.len() - 1;
        self.positions[offset.min(last)]
    }
}

fn wide(c: char) -> bool {
    c.len_utf16() == 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refi::offsets::SourceText;

    /// NOTES.md §5's test transcript: 212 code points, 213 UTF-16 units.
    const FULL: &str = "I: Thank you for joining. How do you find the new rota?\nP01: Honestly, I never have time for lunch. 😩 The café is always shut by then.\nI: And the cost of parking?\nP01: Parking costs me €12 a day, which is a lot.\n";

    fn format(unit: PositionUnit, line_endings: LineEndings, bom: bool) -> TextFormat {
        TextFormat {
            target: None,
            unit,
            line_endings,
            bom,
            because: String::new(),
        }
    }

    #[test]
    fn positions_follow_the_notes_vectors() {
        let cp = WrittenText::new(FULL, &TextFormat::standard());
        assert_eq!(cp.bytes(), FULL.as_bytes());
        assert_eq!((cp.position(102), cp.position(133)), (102, 133));
        let u16 = WrittenText::new(FULL, &format(PositionUnit::Utf16, LineEndings::Lf, false));
        // "The café is always shut by then" after 😩: code points 102–133, UTF-16 103–134
        assert_eq!((u16.position(102), u16.position(133)), (103, 134));
        assert_eq!((u16.position(168), u16.position(194)), (169, 195));
        assert_eq!(u16.position(71), 71);
        assert_eq!(u16.position(9999), 213);
    }

    #[test]
    fn nvivo_text_has_a_bom_and_crlf_and_reads_back_in_its_unit() {
        let f = format(PositionUnit::Utf16, LineEndings::Crlf, true);
        let written = WrittenText::new(FULL, &f);
        assert!(written.bytes().starts_with(b"\xEF\xBB\xBFI: Thank"));
        let text = std::str::from_utf8(&written.bytes()[3..]).unwrap();
        assert_eq!(text, FULL.replace('\n', "\r\n"));
        // every canonical offset maps back through the importer's own reading of the unit
        let src = SourceText::new(text);
        for offset in 0..=FULL.chars().count() {
            let back = src.map(OffsetUnit::Utf16, written.position(offset), false);
            assert!(back.exact, "offset {offset}");
            assert_eq!(back.canonical, offset);
        }
    }

    #[test]
    fn the_format_comes_from_options_then_target_then_record() {
        let nvivo = TextFormat::choose(
            &ExportOptions::default(),
            Some(Target::Nvivo),
            None,
            "NVivo",
        );
        assert_eq!(
            (nvivo.unit, nvivo.line_endings, nvivo.bom),
            (PositionUnit::Utf16, LineEndings::Crlf, true)
        );
        assert!(nvivo.because.contains("'NVivo'"), "{}", nvivo.because);
        let asked = ExportOptions {
            target: Some(Target::Maxqda),
            ..ExportOptions::default()
        };
        let maxqda = TextFormat::choose(
            &asked,
            Some(Target::Nvivo),
            Some(PositionUnit::Utf16),
            "NVivo",
        );
        assert_eq!(
            (maxqda.unit, maxqda.line_endings, maxqda.bom),
            (PositionUnit::CodePoints, LineEndings::Lf, false)
        );
        assert_eq!(maxqda.because, "--target maxqda");
        let only_unit = ExportOptions {
            unit: Some(PositionUnit::Utf16),
            ..ExportOptions::default()
        };
        let f = TextFormat::choose(&only_unit, None, None, "");
        assert_eq!(
            (f.unit, f.line_endings, f.bom),
            (PositionUnit::Utf16, LineEndings::Lf, false)
        );
        assert_eq!(f.because, "the REFI-QDA standard, with the options given");
        assert_eq!(
            TextFormat::choose(&ExportOptions::default(), None, None, ""),
            TextFormat::standard()
        );
        // a unit found at import wins over the unit the origin suggests
        let found = TextFormat::choose(
            &ExportOptions::default(),
            None,
            Some(PositionUnit::Utf16),
            "x",
        );
        assert_eq!(found.unit, PositionUnit::Utf16);
        assert_eq!(
            Target::from_origin("NVivo for Mac 15.0.0"),
            Some(Target::Nvivo)
        );
        assert_eq!(
            Target::from_origin("ATLAS.ti 8.4.0 573"),
            Some(Target::Atlasti)
        );
        assert_eq!(Target::from_origin("qc 1.3.2"), None);
        // thema's own origin names the program and the unit, so a re-import records them
        assert_eq!(Target::from_origin(&nvivo.origin()), Some(Target::Nvivo));
        assert_eq!(
            OffsetUnit::default_for_origin(&nvivo.origin()),
            OffsetUnit::Utf16
        );
        assert_eq!(Target::from_origin(&TextFormat::standard().origin()), None);
    }
}
