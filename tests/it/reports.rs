//! Golden-file tests of every report format on the demo study, and the counts they print
//! checked against `thema segments`.

use crate::common;

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

/// Cells of one Markdown table line, unescaped (`\|` → `|`, `\\` → `\`).
fn markdown_cells(line: &str) -> Vec<String> {
    let inner = line
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'))
        .unwrap_or_else(|| panic!("not a table line: {line}"));
    let mut cells = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cells.last_mut().unwrap().extend(chars.next()),
            '|' => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells.iter().map(|c| c.trim().to_string()).collect()
}

#[test]
fn segments_export_as_a_markdown_table_holds_what_the_csv_holds() {
    let dir = common::demo_copy();
    // an attribute with a pipe and a backslash, as a researcher may type one
    let path = dir.path().join("transcripts/attributes.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let mut header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    header.push("site".to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for record in reader.records() {
        let mut record: Vec<String> = record.unwrap().iter().map(String::from).collect();
        let site = if record[0] == "LW7-y1" {
            "Hub | back office \\ east"
        } else {
            ""
        };
        record.push(site.to_string());
        out.write_record(&record).unwrap();
    }
    std::fs::write(&path, out.into_inner().unwrap()).unwrap();

    let md = run(
        dir.path(),
        &["export", "segments", "--format", "md", "--coders", "r1"],
    );
    assert!(md.starts_with("# Coded segments — "), "{md}");
    assert!(md.contains("\n168 segments (counting coder r1).\n"), "{md}");
    let lines: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    let header = markdown_cells(lines[0]);
    assert_eq!(header[..3], ["id", "coder", "transcript"]);
    assert_eq!(header.last().map(String::as_str), Some("site"));
    assert!(lines[1].starts_with("| --- | --- | --- |"));
    assert!(lines[1].contains("---:"), "offsets are right-aligned");
    assert!(md.contains("Hub \\| back office \\\\ east"));
    let body = &lines[2..];
    assert_eq!(body.len(), 168, "one row per r1 segment");

    // every cell says what the CSV export says (line breaks as <br>)
    let csv_text = run(
        dir.path(),
        &["export", "segments", "--format", "csv", "--coders", "r1"],
    );
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let csv_header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, csv_header);
    for (line, record) in body.iter().zip(reader.records()) {
        let expected: Vec<String> = record
            .unwrap()
            .iter()
            .map(|f| {
                f.trim()
                    .lines()
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("<br>")
            })
            .collect();
        assert_eq!(markdown_cells(line), expected);
    }

    // HTML is refused rather than written as CSV
    let out = Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(dir.path())
        .args(["export", "segments", "--format", "html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "usage");
    assert!(String::from_utf8_lossy(&out.stderr).contains("export segments writes md, csv or json"));
}

#[test]
fn codebook_export_counts_a_parent_with_its_sub_codes_as_the_theme_report_does() {
    let root = common::demo_root();
    let json = |what: &str| -> serde_json::Value {
        serde_json::from_str(&run(
            &root,
            &["export", what, "--format", "json", "--coders", "consensus"],
        ))
        .unwrap()
    };
    let entries = json("codebook");
    let themes = json("themes");
    let mut theme_counts = BTreeMap::new();
    for book in themes["codebooks"].as_array().unwrap() {
        for code in book["codes"].as_array().unwrap() {
            theme_counts.insert(
                code["id"].as_str().unwrap().to_string(),
                (
                    code["own"].as_u64().unwrap(),
                    code["segments"].as_u64().unwrap(),
                ),
            );
        }
    }
    let mut parents_coded_through_children = 0;
    for e in entries.as_array().unwrap() {
        let id = e["id"].as_str().unwrap();
        let own = e["segments"].as_u64().unwrap();
        let with_subcodes = e["segments_with_subcodes"].as_u64().unwrap();
        assert_eq!(theme_counts[id], (own, with_subcodes), "{id}");
        if own == 0 && with_subcodes > 0 {
            parents_coded_through_children += 1;
        }
    }
    assert!(parents_coded_through_children >= 5);
    // the appendix says both counts for a theme, one for a leaf
    let md = run(
        &root,
        &[
            "export",
            "codebook",
            "--format",
            "md",
            "--coders",
            "consensus",
        ],
    );
    assert!(md.contains(
        "### Challenges to service delivery (49 segments with its sub-codes; 0 on the code itself)"
    ));
    assert!(md.contains(
        "##### Challenges to service delivery/Inappropriate referrals/Referrer expectations (1 segment)\n"
    ));
    // CSV keeps its columns and adds the new one at the end
    let csv_text = run(
        &root,
        &[
            "export",
            "codebook",
            "--format",
            "csv",
            "--coders",
            "consensus",
        ],
    );
    assert!(csv_text.starts_with(
        "codebook,id,path,name,depth,description,include,exclude,example,color,segments,segments_with_subcodes\r\n"
    ));
}

#[test]
fn output_into_a_missing_folder_is_refused_and_nothing_is_created() {
    let root = common::demo_root();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("reprots");
    let thema = |args: &[&str]| {
        Command::cargo_bin("thema")
            .unwrap()
            .arg("-C")
            .arg(&root)
            .args(args)
            .output()
            .unwrap()
    };
    for args in [
        vec!["export", "themes", "--format", "md"],
        vec!["export", "segments", "--format", "csv"],
        vec!["export", "qdpx"],
        vec!["matrix", "--cols", "role"],
    ] {
        let file = missing.join("out.file");
        let mut args = args.clone();
        let path = file.display().to_string();
        args.extend(["-o", path.as_str()]);
        let out = thema(&args);
        assert_eq!(out.status.code(), Some(2), "usage: {args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "cannot write {}: the folder {} does not exist; create it first (mkdir -p {})",
                file.display(),
                missing.display(),
                missing.display()
            )),
            "{args:?}: {err}"
        );
        assert!(!missing.exists(), "{args:?} created the folder");
    }
    // a folder given as the file
    let out = thema(&["export", "themes", "-o", &dir.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(2), "usage");
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is a folder; give a file name"));
    // an existing folder is written to as before
    let file = dir.path().join("themes.md");
    let out = thema(&["export", "themes", "-o", &file.display().to_string()]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .starts_with("# Themes"));
}
