//! One file in, one asset out: hash (BLAKE3, streamed), find an asset
//! with the same content (then this is one more location of it, which is
//! how a renamed or moved file keeps its asset), read the metadata, make the
//! preview and thumbnail in one decode, store rows and files. A Live Photo's
//! still and video (sharing Apple's content identifier) become one asset.
//! A file that cannot be imported is recorded with its reason; nothing in
//! the source folder is ever written.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike as _, Utc};
use hearth_media::derive::{self, Derived, Limits};
use hearth_media::metadata::{self, Metadata};
use hearth_media::{raw, video};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::entities::{asset, asset_file, import_failure, import_root, tombstone};
use crate::error::AppError;
use crate::state::AppState;

/// Stills and RAW files larger than this are not photos.
const MAX_STILL_BYTES: u64 = 512 * 1024 * 1024;

/// A file to import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Source {
    pub owner_id: i64,
    /// The import root, or none for uploads and one-off imports.
    pub root_id: Option<i64>,
    pub path: PathBuf,
    /// The location recorded: relative to the root (or to the managed
    /// originals), or the path itself.
    pub location: String,
    /// `private` or `family`.
    pub visibility: String,
    /// The file as it was when found. If it has changed since, it is still
    /// being written: the import waits for it to settle.
    #[serde(default)]
    pub seen: Option<Seen>,
}

/// Size and modification time: a file is stable while both stay the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub bytes: u64,
    pub modified: DateTime<Utc>,
}

impl Seen {
    #[must_use]
    pub fn of(info: &std::fs::Metadata) -> Self {
        Self {
            bytes: info.len(),
            modified: info
                .modified()
                .map_or(DateTime::<Utc>::UNIX_EPOCH, DateTime::<Utc>::from),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported(i64),
    /// The same content is already in the library (as this asset).
    Duplicate(i64),
    /// Recorded in `import_failures` with this reason.
    Failed(String),
    /// The file changed since it was found: still being written.
    Unsettled(Seen),
    /// The file is no longer there.
    Gone,
    /// A file in an import folder whose photo was purged on purpose: a
    /// tombstone keeps it from coming back.
    Forgotten,
}

/// What a file is, from its first bytes and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Photo,
    Raw,
    Video,
}

pub(crate) fn extension_of(path: &Path) -> &str {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
}

pub(crate) fn classify(header: &[u8], path: &Path) -> Option<Kind> {
    if raw::is_raw_extension(extension_of(path)) {
        return Some(Kind::Raw);
    }
    if video::container(header).is_some() {
        return Some(Kind::Video);
    }
    imagesize::image_type(header).ok().map(|_| Kind::Photo)
}

/// Reads one file into the library and tells open tabs what changed.
pub async fn ingest(state: &AppState, source: &Source) -> Result<Outcome, AppError> {
    let outcome = read(state, source).await?;
    state.metrics().import(&outcome);
    if let Outcome::Imported(id) | Outcome::Duplicate(id) = outcome {
        super::announce(state, &[id], false).await?;
    }
    Ok(outcome)
}

async fn read(state: &AppState, source: &Source) -> Result<Outcome, AppError> {
    let info = match tokio::fs::metadata(&source.path).await {
        Ok(info) if info.is_file() => info,
        Ok(_) => return Ok(Outcome::Gone),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Outcome::Gone),
        Err(err) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "cannot read {}: {err}",
                source.path.display()
            )));
        }
    };
    let seen = Seen::of(&info);
    if source.seen.is_some_and(|before| before != seen) {
        return Ok(Outcome::Unsettled(seen));
    }
    if info.len() == 0 {
        return fail(state, source, seen, "the file is empty").await;
    }
    let (hash, header) = hash_file(&source.path).await?;
    if source.root_id.is_some() && forgotten(state, source.owner_id, &hash).await? {
        return Ok(Outcome::Forgotten);
    }
    if let Some(outcome) = known(state, source, seen, &hash).await? {
        return Ok(outcome);
    }
    let Some(kind) = classify(&header, &source.path) else {
        return fail(state, source, seen, "not a photo or video Hearth can read").await;
    };
    if kind != Kind::Video && info.len() > MAX_STILL_BYTES {
        return fail(
            state,
            source,
            seen,
            "the file is larger than any photo Hearth imports (512 MiB)",
        )
        .await;
    }
    let read = match kind {
        Kind::Photo | Kind::Raw => read_still(state, &source.path, kind).await?,
        Kind::Video => read_video(state, &source.path).await?,
    };
    let (meta, derived) = match read {
        Ok(found) => found,
        Err(reason) => return fail(state, source, seen, &reason).await,
    };
    let kind_name = match (kind, &derived) {
        (Kind::Video, _) => "video",
        (
            _,
            Ok(Derived {
                motion: Some(_), ..
            }),
        ) => "live",
        _ => "photo",
    };
    let place = match meta.gps {
        Some(gps) => {
            tokio::task::spawn_blocking(move || super::places::lookup(gps.latitude, gps.longitude))
                .await
                .map_err(|err| AppError::Internal(err.into()))?
        }
        None => None,
    };
    let row = Row {
        source,
        hash: &hash,
        seen,
        meta: &meta,
        kind: kind_name,
        mime: hearth_media::sniff::content_type(&header, extension_of(&source.path)),
        thumbhash: derived.as_ref().ok().map(|d| d.thumbhash.clone()),
        no_poster: derived.as_ref().err().cloned(),
        place,
    };
    let (id, removed) = match insert(state, &row).await? {
        Stored::New(id, removed) => (id, removed),
        // The same content arrived meanwhile (two uploads at once).
        Stored::Known(id) => return Ok(Outcome::Duplicate(id)),
    };
    if let Ok(derived) = &derived {
        store_derivatives(state, id, derived).await?;
    }
    asset::Entity::update_many()
        .col_expr(asset::Column::DerivedAt, Expr::value(state.now()))
        .filter(asset::Column::Id.eq(id))
        .exec(state.db())
        .await?;
    if let Some(removed) = removed {
        remove_derivatives(state, removed.id).await;
        // Its tile leaves open tabs (the still's asset now plays it).
        state.events().publish(crate::events::Event {
            audience: crate::events::Audience::of_asset(&removed, false),
            kind: crate::events::Kind::Library,
            ids: vec![removed.id],
            album: None,
        });
    }
    Ok(Outcome::Imported(id))
}

/// The first 64 bytes of a file (fewer if it is shorter): enough to tell
/// its format.
pub(crate) fn read_header(file: &mut impl std::io::Read) -> std::io::Result<Vec<u8>> {
    let mut header = vec![0u8; 64];
    let mut filled = 0;
    while filled < header.len() {
        match file.read(&mut header[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    header.truncate(filled);
    Ok(header)
}

/// Streams the file through BLAKE3; returns the hex hash and the first
/// bytes (to recognise the format).
async fn hash_file(path: &Path) -> Result<(String, Vec<u8>), AppError> {
    let owned = path.to_path_buf();
    tokio::task::spawn_blocking(move || -> std::io::Result<(String, Vec<u8>)> {
        let mut file = std::fs::File::open(&owned)?;
        let header = read_header(&mut file)?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(&header);
        hasher.update_reader(&mut file)?;
        Ok((hasher.finalize().to_hex().to_string(), header))
    })
    .await
    .map_err(|err| AppError::Internal(err.into()))?
    .map_err(|err| AppError::Internal(anyhow::anyhow!("reading {}: {err}", path.display())))
}

/// Whether the owner purged this content from one of their import folders
/// on purpose (another member's purge says nothing about theirs).
async fn forgotten(state: &AppState, owner_id: i64, hash: &str) -> Result<bool, AppError> {
    let roots = import_root::Entity::find()
        .select_only()
        .column(import_root::Column::Id)
        .filter(import_root::Column::OwnerId.eq(owner_id))
        .into_tuple::<i64>()
        .all(state.db())
        .await?;
    Ok(tombstone::Entity::find()
        .filter(tombstone::Column::Hash.eq(hash))
        .filter(tombstone::Column::RootId.is_in(roots))
        .count(state.db())
        .await?
        > 0)
}

/// The owner's asset with this content (as its still or its motion video),
/// if they have one. Content identity is per owner: another member's copy of
/// the same bytes is theirs, and never named to anyone else.
pub(crate) async fn owned_with_hash(
    db: &impl ConnectionTrait,
    owner_id: i64,
    hash: &str,
) -> Result<Option<(asset::Model, &'static str)>, AppError> {
    if let Some(found) = asset::Entity::find()
        .filter(asset::Column::OwnerId.eq(owner_id))
        .filter(asset::Column::Hash.eq(hash))
        .one(db)
        .await?
    {
        return Ok(Some((found, "original")));
    }
    Ok(asset::Entity::find()
        .filter(asset::Column::OwnerId.eq(owner_id))
        .filter(asset::Column::MotionHash.eq(hash))
        .one(db)
        .await?
        .map(|found| (found, "motion")))
}

/// Content already in the owner's library: this file is one more place it
/// lives (a copy, or the new name of a renamed or moved file).
async fn known(
    state: &AppState,
    source: &Source,
    seen: Seen,
    hash: &str,
) -> Result<Option<Outcome>, AppError> {
    let db = state.db();
    let Some((existing, role)) = owned_with_hash(db, source.owner_id, hash).await? else {
        return Ok(None);
    };
    record_location(db, existing.id, source, seen, role, state.now()).await?;
    forget_failure(db, source).await?;
    // Present again: back online (decided by the row as it is now, not as
    // read above — its file may have gone missing meanwhile).
    asset::Entity::update_many()
        .col_expr(asset::Column::Status, Expr::value("active"))
        .filter(asset::Column::Id.eq(existing.id))
        .filter(asset::Column::Status.eq("offline"))
        .exec(db)
        .await?;
    if existing.derived_at.is_none() {
        // Stopped between the row and its thumbnails: make them now.
        super::workers::queue_derive(state, existing.id).await?;
    }
    Ok(Some(Outcome::Duplicate(existing.id)))
}

/// Metadata and derivatives (none for a video without ffmpeg), or why not.
/// A file's metadata and its previews (or, for a video, why it has no
/// poster frame), or why it cannot be read.
pub(crate) type Read = Result<(Metadata, Result<Derived, String>), String>;

/// A photo or a RAW file's embedded preview: metadata and derivatives from
/// one decode, within the memory budget and time limit.
pub(crate) async fn read_still(
    state: &AppState,
    path: &Path,
    kind: Kind,
) -> Result<Read, AppError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|err| AppError::Internal(anyhow::anyhow!("reading {}: {err}", path.display())))?;
    let stored = hearth_media::size::dimensions(&bytes);
    let limits = Limits {
        max_pixels: u64::from(state.config().library.max_megapixels) * 1_000_000,
    };
    let path = path.to_path_buf();
    // Unknown: the whole budget (it runs alone).
    let budget = if kind == Kind::Raw {
        raw::largest_preview(&bytes).and_then(derive::working_memory)
    } else {
        derive::working_memory(&bytes)
    }
    .unwrap_or(u64::MAX);
    let work = state
        .library()
        .decode(budget, move || -> Read {
            let mut meta =
                metadata::read(&path).map_err(|err| format!("cannot read the file: {err}"))?;
            let image: &[u8] = if kind == Kind::Raw {
                raw::largest_preview(&bytes)
                    .ok_or("this RAW file carries no preview Hearth can show")?
            } else {
                &bytes
            };
            let mut derived =
                derive::derive(image, meta.orientation, &limits).map_err(|e| e.to_string())?;
            // A motion photo's video plays like a Live Photo's.
            derived.motion = hearth_media::motion::embedded_video(&bytes)
                .and_then(|range| bytes.get(range))
                .map(<[u8]>::to_vec);
            // Its header, read as forgivingly as the decoder does, when the
            // metadata reader could not say (stray bytes, a top-down BMP).
            if meta.width.is_none()
                && let Some((w, h)) = stored
            {
                let (w, h) = (u32::try_from(w).ok(), u32::try_from(h).ok());
                (meta.width, meta.height) = if meta.orientation >= 5 {
                    (h, w)
                } else {
                    (w, h)
                };
            }
            // The decoder's word on the size it shows beats the header's.
            if let Some((w, h)) = derived.shown_size {
                (meta.width, meta.height) = (Some(w), Some(h));
            }
            if kind == Kind::Raw {
                // The preview's size is the picture's size as shown.
                let (w, h) = derived.preview_size;
                let scale = f64::from(meta.width.unwrap_or(w).max(meta.height.unwrap_or(h)))
                    / f64::from(w.max(h));
                if meta.width.is_none() || scale < 1.0 {
                    (meta.width, meta.height) = (Some(w), Some(h));
                }
            }
            Ok((meta, Ok(derived)))
        })
        .await;
    Ok(work.unwrap_or_else(|err| Err(err.to_string())))
}

/// A video: what its container (or ffprobe) says, and a poster frame when
/// ffmpeg is there.
pub(crate) async fn read_video(state: &AppState, path: &Path) -> Result<Read, AppError> {
    let tools = &state.config().library;
    let meta_path = path.to_path_buf();
    let meta = tokio::task::spawn_blocking(move || metadata::read(&meta_path))
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    let mut meta = match meta {
        Ok(meta) => meta,
        Err(err) => return Ok(Err(format!("cannot read the file: {err}"))),
    };
    if (meta.duration_ms.is_none() || meta.width.is_none() || meta.date_is_a_guess())
        && let Some(probed) = super::tools::probe(&tools.ffprobe, path).await
    {
        if meta.date_is_a_guess() && (probed.created.is_some() || probed.created_local.is_some()) {
            meta.taken = None;
        }
        metadata::apply_video(&mut meta, probed);
    }
    meta.orientation = 1;
    let derived = match super::tools::poster(&tools.ffmpeg, path).await {
        Ok(frame) => {
            let limits = Limits {
                max_pixels: u64::from(state.config().library.max_megapixels) * 1_000_000,
            };
            let budget = derive::working_memory(&frame).unwrap_or(u64::MAX);
            state
                .library()
                .decode(budget, move || derive::derive(&frame, 1, &limits))
                .await
                .map_err(|err| err.to_string())
                .and_then(|made| made.map_err(|err| format!("its first frame: {err}")))
        }
        Err(reason) => Err(reason),
    }
    .map_err(|reason| super::short_reason(&reason));
    Ok(Ok((meta, derived)))
}

/// What one new asset row is made of.
struct Row<'a> {
    source: &'a Source,
    hash: &'a str,
    seen: Seen,
    meta: &'a Metadata,
    kind: &'static str,
    /// Sniffed from the file's first bytes.
    mime: &'static str,
    thumbhash: Option<Vec<u8>>,
    /// Why a video has no poster frame.
    no_poster: Option<String>,
    /// Looked up from the coordinates, if there are any.
    place: Option<super::places::Place>,
}

/// Where `insert` put a file.
enum Stored {
    /// A new asset (or the still of a Live Photo joining its video), and
    /// the asset that was merged away (whose derivatives go).
    New(i64, Option<Box<asset::Model>>),
    /// The owner's asset with this content, which arrived meanwhile.
    Known(i64),
}

/// Stores the asset (or, for the second half of a Live Photo, joins the
/// first) and its location. Inside the write transaction the owner's
/// library is asked once more for the content, so two copies arriving at
/// once make one asset.
async fn insert(state: &AppState, row: &Row<'_>) -> Result<Stored, AppError> {
    let now = state.now();
    let meta = row.meta;
    let source = row.source;
    let txn = crate::db::write(state.db()).await?;
    if let Some((existing, role)) = owned_with_hash(&txn, source.owner_id, row.hash).await? {
        record_location(&txn, existing.id, source, row.seen, role, now).await?;
        forget_failure(&txn, source).await?;
        txn.commit().await?;
        return Ok(Stored::Known(existing.id));
    }
    if let Some(content_id) = &meta.content_id {
        let partner = asset::Entity::find()
            .filter(asset::Column::ContentId.eq(content_id))
            .filter(asset::Column::OwnerId.eq(source.owner_id))
            .filter(asset::Column::MotionHash.is_null())
            .one(&txn)
            .await?;
        match partner {
            // The video of a Live Photo whose still is already here.
            Some(still) if row.kind == "video" && still.kind == "photo" => {
                make_live(&txn, still.id, row.hash, now).await?;
                record_location(&txn, still.id, source, row.seen, "motion", now).await?;
                forget_failure(&txn, source).await?;
                txn.commit().await?;
                return Ok(Stored::New(still.id, None));
            }
            // The still of a Live Photo whose video came first.
            Some(motion) if row.kind == "photo" && motion.kind == "video" => {
                let id = insert_row(&txn, row, now).await?;
                make_live(&txn, id, &motion.hash, now).await?;
                asset_file::Entity::update_many()
                    .col_expr(asset_file::Column::AssetId, Expr::value(id))
                    .col_expr(asset_file::Column::Role, Expr::value("motion"))
                    .filter(asset_file::Column::AssetId.eq(motion.id))
                    .exec(&txn)
                    .await?;
                // A phone's backup names the video: it names the Live Photo now.
                crate::db::entities::dav_entry::Entity::update_many()
                    .col_expr(
                        crate::db::entities::dav_entry::Column::AssetId,
                        Expr::value(id),
                    )
                    .filter(crate::db::entities::dav_entry::Column::AssetId.eq(motion.id))
                    .exec(&txn)
                    .await?;
                asset::Entity::delete_by_id(motion.id).exec(&txn).await?;
                record_location(&txn, id, source, row.seen, "original", now).await?;
                forget_failure(&txn, source).await?;
                txn.commit().await?;
                return Ok(Stored::New(id, Some(Box::new(motion))));
            }
            _ => {}
        }
    }
    let id = insert_row(&txn, row, now).await?;
    record_location(&txn, id, source, row.seen, "original", now).await?;
    forget_failure(&txn, source).await?;
    txn.commit().await?;
    Ok(Stored::New(id, None))
}

async fn make_live(
    db: &impl ConnectionTrait,
    id: i64,
    motion_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    asset::Entity::update_many()
        .col_expr(asset::Column::Kind, Expr::value("live"))
        .col_expr(asset::Column::MotionHash, Expr::value(motion_hash))
        .col_expr(asset::Column::UpdatedAt, Expr::value(now))
        .filter(asset::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

async fn insert_row(
    db: &impl ConnectionTrait,
    row: &Row<'_>,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let (meta, source) = (row.meta, row.source);
    let taken = meta.taken;
    let sort_at = taken
        .and_then(|taken| taken.utc().or_else(|| Some(taken.local.and_utc())))
        .unwrap_or(row.seen.modified);
    let local_date = taken.map_or(sort_at.date_naive(), |t| t.local.date());
    let month = local_date.year() * 100 + i32::try_from(local_date.month()).unwrap_or(1);
    let inserted = asset::ActiveModel {
        owner_id: Set(source.owner_id),
        hash: Set(row.hash.to_owned()),
        kind: Set(row.kind.to_owned()),
        mime: Set(row.mime.to_owned()),
        bytes: Set(i64::try_from(row.seen.bytes).unwrap_or(i64::MAX)),
        width: Set(meta.width.and_then(|w| i32::try_from(w).ok())),
        height: Set(meta.height.and_then(|h| i32::try_from(h).ok())),
        orientation: Set(i16::from(meta.orientation)),
        sort_at: Set(sort_at),
        month: Set(month),
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
        duration_ms: Set(meta.duration_ms),
        title: Set(meta.title.clone()),
        caption: Set(meta.description.clone()),
        rating: Set(meta.rating.map(i16::from)),
        keywords: Set(serde_json::to_string(&meta.keywords).unwrap_or_else(|_| "[]".to_owned())),
        favourite: Set(false),
        visibility: Set(source.visibility.clone()),
        status: Set("active".to_owned()),
        thumbhash: Set(row.thumbhash.clone()),
        no_poster: Set(row.no_poster.clone()),
        content_id: Set(meta.content_id.clone()),
        place_city: Set(row.place.as_ref().map(|p| p.city.clone())),
        place_area: Set(row.place.as_ref().and_then(|p| p.area.clone())),
        place_region: Set(row.place.as_ref().and_then(|p| p.region.clone())),
        place_country: Set(row.place.as_ref().map(|p| p.country.clone())),
        place_at: Set(meta.gps.map(|_| now)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(inserted.id)
}

/// Adds (or refreshes) a place where an asset's content lives.
async fn record_location(
    db: &impl ConnectionTrait,
    asset_id: i64,
    source: &Source,
    seen: Seen,
    role: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let location = asset_file::ActiveModel {
        asset_id: Set(asset_id),
        root_id: Set(source.root_id),
        path: Set(source.location.clone()),
        bytes: Set(i64::try_from(seen.bytes).unwrap_or(i64::MAX)),
        modified_at: Set(seen.modified),
        present: Set(true),
        seen_at: Set(now),
        role: Set(role.to_owned()),
        ..Default::default()
    };
    if source.root_id.is_none() {
        // NULL never conflicts in a unique index: replace by hand.
        asset_file::Entity::delete_many()
            .filter(asset_file::Column::RootId.is_null())
            .filter(asset_file::Column::Path.eq(&source.location))
            .exec(db)
            .await?;
    }
    asset_file::Entity::insert(location)
        .on_conflict(
            OnConflict::columns([asset_file::Column::RootId, asset_file::Column::Path])
                .update_columns([
                    asset_file::Column::AssetId,
                    asset_file::Column::Bytes,
                    asset_file::Column::ModifiedAt,
                    asset_file::Column::Present,
                    asset_file::Column::SeenAt,
                    asset_file::Column::Role,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

async fn forget_failure(db: &impl ConnectionTrait, source: &Source) -> Result<(), AppError> {
    import_failure::Entity::delete_many()
        .filter(match source.root_id {
            Some(root) => import_failure::Column::RootId.eq(root),
            None => import_failure::Column::RootId.is_null(),
        })
        .filter(import_failure::Column::Path.eq(&source.location))
        .exec(db)
        .await?;
    Ok(())
}

/// Writes the preview and thumbnail; each file appears complete or not at all.
pub async fn store_derivatives(
    state: &AppState,
    id: i64,
    derived: &Derived,
) -> Result<(), AppError> {
    let folder = state.data_dir().derived(id);
    let io = |err: std::io::Error| {
        AppError::Internal(anyhow::anyhow!("writing derivatives of asset {id}: {err}"))
    };
    tokio::fs::create_dir_all(&folder).await.map_err(io)?;
    let motion = derived.motion.iter().map(|video| ("motion.mp4", video));
    for (name, bytes) in [
        ("preview.jpg", &derived.preview),
        ("thumb.jpg", &derived.thumbnail),
    ]
    .into_iter()
    .chain(motion)
    {
        let staging = state.data_dir().tmp().join(format!("{id}-{name}"));
        tokio::fs::write(&staging, bytes).await.map_err(io)?;
        tokio::fs::rename(&staging, folder.join(name))
            .await
            .map_err(io)?;
    }
    Ok(())
}

/// Removes an asset's preview and thumbnail folder (logged, not fatal).
pub(crate) async fn remove_derivatives(state: &AppState, id: i64) {
    let folder = state.data_dir().derived(id);
    if let Err(err) = tokio::fs::remove_dir_all(&folder).await
        && err.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(asset = id, error = %err, "removing derivatives");
    }
}

/// Records why a file was not imported (replacing an earlier reason).
async fn fail(
    state: &AppState,
    source: &Source,
    seen: Seen,
    reason: &str,
) -> Result<Outcome, AppError> {
    let db = state.db();
    let reason = super::short_reason(reason);
    forget_failure(db, source).await?;
    import_failure::ActiveModel {
        root_id: Set(source.root_id),
        owner_id: Set(Some(source.owner_id)),
        path: Set(source.location.clone()),
        bytes: Set(i64::try_from(seen.bytes).unwrap_or(i64::MAX)),
        modified_at: Set(seen.modified),
        reason: Set(reason.clone()),
        failed_at: Set(state.now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Outcome::Failed(reason))
}
