//! The workers: as many tasks as the config says (one per core by
//! default), each taking the next due job from the persistent queue and
//! running it. A job that errors is retried with backoff by the queue; an
//! ingest whose file is still being written comes back after the settle
//! period; a stop abandons the running job, which runs again on next start.

use std::time::Duration;

use chrono::TimeDelta;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::ingest::{self, Kind, Outcome, Source};
use crate::db::entities::asset;
use crate::error::AppError;
use crate::events::Event;
use crate::jobs::{self, Claimed};
use crate::state::AppState;

pub const INGEST: &str = "ingest";
pub const DERIVE: &str = "derive";
pub const SCAN: &str = "scan";
/// Look up the places of assets imported before places existed.
pub const PLACES: &str = "places";

/// Remake an asset's preview, thumbnail and thumbhash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Derive {
    pub asset_id: i64,
}

/// Compare an import root with the library.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scan {
    pub root_id: i64,
}

/// How long an idle worker waits before looking at the queue again (jobs
/// that were waiting for a retry or a settle period become due meanwhile).
const IDLE: Duration = Duration::from_millis(500);

/// The running workers.
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

#[must_use]
pub fn spawn(state: &AppState, count: usize) -> Workers {
    let (stop, stopped) = watch::channel(false);
    let tasks = (0..count)
        .map(|_| tokio::spawn(work(state.clone(), stopped.clone())))
        .collect();
    Workers { stop, tasks }
}

impl Workers {
    /// Stops every worker; a running job is abandoned (and runs again on
    /// the next start).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

async fn work(state: AppState, mut stopped: watch::Receiver<bool>) {
    loop {
        if *stopped.borrow() {
            return;
        }
        let claimed = jobs::claim(state.db(), state.now()).await;
        match claimed {
            Ok(Some(job)) => {
                tokio::select! {
                    () = run(&state, job) => {}
                    _ = stopped.changed() => return,
                }
            }
            Ok(None) => {
                let wake = state.library().wake.notified();
                tokio::select! {
                    () = wake => {}
                    () = tokio::time::sleep(IDLE) => {}
                    _ = stopped.changed() => return,
                }
            }
            Err(err) => {
                tracing::warn!(error = %err.detail(), "reading the job queue");
                tokio::select! {
                    () = tokio::time::sleep(IDLE * 4) => {}
                    _ = stopped.changed() => return,
                }
            }
        }
    }
}

/// Runs one claimed job and records how it went.
pub async fn run(state: &AppState, job: Claimed) {
    let result = execute(state, &job).await;
    state.library().record(state.now(), result.is_ok());
    state.metrics().job(&job.kind, result.is_ok());
    let recorded = match result {
        Ok(()) => jobs::complete(state.db(), job.id).await,
        Err(err) => {
            tracing::warn!(job = job.id, kind = %job.kind, error = %err.detail(), "job failed");
            // Its cause, not "see the log": the queue is read by admins.
            let cause = super::short_reason(&err.detail());
            jobs::fail(state.db(), &job, &cause, state.now()).await
        }
    };
    if let Err(err) = recorded {
        tracing::warn!(job = job.id, error = %err.detail(), "recording a job's end");
    }
    state.events().publish(Event::jobs());
}

async fn execute(state: &AppState, job: &Claimed) -> Result<(), AppError> {
    match job.kind.as_str() {
        INGEST => {
            let source: Source = job.payload()?;
            if let Some(root_id) = source.root_id
                && crate::db::entities::import_root::Entity::find_by_id(root_id)
                    .one(state.db())
                    .await?
                    .is_none()
            {
                // Its import folder was removed meanwhile: nothing to do.
                return Ok(());
            }
            match ingest::ingest(state, &source).await? {
                Outcome::Unsettled(seen) => {
                    let key = ingest_key(source.root_id, &source.location);
                    jobs::complete(state.db(), job.id).await?;
                    queue_ingest(
                        state,
                        Source {
                            seen: Some(seen),
                            ..source
                        },
                        &key,
                    )
                    .await?;
                }
                Outcome::Gone => {
                    if let Some(root_id) = source.root_id {
                        super::roots::missing(state, root_id, &source.location).await?;
                    }
                }
                Outcome::Imported(_)
                | Outcome::Duplicate(_)
                | Outcome::Failed(_)
                | Outcome::Forgotten => {}
            }
            Ok(())
        }
        DERIVE => {
            let Derive { asset_id } = job.payload()?;
            derive(state, asset_id).await?;
            super::announce(state, &[asset_id], false).await
        }
        SCAN => {
            let Scan { root_id } = job.payload()?;
            super::roots::scan(state, root_id).await
        }
        PLACES => {
            if super::places::backfill(state).await? {
                // The key is free once this job is done.
                jobs::complete(state.db(), job.id).await?;
                queue_places(state).await?;
            }
            Ok(())
        }
        other => Err(AppError::Internal(anyhow::anyhow!(
            "unknown job kind “{other}”"
        ))),
    }
}

/// The queue key of a file's ingest: one waiting job per file.
#[must_use]
pub fn ingest_key(root_id: Option<i64>, location: &str) -> String {
    format!("ingest:{}:{location}", root_id.unwrap_or(0))
}

/// Queues a file found in an import root, to be read once it has been
/// stable for the settle period.
pub async fn queue_ingest(state: &AppState, source: Source, key: &str) -> Result<bool, AppError> {
    let settle = TimeDelta::seconds(i64::from(state.config().library.settle_seconds));
    let queued = jobs::enqueue_once(
        state.db(),
        INGEST,
        key,
        &source,
        state.now() + settle,
        state.now(),
    )
    .await?;
    state.library().wake();
    if queued {
        state.events().publish(Event::jobs());
    }
    Ok(queued)
}

/// Queues a batch of place look-ups (at most one waiting).
pub async fn queue_places(state: &AppState) -> Result<(), AppError> {
    jobs::enqueue_once(state.db(), PLACES, PLACES, &(), state.now(), state.now()).await?;
    state.library().wake();
    Ok(())
}

/// Queues the remaking of an asset's derivatives (at most one waiting).
pub async fn queue_derive(state: &AppState, asset_id: i64) -> Result<(), AppError> {
    queue_derive_in(state.db(), asset_id, state.now()).await?;
    state.library().wake();
    Ok(())
}

/// Makes sure the derive job of an asset runs (once; a failed one starts
/// again) in `db`, which may be a transaction or a database no server runs
/// on yet (a restore).
pub async fn queue_derive_in(
    db: &impl sea_orm::ConnectionTrait,
    asset_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    jobs::ensure(
        db,
        DERIVE,
        &format!("derive:{asset_id}"),
        &Derive { asset_id },
        now,
    )
    .await
}

/// Remakes derivatives from the original (after a stop between an asset's
/// row and its files, or when they are missing).
async fn derive(state: &AppState, asset_id: i64) -> Result<(), AppError> {
    let Some(found) = asset::Entity::find_by_id(asset_id).one(state.db()).await? else {
        return Ok(());
    };
    let Some(path) = super::locate(state, asset_id, "original").await? else {
        // Offline: derived when the file is back.
        return Ok(());
    };
    let read = if found.kind == "video" {
        ingest::read_video(state, &path).await?
    } else {
        let header = std::fs::File::open(&path)
            .and_then(|mut file| ingest::read_header(&mut file))
            .map_err(|err| AppError::Internal(err.into()))?;
        let kind = ingest::classify(&header, &path).unwrap_or(Kind::Photo);
        ingest::read_still(state, &path, kind).await?
    };
    let (thumbhash, no_poster) = match read {
        Ok((_, Ok(derived))) => {
            ingest::store_derivatives(state, asset_id, &derived).await?;
            if derived.motion.is_some() && found.kind == "photo" {
                // A motion photo imported before Hearth played them.
                asset::Entity::update_many()
                    .col_expr(asset::Column::Kind, Expr::value("live"))
                    .filter(asset::Column::Id.eq(asset_id))
                    .exec(state.db())
                    .await?;
            }
            (Some(derived.thumbhash), None)
        }
        Ok((_, Err(reason))) => (None, Some(reason)),
        Err(reason) => {
            tracing::warn!(asset = asset_id, %reason, "cannot remake derivatives");
            (None, None)
        }
    };
    asset::Entity::update_many()
        .col_expr(asset::Column::Thumbhash, Expr::value(thumbhash))
        .col_expr(asset::Column::NoPoster, Expr::value(no_poster))
        .col_expr(asset::Column::DerivedAt, Expr::value(state.now()))
        .filter(asset::Column::Id.eq(asset_id))
        .exec(state.db())
        .await?;
    Ok(())
}
