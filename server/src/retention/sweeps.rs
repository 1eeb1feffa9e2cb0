//! The retention sweeps. Each one removes what is due by the `Clock` and
//! nothing else, so running it twice removes nothing more (idempotent);
//! each run is logged, and what each sweep removed is kept for the owner
//! (`sweeps`: last run and totals; `sweep_runs`: the runs that removed
//! something).

use std::collections::BTreeMap;
use std::time::SystemTime;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use serde::Serialize;

use super::{deletion, purge, rules, takeout};
use crate::error::AppError;
use crate::state::AppState;

/// Every sweep, in the order they run (rules first: what they move to the
/// trash waits there like anything else).
pub const NAMES: [&str; 11] = [
    "rules",
    "trash",
    "kept_out",
    "accounts",
    "exports",
    "tmp",
    "share_links",
    "invites",
    "sessions",
    "audit",
    "notifications",
];

/// Temporary files and export archives live this long.
pub const TEMPORARY: TimeDelta = TimeDelta::hours(24);
/// Revoked share links are listed this long.
const REVOKED_LINKS: TimeDelta = TimeDelta::days(30);
/// Read notifications are kept this long.
const READ_NOTIFICATIONS: TimeDelta = TimeDelta::days(90);

/// One run of every sweep: what each removed.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub at: DateTime<Utc>,
    pub removed: BTreeMap<String, u64>,
}

/// Runs every sweep now (one run at a time), then makes what was removed
/// physically gone.
pub async fn run(state: &AppState) -> Result<Report, AppError> {
    run_at(state, state.now()).await
}

/// Runs every sweep for what is due at `at`.
pub async fn run_at(state: &AppState, at: DateTime<Utc>) -> Result<Report, AppError> {
    let _one = state.retention().running.lock().await;
    let mut removed = BTreeMap::new();
    for name in NAMES {
        let count = match sweep(state, name, at).await {
            Ok(count) => count,
            Err(err) => {
                // One failing sweep does not stop the others; it runs again
                // next time.
                tracing::warn!(sweep = name, error = %err.detail(), "retention sweep failed");
                0
            }
        };
        removed.insert(name.to_owned(), count);
    }
    let total: u64 = removed.values().sum();
    if total > 0 {
        purge::compact(state).await?;
    }
    record(state, at, &removed).await?;
    if total > 0 {
        tracing::info!(?removed, "retention sweep removed what was due");
    } else {
        tracing::debug!("retention sweep: nothing was due");
    }
    Ok(Report { at, removed })
}

async fn sweep(state: &AppState, name: &str, now: DateTime<Utc>) -> Result<u64, AppError> {
    let retention = &state.config().retention;
    let days = |n: u16| now - TimeDelta::days(i64::from(n));
    match name {
        "rules" => rules::run_all(state, now).await,
        "trash" => {
            let ids = ids(
                state.db(),
                "SELECT id FROM assets WHERE status = 'trashed' AND trashed_at <= ?",
                days(retention.trash_days),
            )
            .await?;
            Ok(purge::assets(state, &ids).await?.assets())
        }
        "kept_out" => {
            kept_out(
                state,
                days(retention.trash_days),
                days(retention.kept_out_days),
            )
            .await
        }
        "accounts" => deletion::purge_due(state, now).await,
        "exports" => takeout::expire(state, now).await,
        "tmp" => old_files(state, now).await,
        "share_links" => {
            // Revoked ones stay a while, so the owner's list still shows
            // their last use.
            let expired =
                delete(state, "DELETE FROM album_links WHERE expires_at <= ?", now).await?;
            let revoked = delete(
                state,
                "DELETE FROM album_links WHERE revoked_at <= ?",
                now - REVOKED_LINKS,
            )
            .await?;
            Ok(expired + revoked)
        }
        "invites" => delete(state, "DELETE FROM links WHERE expires_at <= ?", now).await,
        "sessions" => {
            delete(
                state,
                "DELETE FROM sessions WHERE expires_at <= ?1 OR absolute_expires_at <= ?1",
                now,
            )
            .await
        }
        "audit" => {
            delete(
                state,
                "DELETE FROM audit_log WHERE at < ?",
                days(retention.audit_days),
            )
            .await
        }
        "notifications" => {
            delete(
                state,
                "DELETE FROM notifications WHERE read_at IS NOT NULL AND created_at < ?",
                now - READ_NOTIFICATIONS,
            )
            .await
        }
        _ => Ok(0),
    }
}

/// What phones sent again after it was deleted: its bytes go after the
/// trash's days (sent before `bytes_before`), the memory of what was
/// deleted after `retention.kept_out_days` (deleted before `memory_before`).
async fn kept_out(
    state: &AppState,
    bytes_before: DateTime<Utc>,
    memory_before: DateTime<Utc>,
) -> Result<u64, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    use crate::db::entities::dav_entry;
    let waiting = dav_entry::Entity::find()
        .filter(dav_entry::Column::State.eq("kept_out"))
        .filter(dav_entry::Column::Blob.is_not_null())
        .filter(dav_entry::Column::ModifiedAt.lte(bytes_before))
        .all(state.db())
        .await?;
    let mut removed = 0;
    for entry in waiting {
        if let Some(blob) = &entry.blob {
            let path = state.data_dir().dav(entry.user_id).join(blob);
            match tokio::fs::remove_file(&path).await {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    return Err(AppError::Internal(err.into()));
                }
                _ => {}
            }
        }
        dav_entry::Entity::update_many()
            .col_expr(
                dav_entry::Column::Blob,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(dav_entry::Column::Id.eq(entry.id))
            .exec(state.db())
            .await?;
        removed += 1;
    }
    Ok(removed
        + delete(
            state,
            "DELETE FROM kept_out WHERE deleted_at <= ?",
            memory_before,
        )
        .await?)
}

async fn delete(state: &AppState, sql: &str, at: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(state
        .db()
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            [at.into()],
        ))
        .await?
        .rows_affected())
}

/// The ids a query with one time parameter selects.
pub(crate) async fn ids(
    db: &impl ConnectionTrait,
    sql: &str,
    at: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            [at.into()],
        ))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|row| row.try_get_by_index::<i64>(0).ok())
        .collect())
}

/// Removes files in `tmp/` (upload staging) last changed more than 24
/// hours before `now`.
async fn old_files(state: &AppState, now: DateTime<Utc>) -> Result<u64, AppError> {
    let tmp = state.data_dir().tmp();
    let limit = SystemTime::from(now - TEMPORARY);
    let removed = tokio::task::spawn_blocking(move || {
        let mut removed = 0;
        let Ok(entries) = std::fs::read_dir(&tmp) else {
            return 0;
        };
        for entry in entries.flatten() {
            let Ok(info) = entry.metadata() else { continue };
            if info.modified().is_ok_and(|at| at <= limit) {
                let gone = if info.is_dir() {
                    std::fs::remove_dir_all(entry.path())
                } else {
                    std::fs::remove_file(entry.path())
                };
                if gone.is_ok() {
                    removed += 1;
                }
            }
        }
        removed
    })
    .await
    .map_err(|err| AppError::Internal(err.into()))?;
    Ok(removed)
}

/// Keeps what this run removed: totals per sweep, and the run itself when
/// it removed anything (runs older than the audit period are dropped).
async fn record(
    state: &AppState,
    at: DateTime<Utc>,
    removed: &BTreeMap<String, u64>,
) -> Result<(), AppError> {
    let db = state.db();
    for (name, count) in removed {
        let count = i64::try_from(*count).unwrap_or(i64::MAX);
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO sweeps (name, last_run_at, last_removed, total_removed) VALUES (?1, ?2, ?3, ?3) \
             ON CONFLICT (name) DO UPDATE SET last_run_at = ?2, last_removed = ?3, \
             total_removed = total_removed + ?3",
            [name.clone().into(), at.into(), count.into()],
        ))
        .await?;
    }
    if removed.values().any(|&count| count > 0) {
        let json = serde_json::to_string(removed).map_err(|err| AppError::Internal(err.into()))?;
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO sweep_runs (at, removed) VALUES (?, ?)",
            [at.into(), Value::from(json)],
        ))
        .await?;
    }
    let keep = at - TimeDelta::days(i64::from(state.config().retention.audit_days));
    delete(state, "DELETE FROM sweep_runs WHERE at < ?", keep).await?;
    Ok(())
}
