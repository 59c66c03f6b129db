//! Writing documents: one per turn, one per coded segment, and the full build and incremental
//! refresh that add and delete them.
//!
//! Reads transcripts and coder files through the study layer; the index folder is written
//! through tantivy's writer.

use std::collections::{BTreeMap, BTreeSet, HashMap};
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
use crate::study::files::codings_path;
use crate::study::layer_file::{LayerFile, LayerRuns};
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

/// One coder's segments of one transcript, re-anchored as loading a layer would.
type Layers = Vec<(String, Vec<Segment>)>;

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

    fn common(&self, doc: &mut TantivyDocument, t: &Transcript, start: usize, end: usize) {
        let f = self.fields;
        doc.add_text(f.transcript, &t.id);
        doc.add_text(f.key_transcript, &t.id);
        doc.add_u64(f.start, start as u64);
        doc.add_u64(f.end, end as u64);
        doc.add_u64(f.byte_start, t.index.byte_of(&t.text, start) as u64);
        doc.add_u64(f.byte_end, t.index.byte_of(&t.text, end) as u64);
    }

    /// One document per paragraph of a transcript (speaker turns and notes).
    pub fn turns<'t>(&'t self, t: &'t Transcript) -> impl Iterator<Item = TantivyDocument> + 't {
        let f = self.fields;
        t.turns.iter().map(move |turn| {
            let mut doc = TantivyDocument::new();
            doc.add_text(f.kind, "turn");
            self.common(&mut doc, t, turn.body_start, turn.end);
            if let Some(speaker) = &turn.speaker {
                doc.add_text(f.speaker, speaker);
            }
            doc.add_u64(f.turn, turn.number as u64);
            doc.add_text(f.text, t.body(turn));
            doc
        })
    }

    /// The document of one coded segment.
    pub fn segment(&self, coder: &str, t: &Transcript, s: &Segment) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.kind, "segment");
        self.common(&mut doc, t, s.start, s.end);
        let turn = t.turn_at(s.start);
        if let Some(speaker) = turn.and_then(|turn| turn.speaker.as_ref()) {
            doc.add_text(f.speaker, speaker);
        }
        let first = turn.map_or(0, |turn| turn.number);
        let last = t
            .turn_at(s.end.saturating_sub(1).max(s.start))
            .map_or(first, |turn| turn.number);
        doc.add_u64(f.turn, first as u64);
        doc.add_u64(f.last_turn, last as u64);
        doc.add_text(f.coder, coder);
        match self.facets.get(&s.code) {
            Some(path) => doc.add_facet(f.code, facet_of(path)),
            None => doc.add_facet(f.code, facet_of(&facet_step(&s.code, &s.code))),
        }
        doc.add_text(f.code_id, &s.code);
        doc.add_text(f.segment, &s.id);
        doc.add_text(f.key_layer, layer_key(coder, &t.id));
        if let Some(memo) = &s.memo {
            doc.add_text(f.memo, memo);
        }
        if let Some(flag) = &s.flag {
            doc.add_text(f.flag, flag);
        }
        if s.is_unanchored() {
            doc.add_text(f.quote, &s.quote);
        }
        doc.add_text(f.text, t.slice(s.start, s.end));
        doc
    }

    /// Transcripts in a full build (the unit of its progress).
    pub fn count(&self) -> u64 {
        self.study.transcripts().len() as u64
    }

    /// Adds one transcript's turns (when `turns`) and the given coders' segments of it.
    fn add_transcript(
        &self,
        writer: &IndexWriter,
        dir: &Path,
        t: &Transcript,
        turns: bool,
        layers: &Layers,
        text: &mut dyn FnMut(&str),
    ) -> Result<usize, IndexError> {
        let mut added = 0;
        if turns {
            for turn in &t.turns {
                text(t.body(turn));
            }
            for doc in self.turns(t) {
                writer.add_document(doc).map_err(tantivy(dir))?;
                added += 1;
            }
        }
        for (coder, segments) in layers {
            for s in segments {
                text(t.slice(s.start, s.end));
                writer
                    .add_document(self.segment(coder, t, s))
                    .map_err(tantivy(dir))?;
                added += 1;
            }
        }
        Ok(added)
    }

    /// Adds every document of the study, transcript by transcript, reading each coder's file
    /// in one pass beside them (so no layer is held whole); `tick` hears how many transcripts
    /// are done.
    pub fn add_all(
        &self,
        writer: &IndexWriter,
        dir: &Path,
        tick: &dyn Fn(u64),
    ) -> Result<usize, IndexError> {
        let study = self.study;
        let mut runs = Vec::new();
        for coder in study.coders() {
            if let Some(r) = LayerRuns::open(&codings_path(&study.root, coder))? {
                runs.push((coder.to_string(), r));
            }
        }
        let mut added = 0;
        let mut none = |_: &str| {};
        for (done, t) in study.each_transcript().enumerate() {
            let t = t?;
            let mut layers = Vec::with_capacity(runs.len());
            for (coder, r) in &mut runs {
                let (mut segments, print) = r.take(&t.id)?;
                study.reanchor_in(&t.id, Some(&t), print, &mut segments)?;
                layers.push((coder.clone(), segments));
            }
            added += self.add_transcript(writer, dir, &t, true, &layers, &mut none)?;
            tick(done as u64 + 1);
        }
        // lines out of transcript order, or of transcripts the study no longer has
        for (coder, r) in runs {
            for (id, mut segments) in r.rest()? {
                let Some(t) = study.find_transcript(&id)? else {
                    continue; // its transcript is gone; `thema check` reports it
                };
                study.reanchor_in(&id, Some(&t), None, &mut segments)?;
                let layers = vec![(coder.clone(), segments)];
                added += self.add_transcript(writer, dir, &t, false, &layers, &mut none)?;
            }
        }
        Ok(added)
    }

    /// Deletes and re-adds what `changes` names, reading segments from the coder files in
    /// `files` (read by the manifest) or from disk; `text` hears the words of every document
    /// added; returns the documents added.
    pub fn apply(
        &self,
        writer: &IndexWriter,
        changes: &Changes,
        files: &mut HashMap<String, LayerFile>,
        dir: &Path,
        text: &mut dyn FnMut(&str),
    ) -> Result<usize, IndexError> {
        let f = self.fields;
        let study = self.study;
        for t in &changes.transcripts {
            writer.delete_term(Term::from_field_text(f.key_transcript, t));
        }
        for (coder, t) in &changes.layers {
            writer.delete_term(Term::from_field_text(f.key_layer, &layer_key(coder, t)));
        }
        for code in &changes.codes {
            writer.delete_term(Term::from_field_text(f.code_id, code));
        }
        // what to add: per transcript, whether its turns go in, and per coder which segments
        let mut wanted: BTreeMap<String, (bool, BTreeMap<String, Want>)> = BTreeMap::new();
        for t in &changes.transcripts {
            wanted.entry(t.clone()).or_default().0 = true;
        }
        let every_coder = !changes.transcripts.is_empty() || !changes.codes.is_empty();
        let coders: Vec<String> = study.coders().iter().map(|c| c.to_string()).collect();
        for coder in &coders {
            let touched = changes.layers.iter().any(|(c, _)| c == coder);
            if !every_coder && !touched {
                continue;
            }
            if !files.contains_key(coder) {
                let file = LayerFile::read(&codings_path(&study.root, coder))?;
                files.insert(coder.clone(), file);
            }
            let Some(file) = files.get(coder) else {
                continue;
            };
            for t in file.transcripts() {
                let whole = changes.transcripts.contains(t)
                    || changes.layers.contains(&(coder.clone(), t.to_string()));
                let codes = !changes.codes.is_empty() && file_mentions(file, t, &changes.codes);
                if whole || codes {
                    let want = if whole { Want::All } else { Want::Codes };
                    let entry = wanted.entry(t.to_string()).or_default();
                    entry.1.insert(coder.clone(), want);
                }
            }
        }
        let mut added = 0;
        for (id, (turns, per_coder)) in wanted {
            let Some(t) = study.find_transcript(&id)? else {
                continue;
            };
            let mut layers = Vec::new();
            for (coder, want) in per_coder {
                let Some(file) = files.get(&coder) else {
                    continue;
                };
                let mut segments = file.segments(&id)?;
                let print = if file.is_sorted() {
                    file.print(&id)
                } else {
                    None
                };
                study.reanchor_in(&id, Some(&t), print, &mut segments)?;
                if want == Want::Codes {
                    segments.retain(|s| changes.codes.contains(&s.code));
                }
                layers.push((coder, segments));
            }
            added += self.add_transcript(writer, dir, &t, turns, &layers, text)?;
        }
        Ok(added)
    }
}

/// Which of a coder's segments of a transcript a refresh re-adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// All of them (the transcript or this layer changed).
    All,
    /// Those whose code was renamed or moved.
    Codes,
}

/// Whether a transcript's lines in a coder file may use one of `codes` (a quick look for the
/// ids in the bytes; the segments themselves decide).
fn file_mentions(file: &LayerFile, transcript: &str, codes: &BTreeSet<String>) -> bool {
    let Ok(segments) = file.segments(transcript) else {
        return true;
    };
    segments.iter().any(|s| codes.contains(&s.code))
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
