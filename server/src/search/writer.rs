//! The writer task: the only owner of the `IndexWriter`. It applies the
//! change log (`search_changes`, written by triggers) in order, commits
//! with the last sequence number as payload, reloads the shared reader,
//! and prunes the applied log. It also runs rebuilds (a new generation,
//! then the swap), asked for by the owner or `hearth reindex`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tantivy::{IndexWriter, Term};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::schema::{self, Indexed};
use super::{Generation, Runtime, blocking};
use crate::error::AppError;
use crate::state::AppState;

/// Changes applied per commit.
const BATCH: u64 = 2_000;
/// The writer looks at the log at least this often.
const TICK: Duration = Duration::from_secs(1);
/// A change-log row with this asset id asks for a rebuild (`hearth
/// reindex` while the server runs).
pub const REBUILD: i64 = 0;

pub struct Writer {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Writer {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

#[must_use]
pub fn spawn(state: &AppState, runtime: Arc<Runtime>) -> Writer {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(state.db().clone(), runtime, stopped));
    Writer { stop, task }
}

async fn run(db: DatabaseConnection, runtime: Arc<Runtime>, mut stopped: watch::Receiver<bool>) {
    let mut open: Option<(IndexWriter, i64)> = None;
    let mut failures: u32 = 0;
    loop {
        if *stopped.borrow() {
            break;
        }
        let mut pause = TICK;
        match step(&db, &runtime, &mut open).await {
            Ok(true) => {
                failures = 0;
                continue;
            }
            Ok(false) => failures = 0,
            Err(err) => {
                failures = failures.saturating_add(1);
                // A lasting failure (a full disk) is retried ever more slowly.
                pause = TICK * 2_u32.saturating_pow(failures.min(6));
                if failures <= 3 || failures.is_power_of_two() {
                    tracing::warn!(error = %err.detail(), failures, "updating the search index");
                }
                open = None;
            }
        }
        tokio::select! {
            () = runtime.wake.notified(), if failures == 0 => {}
            () = tokio::time::sleep(pause) => {}
            _ = stopped.changed() => break,
        }
    }
    if let Some((writer, _)) = open {
        let _ = tokio::task::spawn_blocking(move || writer.wait_merging_threads()).await;
    }
}

/// One round: opens the writer if needed, rebuilds when asked (or when the
/// index has no record of what it holds), else applies a batch of the log.
/// Returns whether more is waiting.
async fn step(
    db: &DatabaseConnection,
    runtime: &Runtime,
    open: &mut Option<(IndexWriter, i64)>,
) -> Result<bool, AppError> {
    let logged = rebuild_logged(db).await?;
    let asked = runtime.rebuild.swap(false, Ordering::SeqCst) || logged.is_some();
    let needed = open.is_none() && runtime.current().applied().is_none();
    if asked || needed {
        *open = None;
        match rebuild_live(db, runtime).await {
            Ok(rebuilt) => *open = Some(rebuilt),
            Err(err) => {
                // Asked for: asked again, after the back-off.
                runtime.rebuild.store(asked, Ordering::SeqCst);
                return Err(err);
            }
        }
        if let Some(seen) = logged {
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "DELETE FROM search_changes WHERE asset_id = ? AND seq <= ?",
                [REBUILD.into(), seen.into()],
            ))
            .await?;
        }
        let _ = runtime.applied.send(super::Applied::All);
        return Ok(true);
    }
    if open.is_none() {
        let generation = runtime.current();
        let applied = generation.applied().unwrap_or_default();
        *open = Some((generation.writer()?, applied));
    }
    let Some((writer, applied)) = open.take() else {
        return Ok(false);
    };
    let rows = changes(db, applied).await?;
    let Some(&(last, _)) = rows.last() else {
        if runtime.compact.swap(false, Ordering::SeqCst) {
            let generation = runtime.current();
            match blocking(move || compact(&generation, writer)).await {
                Ok(writer) => *open = Some((writer, applied)),
                Err(err) => {
                    runtime.compact.store(true, Ordering::SeqCst);
                    return Err(err);
                }
            }
            runtime.compacted.send_modify(|count| *count += 1);
        } else {
            *open = Some((writer, applied));
        }
        return Ok(false);
    };
    let mut ids: Vec<i64> = rows
        .iter()
        .map(|&(_, id)| id)
        .filter(|&id| id != REBUILD)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let indexed = schema::load(db, &ids).await?;
    let generation = runtime.current();
    let more = u64::try_from(rows.len()).unwrap_or(0) >= BATCH;
    let changed: Arc<[i64]> = ids.into();
    let applied = changed.clone();
    let writer = blocking(move || {
        let writer = apply(&generation, writer, &applied, &indexed, last)?;
        generation
            .reader
            .reload()
            .map_err(|err| super::internal(&err))?;
        Ok(writer)
    })
    .await?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "DELETE FROM search_changes WHERE seq <= ?",
        [last.into()],
    ))
    .await?;
    *open = Some((writer, last));
    // Nobody listening (a one-off command) is fine.
    let _ = runtime.applied.send(super::Applied::Assets(changed));
    Ok(more)
}

/// Replaces the documents of `ids` (deleted ones, and those no longer
/// active, just go) and commits with `seq` as the payload.
fn apply(
    generation: &Generation,
    mut writer: IndexWriter,
    ids: &[i64],
    indexed: &[Indexed],
    seq: i64,
) -> Result<IndexWriter, AppError> {
    let fields = &generation.fields;
    for &id in ids {
        writer.delete_term(Term::from_field_u64(
            fields.id,
            u64::try_from(id).unwrap_or_default(),
        ));
    }
    for one in indexed {
        writer
            .add_document(schema::document(fields, one))
            .map_err(|err| super::internal(&err))?;
    }
    commit(&mut writer, seq)?;
    Ok(writer)
}

/// Rewrites every segment into one without deleted documents, then
/// removes the files no longer used: a deleted document's words leave the
/// disk, not only the results.
fn compact(generation: &Generation, writer: IndexWriter) -> Result<IndexWriter, AppError> {
    // Background merges finish first (an explicit merge of a segment being
    // merged would fail).
    writer
        .wait_merging_threads()
        .map_err(|err| super::internal(&err))?;
    let mut writer = generation.writer()?;
    let segments = generation
        .index
        .searchable_segment_ids()
        .map_err(|err| super::internal(&err))?;
    if !segments.is_empty() {
        writer
            .merge(&segments)
            .wait()
            .map_err(|err| super::internal(&err))?;
    }
    generation
        .reader
        .reload()
        .map_err(|err| super::internal(&err))?;
    writer
        .garbage_collect_files()
        .wait()
        .map_err(|err| super::internal(&err))?;
    Ok(writer)
}

fn commit(writer: &mut IndexWriter, seq: i64) -> Result<(), AppError> {
    let mut prepared = writer
        .prepare_commit()
        .map_err(|err| super::internal(&err))?;
    prepared.set_payload(&format!("seq={seq}"));
    prepared.commit().map_err(|err| super::internal(&err))?;
    Ok(())
}

/// Log rows after `applied`, oldest first, at most a batch.
async fn changes(db: &DatabaseConnection, applied: i64) -> Result<Vec<(i64, i64)>, AppError> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT seq, asset_id FROM search_changes WHERE seq > ? ORDER BY seq LIMIT ?",
            [applied.into(), BATCH.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("", "seq")?, row.try_get("", "asset_id")?)))
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(AppError::from)
}

/// The newest logged rebuild request, if any (`hearth reindex` while the
/// server runs); removed once the rebuild succeeded.
async fn rebuild_logged(db: &DatabaseConnection) -> Result<Option<i64>, AppError> {
    let found = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT MAX(seq) AS seq FROM search_changes WHERE asset_id = ?",
            [REBUILD.into()],
        ))
        .await?;
    Ok(match found {
        Some(row) => row.try_get::<Option<i64>>("", "seq")?,
        None => None,
    })
}

/// Rebuilds while the server runs: searches keep reading the current
/// generation until the new one is complete.
async fn rebuild_live(
    db: &DatabaseConnection,
    runtime: &Runtime,
) -> Result<(IndexWriter, i64), AppError> {
    let current = runtime.current().name.clone();
    let (generation, seq) = rebuild(db, runtime.dir(), &current, |_, _| {}).await?;
    let name = generation.name.clone();
    let writer = generation.writer()?;
    // The pointer first: if it cannot be written, the old generation stays
    // in use and nothing is applied to the new one.
    super::switch(runtime.dir(), &name)?;
    runtime.replace(generation);
    tracing::info!(generation = %name, "search index rebuilt");
    Ok((writer, seq))
}

/// Builds the generation after `current` from the database: every active
/// asset, with the payload of the log's newest sequence number read before
/// the first asset (later changes are applied on top by the writer).
/// `progress(done, total)` is told as it goes. The caller swaps it in.
pub async fn rebuild(
    db: &DatabaseConnection,
    dir: &std::path::Path,
    current: &str,
    mut progress: impl FnMut(u64, u64),
) -> Result<(Generation, i64), AppError> {
    let seq = scalar(db, "SELECT COALESCE(MAX(seq), 0) AS n FROM search_changes").await?;
    let total = scalar(
        db,
        "SELECT COUNT(*) AS n FROM assets WHERE status = 'active'",
    )
    .await?;
    let name = super::next_name(current);
    let _ = std::fs::remove_dir_all(dir.join(&name));
    let generation = Arc::new(Generation::open(dir, &name)?);
    let mut writer = generation.writer()?;
    let mut after = 0_i64;
    let mut done = 0_u64;
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT id FROM assets WHERE status = 'active' AND id > ? ORDER BY id LIMIT ?",
                [after.into(), BATCH.into()],
            ))
            .await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|row| row.try_get("", "id"))
            .collect::<Result<_, _>>()?;
        let Some(&last) = ids.last() else { break };
        after = last;
        let indexed = schema::load(db, &ids).await?;
        let batch = generation.clone();
        writer = blocking(move || {
            for one in &indexed {
                writer
                    .add_document(schema::document(&batch.fields, one))
                    .map_err(|err| super::internal(&err))?;
            }
            Ok(writer)
        })
        .await?;
        done += u64::try_from(ids.len()).unwrap_or(0);
        progress(done, u64::try_from(total).unwrap_or(0));
    }
    let finished = generation.clone();
    blocking(move || {
        commit(&mut writer, seq)?;
        writer
            .wait_merging_threads()
            .map_err(|err| super::internal(&err))?;
        finished
            .reader
            .reload()
            .map_err(|err| super::internal(&err))
    })
    .await?;
    let generation = Arc::try_unwrap(generation)
        .map_err(|_| super::internal(&"the new index is still in use"))?;
    Ok((generation, seq))
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> Result<i64, AppError> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await?
        .ok_or_else(|| super::internal(&"no row"))?;
    Ok(row.try_get("", "n")?)
}
