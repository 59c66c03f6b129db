//! The windows over the panes as the app sees them: opening the picker and the prompts,
//! typing into them (or into the search query), and what Enter and Esc do with them. What a
//! choice or an answer then changes is in `coding`, `codebook` and `compare`.

use crate::study::coding::shorten;
use crate::study::CONSENSUS;
use crate::tui::action::Pane;
use crate::tui::app::App;
use crate::tui::pane::picker::{candidates, Candidate, Picker, PickerPurpose};
use crate::tui::pane::prompt::{Prompt, PromptPurpose};
use crate::tui::pane::Overlay;
use crate::tui::selection::Range;

impl App {
    /// Opens the picker for `purpose` (when it may be used now).
    pub(crate) fn open_picker(&mut self, purpose: PickerPurpose) {
        let title = match &purpose {
            PickerPurpose::Apply => {
                if !self.writable() || self.selection_span().is_none() {
                    return;
                }
                format!("Code “{}” as", shorten(self.selected_text(), 40))
            }
            PickerPurpose::InVivo { name } => format!("New code “{name}” under"),
            PickerPurpose::MoveTo { code } => {
                if !self.writable() {
                    return;
                }
                format!("Move “{}” under", self.study.code_path(code))
            }
            PickerPurpose::MergeInto { code } => {
                if !self.writable() {
                    return;
                }
                format!("Merge “{}” into", self.study.code_path(code))
            }
            PickerPurpose::CompareA => "Compare: coder A".to_string(),
            PickerPurpose::CompareB { a } => format!("Compare {a} (A) with coder B"),
            PickerPurpose::CompareCode { a, b } => format!("Compare {a} and {b} on"),
        };
        let open = self.transcript().map(|t| t.id.clone());
        let candidates = candidates(&self.study, &purpose, open.as_deref());
        if candidates.is_empty() {
            self.error("the codebook is empty: add codes in codebook mode (C, then A)");
            return;
        }
        // start on the highlighted code when applying, so `c` then Enter codes with it; compare
        // A: the coder at the keyboard, if they coded; B: the first other coder
        let highlighted = self.highlighted_code();
        let coder = self.coder.clone();
        let start = |c: &Candidate| match &purpose {
            PickerPurpose::Apply => highlighted.is_some() && c.code == highlighted,
            PickerPurpose::CompareA => c.label == coder,
            PickerPurpose::CompareB { .. } => c.label != CONSENSUS,
            _ => false,
        };
        let picker = Picker::new(purpose.clone(), title, candidates, start);
        self.overlay = Some(Overlay::Picker(picker));
    }

    /// Asks for a new name, description or children of the highlighted code.
    pub(crate) fn prompt_code(&mut self, purpose: impl FnOnce(String) -> PromptPurpose) {
        if !self.writable() {
            return;
        }
        let Some(code) = self.highlighted_code() else {
            self.error("highlight a code in the tree first");
            return;
        };
        let purpose = purpose(code.clone());
        let existing = self.study.code(&code).cloned();
        let path = self.study.code_path(&code);
        let (title, input) = match &purpose {
            PromptPurpose::Rename { .. } => (
                format!("Rename “{path}” to"),
                existing.map(|c| c.name).unwrap_or_default(),
            ),
            PromptPurpose::Describe { .. } => (
                format!("Describe “{path}”"),
                existing.map(|c| c.description).unwrap_or_default(),
            ),
            PromptPurpose::Split { .. } => (
                format!("Split “{path}” into new child codes (names, comma-separated)"),
                String::new(),
            ),
            PromptPurpose::Add { .. } | PromptPurpose::Resolve { .. } | PromptPurpose::InVivo => {
                (String::new(), String::new())
            }
        };
        self.overlay = Some(Overlay::Prompt(Prompt::new(purpose, title, input)));
    }

    /// Asks for the name of a new code under the highlighted one (or a new theme).
    pub(crate) fn prompt_add(&mut self, theme: bool) {
        if !self.writable() {
            return;
        }
        let row = self.tree.row().cloned();
        let book = row.as_ref().map_or(0, |r| r.book);
        // in a study without codebooks the first code creates one
        let file = self
            .study
            .codebooks
            .get(book)
            .map_or_else(|| "codebook".to_string(), |b| b.file.clone());
        let parent = if theme {
            None
        } else {
            row.and_then(|r| r.code)
        };
        let title = match &parent {
            Some(p) => format!("New code under “{}”", self.study.code_path(p)),
            None => "New top-level theme".to_string(),
        };
        let purpose = PromptPurpose::Add { parent, book: file };
        self.overlay = Some(Overlay::Prompt(Prompt::new(purpose, title, "")));
    }

    /// Types into the open window, or the search query (`None`: deletes a character).
    pub(crate) fn input(&mut self, c: Option<char>) {
        if c.is_some_and(char::is_control) {
            return;
        }
        match &mut self.overlay {
            Some(Overlay::Picker(p)) => p.edit(c),
            Some(Overlay::Prompt(p)) => p.edit(c),
            Some(Overlay::Help { .. } | Overlay::Resolve(_) | Overlay::Saturation(_)) => {}
            None if self.focus == Pane::Search => self.search.edit(&self.study, c),
            None => {}
        }
    }

    /// Empties what is being typed.
    pub(crate) fn clear_input(&mut self) {
        match &mut self.overlay {
            Some(Overlay::Picker(p)) => p.clear(),
            Some(Overlay::Prompt(p)) => p.input.clear(),
            Some(Overlay::Help { .. } | Overlay::Resolve(_) | Overlay::Saturation(_)) => {}
            None if self.focus == Pane::Search => self.search.clear(&self.study),
            None => {}
        }
    }

    /// Esc: closes the window, else leaves the side pane or the selection.
    pub(crate) fn cancel(&mut self) {
        if self.overlay.take().is_some() {
            return;
        }
        match self.focus {
            Pane::Search | Pane::Retrieval => self.focus(Pane::Transcript),
            Pane::Transcript => {
                if let Some(doc) = self.doc.as_mut() {
                    doc.sel = Range::point(doc.sel.head);
                }
                self.select_mode = false;
            }
            _ => {}
        }
    }

    /// Enter in the picker or a prompt.
    pub(crate) fn submit(&mut self) {
        match self.overlay.take() {
            Some(Overlay::Picker(p)) => {
                let Some(choice) = p.choice().cloned() else {
                    self.overlay = Some(Overlay::Picker(p));
                    self.error("no code matches; Backspace to widen the filter");
                    return;
                };
                self.picked(p.purpose, choice);
            }
            Some(Overlay::Prompt(p)) => self.answered(p),
            other => self.overlay = other,
        }
    }

    fn picked(&mut self, purpose: PickerPurpose, choice: Candidate) {
        match purpose {
            PickerPurpose::Apply => {
                if let Some(code) = choice.code {
                    self.code_selection(&code);
                }
            }
            PickerPurpose::InVivo { name } => self.in_vivo(&name, &choice),
            PickerPurpose::MoveTo { code } => self.move_code(&code, choice.code),
            PickerPurpose::MergeInto { code } => {
                if let Some(into) = choice.code {
                    self.merge_code(&code, &into);
                }
            }
            PickerPurpose::CompareA => {
                self.open_picker(PickerPurpose::CompareB { a: choice.label })
            }
            PickerPurpose::CompareB { a } => {
                self.open_picker(PickerPurpose::CompareCode { a, b: choice.label })
            }
            PickerPurpose::CompareCode { a, b } => {
                self.start_compare(&a, &b, choice.code.as_deref())
            }
        }
    }

    fn answered(&mut self, prompt: Prompt) {
        let answer = prompt.input.trim().to_string();
        match prompt.purpose {
            PromptPurpose::InVivo => self.in_vivo_named(&answer),
            PromptPurpose::Add { parent, book } => self.add_code(parent, &book, &answer),
            PromptPurpose::Rename { code } => self.rename_code(&code, answer),
            PromptPurpose::Describe { code } => self.describe_code(&code, answer),
            PromptPurpose::Split { code } => self.split_code(&code, &answer),
            PromptPurpose::Resolve { id, take, adjust } => {
                self.resolve(&id, take, adjust, &answer);
            }
        }
    }
}
