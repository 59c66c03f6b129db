//! Coding from the transcript: apply a code to the selection, create an in-vivo code from it,
//! uncode, and undo or redo what this session did. Also the one [`App::commit`] every write
//! goes through, so a write says "saved" or "not saved: …" the same way wherever it happens.

use crate::model::codebook::Description;
use crate::model::Segment;
use crate::study::coding::Span;
use crate::study::coding_error::CodingError;
use crate::study::framework::FrameworkError;
use crate::study::{Study, StudyError};
use crate::tui::app::{App, Candidate, PickerPurpose, Prompt, PromptPurpose};
use crate::tui::history::Change;
use crate::tui::pane::Overlay;

/// Why an undo or redo records this change: the codebook history says so.
const WHY: &str = "undo/redo in the TUI";

impl App {
    /// Whether this session may write; says why not when it may not.
    pub(crate) fn writable(&mut self) -> bool {
        if let Some(why) = &self.read_only {
            let why = why.clone();
            self.error(why);
            return false;
        }
        true
    }

    /// The one way a write's outcome reaches the status bar: success clears "not saved" and
    /// gives the value back; a failure is reported (see [`App::failed`]) and gives `None`.
    pub(crate) fn commit<T>(&mut self, result: Result<T, StudyError>) -> Option<T> {
        match result {
            Ok(value) => {
                self.unsaved = None;
                Some(value)
            }
            Err(e) => {
                self.failed(e);
                None
            }
        }
    }

    /// Tells the user what went wrong. A failed write leaves the status at "not saved"; a
    /// codebook changed on disk by another process makes the app reload the study, so the next
    /// attempt works on what is on disk.
    pub(crate) fn failed(&mut self, e: StudyError) {
        match e {
            StudyError::ChangedOnDisk(path) => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                self.reload();
                self.error(format!(
                    "{name} changed on disk (another coder, or a git pull): reloaded the study; nothing was written, do it again"
                ));
            }
            StudyError::Io { .. } => {
                let text = e.to_string();
                self.unsaved = Some(text.clone());
                self.error(text);
            }
            other => self.error(other.to_string()),
        }
    }

    /// The selection trimmed of surrounding blanks, in code points.
    pub(crate) fn selection_span(&mut self) -> Option<(String, usize, usize)> {
        let (doc, t) = (self.doc.as_ref()?, self.transcript()?);
        let (a, b) = crate::tui::selection::trim(&t.text, doc.sel.from(), doc.sel.to());
        if a >= b {
            self.error("select a passage first (v, x, s, W, Shift-arrows or drag with the mouse)");
            return None;
        }
        Some((
            t.id.clone(),
            t.index.char_of(&t.text, a),
            t.index.char_of(&t.text, b),
        ))
    }

    /// Applies `code` to the selection as the current coder.
    pub fn code_selection(&mut self, code: &str) {
        if let Some(segment) = self.apply_to_selection(code) {
            self.history.record(Change::Coded(segment));
        }
    }

    /// Codes the selection with `code`, says so, and gives the new segment (not yet recorded).
    fn apply_to_selection(&mut self, code: &str) -> Option<Segment> {
        if !self.writable() {
            return None;
        }
        let (transcript, start, end) = self.selection_span()?;
        let result =
            self.study
                .apply_code(&self.coder, &transcript, &Span::Range(start, end), code);
        let segment = self.commit(result)?;
        self.select_mode = false;
        self.codings_changed();
        let path = self.study.code_path(code);
        if self.study.in_scope(code, &transcript) {
            self.info(format!("coded as {path}"));
        } else {
            self.info(format!(
                "coded as {path} — but its codebook is not for this transcript: kept, not counted"
            ));
        }
        Some(segment)
    }

    fn in_vivo_name(text: &str) -> String {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let flat = flat.replace('/', "-");
        let trimmed = flat.trim_matches(|c: char| !c.is_alphanumeric());
        trimmed
            .chars()
            .take(60)
            .collect::<String>()
            .trim()
            .to_string()
    }

    /// Starts an in-vivo coding: asks for the new code's name, prefilled with the selected
    /// words (then the picker asks where it goes).
    pub(crate) fn start_in_vivo(&mut self) {
        if !self.writable() || self.selection_span().is_none() {
            return;
        }
        let name = App::in_vivo_name(self.selected_text());
        if name.is_empty() {
            self.error("the selection has no words to name a code");
            return;
        }
        self.overlay = Some(Overlay::Prompt(Prompt::new(
            PromptPurpose::InVivo,
            "Name the in-vivo code (Enter, then choose where it goes)",
            name,
        )));
    }

    /// The in-vivo name was typed: choose its parent next.
    pub(crate) fn in_vivo_named(&mut self, name: &str) {
        let name = App::in_vivo_name(name);
        if name.is_empty() {
            self.error("an in-vivo code needs a name");
            return;
        }
        self.open_picker(PickerPurpose::InVivo { name });
    }

    /// Creates code `name` under `parent` (unless it exists) and codes the selection with it;
    /// undo takes back both.
    pub(crate) fn in_vivo(&mut self, name: &str, parent: &Candidate) {
        let Some(book) = self.study.codebooks.get(parent.book) else {
            return;
        };
        let file = book.file.clone();
        let path = match &parent.code {
            Some(p) => format!("{}/{name}", book.codebook.path(p)),
            None => name.to_string(),
        };
        let (id, created) = match book.codebook.resolve(&path) {
            Some(existing) => (existing.id.clone(), None),
            None => {
                let result = self.study.add_code(
                    &self.coder,
                    Some(&file),
                    &path,
                    &Description::default(),
                    Some("in-vivo code from the TUI"),
                );
                let Some(id) = self.commit(result) else {
                    return;
                };
                let code = self.study.code(&id).cloned();
                (id, code.map(|code| Change::Added { code, book: file }))
            }
        };
        self.codebook_changed(Some(id.clone()));
        let coded = self.apply_to_selection(&id).map(Change::Coded);
        let mut changes: Vec<Change> = created.into_iter().chain(coded).collect();
        match changes.len() {
            0 => {}
            1 => self.history.record(changes.remove(0)),
            _ => self.history.record(Change::Group(changes)),
        }
    }

    /// Removes this coder's segment under the cursor.
    pub(crate) fn uncode(&mut self) {
        if !self.writable() {
            return;
        }
        let Some(id) = self.segment_under_cursor().map(|c| c.segment.clone()) else {
            self.error("no segment of yours under the cursor");
            return;
        };
        let result = self.study.uncode(&self.coder, &id);
        if let Some(segment) = self.commit(result) {
            let path = self.study.code_path(&segment.code);
            self.history.record(Change::Uncoded(segment));
            self.codings_changed();
            self.info(format!("uncoded {path}"));
        }
    }

    /// Makes a recorded change happen (again) through the study.
    fn apply_change(&mut self, change: &Change) -> Result<(), StudyError> {
        let coder = self.coder.clone();
        let why = Some(WHY);
        match change {
            // a code merged or deleted since would leave the segment naming nothing
            Change::Coded(segment) if self.study.code(&segment.code).is_none() => {
                Err(FrameworkError::Orphan(segment.code.clone()).into())
            }
            Change::Coded(segment) => self.study.restore_segment(&coder, segment.clone()),
            Change::Uncoded(segment) => self.study.uncode(&coder, &segment.id).map(|_| ()),
            Change::Renamed { code, to, .. } => self
                .study
                .rename_code(&coder, code, None, to, why)
                .map(|_| ()),
            Change::Moved { code, to, .. } => self
                .study
                .move_code(&coder, code, None, to.as_deref(), why)
                .map(|_| ()),
            Change::Described { code, after, .. } => self
                .study
                .describe_code(&coder, code, None, after, why)
                .map(|_| ()),
            Change::Added { code, book } => self.study.restore_code(&coder, book, code, why),
            Change::Removed { code, .. } => {
                match self.study.delete_code(&coder, &code.id, None, None, why) {
                    // someone else's segments (or a child code) use it by now: it stays
                    Err(StudyError::Framework(
                        FrameworkError::InUse { .. } | FrameworkError::Codebook(_),
                    )) => Ok(()),
                    other => other.map(|_| ()),
                }
            }
            Change::Group(changes) => changes.iter().try_for_each(|c| self.apply_change(c)),
            Change::Merged { .. } => Ok(()),
            Change::Unbatched { batch, .. } => self.study.undo_batch(&coder, batch).map(|_| ()),
            Change::Batch { .. } => Err(CodingError::BatchRedo.into()),
        }
    }

    /// Undoes (or redoes) the last change of this session.
    pub(crate) fn undo(&mut self, undo: bool) {
        if !self.writable() {
            return;
        }
        let taken = if undo {
            self.history.take_undo()
        } else {
            self.history.take_redo()
        };
        let Some(change) = taken else {
            self.info(if undo {
                "nothing to undo"
            } else {
                "nothing to redo"
            });
            return;
        };
        if let Change::Merged { from, into } = &change {
            self.error(format!(
                "cannot undo merging {from} into {into}: it moved every coder's segments (the codebook history keeps it); u goes on to the change before it"
            ));
            return;
        }
        let todo = if undo {
            change.inverse()
        } else {
            change.clone()
        };
        // a group's codings are named before (their code may be gone after), the rest after
        let before = describe_change(&self.study, &todo, true);
        let result = self.apply_change(&todo);
        if self.commit(result).is_none() {
            self.history.restore(change, undo);
            return;
        }
        let what = match &todo {
            Change::Group(_) => before,
            _ => describe_change(&self.study, &todo, false),
        };
        if undo {
            self.history.push_undone(change);
        } else {
            self.history.push_redone(change);
        }
        self.after_replay(&todo);
        self.info(format!(
            "{} {what}",
            if undo { "undone:" } else { "redone:" }
        ));
    }

    /// Brings the panes up to date after a replayed change, showing the passage it touched.
    fn after_replay(&mut self, change: &Change) {
        let passage = |c: &Change| match c {
            Change::Coded(s) | Change::Uncoded(s) => Some((s.transcript.clone(), s.start, s.end)),
            _ => None,
        };
        let place = match change {
            Change::Group(changes) => changes.iter().find_map(passage),
            other => passage(other),
        };
        let touches_codebook = match change {
            Change::Group(changes) => changes.iter().any(|c| passage(c).is_none()),
            Change::Batch { .. } | Change::Unbatched { .. } => false,
            other => passage(other).is_none(),
        };
        if touches_codebook {
            self.codebook_changed(None);
        } else {
            self.codings_changed();
        }
        if let Some((t, a, b)) = place {
            let focus = self.focus;
            self.jump_to(&t, a, b);
            self.focus(focus);
        }
    }
}

/// What a change did, for the status bar; `before` when said before it is made (a new code
/// taken back is then named by what the undo will find).
fn describe_change(study: &Study, change: &Change, before: bool) -> String {
    match change {
        Change::Coded(s) => format!("coded {}", study.code_path(&s.code)),
        Change::Uncoded(s) => format!("uncoded {}", study.code_path(&s.code)),
        Change::Renamed { code, .. } => format!("renamed {}", study.code_path(code)),
        Change::Moved { code, .. } => format!("moved {}", study.code_path(code)),
        Change::Described { code, .. } => format!("described {}", study.code_path(code)),
        Change::Batch { code, passages, .. } => format!(
            "auto-coded {passages} passage(s) with {}",
            study.code_path(code)
        ),
        Change::Unbatched { code, passages, .. } => format!(
            "removed {passages} auto-coded passage(s) of {}",
            study.code_path(code)
        ),
        Change::Added { code, .. } => format!("added the code {}", code.name),
        Change::Removed { code, .. } => {
            // before the undo, the segment it takes back still uses the code
            let uses: usize = study.layers().map_or(usize::MAX, |layers| {
                layers
                    .iter()
                    .map(|(_, segs)| segs.iter().filter(|s| s.code == code.id).count())
                    .sum()
            });
            let children = study
                .codebook_of(&code.id)
                .is_some_and(|b| b.codes.iter().any(|c| c.parent.as_ref() == Some(&code.id)));
            let in_use = children || uses > usize::from(before);
            if in_use {
                format!("kept the code {}: other segments use it", code.name)
            } else {
                format!("removed the code {}", code.name)
            }
        }
        Change::Group(changes) => changes
            .iter()
            .map(|c| describe_change(study, c, before))
            .collect::<Vec<_>>()
            .join(", "),
        Change::Merged { from, into } => format!("merged {from} into {into}"),
    }
}
