//! Codebook scopes: a framework declares which transcripts it is for, and agreement, matrices,
//! theme reports, retrieval and `thema check` respect it (on the demo study, whose link-worker
//! and volunteer frameworks are each for their own group's interviews).

use crate::common;

use std::path::Path;

use assert_cmd::Command;
use thema::model::history::replay;
use thema::model::{HistoryEntry, Operation, Scope};
use thema::report::agreement::{compute, AgreeRequest, Unit};
use thema::report::layer::Layer;
use thema::report::matrix::{matrix_coding, Count};
use thema::report::themes::{theme_report, to_markdown, ThemeOptions};
use thema::study::coding::Span;
use thema::study::Study;

fn thema(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("thema").unwrap();
    cmd.arg("-C").arg(root).env("THEMA_CODER", "r1");
    cmd
}

fn request(study: &Study, code: &str, unit: Unit) -> AgreeRequest {
    let id = study.resolve_code(code, None).unwrap().id.clone();
    AgreeRequest {
        coders: vec!["r1".into(), "r2".into()],
        codes: vec![id],
        exact: false,
        unit,
        overlap: 0.9,
        by_transcript: false,
        bootstrap: Default::default(),
    }
}

/// Transcripts with this role that both r1 and r2 coded.
fn double_coded(study: &Study, role: &str) -> Vec<String> {
    let coded = |c: &str| -> std::collections::BTreeSet<String> {
        study
            .layer(c)
            .unwrap()
            .iter()
            .map(|s| s.transcript.clone())
            .collect()
    };
    let (r1, r2) = (coded("r1"), coded("r2"));
    study
        .transcripts()
        .iter()
        .filter(|t| study.attributes.get(&t.id, "role") == Some(role))
        .filter(|t| r1.contains(&t.id) && r2.contains(&t.id))
        .map(|t| t.id.clone())
        .collect()
}

#[test]
fn agreement_on_a_link_worker_code_counts_only_link_worker_transcripts() {
    let dir = common::demo_copy();
    let study = Study::open(dir.path()).unwrap();
    let lw = double_coded(&study, "link worker");
    assert!(!lw.is_empty());
    assert!(!double_coded(&study, "volunteer").is_empty());
    let chars: u64 = lw
        .iter()
        .map(|t| study.transcript_info(t).unwrap().chars as u64)
        .sum();
    let report = compute(&study, &request(&study, "Outcomes", Unit::Char)).unwrap();
    let code = &report.codes[0];
    assert_eq!(code.all.n.units, chars, "characters of {lw:?}");
    assert_eq!(code.all.n.transcripts, Some(lw.len()));
    assert_eq!(code.scope.as_deref(), Some("role = link worker"));
    let turns: u64 = lw
        .iter()
        .map(|t| {
            study
                .transcript(t)
                .unwrap()
                .speaker_turns()
                .filter(|turn| turn.end > turn.start)
                .count() as u64
        })
        .sum();
    let report = compute(&study, &request(&study, "Outcomes", Unit::Turn)).unwrap();
    assert_eq!(report.codes[0].all.n.units, turns);
    // a volunteer code counts the volunteers' interviews
    let report = compute(&study, &request(&study, "Motivation", Unit::Char)).unwrap();
    let volunteers: u64 = double_coded(&study, "volunteer")
        .iter()
        .map(|t| study.transcript_info(t).unwrap().chars as u64)
        .sum();
    assert_eq!(report.codes[0].all.n.units, volunteers);
}

#[test]
fn matrices_and_theme_reports_show_a_code_only_where_it_is_meant() {
    let dir = common::demo_copy();
    let study = Study::open(dir.path()).unwrap();
    let matrix = matrix_coding(&study, &Layer::All, "role", Count::Transcripts).unwrap();
    let col = |value: &str| matrix.cols.iter().position(|c| c == value).unwrap();
    let (lw, vol) = (col("link worker"), col("volunteer"));
    for (row, id) in matrix.row_ids.iter().enumerate() {
        let book = study.codebook_of(id).unwrap().name.clone();
        let cells = &matrix.cells[row];
        match book.as_str() {
            "Link workers" => assert!(cells[vol].is_none() && cells[lw].is_some(), "{id}"),
            "Volunteers" => assert!(cells[lw].is_none() && cells[vol].is_some(), "{id}"),
            other => panic!("unexpected codebook {other}"),
        }
    }
    assert!(matrix
        .to_markdown()
        .contains("– the code's codebook is not for these"));
    let report = theme_report(
        &study,
        &ThemeOptions {
            layer: Layer::All,
            by: vec!["role".into()],
            quotes: 1,
        },
    )
    .unwrap();
    let md = to_markdown(&report);
    assert!(md.contains("Framework for Link workers: 8 transcripts, role = link worker."));
    assert!(md.contains("Framework for Volunteers: 5 transcripts, role = volunteer."));
    for book in &report.codebooks {
        for code in &book.codes {
            let roles: Vec<&String> = code.breakdown["role"].keys().collect();
            let wanted = if book.name == "Link workers" {
                "link worker"
            } else {
                "volunteer"
            };
            assert!(
                roles.iter().all(|r| *r == wanted),
                "{}: {roles:?}",
                code.path
            );
        }
    }
}

#[test]
fn a_segment_coded_outside_its_scope_is_reported_kept_and_not_counted() {
    let dir = common::demo_copy();
    let root = dir.path();
    let mut study = Study::open(root).unwrap();
    let outcomes = study.resolve_code("Outcomes", None).unwrap().id.clone();
    let volunteer = double_coded(&study, "volunteer")[0].clone();
    let before = compute(&study, &request(&study, "Outcomes", Unit::Char)).unwrap();
    let segment = study
        .apply_code("r1", &volunteer, &Span::Turn(3), &outcomes)
        .unwrap();
    drop(study);
    let problems = thema::study::check::check(root).unwrap();
    let found: Vec<_> = problems
        .iter()
        .filter(|p| p.message.contains(&segment.id) && p.message.contains("outside the scope"))
        .collect();
    assert_eq!(found.len(), 1, "{problems:#?}");
    let study = Study::open(root).unwrap();
    assert!(study
        .layer("r1")
        .unwrap()
        .iter()
        .any(|s| s.id == segment.id));
    let after = compute(&study, &request(&study, "Outcomes", Unit::Char)).unwrap();
    assert_eq!(after.codes[0].all.n.units, before.codes[0].all.n.units);
    assert_eq!(
        after.codes[0].all.krippendorff_alpha,
        before.codes[0].all.krippendorff_alpha
    );
    // retrieval leaves it out and says so; coding it again says it will not count
    let out = thema(root)
        .args(["segments", "--code", "Outcomes", "--by-coder", "r1"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(!out.contains(&segment.id), "{out}");
    assert!(
        out.contains("1 outside their codebook's scope left out"),
        "{out}"
    );
    thema(root)
        .args(["code", &volunteer, "--turn", "5", "Outcomes"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "not one of the transcripts 'Link workers' is for",
        ));
}

#[test]
fn a_scope_is_set_recorded_in_the_history_and_replayed_as_of_a_date() {
    let dir = common::demo_copy();
    let root = dir.path();
    thema(root)
        .args([
            "codebook",
            "scope",
            "volunteers",
            "--where",
            "role=volunteer",
            "--where",
            "role=link worker",
        ])
        .args(["--why", "the link workers talk about volunteers too"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "Volunteers: 13 transcripts, role = volunteer or link worker",
        ));
    let study = Study::open(root).unwrap();
    let history = thema::study::files::load_history(root, "volunteers").unwrap();
    let last = history.last().unwrap();
    assert!(
        matches!(&last.op, Operation::Scope { to: Some(s), .. } if s.filters["role"].len() == 2)
    );
    assert_eq!(
        last.why.as_deref(),
        Some("the link workers talk about volunteers too")
    );
    let Operation::Scope { to, .. } = &last.op else {
        panic!("not a scope line: {last:?}");
    };
    assert_eq!(
        study
            .codebooks
            .iter()
            .find(|c| c.file == "volunteers")
            .unwrap()
            .codebook
            .scope
            .as_ref(),
        to.as_ref()
    );
    // a hand-written history: the scope as it was on each day
    let line = |at: &str, to: Option<Scope>| HistoryEntry {
        at: at.into(),
        coder: "r1".into(),
        op: Operation::Scope { from: None, to },
        why: None,
    };
    let narrow = Scope::from_filters([("role", "volunteer")]);
    let wide = Scope::from_filters([("role", "volunteer"), ("role", "link worker")]);
    let entries = vec![
        line("2024-01-01T00:00:00Z", Some(narrow.clone())),
        line("2024-06-01T00:00:00Z", Some(wide.clone())),
        line("2024-09-01T00:00:00Z", None),
    ];
    let at = |date: &str| replay("V", &entries, Some(date)).unwrap().scope;
    assert_eq!(at("2023-12-31"), None);
    assert_eq!(at("2024-03-01"), Some(narrow));
    assert_eq!(at("2024-07-01"), Some(wide));
    assert_eq!(at("2024-10-01"), None);
    thema(root)
        .args([
            "codebook",
            "history",
            "--codebook",
            "volunteers",
            "--at",
            "2024-07-05",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("for role = volunteer\n"));
    thema(root)
        .args(["codebook", "scope", "volunteers", "--clear"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "Volunteers: 13 transcripts, every transcript",
        ));
}

#[test]
fn a_scope_that_holds_no_transcript_or_names_no_column_is_refused_clearly() {
    let dir = common::demo_copy();
    let root = dir.path();
    let before = std::fs::read(root.join("codebooks/volunteers.json")).unwrap();
    thema(root)
        .args(["codebook", "scope", "volunteers", "--where", "role=volunter"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "the scope 'role = volunter' holds no transcript (values in the study: role: link worker, volunteer)",
        ));
    thema(root)
        .args([
            "codebook",
            "scope",
            "volunteers",
            "--where",
            "rôle=volunteer",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("no attribute column 'rôle'"));
    thema(root)
        .args(["codebook", "scope", "volunteers", "--transcripts", "V99"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("no transcript 'V99'"));
    assert_eq!(
        std::fs::read(root.join("codebooks/volunteers.json")).unwrap(),
        before
    );
    // with no option: what the scope is and which transcripts it holds
    thema(root)
        .args(["codebook", "scope", "Volunteers"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "Volunteers: 5 transcripts, role = volunteer\n  V1, V3, V4, V6, V8",
        ));
}

#[test]
fn a_refi_export_carries_the_scopes_back_to_thema() {
    let dir = common::demo_copy();
    let study = Study::open_all(dir.path()).unwrap();
    let archive = dir.path().join("demo.qdpx");
    thema::refi::export_qdpx(&study, &archive, &Default::default()).unwrap();
    let project = thema::refi::import_refi(&archive).unwrap();
    let scopes: Vec<(String, Option<Scope>)> = project
        .codebooks
        .iter()
        .map(|c| (c.file.clone(), c.codebook.scope.clone()))
        .collect();
    assert!(scopes.contains(&(
        "link-workers".to_string(),
        Some(Scope::from_filters([("role", "link worker")]))
    )));
    assert!(scopes.contains(&(
        "volunteers".to_string(),
        Some(Scope::from_filters([("role", "volunteer")]))
    )));
}
