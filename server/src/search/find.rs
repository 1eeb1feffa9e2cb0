//! Running a compiled query: one page of asset ids (by relevance or by
//! date, with a cursor), the total, and facet counts — all within what the
//! person asking may see.

use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{AggregationResult, BucketResult};
use tantivy::aggregation::{AggregationCollector, Key};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::{DocAddress, Order, Searcher, Term};

use super::Generation;
use crate::error::AppError;

/// How deep relevance pages go (each page costs the results before it).
pub const MAX_OFFSET: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Relevance,
    Date,
}

/// Where the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// Relevance: results already shown.
    Offset(usize),
    /// Date: the order key of the last result shown.
    Before(i64),
}

impl Cursor {
    #[must_use]
    pub fn encode(self) -> String {
        match self {
            Self::Offset(n) => format!("o{n}"),
            Self::Before(key) => format!("b{key}"),
        }
    }

    #[must_use]
    pub fn decode(text: &str) -> Option<Self> {
        let (kind, value) = text.split_at_checked(1)?;
        match kind {
            "o" => value.parse().ok().map(Self::Offset),
            "b" => value.parse().ok().map(Self::Before),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Facets {
    pub years: Vec<(String, u64)>,
    pub places: Vec<(String, u64)>,
    pub cameras: Vec<(String, u64)>,
    pub kinds: Vec<(String, u64)>,
}

#[derive(Debug)]
pub struct Found {
    pub total: u64,
    pub ids: Vec<i64>,
    pub next: Option<Cursor>,
    pub facets: Option<Facets>,
}

fn internal(err: &dyn std::fmt::Display) -> AppError {
    super::internal(err)
}

/// One page of `query`'s results.
pub fn find(
    generation: &Generation,
    query: Box<dyn Query>,
    sort: Sort,
    cursor: Option<Cursor>,
    limit: usize,
    facets: bool,
) -> Result<Found, AppError> {
    let searcher = generation.reader.searcher();
    let limit = limit.clamp(1, 500);
    let (total, facets) = if facets {
        let (total, counts) = searcher
            .search(&query, &(Count, facet_collector()?))
            .map_err(|err| internal(&err))?;
        (total, Some(read_facets(&counts)))
    } else {
        (
            searcher
                .search(&query, &Count)
                .map_err(|err| internal(&err))?,
            None,
        )
    };
    let (addresses, next) = match sort {
        Sort::Relevance => {
            let offset = match cursor {
                Some(Cursor::Offset(n)) => n.min(MAX_OFFSET),
                _ => 0,
            };
            let hits = searcher
                .search(
                    &query,
                    &TopDocs::with_limit(limit)
                        .and_offset(offset)
                        .order_by_score(),
                )
                .map_err(|err| internal(&err))?;
            let shown = offset.saturating_add(hits.len());
            let next = (shown < total && shown <= MAX_OFFSET).then_some(Cursor::Offset(shown));
            (
                hits.into_iter()
                    .map(|(_, address)| address)
                    .collect::<Vec<_>>(),
                next,
            )
        }
        Sort::Date => {
            let query: Box<dyn Query> = match cursor {
                Some(Cursor::Before(key)) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, query),
                    (
                        Occur::Must,
                        Box::new(RangeQuery::new(
                            std::ops::Bound::Unbounded,
                            std::ops::Bound::Excluded(Term::from_field_i64(
                                generation.fields.order,
                                key,
                            )),
                        )),
                    ),
                ])),
                _ => query,
            };
            let hits = searcher
                .search(
                    &query,
                    &TopDocs::with_limit(limit + 1)
                        .order_by_fast_field::<i64>("order", Order::Desc),
                )
                .map_err(|err| internal(&err))?;
            let more = hits.len() > limit;
            let page: Vec<(Option<i64>, DocAddress)> = hits.into_iter().take(limit).collect();
            let next = if more {
                page.last().and_then(|(key, _)| *key).map(Cursor::Before)
            } else {
                None
            };
            (page.into_iter().map(|(_, address)| address).collect(), next)
        }
    };
    Ok(Found {
        total: u64::try_from(total).unwrap_or(u64::MAX),
        ids: ids(&searcher, &addresses)?,
        next,
        facets,
    })
}

fn ids(searcher: &Searcher, addresses: &[DocAddress]) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::with_capacity(addresses.len());
    let mut open: Option<(u32, tantivy::columnar::Column<u64>)> = None;
    for address in addresses {
        let column = match &open {
            Some((ord, column)) if *ord == address.segment_ord => column,
            _ => {
                let column = searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .u64("id")
                    .map_err(|err| internal(&err))?;
                &open.insert((address.segment_ord, column)).1
            }
        };
        if let Some(id) = column
            .first(address.doc_id)
            .and_then(|id| i64::try_from(id).ok())
        {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Every asset id `query` matches, in no particular order (a live
/// album's rule: all of them, not a page).
pub fn all_ids(generation: &Generation, query: &dyn Query) -> Result<Vec<i64>, AppError> {
    let searcher = generation.reader.searcher();
    let mut addresses: Vec<DocAddress> = searcher
        .search(query, &tantivy::collector::DocSetCollector)
        .map_err(|err| internal(&err))?
        .into_iter()
        .collect();
    addresses.sort_unstable();
    ids(&searcher, &addresses)
}

fn facet_collector() -> Result<AggregationCollector, AppError> {
    aggregation(&[
        ("years", "year", 200),
        ("places", "place_value", 12),
        ("cameras", "camera_value", 12),
        ("kinds", "kind", 5),
    ])
}

/// Terms aggregations: (name, fast field, how many values).
pub fn aggregation(terms: &[(&str, &str, u32)]) -> Result<AggregationCollector, AppError> {
    let request: serde_json::Map<String, serde_json::Value> = terms
        .iter()
        .map(|(name, field, size)| {
            (
                (*name).to_owned(),
                serde_json::json!({ "terms": { "field": field, "size": size } }),
            )
        })
        .collect();
    let request: Aggregations =
        serde_json::from_value(serde_json::Value::Object(request)).map_err(|err| internal(&err))?;
    Ok(AggregationCollector::from_aggs(
        request,
        tantivy::aggregation::AggContextParams::default(),
    ))
}

/// The buckets of one terms aggregation, most frequent first.
pub fn buckets(
    results: &tantivy::aggregation::agg_result::AggregationResults,
    name: &str,
) -> Vec<(String, u64)> {
    let Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) =
        results.0.get(name)
    else {
        return Vec::new();
    };
    buckets
        .iter()
        .map(|bucket| {
            let key = match &bucket.key {
                Key::Str(text) => text.clone(),
                Key::I64(n) => n.to_string(),
                Key::U64(n) => n.to_string(),
                Key::F64(n) => n.to_string(),
            };
            (key, bucket.doc_count)
        })
        .collect()
}

fn read_facets(results: &tantivy::aggregation::agg_result::AggregationResults) -> Facets {
    let mut years = buckets(results, "years");
    years.sort_by(|a, b| b.0.cmp(&a.0));
    Facets {
        years,
        places: buckets(results, "places"),
        cameras: buckets(results, "cameras"),
        kinds: buckets(results, "kinds"),
    }
}
