//! Half-open code-point ranges `[start, end)` and the sweep over several coders' ranges.
//!
//! Owns the [`Span`] type shared by the unit builders, the unitizing coefficient and the
//! disagreement finder, and the sweep that turns several coders' ranges into maximal stretches
//! covered by a constant set of coders. It does no I/O and knows nothing about transcripts.

use serde::Serialize;

/// A half-open range `[start, end)` of Unicode code point offsets into a transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// First code point in the range.
    pub start: u64,
    /// One past the last code point in the range.
    pub end: u64,
}

impl Span {
    /// The range `[start, end)`.
    pub const fn new(start: u64, end: u64) -> Self {
        Span { start, end }
    }

    /// Number of code points covered (0 for an empty or inverted range).
    pub const fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// True when the range covers no code point.
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Number of code points shared with `other`.
    pub fn overlap(&self, other: &Span) -> u64 {
        self.end
            .min(other.end)
            .saturating_sub(self.start.max(other.start))
    }
}

/// Sorts `spans`, drops empty ones and merges overlapping or touching ones, in place.
///
/// Afterwards the spans are sorted, disjoint and separated by at least one code point.
pub fn merge_spans(spans: &mut Vec<Span>) {
    spans.retain(|s| !s.is_empty());
    spans.sort_unstable();
    let mut out = 0usize;
    for i in 0..spans.len() {
        let s = spans[i];
        if out > 0 && s.start <= spans[out - 1].end {
            let last = &mut spans[out - 1];
            last.end = last.end.max(s.end);
        } else {
            spans[out] = s;
            out += 1;
        }
    }
    spans.truncate(out);
}

/// Most coders one sweep can handle: coder sets are kept as bits of a `u64`.
pub const MAX_SWEEP_CODERS: usize = 64;

/// Reusable buffers for [`Sweep::run`], so repeated sweeps allocate nothing once warm.
#[derive(Debug, Default)]
pub(crate) struct Sweep {
    merged: Vec<Span>,
    events: Vec<(u64, u8)>,
}

impl Sweep {
    /// Calls `stretch(start, end, coders)` for consecutive maximal stretches covering
    /// `[0, length)`, where `coders` has bit `i` set when coder `coder_spans[i].0` covers the
    /// stretch. Stretches have constant coder sets and adjacent stretches differ.
    ///
    /// The caller guarantees: at most [`MAX_SWEEP_CODERS`] coders, coder indices below 64,
    /// every span ends at or before `length`, and no span is inverted.
    pub(crate) fn run<'a>(
        &mut self,
        length: u64,
        coder_spans: impl Iterator<Item = (usize, &'a [Span])>,
        mut stretch: impl FnMut(u64, u64, u64),
    ) {
        self.events.clear();
        for (coder, spans) in coder_spans {
            self.merged.clear();
            self.merged.extend_from_slice(spans);
            merge_spans(&mut self.merged);
            // Coder indices are below 64 (caller's guarantee), so they fit in a u8.
            let c = coder as u8;
            for s in &self.merged {
                self.events.push((s.start, c));
                self.events.push((s.end, c));
            }
        }
        self.events.sort_unstable_by_key(|e| e.0);
        let mut mask = 0u64;
        let mut pos = 0u64;
        let mut i = 0;
        while i < self.events.len() {
            let at = self.events[i].0;
            if at > pos {
                stretch(pos, at, mask);
                pos = at;
            }
            // Merged spans of one coder never touch, so each event flips exactly one bit.
            while i < self.events.len() && self.events[i].0 == at {
                mask ^= 1u64 << self.events[i].1;
                i += 1;
            }
        }
        if length > pos {
            stretch(pos, length, mask);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_joins_overlapping_nested_and_touching_ranges() {
        let mut v = vec![
            Span::new(10, 20),
            Span::new(0, 5),
            Span::new(12, 15),
            Span::new(20, 25),
            Span::new(30, 30),
            Span::new(4, 8),
        ];
        merge_spans(&mut v);
        assert_eq!(v, vec![Span::new(0, 8), Span::new(10, 25)]);
    }

    #[test]
    fn sweep_emits_constant_coder_sets_covering_the_text() {
        let a = [Span::new(0, 10), Span::new(5, 12)];
        let b = [Span::new(8, 20)];
        let mut out = Vec::new();
        Sweep::default().run(
            25,
            [(0usize, &a[..]), (1, &b[..])].into_iter(),
            |s, e, m| out.push((s, e, m)),
        );
        assert_eq!(
            out,
            vec![(0, 8, 0b01), (8, 12, 0b11), (12, 20, 0b10), (20, 25, 0)]
        );
    }

    #[test]
    fn overlap_counts_shared_code_points() {
        assert_eq!(Span::new(0, 10).overlap(&Span::new(5, 20)), 5);
        assert_eq!(Span::new(0, 10).overlap(&Span::new(10, 20)), 0);
        assert_eq!(Span::new(3, 4).len(), 1);
        assert!(Span::new(4, 4).is_empty());
    }
}
