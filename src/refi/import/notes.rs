//! Notes, links and descriptions as memos.

use super::*;

impl Reader<'_> {
    pub(super) fn read_links(&mut self) {
        let Some(links) = self.root.child("Links") else {
            return;
        };
        let notes: BTreeSet<String> = self
            .root
            .child("Notes")
            .map(|n| {
                n.children_named("Note")
                    .filter_map(|n| n.attr("guid").and_then(normalise_guid))
                    .collect()
            })
            .unwrap_or_default();
        let mut unmapped = 0;
        for link in links.children_named("Link") {
            let origin = link.attr("originGUID").and_then(normalise_guid);
            let target = link.attr("targetGUID").and_then(normalise_guid);
            let (note, other) = match (origin, target) {
                (Some(o), Some(t)) if notes.contains(&o) => (o, t),
                (Some(o), Some(t)) if notes.contains(&t) => (t, o),
                _ => {
                    unmapped += 1;
                    continue;
                }
            };
            let resolved = if let Some(code) = self.codes.get(&other) {
                Some(NoteTarget::Code(code.clone()))
            } else if let Some(t) = self.transcript_ids.get(&other) {
                Some(NoteTarget::Transcript(t.clone()))
            } else {
                self.selection_segments
                    .get(&other)
                    .and_then(|s| s.first())
                    .map(|s| NoteTarget::Segment(s.clone()))
            };
            match resolved {
                Some(target) => self.note_targets.entry(note).or_default().push(target),
                None => unmapped += 1,
            }
        }
        if unmapped > 0 {
            self.warnings.push(format!(
                "{unmapped} links not imported (thema keeps only links from a memo to a code, transcript or segment it imported)"
            ));
        }
    }

    pub(super) fn read_notes(&mut self) -> Result<(), RefiError> {
        for note in self
            .root
            .children_named("NoteRef")
            .filter_map(|n| n.attr("targetGUID").and_then(normalise_guid))
        {
            self.note_targets.entry(note).or_default();
        }
        let mut stems = BTreeSet::new();
        let mut memos = Vec::new();
        if let Some(notes) = self.root.child("Notes") {
            for note in notes.children_named("Note") {
                memos.push(self.note_memo(note, &mut stems)?);
            }
        }
        if let Some(d) = self
            .root
            .child_text("Description")
            .filter(|d| !d.trim().is_empty())
        {
            self.descriptions.insert(
                0,
                (
                    "Project description".to_string(),
                    Described::Project,
                    d.to_string(),
                ),
            );
        }
        for (title, described, body) in std::mem::take(&mut self.descriptions) {
            memos.push(description_memo(title, described, body, &mut stems));
        }
        self.project.memos = memos;
        Ok(())
    }

    /// One note as a memo: its title, GUID, users, dates and description, what it is attached
    /// to, and its text; its file stem is made unique among `stems`.
    fn note_memo(
        &mut self,
        note: &Element,
        stems: &mut BTreeSet<String>,
    ) -> Result<Memo, RefiError> {
        let guid = note
            .attr("guid")
            .and_then(normalise_guid)
            .unwrap_or_default();
        let title = note
            .attr("name")
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Note".to_string());
        let label = format!("note '{title}'");
        let body = self
            .source_text(note, &label)?
            .map(|(text, _)| text)
            .unwrap_or_default();
        let mut fields = BTreeMap::new();
        fields.insert("title".to_string(), title.clone());
        if !guid.is_empty() {
            fields.insert(MEMO_GUID.to_string(), guid.clone());
            self.note_guids.insert(guid.clone());
        }
        let mut unknown = 0;
        if let Some(coder) = self.user_of(note.attr("creatingUser"), &mut unknown) {
            fields.insert("coder".to_string(), coder);
        }
        if let Some(coder) = self.user_of(note.attr("modifyingUser"), &mut unknown) {
            fields.insert("modified_by".to_string(), coder);
        }
        let inner = note.children_named("PlainTextSelection").count();
        if inner > 0 {
            self.warnings.push(format!(
                "{label}: {inner} selections inside the note (QualCoder writes annotations so) not imported"
            ));
        }
        for (attr, field) in [
            ("creationDateTime", "created"),
            ("modifiedDateTime", "modified"),
        ] {
            if let Some(date) = note.attr(attr).map(str::trim).filter(|d| !d.is_empty()) {
                fields.insert(field.to_string(), date.to_string());
            }
        }
        if let Some(d) = note
            .child_text("Description")
            .filter(|d| !d.trim().is_empty())
        {
            fields.insert(
                "description".to_string(),
                d.split_whitespace().collect::<Vec<_>>().join(" "),
            );
        }
        self.attach_note(&guid, &label, &mut fields);
        let stem = unique_stem(&title, "note", stems);
        Ok(Memo {
            path: PathBuf::from("memos").join(format!("{stem}.md")),
            fields,
            body: body.trim_start_matches('\n').to_string(),
        })
    }

    /// Names in a note's memo fields the code, transcript or segment it is attached to (the
    /// first of each kind; a warning for the others).
    fn attach_note(&mut self, guid: &str, label: &str, fields: &mut BTreeMap<String, String>) {
        let mut targets = self.note_targets.get(guid).cloned().unwrap_or_default();
        targets.sort();
        targets.dedup();
        for target in &targets {
            let (key, value) = match target {
                NoteTarget::Code(c) => ("code", c),
                NoteTarget::Transcript(t) => ("transcript", t),
                NoteTarget::Segment(s) => ("segment", s),
            };
            if fields.contains_key(key) {
                self.warnings.push(format!(
                    "{label} is attached to several {key}s; thema keeps the first"
                ));
            } else {
                fields.insert(key.to_string(), value.clone());
            }
        }
    }
}

/// A description (of the project, a source or a case) as a memo titled `title`, its file stem
/// made unique among `stems`.
fn description_memo(
    title: String,
    described: Described,
    body: String,
    stems: &mut BTreeSet<String>,
) -> Memo {
    let mut fields = BTreeMap::new();
    fields.insert("title".to_string(), title.clone());
    let what = match described {
        Described::Project => Some(DESCRIBES_PROJECT),
        Described::Transcript(t) => {
            fields.insert("transcript".to_string(), t);
            Some(DESCRIBES_TRANSCRIPT)
        }
        Described::Case(c) => {
            fields.insert("case".to_string(), c);
            Some(DESCRIBES_CASE)
        }
        Described::Unattached => None,
    };
    if let Some(what) = what {
        fields.insert(MEMO_DESCRIBES.to_string(), what.to_string());
    }
    let stem = unique_stem(&title, "note", stems);
    Memo {
        path: PathBuf::from("memos").join(format!("{stem}.md")),
        fields,
        body,
    }
}
