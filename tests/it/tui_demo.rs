//! The terminal interface on the bundled demo study (13 transcripts, coders r1, r2, r3 and a
//! partial consensus layer, two codebooks), copied into a temporary folder so the repository is
//! never written. Screens are kept as insta snapshots; after every resolution the consensus
//! layer and the resolution log are read back from disk.

use std::path::Path;

use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use serde_json::Value;
use thema::report::agreement::{compute, AgreeRequest, Unit};
use thema::report::layer::Layer;
use thema::report::saturation::{for_study, Level, SaturationRequest};
use thema::study::consensus::{disagreements, Take};
use thema::study::Study;
use thema::tui::app::Overlay;

use crate::common;
use common::demo_copy;
use common::tui::Driver;

/// The shared TUI driver with this file's own steps.
struct Demo(Driver);

impl std::ops::Deref for Demo {
    type Target = Driver;
    fn deref(&self) -> &Driver {
        &self.0
    }
}

impl std::ops::DerefMut for Demo {
    fn deref_mut(&mut self) -> &mut Driver {
        &mut self.0
    }
}

/// The code the meeting tests walk: Challenges to service delivery/Transport.
const TRANSPORT: &str = "c11";

impl Demo {
    fn open() -> Demo {
        Demo(Driver::open_as(demo_copy(), "r1", 120, 40))
    }

    /// The demo as it was before the team's meetings: no resolution logged yet.
    fn before_meetings() -> Demo {
        let dir = demo_copy();
        std::fs::remove_file(dir.path().join("codings/consensus.log.jsonl")).unwrap();
        Demo(Driver::open_as(dir, "r1", 120, 40))
    }

    /// `=`, then coder A, coder B and the code typed into the three pickers.
    fn compare(&mut self, a: &str, b: &str, code: &str) {
        self.keys("=");
        for answer in [a, b, code] {
            assert!(
                matches!(self.app.overlay, Some(Overlay::Picker(_))),
                "a picker asks for {answer}"
            );
            self.type_text(answer);
            self.enter();
        }
        assert!(self.app.compare.is_some(), "{:?}", self.app.message);
    }

    fn log(&self) -> Vec<Value> {
        self.jsonl("codings/consensus.log.jsonl")
    }

    fn consensus(&self) -> Vec<Value> {
        self.jsonl("codings/consensus.jsonl")
    }
}

#[test]
fn the_first_frame_of_the_demo() {
    let mut demo = Demo::open();
    let screen = demo.screen();
    insta::assert_snapshot!("demo_first_frame", screen);
    assert!(screen.contains("Transcripts (13)"));
    assert!(screen.contains("Bridgeway (demo study)"));
}

#[test]
fn compare_r1_and_r2_on_transport() {
    let mut demo = Demo::open();
    demo.compare("r1", "r2", "delivery/Transport");
    let screen = demo.screen();
    insta::assert_snapshot!("demo_compare_transport", screen);
}

/// Transport's disagreements between r1 and r2 as the library lists them, in the order compare
/// mode walks them.
fn transport_disagreements(dir: &Path) -> Vec<thema::study::consensus::Disagreement> {
    let study = Study::open(dir).unwrap();
    let codes = [TRANSPORT.to_string()].into();
    let mut list = disagreements(&study, "r1", "r2", Some(&codes)).unwrap();
    list.sort_by(|x, y| (&x.transcript, x.start).cmp(&(&y.transcript, y.start)));
    list
}

/// Merges overlapping spans, as "take both" does.
fn merged(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The consensus layer's spans of `code` in `transcript` overlapping `[lo, hi)`, read from disk.
fn consensus_spans(demo: &Demo, transcript: &str, lo: usize, hi: usize) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = demo
        .consensus()
        .iter()
        .filter(|s| s["transcript"] == transcript && s["code"] == TRANSPORT)
        .map(|s| {
            (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            )
        })
        .filter(|(s, e)| *s < hi && lo < *e)
        .collect();
    spans.sort();
    spans
}

/// Resolves the current disagreement with `key` in the resolve window and `why` in the prompt.
fn resolve_with(demo: &mut Demo, key: char, why: &str) {
    demo.keys("r");
    assert!(matches!(demo.app.overlay, Some(Overlay::Resolve(_))));
    demo.press(KeyCode::Char(key), KeyModifiers::NONE);
    assert!(matches!(demo.app.overlay, Some(Overlay::Prompt(_))));
    for c in why.chars() {
        demo.press(KeyCode::Char(c), KeyModifiers::NONE);
    }
    demo.enter();
    assert!(demo.app.overlay.is_none());
}

/// What each key takes, and the spans it must write for a disagreement.
fn expected(take: Take, d: &thema::study::consensus::Disagreement) -> Vec<(usize, usize)> {
    match take {
        Take::A => d.a.clone(),
        Take::B => d.b.clone(),
        Take::Both => merged(d.a.iter().chain(&d.b).copied().collect()),
        _ => Vec::new(),
    }
}

/// The screen with the day of the last resolution written as YYYY-MM-DD, so snapshots keep.
fn dated(demo: &Demo, screen: String) -> String {
    match demo
        .log()
        .last()
        .and_then(|l| l["at"].as_str().map(str::to_string))
    {
        Some(at) => screen.replace(&at[..10], "YYYY-MM-DD"),
        None => screen,
    }
}

const WAYS: [(char, Take, &str); 4] = [
    ('a', Take::A, "a"),
    ('b', Take::B, "b"),
    ('+', Take::Both, "both"),
    ('-', Take::None, "none"),
];

#[test]
fn resolving_one_disagreement_each_way_writes_consensus_and_log() {
    let mut demo = Demo::before_meetings();
    let list = transport_disagreements(demo.dir.path());
    assert_eq!(list.len(), 4, "Transport has four r1/r2 disagreements");
    let lines_before = demo.consensus().len();
    demo.compare("r1", "r2", "delivery/Transport");
    // the window asking what to take
    demo.keys("r");
    insta::assert_snapshot!("demo_resolve_window", demo.screen());
    demo.esc();
    assert!(demo.app.overlay.is_none());
    let mut lines = lines_before;
    for (n, (key, take, word)) in WAYS.into_iter().enumerate() {
        let d = &list[n];
        assert_eq!(demo.app.compare.as_ref().unwrap().current, Some(n));
        let (lo, hi) = (d.start, d.end);
        let before = consensus_spans(&demo, &d.transcript, lo, hi);
        let why = format!("meeting decided {word}");
        resolve_with(&mut demo, key, &why);
        let screen = demo.screen();
        insta::assert_snapshot!(format!("demo_resolved_{word}"), dated(&demo, screen));
        // the consensus layer holds exactly the spans taken in that extent
        let want = expected(take, d);
        assert_eq!(
            consensus_spans(&demo, &d.transcript, lo, hi),
            want,
            "{word}"
        );
        lines = lines - before.len() + want.len();
        assert_eq!(
            demo.consensus().len(),
            lines,
            "nothing else changed ({word})"
        );
        let consensus = demo.consensus();
        let written: Vec<&Value> = consensus
            .iter()
            .filter(|s| s["disagreement"] == d.id.as_str())
            .collect();
        assert_eq!(written.len(), want.len());
        for s in &written {
            assert_eq!(s["resolved_by"], "r1");
            assert_eq!(s["memo"], why.as_str());
        }
        // one more line in the log, saying what was taken, by whom and why
        let log = demo.log();
        assert_eq!(log.len(), n + 1);
        let last = &log[n];
        assert_eq!(last["id"], d.id.as_str());
        assert_eq!(last["take"], word);
        assert_eq!(last["by"], "r1");
        assert_eq!(last["why"], why.as_str());
        assert_eq!(last["coders"], serde_json::json!(["r1", "r2"]));
        assert_eq!(last["code"], TRANSPORT);
        let spans: Vec<(usize, usize)> = serde_json::from_value(last["spans"].clone()).unwrap();
        assert_eq!(spans, want);
        // the disagreement stays listed, now resolved, and the queue counts down
        let compare = demo.app.compare.as_ref().unwrap();
        assert_eq!(compare.list.len(), 4);
        assert_eq!(compare.remaining(), 3 - n);
        let resolution = compare.list[n].resolution.as_ref().unwrap();
        assert_eq!(resolution.take, take);
        let screen = demo.screen();
        assert!(
            screen.contains(&format!("Still open: {} of 4", 3 - n)),
            "{screen}"
        );
        assert!(screen.contains("why: meeting decided"), "{screen}");
        demo.keys("n");
    }
    // a study opened afresh sees the same resolutions
    let again = transport_disagreements(demo.dir.path());
    assert!(again.iter().all(|d| d.resolution.is_some()));
}

#[test]
fn the_saturation_chart_by_role() {
    let mut demo = Demo::open();
    demo.keys("S");
    assert!(matches!(demo.app.overlay, Some(Overlay::Saturation(_))));
    let screen = demo.screen();
    insta::assert_snapshot!("demo_saturation", screen);
    assert!(screen.contains("by role"));
    assert!(screen.contains(
        "link worker: saturation at interview 4 of 8 (4+2), base 4, run 2, ≤5% new information"
    ));
    assert!(screen.contains("volunteer: saturation cannot be assessed"));
    assert!(screen.contains("█ link worker saturated at 4 (4+2)"));
    // every interview together
    demo.keys("g");
    let screen = demo.screen();
    assert!(screen.contains("all interviews"), "{screen}");
    demo.keys("g");
    assert!(demo.screen().contains("by wave"));
    // r1's codes only, rolled up to themes: the figures `thema saturation` gives
    demo.keys("c");
    demo.keys("l");
    let Some(Overlay::Saturation(chart)) = &demo.app.overlay else {
        panic!("the chart is open")
    };
    assert_eq!(chart.coder(), Some("r1"));
    assert_eq!(chart.grouped_by(), Some("wave"));
    let request = SaturationRequest {
        layer: Layer::Coders(vec!["r1".to_string()]),
        by: Some("wave".to_string()),
        level: Level::Theme,
        ..SaturationRequest::default()
    };
    let want = for_study(&demo.app.study, &request).unwrap();
    assert_eq!(chart.reports.as_ref().unwrap(), &want);
    let screen = demo.screen();
    assert!(screen.contains("by wave · r1 · themes"), "{screen}");
    assert!(screen.contains(&want[0].sentence[..40]), "{screen}");
    // round to consensus, then back to every coder
    demo.keys("ccc");
    assert!(demo.screen().contains("· consensus ·"));
    demo.keys("c");
    assert!(demo.screen().contains("· every coder ·"));
    demo.esc();
    assert!(demo.app.overlay.is_none());
    // from the search pane too, with F2
    demo.keys("/");
    demo.press(KeyCode::F(2), KeyModifiers::NONE);
    assert!(matches!(demo.app.overlay, Some(Overlay::Saturation(_))));
    demo.press(KeyCode::F(2), KeyModifiers::NONE);
    assert!(demo.app.overlay.is_none());
}

#[test]
fn the_help_screen_lists_the_compare_keys() {
    let mut demo = Demo::open();
    demo.keys("?");
    let top = demo.screen();
    assert!(
        top.contains("compare two coders (team meeting) on/off"),
        "{top}"
    );
    assert!(top.contains("saturation chart"), "{top}");
    insta::assert_snapshot!("demo_help_top", top);
    // scroll to the compare section
    let before: usize = thema::tui::keymap::help_sections()
        .iter()
        .take_while(|(heading, _)| !heading.starts_with("Compare mode"))
        .map(|(_, rows)| rows.len() + 2)
        .sum();
    for _ in 0..before {
        demo.keys("j");
    }
    let screen = demo.screen();
    insta::assert_snapshot!("demo_help_compare", screen);
    for text in [
        "next disagreement (across transcripts)",
        "resolve the disagreement under the cursor",
        "take coder A's spans",
        "take the selection: a boundary the team adjusted",
    ] {
        assert!(screen.contains(text), "{text} in\n{screen}");
    }
}

#[test]
fn a_full_meeting_on_one_code() {
    let mut demo = Demo::before_meetings();
    let list = transport_disagreements(demo.dir.path());
    demo.compare("r1", "r2", "delivery/Transport");
    // walk every disagreement with n, resolving them in turn a, b, both, none
    let mut visited = Vec::new();
    loop {
        let compare = demo.app.compare.as_ref().unwrap();
        let i = compare.current.unwrap();
        let d = compare.list[i].clone();
        assert!(d.resolution.is_none(), "{} is still open", d.id);
        // the cursor is on it, in its transcript
        assert_eq!(demo.app.transcript().unwrap().id, d.transcript);
        let (key, _, word) = WAYS[visited.len() % WAYS.len()];
        resolve_with(&mut demo, key, &format!("agreed: {word}"));
        visited.push(d.id.clone());
        demo.keys("n");
        if demo.app.compare.as_ref().unwrap().current == Some(i) {
            break;
        }
    }
    assert_eq!(
        visited,
        list.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
        "n visits every disagreement once, in order"
    );
    assert!(demo
        .app
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("last disagreement"));
    assert_eq!(demo.app.compare.as_ref().unwrap().remaining(), 0);
    // N has nothing left to find
    demo.keys("N");
    assert!(demo
        .app
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("every disagreement is resolved"));
    // the log has one line per disagreement, with the takes cycled
    let log = demo.log();
    assert_eq!(log.len(), list.len());
    for (n, (line, d)) in log.iter().zip(&list).enumerate() {
        let (_, take, word) = WAYS[n % WAYS.len()];
        assert_eq!(line["id"], d.id.as_str());
        assert_eq!(line["take"], word);
        let spans: Vec<(usize, usize)> = serde_json::from_value(line["spans"].clone()).unwrap();
        assert_eq!(spans, expected(take, d));
        assert_eq!(
            consensus_spans(&demo, &d.transcript, d.start, d.end),
            expected(take, d)
        );
    }
    // each coder's agreement with the consensus layer can now be computed
    let study = Study::open(demo.dir.path()).unwrap();
    for coder in ["r1", "r2"] {
        let report = compute(
            &study,
            &AgreeRequest {
                coders: vec![coder.to_string(), "consensus".to_string()],
                codes: vec![TRANSPORT.to_string()],
                exact: false,
                unit: Unit::Char,
                overlap: 0.9,
                by_transcript: false,
                bootstrap: thema::agreement::BootstrapOptions::none(),
            },
        )
        .unwrap();
        assert!(!report.transcripts.is_empty());
        let alpha = report.codes[0].all.krippendorff_alpha.flatten();
        assert!(
            alpha.is_some_and(|a| (-1.0..=1.0).contains(&a)),
            "{coder}: {alpha:?}"
        );
    }
    // where the team took r1's spans, r1 and consensus no longer disagree, and so for r2
    let codes = [TRANSPORT.to_string()].into();
    for (coder, taken) in [("r1", Take::A), ("r2", Take::B)] {
        let left = disagreements(&study, coder, "consensus", Some(&codes)).unwrap();
        for (n, d) in list.iter().enumerate() {
            if WAYS[n % WAYS.len()].1 == taken {
                assert!(
                    !left.iter().any(|x| x.transcript == d.transcript
                        && x.start < d.end
                        && d.start < x.end),
                    "{coder} still differs from consensus at {}",
                    d.id
                );
            }
        }
    }
    // compare mode works against consensus too, with the same figures as `thema agree`
    demo.keys("=");
    assert!(demo.app.compare.is_none());
    demo.compare("r1", "consensus", "delivery/Transport");
    let compare = demo.app.compare.as_ref().unwrap();
    let report = compute(&demo.app.study, &compare.agree_request()).unwrap();
    for code in &report.codes {
        for t in &code.transcripts {
            let shown = compare
                .figures
                .get(&t.transcript)
                .and_then(|f| f.iter().find(|f| f.code == code.code));
            if let Some(shown) = shown {
                assert_eq!(shown.agreement, t.agreement);
            }
        }
    }
}

#[test]
fn the_codebooks_meant_for_the_open_transcript_come_first() {
    use thema::tui::action::Pane;
    use thema::tui::Action;
    let mut demo = Demo::open();
    let book_of = |demo: &Demo, row: usize| {
        let r = &demo.app.tree.rows[row];
        (
            demo.app.study.codebooks[r.book].codebook.name.clone(),
            r.in_scope,
        )
    };
    // a link worker's interview: their framework first, the volunteers' marked
    assert_eq!(demo.app.transcript().unwrap().id, "LW2-y1");
    assert_eq!(book_of(&demo, 0), ("Link workers".to_string(), true));
    let last = demo.app.tree.rows.len() - 1;
    assert_eq!(book_of(&demo, last), ("Volunteers".to_string(), false));
    demo.resize(200, 60);
    demo.app.update(Action::Focus(Pane::Codes));
    demo.app.update(Action::Last);
    let screen = demo.screen();
    assert!(screen.contains("Volunteers (not for th"), "{screen}");
    // a volunteer's interview: the other way round, in the tree and in the picker
    let v1 = demo
        .app
        .study
        .transcripts()
        .iter()
        .position(|t| t.id == "V1")
        .unwrap();
    demo.app.update(Action::Focus(Pane::Transcripts));
    demo.app.update(Action::First);
    for _ in 0..v1 {
        demo.app.update(Action::Down);
    }
    assert_eq!(demo.app.transcript().unwrap().id, "V1");
    assert_eq!(book_of(&demo, 0), ("Volunteers".to_string(), true));
    demo.app.update(Action::Focus(Pane::Transcript));
    demo.keys("x");
    demo.keys("c");
    let Some(Overlay::Picker(picker)) = &demo.app.overlay else {
        panic!("no picker: {:?}", demo.app.message);
    };
    let first = &picker.candidates[picker.matches[0].0];
    assert!(
        first.label.starts_with("Volunteers: ") && first.in_scope,
        "{}",
        first.label
    );
    let last = picker.candidates.last().unwrap();
    assert!(last.label.starts_with("Link workers: ") && !last.in_scope);
}
