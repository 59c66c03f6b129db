//! The fuzzy picker: a code (or a coder) chosen by typing part of its path. It filters and
//! ranks as the user types; what the choice is for ([`PickerPurpose`]) is the app's business.

pub mod draw;

use std::collections::BTreeSet;

use crate::study::Study;
use crate::tui::pane::ListCursor;
use crate::tui::picker::{rank, Match};

/// What a picked code is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerPurpose {
    /// Apply it to the selection.
    Apply,
    /// Create the in-vivo code `name` under it.
    InVivo {
        /// The new code's name, from the selected words.
        name: String,
    },
    /// Move `code` under it.
    MoveTo {
        /// The code moved.
        code: String,
    },
    /// Merge `code` into it.
    MergeInto {
        /// The code merged away.
        code: String,
    },
    /// Compare mode: the first coder (A).
    CompareA,
    /// Compare mode: the second coder (B).
    CompareB {
        /// Coder A.
        a: String,
    },
    /// Compare mode: the code compared (`None`: every code).
    CompareCode {
        /// Coder A.
        a: String,
        /// Coder B.
        b: String,
    },
}

/// One choice in the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The code id, or `None` for "the top level" of codebook `book`.
    pub code: Option<String>,
    /// The codebook's position in the study.
    pub book: usize,
    /// What is shown and matched: the code path.
    pub label: String,
    /// The code's colour (`#rrggbb`).
    pub color: String,
    /// Whether its codebook is meant for the open transcript (its scope holds it).
    pub in_scope: bool,
}

/// The fuzzy code picker.
#[derive(Debug)]
pub struct Picker {
    /// What the choice is for.
    pub purpose: PickerPurpose,
    /// The question shown above the list.
    pub title: String,
    /// What has been typed.
    pub query: String,
    /// Every choice.
    pub candidates: Vec<Candidate>,
    /// Choices matching the query, best first: index into `candidates` and the match.
    pub matches: Vec<(usize, Match)>,
    /// Position in `matches`, and scroll.
    pub list: ListCursor,
}

impl Picker {
    /// A picker over `candidates`, unfiltered, starting on the first one `start` accepts.
    pub fn new(
        purpose: PickerPurpose,
        title: String,
        candidates: Vec<Candidate>,
        start: impl Fn(&Candidate) -> bool,
    ) -> Picker {
        let matches = rank("", candidates.iter().map(|c| c.label.as_str()));
        let selected = matches
            .iter()
            .position(|(i, _)| candidates.get(*i).is_some_and(&start))
            .unwrap_or(0);
        Picker {
            purpose,
            title,
            query: String::new(),
            candidates,
            matches,
            list: ListCursor {
                selected,
                ..ListCursor::default()
            },
        }
    }

    /// Types `c` into the filter (`None`: deletes the last character).
    pub fn edit(&mut self, c: Option<char>) {
        match c {
            Some(c) => self.query.push(c),
            None => {
                self.query.pop();
            }
        }
        self.rerank();
        self.list.offset.set(0);
    }

    /// Empties the filter.
    pub fn clear(&mut self) {
        self.query.clear();
        self.rerank();
    }

    fn rerank(&mut self) {
        self.matches = rank(
            &self.query,
            self.candidates.iter().map(|c| c.label.as_str()),
        );
        self.list.selected = 0;
    }

    /// Moves the highlight by `by` matches.
    pub fn step(&mut self, by: isize) {
        self.list.step(by, self.matches.len());
    }

    /// The highlighted choice.
    pub fn choice(&self) -> Option<&Candidate> {
        self.matches
            .get(self.list.selected)
            .and_then(|(i, _)| self.candidates.get(*i))
    }
}

/// The choices for `purpose`: coders, or codes (the codebooks meant for transcript `open` first).
pub fn candidates(study: &Study, purpose: &PickerPurpose, open: Option<&str>) -> Vec<Candidate> {
    match purpose {
        PickerPurpose::CompareA => return coder_candidates(study, None),
        PickerPurpose::CompareB { a } => return coder_candidates(study, Some(a)),
        _ => {}
    }
    let several = study.codebooks.len() > 1;
    let mut out = Vec::new();
    if let PickerPurpose::CompareCode { .. } = purpose {
        out.push(Candidate {
            code: None,
            book: 0,
            label: "(every code)".to_string(),
            color: String::new(),
            in_scope: true,
        });
    }
    let (only_book, exclude) = match purpose {
        PickerPurpose::MoveTo { code } | PickerPurpose::MergeInto { code } => (
            study
                .codebooks
                .iter()
                .position(|b| b.codebook.contains(code)),
            study
                .codebook_of(code)
                .map(|b| b.subtree(code))
                .unwrap_or_default(),
        ),
        _ => (None, BTreeSet::new()),
    };
    let top_level = matches!(
        purpose,
        PickerPurpose::InVivo { .. } | PickerPurpose::MoveTo { .. }
    );
    for (b, in_scope) in crate::tui::scope::books_in_order(study, open) {
        let Some(loaded) = study.codebooks.get(b) else {
            continue;
        };
        if only_book.is_some_and(|o| o != b) {
            continue;
        }
        if top_level {
            out.push(Candidate {
                code: None,
                book: b,
                label: if several {
                    format!("(top level of {})", loaded.codebook.name)
                } else {
                    "(top level)".to_string()
                },
                color: String::new(),
                in_scope,
            });
        }
        for (code, _) in loaded.codebook.tree() {
            if exclude.contains(&code.id) {
                continue;
            }
            let path = loaded.codebook.path(&code.id);
            out.push(Candidate {
                code: Some(code.id.clone()),
                book: b,
                label: if several {
                    format!("{}: {path}", loaded.codebook.name)
                } else {
                    path
                },
                color: code.color.clone(),
                in_scope,
            });
        }
    }
    out
}

fn coder_candidates(study: &Study, except: Option<&String>) -> Vec<Candidate> {
    study
        .coders()
        .into_iter()
        .filter(|c| Some(*c) != except.map(String::as_str))
        .map(|c| Candidate {
            code: None,
            book: 0,
            label: c.to_string(),
            color: String::new(),
            in_scope: true,
        })
        .collect()
}
