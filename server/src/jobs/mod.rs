//! The persistent job queue: work that must survive a restart (ingest,
//! derive, index) is a row in SQLite until it is done. Claiming is a
//! conditional update, so concurrent workers never take the same job; a job
//! that fails waits longer before each retry; jobs that were running when
//! the process died are queued again on start.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TryInsertResult,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::db::entities::job;
use crate::error::AppError;

const QUEUED: &str = "queued";
const RUNNING: &str = "running";
const FAILED: &str = "failed";

/// Attempts before a job is recorded as failed for good.
pub const MAX_ATTEMPTS: i32 = 5;

/// A claimed job, ready to run.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// Including this one.
    pub attempts: i32,
}

impl Claimed {
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_json::from_str(&self.payload)
            .map_err(|err| AppError::Internal(anyhow::anyhow!("job {} payload: {err}", self.id)))
    }
}

/// Queues a job to run now.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    kind: &str,
    payload: &impl Serialize,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    Ok(new_job(kind, None, payload, now, now)?.insert(db).await?.id)
}

/// Queues a job under a key, to run at `run_after`, unless a job with that
/// key is already waiting (then that one stands and `false` is returned).
pub async fn enqueue_once(
    db: &impl ConnectionTrait,
    kind: &str,
    key: &str,
    payload: &impl Serialize,
    run_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let row = new_job(kind, Some(key), payload, run_after, now)?;
    let inserted = job::Entity::insert(row)
        .on_conflict_do_nothing_on([job::Column::Key])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(1)))
}

/// Makes sure a job with `key` will run: queued now unless one is already
/// waiting or running; one that had failed for good is given a new start.
pub async fn ensure(
    db: &impl ConnectionTrait,
    kind: &str,
    key: &str,
    payload: &impl Serialize,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !enqueue_once(db, kind, key, payload, now, now).await? {
        retry_failed(db, Some(key), now).await?;
    }
    Ok(())
}

/// Gives failed jobs (all, or the one with `key`) a new start; returns how
/// many.
pub async fn retry_failed(
    db: &impl ConnectionTrait,
    key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let mut update = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(QUEUED))
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::RunAfter, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Status.eq(FAILED));
    if let Some(key) = key {
        update = update.filter(job::Column::Key.eq(key));
    }
    Ok(update.exec(db).await?.rows_affected)
}

fn new_job(
    kind: &str,
    key: Option<&str>,
    payload: &impl Serialize,
    run_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<job::ActiveModel, AppError> {
    Ok(job::ActiveModel {
        kind: Set(kind.to_owned()),
        key: Set(key.map(str::to_owned)),
        payload: Set(to_json(payload)?),
        status: Set(QUEUED.to_owned()),
        attempts: Set(0),
        run_after: Set(run_after),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
}

fn to_json(payload: &impl Serialize) -> Result<String, AppError> {
    serde_json::to_string(payload).map_err(|err| AppError::Internal(err.into()))
}

/// Takes one particular job (just queued by the caller, to run it at once);
/// `None` if a worker took it first.
pub async fn claim_id(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<Claimed>, AppError> {
    let taken = take(db, id, now).await?;
    if !taken {
        return Ok(None);
    }
    Ok(job::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|row| Claimed {
            id: row.id,
            kind: row.kind,
            payload: row.payload,
            attempts: row.attempts,
        }))
}

async fn take(db: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<bool, AppError> {
    let taken = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(RUNNING))
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).add(1),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.eq(QUEUED))
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Takes the oldest due job, if any.
pub async fn claim(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Option<Claimed>, AppError> {
    // A few tries: another worker may win the race for the same row.
    for _ in 0..8 {
        let Some(next) = job::Entity::find()
            .filter(job::Column::Status.eq(QUEUED))
            .filter(job::Column::RunAfter.lte(now))
            .order_by_asc(job::Column::RunAfter)
            .order_by_asc(job::Column::Id)
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        if take(db, next.id, now).await? {
            return Ok(Some(Claimed {
                id: next.id,
                kind: next.kind,
                payload: next.payload,
                attempts: next.attempts + 1,
            }));
        }
    }
    Ok(None)
}

/// A finished job leaves the queue.
pub async fn complete(db: &impl ConnectionTrait, id: i64) -> Result<(), AppError> {
    job::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// The wait before retry `attempt` + 1: 10 s, 40 s, 160 s, ~11 min.
#[must_use]
pub fn backoff(attempts: i32) -> TimeDelta {
    let exponent = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    TimeDelta::seconds(10 * 4_i64.pow(exponent))
}

/// Records a failure: queued again after a backoff, or failed for good
/// after `MAX_ATTEMPTS`.
pub async fn fail(
    db: &impl ConnectionTrait,
    job: &Claimed,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let give_up = job.attempts >= MAX_ATTEMPTS;
    job::Entity::update_many()
        .col_expr(
            job::Column::Status,
            Expr::value(if give_up { FAILED } else { QUEUED }),
        )
        .col_expr(
            job::Column::RunAfter,
            Expr::value(now + backoff(job.attempts)),
        )
        .col_expr(
            job::Column::LastError,
            Expr::value(error.chars().take(2000).collect::<String>()),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(job.id))
        .exec(db)
        .await?;
    Ok(())
}

/// On start: jobs that were running when the process stopped run again.
pub async fn recover(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, AppError> {
    let result = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(QUEUED))
        .col_expr(job::Column::RunAfter, Expr::value(now))
        .filter(job::Column::Status.eq(RUNNING))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// How much work is waiting, running and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depth {
    pub queued: u64,
    pub running: u64,
    pub failed: u64,
}

pub async fn depth(db: &impl ConnectionTrait) -> Result<Depth, AppError> {
    let count = |status: &'static str| {
        job::Entity::find()
            .filter(job::Column::Status.eq(status))
            .count(db)
    };
    Ok(Depth {
        queued: count(QUEUED).await?,
        running: count(RUNNING).await?,
        failed: count(FAILED).await?,
    })
}
