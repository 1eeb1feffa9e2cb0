//! Purging for good (promise 2: deleted means gone). Files go first, then
//! rows, so a purge cut short by a crash is finished by the next sweep:
//! the managed original and every derivative, then in one transaction a
//! tombstone for each import-folder file (the file itself stays where it
//! is: Hearth never touches an import folder), the notifications and jobs
//! about the asset, and its row (album entries, comments, reactions and
//! its files' rows go with it through foreign keys; the search document
//! through the change-log trigger). `compact` then makes the deletion
//! physical: the search writer merges its segments and drops old files,
//! and SQLite's WAL is checkpointed and truncated (`secure_delete` has
//! zeroed the freed pages already).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement,
    TransactionTrait as _,
};
use serde::Serialize;

use crate::db::entities::{asset, asset_file, import_root, job, notification, tombstone};
use crate::error::AppError;
use crate::state::AppState;

/// Assets purged at once (one transaction).
const CHUNK: usize = 200;

/// What a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    pub photos: u64,
    pub videos: u64,
    pub bytes: u64,
}

impl Purged {
    #[must_use]
    pub fn assets(&self) -> u64 {
        self.photos + self.videos
    }
}

/// Purges these assets: files, derivatives, rows. Call `compact` after.
pub async fn assets(state: &AppState, ids: &[i64]) -> Result<Purged, AppError> {
    let mut purged = Purged::default();
    let roots: BTreeMap<i64, PathBuf> = import_root::Entity::find()
        .all(state.db())
        .await?
        .into_iter()
        .map(|root| (root.id, PathBuf::from(root.path)))
        .collect();
    for chunk in ids.chunks(CHUNK) {
        let found = asset::Entity::find()
            .filter(asset::Column::Id.is_in(chunk.iter().copied()))
            .all(state.db())
            .await?;
        let files = asset_file::Entity::find()
            .filter(asset_file::Column::AssetId.is_in(chunk.iter().copied()))
            .all(state.db())
            .await?;
        for file in files.iter().filter(|file| file.root_id.is_none()) {
            remove_managed(state, &file.path).await?;
        }
        for one in &found {
            remove_folder(state.data_dir().derived(one.id).as_path()).await?;
        }
        let now = state.now();
        let txn = state.db().begin().await?;
        let mut stones = Vec::new();
        let mut keys = Vec::new();
        for file in &files {
            keys.push(crate::library::workers::ingest_key(
                file.root_id,
                &file.path,
            ));
            let Some(root_id) = file.root_id.filter(|id| roots.contains_key(id)) else {
                continue;
            };
            let Some(owner) = found.iter().find(|a| a.id == file.asset_id) else {
                continue;
            };
            let hash = if file.role == "motion" {
                owner.motion_hash.clone().unwrap_or_default()
            } else {
                owner.hash.clone()
            };
            stones.push(tombstone::ActiveModel {
                root_id: sea_orm::Set(root_id),
                hash: sea_orm::Set(hash),
                path: sea_orm::Set(file.path.clone()),
                created_at: sea_orm::Set(now),
                ..Default::default()
            });
        }
        if !stones.is_empty() {
            tombstone::Entity::insert_many(stones).exec(&txn).await?;
        }
        keys.extend(chunk.iter().map(|id| format!("derive:{id}")));
        job::Entity::delete_many()
            .filter(job::Column::Key.is_in(keys))
            .exec(&txn)
            .await?;
        notification::Entity::delete_many()
            .filter(notification::Column::AssetId.is_in(chunk.iter().copied()))
            .exec(&txn)
            .await?;
        asset::Entity::delete_many()
            .filter(asset::Column::Id.is_in(chunk.iter().copied()))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        for one in &found {
            if one.kind == "video" {
                purged.videos += 1;
            } else {
                purged.photos += 1;
            }
            purged.bytes += u64::try_from(one.bytes).unwrap_or(0);
        }
    }
    if let Some(search) = state.search() {
        search.wake.notify_one();
    }
    Ok(purged)
}

/// Purges everything in `owner_id`'s trash now, and makes it physical.
pub async fn empty_trash(state: &AppState, owner_id: i64) -> Result<Purged, AppError> {
    let ids: Vec<i64> = asset::Entity::find()
        .filter(crate::library::access::trashed_of(
            crate::library::access::Viewer { user_id: owner_id },
        ))
        .all(state.db())
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let purged = assets(state, &ids).await?;
    compact(state).await?;
    Ok(purged)
}

/// Removes a managed original and the folders it leaves empty.
async fn remove_managed(state: &AppState, location: &str) -> Result<(), AppError> {
    let base = state.data_dir().originals();
    let path = base.join(location);
    // A location never leaves the originals folder (it is made by Hearth,
    // but a damaged row must not aim a deletion elsewhere).
    if !path.starts_with(&base) || location.split('/').any(|part| part == "..") {
        return Ok(());
    }
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(io(&err, &path)),
    }
    remove_empty_parents(&path, &base).await;
    Ok(())
}

/// Removes a folder and all inside it, then its parent if that is empty.
pub(crate) async fn remove_folder(folder: &Path) -> Result<(), AppError> {
    match tokio::fs::remove_dir_all(folder).await {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(io(&err, folder)),
    }
    if let Some(parent) = folder.parent() {
        // Fails (and stays) when not empty.
        let _ = tokio::fs::remove_dir(parent).await;
    }
    Ok(())
}

/// Removes the empty folders between `path` and `base` (exclusive).
async fn remove_empty_parents(path: &Path, base: &Path) {
    let mut current = path.parent();
    while let Some(folder) = current {
        if folder == base || !folder.starts_with(base) {
            break;
        }
        if tokio::fs::remove_dir(folder).await.is_err() {
            break;
        }
        current = folder.parent();
    }
}

fn io(err: &std::io::Error, path: &Path) -> AppError {
    AppError::Internal(anyhow::anyhow!("removing {}: {err}", path.display()))
}

/// Makes deletions physical: the search index drops deleted documents from
/// its files (merge, then old files removed), SQLite moves the WAL into the
/// database and truncates it, and the backups in `backups/` forget what
/// was deleted.
pub async fn compact(state: &AppState) -> Result<(), AppError> {
    if let Some(search) = state.search() {
        search.compact().await?;
    }
    checkpoint(state.db()).await?;
    crate::backup::scrub(state).await?;
    Ok(())
}

/// `wal_checkpoint(TRUNCATE)`, retried while readers hold the WAL.
pub async fn checkpoint(db: &impl ConnectionTrait) -> Result<(), AppError> {
    for _ in 0..50 {
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA wal_checkpoint(TRUNCATE)",
            ))
            .await?;
        let busy: i64 = row
            .as_ref()
            .and_then(|row| row.try_get_by_index(0).ok())
            .unwrap_or(1);
        if busy == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "the database stayed busy: its write-ahead log could not be truncated"
    )))
}
