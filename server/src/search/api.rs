//! `GET /api/search`, `GET /api/search/suggest` and `POST
//! /api/search/reindex`. Every query is limited to what the caller may
//! see — results, counts, facets and suggestions alike — and results are
//! read back through the library's access rule as well.

use std::collections::HashMap;

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::blocking;
use super::compile::{self, Names, tokens};
use super::find::{self, Cursor, Sort};
use super::query::{self, Parsed, What};
use crate::accounts::principal::Auth;
use crate::accounts::tokens::Scope;
use crate::api::ApiTag;
use crate::db::entities::{album, album_member, asset, user};
use crate::error::AppError;
use crate::library::api::{Brief, viewer};
use crate::library::timeline::brief;
use crate::state::AppState;

pub struct SearchApi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum SortOrder {
    /// Best matches first (the default when words are searched).
    Relevance,
    /// Newest first (the default for filters alone).
    Date,
}

#[derive(Debug, Object)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
    /// What to add to the query to narrow to this value, e.g. `place:"Lisbon"`.
    pub filter: String,
}

#[derive(Debug, Object)]
pub struct SearchFacets {
    pub years: Vec<FacetValue>,
    pub places: Vec<FacetValue>,
    pub cameras: Vec<FacetValue>,
    pub kinds: Vec<FacetValue>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchResults {
    /// How many match in all (not only this page).
    pub total: u64,
    pub sort: SortOrder,
    pub items: Vec<Brief>,
    /// Pass as `cursor` for the next page; absent on the last.
    #[oai(skip_serializing_if_is_none)]
    pub next: Option<String>,
    /// On the first page only.
    #[oai(skip_serializing_if_is_none)]
    pub facets: Option<SearchFacets>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum SuggestionKind {
    Place,
    Camera,
    Tag,
}

#[derive(Debug, Object)]
pub struct Suggestion {
    pub kind: SuggestionKind,
    pub value: String,
    /// Photos you can see with it.
    pub count: u64,
    /// The filter that finds them, e.g. `place:"Lisbon"`.
    pub filter: String,
}

#[derive(Debug, Object)]
pub struct Reindexing {
    /// The rebuild runs in the background; search keeps working meanwhile.
    pub started: bool,
}

/// The access tokens of the person asking.
/// The access tokens of what `user_id` may see: their own photos, the
/// family's, and with `albums` those of every album they are a member of.
pub(crate) async fn access(
    state: &AppState,
    user_id: i64,
    albums: bool,
) -> Result<Vec<String>, AppError> {
    let mut tokens = vec![format!("u:{user_id}"), "family".to_owned()];
    if albums {
        let ids: Vec<i64> = album_member::Entity::find()
            .select_only()
            .column(album_member::Column::AlbumId)
            .filter(album_member::Column::UserId.eq(user_id))
            .filter(crate::library::access::open_album("album_members.album_id"))
            .into_tuple()
            .all(state.db())
            .await?;
        tokens.extend(ids.into_iter().map(|id| format!("album:{id}")));
    }
    Ok(tokens)
}

fn quote(value: &str) -> String {
    if value.chars().all(|c| c.is_alphanumeric() || c == '-') {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('"', ""))
    }
}

/// What the query's names stand for: `by:` a member (username or display
/// name), `album:` albums `user_id` is a member of (by title).
pub(crate) async fn names(
    state: &AppState,
    user_id: i64,
    parsed: &Parsed,
) -> Result<Names, AppError> {
    let mut found = Names {
        me: user_id,
        ..Names::default()
    };
    let mut members: Option<Vec<user::Model>> = None;
    let mut albums: Option<Vec<(i64, String)>> = None;
    for filter in &parsed.filters {
        match &filter.what {
            What::By(name) => {
                let wanted = name.to_lowercase();
                // Read once, and only for a query that names someone.
                let members = match &mut members {
                    Some(members) => members,
                    empty => empty.insert(user::Entity::find().all(state.db()).await?),
                };
                let member = members.iter().find(|m| {
                    m.username.to_lowercase() == wanted || m.display_name.to_lowercase() == wanted
                });
                let Some(member) = member else {
                    return Err(AppError::InvalidQuery {
                        message: format!("There is no member called “{name}”."),
                        position: filter.position,
                    });
                };
                found.owners.insert(wanted, member.id);
            }
            What::Album(name) => {
                let wanted = name.to_lowercase();
                let albums = match &mut albums {
                    Some(albums) => albums,
                    empty => empty.insert(
                        album::Entity::find()
                            .select_only()
                            .column(album::Column::Id)
                            .column(album::Column::Title)
                            .filter(Expr::cust_with_values(
                                "albums.id IN (SELECT album_id FROM album_members WHERE user_id = ?)",
                                [user_id],
                            ))
                            .filter(crate::library::access::open_album("albums.id"))
                            .into_tuple()
                            .all(state.db())
                            .await?,
                    ),
                };
                let ids: Vec<i64> = albums
                    .iter()
                    .filter(|(_, title)| title.to_lowercase() == wanted)
                    .map(|(id, _)| *id)
                    .collect();
                if ids.is_empty() {
                    return Err(AppError::InvalidQuery {
                        message: format!("You have no album called “{name}”."),
                        position: filter.position,
                    });
                }
                found.albums.insert(wanted, ids);
            }
            _ => {}
        }
    }
    Ok(found)
}

fn search_index(state: &AppState) -> Result<std::sync::Arc<super::Runtime>, AppError> {
    state
        .search()
        .cloned()
        .ok_or_else(|| AppError::Unavailable("Search is not running in this process.".into()))
}

#[OpenApi(tag = "ApiTag::Search")]
impl SearchApi {
    /// Search the photos and videos you can see. `q` is free text and
    /// filters (`2019`, `date:2019-06..2019-08`, `before:`, `after:`,
    /// `place:`, `camera:`, `lens:`, `tag:`, `type:video|photo|live`,
    /// `is:favorite`, `is:archived`, `has:gps`, `album:`, `by:`, quoted phrases, `-` to
    /// exclude); a query that cannot be read is `invalid_query` with the
    /// `position` of the trouble.
    #[oai(path = "/search", method = "get", operation_id = "search")]
    async fn search(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        q: Query<Option<String>>,
        sort: Query<Option<SortOrder>>,
        cursor: Query<Option<String>>,
        /// Results per page (1–200, default 100).
        limit: Query<Option<u32>>,
    ) -> Result<Json<SearchResults>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let text = q.0.unwrap_or_default();
        let parsed = query::parse(&text)?;
        let names = names(&state, me.user.id, &parsed).await?;
        let order = sort.0.unwrap_or(if parsed.has_text() {
            SortOrder::Relevance
        } else {
            SortOrder::Date
        });
        let cursor = match cursor.0.as_deref() {
            Some(text) => Some(
                Cursor::decode(text)
                    .filter(|c| !matches!(c, Cursor::Offset(n) if *n > find::MAX_OFFSET))
                    .ok_or_else(|| {
                        AppError::InvalidRequest(
                            "This cursor is not one Hearth gave (best matches go 10 000 deep: add words or filters).".into(),
                        )
                    })?,
            ),
            None => None,
        };
        let limit = usize::try_from(limit.0.unwrap_or(100).clamp(1, 200)).unwrap_or(100);
        // The marks asked for are checked again in the database below: the
        // index may be a moment behind an Archive or a Favourite.
        let marks: Vec<(What, bool)> = parsed
            .filters
            .iter()
            .filter(|f| matches!(f.what, What::Archived | What::Favourite))
            .map(|f| (f.what.clone(), !f.negated))
            .collect();
        let runtime = search_index(&state)?;
        let access = access(&state, me.user.id, true).await?;
        let found = blocking(move || {
            let generation = runtime.current();
            let query = compile::compile(&generation, &parsed, &access, &names);
            let sort = match order {
                SortOrder::Relevance => Sort::Relevance,
                SortOrder::Date => Sort::Date,
            };
            find::find(&generation, query, sort, cursor, limit, cursor.is_none())
        })
        .await?;
        // Through the access rule once more: the index may lag a second.
        let me_viewer = viewer(me);
        let rows = asset::Entity::find()
            .filter(asset::Column::Id.is_in(found.ids.iter().copied()))
            .filter(me_viewer.reachable())
            .all(state.db())
            .await?;
        let mut by_id: HashMap<i64, asset::Model> = rows.into_iter().map(|a| (a.id, a)).collect();
        let items = found
            .ids
            .iter()
            .filter_map(|id| by_id.remove(id))
            .filter(|asset| {
                marks.iter().all(|(what, on)| {
                    let mine = asset.owner_id == me.user.id;
                    match what {
                        What::Archived => (mine && asset.archived) == *on,
                        What::Favourite => (mine && asset.favourite) == *on,
                        _ => true,
                    }
                })
            })
            .map(|asset| brief(&asset, me_viewer))
            .collect();
        let values = |list: Vec<(String, u64)>, key: &str| {
            list.into_iter()
                .map(|(value, count)| FacetValue {
                    filter: format!("{key}:{}", quote(&value)),
                    value,
                    count,
                })
                .collect()
        };
        Ok(Json(SearchResults {
            total: found.total,
            sort: order,
            items,
            next: found.next.map(Cursor::encode),
            facets: found.facets.map(|f| SearchFacets {
                years: f
                    .years
                    .into_iter()
                    .map(|(value, count)| FacetValue {
                        filter: value.clone(),
                        value,
                        count,
                    })
                    .collect(),
                places: values(f.places, "place"),
                cameras: values(f.cameras, "camera"),
                kinds: values(f.kinds, "type"),
            }),
        }))
    }

    /// Places, cameras and tags of photos you can see that start with what
    /// is typed (any word of them), most frequent first.
    #[oai(
        path = "/search/suggest",
        method = "get",
        operation_id = "search_suggest"
    )]
    async fn suggest(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        q: Query<Option<String>>,
    ) -> Result<Json<Vec<Suggestion>>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let typed = q.0.unwrap_or_default();
        if typed.chars().count() > query::MAX_QUERY {
            return Err(AppError::InvalidRequest(
                "That is too long to suggest for.".into(),
            ));
        }
        let runtime = search_index(&state)?;
        let access = access(&state, me.user.id, true).await?;
        let suggestions = blocking(move || suggest(&runtime.current(), &typed, &access)).await?;
        Ok(Json(suggestions))
    }

    /// Rebuild the search index from the database (owner). Search keeps
    /// answering from the current index until the new one is ready.
    #[oai(
        path = "/search/reindex",
        method = "post",
        operation_id = "search_reindex"
    )]
    async fn reindex(
        &self,
        auth: Auth,
        state: Data<&AppState>,
    ) -> Result<Json<Reindexing>, AppError> {
        auth.principal().require_owner()?;
        let runtime = search_index(&state)?;
        runtime
            .rebuild
            .store(true, std::sync::atomic::Ordering::SeqCst);
        runtime.wake.notify_one();
        Ok(Json(Reindexing { started: true }))
    }
}

/// How many suggestions at most.
const SUGGESTIONS: usize = 8;

fn suggest(
    generation: &super::Generation,
    typed: &str,
    access: &[String],
) -> Result<Vec<Suggestion>, AppError> {
    use tantivy::query::{BooleanQuery, Occur, PhrasePrefixQuery, Query};
    let words = tokens(generation, typed);
    let Some(last) = words.last() else {
        return Ok(Vec::new());
    };
    let fields = &generation.fields;
    // Photos with a place, camera or tag whose words start so.
    let mut prefix_options: Vec<Box<dyn Query>> = Vec::new();
    for field in [fields.place, fields.camera, fields.tags] {
        let mut prefix = PhrasePrefixQuery::new(vec![tantivy::Term::from_field_text(field, last)]);
        prefix.set_max_expansions(50);
        prefix_options.push(Box::new(prefix));
    }
    let query = BooleanQuery::new(vec![
        (Occur::Must, compile::access_query(fields, access)),
        (Occur::Must, Box::new(BooleanQuery::union(prefix_options))),
    ]);
    let collector = find::aggregation(&[
        ("places", "place_value", 100),
        ("cameras", "camera_value", 100),
        ("tags", "tag_value", 100),
    ])?;
    let results = generation
        .reader
        .searcher()
        .search(&query, &collector)
        .map_err(|err| super::internal(&err))?;
    let wanted = words.join(" ");
    let mut found: Vec<Suggestion> = Vec::new();
    for (name, kind, key) in [
        ("places", SuggestionKind::Place, "place"),
        ("cameras", SuggestionKind::Camera, "camera"),
        ("tags", SuggestionKind::Tag, "tag"),
    ] {
        for (value, count) in find::buckets(&results, name) {
            let folded = tokens(generation, &value).join(" ");
            if folded.starts_with(&wanted) || folded.contains(&format!(" {wanted}")) {
                found.push(Suggestion {
                    kind,
                    filter: format!("{key}:{}", quote(&value)),
                    value,
                    count,
                });
            }
        }
    }
    found.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    found.truncate(SUGGESTIONS);
    Ok(found)
}
