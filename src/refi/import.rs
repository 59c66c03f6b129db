//! Reading REFI-QDA files into plain thema data: a `.qdpx` archive, a bare `.qde` (with a
//! `sources/` folder beside it, if any), an unpacked project folder, or a `.qdc` codebook.
//!
//! Lenient by design: elements are matched by local name (any namespace version), `project.qde`
//! under any name, `Sources/` or `sources/`, GUIDs in any case with or without braces, the offset
//! unit detected per source. Whatever cannot become thema data is listed in
//! [`RefiProject::warnings`], never dropped silently. Nothing here writes files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::Read;
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

/// The files of a project, in an archive or a folder.
enum Package {
    Zip {
        path: PathBuf,
        archive: Box<zip::ZipArchive<std::io::BufReader<fs::File>>>,
        names: Vec<String>,
    },
    Folder {
        root: PathBuf,
        names: Vec<String>,
    },
}

impl Package {
    fn open_zip(path: &Path) -> Result<Package, RefiError> {
        let file = fs::File::open(path).map_err(|source| RefiError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let archive =
            zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| RefiError::Zip {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        let names = archive
            .file_names()
            .map(|n| n.replace('\\', "/").trim_start_matches("./").to_string())
            .collect();
        Ok(Package::Zip {
            path: path.to_path_buf(),
            archive: Box::new(archive),
            names,
        })
    }

    /// A folder: its files and the files of its `sources` folder (any case).
    fn open_folder(root: &Path) -> Result<Package, RefiError> {
        let io = |source| RefiError::Io {
            path: root.to_path_buf(),
            source,
        };
        let mut names = Vec::new();
        for entry in fs::read_dir(root).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_file() {
                names.push(name);
            } else if path.is_dir() && name.eq_ignore_ascii_case("sources") {
                for inner in fs::read_dir(&path).map_err(io)? {
                    let inner = inner.map_err(io)?;
                    if inner.path().is_file() {
                        names.push(format!("{name}/{}", inner.file_name().to_string_lossy()));
                    }
                }
            }
        }
        names.sort();
        Ok(Package::Folder {
            root: root.to_path_buf(),
            names,
        })
    }

    fn names(&self) -> &[String] {
        match self {
            Package::Zip { names, .. } | Package::Folder { names, .. } => names,
        }
    }

    fn read(&mut self, name: &str) -> Result<Vec<u8>, RefiError> {
        match self {
            Package::Zip {
                path,
                archive,
                names,
            } => {
                let index = names.iter().position(|n| n == name).ok_or_else(|| {
                    RefiError::Invalid(format!("{name} is not in {}", path.display()))
                })?;
                let mut entry = archive.by_index(index).map_err(|e| RefiError::Zip {
                    path: path.clone(),
                    message: format!("{name}: {e}"),
                })?;
                let mut bytes = Vec::new();
                entry
                    .read_to_end(&mut bytes)
                    .map_err(|source| RefiError::Io {
                        path: path.join(name),
                        source,
                    })?;
                Ok(bytes)
            }
            Package::Folder { root, .. } => {
                let path = root.join(name);
                fs::read(&path).map_err(|source| RefiError::Io { path, source })
            }
        }
    }

    /// Finds the file a source path names. Returns the entry and a note when the path was not
    /// the conformant `internal://<file>`.
    fn find_source(&self, reference: &str) -> (Option<String>, Option<String>) {
        let (file, note) = if let Some(rest) = strip_scheme(reference, "internal://") {
            (rest.to_string(), None)
        } else if let Some(rest) = ["relative://", "absolute://", "file://"]
            .iter()
            .find_map(|s| strip_scheme(reference, s))
        {
            let base = rest.rsplit(['/', '\\']).next().unwrap_or(rest).to_string();
            (
                base,
                Some(format!(
                    "'{reference}' points outside the archive; looked for its file name in sources/"
                )),
            )
        } else {
            (
                reference.to_string(),
                Some(format!(
                    "'{reference}' is not an internal:// path (not conformant); looked for it in sources/"
                )),
            )
        };
        let file = file.trim_start_matches('/').replace('\\', "/");
        let wanted = format!("sources/{}", file.to_lowercase());
        if let Some(hit) = self.names().iter().find(|n| n.to_lowercase() == wanted) {
            return (Some(hit.clone()), note);
        }
        let base = file.rsplit('/').next().unwrap_or(&file).to_lowercase();
        let hit = self.names().iter().find(|n| {
            n.rsplit('/')
                .next()
                .is_some_and(|b| b.to_lowercase() == base)
        });
        (hit.cloned(), note)
    }
}

fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    text.get(..scheme.len())
        .filter(|s| s.eq_ignore_ascii_case(scheme))
        .map(|_| &text[scheme.len()..])
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

/// The project document of a package: `project.qde` in any case, else the only `.qde` at the
/// root, else the only `.qde` anywhere, else the only `.qdc`.
fn find_document(names: &[String]) -> Option<(String, Option<String>)> {
    let lower = |n: &String| n.to_lowercase();
    if let Some(hit) = names.iter().find(|n| lower(n) == "project.qde") {
        let note = (hit != "project.qde")
            .then(|| format!("the project document is named '{hit}' (expected project.qde)"));
        return Some((hit.clone(), note));
    }
    let root_qde: Vec<&String> = names
        .iter()
        .filter(|n| !n.contains('/') && lower(n).ends_with(".qde"))
        .collect();
    if let [one] = root_qde.as_slice() {
        return Some((
            (*one).clone(),
            Some(format!(
                "the project document is named '{one}' (expected project.qde)"
            )),
        ));
    }
    let any_qde: Vec<&String> = names
        .iter()
        .filter(|n| lower(n).ends_with(".qde"))
        .collect();
    if let [one] = any_qde.as_slice() {
        return Some((
            (*one).clone(),
            Some(format!(
                "the project document is '{one}', not at the archive root"
            )),
        ));
    }
    let qdc: Vec<&String> = names
        .iter()
        .filter(|n| !n.contains('/') && lower(n).ends_with(".qdc"))
        .collect();
    if let [one] = qdc.as_slice() {
        return Some(((*one).clone(), None));
    }
    None
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

/// A code as written, before it becomes part of a thema codebook.
struct CodeNode {
    guid: Option<String>,
    name: String,
    codable: bool,
    color: Option<String>,
    description: String,
    notes: Vec<String>,
    children: Vec<CodeNode>,
    line: usize,
}

fn read_code_nodes(parent: &Element, warnings: &mut Vec<String>) -> Vec<CodeNode> {
    parent
        .children_named("Code")
        .map(|code| {
            let raw_guid = code.attr("guid").unwrap_or("");
            let guid = normalise_guid(raw_guid);
            if guid.is_none() {
                warnings.push(format!(
                    "line {}: code '{}' has no valid GUID ('{raw_guid}'); given a new id",
                    code.line,
                    code.attr("name").unwrap_or("")
                ));
            }
            CodeNode {
                guid,
                name: code.attr("name").unwrap_or("").to_string(),
                codable: !matches!(code.attr("isCodable").map(str::trim), Some("false" | "0")),
                color: code.attr("color").map(str::to_string),
                description: code.child_text("Description").unwrap_or("").to_string(),
                notes: code
                    .children_named("NoteRef")
                    .filter_map(|n| n.attr("targetGUID").and_then(normalise_guid))
                    .collect(),
                children: read_code_nodes(code, warnings),
                line: code.line,
            }
        })
        .collect()
}

/// `#rrggbb` from `#rgb` or `#rrggbb` in any case; `Err` for anything else.
fn normalise_color(text: &str) -> Result<String, ()> {
    let hex = text.trim().strip_prefix('#').ok_or(())?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(());
    }
    match hex.len() {
        6 => Ok(format!("#{}", hex.to_ascii_lowercase())),
        3 => Ok(format!(
            "#{}",
            hex.chars()
                .flat_map(|c| [c, c])
                .collect::<String>()
                .to_ascii_lowercase()
        )),
        _ => Err(()),
    }
}

/// Splits a description written by thema's export back into description, include, exclude and
/// example.
fn split_description(text: &str) -> (String, String, String, String) {
    let mut rest = format!("\n\n{text}");
    let mut take = |label: &str| -> String {
        let marker = format!("\n\n{label}");
        match rest.rfind(&marker) {
            Some(at) => {
                let value = rest[at + marker.len()..].to_string();
                rest.truncate(at);
                value
            }
            None => String::new(),
        }
    };
    let example = take(EXAMPLE_LABEL);
    let exclude = take(EXCLUDE_LABEL);
    let include = take(INCLUDE_LABEL);
    let description = rest.trim_start_matches('\n').to_string();
    (description, include, exclude, example)
}

/// The file stem of a thema codebook folder code, if `node` is one.
fn thema_codebook_folder(node: &CodeNode) -> Option<String> {
    if node.codable {
        return None;
    }
    let rest = node
        .description
        .strip_prefix(&format!("Codebook \"{}\" (codebooks/", node.name))?;
    let file = rest.strip_suffix(".json), exported by thema.")?;
    (!file.is_empty() && !file.contains('/')).then(|| file.to_string())
}

/// Builds thema codebooks from code trees.
struct CodebookBuilder<'a> {
    thema_origin: bool,
    space: GuidSpace,
    /// GUID → code id for every code placed.
    ids: HashMap<String, String>,
    used_ids: BTreeSet<String>,
    warnings: &'a mut Vec<String>,
    /// Code id → note GUIDs referenced from the code.
    notes: Vec<(String, String)>,
    renamed: usize,
    folders: usize,
    bad_colors: BTreeSet<String>,
}

impl CodebookBuilder<'_> {
    fn build(&mut self, name: &str, roots: &[CodeNode]) -> Codebook {
        let mut codebook = Codebook::new(name);
        for node in roots {
            self.add(&mut codebook, node, None, "");
        }
        codebook
    }

    fn add(&mut self, codebook: &mut Codebook, node: &CodeNode, parent: Option<&str>, path: &str) {
        let mut id = node.guid.clone().unwrap_or_default();
        if id.is_empty() || self.used_ids.contains(&id) {
            if !id.is_empty() {
                self.warnings.push(format!(
                    "line {}: code GUID {id} is used twice; the second code '{}' got a new id",
                    node.line, node.name
                ));
            }
            id = self
                .space
                .derived("code", &format!("{path}/{}#{}", node.name, node.line));
        }
        self.used_ids.insert(id.clone());
        if let Some(guid) = &node.guid {
            self.ids.entry(guid.clone()).or_insert_with(|| id.clone());
        }
        if !node.codable {
            self.folders += 1;
        }
        let (description, include, exclude, example) = if self.thema_origin {
            split_description(&node.description)
        } else {
            (
                node.description.clone(),
                String::new(),
                String::new(),
                String::new(),
            )
        };
        let color = match node.color.as_deref() {
            None => String::new(),
            Some(c) if c.trim().is_empty() => String::new(),
            Some(c) => normalise_color(c).unwrap_or_else(|_| {
                self.bad_colors.insert(c.to_string());
                String::new()
            }),
        };
        let mut name = node.name.trim().replace(PATH_SEPARATOR, "\u{2215}");
        if name.is_empty() {
            name = "(unnamed)".to_string();
        }
        if name != node.name {
            self.renamed += 1;
        }
        let base = name.clone();
        let mut attempt = 1;
        loop {
            let code = Code {
                id: id.clone(),
                name: name.clone(),
                parent: parent.map(str::to_string),
                description: description.clone(),
                include: include.clone(),
                exclude: exclude.clone(),
                example: example.clone(),
                color: if color.is_empty() {
                    // what Codebook::add would pick, written explicitly so history replays
                    PALETTE[codebook.codes.len() % PALETTE.len()].to_string()
                } else {
                    color.clone()
                },
            };
            match codebook.add(code) {
                Ok(()) => break,
                Err(CodebookError::Duplicate(_)) => {
                    attempt += 1;
                    name = format!("{base} ({attempt})");
                    if attempt == 2 {
                        self.warnings.push(format!(
                            "line {}: two codes named '{base}' under the same parent; the second is '{name}'",
                            node.line
                        ));
                    }
                }
                Err(e) => {
                    self.warnings.push(format!(
                        "line {}: code '{}' left out: {e}",
                        node.line, node.name
                    ));
                    return;
                }
            }
        }
        for note in &node.notes {
            self.notes.push((id.clone(), note.clone()));
        }
        let path = format!("{path}/{name}");
        for child in &node.children {
            self.add(codebook, child, Some(&id), &path);
        }
    }

    fn finish_warnings(&mut self) {
        if self.renamed > 0 {
            self.warnings.push(format!(
                "{} code names were empty or held '/', which thema uses in code paths ('/' became '\u{2215}')",
                self.renamed
            ));
        }
        if self.folders > 0 {
            self.warnings.push(format!(
                "{} folder codes (isCodable=\"false\") became ordinary codes: thema has no uncodable codes",
                self.folders
            ));
        }
        if !self.bad_colors.is_empty() {
            self.warnings.push(format!(
                "colours not in #RGB or #RRGGBB form were ignored: {}",
                self.bad_colors
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
}

/// A unique, file-safe stem from `name`, or `fallback`.
fn unique_stem(name: &str, fallback: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base = slug(name);
    if base.is_empty() {
        base = fallback.to_string();
    }
    let base: String = base.chars().take(60).collect();
    let mut stem = base.clone();
    let mut n = 2;
    while !taken.insert(stem.clone()) {
        stem = format!("{base}-{n}");
        n += 1;
    }
    stem
}

/// Codebooks from top-level code nodes: one per thema codebook folder, the rest in one codebook
/// named `default_name`.
fn build_codebooks(
    roots: Vec<CodeNode>,
    default_name: &str,
    builder: &mut CodebookBuilder<'_>,
) -> Vec<ImportedCodebook> {
    let mut out = Vec::new();
    let mut taken = BTreeSet::new();
    let mut loose = Vec::new();
    let mut folders = Vec::new();
    for node in roots {
        match thema_codebook_folder(&node).filter(|_| builder.thema_origin) {
            Some(file) => folders.push((file, node)),
            None => loose.push(node),
        }
    }
    for (file, node) in folders {
        if let Some(guid) = &node.guid {
            builder.used_ids.insert(guid.clone());
        }
        let codebook = builder.build(&node.name, &node.children);
        let file = unique_stem(&file, "codebook", &mut taken);
        out.push(ImportedCodebook { file, codebook });
    }
    if !loose.is_empty() {
        let codebook = builder.build(default_name, &loose);
        let file = unique_stem(default_name, "codebook", &mut taken);
        out.push(ImportedCodebook { file, codebook });
    }
    out.retain(|c| !c.codebook.codes.is_empty());
    out
}

fn read_codebook_document(root: &Element, stem: &str) -> RefiProject {
    let mut warnings = Vec::new();
    warnings.extend(namespace_warning(root, crate::refi::CODEBOOK_NS));
    let origin = root.attr("origin").unwrap_or("").to_string();
    let roots = root
        .child("Codes")
        .map(|c| read_code_nodes(c, &mut warnings))
        .unwrap_or_default();
    let sets = root
        .child("Sets")
        .map(|s| s.children_named("Set").count())
        .unwrap_or(0);
    let mut builder_warnings = Vec::new();
    let mut builder = CodebookBuilder {
        thema_origin: origin.starts_with("thema"),
        space: GuidSpace::for_study(stem),
        ids: HashMap::new(),
        used_ids: BTreeSet::new(),
        warnings: &mut builder_warnings,
        notes: Vec::new(),
        renamed: 0,
        folders: 0,
        bad_colors: BTreeSet::new(),
    };
    let codebooks = build_codebooks(roots, stem, &mut builder);
    builder.finish_warnings();
    warnings.extend(builder_warnings);
    if sets > 0 {
        warnings.push(format!(
            "{sets} code sets not imported: thema has no code groups (use a parent code instead)"
        ));
    }
    if codebooks.is_empty() {
        warnings.push("the codebook holds no codes".to_string());
    }
    RefiProject {
        name: stem.to_string(),
        origin,
        codebooks,
        warnings,
        ..RefiProject::default()
    }
}

/// What a note is attached to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum NoteTarget {
    Code(String),
    Transcript(String),
    Segment(String),
}

/// A case: a participant and the values of its variables.
struct CaseData {
    name: Option<String>,
    values: Vec<(String, String)>,
    sources: Vec<String>,
}

/// A source's canonical text, ready to cut segments from.
struct Placed<'t> {
    transcript: String,
    text: &'t str,
    index: CharIndex,
    /// The source's (else the project's) creation time, for codings without one.
    date: Option<String>,
}

impl Placed<'_> {
    /// A segment of `coding` over canonical `span`; its id is the coding's GUID (the caller
    /// prefixes the coder), derived from `fallback` when the coding has none.
    #[allow(clippy::too_many_arguments)]
    fn segment(
        &self,
        space: &GuidSpace,
        coding: &Element,
        selection: Option<&Element>,
        span: (usize, usize),
        code: String,
        memo: Option<String>,
        fallback: &str,
    ) -> Segment {
        let guid = coding
            .attr("guid")
            .and_then(normalise_guid)
            .unwrap_or_else(|| space.derived("coding", fallback));
        let at = coding
            .attr("creationDateTime")
            .or_else(|| selection.and_then(|s| s.attr("creationDateTime")))
            .map(str::to_string)
            .or_else(|| self.date.clone())
            .unwrap_or_else(crate::study::coding::now);
        Segment {
            id: guid,
            transcript: self.transcript.clone(),
            start: span.0,
            end: span.1,
            code,
            quote: self.index.slice(self.text, span.0, span.1).to_string(),
            at: at.trim().to_string(),
            memo,
            starred: false,
            flag: None,
            extra: serde_json::Map::new(),
        }
    }
}

/// What happened to the selections and codings of one source, for the warnings.
#[derive(Debug, Default)]
struct Tally {
    clamped: usize,
    snapped: usize,
    empty: usize,
    uncoded: usize,
    uncoded_comments: usize,
    case_codings: usize,
    unknown_codes: usize,
    unknown_users: usize,
    duplicates: usize,
    whole_source: usize,
}

impl Tally {
    fn report(&self, label: &str, warnings: &mut Vec<String>) {
        for (count, what) in [
            (self.clamped, "selections reached past the end of the text and were cut at the end"),
            (self.snapped, "selections started or ended inside a character (half an emoji, between CR and LF) and were widened to whole characters"),
            (self.empty, "codings of empty (zero-length) selections skipped"),
            (self.case_codings, "codings that point at cases (case coding) not imported"),
            (self.unknown_codes, "codings that point at no code skipped"),
            (self.unknown_users, "codings or selections name a user not in <Users>; attributed by the next clue or to 'imported'"),
            (self.duplicates, "duplicate codings (same coder, span and code) merged"),
            (self.whole_source, "codings of the whole source became segments over the whole transcript"),
        ] {
            if count > 0 {
                warnings.push(format!("{label}: {count} {what}"));
            }
        }
        if self.uncoded > 0 {
            warnings.push(format!(
                "{label}: {} selections without codes (comments or annotations) not imported{}",
                self.uncoded,
                if self.uncoded_comments > 0 {
                    format!(", {} of them with a comment", self.uncoded_comments)
                } else {
                    String::new()
                }
            ));
        }
    }
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

    /// The coder id of a user: the slug of the name (then of `id`), except that a name equal to
    /// its `id` and already a valid coder id (thema's own exports) is kept exactly.
    fn coder_id(&self, name: &str, id_attr: Option<&str>) -> String {
        if id_attr == Some(name) && validate(name).is_ok() {
            return name.to_string();
        }
        for candidate in [Some(name), id_attr].into_iter().flatten() {
            let s: String = slug(candidate).chars().take(40).collect();
            let s = s.trim_end_matches('-').to_string();
            if !s.is_empty() && validate(&s).is_ok() {
                return s;
            }
        }
        IMPORTED_CODER.to_string()
    }

    fn read_users(&mut self) {
        let Some(users) = self.root.child("Users") else {
            return;
        };
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for user in users.children_named("User") {
            let Some(guid) = user.attr("guid").and_then(normalise_guid) else {
                self.warnings.push(format!(
                    "line {}: user '{}' has no valid GUID; their codings go to '{IMPORTED_CODER}'",
                    user.line,
                    user.attr("name").unwrap_or("")
                ));
                continue;
            };
            let name = user.attr("name").unwrap_or("").to_string();
            let id = self.coder_id(&name, user.attr("id"));
            if let Some(other) = seen.get(&id) {
                if *other != guid {
                    self.warnings.push(format!(
                        "users '{name}' and another share the coder id '{id}': their codings are merged"
                    ));
                }
            } else {
                seen.insert(id.clone(), guid.clone());
                self.coders.push(ImportedCoder {
                    id: id.clone(),
                    name,
                    guid: guid.clone(),
                });
            }
            self.users.insert(guid, id);
        }
    }

    fn read_codes(&mut self) {
        let Some(codes) = self.root.child("CodeBook").and_then(|c| c.child("Codes")) else {
            return;
        };
        let mut warnings = Vec::new();
        let roots = read_code_nodes(codes, &mut warnings);
        let default_name = if self.project.name.trim().is_empty() {
            "Imported codes".to_string()
        } else {
            self.project.name.clone()
        };
        let mut builder = CodebookBuilder {
            thema_origin: self.thema_origin(),
            space: self.space.clone(),
            ids: HashMap::new(),
            used_ids: BTreeSet::new(),
            warnings: &mut warnings,
            notes: Vec::new(),
            renamed: 0,
            folders: 0,
            bad_colors: BTreeSet::new(),
        };
        let codebooks = build_codebooks(roots, &default_name, &mut builder);
        builder.finish_warnings();
        let ids = std::mem::take(&mut builder.ids);
        let notes = std::mem::take(&mut builder.notes);
        self.warnings.extend(warnings);
        self.codes = ids;
        for (code, note) in notes {
            self.note_targets
                .entry(note)
                .or_default()
                .push(NoteTarget::Code(code));
        }
        self.project.codebooks = codebooks;
    }

    fn read_variables_and_cases(&mut self) {
        if let Some(vars) = self.root.child("Variables") {
            for var in vars.children_named("Variable") {
                let Some(guid) = var.attr("guid").and_then(normalise_guid) else {
                    continue;
                };
                let mut name = var.attr("name").unwrap_or("").trim().to_string();
                if name.is_empty() {
                    name = format!("variable-{}", &guid[..8]);
                }
                if name == "transcript" || name == "participant" {
                    self.warnings.push(format!(
                        "variable '{name}' renamed '{name} (variable)': thema reserves that column"
                    ));
                    name = format!("{name} (variable)");
                }
                let kind = var.attr("typeOfVariable").unwrap_or("Text").to_string();
                if var
                    .child_text("Description")
                    .is_some_and(|d| !d.trim().is_empty())
                {
                    self.warnings.push(format!(
                        "the description of variable '{name}' was not imported"
                    ));
                }
                self.variables.push((guid, name, kind));
            }
        }
        let mut cases = Vec::new();
        if let Some(list) = self.root.child("Cases") {
            for case in list.children_named("Case") {
                if let Some(guid) = case.attr("guid").and_then(normalise_guid) {
                    self.case_guids.insert(guid);
                }
                let values = self.read_values(case);
                let sources = case
                    .children_named("SourceRef")
                    .filter_map(|s| s.attr("targetGUID").and_then(normalise_guid))
                    .collect();
                let name = case
                    .attr("name")
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty());
                if let Some(d) = case
                    .child_text("Description")
                    .filter(|d| !d.trim().is_empty())
                {
                    self.descriptions.push((
                        format!("Case {}", name.as_deref().unwrap_or("(unnamed)")),
                        None,
                        d.to_string(),
                    ));
                }
                let coded = case.children_named("CodeRef").count()
                    + case.children_named("SelectionRef").count();
                if coded > 0 {
                    self.warnings.push(format!(
                        "case '{}': {coded} code/selection references not imported",
                        name.as_deref().unwrap_or("")
                    ));
                }
                cases.push(CaseData {
                    name,
                    values,
                    sources,
                });
            }
        }
        self.cases = cases;
    }

    fn read_values(&mut self, parent: &Element) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for value in parent.children_named("VariableValue") {
            let Some(var) = value
                .child("VariableRef")
                .and_then(|r| r.attr("targetGUID"))
                .and_then(normalise_guid)
            else {
                continue;
            };
            let Some((_, name, _)) = self.variables.iter().find(|(g, _, _)| *g == var) else {
                self.warnings.push(format!(
                    "line {}: a value of undeclared variable {var} was not imported",
                    value.line
                ));
                continue;
            };
            let text = value
                .children
                .iter()
                .find(|c| c.name.ends_with("Value"))
                .map(|c| c.text.trim().to_string())
                .unwrap_or_default();
            if !text.is_empty() {
                out.push((name.clone(), text));
            }
        }
        out
    }

    fn unique_transcript_id(&mut self, name: &str, path: Option<&str>, guid: &str) -> String {
        let stem_of_path = path.map(|p| {
            let file = p.rsplit(['/', '\\']).next().unwrap_or(p);
            file.rsplit_once('.')
                .map(|(s, _)| s)
                .unwrap_or(file)
                .to_string()
        });
        let mut base = name.trim().to_string();
        for ext in [".txt", ".docx", ".doc", ".rtf", ".pdf", ".odt", ".md"] {
            if base.to_lowercase().ends_with(ext) && base.len() > ext.len() {
                base.truncate(base.len() - ext.len());
            }
        }
        if base.trim().is_empty() {
            base = stem_of_path.unwrap_or_else(|| guid.to_string());
        }
        let cleaned: String = base
            .chars()
            .map(|c| match c {
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
                c if c.is_control() => '-',
                c => c,
            })
            .collect();
        let cleaned: String = cleaned
            .trim()
            .trim_start_matches('.')
            .chars()
            .take(80)
            .collect();
        let base = if cleaned.trim().is_empty() {
            "source".to_string()
        } else {
            cleaned.trim().to_string()
        };
        let mut id = base.clone();
        let mut n = 2;
        while !self.taken_ids.insert(id.to_lowercase()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    /// The text of a source: inline, or its file in the package.
    fn source_text(&mut self, source: &Element, label: &str) -> Result<Option<String>, RefiError> {
        if let Some(inline) = source.child("PlainTextContent") {
            if source.attr("plainTextPath").is_some() {
                self.warnings.push(format!(
                    "{label}: has both inline text and plainTextPath; used the inline text"
                ));
            }
            return Ok(Some(inline.text.clone()));
        }
        let Some(path) = source
            .attr("plainTextPath")
            .filter(|p| !p.trim().is_empty())
        else {
            self.warnings.push(format!(
                "{label}: no plain text (only rich text{}); not imported",
                source
                    .attr("richTextPath")
                    .map(|p| format!(" at {p}"))
                    .unwrap_or_default()
            ));
            return Ok(None);
        };
        let (entry, note) = self.package.find_source(path);
        if let Some(note) = note {
            self.warnings.push(format!("{label}: {note}"));
        }
        let Some(entry) = entry else {
            self.warnings.push(format!(
                "{label}: text file '{path}' is missing; not imported"
            ));
            return Ok(None);
        };
        let bytes = self.package.read(&entry)?;
        let (text, _bom, decode_note) = decode_text(&bytes);
        if let Some(note) = decode_note {
            self.warnings.push(format!("{label}: {entry} {note}"));
        }
        Ok(Some(text))
    }

    fn user_of(&mut self, guid: Option<&str>, unknown: &mut usize) -> Option<String> {
        let guid = guid?;
        match normalise_guid(guid).and_then(|g| self.users.get(&g).cloned()) {
            Some(id) => Some(id),
            None => {
                *unknown += 1;
                None
            }
        }
    }

    /// Reads one text source (or a PDF's text representation, then `pdf` is the PDF element).
    fn read_text_source(
        &mut self,
        source: &Element,
        pdf: Option<&Element>,
    ) -> Result<(), RefiError> {
        let outer = pdf.unwrap_or(source);
        let name = outer.attr("name").unwrap_or("").to_string();
        let guid = outer
            .attr("guid")
            .and_then(normalise_guid)
            .unwrap_or_else(|| {
                self.space
                    .derived("source", &format!("{name}#{}", outer.line))
            });
        let label = format!(
            "{} '{}'",
            if pdf.is_some() { "PDF" } else { "source" },
            if name.is_empty() { &guid } else { &name }
        );
        let selections: Vec<&Element> = source.children_named("PlainTextSelection").collect();
        let Some(raw_text) = self.source_text(source, &label)? else {
            if !selections.is_empty() {
                self.warnings.push(format!(
                    "{label}: its {} selections were not imported (no text to place them in)",
                    selections.len()
                ));
            }
            return Ok(());
        };
        if raw_text.trim().is_empty() {
            self.warnings.push(format!(
                "{label}: the text is empty; not imported{}",
                if selections.is_empty() {
                    String::new()
                } else {
                    format!(" (with its {} selections)", selections.len())
                }
            ));
            return Ok(());
        }
        let id = self.unique_transcript_id(&name, source.attr("plainTextPath"), &guid);
        if pdf.is_some() {
            self.warnings.push(format!(
                "{label}: imported its plain-text representation as transcript '{id}'"
            ));
        }
        self.transcript_ids.insert(guid.clone(), id.clone());
        if let Some(source_guid) = source.attr("guid").and_then(normalise_guid) {
            self.transcript_ids.insert(source_guid, id.clone());
        }
        let text = SourceText::new(&raw_text);
        // positions
        let mut raw = Vec::new();
        let mut positions = Vec::new();
        let mut bad_positions = 0;
        for sel in &selections {
            let start = sel
                .attr("startPosition")
                .and_then(|s| s.trim().parse::<u64>().ok());
            let end = sel
                .attr("endPosition")
                .and_then(|s| s.trim().parse::<u64>().ok());
            match (start, end) {
                (Some(s), Some(e)) => {
                    raw.push(RawSelection {
                        start: s.min(e),
                        end: s.max(e),
                        name: sel.attr("name"),
                    });
                    positions.push(Some((s.min(e), s.max(e))));
                }
                _ => {
                    bad_positions += 1;
                    positions.push(None);
                }
            }
        }
        let preferred = OffsetUnit::default_for_origin(&self.origin);
        let choice = text.choose_unit(&raw, preferred);
        if !choice.all_agree && choice.total > 0 && choice.aligned * 10 < choice.total * 9 {
            self.warnings.push(format!(
                "{label}: only {}/{} selections fall on word boundaries under the best unit ({}); check a few quotes",
                choice.aligned, choice.total, choice.unit
            ));
        }
        if choice.overrides_origin {
            self.warnings.push(format!(
                "{label}: positions read as {} although the origin '{}' suggests {}",
                choice.unit, self.origin, preferred
            ));
        }
        if bad_positions > 0 {
            self.warnings.push(format!(
                "{label}: {bad_positions} selections without valid startPosition/endPosition skipped"
            ));
        }
        let canonical = text.canonical().to_string();
        let placed = Placed {
            transcript: id.clone(),
            index: CharIndex::new(&canonical),
            text: &canonical,
            date: source
                .attr("creationDateTime")
                .or_else(|| self.root.attr("creationDateTime"))
                .map(str::to_string),
        };
        let mut tally = Tally::default();
        let mut seen = BTreeSet::new();
        for (sel, pos) in selections.iter().zip(&positions) {
            let Some((start, end)) = *pos else { continue };
            let a = text.map(choice.unit, start, false);
            let b = text.map(choice.unit, end, true);
            tally.clamped += usize::from(a.clamped || b.clamped);
            tally.snapped += usize::from(!a.clamped && !b.clamped && (!a.exact || !b.exact));
            self.read_selection(
                &placed,
                sel,
                (a.canonical, b.canonical),
                &mut tally,
                &mut seen,
            );
        }
        // codings of the whole source: a segment over the whole transcript
        let len = placed.index.len_chars();
        for (i, coding) in source.children_named("Coding").enumerate() {
            let Some(code) = self.code_of(coding, &mut tally) else {
                continue;
            };
            let coder = self
                .user_of(coding.attr("creatingUser"), &mut tally.unknown_users)
                .unwrap_or_else(|| IMPORTED_CODER.to_string());
            if !seen.insert((coder.clone(), 0, len, code.clone())) {
                tally.duplicates += 1;
                continue;
            }
            tally.whole_source += 1;
            let fallback = format!("{guid}#whole#{i}");
            let segment =
                placed.segment(&self.space, coding, None, (0, len), code, None, &fallback);
            self.project
                .segments
                .entry(coder.clone())
                .or_default()
                .push(Segment {
                    id: format!("{coder}-{}", segment.id),
                    ..segment
                });
        }
        tally.report(&label, &mut self.warnings);
        for note in source
            .children_named("NoteRef")
            .filter_map(|n| n.attr("targetGUID").and_then(normalise_guid))
        {
            self.note_targets
                .entry(note)
                .or_default()
                .push(NoteTarget::Transcript(id.clone()));
        }
        let values = self.read_values(source);
        if !values.is_empty() {
            self.source_values.insert(id.clone(), values);
        }
        if let Some(d) = outer
            .child_text("Description")
            .filter(|d| !d.trim().is_empty())
        {
            self.descriptions.push((
                format!("Description of {id}"),
                Some(NoteTarget::Transcript(id.clone())),
                d.to_string(),
            ));
        }
        self.project.transcripts.push(ImportedTranscript {
            id,
            name,
            guid,
            text: canonical,
            offsets: choice,
        });
        Ok(())
    }

    /// The code a coding applies, counting codings that point at a case or at nothing.
    fn code_of(&self, coding: &Element, tally: &mut Tally) -> Option<String> {
        let target = coding
            .child("CodeRef")
            .and_then(|r| r.attr("targetGUID"))
            .and_then(normalise_guid);
        match target.as_ref().and_then(|t| self.codes.get(t)) {
            Some(code) => Some(code.clone()),
            None => {
                if target.is_some_and(|t| self.case_guids.contains(&t)) {
                    tally.case_codings += 1;
                } else {
                    tally.unknown_codes += 1;
                }
                None
            }
        }
    }

    /// Turns one selection into one segment per coding, at canonical span `span`.
    fn read_selection(
        &mut self,
        placed: &Placed<'_>,
        sel: &Element,
        span: (usize, usize),
        tally: &mut Tally,
        seen: &mut BTreeSet<(String, usize, usize, String)>,
    ) {
        let codings: Vec<&Element> = sel.children_named("Coding").collect();
        let sel_guid = sel.attr("guid").and_then(normalise_guid);
        let memo = sel
            .child_text("Description")
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        if codings.is_empty() {
            tally.uncoded += 1;
            tally.uncoded_comments += usize::from(memo.is_some());
            return;
        }
        if span.1 <= span.0 {
            tally.empty += codings.len();
            return;
        }
        let sel_user = sel.attr("creatingUser").or(sel.attr("modifyingUser"));
        let mut made = Vec::new();
        for (i, coding) in codings.iter().enumerate() {
            let Some(code) = self.code_of(coding, tally) else {
                continue;
            };
            // the coder of record: Coding@creatingUser, then the selection's users
            let coder = self
                .user_of(coding.attr("creatingUser"), &mut tally.unknown_users)
                .or_else(|| self.user_of(sel_user, &mut tally.unknown_users))
                .unwrap_or_else(|| IMPORTED_CODER.to_string());
            if !seen.insert((coder.clone(), span.0, span.1, code.clone())) {
                tally.duplicates += 1;
                continue;
            }
            let fallback = format!("{}#{i}", sel_guid.clone().unwrap_or_default());
            let segment = placed.segment(
                &self.space,
                coding,
                Some(sel),
                span,
                code,
                memo.clone(),
                &fallback,
            );
            let segment = Segment {
                id: format!("{coder}-{}", segment.id),
                ..segment
            };
            for note in coding
                .children_named("NoteRef")
                .filter_map(|n| n.attr("targetGUID").and_then(normalise_guid))
            {
                self.note_targets
                    .entry(note)
                    .or_default()
                    .push(NoteTarget::Segment(segment.id.clone()));
            }
            made.push(segment.id.clone());
            self.project
                .segments
                .entry(coder)
                .or_default()
                .push(segment);
        }
        for note in sel
            .children_named("NoteRef")
            .filter_map(|n| n.attr("targetGUID").and_then(normalise_guid))
        {
            let target = match made.first() {
                Some(seg) => NoteTarget::Segment(seg.clone()),
                None => NoteTarget::Transcript(placed.transcript.clone()),
            };
            self.note_targets.entry(note).or_default().push(target);
        }
        if let Some(g) = sel_guid {
            self.selection_segments.insert(g, made);
        }
    }

    fn read_links(&mut self) {
        let Some(links) = self.root.child("Links") else {
            return;
        };
        let notes: BTreeSet<String> = self
            .root
            .child("Notes")
            .map(|n| {
                n.children_named("Note")
                    .filter_map(|n| n.attr("guid").and_then(normalise_guid))
                    .collect()
            })
            .unwrap_or_default();
        let mut unmapped = 0;
        for link in links.children_named("Link") {
            let origin = link.attr("originGUID").and_then(normalise_guid);
            let target = link.attr("targetGUID").and_then(normalise_guid);
            let (note, other) = match (origin, target) {
                (Some(o), Some(t)) if notes.contains(&o) => (o, t),
                (Some(o), Some(t)) if notes.contains(&t) => (t, o),
                _ => {
                    unmapped += 1;
                    continue;
                }
            };
            let resolved = if let Some(code) = self.codes.get(&other) {
                Some(NoteTarget::Code(code.clone()))
            } else if let Some(t) = self.transcript_ids.get(&other) {
                Some(NoteTarget::Transcript(t.clone()))
            } else {
                self.selection_segments
                    .get(&other)
                    .and_then(|s| s.first())
                    .map(|s| NoteTarget::Segment(s.clone()))
            };
            match resolved {
                Some(target) => self.note_targets.entry(note).or_default().push(target),
                None => unmapped += 1,
            }
        }
        if unmapped > 0 {
            self.warnings.push(format!(
                "{unmapped} links not imported (thema keeps only links from a memo to a code, transcript or segment it imported)"
            ));
        }
    }

    fn read_notes(&mut self) -> Result<(), RefiError> {
        for note in self
            .root
            .children_named("NoteRef")
            .filter_map(|n| n.attr("targetGUID").and_then(normalise_guid))
        {
            self.note_targets.entry(note).or_default();
        }
        let mut stems = BTreeSet::new();
        let mut memos = Vec::new();
        if let Some(notes) = self.root.child("Notes") {
            for note in notes.children_named("Note") {
                let guid = note
                    .attr("guid")
                    .and_then(normalise_guid)
                    .unwrap_or_default();
                let title = note
                    .attr("name")
                    .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "Note".to_string());
                let label = format!("note '{title}'");
                let body = self.source_text(note, &label)?.unwrap_or_default();
                let mut fields = BTreeMap::new();
                fields.insert("title".to_string(), title.clone());
                let mut unknown = 0;
                if let Some(coder) = self.user_of(note.attr("creatingUser"), &mut unknown) {
                    fields.insert("coder".to_string(), coder);
                }
                if let Some(created) = note.attr("creationDateTime") {
                    fields.insert("created".to_string(), created.trim().to_string());
                }
                if let Some(d) = note
                    .child_text("Description")
                    .filter(|d| !d.trim().is_empty())
                {
                    fields.insert(
                        "description".to_string(),
                        d.split_whitespace().collect::<Vec<_>>().join(" "),
                    );
                }
                let mut targets = self.note_targets.get(&guid).cloned().unwrap_or_default();
                targets.sort();
                targets.dedup();
                for target in &targets {
                    let (key, value) = match target {
                        NoteTarget::Code(c) => ("code", c),
                        NoteTarget::Transcript(t) => ("transcript", t),
                        NoteTarget::Segment(s) => ("segment", s),
                    };
                    if fields.contains_key(key) {
                        self.warnings.push(format!(
                            "{label} is attached to several {key}s; thema keeps the first"
                        ));
                    } else {
                        fields.insert(key.to_string(), value.clone());
                    }
                }
                let stem = unique_stem(&title, "note", &mut stems);
                memos.push(Memo {
                    path: PathBuf::from("memos").join(format!("{stem}.md")),
                    fields,
                    body: body.trim_start_matches('\n').to_string(),
                });
            }
        }
        if let Some(d) = self
            .root
            .child_text("Description")
            .filter(|d| !d.trim().is_empty())
        {
            self.descriptions
                .insert(0, ("Project description".to_string(), None, d.to_string()));
        }
        for (title, target, body) in std::mem::take(&mut self.descriptions) {
            let mut fields = BTreeMap::new();
            fields.insert("title".to_string(), title.clone());
            if let Some(NoteTarget::Transcript(t)) = target {
                fields.insert("transcript".to_string(), t);
            }
            let stem = unique_stem(&title, "note", &mut stems);
            memos.push(Memo {
                path: PathBuf::from("memos").join(format!("{stem}.md")),
                fields,
                body,
            });
        }
        self.project.memos = memos;
        Ok(())
    }

    fn finish_attributes(&mut self) {
        let mut attributes = Attributes::default();
        attributes.columns.push("transcript".to_string());
        let by_guid: HashMap<String, String> = self.transcript_ids.clone();
        let mut rows: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut multi = BTreeSet::new();
        let mut has_participant = false;
        for case in &self.cases {
            for source in &case.sources {
                let Some(id) = by_guid.get(source) else {
                    continue;
                };
                let row = rows.entry(id.clone()).or_default();
                if let Some(name) = &case.name {
                    if row.contains_key("participant") {
                        multi.insert(id.clone());
                    } else {
                        row.insert("participant".to_string(), name.clone());
                        has_participant = true;
                    }
                }
                for (k, v) in &case.values {
                    row.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        for (id, values) in &self.source_values {
            let row = rows.entry(id.clone()).or_default();
            for (k, v) in values {
                row.insert(k.clone(), v.clone());
            }
        }
        if !multi.is_empty() {
            self.warnings.push(format!(
                "transcripts in several cases keep the first case as participant: {}",
                multi.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        if has_participant {
            attributes.columns.push("participant".to_string());
        }
        for (_, name, _) in &self.variables {
            if rows.values().any(|r| r.contains_key(name)) && !attributes.columns.contains(name) {
                attributes.columns.push(name.clone());
            }
        }
        if rows.is_empty() {
            attributes.columns.clear();
        }
        attributes.rows = rows;
        self.project.attributes = attributes;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_split_back_into_fields() {
        let (d, i, e, x) =
            split_description("Lack of time.\n\nInclude: rotas\n\nExample: No lunch");
        assert_eq!(
            (d.as_str(), i.as_str(), e.as_str(), x.as_str()),
            ("Lack of time.", "rotas", "", "No lunch")
        );
        let (d, i, _, _) = split_description("Include: only this");
        assert_eq!((d.as_str(), i.as_str()), ("", "only this"));
        let (d, ..) = split_description("Plain\n\nparagraphs");
        assert_eq!(d, "Plain\n\nparagraphs");
    }

    #[test]
    fn colours_are_read_leniently() {
        assert_eq!(normalise_color("#ABC"), Ok("#aabbcc".to_string()));
        assert_eq!(normalise_color("#4E79A7"), Ok("#4e79a7".to_string()));
        assert!(normalise_color("#AABBCCDD").is_err());
        assert!(normalise_color("rgb(1,2,3)").is_err());
    }

    #[test]
    fn documents_are_found_under_any_name() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            find_document(&names(&["Sources/a.txt", "project.qde"])).map(|d| d.0),
            Some("project.qde".into())
        );
        let (name, note) = find_document(&names(&["Project.qde"])).unwrap();
        assert_eq!(name, "Project.qde");
        assert!(note.is_some());
        assert_eq!(
            find_document(&names(&["Trial.qde", "sources/x.txt"])).map(|d| d.0),
            Some("Trial.qde".into())
        );
        assert_eq!(find_document(&names(&["a.qde", "b.qde"])), None);
    }
}
