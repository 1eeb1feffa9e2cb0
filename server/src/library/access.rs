//! Who may see an asset — the one rule every read path applies (timeline,
//! details, media, search, albums, events; exports later): its owner;
//! every member when its visibility is `family`; the members of an album
//! that holds it. Trashed assets are seen by their owner only (in the
//! trash); offline assets by nobody but their owner's file list. Guests
//! with a share link see the album's photos through `albums::guest`, which
//! asks `in_album` here.

use sea_orm::sea_query::{Condition, Expr, IntoCondition};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::db::entities::{album_asset, asset};
use crate::error::AppError;
use crate::state::AppState;

/// The albums that are there for their members: all but those of an
/// account being deleted (hidden from everyone at once, purged with it).
/// Seeing a photo through an album ends when the album does.
pub const OPEN_ALBUMS: &str = "SELECT id FROM albums WHERE owner_id NOT IN \
     (SELECT id FROM users WHERE status = 'pending_deletion')";

/// `column` (an album id) names an open album.
#[must_use]
pub fn open_album(column: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(format!("{column} IN ({OPEN_ALBUMS})"))
}

/// The person asking.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub user_id: i64,
}

impl Viewer {
    /// Assets in this viewer's library (active ones): their own and the
    /// family's. The timeline shows these.
    #[must_use]
    pub fn visible(self) -> Condition {
        Condition::all()
            .add(asset::Column::Status.eq("active"))
            .add(self.may_see().into_condition())
    }

    /// Every active asset this viewer may see: their library and the
    /// albums they are a member of.
    #[must_use]
    pub fn reachable(self) -> Condition {
        Condition::all()
            .add(asset::Column::Status.eq("active"))
            .add(
                Condition::any()
                    .add(self.may_see())
                    .add(Expr::cust_with_values(
                        format!(
                            "assets.id IN (SELECT e.asset_id FROM album_assets e \
                             JOIN album_members m ON m.album_id = e.album_id \
                             WHERE m.user_id = ? AND e.state <> 'excluded' \
                             AND e.album_id IN ({OPEN_ALBUMS}))"
                        ),
                        [self.user_id],
                    )),
            )
    }

    fn may_see(self) -> Condition {
        Condition::any()
            .add(asset::Column::OwnerId.eq(self.user_id))
            .add(asset::Column::Visibility.eq("family"))
    }

    /// Whether this viewer may see `asset` in their library (albums aside).
    #[must_use]
    pub fn can_see(self, asset: &asset::Model) -> bool {
        let owner = asset.owner_id == self.user_id;
        match asset.status.as_str() {
            "active" => owner || asset.visibility == "family",
            // In the trash, or its file offline: its owner still may.
            _ => owner,
        }
    }

    #[must_use]
    pub fn owns(self, asset: &asset::Model) -> bool {
        asset.owner_id == self.user_id
    }
}

/// The asset, if this viewer may see it; otherwise not found (whether it
/// exists is not revealed).
pub async fn find(state: &AppState, viewer: Viewer, id: i64) -> Result<asset::Model, AppError> {
    let not_found = || AppError::NotFound("There is no such photo.".into());
    let asset = asset::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(not_found)?;
    if viewer.can_see(&asset) {
        return Ok(asset);
    }
    let shared = asset.status == "active"
        && asset::Entity::find()
            .filter(asset::Column::Id.eq(id))
            .filter(viewer.reachable())
            .count(state.db())
            .await?
            > 0;
    if shared { Ok(asset) } else { Err(not_found()) }
}

/// Whether `asset_id` is shown in album `album_id` (not excluded from it,
/// and active).
pub async fn in_album(state: &AppState, album_id: i64, asset_id: i64) -> Result<bool, AppError> {
    Ok(album_asset::Entity::find()
        .filter(album_asset::Column::AlbumId.eq(album_id))
        .filter(album_asset::Column::AssetId.eq(asset_id))
        .filter(album_asset::Column::State.ne("excluded"))
        .filter(Expr::cust("EXISTS (SELECT 1 FROM assets WHERE assets.id = album_assets.asset_id AND assets.status = 'active')"))
        .count(state.db())
        .await?
        > 0)
}

/// The asset, if this viewer owns it (for changes); someone else's photo
/// they may see is forbidden, one they may not see is not found.
pub async fn find_own(state: &AppState, viewer: Viewer, id: i64) -> Result<asset::Model, AppError> {
    let asset = find(state, viewer, id).await?;
    if viewer.owns(&asset) {
        Ok(asset)
    } else {
        Err(AppError::Forbidden(
            "Only the member who added this photo can change it.".into(),
        ))
    }
}

/// Filters a query of assets down to those `viewer` may see.
pub fn filter<Q: QueryFilter>(query: Q, viewer: Viewer) -> Q {
    query.filter(viewer.visible())
}

/// Used by the asset list when the owner looks at their own trash.
#[must_use]
pub fn trashed_of(viewer: Viewer) -> Condition {
    Condition::all()
        .add(asset::Column::Status.eq("trashed"))
        .add(asset::Column::OwnerId.eq(viewer.user_id))
}
