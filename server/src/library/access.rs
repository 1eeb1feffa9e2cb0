//! Who may see an asset — the one rule every read path applies (timeline,
//! details, media; search, albums, events and exports later): its owner,
//! and every member when its visibility is `family`. Trashed assets are
//! seen by their owner only (in the trash); offline assets by nobody but
//! their owner's file list. Album membership and share links extend this
//! rule in later versions, here.

use sea_orm::sea_query::{Condition, IntoCondition};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db::entities::asset;
use crate::error::AppError;
use crate::state::AppState;

/// The person asking.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub user_id: i64,
}

impl Viewer {
    /// Assets this viewer may see in the library (active ones).
    #[must_use]
    pub fn visible(self) -> Condition {
        Condition::all()
            .add(asset::Column::Status.eq("active"))
            .add(self.may_see().into_condition())
    }

    fn may_see(self) -> Condition {
        Condition::any()
            .add(asset::Column::OwnerId.eq(self.user_id))
            .add(asset::Column::Visibility.eq("family"))
    }

    /// Whether this viewer may see `asset` (details and media).
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
    asset::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .filter(|asset| viewer.can_see(asset))
        .ok_or_else(|| AppError::NotFound("There is no such photo.".into()))
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
