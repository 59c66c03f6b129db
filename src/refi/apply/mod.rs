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
enum Plan {
    New(LoadedCodebook),
    Present { file: String },
    Merge { slot: usize, missing: Vec<Code> },
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

/// Writes `project` into the study at `root`, creating the study if the folder is not one yet.
/// Refuses (writing nothing) if a transcript id already exists with another text.
pub fn apply_to_study(root: &Path, project: &RefiProject) -> Result<ImportSummary, RefiError> {
    let project_name = project.name.trim();
    let mut named = None;
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
            named = Some(project_name.to_string());
        }
    }
    let mut summary = ImportSummary {
        warnings: project.warnings.clone(),
        named: named.clone(),
        ..ImportSummary::default()
    };
    // refusals first
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
    let mut table = CoderTable::load(root)?;
    let mut refi_record = RefiRecord::load(root)?;
    let renames = coders::renames(project, &table);
    let mut renamed = coders::rename(project, &renames);
    let space = ids::study_space(root)?;
    let code_renames = ids::code_renames(&renamed, &files::load_codebooks(root)?, &space);
    ids::rename_codes(&mut renamed, &code_renames);
    let project = &renamed;
    for (old, new) in &renames {
        summary.warnings.push(format!(
            "user '{old}' is coder '{new}' in this study (matched by GUID, or the id was taken)"
        ));
    }
    for coder_id in project.segments.keys() {
        coder::validate(coder_id)?;
    }
    let existing_memos = memo::load_memos(root)?;
    let mut existing = files::load_codebooks(root)?;
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
            plans.push(Plan::New(LoadedCodebook {
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
                plans.push(Plan::Present {
                    file: existing[slot].file.clone(),
                });
            } else {
                plans.push(Plan::Merge { slot, missing });
            }
        }
    }
    // the study's name, when it held nothing before
    if let Some(name) = &named {
        let mut settings = files::load_settings(root)?;
        settings.name.clone_from(name);
        files::save_settings(root, &settings)?;
    }
    // transcripts, with their attribute rows
    let mut new = Vec::new();
    for t in &project.transcripts {
        summary
            .offset_units
            .push((t.id.clone(), t.offsets.describe()));
        if present.contains(&t.id) {
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
    let mut attributes = project_attributes(root, project, &mut summary)?;
    crate::study::write_new_transcripts(root, &mut attributes, &new)?;
    // codebooks, with history
    let why = format!(
        "imported from REFI-QDA ({})",
        if project.origin.is_empty() {
            "unknown origin"
        } else {
            project.origin.as_str()
        }
    );
    for plan in plans {
        match plan {
            Plan::New(mut loaded) => {
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
            Plan::Present { file } => summary.codebooks.push(format!(
                "codebooks/{file}.json: every imported code was already there; unchanged"
            )),
            Plan::Merge { slot, missing } => {
                let loaded = &mut existing[slot];
                let mut added = Vec::new();
                for mut code in missing {
                    if let Some(p) = &code.parent {
                        if !loaded.codebook.contains(p) {
                            summary.warnings.push(format!(
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
    // each coder's layer, under the coder's lock
    let mut renamed_segments: HashMap<String, String> = HashMap::new();
    let mut all_ids: BTreeSet<String> = BTreeSet::new();
    for coder_id in files::coder_files(root)? {
        for s in files::load_codings(root, &coder_id)? {
            all_ids.insert(s.id);
        }
    }
    for (coder_id, segments) in &project.segments {
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
                    renamed_segments.insert(segment.id.clone(), there.clone());
                }
                duplicates += 1;
                continue;
            }
            spans.insert(key, segment.id.clone());
            let mut segment: Segment = segment.clone();
            if all_ids.contains(&segment.id) {
                let base = segment.id.clone();
                let mut n = 2;
                while all_ids.contains(&segment.id) {
                    segment.id = format!("{base}-{n}");
                    n += 1;
                }
                renamed_segments.insert(base, segment.id.clone());
            }
            all_ids.insert(segment.id.clone());
            layer.push(segment);
            added += 1;
        }
        crate::model::segment::sort_segments(&mut layer);
        files::save_codings(root, coder_id, &layer)?;
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
    // memos: a memo made from the same note or description is updated
    let mut placed = memos::existing(root, &existing_memos, &space);
    for imported in &project.memos {
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
            fields: memos::merged_fields(old.filter(|_| update), &fields, &space),
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
            placed.extend(memos::existing(root, std::slice::from_ref(&memo), &space));
            summary.memos.push(relative);
        }
    }
    // who the coders are, and what the way back needs
    if coders::record(project, &mut table) {
        table.save(root)?;
    }
    summary.coders = project
        .coders
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    let before = refi_record.clone();
    refi_record.merge(&project.record);
    if refi_record != before {
        refi_record.save(root)?;
    }
    Ok(summary)
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
