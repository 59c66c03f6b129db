//! The index schema: which fields a turn or segment document has, how each is tokenised, how
//! attribute columns become field names, and how a code becomes a facet path.
//!
//! It builds tantivy schemas and analysers; it does not read the study or touch the disk.

use std::collections::{BTreeMap, HashMap};

use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, STORED, STRING, TEXT,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

use crate::model::Codebook;
use crate::study::coder::slug;

/// Bumped whenever the fields, their options or the analysers change, or what they hold (6: a
/// transcript mostly of unlabelled paragraphs is a document, its paragraphs numbered as turns): a
/// different version on disk means a full rebuild.
pub const SCHEMA_VERSION: u32 = 6;

/// Analyser of the indexed `text` field: words, lowercased, as written (stems are found at
/// query time through the [`Vocabulary`](crate::index::vocabulary::Vocabulary)).
pub(crate) const WORDS: &str = "thema_words";
/// Analyser of label fields (speaker, coder, transcript, kind): the whole value, lowercased.
pub(crate) const LABEL: &str = "thema_label";
/// The query-only field that stands for a piece of a query thema compiled itself.
pub(crate) const SLOT: &str = "_slot";

/// Longest word indexed, in bytes; longer tokens (URLs, noise) are dropped.
const MAX_WORD: usize = 40;

/// Field names a query may use besides the attribute columns, in the order error messages list them.
pub const BUILT_IN_FIELDS: [&str; 9] = [
    "text",
    "exact",
    "kind",
    "transcript",
    "speaker",
    "turn",
    "coder",
    "code",
    "segment",
];

/// The fields of the index, and the two the query parser knows besides them.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    /// Speech: every word lowercased, with positions. `text:` (stemmed) and `exact:` (as
    /// written) queries both search it.
    pub text: Field,
    /// `turn` or `segment`.
    pub kind: Field,
    /// Transcript id (stored as written, searched lowercased).
    pub transcript: Field,
    /// Speaker label of the turn (for a segment, of the turn where it starts).
    pub speaker: Field,
    /// 1-based paragraph number.
    pub turn: Field,
    /// Code-point offset where the text starts.
    pub start: Field,
    /// Code-point offset where the text ends.
    pub end: Field,
    /// Byte offset where the text starts in the transcript file (to cut a snippet without
    /// parsing the transcript).
    pub byte_start: Field,
    /// Byte offset where the text ends.
    pub byte_end: Field,
    /// Paragraph number where a segment ends.
    pub last_turn: Field,
    /// A segment's memo.
    pub memo: Field,
    /// A segment's flag (`unanchored`).
    pub flag: Field,
    /// The quote of an unanchored segment (the text at its offsets is no longer it).
    pub quote: Field,
    /// Coder of a segment.
    pub coder: Field,
    /// Facet path of a segment's code (`/theme/sub-theme/code`, slugged names).
    pub code: Field,
    /// Segment id.
    pub segment: Field,
    /// Code id of a segment, exact (stored for hits, indexed for refreshing renamed codes).
    pub code_id: Field,
    /// Transcript id, exact: deletes every document of a transcript.
    pub key_transcript: Field,
    /// `coder` + U+001F + `transcript`, exact: deletes one coder's segments of one transcript.
    pub key_layer: Field,
    /// Query-parser only: [`SLOT`].
    pub slot: Field,
    /// Attribute columns a query may name: field name → column. They are not indexed: an
    /// attribute filter becomes the set of transcripts whose row matches.
    pub attributes: BTreeMap<String, String>,
}

impl Fields {
    /// The index schema, the query parser's schema (the index's fields, same ids, then `exact`
    /// and the slot field), and the fields, for a study whose attribute table has these columns.
    pub fn build(columns: &[String]) -> (Schema, Schema, Fields) {
        let label = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(LABEL)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        let mut builder = Schema::builder();
        let text = builder.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            ),
        );
        let kind = builder.add_text_field("kind", label.clone());
        let transcript = builder.add_text_field("transcript", label.clone().set_stored());
        let speaker = builder.add_text_field("speaker", label.clone().set_stored());
        let turn =
            builder.add_u64_field("turn", NumericOptions::default().set_indexed().set_stored());
        let start = builder.add_u64_field("_start", STORED);
        let end = builder.add_u64_field("_end", STORED);
        let byte_start = builder.add_u64_field("_byte_start", STORED);
        let byte_end = builder.add_u64_field("_byte_end", STORED);
        let last_turn = builder.add_u64_field("_last_turn", STORED);
        let memo = builder.add_text_field("_memo", STORED);
        let flag = builder.add_text_field("_flag", STORED);
        let quote = builder.add_text_field("_quote", STORED);
        let coder = builder.add_text_field("coder", label.clone().set_stored());
        let code = builder.add_facet_field("code", FacetOptions::default());
        let segment = builder.add_text_field("segment", label.set_stored());
        let code_id = builder.add_text_field("_code", STRING | STORED);
        let key_transcript = builder.add_text_field("_transcript", STRING);
        let key_layer = builder.add_text_field("_layer", STRING);
        let index_schema = builder.build();

        let mut builder = Schema::builder();
        for (_, entry) in index_schema.fields() {
            builder.add_field(entry.clone());
        }
        // `exact:` is compiled to `text` terms before the parser sees it; the field only makes
        // the name known
        builder.add_text_field("exact", TEXT);
        let slot = builder.add_text_field(SLOT, STRING);
        let parser_schema = builder.build();

        let attributes = attribute_fields(columns).into_iter().collect();
        let fields = Fields {
            text,
            kind,
            transcript,
            speaker,
            turn,
            start,
            end,
            byte_start,
            byte_end,
            last_turn,
            memo,
            flag,
            quote,
            coder,
            code,
            segment,
            code_id,
            key_transcript,
            key_layer,
            slot,
            attributes,
        };
        (index_schema, parser_schema, fields)
    }

    /// Every field name a query may use: the built-in ones, then the attribute columns.
    pub fn query_names(&self) -> Vec<String> {
        BUILT_IN_FIELDS
            .iter()
            .map(|s| s.to_string())
            .chain(self.attributes.keys().cloned())
            .collect()
    }
}

/// The field name of an attribute column: lowercased, every character other than a letter, a
/// digit, `_` or `-` replaced by `_`, leading `_` and `-` removed (`Age group` → `age_group`).
/// Empty when nothing usable is left.
pub fn attribute_field_name(column: &str) -> String {
    let lowered: String = column
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    lowered.trim_start_matches(['_', '-']).to_string()
}

/// Attribute columns that get a field, as (field name, column): every column except
/// `transcript`, except a name that would shadow a built-in field, and except a second column
/// with the same field name.
pub(crate) fn attribute_fields(columns: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for column in columns {
        let name = attribute_field_name(column);
        if name.is_empty()
            || BUILT_IN_FIELDS.contains(&name.as_str())
            || out.iter().any(|(n, _)| n == &name)
        {
            continue;
        }
        out.push((name, column.clone()));
    }
    out
}

/// The stemming language for a study's `language` setting (ISO 639-1 code or English name);
/// `None` for a language tantivy cannot stem (words are then only lowercased).
pub(crate) fn stemming_language(setting: &str) -> Option<Language> {
    let lang = match setting.trim().to_lowercase().as_str() {
        "" | "en" | "english" => Language::English,
        "ar" | "arabic" => Language::Arabic,
        "da" | "danish" => Language::Danish,
        "nl" | "dutch" => Language::Dutch,
        "fi" | "finnish" => Language::Finnish,
        "fr" | "french" => Language::French,
        "de" | "german" => Language::German,
        "el" | "greek" => Language::Greek,
        "hu" | "hungarian" => Language::Hungarian,
        "it" | "italian" => Language::Italian,
        "no" | "nb" | "nn" | "norwegian" => Language::Norwegian,
        "pt" | "portuguese" => Language::Portuguese,
        "ro" | "romanian" => Language::Romanian,
        "ru" | "russian" => Language::Russian,
        "es" | "spanish" => Language::Spanish,
        "sv" | "swedish" => Language::Swedish,
        "ta" | "tamil" => Language::Tamil,
        "tr" | "turkish" => Language::Turkish,
        _ => return None,
    };
    Some(lang)
}

/// The analyser of `text:` queries: words, lowercased, stemmed.
pub(crate) fn stemmed_analyser(language: Option<Language>) -> TextAnalyzer {
    // accents folded before stemming: `cafe` and `café` share a stem (written forms stay apart
    // in the index, so `exact:` still tells them apart)
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match language {
        Some(lang) => base.filter(RememberedStems::new(lang)).build(),
        None => base.build(),
    }
}

/// Distinct words a [`RememberedStems`] filter keeps before it forgets them all.
const STEMS_REMEMBERED: usize = 100_000;

/// A stemming filter that remembers the stem of every word it has seen: speech repeats a small
/// vocabulary, and stemming is the costliest step of indexing. Gives exactly tantivy's stems.
#[derive(Clone)]
pub(crate) struct RememberedStems {
    language: Language,
}

impl RememberedStems {
    pub fn new(language: Language) -> Self {
        RememberedStems { language }
    }
}

impl TokenFilter for RememberedStems {
    type Tokenizer<T: Tokenizer> = RememberedStemsTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> RememberedStemsTokenizer<T> {
        RememberedStemsTokenizer {
            inner: tokenizer,
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(self.language))
                .build(),
            memory: HashMap::default(),
        }
    }
}

/// The tokenizer a [`RememberedStems`] filter makes.
#[derive(Clone)]
pub(crate) struct RememberedStemsTokenizer<T> {
    inner: T,
    stemmer: TextAnalyzer,
    memory: HashMap<String, String, WordHash>,
}

impl<T: Tokenizer> Tokenizer for RememberedStemsTokenizer<T> {
    type TokenStream<'a> = RememberedStemsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RememberedStemsStream {
            inner: self.inner.token_stream(text),
            stemmer: &mut self.stemmer,
            memory: &mut self.memory,
        }
    }
}

/// The token stream of a [`RememberedStems`] filter.
pub(crate) struct RememberedStemsStream<'a, S> {
    inner: S,
    stemmer: &'a mut TextAnalyzer,
    memory: &'a mut HashMap<String, String, WordHash>,
}

impl<S: TokenStream> TokenStream for RememberedStemsStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        if let Some(stem) = self.memory.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = {
            let mut stream = self.stemmer.token_stream(&token.text);
            if stream.advance() {
                stream.token().text.clone()
            } else {
                token.text.clone()
            }
        };
        if self.memory.len() >= STEMS_REMEMBERED {
            self.memory.clear();
        }
        let word = std::mem::replace(&mut token.text, stem.clone());
        self.memory.insert(word, stem);
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// A fast hash for short words (the memory of stems is not exposed to untrusted keys that
/// could be chosen to collide, and a collision only costs time).
#[derive(Clone, Copy, Default)]
pub(crate) struct WordHash;

impl std::hash::BuildHasher for WordHash {
    type Hasher = WordHasher;
    fn build_hasher(&self) -> WordHasher {
        WordHasher(0x243F_6A88_85A3_08D3)
    }
}

/// The hasher of [`WordHash`].
pub(crate) struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(23) ^ u64::from_le_bytes(w))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

/// The analyser of the indexed `text` field and of `exact:` queries: words, lowercased.
pub(crate) fn words_analyser() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD))
        .filter(LowerCaser)
        .build()
}

/// Registers the analysers the schema names (they are not stored in the index).
pub(crate) fn register_analysers(index: &tantivy::Index) {
    let manager = index.tokenizers();
    manager.register(WORDS, words_analyser());
    manager.register(
        LABEL,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
}

/// One step of a facet path: the code's name lowercased, every run of characters other than
/// letters and digits turned into one `-` (`Challenges to service delivery` →
/// `challenges-to-service-delivery`). A name with no letters or digits uses the code id.
pub fn facet_step(name: &str, id: &str) -> String {
    let step = slug(name);
    if !step.is_empty() {
        return step;
    }
    let step = slug(id);
    if step.is_empty() {
        "-".to_string() // no slug can be `-` alone, so this never meets a named code
    } else {
        step
    }
}

/// The facet path of a code: the slugged names from its theme down, `/theme/sub-theme/code`.
pub fn code_facet(codebook: &Codebook, id: &str) -> String {
    let mut out = String::new();
    for code in codebook.ancestors(id) {
        out.push('/');
        out.push_str(&facet_step(&code.name, &code.id));
    }
    match codebook.get(id) {
        Some(code) => {
            out.push('/');
            out.push_str(&facet_step(&code.name, &code.id));
        }
        None => {
            out.push('/');
            out.push_str(&facet_step(id, id));
        }
    }
    out
}

/// The facet path of every code of the study's codebooks, by code id.
pub(crate) fn code_facets<'a>(
    codebooks: impl Iterator<Item = &'a Codebook>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for codebook in codebooks {
        // each code's path is its parent's path and one step: remembered per code, so a
        // codebook of n codes costs n steps rather than n walks up the tree
        let by_id: HashMap<&str, &crate::model::Code> =
            codebook.codes.iter().map(|c| (c.id.as_str(), c)).collect();
        let mut paths: HashMap<&str, String> = HashMap::new();
        for code in &codebook.codes {
            let mut chain = vec![code];
            let mut seen = std::collections::HashSet::from([code.id.as_str()]);
            let mut path = String::new();
            let mut parent = code.parent.as_deref();
            while let Some(id) = parent {
                if let Some(known) = paths.get(id) {
                    path = known.clone();
                    break;
                }
                // a cycle in a hand-edited file ends the walk, as `Codebook::ancestors` does
                let Some(p) = by_id.get(id).filter(|_| seen.insert(id)) else {
                    break;
                };
                chain.push(p);
                parent = p.parent.as_deref();
            }
            for c in chain.into_iter().rev() {
                path.push('/');
                path.push_str(&facet_step(&c.name, &c.id));
                paths.entry(c.id.as_str()).or_insert_with(|| path.clone());
            }
            out.insert(code.id.clone(), path);
        }
    }
    out
}

/// A facet from a path of slugged steps (`/a/b`).
pub(crate) fn facet_of(path: &str) -> Facet {
    Facet::from_path(path.split('/').filter(|s| !s.is_empty()))
}

/// Turns a user's code path (`Challenges/Transport`, `/challenges-to-service-delivery`) into
/// facet form by slugging every step.
pub(crate) fn normalise_code_path(reference: &str) -> String {
    let mut out = String::new();
    for step in crate::model::codebook::split_path(reference)
        .iter()
        .filter(|s| !s.is_empty())
    {
        out.push('/');
        out.push_str(&slug(step));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_facet_equals_the_walk_up_its_tree() {
        let mut codes = Vec::new();
        for i in 0..60 {
            codes.push(crate::model::Code {
                id: format!("c{i:02}"),
                name: format!("Code {i}"),
                parent: (i > 0).then(|| format!("c{:02}", (i - 1) / 3)),
                ..crate::model::Code::default()
            });
        }
        codes.reverse();
        let book = Codebook {
            name: "b".into(),
            scope: None,
            codes,
        };
        let facets = code_facets(std::iter::once(&book));
        for code in &book.codes {
            assert_eq!(facets[&code.id], code_facet(&book, &code.id), "{}", code.id);
        }
    }
    use crate::model::Code;

    fn code(id: &str, name: &str, parent: Option<&str>) -> Code {
        Code {
            id: id.into(),
            name: name.into(),
            parent: parent.map(str::to_string),
            description: String::new(),
            include: String::new(),
            exclude: String::new(),
            example: String::new(),
            color: String::new(),
            codable: true,
            order: None,
        }
    }

    #[test]
    fn facets_are_slugged_name_paths() {
        let mut cb = Codebook::new("x");
        cb.add(code("c1", "Challenges to service delivery", None))
            .unwrap();
        cb.add(code("c2", "Transport", Some("c1"))).unwrap();
        cb.add(code("c3", "???", Some("c1"))).unwrap();
        assert_eq!(code_facet(&cb, "c1"), "/challenges-to-service-delivery");
        assert_eq!(
            code_facet(&cb, "c2"),
            "/challenges-to-service-delivery/transport"
        );
        assert_eq!(code_facet(&cb, "c3"), "/challenges-to-service-delivery/c3");
        assert_eq!(code_facet(&cb, "gone"), "/gone");
        assert_eq!(
            normalise_code_path("Challenges to Service Delivery / Transport"),
            "/challenges-to-service-delivery/transport"
        );
    }

    #[test]
    fn remembered_stems_are_tantivys_stems() {
        let text = "Buses stopped; the BUS stops, stopping buses and running runners ran. Buses!";
        let plain = |text: &str| {
            let mut analyser = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_WORD))
                .filter(LowerCaser)
                .filter(Stemmer::new(Language::English))
                .build();
            let mut out = Vec::new();
            analyser
                .token_stream(text)
                .process(&mut |t| out.push((t.text.clone(), t.offset_from, t.position)));
            out
        };
        let mut remembered = stemmed_analyser(Some(Language::English));
        for _ in 0..2 {
            let mut out = Vec::new();
            remembered
                .token_stream(text)
                .process(&mut |t| out.push((t.text.clone(), t.offset_from, t.position)));
            assert_eq!(out, plain(text));
        }
    }

    #[test]
    fn attribute_columns_become_field_names() {
        let columns: Vec<String> = [
            "transcript",
            "participant",
            "Age group",
            "Role",
            "role",
            "speaker",
            "__",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            attribute_fields(&columns),
            vec![
                ("participant".to_string(), "participant".to_string()),
                ("age_group".to_string(), "Age group".to_string()),
                ("role".to_string(), "Role".to_string()),
            ]
        );
    }
}
