//! `hearth reindex`: rebuilds the search index from the database, with a
//! progress bar, into a new generation that replaces the old one at the
//! end (atomically). While the server runs (it holds the index), the
//! rebuild is handed to it instead.

use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::writer::{self, REBUILD};
use super::{Generation, current_name, switch};
use crate::data_dir::DataDir;
use crate::error::AppError;

/// Runs the rebuild; returns what to tell the person.
pub async fn reindex(db: &DatabaseConnection, data_dir: &DataDir) -> Result<String, AppError> {
    let dir = data_dir.index();
    let current = current_name(&dir);
    // The running server holds the current generation's writer lock.
    let busy = Generation::open(&dir, &current)
        .and_then(|generation| generation.writer().map(drop))
        .is_err();
    if busy {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO search_changes (asset_id) VALUES (?)",
            [REBUILD.into()],
        ))
        .await?;
        return Ok(
            "Hearth is running: it rebuilds the search index now, in the background (its log says when it is done). Search keeps working meanwhile."
                .to_owned(),
        );
    }
    let progress = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} photos and videos, {per_sec}, {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (generation, _) = writer::rebuild(db, &dir, &current, |done, total| {
        progress.set_length(total);
        progress.set_position(done);
    })
    .await?;
    progress.finish_and_clear();
    let count = generation.reader.searcher().num_docs();
    let name = generation.name.clone();
    drop(generation);
    switch(&dir, &name)?;
    Ok(format!(
        "The search index was rebuilt: {count} photos and videos."
    ))
}
