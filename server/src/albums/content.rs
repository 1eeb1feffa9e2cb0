//! What an album shows: who may add which photos, adding (or pinning) and
//! removing (or, from a live album, excluding) them, and its items in
//! order. Every change is told to the members and batched into their
//! notifications.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::{Membership, Role};
use crate::db::entities::{album, album_asset, asset, comment, reaction, user};
use crate::error::AppError;
use crate::events::Kind;
use crate::library::access::Viewer;
use crate::state::AppState;

/// The most photos one request adds or removes.
pub const MAX_SELECTION: usize = 10_000;

/// What adding did.
#[derive(Debug, Default)]
pub struct Added {
    /// Now shown in the album.
    pub shown: Vec<i64>,
    /// Already there.
    pub already: usize,
    /// Not the caller's to add (or not found).
    pub refused: usize,
}

/// Checks the size of a selection.
pub fn selection(ids: &[i64]) -> Result<(), AppError> {
    if ids.is_empty() || ids.len() > MAX_SELECTION {
        return Err(AppError::InvalidRequest(
            "Select between 1 and 10 000 photos.".into(),
        ));
    }
    Ok(())
}

/// The photos among `ids` a member in `role` may add: contributors their
/// own; editors and the owner also those the family shares.
async fn addable(
    state: &AppState,
    user_id: i64,
    role: Role,
    ids: &[i64],
) -> Result<Vec<asset::Model>, AppError> {
    let query = asset::Entity::find().filter(asset::Column::Id.is_in(ids.iter().copied()));
    let query = if role >= Role::Editor {
        query.filter(Viewer { user_id }.visible())
    } else {
        query
            .filter(asset::Column::OwnerId.eq(user_id))
            .filter(asset::Column::Status.eq("active"))
    };
    Ok(query.all(state.db()).await?)
}

/// Adds `ids` to the album as `me`. Private photos of `me`'s become
/// visible to the members: unless `share_private`, that needs
/// confirming first (`confirmation_needed`, saying how many).
pub async fn add(
    state: &AppState,
    member: &Membership,
    me: &user::Model,
    ids: &[i64],
    share_private: bool,
) -> Result<Added, AppError> {
    member.require(Role::Contributor, "add photos")?;
    selection(ids)?;
    let assets = addable(state, me.id, member.role, ids).await?;
    let private = assets
        .iter()
        .filter(|a| a.visibility == "private" && a.owner_id == me.id)
        .count();
    let others = super::members(state, member.album.id).await?.len() > 1;
    if private > 0 && !share_private && others {
        return Err(AppError::ConfirmationNeeded(format!(
            "{} private: adding {} lets everyone in “{}” see {}.",
            if private == 1 {
                "One of these photos is".to_owned()
            } else {
                format!("{private} of these photos are")
            },
            if private == 1 { "it" } else { "them" },
            member.album.title,
            if private == 1 { "it" } else { "them" },
        )));
    }
    let wanted: Vec<i64> = assets.iter().map(|a| a.id).collect();
    let mut added = put(state, member.album.id, &wanted, Some(me.id), None).await?;
    let unique: HashSet<i64> = ids.iter().copied().collect();
    added.refused = unique.len().saturating_sub(wanted.len());
    after_adding(state, &member.album, Some(me), None, &added.shown).await?;
    Ok(added)
}

/// Tells members and notifies them of photos now shown in the album.
pub async fn after_adding(
    state: &AppState,
    album: &album::Model,
    actor: Option<&user::Model>,
    guest: Option<&str>,
    shown: &[i64],
) -> Result<(), AppError> {
    if shown.is_empty() {
        return Ok(());
    }
    super::touch(state, album.id).await?;
    super::tell(state, album.id, Kind::Album, shown.to_vec()).await?;
    super::notify_added(state, album, actor, guest, shown.len()).await?;
    if let Some(search) = state.search() {
        search.wake.notify_one();
    }
    Ok(())
}

/// Puts `ids` in the album by hand (pinning them in a live album, taking
/// back an exclusion). Returns those newly shown.
pub async fn put(
    state: &AppState,
    album_id: i64,
    ids: &[i64],
    added_by: Option<i64>,
    guest: Option<&str>,
) -> Result<Added, AppError> {
    let existing: HashMap<i64, String> = album_asset::Entity::find()
        .select_only()
        .column(album_asset::Column::AssetId)
        .column(album_asset::Column::State)
        .filter(album_asset::Column::AlbumId.eq(album_id))
        .filter(album_asset::Column::AssetId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(state.db())
        .await?
        .into_iter()
        .collect();
    let mut added = Added::default();
    let mut fresh = Vec::new();
    let mut pinned = Vec::new();
    let mut seen = HashSet::new();
    for &id in ids {
        if !seen.insert(id) {
            continue;
        }
        match existing.get(&id).map(String::as_str) {
            None => fresh.push(id),
            Some("manual") => added.already += 1,
            Some(previous) => {
                if previous == "excluded" {
                    added.shown.push(id);
                } else {
                    added.already += 1;
                }
                pinned.push(id);
            }
        }
    }
    let now = state.now();
    for chunk in fresh.chunks(1_000) {
        album_asset::Entity::insert_many(chunk.iter().map(|&asset_id| album_asset::ActiveModel {
            album_id: Set(album_id),
            asset_id: Set(asset_id),
            state: Set("manual".to_owned()),
            added_by: Set(added_by),
            guest_name: Set(guest.map(str::to_owned)),
            added_at: Set(now),
            position: Set(None),
            ..Default::default()
        }))
        .exec(state.db())
        .await?;
    }
    added.shown.extend(fresh);
    for chunk in pinned.chunks(1_000) {
        album_asset::Entity::update_many()
            .col_expr(album_asset::Column::State, Expr::value("manual"))
            .col_expr(album_asset::Column::AddedBy, Expr::value(added_by))
            .filter(album_asset::Column::AlbumId.eq(album_id))
            .filter(album_asset::Column::AssetId.is_in(chunk.iter().copied()))
            .exec(state.db())
            .await?;
    }
    Ok(added)
}

/// Takes `ids` out of the album: editors and the owner any, contributors
/// those they added. From a live album they are excluded, so its rule
/// does not bring them back. Returns those removed.
pub async fn remove(
    state: &AppState,
    member: &Membership,
    me: &user::Model,
    ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    member.require(Role::Contributor, "remove photos")?;
    selection(ids)?;
    let rows = album_asset::Entity::find()
        .filter(album_asset::Column::AlbumId.eq(member.album.id))
        .filter(album_asset::Column::AssetId.is_in(ids.iter().copied()))
        .filter(album_asset::Column::State.ne("excluded"))
        .all(state.db())
        .await?;
    let (allowed, refused): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|row| member.role >= Role::Editor || row.added_by == Some(me.id));
    if allowed.is_empty() && !refused.is_empty() {
        return Err(AppError::Forbidden(
            "Contributors can only remove the photos they added.".into(),
        ));
    }
    let removed: Vec<i64> = allowed.iter().map(|row| row.asset_id).collect();
    for chunk in removed.chunks(1_000) {
        let these = sea_orm::Condition::all()
            .add(album_asset::Column::AlbumId.eq(member.album.id))
            .add(album_asset::Column::AssetId.is_in(chunk.iter().copied()));
        if member.album.rule.is_some() {
            album_asset::Entity::update_many()
                .col_expr(album_asset::Column::State, Expr::value("excluded"))
                .col_expr(album_asset::Column::AddedBy, Expr::value(me.id))
                .filter(these)
                .exec(state.db())
                .await?;
        } else {
            album_asset::Entity::delete_many()
                .filter(these)
                .exec(state.db())
                .await?;
        }
    }
    if !removed.is_empty() {
        super::touch(state, member.album.id).await?;
        super::tell(state, member.album.id, Kind::Album, removed.clone()).await?;
        if let Some(search) = state.search() {
            search.wake.notify_one();
        }
    }
    Ok(removed)
}

/// One photo as the album shows it.
#[derive(Debug)]
pub struct Item {
    pub asset: asset::Model,
    pub entry: album_asset::Model,
    pub comments: u32,
    pub hearts: u32,
}

/// The album's photos, in its order: by capture time (oldest first), or
/// its custom order (photos never placed come last, by capture time).
pub async fn items(state: &AppState, album: &album::Model) -> Result<Vec<Item>, AppError> {
    let entries = album_asset::Entity::find()
        .filter(album_asset::Column::AlbumId.eq(album.id))
        .filter(album_asset::Column::State.ne("excluded"))
        .all(state.db())
        .await?;
    let ids: Vec<i64> = entries.iter().map(|e| e.asset_id).collect();
    let mut assets: HashMap<i64, asset::Model> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(5_000) {
        for found in asset::Entity::find()
            .filter(asset::Column::Id.is_in(chunk.iter().copied()))
            .filter(asset::Column::Status.eq("active"))
            .all(state.db())
            .await?
        {
            assets.insert(found.id, found);
        }
    }
    let comments = counts(state, album.id, true).await?;
    let hearts = counts(state, album.id, false).await?;
    let mut items: Vec<Item> = entries
        .into_iter()
        .filter_map(|entry| {
            let asset = assets.remove(&entry.asset_id)?;
            Some(Item {
                comments: comments.get(&asset.id).copied().unwrap_or(0),
                hearts: hearts.get(&asset.id).copied().unwrap_or(0),
                asset,
                entry,
            })
        })
        .collect();
    let custom = album.sort == "custom";
    items.sort_by(|a, b| {
        let placed = |item: &Item| if custom { item.entry.position } else { None };
        match (placed(a), placed(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.asset.sort_at.cmp(&b.asset.sort_at),
        }
        .then(a.asset.id.cmp(&b.asset.id))
    });
    Ok(items)
}

/// Comments (or hearts) per photo of an album.
async fn counts(
    state: &AppState,
    album_id: i64,
    comments: bool,
) -> Result<HashMap<i64, u32>, AppError> {
    let rows: Vec<(i64, i64)> = if comments {
        comment::Entity::find()
            .select_only()
            .column(comment::Column::AssetId)
            .column_as(comment::Column::Id.count(), "n")
            .filter(comment::Column::AlbumId.eq(album_id))
            .filter(comment::Column::AssetId.is_not_null())
            .group_by(comment::Column::AssetId)
            .into_tuple()
            .all(state.db())
            .await?
    } else {
        reaction::Entity::find()
            .select_only()
            .column(reaction::Column::AssetId)
            .column_as(reaction::Column::Id.count(), "n")
            .filter(reaction::Column::AlbumId.eq(album_id))
            .filter(reaction::Column::AssetId.is_not_null())
            .group_by(reaction::Column::AssetId)
            .into_tuple()
            .all(state.db())
            .await?
    };
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u32::try_from(n).unwrap_or(u32::MAX)))
        .collect())
}

/// How many photos the album shows, and its cover: the chosen one while
/// it is shown, else the newest.
pub async fn count_and_cover(
    state: &AppState,
    album: &album::Model,
) -> Result<(u64, Option<asset::Model>), AppError> {
    let shown = || {
        asset::Entity::find()
            .filter(asset::Column::Status.eq("active"))
            .filter(Expr::cust_with_values(
                "assets.id IN (SELECT asset_id FROM album_assets WHERE album_id = ? AND state <> 'excluded')",
                [album.id],
            ))
    };
    let count = sea_orm::PaginatorTrait::count(shown(), state.db()).await?;
    let chosen = match album.cover_asset_id {
        Some(id) => {
            shown()
                .filter(asset::Column::Id.eq(id))
                .one(state.db())
                .await?
        }
        None => None,
    };
    let cover = match chosen {
        Some(cover) => Some(cover),
        None => {
            shown()
                .order_by_desc(asset::Column::SortAt)
                .one(state.db())
                .await?
        }
    };
    Ok((count, cover))
}

/// Sets the custom order: `ids` first, in this order (the rest follow by
/// capture time).
pub async fn reorder(state: &AppState, member: &Membership, ids: &[i64]) -> Result<(), AppError> {
    member.require(Role::Editor, "change the order")?;
    selection(ids)?;
    // One transaction: thousands of small writes, one commit.
    let txn = state.db().begin().await?;
    album_asset::Entity::update_many()
        .col_expr(
            album_asset::Column::Position,
            Expr::value(Option::<f64>::None),
        )
        .filter(album_asset::Column::AlbumId.eq(member.album.id))
        .exec(&txn)
        .await?;
    for (position, id) in ids.iter().enumerate() {
        album_asset::Entity::update_many()
            .col_expr(
                album_asset::Column::Position,
                Expr::value(f64::from(u32::try_from(position).unwrap_or(u32::MAX))),
            )
            .filter(album_asset::Column::AlbumId.eq(member.album.id))
            .filter(album_asset::Column::AssetId.eq(*id))
            .exec(&txn)
            .await?;
    }
    album::Entity::update_many()
        .col_expr(album::Column::Sort, Expr::value("custom"))
        .filter(album::Column::Id.eq(member.album.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    super::tell(state, member.album.id, Kind::Album, Vec::new()).await
}
