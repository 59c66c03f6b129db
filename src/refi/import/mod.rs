//! Reading REFI-QDA files into plain thema data: a `.qdpx` archive, a bare `.qde` (with a
//! `sources/` folder beside it, if any), an unpacked project folder, or a `.qdc` codebook.
//!
//! Lenient by design: elements are matched by local name (any namespace version), `project.qde`
//! under any name, `Sources/` or `sources/`, GUIDs in any case with or without braces, the offset
//! unit detected per source. Whatever cannot become thema data, or changes on the way, is listed
//! in [`RefiProject::warnings`], never dropped silently; departures from the standard that lose
//! nothing (another namespace version, a differently named project document, an empty
//! container) are listed in [`RefiProject::notes`]. What thema has no place for but the way back
//! needs (GUIDs, dates, the position unit, sets) goes into [`RefiProject::record`]. Nothing here
//! writes files.

mod cases;
mod codes;
mod notes;
mod package;
mod sources;
mod users;

pub use sources::SELECTION_FIELD;

use cases::CaseData;
use codes::{read_codebook_document, unique_stem};
use package::{find_document, Package};

use crate::refi::record::{RefiRecord, SetRecord, SourceRecord, Stamps};
use crate::refi::units::{PositionUnit, Target};

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::model::codebook::CodebookError;
use crate::model::text::CharIndex;
use crate::model::{Attributes, Code, Codebook, Segment};
use crate::refi::guid::{normalise_guid, GuidSpace};
use crate::refi::offsets::{decode_text, OffsetUnit, RawSelection, SourceText, UnitChoice};
use crate::refi::xml::{decode_xml, parse, Element};
use crate::refi::{
    RefiError, DESCRIBES_CASE, DESCRIBES_PROJECT, DESCRIBES_TRANSCRIPT, MEMO_DESCRIBES, MEMO_GUID,
};
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
    /// Whether the text file started with a byte-order mark.
    pub bom: bool,
    /// Whether the text had CR line ends (CRLF or CR alone).
    pub crlf: bool,
    /// The source's users and dates.
    pub stamps: Stamps,
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
    /// Coder id (`study::coder::slug` of the user's name, made unique).
    pub id: String,
    /// The user's name as written.
    pub name: String,
    /// The user's GUID (lowercase).
    pub guid: String,
    /// The user's `id` attribute (NVivo: initials).
    pub initials: Option<String>,
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
    /// Every user, as a coder (also those who coded nothing).
    pub coders: Vec<ImportedCoder>,
    /// Segments by coder id, each list sorted.
    pub segments: BTreeMap<String, Vec<Segment>>,
    /// Participant and transcript attributes (participant = case name).
    pub attributes: Attributes,
    /// Notes and descriptions as memos; each `path` is relative to the study
    /// (`memos/<name>.md`).
    pub memos: Vec<Memo>,
    /// What the way back needs and thema has no place for (`refi.json`).
    pub record: RefiRecord,
    /// Departures from the standard that were accepted and lose nothing, one line each.
    pub notes: Vec<String>,
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
        project.notes.insert(0, note);
    }
    Ok(project)
}

/// A note when the root's namespace is not `expected`.
fn namespace_note(root: &Element, expected: &str) -> Option<String> {
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

/// A note for each of the `containers` (child elements of `root`) that is present but empty,
/// which the schema does not allow but loses nothing (Taguette writes `<Sets/>`).
fn empty_containers(root: &Element, containers: &[&str]) -> Vec<String> {
    containers
        .iter()
        .filter(|name| root.child(name).is_some_and(|c| c.children.is_empty()))
        .map(|name| {
            format!(
                "line {}: empty <{name}/> accepted (the schema wants at least one entry in it; Taguette writes an empty <Sets/>)",
                root.child(name).map(|c| c.line).unwrap_or(0)
            )
        })
        .collect()
}

/// The users and dates of an element (`creatingUser`, or `creatingUserGUID` on the project).
fn stamps_of(element: &Element) -> Stamps {
    let attr = |a: &str, b: &str| {
        element
            .attr(a)
            .or(element.attr(b))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    Stamps {
        creating_user: attr("creatingUser", "creatingUserGUID").and_then(normalise_guid),
        created: attr("creationDateTime", "creationDateTime").map(str::to_string),
        modifying_user: attr("modifyingUser", "modifyingUserGUID").and_then(normalise_guid),
        modified: attr("modifiedDateTime", "modifiedDateTime").map(str::to_string),
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
    /// Descriptions that become memos: title, what they describe, text.
    descriptions: Vec<(String, Described, String)>,
    /// Sets that are not codebooks, with their source and note GUIDs still to resolve.
    pending_sets: Vec<(SetRecord, Vec<String>, Vec<String>)>,
    /// GUIDs of the notes imported as memos.
    note_guids: BTreeSet<String>,
    project: RefiProject,
}

/// What a description describes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Described {
    Project,
    Transcript(String),
    Case(String),
    /// A nameless case's.
    Unattached,
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
            pending_sets: Vec::new(),
            note_guids: BTreeSet::new(),
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
        self.project
            .notes
            .extend(namespace_note(root, crate::refi::PROJECT_NS));
        self.project.notes.extend(empty_containers(
            root,
            &[
                "Users",
                "Variables",
                "Cases",
                "Sources",
                "Notes",
                "Links",
                "Sets",
                "Graphs",
            ],
        ));
        if let Some(codebook) = root.child("CodeBook") {
            self.project
                .notes
                .extend(empty_containers(codebook, &["Codes"]));
        }
        self.project.record.project = stamps_of(root);
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
        self.finish_sets();
        self.finish_record();
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

    /// What the record keeps of the project as a whole: its program, the position unit found in
    /// its sources (else the one its program is known for), and its sources' GUIDs, names and
    /// dates.
    fn finish_record(&mut self) {
        let origin = self.origin.clone();
        let mut found: BTreeMap<PositionUnit, usize> = BTreeMap::new();
        for t in &self.project.transcripts {
            if !t.offsets.all_agree && t.offsets.total > 0 {
                *found.entry(PositionUnit::of(t.offsets.unit)).or_default() += 1;
            }
            let name = (t.name != t.id).then(|| t.name.clone());
            self.project.record.sources.insert(
                t.id.clone(),
                SourceRecord {
                    guid: t.guid.clone(),
                    name,
                    stamps: t.stamps.clone(),
                },
            );
        }
        let unit = found
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(unit, _)| unit)
            .unwrap_or_else(|| PositionUnit::of(OffsetUnit::default_for_origin(&origin)));
        let record = &mut self.project.record;
        record.origin = if origin.trim().is_empty() {
            "unknown".to_string()
        } else {
            origin.clone()
        };
        record.target = Target::from_origin(&origin);
        record.offsets = Some(unit);
    }

    fn report_unmapped(&mut self) {
        let root = self.root;
        if let Some(graphs) = root.child("Graphs") {
            let n = graphs.children_named("Graph").count();
            if n > 0 {
                self.warnings
                    .push(format!("{n} graphs (network views) not imported"));
            }
        }
    }
}
