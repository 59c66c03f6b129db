//! When each turn is spoken in the recording: the timestamps transcripts carry (`[00:12:31]`),
//! and for turns without one a time interpolated from their neighbours by character position,
//! marked approximate.
//!
//! Pure arithmetic on a [`Transcript`]: it reads no recording and knows no player. The rule for a
//! turn without a timestamp: between two stamped turns, the time grows in proportion to the
//! characters between them; before the first stamp, from 00:00:00 at the start of the text;
//! after the last, at the transcript's own pace (seconds per character between its first and
//! last stamps), or [`DEFAULT_CHARS_PER_SECOND`] when it has a single stamp. A transcript with no
//! timestamp at all has no timeline: nothing in it says where the recording is.

use crate::model::Transcript;

/// Characters of transcript per second of speech assumed when a transcript has too few
/// timestamps to tell its own pace (about 150 words a minute).
pub const DEFAULT_CHARS_PER_SECOND: f64 = 15.0;

/// A time in the recording.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moment {
    /// Seconds from the start of the recording.
    pub seconds: f64,
    /// Whether the time is interpolated rather than written in the transcript.
    pub approximate: bool,
}

impl Moment {
    /// `00:12:31`, or `~00:12:31` when approximate.
    pub fn clock(&self) -> String {
        let clock = format_clock(self.seconds);
        if self.approximate {
            format!("~{clock}")
        } else {
            clock
        }
    }
}

/// The times of a transcript's turns.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Per turn (in `Transcript::turns` order): its time.
    times: Vec<Moment>,
    /// Per turn: where its paragraph starts and its speech starts (code points).
    starts: Vec<(usize, usize)>,
    /// Per turn: the latest time up to it, so a search by time works on a transcript whose
    /// stamps go backwards somewhere.
    rising: Vec<f64>,
    /// Seconds per character after the last timestamp.
    pace: f64,
}

impl Timeline {
    /// The timeline of a transcript; `None` when no turn carries a readable timestamp.
    pub fn of(transcript: &Transcript) -> Option<Timeline> {
        let turns = &transcript.turns;
        let written: Vec<Option<f64>> = turns
            .iter()
            .map(|t| t.timestamp.as_deref().and_then(parse_clock))
            .collect();
        let anchors: Vec<(usize, f64)> = written
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|s| (i, s)))
            .collect();
        let (&(first_i, first_s), &(last_i, last_s)) = (anchors.first()?, anchors.last()?);
        let position = |i: usize| turns[i].start as f64;
        let span = position(last_i) - position(first_i);
        let pace = if anchors.len() > 1 && span > 0.0 && last_s > first_s {
            (last_s - first_s) / span
        } else {
            1.0 / DEFAULT_CHARS_PER_SECOND
        };
        let mut times = Vec::with_capacity(turns.len());
        // the anchors on either side of turn i: `next` indexes into `anchors`
        let mut next: usize = 0;
        for (i, seconds) in written.iter().enumerate() {
            if let Some(seconds) = seconds {
                times.push(Moment {
                    seconds: *seconds,
                    approximate: false,
                });
                next += 1;
                continue;
            }
            let before = next.checked_sub(1).map(|k| anchors[k]);
            let after = anchors.get(next).copied();
            let seconds = match (before, after) {
                (Some((a, sa)), Some((b, sb))) => {
                    let width = position(b) - position(a);
                    let share = if width > 0.0 {
                        (position(i) - position(a)) / width
                    } else {
                        0.0
                    };
                    sa + (sb - sa).max(0.0) * share
                }
                (None, Some((b, sb))) => {
                    let width = position(b);
                    if width > 0.0 {
                        sb * position(i) / width
                    } else {
                        0.0
                    }
                }
                (Some((a, sa)), None) => sa + (position(i) - position(a)) * pace,
                (None, None) => 0.0,
            };
            times.push(Moment {
                seconds,
                approximate: true,
            });
        }
        let mut rising = Vec::with_capacity(times.len());
        let mut high = f64::MIN;
        for m in &times {
            high = high.max(m.seconds);
            rising.push(high);
        }
        Some(Timeline {
            times,
            starts: turns.iter().map(|t| (t.start, t.body_start)).collect(),
            rising,
            pace,
        })
    }

    /// The time of turn `index` (0-based, in `Transcript::turns` order).
    pub fn turn(&self, index: usize) -> Option<Moment> {
        self.times.get(index).copied()
    }

    /// The time at code point `offset`: its turn's time when the offset is in the turn's label
    /// or at the start of its speech, else interpolated between this turn's time and the next
    /// one's (approximate).
    pub fn at(&self, offset: usize) -> Option<Moment> {
        let slot = self.starts.partition_point(|(start, _)| *start <= offset);
        let i = slot.checked_sub(1)?;
        let here = self.times[i];
        let body = self.starts[i].1;
        if offset <= body {
            return Some(here);
        }
        let seconds = match (self.times.get(i + 1), self.starts.get(i + 1)) {
            (Some(next), Some((next_start, _))) if *next_start > body => {
                let share = (offset - body) as f64 / (*next_start - body) as f64;
                here.seconds + (next.seconds - here.seconds).max(0.0) * share.min(1.0)
            }
            _ => here.seconds + (offset - body) as f64 * self.pace,
        };
        Some(Moment {
            seconds,
            approximate: true,
        })
    }

    /// The time of the turn holding code point `offset`: what a quote starting there is cited
    /// with (the stamp a reader finds above it in the transcript).
    pub fn turn_at(&self, offset: usize) -> Option<Moment> {
        let slot = self.starts.partition_point(|(start, _)| *start <= offset);
        self.turn(slot.checked_sub(1)?)
    }

    /// The turn being spoken at `seconds` (0-based index): the last turn that starts at or
    /// before it. `None` before the first turn starts.
    pub fn spoken_at(&self, seconds: f64) -> Option<usize> {
        self.rising
            .partition_point(|start| *start <= seconds)
            .checked_sub(1)
    }
}

/// Parses a clock time to seconds: `hh:mm:ss`, `mm:ss` or `h:m:s`, each optionally with a
/// fraction after `.` or `,` (`00:12:31.5`, `00:12:31,500`).
pub fn parse_clock(text: &str) -> Option<f64> {
    clock_millis(text).map(|ms| ms as f64 / 1000.0)
}

/// Parses a clock time to milliseconds (see [`parse_clock`]): two or three fields, the later
/// ones below 60, the first at most four digits; at most nine digits of fraction.
pub fn clock_millis(text: &str) -> Option<u64> {
    let s = text.trim();
    let (main, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let fields: Vec<&str> = main.split(':').collect();
    if !(2..=3).contains(&fields.len()) {
        return None;
    }
    let mut total: u64 = 0;
    for (i, field) in fields.iter().enumerate() {
        let max_digits = if i == 0 { 4 } else { 2 };
        if field.is_empty()
            || field.len() > max_digits
            || !field.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let value: u64 = field.parse().ok()?;
        if i > 0 && value >= 60 {
            return None;
        }
        total = total * 60 + value;
    }
    let mut ms = total * 1000;
    if let Some(frac) = frac {
        if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut digits: String = frac.chars().take(3).collect();
        while digits.len() < 3 {
            digits.push('0');
        }
        ms += digits.parse::<u64>().ok()?;
    }
    Some(ms)
}

/// Parses a length of time or a moment as the command line takes it: a clock
/// (`00:12:31`, `12:31.5`) or a number of seconds with an optional unit (`2`, `2s`, `1.5s`,
/// `500ms`, `3m`). `None` for anything else, negative numbers included.
pub fn parse_duration(text: &str) -> Option<f64> {
    let s = text.trim();
    if s.contains(':') {
        return parse_clock(s);
    }
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (s, 1.0)
    };
    let number = number.trim();
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let seconds = value * scale;
    seconds.is_finite().then_some(seconds)
}

/// Formats seconds as `hh:mm:ss` (fractions dropped; negative times as 00:00:00; hours grow
/// past 99).
pub fn format_clock(seconds: f64) -> String {
    let whole = if seconds.is_finite() && seconds > 0.0 {
        seconds.floor() as u64
    } else {
        0
    };
    format!(
        "{:02}:{:02}:{:02}",
        whole / 3600,
        whole / 60 % 60,
        whole % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(text: &str) -> (Transcript, Timeline) {
        let t = Transcript::parse("x", text);
        let line = Timeline::of(&t).expect("a timeline");
        (t, line)
    }

    #[test]
    fn written_stamps_are_exact() {
        let (_, line) = timeline("[00:00:05] A: one\n\n[00:01:10] B: two\n");
        assert_eq!(
            line.turn(0),
            Some(Moment {
                seconds: 5.0,
                approximate: false
            })
        );
        assert_eq!(line.turn(1).map(|m| m.clock()), Some("00:01:10".into()));
        assert_eq!(line.turn(2), None);
    }

    #[test]
    fn unstamped_turns_are_interpolated_by_characters() {
        // turn 2 starts halfway (in characters) between the starts of turns 1 and 3
        let text = "[00:00:10] A: aaaaaaaaa\n\nB: bbbbbbbbbbbbbbbbbbb\n\n[00:00:30] A: end\n";
        let (t, line) = timeline(text);
        let (a, b, c) = (t.turns[0].start, t.turns[1].start, t.turns[2].start);
        let expected = 10.0 + 20.0 * (b - a) as f64 / (c - a) as f64;
        let m = line.turn(1).unwrap();
        assert!(m.approximate);
        assert!((m.seconds - expected).abs() < 1e-9, "{m:?} vs {expected}");
        assert_eq!(m.clock(), format!("~{}", format_clock(expected)));
    }

    #[test]
    fn before_the_first_and_after_the_last_stamp() {
        // a header note before the first stamp sits between 0 s and that stamp
        let text = "Interview notes\n\n[00:00:20] A: hello there\n\n[00:00:40] B: yes\n\nA: and then some more words\n";
        let (t, line) = timeline(text);
        let head = line.turn(0).unwrap();
        assert!(head.approximate && head.seconds == 0.0);
        // after the last stamp: the transcript's own pace (20 s over the characters between
        // its two stamps)
        let pace = 20.0 / (t.turns[2].start - t.turns[1].start) as f64;
        let tail = line.turn(3).unwrap();
        let expected = 40.0 + (t.turns[3].start - t.turns[2].start) as f64 * pace;
        assert!(tail.approximate && (tail.seconds - expected).abs() < 1e-9);
    }

    #[test]
    fn a_single_stamp_uses_the_default_pace_and_none_gives_no_timeline() {
        let text = "[00:01:00] A: first\n\nB: second turn\n";
        let (t, line) = timeline(text);
        let expected = 60.0 + (t.turns[1].start - t.turns[0].start) as f64 / 15.0;
        assert!((line.turn(1).unwrap().seconds - expected).abs() < 1e-9);
        assert!(Timeline::of(&Transcript::parse("x", "A: one\n\nB: two\n")).is_none());
    }

    #[test]
    fn offsets_inside_a_turn_and_turns_at_a_time() {
        let text = "[00:00:00] A: 0123456789\n\n[00:00:10] B: later\n";
        let (t, line) = timeline(text);
        let body = t.turns[0].body_start;
        // the label and the first character: the turn's own (exact) time
        assert_eq!(line.at(0).map(|m| m.approximate), Some(false));
        assert_eq!(line.at(body).map(|m| m.approximate), Some(false));
        let mid = line.at(body + 5).unwrap();
        let share = 5.0 / (t.turns[1].start - body) as f64;
        assert!(mid.approximate && (mid.seconds - 10.0 * share).abs() < 1e-9);
        assert_eq!(line.turn_at(body + 5).map(|m| m.seconds), Some(0.0));
        assert_eq!(line.spoken_at(9.9), Some(0));
        assert_eq!(line.spoken_at(10.0), Some(1));
        assert_eq!(line.spoken_at(500.0), Some(1));
        let (_, late) = timeline("[00:00:05] A: x\n");
        assert_eq!(late.spoken_at(1.0), None);
    }

    #[test]
    fn stamps_going_backwards_do_not_break_the_search() {
        let (_, line) = timeline("[00:00:50] A: x\n\n[00:00:20] B: y\n\n[00:01:00] A: z\n");
        // the turn stamped 20 s after one stamped 50 s counts as starting at 50 s
        assert_eq!(line.spoken_at(30.0), None);
        assert_eq!(line.spoken_at(55.0), Some(1));
        assert_eq!(line.spoken_at(61.0), Some(2));
    }

    #[test]
    fn clocks_and_durations() {
        assert_eq!(parse_clock("00:12:31"), Some(751.0));
        assert_eq!(parse_clock("12:31.5"), Some(751.5));
        assert_eq!(parse_clock("1:02:03,250"), Some(3723.25));
        assert_eq!(parse_clock("12:61"), None);
        assert_eq!(parse_clock("12"), None);
        assert_eq!(parse_duration("2s"), Some(2.0));
        assert_eq!(parse_duration("2"), Some(2.0));
        assert_eq!(parse_duration("1.5s"), Some(1.5));
        assert_eq!(parse_duration("500ms"), Some(0.5));
        assert_eq!(parse_duration("3m"), Some(180.0));
        assert_eq!(parse_duration("00:00:02"), Some(2.0));
        assert_eq!(parse_duration("-2s"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(format_clock(751.9), "00:12:31");
        assert_eq!(format_clock(-3.0), "00:00:00");
        assert_eq!(format_clock(400.0 * 3600.0), "400:00:00");
    }
}
