//! REFI-QDA users as thema coders.

use super::*;

impl Reader<'_> {
    /// The coder id of a user: the slug of the name (then of `id`), except that a name equal to
    /// its `id` and already a valid coder id (thema's own exports) is kept exactly.
    pub(super) fn coder_id(&self, name: &str, id_attr: Option<&str>) -> String {
        if id_attr == Some(name) && validate(name).is_ok() {
            return name.to_string();
        }
        for candidate in [Some(name), id_attr].into_iter().flatten() {
            let s: String = slug(candidate).chars().take(40).collect();
            let s = s.trim_end_matches('-').to_string();
            if !s.is_empty() && validate(&s).is_ok() {
                return s;
            }
        }
        IMPORTED_CODER.to_string()
    }

    /// Every user becomes a coder, also one who coded nothing; two users whose names give the
    /// same coder id get ids made unique (`anna`, `anna-2`), their names kept as written.
    pub(super) fn read_users(&mut self) {
        let Some(users) = self.root.child("Users") else {
            return;
        };
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for user in users.children_named("User") {
            let Some(guid) = user.attr("guid").and_then(normalise_guid) else {
                self.warnings.push(format!(
                    "line {}: user '{}' has no valid GUID; their codings go to '{IMPORTED_CODER}'",
                    user.line,
                    user.attr("name").unwrap_or("")
                ));
                continue;
            };
            if self.users.contains_key(&guid) {
                self.project.notes.push(format!(
                    "line {}: user {guid} is listed twice; read once",
                    user.line
                ));
                continue;
            }
            let name = user.attr("name").unwrap_or("").to_string();
            let base = self.coder_id(&name, user.attr("id"));
            let mut id = base.clone();
            let mut n = 2;
            while !taken.insert(id.clone()) {
                let suffix = format!("-{n}");
                let keep = 40usize.saturating_sub(suffix.len());
                id = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
                n += 1;
            }
            if id != base {
                self.project.notes.push(format!(
                    "user '{name}' is coder '{id}': '{base}' is another user's"
                ));
            }
            self.coders.push(ImportedCoder {
                id: id.clone(),
                name,
                guid: guid.clone(),
                initials: user
                    .attr("id")
                    .map(str::to_string)
                    .filter(|i| !i.is_empty()),
            });
            self.users.insert(guid, id);
        }
    }

    pub(super) fn user_of(&mut self, guid: Option<&str>, unknown: &mut usize) -> Option<String> {
        let guid = guid?;
        match normalise_guid(guid).and_then(|g| self.users.get(&g).cloned()) {
            Some(id) => Some(id),
            None => {
                *unknown += 1;
                None
            }
        }
    }
}
