//! `thema check`: every problem of a study, each with file and line, without stopping at the
//! first one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::history::replay;
use crate::model::Segment;
use crate::study::files::{self, codings_path, list, read_text};
use crate::study::{memo, Result, Study};

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong with the data.
    Warning,
    /// Must be fixed.
    Error,
}

/// One problem found in a study file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the study when possible.
    pub file: PathBuf,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: usize,
    /// What is wrong and what to do.
    pub message: String,
}

impl Problem {
    /// An error.
    pub fn error(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    /// A warning.
    pub fn warning(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line > 0 {
            write!(
                f,
                "{}:{}: {kind}: {}",
                self.file.display(),
                self.line,
                self.message
            )
        } else {
            write!(f, "{}: {kind}: {}", self.file.display(), self.message)
        }
    }
}

fn from_error(err: crate::study::StudyError) -> Problem {
    match err {
        crate::study::StudyError::Parse {
            path,
            line,
            message,
        } => Problem::error(&path, line, message),
        crate::study::StudyError::Io { path, source } => {
            Problem::error(&path, 0, source.to_string())
        }
        other => Problem::error(Path::new("."), 0, other.to_string()),
    }
}

/// Checks every file of the study at `root` and returns all problems found, errors first.
pub fn check(root: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let transcript_ids = check_transcripts(root, &mut problems)?;
    let attributes = check_attributes(root, &transcript_ids, &mut problems);
    problems.extend(attribution_template(root, &attributes));
    let codes = check_codebooks(root, &transcript_ids, &attributes, &mut problems);
    let known = Known {
        transcript_ids,
        attributes,
        codes,
    };
    problems.extend(check_codings(root, &known)?);
    problems.extend(check_memos(root, &known)?);
    Ok(relative_and_sorted(root, problems))
}

/// What the checks of codings and memos need to know of the transcripts and codebooks.
struct Known {
    /// The transcripts' ids.
    transcript_ids: BTreeSet<String>,
    /// The transcripts' attributes (empty when the file cannot be read).
    attributes: crate::model::Attributes,
    /// The codes the codebooks define.
    codes: Codes,
}

/// The codes of the study's codebooks.
#[derive(Default)]
struct Codes {
    /// Each code id and the codebook file that defines it first.
    ids: BTreeMap<String, PathBuf>,
    /// The scope of each scoped codebook's codes: (codebook name, scope).
    scopes: BTreeMap<String, (String, crate::model::Scope)>,
}

/// Transcripts: readable and canonical; files that are not transcripts. Returns the
/// transcripts' ids.
fn check_transcripts(root: &Path, problems: &mut Vec<Problem>) -> Result<BTreeSet<String>> {
    let mut transcript_ids = BTreeSet::new();
    for path in list(&root.join("transcripts"), "txt")? {
        match read_text(&path) {
            Ok(text) => problems.extend(check_transcript_text(&path, &text)),
            Err(e) => problems.push(from_error(e)),
        }
        if let Some(stem) = path.file_stem() {
            transcript_ids.insert(stem.to_string_lossy().into_owned());
        }
    }
    for path in list(&root.join("transcripts"), "")?.iter().filter(|p| {
        let ext = p
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        ext != "txt" && ext != "csv"
    }) {
        problems.push(Problem::warning(
            path,
            0,
            "not a canonical transcript (.txt); import it with `thema import`",
        ));
    }
    Ok(transcript_ids)
}

/// A transcript's text: no byte-order mark, no carriage return, not empty.
fn check_transcript_text(path: &Path, text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    if text.starts_with('\u{feff}') {
        problems.push(Problem::error(
            path,
            1,
            "starts with a byte-order mark; canonical transcripts are UTF-8 without BOM",
        ));
    }
    if let Some(pos) = text.find('\r') {
        let line = text[..pos].matches('\n').count() + 1;
        problems.push(Problem::error(
            path,
            line,
            "carriage return found; canonical transcripts use LF line endings",
        ));
    }
    if text.trim().is_empty() {
        problems.push(Problem::warning(path, 0, "empty transcript"));
    }
    problems
}

/// The attributes file: a participant column, one row per transcript and none for a missing
/// one, and the recordings it names. Returns the attributes (empty when unreadable).
fn check_attributes(
    root: &Path,
    transcript_ids: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> crate::model::Attributes {
    let attributes = match files::load_attributes(root) {
        Ok(attributes) => attributes,
        Err(e) => {
            problems.push(from_error(e));
            return crate::model::Attributes::default();
        }
    };
    let path = root.join("transcripts/attributes.csv");
    if !attributes.columns.is_empty() && !attributes.columns.iter().any(|c| c == "participant") {
        problems.push(Problem::warning(
            &path,
            1,
            "no 'participant' column: quotes will be attributed by transcript id",
        ));
    }
    for (i, id) in attributes.rows.keys().enumerate() {
        if !transcript_ids.contains(id) {
            problems.push(Problem::warning(
                &path,
                i + 2,
                format!("row for '{id}', which has no transcript file"),
            ));
        }
    }
    // recordings: a missing one is a warning (often kept out of git on purpose)
    problems.extend(crate::study::media::check(root, &attributes));
    for id in transcript_ids {
        if !attributes.rows.contains_key(id) {
            problems.push(Problem::warning(
                &path,
                0,
                format!("transcript '{id}' has no row (its attributes are unknown)"),
            ));
        }
    }
    attributes
}

/// Codebooks: scopes that hold a transcript, codes, and a history that replays to the
/// codebook. Returns the codes defined.
fn check_codebooks(
    root: &Path,
    transcript_ids: &BTreeSet<String>,
    attributes: &crate::model::Attributes,
    problems: &mut Vec<Problem>,
) -> Codes {
    let mut codes = Codes::default();
    let books = match files::load_codebooks(root) {
        Ok(books) => books,
        Err(e) => {
            problems.push(from_error(e));
            return codes;
        }
    };
    for loaded in &books {
        let path = files::codebook_path(root, &loaded.file);
        let book = &loaded.codebook;
        if let Some(scope) = &book.scope {
            let holds = transcript_ids
                .iter()
                .filter(|t| scope.contains(t, attributes))
                .count();
            if holds == 0 {
                problems.push(Problem::warning(
                    &path,
                    0,
                    format!(
                        "the scope of '{}' ({}) holds no transcript",
                        book.name,
                        scope.describe()
                    ),
                ));
            }
            for code in &book.codes {
                codes
                    .scopes
                    .insert(code.id.clone(), (book.name.clone(), scope.clone()));
            }
        }
        problems.extend(check_codes(&path, book, &mut codes.ids));
        problems.extend(check_history(root, loaded));
    }
    codes
}

/// A codebook's codes: ids not used by another codebook (recorded in `ids`), parents that
/// exist and are not descendants, names unique among siblings and not blank.
fn check_codes(
    path: &Path,
    book: &crate::model::Codebook,
    ids: &mut BTreeMap<String, PathBuf>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut siblings = BTreeSet::new();
    for code in &book.codes {
        if let Some(first) = ids.insert(code.id.clone(), path.to_path_buf()) {
            problems.push(Problem::error(
                path,
                0,
                format!("code id '{}' is also used in {}", code.id, first.display()),
            ));
        }
        if let Some(p) = &code.parent {
            if !book.contains(p) {
                problems.push(Problem::error(
                    path,
                    0,
                    format!(
                        "code '{}' ({}) has parent '{p}', which does not exist",
                        code.name, code.id
                    ),
                ));
            } else if book.subtree(&code.id).contains(p) {
                problems.push(Problem::error(
                    path,
                    0,
                    format!("code '{}' is its own ancestor", code.name),
                ));
            }
        }
        if !siblings.insert((code.parent.clone(), code.name.to_lowercase())) {
            problems.push(Problem::error(
                path,
                0,
                format!("two codes named '{}' under the same parent", code.name),
            ));
        }
        if code.name.trim().is_empty() {
            problems.push(Problem::error(
                path,
                0,
                format!("code {} has an invalid name '{}'", code.id, code.name),
            ));
        }
    }
    problems
}

/// A codebook's history: readable, and replaying it gives the current codebook.
fn check_history(root: &Path, loaded: &crate::study::LoadedCodebook) -> Option<Problem> {
    let book = &loaded.codebook;
    match files::load_history(root, &loaded.file) {
        Ok(entries) if !entries.is_empty() => match replay(&book.name, &entries, None) {
            Ok(mut replayed) => {
                replayed.normalise();
                let mut current = book.clone();
                current.normalise();
                (replayed.codes != current.codes || replayed.scope != current.scope).then(|| {
                    Problem::warning(
                        &files::history_path(root, &loaded.file),
                        0,
                        "replaying the history does not give the current codebook (edited by hand?)",
                    )
                })
            }
            Err((line, e)) => Some(Problem::warning(
                &files::history_path(root, &loaded.file),
                line,
                format!("cannot replay: {e}"),
            )),
        },
        Ok(_) => None,
        Err(e) => Some(from_error(e)),
    }
}

/// Codings: valid coder names, segments with unique ids, known codes, inside their scope and
/// not empty, sorted, and still anchored in their transcripts.
fn check_codings(root: &Path, known: &Known) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let transcripts = files::load_transcripts(root).unwrap_or_default();
    let mut segment_ids: BTreeMap<String, String> = BTreeMap::new();
    for coder in files::coder_files(root)? {
        let path = codings_path(root, &coder);
        if crate::study::coder::validate(&coder).is_err() {
            problems.push(Problem::error(
                &path,
                0,
                format!("'{coder}' is not a valid coder name"),
            ));
        }
        let mut segments: Vec<Segment> = match files::load_codings(root, &coder) {
            Ok(s) => s,
            Err(e) => {
                problems.push(from_error(e));
                continue;
            }
        };
        for (i, segment) in segments.iter().enumerate() {
            let line = i + 1;
            if let Some(other) = segment_ids.insert(segment.id.clone(), coder.clone()) {
                problems.push(Problem::error(
                    &path,
                    line,
                    format!("segment id '{}' is also used by {other}", segment.id),
                ));
            }
            problems.extend(check_segment(&path, line, segment, known));
        }
        let sorted = segments
            .windows(2)
            .all(|w| w[0].sort_key() <= w[1].sort_key());
        if !sorted {
            problems.push(Problem::warning(
                &path,
                0,
                "segments are not sorted (thema sorts them on the next save)",
            ));
        }
        problems.extend(check_anchors(&path, &transcripts, &mut segments));
    }
    Ok(problems)
}

/// One segment, at `line` of the codings file `path`: a known code, inside its codebook's
/// scope, a range that is not empty.
fn check_segment(path: &Path, line: usize, segment: &Segment, known: &Known) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !known.codes.ids.contains_key(&segment.code) {
        problems.push(Problem::error(
            path,
            line,
            format!(
                "segment {} uses code '{}', which no codebook defines",
                segment.id, segment.code
            ),
        ));
    }
    if let Some((book, scope)) = known.codes.scopes.get(&segment.code) {
        if known.transcript_ids.contains(&segment.transcript)
            && !scope.contains(&segment.transcript, &known.attributes)
        {
            problems.push(Problem::warning(
                path,
                line,
                format!(
                    "segment {} ({}) lies outside the scope of '{book}' ({}): {} is not one of its transcripts; it is kept, but not counted",
                    segment.id,
                    segment.code,
                    scope.describe(),
                    segment.transcript
                ),
            ));
        }
    }
    if segment.start >= segment.end {
        problems.push(Problem::error(
            path,
            line,
            format!(
                "segment {} has an empty or reversed range {}..{}",
                segment.id, segment.start, segment.end
            ),
        ));
    }
    problems
}

/// Segments whose transcript changed: re-anchored, lost, or in a transcript that does not
/// exist.
fn check_anchors(
    path: &Path,
    transcripts: &[crate::model::Transcript],
    segments: &mut [Segment],
) -> Vec<Problem> {
    use crate::study::coding::Reanchored;
    let mut problems = Vec::new();
    for (line, what) in crate::study::coding::reanchor_segments(transcripts, segments) {
        problems.push(match what {
            Reanchored::Moved { id, from, to, fuzzy } => Problem::warning(
                path,
                line,
                format!(
                    "segment {id}: the transcript changed; re-anchored {}..{} -> {}..{}{}",
                    from.0, from.1, to.0, to.1, if fuzzy { " (approximate match)" } else { "" }
                ),
            ),
            Reanchored::Lost { id } => Problem::error(path, line, format!("segment {id}: its quote is no longer in the transcript (kept, flagged unanchored)")),
            Reanchored::Orphan { id } => Problem::error(path, line, format!("segment {id}: transcript '{}' does not exist", segments_transcript(segments, line))),
        });
    }
    problems
}

/// Memos: readable, linked to codes and transcripts that exist.
fn check_memos(root: &Path, known: &Known) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for path in list(&root.join("memos"), "md")? {
        match read_text(&path).and_then(|text| memo::parse_memo(&path, &text)) {
            Ok(m) => {
                if let Some(code) = m.field("code") {
                    if !known.codes.ids.contains_key(code) {
                        problems.push(Problem::warning(
                            &path,
                            0,
                            format!("linked to code '{code}', which no codebook defines"),
                        ));
                    }
                }
                if let Some(t) = m.field("transcript") {
                    if !known.transcript_ids.contains(t) {
                        problems.push(Problem::warning(
                            &path,
                            0,
                            format!("linked to transcript '{t}', which does not exist"),
                        ));
                    }
                }
            }
            Err(e) => problems.push(from_error(e)),
        }
    }
    Ok(problems)
}

/// The problems with files relative to the study at `root`, errors first, then by file and line.
fn relative_and_sorted(root: &Path, mut problems: Vec<Problem>) -> Vec<Problem> {
    for p in &mut problems {
        if let Ok(rel) = p.file.strip_prefix(root) {
            p.file = rel.to_path_buf();
        }
    }
    problems.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
    problems
}

/// One warning for each column the attribution template (`thema.json`) names that the study's
/// attribute table lacks: quotes are attributed without it.
fn attribution_template(root: &Path, attributes: &crate::model::Attributes) -> Vec<Problem> {
    // a malformed thema.json is reported where the study is opened; a study without
    // transcripts has nothing to attribute yet
    let Ok(settings) = files::load_settings(root) else {
        return Vec::new();
    };
    if attributes.columns.is_empty() {
        return Vec::new();
    }
    let path = root.join("thema.json");
    attributes
        .missing_template_columns(&settings.attribution)
        .into_iter()
        .map(|column| {
            Problem::warning(
                &path,
                0,
                format!(
                    "the attribution template \"{}\" names '{{{column}}}', a column \
                     transcripts/attributes.csv lacks: quotes are attributed without it",
                    settings.attribution
                ),
            )
        })
        .collect()
}

fn segments_transcript(segments: &[Segment], line: usize) -> String {
    segments
        .get(line.wrapping_sub(1))
        .map(|s| s.transcript.clone())
        .unwrap_or_default()
}

impl Study {
    /// Checks the study's files on disk (see [`check`]).
    pub fn check(&self) -> Result<Vec<Problem>> {
        check(&self.root)
    }
}
