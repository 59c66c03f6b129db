//! The terminal interface driven like a user drives it: key events through the keymap (and
//! actions straight into `App::update`), frames drawn into a `TestBackend` and kept as insta
//! snapshots, and the study's files checked after each change.

use std::path::Path;
use std::time::Instant;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use tempfile::TempDir;
use thema::model::codebook::Description;
use thema::model::Attributes;
use thema::study::coding::Span;
use thema::study::files::{save_attributes, save_transcript};
use thema::study::Study;
use thema::tui::action::{Action, Mouse, Pane};
use thema::tui::app::Overlay;
use thema::tui::keymap::{action_for_event, BINDINGS};
use thema::tui::selection::Motion;
use thema::tui::{view, App};

use crate::common;
use common::tui::{find_cell, text_of, Driver};

/// The shared TUI driver with this file's own steps.
struct Harness(Driver);

impl std::ops::Deref for Harness {
    type Target = Driver;
    fn deref(&self) -> &Driver {
        &self.0
    }
}

impl std::ops::DerefMut for Harness {
    fn deref_mut(&mut self) -> &mut Driver {
        &mut self.0
    }
}

const LW07_Y1: &str = "[Interview with LW7, first year, 3 May 2024]

[00:00:05] Interviewer: How did the referrals go this year?

[00:00:12] LW7: Honestly, the first months were hard. Half the referrals were about housing, which we can't fix. The café on Mill Street became my office.

[00:01:40] Interviewer: And transport?

[00:01:52] LW7: The 42 bus stops at six. People in Pen-y-bryn can't get to anything in the evening. That's the biggest barrier, I'd say 👍🏽 — really.
";

const LW07_Y2: &str = "Interviewer: What changed in the second year?

Siân: Trust, mostly. GPs send fewer inappropriate referrals now. Zoë at the surgery calls me before referring anyone.

Interviewer: Anything still difficult?

Siân: Transport, always transport. The community bus helps on Tuesdays.
";

const V01: &str = "[00:00:01] Interviewer: Why did you start volunteering?

[00:00:09] V1: After my husband died I was lonely. The lunch club gave me a reason to get up. Now I drive people there — and 日本語 lessons too!
";

/// A small study: three transcripts, a two-level codebook, two coders' segments, attributes.
fn build_study(dir: &Path) {
    Study::init(dir, "Link worker pilot").unwrap();
    save_transcript(dir, "LW07-y1", LW07_Y1).unwrap();
    save_transcript(dir, "LW07-y2", LW07_Y2).unwrap();
    save_transcript(dir, "V01", V01).unwrap();
    let mut attrs = Attributes::default();
    for (t, p, role, wave) in [
        ("LW07-y1", "LW7", "link worker", "first year"),
        ("LW07-y2", "LW7", "link worker", "second year"),
        ("V01", "V1", "volunteer", "first year"),
    ] {
        attrs.set(t, "participant", p);
        attrs.set(t, "role", role);
        attrs.set(t, "wave", wave);
    }
    save_attributes(dir, &attrs).unwrap();
    let mut study = Study::open(dir).unwrap();
    let mut id = |path: &str| {
        study
            .add_code(
                "r1",
                Some("link-workers"),
                path,
                &Description::default(),
                None,
            )
            .unwrap()
    };
    let transport = id("Challenges/Transport");
    let referrals = id("Challenges/Inappropriate referrals");
    let housing = id("Challenges/Housing");
    let trust = id("Outcomes/Trust");
    let lonely = id("Outcomes/Loneliness");
    let mut code = |coder: &str, t: &str, quote: &str, code: &str| {
        study
            .apply_code(coder, t, &Span::Quote(quote.to_string()), code)
            .unwrap();
    };
    code("r1", "LW07-y1", "The 42 bus stops at six.", &transport);
    code(
        "r1",
        "LW07-y1",
        "Half the referrals were about housing",
        &housing,
    );
    code("r1", "LW07-y2", "Transport, always transport.", &transport);
    code(
        "r1",
        "LW07-y2",
        "GPs send fewer inappropriate referrals now.",
        &referrals,
    );
    code("r1", "LW07-y2", "Trust, mostly.", &trust);
    code("r1", "V01", "I was lonely", &lonely);
    code(
        "r2",
        "LW07-y1",
        "The 42 bus stops at six. People in Pen-y-bryn can't get to anything in the evening.",
        &transport,
    );
    code("r2", "LW07-y2", "Trust, mostly.", &trust);
}

impl Harness {
    fn new(width: u16, height: u16) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        build_study(dir.path());
        Harness::open(dir, width, height)
    }

    fn open(dir: TempDir, width: u16, height: u16) -> Harness {
        Harness(Driver::open_as(dir, "r1", width, height))
    }

    /// Selects the first occurrence of `text` (in the first transcript holding it) by opening
    /// the transcript from the list and extending the selection character by character.
    fn select(&mut self, text: &str) {
        let t = self
            .app
            .study
            .each_transcript()
            .map(Result::unwrap)
            .find(|t| t.text.contains(text))
            .unwrap();
        let byte = t.text.find(text).unwrap();
        let start = t.index.char_of(&t.text, byte);
        let end = start + text.chars().count();
        let id = t.id.clone();
        open_at(&mut self.app, &id, start, end);
    }
}

/// Puts the cursor on `start` and extends to `end` with character motions, as Shift-→ would.
fn open_at(app: &mut App, transcript: &str, start: usize, end: usize) {
    let i = app
        .study
        .transcripts()
        .iter()
        .position(|t| t.id == transcript)
        .unwrap();
    app.update(Action::Focus(Pane::Transcripts));
    app.update(Action::First);
    for _ in 0..i {
        app.update(Action::Down);
    }
    app.update(Action::Open);
    app.update(Action::Move(Motion::Start));
    let t = app.transcript().unwrap();
    let (a, b) = (
        t.index.byte_of(&t.text, start),
        t.index.byte_of(&t.text, end),
    );
    while app.doc.as_ref().unwrap().sel.head < a {
        app.update(Action::Move(Motion::CharRight));
    }
    while app.doc.as_ref().unwrap().sel.head < b {
        app.update(Action::Extend(Motion::CharRight));
    }
}

#[test]
fn opening_draws_every_pane() {
    let mut h = Harness::new(120, 30);
    let screen = h.screen();
    insta::assert_snapshot!("opening", screen);
    assert!(screen.contains("Transcripts (3)"));
    assert!(screen.contains("Transport"));
    assert!(screen.contains("LW7: Honestly"));
    assert!(screen.contains("coder r1"));
    assert!(screen.contains("saved"));
}

#[test]
fn code_a_passage_through_the_picker_then_undo_and_redo() {
    let mut h = Harness::new(120, 30);
    // to the last turn, its second sentence, select it
    h.keys("3g}}}}");
    h.keys(")s");
    assert_eq!(
        h.app.selected_text(),
        "People in Pen-y-bryn can't get to anything in the evening."
    );
    h.keys("c");
    assert!(matches!(h.app.overlay, Some(Overlay::Picker(_))));
    h.keys("transp");
    insta::assert_snapshot!("picker_filtering", h.screen());
    h.enter();
    let coded = h.file("codings/r1.jsonl");
    assert!(
        coded.contains("\"quote\":\"People in Pen-y-bryn can't get to anything in the evening.\""),
        "{coded}"
    );
    let screen = h.screen();
    insta::assert_snapshot!("coded_via_picker", screen);
    assert!(screen.contains("saved │ coded as Challenges/Transport"));

    h.keys("u");
    assert!(!h.file("codings/r1.jsonl").contains("Pen-y-bryn"));
    let screen = h.screen();
    insta::assert_snapshot!("undo", screen);
    assert!(screen.contains("saved │ undone: uncoded Challenges/Transport"));

    h.keys("U");
    let after_redo = h.file("codings/r1.jsonl");
    assert!(after_redo.contains("Pen-y-bryn"));
    assert_eq!(after_redo, coded, "redo restores the very same segment");
    insta::assert_snapshot!("redo", h.screen());
}

#[test]
fn the_picker_filters_fuzzily_and_enter_applies_the_best_match() {
    let mut h = Harness::new(100, 24);
    h.select("The café on Mill Street became my office.");
    h.keys("c");
    h.keys("ou tr");
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!("picker not open")
    };
    let labels: Vec<&str> = p
        .matches
        .iter()
        .map(|(i, _)| p.candidates[*i].label.as_str())
        .collect();
    assert_eq!(labels.first(), Some(&"Outcomes/Trust"));
    h.enter();
    let coded = h.file("codings/r1.jsonl");
    let line = coded
        .lines()
        .find(|l| l.contains("Mill Street"))
        .expect("segment written");
    let trust = h.app.study.resolve_code("Outcomes/Trust", None).unwrap();
    assert!(line.contains(&format!("\"code\":\"{}\"", trust.id)));
    // code points, not bytes: the café's é is one
    let t = h.app.study.transcript("LW07-y1").unwrap();
    let seg = h
        .app
        .study
        .layer("r1")
        .unwrap()
        .iter()
        .find(|s| s.quote.contains("Mill Street"))
        .unwrap();
    assert_eq!(
        t.slice(seg.start, seg.end),
        "The café on Mill Street became my office."
    );
    // Esc closes a picker without coding
    h.keys("s");
    h.keys("c");
    h.esc();
    assert!(h.app.overlay.is_none());
}

#[test]
fn retrieval_lists_every_segment_of_a_code_and_its_children() {
    let mut h = Harness::new(120, 30);
    h.keys("2g");
    h.enter(); // Challenges: Housing, Inappropriate referrals, Transport beneath it
    let screen = h.screen();
    insta::assert_snapshot!("retrieval_challenges", screen);
    assert_eq!(h.app.retrieval.rows.len(), 4);
    assert!(screen.contains("(LW7, first year)"));
    assert!(screen.contains("(LW7, second year)"));
    // the second coder's segments join on demand
    h.keys("a");
    assert_eq!(h.app.retrieval.rows.len(), 5);
    h.keys("a");
    // Enter jumps to the segment's place in its transcript
    h.keys("jjj");
    h.enter();
    assert_eq!(h.app.focus, Pane::Transcript);
    assert_eq!(h.app.transcript().unwrap().id, "LW07-y2");
    assert_eq!(h.app.selected_text(), "Transport, always transport.");
}

#[test]
fn in_vivo_coding_creates_the_code_under_the_chosen_parent() {
    let mut h = Harness::new(120, 30);
    h.select("The lunch club");
    h.keys("n");
    // the name is asked first, prefilled with the selected words
    let Some(Overlay::Prompt(p)) = &h.app.overlay else {
        panic!("no name prompt")
    };
    assert_eq!(p.input, "The lunch club");
    h.enter();
    h.keys("outcomes");
    h.enter();
    let codebook = h.file("codebooks/link-workers.json");
    assert!(
        codebook.contains("\"name\": \"The lunch club\""),
        "{codebook}"
    );
    let id = h
        .app
        .study
        .resolve_code("Outcomes/The lunch club", None)
        .unwrap()
        .id
        .clone();
    assert!(h
        .file("codings/r1.jsonl")
        .contains(&format!("\"code\":\"{id}\"")));
    assert!(h
        .file("codebooks/link-workers.log.jsonl")
        .contains("The lunch club"));
    let screen = h.screen();
    insta::assert_snapshot!("in_vivo", screen);
    assert!(screen.contains("The lunch club"));
}

#[test]
fn codebook_mode_renames_through_the_framework() {
    let mut h = Harness::new(120, 30);
    h.keys("C");
    assert_eq!(h.app.focus, Pane::Codes);
    h.keys("jjj"); // Transport
    assert_eq!(
        h.app.study.code_path(&h.app.highlighted_code().unwrap()),
        "Challenges/Transport"
    );
    h.keys("r");
    h.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.keys("Buses and trains");
    h.enter();
    let log = h.file("codebooks/link-workers.log.jsonl");
    let last = log.lines().last().unwrap();
    assert!(last.contains("\"op\":\"rename\""), "{last}");
    assert!(last.contains("\"to\":\"Buses and trains\""), "{last}");
    let screen = h.screen();
    insta::assert_snapshot!("codebook_rename", screen);
    assert!(screen.contains("Buses and trains"));
    // undo renames it back, through the framework again
    h.keys("u");
    assert!(h
        .file("codebooks/link-workers.log.jsonl")
        .lines()
        .last()
        .unwrap()
        .contains("\"to\":\"Transport\""));
}

#[test]
fn codebook_mode_adds_describes_moves_merges_and_splits() {
    let mut h = Harness::new(120, 30);
    h.keys("C");
    // add a child under Challenges
    h.keys("a");
    h.keys("Stigma");
    h.enter();
    assert!(h.app.study.resolve_code("Challenges/Stigma", None).is_ok());
    // describe it
    h.keys("e");
    h.keys("Being judged for asking for help");
    h.enter();
    let stigma = h.app.study.resolve_code("Challenges/Stigma", None).unwrap();
    assert_eq!(stigma.description, "Being judged for asking for help");
    // move it to Outcomes
    h.keys("m");
    h.keys("outcomes");
    h.enter();
    assert!(h.app.study.resolve_code("Outcomes/Stigma", None).is_ok());
    // merge it into Trust
    h.keys("M");
    h.keys("trust");
    h.enter();
    assert!(h.app.study.resolve_code("Outcomes/Stigma", None).is_err());
    // split Trust into two children
    h.keys("s");
    h.keys("Trust in GPs, Trust in the service");
    h.enter();
    assert!(h
        .app
        .study
        .resolve_code("Outcomes/Trust/Trust in GPs", None)
        .is_ok());
    let log = h.file("codebooks/link-workers.log.jsonl");
    for op in ["add", "describe", "move", "merge", "split"] {
        assert!(
            log.contains(&format!("\"op\":\"{op}\"")),
            "no {op} in {log}"
        );
    }
}

#[test]
fn uncode_removes_the_segment_under_the_cursor() {
    let mut h = Harness::new(120, 30);
    h.select("Trust");
    // collapse onto the start of the segment
    h.keys(";");
    h.open_transcript_position_check();
    h.keys("d");
    let coded = h.file("codings/r1.jsonl");
    assert!(!coded.contains("Trust, mostly."), "{coded}");
    assert!(
        h.file("codings/r2.jsonl").contains("Trust, mostly."),
        "r2 is untouched"
    );
    h.keys("u");
    assert!(h.file("codings/r1.jsonl").contains("Trust, mostly."));
}

impl Harness {
    fn open_transcript_position_check(&self) {
        assert_eq!(self.app.transcript().unwrap().id, "LW07-y2");
    }
}

#[test]
fn help_lists_every_key_of_the_table() {
    let mut h = Harness::new(120, 40);
    h.keys("?");
    let screen = h.screen();
    insta::assert_snapshot!("help", screen);
    assert!(screen.contains("show this list of keys"));
    // every binding appears somewhere in the (scrolling) help
    let all: Vec<String> = thema::tui::view::help::lines(200)
        .iter()
        .map(|l| l.to_string())
        .collect();
    for b in BINDINGS {
        assert!(all.iter().any(|l| l.contains(b.help)), "{} missing", b.help);
    }
    h.esc();
    assert!(h.app.overlay.is_none());
}

#[test]
fn small_and_huge_terminals() {
    let mut h = Harness::new(40, 12);
    insta::assert_snapshot!("terminal_40x12", h.screen());
    h.keys("2");
    insta::assert_snapshot!("terminal_40x12_codes", h.screen());
    h.resize(200, 60);
    h.keys("3");
    insta::assert_snapshot!("terminal_200x60", h.screen());
    for (w, h2) in [(1, 1), (2, 3), (10, 4), (20, 8), (79, 23), (0, 0)] {
        h.resize(w.max(1), h2.max(1));
        h.screen();
    }
}

#[test]
fn mouse_drag_selects_and_codes() {
    let mut h = Harness::new(120, 30);
    h.screen();
    let (_, text) = h.app.transcript_viewport();
    // row 0 of the transcript is the note; drag across the first words of the note
    h.app.update(Action::Mouse(Mouse::Down(text.x + 1, text.y)));
    h.app
        .update(Action::Mouse(Mouse::Drag(text.x + 10, text.y)));
    h.app.update(Action::Mouse(Mouse::Up(text.x + 10, text.y)));
    assert_eq!(h.app.selected_text(), "Interview");
}

#[test]
fn a_second_process_for_the_same_coder_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    build_study(dir.path());
    let mut first = Study::open(dir.path()).unwrap();
    first.lock("r1").unwrap();
    let mut h = Harness::open(dir, 100, 20);
    let screen = h.screen();
    assert!(
        screen.contains("read-only: r1 is open in another process"),
        "{screen}"
    );
    let before = h.file("codings/r1.jsonl");
    h.select("Honestly");
    h.keys("c");
    h.enter();
    assert_eq!(h.file("codings/r1.jsonl"), before, "nothing written");
    drop(first);
}

#[test]
fn search_finds_as_you_type_and_jumps() {
    let mut h = Harness::new(120, 30);
    h.keys("/");
    h.keys("transport");
    // two turns and r1's segment hold the word
    assert_eq!(h.app.search.total, 3);
    let screen = h.screen();
    insta::assert_snapshot!("search", screen);
    assert!(screen.contains("coded Transpo"));
    // the turn hit jumps to the matched word in its transcript
    let turn_hit = h
        .app
        .search
        .hits
        .iter()
        .position(|hit| hit.transcript == "LW07-y1")
        .unwrap();
    for _ in 0..turn_hit {
        h.press(KeyCode::Down, KeyModifiers::NONE);
    }
    h.enter();
    assert_eq!(h.app.focus, Pane::Transcript);
    assert_eq!(h.app.transcript().unwrap().id, "LW07-y1");
    assert_eq!(h.app.selected_text(), "transport");
    // the index follows new codings: code it, and code: finds it
    h.keys("c");
    h.keys("trust");
    h.enter();
    h.keys("/");
    h.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.keys("code:/outcomes/trust");
    assert!(
        h.app
            .search
            .hits
            .iter()
            .any(|hit| hit.snippet.contains("transport")),
        "{:?}",
        h.app.search.hits
    );
    // a query the index cannot read says why, and nothing breaks
    h.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.keys("\"unclosed");
    assert!(h.app.search.error.is_some());
    h.screen();
}

#[test]
fn motions_move_by_word_sentence_and_turn() {
    let mut h = Harness::new(120, 30);
    h.select("Honestly");
    h.keys(";");
    h.keys("b"); // back to the start of Honestly
    h.keys("W");
    assert_eq!(h.app.selected_text(), "Honestly");
    h.keys(";w");
    h.keys("vee");
    assert_eq!(h.app.selected_text(), "the first");
    h.esc();
    h.keys("x");
    assert!(h.app.selected_text().starts_with("Honestly"));
    assert!(h.app.selected_text().ends_with("my office."));
    h.keys("x"); // adds the next turn
    assert!(h.app.selected_text().ends_with("And transport?"));
    h.keys(";{");
    assert_eq!(h.app.doc.as_ref().unwrap().sel.head, {
        let t = h.app.transcript().unwrap();
        t.text.find("And transport?").unwrap()
    });
}

/// A tiny deterministic random number generator (xorshift), so failures can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_event(rng: &mut Rng, width: u16, height: u16) -> Event {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let keys: Vec<_> = BINDINGS.iter().flat_map(|b| b.keys.iter()).collect();
    match rng.below(10) {
        0..=5 => {
            let key = keys[rng.below(keys.len())];
            let code = match key.code {
                KeyCode::Null => KeyCode::Char('x'),
                other => other,
            };
            Event::Key(KeyEvent::new(code, key.mods))
        }
        6 => {
            let chars = ['a', 'Z', ' ', 'é', '日', '👍', '/', ',', '-', '1', 'q'];
            Event::Key(KeyEvent::new(
                KeyCode::Char(chars[rng.below(chars.len())]),
                KeyModifiers::NONE,
            ))
        }
        7 | 8 => {
            let kinds = [
                MouseEventKind::Down(MouseButton::Left),
                MouseEventKind::Drag(MouseButton::Left),
                MouseEventKind::Up(MouseButton::Left),
                MouseEventKind::ScrollUp,
                MouseEventKind::ScrollDown,
            ];
            Event::Mouse(MouseEvent {
                kind: kinds[rng.below(kinds.len())],
                column: rng.below(usize::from(width) + 3) as u16,
                row: rng.below(usize::from(height) + 3) as u16,
                modifiers: KeyModifiers::NONE,
            })
        }
        _ => {
            let sizes = [
                (40, 12),
                (1, 1),
                (3, 2),
                (80, 24),
                (120, 30),
                (200, 60),
                (17, 9),
            ];
            let (w, h) = sizes[rng.below(sizes.len())];
            Event::Resize(w, h)
        }
    }
}

/// Puts the app into the mode a random run starts from.
type Setup = fn(&mut App);

/// Compare mode from scratch: `=`, then the pickers' first choices (r1, r2, every code).
fn start_compare(app: &mut App) {
    app.compare = None;
    app.update(Action::ToggleCompare);
    for _ in 0..3 {
        app.update(Action::Submit);
    }
    assert!(app.compare.is_some(), "{:?}", app.message);
}

#[test]
fn thousands_of_random_events_in_every_mode_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    build_study(dir.path());
    let study = Study::open(dir.path()).unwrap();
    let mut app = App::new(study, "r1".to_string());
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let setups: [(&str, Setup); 14] = [
        ("code", |_| {}),
        ("select", |a| a.update(Action::ToggleSelectMode)),
        ("codebook", |a| a.update(Action::ToggleCodebookMode)),
        ("picker", |a| {
            a.update(Action::SelectTurn);
            a.update(Action::CodeSelection);
        }),
        ("in-vivo", |a| {
            a.update(Action::SelectSentence);
            a.update(Action::CodeInVivo);
        }),
        ("prompt", |a| {
            a.update(Action::ToggleCodebookMode);
            a.update(Action::RenameCode);
        }),
        ("help", |a| a.update(Action::ToggleHelp)),
        ("search", |a| a.update(Action::Focus(Pane::Search))),
        ("retrieval", |a| a.update(Action::Focus(Pane::Retrieval))),
        ("transcripts", |a| {
            a.update(Action::Focus(Pane::Transcripts))
        }),
        // compare mode: r1 (A), r2 (B), every code, through the three pickers
        ("compare", start_compare),
        ("compare-select", |a| {
            start_compare(a);
            a.update(Action::ToggleSelectMode);
        }),
        ("resolve", |a| {
            start_compare(a);
            a.update(Action::NextDisagreement);
            a.update(Action::OpenResolve);
        }),
        ("saturation", |a| a.update(Action::ToggleSaturation)),
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut sent = 0;
    for (name, setup) in setups {
        app.overlay = None;
        app.update(Action::Focus(Pane::Transcript));
        setup(&mut app);
        for step in 0..2_000 {
            let (w, h) = (app.area.width.max(1), app.area.height.max(1));
            let event = random_event(&mut rng, w, h);
            if let Event::Resize(w, h) = event {
                terminal.backend_mut().resize(w, h);
            }
            if let Some(action) = action_for_event(&app, &event) {
                app.update(action);
            }
            app.quit = false;
            let _ = app.take_editor_request();
            terminal
                .draw(|f| view::draw(f, &app))
                .unwrap_or_else(|e| panic!("{name} step {step}: {e}"));
            sent += 1;
        }
    }
    assert_eq!(sent, 28_000);
    // whatever happened, the coder's file still parses
    Study::open(dir.path()).unwrap();
}

#[test]
fn a_200_000_word_transcript_lays_out_only_what_is_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    Study::init(dir.path(), "Big").unwrap();
    let words = [
        "the", "bus", "stops", "at", "six", "and", "people", "café", "can't", "get", "home",
        "Siân", "said",
    ];
    let mut text = String::new();
    let mut n = 0;
    for turn in 0..2_000 {
        let speaker = if turn % 2 == 0 { "Interviewer" } else { "P1" };
        text.push_str(&format!(
            "[00:{:02}:{:02}] {speaker}:",
            turn / 60 % 60,
            turn % 60
        ));
        for w in 0..100 {
            text.push(' ');
            text.push_str(words[(turn * 7 + w) % words.len()]);
            n += 1;
            if w % 17 == 16 {
                text.push('.');
            }
        }
        text.push_str(".\n\n");
    }
    assert_eq!(n, 200_000);
    save_transcript(dir.path(), "big", &text).unwrap();
    let opened = Instant::now();
    let study = Study::open(dir.path()).unwrap();
    let mut app = App::new(study, "r1".to_string());
    app.update(Action::Resize(200, 60));
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    terminal.draw(|f| view::draw(f, &app)).unwrap();
    eprintln!("open to first frame: {:?}", opened.elapsed());
    let (_, viewport) = app.transcript_viewport();
    let rows = usize::from(viewport.height);
    // a turn of 100 words wraps into a handful of lines at this width
    let longest_turn = 12;
    let bound = 2 * rows + 2 * longest_turn;
    // each key press, from wherever the previous one left the cursor
    let presses = [
        Action::Move(Motion::End),
        Action::Move(Motion::PageUp),
        Action::Move(Motion::PageUp),
        Action::Move(Motion::Start),
        Action::Move(Motion::PageDown),
        Action::Move(Motion::PageDown),
        Action::Move(Motion::TurnNext),
        Action::Move(Motion::LineDown),
        Action::Move(Motion::WordNext),
        Action::Move(Motion::SentenceNext),
        Action::Extend(Motion::LineDown),
        Action::SelectTurn,
        Action::Mouse(Mouse::ScrollDown(viewport.x + 5, viewport.y + 5)),
        Action::Move(Motion::End),
        Action::Move(Motion::LineUp),
    ];
    let mut slowest = std::time::Duration::ZERO;
    for action in presses {
        app.reset_layout_count();
        let started = Instant::now();
        app.update(action.clone());
        terminal.draw(|f| view::draw(f, &app)).unwrap();
        let took = started.elapsed();
        slowest = slowest.max(took);
        let laid_out = app.laid_out_lines();
        assert!(
            laid_out <= bound,
            "{action:?} laid out {laid_out} lines for a {rows}-row viewport"
        );
    }
    // timing is reported, not asserted: it depends on the machine and the build profile
    eprintln!("slowest key press to frame: {slowest:?} (bound on laid-out lines: {bound})");
}

#[test]
fn memos_are_created_linked_and_handed_to_the_editor() {
    let mut h = Harness::new(120, 30);
    h.keys("2jjj"); // Challenges/Transport
    h.keys("o");
    let path = h.app.take_editor_request().expect("an editor request");
    let text = std::fs::read_to_string(&path).unwrap();
    let transport = h
        .app
        .study
        .resolve_code("Challenges/Transport", None)
        .unwrap();
    assert!(text.contains(&format!("code: {}", transport.id)), "{text}");
    assert!(text.contains("title: Challenges/Transport"), "{text}");
    // the same code opens the same memo again
    h.keys("o");
    assert_eq!(h.app.take_editor_request(), Some(path.clone()));
    // what the editor wrote is read back when it closes
    std::fs::write(&path, format!("{text}Buses stop at six everywhere.\n")).unwrap();
    h.app.update(Action::MemoClosed);
    assert!(h
        .app
        .study
        .memos
        .iter()
        .any(|m| m.body.contains("Buses stop at six")));
}

#[test]
fn an_empty_study_opens_and_takes_its_first_theme() {
    let dir = tempfile::tempdir().unwrap();
    Study::init(dir.path(), "Empty").unwrap();
    let mut h = Harness::open(dir, 80, 20);
    let screen = h.screen();
    assert!(screen.contains("Empty"), "{screen}");
    h.keys("2");
    assert!(h.screen().contains("no codes yet"));
    h.keys("cnx");
    h.keys("CA");
    h.keys("Belonging");
    h.enter();
    assert!(h.app.study.resolve_code("Belonging", None).is_ok());
    assert!(h.screen().contains("Belonging"));
}

#[test]
fn spans_take_their_code_colour_labels_bold_timestamps_dim() {
    use ratatui::style::{Color, Modifier};
    let mut h = Harness::new(120, 30);
    h.screen();
    let buffer = h.terminal.backend().buffer().clone();
    let transport = h
        .app
        .study
        .resolve_code("Challenges/Transport", None)
        .unwrap();
    let hex = &transport.color;
    let rgb = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
    let colour = Color::Rgb(rgb(1), rgb(3), rgb(5));
    let (x, y) = find_cell(&buffer, "LW7: The 42 bus");
    let x = x + 5; // "The"
    assert_eq!(buffer[(x, y)].bg, colour, "coded text in the code's colour");
    // its stripe in the gutter, same colour
    let stripe = (0..x).find(|&sx| buffer[(sx, y)].symbol() == "▌").unwrap();
    assert_eq!(buffer[(stripe, y)].fg, colour);
    let (x, y) = find_cell(&buffer, "LW7: The 42");
    assert!(
        buffer[(x, y)].modifier.contains(Modifier::BOLD),
        "speaker bold"
    );
    let (x, y) = find_cell(&buffer, "[00:01:52]");
    assert!(
        buffer[(x, y)].modifier.contains(Modifier::DIM),
        "timestamp dim"
    );
    // a selection is drawn reversed
    h.select("became my office");
    h.screen();
    let buffer = h.terminal.backend().buffer().clone();
    let (x, y) = find_cell(&buffer, "my office");
    assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn a_codebook_changed_by_another_coder_is_reloaded_not_clobbered() {
    let mut h = Harness::new(120, 30);
    // another coder's process adds a code meanwhile
    let mut other = Study::open(h.dir.path()).unwrap();
    other
        .add_code(
            "r2",
            Some("link-workers"),
            "Outcomes/Confidence",
            &Description::default(),
            None,
        )
        .unwrap();
    drop(other);
    h.keys("Cjjj"); // Transport
    h.keys("r");
    h.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.keys("Buses");
    h.enter();
    let screen = h.screen();
    assert!(screen.contains("changed on disk"), "{screen}");
    let codebook = h.file("codebooks/link-workers.json");
    assert!(
        codebook.contains("Confidence"),
        "the other coder's code survives"
    );
    assert!(!codebook.contains("Buses"), "nothing written over it");
    // the study was reloaded: the same rename now goes through, and both changes are kept
    assert!(h.screen().contains("Confidence"));
    assert!(h.app.codebook_mode, "still in codebook mode");
    let transport = h
        .app
        .study
        .resolve_code("Challenges/Transport", None)
        .unwrap()
        .id
        .clone();
    let row = h
        .app
        .tree
        .rows
        .iter()
        .position(|r| r.code.as_deref() == Some(transport.as_str()))
        .unwrap();
    h.app.update(Action::First);
    for _ in 0..row {
        h.app.update(Action::Down);
    }
    h.keys("r");
    h.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.keys("Buses");
    h.enter();
    let codebook = h.file("codebooks/link-workers.json");
    assert!(codebook.contains("Confidence") && codebook.contains("Buses"));
    assert!(
        h.file("codings/r1.jsonl").contains("The 42 bus"),
        "codings intact"
    );
}

#[test]
fn several_codebooks_show_as_headings_and_in_vivo_asks_which() {
    let mut h = Harness::new(120, 30);
    h.app
        .study
        .add_code(
            "r1",
            Some("volunteers"),
            "Motives/Loneliness",
            &Description::default(),
            None,
        )
        .unwrap();
    h.app.reload();
    let screen = h.screen();
    assert!(screen.contains("link-workers"), "{screen}");
    assert!(screen.contains("volunteers"), "{screen}");
    h.select("The lunch club");
    h.keys("n");
    h.enter();
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!("no picker")
    };
    assert!(p
        .candidates
        .iter()
        .any(|c| c.label == "(top level of volunteers)"));
    h.keys("volunteers motives");
    h.enter();
    assert!(h
        .app
        .study
        .resolve_code("Motives/The lunch club", Some("volunteers"))
        .is_ok());
}

#[test]
fn clicking_a_retrieved_segment_twice_jumps_to_it() {
    let mut h = Harness::new(120, 30);
    h.keys("2g");
    h.enter();
    h.screen();
    let rect = h.app.panes().right.unwrap();
    // the second entry starts below the first one's header and quote lines
    let text = text_of(h.terminal.backend().buffer());
    let y = text
        .lines()
        .position(|l| l.contains("(LW7, first year) ¶4"))
        .unwrap() as u16;
    h.app.update(Action::Mouse(Mouse::Down(rect.x + 5, y)));
    assert_eq!(h.app.retrieval.list.selected, 1);
    h.app.update(Action::Mouse(Mouse::Down(rect.x + 5, y)));
    assert_eq!(h.app.focus, Pane::Transcript);
    assert_eq!(h.app.selected_text(), "The 42 bus stops at six.");
}

/// Moves the tree's highlight to the code at `path`.
fn highlight(h: &mut Harness, path: &str) {
    let id = h.app.study.resolve_code(path, None).unwrap().id.clone();
    let row = h
        .app
        .tree
        .rows
        .iter()
        .position(|r| r.code.as_deref() == Some(id.as_str()))
        .unwrap();
    h.app.tree.list.selected = row;
}

#[test]
fn undo_after_a_codebook_merge_says_why_and_goes_on_past_it() {
    // #21: `u` was stuck after a merge ("no code …") — the history still named the merged code
    let mut h = Harness::new(120, 30);
    h.select("The café on Mill Street became my office.");
    h.keys("c");
    h.keys("housing");
    h.enter();
    assert!(h.file("codings/r1.jsonl").contains("Mill Street"));
    h.keys("C");
    highlight(&mut h, "Challenges/Housing");
    // a change to the code merged away, which undo used to retry for ever
    h.keys("e");
    h.type_text("About housing");
    h.enter();
    h.keys("M");
    h.keys("transport");
    h.enter();
    assert!(h
        .app
        .study
        .resolve_code("Challenges/Housing", None)
        .is_err());
    let transport = h
        .app
        .study
        .resolve_code("Challenges/Transport", None)
        .unwrap()
        .id
        .clone();
    // the merge itself cannot be undone, and says so
    h.keys("u");
    let m = h.app.message.clone().unwrap();
    assert!(m.error, "{m:?}");
    assert!(
        m.text
            .contains("cannot undo merging Challenges/Housing into Challenges/Transport"),
        "{m:?}"
    );
    assert!(h.file("codings/r1.jsonl").contains("Mill Street"));
    // the description of the code merged away is gone with it; the coding before it can still
    // be undone, and redone under the code it was merged into (not the deleted code's id)
    h.keys("u");
    let m = h.app.message.clone().unwrap();
    assert!(!m.error, "{m:?}");
    assert!(!h.file("codings/r1.jsonl").contains("Mill Street"), "{m:?}");
    h.keys("U");
    let m = h.app.message.clone().unwrap();
    assert!(!m.error, "{m:?}");
    let coded = h.file("codings/r1.jsonl");
    let line = coded.lines().find(|l| l.contains("Mill Street")).unwrap();
    assert!(
        line.contains(&format!("\"code\":\"{transport}\"")),
        "{line}"
    );
}

#[test]
fn undoing_an_in_vivo_coding_removes_the_code_it_created() {
    // #21: undo left the new code behind
    let mut h = Harness::new(120, 30);
    h.select("The lunch club");
    h.keys("n");
    h.enter();
    h.keys("outcomes");
    h.enter();
    let id = h
        .app
        .study
        .resolve_code("Outcomes/The lunch club", None)
        .unwrap()
        .id
        .clone();
    h.keys("u");
    assert!(
        h.app
            .study
            .resolve_code("Outcomes/The lunch club", None)
            .is_err(),
        "{:?}",
        h.app.message
    );
    assert!(!h
        .file("codebooks/link-workers.json")
        .contains("The lunch club"));
    assert!(!h.file("codings/r1.jsonl").contains("The lunch club"));
    let screen = h.screen();
    assert!(
        screen.contains("undone: uncoded Outcomes/The lunch club, removed the code The lunch club"),
        "{screen}"
    );
    // redo brings back the very same code and segment
    h.keys("U");
    assert_eq!(
        h.app
            .study
            .resolve_code("Outcomes/The lunch club", None)
            .unwrap()
            .id,
        id
    );
    assert!(h
        .file("codings/r1.jsonl")
        .contains(&format!("\"code\":\"{id}\"")));
}

#[test]
fn undoing_an_in_vivo_coding_keeps_the_code_when_another_coder_uses_it() {
    let mut h = Harness::new(120, 30);
    h.select("The lunch club");
    h.keys("n");
    h.enter();
    h.keys("outcomes");
    h.enter();
    let id = h
        .app
        .study
        .resolve_code("Outcomes/The lunch club", None)
        .unwrap()
        .id
        .clone();
    h.app
        .study
        .apply_code("r2", "V01", &Span::Quote("The lunch club".into()), &id)
        .unwrap();
    h.keys("u");
    assert!(!h.file("codings/r1.jsonl").contains(&id));
    assert!(h.file("codings/r2.jsonl").contains(&id));
    assert!(h
        .app
        .study
        .resolve_code("Outcomes/The lunch club", None)
        .is_ok());
    let m = h.app.message.clone().unwrap();
    assert!(
        m.text
            .contains("kept the code The lunch club: other segments use it"),
        "{m:?}"
    );
}

#[test]
fn the_in_vivo_name_can_be_edited_before_the_code_is_created() {
    // #21: the name came from the selection with no chance to change it
    let mut h = Harness::new(120, 30);
    h.select("The lunch club gave me a reason to get up.");
    h.keys("n");
    let Some(Overlay::Prompt(p)) = &h.app.overlay else {
        panic!("no name prompt: {:?}", h.app.overlay)
    };
    assert_eq!(p.input, "The lunch club gave me a reason to get up");
    h.press(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("A reason to get up");
    h.enter();
    h.keys("outcomes");
    h.enter();
    let code = h
        .app
        .study
        .resolve_code("Outcomes/A reason to get up", None)
        .unwrap()
        .id
        .clone();
    assert!(h
        .file("codings/r1.jsonl")
        .contains(&format!("\"code\":\"{code}\"")));
    assert!(!h
        .file("codebooks/link-workers.json")
        .contains("The lunch club gave"));
}
