//! Reading REFI-QDA files into plain thema data: a `.qdpx` archive, a bare `.qde` (with a
//! `sources/` folder beside it, if any), an unpacked project folder, or a `.qdc` codebook.
//!
//! Lenient by design: elements are matched by local name (any namespace version), `project.qde`
//! under any name, `Sources/` or `sources/`, GUIDs in any case with or without braces, the offset
//! unit detected per source. Whatever cannot become thema data is listed in
//! [`RefiProject::warnings`], never dropped silently. Nothing here writes files.

mod cases;
mod codes;
mod notes;
mod package;
mod sources;
mod users;

use cases::CaseData;
use codes::{read_codebook_document, unique_stem};
use package::{find_document, Package};

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::model::codebook::{CodebookError, PALETTE, PATH_SEPARATOR};
use crate::model::text::CharIndex;
use crate::model::{Attributes, Code, Codebook, Segment};
use crate::refi::export::{EXAMPLE_LABEL, EXCLUDE_LABEL, INCLUDE_LABEL};
use crate::refi::guid::{normalise_guid, GuidSpace};
use crate::refi::offsets::{decode_text, OffsetUnit, RawSelection, SourceText, UnitChoice};
use crate::refi::xml::{decode_xml, parse, Element};
use crate::refi::RefiError;
use crate::study::coder::{slug, validate};
use crate::study::Memo;

/// Coder id given to codings whose user is missing or unknown.
pub const IMPORTED_CODER: &str = "imported";

/// A transcript read from a text source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTranscript {
    /// thema id (from the source name, made file-safe and unique).
    pub id: String,
    /// The source's name as written.
    pub name: String,
    /// The source's GUID (lowercase).
    pub guid: String,
    /// Canonical text: the source text with CRLF and CR turned into LF, nothing else changed.
    pub text: String,
    /// The offset unit chosen for this source's selections, and how well it fit.
    pub offsets: UnitChoice,
}

/// A codebook read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCodebook {
    /// File stem for `codebooks/<file>.json`.
    pub file: String,
    /// The framework; code ids are the codes' GUIDs, so a re-export keeps them.
    pub codebook: Codebook,
}

/// A user of the project, as a thema coder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCoder {
    /// Coder id (`study::coder::slug` of the user's name).
    pub id: String,
    /// The user's name as written.
    pub name: String,
    /// The user's GUID (lowercase).
    pub guid: String,
}

/// Everything read from a REFI-QDA file, as thema data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefiProject {
    /// `Project@name` (for a `.qdc`, the file stem).
    pub name: String,
    /// `Project@origin` or `CodeBook@origin`: the producing software.
    pub origin: String,
    /// Transcripts with canonical text.
    pub transcripts: Vec<ImportedTranscript>,
    /// Codebooks.
    pub codebooks: Vec<ImportedCodebook>,
    /// Every user, as a coder.
    pub coders: Vec<ImportedCoder>,
    /// Segments by coder id, each list sorted.
    pub segments: BTreeMap<String, Vec<Segment>>,
    /// Participant and transcript attributes (participant = case name).
    pub attributes: Attributes,
    /// Notes as memos; each `path` is relative to the study (`memos/<name>.md`).
    pub memos: Vec<Memo>,
    /// What was not mapped, simplified or guessed, one line each.
    pub warnings: Vec<String>,
}

impl RefiProject {
    /// Number of segments over all coders.
    pub fn segment_count(&self) -> usize {
        self.segments.values().map(Vec::len).sum()
    }
}

/// Reads a REFI-QDA project (`.qdpx`, a bare `.qde`, or an unpacked project folder) or codebook
/// (`.qdc`) into thema data. Fails only when the file is unreadable or not REFI-QDA at all;
/// everything else that cannot be mapped becomes a warning.
pub fn import_refi(path: &Path) -> Result<RefiProject, RefiError> {
    let format = |message: String| RefiError::Format {
        path: path.to_path_buf(),
        message,
    };
    if path.is_dir() {
        let mut package = Package::open_folder(path)?;
        let (xml_name, note) = find_document(package.names())
            .ok_or_else(|| format("no project.qde (or other .qde / .qdc) in this folder".into()))?;
        let bytes = package.read(&xml_name)?;
        return read_document(path, &xml_name, &bytes, &mut package, note);
    }
    let bytes = fs::read(path).map_err(|source| RefiError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let mut package = Package::open_zip(path)?;
        let (xml_name, note) = find_document(package.names()).ok_or_else(|| {
            format(format!(
                "no project.qde in the archive (it holds: {})",
                package
                    .names()
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let xml = package.read(&xml_name)?;
        return read_document(path, &xml_name, &xml, &mut package, note);
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut package = Package::open_folder(parent)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_document(path, &file_name, &bytes, &mut package, None)
}

fn read_document(
    path: &Path,
    xml_name: &str,
    bytes: &[u8],
    package: &mut Package,
    note: Option<String>,
) -> Result<RefiProject, RefiError> {
    let text = decode_xml(bytes, xml_name)?;
    let root = parse(&text, xml_name)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "refi".to_string());
    let mut project = match root.name.as_str() {
        "Project" => Reader::new(&root, package).read()?,
        n if n.eq_ignore_ascii_case("codebook") => read_codebook_document(&root, &stem),
        other => {
            return Err(RefiError::Format {
                path: path.to_path_buf(),
                message: format!(
                    "{xml_name}: the root element is <{other}>; a REFI-QDA project has <Project>, a codebook <CodeBook>"
                ),
            })
        }
    };
    if let Some(note) = note {
        project.warnings.insert(0, note);
    }
    Ok(project)
}

fn namespace_warning(root: &Element, expected: &str) -> Option<String> {
    let ns = root.attr("xmlns").unwrap_or("");
    if ns == expected {
        None
    } else if ns.starts_with("urn:QDA-XML:") {
        Some(format!(
            "namespace '{ns}' read as {expected} (other version)"
        ))
    } else {
        Some(format!(
            "namespace '{ns}' is not {expected}; read by element names anyway"
        ))
    }
}

/// What a note is attached to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum NoteTarget {
    Code(String),
    Transcript(String),
    Segment(String),
}

/// Reads a `Project` element.
struct Reader<'a> {
    root: &'a Element,
    package: &'a mut Package,
    origin: String,
    space: GuidSpace,
    warnings: Vec<String>,
    /// User GUID → coder id.
    users: HashMap<String, String>,
    coders: Vec<ImportedCoder>,
    /// Code GUID → code id.
    codes: HashMap<String, String>,
    case_guids: BTreeSet<String>,
    /// Variable GUID → (name, declared type).
    variables: Vec<(String, String, String)>,
    note_targets: BTreeMap<String, Vec<NoteTarget>>,
    /// Text source GUID → transcript id.
    transcript_ids: HashMap<String, String>,
    /// Selection GUID → the segment ids made from it.
    selection_segments: HashMap<String, Vec<String>>,
    taken_ids: BTreeSet<String>,
    source_values: BTreeMap<String, Vec<(String, String)>>,
    cases: Vec<CaseData>,
    descriptions: Vec<(String, Option<NoteTarget>, String)>,
    project: RefiProject,
}

impl<'a> Reader<'a> {
    fn new(root: &'a Element, package: &'a mut Package) -> Self {
        let origin = root.attr("origin").unwrap_or("").to_string();
        let name = root.attr("name").unwrap_or("").to_string();
        Reader {
            root,
            package,
            space: GuidSpace::for_study(&name),
            origin: origin.clone(),
            warnings: Vec::new(),
            users: HashMap::new(),
            coders: Vec::new(),
            codes: HashMap::new(),
            case_guids: BTreeSet::new(),
            variables: Vec::new(),
            note_targets: BTreeMap::new(),
            transcript_ids: HashMap::new(),
            selection_segments: HashMap::new(),
            taken_ids: BTreeSet::new(),
            source_values: BTreeMap::new(),
            cases: Vec::new(),
            descriptions: Vec::new(),
            project: RefiProject {
                name,
                origin,
                ..RefiProject::default()
            },
        }
    }

    fn thema_origin(&self) -> bool {
        self.origin.starts_with("thema")
    }

    fn read(mut self) -> Result<RefiProject, RefiError> {
        let root = self.root;
        self.warnings
            .extend(namespace_warning(root, crate::refi::PROJECT_NS));
        self.read_users();
        self.read_codes();
        self.read_variables_and_cases();
        let mut counts: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
        if let Some(sources) = root.child("Sources") {
            for source in &sources.children {
                match source.name.as_str() {
                    "TextSource" => self.read_text_source(source, None)?,
                    "PDFSource" => {
                        let selections = source.children_named("PDFSelection").count();
                        match source.child("Representation") {
                            Some(rep) => {
                                self.read_text_source(rep, Some(source))?;
                                if selections > 0 {
                                    self.warnings.push(format!(
                                        "PDF '{}': {selections} area selections not imported (only selections in its text representation are)",
                                        source.attr("name").unwrap_or("")
                                    ));
                                }
                            }
                            None => {
                                let entry = counts.entry("PDF").or_default();
                                entry.0 += 1;
                                entry.1 += selections;
                            }
                        }
                    }
                    kind @ ("PictureSource" | "AudioSource" | "VideoSource") => {
                        let label = match kind {
                            "PictureSource" => "picture",
                            "AudioSource" => "audio",
                            _ => "video",
                        };
                        let selections = source
                            .children
                            .iter()
                            .filter(|c| c.name.ends_with("Selection"))
                            .count()
                            + source
                                .children_named("Transcript")
                                .map(|t| t.children_named("TranscriptSelection").count())
                                .sum::<usize>();
                        let entry = counts.entry(label).or_default();
                        entry.0 += 1;
                        entry.1 += selections;
                        let transcripts = source.children_named("Transcript").count();
                        if transcripts > 0 {
                            self.warnings.push(format!(
                                "{label} '{}': {transcripts} synchronised transcripts not imported (import the text as a text source)",
                                source.attr("name").unwrap_or("")
                            ));
                        }
                    }
                    other => self.warnings.push(format!(
                        "line {}: unknown source <{other}> skipped",
                        source.line
                    )),
                }
            }
        }
        for (kind, (sources, selections)) in counts {
            self.warnings.push(format!(
                "{sources} {kind} sources not imported (thema codes text only), with their {selections} selections"
            ));
        }
        self.read_links();
        self.read_notes()?;
        self.finish_attributes();
        self.report_unmapped();
        let Reader {
            mut project,
            warnings,
            coders,
            ..
        } = self;
        project.warnings.extend(warnings);
        project.coders = coders;
        for segments in project.segments.values_mut() {
            crate::model::segment::sort_segments(segments);
        }
        Ok(project)
    }

    fn report_unmapped(&mut self) {
        let root = self.root;
        if let Some(sets) = root.child("Sets") {
            let n = sets.children_named("Set").count();
            if n > 0 {
                self.warnings.push(format!(
                    "{n} sets (groups of codes, sources or notes) not imported: thema has no groups"
                ));
            }
        }
        if let Some(graphs) = root.child("Graphs") {
            let n = graphs.children_named("Graph").count();
            if n > 0 {
                self.warnings
                    .push(format!("{n} graphs (network views) not imported"));
            }
        }
    }
}
