//! Compare mode on a small study whose every span is known: which characters show as both /
//! only A / only B, walking the disagreements with n, p and N, resolving them (also with an
//! adjusted boundary) into the consensus layer, the panel's figures against `thema agree`, and
//! comparing a coder with the consensus layer.

use std::path::Path;

use assert_cmd::Command;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use serde_json::Value;
use thema::model::codebook::Description;
use thema::model::Attributes;
use thema::study::coding::Span;
use thema::study::files::{save_attributes, save_transcript};
use thema::study::Study;
use thema::tui::action::{Action, Pane};
use thema::tui::app::{Mode, Overlay};
use thema::tui::compare::{coverage_at, Coverage, LayerSpan};
use thema::tui::keymap::{action_for_event, contexts};
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

const T1: &str = "Interviewer: How do people get to the groups?

LW7: The 42 bus stops at six. People in Pen-y-bryn can't get to anything in the evening. Most of them don't drive.

Interviewer: And the surgery?

LW7: Trust, mostly. GPs send fewer inappropriate referrals now.
";

const T2: &str = "Interviewer: What changed?

V1: The lunch club gave me a reason to get up. I was lonely before.
";

/// Two transcripts, four codes; r1 and r2 agree on Trust, differ on Transport's boundary,
/// r1 alone coded Referrals and r2 alone coded Loneliness.
fn build(dir: &Path) {
    Study::init(dir, "Compare").unwrap();
    save_transcript(dir, "LW07", T1).unwrap();
    save_transcript(dir, "V01", T2).unwrap();
    let mut attrs = Attributes::default();
    for (t, p, role) in [("LW07", "LW7", "link worker"), ("V01", "V1", "volunteer")] {
        attrs.set(t, "participant", p);
        attrs.set(t, "role", role);
    }
    save_attributes(dir, &attrs).unwrap();
    let mut study = Study::open(dir).unwrap();
    let mut add = |path: &str| {
        study
            .add_code("r1", Some("codes"), path, &Description::default(), None)
            .unwrap()
    };
    let transport = add("Challenges/Transport");
    let referrals = add("Challenges/Referrals");
    let trust = add("Outcomes/Trust");
    let lonely = add("Outcomes/Loneliness");
    let mut code = |coder: &str, t: &str, quote: &str, code: &str| {
        study
            .apply_code(coder, t, &Span::Quote(quote.to_string()), code)
            .unwrap();
    };
    code("r1", "LW07", "The 42 bus stops at six.", &transport);
    code(
        "r2",
        "LW07",
        "The 42 bus stops at six. People in Pen-y-bryn can't get to anything in the evening.",
        &transport,
    );
    code("r1", "LW07", "Trust, mostly.", &trust);
    code("r2", "LW07", "Trust, mostly.", &trust);
    code(
        "r1",
        "LW07",
        "GPs send fewer inappropriate referrals now.",
        &referrals,
    );
    code(
        "r1",
        "V01",
        "The lunch club gave me a reason to get up.",
        &transport,
    );
    code("r2", "V01", "I was lonely before.", &lonely);
}

impl Harness {
    fn new(width: u16, height: u16) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        build(dir.path());
        Harness(Driver::open_as(dir, "chair", width, height))
    }

    fn compare(&mut self, a: &str, b: &str, code: &str) {
        self.keys("=");
        for answer in [a, b, code] {
            assert!(matches!(self.app.overlay, Some(Overlay::Picker(_))));
            self.type_text(answer);
            self.enter();
        }
        assert!(self.app.compare.is_some(), "{:?}", self.app.message);
    }

    fn message(&self) -> String {
        self.app
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }

    fn log(&self) -> Vec<Value> {
        self.jsonl("codings/consensus.log.jsonl")
    }

    fn consensus(&self) -> Vec<Value> {
        self.jsonl("codings/consensus.jsonl")
    }

    /// Code points of the first occurrence of `text` in transcript `id`.
    fn span_of(&self, id: &str, text: &str) -> (usize, usize) {
        let t = self.app.study.transcript(id).unwrap();
        let start = t.text[..t.text.find(text).unwrap()].chars().count();
        (start, start + text.chars().count())
    }
}

#[test]
fn both_only_a_and_only_b_are_drawn_apart() {
    let mut h = Harness::new(120, 30);
    h.compare("r1", "r2", "every");
    let compare = h.app.compare.as_ref().unwrap();
    assert_eq!(compare.code, None);
    assert_eq!((compare.a.as_str(), compare.b.as_str()), ("r1", "r2"));
    // Transport in LW07 (boundary), Referrals in LW07 (only r1), and in V01 Transport (only r1)
    // and Loneliness (only r2)
    let kinds: Vec<(String, String)> = compare
        .list
        .iter()
        .map(|d| (d.transcript.clone(), compare.kind_label(d)))
        .collect();
    assert_eq!(
        kinds,
        [
            ("LW07", "boundaries differ"),
            ("LW07", "only r1 (A)"),
            ("V01", "only r1 (A)"),
            ("V01", "only r2 (B)"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    // the cursor is on the first one, in LW07
    assert_eq!(h.app.transcript().unwrap().id, "LW07");
    assert_eq!(h.app.mode(), Mode::Compare);
    let screen = h.screen();
    insta::assert_snapshot!("compare_every_code", screen);
    let buffer = h.terminal.backend().buffer().clone();
    // both: green ground; only B (the rest of r2's Transport): light magenta; only A: light blue
    let (x, y) = find_cell(&buffer, "42 bus");
    assert_eq!(buffer[(x, y)].bg, Color::Green);
    let (x, y) = find_cell(&buffer, "Pen-y-bryn");
    assert_eq!(buffer[(x, y)].bg, Color::LightMagenta);
    let (x, y) = find_cell(&buffer, "GPs send");
    assert_eq!(buffer[(x, y)].bg, Color::LightBlue);
    let (x, y) = find_cell(&buffer, "Trust, mostly");
    assert_eq!(buffer[(x + 1, y)].bg, Color::Green);
    // an uncoded word keeps the plain ground
    let (x, y) = find_cell(&buffer, "Most of them");
    assert_eq!(buffer[(x, y)].bg, Color::Reset);
    // the gutter says who coded each line and where disagreements start
    assert!(screen.contains("AB◆"), "{screen}");
    assert!(screen.contains("Compare · A r1 · B r2"));
    assert!(screen.contains("Every code"));
    assert!(screen.contains("Still open: 4 of 4"));
}

#[test]
fn coverage_prefers_the_code_in_question() {
    let span = |start, end, code: &str, side| LayerSpan {
        start,
        end,
        code: code.to_string(),
        side,
    };
    use thema::tui::compare::Side;
    let spans = [span(0, 4, "a", Side::A), span(2, 8, "b", Side::B)];
    let refs: Vec<&LayerSpan> = spans.iter().collect();
    assert_eq!(
        coverage_at(&refs, 3, Some("a")),
        Some((Coverage::OnlyA, "a"))
    );
    assert_eq!(
        coverage_at(&refs, 3, Some("b")),
        Some((Coverage::OnlyB, "b"))
    );
    assert_eq!(coverage_at(&refs, 8, None), None);
}

#[test]
fn n_p_and_capital_n_walk_the_disagreements_across_transcripts() {
    let mut h = Harness::new(120, 30);
    h.compare("r1", "r2", "every");
    let current = |h: &Harness| h.app.compare.as_ref().unwrap().current;
    assert_eq!(current(&h), Some(0));
    assert!(h
        .message()
        .starts_with("disagreement 1 of 4 · Challenges/Transport"));
    h.keys("n");
    assert_eq!(current(&h), Some(1));
    // the selection covers the disagreement
    assert_eq!(
        h.app.selected_text(),
        "GPs send fewer inappropriate referrals now."
    );
    h.keys("nn");
    assert_eq!(current(&h), Some(3));
    assert_eq!(h.app.transcript().unwrap().id, "V01");
    assert_eq!(h.app.selected_text(), "I was lonely before.");
    h.keys("n");
    assert_eq!(current(&h), Some(3));
    assert!(h.message().contains("last disagreement"));
    h.keys("pp");
    assert_eq!(current(&h), Some(1));
    assert_eq!(h.app.transcript().unwrap().id, "LW07");
    // resolve the second one, then N skips it
    h.keys("r");
    h.keys("a");
    h.enter();
    h.keys("p");
    assert_eq!(current(&h), Some(0));
    h.keys("N");
    assert_eq!(current(&h), Some(2), "N skips the resolved one");
    // n and p also work from the transcripts list and the code tree, landing in the transcript
    h.keys("1");
    h.keys("n");
    assert_eq!(current(&h), Some(3));
    assert_eq!(h.app.focus, Pane::Transcript);
    // moving the cursor into another disagreement makes it the current one
    h.keys("(");
    assert_eq!(
        current(&h),
        Some(2),
        "the sentence before is r1's Transport"
    );
    h.keys("p");
    assert_eq!(current(&h), Some(1));
}

#[test]
fn the_keys_of_compare_mode_come_before_the_transcript_keys_only_in_compare_mode() {
    let mut h = Harness::new(120, 30);
    let n = Event::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
    assert_eq!(action_for_event(&h.app, &n), Some(Action::CodeInVivo));
    h.compare("r1", "r2", "every");
    assert_eq!(action_for_event(&h.app, &n), Some(Action::NextDisagreement));
    // select mode keeps its motions; compare keys still work there
    h.keys("v");
    let b = Event::Key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::NONE));
    assert!(matches!(
        action_for_event(&h.app, &b),
        Some(Action::Move(_))
    ));
    assert_eq!(action_for_event(&h.app, &n), Some(Action::NextDisagreement));
    h.keys("v");
    // leaving compare mode gives n back to in-vivo coding and the coder's own spans back
    h.keys("=");
    assert!(h.app.compare.is_none());
    assert_eq!(action_for_event(&h.app, &n), Some(Action::CodeInVivo));
    assert_eq!(h.app.mode(), Mode::Code);
    assert!(!contexts(&h.app).contains(&thema::tui::keymap::Context::Compare));
    let screen = h.screen();
    assert!(screen.contains(" CODE "));
    assert!(!screen.contains("Compare ·"));
}

#[test]
fn resolving_writes_the_chosen_spans_and_a_cancelled_one_writes_nothing() {
    let mut h = Harness::new(120, 30);
    h.compare("r1", "r2", "Transport");
    let list = h.app.compare.as_ref().unwrap().list.clone();
    assert_eq!(list.len(), 2, "Transport in LW07 and in V01");
    // Esc in the window, then Esc in the prompt: nothing written
    h.keys("r");
    h.esc();
    h.keys("r");
    h.keys("b");
    h.type_text("not yet");
    h.esc();
    assert!(h.log().is_empty());
    assert!(h.consensus().is_empty());
    // take B's: r2's longer span
    h.keys("r");
    h.keys("b");
    h.type_text("the evening is part of the barrier");
    h.enter();
    let longer = h.span_of(
        "LW07",
        "The 42 bus stops at six. People in Pen-y-bryn can't get to anything in the evening.",
    );
    let consensus = h.consensus();
    assert_eq!(consensus.len(), 1);
    assert_eq!(consensus[0]["transcript"], "LW07");
    assert_eq!(
        (consensus[0]["start"].as_u64(), consensus[0]["end"].as_u64()),
        (Some(longer.0 as u64), Some(longer.1 as u64))
    );
    assert_eq!(
        consensus[0]["quote"],
        "The 42 bus stops at six. People in Pen-y-bryn can't get to anything in the evening."
    );
    let log = h.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["take"], "b");
    assert_eq!(log[0]["by"], "chair");
    assert_eq!(log[0]["why"], "the evening is part of the barrier");
    // the resolved disagreement is drawn as resolved: underlined, not on a coloured ground
    let screen = h.screen();
    assert!(screen.contains("took r2's (B) · by chair"), "{screen}");
    let buffer = h.terminal.backend().buffer().clone();
    let (x, y) = find_cell(&buffer, "Pen-y-bryn");
    assert_eq!(buffer[(x, y)].fg, Color::LightMagenta);
    assert!(buffer[(x, y)].modifier.contains(Modifier::UNDERLINED));
    // resolving again replaces the decision: take neither, without a reason
    h.keys("r-");
    h.enter();
    assert!(h.consensus().is_empty());
    let log = h.log();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["take"], "none");
    assert!(log[1].get("why").is_none());
    let compare = h.app.compare.as_ref().unwrap();
    assert_eq!(
        compare.list[0].resolution.as_ref().unwrap().take,
        thema::study::consensus::Take::None
    );
}

#[test]
fn adjusting_the_boundary_takes_the_selection() {
    let mut h = Harness::new(120, 30);
    h.compare("r1", "r2", "Transport");
    // the first sentence only: drop the selection, select the sentence, resolve with s
    h.keys(";");
    h.keys("s");
    assert_eq!(h.app.selected_text().trim(), "The 42 bus stops at six.");
    h.keys("r");
    let screen = h.screen();
    insta::assert_snapshot!("compare_resolve_window_with_selection", screen);
    assert!(screen.contains("selection: “The 42 bus stops at six.”"));
    h.keys("s");
    let Some(Overlay::Prompt(p)) = &h.app.overlay else {
        panic!("the prompt asks why")
    };
    assert!(p.title.contains("The 42 bus stops at six."), "{}", p.title);
    h.type_text("the bus times are the point");
    h.enter();
    let want = h.span_of("LW07", "The 42 bus stops at six.");
    let log = h.log();
    assert_eq!(log[0]["take"], "adjust");
    let spans: Vec<(usize, usize)> = serde_json::from_value(log[0]["spans"].clone()).unwrap();
    assert_eq!(spans, vec![want]);
    let consensus = h.consensus();
    assert_eq!(consensus.len(), 1);
    assert_eq!(consensus[0]["quote"], "The 42 bus stops at six.");
    assert_eq!(consensus[0]["memo"], "the bus times are the point");
    assert!(h.screen().contains("took an adjusted boundary"));
    // without a selection there is nothing to take
    h.keys(";");
    h.keys("r");
    h.keys("s");
    assert!(h.app.overlay.is_none());
    assert!(h.message().starts_with("select the boundary first"));
    assert_eq!(h.log().len(), 1);
}

#[test]
fn resolving_needs_the_disagreement_on_screen() {
    let mut h = Harness::new(120, 30);
    h.compare("r1", "r2", "Referrals");
    assert_eq!(h.app.compare.as_ref().unwrap().list.len(), 1);
    // open the other transcript from the list: the disagreement is not here
    h.keys("1j");
    h.enter();
    assert_eq!(h.app.transcript().unwrap().id, "V01");
    h.keys("r");
    assert!(h.app.overlay.is_none());
    assert!(h.message().starts_with("no disagreement here"));
}

#[test]
fn the_panel_shows_the_figures_thema_agree_reports() {
    let mut h = Harness::new(120, 30);
    h.compare("r1", "r2", "every");
    let out = Command::cargo_bin("thema")
        .unwrap()
        .args(["-C"])
        .arg(h.dir.path())
        .args(["agree", "--coders", "r1,r2", "--by-transcript", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let compare = h.app.compare.as_ref().unwrap();
    let shown = &compare.figures["LW07"];
    // LW07: Transport, Referrals and Trust were applied there
    let codes: Vec<String> = shown
        .iter()
        .map(|f| h.app.study.code_path(&f.code))
        .collect();
    assert_eq!(
        codes,
        [
            "Challenges/Referrals",
            "Challenges/Transport",
            "Outcomes/Trust"
        ]
    );
    let mut checked = 0;
    for code in report["codes"].as_array().unwrap() {
        for t in code["transcripts"].as_array().unwrap() {
            let Some(f) = compare
                .figures
                .get(t["transcript"].as_str().unwrap())
                .and_then(|f| f.iter().find(|f| f.code == code["code"].as_str().unwrap()))
            else {
                continue;
            };
            let same = |key: &str, mine: Option<f64>| {
                assert_eq!(t[key].as_f64(), mine, "{key} of {}", code["path"]);
            };
            same("percent_agreement", f.agreement.percent_agreement);
            same("cohen_kappa", f.agreement.cohen_kappa.flatten());
            same(
                "krippendorff_alpha",
                f.agreement.krippendorff_alpha.flatten(),
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 3 + 2, "three codes in LW07, two in V01");
    // and the screen shows them as the CLI's table does
    let transport = shown[1].agreement.clone();
    let screen = h.screen();
    let pct = format!("{:.1}", transport.percent_agreement.unwrap() * 100.0);
    let alpha = format!("{:.3}", transport.krippendorff_alpha.flatten().unwrap());
    let line = screen
        .lines()
        .find(|l| l.contains("│Transport "))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains(&pct) && line.contains(&alpha), "{line}");
}

#[test]
fn a_coder_against_the_consensus_layer() {
    let mut h = Harness::new(120, 30);
    h.compare("r1", "r2", "Transport");
    h.keys("rb");
    h.enter();
    h.keys("=");
    // consensus now holds r2's Transport span in LW07: r1 differs from it there
    h.compare("r1", "consensus", "Transport");
    let compare = h.app.compare.as_ref().unwrap();
    assert_eq!(compare.list.len(), 1);
    assert_eq!(compare.list[0].transcript, "LW07");
    assert!(compare.list[0].resolution.is_none());
    // taking r1's span makes consensus equal to r1 there: nothing left to compare
    h.keys("ra");
    h.enter();
    let compare = h.app.compare.as_ref().unwrap();
    assert!(compare.list.is_empty());
    assert_eq!(compare.current, None);
    let consensus = h.consensus();
    assert_eq!(consensus.len(), 1);
    assert_eq!(consensus[0]["quote"], "The 42 bus stops at six.");
    let screen = h.screen();
    assert!(screen.contains("no disagreements: all agree"), "{screen}");
    assert!(screen.contains("Still open: 0 of 0"));
}

#[test]
fn compare_mode_needs_two_coders() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    std::fs::remove_file(dir.path().join("codings/r2.jsonl")).unwrap();
    let study = Study::open(dir.path()).unwrap();
    let mut app = App::new(study, "r1".to_string());
    app.update(Action::ToggleCompare);
    assert!(app.overlay.is_none());
    let message = app.message.unwrap();
    assert!(message.error);
    assert_eq!(
        message.text,
        "compare needs two coders with codings (found: r1)"
    );
}

#[test]
fn the_panel_sits_under_the_transcript_on_a_medium_screen() {
    let mut h = Harness::new(100, 40);
    h.compare("r1", "r2", "every");
    let screen = h.screen();
    insta::assert_snapshot!("compare_medium_screen", screen);
    assert!(screen.contains("Compare · A r1 · B r2"));
    // on a small screen there is no panel, and the status bar says where the meeting is
    h.terminal.backend_mut().resize(60, 16);
    h.app.update(Action::Resize(60, 16));
    h.keys("n");
    let screen = h.screen();
    assert!(!screen.contains("Compare ·"));
    assert!(screen.contains("disagreement 2 of"), "{screen}");
}

#[test]
fn another_process_holding_the_consensus_layer_stops_a_resolution() {
    let mut h = Harness::new(120, 30);
    let mut other = Study::open(h.dir.path()).unwrap();
    other.lock("consensus").unwrap();
    h.compare("r1", "r2", "Transport");
    h.keys("ra");
    h.enter();
    assert!(h
        .message()
        .starts_with("the consensus layer is open in another thema process"));
    assert!(h.app.message.as_ref().unwrap().error);
    assert!(h.log().is_empty());
    assert!(h.consensus().is_empty());
    assert_eq!(h.app.compare.as_ref().unwrap().remaining(), 2);
    // once the other process is gone, the same resolution goes through
    drop(other);
    h.keys("ra");
    h.enter();
    assert_eq!(h.log().len(), 1);
}

#[test]
fn merging_away_the_compared_code_ends_compare_mode() {
    let mut h = Harness::new(120, 30);
    h.compare("r1", "r2", "Referrals");
    // codebook mode: merge Referrals into Transport
    h.keys("C");
    while h.app.highlighted_code().map(|c| h.app.study.code_path(&c))
        != Some("Challenges/Referrals".to_string())
    {
        h.keys("j");
    }
    h.keys("M");
    h.type_text("Transport");
    h.enter();
    assert!(h.app.compare.is_none(), "{}", h.message());
    let message = h.message();
    assert!(message.starts_with("merged Challenges/Referrals into Challenges/Transport"));
    assert!(
        message.ends_with("compare mode ended: Challenges/Referrals is no longer in the codebooks"),
        "{message}"
    );
}

#[test]
fn an_empty_study_has_nothing_to_compare_or_chart() {
    let dir = tempfile::tempdir().unwrap();
    Study::init(dir.path(), "Empty").unwrap();
    let study = Study::open(dir.path()).unwrap();
    let mut app = App::new(study, "r1".to_string());
    app.update(Action::Resize(100, 30));
    app.update(Action::ToggleCompare);
    assert_eq!(
        app.message.as_ref().unwrap().text,
        "compare needs two coders with codings (found: none)"
    );
    app.update(Action::ToggleSaturation);
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| view::draw(f, &app)).unwrap();
    let screen = text_of(terminal.backend().buffer());
    assert!(screen.contains("no interviews to chart"), "{screen}");
    assert!(screen.contains("Saturation · all interviews · every coder"));
}
