//! Import roots: folders on the NAS that Hearth watches and never writes
//! to. Roots come from `hearth.toml` (synced on start) or from the owner or
//! an admin through the API. A scan compares a root's tree with the
//! library: new or changed files (by size and mtime) are queued for ingest,
//! vanished ones become offline (hidden, kept), returning ones come back.
//! A root that is unreachable or suddenly empty (an unmounted share) is
//! marked offline and nothing in it is touched.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use sea_orm::sea_query::{Condition, Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use super::exclusions::{Walk, exclusions_of};
use super::ingest::Source;
use super::workers::{self, SCAN, Scan};
use crate::accounts::users::Role;
use crate::config::RootConfig;
use crate::db::entities::{asset, asset_file, import_failure, import_root, user};
use crate::error::AppError;
use crate::jobs;
use crate::state::AppState;

/// Folders of the system itself: never an import folder (nor anything in
/// them), whatever the server's user may read there.
const SYSTEM_FOLDERS: [&str; 12] = [
    "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/run", "/bin", "/sbin", "/lib", "/lib64",
    "/usr",
];

/// Checks a folder on the server to read photos from: an absolute path to
/// a readable folder, not a system folder, not holding or inside the data
/// folder. Only the owner (`detailed`) is told why a path cannot be used:
/// to anyone else every refusal reads the same, so it reveals nothing of
/// what exists on the server.
pub fn readable_folder(state: &AppState, raw: &str, detailed: bool) -> Result<PathBuf, AppError> {
    let refuse = |why: String| {
        AppError::InvalidRequest(if detailed {
            why
        } else {
            "Hearth cannot use this folder as an import folder. The owner can see why when adding it.".to_owned()
        })
    };
    let path = Path::new(raw.trim());
    if !path.is_absolute() {
        return Err(AppError::InvalidRequest(
            "Give the folder's full path, starting with /.".into(),
        ));
    }
    let system = |path: &Path| {
        path == Path::new("/") || SYSTEM_FOLDERS.iter().any(|folder| path.starts_with(folder))
    };
    if system(path) {
        return Err(refuse(format!(
            "{} is a folder of the system itself, never an import folder.",
            path.display()
        )));
    }
    let path = path
        .canonicalize()
        .map_err(|err| refuse(format!("Hearth cannot open {}: {err}.", path.display())))?;
    if system(&path) {
        return Err(refuse(format!(
            "{} leads to a folder of the system itself, never an import folder.",
            path.display()
        )));
    }
    if !path.is_dir() || std::fs::read_dir(&path).is_err() {
        return Err(refuse(format!(
            "{} is not a folder Hearth can read.",
            path.display()
        )));
    }
    // The data folder as the file system sees it (behind any symlink).
    let data = state.data_dir().root();
    let data = data.canonicalize().unwrap_or_else(|_| data.to_path_buf());
    if path.starts_with(&data) || data.starts_with(&path) {
        return Err(refuse(
            "An import folder cannot hold, or be inside, Hearth's data folder.".into(),
        ));
    }
    Ok(path)
}

/// Checks a folder someone wants to add as an import folder: a folder to
/// read from (`readable_folder`) that overlaps no other import folder.
/// Only the owner (`detailed`) is told why a path cannot be used.
pub async fn usable_path(state: &AppState, raw: &str, detailed: bool) -> Result<PathBuf, AppError> {
    let path = readable_folder(state, raw, detailed)?;
    let refuse = || {
        AppError::InvalidRequest(
            "Hearth cannot use this folder as an import folder. The owner can see why when adding it.".to_owned(),
        )
    };
    for other in import_root::Entity::find().all(state.db()).await? {
        let other_path = Path::new(&other.path);
        if path.starts_with(other_path) || other_path.starts_with(&path) {
            return Err(if detailed {
                AppError::Conflict(format!(
                    "{} overlaps the import folder {}.",
                    path.display(),
                    other.path
                ))
            } else {
                refuse()
            });
        }
    }
    Ok(path)
}

/// Brings the roots of `hearth.toml` into the database (by path). Roots
/// whose owner does not exist yet wait for the next start (or setup).
pub async fn sync_config(state: &AppState) -> Result<(), AppError> {
    for configured in &state.config().library.roots {
        let path = std::path::absolute(&configured.path).unwrap_or(configured.path.clone());
        let Some(owner) = owner_of(state.db(), configured).await? else {
            tracing::debug!(
                path = %path.display(),
                "the import folder waits for its owner's account"
            );
            continue;
        };
        if !path.exists()
            && let Err(err) = std::fs::create_dir_all(&path)
        {
            tracing::warn!(path = %path.display(), error = %err, "cannot create the import folder");
        }
        let path_text = path.display().to_string();
        let exclusions =
            serde_json::to_string(&configured.exclude).map_err(|e| AppError::Internal(e.into()))?;
        let existing = import_root::Entity::find()
            .filter(import_root::Column::Path.eq(&path_text))
            .one(state.db())
            .await?;
        let mut row = match existing {
            Some(row) => import_root::ActiveModel::from(row),
            None => import_root::ActiveModel {
                path: Set(path_text.clone()),
                status: Set("online".to_owned()),
                created_at: Set(state.now()),
                ..Default::default()
            },
        };
        row.owner_id = Set(owner.id);
        row.visibility = Set(configured.visibility.as_str().to_owned());
        row.watch_mode = Set(configured.watch.as_str().to_owned());
        row.poll_minutes = Set(i32::try_from(configured.poll_minutes).unwrap_or(i32::MAX));
        row.exclusions = Set(exclusions);
        row.source = Set("config".to_owned());
        row.save(state.db()).await?;
    }
    Ok(())
}

async fn owner_of(
    db: &impl ConnectionTrait,
    configured: &RootConfig,
) -> Result<Option<user::Model>, AppError> {
    let query = user::Entity::find().filter(user::Column::Status.eq("active"));
    Ok(match &configured.owner {
        Some(name) => {
            query
                .filter(user::Column::Username.eq(name.trim().to_lowercase()))
                .one(db)
                .await?
        }
        None => {
            query
                .filter(user::Column::Role.eq(Role::Owner.as_str()))
                .one(db)
                .await?
        }
    })
}

/// Queues a scan of a root (at most one waiting per root).
pub async fn queue_scan(state: &AppState, root_id: i64) -> Result<(), AppError> {
    queue_scan_in(state.db(), root_id, state.now()).await?;
    state.library().wake();
    Ok(())
}

/// Makes sure a scan of a root runs (a failed one starts again) in `db`
/// (a transaction, say).
pub async fn queue_scan_in(
    db: &impl sea_orm::ConnectionTrait,
    root_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    jobs::ensure(db, SCAN, &format!("scan:{root_id}"), &Scan { root_id }, now).await
}

/// Compares a root's tree with the library.
pub async fn scan(state: &AppState, root_id: i64) -> Result<(), AppError> {
    let Some(root) = import_root::Entity::find_by_id(root_id)
        .one(state.db())
        .await?
    else {
        return Ok(());
    };
    let base = PathBuf::from(&root.path);
    let exclusions = exclusions_of(&root);
    let walk_base = base.clone();
    let found = tokio::task::spawn_blocking(move || exclusions.walk(&walk_base))
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    let known: HashMap<String, asset_file::Model> = asset_file::Entity::find()
        .filter(asset_file::Column::RootId.eq(root_id))
        .all(state.db())
        .await?
        .into_iter()
        .map(|file| (file.path.clone(), file))
        .collect();
    let Some(Walk {
        files: found,
        hidden,
        excluded,
    }) = found
    else {
        return set_offline(
            state,
            root_id,
            "the folder cannot be read (unmounted or removed?)",
        )
        .await;
    };
    if found.is_empty() && known.values().any(|file| file.present) {
        return set_offline(
            state,
            root_id,
            "the folder is suddenly empty (an unmounted drive or share?); nothing was removed",
        )
        .await;
    }
    set_online(state, &root).await?;
    let failures: HashMap<String, (i64, chrono::DateTime<chrono::Utc>)> =
        import_failure::Entity::find()
            .filter(import_failure::Column::RootId.eq(root_id))
            .all(state.db())
            .await?
            .into_iter()
            .map(|f| (f.path, (f.bytes, f.modified_at)))
            .collect();
    let mut seen_paths = HashSet::new();
    for (path, seen) in found {
        let Some(location) = relative(&base, &path) else {
            continue;
        };
        seen_paths.insert(location.clone());
        let bytes = i64::try_from(seen.bytes).unwrap_or(i64::MAX);
        let unchanged = |stored_bytes: i64, stored_modified: chrono::DateTime<chrono::Utc>| {
            stored_bytes == bytes && stored_modified == seen.modified
        };
        match known.get(&location) {
            Some(file) if unchanged(file.bytes, file.modified_at) => {
                if !file.present {
                    present_again(state, file).await?;
                }
                continue;
            }
            _ => {}
        }
        if failures
            .get(&location)
            .is_some_and(|(b, m)| unchanged(*b, *m))
        {
            continue;
        }
        let source = Source {
            owner_id: root.owner_id,
            root_id: Some(root_id),
            path,
            location: location.clone(),
            visibility: root.visibility.clone(),
            seen: Some(seen),
        };
        workers::queue_ingest(
            state,
            source,
            &workers::ingest_key(Some(root_id), &location),
        )
        .await?;
    }
    for file in known.values() {
        if file.present && !seen_paths.contains(&file.path) {
            absent(state, file).await?;
        }
    }
    scanned(state, root_id, hidden, excluded).await
}

/// Records a finished scan: when, and what it skipped.
async fn scanned(
    state: &AppState,
    root_id: i64,
    hidden: u64,
    excluded: u64,
) -> Result<(), AppError> {
    import_root::Entity::update_many()
        .col_expr(import_root::Column::LastScanAt, Expr::value(state.now()))
        .col_expr(
            import_root::Column::SkippedHidden,
            Expr::value(i64::try_from(hidden).unwrap_or(i64::MAX)),
        )
        .col_expr(
            import_root::Column::SkippedExcluded,
            Expr::value(i64::try_from(excluded).unwrap_or(i64::MAX)),
        )
        .filter(import_root::Column::Id.eq(root_id))
        .exec(state.db())
        .await?;
    Ok(())
}

/// The location of `path` inside `base`, with `/` separators.
#[must_use]
pub fn relative(base: &Path, path: &Path) -> Option<String> {
    let inner = path.strip_prefix(base).ok()?;
    let parts: Vec<String> = inner
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// A file of a root is no longer at `location` (a deletion, or the old
/// name of a rename). If the root itself is gone or empty, the root goes
/// offline instead and the file stays as it was.
pub async fn missing(state: &AppState, root_id: i64, location: &str) -> Result<(), AppError> {
    let Some(root) = import_root::Entity::find_by_id(root_id)
        .one(state.db())
        .await?
    else {
        return Ok(());
    };
    if !root_reachable(Path::new(&root.path)) {
        return set_offline(
            state,
            root_id,
            "the folder cannot be read or is empty (unmounted?)",
        )
        .await;
    }
    let files = asset_file::Entity::find()
        .filter(asset_file::Column::RootId.eq(root_id))
        .filter(
            asset_file::Column::Path
                .eq(location)
                .or(asset_file::Column::Path.starts_with(format!("{location}/"))),
        )
        .filter(asset_file::Column::Present.eq(true))
        .all(state.db())
        .await?;
    for file in &files {
        absent(state, file).await?;
    }
    Ok(())
}

/// A root is reachable when it can be listed and is not empty.
#[must_use]
pub fn root_reachable(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_some())
}

async fn absent(state: &AppState, file: &asset_file::Model) -> Result<(), AppError> {
    let db = state.db();
    asset_file::Entity::update_many()
        .col_expr(asset_file::Column::Present, Expr::value(false))
        .filter(asset_file::Column::Id.eq(file.id))
        .exec(db)
        .await?;
    // One statement: a new location recorded at the same moment (a move
    // seen from both ends) either counts or reactivates the asset after.
    let changed = asset::Entity::update_many()
        .col_expr(asset::Column::Status, Expr::value("offline"))
        .filter(asset::Column::Id.eq(file.asset_id))
        .filter(asset::Column::Status.eq("active"))
        .filter(Expr::cust_with_values(
            "NOT EXISTS (SELECT 1 FROM asset_files WHERE asset_id = ? AND role = 'original' AND present = 1)",
            [file.asset_id],
        ))
        .exec(db)
        .await?;
    if changed.rows_affected > 0 {
        super::announce(state, &[file.asset_id], false).await?;
    }
    Ok(())
}

async fn present_again(state: &AppState, file: &asset_file::Model) -> Result<(), AppError> {
    let db = state.db();
    asset_file::Entity::update_many()
        .col_expr(asset_file::Column::Present, Expr::value(true))
        .col_expr(asset_file::Column::SeenAt, Expr::value(state.now()))
        .filter(asset_file::Column::Id.eq(file.id))
        .exec(db)
        .await?;
    let changed = asset::Entity::update_many()
        .col_expr(asset::Column::Status, Expr::value("active"))
        .filter(asset::Column::Id.eq(file.asset_id))
        .filter(asset::Column::Status.eq("offline"))
        .exec(db)
        .await?;
    if changed.rows_affected > 0 {
        super::announce(state, &[file.asset_id], false).await?;
    }
    Ok(())
}

async fn set_offline(state: &AppState, root_id: i64, reason: &str) -> Result<(), AppError> {
    tracing::warn!(root = root_id, reason, "import folder offline");
    import_root::Entity::update_many()
        .col_expr(import_root::Column::Status, Expr::value("offline"))
        .col_expr(import_root::Column::OfflineReason, Expr::value(reason))
        .filter(import_root::Column::Id.eq(root_id))
        .exec(state.db())
        .await?;
    Ok(())
}

async fn set_online(state: &AppState, root: &import_root::Model) -> Result<(), AppError> {
    if root.status != "online" {
        tracing::info!(root = root.id, "import folder online again");
        import_root::Entity::update_many()
            .col_expr(import_root::Column::Status, Expr::value("online"))
            .col_expr(
                import_root::Column::OfflineReason,
                Expr::value(Option::<String>::None),
            )
            .filter(import_root::Column::Id.eq(root.id))
            .exec(state.db())
            .await?;
    }
    Ok(())
}

/// Forgets an import root: its file locations go, and assets left with no
/// file at all leave the library. Nothing on disk is touched.
pub async fn remove(state: &AppState, root_id: i64) -> Result<(), AppError> {
    let db = state.db();
    let asset_ids: Vec<i64> = asset_file::Entity::find()
        .filter(asset_file::Column::RootId.eq(root_id))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.asset_id)
        .collect();
    // Announced while the assets still exist (to know who saw them).
    super::announce(state, &asset_ids, false).await?;
    import_root::Entity::delete_by_id(root_id).exec(db).await?;
    // Its queued work ends here, quietly (a job already running finds the
    // folder gone and ends the same way).
    crate::db::entities::job::Entity::delete_many()
        .filter(
            Condition::any()
                .add(crate::db::entities::job::Column::Key.eq(format!("scan:{root_id}")))
                .add(
                    crate::db::entities::job::Column::Key.starts_with(format!("ingest:{root_id}:")),
                ),
        )
        .filter(crate::db::entities::job::Column::Status.ne("running"))
        .exec(db)
        .await?;
    for id in asset_ids {
        let left = asset_file::Entity::find()
            .filter(asset_file::Column::AssetId.eq(id))
            .count(db)
            .await?;
        if left == 0 {
            asset::Entity::delete_by_id(id).exec(db).await?;
            super::ingest::remove_derivatives(state, id).await;
        }
    }
    Ok(())
}
