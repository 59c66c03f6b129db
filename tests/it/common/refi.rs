//! Helpers of the REFI-QDA tests: the fixtures in `tests/fixtures/refi`, reading archives, and
//! checking exports against the official schemas (xmllint) and for references that resolve.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use thema::refi::xml::{parse, Element};

/// A file of `tests/fixtures/refi` (see the README there for where each came from).
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/refi")
        .join(rel)
}

pub fn schema(name: &str) -> PathBuf {
    fixture("schema").join(name)
}

/// Reads one entry of a ZIP archive.
pub fn zip_entry(archive: &Path, name: &str) -> Vec<u8> {
    let file = std::fs::File::open(archive).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut entry = zip.by_name(name).unwrap();
    let mut out = Vec::new();
    entry.read_to_end(&mut out).unwrap();
    out
}

pub fn zip_names(archive: &Path) -> Vec<String> {
    let file = std::fs::File::open(archive).unwrap();
    let zip = zip::ZipArchive::new(file).unwrap();
    zip.file_names().map(str::to_string).collect()
}

/// Whether xmllint can be used. Without it the validation is skipped loudly, unless `CI` is set,
/// where a missing xmllint fails the test (scripts/setup-test-tools.sh installs it).
pub fn xmllint_available() -> bool {
    if Command::new("xmllint").arg("--version").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "xmllint is required when CI is set: run scripts/setup-test-tools.sh (Debian: libxml2-utils)"
    );
    eprintln!(
        "\n!!!!!!!! SKIPPING XSD VALIDATION: xmllint not found. Install libxml2-utils \
         (scripts/setup-test-tools.sh); with CI set this is a failure. !!!!!!!!\n"
    );
    false
}

/// Validates `xml` against an XSD with xmllint (skipped loudly when xmllint is absent).
pub fn assert_schema_valid(xml: &str, xsd: &str, what: &str) {
    if !xmllint_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema(xsd))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{what} does not validate against {xsd}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Checks what the XSD cannot: every GUID reference of a project document resolves.
pub fn assert_references_resolve(xml: &str) {
    let root = parse(xml, "project.qde").unwrap();
    let mut defined = BTreeSet::new();
    let mut refs = Vec::new();
    fn walk(e: &Element, defined: &mut BTreeSet<String>, refs: &mut Vec<(String, String)>) {
        if let Some(g) = e.attr("guid") {
            assert!(defined.insert(g.to_string()), "GUID {g} defined twice");
        }
        for key in [
            "targetGUID",
            "creatingUser",
            "modifyingUser",
            "creatingUserGUID",
        ] {
            if let Some(g) = e.attr(key) {
                refs.push((format!("{}@{key}", e.name), g.to_string()));
            }
        }
        for c in &e.children {
            walk(c, defined, refs);
        }
    }
    walk(&root, &mut defined, &mut refs);
    for (what, guid) in refs {
        assert!(
            defined.contains(&guid),
            "{what} points at {guid}, which nothing defines"
        );
    }
    // GUIDs are lowercase and unbraced
    assert!(defined
        .iter()
        .all(|g| g.len() == 36 && *g == g.to_lowercase()));
}
