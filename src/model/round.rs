//! Coding rounds: a named set of transcripts the coders coded independently between two
//! revisions of the codebook, so that agreement can be followed as the framework is refined.
//!
//! A round is plain data (stored as `rounds/NAME.json` by [`crate::study::rounds`]). Rounds can
//! also be inferred ([`infer_rounds`]) from when each transcript's coding began and when the
//! codebooks changed. This module does no I/O.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// One coding round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// Its name (also the file name): letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// When it started (RFC 3339); codebook changes up to this moment come before it.
    pub started: String,
    /// Who started it.
    #[serde(default)]
    pub by: String,
    /// The transcripts coded independently in it.
    pub transcripts: Vec<String>,
    /// What the round was for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A moment parsed from RFC 3339 (`2024-06-13T15:02:00+01:00`), or a bare date taken as the
/// start of that day in UTC. `None` when it is neither.
pub fn moment(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .or_else(|| OffsetDateTime::parse(&format!("{text}T00:00:00Z"), &Rfc3339).ok())
}

/// Infers rounds from `(transcript, when its coding began)` and the moments the codebooks
/// changed: transcripts in order of coding, a new round wherever a codebook change falls
/// between two of them. Rounds are named `round-1`, `round-2`, ...; a round starts when its
/// first transcript's coding began. Transcripts whose time does not parse are left out.
///
/// When coding "began" is the caller's choice; thema takes the earliest segment any compared
/// coder made in the transcript (a transcript belongs to the round in which its coding began).
pub fn infer_rounds(coded: &[(String, String)], changes: &[String]) -> Vec<Round> {
    let mut times: Vec<(OffsetDateTime, &str, &str)> = coded
        .iter()
        .filter_map(|(t, at)| moment(at).map(|m| (m, t.as_str(), at.as_str())))
        .collect();
    times.sort();
    let mut revisions: Vec<OffsetDateTime> = changes.iter().filter_map(|c| moment(c)).collect();
    revisions.sort();
    let mut rounds: Vec<Round> = Vec::new();
    let mut previous: Option<OffsetDateTime> = None;
    for (when, transcript, at) in times {
        let revised = previous.is_some_and(|p| {
            let after = revisions.partition_point(|r| *r <= p);
            revisions.get(after).is_some_and(|r| *r <= when)
        });
        if rounds.is_empty() || revised {
            rounds.push(Round {
                name: format!("round-{}", rounds.len() + 1),
                started: at.to_string(),
                by: String::new(),
                transcripts: Vec::new(),
                note: None,
            });
        }
        if let Some(r) = rounds.last_mut() {
            r.transcripts.push(transcript.to_string());
        }
        previous = Some(when);
    }
    for r in &mut rounds {
        r.transcripts.sort();
    }
    rounds
}

/// Whether `at` falls after round `previous` started and no later than round `next` started
/// (the codebook changes shown between them). `previous: None` means "from the beginning".
pub fn between(at: &str, previous: Option<&Round>, next: &Round) -> bool {
    let (Some(at), Some(end)) = (moment(at), moment(&next.started)) else {
        return false;
    };
    let after_start = match previous {
        Some(p) => moment(&p.started).is_some_and(|s| at > s),
        None => true,
    };
    after_start && at <= end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coded(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(t, a)| (t.to_string(), a.to_string()))
            .collect()
    }

    #[test]
    fn a_codebook_change_between_two_transcripts_starts_a_round() {
        let rounds = infer_rounds(
            &coded(&[
                ("B", "2024-05-10T10:00:00+01:00"),
                ("A", "2024-05-09T10:00:00Z"),
                ("C", "2024-06-20T09:00:00Z"),
                ("D", "2024-06-21T09:00:00Z"),
                ("X", "not a time"),
            ]),
            &[
                "2024-05-01T00:00:00Z".to_string(),
                "2024-06-13T15:00:00+01:00".to_string(),
            ],
        );
        assert_eq!(rounds.len(), 2);
        assert_eq!(rounds[0].name, "round-1");
        assert_eq!(rounds[0].transcripts, ["A", "B"]);
        assert_eq!(rounds[0].started, "2024-05-09T10:00:00Z");
        assert_eq!(rounds[1].transcripts, ["C", "D"]);
        assert!(between(
            "2024-06-13T15:00:00+01:00",
            Some(&rounds[0]),
            &rounds[1]
        ));
        assert!(!between(
            "2024-05-01T00:00:00Z",
            Some(&rounds[0]),
            &rounds[1]
        ));
        assert!(between("2024-05-01T00:00:00Z", None, &rounds[0]));
    }

    #[test]
    fn offsets_are_compared_as_moments_not_strings() {
        // 10:30+01:00 is 09:30Z: before the change at 10:00Z, so no new round
        let rounds = infer_rounds(
            &coded(&[
                ("A", "2024-05-09T09:00:00Z"),
                ("B", "2024-05-09T10:30:00+01:00"),
            ]),
            &["2024-05-09T10:00:00Z".to_string()],
        );
        assert_eq!(rounds.len(), 1);
        assert_eq!(moment("2024-05-09"), moment("2024-05-09T00:00:00Z"));
    }
}
