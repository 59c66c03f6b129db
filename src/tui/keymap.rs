//! The one key table: every binding of every context, with the text the help screen shows.
//! [`action_for_event`] reads it to turn terminal events into actions, and the help screen is
//! generated from it, so the two cannot disagree.

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

use crate::tui::action::{Action, Mouse, Pane, PlayerAction, Take};
use crate::tui::app::{App, Overlay};
use crate::tui::player::SEEK_STEP;
use crate::tui::selection::Motion;

/// Where a binding applies. Contexts are tried from the most specific to [`Context::Anywhere`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Always, even while typing.
    Anywhere,
    /// In every pane (not while typing into a field).
    Global,
    /// Playing the recording, in every pane (not while typing).
    Playback,
    /// The transcripts list.
    Transcripts,
    /// The code tree.
    Codes,
    /// The code tree in codebook mode.
    Codebook,
    /// The transcript.
    Transcript,
    /// The transcript in select mode.
    Select,
    /// Compare mode (two coders' spans over the transcript).
    Compare,
    /// Resolving a disagreement.
    Resolve,
    /// The retrieval pane.
    Retrieval,
    /// The search pane (typing goes into the query).
    Search,
    /// The code picker.
    Picker,
    /// A text prompt.
    Prompt,
    /// The saturation chart.
    Saturation,
    /// This help screen.
    Help,
}

impl Context {
    /// Contexts in the order the help screen lists them.
    pub const ALL: [Context; 16] = [
        Context::Anywhere,
        Context::Global,
        Context::Playback,
        Context::Transcripts,
        Context::Codes,
        Context::Codebook,
        Context::Transcript,
        Context::Select,
        Context::Compare,
        Context::Resolve,
        Context::Retrieval,
        Context::Search,
        Context::Picker,
        Context::Prompt,
        Context::Saturation,
        Context::Help,
    ];

    /// Heading on the help screen.
    pub fn heading(self) -> &'static str {
        match self {
            Context::Anywhere => "Anywhere",
            Context::Global => "Every pane",
            Context::Playback => "The recording (every pane; mpv can pause, seek and slow down)",
            Context::Transcripts => "Transcripts list",
            Context::Codes => "Code tree",
            Context::Codebook => "Code tree, codebook mode (C)",
            Context::Transcript => "Transcript (code mode)",
            Context::Select => "Transcript, select mode (v): every motion extends the selection",
            Context::Compare => "Compare mode (=): both coders' spans, their disagreements",
            Context::Resolve => "Resolving a disagreement (r in compare mode), then a reason",
            Context::Retrieval => "Retrieval",
            Context::Search => "Search",
            Context::Picker => "Code picker",
            Context::Prompt => "Prompt",
            Context::Saturation => "Saturation chart (S)",
            Context::Help => "Help",
        }
    }
}

/// A key with its modifiers. `KeyCode::Null` stands for "any character typed".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Control, Alt, Shift.
    pub mods: KeyModifiers,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn shift(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::SHIFT,
    }
}

/// Any printable character: typed into the field.
const TYPING: Key = key(KeyCode::Null);

/// One line of the key table.
#[derive(Debug, Clone)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys that trigger it.
    pub keys: &'static [Key],
    /// What it does.
    pub action: Action,
    /// What the help screen says.
    pub help: &'static str,
}

const fn bind(
    context: Context,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
    }
}

use Context as C;
use KeyCode as KC;

/// Every key binding of thema.
pub const BINDINGS: &[Binding] = &[
    bind(C::Anywhere, &[ctrl('c')], Action::Quit, "quit"),
    bind(C::Global, &[k('q')], Action::Quit, "quit"),
    bind(
        C::Global,
        &[k('?'), key(KC::F(1))],
        Action::ToggleHelp,
        "show this list of keys",
    ),
    bind(C::Global, &[key(KC::Tab)], Action::FocusNext, "next pane"),
    bind(
        C::Global,
        &[key(KC::BackTab)],
        Action::FocusPrev,
        "previous pane",
    ),
    bind(
        C::Global,
        &[k('1')],
        Action::Focus(Pane::Transcripts),
        "transcripts list",
    ),
    bind(
        C::Global,
        &[k('2')],
        Action::Focus(Pane::Codes),
        "code tree",
    ),
    bind(
        C::Global,
        &[k('3')],
        Action::Focus(Pane::Transcript),
        "transcript",
    ),
    bind(
        C::Global,
        &[k('4')],
        Action::Focus(Pane::Retrieval),
        "retrieval",
    ),
    bind(
        C::Global,
        &[k('5'), k('/')],
        Action::Focus(Pane::Search),
        "search",
    ),
    bind(C::Global, &[k('u')], Action::Undo, "undo the last change"),
    bind(C::Global, &[k('U'), ctrl('r')], Action::Redo, "redo"),
    bind(
        C::Global,
        &[k('C')],
        Action::ToggleCodebookMode,
        "codebook mode on/off",
    ),
    bind(
        C::Global,
        &[k('o')],
        Action::OpenMemo,
        "memo of the code, segment or transcript in $EDITOR",
    ),
    bind(
        C::Global,
        &[k('=')],
        Action::ToggleCompare,
        "compare two coders (team meeting) on/off",
    ),
    bind(
        C::Global,
        &[k('S'), key(KC::F(2))],
        Action::ToggleSaturation,
        "saturation chart: new codes per interview, by group",
    ),
    // playback
    bind(
        C::Playback,
        &[k('P')],
        Action::Player(PlayerAction::PlayHere),
        "play from the turn or segment under the cursor (2 s early)",
    ),
    bind(
        C::Playback,
        &[k('K')],
        Action::Player(PlayerAction::PauseResume),
        "pause / go on",
    ),
    bind(
        C::Playback,
        &[k('J')],
        Action::Player(PlayerAction::Seek(-SEEK_STEP)),
        "back 5 s",
    ),
    bind(
        C::Playback,
        &[k('L')],
        Action::Player(PlayerAction::Seek(SEEK_STEP)),
        "forward 5 s",
    ),
    bind(
        C::Playback,
        &[k('<')],
        Action::Player(PlayerAction::Slower),
        "slower (down to ×0.5)",
    ),
    bind(
        C::Playback,
        &[k('>')],
        Action::Player(PlayerAction::Faster),
        "faster (up to ×2)",
    ),
    bind(
        C::Playback,
        &[k('F')],
        Action::Player(PlayerAction::ToggleFollow),
        "the transcript follows playback on/off",
    ),
    bind(
        C::Playback,
        &[k('X')],
        Action::Player(PlayerAction::Stop),
        "stop playing",
    ),
    // transcripts list
    bind(
        C::Transcripts,
        &[k('j'), key(KC::Down)],
        Action::Down,
        "next transcript",
    ),
    bind(
        C::Transcripts,
        &[k('k'), key(KC::Up)],
        Action::Up,
        "previous transcript",
    ),
    bind(
        C::Transcripts,
        &[k('g'), key(KC::Home)],
        Action::First,
        "first",
    ),
    bind(
        C::Transcripts,
        &[k('G'), key(KC::End)],
        Action::Last,
        "last",
    ),
    bind(
        C::Transcripts,
        &[key(KC::PageDown)],
        Action::PageDown,
        "page down",
    ),
    bind(
        C::Transcripts,
        &[key(KC::PageUp)],
        Action::PageUp,
        "page up",
    ),
    bind(
        C::Transcripts,
        &[key(KC::Enter), k('l')],
        Action::Open,
        "read the transcript",
    ),
    // codebook mode (tried before the plain tree keys)
    bind(
        C::Codebook,
        &[k('a')],
        Action::AddCode,
        "add a code under this one",
    ),
    bind(
        C::Codebook,
        &[k('A')],
        Action::AddTheme,
        "add a top-level theme",
    ),
    bind(C::Codebook, &[k('r')], Action::RenameCode, "rename"),
    bind(C::Codebook, &[k('e')], Action::DescribeCode, "describe"),
    bind(
        C::Codebook,
        &[k('m')],
        Action::MoveCode,
        "move under another parent",
    ),
    bind(
        C::Codebook,
        &[k('M')],
        Action::MergeCode,
        "merge into another code",
    ),
    bind(
        C::Codebook,
        &[k('s')],
        Action::SplitCode,
        "split into new child codes",
    ),
    bind(
        C::Codebook,
        &[key(KC::Esc)],
        Action::ToggleCodebookMode,
        "leave codebook mode",
    ),
    // code tree
    bind(
        C::Codes,
        &[k('j'), key(KC::Down)],
        Action::Down,
        "next code",
    ),
    bind(
        C::Codes,
        &[k('k'), key(KC::Up)],
        Action::Up,
        "previous code",
    ),
    bind(C::Codes, &[k('g'), key(KC::Home)], Action::First, "first"),
    bind(C::Codes, &[k('G'), key(KC::End)], Action::Last, "last"),
    bind(
        C::Codes,
        &[key(KC::PageDown)],
        Action::PageDown,
        "page down",
    ),
    bind(C::Codes, &[key(KC::PageUp)], Action::PageUp, "page up"),
    bind(
        C::Codes,
        &[k('l'), key(KC::Right)],
        Action::Expand,
        "expand",
    ),
    bind(
        C::Codes,
        &[k('h'), key(KC::Left)],
        Action::Collapse,
        "collapse, or go to the parent",
    ),
    bind(
        C::Codes,
        &[k(' ')],
        Action::ToggleExpand,
        "expand or collapse",
    ),
    bind(
        C::Codes,
        &[key(KC::Enter)],
        Action::Open,
        "retrieve its segments (descendants included)",
    ),
    bind(
        C::Codes,
        &[k('c')],
        Action::ApplyHighlightedCode,
        "apply it to the transcript's selection",
    ),
    // select mode (tried before the transcript keys)
    bind(
        C::Select,
        &[k('v'), key(KC::Esc)],
        Action::ToggleSelectMode,
        "leave select mode",
    ),
    // transcript
    bind(
        C::Transcript,
        &[k('h'), key(KC::Left)],
        Action::Move(Motion::CharLeft),
        "character left",
    ),
    bind(
        C::Transcript,
        &[k('l'), key(KC::Right)],
        Action::Move(Motion::CharRight),
        "character right",
    ),
    bind(
        C::Transcript,
        &[k('w')],
        Action::Move(Motion::WordNext),
        "next word",
    ),
    bind(
        C::Transcript,
        &[k('e')],
        Action::Move(Motion::WordEnd),
        "end of word",
    ),
    bind(
        C::Transcript,
        &[k('b')],
        Action::Move(Motion::WordPrev),
        "previous word",
    ),
    bind(
        C::Transcript,
        &[k(')')],
        Action::Move(Motion::SentenceNext),
        "next sentence",
    ),
    bind(
        C::Transcript,
        &[k('(')],
        Action::Move(Motion::SentencePrev),
        "previous sentence",
    ),
    bind(
        C::Transcript,
        &[k('}')],
        Action::Move(Motion::TurnNext),
        "next turn",
    ),
    bind(
        C::Transcript,
        &[k('{')],
        Action::Move(Motion::TurnPrev),
        "previous turn",
    ),
    bind(
        C::Transcript,
        &[k('j'), key(KC::Down)],
        Action::Move(Motion::LineDown),
        "line down",
    ),
    bind(
        C::Transcript,
        &[k('k'), key(KC::Up)],
        Action::Move(Motion::LineUp),
        "line up",
    ),
    bind(
        C::Transcript,
        &[key(KC::PageDown), ctrl('d')],
        Action::Move(Motion::PageDown),
        "page down",
    ),
    bind(
        C::Transcript,
        &[key(KC::PageUp), ctrl('u')],
        Action::Move(Motion::PageUp),
        "page up",
    ),
    bind(
        C::Transcript,
        &[k('g'), key(KC::Home)],
        Action::Move(Motion::Start),
        "start of the transcript",
    ),
    bind(
        C::Transcript,
        &[k('G'), key(KC::End)],
        Action::Move(Motion::End),
        "end of the transcript",
    ),
    bind(
        C::Transcript,
        &[shift(KC::Left)],
        Action::Extend(Motion::CharLeft),
        "extend a character left",
    ),
    bind(
        C::Transcript,
        &[shift(KC::Right)],
        Action::Extend(Motion::CharRight),
        "extend a character right",
    ),
    bind(
        C::Transcript,
        &[shift(KC::Down)],
        Action::Extend(Motion::LineDown),
        "extend a line down",
    ),
    bind(
        C::Transcript,
        &[shift(KC::Up)],
        Action::Extend(Motion::LineUp),
        "extend a line up",
    ),
    bind(
        C::Transcript,
        &[k('W')],
        Action::Extend(Motion::WordEnd),
        "extend to the end of the word",
    ),
    bind(
        C::Transcript,
        &[k('B')],
        Action::Extend(Motion::WordPrev),
        "extend back a word",
    ),
    bind(
        C::Transcript,
        &[k('v')],
        Action::ToggleSelectMode,
        "select mode: motions extend",
    ),
    bind(
        C::Transcript,
        &[k('x')],
        Action::SelectTurn,
        "select the turn (again: add the next)",
    ),
    bind(
        C::Transcript,
        &[k('s')],
        Action::SelectSentence,
        "select the sentence (again: add the next)",
    ),
    bind(
        C::Transcript,
        &[k(';'), key(KC::Esc)],
        Action::CollapseSelection,
        "drop the selection",
    ),
    bind(
        C::Transcript,
        &[k('c'), key(KC::Enter)],
        Action::CodeSelection,
        "code the selection (code picker)",
    ),
    bind(
        C::Transcript,
        &[k('n')],
        Action::CodeInVivo,
        "in-vivo: new code named by the selection",
    ),
    bind(
        C::Transcript,
        &[k('d')],
        Action::Uncode,
        "uncode the segment under the cursor",
    ),
    bind(
        C::Transcript,
        &[k(']')],
        Action::NextSegment,
        "next coded segment",
    ),
    bind(
        C::Transcript,
        &[k('[')],
        Action::PrevSegment,
        "previous coded segment",
    ),
    // compare mode (tried before the transcript keys)
    bind(
        C::Compare,
        &[k('n')],
        Action::NextDisagreement,
        "next disagreement (across transcripts)",
    ),
    bind(
        C::Compare,
        &[k('p')],
        Action::PrevDisagreement,
        "previous disagreement",
    ),
    bind(
        C::Compare,
        &[k('N')],
        Action::NextOpenDisagreement,
        "next disagreement not yet resolved",
    ),
    bind(
        C::Compare,
        &[k('r'), key(KC::Enter)],
        Action::OpenResolve,
        "resolve the disagreement under the cursor",
    ),
    // resolving
    bind(
        C::Resolve,
        &[k('a')],
        Action::Resolve(Take::A),
        "take coder A's spans",
    ),
    bind(
        C::Resolve,
        &[k('b')],
        Action::Resolve(Take::B),
        "take coder B's spans",
    ),
    bind(
        C::Resolve,
        &[k('+')],
        Action::Resolve(Take::Both),
        "take both, merged where they overlap",
    ),
    bind(
        C::Resolve,
        &[k('-')],
        Action::Resolve(Take::None),
        "take neither: the code does not apply here",
    ),
    bind(
        C::Resolve,
        &[k('s')],
        Action::Resolve(Take::Adjust),
        "take the selection: a boundary the team adjusted",
    ),
    bind(C::Resolve, &[key(KC::Esc)], Action::Cancel, "cancel"),
    // retrieval
    bind(
        C::Retrieval,
        &[k('j'), key(KC::Down)],
        Action::Down,
        "next segment",
    ),
    bind(
        C::Retrieval,
        &[k('k'), key(KC::Up)],
        Action::Up,
        "previous segment",
    ),
    bind(
        C::Retrieval,
        &[k('g'), key(KC::Home)],
        Action::First,
        "first",
    ),
    bind(C::Retrieval, &[k('G'), key(KC::End)], Action::Last, "last"),
    bind(
        C::Retrieval,
        &[key(KC::PageDown)],
        Action::PageDown,
        "page down",
    ),
    bind(C::Retrieval, &[key(KC::PageUp)], Action::PageUp, "page up"),
    bind(
        C::Retrieval,
        &[key(KC::Enter)],
        Action::Open,
        "jump to the segment in its transcript",
    ),
    bind(
        C::Retrieval,
        &[k('a')],
        Action::ToggleAllCoders,
        "every coder's segments / only mine",
    ),
    // search
    bind(
        C::Search,
        &[TYPING],
        Action::Input(' '),
        "type the query; results follow as you type",
    ),
    bind(
        C::Search,
        &[key(KC::Down), ctrl('n')],
        Action::Down,
        "next hit",
    ),
    bind(
        C::Search,
        &[key(KC::Up), ctrl('p')],
        Action::Up,
        "previous hit",
    ),
    bind(
        C::Search,
        &[key(KC::PageDown)],
        Action::PageDown,
        "page down",
    ),
    bind(C::Search, &[key(KC::PageUp)], Action::PageUp, "page up"),
    bind(
        C::Search,
        &[key(KC::Enter)],
        Action::Open,
        "jump to the hit in its transcript",
    ),
    bind(
        C::Search,
        &[key(KC::Backspace)],
        Action::Backspace,
        "delete a character",
    ),
    bind(
        C::Search,
        &[ctrl('u')],
        Action::ClearInput,
        "clear the query",
    ),
    bind(C::Search, &[key(KC::Tab)], Action::FocusNext, "next pane"),
    bind(
        C::Search,
        &[key(KC::BackTab)],
        Action::FocusPrev,
        "previous pane",
    ),
    bind(
        C::Search,
        &[key(KC::Esc)],
        Action::Cancel,
        "back to the transcript",
    ),
    bind(
        C::Search,
        &[ctrl('a')],
        Action::AutoCodeHits,
        "auto-code every hit with the highlighted code (preview; again: code them)",
    ),
    bind(
        C::Search,
        &[ctrl('o')],
        Action::AutoCodeContext,
        "auto-code: widen the context (hit, sentence, paragraph, turn)",
    ),
    bind(
        C::Search,
        &[key(KC::F(2))],
        Action::ToggleSaturation,
        "saturation chart",
    ),
    // picker
    bind(
        C::Picker,
        &[TYPING],
        Action::Input(' '),
        "type to filter code paths (fuzzy)",
    ),
    bind(
        C::Picker,
        &[key(KC::Down), ctrl('n')],
        Action::Down,
        "next code",
    ),
    bind(
        C::Picker,
        &[key(KC::Up), ctrl('p')],
        Action::Up,
        "previous code",
    ),
    bind(
        C::Picker,
        &[key(KC::PageDown)],
        Action::PageDown,
        "page down",
    ),
    bind(C::Picker, &[key(KC::PageUp)], Action::PageUp, "page up"),
    bind(C::Picker, &[key(KC::Enter)], Action::Submit, "choose"),
    bind(
        C::Picker,
        &[key(KC::Backspace)],
        Action::Backspace,
        "delete a character",
    ),
    bind(
        C::Picker,
        &[ctrl('u')],
        Action::ClearInput,
        "clear the filter",
    ),
    bind(C::Picker, &[key(KC::Esc)], Action::Cancel, "cancel"),
    // prompt
    bind(C::Prompt, &[TYPING], Action::Input(' '), "type"),
    bind(C::Prompt, &[key(KC::Enter)], Action::Submit, "confirm"),
    bind(
        C::Prompt,
        &[key(KC::Backspace)],
        Action::Backspace,
        "delete a character",
    ),
    bind(C::Prompt, &[ctrl('u')], Action::ClearInput, "clear"),
    bind(C::Prompt, &[key(KC::Esc)], Action::Cancel, "cancel"),
    // saturation chart
    bind(
        C::Saturation,
        &[k('g')],
        Action::SaturationGrouping,
        "group the interviews by the next attribute (or not at all)",
    ),
    bind(
        C::Saturation,
        &[k('c')],
        Action::SaturationLayer,
        "whose codes: every coder, each coder, consensus",
    ),
    bind(
        C::Saturation,
        &[k('l')],
        Action::SaturationLevel,
        "codes as applied / rolled up to themes",
    ),
    bind(
        C::Saturation,
        &[key(KC::Esc), k('q'), k('S'), key(KC::F(2))],
        Action::Cancel,
        "close",
    ),
    // help
    bind(
        C::Help,
        &[k('j'), key(KC::Down)],
        Action::Down,
        "scroll down",
    ),
    bind(C::Help, &[k('k'), key(KC::Up)], Action::Up, "scroll up"),
    bind(
        C::Help,
        &[key(KC::PageDown), k(' ')],
        Action::PageDown,
        "page down",
    ),
    bind(C::Help, &[key(KC::PageUp)], Action::PageUp, "page up"),
    bind(C::Help, &[k('g'), key(KC::Home)], Action::First, "top"),
    bind(C::Help, &[k('G'), key(KC::End)], Action::Last, "bottom"),
    bind(
        C::Help,
        &[key(KC::Esc), k('q'), k('?'), key(KC::F(1))],
        Action::Cancel,
        "close",
    ),
];

/// The contexts active in the app's current state, most specific first.
pub fn contexts(app: &App) -> Vec<Context> {
    match &app.overlay {
        Some(Overlay::Help { .. }) => return vec![C::Help, C::Anywhere],
        Some(Overlay::Picker(_)) => return vec![C::Picker, C::Anywhere],
        Some(Overlay::Prompt(_)) => return vec![C::Prompt, C::Anywhere],
        Some(Overlay::Resolve(_)) => return vec![C::Resolve, C::Anywhere],
        Some(Overlay::Saturation(_)) => return vec![C::Saturation, C::Anywhere],
        None => {}
    }
    let mut out = match app.focus {
        Pane::Search => return vec![C::Search, C::Anywhere],
        Pane::Transcript if app.select_mode => vec![C::Select, C::Transcript],
        Pane::Transcript => vec![C::Transcript],
        Pane::Codes if app.codebook_mode => vec![C::Codebook, C::Codes],
        Pane::Codes => vec![C::Codes],
        Pane::Transcripts => vec![C::Transcripts],
        Pane::Retrieval => vec![C::Retrieval],
    };
    if app.compare.is_some() {
        // in the transcript the compare keys come first (n is in-vivo coding otherwise);
        // in the lists, after the list's own keys
        let at = match out.first() {
            Some(C::Select) => 1,
            Some(C::Transcript) => 0,
            _ => out.len(),
        };
        out.insert(at, C::Compare);
    }
    out.extend([C::Playback, C::Global, C::Anywhere]);
    out
}

fn matches(binding: &Key, event: &KeyEvent) -> Option<Option<char>> {
    let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
    match (binding.code, event.code) {
        (KC::Null, KC::Char(c)) if (event.modifiers & relevant).is_empty() => Some(Some(c)),
        (KC::Null, _) => None,
        // a character already says whether Shift was held
        (KC::Char(a), KC::Char(b)) => {
            (a == b && (binding.mods & relevant) == (event.modifiers & relevant)).then_some(None)
        }
        (KC::BackTab, KC::BackTab) => Some(None),
        (a, b) => (a == b && binding.mods == event.modifiers).then_some(None),
    }
}

/// The action a key triggers in these contexts, if any.
pub fn action_for_key(contexts: &[Context], event: &KeyEvent) -> Option<Action> {
    for context in contexts {
        for binding in BINDINGS.iter().filter(|b| b.context == *context) {
            for key in binding.keys {
                match matches(key, event) {
                    Some(Some(c)) => return Some(Action::Input(c)),
                    Some(None) => return Some(binding.action.clone()),
                    None => {}
                }
            }
        }
    }
    None
}

/// The action a terminal event triggers in the app's current state, if any.
pub fn action_for_event(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => action_for_key(&contexts(app), key),
        Event::Mouse(m) => {
            let (x, y) = (m.column, m.row);
            let mouse = match m.kind {
                MouseEventKind::Down(MouseButton::Left) => Mouse::Down(x, y),
                MouseEventKind::Drag(MouseButton::Left) => Mouse::Drag(x, y),
                MouseEventKind::Up(MouseButton::Left) => Mouse::Up(x, y),
                MouseEventKind::ScrollUp => Mouse::ScrollUp(x, y),
                MouseEventKind::ScrollDown => Mouse::ScrollDown(x, y),
                _ => return None,
            };
            Some(Action::Mouse(mouse))
        }
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        _ => None,
    }
}

/// The first key bound to `action` in `context`, as the help screen writes it: what status-bar
/// and panel hints name, so a hint cannot drift from the table.
pub fn key_for(context: Context, action: &Action) -> String {
    BINDINGS
        .iter()
        .find(|b| b.context == context && b.action == *action)
        .and_then(|b| b.keys.first())
        .map_or_else(|| "?".to_string(), key_label)
}

/// How a key is written on the help screen.
pub fn key_label(key: &Key) -> String {
    let name = match key.code {
        KC::Null => return "type…".to_string(),
        KC::Char(' ') => "Space".to_string(),
        KC::Char(c) => c.to_string(),
        KC::Left => "←".to_string(),
        KC::Right => "→".to_string(),
        KC::Up => "↑".to_string(),
        KC::Down => "↓".to_string(),
        KC::PageUp => "PgUp".to_string(),
        KC::PageDown => "PgDn".to_string(),
        KC::BackTab => "Shift-Tab".to_string(),
        KC::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    let mut out = String::new();
    if key.mods.contains(KeyModifiers::CONTROL) {
        out.push_str("Ctrl-");
    }
    if key.mods.contains(KeyModifiers::ALT) {
        out.push_str("Alt-");
    }
    if key.mods.contains(KeyModifiers::SHIFT) {
        out.push_str("Shift-");
    }
    out.push_str(&name);
    out
}

/// The help screen's content: per context, each binding's keys and text.
pub fn help_sections() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    Context::ALL
        .iter()
        .map(|context| {
            let rows = BINDINGS
                .iter()
                .filter(|b| b.context == *context)
                .map(|b| {
                    let keys: Vec<String> = b.keys.iter().map(key_label).collect();
                    (keys.join(" "), b.help)
                })
                .collect();
            (context.heading(), rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hints_name_the_keys_of_the_table() {
        use super::{key_for, Context};
        use crate::tui::action::Action;
        assert_eq!(key_for(Context::Global, &Action::ToggleHelp), "?");
        assert_eq!(key_for(Context::Compare, &Action::OpenResolve), "r");
        assert_eq!(
            key_for(Context::Compare, &Action::NextOpenDisagreement),
            "N"
        );
    }

    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn contexts_are_tried_in_order() {
        let transcript = [C::Transcript, C::Global, C::Anywhere];
        assert_eq!(
            action_for_key(&transcript, &press(KC::Char('w'), KeyModifiers::NONE)),
            Some(Action::Move(Motion::WordNext))
        );
        assert_eq!(
            action_for_key(&transcript, &press(KC::Char('q'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for_key(&transcript, &press(KC::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Move(Motion::End))
        );
        assert_eq!(
            action_for_key(&transcript, &press(KC::Left, KeyModifiers::SHIFT)),
            Some(Action::Extend(Motion::CharLeft))
        );
        let picker = [C::Picker, C::Anywhere];
        assert_eq!(
            action_for_key(&picker, &press(KC::Char('q'), KeyModifiers::NONE)),
            Some(Action::Input('q'))
        );
        assert_eq!(
            action_for_key(&picker, &press(KC::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for context in Context::ALL {
            let mut seen = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.context == context) {
                for key in b.keys {
                    assert!(!seen.contains(key), "{key:?} twice in {context:?}");
                    seen.push(*key);
                }
            }
        }
    }

    #[test]
    fn help_lists_every_binding() {
        let rows: usize = help_sections().iter().map(|(_, r)| r.len()).sum();
        assert_eq!(rows, BINDINGS.len());
    }
}
