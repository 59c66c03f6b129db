//! Timestamps in the spellings transcripts use (`00:01:02.345`, `0:0:2.3`, `00:01:02,345`, `1:02`,
//! `[00:12:31]`, `(12:31)`, `{00:12:31}`, `#00:12:31-4#`, float seconds), normalised to `hh:mm:ss`.
//! It only parses and formats; it never decides what a timestamp belongs to.

/// Milliseconds since the start of the recording.
pub(crate) type Millis = u64;

/// Formats a time as `hh:mm:ss` (fractions of a second are dropped; hours grow past 99).
pub(crate) fn format_hms(ms: Millis) -> String {
    let secs = ms / 1000;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Converts float seconds (JSON transcripts) to milliseconds; `None` for negative, NaN or absurd values.
pub(crate) fn from_seconds(seconds: f64) -> Option<Millis> {
    // 10 million hours is far beyond any recording and keeps the cast exact.
    if seconds.is_finite() && (0.0..36_000_000_000.0).contains(&seconds) {
        Some((seconds * 1000.0).round() as Millis)
    } else {
        None
    }
}

/// Parses a clock time: `H:MM:SS`, `MM:SS`, unpadded `0:0:2`, each optionally with a fraction after
/// `.` or `,` (`00:01:02.345`, `00:01:02,345`, `0:0:0.5`). Leading/trailing whitespace is ignored.
/// The same reading the timeline gives the canonical transcript's stamps.
pub(crate) fn parse_clock(s: &str) -> Option<Millis> {
    crate::model::timeline::clock_millis(s)
}

/// Parses `mm.ss` or `hh.mm.ss` (two-digit fields after the first), the dotted spelling some
/// transcribers use inside brackets (`[12.31]`).
fn parse_dotted(s: &str) -> Option<Millis> {
    let fields: Vec<&str> = s.split('.').collect();
    if !(2..=3).contains(&fields.len()) {
        return None;
    }
    let mut total: u64 = 0;
    for (i, field) in fields.iter().enumerate() {
        let ok_len = if i == 0 {
            (1..=3).contains(&field.len())
        } else {
            field.len() == 2
        };
        if !ok_len || !field.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value: u64 = field.parse().ok()?;
        if i > 0 && value >= 60 {
            return None;
        }
        total = total * 60 + value;
    }
    Some(total * 1000)
}

/// How a bare (unbracketed) clock at the start of a line may be taken as a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bare {
    /// Never: only bracketed forms count.
    Never,
    /// Only `h:mm:ss` with three fields (`00:12:31 text`), which speech rarely starts with.
    HoursOnly,
    /// Also `m:ss` (used when a speaker label must follow, or the line holds only the time).
    Any,
}

/// Splits a timestamp off the start of `s`: `[00:12:31]`, `[12.31]`, `(12:31)`, `{00:12:31}`,
/// `#00:12:31-4#`, `#00:12:31.4#` or a bare clock as allowed by `bare`. Returns the time and the
/// rest of the line with leading whitespace removed.
pub(crate) fn strip_leading(s: &str, bare: Bare) -> Option<(Millis, &str)> {
    let first = s.chars().next()?;
    let close = match first {
        '[' => Some(']'),
        '(' => Some(')'),
        '{' => Some('}'),
        '#' => Some('#'),
        _ => None,
    };
    if let Some(close) = close {
        let inner_and_rest = &s[1..];
        let end = inner_and_rest.find(close)?;
        let inner = inner_and_rest[..end].trim();
        let ms = if first == '#' {
            // f4/f5 write tenths after a dash: #00:12:31-4#
            let clock = inner.split_once('-').map_or(inner, |(clock, tenths)| {
                if tenths.len() <= 2 && tenths.bytes().all(|b| b.is_ascii_digit()) {
                    clock
                } else {
                    inner
                }
            });
            parse_clock(clock)?
        } else {
            match parse_clock(inner) {
                Some(ms) => ms,
                None if first == '[' => parse_dotted(inner)?,
                None => return None,
            }
        };
        return Some((ms, inner_and_rest[end + 1..].trim_start()));
    }
    if bare == Bare::Never || !first.is_ascii_digit() {
        return None;
    }
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.' || c == ','))
        .unwrap_or(s.len());
    let token = s[..end].trim_end_matches(['.', ',']);
    let fields = token.split(':').count();
    if fields < 2 || (bare == Bare::HoursOnly && fields < 3) {
        return None;
    }
    let ms = parse_clock(token)?;
    Some((ms, s[token.len()..].trim_start()))
}

/// The time on a line holding nothing but a timestamp (`[00:12:31]`, `12:31`, `(1:02:03)`).
pub(crate) fn line_only(line: &str) -> Option<Millis> {
    let line = line.trim();
    match strip_leading(line, Bare::Any) {
        Some((ms, "")) => Some(ms),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_spellings() {
        assert_eq!(parse_clock("00:01:02.345"), Some(62_345));
        assert_eq!(parse_clock("00:01:02,345"), Some(62_345));
        assert_eq!(parse_clock("0:0:2.3"), Some(2_300));
        assert_eq!(parse_clock("01:02.5"), Some(62_500));
        assert_eq!(parse_clock("1:02:03"), Some(3_723_000));
        assert_eq!(parse_clock("12:31"), Some(751_000));
        assert_eq!(parse_clock("12:61"), None);
        assert_eq!(parse_clock("12"), None);
        assert_eq!(parse_clock("1:2:3:4"), None);
        assert_eq!(parse_clock("a:00"), None);
        assert_eq!(parse_clock("00:01."), None);
    }

    #[test]
    fn formats_hours_minutes_seconds() {
        assert_eq!(format_hms(62_999), "00:01:02");
        assert_eq!(format_hms(3_723_000), "01:02:03");
        assert_eq!(format_hms(400 * 3600 * 1000), "400:00:00");
        assert_eq!(from_seconds(12.5), Some(12_500));
        assert_eq!(from_seconds(-1.0), None);
        assert_eq!(from_seconds(f64::NAN), None);
    }

    #[test]
    fn leading_timestamps() {
        assert_eq!(
            strip_leading("[00:12:31] I: hi", Bare::Never),
            Some((751_000, "I: hi"))
        );
        assert_eq!(
            strip_leading("(12:31) text", Bare::Never),
            Some((751_000, "text"))
        );
        assert_eq!(
            strip_leading("{00:00:05}x", Bare::Never),
            Some((5_000, "x"))
        );
        assert_eq!(
            strip_leading("#00:01:02-3# R: ok", Bare::Never),
            Some((62_000, "R: ok"))
        );
        assert_eq!(
            strip_leading("[12.31] so", Bare::Never),
            Some((751_000, "so"))
        );
        assert_eq!(
            strip_leading("00:03:40.5Ruth: hi", Bare::HoursOnly),
            Some((220_500, "Ruth: hi"))
        );
        assert_eq!(strip_leading("10:30 we met", Bare::HoursOnly), None);
        assert_eq!(
            strip_leading("10:30 we met", Bare::Any),
            Some((630_000, "we met"))
        );
        assert_eq!(strip_leading("[laughs] yes", Bare::Any), None);
        assert_eq!(strip_leading("(pause)", Bare::Any), None);
        assert_eq!(line_only("  [00:05:00] "), Some(300_000));
        assert_eq!(line_only("5:00"), Some(300_000));
        assert_eq!(line_only("5:00 more"), None);
    }
}
