//! The SQLite database: how it is opened (WAL, foreign keys, secure delete)
//! and how its schema is brought up to date. The database is the source of
//! truth; everything else in the data folder can be rebuilt from it.

pub mod entities;

use std::path::Path;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteAutoVacuum, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Readers run concurrently in WAL mode; SQLite serialises the writers.
const MAX_CONNECTIONS: u32 = 4;

/// Connections for background work (imports, indexing, retention), apart
/// from the requests' (see `AppState::with_db`).
const BACKGROUND_CONNECTIONS: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open the database {path}: {source}")]
    Open { path: String, source: DbErr },
    #[error(
        "the database was written by a newer version of Hearth (it has migrations this version does not know: {}); install that version or newer",
        .unknown.join(", ")
    )]
    Newer { unknown: Vec<String> },
    #[error("database migration failed: {0}")]
    Migrate(#[from] DbErr),
    #[error(
        "database migration failed: {error}; the database was put back as it was before the upgrade (from {}), so the previous version of Hearth still runs on it",
        .snapshot.display()
    )]
    MigrationUndone {
        error: DbErr,
        snapshot: std::path::PathBuf,
    },
    #[error("database migration failed: {error}; putting back the snapshot {} also failed ({restore}): copy it over hearth.db by hand before starting Hearth", .snapshot.display())]
    SnapshotNotRestored {
        error: DbErr,
        snapshot: std::path::PathBuf,
        restore: String,
    },
    #[error("cannot snapshot the database before migrating it (nothing was changed): {0}")]
    Snapshot(String),
}

/// Opens (creating if missing) the database file with Hearth's pragmas.
pub async fn open(path: &Path) -> Result<DatabaseConnection, DbError> {
    connect(path, MAX_CONNECTIONS, true).await
}

/// The background work's pool (the database is open and migrated already).
pub async fn open_background(path: &Path) -> Result<DatabaseConnection, DbError> {
    connect(path, BACKGROUND_CONNECTIONS, false).await
}

/// Opens an existing database file on one connection, so that every
/// statement sees what the ones before did to the connection (`ATTACH`).
pub async fn open_one(path: &Path) -> Result<DatabaseConnection, DbError> {
    connect(path, 1, false).await
}

async fn connect(
    path: &Path,
    connections: u32,
    create: bool,
) -> Result<DatabaseConnection, DbError> {
    let file = path.to_path_buf();
    let mut options = ConnectOptions::new("sqlite://hearth.db");
    options
        .max_connections(connections)
        .min_connections(1)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts| {
            opts.filename(&file)
                .create_if_missing(create)
                // Only takes effect on a new file, before the first table.
                .auto_vacuum(SqliteAutoVacuum::Incremental)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                // Deleted rows are overwritten with zeros, not left in free pages.
                .pragma("secure_delete", "ON")
        });
    Database::connect(options)
        .await
        .map_err(|source| DbError::Open {
            path: path.display().to_string(),
            source,
        })
}

/// What `migrate` did.
#[derive(Debug)]
pub struct MigrationReport {
    /// Names of the migrations applied now, in order.
    pub applied: Vec<String>,
    /// How many migrations this version of Hearth knows.
    pub known: usize,
}

/// Refuses a database from a newer Hearth, then applies pending migrations.
/// (A database with data is migrated by `open_migrated`, which snapshots
/// it first.)
pub async fn migrate(db: &DatabaseConnection) -> Result<MigrationReport, DbError> {
    let pending = pending(db).await?;
    Migrator::up(db, None).await?;
    Ok(pending)
}

/// The names of the migrations this Hearth knows, in order.
#[must_use]
pub fn known_migrations() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|migration| migration.name().to_owned())
        .collect()
}

/// The migrations `migrate` would apply; refuses a database from a newer
/// Hearth.
async fn pending(db: &DatabaseConnection) -> Result<MigrationReport, DbError> {
    let known = known_migrations();
    let unknown: Vec<String> = Migrator::get_migration_models(db)
        .await?
        .into_iter()
        .map(|model| model.version)
        .filter(|version| !known.contains(version))
        .collect();
    if !unknown.is_empty() {
        return Err(DbError::Newer { unknown });
    }
    let applied: Vec<String> = Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .map(|migration| migration.name().to_owned())
        .collect();
    Ok(MigrationReport {
        applied,
        known: known.len(),
    })
}

/// Opens the data folder's database and brings it up to date. Before an
/// upgrade changes a database that has data, it is copied into `backups/`
/// (`before-migration-….db`); if a migration fails, that copy is put back,
/// so the previous Hearth still runs on it.
pub async fn open_migrated(
    data_dir: &crate::data_dir::DataDir,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(DatabaseConnection, MigrationReport), DbError> {
    let path = data_dir.database();
    let db = open(&path).await?;
    let report = pending(&db).await?;
    let upgrade = !report.applied.is_empty() && report.applied.len() < report.known;
    if !upgrade {
        Migrator::up(&db, None).await?;
        return Ok((db, report));
    }
    let snapshot = crate::backup::before_migration(&db, data_dir, now)
        .await
        .map_err(|err| DbError::Snapshot(err.to_string()))?;
    tracing::info!(snapshot = %snapshot.display(), pending = ?report.applied, "database snapshot taken before migrating");
    let Err(error) = Migrator::up(&db, None).await else {
        return Ok((db, report));
    };
    let _ = db.close().await;
    match crate::backup::put_back(&snapshot, &path) {
        Ok(()) => Err(DbError::MigrationUndone { error, snapshot }),
        Err(restore) => Err(DbError::SnapshotNotRestored {
            error,
            snapshot,
            restore: restore.to_string(),
        }),
    }
}

/// Starts a transaction that writes: `BEGIN IMMEDIATE` takes the write
/// lock first (waiting for it under the busy timeout), so the transaction
/// cannot fail midway with "database is locked" when another connection
/// wrote since it began reading.
pub async fn write(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait as _};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
