//! The library, second step: the timeline's month buckets, Live Photo
//! pairing, file roles (a Live Photo's motion video) and where an import
//! root came from (`hearth.toml` or the API).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261122_000003_library_roots"
    }
}

fn add(table: &str, column: ColumnDef) -> TableAlterStatement {
    Table::alter()
        .table(Alias::new(table))
        .add_column(column)
        .take()
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // yyyymm of the capture's local date: the timeline's bucket.
        manager
            .alter_table(add(
                "assets",
                col("month").integer().not_null().default(0).take(),
            ))
            .await?;
        // Apple's content identifier, shared by a Live Photo's still and video.
        manager
            .alter_table(add("assets", col("content_id").text().null().take()))
            .await?;
        // BLAKE3 of a Live Photo's motion video.
        manager
            .alter_table(add("assets", col("motion_hash").text().null().take()))
            .await?;
        // original | motion
        manager
            .alter_table(add(
                "asset_files",
                col("role").text().not_null().default("original").take(),
            ))
            .await?;
        // config | api
        manager
            .alter_table(add(
                "import_roots",
                col("source").text().not_null().default("api").take(),
            ))
            .await?;
        manager
            .alter_table(add(
                "import_roots",
                col("offline_reason").text().null().take(),
            ))
            .await?;
        // A job with a key is queued at most once (e.g. one ingest per file).
        manager
            .alter_table(add("jobs", col("key").text().null().take()))
            .await?;
        // (NULL keys never collide in a SQLite unique index.)
        manager
            .create_index(
                Index::create()
                    .name("ix_jobs_key")
                    .table(Alias::new("jobs"))
                    .col(Alias::new("key"))
                    .unique()
                    .take(),
            )
            .await?;
        for (name, columns) in [
            ("ix_assets_month", &["status", "month", "sort_at"][..]),
            // Covers the timeline's month counts (no row lookups).
            (
                "ix_assets_month_access",
                &["status", "month", "visibility", "owner_id"][..],
            ),
            ("ix_assets_content_id", &["content_id"][..]),
            ("ix_assets_motion_hash", &["motion_hash"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Alias::new("assets"));
            for column in columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index.take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_jobs_key")
                    .table(Alias::new("jobs"))
                    .to_owned(),
            )
            .await?;
        for name in [
            "ix_assets_month",
            "ix_assets_month_access",
            "ix_assets_content_id",
            "ix_assets_motion_hash",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Alias::new("assets"))
                        .to_owned(),
                )
                .await?;
        }
        for (table, column) in [
            ("assets", "month"),
            ("assets", "content_id"),
            ("assets", "motion_hash"),
            ("asset_files", "role"),
            ("import_roots", "source"),
            ("import_roots", "offline_reason"),
            ("jobs", "key"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
