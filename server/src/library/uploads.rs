//! Uploads from browsers and scripts, and one-off imports from the command
//! line. A file is streamed to `tmp/` (hashed on the way, the size limit
//! checked on every chunk), then moved into
//! `media/originals/<user>/<yyyy>/<mm>/` only when complete, then imported
//! through the job queue (so a crash mid-import resumes). An interrupted or
//! refused upload leaves nothing behind; an identical file is reported as a
//! duplicate of the existing asset.

use std::path::{Path, PathBuf};

use chrono::{Datelike as _, TimeDelta};
use hearth_media::metadata;
use poem::web::Multipart;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::api::{UploadResult, UploadStatus};
use super::ingest::{self, Outcome, Source};
use super::workers::{INGEST, ingest_key};
use crate::db::entities::{asset_file, import_failure, user};
use crate::error::AppError;
use crate::jobs;
use crate::state::AppState;

/// A file in `tmp/` that is removed unless it was kept.
struct Staged {
    path: PathBuf,
    kept: bool,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Receives every file part of a multipart upload, each starting as
/// `visibility` (`private` or `family`).
pub async fn receive(
    state: &AppState,
    owner: &user::Model,
    visibility: &str,
    mut multipart: Multipart,
) -> Result<Vec<UploadResult>, AppError> {
    let limit = u64::from(state.config().library.upload_max_mib) * 1024 * 1024;
    let mut results = Vec::new();
    loop {
        let field = multipart.next_field().await.map_err(|err| {
            AppError::InvalidRequest(format!("The upload could not be read: {err}"))
        })?;
        let Some(field) = field else { break };
        let Some(name) = field.file_name().map(safe_name) else {
            // Not a file part.
            continue;
        };
        let reader = field.into_async_read();
        let (staged, hash) = stage(state, reader, limit, &name).await?;
        let origin = format!("upload: {name}");
        results.push(
            accept(
                state, owner, visibility, staged, &name, &hash, &origin, None,
            )
            .await?,
        );
    }
    if results.is_empty() {
        return Err(AppError::InvalidRequest("The upload held no files.".into()));
    }
    Ok(results)
}

/// Streams a file into `tmp/`, hashing it; refuses it past `limit` bytes.
async fn stage(
    state: &AppState,
    reader: impl tokio::io::AsyncRead,
    limit: u64,
    name: &str,
) -> Result<(Staged, String), AppError> {
    let staged = Staged {
        path: state
            .data_dir()
            .tmp()
            .join(format!("upload-{}", uuid::Uuid::new_v4())),
        kept: false,
    };
    let mut file = tokio::fs::File::create(&staged.path)
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    let mut reader = std::pin::pin!(reader);
    let mut hasher = blake3::Hasher::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = reader.read(&mut buffer).await.map_err(|err| {
            AppError::InvalidRequest(format!("Reading “{name}” was interrupted: {err}"))
        })?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > limit {
            return Err(AppError::PayloadTooLarge(format!(
                "“{name}” is larger than the upload limit of {} MiB.",
                state.config().library.upload_max_mib
            )));
        }
        hasher.update(&buffer[..n]);
        file.write_all(&buffer[..n])
            .await
            .map_err(|err| AppError::Internal(err.into()))?;
    }
    file.flush()
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    Ok((staged, hasher.finalize().to_hex().to_string()))
}

/// A phone's backup (WebDAV): a complete file waiting in `tmp/` at `path`
/// (removed unless kept), imported as an upload of the member's into
/// `folder` below their originals (the folders the app made), not the
/// capture month's.
pub async fn import_backup(
    state: &AppState,
    owner: &user::Model,
    path: PathBuf,
    name: &str,
    hash: &str,
    folder: &str,
) -> Result<UploadResult, AppError> {
    let staged = Staged { path, kept: false };
    let origin = format!("backup: {folder}/{name}");
    let visibility = owner.default_visibility.clone();
    accept(
        state,
        owner,
        &visibility,
        staged,
        name,
        hash,
        &origin,
        Some(folder),
    )
    .await
}

/// Imports a complete file waiting in `tmp/`. A failure is recorded under
/// `origin` (where the member knows the file from), and the copy removed.
#[allow(clippy::too_many_arguments)]
async fn accept(
    state: &AppState,
    owner: &user::Model,
    visibility: &str,
    mut staged: Staged,
    name: &str,
    hash: &str,
    origin: &str,
    folder: Option<&str>,
) -> Result<UploadResult, AppError> {
    let result = |status, asset_id, detail: Option<String>| UploadResult {
        name: name.to_owned(),
        status,
        asset_id,
        reason: detail.as_deref().map(super::reasons::in_plain_words),
        detail,
    };
    if let Some((existing, _)) = ingest::owned_with_hash(state.db(), owner.id, hash).await? {
        return Ok(result(UploadStatus::Duplicate, Some(existing.id), None));
    }
    // The capture month names the folder (or the backup app's folders);
    // the file name is kept (made unique).
    let mut target_folder = state
        .data_dir()
        .originals()
        .join(safe_name(&owner.username));
    if let Some(folder) = folder {
        target_folder.extend(
            folder
                .split('/')
                .filter(|part| !part.is_empty())
                .map(safe_name),
        );
    } else {
        let staged_path = staged.path.clone();
        let taken = tokio::task::spawn_blocking(move || metadata::read(&staged_path))
            .await
            .ok()
            .and_then(Result::ok)
            .and_then(|meta| meta.taken.filter(|_| !meta.date_is_a_guess()))
            .map_or_else(|| state.now().date_naive(), |t| t.local.date());
        target_folder.push(format!("{:04}", taken.year()));
        target_folder.push(format!("{:02}", taken.month()));
    }
    let folder = target_folder;
    tokio::fs::create_dir_all(&folder)
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    let (claim_folder, claim_name) = (folder.clone(), name.to_owned());
    let target = tokio::task::spawn_blocking(move || unique(&claim_folder, &claim_name))
        .await
        .map_err(|err| AppError::Internal(err.into()))?
        .map_err(|err| AppError::Internal(err.into()))?;
    if let Err(err) = tokio::fs::rename(&staged.path, &target).await {
        let _ = tokio::fs::remove_file(&target).await;
        return Err(AppError::Internal(err.into()));
    }
    staged.kept = true;
    let location = target
        .strip_prefix(state.data_dir().originals())
        .map_err(|err| AppError::Internal(err.into()))?
        .to_string_lossy()
        .replace('\\', "/");
    let source = Source {
        owner_id: owner.id,
        root_id: None,
        path: target.clone(),
        location: location.clone(),
        visibility: visibility.to_owned(),
        seen: None,
    };
    let outcome = import_now(state, &source).await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(err) => {
            let _ = tokio::fs::remove_file(&target).await;
            return Err(err);
        }
    };
    Ok(match outcome {
        Outcome::Imported(id) => result(UploadStatus::Imported, Some(id), None),
        Outcome::Duplicate(id) => {
            // Uploaded twice at once: keep one copy, and no location of
            // the copy that goes.
            asset_file::Entity::delete_many()
                .filter(asset_file::Column::RootId.is_null())
                .filter(asset_file::Column::Path.eq(&location))
                .exec(state.db())
                .await?;
            let _ = tokio::fs::remove_file(&target).await;
            result(UploadStatus::Duplicate, Some(id), None)
        }
        Outcome::Failed(reason) => {
            let _ = tokio::fs::remove_file(&target).await;
            import_failure::Entity::update_many()
                .col_expr(import_failure::Column::Path, Expr::value(origin))
                .filter(import_failure::Column::RootId.is_null())
                .filter(import_failure::Column::Path.eq(&location))
                .exec(state.db())
                .await?;
            result(UploadStatus::Failed, None, Some(reason))
        }
        Outcome::Unsettled(_) | Outcome::Gone | Outcome::Forgotten => result(
            UploadStatus::Failed,
            None,
            Some("the file changed while it was imported".to_owned()),
        ),
    })
}

/// Runs a managed file's ingest now, as a queued job: if Hearth stops
/// midway, a worker finishes it after the next start.
async fn import_now(state: &AppState, source: &Source) -> Result<Outcome, AppError> {
    let now = state.now();
    let key = ingest_key(None, &source.location);
    // Due later, so no worker takes it first; `recover` makes it due after a crash.
    jobs::enqueue_once(
        state.db(),
        INGEST,
        &key,
        source,
        now + TimeDelta::minutes(5),
        now,
    )
    .await?;
    let job = crate::db::entities::job::Entity::find()
        .filter(crate::db::entities::job::Column::Key.eq(&key))
        .one(state.db())
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the ingest job vanished")))?;
    let claimed = jobs::claim_id(state.db(), job.id, now).await?;
    let outcome = ingest::ingest(state, source).await;
    if let Some(claimed) = claimed {
        match &outcome {
            Ok(_) => jobs::complete(state.db(), claimed.id).await?,
            Err(err) => jobs::fail(state.db(), &claimed, &err.to_string(), state.now()).await?,
        }
        state.events().publish(crate::events::Event::jobs());
    }
    outcome
}

/// File names are limited in bytes (most file systems allow 255), leaving
/// room for ` (99999)` when a name is taken.
const MAX_NAME_BYTES: usize = 200;

/// A file name from a browser or a path, safe as one path component:
/// no folders, no leading dots, no control characters, at most
/// `MAX_NAME_BYTES` bytes (cut at a character, keeping the extension).
#[must_use]
pub fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    if cleaned.is_empty() {
        return "upload".to_owned();
    }
    if cleaned.len() <= MAX_NAME_BYTES {
        return cleaned.to_owned();
    }
    let (stem, extension) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 16 => (stem, format!(".{ext}")),
        _ => (cleaned, String::new()),
    };
    let mut end = MAX_NAME_BYTES - extension.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{extension}", stem[..end].trim_end())
}

/// `name`, or `name (2)`, `name (3)`… so nothing is overwritten.
/// Claims a name for a new original in `folder`: `name`, else `name (2)`
/// and so on. The name is taken by creating an empty file there
/// (`create_new`, which the OS does atomically), so two uploads or imports
/// of the same name at once never get the same path; the original is
/// then renamed over it.
fn unique(folder: &Path, name: &str) -> std::io::Result<PathBuf> {
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    let candidates = std::iter::once(folder.join(name))
        .chain((2..100_000).map(|n| folder.join(format!("{stem} ({n}){extension}"))));
    for candidate in candidates {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(_) => return Ok(candidate),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("no free name for {name} in {}", folder.display()),
    ))
}

/// `hearth import`: copies one file into the managed originals and imports
/// it, like an upload (starting as the owner's uploads do).
pub async fn import_copy(
    state: &AppState,
    owner: &user::Model,
    path: &Path,
) -> Result<UploadResult, AppError> {
    let file = tokio::fs::File::open(path).await.map_err(|err| {
        AppError::InvalidRequest(format!("cannot read {}: {err}", path.display()))
    })?;
    let name = safe_name(
        &path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    let (staged, hash) = stage(state, file, u64::MAX, &name).await?;
    accept(
        state,
        owner,
        &owner.default_visibility,
        staged,
        &name,
        &hash,
        &path.display().to_string(),
        None,
    )
    .await
}
