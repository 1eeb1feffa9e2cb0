//! `hearth bench seed`: a stopped server's library grown to many assets,
//! to try the web app on a large library (the browser tests' phone at
//! 100 000 photos) without importing them.

use std::path::Path;
use std::time::Instant;

use sea_orm::ConnectionTrait as _;

use super::{fill_assets, internal};
use crate::data_dir::DataDir;
use crate::error::AppError;

/// `hearth bench seed`: adds `count` synthetic assets to the library in
/// `data` that share the derived files and thumbhash of its newest asset
/// with derived files. The server must be stopped; its search index is
/// removed so that the next start rebuilds it with the new assets.
pub async fn seed_library(data: &Path, count: u32) -> Result<String, AppError> {
    let data = DataDir::open(data).map_err(|e| internal(&e))?;
    let db = crate::db::open(&data.database())
        .await
        .map_err(|e| internal(&e))?;
    let real = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM assets WHERE derived_at IS NOT NULL AND thumbhash IS NOT NULL \
             ORDER BY id DESC LIMIT 1",
        ))
        .await?
        .and_then(|row| row.try_get_by_index::<i64>(0).ok())
        .ok_or_else(|| {
            internal(&"the library has no photo with a thumbnail yet: import one first")
        })?;
    db.close().await?;
    let started = Instant::now();
    seed(&data, count, real).await?;
    Ok(format!(
        "seeded {count} assets (sharing the thumbnails of asset {real}) in {:.1} s; \
         the search index is rebuilt at the next start",
        started.elapsed().as_secs_f64()
    ))
}

/// Fills the stopped server's database with `count` synthetic assets that
/// share the derived files (hard links) and thumbhash of asset `real`,
/// and removes the search index so that the next start rebuilds it.
pub(super) async fn seed(data: &DataDir, count: u32, real: i64) -> Result<(), AppError> {
    let db = crate::db::open(&data.database())
        .await
        .map_err(|e| internal(&e))?;
    // Half the assets belong to a second member (a third of them shared
    // with the family), as in the other benchmarks.
    db.execute_unprepared(
        "INSERT OR IGNORE INTO users (id, username, display_name, role, status, webauthn_id, created_at, updated_at) \
         VALUES (2, 'viewer', 'viewer', 'member', 'active', 'bench-2', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    )
    .await?;
    let first = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COALESCE(MAX(id), 0) + 1 FROM assets",
        ))
        .await?
        .and_then(|row| row.try_get_by_index::<i64>(0).ok())
        .ok_or_else(|| internal(&"no next asset id"))?;
    fill_assets(&db, count).await?;
    db.execute_unprepared(&format!(
        "UPDATE assets SET thumbhash = (SELECT thumbhash FROM assets WHERE id = {real}), \
         derived_at = (SELECT derived_at FROM assets WHERE id = {real}) WHERE id >= {first}"
    ))
    .await?;
    db.execute_unprepared("ANALYZE").await?;
    db.close().await?;
    let source = data.derived(real);
    let mut files: Vec<_> = std::fs::read_dir(&source)
        .map_err(|e| internal(&e))?
        .flatten()
        .map(|e| e.path())
        .collect();
    for (n, id) in (first..first + i64::from(count)).enumerate() {
        // A file takes at most 65 000 links (ext4): a fresh copy per 50 000.
        if n > 0 && n % 50_000 == 0 {
            let copies = data.derived(id).with_extension("source");
            std::fs::create_dir_all(&copies).map_err(|e| internal(&e))?;
            for file in &mut files {
                let copy = copies.join(file.file_name().unwrap_or_default());
                std::fs::copy(&*file, &copy).map_err(|e| internal(&e))?;
                *file = copy;
            }
        }
        let dir = data.derived(id);
        std::fs::create_dir_all(&dir).map_err(|e| internal(&e))?;
        for file in &files {
            if let Some(name) = file.file_name() {
                std::fs::hard_link(file, dir.join(name)).map_err(|e| internal(&e))?;
            }
        }
    }
    let _ = std::fs::remove_dir_all(data.index());
    Ok(())
}
