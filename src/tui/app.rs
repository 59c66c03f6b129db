//! The application state and [`App::update`], the one place actions take effect.
//!
//! The app changes the study only through `Study` functions (`apply_code`, `uncode`,
//! `restore_segment`, the framework operations), which save at once; it never opens a study
//! file. Selections are byte offsets on grapheme boundaries and become code points only in the
//! call to the study. Views read this state and draw it; they change nothing but scroll caches.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use ratatui::layout::Rect;

use crate::model::codebook::Description;
use crate::model::Transcript;
use crate::study::coding::{shorten, SegmentFilter, Span};
use crate::study::consensus::Take;
use crate::study::framework::SplitAssignment;
use crate::study::memo::{load_memos, save_memo, Memo};
use crate::study::{Study, StudyError, CONSENSUS};
use crate::tui::action::{Action, Mouse, Pane};
use crate::tui::compare::{place_panel, Compare};
use crate::tui::history::{Change, History};
use crate::tui::layout::{panes, Panes};
use crate::tui::picker::{rank, Match};
use crate::tui::player::{self, Player, PlayerAction};
use crate::tui::saturation::SaturationChart;
use crate::tui::search::{IndexSearch, SearchHit, Searcher};
use crate::tui::selection::{self as sel, Motion, Range};
use crate::tui::wrap::{cell_width, turn_bytes, TurnBytes, WrapCache};

/// Most search hits kept for the pane.
const SEARCH_LIMIT: usize = 200;

/// A window over the screen: the overlays drawn above the panes.
#[derive(Debug)]
pub enum Overlay {
    /// The list of keys.
    Help {
        /// First line shown.
        scroll: usize,
    },
    /// The fuzzy code picker.
    Picker(Picker),
    /// A one-line text prompt.
    Prompt(Prompt),
    /// What to take for the disagreement with this id.
    Resolve(String),
    /// The saturation chart.
    Saturation(SaturationChart),
}

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
    /// Position in `matches`.
    pub selected: usize,
    /// First row shown (kept by the view).
    pub offset: Cell<usize>,
}

/// What a prompt's answer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    /// A new code under `parent` (or a theme) in codebook file `book`.
    Add {
        /// Parent code id.
        parent: Option<String>,
        /// Codebook file stem.
        book: String,
    },
    /// A new name for `code`.
    Rename {
        /// Code id.
        code: String,
    },
    /// A new description for `code`.
    Describe {
        /// Code id.
        code: String,
    },
    /// Names of new children of `code`, comma-separated.
    Split {
        /// Code id.
        code: String,
    },
    /// Why the team resolves disagreement `id` so (optional).
    Resolve {
        /// Disagreement id.
        id: String,
        /// What is taken.
        take: Take,
        /// The adjusted boundary, in code points, for [`Take::Adjust`].
        adjust: Option<(usize, usize)>,
    },
}

/// A one-line text prompt.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// What the answer is for.
    pub purpose: PromptPurpose,
    /// The question.
    pub title: String,
    /// The answer so far.
    pub input: String,
}

/// One row of the code tree: a codebook heading (when the study has several) or a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    /// Code id; `None` for a codebook heading.
    pub code: Option<String>,
    /// Codebook position in the study.
    pub book: usize,
    /// Whether the codebook is meant for the open transcript (its scope holds it).
    pub in_scope: bool,
    /// Indentation level.
    pub depth: usize,
    /// Whether the code has child codes.
    pub has_children: bool,
    /// Whether its children are shown.
    pub expanded: bool,
}

/// The code tree's state.
#[derive(Debug, Default)]
pub struct Tree {
    /// Visible rows, in order.
    pub rows: Vec<TreeRow>,
    /// Highlighted row.
    pub selected: usize,
    /// Codes whose children are hidden.
    pub collapsed: BTreeSet<String>,
    /// First row shown (kept by the view).
    pub offset: Cell<usize>,
}

/// A simple list's state.
#[derive(Debug, Default)]
pub struct ListCursor {
    /// Highlighted row.
    pub selected: usize,
    /// First row shown (kept by the view).
    pub offset: Cell<usize>,
}

/// A screen row of the transcript: `row` counts the turn's wrapped lines, then one blank row
/// between turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct RowPos {
    /// Turn index.
    pub turn: usize,
    /// Line within the turn (equal to the number of lines for the blank row after it).
    pub row: usize,
}

/// A screen row of the transcript located in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisualRow {
    /// Where it is.
    pub pos: RowPos,
    /// First byte shown.
    pub start: usize,
    /// Byte past the last one shown (a trailing newline excluded).
    pub end: usize,
    /// The blank row between two turns.
    pub blank: bool,
}

/// This coder's segment in the open transcript, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedSpan {
    /// First byte.
    pub start: usize,
    /// Byte past the end.
    pub end: usize,
    /// Code id.
    pub code: String,
    /// Segment id.
    pub segment: String,
}

/// The open transcript: selection, scroll position and lazily wrapped lines.
#[derive(Debug)]
pub struct Doc {
    /// Position of the transcript in `study.transcripts()`.
    pub transcript: usize,
    /// The transcript itself.
    pub text: Arc<Transcript>,
    /// Its turns in bytes.
    pub turns: Vec<TurnBytes>,
    /// The selection (anchor and head in bytes).
    pub sel: Range,
    /// The first row on screen.
    pub top: RowPos,
    /// The column up/down motions aim for.
    pub goal_col: Option<usize>,
    /// Wrapped line starts per turn.
    pub wrap: RefCell<WrapCache>,
    /// This coder's segments here, sorted by start.
    pub coded: Vec<CodedSpan>,
}

impl Doc {
    fn new(transcript: usize, t: Arc<Transcript>) -> Doc {
        let turns = turn_bytes(&t);
        let start = turns.first().map_or(0, |t| t.body_start);
        Doc {
            transcript,
            text: t,
            wrap: RefCell::new(WrapCache::new(turns.len())),
            turns,
            sel: Range::point(start),
            top: RowPos::default(),
            goal_col: None,
            coded: Vec::new(),
        }
    }

    fn lines(&self, text: &str, turn: usize, width: usize) -> std::rc::Rc<[usize]> {
        self.wrap.borrow_mut().lines(text, &self.turns, turn, width)
    }

    /// Rows a turn takes: its lines and, except after the last turn, one blank row.
    pub fn rows_of(&self, text: &str, turn: usize, width: usize) -> usize {
        self.lines(text, turn, width).len() + usize::from(turn + 1 < self.turns.len())
    }

    /// The row after `pos`.
    pub fn next_row(&self, text: &str, pos: RowPos, width: usize) -> Option<RowPos> {
        if pos.row + 1 < self.rows_of(text, pos.turn, width) {
            Some(RowPos {
                turn: pos.turn,
                row: pos.row + 1,
            })
        } else if pos.turn + 1 < self.turns.len() {
            Some(RowPos {
                turn: pos.turn + 1,
                row: 0,
            })
        } else {
            None
        }
    }

    /// The row before `pos`.
    pub fn prev_row(&self, text: &str, pos: RowPos, width: usize) -> Option<RowPos> {
        if pos.row > 0 {
            Some(RowPos {
                turn: pos.turn,
                row: pos.row - 1,
            })
        } else if pos.turn > 0 {
            let turn = pos.turn - 1;
            Some(RowPos {
                turn,
                row: self.rows_of(text, turn, width) - 1,
            })
        } else {
            None
        }
    }

    /// Locates a row in the text.
    pub fn visual_row(&self, text: &str, pos: RowPos, width: usize) -> VisualRow {
        let Some(turn) = self.turns.get(pos.turn) else {
            return VisualRow {
                pos,
                start: 0,
                end: 0,
                blank: true,
            };
        };
        let lines = self.lines(text, pos.turn, width);
        match lines.get(pos.row) {
            Some(&start) => {
                let mut end = lines.get(pos.row + 1).copied().unwrap_or(turn.end);
                if end > start && text.as_bytes().get(end - 1) == Some(&b'\n') {
                    end -= 1;
                }
                VisualRow {
                    pos,
                    start,
                    end,
                    blank: false,
                }
            }
            None => {
                let next = self.turns.get(pos.turn + 1).map_or(turn.end, |t| t.start);
                VisualRow {
                    pos,
                    start: turn.end,
                    end: next,
                    blank: true,
                }
            }
        }
    }

    /// The row and column of byte `pos`.
    pub fn locate(&self, text: &str, pos: usize, width: usize) -> (RowPos, usize) {
        let turn = sel::turn_at(&self.turns, pos);
        let lines = self.lines(text, turn, width);
        let row = lines.partition_point(|&s| s <= pos).saturating_sub(1);
        let start = lines.get(row).copied().unwrap_or(0).min(pos);
        let col = text.get(start..pos).map_or(0, |s| {
            unicode_segmentation::UnicodeSegmentation::graphemes(s, true)
                .map(cell_width)
                .sum()
        });
        (RowPos { turn, row }, col)
    }

    /// The byte at column `col` of a row (the row's end when the column is past it).
    pub fn byte_at(&self, text: &str, pos: RowPos, col: usize, width: usize) -> usize {
        let row = self.visual_row(text, pos, width);
        if row.blank {
            return self.turns.get(pos.turn).map_or(0, |t| t.end);
        }
        let mut x = 0;
        for (offset, g) in unicode_segmentation::UnicodeSegmentation::grapheme_indices(
            &text[row.start..row.end],
            true,
        ) {
            let w = cell_width(g);
            if col < x + w.max(1) {
                return row.start + offset;
            }
            x += w;
        }
        row.end
    }

    /// The rows on screen from the top, at most `height`.
    pub fn visible_rows(&self, text: &str, width: usize, height: usize) -> Vec<VisualRow> {
        let mut out = Vec::with_capacity(height);
        let mut pos = Some(self.top);
        while let Some(p) = pos {
            if out.len() >= height {
                break;
            }
            out.push(self.visual_row(text, p, width));
            pos = self.next_row(text, p, width);
        }
        out
    }
}

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
    /// Highlighted row.
    pub selected: usize,
    /// First row shown (kept by the view).
    pub offset: Cell<usize>,
}

/// The search pane's state.
#[derive(Debug, Default)]
pub struct SearchPane {
    /// The query as typed.
    pub query: String,
    /// Hits shown.
    pub hits: Vec<SearchHit>,
    /// Matches in all.
    pub total: usize,
    /// Highlighted hit.
    pub selected: usize,
    /// First row shown (kept by the view).
    pub offset: Cell<usize>,
    /// The engine's complaint about the query, if any.
    pub error: Option<String>,
    /// How the search ran, when the user should know.
    pub note: Option<String>,
    /// An auto-coding of every hit, previewed and waiting for its confirmation.
    pub autocode: Option<crate::tui::autocode::Pending>,
}

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
    searcher: Box<dyn Searcher>,
    places: HashMap<usize, (Range, RowPos)>,
    dragging: bool,
    editor: Option<PathBuf>,
    compare_ended: Option<String>,
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
        let read_only = match study.lock(&coder) {
            Ok(()) => None,
            Err(StudyError::Locked { coder }) => {
                Some(format!("read-only: {coder} is open in another process"))
            }
            Err(e) => Some(format!("read-only: {e}")),
        };
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
            search: SearchPane::default(),
            compare: None,
            player: Player::default(),
            history: History::default(),
            counts: HashMap::new(),
            transcript_counts: HashMap::new(),
            message: None,
            unsaved: None,
            area: Rect::new(0, 0, 80, 24),
            quit: false,
            searcher,
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
        match (self.doc.as_ref(), self.transcript()) {
            (Some(doc), Some(t)) => t.text.get(doc.sel.from()..doc.sel.to()).unwrap_or(""),
            _ => "",
        }
    }

    /// The code highlighted in the tree.
    pub fn highlighted_code(&self) -> Option<String> {
        self.tree
            .rows
            .get(self.tree.selected)
            .and_then(|r| r.code.clone())
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

    // ----- messages -----

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    pub(crate) fn writable(&mut self) -> bool {
        if let Some(why) = &self.read_only {
            let why = why.clone();
            self.error(why);
            return false;
        }
        true
    }

    fn saved(&mut self, result: Result<(), StudyError>) -> bool {
        match result {
            Ok(()) => {
                self.unsaved = None;
                true
            }
            Err(e) => {
                self.failed(e);
                false
            }
        }
    }

    /// Tells the user what went wrong. A failed write leaves the status at "not saved"; a
    /// codebook changed on disk by another process makes the app reload the study, so the next
    /// attempt works on what is on disk.
    fn failed(&mut self, e: StudyError) {
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
        self.read_only = match self.study.lock(&self.coder) {
            Ok(()) => None,
            Err(StudyError::Locked { coder }) => {
                Some(format!("read-only: {coder} is open in another process"))
            }
            Err(e) => Some(format!("read-only: {e}")),
        };
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
        match action {
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
            Action::PageUp => {
                let page = self.page() as isize;
                self.step(-page)
            }
            Action::PageDown => {
                let page = self.page() as isize;
                self.step(page)
            }
            Action::First => self.step(isize::MIN / 2),
            Action::Last => self.step(isize::MAX / 2),
            Action::Open => self.open(),
            Action::Expand => self.expand(Some(true)),
            Action::Collapse => self.collapse(),
            Action::ToggleExpand => self.expand(None),
            Action::Move(m) => {
                let extend = self.select_mode;
                self.motion(m, extend)
            }
            Action::Extend(m) => self.motion(m, true),
            Action::ToggleSelectMode => {
                self.select_mode = !self.select_mode;
                if self.select_mode {
                    self.focus = Pane::Transcript;
                }
            }
            Action::SelectTurn => self.select_unit(true),
            Action::SelectSentence => self.select_unit(false),
            Action::CollapseSelection => {
                if let Some(doc) = self.doc.as_mut() {
                    doc.sel = Range::point(doc.sel.head);
                }
                self.select_mode = false;
            }
            Action::CodeSelection => self.open_picker(PickerPurpose::Apply),
            Action::CodeInVivo => self.start_in_vivo(),
            Action::ApplyHighlightedCode => {
                if let Some(code) = self.highlighted_code() {
                    self.code_selection(&code);
                }
            }
            Action::Uncode => self.uncode(),
            Action::NextSegment => self.jump_segment(true),
            Action::PrevSegment => self.jump_segment(false),
            Action::Undo => self.undo(true),
            Action::Redo => self.undo(false),
            Action::OpenMemo => self.open_memo(),
            Action::MemoClosed => match load_memos(&self.study.root) {
                Ok(memos) => {
                    self.study.memos = memos;
                    self.info("memo saved");
                }
                Err(e) => self.failed(e),
            },
            Action::ToggleCodebookMode => {
                self.codebook_mode = !self.codebook_mode;
                if self.codebook_mode {
                    self.focus = Pane::Codes;
                    self.select_mode = false;
                }
            }
            Action::AddCode => self.prompt_add(false),
            Action::AddTheme => self.prompt_add(true),
            Action::RenameCode => self.prompt_code(|code| PromptPurpose::Rename { code }),
            Action::DescribeCode => self.prompt_code(|code| PromptPurpose::Describe { code }),
            Action::SplitCode => self.prompt_code(|code| PromptPurpose::Split { code }),
            Action::MoveCode => {
                if let Some(code) = self.highlighted_code() {
                    self.open_picker(PickerPurpose::MoveTo { code });
                }
            }
            Action::MergeCode => {
                if let Some(code) = self.highlighted_code() {
                    self.open_picker(PickerPurpose::MergeInto { code });
                }
            }
            Action::ToggleAllCoders => {
                self.retrieval.all_coders = !self.retrieval.all_coders;
                let code = self.retrieval.code.clone();
                self.retrieve(code);
            }
            Action::Input(c) => self.input(Some(c)),
            Action::Backspace => self.input(None),
            Action::ClearInput => self.clear_input(),
            Action::Submit => self.submit(),
            Action::Cancel => self.cancel(),
            Action::ToggleCompare => self.toggle_compare(),
            Action::NextDisagreement => self.jump_disagreement(true, false),
            Action::PrevDisagreement => self.jump_disagreement(false, false),
            Action::NextOpenDisagreement => self.jump_disagreement(true, true),
            Action::OpenResolve => self.open_resolve(),
            Action::Resolve(take) => self.choose_take(take),
            Action::AutoCodeHits => self.auto_code_hits(),
            Action::AutoCodeContext => self.auto_code_context(),
            Action::ToggleSaturation => {
                self.overlay = match self.overlay {
                    Some(Overlay::Saturation(_)) => None,
                    _ => Some(Overlay::Saturation(SaturationChart::new(&self.study))),
                }
            }
            Action::SaturationGrouping => {
                if let Some(Overlay::Saturation(chart)) = &mut self.overlay {
                    chart.next_grouping(&self.study);
                }
            }
            Action::SaturationLayer => {
                if let Some(Overlay::Saturation(chart)) = &mut self.overlay {
                    chart.next_layer(&self.study);
                }
            }
            Action::SaturationLevel => {
                if let Some(Overlay::Saturation(chart)) = &mut self.overlay {
                    chart.toggle_level(&self.study);
                }
            }
            Action::Mouse(m) => self.mouse(m),
            Action::Player(a) => player::update(self, a),
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
        let panes = self.panes();
        let rect = match &self.overlay {
            Some(_) => self.area,
            None => panes.rect(self.focus).unwrap_or(self.area),
        };
        usize::from(rect.height.saturating_sub(3)).max(1)
    }

    fn step(&mut self, by: isize) {
        let moved = |at: usize, len: usize| -> usize {
            if len == 0 {
                return 0;
            }
            at.saturating_add_signed(by).min(len - 1)
        };
        match &mut self.overlay {
            Some(Overlay::Help { scroll }) => {
                *scroll = scroll.saturating_add_signed(by).min(help_len());
                return;
            }
            Some(Overlay::Picker(p)) => {
                p.selected = moved(p.selected, p.matches.len());
                return;
            }
            Some(Overlay::Prompt(_) | Overlay::Resolve(_) | Overlay::Saturation(_)) => return,
            None => {}
        }
        match self.focus {
            Pane::Transcripts => {
                let len = self.study.transcripts().len();
                let next = moved(self.transcripts.selected, len);
                if next != self.transcripts.selected || self.doc.is_none() {
                    self.transcripts.selected = next;
                    if len > 0 {
                        self.open_transcript(next);
                    }
                }
            }
            Pane::Codes => {
                self.tree.selected = moved(self.tree.selected, self.tree.rows.len());
                let code = self.highlighted_code();
                if code.is_some() {
                    self.retrieve(code);
                }
            }
            Pane::Retrieval => {
                self.retrieval.selected = moved(self.retrieval.selected, self.retrieval.rows.len())
            }
            Pane::Search => {
                self.search.selected = moved(self.search.selected, self.search.hits.len())
            }
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

    fn open(&mut self) {
        match self.focus {
            Pane::Transcripts => {
                if self.transcripts.selected < self.study.transcripts().len() {
                    if self.doc.as_ref().map(|d| d.transcript) != Some(self.transcripts.selected) {
                        self.open_transcript(self.transcripts.selected);
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
                if let Some(r) = self.retrieval.rows.get(self.retrieval.selected).cloned() {
                    self.jump_to(&r.transcript, r.start, r.end);
                }
            }
            Pane::Search => {
                if let Some(h) = self.search.hits.get(self.search.selected).cloned() {
                    self.jump_to(&h.transcript, h.start, h.end);
                }
            }
            Pane::Transcript => {}
        }
    }

    /// Opens a transcript and selects the code-point range `[start, end)`, cursor at its start.
    fn jump_to(&mut self, transcript: &str, start: usize, end: usize) {
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
        let Some(t) = self.doc.as_ref().map(|d| Arc::clone(&d.text)) else {
            return;
        };
        let a = t.index.byte_of(&t.text, start);
        let b = t.index.byte_of(&t.text, end);
        if let Some(doc) = self.doc.as_mut() {
            doc.sel = Range::new(b, a);
            doc.goal_col = None;
        }
        self.select_mode = false;
        self.focus(Pane::Transcript);
    }

    fn open_transcript(&mut self, i: usize) {
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

    // ----- derived data -----

    fn refresh_coded(&mut self) {
        let Some(doc) = self.doc.as_mut() else {
            return;
        };
        let t = Arc::clone(&doc.text);
        let mut coded: Vec<CodedSpan> = self
            .study
            .layer(&self.coder)
            .unwrap_or(&[])
            .iter()
            .filter(|s| s.transcript == t.id && !s.is_unanchored())
            .map(|s| CodedSpan {
                start: t.index.byte_of(&t.text, s.start),
                end: t.index.byte_of(&t.text, s.end),
                code: s.code.clone(),
                segment: s.id.clone(),
            })
            .collect();
        coded.sort_by_key(|c| (c.start, c.end));
        doc.coded = coded;
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
        self.searcher.changed();
        let refreshed = self.compare.as_mut().map(|c| c.refresh(&self.study));
        if let Some(Err(e)) = refreshed {
            self.compare = None;
            self.compare_ended = Some(e);
        }
        self.refresh_coded();
        self.refresh_counts();
        let code = self.retrieval.code.clone();
        self.retrieve(code);
    }

    /// Everything that depends on the codebooks changed; keep `select` highlighted.
    fn codebook_changed(&mut self, select: Option<String>) {
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
        let keep = keep.or_else(|| self.highlighted_code());
        let several = self.study.codebooks.len() > 1;
        let mut rows = Vec::new();
        let open = self.transcript().map(|t| t.id.clone());
        for (b, in_scope) in crate::tui::scope::books_in_order(&self.study, open.as_deref()) {
            let Some(loaded) = self.study.codebooks.get(b) else {
                continue;
            };
            let book = &loaded.codebook;
            if several {
                rows.push(TreeRow {
                    code: None,
                    book: b,
                    in_scope,
                    depth: 0,
                    has_children: !book.codes.is_empty(),
                    expanded: true,
                });
            }
            let base = usize::from(several);
            let parents: BTreeSet<&str> = book
                .codes
                .iter()
                .filter_map(|c| c.parent.as_deref())
                .collect();
            let mut hidden_below: Option<usize> = None;
            for (code, depth) in book.tree() {
                if let Some(d) = hidden_below {
                    if depth > d {
                        continue;
                    }
                    hidden_below = None;
                }
                let has_children = parents.contains(code.id.as_str());
                let expanded = !self.tree.collapsed.contains(&code.id);
                if has_children && !expanded {
                    hidden_below = Some(depth);
                }
                rows.push(TreeRow {
                    code: Some(code.id.clone()),
                    book: b,
                    in_scope,
                    depth: depth + base,
                    has_children,
                    expanded,
                });
            }
        }
        self.tree.rows = rows;
        if let Some(keep) = keep {
            if let Some(i) = self
                .tree
                .rows
                .iter()
                .position(|r| r.code.as_ref() == Some(&keep))
            {
                self.tree.selected = i;
                return;
            }
        }
        self.tree.selected = self
            .tree
            .selected
            .min(self.tree.rows.len().saturating_sub(1));
    }

    fn expand(&mut self, to: Option<bool>) {
        let Some(row) = self.tree.rows.get(self.tree.selected) else {
            return;
        };
        let Some(code) = row.code.clone() else {
            return;
        };
        if !row.has_children {
            return;
        }
        let expand = to.unwrap_or(!row.expanded);
        if expand {
            self.tree.collapsed.remove(&code);
        } else {
            self.tree.collapsed.insert(code.clone());
        }
        self.rebuild_tree(Some(code));
    }

    fn collapse(&mut self) {
        let Some(row) = self.tree.rows.get(self.tree.selected).cloned() else {
            return;
        };
        if row.has_children && row.expanded {
            self.expand(Some(false));
            return;
        }
        // go to the parent
        if let Some(parent) = row
            .code
            .as_deref()
            .and_then(|c| self.study.code(c))
            .and_then(|c| c.parent.clone())
        {
            self.rebuild_tree(Some(parent.clone()));
            self.retrieve(Some(parent));
        }
    }

    /// Fills the retrieval pane with the segments of `code` and its descendants.
    /// Shows a code's segments in the retrieval pane.
    pub(crate) fn show_code(&mut self, code: String) {
        self.retrieve(Some(code));
    }

    fn retrieve(&mut self, code: Option<String>) {
        let keep = self
            .retrieval
            .rows
            .get(self.retrieval.selected)
            .map(|r| r.segment.clone());
        let same = code == self.retrieval.code;
        self.retrieval.code = code.clone();
        self.retrieval.rows.clear();
        let Some(code) = code else {
            return;
        };
        let Some(book) = self.study.codebook_of(&code) else {
            return;
        };
        let filter = SegmentFilter {
            codes: Some(book.subtree(&code)),
            coders: (!self.retrieval.all_coders).then(|| [self.coder.clone()].into()),
            ..SegmentFilter::default()
        };
        let selected = match self.study.select_segments(&filter) {
            Ok(selected) => selected,
            Err(e) => {
                self.error(format!("could not read the codings: {e}"));
                return;
            }
        };
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
        self.retrieval.rows = rows;
        self.retrieval.selected = if same {
            keep.and_then(|k| self.retrieval.rows.iter().position(|r| r.segment == k))
                .unwrap_or(self.retrieval.selected)
                .min(self.retrieval.rows.len().saturating_sub(1))
        } else {
            0
        };
        if !same {
            self.retrieval.offset.set(0);
        }
    }

    // ----- the transcript: motions and selections -----

    fn motion(&mut self, m: Motion, extend: bool) {
        let (_, text_rect) = self.transcript_viewport();
        let width = usize::from(text_rect.width).max(1);
        let height = usize::from(text_rect.height).max(1);
        let Some(doc) = self.doc.as_mut() else {
            return;
        };
        let t = Arc::clone(&doc.text);
        let text = &t.text;
        let turns = &doc.turns;
        let head = doc.sel.head;
        let vertical = |doc: &mut Doc, rows: isize| -> usize {
            let (mut pos, col) = doc.locate(text, doc.sel.head, width);
            let goal = *doc.goal_col.get_or_insert(col);
            let mut left = rows.unsigned_abs();
            while left > 0 {
                let next = if rows > 0 {
                    doc.next_row(text, pos, width)
                } else {
                    doc.prev_row(text, pos, width)
                };
                let Some(next) = next else { break };
                pos = next;
                if !doc.visual_row(text, pos, width).blank {
                    left -= 1;
                }
            }
            if doc.visual_row(text, pos, width).blank {
                // ran out of rows on the blank line after the last turn
                return doc.sel.head;
            }
            doc.byte_at(text, pos, goal, width)
        };
        let new = match m {
            Motion::CharLeft => sel::char_left(text, turns, head),
            Motion::CharRight => sel::char_right(text, turns, head),
            Motion::WordNext => sel::word_next(text, turns, head),
            Motion::WordEnd => sel::word_end(text, turns, head),
            Motion::WordPrev => sel::word_prev(text, turns, head),
            Motion::SentenceNext => sel::sentence_next(text, turns, head),
            Motion::SentencePrev => sel::sentence_prev(text, turns, head),
            Motion::TurnNext => sel::turn_next(turns, head),
            Motion::TurnPrev => sel::turn_prev(turns, head),
            Motion::Start => turns.first().map_or(0, |t| t.start),
            Motion::End => turns.last().map_or(0, |t| t.end),
            Motion::LineDown => vertical(doc, 1),
            Motion::LineUp => vertical(doc, -1),
            Motion::PageDown | Motion::PageUp => {
                let rows = height.saturating_sub(1).max(1) as isize;
                let rows = if m == Motion::PageUp { -rows } else { rows };
                let new = vertical(doc, rows);
                // scroll the view by the same amount
                for _ in 0..rows.unsigned_abs() {
                    let next = if rows > 0 {
                        doc.next_row(text, doc.top, width)
                    } else {
                        doc.prev_row(text, doc.top, width)
                    };
                    match next {
                        Some(p) => doc.top = p,
                        None => break,
                    }
                }
                new
            }
        };
        if !matches!(
            m,
            Motion::LineDown | Motion::LineUp | Motion::PageDown | Motion::PageUp
        ) {
            doc.goal_col = None;
        }
        doc.sel = doc.sel.put(new, extend);
        self.scroll_to_cursor();
    }

    fn select_unit(&mut self, turn: bool) {
        let Some(doc) = self.doc.as_mut() else {
            return;
        };
        let t = Arc::clone(&doc.text);
        let text = &t.text;
        let turns = &doc.turns;
        let unit = |pos: usize| {
            if turn {
                sel::turn_around(turns, pos)
            } else {
                sel::sentence_around(text, turns, pos)
            }
        };
        let (from, to) = (doc.sel.from(), doc.sel.to());
        let (a, b) = if doc.sel.is_empty() {
            unit(doc.sel.head)
        } else {
            let first = unit(from);
            let last = unit(to.saturating_sub(1).max(from));
            let grown = (from.min(first.0), to.max(last.1));
            if grown == (from, to) {
                // the selection already covers whole units: add the next one
                let next = if turn {
                    sel::turn_next(turns, to)
                } else {
                    sel::sentence_next(text, turns, to)
                };
                (from, to.max(unit(next).1))
            } else {
                grown
            }
        };
        doc.sel = Range::new(a, b);
        doc.goal_col = None;
        self.scroll_to_cursor();
    }

    /// Scrolls the transcript so the cursor is on screen, laying out only the rows it passes.
    fn scroll_to_cursor(&mut self) {
        let (_, text_rect) = self.transcript_viewport();
        let width = usize::from(text_rect.width).max(1);
        let height = usize::from(text_rect.height).max(1);
        let Some(doc) = self.doc.as_mut() else {
            return;
        };
        let t = Arc::clone(&doc.text);
        let text = &t.text;
        if doc.top.turn >= doc.turns.len() {
            doc.top = RowPos::default();
        }
        let top_rows = doc.rows_of(text, doc.top.turn, width);
        if doc.top.row >= top_rows {
            doc.top.row = top_rows.saturating_sub(1);
        }
        let (cursor, _) = doc.locate(text, doc.sel.head, width);
        if cursor < doc.top {
            doc.top = cursor;
            return;
        }
        // every turn takes at least one row, so a cursor this far down is off screen
        let mut visible = cursor.turn <= doc.top.turn + height;
        if visible {
            let mut pos = doc.top;
            let mut rows = 0;
            while pos < cursor {
                rows += 1;
                if rows >= height {
                    visible = false;
                    break;
                }
                match doc.next_row(text, pos, width) {
                    Some(p) => pos = p,
                    None => break,
                }
            }
        }
        if !visible {
            let mut top = cursor;
            for _ in 0..height.saturating_sub(1) {
                match doc.prev_row(text, top, width) {
                    Some(p) => top = p,
                    None => break,
                }
            }
            doc.top = top;
        }
    }

    fn scroll(&mut self, rows: isize) {
        let (_, text_rect) = self.transcript_viewport();
        let width = usize::from(text_rect.width).max(1);
        let Some(doc) = self.doc.as_mut() else {
            return;
        };
        let t = Arc::clone(&doc.text);
        for _ in 0..rows.unsigned_abs() {
            let next = if rows > 0 {
                doc.next_row(&t.text, doc.top, width)
            } else {
                doc.prev_row(&t.text, doc.top, width)
            };
            match next {
                Some(p) => doc.top = p,
                None => break,
            }
        }
    }

    // ----- coding -----

    /// The selection trimmed of surrounding blanks, in code points.
    fn selection_span(&mut self) -> Option<(String, usize, usize)> {
        let (doc, t) = (self.doc.as_ref()?, self.transcript()?);
        let (a, b) = sel::trim(&t.text, doc.sel.from(), doc.sel.to());
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
        if !self.writable() {
            return;
        }
        let Some((transcript, start, end)) = self.selection_span() else {
            return;
        };
        match self
            .study
            .apply_code(&self.coder, &transcript, &Span::Range(start, end), code)
        {
            Ok(segment) => {
                self.unsaved = None;
                self.history.record(Change::Coded(segment));
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
            }
            Err(e) => self.failed(e),
        }
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

    fn start_in_vivo(&mut self) {
        if !self.writable() {
            return;
        }
        if self.selection_span().is_none() {
            return;
        }
        let name = App::in_vivo_name(self.selected_text());
        if name.is_empty() {
            self.error("the selection has no words to name a code");
            return;
        }
        self.open_picker(PickerPurpose::InVivo { name });
    }

    fn in_vivo(&mut self, name: &str, parent: &Candidate) {
        let Some(book) = self.study.codebooks.get(parent.book) else {
            return;
        };
        let file = book.file.clone();
        let path = match &parent.code {
            Some(p) => format!("{}/{name}", book.codebook.path(p)),
            None => name.to_string(),
        };
        let id = match book.codebook.resolve(&path) {
            Some(existing) => existing.id.clone(),
            None => match self.study.add_code(
                &self.coder,
                Some(&file),
                &path,
                &Description::default(),
                Some("in-vivo code from the TUI"),
            ) {
                Ok(id) => id,
                Err(e) => {
                    self.failed(e);
                    return;
                }
            },
        };
        self.codebook_changed(Some(id.clone()));
        self.code_selection(&id);
    }

    /// This coder's segment under the cursor: the one the selection matches, else the
    /// shortest covering the cursor.
    pub(crate) fn segment_under_cursor(&self) -> Option<&CodedSpan> {
        let doc = self.doc.as_ref()?;
        let (from, to) = (doc.sel.from(), doc.sel.to());
        if let Some(exact) = doc.coded.iter().find(|c| c.start == from && c.end == to) {
            return Some(exact);
        }
        let at = doc.sel.head;
        doc.coded
            .iter()
            .filter(|c| c.start <= at && (at < c.end || (at == c.end && at > c.start && at == to)))
            .min_by_key(|c| c.end - c.start)
    }

    fn uncode(&mut self) {
        if !self.writable() {
            return;
        }
        let Some(id) = self.segment_under_cursor().map(|c| c.segment.clone()) else {
            self.error("no segment of yours under the cursor");
            return;
        };
        match self.study.uncode(&self.coder, &id) {
            Ok(segment) => {
                self.unsaved = None;
                let path = self.study.code_path(&segment.code);
                self.history.record(Change::Uncoded(segment));
                self.codings_changed();
                self.info(format!("uncoded {path}"));
            }
            Err(e) => self.failed(e),
        }
    }

    fn jump_segment(&mut self, forward: bool) {
        let Some(doc) = self.doc.as_mut() else {
            return;
        };
        let at = doc.sel.from();
        let target = if forward {
            doc.coded.iter().find(|c| c.start > at)
        } else {
            doc.coded.iter().rev().find(|c| c.start < at)
        };
        match target {
            Some(c) => {
                doc.sel = Range::new(c.end, c.start);
                doc.goal_col = None;
                self.scroll_to_cursor();
            }
            None => self.info("no more segments of yours this way"),
        }
    }

    /// Makes a recorded change happen (again) through the study.
    fn apply_change(&mut self, change: &Change) -> Result<(), StudyError> {
        let coder = self.coder.clone();
        match change {
            Change::Coded(segment) => self.study.restore_segment(&coder, segment.clone()),
            Change::Uncoded(segment) => self.study.uncode(&coder, &segment.id).map(|_| ()),
            Change::Renamed { code, to, .. } => self
                .study
                .rename_code(&coder, code, None, to, Some("undo/redo in the TUI"))
                .map(|_| ()),
            Change::Moved { code, to, .. } => self
                .study
                .move_code(
                    &coder,
                    code,
                    None,
                    to.as_deref(),
                    Some("undo/redo in the TUI"),
                )
                .map(|_| ()),
            Change::Described { code, after, .. } => self
                .study
                .describe_code(&coder, code, None, after, Some("undo/redo in the TUI"))
                .map(|_| ()),
            Change::Unbatched { batch, .. } => self.study.undo_batch(&coder, batch).map(|_| ()),
            Change::Batch { .. } => Err(StudyError::Invalid(
                "an auto-coding cannot be redone: press Ctrl-A in the search pane again".into(),
            )),
        }
    }

    fn undo(&mut self, undo: bool) {
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
        let todo = if undo {
            change.inverse()
        } else {
            change.clone()
        };
        let result = self.apply_change(&todo);
        if !self.saved(result) {
            self.history.restore(change, undo);
            return;
        }
        let what = describe_change(&self.study, &todo);
        if undo {
            self.history.push_undone(change);
        } else {
            self.history.push_redone(change);
        }
        match &todo {
            Change::Coded(s) | Change::Uncoded(s) => {
                let (t, a, b) = (s.transcript.clone(), s.start, s.end);
                self.codings_changed();
                let focus = self.focus;
                self.jump_to(&t, a, b);
                self.focus(focus);
            }
            Change::Batch { .. } | Change::Unbatched { .. } => self.codings_changed(),
            _ => self.codebook_changed(None),
        }
        self.info(format!(
            "{} {what}",
            if undo { "undone:" } else { "redone:" }
        ));
    }

    // ----- compare mode -----

    fn toggle_compare(&mut self) {
        if self.compare.take().is_some() {
            self.refresh_coded();
            self.info("left compare mode");
            return;
        }
        let coders = self.study.coders();
        if coders.len() < 2 {
            self.error(format!(
                "compare needs two coders with codings (found: {})",
                if coders.is_empty() {
                    "none".to_string()
                } else {
                    coders.join(", ")
                }
            ));
            return;
        }
        self.open_picker(PickerPurpose::CompareA);
    }

    fn coder_candidates(&self, except: Option<&String>) -> Vec<Candidate> {
        self.study
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

    /// Enters compare mode: coders `a` and `b` on `code` and its sub-codes (every code when
    /// `None`). The transcript shows both coders' spans, the panel their agreement, and the
    /// cursor goes to the first disagreement still open.
    pub fn start_compare(&mut self, a: &str, b: &str, code: Option<&str>) {
        let compare = match Compare::new(&self.study, a, b, code) {
            Ok(c) => c,
            Err(e) => {
                self.error(e);
                return;
            }
        };
        let first = compare
            .list
            .iter()
            .position(|d| d.resolution.is_none())
            .or((!compare.list.is_empty()).then_some(0));
        self.compare = Some(compare);
        self.select_mode = false;
        self.codebook_mode = false;
        self.refresh_coded();
        match first {
            Some(i) => self.go_to_disagreement(i),
            None => {
                let what =
                    code.map_or_else(|| "every code".to_string(), |c| self.study.code_path(c));
                self.focus(Pane::Transcript);
                self.info(format!("{a} and {b} agree on {what}: nothing to resolve"));
            }
        }
    }

    fn go_to_disagreement(&mut self, i: usize) {
        let Some(compare) = self.compare.as_mut() else {
            return;
        };
        let Some(d) = compare.list.get(i).cloned() else {
            return;
        };
        compare.current = Some(i);
        self.jump_to(&d.transcript, d.start, d.end);
        self.scroll_cursor_high();
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let status = match &d.resolution {
            Some(r) => format!("resolved: took {}", compare.take_label(r.take)),
            None => "open: r resolves".to_string(),
        };
        let text = format!(
            "disagreement {} of {} · {} · {} · {status}",
            i + 1,
            compare.list.len(),
            self.study.code_path(&d.code),
            compare.kind_label(&d),
        );
        self.info(text);
    }

    /// Scrolls so the cursor's line is a quarter of the way down, leaving room below it for
    /// the passage that starts there.
    pub(crate) fn scroll_cursor_high(&mut self) {
        let (_, text_rect) = self.transcript_viewport();
        let width = usize::from(text_rect.width).max(1);
        let height = usize::from(text_rect.height).max(1);
        let Some(doc) = self.doc.as_mut() else {
            return;
        };
        let t = Arc::clone(&doc.text);
        let (mut top, _) = doc.locate(&t.text, doc.sel.head, width);
        for _ in 0..height / 4 {
            match doc.prev_row(&t.text, top, width) {
                Some(p) => top = p,
                None => break,
            }
        }
        doc.top = top;
    }

    fn jump_disagreement(&mut self, forward: bool, open_only: bool) {
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let target = compare.step(forward, open_only).or_else(|| {
            // the next open one wraps round to the first
            open_only
                .then(|| compare.list.iter().position(|d| d.resolution.is_none()))
                .flatten()
        });
        match target {
            Some(i) => self.go_to_disagreement(i),
            None => {
                let text = if compare.list.is_empty() {
                    "no disagreements: the coders agree here"
                } else if open_only {
                    "every disagreement is resolved"
                } else if forward {
                    "that was the last disagreement (p goes back)"
                } else {
                    "that was the first disagreement (n goes on)"
                };
                self.info(text);
            }
        }
    }

    /// Makes the disagreement under the cursor the current one.
    fn follow_cursor(&mut self) {
        let Some(head) = self.doc.as_ref().map(|d| d.sel.head) else {
            return;
        };
        if let Some(compare) = self.compare.as_mut() {
            if let Some(i) = compare.at(head) {
                compare.current = Some(i);
            }
        }
    }

    fn open_resolve(&mut self) {
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let here = self.transcript().map(|t| t.id.as_str());
        match compare.current() {
            Some(d) if Some(d.transcript.as_str()) == here => {
                self.overlay = Some(Overlay::Resolve(d.id.clone()));
            }
            _ => self.error("no disagreement here: n and p jump to one"),
        }
    }

    fn choose_take(&mut self, take: Take) {
        let Some(Overlay::Resolve(id)) = self.overlay.take() else {
            return;
        };
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let label = compare.take_label(take);
        let adjust = if take == Take::Adjust {
            let empty = self.doc.as_ref().is_none_or(|d| d.sel.is_empty());
            let span = if empty { None } else { self.selection_span() };
            match span {
                Some((_, start, end)) => Some((start, end)),
                None => {
                    self.error(
                        "select the boundary first (v and motions, x, s, Shift-arrows or the mouse), then r and s",
                    );
                    return;
                }
            }
        } else {
            None
        };
        let title = match adjust {
            Some((start, end)) => {
                let quote = self
                    .transcript()
                    .map(|t| shorten(t.slice(start, end), 30))
                    .unwrap_or_default();
                format!("Why take “{quote}”? (optional; Enter resolves)")
            }
            None => format!("Why take {label}? (optional; Enter resolves)"),
        };
        self.overlay = Some(Overlay::Prompt(Prompt {
            purpose: PromptPurpose::Resolve { id, take, adjust },
            title,
            input: String::new(),
        }));
    }

    fn resolve(&mut self, id: &str, take: Take, adjust: Option<(usize, usize)>, why: &str) {
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let Some(d) = compare.list.iter().find(|d| d.id == id).cloned() else {
            self.error("that disagreement is gone: the codings changed meanwhile");
            return;
        };
        let (a, b) = (compare.a.clone(), compare.b.clone());
        let label = compare.take_label(take);
        let by = self.coder.clone();
        let why = Some(why).filter(|w| !w.is_empty());
        match self.study.resolve(&by, &d, (&a, &b), take, adjust, why) {
            Ok(_) => {
                self.unsaved = None;
                self.codings_changed();
                let (open, total) = self
                    .compare
                    .as_ref()
                    .map_or((0, 0), |c| (c.remaining(), c.list.len()));
                self.info(format!(
                    "resolved {}: took {label} · {open} of {total} still open · n next, N next open",
                    self.study.code_path(&d.code)
                ));
            }
            Err(StudyError::Locked { coder }) if coder == CONSENSUS => self.error(
                "the consensus layer is open in another thema process (another meeting?): nothing was written; close it first",
            ),
            Err(e) => self.failed(e),
        }
    }

    // ----- memos -----

    fn open_memo(&mut self) {
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
                .rows
                .get(self.retrieval.selected)
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
        if let Some(memo) = self
            .study
            .memos
            .iter()
            .find(|m| m.field(field) == Some(&id))
        {
            self.editor = Some(memo.path.clone());
            return;
        }
        let stem = crate::study::coder::slug(&format!("{field} {title}"));
        let stem: String = stem.chars().take(60).collect();
        let dir = self.study.root.join("memos");
        let mut path = dir.join(format!("{stem}.md"));
        let mut n = 2;
        while self.study.memos.iter().any(|m| m.path == path) {
            path = dir.join(format!("{stem}-{n}.md"));
            n += 1;
        }
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("title".to_string(), title);
        fields.insert("coder".to_string(), self.coder.clone());
        fields.insert(field.to_string(), id);
        fields.insert(
            "created".to_string(),
            crate::study::coding::now().chars().take(10).collect(),
        );
        let memo = Memo {
            path: path.clone(),
            fields,
            body: String::new(),
        };
        match save_memo(&memo) {
            Ok(()) => {
                self.study.memos.push(memo);
                self.editor = Some(path);
            }
            Err(e) => self.failed(e),
        }
    }

    // ----- pickers and prompts -----

    fn candidates(&self, purpose: &PickerPurpose) -> Vec<Candidate> {
        match purpose {
            PickerPurpose::CompareA => return self.coder_candidates(None),
            PickerPurpose::CompareB { a } => return self.coder_candidates(Some(a)),
            _ => {}
        }
        let several = self.study.codebooks.len() > 1;
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
                self.study
                    .codebooks
                    .iter()
                    .position(|b| b.codebook.contains(code)),
                self.study
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
        let open = self.transcript().map(|t| t.id.clone());
        for (b, in_scope) in crate::tui::scope::books_in_order(&self.study, open.as_deref()) {
            let Some(loaded) = self.study.codebooks.get(b) else {
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

    fn open_picker(&mut self, purpose: PickerPurpose) {
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
        let candidates = self.candidates(&purpose);
        if candidates.is_empty() {
            self.error("the codebook is empty: add codes in codebook mode (C, then A)");
            return;
        }
        let matches = rank("", candidates.iter().map(|c| c.label.as_str()));
        // start on the highlighted code when applying, so `c` then Enter codes with it
        let coder_at = |wanted: &dyn Fn(&str) -> bool| {
            matches
                .iter()
                .position(|(i, _)| wanted(&candidates[*i].label))
                .unwrap_or(0)
        };
        let selected = match (&purpose, self.highlighted_code()) {
            (PickerPurpose::Apply, Some(code)) => matches
                .iter()
                .position(|(i, _)| candidates[*i].code.as_ref() == Some(&code))
                .unwrap_or(0),
            // A: the coder at the keyboard, if they coded; B: the first other coder
            (PickerPurpose::CompareA, _) => coder_at(&|c| c == self.coder),
            (PickerPurpose::CompareB { .. }, _) => coder_at(&|c| c != CONSENSUS),
            _ => 0,
        };
        self.overlay = Some(Overlay::Picker(Picker {
            purpose,
            title,
            query: String::new(),
            candidates,
            matches,
            selected,
            offset: Cell::new(0),
        }));
    }

    fn prompt_code(&mut self, purpose: impl FnOnce(String) -> PromptPurpose) {
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
            PromptPurpose::Add { .. } | PromptPurpose::Resolve { .. } => {
                (String::new(), String::new())
            }
        };
        self.overlay = Some(Overlay::Prompt(Prompt {
            purpose,
            title,
            input,
        }));
    }

    fn prompt_add(&mut self, theme: bool) {
        if !self.writable() {
            return;
        }
        let row = self.tree.rows.get(self.tree.selected).cloned();
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
        self.overlay = Some(Overlay::Prompt(Prompt {
            purpose: PromptPurpose::Add { parent, book: file },
            title,
            input: String::new(),
        }));
    }

    fn input(&mut self, c: Option<char>) {
        if c.is_some_and(char::is_control) {
            return;
        }
        let edit = |s: &mut String| match c {
            Some(c) => s.push(c),
            None => {
                s.pop();
            }
        };
        match &mut self.overlay {
            Some(Overlay::Picker(p)) => {
                edit(&mut p.query);
                p.matches = rank(&p.query, p.candidates.iter().map(|c| c.label.as_str()));
                p.selected = 0;
                p.offset.set(0);
            }
            Some(Overlay::Prompt(p)) => edit(&mut p.input),
            Some(Overlay::Help { .. } | Overlay::Resolve(_) | Overlay::Saturation(_)) => {}
            None if self.focus == Pane::Search => {
                edit(&mut self.search.query);
                self.run_search();
            }
            None => {}
        }
    }

    fn clear_input(&mut self) {
        match &mut self.overlay {
            Some(Overlay::Picker(p)) => {
                p.query.clear();
                p.matches = rank("", p.candidates.iter().map(|c| c.label.as_str()));
                p.selected = 0;
            }
            Some(Overlay::Prompt(p)) => p.input.clear(),
            Some(Overlay::Help { .. } | Overlay::Resolve(_) | Overlay::Saturation(_)) => {}
            None if self.focus == Pane::Search => {
                self.search.query.clear();
                self.run_search();
            }
            None => {}
        }
    }

    fn run_search(&mut self) {
        match self
            .searcher
            .search(&self.study, &self.search.query, SEARCH_LIMIT)
        {
            Ok(results) => {
                self.search.hits = results.hits;
                self.search.total = results.total;
                self.search.note = results.note;
                self.search.error = None;
            }
            Err(e) => {
                self.search.hits.clear();
                self.search.total = 0;
                self.search.error = Some(e);
            }
        }
        self.search.selected = 0;
        self.search.offset.set(0);
    }

    fn cancel(&mut self) {
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

    fn submit(&mut self) {
        match self.overlay.take() {
            Some(Overlay::Picker(p)) => {
                let Some(choice) = p
                    .matches
                    .get(p.selected)
                    .and_then(|(i, _)| p.candidates.get(*i))
                    .cloned()
                else {
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
            PickerPurpose::MoveTo { code } => {
                let from = self.study.code(&code).and_then(|c| c.parent.clone());
                let to = choice.code.clone();
                let coder = self.coder.clone();
                let result = self
                    .study
                    .move_code(&coder, &code, None, to.as_deref(), None)
                    .map(|_| ());
                if self.saved(result) {
                    self.history.record(Change::Moved {
                        code: code.clone(),
                        from,
                        to,
                    });
                    self.codebook_changed(Some(code.clone()));
                    let path = self.study.code_path(&code);
                    self.info(format!("moved: now {path}"));
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
            PickerPurpose::MergeInto { code } => {
                let Some(into) = choice.code else {
                    return;
                };
                let (from_path, into_path) =
                    (self.study.code_path(&code), self.study.code_path(&into));
                let coder = self.coder.clone();
                match self.study.merge_codes(&coder, &code, &into, None, None) {
                    Ok(moved) => {
                        self.unsaved = None;
                        // merges cannot be replayed backwards; drop changes naming the old code
                        self.codebook_changed(Some(into));
                        self.info(format!(
                            "merged {from_path} into {into_path}: {moved} segment(s) moved (the codebook history keeps it; undo does not reverse a merge)"
                        ));
                    }
                    Err(e) => self.failed(e),
                }
            }
        }
    }

    fn answered(&mut self, prompt: Prompt) {
        let answer = prompt.input.trim().to_string();
        let coder = self.coder.clone();
        match prompt.purpose {
            PromptPurpose::Add { parent, book } => {
                if answer.is_empty() {
                    return;
                }
                let path = match &parent {
                    Some(p) => format!("{}/{answer}", self.study.code_path(p)),
                    None => answer.clone(),
                };
                match self
                    .study
                    .add_code(&coder, Some(&book), &path, &Description::default(), None)
                {
                    Ok(id) => {
                        if let Some(p) = parent {
                            self.tree.collapsed.remove(&p);
                        }
                        self.codebook_changed(Some(id));
                        self.info(format!("added {path}"));
                    }
                    Err(e) => self.failed(e),
                }
            }
            PromptPurpose::Rename { code } => {
                let from = self
                    .study
                    .code(&code)
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                if answer.is_empty() || answer == from {
                    return;
                }
                match self.study.rename_code(&coder, &code, None, &answer, None) {
                    Ok(_) => {
                        self.history.record(Change::Renamed {
                            code: code.clone(),
                            from,
                            to: answer,
                        });
                        self.codebook_changed(Some(code.clone()));
                        let path = self.study.code_path(&code);
                        self.info(format!("renamed: now {path}"));
                    }
                    Err(e) => self.failed(e),
                }
            }
            PromptPurpose::Describe { code } => {
                let before = Description {
                    description: Some(
                        self.study
                            .code(&code)
                            .map(|c| c.description.clone())
                            .unwrap_or_default(),
                    ),
                    ..Description::default()
                };
                let after = Description {
                    description: Some(answer),
                    ..Description::default()
                };
                if before == after {
                    return;
                }
                match self.study.describe_code(&coder, &code, None, &after, None) {
                    Ok(_) => {
                        self.history.record(Change::Described {
                            code: code.clone(),
                            before,
                            after,
                        });
                        self.codebook_changed(Some(code));
                        self.info("description saved");
                    }
                    Err(e) => self.failed(e),
                }
            }
            PromptPurpose::Resolve { id, take, adjust } => {
                self.resolve(&id, take, adjust, &answer);
            }
            PromptPurpose::Split { code } => {
                let names: Vec<String> = answer
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .collect();
                if names.is_empty() {
                    return;
                }
                match self.study.split_code(
                    &coder,
                    &code,
                    None,
                    &names,
                    &SplitAssignment::Keep,
                    None,
                ) {
                    Ok((children, _)) => {
                        self.tree.collapsed.remove(&code);
                        self.codebook_changed(Some(code.clone()));
                        self.info(format!(
                            "split {} into {} new code(s); its segments stay on it until you recode them",
                            self.study.code_path(&code),
                            children.len()
                        ));
                    }
                    Err(e) => self.failed(e),
                }
            }
        }
    }

    // ----- mouse -----

    fn list_row(&self, pane: Pane, y: u16) -> Option<usize> {
        let rect = self.panes().rect(pane)?;
        let inner_top = rect.y + 1;
        if y < inner_top || y + 1 >= rect.bottom() {
            return None;
        }
        let row = usize::from(y - inner_top);
        let offset = match pane {
            Pane::Transcripts => self.transcripts.offset.get(),
            Pane::Codes => self.tree.offset.get(),
            _ => return None,
        };
        Some(offset + row)
    }

    /// The retrieved segment or search hit drawn at screen row `y`.
    fn entry_at(&self, pane: Pane, y: u16) -> Option<usize> {
        let rect = self.panes().rect(pane)?;
        let inner_top = rect.y + 1;
        if y < inner_top || y + 1 >= rect.bottom() {
            return None;
        }
        let row = usize::from(y - inner_top);
        match pane {
            Pane::Search => {
                let hit = self.search.offset.get() + row.checked_sub(2)? / 2;
                (hit < self.search.hits.len()).then_some(hit)
            }
            Pane::Retrieval => {
                let width = usize::from(rect.width.saturating_sub(2));
                let mut top = 0;
                for (i, r) in self
                    .retrieval
                    .rows
                    .iter()
                    .enumerate()
                    .skip(self.retrieval.offset.get())
                {
                    top += crate::tui::view::retrieval::entry_height(&r.quote, width);
                    if row < top {
                        return Some(i);
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// The byte under a screen cell of the transcript, clamped into the text area.
    fn byte_at_cell(&mut self, x: u16, y: u16) -> Option<usize> {
        let (_, text_rect) = self.transcript_viewport();
        if text_rect.width == 0 || text_rect.height == 0 {
            return None;
        }
        if y < text_rect.y {
            self.scroll(-1);
        } else if y >= text_rect.bottom() {
            self.scroll(1);
        }
        let width = usize::from(text_rect.width);
        let row = usize::from(y.clamp(text_rect.y, text_rect.bottom() - 1) - text_rect.y);
        let col = usize::from(x.saturating_sub(text_rect.x));
        let doc = self.doc.as_ref()?;
        let t = &doc.text;
        let mut pos = doc.top;
        for _ in 0..row {
            pos = doc.next_row(&t.text, pos, width)?;
        }
        Some(doc.byte_at(&t.text, pos, col, width))
    }

    fn mouse(&mut self, m: Mouse) {
        if self.overlay.is_some() {
            if let Mouse::Down(..) = m {
                self.overlay = None;
            }
            return;
        }
        let panes = self.panes();
        match m {
            Mouse::Down(x, y) => {
                let Some(pane) = panes.hit(x, y) else {
                    return;
                };
                let was = self.focus;
                self.focus(pane);
                match pane {
                    Pane::Transcript => {
                        if let Some(pos) = self.byte_at_cell(x, y) {
                            if let Some(doc) = self.doc.as_mut() {
                                doc.sel = Range::point(pos);
                                doc.goal_col = None;
                            }
                            self.dragging = true;
                        }
                    }
                    Pane::Transcripts => {
                        if let Some(row) = self.list_row(pane, y) {
                            if row < self.study.transcripts().len() {
                                if row == self.transcripts.selected && was == pane {
                                    self.open();
                                } else {
                                    self.open_transcript(row);
                                }
                            }
                        }
                    }
                    Pane::Codes => {
                        if let Some(row) = self.list_row(pane, y) {
                            if row < self.tree.rows.len() {
                                if row == self.tree.selected && was == pane {
                                    self.expand(None);
                                } else {
                                    self.tree.selected = row;
                                    let code = self.highlighted_code();
                                    if code.is_some() {
                                        self.retrieve(code);
                                    }
                                }
                            }
                        }
                    }
                    Pane::Retrieval | Pane::Search => {
                        if let Some(row) = self.entry_at(pane, y) {
                            let selected = match pane {
                                Pane::Retrieval => &mut self.retrieval.selected,
                                _ => &mut self.search.selected,
                            };
                            if *selected == row && was == pane {
                                self.open();
                            } else {
                                *selected = row;
                            }
                        }
                    }
                }
            }
            Mouse::Drag(x, y) => {
                if self.dragging {
                    if let Some(pos) = self.byte_at_cell(x, y) {
                        if let Some(doc) = self.doc.as_mut() {
                            doc.sel.head = pos;
                        }
                    }
                }
            }
            Mouse::Up(..) => self.dragging = false,
            Mouse::ScrollUp(x, y) | Mouse::ScrollDown(x, y) => {
                let by: isize = if matches!(m, Mouse::ScrollUp(..)) {
                    -3
                } else {
                    3
                };
                match panes.hit(x, y) {
                    Some(Pane::Transcript) => self.scroll(by),
                    Some(pane) => {
                        let focus = self.focus;
                        self.focus = pane;
                        self.step(by);
                        self.focus = focus;
                    }
                    None => {}
                }
            }
        }
    }
}

/// The coding-stripe gutter and the text area inside a transcript pane's borders.
pub fn text_areas(pane: Rect) -> (Rect, Rect) {
    let inner = Rect::new(
        pane.x.saturating_add(1),
        pane.y.saturating_add(1),
        pane.width.saturating_sub(2),
        pane.height.saturating_sub(2),
    );
    let stripes: u16 = match inner.width {
        w if w >= 60 => 6,
        w if w >= 24 => 3,
        _ => 0,
    };
    let gutter_w = if stripes > 0 { stripes + 1 } else { 0 };
    (
        Rect::new(inner.x, inner.y, stripes, inner.height),
        Rect::new(
            inner.x + gutter_w,
            inner.y,
            inner.width - gutter_w,
            inner.height,
        ),
    )
}

/// Rows of the help screen (for scrolling bounds).
pub fn help_len() -> usize {
    crate::tui::keymap::help_sections()
        .iter()
        .map(|(_, rows)| rows.len() + 2)
        .sum()
}

fn describe_change(study: &Study, change: &Change) -> String {
    match change {
        Change::Coded(s) => format!("coded {}", study.code_path(&s.code)),
        Change::Uncoded(s) => format!("uncoded {}", study.code_path(&s.code)),
        Change::Renamed { code, .. } => format!("renamed {}", study.code_path(code)),
        Change::Moved { code, .. } => format!("moved {}", study.code_path(code)),
        Change::Described { code, .. } => format!("described {}", study.code_path(code)),
        Change::Batch { code, passages, .. } => {
            format!(
                "auto-coded {passages} passage(s) with {}",
                study.code_path(code)
            )
        }
        Change::Unbatched { code, passages, .. } => format!(
            "removed {passages} auto-coded passage(s) of {}",
            study.code_path(code)
        ),
    }
}
