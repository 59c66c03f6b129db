//! Batch coding: many passages coded as one operation — one atomic write of the coder's layer,
//! one line in the coder's batch log (`codings/CODER.batches.log.jsonl`), undone as one.
//!
//! Every segment a batch creates carries its batch id (`"batch": ID` in its line). Where a new
//! passage overlaps or touches (only whitespace between) a segment of the same code in the
//! same turn, the two become one: the existing segment is widened, keeping its id, and the
//! log keeps it as it was, so undoing the batch puts the layer back byte for byte. A passage
//! already inside a segment of the same code is skipped. Where the passages come from (search
//! hits, speakers, a file) is `crate::autocode`'s business; this module only writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::spans;
use crate::model::{ids, Segment, Transcript};
use crate::study::coding::now;
use crate::study::coding_error::CodingError;
use crate::study::layer_file::LayerFile;
use crate::study::{atomic, files, Result, Study, StudyError};

/// One passage to code: code points `[start, end)` of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coding {
    /// Transcript id.
    pub transcript: String,
    /// Code-point offset where the passage starts.
    pub start: usize,
    /// Code-point offset where it ends (exclusive).
    pub end: usize,
    /// Code id.
    pub code: String,
    /// A memo for the segment.
    pub memo: Option<String>,
}

/// What a batch did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchOutcome {
    /// The batch id (`thema uncode --batch ID`); empty in a dry run.
    pub batch: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Segments written: new ones and existing ones widened, in file order (not in the JSON
    /// summary, which shows the first few).
    #[serde(skip)]
    pub segments: Vec<Segment>,
    /// Of those, how many are new.
    pub new: usize,
    /// Of those, how many are existing segments widened.
    pub widened: usize,
    /// Passages already inside a segment of the same code, left alone.
    pub skipped: usize,
    /// Passages folded into another passage of the batch or an existing segment.
    pub merged: usize,
}

/// One line of a coder's batch log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchEntry {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub coder: String,
    /// `code` for a batch applied, `undo` for one undone.
    pub op: String,
    /// The batch id.
    pub batch: String,
    /// What the batch was (the command that made it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub what: String,
    /// New segments written.
    #[serde(default)]
    pub added: usize,
    /// Transcripts the batch touched.
    #[serde(default)]
    pub transcripts: Vec<String>,
    /// Existing segments as they were before the batch widened or absorbed them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<Segment>,
}

/// What undoing a batch did.
#[derive(Debug, Clone, Serialize)]
pub struct Undone {
    /// The batch id.
    pub batch: String,
    /// What the batch was.
    pub what: String,
    /// Segments removed.
    pub removed: usize,
    /// Segments put back as they were.
    pub restored: usize,
}

/// A batch's change to one transcript: segments to write, and the existing ones they replace.
#[derive(Debug, Default)]
struct Plan {
    /// New or widened segments.
    write: Vec<Segment>,
    /// Existing segments removed or widened, as they were.
    replaced: Vec<Segment>,
    new: usize,
    skipped: usize,
    merged: usize,
}

/// A passage or an existing segment inside one turn, in bytes of the transcript.
struct Piece {
    from: usize,
    to: usize,
    /// Index into the new passages, or into the existing segments.
    what: Member,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Member {
    New(usize),
    Old(usize),
}

/// Plans the codings of one transcript against the coder's `existing` segments of it.
fn plan_transcript(
    t: &Transcript,
    existing: &[Segment],
    codings: &[&Coding],
    batch: &str,
    coder: &str,
    at: &str,
) -> Plan {
    let mut plan = Plan::default();
    let bytes = |cp: usize| t.index.byte_of(&t.text, cp);
    let turn_of = |byte: usize| {
        let cp = t.index.char_of(&t.text, byte);
        t.turns.partition_point(|turn| turn.start <= cp)
    };
    let mut by_code: BTreeMap<&str, Vec<&Coding>> = BTreeMap::new();
    for c in codings {
        by_code.entry(c.code.as_str()).or_default().push(c);
    }
    for (code, codings) in by_code {
        let old: Vec<(usize, usize, &Segment)> = existing
            .iter()
            .filter(|s| s.code == code && !s.is_unanchored() && s.end <= t.len_chars())
            .map(|s| (bytes(s.start), bytes(s.end), s))
            .collect();
        // per turn: the passages to add and the segments they may join
        let mut turns: BTreeMap<usize, Vec<Piece>> = BTreeMap::new();
        for (i, c) in codings.iter().enumerate() {
            let (a, b) = spans::snap(&t.text, bytes(c.start), bytes(c.end));
            let (a, b) = spans::trim(&t.text, a, b);
            if a >= b || old.iter().any(|(x, y, _)| *x <= a && b <= *y) {
                plan.skipped += 1;
                continue;
            }
            let what = Member::New(i);
            turns.entry(turn_of(a)).or_default().push(Piece {
                from: a,
                to: b,
                what,
            });
        }
        for (i, (a, b, _)) in old.iter().enumerate() {
            if let Some(pieces) = turns.get_mut(&turn_of(*a)) {
                pieces.push(Piece {
                    from: *a,
                    to: *b,
                    what: Member::Old(i),
                });
            }
        }
        for pieces in turns.into_values() {
            for group in groups(&t.text, pieces) {
                let news: Vec<usize> = group.iter().filter_map(new_of).collect();
                if news.is_empty() {
                    continue;
                }
                let olds: Vec<&Segment> =
                    group.iter().filter_map(old_of).map(|i| old[i].2).collect();
                plan.merged += news.len() + olds.len() - 1;
                let from = group.iter().map(|p| p.from).min().unwrap_or(0);
                let to = group.iter().map(|p| p.to).max().unwrap_or(from);
                let (start, end) = (t.index.char_of(&t.text, from), t.index.char_of(&t.text, to));
                let memo = joined_memo(news.iter().map(|&i| codings[i].memo.as_deref()));
                let segment = match olds.first() {
                    Some(first) => {
                        plan.replaced.extend(olds.iter().map(|s| (*s).clone()));
                        let mut widened = (*first).clone();
                        widened.start = start;
                        widened.end = end;
                        widened.quote = t.slice(start, end).to_string();
                        if widened.memo.is_none() {
                            widened.memo = memo;
                        }
                        widened
                    }
                    None => {
                        plan.new += 1;
                        let mut s = Segment::new(coder, t, (start, end), code, at.to_string());
                        s.memo = memo;
                        s.set_batch(batch);
                        s
                    }
                };
                plan.write.push(segment);
            }
        }
    }
    plan
}

fn new_of(p: &Piece) -> Option<usize> {
    match p.what {
        Member::New(i) => Some(i),
        Member::Old(_) => None,
    }
}

fn old_of(p: &Piece) -> Option<usize> {
    match p.what {
        Member::Old(i) => Some(i),
        Member::New(_) => None,
    }
}

/// Pieces of one turn grouped where they overlap or only whitespace lies between them.
fn groups(text: &str, mut pieces: Vec<Piece>) -> Vec<Vec<Piece>> {
    pieces.sort_by_key(|p| (p.from, p.to));
    let mut out: Vec<Vec<Piece>> = Vec::new();
    let mut reach = 0;
    for piece in pieces {
        let joins = !out.is_empty()
            && (piece.from <= reach
                || text
                    .get(reach..piece.from)
                    .is_some_and(|gap| gap.chars().all(char::is_whitespace)));
        match out.last_mut() {
            Some(group) if joins => {
                reach = reach.max(piece.to);
                group.push(piece);
            }
            _ => {
                reach = piece.to;
                out.push(vec![piece]);
            }
        }
    }
    out
}

/// The memos of passages merged into one segment, distinct ones joined.
fn joined_memo<'a>(memos: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for memo in memos.flatten().map(str::trim).filter(|m| !m.is_empty()) {
        if !seen.contains(&memo) {
            seen.push(memo);
        }
    }
    (!seen.is_empty()).then(|| seen.join(" / "))
}

/// The coder's batch log.
pub fn log_path(root: &std::path::Path, coder: &str) -> PathBuf {
    root.join("codings")
        .join(format!("{coder}.batches.log.jsonl"))
}

impl Study {
    /// Codes every passage of `codings` as `coder`, as one operation (see the module): one
    /// write of the layer and one log line describing it as `what`. With `dry_run`, computes
    /// the same outcome and writes nothing. `tick` is called once per transcript planned.
    pub fn code_batch(
        &mut self,
        coder: &str,
        codings: &[Coding],
        what: &str,
        dry_run: bool,
        tick: &mut dyn FnMut(),
    ) -> Result<BatchOutcome> {
        let mut by_transcript: BTreeMap<String, Vec<&Coding>> = BTreeMap::new();
        for c in codings {
            if self.code(&c.code).is_none() {
                return Err(StudyError::NoCode {
                    reference: c.code.clone(),
                    suggestions: Vec::new(),
                });
            }
            let id = self
                .transcript_info(&c.transcript)
                .map(|info| info.id.clone())
                .ok_or_else(|| self.no_transcript(&c.transcript))?;
            by_transcript.entry(id).or_default().push(c);
        }
        if !dry_run {
            self.lock(coder)?;
        }
        let ids: Vec<String> = by_transcript.keys().cloned().collect();
        let codes: BTreeSet<&str> = codings.iter().map(|c| c.code.as_str()).collect();
        // read once: the lock is held from here to the write, so the file cannot change
        let file = match self.loaded_layer(coder) {
            Some(_) => None,
            None => Some(LayerFile::read(&files::codings_path(&self.root, coder))?),
        };
        let mut existing = self.segments_of(coder, file.as_ref(), &ids, &codes)?;
        let batch = if dry_run {
            String::new()
        } else {
            ids::new_batch_id()
        };
        let at = now();
        let mut plans: BTreeMap<String, Plan> = BTreeMap::new();
        for (id, codings) in &by_transcript {
            let t = self.transcript_passing(id)?;
            let mine = existing.get(id).map(Vec::as_slice).unwrap_or_default();
            plans.insert(
                id.clone(),
                plan_transcript(&t, mine, codings, &batch, coder, &at),
            );
            existing.remove(id);
            tick();
        }
        let mut outcome = BatchOutcome {
            batch: batch.clone(),
            dry_run,
            ..BatchOutcome::default()
        };
        for plan in plans.values() {
            outcome.new += plan.new;
            outcome.widened += plan.write.len() - plan.new;
            outcome.skipped += plan.skipped;
            outcome.merged += plan.merged;
            outcome.segments.extend(plan.write.iter().cloned());
        }
        crate::model::segment::sort_segments(&mut outcome.segments);
        plans.retain(|_, plan| !plan.write.is_empty());
        if dry_run || plans.is_empty() {
            outcome.batch = String::new();
            return Ok(outcome);
        }
        let entry = BatchEntry {
            at,
            coder: coder.to_string(),
            op: "code".to_string(),
            batch,
            what: what.to_string(),
            added: outcome.new,
            transcripts: plans.keys().cloned().collect(),
            replaced: plans.values().flat_map(|p| p.replaced.clone()).collect(),
        };
        self.append_batch_log(coder, &entry)?;
        let touched: Vec<String> = plans.keys().cloned().collect();
        self.edit_transcripts_of(coder, file, &touched, |id, segments| {
            if let Some(plan) = plans.remove(id) {
                let gone: BTreeSet<&str> = plan.replaced.iter().map(|s| s.id.as_str()).collect();
                segments.retain(|s| !gone.contains(s.id.as_str()));
                segments.extend(plan.write);
            }
        })?;
        Ok(outcome)
    }

    /// Undoes a batch of `coder` (`last`: the most recent one not undone): removes the
    /// segments it created and puts back the segments it widened or absorbed, in one write.
    pub fn undo_batch(&mut self, coder: &str, batch: &str) -> Result<Undone> {
        self.lock(coder)?;
        let log = self.batch_log(coder)?;
        let undone: BTreeSet<&str> = log
            .iter()
            .filter(|e| e.op == "undo")
            .map(|e| e.batch.as_str())
            .collect();
        let entry = if batch == "last" {
            log.iter()
                .rev()
                .find(|e| e.op == "code" && !undone.contains(e.batch.as_str()))
                .ok_or_else(|| CodingError::NoBatchLeft(coder.to_string()))?
        } else {
            let entry = log
                .iter()
                .find(|e| e.op == "code" && e.batch == batch)
                .ok_or_else(|| CodingError::NoBatch {
                    coder: coder.to_string(),
                    batch: batch.to_string(),
                    log: log_path(&self.root, coder),
                })?;
            if undone.contains(batch) {
                return Err(CodingError::BatchUndone(batch.to_string()).into());
            }
            entry
        }
        .clone();
        let id = entry.batch.clone();
        let replaced = entry.replaced.clone();
        let back: BTreeSet<&str> = replaced.iter().map(|s| s.id.as_str()).collect();
        let mut removed = 0;
        self.edit_transcripts(coder, &entry.transcripts, |transcript, segments| {
            removed += segments
                .iter()
                .filter(|s| s.batch() == Some(id.as_str()))
                .count();
            segments.retain(|s| s.batch() != Some(id.as_str()) && !back.contains(s.id.as_str()));
            segments.extend(
                replaced
                    .iter()
                    .filter(|s| s.transcript == transcript)
                    .cloned(),
            );
        })?;
        let restored = replaced.len();
        self.append_batch_log(
            coder,
            &BatchEntry {
                at: now(),
                coder: coder.to_string(),
                op: "undo".to_string(),
                batch: entry.batch.clone(),
                what: String::new(),
                added: 0,
                transcripts: Vec::new(),
                replaced: Vec::new(),
            },
        )?;
        Ok(Undone {
            batch: entry.batch,
            what: entry.what,
            removed,
            restored,
        })
    }

    /// Every line of a coder's batch log, oldest first.
    pub fn batch_log(&self, coder: &str) -> Result<Vec<BatchEntry>> {
        let path = log_path(&self.root, coder);
        if !path.exists() {
            return Ok(Vec::new());
        }
        let text = files::read_text(&path)?;
        files::parse_jsonl(
            &path,
            &text,
            "a batch {\"at\", \"coder\", \"op\", \"batch\", \"transcripts\"}",
        )
    }

    fn append_batch_log(&self, coder: &str, entry: &BatchEntry) -> Result<()> {
        let line = serde_json::to_string(entry).map_err(StudyError::encode)?;
        atomic::append_line(&log_path(&self.root, coder), &line)
    }

    /// The segments `coder` has of `codes` in each of `transcripts` (re-anchored in memory),
    /// without writing anything.
    fn segments_of(
        &self,
        coder: &str,
        file: Option<&LayerFile>,
        transcripts: &[String],
        codes: &BTreeSet<&str>,
    ) -> Result<BTreeMap<String, Vec<Segment>>> {
        let wanted: BTreeSet<&str> = transcripts.iter().map(String::as_str).collect();
        let mut out: BTreeMap<String, Vec<Segment>> = BTreeMap::new();
        if let Some(layer) = self.loaded_layer(coder) {
            for s in layer.iter().filter(|s| {
                wanted.contains(s.transcript.as_str()) && codes.contains(s.code.as_str())
            }) {
                out.entry(s.transcript.clone()).or_default().push(s.clone());
            }
            return Ok(out);
        }
        let read;
        let file = match file {
            Some(file) => file,
            None => {
                read = LayerFile::read(&files::codings_path(&self.root, coder))?;
                &read
            }
        };
        for id in transcripts {
            let mut segments = file.segments(id)?;
            let print = file.is_sorted().then(|| file.print(id)).flatten();
            self.reanchor_run(id, print, &mut segments)?;
            segments.retain(|s| codes.contains(s.code.as_str()));
            if !segments.is_empty() {
                out.insert(id.clone(), segments);
            }
        }
        Ok(out)
    }

    /// [`Study::edit_layer`] for several transcripts at once, in one write: `edit` is called
    /// with each of `transcripts` and the coder's segments of it (re-anchored), and may change
    /// them; the lock must be held.
    pub(crate) fn edit_transcripts(
        &mut self,
        coder: &str,
        transcripts: &[String],
        edit: impl FnMut(&str, &mut Vec<Segment>),
    ) -> Result<()> {
        self.edit_transcripts_of(coder, None, transcripts, edit)
    }

    /// [`Study::edit_transcripts`] with the coder's file already read under the lock, if it was.
    fn edit_transcripts_of(
        &mut self,
        coder: &str,
        file: Option<LayerFile>,
        transcripts: &[String],
        mut edit: impl FnMut(&str, &mut Vec<Segment>),
    ) -> Result<()> {
        if !self.holds_lock(coder) {
            return Err(StudyError::ReadOnly {
                coder: coder.to_string(),
            });
        }
        let wanted: BTreeSet<String> = transcripts.iter().cloned().collect();
        if self.loaded_layer(coder).is_none() {
            let file = match file {
                Some(file) => file,
                None => LayerFile::read(&files::codings_path(&self.root, coder))?,
            };
            if file.is_sorted() {
                return self.edit_transcripts_on_disk(coder, &file, &wanted, edit);
            }
        }
        let layer = self.layer_mut(coder)?;
        let mut mine: BTreeMap<String, Vec<Segment>> =
            wanted.iter().map(|t| (t.clone(), Vec::new())).collect();
        let mut rest = Vec::with_capacity(layer.len());
        for s in std::mem::take(layer) {
            match mine.get_mut(&s.transcript) {
                Some(list) => list.push(s),
                None => rest.push(s),
            }
        }
        *layer = rest;
        for (id, segments) in &mut mine {
            edit(id, segments);
        }
        layer.extend(mine.into_values().flatten());
        self.save_coder(coder)
    }

    /// [`Study::edit_transcripts`] on the file: the transcripts' runs of lines re-written in
    /// one pass, one transcript's segments in memory at a time, the rest copied.
    fn edit_transcripts_on_disk(
        &mut self,
        coder: &str,
        file: &LayerFile,
        transcripts: &BTreeSet<String>,
        mut edit: impl FnMut(&str, &mut Vec<Segment>),
    ) -> Result<()> {
        let mut unanchored: BTreeSet<String> = BTreeSet::new();
        let spliced = file.with_transcripts(transcripts, |id| {
            let mut segments = file.segments(id)?;
            self.reanchor_layer(file, &mut segments)?;
            edit(id, &mut segments);
            if segments.iter().any(Segment::is_unanchored) {
                unanchored.insert(id.to_string());
            }
            Ok(segments)
        })?;
        let (bytes, runs) =
            spliced.ok_or_else(|| CodingError::NotInOrder(file.path().to_path_buf()))?;
        atomic::write_atomic(file.path(), &bytes)?;
        if !self.has_coder(coder) {
            self.forget_layer(coder);
        }
        for (id, run) in runs {
            if let (Some(info), false) = (self.transcript_info(&id), unanchored.contains(&id)) {
                let hash = info.hash;
                self.anchors
                    .learn(crate::model::fingerprint::hash_bytes(&bytes[run]), hash);
            }
        }
        self.anchors.save();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coding(t: &Transcript, quote: &str, code: &str) -> Coding {
        let at = t.text.find(quote).unwrap();
        Coding {
            transcript: t.id.clone(),
            start: t.index.char_of(&t.text, at),
            end: t.index.char_of(&t.text, at + quote.len()),
            code: code.into(),
            memo: None,
        }
    }

    #[test]
    fn passages_merge_skip_and_widen_existing_segments() {
        let t = Transcript::parse(
            "x",
            "I: Café? Yes.\n\nLW7: The café closed. The bus stopped. Then the café opened.\n",
        );
        let c = |q| coding(&t, q, "c1");
        let old = Segment {
            id: "r1-old".into(),
            transcript: "x".into(),
            start: c("Then the café").start,
            end: c("Then the café").end,
            code: "c1".into(),
            quote: "Then the café".into(),
            at: "2025-01-01T00:00:00Z".into(),
            memo: None,
            starred: false,
            flag: None,
            extra: Default::default(),
        };
        let codings = [
            c("The café closed."),
            c("The bus stopped."),
            c("the café"),
            c("Then the café opened."),
            c("Café?"),
        ];
        let refs: Vec<&Coding> = codings.iter().collect();
        let plan = plan_transcript(&t, std::slice::from_ref(&old), &refs, "b1", "r1", "now");
        // "the café" is inside the existing segment: skipped; the first two sentences merge;
        // the last sentence widens the existing segment; the other turn stays apart
        assert_eq!(plan.skipped, 1);
        let quotes: Vec<&str> = plan.write.iter().map(|s| s.quote.as_str()).collect();
        assert!(quotes.contains(&"Café?"));
        assert!(quotes.contains(&"The café closed. The bus stopped. Then the café opened."));
        assert_eq!(plan.write.len(), 2);
        assert_eq!(plan.new, 1);
        assert_eq!(plan.replaced, vec![old.clone()]);
        let widened = plan.write.iter().find(|s| s.id == "r1-old").unwrap();
        assert_eq!(widened.batch(), None);
    }
}
