//! Everything the application can do, as data: keys and mouse events become [`Action`]s in
//! the keymap, and `App::update` is the only place they take effect.

pub use crate::study::consensus::Take;
pub use crate::tui::player::PlayerAction;
pub use crate::tui::selection::Motion;

/// The panes of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    /// The list of transcripts.
    Transcripts,
    /// The code tree.
    Codes,
    /// The open transcript.
    Transcript,
    /// Segments of the selected code.
    Retrieval,
    /// Full-text search.
    Search,
}

impl Pane {
    /// Panes in Tab order.
    pub const ALL: [Pane; 5] = [
        Pane::Transcripts,
        Pane::Codes,
        Pane::Transcript,
        Pane::Retrieval,
        Pane::Search,
    ];

    /// The name shown in titles and help.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Transcripts => "Transcripts",
            Pane::Codes => "Codes",
            Pane::Transcript => "Transcript",
            Pane::Retrieval => "Retrieval",
            Pane::Search => "Search",
        }
    }
}

/// A mouse event in screen cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mouse {
    /// Left button pressed.
    Down(u16, u16),
    /// Moved with the left button held.
    Drag(u16, u16),
    /// Left button released.
    Up(u16, u16),
    /// Wheel up.
    ScrollUp(u16, u16),
    /// Wheel down.
    ScrollDown(u16, u16),
}

/// Everything the application can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Leave thema.
    Quit,
    /// Show or hide the list of keys.
    ToggleHelp,
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Focus one pane.
    Focus(Pane),
    /// The terminal now has this many columns and rows.
    Resize(u16, u16),
    /// Previous row of a list.
    Up,
    /// Next row of a list.
    Down,
    /// A page up in a list.
    PageUp,
    /// A page down in a list.
    PageDown,
    /// First row of a list.
    First,
    /// Last row of a list.
    Last,
    /// Open what is under the cursor (a transcript, a code's segments, a search hit).
    Open,
    /// Expand the code under the cursor.
    Expand,
    /// Collapse the code under the cursor (or go to its parent).
    Collapse,
    /// Expand or collapse the code under the cursor.
    ToggleExpand,
    /// Move the cursor (in select mode: extend the selection).
    Move(Motion),
    /// Extend the selection.
    Extend(Motion),
    /// Enter or leave select mode, where every motion extends the selection.
    ToggleSelectMode,
    /// Select the speech of the turn under the cursor (again: extend to the next turn).
    SelectTurn,
    /// Select the sentence under the cursor (again: extend to the next sentence).
    SelectSentence,
    /// Drop the selection, keeping the cursor.
    CollapseSelection,
    /// Code the selection: open the code picker.
    CodeSelection,
    /// Code the selection with a new code named by the selected words.
    CodeInVivo,
    /// Apply the code highlighted in the tree to the selection.
    ApplyHighlightedCode,
    /// Remove the segment under the cursor from this coder's layer.
    Uncode,
    /// Jump to the next coded segment.
    NextSegment,
    /// Jump to the previous coded segment.
    PrevSegment,
    /// Undo the last change of this session.
    Undo,
    /// Redo the last undone change.
    Redo,
    /// Open the memo of the code, segment or transcript in `$EDITOR`.
    OpenMemo,
    /// The editor closed: reload memos.
    MemoClosed,
    /// Enter or leave codebook mode.
    ToggleCodebookMode,
    /// Add a code under the highlighted one.
    AddCode,
    /// Add a top-level theme.
    AddTheme,
    /// Rename the highlighted code.
    RenameCode,
    /// Describe the highlighted code.
    DescribeCode,
    /// Move the highlighted code under another parent.
    MoveCode,
    /// Merge the highlighted code into another.
    MergeCode,
    /// Split the highlighted code into new child codes.
    SplitCode,
    /// Retrieval: show every coder's segments, or only this coder's.
    ToggleAllCoders,
    /// Enter compare mode (choosing two coders and a code), or leave it.
    ToggleCompare,
    /// Compare mode: jump to the next disagreement, across transcripts.
    NextDisagreement,
    /// Compare mode: jump to the previous disagreement.
    PrevDisagreement,
    /// Compare mode: jump to the next disagreement not yet resolved.
    NextOpenDisagreement,
    /// Compare mode: resolve the disagreement under the cursor (asks what to take).
    OpenResolve,
    /// Resolve the disagreement: take A's, B's, both, neither, or the selection
    /// ([`Take::Adjust`]); a prompt asks why.
    Resolve(Take),
    /// Show or hide the saturation chart.
    ToggleSaturation,
    /// Search pane: preview coding every hit with the highlighted code; again: code them.
    AutoCodeHits,
    /// Search pane: widen the previewed auto-coding's context.
    AutoCodeContext,
    /// Saturation chart: group the interviews by the next attribute.
    SaturationGrouping,
    /// Saturation chart: count the next coder's codes.
    SaturationLayer,
    /// Saturation chart: codes as applied, or rolled up to themes.
    SaturationLevel,
    /// Type a character into the picker, prompt or search field.
    Input(char),
    /// Delete the last character of the field.
    Backspace,
    /// Empty the field.
    ClearInput,
    /// Confirm the picker or prompt.
    Submit,
    /// Close the overlay, leave the mode or pane.
    Cancel,
    /// A mouse event.
    Mouse(Mouse),
    /// Play, pause, seek, slow down or follow the recording.
    Player(PlayerAction),
}
