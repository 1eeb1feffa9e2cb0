//! Takeout: everything that is a member's, in one zip they can take
//! elsewhere. A background worker writes the archive file by file (an
//! original is streamed from disk into the zip; the archive is never held
//! in memory) into `exports/<id>.zip`: originals in `YYYY/MM/` folders,
//! beside each a JSON file with its metadata, then `albums.json`,
//! `comments.json`, `account.json` and `takeout.json` (what this is). The
//! archive can be downloaded for 24 hours, then the sweep deletes it.
//! `hearth import <archive>` restores the photos, their captions and
//! albums (`restore`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::watch;

use super::sweeps::TEMPORARY;
use crate::db::entities::{
    album, album_asset, album_member, asset, audit, comment, export, passkey, session, user,
};
use crate::error::AppError;
use crate::search::blocking;
use crate::state::AppState;

const QUEUED: &str = "queued";
const RUNNING: &str = "running";
const READY: &str = "ready";
const FAILED: &str = "failed";
const EXPIRED: &str = "expired";
/// What `takeout.json` says an archive is.
const FORMAT: &str = "hearth-takeout";
/// Progress is written to the database at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// What an export will hold, before it is made.
#[derive(Debug, Clone, Copy, Default)]
pub struct Estimate {
    pub files: u64,
    pub bytes: u64,
}

/// The files and bytes of `user_id`'s originals.
pub async fn estimate(state: &AppState, user_id: i64) -> Result<Estimate, AppError> {
    let assets = owned(state, user_id).await?;
    Ok(Estimate {
        files: assets.len() as u64,
        bytes: assets
            .iter()
            .map(|a| u64::try_from(a.bytes).unwrap_or(0))
            .sum(),
    })
}

/// Everything `user_id` owns that an export holds (all but what an
/// account deletion withholds), oldest first.
async fn owned(state: &AppState, user_id: i64) -> Result<Vec<asset::Model>, AppError> {
    Ok(asset::Entity::find()
        .filter(asset::Column::OwnerId.eq(user_id))
        .filter(asset::Column::Status.ne("withheld"))
        .order_by_asc(asset::Column::SortAt)
        .all(state.db())
        .await?)
}

/// Queues an export of `user_id`'s data.
pub async fn request(state: &AppState, user_id: i64) -> Result<export::Model, AppError> {
    let busy = export::Entity::find()
        .filter(export::Column::UserId.eq(user_id))
        .filter(export::Column::Status.is_in([QUEUED, RUNNING]))
        .count(state.db())
        .await?;
    if busy > 0 {
        return Err(AppError::Conflict(
            "An export is being made already; it will be ready soon.".into(),
        ));
    }
    let estimate = estimate(state, user_id).await?;
    let now = state.now();
    let row = export::ActiveModel {
        user_id: Set(user_id),
        status: Set(QUEUED.to_owned()),
        files_total: Set(i64::try_from(estimate.files).unwrap_or(i64::MAX)),
        files_done: Set(0),
        bytes: Set(0),
        estimated_bytes: Set(i64::try_from(estimate.bytes).unwrap_or(i64::MAX)),
        error: Set(None),
        created_at: Set(now),
        ready_at: Set(None),
        expires_at: Set(now + TEMPORARY),
        ..Default::default()
    }
    .insert(state.db())
    .await?;
    state.retention().exports.notify_one();
    Ok(row)
}

/// The caller's export `id` (not found for anyone else's).
pub async fn find(state: &AppState, user_id: i64, id: i64) -> Result<export::Model, AppError> {
    export::Entity::find_by_id(id)
        .filter(export::Column::UserId.eq(user_id))
        .one(state.db())
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such export.".into()))
}

/// The caller's exports, newest first.
pub async fn list(state: &AppState, user_id: i64) -> Result<Vec<export::Model>, AppError> {
    Ok(export::Entity::find()
        .filter(export::Column::UserId.eq(user_id))
        .order_by_desc(export::Column::Id)
        .all(state.db())
        .await?)
}

/// The archive of a ready export, for download.
pub async fn archive(state: &AppState, user_id: i64, id: i64) -> Result<PathBuf, AppError> {
    let found = find(state, user_id, id).await?;
    if found.status != READY || found.expires_at <= state.now() {
        return Err(AppError::LinkUnusable(
            "This export has expired or is not ready. Make a new one.".into(),
        ));
    }
    Ok(path(state, id))
}

fn path(state: &AppState, id: i64) -> PathBuf {
    state
        .data_dir()
        .root()
        .join("exports")
        .join(format!("{id}.zip"))
}

/// Deletes an export's archive now (its row stays, expired).
pub async fn remove_archive(state: &AppState, id: i64) -> Result<(), AppError> {
    for file in [path(state, id), path(state, id).with_extension("zip.part")] {
        match tokio::fs::remove_file(&file).await {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(AppError::Internal(err.into())),
        }
    }
    export::Entity::update_many()
        .col_expr(export::Column::Status, Expr::value(EXPIRED))
        .filter(export::Column::Id.eq(id))
        .exec(state.db())
        .await?;
    Ok(())
}

/// The sweep: archives older than 24 hours go (and stray files in
/// `exports/` that no export claims).
pub async fn expire(state: &AppState, now: DateTime<Utc>) -> Result<u64, AppError> {
    let due = export::Entity::find()
        .filter(export::Column::Status.ne(EXPIRED))
        .filter(export::Column::ExpiresAt.lte(now))
        .all(state.db())
        .await?;
    let mut removed = 0;
    for one in &due {
        remove_archive(state, one.id).await?;
        removed += 1;
    }
    let live: HashSet<String> = export::Entity::find()
        .filter(export::Column::Status.ne(EXPIRED))
        .all(state.db())
        .await?
        .iter()
        .map(|e| format!("{}.zip", e.id))
        .collect();
    let folder = state.data_dir().root().join("exports");
    if let Ok(entries) = std::fs::read_dir(&folder) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let claimed = live.contains(name.trim_end_matches(".part"));
            if !claimed && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// The export worker: makes queued archives, one at a time. Exports that
/// were being made when Hearth stopped start again.
pub async fn work(state: AppState, mut stopped: watch::Receiver<bool>) {
    if let Err(err) = export::Entity::update_many()
        .col_expr(export::Column::Status, Expr::value(QUEUED))
        .filter(export::Column::Status.eq(RUNNING))
        .exec(state.db())
        .await
    {
        tracing::warn!(error = %err, "resuming exports");
    }
    loop {
        if *stopped.borrow() {
            break;
        }
        match next(&state).await {
            Ok(Some(job)) => {
                let id = job.id;
                if let Err(err) = make(&state, job).await {
                    tracing::warn!(export = id, error = %err.detail(), "an export failed");
                    let _ = export::Entity::update_many()
                        .col_expr(export::Column::Status, Expr::value(FAILED))
                        .col_expr(
                            export::Column::Error,
                            Expr::value(Some(
                                "The archive could not be written. Try again; if it fails again, the server log says why.",
                            )),
                        )
                        .filter(export::Column::Id.eq(id))
                        .exec(state.db())
                        .await;
                    let _ = remove_archive_file(&state, id).await;
                }
                continue;
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err.detail(), "looking for exports"),
        }
        tokio::select! {
            () = state.retention().exports.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(30)) => {}
            _ = stopped.changed() => break,
        }
    }
}

async fn remove_archive_file(state: &AppState, id: i64) -> std::io::Result<()> {
    tokio::fs::remove_file(path(state, id).with_extension("zip.part")).await
}

async fn next(state: &AppState) -> Result<Option<export::Model>, AppError> {
    Ok(export::Entity::find()
        .filter(export::Column::Status.eq(QUEUED))
        .order_by_asc(export::Column::Id)
        .one(state.db())
        .await?)
}

/// One asset's entry in the archive: its metadata file.
#[derive(Debug, Serialize, Deserialize)]
pub struct AssetJson {
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motion_file: Option<String>,
    pub hash: String,
    pub kind: String,
    pub taken_local: Option<String>,
    pub taken_offset_minutes: Option<i32>,
    pub sort_at: DateTime<Utc>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub altitude: Option<f64>,
    pub place: Option<String>,
    pub camera: Option<String>,
    pub lens: Option<String>,
    pub title: Option<String>,
    pub caption: Option<String>,
    pub keywords: Vec<String>,
    pub favourite: bool,
    pub visibility: String,
    pub status: String,
    pub albums: Vec<String>,
}

/// `albums.json`: the albums the member owns.
#[derive(Debug, Serialize, Deserialize)]
pub struct AlbumJson {
    pub title: String,
    pub description: String,
    pub rule: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Their own photos in it (archive paths).
    pub files: Vec<String>,
    /// Other members' photos in it (by content hash: not theirs to take).
    pub others: Vec<String>,
    pub members: Vec<String>,
}

async fn make(state: &AppState, job: export::Model) -> Result<(), AppError> {
    let db = state.db();
    export::Entity::update_many()
        .col_expr(export::Column::Status, Expr::value(RUNNING))
        .filter(export::Column::Id.eq(job.id))
        .exec(db)
        .await?;
    let me = crate::accounts::users::find(db, job.user_id).await?;
    let assets = owned(state, me.id).await?;
    let ids: Vec<i64> = assets.iter().map(|a| a.id).collect();
    let titles = album_titles(state, &ids).await?;
    let final_path = path(state, job.id);
    let part = final_path.with_extension("zip.part");
    let file = File::create(&part).map_err(|err| AppError::Internal(err.into()))?;
    let mut zip = Some(zip::ZipWriter::new(file));
    let mut names = crate::zipped::Names::default();
    let mut placed: HashMap<i64, String> = HashMap::new();
    let mut last = std::time::Instant::now();
    for (done, one) in assets.iter().enumerate() {
        let Some(original) = crate::library::locate(state, one.id, "original").await? else {
            continue;
        };
        let motion = crate::library::locate(state, one.id, "motion").await?;
        let folder = folder_of(one);
        let file_name = names.unique(Some(&folder), &original);
        let motion_name = motion.as_ref().map(|m| names.unique(Some(&folder), m));
        let meta = describe(
            one,
            file_name.clone(),
            motion_name.clone(),
            titles.get(&one.id).cloned().unwrap_or_default(),
        );
        let json = to_json(&meta)?;
        let mut writer = zip.take().ok_or_else(lost)?;
        let at = crate::zipped::taken_at(one);
        writer = blocking(move || {
            copy_into(&mut writer, &file_name, &original, at)?;
            if let (Some(name), Some(path)) = (motion_name, motion) {
                copy_into(&mut writer, &name, &path, at)?;
            }
            add(&mut writer, &format!("{file_name}.json"), &json, at)?;
            Ok(writer)
        })
        .await?;
        placed.insert(one.id, meta.file);
        zip = Some(writer);
        if last.elapsed() >= PROGRESS_EVERY {
            last = std::time::Instant::now();
            progress(state, job.id, done as u64 + 1, &part).await?;
        }
    }
    let extras = extras(state, &me, &placed).await?;
    let writer = zip.take().ok_or_else(lost)?;
    let made = state.now().naive_utc();
    blocking(move || close(writer, extras, made)).await?;
    tokio::fs::rename(&part, &final_path)
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    let bytes = progress(state, job.id, assets.len() as u64, &final_path).await?;
    let now = state.now();
    export::Entity::update_many()
        .col_expr(export::Column::Status, Expr::value(READY))
        .col_expr(export::Column::ReadyAt, Expr::value(Some(now)))
        .col_expr(export::Column::ExpiresAt, Expr::value(now + TEMPORARY))
        .filter(export::Column::Id.eq(job.id))
        .exec(db)
        .await?;
    crate::notifications::service::notify(
        db,
        me.id,
        crate::notifications::service::Kind::ExportReady,
        "Your archive is ready",
        &format!(
            "{} photos and videos, {} MiB. Download it from Settings → Privacy within 24 hours; then it is deleted.",
            placed.len(),
            bytes.div_ceil(1024 * 1024)
        ),
        now,
    )
    .await?;
    state
        .events()
        .publish(crate::events::Event::notifications(me.id));
    tracing::info!(
        export = job.id,
        files = placed.len(),
        bytes,
        "an export is ready"
    );
    Ok(())
}

/// The files about the member as a whole: albums, comments, account, and
/// what this archive is.
async fn extras(
    state: &AppState,
    me: &user::Model,
    placed: &HashMap<i64, String>,
) -> Result<[(&'static str, Vec<u8>); 4], AppError> {
    Ok([
        (
            "albums.json",
            to_json(&albums(state, me.id, placed).await?)?,
        ),
        (
            "comments.json",
            to_json(&comments(state, me.id, placed).await?)?,
        ),
        ("account.json", to_json(&account(state, me).await?)?),
        (
            "takeout.json",
            to_json(&json!({
                "format": FORMAT,
                "version": 1,
                "exported_at": state.now(),
                "username": me.username,
                "photos": placed.len(),
            }))?,
        ),
    ])
}

/// One asset's metadata file.
fn describe(
    one: &asset::Model,
    file: String,
    motion_file: Option<String>,
    albums: Vec<String>,
) -> AssetJson {
    AssetJson {
        file,
        motion_file,
        hash: one.hash.clone(),
        kind: one.kind.clone(),
        taken_local: one.taken_local.clone(),
        taken_offset_minutes: one.taken_offset_minutes,
        sort_at: one.sort_at,
        latitude: one.latitude,
        longitude: one.longitude,
        altitude: one.altitude,
        place: [&one.place_city, &one.place_region, &one.place_country]
            .into_iter()
            .flatten()
            .cloned()
            .reduce(|a, b| format!("{a}, {b}")),
        camera: [&one.make, &one.model]
            .into_iter()
            .flatten()
            .cloned()
            .reduce(|a, b| format!("{a} {b}")),
        lens: one.lens.clone(),
        title: one.title.clone(),
        caption: one.caption.clone(),
        keywords: serde_json::from_str(&one.keywords).unwrap_or_default(),
        favourite: one.favourite,
        visibility: one.visibility.clone(),
        status: one.status.clone(),
        albums,
    }
}

fn lost() -> AppError {
    AppError::Internal(anyhow::anyhow!("the archive writer was lost"))
}

/// Records how far an export is; returns the archive's size so far.
async fn progress(state: &AppState, id: i64, done: u64, part: &Path) -> Result<u64, AppError> {
    let bytes = tokio::fs::metadata(part).await.map_or(0, |info| info.len());
    export::Entity::update_many()
        .col_expr(
            export::Column::FilesDone,
            Expr::value(i64::try_from(done).unwrap_or(i64::MAX)),
        )
        .col_expr(
            export::Column::Bytes,
            Expr::value(i64::try_from(bytes).unwrap_or(i64::MAX)),
        )
        .filter(export::Column::Id.eq(id))
        .exec(state.db())
        .await?;
    Ok(bytes)
}

/// Adds the account's own files (dated `made`) and writes the archive out.
fn close(
    mut writer: zip::ZipWriter<File>,
    extras: [(&'static str, Vec<u8>); 4],
    made: NaiveDateTime,
) -> Result<(), AppError> {
    for (name, json) in extras {
        add(&mut writer, name, &json, made)?;
    }
    let mut file = writer.finish().map_err(|err| zip_error(&err))?;
    file.flush().map_err(|err| AppError::Internal(err.into()))?;
    file.sync_all()
        .map_err(|err| AppError::Internal(err.into()))?;
    Ok(())
}

fn zip_error(err: &zip::result::ZipError) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing the archive: {err}"))
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec_pretty(value).map_err(|err| AppError::Internal(err.into()))
}

fn add(
    writer: &mut zip::ZipWriter<File>,
    name: &str,
    bytes: &[u8],
    at: NaiveDateTime,
) -> Result<(), AppError> {
    writer
        .start_file(name, crate::zipped::options(at))
        .map_err(|err| zip_error(&err))?;
    writer
        .write_all(bytes)
        .map_err(|err| AppError::Internal(err.into()))
}

/// Streams a file from disk into the archive.
fn copy_into(
    writer: &mut zip::ZipWriter<File>,
    name: &str,
    path: &Path,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    let mut source = File::open(path).map_err(|err| AppError::Internal(err.into()))?;
    writer
        .start_file(name, crate::zipped::options(at))
        .map_err(|err| zip_error(&err))?;
    std::io::copy(&mut source, writer).map_err(|err| AppError::Internal(err.into()))?;
    Ok(())
}

/// `YYYY/MM` of the capture (local time when known).
fn folder_of(one: &asset::Model) -> String {
    one.taken_local
        .as_deref()
        .and_then(|t| Some(format!("{}/{}", t.get(0..4)?, t.get(5..7)?)))
        .unwrap_or_else(|| one.sort_at.format("%Y/%m").to_string())
}

/// Every album's title, by id.
async fn album_names(state: &AppState) -> Result<HashMap<i64, String>, AppError> {
    Ok(album::Entity::find()
        .all(state.db())
        .await?
        .into_iter()
        .map(|a| (a.id, a.title))
        .collect())
}

/// The titles of the albums each asset is in (that are not excluded).
async fn album_titles(
    state: &AppState,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut titles: HashMap<i64, Vec<String>> = HashMap::new();
    let albums = album_names(state).await?;
    for chunk in ids.chunks(500) {
        for entry in album_asset::Entity::find()
            .filter(album_asset::Column::AssetId.is_in(chunk.iter().copied()))
            .filter(album_asset::Column::State.ne("excluded"))
            .all(state.db())
            .await?
        {
            if let Some(title) = albums.get(&entry.album_id) {
                titles
                    .entry(entry.asset_id)
                    .or_default()
                    .push(title.clone());
            }
        }
    }
    Ok(titles)
}

async fn albums(
    state: &AppState,
    user_id: i64,
    placed: &HashMap<i64, String>,
) -> Result<Vec<AlbumJson>, AppError> {
    let mut out = Vec::new();
    for one in album::Entity::find()
        .filter(album::Column::OwnerId.eq(user_id))
        .order_by_asc(album::Column::CreatedAt)
        .all(state.db())
        .await?
    {
        let entries = album_asset::Entity::find()
            .filter(album_asset::Column::AlbumId.eq(one.id))
            .filter(album_asset::Column::State.ne("excluded"))
            .all(state.db())
            .await?;
        let (mut files, mut others) = (Vec::new(), Vec::new());
        for entry in entries {
            if let Some(file) = placed.get(&entry.asset_id) {
                files.push(file.clone());
            } else if let Some(other) = asset::Entity::find_by_id(entry.asset_id)
                .one(state.db())
                .await?
            {
                others.push(other.hash);
            }
        }
        let member_ids: Vec<i64> = album_member::Entity::find()
            .filter(album_member::Column::AlbumId.eq(one.id))
            .all(state.db())
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        let members = crate::albums::people(state, &member_ids)
            .await?
            .into_values()
            .map(|u| u.display_name)
            .collect();
        out.push(AlbumJson {
            title: one.title,
            description: one.description,
            rule: one.rule,
            created_at: one.created_at,
            files,
            others,
            members,
        });
    }
    Ok(out)
}

async fn comments(
    state: &AppState,
    user_id: i64,
    placed: &HashMap<i64, String>,
) -> Result<Vec<serde_json::Value>, AppError> {
    let albums = album_names(state).await?;
    let mut out = Vec::new();
    for one in comment::Entity::find()
        .filter(comment::Column::UserId.eq(user_id))
        .order_by_asc(comment::Column::CreatedAt)
        .all(state.db())
        .await?
    {
        let photo = match one.asset_id {
            Some(id) => match placed.get(&id) {
                Some(file) => json!({ "file": file }),
                None => {
                    json!({ "hash": asset::Entity::find_by_id(id).one(state.db()).await?.map(|a| a.hash) })
                }
            },
            None => serde_json::Value::Null,
        };
        out.push(json!({
            "album": albums.get(&one.album_id),
            "photo": photo,
            "body": one.body,
            "created_at": one.created_at,
            "edited_at": one.edited_at,
        }));
    }
    Ok(out)
}

async fn account(state: &AppState, me: &user::Model) -> Result<serde_json::Value, AppError> {
    let db = state.db();
    let passkeys: Vec<_> = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(me.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| json!({ "name": p.name, "created_at": p.created_at, "last_used_at": p.last_used_at }))
        .collect();
    let sessions: Vec<_> = session::Entity::find()
        .filter(session::Column::UserId.eq(me.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| json!({ "device": s.device_label, "ip": s.ip, "signed_in_at": s.created_at, "last_seen_at": s.last_seen_at }))
        .collect();
    let activity: Vec<_> = audit::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(audit::Column::ActorId.eq(me.id))
                .add(audit::Column::TargetUserId.eq(me.id)),
        )
        .order_by_asc(audit::Column::At)
        .all(db)
        .await?
        .into_iter()
        .map(|a| json!({ "at": a.at, "action": a.action, "ip": a.ip, "details": serde_json::from_str::<serde_json::Value>(&a.details).unwrap_or_default() }))
        .collect();
    Ok(json!({
        "profile": {
            "username": me.username,
            "display_name": me.display_name,
            "email": me.email,
            "role": me.role,
            "member_since": me.created_at,
            "has_password": me.password_hash.is_some(),
            "two_step_codes": me.totp_enabled_at.is_some(),
        },
        "passkeys": passkeys,
        "sessions": sessions,
        "security_activity": activity,
    }))
}

/// `hearth import <takeout.zip>`: brings back the photos of a Hearth
/// takeout archive for `owner` (copied into the managed originals, as any
/// import), with their captions, titles, favourites and visibility, and
/// the albums with their photos. Returns the summary to print.
pub async fn restore(
    state: &AppState,
    owner: &user::Model,
    archive: &Path,
) -> Result<String, AppError> {
    let bad = |why: String| {
        AppError::InvalidRequest(format!(
            "{} is not a Hearth takeout archive: {why}",
            archive.display()
        ))
    };
    let file = File::open(archive).map_err(|err| bad(err.to_string()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|err| bad(err.to_string()))?;
    let manifest: serde_json::Value = read_json(&mut zip, "takeout.json").map_err(bad)?;
    if manifest["format"] != FORMAT {
        return Err(bad("its takeout.json names another format".into()));
    }
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    let staging = tempfile::tempdir_in(state.data_dir().tmp())
        .map_err(|err| AppError::Internal(err.into()))?;
    let mut by_file: BTreeMap<String, i64> = BTreeMap::new();
    let (mut imported, mut duplicates, mut failed) = (0, 0, 0);
    for name in names.iter().filter(|n| {
        n.contains('/')
            && Path::new(n.as_str())
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    }) {
        let Ok(meta) = read_json::<AssetJson>(&mut zip, name) else {
            continue;
        };
        let Some(path) = extract(&mut zip, &meta.file, staging.path())? else {
            failed += 1;
            continue;
        };
        let result = crate::library::uploads::import_copy(state, owner, &path).await?;
        let _ = std::fs::remove_file(&path);
        if let Some(motion) = &meta.motion_file
            && let Some(motion_path) = extract(&mut zip, motion, staging.path())?
        {
            crate::library::uploads::import_copy(state, owner, &motion_path).await?;
            let _ = std::fs::remove_file(&motion_path);
        }
        match (result.status, result.asset_id) {
            (crate::library::api::UploadStatus::Imported, Some(id)) => {
                imported += 1;
                apply(state, id, &meta).await?;
                by_file.insert(meta.file.clone(), id);
            }
            (crate::library::api::UploadStatus::Duplicate, Some(id)) => {
                duplicates += 1;
                by_file.insert(meta.file.clone(), id);
            }
            _ => failed += 1,
        }
    }
    let albums: Vec<AlbumJson> = read_json(&mut zip, "albums.json").unwrap_or_default();
    let restored_albums = albums.len();
    for one in albums {
        restore_album(state, owner, &one, &by_file).await?;
    }
    Ok(format!(
        "{imported} imported, {duplicates} duplicates, {failed} failed, {restored_albums} albums (takeout of {} for {})",
        manifest["username"].as_str().unwrap_or("?"),
        owner.username
    ))
}

fn read_json<T: serde::de::DeserializeOwned>(
    zip: &mut zip::ZipArchive<File>,
    name: &str,
) -> Result<T, String> {
    let mut entry = zip.by_name(name).map_err(|err| format!("{name}: {err}"))?;
    // Metadata files are small; a huge one is not ours.
    if entry.size() > 64 * 1024 * 1024 {
        return Err(format!("{name} is too large"));
    }
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .map_err(|err| format!("{name}: {err}"))?;
    serde_json::from_str(&text).map_err(|err| format!("{name}: {err}"))
}

/// Writes one archive entry to `folder` (under its own file name).
fn extract(
    zip: &mut zip::ZipArchive<File>,
    name: &str,
    folder: &Path,
) -> Result<Option<PathBuf>, AppError> {
    let Ok(mut entry) = zip.by_name(name) else {
        return Ok(None);
    };
    let file_name = crate::library::uploads::safe_name(name.rsplit('/').next().unwrap_or(name));
    let target = folder.join(file_name);
    let mut out = File::create(&target).map_err(|err| AppError::Internal(err.into()))?;
    std::io::copy(&mut entry, &mut out).map_err(|err| {
        AppError::InvalidRequest(format!("the archive entry {name} cannot be read: {err}"))
    })?;
    Ok(Some(target))
}

/// Puts back what the member had written about a photo.
async fn apply(state: &AppState, id: i64, meta: &AssetJson) -> Result<(), AppError> {
    let Some(found) = asset::Entity::find_by_id(id).one(state.db()).await? else {
        return Ok(());
    };
    let mut row: asset::ActiveModel = found.into();
    row.caption = Set(meta.caption.clone());
    row.title = Set(meta.title.clone());
    row.favourite = Set(meta.favourite);
    if meta.visibility == "family" || meta.visibility == "private" {
        row.visibility = Set(meta.visibility.clone());
    }
    row.updated_at = Set(state.now());
    row.update(state.db()).await?;
    Ok(())
}

async fn restore_album(
    state: &AppState,
    owner: &user::Model,
    one: &AlbumJson,
    by_file: &BTreeMap<String, i64>,
) -> Result<(), AppError> {
    let member = crate::albums::create(
        state,
        owner.id,
        one.title.clone(),
        one.description.clone(),
        one.rule.clone(),
    )
    .await?;
    let ids: Vec<i64> = one
        .files
        .iter()
        .filter_map(|file| by_file.get(file).copied())
        .collect();
    if !ids.is_empty() {
        crate::albums::content::add(state, &member, owner, &ids, true).await?;
    }
    Ok(())
}
