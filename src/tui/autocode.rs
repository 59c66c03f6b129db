//! Auto-coding from the search pane: `Ctrl-A` previews coding every hit of the query with the
//! code highlighted in the tree (how many passages, in how many transcripts, at which
//! context), `Ctrl-O` widens the context, a second `Ctrl-A` codes them as one batch and shows
//! the code in the retrieval pane; `u` undoes the whole batch. The work is
//! [`crate::autocode::code_search`]'s; this module only keeps the preview and reports.

use crate::autocode::{code_search, Context};
use crate::index::Index;
use crate::tui::action::Pane;
use crate::tui::app::App;
use crate::tui::history::Change;

/// A previewed auto-coding, waiting for its confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The query previewed.
    pub query: String,
    /// The code id previewed.
    pub code: String,
    /// How far each hit is widened.
    pub context: Context,
}

impl App {
    /// `Ctrl-A` in the search pane: preview, or code what was previewed.
    pub(crate) fn auto_code_hits(&mut self) {
        let Some(code) = self.highlighted_code() else {
            self.error("auto-code: highlight the code to apply in the code tree first");
            return;
        };
        let query = self.search.query.trim().to_string();
        if query.is_empty() {
            self.error("auto-code: type a query first");
            return;
        }
        let context = self
            .search
            .autocode
            .as_ref()
            .map_or(Context::Sentence, |p| p.context);
        let pending = Pending {
            query,
            code,
            context,
        };
        let confirmed = self.search.autocode.as_ref() == Some(&pending);
        self.run_auto_code(pending, !confirmed);
    }

    /// `Ctrl-O` in the search pane: the next wider context (back to the hit after the turn).
    pub(crate) fn auto_code_context(&mut self) {
        match self.search.autocode.clone() {
            Some(mut pending) => {
                pending.context = pending.context.next();
                self.run_auto_code(pending, true);
            }
            None => self.auto_code_hits(),
        }
    }

    fn run_auto_code(&mut self, pending: Pending, preview: bool) {
        if !preview && !self.writable() {
            return;
        }
        let outcome = Index::open(&self.study, false)
            .map_err(crate::autocode::AutocodeError::from)
            .and_then(|(index, _)| {
                let coder = self.coder.clone();
                code_search(
                    &mut self.study,
                    &index,
                    &coder,
                    &pending.query,
                    pending.context,
                    &pending.code,
                    preview,
                )
            });
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(e) => {
                self.search.autocode = None;
                self.error(format!("auto-code: {e}"));
                return;
            }
        };
        let path = self.study.code_path(&pending.code);
        let transcripts: std::collections::BTreeSet<&str> = outcome
            .segments
            .iter()
            .map(|s| s.transcript.as_str())
            .collect();
        let summary = format!(
            "{} passage(s) in {} transcript(s) → {path}, context {} ({} already coded)",
            outcome.segments.len(),
            transcripts.len(),
            pending.context,
            outcome.skipped
        );
        if preview {
            self.info(format!(
                "auto-code {summary} · Ctrl-A codes them, Ctrl-O widens the context"
            ));
            self.search.autocode = Some(pending);
            return;
        }
        self.search.autocode = None;
        if outcome.batch.is_empty() {
            self.info(format!("auto-code: nothing to code ({summary})"));
            return;
        }
        self.history.record(Change::Batch {
            batch: outcome.batch.clone(),
            code: pending.code.clone(),
            passages: outcome.segments.len(),
        });
        self.codings_changed();
        self.retrieve(Some(pending.code));
        self.right = Pane::Retrieval;
        self.focus(Pane::Retrieval);
        self.info(format!(
            "coded {summary}; batch {} (u undoes it)",
            outcome.batch
        ));
    }
}
