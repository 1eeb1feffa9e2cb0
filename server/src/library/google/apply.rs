//! What a takeout import does to the library beyond importing files: the
//! sidecar's facts on each photo, and the albums.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::meta::Sidecar;
use crate::db::entities::{album, asset, user};
use crate::error::AppError;
use crate::state::AppState;

/// What marks an album an import made (`albums.source`).
const SOURCE: &str = "google_takeout";

/// Fills what the photo's own file lacked from its sidecar; a photo `new`
/// to the library also takes Google's favourite, archive and trash (one
/// that was here already keeps what its member made of it). Returns
/// whether it went to the trash.
pub async fn facts(
    state: &AppState,
    id: i64,
    facts: &Sidecar,
    new: bool,
) -> Result<bool, AppError> {
    use chrono::Datelike as _;
    let Some(found) = asset::Entity::find_by_id(id).one(state.db()).await? else {
        return Ok(false);
    };
    let guessed = matches!(found.taken_source.as_str(), "file_name" | "file_modified");
    let placeless = found.latitude.is_none();
    let uncaptioned = found.caption.as_deref().is_none_or(|c| c.trim().is_empty());
    let keywords: Vec<String> = serde_json::from_str(&found.keywords).unwrap_or_default();
    let mut row: asset::ActiveModel = found.clone().into();
    let mut located = None;
    if guessed && let Some(taken) = facts.taken() {
        row.sort_at = Set(taken);
        row.taken_local = Set(Some(
            taken.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(),
        ));
        row.taken_offset_minutes = Set(Some(0));
        row.taken_source = Set("google_takeout".to_owned());
        row.month = Set(taken.year() * 100 + i32::try_from(taken.month()).unwrap_or(1));
    }
    if placeless && let Some((latitude, longitude)) = facts.place() {
        row.latitude = Set(Some(latitude));
        row.longitude = Set(Some(longitude));
        located = Some((latitude, longitude));
    }
    if uncaptioned && let Some(caption) = facts.caption() {
        row.caption = Set(Some(caption.chars().take(2000).collect()));
    }
    let people = facts.people();
    if people.iter().any(|name| !keywords.contains(name)) {
        let mut all = keywords;
        all.extend(people);
        all.sort();
        all.dedup();
        row.keywords = Set(serde_json::to_string(&all).unwrap_or_else(|_| "[]".to_owned()));
    }
    if new && facts.favorited {
        row.favourite = Set(true);
    }
    if new && facts.archived {
        row.archived = Set(true);
    }
    row.updated_at = Set(state.now());
    row.update(state.db()).await?;
    if let Some((latitude, longitude)) = located {
        crate::library::places::locate(state, id, latitude, longitude).await?;
    }
    let trashed = new && facts.trashed && found.status == "active";
    if trashed {
        crate::library::set_trashed(state, found.owner_id, &[id], true).await?;
    } else {
        crate::library::announce(state, &[id], false).await?;
    }
    Ok(trashed)
}

/// The album of this title that an earlier import of the member's made
/// (or a new one); returns whether it was made now. Never another album of
/// the same title, and private photos are never shared with an album's
/// other members on the import's say-so.
pub async fn album(
    state: &AppState,
    owner: &user::Model,
    title: &str,
    ids: &[i64],
) -> Result<bool, AppError> {
    let existing = album::Entity::find()
        .filter(album::Column::OwnerId.eq(owner.id))
        .filter(album::Column::Title.eq(title))
        .filter(album::Column::Source.eq(SOURCE))
        .one(state.db())
        .await?;
    let (member, made) = if let Some(found) = existing {
        (
            crate::albums::membership(state, owner.id, found.id).await?,
            false,
        )
    } else {
        let made =
            crate::albums::create(state, owner.id, title.to_owned(), String::new(), None).await?;
        let mut row: album::ActiveModel = made.album.clone().into();
        row.source = Set(Some(SOURCE.to_owned()));
        row.update(state.db()).await?;
        (made, true)
    };
    for chunk in ids.chunks(1_000) {
        crate::albums::content::add(state, &member, owner, chunk, false).await?;
    }
    Ok(made)
}
