//! The library: assets (one per distinct content) and where their files
//! live, how files become assets (workers running ingest jobs from the
//! queue, fed by uploads, import folders and the CLI), and how members read
//! it (timeline, asset details, media), each read through `access`.

pub mod access;
pub mod admin_api;
pub mod api;
pub mod cli;
pub mod download;
pub mod exclusions;
pub mod google;
pub mod ingest;
pub mod places;
pub mod reasons;
pub mod roots;
pub mod timeline;
pub mod tools;
pub mod uploads;
pub mod watch;
pub mod workers;

use std::path::PathBuf;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::{Notify, Semaphore};

use crate::config::LibraryConfig;
use crate::db::entities::{asset, asset_file, import_root};
use crate::error::AppError;
use crate::state::AppState;

/// The longest reason recorded for a file or a video: a sentence, not a log.
const REASON_MAX: usize = 240;

/// A reason as a short sentence: its first line, at most `REASON_MAX`
/// characters (cut at a character, with an ellipsis). Decoders sometimes
/// explain themselves at length (one said 103,858 characters).
#[must_use]
pub fn short_reason(reason: &str) -> String {
    let line = reason
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default();
    match line.char_indices().nth(REASON_MAX) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line.to_owned(),
    }
}

/// The decoders' working memory allowed in flight at once, in MiB: two
/// 12 MP JPEGs (9 MiB each at the scale they are decoded at) or 12 MP
/// HEICs (~40 MiB) run side by side, a 20 MP 10-bit 4:4:4 AVIF (~245 MiB)
/// alone.
/// Measured with bench/memory (README, performance).
const DECODE_BUDGET_MIB: u32 = 192;

/// What the library keeps while the server runs.
pub struct Runtime {
    /// Rung when a job is queued, so an idle worker starts at once.
    wake: Notify,
    /// The decoders' working memory in flight is capped (MiB): the memory
    /// bound of import, whatever the number of workers.
    budget: Arc<Semaphore>,
    file_timeout: Duration,
    /// When recent jobs ended, and whether they succeeded (for the rate).
    recent: std::sync::Mutex<std::collections::VecDeque<(DateTime<Utc>, bool)>>,
    /// The Google takeout import started in Settings → Library, if any
    /// (one at a time; kept until the next one starts).
    pub google: std::sync::Mutex<Option<google::api::TakeoutImport>>,
}

impl Runtime {
    #[must_use]
    pub fn new(config: &LibraryConfig) -> Self {
        Self {
            wake: Notify::new(),
            budget: Arc::new(Semaphore::new(DECODE_BUDGET_MIB as usize)),
            file_timeout: Duration::from_secs(u64::from(config.file_timeout_seconds)),
            recent: std::sync::Mutex::new(std::collections::VecDeque::new()),
            google: std::sync::Mutex::new(None),
        }
    }

    /// Tells idle workers that there is work.
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// Notes that a job ended (the last 10 minutes are kept).
    pub fn record(&self, at: DateTime<Utc>, ok: bool) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.push_back((at, ok));
        while recent
            .front()
            .is_some_and(|(when, _)| at - *when > TimeDelta::minutes(10))
        {
            recent.pop_front();
        }
    }

    /// Jobs finished in the minute before `now`, and of those how many failed.
    #[must_use]
    pub fn last_minute(&self, now: DateTime<Utc>) -> (usize, usize) {
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let window = recent
            .iter()
            .filter(|(when, _)| now - *when <= TimeDelta::minutes(1));
        window.fold((0, 0), |(done, failed), (_, ok)| {
            (done + 1, failed + usize::from(!ok))
        })
    }

    /// Runs CPU-heavy decoding off the async threads, within the memory
    /// budget (`bytes` of working memory, as `derive::working_memory`
    /// estimates it; one larger than the whole budget runs alone) and the
    /// per-file time limit.
    pub async fn decode<T: Send + 'static>(
        &self,
        bytes: u64,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, DecodeError> {
        let wanted = u32::try_from(bytes.div_ceil(1024 * 1024))
            .unwrap_or(u32::MAX)
            .clamp(1, DECODE_BUDGET_MIB);
        let permit = self
            .budget
            .clone()
            .acquire_many_owned(wanted)
            .await
            .map_err(|_| DecodeError::Stopped)?;
        let task = tokio::task::spawn_blocking(move || {
            let result = work();
            // The memory is free when the work is, not when the caller gives up.
            drop(permit);
            result
        });
        match tokio::time::timeout(self.file_timeout, task).await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(_)) => Err(DecodeError::Crashed),
            Err(_) => Err(DecodeError::TimedOut(self.file_timeout)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("reading the file took longer than {} seconds", .0.as_secs())]
    TimedOut(Duration),
    #[error("the decoder crashed on this file")]
    Crashed,
    #[error("Hearth is stopping")]
    Stopped,
}

/// What the library cannot do on this machine, for the start-up summary.
pub async fn missing_tools(state: &AppState) -> Vec<&'static str> {
    let config = &state.config().library;
    let mut missing = Vec::new();
    // Both at once: each takes ~50 ms to start, and the ready line waits.
    let (ffmpeg, ffprobe) = tokio::join!(
        tools::available(&config.ffmpeg),
        tools::available(&config.ffprobe)
    );
    if !ffmpeg {
        missing.push("video poster frames (ffmpeg not found)");
    }
    if !ffprobe {
        missing.push("video facts beyond the container (ffprobe not found)");
    }
    missing
}

/// The library's background work: workers and the watcher.
pub struct Background {
    workers: workers::Workers,
    stop: tokio::sync::watch::Sender<bool>,
    watcher: tokio::task::JoinHandle<()>,
}

/// Starts the workers and the watcher, after queueing what a stop left
/// undone (assets without derivatives).
pub async fn start(state: &AppState) -> Result<Background, AppError> {
    let unfinished = crate::db::entities::asset::Entity::find()
        .filter(crate::db::entities::asset::Column::DerivedAt.is_null())
        .all(state.db())
        .await?;
    for asset in unfinished {
        workers::queue_derive(state, asset.id).await?;
    }
    if !places::pending(state, 1).await?.is_empty() {
        workers::queue_places(state).await?;
    }
    let config = &state.config().library;
    let workers = workers::spawn(state, config.worker_count());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let watcher = tokio::spawn(watch::run(state.clone(), stopped));
    Ok(Background {
        workers,
        stop,
        watcher,
    })
}

impl Background {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.watcher.await;
        self.workers.stop().await;
    }
}

/// Where one of an asset's files is on disk now, if it is present.
pub async fn locate(
    state: &AppState,
    asset_id: i64,
    role: &str,
) -> Result<Option<PathBuf>, AppError> {
    let files = asset_file::Entity::find()
        .filter(asset_file::Column::AssetId.eq(asset_id))
        .filter(asset_file::Column::Role.eq(role))
        .filter(asset_file::Column::Present.eq(true))
        .all(state.db())
        .await?;
    for file in files {
        let path = match file.root_id {
            None => state.data_dir().originals().join(&file.path),
            Some(root_id) => {
                let Some(root) = import_root::Entity::find_by_id(root_id)
                    .one(state.db())
                    .await?
                else {
                    continue;
                };
                PathBuf::from(root.path).join(&file.path)
            }
        };
        if path.is_file() {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

/// Moves `owner_id`'s own assets among `ids` into the trash (or out of
/// it) and tells open tabs; returns how many changed.
pub async fn set_trashed(
    state: &AppState,
    owner_id: i64,
    ids: &[i64],
    trash: bool,
) -> Result<u64, AppError> {
    use sea_orm::sea_query::Expr;
    let (to, trashed_at) = if trash {
        ("trashed", Some(state.now()))
    } else {
        ("active", None)
    };
    let from = if trash {
        asset::Column::Status.ne("trashed")
    } else {
        asset::Column::Status.eq("trashed")
    };
    let changed = asset::Entity::update_many()
        .col_expr(asset::Column::Status, Expr::value(to))
        .col_expr(asset::Column::TrashedAt, Expr::value(trashed_at))
        .col_expr(asset::Column::UpdatedAt, Expr::value(state.now()))
        .filter(asset::Column::Id.is_in(ids.iter().copied()))
        .filter(asset::Column::OwnerId.eq(owner_id))
        .filter(from)
        .exec(state.db())
        .await?;
    let (shared, private) = api::own_by_visibility(state, owner_id, ids).await?;
    announce(state, &[shared, private].concat(), false).await?;
    Ok(changed.rows_affected)
}

/// Tells open tabs that these assets appeared, changed or left: their
/// owners always, everyone for the ones shared with the family (and for
/// all of them when `was_family`, a change of visibility).
pub async fn announce(state: &AppState, ids: &[i64], was_family: bool) -> Result<(), AppError> {
    use std::collections::BTreeMap;

    use crate::events::{Audience, Event, Kind};
    let mut audiences: BTreeMap<Option<i64>, Vec<i64>> = BTreeMap::new();
    for chunk in ids.chunks(10_000) {
        let assets = asset::Entity::find()
            .filter(asset::Column::Id.is_in(chunk.iter().copied()))
            .all(state.db())
            .await?;
        for asset in assets {
            let audience = match Audience::of_asset(&asset, was_family) {
                Audience::User(owner) => Some(owner),
                _ => None,
            };
            audiences.entry(audience).or_default().push(asset.id);
        }
    }
    if let Some(search) = state.search() {
        search.wake.notify_one();
    }
    for (owner, ids) in audiences {
        state.events().publish(Event {
            audience: owner.map_or(Audience::Everyone, Audience::User),
            kind: Kind::Library,
            ids,
            album: None,
        });
    }
    Ok(())
}
