//! Text sources, their selections and codings, as transcripts and segments.

use super::*;

/// The field of a segment's line that keeps the GUID of the REFI-QDA selection it came from, so
/// that an export writes the same selections again.
pub const SELECTION_FIELD: &str = "refi_selection";

/// A source's canonical text, ready to cut segments from.
struct Placed<'t> {
    transcript: String,
    text: &'t str,
    index: CharIndex,
    /// The source's (else the project's) creation time, for codings without one (none when
    /// neither has one: the segment's time stays empty rather than invented).
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
            .unwrap_or_default();
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

/// The codings of one source being read: where their segments go, what happened to them, and
/// the (coder, start, end, code) made so far, so that a duplicate coding is merged.
struct SourceCodings<'t> {
    placed: Placed<'t>,
    tally: Tally,
    seen: BTreeSet<(String, usize, usize, String)>,
}

/// The positions of a source's selections as written.
struct Positions<'e> {
    /// The valid ones, for choosing the offset unit.
    raw: Vec<RawSelection<'e>>,
    /// Each selection's start and end, in order; `None` where either is missing or not a number.
    each: Vec<Option<(u64, u64)>>,
    /// How many were not valid.
    bad: usize,
}

/// Each selection's start and end as written (see [`Positions`]).
fn selection_positions<'e>(selections: &[&'e Element]) -> Positions<'e> {
    let mut raw = Vec::new();
    let mut positions = Vec::new();
    let mut bad_positions = 0;
    for sel in selections {
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
    Positions {
        raw,
        each: positions,
        bad: bad_positions,
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

impl Reader<'_> {
    pub(super) fn unique_transcript_id(
        &mut self,
        name: &str,
        path: Option<&str>,
        guid: &str,
    ) -> String {
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
        let cleaned: String = crate::study::transcript_id_from_name(&base)
            .chars()
            .take(80)
            .collect();
        let cleaned = cleaned.trim_end_matches(['-', '.']);
        let base = if cleaned.is_empty() {
            "source".to_string()
        } else {
            cleaned.to_string()
        };
        let mut id = base.clone();
        let mut n = 2;
        while !self.taken_ids.insert(id.to_lowercase()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    /// The text of a source, inline or its file in the package, and whether the file started
    /// with a byte-order mark.
    pub(super) fn source_text(
        &mut self,
        source: &Element,
        label: &str,
    ) -> Result<Option<(String, bool)>, RefiError> {
        if let Some(inline) = source.child("PlainTextContent") {
            if source.attr("plainTextPath").is_some() {
                self.warnings.push(format!(
                    "{label}: has both inline text and plainTextPath; used the inline text"
                ));
            }
            return Ok(Some((inline.text.clone(), false)));
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
        let (text, bom, decode_note) = decode_text(&bytes);
        if let Some(note) = decode_note {
            self.warnings.push(format!("{label}: {entry} {note}"));
        }
        Ok(Some((text, bom)))
    }

    /// Reads one text source (or a PDF's text representation, then `pdf` is the PDF element).
    pub(super) fn read_text_source(
        &mut self,
        source: &Element,
        pdf: Option<&Element>,
    ) -> Result<(), RefiError> {
        let outer = pdf.unwrap_or(source);
        let (name, guid, label) = self.source_name(outer, pdf.is_some());
        let selections: Vec<&Element> = source.children_named("PlainTextSelection").collect();
        let Some((raw_text, bom)) = self.transcript_text(source, &label, selections.len())? else {
            return Ok(());
        };
        let id = self.unique_transcript_id(&name, source.attr("plainTextPath"), &guid);
        // a source without a name is known by its transcript id from now on
        let name = if name.trim().is_empty() {
            id.clone()
        } else {
            name
        };
        if pdf.is_some() {
            self.warnings.push(format!(
                "{label}: imported its plain-text representation as transcript '{id}'"
            ));
        }
        if name != id {
            // the source's own name, which the id could not keep (`Interview 7` → `Interview-7`)
            self.source_values
                .entry(id.clone())
                .or_default()
                .push((crate::study::SOURCE_NAME_COLUMN.to_string(), name.clone()));
        }
        self.transcript_ids.insert(guid.clone(), id.clone());
        if let Some(source_guid) = source.attr("guid").and_then(normalise_guid) {
            self.transcript_ids.insert(source_guid, id.clone());
        }
        let text = SourceText::new(&raw_text);
        // positions
        let Positions {
            raw,
            each: positions,
            bad: bad_positions,
        } = selection_positions(&selections);
        let choice = self.offset_unit(&text, &raw, &label);
        if bad_positions > 0 {
            self.warnings.push(format!(
                "{label}: {bad_positions} selections without valid startPosition/endPosition skipped"
            ));
        }
        let canonical = text.canonical().to_string();
        let mut codings = SourceCodings {
            placed: Placed {
                transcript: id.clone(),
                index: CharIndex::new(&canonical),
                text: &canonical,
                date: source
                    .attr("creationDateTime")
                    .or_else(|| self.root.attr("creationDateTime"))
                    .map(str::to_string),
            },
            tally: Tally::default(),
            seen: BTreeSet::new(),
        };
        for (sel, pos) in selections.iter().zip(&positions) {
            let Some((start, end)) = *pos else { continue };
            let a = text.map(choice.unit, start, false);
            let b = text.map(choice.unit, end, true);
            let tally = &mut codings.tally;
            tally.clamped += usize::from(a.clamped || b.clamped);
            tally.snapped += usize::from(!a.clamped && !b.clamped && (!a.exact || !b.exact));
            self.read_selection(&mut codings, sel, (a.canonical, b.canonical));
        }
        self.read_whole_source_codings(source, &guid, &mut codings);
        codings.tally.report(&label, &mut self.warnings);
        self.read_source_notes_and_values(source, outer, &id);
        self.project.transcripts.push(ImportedTranscript {
            id,
            name,
            guid,
            crlf: raw_text.contains('\r'),
            text: canonical,
            offsets: choice,
            bom,
            stamps: self.source_stamps(outer),
        });
        Ok(())
    }

    /// A source's name as written, its GUID (derived from the name and line when it has none)
    /// and how warnings name it.
    fn source_name(&self, outer: &Element, pdf: bool) -> (String, String, String) {
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
            if pdf { "PDF" } else { "source" },
            if name.is_empty() { &guid } else { &name }
        );
        (name, guid, label)
    }

    /// The text a transcript is made of and whether its file had a byte-order mark; `None`
    /// (with a warning naming the `selections` lost) when the source has no text or only blanks.
    fn transcript_text(
        &mut self,
        source: &Element,
        label: &str,
        selections: usize,
    ) -> Result<Option<(String, bool)>, RefiError> {
        let Some((raw_text, bom)) = self.source_text(source, label)? else {
            if selections > 0 {
                self.warnings.push(format!(
                    "{label}: its {selections} selections were not imported (no text to place them in)"
                ));
            }
            return Ok(None);
        };
        if raw_text.trim().is_empty() {
            self.warnings.push(format!(
                "{label}: the text is empty; not imported{}",
                if selections == 0 {
                    String::new()
                } else {
                    format!(" (with its {selections} selections)")
                }
            ));
            return Ok(None);
        }
        Ok(Some((raw_text, bom)))
    }

    /// The offset unit the selections' positions are read in (the origin's, unless another
    /// fits the text better), with a warning when few selections fit any unit or the unit is
    /// not the origin's.
    fn offset_unit(
        &mut self,
        text: &SourceText,
        raw: &[RawSelection<'_>],
        label: &str,
    ) -> UnitChoice {
        let preferred = OffsetUnit::default_for_origin(&self.origin);
        let choice = text.choose_unit(raw, preferred);
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
        choice
    }

    /// Codings of the whole source: a segment over the whole transcript.
    fn read_whole_source_codings(
        &mut self,
        source: &Element,
        guid: &str,
        codings: &mut SourceCodings<'_>,
    ) {
        let len = codings.placed.index.len_chars();
        for (i, coding) in source.children_named("Coding").enumerate() {
            let tally = &mut codings.tally;
            let Some(code) = self.code_of(coding, tally) else {
                continue;
            };
            let coder = self
                .user_of(coding.attr("creatingUser"), &mut tally.unknown_users)
                .unwrap_or_else(|| IMPORTED_CODER.to_string());
            if !codings.seen.insert((coder.clone(), 0, len, code.clone())) {
                tally.duplicates += 1;
                continue;
            }
            tally.whole_source += 1;
            let fallback = format!("{guid}#whole#{i}");
            let segment =
                codings
                    .placed
                    .segment(&self.space, coding, None, (0, len), code, None, &fallback);
            self.project
                .segments
                .entry(coder.clone())
                .or_default()
                .push(Segment {
                    id: format!("{coder}-{}", segment.id),
                    ..segment
                });
        }
    }

    /// What else a source holds for transcript `id`: the notes it refers to, its variables'
    /// values and its description (a memo).
    fn read_source_notes_and_values(&mut self, source: &Element, outer: &Element, id: &str) {
        for note in source
            .children_named("NoteRef")
            .filter_map(|n| n.attr("targetGUID").and_then(normalise_guid))
        {
            self.note_targets
                .entry(note)
                .or_default()
                .push(NoteTarget::Transcript(id.to_string()));
        }
        let values = self.read_values(source);
        for (variable, _) in &values {
            if let Some(record) = self.project.record.variables.get_mut(variable) {
                record.on_sources = true;
            }
        }
        if !values.is_empty() {
            self.source_values
                .entry(id.to_string())
                .or_default()
                .extend(values);
        }
        if let Some(d) = outer
            .child_text("Description")
            .filter(|d| !d.trim().is_empty())
        {
            self.descriptions.push((
                format!("Description of {id}"),
                Described::Transcript(id.to_string()),
                d.to_string(),
            ));
        }
    }

    /// A source's users and dates; a user not in `<Users>` is left out.
    fn source_stamps(&self, outer: &Element) -> Stamps {
        let mut stamps = stamps_of(outer);
        for user in [&mut stamps.creating_user, &mut stamps.modifying_user] {
            if user.as_ref().is_some_and(|g| !self.users.contains_key(g)) {
                *user = None;
            }
        }
        stamps
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
        source_codings: &mut SourceCodings<'_>,
        sel: &Element,
        span: (usize, usize),
    ) {
        let SourceCodings {
            placed,
            tally,
            seen,
        } = source_codings;
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
            let mut segment = Segment {
                id: format!("{coder}-{}", segment.id),
                ..segment
            };
            if let Some(g) = &sel_guid {
                segment
                    .extra
                    .insert(SELECTION_FIELD.to_string(), g.clone().into());
            }
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
}
