//! The retrieval pane: every segment of one code and the codes beneath it, across transcripts,
//! the current coder's or everyone's, with who coded it.

pub mod draw;

use crate::study::coding::SegmentFilter;
use crate::study::{Study, StudyError};
use crate::tui::pane::ListCursor;

/// One segment in the retrieval pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retrieved {
    /// Who coded it.
    pub coder: String,
    /// Segment id.
    pub segment: String,
    /// Transcript id.
    pub transcript: String,
    /// Code-point range.
    pub start: usize,
    /// Code-point end.
    pub end: usize,
    /// Code id (the selected code or one beneath it).
    pub code: String,
    /// The coded text.
    pub quote: String,
}

/// The retrieval pane's state.
#[derive(Debug, Default)]
pub struct Retrieval {
    /// The code retrieved (with its descendants).
    pub code: Option<String>,
    /// Every coder's segments, or only the current coder's.
    pub all_coders: bool,
    /// The segments.
    pub rows: Vec<Retrieved>,
    /// Highlighted row and scroll.
    pub list: ListCursor,
}

impl Retrieval {
    /// The highlighted segment.
    pub fn current(&self) -> Option<&Retrieved> {
        self.rows.get(self.list.selected)
    }

    /// The entry drawn at row `row` of the list, in a pane `width` cells wide inside its borders.
    pub fn entry_at(&self, row: usize, width: usize) -> Option<usize> {
        let mut top = 0;
        for (i, r) in self.rows.iter().enumerate().skip(self.list.offset.get()) {
            top += draw::entry_height(&r.quote, width);
            if row < top {
                return Some(i);
            }
        }
        None
    }

    /// Fills the pane with the segments of `code` and its descendants (`coder`'s only, unless
    /// every coder's are asked for), keeping the highlighted segment when the code is the same.
    /// Fills the retrieval pane with the segments of `code` and its descendants.
    pub fn retrieve(
        &mut self,
        study: &Study,
        coder: &str,
        code: Option<String>,
    ) -> Result<(), StudyError> {
        let keep = self.rows.get(self.list.selected).map(|r| r.segment.clone());
        let same = code == self.code;
        self.code = code.clone();
        self.rows.clear();
        let Some(code) = code else {
            return Ok(());
        };
        let Some(book) = study.codebook_of(&code) else {
            return Ok(());
        };
        let filter = SegmentFilter {
            codes: Some(book.subtree(&code)),
            coders: (!self.all_coders).then(|| [coder.to_string()].into()),
            ..SegmentFilter::default()
        };
        let selected = study.select_segments(&filter)?;
        let mut rows: Vec<Retrieved> = selected
            .into_iter()
            .map(|(coder, s)| Retrieved {
                coder: coder.to_string(),
                segment: s.id.clone(),
                transcript: s.transcript.clone(),
                start: s.start,
                end: s.end,
                code: s.code.clone(),
                quote: s.quote.clone(),
            })
            .collect();
        rows.sort_by(|a, b| {
            (&a.transcript, a.start, a.end, &a.coder).cmp(&(
                &b.transcript,
                b.start,
                b.end,
                &b.coder,
            ))
        });
        self.rows = rows;
        if same {
            if let Some(i) = keep.and_then(|k| self.rows.iter().position(|r| r.segment == k)) {
                self.list.selected = i;
            }
            self.list.clamp(self.rows.len());
        } else {
            self.list.reset();
        }
        Ok(())
    }
}
