//! The application state and [`App::update`], the one place actions take effect.
//!
//! `App` holds what every pane shares (the study, the coder, the focus, the status message, the
//! overlay) and one value per pane (under [`crate::tui::pane`]), and routes each action to the
//! pane it concerns; a pane's update returns a [`FollowUp`] (retrieve a code, say something)
//! that the app carries out, and a write marks what it made stale (`codings_changed`,
//! `codebook_changed`), which the app refreshes across the panes. Writes go through [`App::commit`] (in [`crate::tui::coding`]), so every
//! write sets the status the same way: coding, undo and in-vivo codes in `coding`, codebook
//! refinement in `codebook`, pickers and prompts in `dialog`, memos in `memo`, the mouse in
//! `mouse`, compare mode in `compare`. The app changes the study only through `Study`
//! functions, which save at once; it never opens a study file. Views only draw.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use ratatui::layout::Rect;

use crate::model::Transcript;
use crate::study::memo::load_memos;
use crate::study::{Study, StudyError};
use crate::tui::action::{Action, Mouse, Pane};
use crate::tui::compare::{place_panel, Compare};
use crate::tui::history::History;
use crate::tui::layout::{panes, Panes};
use crate::tui::pane::doc::{text_areas, Viewport};
use crate::tui::player::{self, Player, PlayerAction};
use crate::tui::saturation::SaturationChart;
use crate::tui::search::{IndexSearch, Searcher};
use crate::tui::selection::{self as sel, Motion, Range};

pub use crate::tui::pane::doc::{CodedSpan, Doc, RowPos, VisualRow};
pub use crate::tui::pane::picker::{Candidate, Picker, PickerPurpose};
pub use crate::tui::pane::prompt::{Prompt, PromptPurpose};
pub use crate::tui::pane::retrieval::{Retrieval, Retrieved};
pub use crate::tui::pane::search::SearchPane;
pub use crate::tui::pane::tree::{Tree, TreeRow};
pub use crate::tui::pane::{FollowUp, ListCursor, Overlay};

/// Which way the user works right now, shown in the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Moving and coding.
    Code,
    /// Motions extend the selection.
    Select,
    /// Refining the code tree.
    Codebook,
    /// Two coders side by side.
    Compare,
}

/// A message in the status bar until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// Whether something went wrong.
    pub error: bool,
}

/// The whole state of the terminal application.
pub struct App {
    /// The study, changed only through its functions.
    pub study: Study,
    /// Who is coding.
    pub coder: String,
    /// Why this session cannot write, if it cannot.
    pub read_only: Option<String>,
    /// The focused pane.
    pub focus: Pane,
    /// What the right column shows (retrieval or search).
    pub right: Pane,
    /// Whether motions extend the selection.
    pub select_mode: bool,
    /// Whether the tree keys refine the codebook.
    pub codebook_mode: bool,
    /// The window above the panes, if any.
    pub overlay: Option<Overlay>,
    /// The transcripts list.
    pub transcripts: ListCursor,
    /// The code tree.
    pub tree: Tree,
    /// The open transcript.
    pub doc: Option<Doc>,
    /// The retrieval pane.
    pub retrieval: Retrieval,
    /// The search pane.
    pub search: SearchPane,
    /// Compare mode, when on.
    pub compare: Option<Compare>,
    /// The recording playing, if any.
    pub player: Player,
    /// This session's changes.
    pub history: History,
    /// Segments per code id for the current coder.
    pub counts: HashMap<String, usize>,
    /// Segments per transcript id for the current coder.
    pub transcript_counts: HashMap<String, usize>,
    /// The message of the last action.
    pub message: Option<Message>,
    /// The last write failed: what went wrong.
    pub unsaved: Option<String>,
    /// The terminal's size.
    pub area: Rect,
    /// Set when the user quits.
    pub quit: bool,
    /// Where the cursor was in each transcript opened before.
    pub(crate) places: HashMap<usize, (Range, RowPos)>,
    /// A mouse drag is extending the selection.
    pub(crate) dragging: bool,
    /// A memo to open in `$EDITOR`.
    pub(crate) editor: Option<PathBuf>,
    /// Why compare mode ended during the action, said after its own message.
    pub(crate) compare_ended: Option<String>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("coder", &self.coder)
            .field("focus", &self.focus)
            .field("overlay", &self.overlay)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Opens the app on a study for `coder`, taking the coder's lock; when another process holds
    /// it, the session is read-only and says so. Searches through the study's index.
    pub fn new(study: Study, coder: String) -> App {
        App::with_searcher(study, coder, Box::new(IndexSearch::new()))
    }

    /// Like [`App::new`], with a search engine of the caller's choice.
    pub fn with_searcher(mut study: Study, coder: String, searcher: Box<dyn Searcher>) -> App {
        let read_only = read_only_reason(&mut study, &coder);
        let unreadable = study.layer(&coder).err();
        let notices = study.notices().len();
        let mut app = App {
            study,
            coder,
            read_only,
            focus: Pane::Transcript,
            right: Pane::Retrieval,
            select_mode: false,
            codebook_mode: false,
            overlay: None,
            transcripts: ListCursor::default(),
            tree: Tree::default(),
            doc: None,
            retrieval: Retrieval::default(),
            search: SearchPane::new(searcher),
            compare: None,
            player: Player::default(),
            history: History::default(),
            counts: HashMap::new(),
            transcript_counts: HashMap::new(),
            message: None,
            unsaved: None,
            area: Rect::new(0, 0, 80, 24),
            quit: false,
            places: HashMap::new(),
            dragging: false,
            editor: None,
            compare_ended: None,
        };
        app.rebuild_tree(None);
        app.refresh_counts();
        if !app.study.transcripts().is_empty() {
            app.open_transcript(0);
        }
        if let Some(code) = app.highlighted_code() {
            app.retrieve(Some(code));
        }
        if let Some(e) = unreadable {
            app.error(format!("could not read your codings: {e}"));
        } else if notices > 0 {
            app.info(format!(
                "{notices} segment(s) re-anchored or flagged on loading; `thema check` lists them"
            ));
        }
        app
    }

    // ----- queries used by views and tests -----

    /// The current mode.
    pub fn mode(&self) -> Mode {
        if self.codebook_mode {
            Mode::Codebook
        } else if self.select_mode && self.focus == Pane::Transcript {
            Mode::Select
        } else if self.compare.is_some() {
            Mode::Compare
        } else {
            Mode::Code
        }
    }

    /// Where the panes are for the current size.
    pub fn panes(&self) -> Panes {
        self.screen(self.area, self.focus).0
    }

    /// Where the panes and the compare panel (in compare mode) go on a screen of `area` when
    /// `focus` has the focus.
    pub fn screen(&self, area: Rect, focus: Pane) -> (Panes, Option<Rect>) {
        let laid = panes(area, focus, self.right, self.study.transcripts().len());
        match self.compare {
            Some(_) => place_panel(laid, focus),
            None => (laid, None),
        }
    }

    /// The open transcript.
    pub fn transcript(&self) -> Option<&Transcript> {
        self.doc.as_ref().map(|d| d.text.as_ref())
    }

    /// This coder's segments (the layer is read when the app starts and after a reload, so
    /// reading it here cannot fail; an empty list stands in if it somehow does).
    pub fn own_segments(&self) -> &[crate::model::Segment] {
        self.study.layer(&self.coder).unwrap_or(&[])
    }

    /// The selected text of the open transcript.
    pub fn selected_text(&self) -> &str {
        self.doc.as_ref().map_or("", Doc::selected_text)
    }

    /// The code highlighted in the tree.
    pub fn highlighted_code(&self) -> Option<String> {
        self.tree.highlighted()
    }

    /// Screen lines laid out since [`App::reset_layout_count`]: bounded by what a frame shows,
    /// however long the transcript.
    pub fn laid_out_lines(&self) -> usize {
        self.doc.as_ref().map_or(0, |d| d.wrap.borrow().laid_out)
    }

    /// Restarts the count of laid-out lines.
    pub fn reset_layout_count(&self) {
        if let Some(d) = &self.doc {
            d.wrap.borrow_mut().laid_out = 0;
        }
    }

    /// A memo file the event loop should open in `$EDITOR`, taken once.
    pub fn take_editor_request(&mut self) -> Option<PathBuf> {
        self.editor.take()
    }

    /// The memo file waiting to be opened in `$EDITOR`, if any.
    pub fn editor_request(&self) -> Option<&PathBuf> {
        self.editor.as_ref()
    }

    /// The text and gutter rectangles of the transcript pane (inside its borders).
    pub fn transcript_viewport(&self) -> (Rect, Rect) {
        let rect = self
            .panes()
            .transcript
            .or_else(|| self.screen(self.area, Pane::Transcript).0.transcript)
            .unwrap_or_default();
        text_areas(rect)
    }

    /// The transcript text area's size, for motions and scrolling.
    pub(crate) fn viewport(&self) -> Viewport {
        let (_, text) = self.transcript_viewport();
        Viewport {
            width: usize::from(text.width).max(1),
            height: usize::from(text.height).max(1),
        }
    }

    /// This coder's segment under the cursor: the one the selection matches, else the
    /// shortest covering the cursor.
    pub(crate) fn segment_under_cursor(&self) -> Option<&CodedSpan> {
        self.doc.as_ref()?.segment_under_cursor()
    }

    /// Scrolls so the cursor's line is a quarter of the way down.
    pub(crate) fn scroll_cursor_high(&mut self) {
        let view = self.viewport();
        if let Some(doc) = self.doc.as_mut() {
            doc.scroll_cursor_high(view);
        }
    }

    /// Scrolls the transcript so the cursor is on screen.
    pub(crate) fn scroll_to_cursor(&mut self) {
        let view = self.viewport();
        if let Some(doc) = self.doc.as_mut() {
            doc.scroll_to_cursor(view);
        }
    }

    // ----- messages -----

    /// Shows `text` in the status bar until the next key.
    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    /// Shows `text` as an error in the status bar until the next key.
    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    /// Reads the whole study again from disk, keeping the open transcript, the cursor and the
    /// highlighted code. The coder's lock is given up and taken again.
    pub fn reload(&mut self) {
        let root = self.study.root.clone();
        let fresh = match Study::open(&root) {
            Ok(fresh) => fresh,
            Err(e) => {
                self.error(format!("could not reload the study: {e}"));
                return;
            }
        };
        let open = self.transcript().map(|t| t.id.clone());
        let place = self.doc.as_ref().map(|d| (d.sel, d.top));
        // the old study (and its lock) goes first, so the lock can be taken again
        drop(std::mem::replace(&mut self.study, fresh));
        self.read_only = read_only_reason(&mut self.study, &self.coder);
        self.places.clear();
        self.doc = None;
        if let Err(e) = self.study.layer(&self.coder) {
            self.error(format!("could not read your codings: {e}"));
        }
        if let Some(i) =
            open.and_then(|id| self.study.transcripts().iter().position(|t| t.id == id))
        {
            self.open_transcript(i);
            if let (Some(doc), Some((range, top))) = (self.doc.as_mut(), place) {
                let t = Arc::clone(&doc.text);
                let len = t.text.len();
                let text = &t.text;
                doc.sel = Range::new(
                    sel::snap(text, range.anchor.min(len)),
                    sel::snap(text, range.head.min(len)),
                );
                doc.top = top;
            }
            self.scroll_to_cursor();
        } else if !self.study.transcripts().is_empty() {
            self.open_transcript(0);
        }
        self.transcripts.selected = self
            .transcripts
            .selected
            .min(self.study.transcripts().len().saturating_sub(1));
        self.codebook_changed(None);
    }

    // ----- the update -----

    /// Carries out one action.
    pub fn update(&mut self, action: Action) {
        if !matches!(
            action,
            Action::Resize(..)
                | Action::Mouse(Mouse::Drag(..) | Mouse::Up(..))
                | Action::Player(PlayerAction::Tick)
        ) {
            self.message = None;
        }
        if !self.navigate(&action) && !self.transcript_action(&action) {
            self.route(action);
        }
        if self.compare.is_some() && self.overlay.is_none() {
            self.follow_cursor();
        }
        if let Some(why) = self.compare_ended.take() {
            // said after whatever the action itself reported
            let text = match self.message.take() {
                Some(m) => format!("{} · compare mode ended: {why}", m.text),
                None => format!("compare mode ended: {why}"),
            };
            self.error(text);
        }
    }

    /// Focus, lists and windows; `false` when the action is not one of these.
    fn navigate(&mut self, action: &Action) -> bool {
        match *action {
            Action::Quit => self.quit = true,
            Action::ToggleHelp => {
                self.overlay = match self.overlay {
                    Some(Overlay::Help { .. }) => None,
                    _ => Some(Overlay::Help { scroll: 0 }),
                }
            }
            Action::FocusNext => self.cycle_focus(1),
            Action::FocusPrev => self.cycle_focus(Pane::ALL.len() - 1),
            Action::Focus(pane) => self.focus(pane),
            Action::Resize(w, h) => {
                self.area = Rect::new(0, 0, w, h);
                self.scroll_to_cursor();
            }
            Action::Up => self.step(-1),
            Action::Down => self.step(1),
            Action::PageUp => self.step(-(self.page() as isize)),
            Action::PageDown => self.step(self.page() as isize),
            Action::First => self.step(isize::MIN / 2),
            Action::Last => self.step(isize::MAX / 2),
            Action::Open => self.open(),
            Action::Expand | Action::Collapse | Action::ToggleExpand => {
                let open = self.open_id();
                if let Some(next) = self.tree.update(action, &self.study, open.as_deref()) {
                    self.follow_up(next);
                }
            }
            Action::ToggleAllCoders => {
                self.retrieval.all_coders = !self.retrieval.all_coders;
                let code = self.retrieval.code.clone();
                self.retrieve(code);
            }
            Action::ToggleCodebookMode => {
                self.codebook_mode = !self.codebook_mode;
                if self.codebook_mode {
                    self.focus = Pane::Codes;
                    self.select_mode = false;
                }
            }
            _ => return false,
        }
        true
    }

    /// Motions and selections in the transcript; `false` when the action is not one of these.
    fn transcript_action(&mut self, action: &Action) -> bool {
        match action {
            Action::ToggleSelectMode => {
                self.select_mode = !self.select_mode;
                if self.select_mode {
                    self.focus = Pane::Transcript;
                }
                return true;
            }
            Action::CollapseSelection => self.select_mode = false,
            _ => {}
        }
        let (view, extend) = (self.viewport(), self.select_mode);
        let next = self
            .doc
            .as_mut()
            .and_then(|doc| doc.update(action, extend, view));
        match next {
            Some(next) => {
                self.follow_up(next);
                true
            }
            None => false,
        }
    }

    /// Does what a pane's update asked for.
    fn follow_up(&mut self, next: FollowUp) {
        match next {
            FollowUp::Done => {}
            FollowUp::Retrieve(code) => self.retrieve(Some(code)),
            FollowUp::Say(text) => self.info(text),
        }
    }

    /// Everything else: writes, windows, compare mode, the chart, the mouse, the player.
    fn route(&mut self, action: Action) {
        match action {
            Action::CodeSelection => self.open_picker(PickerPurpose::Apply),
            Action::CodeInVivo => self.start_in_vivo(),
            Action::ApplyHighlightedCode => {
                if let Some(code) = self.highlighted_code() {
                    self.code_selection(&code);
                }
            }
            Action::Uncode => self.uncode(),
            Action::Undo => self.undo(true),
            Action::Redo => self.undo(false),
            Action::OpenMemo => self.open_memo(),
            Action::MemoClosed => {
                let memos = load_memos(&self.study.root);
                if let Some(memos) = self.commit(memos) {
                    self.study.memos = memos;
                    self.info("memo saved");
                }
            }
            Action::AddCode => self.prompt_add(false),
            Action::AddTheme => self.prompt_add(true),
            Action::RenameCode => self.prompt_code(|code| PromptPurpose::Rename { code }),
            Action::DescribeCode => self.prompt_code(|code| PromptPurpose::Describe { code }),
            Action::SplitCode => self.prompt_code(|code| PromptPurpose::Split { code }),
            Action::MoveCode | Action::MergeCode => {
                if let Some(code) = self.highlighted_code() {
                    self.open_picker(if action == Action::MoveCode {
                        PickerPurpose::MoveTo { code }
                    } else {
                        PickerPurpose::MergeInto { code }
                    });
                }
            }
            Action::Input(c) => self.input(Some(c)),
            Action::Backspace => self.input(None),
            Action::ClearInput => self.clear_input(),
            Action::Submit => self.submit(),
            Action::Cancel => self.cancel(),
            Action::ToggleCompare
            | Action::NextDisagreement
            | Action::PrevDisagreement
            | Action::NextOpenDisagreement
            | Action::OpenResolve
            | Action::Resolve(_) => self.compare_update(action),
            Action::AutoCodeHits => self.auto_code_hits(),
            Action::AutoCodeContext => self.auto_code_context(),
            Action::ToggleSaturation => {
                self.overlay = match self.overlay {
                    Some(Overlay::Saturation(_)) => None,
                    _ => Some(Overlay::Saturation(SaturationChart::new(&self.study))),
                }
            }
            Action::SaturationGrouping | Action::SaturationLayer | Action::SaturationLevel => {
                if let Some(Overlay::Saturation(chart)) = &mut self.overlay {
                    match action {
                        Action::SaturationGrouping => chart.next_grouping(&self.study),
                        Action::SaturationLayer => chart.next_layer(&self.study),
                        _ => chart.toggle_level(&self.study),
                    }
                }
            }
            Action::Mouse(m) => self.mouse(m),
            Action::Player(a) => player::update(self, a),
            _ => {}
        }
    }

    // ----- focus and lists -----

    pub(crate) fn focus(&mut self, pane: Pane) {
        self.focus = pane;
        if matches!(pane, Pane::Retrieval | Pane::Search) {
            self.right = pane;
        }
        if pane != Pane::Codes && self.codebook_mode {
            self.codebook_mode = false;
        }
        if pane == Pane::Transcript {
            self.scroll_to_cursor();
        }
    }

    fn cycle_focus(&mut self, by: usize) {
        let i = Pane::ALL.iter().position(|p| *p == self.focus).unwrap_or(0);
        self.focus(Pane::ALL[(i + by) % Pane::ALL.len()]);
    }

    fn page(&self) -> usize {
        let rect = match &self.overlay {
            Some(_) => self.area,
            None => self.panes().rect(self.focus).unwrap_or(self.area),
        };
        usize::from(rect.height.saturating_sub(3)).max(1)
    }

    /// Moves the highlight of the window or the focused pane by `by` rows.
    pub(crate) fn step(&mut self, by: isize) {
        match &mut self.overlay {
            Some(Overlay::Help { scroll }) => {
                *scroll = scroll
                    .saturating_add_signed(by)
                    .min(crate::tui::view::help::help_len());
                return;
            }
            Some(Overlay::Picker(p)) => {
                p.step(by);
                return;
            }
            Some(Overlay::Prompt(_) | Overlay::Resolve(_) | Overlay::Saturation(_)) => return,
            None => {}
        }
        match self.focus {
            Pane::Transcripts => {
                let len = self.study.transcripts().len();
                let was = self.transcripts.selected;
                self.transcripts.step(by, len);
                if (self.transcripts.selected != was || self.doc.is_none()) && len > 0 {
                    self.open_transcript(self.transcripts.selected);
                }
            }
            Pane::Codes => {
                self.tree.list.step(by, self.tree.rows.len());
                let code = self.highlighted_code();
                if code.is_some() {
                    self.retrieve(code);
                }
            }
            Pane::Retrieval => self.retrieval.list.step(by, self.retrieval.rows.len()),
            Pane::Search => self.search.list.step(by, self.search.hits.len()),
            Pane::Transcript => {
                let m = if by < 0 {
                    Motion::LineUp
                } else {
                    Motion::LineDown
                };
                for _ in 0..by.unsigned_abs().min(self.page()) {
                    self.motion(m, self.select_mode);
                }
            }
        }
    }

    /// Enter in the focused pane.
    pub(crate) fn open(&mut self) {
        match self.focus {
            Pane::Transcripts => {
                let i = self.transcripts.selected;
                if i < self.study.transcripts().len() {
                    if self.doc.as_ref().map(|d| d.transcript) != Some(i) {
                        self.open_transcript(i);
                    }
                    self.focus(Pane::Transcript);
                }
            }
            Pane::Codes => {
                if let Some(code) = self.highlighted_code() {
                    self.retrieve(Some(code));
                    self.focus(Pane::Retrieval);
                } else {
                    self.expand(None);
                }
            }
            Pane::Retrieval => {
                if let Some(r) = self.retrieval.current().cloned() {
                    self.jump_to(&r.transcript, r.start, r.end);
                }
            }
            Pane::Search => {
                if let Some(h) = self.search.current().cloned() {
                    self.jump_to(&h.transcript, h.start, h.end);
                }
            }
            Pane::Transcript => {}
        }
    }

    /// Opens a transcript and selects the code-point range `[start, end)`, cursor at its start.
    pub(crate) fn jump_to(&mut self, transcript: &str, start: usize, end: usize) {
        let Some(i) = self
            .study
            .transcripts()
            .iter()
            .position(|t| t.id == transcript)
        else {
            self.error(self.study.no_transcript(transcript).to_string());
            return;
        };
        if self.doc.as_ref().map(|d| d.transcript) != Some(i) {
            self.open_transcript(i);
        }
        self.transcripts.selected = i;
        let Some(doc) = self.doc.as_mut() else {
            return;
        };
        doc.select_chars(start, end);
        self.select_mode = false;
        self.focus(Pane::Transcript);
    }

    /// Opens the transcript at position `i`, where its cursor was when last left.
    pub(crate) fn open_transcript(&mut self, i: usize) {
        if let Some(doc) = self.doc.take() {
            self.places.insert(doc.transcript, (doc.sel, doc.top));
        }
        let Some(info) = self.study.transcripts().get(i) else {
            return;
        };
        let t = match self.study.transcript(&info.id) {
            Ok(t) => t,
            Err(e) => {
                self.error(format!("could not open {}: {e}", info.id));
                return;
            }
        };
        let mut doc = Doc::new(i, t);
        if let Some((range, top)) = self.places.get(&i) {
            doc.sel = *range;
            doc.top = *top;
        }
        self.doc = Some(doc);
        self.transcripts.selected = i;
        if crate::tui::scope::any_scoped(&self.study) {
            // the codebooks meant for this transcript come first
            self.rebuild_tree(None);
        }
        self.refresh_coded();
        self.scroll_to_cursor();
    }

    fn motion(&mut self, m: Motion, extend: bool) {
        let view = self.viewport();
        if let Some(doc) = self.doc.as_mut() {
            doc.motion(m, extend, view);
        }
    }

    // ----- derived data: what a write makes stale, refreshed across the panes -----

    fn open_id(&self) -> Option<String> {
        self.transcript().map(|t| t.id.clone())
    }

    pub(crate) fn refresh_coded(&mut self) {
        let Some(doc) = self.doc.as_mut() else {
            return;
        };
        doc.refresh_coded(&self.study, &self.coder);
        let t = Arc::clone(&doc.text);
        if let Some(compare) = self.compare.as_mut() {
            compare.load_transcript(&self.study, &t);
        }
    }

    fn refresh_counts(&mut self) {
        self.counts.clear();
        self.transcript_counts.clear();
        for s in self.study.layer(&self.coder).unwrap_or(&[]) {
            *self.counts.entry(s.code.clone()).or_default() += 1;
            *self
                .transcript_counts
                .entry(s.transcript.clone())
                .or_default() += 1;
        }
    }

    /// Everything that depends on the codings changed.
    pub(crate) fn codings_changed(&mut self) {
        self.search.changed();
        let refreshed = self.compare.as_mut().map(|c| c.refresh(&self.study));
        if let Some(Err(e)) = refreshed {
            self.compare = None;
            self.compare_ended = Some(e.to_string());
        }
        self.refresh_coded();
        self.refresh_counts();
        let code = self.retrieval.code.clone();
        self.retrieve(code);
    }

    /// Everything that depends on the codebooks changed; keep `select` highlighted.
    pub(crate) fn codebook_changed(&mut self, select: Option<String>) {
        let keep = select.or_else(|| self.highlighted_code());
        self.rebuild_tree(keep);
        if let Some(code) = self.retrieval.code.clone() {
            if self.study.code(&code).is_none() {
                self.retrieval.code = None;
            }
        }
        self.codings_changed();
    }

    fn rebuild_tree(&mut self, keep: Option<String>) {
        let open = self.open_id();
        self.tree.rebuild(&self.study, open.as_deref(), keep);
    }

    pub(crate) fn expand(&mut self, to: Option<bool>) {
        let open = self.open_id();
        self.tree.expand(&self.study, open.as_deref(), to);
    }

    /// Fills the retrieval pane with the segments of `code` and its descendants.
    pub(crate) fn retrieve(&mut self, code: Option<String>) {
        if let Err(e) = self.retrieval.retrieve(&self.study, &self.coder, code) {
            self.error(format!("could not read the codings: {e}"));
        }
    }
}

/// Takes `coder`'s lock; when it cannot, why the session is read-only.
fn read_only_reason(study: &mut Study, coder: &str) -> Option<String> {
    match study.lock(coder) {
        Ok(()) => None,
        Err(StudyError::Locked { coder }) => {
            Some(format!("read-only: {coder} is open in another process"))
        }
        Err(e) => Some(format!("read-only: {e}")),
    }
}
