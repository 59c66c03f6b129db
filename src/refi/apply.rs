//! Writing an imported REFI-QDA project into a study folder (new or existing) through the
//! study layer's save functions: transcripts, codebooks with their history, each coder's layer
//! (under the coder's lock), attributes and memos.
//!
//! Every check that can refuse the import runs before the first write, so a refused import
//! leaves the study untouched. An existing transcript is never overwritten.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::model::codebook::CodebookError;
use crate::model::{Code, HistoryEntry, Operation, Segment};
use crate::refi::import::{RefiProject, IMPORTED_CODER};
use crate::refi::RefiError;
use crate::study::coding::now;
use crate::study::{coder, files, lock, memo, LoadedCodebook, Memo, Study};

/// What an import wrote into the study.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    /// Transcript ids written.
    pub transcripts: Vec<String>,
    /// One line per codebook: the file and whether it was new, merged or already there.
    pub codebooks: Vec<String>,
    /// Codes added over all codebooks.
    pub codes_added: usize,
    /// Segments added per coder.
    pub segments: BTreeMap<String, usize>,
    /// Memo files written (relative to the study).
    pub memos: Vec<PathBuf>,
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

/// Writes `project` into the study at `root`, creating the study if the folder is not one yet.
/// Refuses (writing nothing) if a transcript id already exists.
pub fn apply_to_study(root: &Path, project: &RefiProject) -> Result<ImportSummary, RefiError> {
    if !root.join("transcripts").is_dir() {
        let name = if project.name.trim().is_empty() {
            "Imported study"
        } else {
            project.name.as_str()
        };
        Study::init(root, name)?;
    }
    let mut summary = ImportSummary {
        warnings: project.warnings.clone(),
        ..ImportSummary::default()
    };
    // refusals first
    for t in &project.transcripts {
        if files::transcript_path(root, &t.id).exists() {
            return Err(RefiError::TranscriptExists {
                id: t.id.clone(),
                root: root.to_path_buf(),
            });
        }
    }
    for coder_id in project.segments.keys() {
        coder::validate(coder_id)?;
    }
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
    // transcripts
    for t in &project.transcripts {
        files::save_transcript(root, &t.id, &t.text)?;
        summary.transcripts.push(t.id.clone());
        summary
            .offset_units
            .push((t.id.clone(), t.offsets.describe()));
    }
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
                        match loaded.codebook.add(code.clone()) {
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
        let mut spans: BTreeSet<(String, usize, usize, String)> = layer
            .iter()
            .map(|s| (s.transcript.clone(), s.start, s.end, s.code.clone()))
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
            if !spans.insert(key) {
                duplicates += 1;
                continue;
            }
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
    // attributes
    if !project.attributes.rows.is_empty() || !project.transcripts.is_empty() {
        let mut attributes = files::load_attributes(root)?;
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
        files::save_attributes(root, &attributes)?;
    }
    // memos
    for imported in &project.memos {
        let mut fields = imported.fields.clone();
        if let Some(new) = fields
            .get("segment")
            .and_then(|s| renamed_segments.get(s))
            .cloned()
        {
            fields.insert("segment".to_string(), new);
        }
        let relative = unique_memo_path(root, &imported.path);
        let memo = Memo {
            path: root.join(&relative),
            fields,
            body: imported.body.clone(),
        };
        memo::save_memo(&memo)?;
        summary.memos.push(relative);
    }
    Ok(summary)
}

/// `memos/x.md`, or `memos/x-2.md`... if taken.
fn unique_memo_path(root: &Path, relative: &Path) -> PathBuf {
    let stem = relative
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "note".to_string());
    let mut candidate = PathBuf::from("memos").join(format!("{stem}.md"));
    let mut n = 2;
    while root.join(&candidate).exists() {
        candidate = PathBuf::from("memos").join(format!("{stem}-{n}.md"));
        n += 1;
    }
    candidate
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
