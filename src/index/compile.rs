//! Compiles the parts of a parsed query that thema answers itself, before tantivy's parser
//! builds the rest:
//!
//! - `text:` words (the default field) are stemmed and become every written form with that stem
//!   in the [`Vocabulary`]; phrases become phrase queries over those forms;
//! - `exact:` words are searched as written (phrases too);
//! - attribute filters (`role:volunteer`, `wave:"first year"`, `order:[1 TO 5]`, `role:*`)
//!   become the set of transcripts whose row of `attributes.csv` matches.
//!
//! Each compiled leaf is swapped for a placeholder term on the parser-only slot field; tantivy's
//! parser then builds the boolean structure (with its conjunction and negation rules), and
//! [`Compiled::substitute`] puts the compiled queries back in.

use std::collections::HashSet;

use tantivy::query::{
    BooleanQuery, EmptyQuery, Occur, PhraseQuery, Query, RegexPhraseQuery, RegexQuery, TermQuery,
    TermSetQuery,
};
use tantivy::query_grammar::{
    Delimiter, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use crate::index::schema::{Fields, SLOT};
use crate::index::vocabulary::Vocabulary;
use crate::index::IndexError;
use crate::study::Study;

/// What compiling a query produced besides the rewritten syntax tree.
pub(crate) struct Compiled {
    slots: Vec<Option<Box<dyn Query>>>,
    slot_field: tantivy::schema::Field,
    /// Stems the query looks for (for highlighting).
    pub stemmed: HashSet<String>,
    /// Words the query looks for as written (for highlighting).
    pub exact: HashSet<String>,
    /// Beginnings of words the query looks for (`trans*`, for highlighting).
    pub prefixes: Vec<String>,
}

/// Compiles one query.
pub(crate) struct Compiler<'a> {
    fields: &'a Fields,
    vocabulary: &'a Vocabulary,
    study: &'a Study,
    stemmer: TextAnalyzer,
    words: TextAnalyzer,
    /// Whether stems are English (then plurals in `-es` also meet their singulars).
    english: bool,
    out: Compiled,
}

impl<'a> Compiler<'a> {
    /// A compiler for queries on an index with these fields, its vocabulary and the study's
    /// attribute table; `stemmer` and `words` are the query analysers of `text:` and `exact:`.
    pub fn new(
        fields: &'a Fields,
        vocabulary: &'a Vocabulary,
        study: &'a Study,
        stemmer: TextAnalyzer,
        words: TextAnalyzer,
        english: bool,
    ) -> Self {
        Compiler {
            fields,
            vocabulary,
            study,
            stemmer,
            words,
            english,
            out: Compiled {
                slots: Vec::new(),
                slot_field: fields.slot,
                stemmed: HashSet::new(),
                exact: HashSet::new(),
                prefixes: Vec::new(),
            },
        }
    }

    /// Rewrites a syntax tree: compiled leaves become slot terms, leaves with no word left
    /// (punctuation only) disappear, boosts are dropped (ranking is by BM25 alone).
    pub fn compile(mut self, ast: UserInputAst) -> Result<(UserInputAst, Compiled), IndexError> {
        let ast = self.node(ast)?;
        Ok((ast, self.out))
    }

    fn node(&mut self, ast: UserInputAst) -> Result<UserInputAst, IndexError> {
        Ok(match ast {
            UserInputAst::Clause(children) => UserInputAst::Clause(
                children
                    .into_iter()
                    .map(|(occur, child)| Ok((occur, self.node(child)?)))
                    .collect::<Result<_, IndexError>>()?,
            ),
            UserInputAst::Boost(inner, _) => self.node(*inner)?,
            UserInputAst::Leaf(leaf) => match self.leaf(*leaf)? {
                Leaf::Keep(leaf) => UserInputAst::Leaf(Box::new(leaf)),
                Leaf::Compiled(query) => self.slot(query),
                Leaf::Nothing => UserInputAst::Clause(Vec::new()),
            },
        })
    }

    fn slot(&mut self, query: Box<dyn Query>) -> UserInputAst {
        let n = self.out.slots.len();
        self.out.slots.push(Some(query));
        UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(UserInputLiteral {
            field_name: Some(SLOT.to_string()),
            phrase: n.to_string(),
            delimiter: Delimiter::None,
            slop: 0,
            prefix: false,
        })))
    }

    fn leaf(&mut self, leaf: UserInputLeaf) -> Result<Leaf, IndexError> {
        match leaf {
            UserInputLeaf::Literal(mut literal) => {
                // tantivy's grammar keeps the `*` of a bare `word*` in the phrase
                if literal.delimiter == Delimiter::None && literal.phrase.ends_with('*') {
                    literal.phrase.pop();
                    literal.prefix = true;
                }
                match Target::of(literal.field_name.as_deref(), self.fields) {
                    Target::Text => self.words_query(&literal, true),
                    Target::Exact => self.words_query(&literal, false),
                    Target::Attribute(column) => {
                        let value = literal.phrase.trim().to_lowercase();
                        let prefix = literal.prefix;
                        Ok(self.attribute(&column, &|v: &str| {
                            if prefix {
                                v.starts_with(&value)
                            } else {
                                v == value
                            }
                        }))
                    }
                    Target::Other => Ok(Leaf::Keep(UserInputLeaf::Literal(literal))),
                }
            }
            UserInputLeaf::Set { field, elements } => {
                match Target::of(field.as_deref(), self.fields) {
                    Target::Other => Ok(Leaf::Keep(UserInputLeaf::Set { field, elements })),
                    Target::Attribute(column) => {
                        let wanted: HashSet<String> =
                            elements.iter().map(|e| e.trim().to_lowercase()).collect();
                        Ok(self.attribute(&column, &|v: &str| wanted.contains(v)))
                    }
                    target => {
                        let stemmed = matches!(target, Target::Text);
                        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                        for element in elements {
                            let literal = UserInputLiteral {
                                field_name: field.clone(),
                                phrase: element,
                                delimiter: Delimiter::None,
                                slop: 0,
                                prefix: false,
                            };
                            if let Leaf::Compiled(query) = self.words_query(&literal, stemmed)? {
                                clauses.push((Occur::Should, query));
                            }
                        }
                        Ok(if clauses.is_empty() {
                            Leaf::Nothing
                        } else {
                            Leaf::Compiled(Box::new(BooleanQuery::new(clauses)))
                        })
                    }
                }
            }
            UserInputLeaf::Range {
                field,
                lower,
                upper,
            } => match Target::of(field.as_deref(), self.fields) {
                Target::Other => Ok(Leaf::Keep(UserInputLeaf::Range {
                    field,
                    lower,
                    upper,
                })),
                Target::Attribute(column) => {
                    Ok(self.attribute(&column, &|v: &str| in_range(v, &lower, &upper)))
                }
                _ => Err(IndexError::BadQuery(
                    "ranges work on turn numbers and attribute columns (turn:[1 TO 5], order:[1 TO 10]), not on words".into(),
                )),
            },
            UserInputLeaf::Exists { field } => match Target::of(Some(&field), self.fields) {
                Target::Attribute(column) => Ok(self.attribute(&column, &|v: &str| !v.is_empty())),
                Target::Other => Ok(Leaf::Keep(UserInputLeaf::Exists { field })),
                _ => Err(IndexError::BadQuery(format!(
                    "'{field}:*' is not a search: every turn has words"
                ))),
            },
            UserInputLeaf::All => Ok(Leaf::Keep(UserInputLeaf::All)),
        }
    }

    /// A word or phrase on `text` (stemmed: every written form of each stem) or `exact`.
    fn words_query(
        &mut self,
        literal: &UserInputLiteral,
        stemmed: bool,
    ) -> Result<Leaf, IndexError> {
        let words = self.analyse(literal, stemmed);
        if words.tokens.is_empty() {
            return Ok(Leaf::Nothing);
        }
        let Some(positions) = self.positions(words, stemmed) else {
            return Ok(Leaf::Compiled(Box::new(EmptyQuery)));
        };
        let field = self.fields.text;
        if let [(_, only)] = positions.as_slice() {
            return Ok(Leaf::Compiled(word_query(field, only)?));
        }
        Ok(Leaf::Compiled(phrase_query(
            field,
            &positions,
            literal.slop,
        )))
    }

    /// The tokens of a literal under the analyser of `text` (`stemmed`) or `exact`, with the
    /// words as written and the last word (for a prefix).
    fn analyse(&mut self, literal: &UserInputLiteral, stemmed: bool) -> Analysed {
        let analyser = if stemmed {
            &mut self.stemmer
        } else {
            &mut self.words
        };
        let mut tokens: Vec<(usize, String)> = Vec::new();
        analyser
            .token_stream(&literal.phrase)
            .process(&mut |t| tokens.push((t.position, t.text.clone())));
        // the words as written, beside their stems (the same tokenizer: positions agree)
        let mut written: Vec<String> = Vec::new();
        if stemmed && self.english {
            self.words
                .token_stream(&literal.phrase)
                .process(&mut |t| written.push(t.text.clone()));
        }
        let last_word = if literal.prefix {
            let mut last = None;
            self.words
                .token_stream(&literal.phrase)
                .process(&mut |t| last = Some(t.text.clone()));
            last
        } else {
            None
        };
        Analysed {
            tokens,
            written,
            last_word,
        }
    }

    /// Each position: the words it may be, or a pattern (a prefix) for its last word; `None`
    /// when a position's word is in no transcript (the query then finds nothing). Records what
    /// the query looks for, for highlighting.
    fn positions(&mut self, words: Analysed, stemmed: bool) -> Option<Vec<(usize, Position)>> {
        let count = words.tokens.len();
        let mut positions: Vec<(usize, Position)> = Vec::with_capacity(count);
        for (i, (position, token)) in words.tokens.into_iter().enumerate() {
            let is_last = i + 1 == count;
            if is_last {
                if let Some(word) = &words.last_word {
                    self.out.prefixes.push(word.clone());
                    positions.push((position, Position::Prefix(word.clone())));
                    continue;
                }
            }
            let forms = if stemmed {
                self.stem_forms(token, words.written.get(i))
            } else {
                self.out.exact.insert(token.clone());
                vec![token]
            };
            if forms.is_empty() {
                return None;
            }
            positions.push((position, Position::Words(forms)));
        }
        Some(positions)
    }

    /// Every written form in the vocabulary of `stem` (and, for English, of the stems of the
    /// `written` word's singular or plural).
    fn stem_forms(&mut self, stem: String, written: Option<&String>) -> Vec<String> {
        let mut stems = vec![stem];
        if let Some(word) = written {
            for variant in crate::index::vocabulary::number_variants(word) {
                stems.push(crate::index::vocabulary::stem_of(
                    &mut self.stemmer,
                    &variant,
                ));
            }
        }
        let mut forms = Vec::new();
        for stem in stems {
            forms.extend(self.vocabulary.forms(&stem));
            self.out.stemmed.insert(stem);
        }
        forms.sort_unstable();
        forms.dedup();
        forms
    }

    /// The documents of the transcripts whose value in `column` passes `keep` (lowercased).
    fn attribute(&self, column: &str, keep: &dyn Fn(&str) -> bool) -> Leaf {
        Leaf::Compiled(transcripts_where(self.study, self.fields, column, keep))
    }
}

/// The documents of every transcript whose (lowercased, trimmed) value in `column` passes `keep`.
pub(crate) fn transcripts_where(
    study: &Study,
    fields: &Fields,
    column: &str,
    keep: &dyn Fn(&str) -> bool,
) -> Box<dyn Query> {
    let terms: Vec<Term> = study
        .transcripts()
        .iter()
        .filter(|t| {
            let value = study.attributes.get(&t.id, column).unwrap_or("");
            keep(&value.trim().to_lowercase())
        })
        .map(|t| Term::from_field_text(fields.transcript, &t.id.to_lowercase()))
        .collect();
    if terms.is_empty() {
        Box::new(EmptyQuery)
    } else {
        Box::new(TermSetQuery::new(terms))
    }
}

impl Compiled {
    /// Puts the compiled queries in place of their slot terms in what tantivy's parser built.
    pub fn substitute(&mut self, query: &dyn Query) -> Box<dyn Query> {
        if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
            let clauses = boolean
                .clauses()
                .iter()
                .map(|(occur, q)| (*occur, self.substitute(q.as_ref())))
                .collect();
            return Box::new(BooleanQuery::with_minimum_required_clauses(
                clauses,
                boolean.get_minimum_number_should_match(),
            ));
        }
        if let Some(term) = query.downcast_ref::<TermQuery>() {
            if term.term().field() == self.slot_field {
                let slot = term
                    .term()
                    .value()
                    .as_str()
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| self.slots.get_mut(n))
                    .and_then(Option::take);
                return slot.unwrap_or_else(|| Box::new(EmptyQuery));
            }
        }
        query.box_clone()
    }
}

enum Leaf {
    Keep(UserInputLeaf),
    Compiled(Box<dyn Query>),
    Nothing,
}

/// A literal as analysed: its tokens with their positions, the words as written (stemmed
/// English only) and the last word when it is a prefix.
struct Analysed {
    tokens: Vec<(usize, String)>,
    written: Vec<String>,
    last_word: Option<String>,
}

/// The query of a single word: one of its forms, or its prefix.
fn word_query(
    field: tantivy::schema::Field,
    only: &Position,
) -> Result<Box<dyn Query>, IndexError> {
    let term = |word: &str| Term::from_field_text(field, word);
    Ok(match only {
        Position::Words(forms) if forms.len() == 1 => Box::new(TermQuery::new(
            term(&forms[0]),
            IndexRecordOption::WithFreqs,
        )),
        Position::Words(forms) => Box::new(BooleanQuery::new(
            forms
                .iter()
                .map(|w| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(term(w), IndexRecordOption::WithFreqs));
                    (Occur::Should, q)
                })
                .collect(),
        )),
        Position::Prefix(word) => Box::new(
            RegexQuery::from_pattern(&format!("{}.*", escape(word)), field)
                .map_err(|e| IndexError::BadQuery(e.to_string()))?,
        ),
    })
}

/// The query of a phrase: a phrase query when each position is one word, else a regex phrase
/// query over each position's forms (or prefix).
fn phrase_query(
    field: tantivy::schema::Field,
    positions: &[(usize, Position)],
    slop: u32,
) -> Box<dyn Query> {
    let single = positions
        .iter()
        .all(|(_, p)| matches!(p, Position::Words(forms) if forms.len() == 1));
    if single {
        let terms = positions
            .iter()
            .filter_map(|(offset, p)| match p {
                Position::Words(forms) => Some((*offset, Term::from_field_text(field, &forms[0]))),
                Position::Prefix(_) => None,
            })
            .collect();
        return Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop));
    }
    let patterns = positions
        .iter()
        .map(|(offset, p)| {
            let pattern = match p {
                Position::Words(forms) => {
                    let alternatives: Vec<String> = forms.iter().map(|w| escape(w)).collect();
                    format!("({})", alternatives.join("|"))
                }
                Position::Prefix(word) => format!("{}.*", escape(word)),
            };
            (*offset, pattern)
        })
        .collect();
    Box::new(RegexPhraseQuery::new_with_offset_and_slop(
        field, patterns, slop,
    ))
}

enum Position {
    Words(Vec<String>),
    Prefix(String),
}

enum Target {
    Text,
    Exact,
    Attribute(String),
    Other,
}

impl Target {
    fn of(field: Option<&str>, fields: &Fields) -> Target {
        match field {
            None | Some("text") => Target::Text,
            Some("exact") => Target::Exact,
            Some(name) => match fields.attributes.get(name) {
                Some(column) => Target::Attribute(column.clone()),
                None => Target::Other,
            },
        }
    }
}

/// Whether an attribute value lies in a range: compared as numbers when the value and every
/// bound are numbers, else as lowercased text.
fn in_range(value: &str, lower: &UserInputBound, upper: &UserInputBound) -> bool {
    let bound = |b: &UserInputBound| match b {
        UserInputBound::Inclusive(s) | UserInputBound::Exclusive(s) => {
            Some(s.trim().to_lowercase())
        }
        UserInputBound::Unbounded => None,
    };
    let (lo, hi) = (bound(lower), bound(upper));
    let numbers = value.parse::<f64>().ok().and_then(|v| {
        let lo = match &lo {
            Some(s) => Some(s.parse::<f64>().ok()?),
            None => None,
        };
        let hi = match &hi {
            Some(s) => Some(s.parse::<f64>().ok()?),
            None => None,
        };
        Some((v, lo, hi))
    });
    let order = |a: &dyn Fn() -> std::cmp::Ordering, b: &UserInputBound, low: bool| match b {
        UserInputBound::Unbounded => true,
        UserInputBound::Inclusive(_) => {
            if low {
                a().is_ge()
            } else {
                a().is_le()
            }
        }
        UserInputBound::Exclusive(_) => {
            if low {
                a().is_gt()
            } else {
                a().is_lt()
            }
        }
    };
    match numbers {
        Some((v, lo_n, hi_n)) => {
            order(
                &|| v.total_cmp(&lo_n.unwrap_or(f64::NEG_INFINITY)),
                lower,
                true,
            ) && order(
                &|| v.total_cmp(&hi_n.unwrap_or(f64::INFINITY)),
                upper,
                false,
            )
        }
        None => {
            let empty = String::new();
            order(
                &|| value.cmp(lo.as_ref().unwrap_or(&empty).as_str()),
                lower,
                true,
            ) && order(
                &|| value.cmp(hi.as_ref().unwrap_or(&empty).as_str()),
                upper,
                false,
            )
        }
    }
}

/// A word as a regular expression that matches only itself.
fn escape(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inclusive(s: &str) -> UserInputBound {
        UserInputBound::Inclusive(s.into())
    }

    #[test]
    fn ranges_compare_numbers_as_numbers_and_text_as_text() {
        assert!(in_range("9", &inclusive("1"), &inclusive("10")));
        assert!(!in_range("11", &inclusive("1"), &inclusive("10")));
        assert!(!in_range(
            "10",
            &inclusive("1"),
            &UserInputBound::Exclusive("10".into())
        ));
        assert!(in_range("10", &inclusive("1"), &UserInputBound::Unbounded));
        assert!(in_range("first year", &inclusive("f"), &inclusive("g")));
        assert!(!in_range("second year", &inclusive("f"), &inclusive("g")));
    }

    #[test]
    fn escaping_keeps_words_literal() {
        assert_eq!(escape("bus"), "bus");
        assert_eq!(escape("a.b"), "a\\.b");
    }
}
