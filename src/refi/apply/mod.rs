//! Writing an imported REFI-QDA project into a study folder (new or existing) through the
//! study layer's save functions: transcripts, codebooks with their history, each coder's layer
//! (under the coder's lock), attributes, memos, the coders' names and GUIDs (`coders.json`) and
//! what the way back needs (`refi.json`).
//!
//! Every check that can refuse the import runs before the first write, so a refused import
//! leaves the study untouched. An existing transcript is never overwritten: one with the same
//! text is left as it is (importing the same project again), one with another text refuses the
//! import. A second import of a project updates the memos made from it instead of adding copies.

mod coders;
mod ids;
mod memos;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::model::codebook::CodebookError;
use crate::model::{Code, HistoryEntry, Operation, Segment};
use crate::refi::guid::GuidSpace;
use crate::refi::import::{RefiProject, IMPORTED_CODER};
use crate::refi::record::RefiRecord;
use crate::refi::users::CoderTable;
use crate::refi::RefiError;
use crate::study::coding::now;
use crate::study::NewTranscript;
use crate::study::{coder, files, lock, memo, LoadedCodebook, Memo, Study};

/// What an import wrote into the study.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    /// Transcript ids written.
    pub transcripts: Vec<String>,
    /// Transcript ids already in the study with the same text, left as they were.
    pub transcripts_present: Vec<String>,
    /// One line per codebook: the file and whether it was new, merged or already there.
    pub codebooks: Vec<String>,
    /// Codes added over all codebooks.
    pub codes_added: usize,
    /// Segments added per coder.
    pub segments: BTreeMap<String, usize>,
    /// Memo files written (relative to the study), new ones.
    pub memos: Vec<PathBuf>,
    /// Memo files updated from the same note or description of an earlier import.
    pub memos_updated: Vec<PathBuf>,
    /// Coders of the project, by id, with their names as written.
    pub coders: Vec<(String, String)>,
    /// The study's name, when the import gave an empty study the project's name.
    pub named: Option<String>,
    /// Attribute rows written or updated.
    pub attribute_rows: usize,
    /// For each transcript, the offset unit its selections were read in.
    pub offset_units: Vec<(String, String)>,
    /// Everything not mapped or changed on the way (the import's warnings, then the writer's).
    pub warnings: Vec<String>,
}

/// What to do with one imported codebook.
enum CodebookPlan {
    New(LoadedCodebook),
    Present { file: String },
    Merge { slot: usize, missing: Vec<Code> },
}

/// Everything an import will write, decided (and every refusal made) before the first write.
struct ImportPlan {
    /// The project with its coders and codes renamed to the study's.
    project: RefiProject,
    /// Transcripts already in the study with the same text.
    present: BTreeSet<String>,
    /// The study's codebooks as they are, which merges add codes to.
    existing: Vec<LoadedCodebook>,
    /// What to do with each imported codebook, in the project's order.
    codebooks: Vec<CodebookPlan>,
    /// The study's memos as they are, which a second import updates.
    existing_memos: Vec<Memo>,
    /// The GUID space the study exports under.
    space: GuidSpace,
    /// The study's coders (`coders.json`).
    table: CoderTable,
    /// What the way back needs (`refi.json`).
    record: RefiRecord,
    /// Coders renamed on the way, one line each.
    warnings: Vec<String>,
}

/// Whether the study at `root` holds nothing yet: no transcript, code, coding or memo.
fn is_empty_study(root: &Path) -> Result<bool, RefiError> {
    Ok(files::list(&root.join("transcripts"), "txt")?.is_empty()
        && files::load_codebooks(root)?
            .iter()
            .all(|c| c.codebook.codes.is_empty())
        && files::coder_files(root)?.is_empty()
        && files::list(&root.join("memos"), "md")?.is_empty())
}

/// Writes `project` into the study at `root`, creating the study if the folder is not one yet.
/// Refuses (writing nothing) if a transcript id already exists with another text.
pub fn apply_to_study(root: &Path, project: &RefiProject) -> Result<ImportSummary, RefiError> {
    let named = create_or_name(root, project)?;
    let mut summary = ImportSummary {
        warnings: project.warnings.clone(),
        named: named.clone(),
        ..ImportSummary::default()
    };
    let mut plan = plan(root, project)?;
    summary.warnings.append(&mut plan.warnings);
    if let Some(name) = &named {
        rename_study(root, name)?;
    }
    write_transcripts(root, &plan, &mut summary)?;
    write_codebooks(root, &mut plan, &mut summary)?;
    let renamed_segments = write_coder_layers(root, &plan.project, &mut summary)?;
    write_memos(root, &plan, &renamed_segments, &mut summary)?;
    write_coders_and_record(root, plan, &mut summary)?;
    Ok(summary)
}

/// Creates the study at `root` (under the project's name) if the folder is not one yet. For a
/// study that holds nothing yet, the project's name it should take, when it has another.
fn create_or_name(root: &Path, project: &RefiProject) -> Result<Option<String>, RefiError> {
    let project_name = project.name.trim();
    if !root.join("transcripts").is_dir() {
        let name = if project_name.is_empty() {
            "Imported study"
        } else {
            project_name
        };
        Study::init(root, name)?;
    } else if !project_name.is_empty() && is_empty_study(root)? {
        let settings = files::load_settings(root)?;
        if settings.name != project_name {
            return Ok(Some(project_name.to_string()));
        }
    }
    Ok(None)
}

/// Decides what to write, making every refusal: a transcript id already used for another text,
/// a coder id the study cannot take. Reads the study, writes nothing.
fn plan(root: &Path, project: &RefiProject) -> Result<ImportPlan, RefiError> {
    // refusals first
    let present = transcripts_present(root, project)?;
    let table = CoderTable::load(root)?;
    let record = RefiRecord::load(root)?;
    let renames = coders::renames(project, &table);
    let mut renamed = coders::rename(project, &renames);
    let space = ids::study_space(root)?;
    let existing = files::load_codebooks(root)?;
    let code_renames = ids::code_renames(&renamed, &existing, &space);
    ids::rename_codes(&mut renamed, &code_renames);
    let warnings = renames
        .iter()
        .map(|(old, new)| {
            format!(
                "user '{old}' is coder '{new}' in this study (matched by GUID, or the id was taken)"
            )
        })
        .collect();
    for coder_id in renamed.segments.keys() {
        coder::validate(coder_id)?;
    }
    let existing_memos = memo::load_memos(root)?;
    let codebooks = plan_codebooks(root, &renamed, &existing);
    Ok(ImportPlan {
        project: renamed,
        present,
        existing,
        codebooks,
        existing_memos,
        space,
        table,
        record,
        warnings,
    })
}

/// The imported transcripts already in the study with the same text; refused when one is there
/// with another text.
fn transcripts_present(root: &Path, project: &RefiProject) -> Result<BTreeSet<String>, RefiError> {
    let mut present = BTreeSet::new();
    for t in &project.transcripts {
        let path = files::transcript_path(root, &t.id);
        if path.exists() {
            if files::read_text(&path)? == t.text {
                present.insert(t.id.clone());
                continue;
            }
            return Err(RefiError::TranscriptExists {
                id: t.id.clone(),
                root: root.to_path_buf(),
            });
        }
    }
    Ok(present)
}

/// What to do with each imported codebook: a codebook none of whose codes the study has is
/// new (under a free file name); otherwise its missing codes are merged into the study's
/// codebook that holds most of its codes (the first of those on a tie).
fn plan_codebooks(
    root: &Path,
    project: &RefiProject,
    existing: &[LoadedCodebook],
) -> Vec<CodebookPlan> {
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (slot, loaded) in existing.iter().enumerate() {
        for code in &loaded.codebook.codes {
            owner.insert(code.id.clone(), slot);
        }
    }
    let mut taken_files: BTreeSet<String> = existing.iter().map(|c| c.file.clone()).collect();
    let mut plans = Vec::new();
    for imported in &project.codebooks {
        let present: Vec<usize> = imported
            .codebook
            .codes
            .iter()
            .filter_map(|c| owner.get(&c.id).copied())
            .collect();
        if present.is_empty() {
            let mut file = imported.file.clone();
            let mut n = 2;
            while taken_files.contains(&file) || files::codebook_path(root, &file).exists() {
                file = format!("{}-{n}", imported.file);
                n += 1;
            }
            taken_files.insert(file.clone());
            plans.push(CodebookPlan::New(LoadedCodebook {
                file,
                codebook: imported.codebook.clone(),
                on_disk: None,
            }));
        } else {
            let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
            for slot in &present {
                *votes.entry(*slot).or_default() += 1;
            }
            let slot = votes
                .iter()
                .max_by_key(|(slot, n)| (**n, std::cmp::Reverse(**slot)))
                .map(|(slot, _)| *slot)
                .unwrap_or(0);
            let missing: Vec<Code> = imported
                .codebook
                .tree()
                .into_iter()
                .map(|(c, _)| c.clone())
                .filter(|c| !owner.contains_key(&c.id))
                .collect();
            if missing.is_empty() {
                plans.push(CodebookPlan::Present {
                    file: existing[slot].file.clone(),
                });
            } else {
                plans.push(CodebookPlan::Merge { slot, missing });
            }
        }
    }
    plans
}

/// Gives the study, which held nothing before, the project's name.
fn rename_study(root: &Path, name: &str) -> Result<(), RefiError> {
    let mut settings = files::load_settings(root)?;
    settings.name = name.to_string();
    files::save_settings(root, &settings)?;
    Ok(())
}

/// Writes the transcripts not already there, with their attribute rows (written first, so a
/// killed import never leaves a transcript without one).
fn write_transcripts(
    root: &Path,
    plan: &ImportPlan,
    summary: &mut ImportSummary,
) -> Result<(), RefiError> {
    let mut new = Vec::new();
    for t in &plan.project.transcripts {
        summary
            .offset_units
            .push((t.id.clone(), t.offsets.describe()));
        if plan.present.contains(&t.id) {
            summary.transcripts_present.push(t.id.clone());
            continue;
        }
        new.push(NewTranscript {
            id: t.id.clone(),
            text: t.text.clone(),
            attributes: Vec::new(),
        });
        summary.transcripts.push(t.id.clone());
    }
    let mut attributes = project_attributes(root, &plan.project, summary)?;
    crate::study::write_new_transcripts(root, &mut attributes, &new)?;
    Ok(())
}

/// Writes new codebooks and merges, each with its history.
fn write_codebooks(
    root: &Path,
    plan: &mut ImportPlan,
    summary: &mut ImportSummary,
) -> Result<(), RefiError> {
    let origin = &plan.project.origin;
    let why = format!(
        "imported from REFI-QDA ({})",
        if origin.is_empty() {
            "unknown origin"
        } else {
            origin.as_str()
        }
    );
    for codebook in std::mem::take(&mut plan.codebooks) {
        match codebook {
            CodebookPlan::New(mut loaded) => {
                files::save_codebook(root, &mut loaded)?;
                let count = loaded.codebook.codes.len();
                let order: Vec<Code> = loaded
                    .codebook
                    .tree()
                    .into_iter()
                    .map(|(c, _)| c.clone())
                    .collect();
                record(root, &loaded.file, order, &why)?;
                summary.codes_added += count;
                summary.codebooks.push(format!(
                    "codebooks/{}.json: new, {count} codes",
                    loaded.file
                ));
            }
            CodebookPlan::Present { file } => summary.codebooks.push(format!(
                "codebooks/{file}.json: every imported code was already there; unchanged"
            )),
            CodebookPlan::Merge { slot, missing } => {
                let loaded = &mut plan.existing[slot];
                let added = merge_codes(loaded, missing, &mut summary.warnings)?;
                files::save_codebook(root, loaded)?;
                summary.codes_added += added.len();
                summary.codebooks.push(format!(
                    "codebooks/{}.json: {} codes added to the codes already there",
                    loaded.file,
                    added.len()
                ));
                let file = loaded.file.clone();
                record(root, &file, added, &why)?;
            }
        }
    }
    Ok(())
}

/// Adds `missing` codes to a study's codebook (in memory): a code whose parent is in another
/// codebook goes to the top, a name already taken gets a number. The codes as added.
fn merge_codes(
    loaded: &mut LoadedCodebook,
    missing: Vec<Code>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Code>, RefiError> {
    let mut added = Vec::new();
    for mut code in missing {
        if let Some(p) = &code.parent {
            if !loaded.codebook.contains(p) {
                warnings.push(format!(
                    "code '{}' placed at the top of {}: its parent is in another codebook",
                    code.name, loaded.file
                ));
                code.parent = None;
            }
        }
        let base = code.name.clone();
        let mut n = 1;
        loop {
            match loaded.codebook.insert(code.clone()) {
                Ok(()) => break,
                Err(CodebookError::Duplicate(_)) => {
                    n += 1;
                    code.name = format!("{base} ({n})");
                }
                Err(e) => {
                    return Err(RefiError::Invalid(format!(
                        "merging code '{base}' into codebooks/{}.json: {e}",
                        loaded.file
                    )))
                }
            }
        }
        added.push(code);
    }
    Ok(added)
}

/// Segment ids across every coder's layer, and the imported ones that changed on the way.
#[derive(Default)]
struct SegmentIds {
    /// Every segment id in the study.
    taken: BTreeSet<String>,
    /// Imported segment id → the id it has in the study (renamed, or the duplicate already
    /// there), which memos of that segment then name.
    renamed: HashMap<String, String>,
}

/// Adds each coder's segments to their layer, under the coder's lock; a segment already there
/// (same transcript, span and code) is not added again. Imported segment id → study id, for
/// those that changed.
fn write_coder_layers(
    root: &Path,
    project: &RefiProject,
    summary: &mut ImportSummary,
) -> Result<HashMap<String, String>, RefiError> {
    let mut ids = SegmentIds::default();
    for coder_id in files::coder_files(root)? {
        for s in files::load_codings(root, &coder_id)? {
            ids.taken.insert(s.id);
        }
    }
    for (coder_id, segments) in &project.segments {
        let (added, duplicates) = write_coder_layer(root, coder_id, segments, &mut ids)?;
        summary.segments.insert(coder_id.clone(), added);
        if duplicates > 0 {
            summary.warnings.push(format!(
                "{coder_id}: {duplicates} segments already in the study were not added again"
            ));
        }
    }
    if project.segments.contains_key(IMPORTED_CODER) {
        summary.warnings.push(format!(
            "segments without a known user were written for coder '{IMPORTED_CODER}'"
        ));
    }
    Ok(ids.renamed)
}

/// Adds one coder's imported segments to their layer, under their lock: `(added, duplicates)`.
fn write_coder_layer(
    root: &Path,
    coder_id: &str,
    segments: &[Segment],
    ids: &mut SegmentIds,
) -> Result<(usize, usize), RefiError> {
    let _lock = lock::lock_coder(root, coder_id)?;
    let mut layer = files::load_codings(root, coder_id)?;
    // the segment already there on each span, which memos of a duplicate then name
    let mut spans: BTreeMap<(String, usize, usize, String), String> = layer
        .iter()
        .map(|s| {
            (
                (s.transcript.clone(), s.start, s.end, s.code.clone()),
                s.id.clone(),
            )
        })
        .collect();
    let mut added = 0;
    let mut duplicates = 0;
    for segment in segments {
        let key = (
            segment.transcript.clone(),
            segment.start,
            segment.end,
            segment.code.clone(),
        );
        if let Some(there) = spans.get(&key) {
            if *there != segment.id {
                ids.renamed.insert(segment.id.clone(), there.clone());
            }
            duplicates += 1;
            continue;
        }
        spans.insert(key, segment.id.clone());
        let mut segment: Segment = segment.clone();
        if ids.taken.contains(&segment.id) {
            let base = segment.id.clone();
            let mut n = 2;
            while ids.taken.contains(&segment.id) {
                segment.id = format!("{base}-{n}");
                n += 1;
            }
            ids.renamed.insert(base, segment.id.clone());
        }
        ids.taken.insert(segment.id.clone());
        layer.push(segment);
        added += 1;
    }
    crate::model::segment::sort_segments(&mut layer);
    files::save_codings(root, coder_id, &layer)?;
    Ok((added, duplicates))
}

/// The study's attribute table with the project's values set (every imported transcript gets a
/// row), not yet written.
fn project_attributes(
    root: &Path,
    project: &RefiProject,
    summary: &mut ImportSummary,
) -> Result<crate::model::Attributes, RefiError> {
    let mut attributes = files::load_attributes(root)?;
    if project.attributes.rows.is_empty() && project.transcripts.is_empty() {
        return Ok(attributes);
    }
    if attributes.columns.is_empty() {
        attributes.columns = vec!["transcript".to_string(), "participant".to_string()];
    }
    for t in &project.transcripts {
        attributes.rows.entry(t.id.clone()).or_default();
    }
    for (id, row) in &project.attributes.rows {
        for column in project
            .attributes
            .columns
            .iter()
            .filter(|c| *c != "transcript")
        {
            if let Some(value) = row.get(column) {
                attributes.set(id, column, value);
            }
        }
        summary.attribute_rows += 1;
    }
    Ok(attributes)
}

/// Writes the memos: a memo made from the same note or description is updated; a memo of a
/// segment names it by its id in the study (`renamed_segments`).
fn write_memos(
    root: &Path,
    plan: &ImportPlan,
    renamed_segments: &HashMap<String, String>,
    summary: &mut ImportSummary,
) -> Result<(), RefiError> {
    let (existing_memos, space) = (&plan.existing_memos, &plan.space);
    let mut placed = memos::existing(root, existing_memos, space);
    for imported in &plan.project.memos {
        let mut fields = imported.fields.clone();
        if let Some(new) = fields
            .get("segment")
            .and_then(|s| renamed_segments.get(s))
            .cloned()
        {
            fields.insert("segment".to_string(), new);
        }
        let (relative, update) = memos::place(root, imported, &placed);
        let path = root.join(&relative);
        let old = existing_memos.iter().find(|m| m.path == path);
        let memo = Memo {
            path,
            fields: memos::merged_fields(old.filter(|_| update), &fields, space),
            body: imported.body.clone(),
        };
        if update {
            let same_body = old.is_some_and(|o| o.body.trim_end() == memo.body.trim_end());
            if old.is_some_and(|o| o.fields == memo.fields) && same_body {
                continue;
            }
            memo::save_memo(&memo)?;
            summary.memos_updated.push(relative);
        } else {
            memo::save_memo(&memo)?;
            placed.extend(memos::existing(root, std::slice::from_ref(&memo), space));
            summary.memos.push(relative);
        }
    }
    Ok(())
}

/// Writes who the coders are (`coders.json`) and what the way back needs (`refi.json`), each
/// only when it changed.
fn write_coders_and_record(
    root: &Path,
    plan: ImportPlan,
    summary: &mut ImportSummary,
) -> Result<(), RefiError> {
    let ImportPlan {
        project,
        mut table,
        mut record,
        ..
    } = plan;
    if coders::record(&project, &mut table) {
        table.save(root)?;
    }
    summary.coders = project
        .coders
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    let before = record.clone();
    record.merge(&project.record);
    if record != before {
        record.save(root)?;
    }
    Ok(())
}

/// Appends one `add` line per code (parents first) to a codebook's history.
fn record(root: &Path, file: &str, codes: Vec<Code>, why: &str) -> Result<(), RefiError> {
    let at = now();
    for code in codes {
        let entry = HistoryEntry {
            at: at.clone(),
            coder: IMPORTED_CODER.to_string(),
            op: Operation::Add { code },
            why: Some(why.to_string()),
        };
        files::append_history(root, file, &entry)?;
    }
    Ok(())
}
