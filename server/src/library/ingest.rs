//! One file in, one asset out: hash (BLAKE3), find an asset with the same
//! content (then this is one more location of it), read the metadata, make
//! the preview and thumbnail in one decode, store rows and files. A file
//! that cannot be imported is recorded with its reason; nothing in the
//! source folder is ever written.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use hearth_media::derive::{self, Derived, Limits};
use hearth_media::metadata::{self, Metadata};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use crate::db::entities::{asset, asset_file, import_failure};
use crate::error::AppError;
use crate::state::AppState;

/// Stills larger than this are not photos.
const MAX_STILL_BYTES: u64 = 512 * 1024 * 1024;

/// A file to import.
#[derive(Debug, Clone)]
pub struct Source {
    pub owner_id: i64,
    /// The import root, or none for uploads and one-off imports.
    pub root_id: Option<i64>,
    pub path: PathBuf,
    /// The location recorded: relative to the root, or the path itself.
    pub location: String,
    /// `private` or `family`.
    pub visibility: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported(i64),
    /// The same content is already in the library (as this asset).
    Duplicate(i64),
    /// Recorded in `import_failures` with this reason.
    Failed(String),
}

pub async fn ingest(state: &AppState, source: &Source) -> Result<Outcome, AppError> {
    let now = state.now();
    let info = tokio::fs::metadata(&source.path).await.map_err(|err| {
        AppError::InvalidRequest(format!("cannot read {}: {err}", source.path.display()))
    })?;
    let modified = info.modified().map_or(now, DateTime::<Utc>::from);
    let size = i64::try_from(info.len()).unwrap_or(i64::MAX);
    if info.len() == 0 {
        return fail(state, source, size, modified, "the file is empty").await;
    }
    if info.len() > MAX_STILL_BYTES {
        return fail(
            state,
            source,
            size,
            modified,
            "the file is larger than any photo Hearth imports (512 MiB)",
        )
        .await;
    }
    let bytes = tokio::fs::read(&source.path).await.map_err(|err| {
        AppError::InvalidRequest(format!("cannot read {}: {err}", source.path.display()))
    })?;
    let hash = blake3::hash(&bytes).to_hex().to_string();

    if let Some(existing) = asset::Entity::find()
        .filter(asset::Column::Hash.eq(&hash))
        .one(state.db())
        .await?
    {
        record_location(state.db(), existing.id, source, size, modified, now).await?;
        return Ok(Outcome::Duplicate(existing.id));
    }
    if imagesize::image_type(&bytes).is_err() {
        return fail(
            state,
            source,
            size,
            modified,
            "not a photo Hearth can read (videos come in a later version)",
        )
        .await;
    }

    let path = source.path.clone();
    let limits = Limits::default();
    let work = tokio::task::spawn_blocking(
        move || -> Result<(Metadata, Result<Derived, derive::MediaError>), std::io::Error> {
            let meta = metadata::read(&path)?;
            let derived = derive::derive(&bytes, meta.orientation, &limits);
            Ok((meta, derived))
        },
    )
    .await
    .map_err(|err| AppError::Internal(err.into()))?;
    let (meta, derived) = match work {
        Ok((meta, Ok(derived))) => (meta, derived),
        Ok((_, Err(err))) => return fail(state, source, size, modified, &err.to_string()).await,
        Err(err) => {
            return fail(
                state,
                source,
                size,
                modified,
                &format!("cannot read the file: {err}"),
            )
            .await;
        }
    };

    let id = insert(state, source, &hash, size, modified, &meta, &derived, now).await?;
    store_derivatives(state, id, &derived).await?;
    asset::Entity::update_many()
        .col_expr(
            asset::Column::DerivedAt,
            sea_orm::sea_query::Expr::value(state.now()),
        )
        .filter(asset::Column::Id.eq(id))
        .exec(state.db())
        .await?;
    Ok(Outcome::Imported(id))
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call site, each value named there"
)]
async fn insert(
    state: &AppState,
    source: &Source,
    hash: &str,
    size: i64,
    modified: DateTime<Utc>,
    meta: &Metadata,
    derived: &Derived,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let taken = meta.taken;
    let sort_at = taken
        .and_then(|taken| taken.utc().or_else(|| Some(taken.local.and_utc())))
        .unwrap_or(modified);
    let txn = state.db().begin().await?;
    let row = asset::ActiveModel {
        owner_id: Set(source.owner_id),
        hash: Set(hash.to_owned()),
        kind: Set("photo".to_owned()),
        mime: Set(mime_of(&source.path).to_owned()),
        bytes: Set(size),
        width: Set(meta.width.and_then(|w| i32::try_from(w).ok())),
        height: Set(meta.height.and_then(|h| i32::try_from(h).ok())),
        orientation: Set(i16::from(meta.orientation)),
        sort_at: Set(sort_at),
        taken_local: Set(taken.map(|t| t.local.format("%Y-%m-%dT%H:%M:%S%.f").to_string())),
        taken_offset_minutes: Set(taken
            .and_then(|t| t.offset)
            .map(|o| o.local_minus_utc() / 60)),
        taken_source: Set(taken
            .map_or("file_modified", |t| t.source.as_str())
            .to_owned()),
        latitude: Set(meta.gps.map(|g| g.latitude)),
        longitude: Set(meta.gps.map(|g| g.longitude)),
        altitude: Set(meta.gps.and_then(|g| g.altitude)),
        make: Set(meta.make.clone()),
        model: Set(meta.model.clone()),
        lens: Set(meta.lens.clone()),
        exposure_time: Set(meta.exposure_time),
        f_number: Set(meta.f_number),
        iso: Set(meta.iso.and_then(|iso| i32::try_from(iso).ok())),
        focal_length: Set(meta.focal_length),
        title: Set(meta.title.clone()),
        caption: Set(meta.description.clone()),
        rating: Set(meta.rating.map(i16::from)),
        keywords: Set(serde_json::to_string(&meta.keywords).unwrap_or_else(|_| "[]".to_owned())),
        favourite: Set(false),
        visibility: Set(source.visibility.to_owned()),
        status: Set("active".to_owned()),
        thumbhash: Set(Some(derived.thumbhash.clone())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record_location(&txn, row.id, source, size, modified, now).await?;
    import_failure::Entity::delete_many()
        .filter(import_failure::Column::Path.eq(&source.location))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(row.id)
}

fn mime_of(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("tif" | "tiff") => "image/tiff",
        Some("heic" | "heif") => "image/heic",
        Some("avif") => "image/avif",
        _ => "application/octet-stream",
    }
}

/// Adds (or refreshes) a place where an asset's content lives.
async fn record_location(
    db: &impl sea_orm::ConnectionTrait,
    asset_id: i64,
    source: &Source,
    size: i64,
    modified: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let location = asset_file::ActiveModel {
        asset_id: Set(asset_id),
        root_id: Set(source.root_id),
        path: Set(source.location.clone()),
        bytes: Set(size),
        modified_at: Set(modified),
        present: Set(true),
        seen_at: Set(now),
        ..Default::default()
    };
    asset_file::Entity::insert(location)
        .on_conflict(
            OnConflict::columns([asset_file::Column::RootId, asset_file::Column::Path])
                .update_columns([
                    asset_file::Column::AssetId,
                    asset_file::Column::Bytes,
                    asset_file::Column::ModifiedAt,
                    asset_file::Column::Present,
                    asset_file::Column::SeenAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Writes the preview and thumbnail; each file appears complete or not at all.
async fn store_derivatives(state: &AppState, id: i64, derived: &Derived) -> Result<(), AppError> {
    let folder = state.data_dir().derived(id);
    let io = |err: std::io::Error| {
        AppError::Internal(anyhow::anyhow!("writing derivatives of asset {id}: {err}"))
    };
    tokio::fs::create_dir_all(&folder).await.map_err(io)?;
    for (name, bytes) in [
        ("preview.jpg", &derived.preview),
        ("thumb.jpg", &derived.thumbnail),
    ] {
        let staging = state.data_dir().tmp().join(format!("{id}-{name}"));
        tokio::fs::write(&staging, bytes).await.map_err(io)?;
        tokio::fs::rename(&staging, folder.join(name))
            .await
            .map_err(io)?;
    }
    Ok(())
}

/// Records why a file was not imported (replacing an earlier reason).
async fn fail(
    state: &AppState,
    source: &Source,
    size: i64,
    modified: DateTime<Utc>,
    reason: &str,
) -> Result<Outcome, AppError> {
    let row = import_failure::ActiveModel {
        root_id: Set(source.root_id),
        owner_id: Set(Some(source.owner_id)),
        path: Set(source.location.clone()),
        bytes: Set(size),
        modified_at: Set(modified),
        reason: Set(reason.to_owned()),
        failed_at: Set(state.now()),
        ..Default::default()
    };
    import_failure::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([import_failure::Column::RootId, import_failure::Column::Path])
                .update_columns([
                    import_failure::Column::Bytes,
                    import_failure::Column::ModifiedAt,
                    import_failure::Column::Reason,
                    import_failure::Column::FailedAt,
                ])
                .to_owned(),
        )
        .exec(state.db())
        .await?;
    Ok(Outcome::Failed(reason.to_owned()))
}

/// Folders and files never imported: OS and NAS litter, hidden files.
#[must_use]
pub fn excluded(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("._")
        || matches!(
            name,
            "@eaDir"
                | "#recycle"
                | "#snapshot"
                | "Thumbs.db"
                | "desktop.ini"
                | "$RECYCLE.BIN"
                | "lost+found"
        )
}

/// Every file under `dir` that is not excluded, sorted.
#[must_use]
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if excluded(&name.to_string_lossy()) {
                continue;
            }
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(entry.path()),
                Ok(kind) if kind.is_file() => found.push(entry.path()),
                _ => {}
            }
        }
    }
    found.sort();
    found
}
