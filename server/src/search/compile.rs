//! A parsed query becomes a Tantivy query, always within what the person
//! asking may see.

use std::collections::HashMap;
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TokenStream as _;

use super::Generation;
use super::query::{Parsed, What, Word};
use super::schema::{self, Fields, WORDS};

/// Terms a typed prefix may stand for, at most.
const PREFIX_EXPANSIONS: u32 = 50;

/// The words of `text` as the index holds them (lower-cased, accents
/// folded).
#[must_use]
pub fn tokens(generation: &Generation, text: &str) -> Vec<String> {
    let Some(mut analyzer) = generation.index.tokenizers().get(WORDS) else {
        return Vec::new();
    };
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Albums whose words (titles, comments) one query looks into, at most.
const SAID_ALBUMS: usize = 500;

/// What the names in a query's filters stand for, looked up beforehand
/// among what the person asking may see.
#[derive(Debug, Default)]
pub struct Names {
    /// `by:` names (lower-cased) → member ids.
    pub owners: HashMap<String, i64>,
    /// `album:` names (lower-cased) → album ids.
    pub albums: HashMap<String, Vec<i64>>,
    /// Who is asking: a favourite or archive mark is its owner's own, so
    /// `is:favorite` and `is:archived` find only theirs.
    pub me: i64,
}

/// The query for `parsed`, limited to documents carrying one of `access`
/// (`u:<id>`, `family`, `album:<id>`); words are also looked for in what
/// was said in those albums.
#[must_use]
pub fn compile(
    generation: &Generation,
    parsed: &Parsed,
    access: &[String],
    names: &Names,
) -> Box<dyn Query> {
    let fields = &generation.fields;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, access_query(fields, access))];
    let albums: Vec<&str> = access
        .iter()
        .filter_map(|token| token.strip_prefix("album:"))
        .take(SAID_ALBUMS)
        .collect();
    for word in &parsed.words {
        if let Some(query) = word_query(generation, word, &albums) {
            clauses.push((
                if word.negated {
                    Occur::MustNot
                } else {
                    Occur::Must
                },
                query,
            ));
        }
    }
    for filter in &parsed.filters {
        let query = filter_query(generation, &filter.what, names);
        clauses.push((
            if filter.negated {
                Occur::MustNot
            } else {
                Occur::Must
            },
            query,
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

#[must_use]
pub fn access_query(fields: &Fields, access: &[String]) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(
        access
            .iter()
            .map(|token| Term::from_field_text(fields.access, token)),
    ))
}

fn word_query(generation: &Generation, word: &Word, albums: &[&str]) -> Option<Box<dyn Query>> {
    let fields = &generation.fields;
    let words = tokens(generation, &word.text);
    if words.is_empty() {
        return None;
    }
    if word.phrase && words.len() > 1 {
        let options: Vec<Box<dyn Query>> = fields
            .text()
            .iter()
            .map(|&(field, weight)| {
                let terms = words
                    .iter()
                    .map(|w| Term::from_field_text(field, w))
                    .collect();
                boosted(Box::new(PhraseQuery::new(terms)), weight)
            })
            .collect();
        return Some(any(options));
    }
    let last = words.len() - 1;
    let all: Vec<Box<dyn Query>> = words
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let typo = !word.phrase && !word.negated;
            let typing = word.typing && i == last;
            let mut options: Vec<Box<dyn Query>> = fields
                .text()
                .iter()
                .flat_map(|&(field, weight)| term_options(field, token, weight, typo, typing))
                .collect();
            options.extend(
                albums
                    .iter()
                    .map(|album| said(fields.said, album, token, typing)),
            );
            any(options)
        })
        .collect();
    Some(every(all))
}

/// One token in one field: exact (scored highest), within a typo or two,
/// or (being typed) as a prefix.
fn term_options(
    field: Field,
    token: &str,
    weight: f32,
    typo: bool,
    typing: bool,
) -> Vec<Box<dyn Query>> {
    let term = Term::from_field_text(field, token);
    let mut options: Vec<Box<dyn Query>> = vec![boosted(
        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
        weight * 2.0,
    )];
    let letters = token.chars().count();
    if typo && letters >= 4 {
        let distance = if letters >= 8 { 2 } else { 1 };
        options.push(boosted(
            Box::new(FuzzyTermQuery::new(term.clone(), distance, true)),
            weight * 0.6,
        ));
    }
    if typing {
        let mut prefix = PhrasePrefixQuery::new(vec![term]);
        prefix.set_max_expansions(PREFIX_EXPANSIONS);
        options.push(boosted(Box::new(prefix), weight));
    }
    options
}

/// A word said in one album (its title or a comment), or while typing
/// any word starting so.
fn said(field: Field, album: &str, token: &str, typing: bool) -> Box<dyn Query> {
    let exact = format!("{album}/{token}");
    if typing {
        Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_text(field, &exact)),
            Bound::Excluded(Term::from_field_text(field, &format!("{exact}\u{10FFFF}"))),
        ))
    } else {
        boosted(
            Box::new(TermQuery::new(
                Term::from_field_text(field, &exact),
                IndexRecordOption::Basic,
            )),
            2.0,
        )
    }
}

/// Every word of `text` in `field` (typos forgiven from 4 letters).
fn field_words(generation: &Generation, field: Field, text: &str) -> Box<dyn Query> {
    let words = tokens(generation, text);
    if words.is_empty() {
        return Box::new(EmptyQuery);
    }
    every(
        words
            .iter()
            .map(|token| any(term_options(field, token, 1.0, true, false)))
            .collect(),
    )
}

fn filter_query(generation: &Generation, what: &What, names: &Names) -> Box<dyn Query> {
    let fields = &generation.fields;
    match what {
        What::Date { from, to } => {
            let bound = |value: &Option<i64>, inclusive: bool| match value {
                Some(v) if inclusive => Bound::Included(Term::from_field_i64(fields.taken, *v)),
                Some(v) => Bound::Excluded(Term::from_field_i64(fields.taken, *v)),
                None => Bound::Unbounded,
            };
            if from.is_none() && to.is_none() {
                return Box::new(AllQuery);
            }
            Box::new(RangeQuery::new(bound(from, true), bound(to, false)))
        }
        What::Place(text) => field_words(generation, fields.place, text),
        What::Tag(text) => field_words(generation, fields.tags, text),
        What::Camera(text) => field_words(generation, fields.camera, &schema::name_words(text)),
        What::Lens(text) => field_words(generation, fields.lens, &schema::name_words(text)),
        What::Folder(text) => field_words(generation, fields.folder, &schema::name_words(text)),
        What::Kind(kinds) => Box::new(TermSetQuery::new(
            kinds
                .iter()
                .map(|kind| Term::from_field_text(fields.kind, kind)),
        )),
        What::Favourite => own_mark(fields, fields.favourite, names.me),
        What::Archived => own_mark(fields, fields.archived, names.me),
        What::Gps => Box::new(TermQuery::new(
            Term::from_field_u64(fields.gps, 1),
            IndexRecordOption::Basic,
        )),
        What::Album(name) => match names.albums.get(&name.to_lowercase()) {
            Some(ids) => Box::new(TermSetQuery::new(ids.iter().map(|&id| {
                Term::from_field_u64(fields.albums, u64::try_from(id).unwrap_or_default())
            }))),
            None => Box::new(EmptyQuery),
        },
        What::By(name) => match names.owners.get(&name.to_lowercase()) {
            Some(&id) => Box::new(TermQuery::new(
                Term::from_field_u64(fields.owner, u64::try_from(id).unwrap_or_default()),
                IndexRecordOption::Basic,
            )),
            None => Box::new(EmptyQuery),
        },
    }
}

fn boosted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if (weight - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, weight))
    }
}

fn any(options: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::union(options))
}

fn every(parts: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::intersection(parts))
}

/// The asker's own photos carrying a mark (favourite, archived).
fn own_mark(fields: &Fields, mark: tantivy::schema::Field, me: i64) -> Box<dyn Query> {
    let term = |field, value| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_u64(field, value),
            IndexRecordOption::Basic,
        ))
    };
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, term(mark, 1)),
        (
            Occur::Must,
            term(fields.owner, u64::try_from(me).unwrap_or_default()),
        ),
    ]))
}
