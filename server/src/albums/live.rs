//! Live albums: an album whose content is a saved search (the search
//! query language), evaluated with the album owner's permissions — their
//! own photos and the family's, never what they only see through other
//! albums — plus photos pinned by hand and photos excluded by hand. What
//! the rule matches is materialised (`album_assets` rows in state `live`),
//! so album pages read the database only. A follower task re-checks every
//! live album against the assets each index commit changed, so a photo
//! that comes to match joins within seconds and one that stops matching
//! leaves; the members hear of arrivals, batched.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, Query, TermSetQuery};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::db::entities::{album, album_asset};
use crate::error::AppError;
use crate::events::Kind;
use crate::search::query::{self, Parsed};
use crate::search::{Applied, blocking, compile, find};
use crate::state::AppState;

/// The most photos a live album holds.
pub const MAX_LIVE: usize = 100_000;

/// Reads a rule: a search query with at least one word or filter.
pub fn parse_rule(rule: &str) -> Result<Parsed, AppError> {
    let parsed = query::parse(rule)?;
    if parsed.words.is_empty() && parsed.filters.is_empty() {
        return Err(AppError::InvalidQuery {
            message: "A live album needs a search: words or filters such as place:lisbon.".into(),
            position: 0,
        });
    }
    Ok(parsed)
}

/// The photos `rule` matches for `owner_id` (their own and the family's),
/// among `among` when given.
pub async fn matches(
    state: &AppState,
    owner_id: i64,
    rule: &str,
    among: Option<&[i64]>,
) -> Result<Vec<i64>, AppError> {
    let parsed = parse_rule(rule)?;
    let access = crate::search::api::access(state, owner_id, false).await?;
    let mut ids = matching(state, owner_id, parsed, access, among).await?;
    ids.sort_unstable();
    ids.truncate(MAX_LIVE);
    Ok(ids)
}

/// Every asset `parsed` matches among those the `access` tokens open
/// (and among `among` when given); names in it are `user_id`'s.
pub async fn matching(
    state: &AppState,
    user_id: i64,
    parsed: Parsed,
    access: Vec<String>,
    among: Option<&[i64]>,
) -> Result<Vec<i64>, AppError> {
    let names = crate::search::api::names(state, user_id, &parsed).await?;
    let runtime = state
        .search()
        .cloned()
        .ok_or_else(|| AppError::Unavailable("Search is not running in this process.".into()))?;
    let among: Option<Vec<u64>> = among.map(|ids| {
        ids.iter()
            .filter_map(|&id| u64::try_from(id).ok())
            .collect()
    });
    blocking(move || {
        let generation = runtime.current();
        let mut query = compile::compile(&generation, &parsed, &access, &names);
        if let Some(among) = among {
            let field = generation.fields.id;
            let only: Box<dyn Query> = Box::new(TermSetQuery::new(
                among.into_iter().map(|id| Term::from_field_u64(field, id)),
            ));
            query = Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (Occur::Must, only),
            ]));
        }
        find::all_ids(&generation, query.as_ref())
    })
    .await
}

/// Brings a live album in line with its rule (for the photos in `among`,
/// or all): matches join (unless excluded by hand), photos that stopped
/// matching leave (unless pinned). Members are told; arrivals notify.
pub async fn sync(
    state: &AppState,
    album: &album::Model,
    among: Option<&[i64]>,
) -> Result<(), AppError> {
    let Some(rule) = &album.rule else {
        return Ok(());
    };
    let matched: HashSet<i64> = matches(state, album.owner_id, rule, among)
        .await?
        .into_iter()
        .collect();
    let mut rows = album_asset::Entity::find()
        .select_only()
        .column(album_asset::Column::AssetId)
        .column(album_asset::Column::State)
        .filter(album_asset::Column::AlbumId.eq(album.id));
    if let Some(among) = among {
        rows = rows.filter(album_asset::Column::AssetId.is_in(among.iter().copied()));
    }
    let rows: HashMap<i64, String> = rows
        .into_tuple()
        .all(state.db())
        .await?
        .into_iter()
        .collect();
    let mut joining: Vec<i64> = matched
        .iter()
        .copied()
        .filter(|id| !rows.contains_key(id))
        .collect();
    joining.sort_unstable();
    let leaving: Vec<i64> = rows
        .iter()
        .filter(|(id, row)| *row == "live" && !matched.contains(id))
        .map(|(id, _)| *id)
        .collect();
    if joining.is_empty() && leaving.is_empty() {
        return Ok(());
    }
    let now = state.now();
    for chunk in joining.chunks(1_000) {
        album_asset::Entity::insert_many(chunk.iter().map(|&asset_id| album_asset::ActiveModel {
            album_id: Set(album.id),
            asset_id: Set(asset_id),
            state: Set("live".to_owned()),
            added_by: Set(None),
            guest_name: Set(None),
            added_at: Set(now),
            position: Set(None),
            ..Default::default()
        }))
        .exec(state.db())
        .await?;
    }
    for chunk in leaving.chunks(1_000) {
        album_asset::Entity::delete_many()
            .filter(album_asset::Column::AlbumId.eq(album.id))
            .filter(album_asset::Column::State.eq("live"))
            .filter(album_asset::Column::AssetId.is_in(chunk.iter().copied()))
            .exec(state.db())
            .await?;
    }
    if !leaving.is_empty() {
        super::touch(state, album.id).await?;
        super::tell(state, album.id, Kind::Album, leaving).await?;
    }
    // A rule's first filling is not news.
    let news = among.is_some();
    if news {
        super::content::after_adding(state, album, None, None, &joining).await?;
    } else if !joining.is_empty() {
        super::touch(state, album.id).await?;
        super::tell(state, album.id, Kind::Album, joining).await?;
    }
    Ok(())
}

/// Turns a live album into a manual one: what it shows stays, by hand.
pub async fn stop(state: &AppState, album_id: i64) -> Result<(), AppError> {
    album_asset::Entity::update_many()
        .col_expr(album_asset::Column::State, Expr::value("manual"))
        .filter(album_asset::Column::AlbumId.eq(album_id))
        .filter(album_asset::Column::State.eq("live"))
        .exec(state.db())
        .await?;
    album_asset::Entity::delete_many()
        .filter(album_asset::Column::AlbumId.eq(album_id))
        .filter(album_asset::Column::State.eq("excluded"))
        .exec(state.db())
        .await?;
    Ok(())
}

/// Re-checks every live album (for `among`, or all photos).
async fn sync_all(state: &AppState, among: Option<&[i64]>) -> Result<(), AppError> {
    let albums = album::Entity::find()
        .filter(album::Column::Rule.is_not_null())
        .all(state.db())
        .await?;
    for album in albums {
        if let Err(err) = sync(state, &album, among).await {
            tracing::warn!(album = album.id, error = %err, "updating a live album");
        }
    }
    Ok(())
}

pub struct Follower {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Follower {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Follows the index: after each commit, every live album re-checks the
/// photos it changed (all of them at start — once the index is complete —
/// after a rebuild, or when it fell behind).
#[must_use]
pub fn follow(state: &AppState, search: &Arc<crate::search::Runtime>) -> Follower {
    let (stop, mut stopped) = watch::channel(false);
    let mut applied = search.applied.subscribe();
    let state = state.clone();
    // An index without a record of what it holds is being rebuilt: every
    // rule would match nothing until then (the rebuild says `All` when
    // done), so the first check waits for it.
    let ready = search.current().applied().is_some();
    let task = tokio::spawn(async move {
        let mut next = ready.then_some(Applied::All);
        loop {
            if let Some(what) = next.take() {
                let among = match &what {
                    Applied::Assets(ids) if ids.is_empty() => continue,
                    Applied::Assets(ids) => Some(ids.as_ref()),
                    Applied::All => None,
                };
                if let Err(err) = sync_all(&state, among).await {
                    tracing::warn!(error = %err, "updating live albums");
                }
            }
            tokio::select! {
                received = applied.recv() => match received {
                    Ok(what) => next = Some(what),
                    Err(RecvError::Lagged(_)) => next = Some(Applied::All),
                    Err(RecvError::Closed) => break,
                },
                _ = stopped.changed() => break,
            }
        }
    });
    Follower { stop, task }
}
