//! The one place an export reads the study: transcripts, codebooks, codings, memos and
//! attributes from [`Study`], and `coders.json` and `refi.json` from its folder. Everything else
//! in the export works on [`StudyData`].

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{Attributes, Code, Codebook, Segment, Transcript};
use crate::refi::guid::GuidSpace;
use crate::refi::record::RefiRecord;
use crate::refi::users::CoderTable;
use crate::refi::RefiError;
use crate::study::{LoadedCodebook, Memo, Study};

/// What an export needs of a study.
pub(super) struct StudyData<'s> {
    /// The study's name (`Project@name`).
    pub name: String,
    /// GUIDs of everything that has none of its own.
    pub space: GuidSpace,
    /// Transcripts, sorted by id (an export writes every one, so all are read).
    pub transcripts: Vec<Arc<Transcript>>,
    /// Codebooks holding at least one code, sorted by file.
    pub codebooks: Vec<&'s LoadedCodebook>,
    /// Each coder's segments, by coder id.
    pub codings: Vec<(&'s str, &'s [Segment])>,
    /// Memos.
    pub memos: &'s [Memo],
    /// Attributes.
    pub attributes: &'s Attributes,
    /// Coders' names and GUIDs.
    pub coders: CoderTable,
    /// What the study's import kept for the way back.
    pub record: RefiRecord,
    transcript_index: HashMap<String, usize>,
    code_index: HashMap<&'s str, (&'s Code, &'s Codebook)>,
}

impl<'s> StudyData<'s> {
    /// Gathers what an export needs from `study`.
    pub fn gather(study: &'s Study) -> Result<Self, RefiError> {
        let name = study.name();
        let transcripts = study.all_transcripts()?;
        let codebooks: Vec<&LoadedCodebook> = study
            .codebooks
            .iter()
            .filter(|c| !c.codebook.codes.is_empty())
            .collect();
        let codings = study.layers()?;
        let transcript_index = transcripts
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let code_index = codebooks
            .iter()
            .flat_map(|c| {
                c.codebook
                    .codes
                    .iter()
                    .map(move |code| (code.id.as_str(), (code, &c.codebook)))
            })
            .collect();
        Ok(StudyData {
            space: GuidSpace::for_study(&name),
            name,
            transcripts,
            codebooks,
            codings,
            memos: &study.memos,
            attributes: &study.attributes,
            coders: CoderTable::load(&study.root)?,
            record: RefiRecord::load(&study.root)?,
            transcript_index,
            code_index,
        })
    }

    /// The transcript with this id.
    pub fn transcript(&self, id: &str) -> Option<&Transcript> {
        self.transcript_index
            .get(id)
            .and_then(|&i| self.transcripts.get(i))
            .map(|t| t.as_ref())
    }

    /// The code with this id.
    pub fn code(&self, id: &str) -> Option<&'s Code> {
        self.code_index.get(id).map(|(c, _)| *c)
    }

    /// The GUID of a code: its id when that is one (kept from an import), else derived.
    pub fn code_guid(&self, id: &str) -> String {
        self.space.guid("code", id)
    }

    /// The GUID of a transcript's source: the one recorded at import, else derived.
    pub fn transcript_guid(&self, id: &str) -> String {
        self.record
            .sources
            .get(id)
            .and_then(|s| crate::refi::guid::normalise_guid(&s.guid))
            .unwrap_or_else(|| self.space.guid("transcript", id))
    }

    /// The GUID of a coder's user: the one in `coders.json`, else derived.
    pub fn coder_guid(&self, coder: &str) -> String {
        self.coders
            .get(coder)
            .and_then(|c| crate::refi::guid::normalise_guid(&c.guid))
            .unwrap_or_else(|| self.space.guid("coder", coder))
    }
}
