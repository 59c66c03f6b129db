//! The query language in front of tantivy's parser: validation (empty query, unbalanced quotes,
//! unknown fields) and the rewriting of the parts tantivy's syntax makes awkward — `code:`
//! references become facet terms, apostrophes inside words stay words.
//!
//! It works on the query text only; it neither parses into tantivy queries nor searches.

use tantivy::query::QueryParserError;

use crate::index::IndexError;

/// Characters that end a field name (tantivy's special characters).
const FIELD_STOP: &[char] = &[
    ':', '"', '\'', '(', ')', '[', ']', '{', '}', '^', '`', '\\', '*', '+', '!', '~',
];

/// Rewrites a user query for tantivy's parser.
///
/// - `name:` must be one of `fields` (matched case-insensitively); anything else is an
///   [`IndexError::UnknownField`];
/// - `code:VALUE` and `code:"VALUE"` become `code:"/facet/path"`, the path given by `resolve`;
/// - `kind:` takes `turn` or `segment`;
/// - an apostrophe is literal text (phrases use double quotes only);
/// - a colon after digits (`10:30`) is literal text.
pub(crate) fn rewrite(
    query: &str,
    fields: &[String],
    resolve: &dyn Fn(&str) -> Result<String, IndexError>,
) -> Result<String, IndexError> {
    if query.trim().is_empty() {
        return Err(IndexError::EmptyQuery);
    }
    check_quotes(query)?;
    let chars: Vec<char> = query.chars().collect();
    let mut out = String::with_capacity(query.len() + 16);
    let mut i = 0;
    let mut token_start = true;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' => {
                let end = closing_quote(&chars, i);
                out.extend(&chars[i..end]);
                i = end;
                token_start = false;
                continue;
            }
            '\\' => {
                out.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                }
                i += 2;
                token_start = false;
                continue;
            }
            '\'' => {
                out.push_str("\\'");
                i += 1;
                token_start = false;
                continue;
            }
            c if c.is_whitespace() || c == '(' => {
                out.push(c);
                i += 1;
                token_start = true;
                continue;
            }
            '+' | '-' if token_start => {
                out.push(c);
                i += 1;
                continue;
            }
            _ => {}
        }
        if token_start {
            if let Some((name, after)) = field_prefix(&chars, i) {
                if name.chars().all(|c| c.is_ascii_digit()) {
                    // a time such as 10:30 is text
                    out.push_str(&name);
                    out.push_str("\\:");
                    i = after;
                    token_start = false;
                    continue;
                }
                let lower = name.to_lowercase();
                if !fields.iter().any(|f| f == &lower) {
                    return Err(IndexError::UnknownField {
                        field: name,
                        fields: fields.join(", "),
                    });
                }
                if lower == "code" || lower == "kind" {
                    let (value, next) = field_value(&chars, after);
                    if value.is_empty() {
                        return Err(IndexError::BadQuery(format!(
                            "'{lower}:' needs a value, e.g. {}",
                            if lower == "code" {
                                "code:/challenges or code:\"Challenges/Transport\""
                            } else {
                                "kind:turn or kind:segment"
                            }
                        )));
                    }
                    let term = if lower == "code" {
                        resolve(&value)?
                    } else {
                        kind_value(&value)?.to_string()
                    };
                    out.push_str(&lower);
                    out.push_str(":\"");
                    for ch in term.chars() {
                        if ch == '"' || ch == '\\' {
                            out.push('\\');
                        }
                        out.push(ch);
                    }
                    out.push('"');
                    i = next;
                    token_start = false;
                    continue;
                }
                out.push_str(&lower);
                out.push(':');
                i = after;
                token_start = false;
                continue;
            }
        }
        out.push(c);
        i += 1;
        token_start = false;
    }
    Ok(out)
}

/// Fails on an odd number of unescaped double quotes.
fn check_quotes(query: &str) -> Result<(), IndexError> {
    let mut open = false;
    let mut escaped = false;
    for c in query.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            open = !open;
        }
    }
    if open {
        Err(IndexError::UnbalancedQuotes)
    } else {
        Ok(())
    }
}

/// Index just past the quote closing the phrase that opens at `open`.
fn closing_quote(chars: &[char], open: usize) -> usize {
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// A field name followed by `:` at `at`: the name and the index after the colon.
fn field_prefix(chars: &[char], at: usize) -> Option<(String, usize)> {
    let mut i = at;
    while i < chars.len() && !chars[i].is_whitespace() && !FIELD_STOP.contains(&chars[i]) {
        i += 1;
    }
    if i == at || chars.get(i) != Some(&':') {
        return None;
    }
    Some((chars[at..i].iter().collect(), i + 1))
}

/// The value after `field:` — a quoted phrase (unescaped) or a bare word — and where it ends.
fn field_value(chars: &[char], at: usize) -> (String, usize) {
    let mut i = at;
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    if chars.get(i) == Some(&'"') {
        let end = closing_quote(chars, i);
        let inner = &chars[i + 1..end.saturating_sub(1).max(i + 1)];
        let mut value = String::new();
        let mut escaped = false;
        for &c in inner {
            if !escaped && c == '\\' {
                escaped = true;
                continue;
            }
            escaped = false;
            value.push(c);
        }
        return (value.trim().to_string(), end);
    }
    let start = i;
    while i < chars.len() && !chars[i].is_whitespace() && chars[i] != ')' {
        i += 1;
    }
    (chars[start..i].iter().collect(), i)
}

fn kind_value(value: &str) -> Result<&'static str, IndexError> {
    match value.to_lowercase().as_str() {
        "turn" | "turns" => Ok("turn"),
        "segment" | "segments" => Ok("segment"),
        _ => Err(IndexError::BadQuery(format!(
            "kind:{value} — kind is turn or segment"
        ))),
    }
}

/// A one-line explanation of a query tantivy could not parse.
pub(crate) fn explain(error: QueryParserError, query: &str, fields: &[String]) -> IndexError {
    match error {
        QueryParserError::FieldDoesNotExist(field) => IndexError::UnknownField {
            field,
            fields: fields.join(", "),
        },
        QueryParserError::AllButQueryForbidden => IndexError::BadQuery(
            "a query cannot only exclude: add something to find, e.g. transport -bus".to_string(),
        ),
        QueryParserError::ExpectedInt(_) => IndexError::BadQuery(
            "turn: takes a number or a range, e.g. turn:3 or turn:[1 TO 10]".to_string(),
        ),
        QueryParserError::SyntaxError(_) => IndexError::BadQuery(format!(
            "cannot read the query '{}': check brackets, quotes and operators (AND, OR, NOT, +, -)",
            one_line(query)
        )),
        QueryParserError::FieldDoesNotHavePositionsIndexed(field) => IndexError::BadQuery(format!(
            "{field}: matches single words, not phrases; search the phrase without {field}: (words are then stemmed)"
        )),
        QueryParserError::RangeMustNotHavePhrase => {
            IndexError::BadQuery("a range takes words, not phrases: turn:[1 TO 10]".to_string())
        }
        other => IndexError::BadQuery(format!(
            "cannot run the query '{}': {}",
            one_line(query),
            one_line(&other.to_string())
        )),
    }
}

fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    crate::study::coding::shorten(flat.trim(), 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<String> {
        ["text", "speaker", "code", "kind", "role"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn resolve(value: &str) -> Result<String, IndexError> {
        match value {
            "c2" | "Challenges/Transport" => Ok("/challenges/transport".to_string()),
            "/challenges" => Ok("/challenges".to_string()),
            other => Err(IndexError::UnknownCode(other.to_string())),
        }
    }

    fn run(q: &str) -> Result<String, IndexError> {
        rewrite(q, &fields(), &resolve)
    }

    #[test]
    fn rewrites_codes_kinds_and_apostrophes() {
        assert_eq!(
            run("bus AND code:/challenges").unwrap(),
            "bus AND code:\"/challenges\""
        );
        assert_eq!(
            run("(code:\"Challenges/Transport\" OR code:c2) -kind:Segment").unwrap(),
            "(code:\"/challenges/transport\" OR code:\"/challenges/transport\") -kind:\"segment\""
        );
        assert_eq!(run("don't Speaker:LW7").unwrap(), "don\\'t speaker:LW7");
        assert_eq!(
            run("\"the code: here\" at 10:30").unwrap(),
            "\"the code: here\" at 10\\:30"
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert!(matches!(run("   "), Err(IndexError::EmptyQuery)));
        assert!(matches!(
            run("\"bus stop"),
            Err(IndexError::UnbalancedQuotes)
        ));
        match run("colour:red") {
            Err(IndexError::UnknownField { field, fields }) => {
                assert_eq!(field, "colour");
                assert!(fields.contains("speaker, code"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            run("code:/nowhere"),
            Err(IndexError::UnknownCode(_))
        ));
        assert!(matches!(run("kind:memo"), Err(IndexError::BadQuery(_))));
        assert!(matches!(run("code:"), Err(IndexError::BadQuery(_))));
    }
}
