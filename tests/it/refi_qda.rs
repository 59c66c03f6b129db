//! REFI-QDA interchange: the real exports in `tests/fixtures/refi` (NVivo 12 Windows, ATLAS.ti
//! 8), synthetic projects in the shape of other programs' exports (NVivo 15 Mac, a
//! non-conforming qc file, MAXQDA), thema's example files, a round trip of a study
//! through `.qdpx`, schema validation of every export with xmllint, and stable GUIDs.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use common::refi::{assert_references_resolve, assert_schema_valid, fixture, zip_entry, zip_names};

use thema::model::codebook::Description;
use thema::model::{Attributes, Segment};
use thema::refi::offsets::decode_text;
use thema::refi::xml::{parse, Element};
use thema::refi::{
    apply_to_study, export_qdc, export_qdpx, import_refi, OffsetUnit, RefiError, RefiProject,
};
use thema::study::coding::Span;
use thema::study::{files, memo, Memo, Study};

/// Every segment's quote is exactly its span of the transcript.
fn assert_quotes_exact(project: &RefiProject) {
    let texts: BTreeMap<&str, &str> = project
        .transcripts
        .iter()
        .map(|t| (t.id.as_str(), t.text.as_str()))
        .collect();
    for segments in project.segments.values() {
        for s in segments {
            let text = texts[s.transcript.as_str()];
            let slice: String = text.chars().skip(s.start).take(s.end - s.start).collect();
            assert_eq!(slice, s.quote, "segment {}", s.id);
            assert!(s.start < s.end);
        }
    }
}

fn all_segments(project: &RefiProject) -> Vec<(&str, &Segment)> {
    project
        .segments
        .iter()
        .flat_map(|(c, v)| v.iter().map(move |s| (c.as_str(), s)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// NVivo 12 Windows: 303 codings, UTF-16 offsets, CRLF, BOM, 892 emoji

#[test]
fn nvivo12_windows_sample_places_all_303_selections_on_their_text() {
    let archive = fixture("nvivo12win_oltas0517-trimmed.qdpx");
    let project = import_refi(&archive).unwrap();
    assert_eq!(project.origin, "NVivo for Windows 12.6");
    assert_eq!(project.transcripts.len(), 2);
    let coded = project
        .transcripts
        .iter()
        .find(|t| t.id == "videos_10_selected")
        .unwrap();
    // NOTES §5: UTF-16 code units with CRLF as two fits 300 of 303 selections
    assert_eq!(coded.offsets.unit, OffsetUnit::Utf16);
    assert_eq!(coded.offsets.total, 303);
    assert_eq!(coded.offsets.aligned, 300);
    assert!(!coded.offsets.all_agree && !coded.offsets.overrides_origin);
    assert!(!coded.text.contains('\r') && !coded.text.starts_with('\u{feff}'));

    // every coding, attributed by Coding@creatingUser (the selection names floriansipos 297 times)
    assert_eq!(project.segment_count(), 303);
    assert_eq!(project.segments["gergo"].len(), 303);
    let coders: BTreeSet<&str> = project.coders.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(coders, BTreeSet::from(["gergo", "floriansipos"]));

    // each quote equals the independent reading: UTF-16 units of the raw file, then CRLF -> LF
    let raw = zip_entry(&archive, "Sources/68bbdc14-c361-4432-b4dd-ae1dbfc12890.txt");
    let (raw_text, bom, _) = decode_text(&raw);
    assert!(bom);
    let units: Vec<u16> = raw_text.encode_utf16().collect();
    let cps: Vec<char> = raw_text.chars().collect();
    let qde = String::from_utf8(zip_entry(&archive, "project.qde")).unwrap();
    let root = parse(&qde, "project.qde").unwrap();
    let source = root
        .child("Sources")
        .unwrap()
        .children_named("TextSource")
        .find(|s| s.attr("name") == Some("videos_10_selected"))
        .unwrap();
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let mut shifted_as_code_points = 0;
    let mut ranges: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for sel in source.children_named("PlainTextSelection") {
        let a: usize = sel.attr("startPosition").unwrap().parse().unwrap();
        let b: usize = sel.attr("endPosition").unwrap().parse().unwrap();
        *ranges.entry((a, b)).or_default() += 1;
        let quote = String::from_utf16(&units[a..b])
            .unwrap()
            .replace("\r\n", "\n");
        // (the fixture's text ends soon after the last selection: read as code points, the
        // last few reach past its end)
        let as_cp = cps
            .get(a..b)
            .map(|c| c.iter().collect::<String>().replace("\r\n", "\n"));
        shifted_as_code_points += usize::from(as_cp.as_ref() != Some(&quote));
        let coding = sel.child("Coding").unwrap().attr("guid").unwrap();
        expected.insert(format!("gergo-{coding}"), quote);
    }
    // NOTES: read as code points, 289 of 303 selections shift (290 quotes differ here, where a
    // quote is compared as text)
    assert!(shifted_as_code_points >= 289, "{shifted_as_code_points}");
    // NOTES: 73 ranges are coded with more than one code
    assert_eq!(ranges.values().filter(|n| **n > 1).count(), 73);
    assert_eq!(expected.len(), 303);
    for segment in &project.segments["gergo"] {
        assert_eq!(
            expected.get(&segment.id),
            Some(&segment.quote),
            "{}",
            segment.id
        );
    }
    assert_quotes_exact(&project);

    // the code tree: 152 codes with Hungarian names and nesting kept, GUIDs as ids
    assert_eq!(project.codebooks.len(), 1);
    let book = &project.codebooks[0].codebook;
    assert_eq!(book.codes.len(), 152);
    let covid = book.resolve("1. Oltás típusa/COVID").unwrap();
    assert_eq!(covid.id, "7142c1bf-1bbe-4073-88dd-ae1dbfec9f8f");
    assert_eq!(
        book.resolve("2. Attitűd szint az oltáshoz")
            .unwrap()
            .description,
        "Erősen szkeptikus (piros)\nEnyhén szkeptikus, kétkedő (sárga)\nElfogadó (zöld)"
    );
    // the one non-codable folder stays a folder, every other code stays codable
    let folders: Vec<&str> = book
        .codes
        .iter()
        .filter(|c| !c.codable)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(folders, ["Attituderoots"]);
    // no colours in the file, none invented
    assert!(book.codes.iter().all(|c| c.color.is_empty()));
}

#[test]
fn nvivo12_import_then_export_keeps_every_excerpt_and_code_guid() {
    let project = import_refi(&fixture("nvivo12win_oltas0517-trimmed.qdpx")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("study");
    let summary = apply_to_study(&root, &project).unwrap();
    assert_eq!(summary.segments["gergo"], 303);
    assert!(summary
        .offset_units
        .iter()
        .any(|(id, unit)| id == "videos_10_selected" && unit.starts_with("UTF-16 code units")));
    // the study is consistent: nothing re-anchored, no errors
    let study = Study::open_all(&root).unwrap();
    assert!(study.notices().is_empty(), "{:?}", study.notices());
    let problems = study.check().unwrap();
    assert!(
        problems
            .iter()
            .all(|p| p.severity != thema::study::check::Severity::Error),
        "{problems:?}"
    );
    // export (code points, LF) and import again: same excerpts, codes, coders
    let out = dir.path().join("again.qdpx");
    let exported = export_qdpx(&study, &out, &Default::default()).unwrap();
    assert_eq!(exported.codings, 303);
    let xml = String::from_utf8(zip_entry(&out, "project.qde")).unwrap();
    assert_schema_valid(&xml, "Project-mrt2019.xsd", "re-export of the NVivo sample");
    assert_references_resolve(&xml);
    let again = import_refi(&out).unwrap();
    let quotes = |p: &RefiProject| -> BTreeMap<String, (usize, usize, String, String)> {
        all_segments(p)
            .into_iter()
            .map(|(c, s)| {
                (
                    s.id.clone(),
                    (s.start, s.end, s.code.clone(), format!("{c}: {}", s.quote)),
                )
            })
            .collect()
    };
    assert_eq!(quotes(&project), quotes(&again));
    let coded = again
        .transcripts
        .iter()
        .find(|t| t.id == "videos_10_selected")
        .unwrap();
    // exported as NVivo writes (the study came from NVivo): UTF-16 positions, every one of
    // NVivo's 303 selections again, the same 3 off-word
    assert_eq!(coded.offsets.unit, OffsetUnit::Utf16);
    assert_eq!((coded.offsets.aligned, coded.offsets.total), (300, 303));
    let ids = |p: &RefiProject| -> BTreeSet<(String, Option<String>, String)> {
        p.codebooks
            .iter()
            .flat_map(|c| c.codebook.codes.iter())
            .map(|c| (c.id.clone(), c.parent.clone(), c.name.clone()))
            .collect()
    };
    assert_eq!(ids(&project), ids(&again));
}

// ---------------------------------------------------------------------------------------------
// NVivo 15 Mac, ATLAS.ti 8, qc (non-conforming)

/// The `<Code>` GUIDs of a fixture's project document with the given name, lowercase.
fn code_guids_named(archive: &Path, name: &str) -> BTreeSet<String> {
    let qde = String::from_utf8(zip_entry(archive, "project.qde")).unwrap();
    let root = parse(&qde, "project.qde").unwrap();
    fn walk(e: &Element, name: &str, out: &mut BTreeSet<String>) {
        for c in e.children_named("Code") {
            if c.attr("name") == Some(name) {
                out.insert(c.attr("guid").unwrap().to_lowercase());
            }
            walk(c, name, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(
        root.child("CodeBook").unwrap().child("Codes").unwrap(),
        name,
        &mut out,
    );
    out
}

/// A synthetic project in the shape of NVivo for Mac 15's re-export of a qc project (the real
/// export is not kept: AGPL-3.0; see tests/fixtures/refi/README.md).
#[test]
fn nvivo15_mac_like_project_gives_its_deep_codebook_and_reports_empty_sources() {
    let archive = fixture("synthetic/nvivo-mac-like.qdpx");
    let project = import_refi(&archive).unwrap();
    assert_eq!(project.origin, "NVivo for Mac 15.0.0");
    assert_eq!(project.codebooks.len(), 1);
    let book = &project.codebooks[0].codebook;
    assert_eq!(book.codes.len(), 60);
    let depth = book.codes.iter().map(|c| book.depth(&c.id)).max().unwrap();
    assert_eq!(depth + 1, 7, "seven levels of codes");
    assert!(book.codes.iter().all(|c| c.codable));
    // the same name under two parents stays two codes, keyed by their GUIDs (qc's GUIDs, which
    // NVivo kept and which are not version-4 UUIDs)
    for (name, paths) in [
        (
            "composting",
            [
                "motivations/environmental/composting",
                "practices/growing/soil/composting",
            ],
        ),
        (
            "waiting_list",
            [
                "practices/organisation/governance/committee/roles/plot_allocation/waiting_list",
                "tensions/access/waiting_list",
            ],
        ),
    ] {
        let codes: Vec<_> = book.codes.iter().filter(|c| c.name == name).collect();
        let found: BTreeSet<String> = codes.iter().map(|c| book.path(&c.id)).collect();
        assert_eq!(found, BTreeSet::from(paths.map(str::to_string)), "{name}");
        let ids: BTreeSet<String> = codes.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, code_guids_named(&archive, name), "{name}");
    }
    // the two sources NVivo emptied (one line end each) are reported, nothing else is lost
    assert!(project.transcripts.is_empty());
    assert_eq!(project.segment_count(), 0);
    let empty = project
        .warnings
        .iter()
        .filter(|w| w.contains("the text is empty; not imported"))
        .count();
    assert_eq!(empty, 2, "{:?}", project.warnings);
    assert_eq!(project.warnings.len(), 2, "{:?}", project.warnings);
    // both users, NVivo's own and qc's, with the initials NVivo gave them
    let coders: Vec<(&str, &str, Option<&str>)> = project
        .coders
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), c.initials.as_deref()))
        .collect();
    assert_eq!(
        coders,
        [
            ("mara-rivera", "Mara Rivera", Some("MR")),
            ("mrivera", "mrivera", Some("M"))
        ]
    );
}

#[test]
fn atlas_ti_sample_keeps_codes_and_memos_and_reports_media_sets_and_missing_texts() {
    let project = import_refi(&fixture("spec-annexA2_atlasti8mac_project.qde")).unwrap();
    let book = &project.codebooks[0].codebook;
    assert_eq!(book.codes.len(), 14);
    let diet = book.resolve("Coke::diet Coke").unwrap();
    assert_eq!(diet.id, "d299efae-5779-46dc-9827-a3d1a5d544bc");
    assert_eq!(diet.description, "non sucré");
    assert_eq!(diet.color, "#966450");
    assert!(book.resolve("\"rushed\"").is_some());
    // no text files ship with this .qde: every text source is reported, with its selections
    assert!(project.transcripts.is_empty());
    let w = project.warnings.join("\n");
    for expected in [
        "source 'Mabel.txt': text file 'internal://B2F54555-0D2D-43B2-B40C-2A1C048F5F1C.txt' is missing",
        "source 'Simon.docx': its 3 selections were not imported",
        "1 picture sources not imported",
        "1 audio sources not imported",
        "2 video sources not imported",
        "4 area selections not imported",
        "set members are sources or notes thema did not import",
        "1 graphs",
        "1 links not imported",
    ] {
        assert!(w.contains(expected), "missing warning '{expected}' in:\n{w}");
    }
    // the 16 sets (code groups and document groups) are kept for the way back
    assert_eq!(project.record.sets.len(), 16);
    let feelings = project
        .record
        .sets
        .iter()
        .find(|s| s.name == "Feelings")
        .unwrap();
    assert_eq!(feelings.codes.len(), 6);
    // notes become memos, with their author
    let titles: BTreeSet<&str> = project
        .memos
        .iter()
        .map(|m| m.fields["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        BTreeSet::from(["Research Plan", "My favorite Coke ad"])
    );
    let plan = project
        .memos
        .iter()
        .find(|m| m.fields["title"] == "Research Plan")
        .unwrap();
    assert_eq!(plan.fields["coder"], "friedrich-markgraf");
    assert!(plan.body.starts_with("This is a great project"));
}

/// A synthetic project in the shape of qc 1.3.2's non-conforming export (the real export is not
/// kept: AGPL-3.0; see tests/fixtures/refi/README.md).
#[test]
fn qc_like_nonconforming_project_imports_with_a_warning_for_each_bare_path() {
    let archive = fixture("synthetic/qc-like.qdpx");
    let project = import_refi(&archive).unwrap();
    assert_eq!(project.origin, "qc 1.3.2");
    // sources without a name are known by their text file's name
    let ids: Vec<(&str, &str)> = project
        .transcripts
        .iter()
        .map(|t| (t.id.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("committee_2023", "committee_2023"),
            ("gardener-4", "gardener-4")
        ]
    );
    let coders: Vec<(&str, Option<&str>)> = project
        .coders
        .iter()
        .map(|c| (c.id.as_str(), c.initials.as_deref()))
        .collect();
    assert_eq!(coders, [("mrivera", None)]);
    // 30 codings on 22 selections, every one kept
    assert_eq!(project.segment_count(), 30);
    assert_eq!(project.segments["mrivera"].len(), 30);
    let bare: Vec<&String> = project
        .warnings
        .iter()
        .filter(|w| w.contains("is not an internal:// path (not conformant)"))
        .collect();
    assert_eq!(bare.len(), 2, "{:?}", project.warnings);
    assert!(bare[0].contains("'committee_2023.txt'") && bare[1].contains("'gardener-4.txt'"));
    assert_eq!(project.warnings.len(), 2, "{:?}", project.warnings);
    // qc codes whole lines: every selection starts at the beginning of a line and ends after
    // its line end
    let texts: BTreeMap<&str, Vec<char>> = project
        .transcripts
        .iter()
        .map(|t| (t.id.as_str(), t.text.chars().collect()))
        .collect();
    for s in &project.segments["mrivera"] {
        let chars = &texts[s.transcript.as_str()];
        assert!(s.start == 0 || chars[s.start - 1] == '\n', "{:?}", s.quote);
        assert_eq!(chars[s.end - 1], '\n', "{:?}", s.quote);
        assert_eq!(s.quote.matches('\n').count(), 1, "{:?}", s.quote);
    }
    assert_quotes_exact(&project);
    // each quote equals the independent reading: the named line of the text file
    let qde = String::from_utf8(zip_entry(&archive, "project.qde")).unwrap();
    let root = parse(&qde, "project.qde").unwrap();
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for source in root.child("Sources").unwrap().children_named("TextSource") {
        assert_eq!(source.attr("name"), None);
        let path = source.attr("plainTextPath").unwrap();
        let raw = String::from_utf8(zip_entry(&archive, &format!("sources/{path}"))).unwrap();
        let lines: Vec<&str> = raw.split_inclusive('\n').collect();
        for sel in source.children_named("PlainTextSelection") {
            let n: usize = sel.attr("name").unwrap()["line:".len()..].parse().unwrap();
            for coding in sel.children_named("Coding") {
                let key = format!("mrivera-{}", coding.attr("guid").unwrap());
                expected.insert(key, lines[n].to_string());
            }
        }
    }
    assert_eq!(expected.len(), 30);
    for s in &project.segments["mrivera"] {
        assert_eq!(expected.get(&s.id), Some(&s.quote), "{}", s.id);
    }
}

#[test]
fn a_file_that_is_not_refi_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("other.qde");
    std::fs::write(&xml, "<html><body/></html>").unwrap();
    let err = import_refi(&xml).unwrap_err();
    assert!(matches!(err, RefiError::Format { .. }));
    assert!(err.to_string().contains("<html>"), "{err}");
    let broken = dir.path().join("broken.qde");
    std::fs::write(&broken, "<Project name=\"x\">\n<Users>\n</Project>").unwrap();
    let err = import_refi(&broken).unwrap_err().to_string();
    assert!(err.contains("broken.qde:3"), "{err}");
    let zip = dir.path().join("empty.qdpx");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    w.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(b"hello").unwrap();
    w.finish().unwrap();
    let err = import_refi(&zip).unwrap_err().to_string();
    assert!(
        err.contains("no project.qde") && err.contains("readme.txt"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// thema's example files

#[test]
fn thema_full_example_imports_cases_variables_notes_and_both_coders() {
    let project = import_refi(&fixture("examples/thema-full.qdpx")).unwrap();
    let t = &project.transcripts[0];
    assert_eq!(t.id, "P01-interview", "spaces become -");
    assert_eq!(t.offsets.unit, OffsetUnit::CodePoints);
    assert_eq!((t.offsets.aligned, t.offsets.name_matches), (4, 4));
    // coders are slugs of the user names (the `id` attribute holds initials)
    assert_eq!(project.segments["ana"].len(), 3);
    assert_eq!(project.segments["ben"].len(), 2);
    let quotes: BTreeSet<&str> = all_segments(&project)
        .iter()
        .map(|(_, s)| s.quote.as_str())
        .collect();
    assert_eq!(
        quotes,
        BTreeSet::from([
            "I never have time for lunch",
            "The café is always shut by then",
            "Parking costs me €12 a day",
            "I never have time for lunch. 😩 The café is always shut by then.",
        ])
    );
    let ben_memo = project.segments["ben"][0].memo.as_deref();
    assert_eq!(
        ben_memo,
        Some("Ben: lunch break and canteen hours both matter here.")
    );
    let row = project.attributes.row("P01-interview");
    assert_eq!(row["source_name"], "P01 interview");
    assert_eq!(row["participant"], "P01");
    assert_eq!(row["Age"], "34");
    assert_eq!(row["Role"], "Nurse");
    assert_eq!(row["Interview date"], "2024-11-02");
    let time_memo = project
        .memos
        .iter()
        .find(|m| m.fields["title"] == "Memo: Time")
        .unwrap();
    assert_eq!(
        time_memo.fields["code"],
        "17ab0a54-9a50-5c26-84bd-17453e1ca3c5"
    );
    assert_eq!(time_memo.fields["coder"], "ben");
    // the source set is kept for the way back
    let sets: Vec<(&str, &[String])> = project
        .record
        .sets
        .iter()
        .map(|s| (s.name.as_str(), s.sources.as_slice()))
        .collect();
    assert_eq!(
        sets,
        [("Completed interviews", &["P01-interview".to_string()][..])]
    );
}

#[test]
fn codebook_files_import_with_their_namespace_variants() {
    let project = import_refi(&fixture("examples/thema-codebook.qdc")).unwrap();
    let book = &project.codebooks[0].codebook;
    assert_eq!(book.codes.len(), 5);
    assert_eq!(
        book.path("41259bfb-1db5-5021-8d17-54cf1577ccde"),
        "Facilitators/Peer support"
    );
    assert_eq!(
        book.get("17ab0a54-9a50-5c26-84bd-17453e1ca3c5")
            .unwrap()
            .color,
        "#f28e2b"
    );
    // ATLAS.ti's 0:4 namespace, braces, upper case, #RGB, rgb(), an empty <Sets/>
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("atlas.qdc");
    std::fs::write(
        &file,
        r##"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="ATLAS.ti 23.4.0">
  <Codes>
    <Code guid="{0F8A1907-7E42-4739-8610-A676B4D1B69F}" name="Feelings" isCodable="1" color="#F08">
      <Code guid="85D17F60-7BB0-481E-B742-B4861DD669DF" name="happy/joyful" isCodable="true" color="rgb(1,2,3)"/>
    </Code>
  </Codes>
  <Sets/>
</CodeBook>"##,
    )
    .unwrap();
    let project = import_refi(&file).unwrap();
    let book = &project.codebooks[0].codebook;
    let feelings = book.get("0f8a1907-7e42-4739-8610-a676b4d1b69f").unwrap();
    assert_eq!(feelings.color, "#ff0088");
    let happy = book.get("85d17f60-7bb0-481e-b742-b4861dd669df").unwrap();
    // the name is kept as written; the path escapes its '/'
    assert_eq!(happy.name, "happy/joyful");
    assert_eq!(happy.parent.as_deref(), Some(feelings.id.as_str()));
    assert_eq!(book.path(&happy.id), "Feelings/happy\\/joyful");
    let w = project.warnings.join("\n");
    assert!(w.contains("rgb(1,2,3)"), "{w}");
    // the other namespace version and the empty <Sets/> lose nothing: notes, not warnings
    let notes = project.notes.join("\n");
    assert!(
        notes.contains("urn:QDA-XML:codebook:0:4") && notes.contains("empty <Sets/> accepted"),
        "{notes}"
    );
}

// ---------------------------------------------------------------------------------------------
// Lenient containers and offset units

/// Writes a ZIP with the given entries.
fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn atlas_like_archive_with_crlf_counted_once_is_read_in_that_unit() {
    // ATLAS.ti style: Project.qde named after the project, Sources/ capitalised, upper-case
    // GUIDs, positions in code points with CRLF counted once, excerpts in `name`
    let text = "Interviewer: What do you eat?\r\n\r\nMabel: Cornflakes, mostly. Sometimes a Coke.\r\n\r\nInterviewer: Every day?\r\n\r\nMabel: Every single day, honestly.\r\n";
    let lf = text.replace("\r\n", "\n");
    let span = |w: &str| {
        let s = lf.find(w).unwrap();
        let a = lf[..s].chars().count();
        (a, a + w.chars().count())
    };
    let (a1, b1) = span("Sometimes a Coke");
    let (a2, b2) = span("Every single day, honestly");
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Breakfast" origin="ATLAS.ti 26.1.1">
  <Users><User guid="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" name="Friedrich Markgraf"/></Users>
  <CodeBook><Codes><Code guid="{{D299EFAE-5779-46DC-9827-A3D1A5D544BC}}" name="Coke" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="EC0A7242-65E1-457C-B7D1-310DAE603FAB" name="Mabel.txt" plainTextPath="internal://B2F54555-0D2D-43B2-B40C-2A1C048F5F1C.txt">
      <PlainTextSelection guid="2F24EA88-C6A7-482B-8F89-893EF66D7A21" name="Sometimes a Coke" startPosition="{a1}" endPosition="{b1}" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB">
        <Coding guid="2284BF5B-8F78-45B6-A6EF-A128D991408B"><CodeRef targetGUID="d299efae-5779-46dc-9827-a3d1a5d544bc"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="4191294A-E287-4510-95B0-69BCE4638E56" name="Every single day, honestly" startPosition="{a2}" endPosition="{b2}">
        <Coding guid="445A6AEC-1400-4502-919D-0867832FF211" creatingUser="{{AD68FBE7-E1EE-4A82-A279-23CC698C89EB}}"><CodeRef targetGUID="D299EFAE-5779-46DC-9827-A3D1A5D544BC"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#
    );
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("Breakfast.qdpx");
    write_zip(
        &archive,
        &[
            ("Breakfast.qde", qde.as_bytes()),
            (
                "Sources/b2f54555-0d2d-43b2-b40c-2a1c048f5f1c.txt",
                text.as_bytes(),
            ),
        ],
    );
    let project = import_refi(&archive).unwrap();
    let t = &project.transcripts[0];
    assert_eq!(t.id, "Mabel");
    assert_eq!(t.offsets.unit, OffsetUnit::CodePointsCrlfAsOne);
    assert_eq!(t.text, lf);
    let quotes: Vec<&str> = project.segments["friedrich-markgraf"]
        .iter()
        .map(|s| s.quote.as_str())
        .collect();
    assert_eq!(quotes, ["Sometimes a Coke", "Every single day, honestly"]);
    assert!(project.notes[0].contains("Breakfast.qde"));
    assert!(!project.warnings.iter().any(|w| w.contains("Breakfast.qde")));
    // the same project unpacked into a folder, and as a bare .qde beside sources/
    let folder = dir.path().join("unpacked");
    std::fs::create_dir_all(folder.join("sources")).unwrap();
    std::fs::write(folder.join("project.qde"), &qde).unwrap();
    std::fs::write(
        folder.join("sources/B2F54555-0D2D-43B2-B40C-2A1C048F5F1C.txt"),
        text,
    )
    .unwrap();
    for path in [folder.clone(), folder.join("project.qde")] {
        let again = import_refi(&path).unwrap();
        assert_eq!(again.segments, project.segments);
    }
    // a missing text file fails that source only
    std::fs::remove_file(folder.join("sources/B2F54555-0D2D-43B2-B40C-2A1C048F5F1C.txt")).unwrap();
    let partial = import_refi(&folder).unwrap();
    assert!(partial.transcripts.is_empty() && partial.segment_count() == 0);
    assert_eq!(partial.codebooks[0].codebook.codes.len(), 1);
    assert!(partial.warnings.iter().any(|w| w.contains("is missing")));
}

// ---------------------------------------------------------------------------------------------
// Round trip of a thema study

const LW07: &str = "[Interview with LW07, 3 May 2024]\n\nInterviewer: How do you find the referrals? 🙂\n\nLW07: Honestly — some are inappropriate. Siân sent me a housing crisis last week; the café won't take anyone after six.\n\nInterviewer: And the buses?\n\nLW07: Buses stop at 18:00, so people can't get to the group.\n";
const V03: &str = "Interviewer: 你好. Why volunteer?\n\nV03: Zoë said it helps; I like being useful. The cafe\u{301} shifts are fun 👍🏽 really.\n\nInterviewer: Anything hard?\n\nV03: Training was long & the forms confusing: \"tick here\" <then> there.\n";

struct Built {
    dir: tempfile::TempDir,
    root: PathBuf,
}

/// A study with two transcripts (non-ASCII), two codebooks, three coders, attributes and memos.
fn build_study() -> Built {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("link-workers");
    Study::init(&root, "Link workers evaluation").unwrap();
    files::save_transcript(&root, "LW07-y1", LW07).unwrap();
    files::save_transcript(&root, "V03", V03).unwrap();
    let mut attributes = Attributes::default();
    for (t, p, role, wave, age) in [
        ("LW07-y1", "LW07", "link worker", "first year", "34"),
        ("V03", "V03", "volunteer", "", "61"),
    ] {
        attributes.set(t, "participant", p);
        attributes.set(t, "role", role);
        attributes.set(t, "wave", wave);
        attributes.set(t, "age", age);
    }
    files::save_attributes(&root, &attributes).unwrap();
    let mut study = Study::open(&root).unwrap();
    let describe = |d: &str, inc: &str, exc: &str, ex: &str, color: &str| Description {
        description: Some(d.to_string()),
        include: (!inc.is_empty()).then(|| inc.to_string()),
        exclude: (!exc.is_empty()).then(|| exc.to_string()),
        example: (!ex.is_empty()).then(|| ex.to_string()),
        color: Some(color.to_string()),
    };
    let referrals = study
        .add_code(
            "r1",
            Some("Link workers"),
            "Challenges/Inappropriate referrals",
            &describe(
                "Referrals the service cannot meet.\nTwo lines & <angle> \"quotes\".",
                "housing, debt",
                "self-referrals",
                "\"some are inappropriate\"",
                "#e15759",
            ),
            None,
        )
        .unwrap();
    let transport = study
        .add_code(
            "r1",
            Some("Link workers"),
            "Challenges/Transport",
            &describe("Getting to groups.", "", "", "", "#4e79a7"),
            None,
        )
        .unwrap();
    let challenges = study.resolve_code("Challenges", None).unwrap().id.clone();
    study
        .describe_code(
            "r1",
            &challenges,
            None,
            &describe("Theme: what gets in the way.", "", "", "", "#f28e2b"),
            None,
        )
        .unwrap();
    let useful = study
        .add_code(
            "r1",
            Some("Volunteers"),
            "Motivation/Feeling useful",
            &describe("Volunteering gives purpose.", "", "", "", "#59a14f"),
            None,
        )
        .unwrap();
    let training = study
        .add_code(
            "r1",
            Some("Volunteers"),
            "Barriers/Training",
            &Description::default(),
            None,
        )
        .unwrap();
    let q = |s: &str| Span::Quote(s.to_string());
    let mut memo_segment = String::new();
    for (coder, transcript, span, code) in [
        ("r1", "LW07-y1", q("some are inappropriate"), &referrals),
        ("r1", "LW07-y1", q("Buses stop at 18:00"), &transport),
        ("r1", "LW07-y1", q("Buses stop at 18:00"), &challenges),
        ("r1", "V03", q("I like being useful"), &useful),
        (
            "jane-smith",
            "LW07-y1",
            q("Siân sent me a housing crisis last week"),
            &referrals,
        ),
        (
            "jane-smith",
            "V03",
            q("The cafe\u{301} shifts are fun 👍🏽 really"),
            &useful,
        ),
        (
            "jane-smith",
            "V03",
            q("Training was long & the forms confusing: \"tick here\" <then> there"),
            &training,
        ),
        (
            "consensus",
            "LW07-y1",
            q("some are inappropriate"),
            &referrals,
        ),
        ("consensus", "LW07-y1", Span::Turn(4), &transport),
    ] {
        let s = study.apply_code(coder, transcript, &span, code).unwrap();
        if coder == "jane-smith" && code == &training {
            memo_segment = s.id.clone();
        }
    }
    let first = study.layer("r1").unwrap()[0].id.clone();
    study
        .update_segment("r1", &first, |s| {
            s.memo = Some("Strong example;\nsee the memo.".to_string())
        })
        .unwrap();
    for (file, fields, body) in [
        (
            "why-transport-keeps-coming-up",
            vec![
                ("title", "Why transport keeps coming up"),
                ("coder", "r1"),
                ("code", transport.as_str()),
                ("created", "2025-03-02"),
            ],
            "Buses stop at six.\n\nThree participants say so & it matters.\n",
        ),
        (
            "v03-first-impressions",
            vec![
                ("title", "V03 first impressions"),
                ("coder", "jane-smith"),
                ("transcript", "V03"),
            ],
            "Warm, talkative — Zoë recruited them.\n",
        ),
        (
            "training-quote",
            vec![
                ("title", "Training quote"),
                ("coder", "jane-smith"),
                ("segment", memo_segment.as_str()),
            ],
            "Use this in the paper.\n",
        ),
        (
            "project-journal",
            vec![("title", "Project journal")],
            "Started coding.\n",
        ),
    ] {
        memo::save_memo(&Memo {
            path: root.join("memos").join(format!("{file}.md")),
            fields: fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_string(),
        })
        .unwrap();
    }
    Built { dir, root }
}

/// One segment as compared: coder, transcript, start, end, code path, quote, time, memo.
type SegmentRow = (
    String,
    String,
    usize,
    usize,
    String,
    String,
    String,
    Option<String>,
);

/// A comparable view of a study: everything keyed by names and paths, not ids.
#[derive(Debug, PartialEq)]
struct View {
    transcripts: BTreeMap<String, String>,
    codebooks: BTreeMap<String, (String, BTreeMap<String, [String; 5]>)>,
    segments: BTreeSet<SegmentRow>,
    attributes: BTreeMap<String, BTreeMap<String, String>>,
    memos: BTreeMap<String, (String, BTreeMap<String, String>)>,
}

fn view(study: &Study) -> View {
    let transcripts = study
        .all_transcripts()
        .unwrap()
        .iter()
        .map(|t| (t.id.clone(), t.text.clone()))
        .collect();
    let codebooks = study
        .codebooks
        .iter()
        .map(|c| {
            let codes = c
                .codebook
                .codes
                .iter()
                .map(|code| {
                    (
                        c.codebook.path(&code.id),
                        [
                            code.description.clone(),
                            code.include.clone(),
                            code.exclude.clone(),
                            code.example.clone(),
                            code.color.clone(),
                        ],
                    )
                })
                .collect();
            (c.file.clone(), (c.codebook.name.clone(), codes))
        })
        .collect();
    let mut segments = BTreeSet::new();
    for (coder, list) in study.layers().unwrap() {
        for s in list {
            segments.insert((
                coder.to_string(),
                s.transcript.clone(),
                s.start,
                s.end,
                study.code_path(&s.code),
                s.quote.clone(),
                s.at.clone(),
                s.memo.clone(),
            ));
        }
    }
    let attributes = study
        .all_transcripts()
        .unwrap()
        .iter()
        .map(|t| {
            let row = study
                .attributes
                .row(&t.id)
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect();
            (t.id.clone(), row)
        })
        .collect();
    let memos = study
        .memos
        .iter()
        .map(|m| {
            let mut fields = m.fields.clone();
            // an import names each memo's note; the study it was exported from did not
            fields.remove("guid");
            if let Some(code) = fields.get("code").cloned() {
                fields.insert("code".into(), study.code_path(&code));
            }
            if let Some(seg) = fields.get("segment").cloned() {
                let (coder, s) = study.find_segment(&seg).unwrap().unwrap();
                fields.insert(
                    "segment".into(),
                    format!(
                        "{coder} {} {}..{} {}",
                        s.transcript,
                        s.start,
                        s.end,
                        study.code_path(&s.code)
                    ),
                );
            }
            if let Some(created) = fields.get("created").cloned() {
                fields.insert("created".into(), created[..10].to_string());
            }
            (m.title(), (m.body.trim_end().to_string(), fields))
        })
        .collect();
    View {
        transcripts,
        codebooks,
        segments,
        attributes,
        memos,
    }
}

#[test]
fn a_study_survives_export_and_import_into_an_empty_study() {
    let built = build_study();
    let study = Study::open(&built.root).unwrap();
    assert_eq!(study.coders(), ["consensus", "jane-smith", "r1"]);
    let out = built.dir.path().join("export.qdpx");
    let summary = export_qdpx(&study, &out, &Default::default()).unwrap();
    assert_eq!(summary.transcripts, 2);
    assert_eq!((summary.codebooks, summary.codes), (2, 7));
    assert_eq!(summary.coders, ["consensus", "jane-smith", "r1"]);
    assert_eq!(summary.codings, 9);
    assert_eq!(summary.selections, 8, "r1 coded one span with two codes");
    assert_eq!((summary.memos, summary.cases, summary.variables), (4, 2, 3));
    assert!(
        summary.not_exported.is_empty(),
        "{:?}",
        summary.not_exported
    );

    // the archive: project.qde and sources/<guid>.txt, texts exactly the transcripts
    let names = zip_names(&out);
    assert_eq!(names[0], "project.qde");
    assert_eq!(names.len(), 3);
    for name in &names[1..] {
        assert!(name.starts_with("sources/") && name.ends_with(".txt"));
        let text = String::from_utf8(zip_entry(&out, name)).unwrap();
        assert!(text == LW07 || text == V03);
    }
    let xml = String::from_utf8(zip_entry(&out, "project.qde")).unwrap();
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("plainTextPath=\"internal://"));
    assert!(xml.contains("<Description>Strong example;\nsee the memo.</Description>"));

    // import into an empty folder: the same study
    let project = import_refi(&out).unwrap();
    for t in &project.transcripts {
        assert_eq!(t.offsets.unit, OffsetUnit::CodePoints);
        assert_eq!(t.offsets.aligned, t.offsets.total);
        assert!(!t.offsets.overrides_origin);
    }
    let target = built.dir.path().join("copy");
    let imported = apply_to_study(&target, &project).unwrap();
    assert_eq!(imported.transcripts, ["LW07-y1", "V03"]);
    assert_eq!(imported.codes_added, 7);
    assert_eq!(
        imported.segments,
        BTreeMap::from([
            ("consensus".to_string(), 2),
            ("jane-smith".to_string(), 3),
            ("r1".to_string(), 4)
        ])
    );
    let copy = Study::open_all(&target).unwrap();
    assert!(copy.notices().is_empty());
    assert_eq!(copy.coders(), study.coders());
    assert_eq!(view(&copy), view(&study));
    assert_eq!(copy.name(), study.name());
    let problems = copy.check().unwrap();
    assert!(problems.is_empty(), "{problems:?}");

    // and exporting the copy gives the same document: GUIDs and all
    let again = built.dir.path().join("again.qdpx");
    export_qdpx(&copy, &again, &Default::default()).unwrap();
    let xml_again = String::from_utf8(zip_entry(&again, "project.qde")).unwrap();
    assert_eq!(xml_again, xml);
}

#[test]
fn exports_are_schema_valid_and_references_resolve() {
    let built = build_study();
    let study = Study::open(&built.root).unwrap();
    let out = built.dir.path().join("export.qdpx");
    export_qdpx(&study, &out, &Default::default()).unwrap();
    let xml = String::from_utf8(zip_entry(&out, "project.qde")).unwrap();
    assert_schema_valid(&xml, "Project-mrt2019.xsd", "project.qde");
    assert_references_resolve(&xml);
    let qdc = export_qdc(&study).unwrap();
    assert_schema_valid(&qdc, "Codebook.xsd", "the .qdc");
    assert!(qdc.contains("xmlns=\"urn:QDA-XML:codebook:1.0\""));
    // the codebook round trip: two codebooks, same trees
    let file = built.dir.path().join("codes.qdc");
    std::fs::write(&file, &qdc).unwrap();
    let project = import_refi(&file).unwrap();
    let books: BTreeMap<String, (String, usize)> = project
        .codebooks
        .iter()
        .map(|c| {
            (
                c.file.clone(),
                (c.codebook.name.clone(), c.codebook.codes.len()),
            )
        })
        .collect();
    assert_eq!(
        books,
        BTreeMap::from([
            ("link-workers".to_string(), ("Link workers".to_string(), 3)),
            ("volunteers".to_string(), ("Volunteers".to_string(), 4)),
        ])
    );
    let referrals = project.codebooks[0]
        .codebook
        .resolve("Challenges/Inappropriate referrals")
        .unwrap();
    assert_eq!(referrals.include, "housing, debt");
    assert_eq!(referrals.example, "\"some are inappropriate\"");
    // the thema examples written for thema also validate
    for example in ["examples/thema-full.qdpx", "examples/thema-minimal.qdpx"] {
        let xml = String::from_utf8(zip_entry(&fixture(example), "project.qde")).unwrap();
        assert_schema_valid(&xml, "Project-mrt2019.xsd", example);
    }
}

#[test]
fn guids_are_identical_across_exports() {
    let built = build_study();
    let study = Study::open(&built.root).unwrap();
    let a = built.dir.path().join("a.qdpx");
    let b = built.dir.path().join("b.qdpx");
    export_qdpx(&study, &a, &Default::default()).unwrap();
    // reopening the study changes nothing either
    let reopened = Study::open(&built.root).unwrap();
    export_qdpx(&reopened, &b, &Default::default()).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let guids = |p: &Path| -> Vec<String> {
        let xml = String::from_utf8(zip_entry(p, "project.qde")).unwrap();
        let mut out = Vec::new();
        fn walk(e: &Element, out: &mut Vec<String>) {
            if let Some(g) = e.attr("guid") {
                out.push(format!("{} {g}", e.name));
            }
            e.children.iter().for_each(|c| walk(c, out));
        }
        walk(&parse(&xml, "project.qde").unwrap(), &mut out);
        out
    };
    assert_eq!(guids(&a), guids(&b));
    assert_eq!(export_qdc(&study).unwrap(), export_qdc(&reopened).unwrap());
}

/// Every file of a study folder (derived data and locks left out), by relative path.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if rel.starts_with(".thema") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn importing_a_study_s_own_export_again_changes_nothing() {
    let built = build_study();
    let study = Study::open(&built.root).unwrap();
    let out = built.dir.path().join("export.qdpx");
    export_qdpx(&study, &out, &Default::default()).unwrap();
    let project = import_refi(&out).unwrap();
    let before = snapshot(&built.root);
    let summary = apply_to_study(&built.root, &project).unwrap();
    assert_eq!(summary.transcripts_present, ["LW07-y1", "V03"]);
    assert_eq!(summary.codes_added, 0);
    assert!(
        summary.memos.is_empty() && summary.memos_updated.is_empty(),
        "{summary:?}"
    );
    let after = snapshot(&built.root);
    let changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(p, bytes)| before.get(*p) != Some(*bytes))
        .map(|(p, _)| p)
        .collect();
    // only what the way back needs is added
    assert_eq!(
        changed,
        [&PathBuf::from("coders.json"), &PathBuf::from("refi.json")]
    );
}

#[test]
fn importing_refuses_to_overwrite_a_transcript_and_writes_nothing() {
    let built = build_study();
    let study = Study::open(&built.root).unwrap();
    let out = built.dir.path().join("export.qdpx");
    export_qdpx(&study, &out, &Default::default()).unwrap();
    let project = import_refi(&out).unwrap();
    // the transcript was edited since: importing must not overwrite it
    let path = files::transcript_path(&built.root, "LW07-y1");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Buses", "The buses");
    std::fs::write(&path, edited).unwrap();
    let before = snapshot(&built.root);
    let err = apply_to_study(&built.root, &project).unwrap_err();
    assert!(matches!(err, RefiError::TranscriptExists { ref id, .. } if id == "LW07-y1"));
    assert!(err.to_string().contains("already exists"));
    assert_eq!(snapshot(&built.root), before);
}

#[test]
fn importing_into_an_existing_study_adds_to_it() {
    let built = build_study();
    // a second project: the NVivo sample, into the built study
    let nvivo = import_refi(&fixture("nvivo12win_oltas0517-trimmed.qdpx")).unwrap();
    let summary = apply_to_study(&built.root, &nvivo).unwrap();
    assert_eq!(summary.segments["gergo"], 303);
    let study = Study::open(&built.root).unwrap();
    assert_eq!(study.transcripts().len(), 4);
    assert_eq!(study.codebooks.len(), 3);
    assert_eq!(study.coders(), ["consensus", "gergo", "jane-smith", "r1"]);
    let history = files::load_history(&built.root, "untitled").unwrap();
    assert_eq!(history.len(), 152);
    assert!(study
        .check()
        .unwrap()
        .iter()
        .all(|p| p.severity != thema::study::check::Severity::Error));
    // the same codebook again is recognised as already there
    let only_codes = RefiProject {
        codebooks: nvivo.codebooks.clone(),
        ..RefiProject::default()
    };
    let summary = apply_to_study(&built.root, &only_codes).unwrap();
    assert_eq!(summary.codes_added, 0);
    assert!(summary.codebooks[0].contains("already there"));
}

#[test]
fn an_empty_codebook_cannot_be_exported_as_qdc() {
    let dir = tempfile::tempdir().unwrap();
    Study::init(dir.path(), "Empty").unwrap();
    let study = Study::open(dir.path()).unwrap();
    assert!(matches!(export_qdc(&study), Err(RefiError::EmptyCodebook)));
    // a project without codes is still valid
    let out = dir.path().join("empty.qdpx");
    export_qdpx(&study, &out, &Default::default()).unwrap();
    let xml = String::from_utf8(zip_entry(&out, "project.qde")).unwrap();
    assert_schema_valid(&xml, "Project-mrt2019.xsd", "an empty project");
    assert!(!xml.contains("<Users") && !xml.contains("<CodeBook"));
}

#[test]
fn thema_minimal_example_imports_one_coded_selection() {
    let project = import_refi(&fixture("examples/thema-minimal.qdpx")).unwrap();
    assert_eq!(project.segments["ana"].len(), 1);
    assert_eq!(
        project.segments["ana"][0].quote,
        "I never have time for lunch"
    );
    assert_eq!(project.segments["ana"][0].at, "2025-01-15T09:41:00Z");
    assert!(project.warnings.is_empty(), "{:?}", project.warnings);
}

#[test]
fn maxqda_like_project_maps_cases_variables_and_reports_edge_selections() {
    let text = "A: I feel stressed.\n\nB: Family helps a lot.\n";
    let at = |w: &str| {
        let byte = text.find(w).unwrap();
        text[..byte].chars().count()
    };
    let len = text.chars().count();
    let (s1, e1) = (at("I feel"), at("I feel") + "I feel stressed".len());
    let (s4, s6) = (at("Family"), at("helps"));
    let qde = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Stress study" origin="MAXQDA 24">
  <Users><User guid="11111111-1111-4111-8111-111111111111" name="María López"/></Users>
  <CodeBook><Codes>
    <Code guid="c1c1c1c1-0000-4000-8000-000000000001" name="Stress" isCodable="true" color="#ABC"/>
    <Code guid="c1c1c1c1-0000-4000-8000-000000000002" name="Support" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="7a7a7a7a-0000-4000-8000-000000000001" name="Age" typeOfVariable="Integer"/>
    <Variable guid="7a7a7a7a-0000-4000-8000-000000000002" name="Site" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="cace0000-0000-4000-8000-000000000001">
      <VariableValue><VariableRef targetGUID="7a7a7a7a-0000-4000-8000-000000000001"/><IntegerValue>41</IntegerValue></VariableValue>
      <SourceRef targetGUID="50505050-0000-4000-8000-000000000001"/>
    </Case>
    <Case guid="cace0000-0000-4000-8000-000000000002" name="P7">
      <SourceRef targetGUID="50505050-0000-4000-8000-000000000001"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="50505050-0000-4000-8000-000000000001" name="Interview 7.docx">
      <PlainTextContent>{text}</PlainTextContent>
      <PlainTextSelection guid="5e1e0000-0000-4000-8000-000000000001" startPosition="{s1}" endPosition="{e1}" creatingUser="11111111-1111-4111-8111-111111111111">
        <Coding guid="c0d10000-0000-4000-8000-000000000001" creatingUser="11111111-1111-4111-8111-111111111111"><CodeRef targetGUID="c1c1c1c1-0000-4000-8000-000000000001"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5e1e0000-0000-4000-8000-000000000002" startPosition="{s1}" endPosition="{e1}">
        <Description>nice quote</Description>
      </PlainTextSelection>
      <PlainTextSelection guid="5e1e0000-0000-4000-8000-000000000003" startPosition="5" endPosition="5">
        <Coding guid="c0d10000-0000-4000-8000-000000000003"><CodeRef targetGUID="c1c1c1c1-0000-4000-8000-000000000001"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5e1e0000-0000-4000-8000-000000000004" startPosition="{s4}" endPosition="999" creatingUser="11111111-1111-4111-8111-111111111111">
        <Coding guid="c0d10000-0000-4000-8000-000000000004"><CodeRef targetGUID="c1c1c1c1-0000-4000-8000-000000000002"/></Coding>
        <Coding guid="c0d10000-0000-4000-8000-000000000005"><CodeRef targetGUID="cace0000-0000-4000-8000-000000000002"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="5e1e0000-0000-4000-8000-000000000006" startPosition="{s6}" endPosition="{e6}" creatingUser="11111111-1111-4111-8111-111111111111">
        <Coding guid="c0d10000-0000-4000-8000-000000000006" creatingUser="99999999-9999-4999-8999-999999999999"><CodeRef targetGUID="c1c1c1c1-0000-4000-8000-000000000001"/></Coding>
      </PlainTextSelection>
      <Coding guid="c0d10000-0000-4000-8000-000000000007"><CodeRef targetGUID="c1c1c1c1-0000-4000-8000-000000000002"/></Coding>
      <VariableValue><VariableRef targetGUID="7a7a7a7a-0000-4000-8000-000000000002"/><TextValue>Leeds</TextValue></VariableValue>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="0e0e0000-0000-4000-8000-000000000001" name="Memo on stress" creatingUser="11111111-1111-4111-8111-111111111111">
      <PlainTextContent>Stress peaks at exams.</PlainTextContent>
    </Note>
  </Notes>
  <Links>
    <Link guid="1e1e0000-0000-4000-8000-000000000001" originGUID="0e0e0000-0000-4000-8000-000000000001" targetGUID="c1c1c1c1-0000-4000-8000-000000000001"/>
  </Links>
</Project>"##,
        e6 = s6 + "helps".len()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("project.qde");
    std::fs::write(&file, qde).unwrap();
    let project = import_refi(&file).unwrap();
    let t = &project.transcripts[0];
    assert_eq!((t.id.as_str(), t.text.as_str()), ("Interview-7", text));
    let row = project.attributes.row("Interview-7");
    assert_eq!(row["source_name"], "Interview 7.docx");
    assert_eq!(row["participant"], "P7");
    assert_eq!(row["Age"], "41");
    assert_eq!(row["Site"], "Leeds");
    let maria: Vec<(&str, &str)> = project.segments["maría-lópez"]
        .iter()
        .map(|s| (s.quote.as_str(), s.code.as_str()))
        .collect();
    assert_eq!(
        maria,
        [
            ("I feel stressed", "c1c1c1c1-0000-4000-8000-000000000001"),
            (
                "Family helps a lot.\n",
                "c1c1c1c1-0000-4000-8000-000000000002"
            ),
            ("helps", "c1c1c1c1-0000-4000-8000-000000000001"),
        ]
    );
    let whole = &project.segments["imported"][0];
    assert_eq!(
        (whole.start, whole.end, whole.quote.as_str()),
        (0, len, text)
    );
    let w = project.warnings.join("\n");
    for expected in [
        "1 selections reached past the end",
        "1 codings of empty (zero-length) selections",
        "1 codings that point at cases",
        "1 codings or selections name a user not in <Users>",
        "1 codings of the whole source",
        "1 selections without codes (comments or annotations) not imported, 1 of them with a comment",
    ] {
        assert!(w.contains(expected), "missing '{expected}' in:\n{w}");
    }
    assert_eq!(
        project.codebooks[0]
            .codebook
            .get("c1c1c1c1-0000-4000-8000-000000000001")
            .unwrap()
            .color,
        "#aabbcc"
    );
    let memo = &project.memos[0];
    assert_eq!(memo.fields["code"], "c1c1c1c1-0000-4000-8000-000000000001");
    assert_eq!(memo.fields["coder"], "maría-lópez");
    // written into a study, it checks clean
    let root = dir.path().join("study");
    let summary = apply_to_study(&root, &project).unwrap();
    assert!(summary
        .warnings
        .iter()
        .any(|w| w.contains("coder 'imported'")));
    let study = Study::open(&root).unwrap();
    let problems = study.check().unwrap();
    assert!(
        problems
            .iter()
            .all(|p| p.severity != thema::study::check::Severity::Error),
        "{problems:?}"
    );
    assert_eq!(study.attributes.get("Interview-7", "Site"), Some("Leeds"));
    assert_eq!(study.memos.len(), 1);
}

#[test]
fn what_cannot_be_exported_is_reported() {
    let built = build_study();
    let mut study = Study::open(&built.root).unwrap();
    let id = study.layer("r1").unwrap()[1].id.clone();
    study
        .update_segment("r1", &id, |s| s.starred = true)
        .unwrap();
    drop(study);
    // a segment of a transcript that no longer exists, as a hand edit would leave it
    let mut layer = files::load_codings(&built.root, "jane-smith").unwrap();
    let mut orphan = layer[0].clone();
    orphan.id = "jane-smith-orphan".to_string();
    orphan.transcript = "gone".to_string();
    layer.push(orphan);
    files::save_codings(&built.root, "jane-smith", &layer).unwrap();
    let study = Study::open(&built.root).unwrap();
    let summary = export_qdpx(
        &study,
        &built.dir.path().join("x.qdpx"),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(summary.codings, 9);
    let report = summary.not_exported.join("\n");
    assert!(
        report.contains("1 segments of transcripts that do not exist"),
        "{report}"
    );
    assert!(report.contains("1 starred marks"), "{report}");
}
