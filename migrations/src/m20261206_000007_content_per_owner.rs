//! Content identity is per owner: an asset is one distinct content *of one
//! member*, so the same bytes owned by two members are two assets. The
//! `assets.hash` column loses its own UNIQUE (SQLite cannot drop an inline
//! constraint: the table is rebuilt, with foreign keys off on one
//! connection, as SQLite's ALTER TABLE documentation describes) for a
//! unique index on (owner, hash). An asset that files in another member's
//! import folder also pointed at splits: that member gets an asset of
//! their own (their folder's visibility, none of the first owner's
//! caption, favourite, trash or albums) holding those files, with its
//! thumbnails queued.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::sqlx::{self, AssertSqlSafe, Row as _, SqliteConnection};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261206_000007_content_per_owner"
    }
}

/// The column definition the first schema gave `hash`, and what it becomes.
const UNIQUE_HASH: &str = "\"hash\" text NOT NULL UNIQUE";
const PLAIN_HASH: &str = "\"hash\" text NOT NULL";

fn failed(err: impl std::fmt::Display) -> DbErr {
    DbErr::Migration(format!("content per owner: {err}"))
}

/// The statements here are this migration's own text, or the schema's own
/// SQL read back from `sqlite_master`: nothing from outside.
fn own(sql: &str) -> AssertSqlSafe<String> {
    AssertSqlSafe(sql.to_owned())
}

async fn run(conn: &mut SqliteConnection, sql: &str) -> Result<(), DbErr> {
    sqlx::query(own(sql)).execute(conn).await.map_err(failed)?;
    Ok(())
}

async fn texts(conn: &mut SqliteConnection, sql: &str) -> Result<Vec<String>, DbErr> {
    sqlx::query(own(sql))
        .fetch_all(conn)
        .await
        .map_err(failed)?
        .iter()
        .map(|row| row.try_get::<String, _>(0).map_err(failed))
        .collect()
}

/// Rebuilds `assets` without the UNIQUE on `hash`, keeping its rows, ids,
/// indexes and triggers (and so every table that refers to it).
async fn rebuild(conn: &mut SqliteConnection) -> Result<(), DbErr> {
    let table = texts(
        conn,
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'assets'",
    )
    .await?;
    let Some(table) = table.first() else {
        return Err(failed("there is no assets table"));
    };
    if table.matches(UNIQUE_HASH).count() != 1 {
        return Err(failed(
            "the assets table is not the one this migration knows",
        ));
    }
    let others = texts(
        conn,
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'assets' AND type IN ('index', 'trigger') AND sql IS NOT NULL",
    )
    .await?;
    let new_table = table.replacen(UNIQUE_HASH, PLAIN_HASH, 1).replacen(
        "CREATE TABLE \"assets\"",
        "CREATE TABLE \"assets_new\"",
        1,
    );
    run(conn, &new_table).await?;
    run(conn, "INSERT INTO assets_new SELECT * FROM assets").await?;
    run(conn, "DROP TABLE assets").await?;
    run(conn, "ALTER TABLE assets_new RENAME TO assets").await?;
    for sql in &others {
        run(conn, sql).await?;
    }
    run(
        conn,
        "CREATE UNIQUE INDEX ix_assets_owner_hash ON assets (owner_id, hash)",
    )
    .await
}

/// Gives every member whose import folder holds the content of another
/// member's asset an asset of their own for those files.
async fn split(conn: &mut SqliteConnection) -> Result<(), DbErr> {
    // One new asset per (asset, other owner); with folders of both
    // visibilities, the more private one.
    let pairs = sqlx::query(
        "SELECT f.asset_id, r.owner_id, \
         CASE WHEN SUM(r.visibility = 'private') > 0 THEN 'private' ELSE 'family' END \
         FROM asset_files f \
         JOIN import_roots r ON r.id = f.root_id JOIN assets a ON a.id = f.asset_id \
         WHERE r.owner_id <> a.owner_id GROUP BY f.asset_id, r.owner_id \
         ORDER BY f.asset_id, r.owner_id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(failed)?;
    if pairs.is_empty() {
        return Ok(());
    }
    // Every column copied as it is but those that are the first owner's.
    let columns = texts(
        conn,
        "SELECT name FROM pragma_table_info('assets') WHERE name <> 'id'",
    )
    .await?;
    let names = columns.join(", ");
    let values = columns
        .iter()
        .map(|column| match column.as_str() {
            "owner_id" => "?1",
            "visibility" => "?2",
            "favourite" => "0",
            "caption" | "guest_name" | "derived_at" | "trashed_at" => "NULL",
            "status" => "'active'",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ");
    for pair in pairs {
        let asset: i64 = pair.try_get(0).map_err(failed)?;
        let owner: i64 = pair.try_get(1).map_err(failed)?;
        let visibility: String = pair.try_get(2).map_err(failed)?;
        let inserted = sqlx::query(own(&format!(
            "INSERT INTO assets ({names}) SELECT {values} FROM assets WHERE id = ?3"
        )))
        .bind(owner)
        .bind(&visibility)
        .bind(asset)
        .execute(&mut *conn)
        .await
        .map_err(failed)?
        .last_insert_rowid();
        sqlx::query(
            "UPDATE asset_files SET asset_id = ?1 WHERE asset_id = ?2 \
             AND root_id IN (SELECT id FROM import_roots WHERE owner_id = ?3)",
        )
        .bind(inserted)
        .bind(asset)
        .bind(owner)
        .execute(&mut *conn)
        .await
        .map_err(failed)?;
        settle(conn, inserted).await?;
        settle(conn, asset).await?;
        // Its thumbnails are made by the derive job; the first asset's
        // search document loses the folders that left it.
        sqlx::query(
            "INSERT INTO jobs (kind, key, payload, status, attempts, run_after, created_at, updated_at) \
             SELECT 'derive', 'derive:' || ?1, json_object('asset_id', ?1), 'queued', 0, created_at, created_at, created_at \
             FROM assets WHERE id = ?1",
        )
        .bind(inserted)
        .execute(&mut *conn)
        .await
        .map_err(failed)?;
        sqlx::query("INSERT INTO search_changes (asset_id) VALUES (?1)")
            .bind(asset)
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
    }
    Ok(())
}

/// Makes an asset agree with the files it kept: a Live Photo left with
/// only its still is a photo, with only its video a video; one with no
/// file present is offline.
async fn settle(conn: &mut SqliteConnection, id: i64) -> Result<(), DbErr> {
    for sql in [
        "UPDATE assets SET kind = 'photo', motion_hash = NULL WHERE id = ?1 AND kind = 'live' \
         AND NOT EXISTS (SELECT 1 FROM asset_files WHERE asset_id = ?1 AND role = 'motion')",
        // (Left as it is if its owner has that video as an asset already.)
        "UPDATE OR IGNORE assets SET kind = 'video', hash = motion_hash, motion_hash = NULL, \
         mime = 'video/quicktime' WHERE id = ?1 AND kind = 'live' \
         AND NOT EXISTS (SELECT 1 FROM asset_files WHERE asset_id = ?1 AND role = 'original')",
        "UPDATE asset_files SET role = 'original' WHERE asset_id = ?1 AND role = 'motion' \
         AND (SELECT kind FROM assets WHERE id = ?1) = 'video'",
        "UPDATE assets SET status = 'offline' WHERE id = ?1 AND status = 'active' \
         AND NOT EXISTS (SELECT 1 FROM asset_files WHERE asset_id = ?1 AND present)",
    ] {
        sqlx::query(sql)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let SchemaManagerConnection::Connection(db) = manager.get_connection() else {
            return Err(failed("needs its own connection, not a transaction"));
        };
        // Foreign keys are a setting of one connection, and cannot change
        // inside a transaction: everything below runs on this one.
        let mut conn = db
            .get_sqlite_connection_pool()
            .acquire()
            .await
            .map_err(failed)?;
        // Already done (its record lost after it committed): nothing to do.
        let done_before = texts(
            &mut conn,
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'ix_assets_owner_hash'",
        )
        .await?;
        if !done_before.is_empty() {
            return Ok(());
        }
        run(&mut conn, "PRAGMA foreign_keys = OFF").await?;
        let began = run(&mut conn, "BEGIN IMMEDIATE").await;
        if let Err(err) = began {
            run(&mut conn, "PRAGMA foreign_keys = ON").await?;
            return Err(err);
        }
        let done = async {
            rebuild(&mut conn).await?;
            split(&mut conn).await?;
            let broken = texts(&mut conn, "SELECT \"table\" FROM pragma_foreign_key_check").await?;
            if broken.is_empty() {
                Ok(())
            } else {
                Err(failed(format!(
                    "rows refer to missing ones in {}",
                    broken.join(", ")
                )))
            }
        }
        .await;
        let committed = match done {
            Ok(()) => run(&mut conn, "COMMIT").await,
            Err(err) => Err(err),
        };
        if committed.is_err() {
            // Nothing half done stays: the transaction ends either way.
            let _ = run(&mut conn, "ROLLBACK").await;
        }
        // Foreign keys are back on before the connection returns to the pool.
        run(&mut conn, "PRAGMA foreign_keys = ON").await?;
        committed
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Two members' assets of the same content cannot become one again
        // without losing one member's captions, albums and comments.
        Err(DbErr::Migration(
            "content per owner cannot be undone; restore the snapshot taken before it".into(),
        ))
    }
}
