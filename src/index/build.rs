//! Writing documents: one per turn, one per coded segment, and the full build and incremental
//! refresh that add and delete them.
//!
//! Reads the study in memory only; the index folder is written through tantivy's writer.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use tantivy::indexer::{IndexWriterOptions, NoMergePolicy};
use tantivy::merge_policy::LogMergePolicy;
use tantivy::schema::TantivyDocument;
use tantivy::{IndexWriter, TantivyError, Term};

use crate::index::manifest::Changes;
use crate::index::schema::{facet_of, facet_step, Fields};
use crate::index::IndexError;
use crate::model::{Segment, Transcript};
use crate::study::Study;

/// Memory of each indexing thread in a full build: large, so the build writes few index
/// segments and never merges.
const BUILD_BUDGET_PER_THREAD: usize = 96 * 1024 * 1024;
/// Memory of the single indexing thread of a refresh (tantivy's minimum is 15 MB).
const REFRESH_BUDGET: usize = 16 * 1024 * 1024;
/// Index segments above this many documents are never merged by a refresh (only a rebuild
/// rewrites them), so refreshing stays cheap.
const MERGE_LIMIT_DOCS: usize = 20_000;
/// How long a refresh waits for another process's writer before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// `coder` U+001F `transcript`: the key of one coder's segments in one transcript.
pub(crate) fn layer_key(coder: &str, transcript: &str) -> String {
    format!("{coder}\u{1f}{transcript}")
}

/// The transcript with exactly this id (the study keeps them sorted by id).
pub(crate) fn find_transcript<'s>(study: &'s Study, id: &str) -> Option<&'s Transcript> {
    study
        .transcripts
        .binary_search_by(|t| t.id.as_str().cmp(id))
        .ok()
        .map(|i| &study.transcripts[i])
}

/// Makes documents from the study.
pub(crate) struct Documents<'a> {
    study: &'a Study,
    fields: &'a Fields,
    facets: &'a HashMap<String, String>,
}

impl<'a> Documents<'a> {
    pub fn new(study: &'a Study, fields: &'a Fields, facets: &'a HashMap<String, String>) -> Self {
        Documents {
            study,
            fields,
            facets,
        }
    }

    fn common(&self, doc: &mut TantivyDocument, t: &Transcript) {
        let f = self.fields;
        doc.add_text(f.transcript, &t.id);
        doc.add_text(f.key_transcript, &t.id);
    }

    /// One document per paragraph of a transcript (speaker turns and notes).
    pub fn turns<'t>(&'t self, t: &'t Transcript) -> impl Iterator<Item = TantivyDocument> + 't {
        let f = self.fields;
        t.turns.iter().map(move |turn| {
            let mut doc = TantivyDocument::new();
            doc.add_text(f.kind, "turn");
            self.common(&mut doc, t);
            if let Some(speaker) = &turn.speaker {
                doc.add_text(f.speaker, speaker);
            }
            doc.add_u64(f.turn, turn.number as u64);
            doc.add_u64(f.start, turn.body_start as u64);
            doc.add_u64(f.end, turn.end as u64);
            doc.add_text(f.text, t.body(turn));
            doc
        })
    }

    /// The document of one coded segment.
    pub fn segment(&self, coder: &str, t: &Transcript, s: &Segment) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.kind, "segment");
        self.common(&mut doc, t);
        let turn = t.turn_at(s.start);
        if let Some(speaker) = turn.and_then(|turn| turn.speaker.as_ref()) {
            doc.add_text(f.speaker, speaker);
        }
        doc.add_u64(f.turn, turn.map_or(0, |turn| turn.number) as u64);
        doc.add_u64(f.start, s.start as u64);
        doc.add_u64(f.end, s.end as u64);
        doc.add_text(f.coder, coder);
        match self.facets.get(&s.code) {
            Some(path) => doc.add_facet(f.code, facet_of(path)),
            None => doc.add_facet(f.code, facet_of(&facet_step(&s.code, &s.code))),
        }
        doc.add_text(f.code_id, &s.code);
        doc.add_text(f.segment, &s.id);
        doc.add_text(f.key_layer, layer_key(coder, &t.id));
        doc.add_text(f.text, t.slice(s.start, s.end));
        doc
    }

    /// Documents in a full build: turns and segments.
    pub fn count(&self) -> u64 {
        let turns: usize = self.study.transcripts.iter().map(|t| t.turns.len()).sum();
        let segments: usize = self.study.codings.values().map(Vec::len).sum();
        (turns + segments) as u64
    }

    /// Adds every document of the study; `tick` hears how many were added so far.
    pub fn add_all(
        &self,
        writer: &IndexWriter,
        dir: &Path,
        tick: &dyn Fn(u64),
    ) -> Result<usize, IndexError> {
        let mut added = 0;
        for t in &self.study.transcripts {
            for doc in self.turns(t) {
                writer.add_document(doc).map_err(tantivy(dir))?;
                added += 1;
            }
            tick(added as u64);
        }
        for (coder, segments) in &self.study.codings {
            let mut last: Option<&Transcript> = None;
            for s in segments {
                let Some(t) = cached_transcript(self.study, &mut last, &s.transcript) else {
                    continue; // its transcript is gone; `thema check` reports it
                };
                writer
                    .add_document(self.segment(coder, t, s))
                    .map_err(tantivy(dir))?;
                added += 1;
                if added % 4096 == 0 {
                    tick(added as u64);
                }
            }
        }
        tick(added as u64);
        Ok(added)
    }

    /// Deletes and re-adds what `changes` names; `text` hears the words of every document
    /// added; returns the documents added.
    pub fn apply(
        &self,
        writer: &IndexWriter,
        changes: &Changes,
        dir: &Path,
        text: &mut dyn FnMut(&str),
    ) -> Result<usize, IndexError> {
        let f = self.fields;
        for t in &changes.transcripts {
            writer.delete_term(Term::from_field_text(f.key_transcript, t));
        }
        for (coder, t) in &changes.layers {
            writer.delete_term(Term::from_field_text(f.key_layer, &layer_key(coder, t)));
        }
        for code in &changes.codes {
            writer.delete_term(Term::from_field_text(f.code_id, code));
        }
        let mut added = 0;
        for id in &changes.transcripts {
            if let Some(t) = find_transcript(self.study, id) {
                for turn in &t.turns {
                    text(t.body(turn));
                }
                for doc in self.turns(t) {
                    writer.add_document(doc).map_err(tantivy(dir))?;
                    added += 1;
                }
            }
        }
        let layers: HashSet<(&str, &str)> = changes
            .layers
            .iter()
            .map(|(c, t)| (c.as_str(), t.as_str()))
            .collect();
        let layer_coders: BTreeSet<&str> = layers.iter().map(|(c, _)| *c).collect();
        let has_codes = !changes.codes.is_empty();
        let every_coder = !changes.transcripts.is_empty() || has_codes;
        for (coder, segments) in &self.study.codings {
            if !every_coder && !layer_coders.contains(coder.as_str()) {
                continue;
            }
            let mut last: Option<&Transcript> = None;
            // whether the whole layer of the current transcript is wanted; layers are sorted by
            // transcript, so this is decided once per run of segments
            let mut run: Option<(&str, bool)> = None;
            for s in segments {
                let whole = match run {
                    Some((t, whole)) if t == s.transcript => whole,
                    _ => {
                        let whole = changes.transcripts.contains(&s.transcript)
                            || layers.contains(&(coder.as_str(), s.transcript.as_str()));
                        run = Some((s.transcript.as_str(), whole));
                        whole
                    }
                };
                let renamed = has_codes && changes.codes.contains(&s.code);
                if !(whole || renamed) {
                    continue;
                }
                if let Some(t) = cached_transcript(self.study, &mut last, &s.transcript) {
                    text(t.slice(s.start, s.end));
                    writer
                        .add_document(self.segment(coder, t, s))
                        .map_err(tantivy(dir))?;
                    added += 1;
                }
            }
        }
        Ok(added)
    }
}

fn cached_transcript<'s>(
    study: &'s Study,
    last: &mut Option<&'s Transcript>,
    id: &str,
) -> Option<&'s Transcript> {
    if let Some(t) = last {
        if t.id == id {
            return Some(t);
        }
    }
    let found = find_transcript(study, id);
    if found.is_some() {
        *last = found;
    }
    found
}

/// Maps a tantivy error to one naming the index folder.
pub(crate) fn tantivy(dir: &Path) -> impl Fn(TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy {
        path: dir.to_path_buf(),
        source,
    }
}

/// A writer for a full build: every core, a big memory budget, no merging.
pub(crate) fn build_writer(index: &tantivy::Index, dir: &Path) -> Result<IndexWriter, IndexError> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4);
    let options = IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread(BUILD_BUDGET_PER_THREAD)
        .num_merge_threads(1)
        .build();
    let writer = lock_writer(index, dir, options)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    Ok(writer)
}

/// A writer for a refresh: one thread, small budget, merging only small index segments.
pub(crate) fn refresh_writer(
    index: &tantivy::Index,
    dir: &Path,
) -> Result<IndexWriter, IndexError> {
    let options = IndexWriterOptions::builder()
        .num_worker_threads(1)
        .memory_budget_per_thread(REFRESH_BUDGET)
        .num_merge_threads(1)
        .build();
    let writer = lock_writer(index, dir, options)?;
    let mut policy = LogMergePolicy::default();
    policy.set_max_docs_before_merge(MERGE_LIMIT_DOCS);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
}

/// Opens a writer, waiting a little while another process holds the index's writer lock.
fn lock_writer(
    index: &tantivy::Index,
    dir: &Path,
    options: IndexWriterOptions,
) -> Result<IndexWriter, IndexError> {
    let started = std::time::Instant::now();
    loop {
        match index.writer_with_options(options.clone()) {
            Ok(writer) => return Ok(writer),
            Err(TantivyError::LockFailure(..)) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(TantivyError::LockFailure(..)) => return Err(IndexError::Busy(dir.to_path_buf())),
            Err(e) => return Err(tantivy(dir)(e)),
        }
    }
}
