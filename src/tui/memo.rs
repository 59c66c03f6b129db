//! Memos from the TUI: which code, segment or transcript the cursor is on, and asking the
//! study for its memo (`Study::create_memo`), which the event loop opens in `$EDITOR`.

use crate::study::coding::shorten;
use crate::study::memo::MemoSubject;
use crate::tui::action::Pane;
use crate::tui::app::App;

impl App {
    /// Opens (creating it if need be) the memo of what is under the cursor in `$EDITOR`.
    pub(crate) fn open_memo(&mut self) {
        enum Target {
            Code(String),
            Segment(String),
            Transcript(String),
        }
        let target = match self.focus {
            Pane::Codes => self.highlighted_code().map(Target::Code),
            Pane::Transcript => self
                .segment_under_cursor()
                .map(|c| Target::Segment(c.segment.clone()))
                .or_else(|| self.transcript().map(|t| Target::Transcript(t.id.clone()))),
            Pane::Retrieval => self
                .retrieval
                .current()
                .map(|r| Target::Segment(r.segment.clone())),
            _ => self.transcript().map(|t| Target::Transcript(t.id.clone())),
        };
        let Some(target) = target else {
            self.error("nothing here has a memo");
            return;
        };
        let (field, id, title) = match &target {
            Target::Code(id) => ("code", id.clone(), self.study.code_path(id)),
            Target::Segment(id) => (
                "segment",
                id.clone(),
                self.study
                    .find_segment(id)
                    .ok()
                    .flatten()
                    .map(|(_, s)| format!("“{}”", shorten(&s.quote, 50)))
                    .unwrap_or_else(|| id.clone()),
            ),
            Target::Transcript(id) => ("transcript", id.clone(), id.clone()),
        };
        let subject = MemoSubject { field, id: &id };
        let result = self.study.create_memo(&self.coder, subject, &title);
        if let Some(path) = self.commit(result) {
            self.editor = Some(path);
        }
    }
}
