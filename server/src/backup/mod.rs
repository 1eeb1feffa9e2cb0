//! Backups. The database is the source of truth: a backup is a consistent
//! online copy of it (`VACUUM INTO`, which reads one snapshot while the
//! server goes on writing), plus the config file and, if asked, the
//! uploaded originals. The search index and the thumbnails are not backed
//! up: a restored Hearth rebuilds them.
//!
//! - `hearth backup --to DIR [--originals]` and `hearth restore --from DIR`
//!   (`archive`);
//! - automatic database backups in the data folder's `backups/`, every
//!   `backup.every_hours`, the newest `backup.keep` kept (`scheduled`), and
//!   the owner's "Back up now";
//! - a snapshot before migrations change a database, put back if one
//!   fails (`before_migration`, `put_back`, used by `db::open_migrated`);
//! - deleted means gone, in backups too: after every purge, each backup in
//!   `backups/` forgets the rows deleted since it was made (`scrub`).

pub mod api;
pub mod archive;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Timelike as _, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::data_dir::DataDir;
use crate::error::AppError;
use crate::state::AppState;

/// Automatic and "Back up now" backups: `hearth-<time>.db`.
const SCHEDULED: &str = "hearth-";
/// Snapshots taken before a migration: `before-migration-<time>.db`.
const BEFORE_MIGRATION: &str = "before-migration-";
/// The time in a backup's file name (UTC).
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// One database backup in `backups/`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub before_migration: bool,
    pub at: DateTime<Utc>,
    pub bytes: u64,
}

/// Copies the database, consistently, into the new file `dest` (written
/// under a temporary name, then renamed: it exists complete or not at all).
pub async fn copy_database(db: &DatabaseConnection, dest: &Path) -> Result<(), AppError> {
    let partial = dest.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let copied = db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "VACUUM INTO ?",
            [partial.to_string_lossy().into_owned().into()],
        ))
        .await
        .map_err(AppError::from)
        .and_then(|_| std::fs::rename(&partial, dest).map_err(|err| io(dest, &err)));
    if copied.is_err() {
        // A half copy (a full disk) must not stay: it holds the library.
        let _ = std::fs::remove_file(&partial);
    }
    copied
}

fn io(path: &Path, err: &dyn std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("{}: {err}", path.display()))
}

/// Snapshots the database into `backups/` before migrations change it.
pub async fn before_migration(
    db: &DatabaseConnection,
    data_dir: &DataDir,
    now: DateTime<Utc>,
) -> Result<PathBuf, AppError> {
    let dest = data_dir
        .backups()
        .join(format!("{BEFORE_MIGRATION}{}.db", now.format(STAMP)));
    copy_database(db, &dest).await?;
    prune(data_dir, true, KEEP_BEFORE_MIGRATION)?;
    Ok(dest)
}

/// Snapshots before migrations kept (older ones are removed).
const KEEP_BEFORE_MIGRATION: usize = 3;

/// Puts `snapshot` back as the database at `database` (closed), dropping
/// its write-ahead log.
pub fn put_back(snapshot: &Path, database: &Path) -> std::io::Result<()> {
    for suffix in ["-wal", "-shm"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    }
    let partial = database.with_extension("restoring");
    std::fs::copy(snapshot, &partial)?;
    std::fs::rename(&partial, database)
}

/// The database backups in `backups/`, newest first.
pub fn list(data_dir: &DataDir) -> Vec<Entry> {
    let Ok(entries) = std::fs::read_dir(data_dir.backups()) else {
        return Vec::new();
    };
    let mut found: Vec<Entry> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".db")?;
            let (before_migration, stamp) = match stem.strip_prefix(BEFORE_MIGRATION) {
                Some(stamp) => (true, stamp),
                None => (false, stem.strip_prefix(SCHEDULED)?),
            };
            let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?.and_utc();
            let bytes = entry.metadata().ok()?.len();
            Some(Entry {
                name,
                before_migration,
                at,
                bytes,
            })
        })
        .collect();
    found.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.name.cmp(&a.name)));
    found
}

/// Removes the oldest backups of one kind beyond `keep`; returns how many.
fn prune(data_dir: &DataDir, before_migration: bool, keep: usize) -> Result<u64, AppError> {
    let mut removed = 0;
    for old in list(data_dir)
        .into_iter()
        .filter(|entry| entry.before_migration == before_migration)
        .skip(keep)
    {
        let path = data_dir.backups().join(&old.name);
        std::fs::remove_file(&path).map_err(|err| io(&path, &err))?;
        removed += 1;
    }
    Ok(removed)
}

/// Makes a database backup in `backups/` now (the owner's "Back up now"),
/// then keeps the newest `backup.keep`.
pub async fn now(state: &AppState) -> Result<Entry, AppError> {
    make(state, state.now()).await
}

async fn make(state: &AppState, at: DateTime<Utc>) -> Result<Entry, AppError> {
    // Never beside a scrub: a copy begun before a purge and renamed after
    // the scrub would keep what the purge removed.
    let _one = state.backups_lock().lock().await;
    let data_dir = state.data_dir();
    let name = format!("{SCHEDULED}{}.db", at.format(STAMP));
    let dest = data_dir.backups().join(&name);
    copy_database(state.db(), &dest).await?;
    prune(data_dir, false, usize::from(state.config().backup.keep))?;
    let bytes = std::fs::metadata(&dest).map_or(0, |meta| meta.len());
    tracing::info!(backup = %dest.display(), bytes, "database backed up");
    Ok(Entry {
        name,
        before_migration: false,
        at: at.with_nanosecond(0).unwrap_or(at),
        bytes,
    })
}

/// When the next automatic backup is due (none: they are off).
pub fn next_due(state: &AppState) -> Option<DateTime<Utc>> {
    let every = TimeDelta::hours(i64::from(state.config().backup.every_hours));
    if every.is_zero() {
        return None;
    }
    Some(last_scheduled(state.data_dir()).map_or_else(|| state.now(), |last| last.at + every))
}

fn last_scheduled(data_dir: &DataDir) -> Option<Entry> {
    list(data_dir)
        .into_iter()
        .find(|entry| !entry.before_migration)
}

/// Makes the automatic backup if one is due at `at` (the scheduler calls
/// this with every round of sweeps; the `Clock` decides).
pub async fn scheduled(state: &AppState, at: DateTime<Utc>) -> Result<Option<Entry>, AppError> {
    let every = TimeDelta::hours(i64::from(state.config().backup.every_hours));
    let due = !every.is_zero()
        && last_scheduled(state.data_dir()).is_none_or(|last| last.at + every <= at);
    if due {
        make(state, at).await.map(Some)
    } else {
        Ok(None)
    }
}

/// Makes every backup in `backups/` forget what was deleted since it was
/// made: in each table with an `id`, the rows the live database no longer
/// has are deleted (their children go by cascade), then the file is
/// rewritten (`VACUUM`) so no deleted byte stays in a free page. What a
/// backup holds of the living stays, so it still restores the library.
/// Returns how many backups had something to forget (only those are
/// rewritten).
pub async fn scrub(state: &AppState) -> Result<u64, AppError> {
    let _one = state.backups_lock().lock().await;
    let live = state.data_dir().database();
    remove_leftovers(state.data_dir());
    let mut scrubbed = 0;
    for entry in list(state.data_dir()) {
        let path = state.data_dir().backups().join(&entry.name);
        let done = match crate::db::open_one(&path).await {
            Ok(db) => {
                let done = forget_deleted(&db, &live).await;
                let _ = db.close().await;
                done
            }
            Err(err) => Err(io(&path, &err)),
        };
        match done {
            Ok(true) => scrubbed += 1,
            Ok(false) => {}
            // A backup that cannot forget would keep what was deleted: it
            // goes (the others, and the database itself, stay).
            Err(err) => {
                tracing::warn!(backup = %path.display(), error = %err, "a backup that could not forget what was deleted is removed");
                if let Err(err) = std::fs::remove_file(&path) {
                    tracing::warn!(backup = %path.display(), error = %err, "removing a backup");
                }
            }
        }
    }
    Ok(scrubbed)
}

/// Copies an interrupted process left behind (`.partial`); no backup is
/// being made (the caller holds the lock).
fn remove_leftovers(data_dir: &DataDir) {
    for entry in std::fs::read_dir(data_dir.backups())
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "partial") {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Rows a purge keeps but empties (the household's audit log, deletion
/// receipts): a backup takes the emptied values.
const EMPTIED: [(&str, &[&str]); 2] = [
    (
        "audit_log",
        &["details", "ip", "actor_id", "target_user_id"],
    ),
    (
        "account_deletions",
        &[
            "user_id",
            "requested_by",
            "cancel_token_hash",
            "status",
            "purged_at",
            "removed",
        ],
    ),
];

/// Whether anything was forgotten.
async fn forget_deleted(db: &DatabaseConnection, live: &Path) -> Result<bool, AppError> {
    let run = async |sql: &str| {
        db.execute_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
    };
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "ATTACH DATABASE ? AS live",
        [live.to_string_lossy().into_owned().into()],
    ))
    .await?;
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT m.name FROM main.sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'id' AND c.pk = 1 \
             AND m.name IN (SELECT name FROM live.sqlite_master WHERE type = 'table')",
        ))
        .await?
        .into_iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .collect();
    let mut forgotten = 0;
    for table in &tables {
        let table = table.replace('"', "");
        forgotten += run(&format!(
            "DELETE FROM main.\"{table}\" WHERE id NOT IN (SELECT id FROM live.\"{table}\")"
        ))
        .await?
        .rows_affected();
    }
    for (table, columns) in EMPTIED {
        if !tables.iter().any(|name| name == table) {
            continue;
        }
        let set: Vec<String> = columns.iter().map(|c| format!("{c} = l.{c}")).collect();
        let differ: Vec<String> = columns
            .iter()
            .map(|c| format!("main.{table}.{c} IS NOT l.{c}"))
            .collect();
        forgotten += run(&format!(
            "UPDATE main.{table} SET {} FROM live.{table} AS l WHERE l.id = main.{table}.id AND ({})",
            set.join(", "),
            differ.join(" OR ")
        ))
        .await?
        .rows_affected();
    }
    run("DETACH DATABASE live").await?;
    if forgotten > 0 {
        run("VACUUM").await?;
    }
    run("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    Ok(forgotten > 0)
}
