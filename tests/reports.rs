//! Golden-file tests of every report format on the demo study, and the counts they print
//! checked against `thema segments`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

fn run(root: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn theme_summaries_in_every_format() {
    let root = common::demo_root();
    insta::assert_snapshot!(
        "themes_md",
        run(
            &root,
            &["export", "themes", "--format", "md", "--by", "role,wave"]
        )
    );
    insta::assert_snapshot!(
        "themes_json",
        run(
            &root,
            &["export", "themes", "--format", "json", "--by", "role"]
        )
    );
    let html = run(
        &root,
        &["export", "themes", "--format", "html", "--by", "role"],
    );
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("http://")
            || html
                .matches("http://")
                .all(|_| html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
    );
    assert!(html.contains("<svg"), "inline charts");
    assert!(html.contains("Inter-coder agreement"));
    assert!(html.contains("Thematic saturation"));
    insta::assert_snapshot!("themes_html", html);
}

#[test]
fn codebook_segments_and_matrix_exports() {
    let root = common::demo_root();
    insta::assert_snapshot!(
        "codebook_md",
        run(&root, &["export", "codebook", "--format", "md"])
    );
    insta::assert_snapshot!(
        "codebook_csv",
        run(&root, &["export", "codebook", "--format", "csv"])
    );
    insta::assert_snapshot!(
        "matrix_role_md",
        run(&root, &["matrix", "--cols", "role", "--format", "md"])
    );
    insta::assert_snapshot!(
        "matrix_participants_csv",
        run(
            &root,
            &[
                "matrix",
                "--cols",
                "wave",
                "--count",
                "participants",
                "--format",
                "csv"
            ]
        )
    );
    insta::assert_snapshot!(
        "cooccurrence_json",
        run(&root, &["matrix", "--cooccurrence", "--format", "json"])
    );
    let csv_text = run(
        &root,
        &[
            "export", "segments", "--format", "csv", "--bom", "--coders", "r1",
        ],
    );
    assert!(csv_text.starts_with('\u{feff}'));
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert!(headers.iter().any(|h| h == "role") && headers.iter().any(|h| h == "quote"));
    assert_eq!(reader.records().count(), 168, "one row per r1 segment");
}

#[test]
fn report_counts_equal_segment_retrieval() {
    let root = common::demo_root();
    let themes: serde_json::Value = serde_json::from_str(&run(
        &root,
        &[
            "export",
            "themes",
            "--format",
            "json",
            "--coders",
            "consensus",
        ],
    ))
    .unwrap();
    let mut checked = 0;
    for book in themes["codebooks"].as_array().unwrap() {
        for code in book["codes"].as_array().unwrap() {
            let path = code["path"].as_str().unwrap();
            let rows: serde_json::Value = serde_json::from_str(&run(
                &root,
                &[
                    "--json",
                    "segments",
                    "--coders",
                    "consensus",
                    "--code",
                    code["id"].as_str().unwrap(),
                ],
            ))
            .unwrap();
            let rows = rows.as_array().unwrap();
            assert_eq!(
                code["segments"].as_u64().unwrap() as usize,
                rows.len(),
                "{path}"
            );
            let transcripts: std::collections::BTreeSet<&str> = rows
                .iter()
                .map(|r| r["transcript"].as_str().unwrap())
                .collect();
            assert_eq!(
                code["transcripts"].as_u64().unwrap() as usize,
                transcripts.len(),
                "{path}"
            );
            checked += 1;
        }
    }
    assert!(checked > 40);
    // the matrix agrees with retrieval filtered by attribute
    let matrix: serde_json::Value = serde_json::from_str(&run(
        &root,
        &[
            "matrix",
            "--cols",
            "role",
            "--format",
            "json",
            "--coders",
            "consensus",
        ],
    ))
    .unwrap();
    let cols: Vec<&str> = matrix["cols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for (row, id) in matrix["cells"]
        .as_array()
        .unwrap()
        .iter()
        .zip(matrix["row_ids"].as_array().unwrap())
    {
        for (j, col) in cols.iter().enumerate() {
            let rows: serde_json::Value = serde_json::from_str(&run(
                &root,
                &[
                    "--json",
                    "segments",
                    "--coders",
                    "consensus",
                    "--code",
                    id.as_str().unwrap(),
                    "--where",
                    &format!("role={col}"),
                ],
            ))
            .unwrap();
            // a column the code's codebook is not for has no count, and nothing to retrieve
            let cell = row[j].as_u64().unwrap_or(0);
            assert_eq!(cell, rows.as_array().unwrap().len() as u64);
            *totals.entry(col).or_default() += cell;
        }
        if totals.len() > 1 && totals.values().sum::<u64>() > 30 {
            break; // enough rows compared; each spawns the binary
        }
    }
}
