//! The search pane: the query as typed and its hits, through a [`Searcher`] (the study's index,
//! or another engine in tests). Each keystroke runs the query again.

pub mod draw;

use crate::study::Study;
use crate::tui::pane::ListCursor;
use crate::tui::search::{SearchHit, Searcher};

/// Most search hits kept for the pane.
const SEARCH_LIMIT: usize = 200;

/// The search pane's state.
pub struct SearchPane {
    /// The query as typed.
    pub query: String,
    /// Hits shown.
    pub hits: Vec<SearchHit>,
    /// Matches in all.
    pub total: usize,
    /// Highlighted hit and scroll.
    pub list: ListCursor,
    /// The engine's complaint about the query, if any.
    pub error: Option<String>,
    /// How the search ran, when the user should know.
    pub note: Option<String>,
    /// An auto-coding of every hit, previewed and waiting for its confirmation.
    pub autocode: Option<crate::tui::autocode::Pending>,
    searcher: Box<dyn Searcher>,
}

impl std::fmt::Debug for SearchPane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchPane")
            .field("query", &self.query)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl SearchPane {
    /// An empty pane searching with `searcher`.
    pub fn new(searcher: Box<dyn Searcher>) -> SearchPane {
        SearchPane {
            query: String::new(),
            hits: Vec::new(),
            total: 0,
            list: ListCursor::default(),
            error: None,
            note: None,
            autocode: None,
            searcher,
        }
    }

    /// The highlighted hit.
    pub fn current(&self) -> Option<&SearchHit> {
        self.hits.get(self.list.selected)
    }

    /// The codings changed: the engine must not answer from what it read before.
    pub fn changed(&mut self) {
        self.searcher.changed();
    }

    /// Types `c` into the query (`None`: deletes the last character) and searches again.
    pub fn edit(&mut self, study: &Study, c: Option<char>) {
        match c {
            Some(c) => self.query.push(c),
            None => {
                self.query.pop();
            }
        }
        self.run(study);
    }

    /// Empties the query.
    pub fn clear(&mut self, study: &Study) {
        self.query.clear();
        self.run(study);
    }

    /// The hit drawn at row `row` inside the pane's borders (two header rows, two rows a hit).
    pub fn entry_at(&self, row: usize) -> Option<usize> {
        let hit = self.list.offset.get() + row.checked_sub(2)? / 2;
        (hit < self.hits.len()).then_some(hit)
    }

    /// Runs the query.
    pub fn run(&mut self, study: &Study) {
        match self.searcher.search(study, &self.query, SEARCH_LIMIT) {
            Ok(results) => {
                self.hits = results.hits;
                self.total = results.total;
                self.note = results.note;
                self.error = None;
            }
            Err(e) => {
                self.hits.clear();
                self.total = 0;
                self.error = Some(e);
            }
        }
        self.list.reset();
    }
}
