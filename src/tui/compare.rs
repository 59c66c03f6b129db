//! Compare mode's state: two coders' layers (or one coder's and the `consensus` layer) laid over
//! the same transcripts for a team meeting. It owns the list of disagreements and where the
//! meeting is in it, the per-code agreement figures of each transcript, the spans of the open
//! transcript (each coder's, in bytes) and where the compare panel goes on the screen.
//!
//! Everything is computed through the library: disagreements by
//! [`crate::study::consensus::disagreements`], figures by [`crate::report::agreement::compute`]
//! with the request `thema agree --coders A,B [--code X] --by-transcript` makes, so the panel
//! shows the same numbers. Compare mode's update is here too (an `impl App` block at the end):
//! entering it, walking the disagreements, resolving through `Study::resolve`. It never draws.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ratatui::layout::Rect;

use crate::agreement::Agreement;
use crate::model::Transcript;
use crate::report::agreement::{all_codes, compute, AgreeRequest, Unit};
use crate::study::coding::shorten;
use crate::study::consensus::{disagreements, Disagreement, Take};
use crate::study::{Study, StudyError, CONSENSUS};
use crate::tui::action::Action;
use crate::tui::action::Pane;
use crate::tui::app::App;
use crate::tui::keymap::{key_for, Context};
use crate::tui::layout::Panes;
use crate::tui::pane::picker::PickerPurpose;
use crate::tui::pane::prompt::{Prompt, PromptPurpose};
use crate::tui::pane::Overlay;

/// Which coder a span belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Coder A.
    A,
    /// Coder B.
    B,
}

/// How the two coders cover a character for one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Both coded it.
    Both,
    /// Only coder A.
    OnlyA,
    /// Only coder B.
    OnlyB,
}

/// One coder's segment in the open transcript, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSpan {
    /// First byte.
    pub start: usize,
    /// Byte past the end.
    pub end: usize,
    /// Code id.
    pub code: String,
    /// Whose it is.
    pub side: Side,
}

/// One disagreement's extent in the open transcript, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// Index in [`Compare::list`].
    pub index: usize,
    /// First byte.
    pub start: usize,
    /// Byte past the end.
    pub end: usize,
    /// Whether the team has resolved it.
    pub resolved: bool,
}

/// Agreement on one code in one transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeFigure {
    /// Code id.
    pub code: String,
    /// The figures, as `thema agree --by-transcript` reports them.
    pub agreement: Agreement,
}

/// Disagreements of one code: how many, how many still open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    /// Code id.
    pub code: String,
    /// Disagreements in all.
    pub total: usize,
    /// Not yet resolved.
    pub remaining: usize,
}

/// The state of compare mode.
#[derive(Debug, Clone)]
pub struct Compare {
    /// Coder A.
    pub a: String,
    /// Coder B.
    pub b: String,
    /// The code compared (with its sub-codes), or `None` for every code.
    pub code: Option<String>,
    /// Its path when compare mode began ("Challenges/Transport").
    pub code_path: Option<String>,
    /// The codes compared, in codebook order.
    pub codes: Vec<String>,
    /// Every disagreement, in transcript order then by position.
    pub list: Vec<Disagreement>,
    /// The disagreement the meeting is on.
    pub current: Option<usize>,
    /// Per transcript: the codes either coder applied there, with their agreement.
    pub figures: BTreeMap<String, Vec<CodeFigure>>,
    /// Transcripts both coders coded (the only ones with figures and disagreements).
    pub both_coded: BTreeSet<String>,
    /// Why the figures could not be computed, if they could not.
    pub figures_error: Option<String>,
    /// Per code, A and B over every transcript both coded, on speaker turns, with α's
    /// bootstrap interval (the interval shown next to α for the code in view).
    pub study_figures: BTreeMap<String, Agreement>,
    /// Both coders' spans in the open transcript, sorted by start.
    pub spans: Vec<LayerSpan>,
    /// The disagreements in the open transcript.
    pub extents: Vec<Extent>,
    member: BTreeSet<String>,
}

/// Why compare mode cannot start, or must end.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// The same coder twice.
    #[error("compare needs two different coders (both are {0})")]
    SameCoder(String),
    /// The code compared was merged or deleted.
    #[error("{0} is no longer in the codebooks")]
    CodeGone(String),
    /// The layers could not be read.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// The agreement figures could not be computed.
    #[error(transparent)]
    Agree(#[from] crate::report::agreement::AgreeError),
}

impl Compare {
    /// Compares coders `a` and `b` on `code` and its sub-codes (every code when `None`).
    pub fn new(
        study: &Study,
        a: &str,
        b: &str,
        code: Option<&str>,
    ) -> Result<Compare, CompareError> {
        if a == b {
            return Err(CompareError::SameCoder(a.to_string()));
        }
        let mut compare = Compare {
            a: a.to_string(),
            b: b.to_string(),
            code: code.map(str::to_string),
            code_path: code.map(|c| study.code_path(c)),
            member: BTreeSet::new(),
            codes: Vec::new(),
            list: Vec::new(),
            current: None,
            figures: BTreeMap::new(),
            both_coded: BTreeSet::new(),
            figures_error: None,
            study_figures: BTreeMap::new(),
            spans: Vec::new(),
            extents: Vec::new(),
        };
        compare.refresh(study)?;
        Ok(compare)
    }

    /// Reads the codes, disagreements and figures again (after a resolution, a coding or a
    /// codebook change), staying on the same disagreement, or the one now in its place.
    pub fn refresh(&mut self, study: &Study) -> Result<(), CompareError> {
        self.codes = match &self.code {
            Some(c) => {
                let book = study.codebook_of(c).ok_or_else(|| {
                    CompareError::CodeGone(self.code_path.clone().unwrap_or_else(|| c.clone()))
                })?;
                let subtree = book.subtree(c);
                book.tree()
                    .into_iter()
                    .map(|(c, _)| c.id.clone())
                    .filter(|c| subtree.contains(c))
                    .collect()
            }
            None => all_codes(study),
        };
        self.member = self.codes.iter().cloned().collect();
        let was = self
            .current
            .and_then(|i| self.list.get(i))
            .map(|d| (d.id.clone(), d.transcript.clone(), d.start));
        let filter = self.code.is_some().then_some(&self.member);
        let mut list = disagreements(study, &self.a, &self.b, filter)?;
        list.sort_by(|x, y| {
            (&x.transcript, x.start, x.end, &x.code).cmp(&(&y.transcript, y.start, y.end, &y.code))
        });
        self.list = list;
        self.current = was.and_then(|(id, transcript, start)| {
            self.list.iter().position(|d| d.id == id).or_else(|| {
                let i = self
                    .list
                    .partition_point(|d| (&d.transcript, d.start) < (&transcript, start));
                (i < self.list.len()).then_some(i)
            })
        });
        match self.compute_figures(study) {
            Ok(()) => self.figures_error = None,
            Err(e) => {
                self.figures.clear();
                self.figures_error = Some(e.to_string());
            }
        }
        Ok(())
    }

    /// The request `thema agree --coders A,B [--code X] --by-transcript` makes.
    pub fn agree_request(&self) -> AgreeRequest {
        AgreeRequest {
            coders: vec![self.a.clone(), self.b.clone()],
            codes: self.codes.clone(),
            exact: false,
            unit: Unit::Char,
            overlap: 0.9,
            by_transcript: true,
            bootstrap: crate::agreement::BootstrapOptions::none(),
        }
    }

    fn compute_figures(&mut self, study: &Study) -> Result<(), CompareError> {
        let report = compute(study, &self.agree_request())?;
        self.both_coded = report.transcripts.iter().cloned().collect();
        // the codes each coder applied in each transcript
        let mut present: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for coder in [&self.a, &self.b] {
            for s in study.layer(coder)? {
                if !s.is_unanchored() {
                    present.entry(&s.transcript).or_default().insert(&s.code);
                }
            }
        }
        let mut figures: BTreeMap<String, Vec<CodeFigure>> = BTreeMap::new();
        for code in report.codes {
            for t in code.transcripts {
                let applied = present
                    .get(t.transcript.as_str())
                    .is_some_and(|p| p.contains(code.code.as_str()));
                if applied || self.code.as_deref() == Some(code.code.as_str()) {
                    figures.entry(t.transcript).or_default().push(CodeFigure {
                        code: code.code.clone(),
                        agreement: t.agreement,
                    });
                }
            }
        }
        self.figures = figures;
        // intervals need independent units: turns, not characters (see agreement::bootstrap)
        let study_wide = AgreeRequest {
            unit: Unit::Turn,
            by_transcript: false,
            bootstrap: crate::agreement::BootstrapOptions {
                samples: 1000,
                ..crate::agreement::BootstrapOptions::default()
            },
            ..self.agree_request()
        };
        let report = compute(study, &study_wide)?;
        self.study_figures = report.codes.into_iter().map(|c| (c.code, c.all)).collect();
        Ok(())
    }

    /// The code in view: the one compared, else the current disagreement's.
    pub fn code_in_view(&self) -> Option<&str> {
        self.code
            .as_deref()
            .or_else(|| self.current().map(|d| d.code.as_str()))
    }

    /// Lays both coders' spans and the disagreements of transcript `t` out in bytes.
    pub fn load_transcript(&mut self, study: &Study, t: &Transcript) {
        let mut spans = Vec::new();
        for (side, coder) in [(Side::A, &self.a), (Side::B, &self.b)] {
            for s in study.layer(coder).unwrap_or(&[]) {
                if s.transcript != t.id || s.is_unanchored() || !self.member.contains(&s.code) {
                    continue;
                }
                spans.push(LayerSpan {
                    start: t.index.byte_of(&t.text, s.start),
                    end: t.index.byte_of(&t.text, s.end),
                    code: s.code.clone(),
                    side,
                });
            }
        }
        spans.sort_by_key(|s| (s.start, s.end));
        self.spans = spans;
        self.extents = self
            .list
            .iter()
            .enumerate()
            .filter(|(_, d)| d.transcript == t.id)
            .map(|(index, d)| Extent {
                index,
                start: t.index.byte_of(&t.text, d.start),
                end: t.index.byte_of(&t.text, d.end),
                resolved: d.resolution.is_some(),
            })
            .collect();
    }

    /// The disagreement the meeting is on.
    pub fn current(&self) -> Option<&Disagreement> {
        self.current.and_then(|i| self.list.get(i))
    }

    /// Disagreements not yet resolved.
    pub fn remaining(&self) -> usize {
        self.list.iter().filter(|d| d.resolution.is_none()).count()
    }

    /// The disagreement after (or before) the current one; with `open_only`, the next one not
    /// yet resolved. Without a current one, the first (or last).
    pub fn step(&self, forward: bool, open_only: bool) -> Option<usize> {
        let fits = |i: &usize| !open_only || self.list[*i].resolution.is_none();
        let n = self.list.len();
        match (self.current, forward) {
            (Some(c), true) => (c + 1..n).find(fits),
            (Some(c), false) => (0..c).rev().find(fits),
            (None, true) => (0..n).find(fits),
            (None, false) => (0..n).rev().find(fits),
        }
    }

    /// The disagreement at byte `at` of the open transcript: the current one if it covers it,
    /// else the first that does.
    pub fn at(&self, at: usize) -> Option<usize> {
        let covers = |e: &&Extent| e.start <= at && at < e.end.max(e.start + 1);
        let here: Vec<&Extent> = self.extents.iter().filter(covers).collect();
        here.iter()
            .find(|e| Some(e.index) == self.current)
            .or(here.first())
            .map(|e| e.index)
    }

    /// Disagreements per code, in codebook order.
    pub fn queue(&self) -> Vec<QueueRow> {
        let order: HashMap<&str, usize> = self
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let mut rows: BTreeMap<(usize, &str), QueueRow> = BTreeMap::new();
        for d in &self.list {
            let key = (
                order.get(d.code.as_str()).copied().unwrap_or(usize::MAX),
                d.code.as_str(),
            );
            let row = rows.entry(key).or_insert_with(|| QueueRow {
                code: d.code.clone(),
                total: 0,
                remaining: 0,
            });
            row.total += 1;
            if d.resolution.is_none() {
                row.remaining += 1;
            }
        }
        rows.into_values().collect()
    }

    /// Words for what kind of disagreement it is: "only r1 (A)", "boundaries differ".
    pub fn kind_label(&self, d: &Disagreement) -> String {
        match (d.a.is_empty(), d.b.is_empty()) {
            (false, true) => format!("only {} (A)", self.a),
            (true, false) => format!("only {} (B)", self.b),
            _ => "boundaries differ".to_string(),
        }
    }

    /// Words for what a resolution took: "r1's (A)", "both", …
    pub fn take_label(&self, take: Take) -> String {
        match take {
            Take::A => format!("{}'s (A)", self.a),
            Take::B => format!("{}'s (B)", self.b),
            Take::Both => "both".to_string(),
            Take::None => "neither".to_string(),
            Take::Adjust => "an adjusted boundary".to_string(),
        }
    }
}

/// How the coders cover byte `at` among `spans` (those near it). The code shown is `prefer` when
/// a span of it covers `at`, else a code the coders disagree on, else any.
pub fn coverage_at<'a>(
    spans: &[&'a LayerSpan],
    at: usize,
    prefer: Option<&str>,
) -> Option<(Coverage, &'a str)> {
    let mut codes: Vec<(&'a str, bool, bool)> = Vec::new();
    for s in spans.iter().filter(|s| s.start <= at && at < s.end) {
        let entry = match codes.iter_mut().find(|(c, _, _)| *c == s.code) {
            Some(e) => e,
            None => {
                codes.push((s.code.as_str(), false, false));
                codes.last_mut()?
            }
        };
        match s.side {
            Side::A => entry.1 = true,
            Side::B => entry.2 = true,
        }
    }
    let chosen = codes
        .iter()
        .find(|(c, _, _)| Some(*c) == prefer)
        .or_else(|| codes.iter().find(|(_, a, b)| a != b))
        .or(codes.first())?;
    let coverage = match (chosen.1, chosen.2) {
        (true, true) => Coverage::Both,
        (true, false) => Coverage::OnlyA,
        _ => Coverage::OnlyB,
    };
    Some((coverage, chosen.0))
}

/// Where the compare panel goes: the right column when the screen has one (unless retrieval or
/// search has the focus), else the lower part of a tall enough transcript pane.
pub fn place_panel(mut panes: Panes, focus: Pane) -> (Panes, Option<Rect>) {
    if matches!(focus, Pane::Retrieval | Pane::Search) {
        return (panes, None);
    }
    if let Some(right) = panes.right.take() {
        panes.right_pane = None;
        return (panes, Some(right));
    }
    match panes.transcript {
        Some(t) if t.height >= 20 => {
            let panel_h = t.height * 2 / 5;
            panes.transcript = Some(Rect::new(t.x, t.y, t.width, t.height - panel_h));
            let panel = Rect::new(t.x, t.y + t.height - panel_h, t.width, panel_h);
            (panes, Some(panel))
        }
        _ => (panes, None),
    }
}

// ----- compare mode's update -----

impl App {
    /// Compare mode's actions: enter or leave it, walk the disagreements, resolve one.
    pub(crate) fn compare_update(&mut self, action: Action) {
        match action {
            Action::ToggleCompare => self.toggle_compare(),
            Action::NextDisagreement => self.jump_disagreement(true, false),
            Action::PrevDisagreement => self.jump_disagreement(false, false),
            Action::NextOpenDisagreement => self.jump_disagreement(true, true),
            Action::OpenResolve => self.open_resolve(),
            Action::Resolve(take) => self.choose_take(take),
            _ => {}
        }
    }

    fn toggle_compare(&mut self) {
        if self.compare.take().is_some() {
            self.refresh_coded();
            self.info("left compare mode");
            return;
        }
        let coders = self.study.coders();
        if coders.len() < 2 {
            self.error(format!(
                "compare needs two coders with codings (found: {})",
                if coders.is_empty() {
                    "none".to_string()
                } else {
                    coders.join(", ")
                }
            ));
            return;
        }
        self.open_picker(PickerPurpose::CompareA);
    }

    /// Enters compare mode: coders `a` and `b` on `code` and its sub-codes (every code when
    /// `None`). The transcript shows both coders' spans, the panel their agreement, and the
    /// cursor goes to the first disagreement still open.
    pub fn start_compare(&mut self, a: &str, b: &str, code: Option<&str>) {
        let compare = match Compare::new(&self.study, a, b, code) {
            Ok(c) => c,
            Err(e) => {
                self.error(e.to_string());
                return;
            }
        };
        let first = compare
            .list
            .iter()
            .position(|d| d.resolution.is_none())
            .or((!compare.list.is_empty()).then_some(0));
        self.compare = Some(compare);
        self.select_mode = false;
        self.codebook_mode = false;
        self.refresh_coded();
        match first {
            Some(i) => self.go_to_disagreement(i),
            None => {
                let what =
                    code.map_or_else(|| "every code".to_string(), |c| self.study.code_path(c));
                self.focus(Pane::Transcript);
                self.info(format!("{a} and {b} agree on {what}: nothing to resolve"));
            }
        }
    }

    fn go_to_disagreement(&mut self, i: usize) {
        let Some(compare) = self.compare.as_mut() else {
            return;
        };
        let Some(d) = compare.list.get(i).cloned() else {
            return;
        };
        compare.current = Some(i);
        self.jump_to(&d.transcript, d.start, d.end);
        self.scroll_cursor_high();
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let status = match &d.resolution {
            Some(r) => format!("resolved: took {}", compare.take_label(r.take)),
            None => format!(
                "open: {} resolves",
                key_for(Context::Compare, &Action::OpenResolve)
            ),
        };
        let text = format!(
            "disagreement {} of {} · {} · {} · {status}",
            i + 1,
            compare.list.len(),
            self.study.code_path(&d.code),
            compare.kind_label(&d),
        );
        self.info(text);
    }

    fn jump_disagreement(&mut self, forward: bool, open_only: bool) {
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let target = compare.step(forward, open_only).or_else(|| {
            // the next open one wraps round to the first
            open_only
                .then(|| compare.list.iter().position(|d| d.resolution.is_none()))
                .flatten()
        });
        match target {
            Some(i) => self.go_to_disagreement(i),
            None => {
                let text = if compare.list.is_empty() {
                    "no disagreements: the coders agree here"
                } else if open_only {
                    "every disagreement is resolved"
                } else if forward {
                    "that was the last disagreement (p goes back)"
                } else {
                    "that was the first disagreement (n goes on)"
                };
                self.info(text);
            }
        }
    }

    /// Makes the disagreement under the cursor the current one.
    pub(crate) fn follow_cursor(&mut self) {
        let Some(head) = self.doc.as_ref().map(|d| d.sel.head) else {
            return;
        };
        if let Some(compare) = self.compare.as_mut() {
            if let Some(i) = compare.at(head) {
                compare.current = Some(i);
            }
        }
    }

    fn open_resolve(&mut self) {
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let here = self.transcript().map(|t| t.id.as_str());
        match compare.current() {
            Some(d) if Some(d.transcript.as_str()) == here => {
                self.overlay = Some(Overlay::Resolve(d.id.clone()));
            }
            _ => self.error("no disagreement here: n and p jump to one"),
        }
    }

    fn choose_take(&mut self, take: Take) {
        let Some(Overlay::Resolve(id)) = self.overlay.take() else {
            return;
        };
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let label = compare.take_label(take);
        let adjust = if take == Take::Adjust {
            let empty = self.doc.as_ref().is_none_or(|d| d.sel.is_empty());
            let span = if empty { None } else { self.selection_span() };
            match span {
                Some((_, start, end)) => Some((start, end)),
                None => {
                    self.error(
                        "select the boundary first (v and motions, x, s, Shift-arrows or the mouse), then r and s",
                    );
                    return;
                }
            }
        } else {
            None
        };
        let title = match adjust {
            Some((start, end)) => {
                let quote = self
                    .transcript()
                    .map(|t| shorten(t.slice(start, end), 30))
                    .unwrap_or_default();
                format!("Why take “{quote}”? (optional; Enter resolves)")
            }
            None => format!("Why take {label}? (optional; Enter resolves)"),
        };
        let purpose = PromptPurpose::Resolve { id, take, adjust };
        self.overlay = Some(Overlay::Prompt(Prompt::new(purpose, title, "")));
    }

    /// Resolves disagreement `id` into the consensus layer, saying why when `why` is given.
    pub(crate) fn resolve(
        &mut self,
        id: &str,
        take: Take,
        adjust: Option<(usize, usize)>,
        why: &str,
    ) {
        let Some(compare) = self.compare.as_ref() else {
            return;
        };
        let Some(d) = compare.list.iter().find(|d| d.id == id).cloned() else {
            self.error("that disagreement is gone: the codings changed meanwhile");
            return;
        };
        let (a, b) = (compare.a.clone(), compare.b.clone());
        let label = compare.take_label(take);
        let by = self.coder.clone();
        let why = Some(why).filter(|w| !w.is_empty());
        match self.study.resolve(&by, &d, (&a, &b), take, adjust, why) {
            Err(StudyError::Locked { coder }) if coder == CONSENSUS => self.error(
                "the consensus layer is open in another thema process (another meeting?): nothing was written; close it first",
            ),
            result => {
                if self.commit(result).is_none() {
                    return;
                }
                self.codings_changed();
                let (open, total) = self
                    .compare
                    .as_ref()
                    .map_or((0, 0), |c| (c.remaining(), c.list.len()));
                self.info(format!(
                    "resolved {}: took {label} · {open} of {total} still open · {} next, {} next open",
                    self.study.code_path(&d.code),
                    key_for(Context::Compare, &Action::NextDisagreement),
                    key_for(Context::Compare, &Action::NextOpenDisagreement),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, code: &str, side: Side) -> LayerSpan {
        LayerSpan {
            start,
            end,
            code: code.to_string(),
            side,
        }
    }

    #[test]
    fn coverage_prefers_the_current_code_then_a_disagreement() {
        let spans = [
            span(0, 10, "x", Side::A),
            span(0, 10, "x", Side::B),
            span(5, 20, "y", Side::B),
        ];
        let refs: Vec<&LayerSpan> = spans.iter().collect();
        assert_eq!(coverage_at(&refs, 2, None), Some((Coverage::Both, "x")));
        // at 7, y is only B's: a disagreement wins over agreement
        assert_eq!(coverage_at(&refs, 7, None), Some((Coverage::OnlyB, "y")));
        assert_eq!(
            coverage_at(&refs, 7, Some("x")),
            Some((Coverage::Both, "x"))
        );
        assert_eq!(
            coverage_at(&refs, 15, Some("x")),
            Some((Coverage::OnlyB, "y"))
        );
        assert_eq!(coverage_at(&refs, 20, None), None);
        let only_a = [span(3, 4, "z", Side::A)];
        let refs: Vec<&LayerSpan> = only_a.iter().collect();
        assert_eq!(coverage_at(&refs, 3, None), Some((Coverage::OnlyA, "z")));
    }

    #[test]
    fn the_panel_takes_the_right_column_or_the_foot_of_the_transcript() {
        let wide = crate::tui::layout::panes(
            Rect::new(0, 0, 120, 40),
            Pane::Transcript,
            Pane::Retrieval,
            13,
        );
        let (p, panel) = place_panel(wide, Pane::Transcript);
        assert_eq!(panel, wide.right);
        assert_eq!(p.right, None);
        let (p, panel) = place_panel(wide, Pane::Search);
        assert_eq!((p, panel), (wide, None));
        let medium = crate::tui::layout::panes(
            Rect::new(0, 0, 100, 40),
            Pane::Transcript,
            Pane::Retrieval,
            13,
        );
        let (p, panel) = place_panel(medium, Pane::Transcript);
        let (t, panel) = (p.transcript.unwrap(), panel.unwrap());
        assert_eq!(t.bottom(), panel.y);
        assert_eq!(t.height + panel.height, medium.transcript.unwrap().height);
        let small =
            crate::tui::layout::panes(Rect::new(0, 0, 60, 20), Pane::Codes, Pane::Retrieval, 13);
        assert_eq!(place_panel(small, Pane::Codes), (small, None));
    }
}
