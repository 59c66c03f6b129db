//! Cases and variables as participants and attribute columns.

use super::*;
use crate::refi::record::VariableRecord;

/// A case: a participant and the values of its variables.
pub(super) struct CaseData {
    pub(super) name: Option<String>,
    pub(super) values: Vec<(String, String)>,
    pub(super) sources: Vec<String>,
}

impl Reader<'_> {
    pub(super) fn read_variables_and_cases(&mut self) {
        if let Some(vars) = self.root.child("Variables") {
            for var in vars.children_named("Variable") {
                let Some(guid) = var.attr("guid").and_then(normalise_guid) else {
                    continue;
                };
                let mut name = var.attr("name").unwrap_or("").trim().to_string();
                if name.is_empty() {
                    name = format!("variable-{}", &guid[..8]);
                }
                if name == "transcript" || name == "participant" {
                    self.warnings.push(format!(
                        "variable '{name}' renamed '{name} (variable)': thema reserves that column"
                    ));
                    name = format!("{name} (variable)");
                }
                let kind = var.attr("typeOfVariable").unwrap_or("Text").to_string();
                let description = var
                    .child_text("Description")
                    .filter(|d| !d.trim().is_empty())
                    .map(str::to_string);
                self.project.record.variables.insert(
                    name.clone(),
                    VariableRecord {
                        guid: guid.clone(),
                        kind: kind.clone(),
                        on_sources: false,
                        description,
                    },
                );
                self.variables.push((guid, name, kind));
            }
        }
        let mut cases = Vec::new();
        if let Some(list) = self.root.child("Cases") {
            for case in list.children_named("Case") {
                let guid = case.attr("guid").and_then(normalise_guid);
                if let Some(guid) = &guid {
                    self.case_guids.insert(guid.clone());
                }
                let values = self.read_values(case);
                let sources = case
                    .children_named("SourceRef")
                    .filter_map(|s| s.attr("targetGUID").and_then(normalise_guid))
                    .collect();
                let name = case
                    .attr("name")
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty());
                if let Some(d) = case
                    .child_text("Description")
                    .filter(|d| !d.trim().is_empty())
                {
                    self.descriptions.push((
                        format!("Case {}", name.as_deref().unwrap_or("(unnamed)")),
                        name.clone().map_or(Described::Unattached, Described::Case),
                        d.to_string(),
                    ));
                }
                if let (Some(name), Some(guid)) = (&name, guid) {
                    self.project.record.cases.insert(name.clone(), guid);
                }
                let coded = case.children_named("CodeRef").count()
                    + case.children_named("SelectionRef").count();
                if coded > 0 {
                    self.warnings.push(format!(
                        "case '{}': {coded} code/selection references not imported",
                        name.as_deref().unwrap_or("")
                    ));
                }
                cases.push(CaseData {
                    name,
                    values,
                    sources,
                });
            }
        }
        self.cases = cases;
    }

    pub(super) fn read_values(&mut self, parent: &Element) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for value in parent.children_named("VariableValue") {
            let Some(var) = value
                .child("VariableRef")
                .and_then(|r| r.attr("targetGUID"))
                .and_then(normalise_guid)
            else {
                continue;
            };
            let Some((_, name, _)) = self.variables.iter().find(|(g, _, _)| *g == var) else {
                self.warnings.push(format!(
                    "line {}: a value of undeclared variable {var} was not imported",
                    value.line
                ));
                continue;
            };
            let text = value
                .children
                .iter()
                .find(|c| c.name.ends_with("Value"))
                .map(|c| c.text.trim().to_string())
                .unwrap_or_default();
            if !text.is_empty() {
                out.push((name.clone(), text));
            }
        }
        out
    }

    pub(super) fn finish_attributes(&mut self) {
        let mut attributes = Attributes::default();
        attributes.columns.push("transcript".to_string());
        let by_guid: HashMap<String, String> = self.transcript_ids.clone();
        let mut rows: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut multi = BTreeSet::new();
        let mut has_participant = false;
        for case in &self.cases {
            for source in &case.sources {
                let Some(id) = by_guid.get(source) else {
                    continue;
                };
                let row = rows.entry(id.clone()).or_default();
                if let Some(name) = &case.name {
                    if row.contains_key("participant") {
                        multi.insert(id.clone());
                    } else {
                        row.insert("participant".to_string(), name.clone());
                        has_participant = true;
                    }
                }
                for (k, v) in &case.values {
                    row.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        for (id, values) in &self.source_values {
            let row = rows.entry(id.clone()).or_default();
            for (k, v) in values {
                row.insert(k.clone(), v.clone());
            }
        }
        if !multi.is_empty() {
            self.warnings.push(format!(
                "transcripts in several cases keep the first case as participant: {}",
                multi.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        if has_participant {
            attributes.columns.push("participant".to_string());
        }
        for (_, name, _) in &self.variables {
            if rows.values().any(|r| r.contains_key(name)) && !attributes.columns.contains(name) {
                attributes.columns.push(name.clone());
            }
        }
        let source_name = crate::study::SOURCE_NAME_COLUMN.to_string();
        if rows.values().any(|r| r.contains_key(&source_name)) {
            attributes.columns.push(source_name);
        }
        if rows.is_empty() {
            attributes.columns.clear();
        }
        attributes.rows = rows;
        self.project.attributes = attributes;
    }
}
