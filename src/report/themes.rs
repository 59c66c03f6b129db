//! The theme summary a team takes into its paper: the framework as a tree, each code with its
//! definition, how many segments, transcripts and participants it has, a breakdown by chosen
//! attributes, and representative quotes with attribution.
//!
//! Counts for a code include its sub-codes (a theme counts everything beneath it); `own` counts
//! only segments coded with the code itself. Quotes: those a coder starred come first, then the
//! most *central* ones — the segments sharing the most words with the code's other segments
//! (mean Jaccard similarity of their word sets), the passages most typical of the code. Each
//! quote carries the time its turn is spoken (the `{time}` of the attribution template).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::model::{Segment, Timeline};
use crate::report::layer::Layer;
use crate::study::{Study, StudyError};

/// Options of a theme report.
#[derive(Debug, Clone)]
pub struct ThemeOptions {
    /// Which segments count.
    pub layer: Layer,
    /// Attribute columns to break counts down by.
    pub by: Vec<String>,
    /// Quotes per code.
    pub quotes: usize,
}

/// A quote with its attribution.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    /// The coded text.
    pub text: String,
    /// "(LW7, first year, 00:12:31)" without the parentheses (as the study's template says).
    pub attribution: String,
    /// When the quote's turn is spoken in the recording (`00:12:31`; `~00:12:31` when
    /// interpolated); absent when the transcript has no timestamps.
    pub time: Option<String>,
    /// Transcript id.
    pub transcript: String,
    /// Segment id.
    pub segment: String,
    /// Coder.
    pub coder: String,
    /// Starred as representative.
    pub starred: bool,
}

/// One code in the summary.
#[derive(Debug, Clone, Serialize)]
pub struct CodeSummary {
    /// Code id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Full path.
    pub path: String,
    /// Depth (a theme is 0).
    pub depth: usize,
    /// Colour.
    pub color: String,
    /// Description.
    pub description: String,
    /// Inclusion criteria.
    pub include: String,
    /// Exclusion criteria.
    pub exclude: String,
    /// Example.
    pub example: String,
    /// Segments of the code and its sub-codes.
    pub segments: usize,
    /// Segments of the code itself.
    pub own: usize,
    /// Distinct transcripts.
    pub transcripts: usize,
    /// Distinct participants.
    pub participants: usize,
    /// Attribute → value → segments.
    pub breakdown: BTreeMap<String, BTreeMap<String, usize>>,
    /// Representative quotes.
    pub quotes: Vec<Quote>,
}

/// One codebook in the summary.
#[derive(Debug, Clone, Serialize)]
pub struct CodebookSummary {
    /// Codebook name.
    pub name: String,
    /// Which transcripts its codes count over, when it has a scope: "Link workers: 8
    /// transcripts, role = link worker".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Codes in tree order.
    pub codes: Vec<CodeSummary>,
}

/// The whole theme report.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeReport {
    /// Study name.
    pub study: String,
    /// Layer counted.
    pub layer: String,
    /// What the consensus view covers, when the report counts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::study::consensus_view::Coverage>,
    /// Attributes of the breakdown.
    pub by: Vec<String>,
    /// Transcripts in the study.
    pub transcripts: usize,
    /// Segments in the layer.
    pub segments: usize,
    /// Segments left out because they lie outside their codebook's scope (`thema check`
    /// lists them).
    #[serde(skip_serializing_if = "is_zero")]
    pub outside_scope: usize,
    /// Codebooks.
    pub codebooks: Vec<CodebookSummary>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn words(text: &str) -> HashSet<String> {
    text.unicode_words()
        .filter(|w| w.chars().count() > 2)
        .map(|w| w.to_lowercase())
        .collect()
}

/// Each quote's distinct words as sorted numbers (one number per word across the sample), so
/// two quotes' overlap is a merge of two short lists instead of hashing every word again.
fn word_lists(sample: &[&(&str, &Segment)]) -> Vec<Vec<u32>> {
    let mut numbers: HashMap<String, u32> = HashMap::new();
    sample
        .iter()
        .map(|(_, s)| {
            let mut list: Vec<u32> = words(&s.quote)
                .into_iter()
                .map(|w| {
                    let next = numbers.len() as u32;
                    *numbers.entry(w).or_insert(next)
                })
                .collect();
            list.sort_unstable();
            list
        })
        .collect()
}

/// How many numbers two sorted lists of distinct numbers share.
fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Orders segments: starred first, then by centrality (most typical first), then by position.
fn representative<'a>(
    segments: &[(&'a str, &'a Segment)],
    n: usize,
) -> Vec<(&'a str, &'a Segment)> {
    let sample: Vec<&(&str, &Segment)> = segments.iter().take(400).collect();
    let lists = word_lists(&sample);
    // centrality: the sum of a quote's word overlap (Jaccard) with every other quote, added
    // in the order of the others, each pair worked out once
    let mut totals = vec![0.0f64; sample.len()];
    for i in 0..sample.len() {
        for j in i + 1..sample.len() {
            let inter = shared(&lists[i], &lists[j]);
            let union = lists[i].len() + lists[j].len() - inter;
            if union > 0 {
                let jaccard = inter as f64 / union as f64;
                totals[i] += jaccard;
                totals[j] += jaccard;
            }
        }
    }
    let mut scored: Vec<(f64, usize)> = totals.into_iter().zip(0..).collect();
    scored.sort_by(|a, b| {
        let (sa, sb) = (sample[a.1].1, sample[b.1].1);
        sb.starred
            .cmp(&sa.starred)
            .then(b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal))
            .then(sa.sort_key().cmp(&sb.sort_key()))
    });
    // a quote inside another chosen quote (or containing one) says the same thing twice
    let mut chosen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (_, i) in scored {
        let text = sample[i].1.quote.trim().to_lowercase();
        if chosen
            .iter()
            .any(|c| c.contains(&text) || text.contains(c.as_str()))
        {
            continue;
        }
        chosen.push(text);
        out.push(*sample[i]);
        if out.len() == n {
            break;
        }
    }
    out
}

/// The timelines of the transcripts quoted so far, each worked out once.
#[derive(Default)]
pub struct QuoteTimes {
    timelines: HashMap<String, Option<Timeline>>,
}

impl QuoteTimes {
    /// When the turn holding code point `start` of `transcript` is spoken (`~` when
    /// interpolated); `None` for a transcript without timestamps or not in the study.
    pub fn of(
        &mut self,
        study: &Study,
        transcript: &str,
        start: usize,
    ) -> Result<Option<String>, StudyError> {
        if !self.timelines.contains_key(transcript) {
            let timeline = study
                .find_transcript(transcript)?
                .and_then(|t| Timeline::of(&t));
            self.timelines.insert(transcript.to_string(), timeline);
        }
        Ok(self
            .timelines
            .get(transcript)
            .and_then(Option::as_ref)
            .and_then(|t| t.turn_at(start))
            .map(|m| m.clock()))
    }
}

/// Builds the theme report.
pub fn theme_report(study: &Study, options: &ThemeOptions) -> Result<ThemeReport, StudyError> {
    let all = options.layer.segments(study)?;
    let total = all.len();
    // a code counts only over the transcripts its codebook is for
    let layer: Vec<(&str, &Segment)> = all
        .into_iter()
        .filter(|(_, s)| study.in_scope(&s.code, &s.transcript))
        .collect();
    let outside_scope = total - layer.len();
    let mut by_code: BTreeMap<&str, Vec<(&str, &Segment)>> = BTreeMap::new();
    for (coder, s) in &layer {
        by_code.entry(s.code.as_str()).or_default().push((coder, s));
    }
    let mut times = QuoteTimes::default();
    let mut codebooks = Vec::new();
    for loaded in &study.codebooks {
        let book = &loaded.codebook;
        let mut codes = Vec::new();
        for (code, depth) in book.tree() {
            let subtree = book.subtree(&code.id);
            let segs: Vec<(&str, &Segment)> = subtree
                .iter()
                .flat_map(|c| by_code.get(c.as_str()).cloned().unwrap_or_default())
                .collect();
            let transcripts: BTreeSet<&str> =
                segs.iter().map(|(_, s)| s.transcript.as_str()).collect();
            let participants: BTreeSet<&str> = transcripts
                .iter()
                .map(|t| study.attributes.participant(t))
                .collect();
            let mut breakdown: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
            for attr in &options.by {
                let counts = breakdown.entry(attr.clone()).or_default();
                for (_, s) in &segs {
                    let value = study
                        .attributes
                        .get(&s.transcript, attr)
                        .unwrap_or("(none)")
                        .to_string();
                    *counts.entry(value).or_default() += 1;
                }
            }
            let mut quotes = Vec::new();
            for (coder, s) in representative(&segs, options.quotes) {
                let time = times.of(study, &s.transcript, s.start)?;
                quotes.push(Quote {
                    text: s.quote.split_whitespace().collect::<Vec<_>>().join(" "),
                    attribution: study.attributes.attribution_at(
                        &s.transcript,
                        &study.settings.attribution,
                        time.as_deref(),
                    ),
                    time,
                    transcript: s.transcript.clone(),
                    segment: s.id.clone(),
                    coder: coder.to_string(),
                    starred: s.starred,
                });
            }
            codes.push(CodeSummary {
                id: code.id.clone(),
                name: code.name.clone(),
                path: book.path(&code.id),
                depth,
                color: code.color.clone(),
                description: code.description.clone(),
                include: code.include.clone(),
                exclude: code.exclude.clone(),
                example: code.example.clone(),
                segments: segs.len(),
                own: by_code.get(code.id.as_str()).map_or(0, Vec::len),
                transcripts: transcripts.len(),
                participants: participants.len(),
                breakdown,
                quotes,
            });
        }
        codebooks.push(CodebookSummary {
            name: book.name.clone(),
            scope: book.scope.as_ref().map(|_| study.scope_line(book)),
            codes,
        });
    }
    Ok(ThemeReport {
        study: study.name(),
        layer: options.layer.label(),
        coverage: options.layer.coverage(study)?,
        by: options.by.clone(),
        transcripts: study.transcripts().len(),
        segments: layer.len(),
        outside_scope,
        codebooks,
    })
}

/// `text` with its first letter in capitals.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The report as Markdown (renders on common forges).
pub fn to_markdown(report: &ThemeReport) -> String {
    let mut out = format!("# Themes — {}\n\n", report.study);
    out.push_str(&format!(
        "{} transcripts, {} coded segments ({}). Counts include sub-codes.\n\n",
        report.transcripts, report.segments, report.layer
    ));
    if let Some(coverage) = &report.coverage {
        out.push_str(&format!("{}.\n\n", capitalised(&coverage.sentence())));
    }
    if report.outside_scope > 0 {
        out.push_str(&format!(
            "{} segment(s) outside their codebook's scope are left out (`thema check` lists them).\n\n",
            report.outside_scope
        ));
    }
    for book in &report.codebooks {
        out.push_str(&format!("## {}\n\n", book.name));
        if let Some(scope) = &book.scope {
            out.push_str(&format!("Framework for {}.\n\n", md(scope)));
        }
        out.push_str("| code | segments | transcripts | participants |");
        for attr in &report.by {
            out.push_str(&format!(" by {attr} |"));
        }
        out.push_str("\n| --- | ---: | ---: | ---: |");
        out.push_str(&" --- |".repeat(report.by.len()));
        out.push('\n');
        for code in &book.codes {
            let indent = "&nbsp;&nbsp;".repeat(code.depth);
            out.push_str(&format!(
                "| {indent}{} | {} | {} | {} |",
                md(&code.name),
                code.segments,
                code.transcripts,
                code.participants
            ));
            for attr in &report.by {
                let parts: Vec<String> = code
                    .breakdown
                    .get(attr)
                    .map(|m| m.iter().map(|(v, n)| format!("{} {n}", md(v))).collect())
                    .unwrap_or_default();
                out.push_str(&format!(" {} |", parts.join(", ")));
            }
            out.push('\n');
        }
        out.push('\n');
        for code in &book.codes {
            let hashes = "#".repeat((code.depth + 3).min(6));
            out.push_str(&format!("{hashes} {}\n\n", md(&code.path)));
            out.push_str(&format!(
                "{} segments in {} transcripts from {} participants.\n\n",
                code.segments, code.transcripts, code.participants
            ));
            if !code.description.is_empty() {
                out.push_str(&format!("{}\n\n", code.description.trim()));
            }
            for q in &code.quotes {
                let star = if q.starred { " ★" } else { "" };
                out.push_str(&format!("> \"{}\" ({}){star}\n\n", q.text, q.attribution));
            }
        }
    }
    out
}

fn md(text: &str) -> String {
    text.replace('|', "\\|")
}
