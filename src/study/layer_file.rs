//! A coder's layer as it is on disk: `codings/CODER.jsonl` read whole, with the lines of each
//! transcript located by a quick scan instead of parsing every segment.
//!
//! Layers are sorted by transcript, so each transcript's segments are one run of lines. A
//! command that touches one transcript (`thema code`, `thema uncode`) parses only that run and
//! writes the file back as the bytes before it, the run re-written, and the bytes after it —
//! the same file a full load and save would write, at a fraction of the cost. The search
//! index fingerprints each run's bytes to tell which transcripts' segments changed.
//!
//! A file that is not in transcript order (edited by hand, or merged by a tool that does not
//! keep the order) still reads correctly; only the splice is refused, and callers fall back to
//! loading and saving the whole layer, which sorts it again.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::model::fingerprint::{hash_bytes, Fingerprint};
use crate::model::Segment;
use crate::study::{Result, StudyError};

/// What a segment line is expected to hold, for error messages.
pub const SEGMENT_SHAPE: &str =
    "a segment {\"id\", \"transcript\", \"start\", \"end\", \"code\", \"quote\", \"at\"}";

/// One coder's file: its bytes and where each transcript's lines are.
#[derive(Debug, Clone, Default)]
pub struct LayerFile {
    path: PathBuf,
    bytes: Vec<u8>,
    /// Byte ranges of each transcript's lines (newline included), in file order.
    runs: BTreeMap<String, Vec<Range<usize>>>,
    /// Whether every transcript's lines form one run and runs follow transcript order.
    sorted: bool,
    /// Segment lines in the file.
    lines: usize,
}

impl LayerFile {
    /// Reads a layer file; an absent file is an empty layer. Fails, naming file and line, when
    /// the file is not UTF-8 or a line does not say which transcript it belongs to.
    pub fn read(path: &Path) -> Result<LayerFile> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(StudyError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        LayerFile::from_bytes(path, bytes)
    }

    /// A layer from bytes already read from `path`.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<LayerFile> {
        if let Err(e) = std::str::from_utf8(&bytes) {
            let line = line_of(&bytes, e.valid_up_to());
            return Err(StudyError::parse(path, line, "not valid UTF-8"));
        }
        let mut runs: BTreeMap<String, Vec<Range<usize>>> = BTreeMap::new();
        let mut sorted = true;
        let mut lines = 0;
        let mut last: Option<(String, usize)> = None;
        let mut start = 0;
        let mut number = 0;
        while start < bytes.len() {
            number += 1;
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
            let line = &bytes[start..end];
            if !line.iter().all(u8::is_ascii_whitespace) {
                lines += 1;
                let transcript = transcript_of(line)
                    .map(str::to_string)
                    .or_else(|| parsed_transcript(line))
                    .ok_or_else(|| {
                        let message = match serde_json::from_slice::<Segment>(trim_line(line)) {
                            Err(e) => {
                                format!("column {}: {e}; expected {SEGMENT_SHAPE}", e.column())
                            }
                            Ok(_) => {
                                format!("cannot tell the transcript; expected {SEGMENT_SHAPE}")
                            }
                        };
                        StudyError::parse(path, number, message)
                    })?;
                match &last {
                    Some((t, _)) if *t == transcript => {}
                    _ => {
                        if let Some((t, run_start)) = last.take() {
                            if t > transcript {
                                sorted = false;
                            }
                            runs.entry(t).or_default().push(run_start..start);
                        }
                        if runs.contains_key(&transcript) {
                            sorted = false;
                        }
                        last = Some((transcript, start));
                    }
                }
            }
            start = end;
        }
        if let Some((t, run_start)) = last.take() {
            runs.entry(t).or_default().push(run_start..bytes.len());
        }
        Ok(LayerFile {
            path: path.to_path_buf(),
            bytes,
            runs,
            sorted,
            lines,
        })
    }

    /// The file this layer was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The bytes of the file.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Segment lines in the file.
    pub fn len(&self) -> usize {
        self.lines
    }

    /// Whether the file holds no segment.
    pub fn is_empty(&self) -> bool {
        self.lines == 0
    }

    /// Whether the lines are in transcript order, so one transcript can be spliced.
    pub fn is_sorted(&self) -> bool {
        self.sorted
    }

    /// Transcripts with segments here, in id order.
    pub fn transcripts(&self) -> impl Iterator<Item = &str> {
        self.runs.keys().map(String::as_str)
    }

    /// Fingerprint of the bytes of a transcript's lines (`None` when it has none).
    pub fn print(&self, transcript: &str) -> Option<u64> {
        let runs = self.runs.get(transcript)?;
        Some(match runs.as_slice() {
            [one] => hash_bytes(&self.bytes[one.clone()]),
            several => {
                let mut print = Fingerprint::new();
                for run in several {
                    print.add_u64(hash_bytes(&self.bytes[run.clone()]));
                }
                print.value()
            }
        })
    }

    /// Fingerprint of the whole file.
    pub fn whole_print(&self) -> u64 {
        hash_bytes(&self.bytes)
    }

    /// The segments of one transcript, in file order.
    pub fn segments(&self, transcript: &str) -> Result<Vec<Segment>> {
        let mut out = Vec::new();
        for run in self.runs.get(transcript).into_iter().flatten() {
            self.parse_into(run.clone(), &mut out)?;
        }
        Ok(out)
    }

    /// Every segment, in file order. A large file is parsed in two halves at once.
    pub fn all(&self) -> Result<Vec<Segment>> {
        const PARALLEL_FROM: usize = 1 << 20;
        let len = self.bytes.len();
        let cut = (len >= PARALLEL_FROM)
            .then(|| memchr::memchr(b'\n', &self.bytes[len / 2..]).map(|i| len / 2 + i + 1))
            .flatten();
        let Some(cut) = cut else {
            let mut out = Vec::with_capacity(self.lines);
            self.parse_into(0..len, &mut out)?;
            return Ok(out);
        };
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                let mut out = Vec::with_capacity(self.lines / 2 + 1);
                self.parse_into(cut..len, &mut out).map(|()| out)
            });
            let mut out = Vec::with_capacity(self.lines);
            let first = self.parse_into(0..cut, &mut out).map(|()| out);
            (first, second.join())
        });
        let mut out = first?;
        match second {
            Ok(rest) => out.extend(rest?),
            // the helper thread died: parse its half here
            Err(_) => self.parse_into(cut..len, &mut out)?,
        }
        Ok(out)
    }

    /// Parses the lines of a byte range, naming file and line on the first bad one.
    fn parse_into(&self, range: Range<usize>, out: &mut Vec<Segment>) -> Result<()> {
        let start = range.start;
        for (offset, line) in (0..).zip(self.bytes[range].split(|&b| b == b'\n')) {
            let line = trim_line(line);
            if !line.is_empty() {
                let segment = serde_json::from_slice(line).map_err(|e| {
                    StudyError::parse(
                        &self.path,
                        line_of(&self.bytes, start) + offset,
                        format!("column {}: {e}; expected {SEGMENT_SHAPE}", e.column()),
                    )
                })?;
                out.push(segment);
            }
        }
        Ok(())
    }

    /// The transcript of the segment with this id, found by looking for the id in the bytes and
    /// reading only the lines that mention it.
    pub fn transcript_of_segment(&self, id: &str) -> Result<Option<String>> {
        let needle = serde_json::to_string(id).map_err(StudyError::encode)?;
        for at in memchr::memmem::find_iter(&self.bytes, needle.as_bytes()) {
            let start = memchr::memrchr(b'\n', &self.bytes[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &self.bytes[at..]).map_or(self.bytes.len(), |i| at + i);
            if let Ok(segment) =
                serde_json::from_slice::<Segment>(trim_line(&self.bytes[start..end]))
            {
                if segment.id == id {
                    return Ok(Some(segment.transcript));
                }
            }
        }
        Ok(None)
    }

    /// The bytes of this file with one transcript's segments replaced by `segments` (sorted
    /// here, as a full save would), and the byte range those segments now take: everything else
    /// is copied as it is. `None` when the file is not in transcript order; then the whole layer
    /// must be loaded and saved.
    pub fn with_transcript(
        &self,
        transcript: &str,
        segments: &[Segment],
    ) -> Result<Option<(Vec<u8>, Range<usize>)>> {
        let only = BTreeSet::from([transcript.to_string()]);
        let spliced = self.with_transcripts(&only, |_| Ok(segments.to_vec()))?;
        Ok(spliced.and_then(|(bytes, runs)| {
            let run = runs.into_iter().next()?.1;
            Some((bytes, run))
        }))
    }
}

impl LayerFile {
    /// The bytes of this file with the segments of several transcripts (in id order) replaced
    /// by what `segments_of` gives for each (sorted here, as a full save would), in one pass —
    /// one transcript's segments in memory at a time —, and the byte range each transcript's
    /// segments now take; everything else is copied as it is. `None` when the file is not in
    /// transcript order; then the whole layer must be loaded and saved.
    #[allow(clippy::type_complexity)]
    pub fn with_transcripts(
        &self,
        transcripts: &BTreeSet<String>,
        mut segments_of: impl FnMut(&str) -> Result<Vec<Segment>>,
    ) -> Result<Option<(Vec<u8>, Vec<(String, Range<usize>)>)>> {
        if !self.sorted {
            return Ok(None);
        }
        // room for a batch of new lines without growing (a grown buffer doubles: the peak memory)
        let mut out = Vec::with_capacity(self.bytes.len() + self.bytes.len() / 4 + 4096);
        let mut runs = Vec::with_capacity(transcripts.len());
        let mut copied = 0;
        for transcript in transcripts {
            let (cut, resume) = match self.runs.get(transcript).and_then(|r| r.first()) {
                Some(run) => (run.start, run.end),
                None => {
                    let at = self.insertion_point(transcript);
                    (at, at)
                }
            };
            let mut segments = segments_of(transcript)?;
            segments.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            if let Some(stray) = segments.iter().find(|s| s.transcript != *transcript) {
                return Err(StudyError::ForeignSegment {
                    segment: stray.id.clone(),
                    belongs: stray.transcript.clone(),
                    transcript: transcript.to_string(),
                });
            }
            out.extend_from_slice(&self.bytes[copied.min(cut)..cut]);
            if !out.is_empty() && out.last() != Some(&b'\n') {
                out.push(b'\n');
            }
            let run_start = out.len();
            for segment in &segments {
                serde_json::to_writer(&mut out, segment).map_err(StudyError::encode)?;
                out.push(b'\n');
            }
            runs.push((transcript.clone(), run_start..out.len()));
            copied = copied.max(resume);
        }
        out.extend_from_slice(&self.bytes[copied..]);
        Ok(Some((out, runs)))
    }

    /// Where the lines of a transcript without segments would go: before the run of the next
    /// transcript in id order, else at the end.
    fn insertion_point(&self, transcript: &str) -> usize {
        self.runs
            .range::<str, _>((
                std::ops::Bound::Excluded(transcript),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .and_then(|(_, runs)| runs.first())
            .map_or(self.bytes.len(), |run| run.start)
    }
}

/// A layer file read run by run, in one pass, for work that goes through the transcripts in id
/// order (building the search index) without holding every layer in memory.
///
/// Lines of a transcript met after the pass moved beyond it (a file not in transcript order)
/// are kept aside and handed out by [`LayerRuns::rest`].
pub struct LayerRuns {
    path: PathBuf,
    reader: std::io::BufReader<std::fs::File>,
    /// 1-based number of the last line read.
    number: usize,
    /// A line read ahead: its transcript, bytes and number.
    ahead: Option<(String, Vec<u8>, usize)>,
    /// The transcript whose run was handed out last.
    passed: Option<String>,
    /// Lines of transcripts already passed: transcript → (line number, bytes).
    stragglers: BTreeMap<String, Vec<(usize, Vec<u8>)>>,
}

impl LayerRuns {
    /// Opens a layer file for one pass; `None` when it does not exist.
    pub fn open(path: &Path) -> Result<Option<LayerRuns>> {
        match std::fs::File::open(path) {
            Ok(file) => Ok(Some(LayerRuns {
                path: path.to_path_buf(),
                reader: std::io::BufReader::with_capacity(1 << 16, file),
                number: 0,
                ahead: None,
                passed: None,
                stragglers: BTreeMap::new(),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StudyError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The next segment line (blank lines are kept with the line before them, as
    /// [`LayerFile`] counts them into that transcript's run): transcript, bytes, number.
    fn next_line(&mut self) -> Result<Option<(String, Vec<u8>, usize)>> {
        if let Some(line) = self.ahead.take() {
            return Ok(Some(line));
        }
        use std::io::BufRead;
        let mut bytes = Vec::new();
        loop {
            let start = bytes.len();
            let read = self
                .reader
                .read_until(b'\n', &mut bytes)
                .map_err(|source| StudyError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            if read == 0 {
                // blank lines at the end belong to the last run
                return Ok((!bytes.is_empty()).then(|| (String::new(), bytes, self.number)));
            }
            self.number += 1;
            let line = &bytes[start..];
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if std::str::from_utf8(line).is_err() {
                return Err(StudyError::parse(
                    &self.path,
                    self.number,
                    "not valid UTF-8",
                ));
            }
            let transcript = transcript_of(line)
                .map(str::to_string)
                .or_else(|| parsed_transcript(line))
                .ok_or_else(|| {
                    StudyError::parse(
                        &self.path,
                        self.number,
                        format!("cannot read this line; expected {SEGMENT_SHAPE}"),
                    )
                })?;
            // blank lines read before this one belong to the previous run
            let leading = bytes[..start].to_vec();
            let line = bytes[start..].to_vec();
            if !leading.is_empty() {
                // keep the blank lines' bytes where a full read would count them: they are only
                // whitespace, and a run's fingerprint is over its bytes, so they go with it
                self.ahead = Some((transcript, line, self.number));
                return Ok(Some((String::new(), leading, self.number)));
            }
            return Ok(Some((transcript, line, self.number)));
        }
    }

    /// The segments of `transcript` and the fingerprint of their lines' bytes (as
    /// [`LayerFile::print`] gives it for a file in transcript order). Runs of transcripts before
    /// it that were not asked for are skipped (their transcript is gone from the study) and
    /// handed out by [`LayerRuns::rest`].
    pub fn take(&mut self, transcript: &str) -> Result<(Vec<Segment>, Option<u64>)> {
        let mut run: Vec<u8> = Vec::new();
        let mut lines: Vec<(usize, Vec<u8>)> = Vec::new();
        let mut in_run = false;
        while let Some((t, bytes, number)) = self.next_line()? {
            if t.is_empty() {
                // blank lines: part of whichever run they follow
                if in_run {
                    run.extend_from_slice(&bytes);
                }
                continue;
            }
            if t == transcript {
                in_run = true;
                run.extend_from_slice(&bytes);
                lines.push((number, bytes));
                continue;
            }
            let before =
                t.as_str() < transcript || self.passed.as_deref().is_some_and(|p| t.as_str() <= p);
            if before {
                self.stragglers.entry(t).or_default().push((number, bytes));
                in_run = false;
                continue;
            }
            self.ahead = Some((t, bytes, number));
            break;
        }
        self.passed = Some(transcript.to_string());
        let mut segments = Vec::with_capacity(lines.len());
        for (number, bytes) in lines {
            segments.push(self.parse(number, &bytes)?);
        }
        let print = (!run.is_empty()).then(|| hash_bytes(&run));
        Ok((segments, print))
    }

    /// The next run of lines of one transcript, whichever it is: its id, its segments and the
    /// fingerprint of its bytes (equal to [`LayerFile::print`] when the file is in transcript
    /// order). `None` at the end of the file.
    pub fn next_run(&mut self) -> Result<Option<(String, Vec<Segment>, u64)>> {
        let mut run: Vec<u8> = Vec::new();
        let mut lines: Vec<(usize, Vec<u8>)> = Vec::new();
        let mut current: Option<String> = None;
        while let Some((t, bytes, number)) = self.next_line()? {
            if t.is_empty() {
                if current.is_some() {
                    run.extend_from_slice(&bytes);
                }
                continue;
            }
            match &current {
                Some(c) if *c != t => {
                    self.ahead = Some((t, bytes, number));
                    break;
                }
                Some(_) => {}
                None => current = Some(t),
            }
            run.extend_from_slice(&bytes);
            lines.push((number, bytes));
        }
        let Some(transcript) = current else {
            return Ok(None);
        };
        let mut segments = Vec::with_capacity(lines.len());
        for (number, bytes) in lines {
            segments.push(self.parse(number, &bytes)?);
        }
        Ok(Some((transcript, segments, hash_bytes(&run))))
    }

    /// Every segment not handed out by [`LayerRuns::take`], by transcript.
    pub fn rest(mut self) -> Result<BTreeMap<String, Vec<Segment>>> {
        while let Some((t, bytes, number)) = self.next_line()? {
            if !t.is_empty() {
                self.stragglers.entry(t).or_default().push((number, bytes));
            }
        }
        let mut out = BTreeMap::new();
        for (t, lines) in std::mem::take(&mut self.stragglers) {
            let mut segments = Vec::with_capacity(lines.len());
            for (number, bytes) in lines {
                segments.push(self.parse(number, &bytes)?);
            }
            out.insert(t, segments);
        }
        Ok(out)
    }

    fn parse(&self, number: usize, bytes: &[u8]) -> Result<Segment> {
        serde_json::from_slice(trim_line(bytes)).map_err(|e| {
            StudyError::parse(
                &self.path,
                number,
                format!("column {}: {e}; expected {SEGMENT_SHAPE}", e.column()),
            )
        })
    }
}

/// A line without its line ending and surrounding blanks.
fn trim_line(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

/// 1-based line number of byte `at`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    memchr::memchr_iter(b'\n', &bytes[..at.min(bytes.len())]).count() + 1
}

/// How every line thema writes begins: the segment id, then the transcript.
const HEAD: &[u8] = b"{\"id\":\"";
/// What follows the id in a line thema writes.
const NEXT: &[u8] = b"\",\"transcript\":\"";

/// The transcript id of a segment line as thema writes it (`{"id":"…","transcript":"…",`),
/// without parsing the line. `None` sends the line to the JSON parser (another key order,
/// spaces, escapes).
fn transcript_of(line: &[u8]) -> Option<&str> {
    let rest = line.strip_prefix(HEAD)?;
    let id_end = memchr::memchr(b'"', rest)?;
    if rest[..id_end].contains(&b'\\') {
        return None;
    }
    let rest = rest[id_end..].strip_prefix(NEXT)?;
    let end = memchr::memchr(b'"', rest)?;
    let value = &rest[..end];
    if value.contains(&b'\\') || value.is_empty() {
        return None;
    }
    std::str::from_utf8(value).ok()
}

/// The transcript of a line the quick scan could not read, by parsing it.
fn parsed_transcript(line: &[u8]) -> Option<String> {
    serde_json::from_slice::<Segment>(trim_line(line))
        .ok()
        .map(|s| s.transcript)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(id: &str, transcript: &str, start: usize) -> Segment {
        Segment {
            id: id.into(),
            transcript: transcript.into(),
            start,
            end: start + 3,
            code: "c1".into(),
            quote: "abc".into(),
            at: "2025-01-01T00:00:00Z".into(),
            memo: None,
            starred: false,
            flag: None,
            extra: Default::default(),
        }
    }

    fn bytes(segments: &[Segment]) -> Vec<u8> {
        crate::study::files::codings_bytes(segments).unwrap()
    }

    #[test]
    fn finds_each_transcripts_lines_and_splices_one() {
        let all = vec![
            segment("r1-a", "A", 0),
            segment("r1-b", "A", 5),
            segment("r1-c", "C", 1),
        ];
        let path = Path::new("codings/r1.jsonl");
        let layer = LayerFile::from_bytes(path, bytes(&all)).unwrap();
        assert!(layer.is_sorted());
        assert_eq!(layer.len(), 3);
        assert_eq!(layer.transcripts().collect::<Vec<_>>(), ["A", "C"]);
        assert_eq!(layer.segments("A").unwrap(), all[..2].to_vec());
        assert_eq!(layer.all().unwrap(), all);
        // a new transcript goes between A and C; a changed one is rewritten in place
        let b = vec![segment("r1-d", "B", 7)];
        let (spliced, run) = layer.with_transcript("B", &b).unwrap().unwrap();
        let mut expected = all.clone();
        expected.insert(2, b[0].clone());
        assert_eq!(spliced, bytes(&expected));
        assert_eq!(&spliced[run], bytes(&b).as_slice());
        let (spliced, _) = layer.with_transcript("A", &all[1..2]).unwrap().unwrap();
        assert_eq!(spliced, bytes(&[all[1].clone(), all[2].clone()]));
        let (spliced, _) = layer
            .with_transcript("Z", &[segment("r1-z", "Z", 0)])
            .unwrap()
            .unwrap();
        assert!(spliced.ends_with(&bytes(&[segment("r1-z", "Z", 0)])));
        assert_eq!(
            layer.transcript_of_segment("r1-c").unwrap().as_deref(),
            Some("C")
        );
        assert_eq!(layer.transcript_of_segment("r1-q").unwrap(), None);
        assert_ne!(layer.print("A"), layer.print("C"));
        assert_eq!(layer.print("B"), None);
    }

    #[test]
    fn reads_lines_thema_did_not_write_and_refuses_to_splice_unsorted_files() {
        let text = "{\"transcript\" : \"B\", \"id\":\"x\",\"start\":0,\"end\":1,\"code\":\"c\",\"quote\":\"q\",\"at\":\"t\",\"note\":{\"transcript\":\"A\"}}\r\n\n{\"id\":\"y\",\"transcript\":\"A\",\"start\":0,\"end\":1,\"code\":\"c\",\"quote\":\"q\",\"at\":\"t\"}\n";
        let layer = LayerFile::from_bytes(Path::new("r1.jsonl"), text.as_bytes().to_vec()).unwrap();
        assert!(!layer.is_sorted());
        assert_eq!(layer.segments("B").unwrap()[0].id, "x");
        assert_eq!(layer.segments("A").unwrap()[0].id, "y");
        assert!(layer.with_transcript("A", &[]).unwrap().is_none());
    }

    #[test]
    fn runs_match_the_whole_file_and_keep_stragglers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r1.jsonl");
        let all = vec![
            segment("r1-a", "A", 0),
            segment("r1-b", "A", 5),
            segment("r1-c", "C", 1),
            segment("r1-d", "D", 1),
        ];
        let mut written = bytes(&all);
        written.extend_from_slice(b"\n\n");
        std::fs::write(&path, &written).unwrap();
        let file = LayerFile::read(&path).unwrap();
        let mut runs = LayerRuns::open(&path).unwrap().unwrap();
        let (a, print) = runs.take("A").unwrap();
        assert_eq!(a, all[..2].to_vec());
        assert_eq!(print, file.print("A"));
        let (b, print) = runs.take("B").unwrap();
        assert!(b.is_empty() && print.is_none());
        // C is not asked for (its transcript is gone): it waits in the rest
        let (d, print) = runs.take("D").unwrap();
        assert_eq!(d, all[3..].to_vec());
        assert_eq!(print, file.print("D"));
        let rest = runs.rest().unwrap();
        assert_eq!(rest.get("C"), Some(&all[2..3].to_vec()));
        // a file out of order: the late line of A still reaches A's caller or the rest
        let mut late = bytes(&[all[2].clone()]);
        late.extend(bytes(&all[..1]));
        std::fs::write(&path, &late).unwrap();
        let mut runs = LayerRuns::open(&path).unwrap().unwrap();
        let (c, _) = runs.take("C").unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(runs.rest().unwrap().get("A"), Some(&all[..1].to_vec()));
        assert!(LayerRuns::open(&dir.path().join("none.jsonl"))
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_large_file_parses_in_halves_and_names_a_bad_line_in_the_second() {
        let all: Vec<Segment> = (0..12_000)
            .map(|i| segment(&format!("r1-{i:05}"), &format!("T{:03}", i / 40), i % 40))
            .collect();
        let mut text = bytes(&all);
        assert!(text.len() > 1 << 20);
        let layer = LayerFile::from_bytes(Path::new("r1.jsonl"), text.clone()).unwrap();
        assert_eq!(layer.all().unwrap(), all);
        // break line 11,000 (its transcript stays readable)
        let at = text
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(10_998)
            .map(|(i, _)| i + 1)
            .unwrap();
        let close = at + text[at..].iter().position(|b| *b == b'}').unwrap();
        text[close] = b' ';
        let layer = LayerFile::from_bytes(Path::new("r1.jsonl"), text).unwrap();
        let err = layer.all().unwrap_err().to_string();
        assert!(err.starts_with("r1.jsonl:11000:"), "{err}");
    }

    #[test]
    fn several_transcripts_splice_in_one_pass_as_one_at_a_time_would() {
        let all = vec![
            segment("r1-a", "A", 0),
            segment("r1-c", "C", 1),
            segment("r1-e", "E", 1),
        ];
        let layer = LayerFile::from_bytes(Path::new("r1.jsonl"), bytes(&all)).unwrap();
        let mut changes = BTreeMap::new();
        changes.insert("B".to_string(), vec![segment("r1-b", "B", 2)]);
        changes.insert("C".to_string(), vec![]);
        changes.insert(
            "E".to_string(),
            vec![segment("r1-f", "E", 9), all[2].clone()],
        );
        changes.insert("F".to_string(), vec![segment("r1-g", "F", 0)]);
        let ids: BTreeSet<String> = changes.keys().cloned().collect();
        let (spliced, runs) = layer
            .with_transcripts(&ids, |t| Ok(changes[t].clone()))
            .unwrap()
            .unwrap();
        let expected = vec![
            all[0].clone(),
            segment("r1-b", "B", 2),
            all[2].clone(),
            segment("r1-f", "E", 9),
            segment("r1-g", "F", 0),
        ];
        assert_eq!(spliced, bytes(&expected));
        assert_eq!(runs.len(), 4);
        assert_eq!(
            &spliced[runs[0].1.clone()],
            bytes(&expected[1..2]).as_slice()
        );
        assert!(runs[1].1.is_empty());
    }

    #[test]
    fn a_bad_line_is_named() {
        let text = "{\"id\":\"y\",\"transcript\":\"A\",\"start\":0,\"end\":1,\"code\":\"c\",\"quote\":\"q\",\"at\":\"t\"}\nnot json\n";
        let err =
            LayerFile::from_bytes(Path::new("r1.jsonl"), text.as_bytes().to_vec()).unwrap_err();
        assert!(err.to_string().starts_with("r1.jsonl:2:"), "{err}");
        let text = "{\"id\":\"y\",\"transcript\":\"A\",\"start\":\"zero\",\"end\":1,\"code\":\"c\",\"quote\":\"q\",\"at\":\"t\"}\n";
        let layer = LayerFile::from_bytes(Path::new("r1.jsonl"), text.as_bytes().to_vec()).unwrap();
        let err = layer.all().unwrap_err();
        assert!(err.to_string().starts_with("r1.jsonl:1: column"), "{err}");
    }
}
