//! `hearth backup --to DIR` and `hearth restore --from DIR`. A backup
//! folder holds `hearth.db` (a consistent copy), `hearth.toml` (the config
//! file in use, if any), `originals/` (uploaded originals, with
//! `--originals`) and `manifest.json`, written last: a folder without it
//! is an interrupted backup and is refused by restore.

use std::path::Path;

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};

use super::copy_database;
use crate::data_dir::DataDir;
use crate::db::entities::{album, asset, asset_file, comment, user};
use crate::error::AppError;

/// What `manifest.json` says a backup is.
const FORMAT: &str = "hearth-backup";
const DATABASE: &str = "hearth.db";
const CONFIG: &str = "hearth.toml";
const ORIGINALS: &str = "originals";
const MANIFEST: &str = "manifest.json";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    hearth_version: String,
    created_at: DateTime<Utc>,
    /// The migrations the database had (a newer Hearth's are refused).
    migrations: Vec<String>,
    /// Uploaded originals copied (`--originals`), else none.
    originals: Option<Copied>,
    config_file: bool,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Copied {
    files: u64,
    bytes: u64,
}

/// What a backup or restore tells the person.
#[derive(Debug)]
pub struct Report {
    pub lines: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.lines.join("\n"))
    }
}

fn refuse(why: String) -> AppError {
    AppError::InvalidRequest(why)
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> AppError + '_ {
    move |err| super::io(path, &err)
}

/// Backs up the database (online: the server may be running), the config
/// file and, with `originals`, the uploaded originals into `to`, a new or
/// empty folder.
pub async fn create(
    db: &DatabaseConnection,
    data_dir: &DataDir,
    config_file: Option<&Path>,
    to: &Path,
    originals: bool,
    now: DateTime<Utc>,
) -> Result<Report, AppError> {
    let occupied = std::fs::read_dir(to).is_ok_and(|mut entries| entries.next().is_some());
    if occupied {
        return Err(refuse(format!(
            "{} is not empty; back up into a new or empty folder",
            to.display()
        )));
    }
    std::fs::create_dir_all(to).map_err(io(to))?;
    let started = std::time::Instant::now();
    copy_database(db, &to.join(DATABASE)).await?;
    if let Some(file) = config_file {
        std::fs::copy(file, to.join(CONFIG)).map_err(io(file))?;
    }
    let copied = if originals {
        let from = data_dir.originals();
        let dest = to.join(ORIGINALS);
        Some(
            crate::search::blocking(move || copy_tree(&from, &dest))
                .await
                .map_err(|err| AppError::Internal(anyhow::anyhow!("copying originals: {err}")))?,
        )
    } else {
        None
    };
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        hearth_version: crate::VERSION.to_owned(),
        created_at: now,
        migrations: migrations(db).await?,
        originals: copied,
        config_file: config_file.is_some(),
    };
    let text =
        serde_json::to_string_pretty(&manifest).map_err(|err| AppError::Internal(err.into()))?;
    std::fs::write(to.join(MANIFEST), text).map_err(io(to))?;
    let bytes = std::fs::metadata(to.join(DATABASE)).map_or(0, |meta| meta.len());
    let mut lines = vec![format!(
        "Backed up to {} in {:.1} s: the database ({}){}.",
        to.display(),
        started.elapsed().as_secs_f64(),
        size(bytes),
        if config_file.is_some() {
            " and the config file"
        } else {
            ""
        },
    )];
    lines.push(match copied {
        Some(copied) => format!(
            "Uploaded originals: {} files, {}.",
            copied.files,
            size(copied.bytes)
        ),
        None => "Uploaded originals were not copied (add --originals to include them); photos in import folders are never part of Hearth's backups.".to_owned(),
    });
    lines.push(counts(db).await?);
    Ok(Report { lines })
}

/// Restores the backup in `from` into the empty data folder `data_root`.
/// Thumbnails are queued to be made again and the search index is rebuilt
/// when Hearth starts.
pub async fn restore(
    from: &Path,
    data_root: &Path,
    now: DateTime<Utc>,
) -> Result<Report, AppError> {
    let text = std::fs::read_to_string(from.join(MANIFEST)).map_err(|_| {
        refuse(format!(
            "{} is not a complete Hearth backup (it has no {MANIFEST})",
            from.display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .ok()
        .filter(|manifest: &Manifest| manifest.format == FORMAT)
        .ok_or_else(|| {
            refuse(format!(
                "{} is not a Hearth backup manifest",
                from.join(MANIFEST).display()
            ))
        })?;
    let known = crate::db::known_migrations();
    let unknown: Vec<&String> = manifest
        .migrations
        .iter()
        .filter(|name| !known.contains(name))
        .collect();
    if !unknown.is_empty() {
        return Err(refuse(format!(
            "this backup was made by Hearth {}, which is newer than this one ({}); restore it with that version or newer",
            manifest.hearth_version,
            crate::VERSION
        )));
    }
    if has_files(data_root) {
        return Err(refuse(format!(
            "the data folder {} is not empty; restore into a new folder (or move this one aside first)",
            data_root.display()
        )));
    }
    let started = std::time::Instant::now();
    let data_dir =
        DataDir::prepare(data_root).map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?;
    let restored = fill(from, &manifest, &data_dir, now).await;
    if restored.is_err() {
        // Empty again, so that another backup can be tried.
        for entry in std::fs::read_dir(data_dir.root())
            .into_iter()
            .flatten()
            .flatten()
        {
            let _ = std::fs::remove_dir_all(entry.path())
                .or_else(|_| std::fs::remove_file(entry.path()));
        }
    }
    let (copied, queued, missing) = restored?;
    let mut lines = vec![format!(
        "Restored the backup of {} (Hearth {}) into {} in {:.1} s.",
        manifest.created_at.format("%Y-%m-%d %H:%M UTC"),
        manifest.hearth_version,
        data_dir.root().display(),
        started.elapsed().as_secs_f64()
    )];
    if manifest.originals.is_some() {
        lines.push(format!(
            "Uploaded originals: {} files, {}.",
            copied.files,
            size(copied.bytes)
        ));
    }
    if missing > 0 {
        lines.push(format!(
            "{missing} uploaded originals are not in this backup (it was made without --originals): copy them into {} from elsewhere, then run `hearth check`.",
            data_dir.originals().display()
        ));
    }
    if manifest.config_file {
        lines.push(format!(
            "The config file of the backup is {}; put it where Hearth reads its configuration if this is a new machine.",
            from.join(CONFIG).display()
        ));
    }
    lines.push(format!(
        "When Hearth starts it makes {queued} thumbnails again and rebuilds the search index."
    ));
    Ok(Report { lines })
}

/// Puts the backup's database and originals into the new data folder,
/// brings the database up to date and checks it; returns what was copied,
/// how many thumbnails were queued and how many uploads are missing.
async fn fill(
    from: &Path,
    manifest: &Manifest,
    data_dir: &DataDir,
    now: DateTime<Utc>,
) -> Result<(Copied, u64, u64), AppError> {
    super::put_back(&from.join(DATABASE), &data_dir.database())
        .map_err(io(&data_dir.database()))?;
    let copied = match manifest.originals {
        Some(_) => {
            let source = from.join(ORIGINALS);
            let dest = data_dir.originals();
            crate::search::blocking(move || copy_tree(&source, &dest))
                .await
                .map_err(|err| AppError::Internal(anyhow::anyhow!("copying originals: {err}")))?
        }
        None => Copied::default(),
    };
    let (db, _) = crate::db::open_migrated(data_dir, now)
        .await
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?;
    let outcome = finish(&db, data_dir, now).await;
    let _ = db.close().await;
    let (queued, missing) = outcome?;
    Ok((copied, queued, missing))
}

/// Checks the restored database and queues its thumbnails; returns how
/// many were queued and how many uploaded originals are missing.
async fn finish(
    db: &DatabaseConnection,
    data_dir: &DataDir,
    now: DateTime<Utc>,
) -> Result<(u64, u64), AppError> {
    let verdict = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await?
        .and_then(|row| row.try_get_by_index::<String>(0).ok())
        .unwrap_or_default();
    if verdict != "ok" {
        return Err(refuse(format!(
            "the backup's database is damaged ({verdict}); try an older backup"
        )));
    }
    let ids: Vec<i64> = asset::Entity::find()
        .select_only()
        .column(asset::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let tx = crate::db::write(db).await?;
    for &id in &ids {
        crate::library::workers::queue_derive_in(&tx, id, now).await?;
    }
    tx.commit().await?;
    let mut missing = 0;
    for file in asset_file::Entity::find()
        .filter(sea_orm::ColumnTrait::is_null(&asset_file::Column::RootId))
        .all(db)
        .await?
    {
        if !data_dir.originals().join(&file.path).is_file() {
            missing += 1;
        }
    }
    Ok((ids.len() as u64, missing))
}

/// The applied migrations' names.
async fn migrations(db: &DatabaseConnection) -> Result<Vec<String>, AppError> {
    Ok(db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await?
        .into_iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .collect())
}

/// One line of what the database holds.
async fn counts(db: &DatabaseConnection) -> Result<String, AppError> {
    Ok(format!(
        "It holds {} members, {} photos and videos, {} albums and {} comments.",
        user::Entity::find().count(db).await?,
        asset::Entity::find().count(db).await?,
        album::Entity::find().count(db).await?,
        comment::Entity::find().count(db).await?,
    ))
}

fn has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}

/// Copies the files under `from` into `to` (created), keeping the folder
/// structure. A file that disappears meanwhile (a purge) is skipped.
fn copy_tree(from: &Path, to: &Path) -> Result<Copied, AppError> {
    let mut copied = Copied::default();
    let mut stack = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((source, dest)) = stack.pop() {
        std::fs::create_dir_all(&dest).map_err(io(&dest))?;
        let entries = match std::fs::read_dir(&source) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(super::io(&source, &err)),
        };
        for entry in entries {
            let entry = entry.map_err(io(&source))?;
            let kind = entry.file_type().map_err(io(&source))?;
            let target = dest.join(entry.file_name());
            if kind.is_dir() {
                stack.push((entry.path(), target));
            } else if kind.is_file() {
                match std::fs::copy(entry.path(), &target) {
                    Ok(bytes) => {
                        copied.files += 1;
                        copied.bytes += bytes;
                        // The copy keeps the original's modification time.
                        if let Ok(modified) = entry.metadata().and_then(|meta| meta.modified()) {
                            let _ = std::fs::File::options()
                                .write(true)
                                .open(&target)
                                .and_then(|file| file.set_modified(modified));
                        }
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => return Err(super::io(&entry.path(), &err)),
                }
            }
        }
    }
    Ok(copied)
}

/// A size for people: "3.2 MB".
fn size(bytes: u64) -> String {
    match bytes {
        0..1_000_000 => format!("{} kB", bytes.div_ceil(1_000)),
        1_000_000..1_000_000_000 => {
            format!("{}.{} MB", bytes / 1_000_000, bytes % 1_000_000 / 100_000)
        }
        _ => format!(
            "{}.{:02} GB",
            bytes / 1_000_000_000,
            bytes % 1_000_000_000 / 10_000_000
        ),
    }
}
