//! Retrieval for constant comparison: a tantivy index of every speaker turn and every coded
//! segment, kept in `STUDY/.thema/index`, refreshed incrementally from the study in memory.
//!
//! Derived data only: deleting the folder loses nothing, the next [`Index::open`] rebuilds it.
//! A manifest of content fingerprints (`manifest.json`) tells a refresh what changed: an edited
//! transcript re-indexes that transcript; a new coding re-indexes that coder's segments of that
//! transcript; a renamed or moved code re-indexes the segments of the codes whose path changed;
//! a new schema version, stemming language or set of attribute columns rebuilds everything.
//!
//! **Documents.** `kind:turn` — one per paragraph (speaker turns and notes), its speech without
//! the label; `kind:segment` — one per coded segment, its coded text. Both carry `transcript`,
//! `speaker` (for a segment: of the turn where it starts), `turn` and offsets. Segments also
//! carry `coder`, `code` and `segment` (its id). The speech is indexed once, each word
//! lowercased as written; `words.tsv` groups the indexed words by stem.
//!
//! **Queries.** tantivy's query language with `text` as the default field and AND between words
//! unless `OR` is written: `bus AND (late OR cancelled)`, `"bus stop"`, `trans*`, `-kind:turn`,
//! `speaker:LW7`, `coder:r1`, `transcript:LW7-y1`, `turn:[1 TO 5]`. A `text:` word is stemmed
//! and searches every indexed word with that stem (`buses` finds `bus`, `buses`, `bused`); in a
//! phrase, each place may hold any of them. `exact:buses` and `exact:"the buses"` search words as
//! written. Attribute columns are named by lowercased name (`role:volunteer`,
//! `wave:"first year"`, `role:vol*`, `wave:IN ["first year" "second year"]`, `order:[1 TO 10]`,
//! numbers compared as numbers; characters other than letters, digits, `_` and `-` become `_`:
//! `Age group` → `age_group`); they are not indexed but answered from the study's attribute
//! table, as the set of transcripts whose row matches. Labels and attribute values match whole
//! and case-insensitively. A column whose field name would be a built-in field (`speaker`,
//! `code`, ...) cannot be queried. Boosts (`word^2`) are accepted and ignored.
//!
//! **Codes are facets.** A segment's `code` is the path of its code's names from the theme
//! down, each name lowercased with every run of characters other than letters and digits
//! turned into `-`: `Challenges to service delivery/Transport` →
//! `/challenges-to-service-delivery/transport`. `code:` accepts such a path, a path of names as
//! written (`code:"Challenges to service delivery/Transport"`, case-insensitive), a code id
//! (`code:c4k9x2p`), or a bare name only one code has (`code:transport`); it matches the code
//! **and all its descendants**. Since the facet carries names, renaming or moving a code
//! re-indexes its segments.
//!
//! This module owns the index folder; it reads the study and never writes study files.

mod build;
mod compile;
mod directory;
mod manifest;
mod query;
mod schema;
mod snippet;
mod vocabulary;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, MoreLikeThisQuery, Occur, Query, QueryParser, QueryParserError, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, TantivyDocument, Value};
use tantivy::tokenizer::Language;
use tantivy::{DocAddress, IndexReader, IndexSettings, ReloadPolicy, Searcher, Term};

use crate::index::build::{tantivy, Documents};
use crate::index::compile::{transcripts_where, Compiler};
use crate::index::directory::IndexFolder;
use crate::index::manifest::{load_quick, quick_print, save_quick, Manifest};
use crate::index::schema::{
    attribute_fields, code_facets, facet_of, normalise_code_path, register_analysers,
    stemmed_analyser, stemming_language, words_analyser, Fields,
};
use crate::index::snippet::{Highlighter, Stems, STOP_WORDS};
use crate::index::vocabulary::Vocabulary;
use crate::study::layer_file::LayerFile;
use crate::study::{Study, StudyError};

pub use schema::{attribute_field_name, code_facet, SCHEMA_VERSION};
pub use snippet::Snippet;

/// The index folder inside a study.
pub const INDEX_DIR: &str = ".thema/index";
/// A full build of at least this many documents shows a progress bar (when asked, on a terminal).
const PROGRESS_THRESHOLD: u64 = 20_000;

/// Errors of the index. Query errors are one line that says what would work.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The query is empty.
    #[error("empty query: type words to find, e.g. transport, \"bus stop\", code:/challenges, speaker:LW7")]
    EmptyQuery,
    /// A `"` opens a phrase that never closes.
    #[error("unbalanced quotes in the query: every \" that opens a phrase needs a closing \"")]
    UnbalancedQuotes,
    /// `name:` with a name that is not a field.
    #[error("unknown field '{field}' in the query; fields are: {fields}")]
    UnknownField {
        /// The name as written.
        field: String,
        /// Every valid field, comma-separated.
        fields: String,
    },
    /// `code:` with something that is neither a code path nor a code id.
    #[error("no code '{0}': give a path of names (code:/challenges/transport or code:\"Challenges/Transport\") or a code id; `thema codebook list` shows them")]
    UnknownCode(String),
    /// Any other query the parser cannot read or run.
    #[error("{0}")]
    BadQuery(String),
    /// `similar` was given an id that no coder has.
    #[error("no segment '{0}' (`thema segments` lists ids)")]
    UnknownSegment(String),
    /// Another process is writing the index.
    #[error("{}: another thema process is updating the search index; try again in a moment", .0.display())]
    Busy(PathBuf),
    /// A file or folder of the index could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// tantivy failed on the index folder.
    #[error("search index {}: {source} (delete the folder to rebuild it)", .path.display())]
    Tantivy {
        /// The index folder.
        path: PathBuf,
        /// What failed.
        source: tantivy::TantivyError,
    },
    /// Writing the manifest failed.
    #[error(transparent)]
    Study(#[from] StudyError),
}

impl IndexError {
    /// Whether the error is the user's query (a usage error) rather than a failure.
    pub fn is_query_error(&self) -> bool {
        matches!(
            self,
            IndexError::EmptyQuery
                | IndexError::UnbalancedQuotes
                | IndexError::UnknownField { .. }
                | IndexError::UnknownCode(_)
                | IndexError::BadQuery(_)
                | IndexError::UnknownSegment(_)
        )
    }
}

/// What opening the index changed, for `thema index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Refresh {
    /// Whether the whole index was built anew.
    pub rebuilt: bool,
    /// Transcripts re-indexed (all of them in a rebuild).
    pub transcripts: usize,
    /// Coders whose segments were re-indexed (all of them in a rebuild).
    pub coders: usize,
    /// Documents written.
    pub docs: usize,
}

/// Search results: how many documents match and the best of them.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SearchResults {
    /// Every matching turn and segment.
    pub total: usize,
    /// The best matches, best first.
    pub hits: Vec<Hit>,
}

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HitKind {
    /// A speaker turn (or a note paragraph).
    Turn,
    /// A coded segment.
    Segment,
}

/// One turn or segment found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Turn or segment.
    pub kind: HitKind,
    /// Transcript id.
    pub transcript: String,
    /// 1-based paragraph number (for a segment: where it starts).
    pub turn: usize,
    /// Code-point offset where the turn's speech or the segment starts.
    pub start: usize,
    /// Code-point offset where it ends (exclusive).
    pub end: usize,
    /// Speaker label, if the paragraph has one.
    pub speaker: Option<String>,
    /// Coder of a segment.
    pub coder: Option<String>,
    /// Code id of a segment.
    pub code: Option<String>,
    /// Segment id.
    pub segment: Option<String>,
    /// Relevance (0 for plain retrieval).
    pub score: f32,
    /// The text around what matched.
    pub snippet: Snippet,
    /// The whole text of the turn or segment.
    #[serde(skip)]
    pub text: String,
    /// A segment's memo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// A segment's flag (`unanchored`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// The quote an unanchored segment keeps (its text no longer is at its offsets).
    #[serde(skip)]
    pub quote: Option<String>,
}

/// One turn a query matched, for auto-coding ([`Index::turn_matches`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnMatch {
    /// Transcript id.
    pub transcript: String,
    /// Turn number.
    pub turn: usize,
    /// Code-point offset where the turn's speech starts.
    pub start: usize,
    /// Code-point offset where it ends (exclusive).
    pub end: usize,
    /// Code-point ranges of the words the query matched, in order; empty when the query
    /// names no words (only fields such as `speaker:` or an attribute).
    pub words: Vec<(usize, usize)>,
}

/// Whose segments a search shows (turns are always shown): the named coders' and the segments
/// with these ids (a consensus view's).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SegmentsOf {
    /// Coders whose every segment is shown.
    pub coders: Vec<String>,
    /// Segments shown whoever coded them.
    pub ids: Vec<String>,
}

/// Which coded segments to retrieve: all conditions must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SegmentQuery {
    /// A code path (names or slugs) or id; its descendants are included unless `exact`.
    pub codes: Option<String>,
    /// Only the code itself, not its descendants.
    #[serde(default)]
    pub exact: bool,
    /// Only this coder.
    pub coder: Option<String>,
    /// Only these coders (in addition to `coder`, when both are given).
    #[serde(default)]
    pub coders: Vec<String>,
    /// Only this transcript.
    #[serde(default)]
    pub transcript: Option<String>,
    /// Attribute equalities (column, value), case-insensitive; `transcript` and `speaker` work too.
    pub attributes: Vec<(String, String)>,
}

/// The search index of a study.
pub struct Index {
    dir: PathBuf,
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    parser: QueryParser,
    /// Facet path of every code at open time, by id.
    facets: HashMap<String, String>,
    /// Every facet path (for resolving `code:` paths).
    paths: HashSet<String>,
    stems: Mutex<Stems>,
    language: Option<Language>,
    /// The indexed words by stem, read on the first query that needs it.
    vocabulary: Mutex<Option<Arc<Vocabulary>>>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("dir", &self.dir).finish()
    }
}

/// What the study looks like to the index.
struct Plan {
    dir: PathBuf,
    language: Option<Language>,
    columns: Vec<String>,
    facets: HashMap<String, String>,
    language_key: String,
    /// [`quick_print`] of the study, when every coder file's stamp is settled.
    quick: Option<String>,
}

impl Plan {
    fn of(study: &Study) -> Plan {
        let dir = study.root.join(INDEX_DIR);
        let language = stemming_language(&study.settings.language);
        let columns: Vec<String> = attribute_fields(&study.attributes.columns)
            .into_iter()
            .map(|(_, column)| column)
            .collect();
        let facets = code_facets(study.codebooks.iter().map(|c| &c.codebook));
        let language_key = match language {
            Some(lang) => format!("{lang:?}"),
            None => "none".to_string(),
        };
        let quick = quick_print(study, &language_key, &columns, &facets);
        Plan {
            dir,
            language,
            columns,
            facets,
            language_key,
            quick,
        }
    }

    /// The full manifest of the study (reading coder files whose stamp changed since `old`).
    fn manifest(
        &self,
        study: &Study,
        old: Option<&Manifest>,
        files: Option<&mut HashMap<String, LayerFile>>,
    ) -> Result<Manifest, IndexError> {
        Manifest::of(
            study,
            &self.language_key,
            &self.columns,
            &self.facets,
            old,
            files,
        )
    }
}

impl Index {
    /// Opens the study's index, building it if it is missing, unreadable or of another schema,
    /// and otherwise re-indexing only what changed since it was last refreshed.
    /// `progress` allows a progress bar on stderr for a large build.
    pub fn open(study: &Study, progress: bool) -> Result<(Index, Refresh), IndexError> {
        let _serialised = crate::study::lock::lock_index(&study.root)?;
        let plan = Plan::of(study);
        // nothing changed since the last refresh: open without reading the manifest
        if plan.quick.is_some() && load_quick(&plan.dir) == plan.quick {
            if let Some(index) = Index::open_existing(&plan) {
                let (schema, parser_schema, fields) = Fields::build(&plan.columns);
                if index.schema() == schema {
                    register_analysers(&index);
                    let opened = Index::assemble(index, parser_schema, fields, plan)?;
                    return Ok((opened, Refresh::default()));
                }
            }
        }
        let mut files = HashMap::new();
        if let Some(old) = Manifest::load(&plan.dir) {
            let manifest = plan.manifest(study, Some(&old), Some(&mut files))?;
            if old.compatible(&manifest) {
                if let Some(index) = Index::open_existing(&plan) {
                    let (schema, parser_schema, fields) = Fields::build(&plan.columns);
                    if index.schema() == schema {
                        register_analysers(&index);
                        let changes = old.changes(&manifest);
                        let mut refresh = Refresh::default();
                        if !changes.is_empty() {
                            let before = index.reader().map_err(tantivy(&plan.dir))?.searcher();
                            let writer = build::refresh_writer(&index, &plan.dir)?;
                            let docs = Documents::new(study, &fields, &plan.facets);
                            let mut words = HashSet::new();
                            let mut analyser = words_analyser();
                            refresh.docs = docs.apply(
                                &writer,
                                &changes,
                                &mut files,
                                &plan.dir,
                                &mut |text| {
                                    analyser.token_stream(text).process(&mut |t| {
                                        if !words.contains(&t.text) {
                                            words.insert(t.text.clone());
                                        }
                                    })
                                },
                            )?;
                            commit(writer, &plan.dir)?;
                            let known = |word: &str| holds_word(&before, fields.text, word);
                            Vocabulary::append_new(&plan.dir, &words, &known, plan.language)?;
                            refresh.transcripts = changes.transcripts.len();
                            refresh.coders = changes.coders(&manifest).len();
                        }
                        if old != manifest {
                            manifest.save(&plan.dir)?;
                        }
                        save_quick(&plan.dir, plan.quick.as_deref())?;
                        let opened = Index::assemble(index, parser_schema, fields, plan)?;
                        return Ok((opened, refresh));
                    }
                }
            }
        }
        let (index, docs) = Index::build(study, plan, progress)?;
        let refresh = Refresh {
            rebuilt: true,
            transcripts: study.transcripts().len(),
            coders: study.coders().len(),
            docs,
        };
        Ok((index, refresh))
    }

    /// The tantivy index in the folder, if it opens.
    fn open_existing(plan: &Plan) -> Option<tantivy::Index> {
        IndexFolder::open(&plan.dir)
            .and_then(tantivy::Index::open)
            .ok()
    }

    /// Builds the index anew from the study, whatever is on disk.
    pub fn rebuild(study: &Study, progress: bool) -> Result<Index, IndexError> {
        let _serialised = crate::study::lock::lock_index(&study.root)?;
        Index::build(study, Plan::of(study), progress).map(|(index, _)| index)
    }

    fn build(study: &Study, plan: Plan, progress: bool) -> Result<(Index, usize), IndexError> {
        // fingerprinted before reading anything to index: a file that changes meanwhile is
        // indexed newer than the manifest says, and the next open refreshes it
        let manifest = plan.manifest(study, None, None)?;
        let dir = plan.dir.clone();
        let io = |source| IndexError::Io {
            path: dir.clone(),
            source,
        };
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io)?;
        }
        std::fs::create_dir_all(&dir).map_err(io)?;
        let (schema, parser_schema, fields) = Fields::build(&plan.columns);
        let settings = IndexSettings {
            docstore_compression: tantivy::store::Compressor::Lz4,
            docstore_blocksize: 4096,
            ..IndexSettings::default()
        };
        let folder = IndexFolder::open(&dir).map_err(tantivy(&dir))?;
        let index = tantivy::Index::create(folder, schema, settings).map_err(tantivy(&dir))?;
        register_analysers(&index);
        let writer = build::build_writer(&index, &dir)?;
        let docs = Documents::new(study, &fields, &plan.facets);
        let total = docs.count();
        let bar = if progress && total >= PROGRESS_THRESHOLD && std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "indexing {bar:40} {pos}/{len} documents ({eta})",
            ) {
                bar.set_style(style);
            }
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        let added = docs.add_all(&writer, &dir, &|n| bar.set_position(n))?;
        commit(writer, &dir)?;
        bar.finish_and_clear();
        let searcher = index.reader().map_err(tantivy(&dir))?.searcher();
        let vocabulary = Vocabulary::rebuild(&searcher, fields.text, plan.language, &dir)?;
        // the manifest comes last: an index without it is rebuilt on the next open
        manifest.save(&dir)?;
        save_quick(&dir, plan.quick.as_deref())?;
        let opened = Index::assemble(index, parser_schema, fields, plan)?;
        *opened.lock_vocabulary() = Some(Arc::new(vocabulary));
        Ok((opened, added))
    }

    fn assemble(
        index: tantivy::Index,
        parser_schema: tantivy::schema::Schema,
        fields: Fields,
        plan: Plan,
    ) -> Result<Index, IndexError> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy(&plan.dir))?;
        let mut parser =
            QueryParser::new(parser_schema, vec![fields.text], index.tokenizers().clone());
        parser.set_conjunction_by_default();
        let paths = plan.facets.values().cloned().collect();
        Ok(Index {
            dir: plan.dir,
            index,
            reader,
            fields,
            parser,
            facets: plan.facets,
            paths,
            stems: Mutex::new(Stems::new(plan.language)),
            language: plan.language,
            vocabulary: Mutex::new(None),
        })
    }

    fn lock_vocabulary(&self) -> std::sync::MutexGuard<'_, Option<Arc<Vocabulary>>> {
        self.vocabulary
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The indexed words by stem: read from the index folder once, or rebuilt from the index
    /// when the file is missing.
    fn vocabulary(&self) -> Result<Arc<Vocabulary>, IndexError> {
        let mut slot = self.lock_vocabulary();
        if let Some(vocabulary) = slot.as_ref() {
            return Ok(Arc::clone(vocabulary));
        }
        let vocabulary = match Vocabulary::load(&self.dir)? {
            Some(vocabulary) => vocabulary,
            None => Vocabulary::rebuild(
                &self.reader.searcher(),
                self.fields.text,
                self.language,
                &self.dir,
            )?,
        };
        let vocabulary = Arc::new(vocabulary);
        *slot = Some(Arc::clone(&vocabulary));
        Ok(vocabulary)
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every field name a query may use, built-in fields first, then attribute columns.
    pub fn query_fields(&self) -> Vec<String> {
        self.fields.query_names()
    }

    /// Documents in the index (turns and segments).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Full-text search over turns and segments: `total` counts every match, `hits` holds the
    /// best `limit`, each with a snippet around the matched words.
    pub fn search(
        &self,
        study: &Study,
        query: &str,
        limit: usize,
    ) -> Result<SearchResults, IndexError> {
        self.search_in(study, query, limit, None)
    }

    /// [`Index::search`], showing only turns and the segments `only` names (every segment
    /// when `None`).
    pub fn search_in(
        &self,
        study: &Study,
        query: &str,
        limit: usize,
        only: Option<&SegmentsOf>,
    ) -> Result<SearchResults, IndexError> {
        let (mut parsed, highlighter) = self.prepare(study, query)?;
        if let Some(only) = only {
            parsed = Box::new(BooleanQuery::new(vec![
                (Occur::Must, parsed),
                (Occur::Must, self.segments_of(only)?),
            ]));
        }
        let searcher = self.reader.searcher();
        // tantivy reserves room for twice the limit, so never ask for more than there is
        let limit = limit.min(usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX));
        let fail = |e| self.query_failure(query, e);
        // a single word counts from its document frequency and finds its best documents by
        // skipping whole blocks, so two passes are cheapest; anything else is one pass
        let (total, top) = if limit == 0 {
            (parsed.count(&searcher).map_err(fail)?, Vec::new())
        } else if parsed.downcast_ref::<TermQuery>().is_some() {
            let total = parsed.count(&searcher).map_err(fail)?;
            let top = searcher
                .search(&parsed, &TopDocs::with_limit(limit))
                .map_err(fail)?;
            (total, top)
        } else {
            searcher
                .search(&parsed, &(Count, TopDocs::with_limit(limit)))
                .map_err(fail)?
        };
        let mut passages = Passages::new(study);
        let hits = top
            .into_iter()
            .map(|(score, address)| {
                self.hit(&mut passages, &searcher, address, score, &highlighter)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchResults { total, hits })
    }

    /// Every turn (not segment) a query matches, in transcript order, with the words it
    /// matched: what auto-coding codes. Unlike [`Index::search`] there is no limit.
    pub fn turn_matches(&self, study: &Study, query: &str) -> Result<Vec<TurnMatch>, IndexError> {
        let (parsed, highlighter) = self.prepare(study, query)?;
        let turns = BooleanQuery::new(vec![
            (Occur::Must, parsed),
            (Occur::Must, self.label_query(self.fields.kind, "turn")?),
        ]);
        let searcher = self.reader.searcher();
        let found = searcher
            .search(&turns, &DocSetCollector)
            .map_err(|e| self.query_failure(query, e))?;
        let mut passages = Passages::new(study);
        let mut out = Vec::with_capacity(found.len());
        for address in found {
            let hit = self.hit(&mut passages, &searcher, address, 0.0, &highlighter)?;
            let mut chars = hit.start;
            let mut seen = 0;
            let mut at = |byte: usize| {
                let byte = crate::model::text::floor_char_boundary(&hit.text, byte);
                chars += hit.text[seen.min(byte)..byte].chars().count();
                seen = seen.max(byte);
                chars
            };
            let words = highlighter
                .marks(&hit.text)
                .into_iter()
                .map(|(a, b)| (at(a), at(b)))
                .collect();
            out.push(TurnMatch {
                transcript: hit.transcript,
                turn: hit.turn,
                start: hit.start,
                end: hit.end,
                words,
            });
        }
        out.sort_by(|a, b| (&a.transcript, a.start).cmp(&(&b.transcript, b.start)));
        Ok(out)
    }

    /// A query as tantivy runs it, and the highlighter that marks the words it matched.
    fn prepare(
        &self,
        study: &Study,
        query: &str,
    ) -> Result<(Box<dyn Query>, Highlighter<'_>), IndexError> {
        let names = self.fields.query_names();
        let rewritten = query::rewrite(query, &names, &|value| self.resolve_code(value))?;
        let syntax = tantivy::query_grammar::parse_query(&rewritten).map_err(|_| {
            query::explain(
                QueryParserError::SyntaxError(rewritten.clone()),
                query,
                &names,
            )
        })?;
        let vocabulary = self.vocabulary()?;
        let compiler = Compiler::new(
            &self.fields,
            &vocabulary,
            study,
            stemmed_analyser(self.language),
            words_analyser(),
            self.language == Some(Language::English),
        );
        let (syntax, mut compiled) = compiler.compile(syntax)?;
        let built = self
            .parser
            .build_query_from_user_input_ast(syntax)
            .map_err(|e| query::explain(e, query, &names))?;
        let parsed = compiled.substitute(built.as_ref());
        let highlighter = Highlighter::new(compiled.stemmed, compiled.exact, &self.stems)
            .with_prefixes(compiled.prefixes);
        Ok((parsed, highlighter))
    }

    /// The coder and code of a segment, from its document.
    pub fn segment_owner(
        &self,
        study: &Study,
        segment_id: &str,
    ) -> Result<Option<(String, String)>, IndexError> {
        let searcher = self.reader.searcher();
        let mut passages = Passages::new(study);
        Ok(self
            .segment_hit(&mut passages, &searcher, segment_id)?
            .and_then(|hit| Some((hit.coder?, hit.code?))))
    }

    /// The document of the segment with this id.
    fn segment_hit(
        &self,
        passages: &mut Passages<'_>,
        searcher: &Searcher,
        segment_id: &str,
    ) -> Result<Option<Hit>, IndexError> {
        let plain = Highlighter::new(HashSet::new(), HashSet::new(), &self.stems);
        let found = searcher
            .search(
                self.label_query(self.fields.segment, segment_id)?.as_ref(),
                &TopDocs::with_limit(16),
            )
            .map_err(tantivy(&self.dir))?;
        for (_, address) in found {
            let hit = self.hit(passages, searcher, address, 0.0, &plain)?;
            if hit.segment.as_deref() == Some(segment_id) {
                return Ok(Some(hit));
            }
        }
        Ok(None)
    }

    /// Turns most like a coded segment (more-like-this on its words), leaving out every turn that
    /// the segment's coder already coded with the segment's code.
    pub fn similar(
        &self,
        study: &Study,
        segment_id: &str,
        limit: usize,
    ) -> Result<Vec<Hit>, IndexError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let mut passages = Passages::new(study);
        let segment = self
            .segment_hit(&mut passages, &searcher, segment_id)?
            .ok_or_else(|| IndexError::UnknownSegment(segment_id.to_string()))?;
        if limit == 0 || segment.text.is_empty() {
            return Ok(Vec::new());
        }
        let (Some(coder), Some(code)) = (segment.coder.as_deref(), segment.code.as_deref()) else {
            return Ok(Vec::new());
        };
        // every turn this coder already coded with this code
        let same = BooleanQuery::new(vec![
            (Occur::Must, self.label_query(f.coder, coder)?),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.code_id, code),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
        ]);
        let coded = searcher
            .search(&same, &DocSetCollector)
            .map_err(tantivy(&self.dir))?;
        let mut excluded: HashSet<(String, usize)> = HashSet::new();
        for address in coded {
            let doc: TantivyDocument = searcher.doc(address).map_err(tantivy(&self.dir))?;
            let number = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_u64())
                    .map_or(0, |n| n as usize)
            };
            let transcript = doc
                .get_first(f.transcript)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let first = number(f.turn);
            for turn in first..=number(f.last_turn).max(first) {
                excluded.insert((transcript.clone(), turn));
            }
        }
        let text = segment.text;
        let stop = self.stop_words();
        let terms = self.terms_of(&text, &stop);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let like = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_min_term_frequency(1)
            .with_max_query_terms(25)
            .with_min_word_length(2)
            .with_stop_words(stop.into_iter().collect())
            .with_document_fields(vec![(self.fields.text, vec![OwnedValue::Str(text)])]);
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(like) as Box<dyn Query>),
            (Occur::Must, self.label_query(self.fields.kind, "turn")?),
        ]);
        let wanted = limit
            .saturating_add(excluded.len())
            .min(usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX));
        if wanted == 0 {
            return Ok(Vec::new());
        }
        let top = searcher
            .search(&query, &TopDocs::with_limit(wanted))
            .map_err(tantivy(&self.dir))?;
        let highlighter = Highlighter::new(terms, HashSet::new(), &self.stems);
        let mut hits = Vec::new();
        for (score, address) in top {
            let hit = self.hit(&mut passages, &searcher, address, score, &highlighter)?;
            if excluded.contains(&(hit.transcript.clone(), hit.turn)) {
                continue;
            }
            hits.push(hit);
            if hits.len() == limit {
                break;
            }
        }
        Ok(hits)
    }

    /// Every coded segment that matches the filter, in transcript order (then start, end,
    /// coder): the retrieval behind constant comparison.
    pub fn segments(&self, study: &Study, filter: &SegmentQuery) -> Result<Vec<Hit>, IndexError> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, self.label_query(f.kind, "segment")?)];
        if let Some(code) = filter.codes.as_deref().filter(|c| !c.trim().is_empty()) {
            let query: Box<dyn Query> = match self.code_id(code) {
                Some(id) if filter.exact => Box::new(TermQuery::new(
                    Term::from_field_text(f.code_id, &id),
                    IndexRecordOption::Basic,
                )),
                _ => {
                    let path = self.resolve_code(code)?;
                    if filter.exact {
                        return Err(IndexError::UnknownCode(code.to_string()));
                    }
                    Box::new(TermQuery::new(
                        Term::from_facet(f.code, &facet_of(&path)),
                        IndexRecordOption::Basic,
                    ))
                }
            };
            clauses.push((Occur::Must, query));
        }
        if let Some(coder) = filter.coder.as_deref() {
            clauses.push((Occur::Must, self.label_query(f.coder, coder)?));
        }
        if !filter.coders.is_empty() {
            let mut any = Vec::new();
            for coder in &filter.coders {
                any.push((Occur::Should, self.label_query(f.coder, coder)?));
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if let Some(transcript) = filter.transcript.as_deref() {
            clauses.push((Occur::Must, self.label_query(f.transcript, transcript)?));
        }
        for (column, value) in &filter.attributes {
            let query = match self.attribute_field(column)? {
                Filter::Label(field) => self.label_query(field, value)?,
                Filter::Column(column) => {
                    let value = value.trim().to_lowercase();
                    transcripts_where(study, &self.fields, &column, &|v| v == value)
                }
            };
            clauses.push((Occur::Must, query));
        }
        let searcher = self.reader.searcher();
        let found = searcher
            .search(&BooleanQuery::new(clauses), &DocSetCollector)
            .map_err(tantivy(&self.dir))?;
        let mut addresses: Vec<DocAddress> = found.into_iter().collect();
        addresses.sort();
        let highlighter = Highlighter::new(HashSet::new(), HashSet::new(), &self.stems);
        let mut passages = Passages::new(study);
        let mut hits = addresses
            .into_iter()
            .map(|address| self.hit(&mut passages, &searcher, address, 0.0, &highlighter))
            .collect::<Result<Vec<_>, _>>()?;
        hits.sort_by(|a, b| {
            (&a.transcript, a.start, a.end, &a.coder, &a.segment).cmp(&(
                &b.transcript,
                b.start,
                b.end,
                &b.coder,
                &b.segment,
            ))
        });
        Ok(hits)
    }

    /// The facet path a `code:` value names: a code id, or a path of names or slugs.
    fn resolve_code(&self, value: &str) -> Result<String, IndexError> {
        let value = value.trim();
        if let Some(path) = self.facets.get(value) {
            return Ok(path.clone());
        }
        let path = normalise_code_path(value);
        if self.paths.contains(&path) {
            return Ok(path);
        }
        if let Some(path) = self.facets.get(&value.to_lowercase()) {
            return Ok(path.clone());
        }
        // a bare name (`code:transport`) names the one code of that name, wherever it sits
        if !path.is_empty() && path.matches('/').count() == 1 {
            let mut found: Vec<&String> =
                self.paths.iter().filter(|p| p.ends_with(&path)).collect();
            found.sort();
            match found.as_slice() {
                [one] => return Ok((*one).clone()),
                [] => {}
                several => {
                    let list: Vec<String> = several.iter().take(5).map(|p| p.to_string()).collect();
                    return Err(IndexError::BadQuery(format!(
                        "code:{value} names {} codes ({}); give the whole path",
                        several.len(),
                        list.join(", ")
                    )));
                }
            }
        }
        Err(IndexError::UnknownCode(value.to_string()))
    }

    /// How retrieval filters on an attribute column (or `transcript`, `speaker`).
    fn attribute_field(&self, column: &str) -> Result<Filter, IndexError> {
        let name = attribute_field_name(column);
        match name.as_str() {
            "transcript" => return Ok(Filter::Label(self.fields.transcript)),
            "speaker" => return Ok(Filter::Label(self.fields.speaker)),
            _ => {}
        }
        self.fields
            .attributes
            .get(&name)
            .map(|column| Filter::Column(column.clone()))
            .ok_or_else(|| {
                let mut valid: Vec<&str> = vec!["transcript", "speaker"];
                valid.extend(self.fields.attributes.keys().map(String::as_str));
                IndexError::UnknownField {
                    field: column.to_string(),
                    fields: valid.join(", "),
                }
            })
    }

    /// A query for a whole label value (speaker, coder, kind, attribute), as the field's
    /// analyser would index it.
    /// Turns, and the segments `only` names.
    fn segments_of(&self, only: &SegmentsOf) -> Result<Box<dyn Query>, IndexError> {
        let f = &self.fields;
        let mut any: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Should, self.label_query(f.kind, "turn")?)];
        for (field, values) in [(f.coder, &only.coders), (f.segment, &only.ids)] {
            if values.is_empty() {
                continue;
            }
            let terms = values
                .iter()
                .map(|v| self.label_term(field, v))
                .collect::<Result<Vec<_>, _>>()?;
            any.push((Occur::Should, Box::new(TermSetQuery::new(terms))));
        }
        Ok(Box::new(BooleanQuery::new(any)))
    }

    /// The term a label field holds for `value` (as its analyser folds it).
    fn label_term(&self, field: Field, value: &str) -> Result<Term, IndexError> {
        let mut analyser = self
            .index
            .tokenizer_for_field(field)
            .map_err(tantivy(&self.dir))?;
        let mut stream = analyser.token_stream(value.trim());
        let token = if stream.advance() {
            stream.token().text.clone()
        } else {
            String::new()
        };
        Ok(Term::from_field_text(field, &token))
    }

    fn label_query(&self, field: Field, value: &str) -> Result<Box<dyn Query>, IndexError> {
        Ok(Box::new(TermQuery::new(
            self.label_term(field, value)?,
            IndexRecordOption::Basic,
        )))
    }

    /// Stop words in both written and stemmed form (more-like-this compares stems).
    fn stop_words(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut stems = self
            .stems
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for word in STOP_WORDS {
            out.insert(word.to_string());
            out.insert(stems.stem(word));
        }
        out
    }

    /// The distinct stems of a text, stop words left out.
    fn terms_of(&self, text: &str, stop: &BTreeSet<String>) -> HashSet<String> {
        let mut analyser = schema::stemmed_analyser(self.language);
        let mut stream = analyser.token_stream(text);
        let mut out = HashSet::new();
        while stream.advance() {
            let token = &stream.token().text;
            if token.chars().count() >= 2 && !stop.contains(token) {
                out.insert(token.clone());
            }
        }
        out
    }

    fn query_failure(&self, query: &str, error: tantivy::TantivyError) -> IndexError {
        match error {
            tantivy::TantivyError::InvalidArgument(message)
            | tantivy::TantivyError::SchemaError(message) => IndexError::BadQuery(format!(
                "cannot run the query '{}': {}",
                query.trim(),
                message.lines().next().unwrap_or("")
            )),
            other => tantivy(&self.dir)(other),
        }
    }

    /// The code id a `code:` value names, when it names one code (not a facet path alone).
    fn code_id(&self, value: &str) -> Option<String> {
        let path = self.resolve_code(value).ok()?;
        let mut ids = self.facets.iter().filter(|(_, p)| **p == path);
        let (id, _) = ids.next()?;
        ids.next().is_none().then(|| id.clone())
    }

    /// Reads a hit from its document and cuts its text from the transcript file.
    fn hit(
        &self,
        passages: &mut Passages<'_>,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        highlighter: &Highlighter<'_>,
    ) -> Result<Hit, IndexError> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(address).map_err(tantivy(&self.dir))?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let number = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_u64())
                .map_or(0, |n| n as usize)
        };
        let segment = text(f.segment);
        let transcript = text(f.transcript).unwrap_or_default();
        let (start, end) = (number(f.start), number(f.end));
        let passage = passages.get(
            &transcript,
            (start, end),
            (number(f.byte_start), number(f.byte_end)),
        )?;
        let snippet = highlighter.snippet(&passage);
        Ok(Hit {
            kind: if segment.is_some() {
                HitKind::Segment
            } else {
                HitKind::Turn
            },
            transcript,
            turn: number(f.turn),
            start,
            end,
            speaker: text(f.speaker),
            coder: text(f.coder),
            code: text(f.code_id),
            segment,
            score,
            snippet,
            text: passage,
            memo: text(f.memo),
            flag: text(f.flag),
            quote: text(f.quote),
        })
    }
}

/// Cuts the text of hits out of transcript files by the byte offsets the index stores, without
/// parsing the transcripts ([`Study::passage`]).
struct Passages<'s> {
    study: &'s Study,
}

impl<'s> Passages<'s> {
    fn new(study: &'s Study) -> Self {
        Passages { study }
    }

    /// The text of `chars` (code points) at `bytes` (bytes) of a transcript.
    fn get(
        &mut self,
        transcript: &str,
        chars: (usize, usize),
        bytes: (usize, usize),
    ) -> Result<String, IndexError> {
        Ok(self.study.passage(transcript, chars, bytes)?)
    }
}

/// How retrieval filters on a column: a label field of the index, or an attribute column of
/// the study (through the transcripts whose row matches).
enum Filter {
    Label(Field),
    Column(String),
}

/// Whether the `text` field of an index (as `searcher` sees it) holds a word.
fn holds_word(searcher: &Searcher, field: Field, word: &str) -> bool {
    searcher.segment_readers().iter().any(|reader| {
        reader
            .inverted_index(field)
            .ok()
            .and_then(|inverted| inverted.terms().get(word.as_bytes()).ok().flatten())
            .is_some()
    })
}

/// Commits a writer and waits for the merges it started, so the process may exit safely.
fn commit(mut writer: tantivy::IndexWriter, dir: &Path) -> Result<(), IndexError> {
    writer.commit().map_err(tantivy(dir))?;
    writer.wait_merging_threads().map_err(tantivy(dir))
}
