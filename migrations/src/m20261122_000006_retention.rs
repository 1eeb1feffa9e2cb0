//! Retention: account deletions (pending, cancelled, purged — a purged one
//! is the deletion receipt), tombstones for import-folder files whose photo
//! was purged, members' retention rules, takeout exports, and the record of
//! the retention sweeps.

use sea_orm_migration::prelude::*;

use crate::m20261122_000002_library::{col, foreign, id, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261122_000006_retention"
    }
}

const TABLES: [&str; 6] = [
    "sweep_runs",
    "sweeps",
    "exports",
    "retention_rules",
    "tombstones",
    "account_deletions",
];

fn time(name: &str) -> ColumnDef {
    col(name).timestamp_with_time_zone().not_null().take()
}

fn time_null(name: &str) -> ColumnDef {
    col(name).timestamp_with_time_zone().null().take()
}

fn count(name: &str) -> ColumnDef {
    col(name).big_integer().not_null().default(0).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(
        clippy::too_many_lines,
        reason = "one table after another reads best as one list"
    )]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};

        let mut deletions = Table::create();
        deletions.table(Alias::new("account_deletions"));
        id(&mut deletions)
            // Cleared when the account is purged: the receipt names nobody.
            .col(col("user_id").big_integer().null())
            .col(col("requested_by").big_integer().null())
            .col(col("role").text().not_null())
            // pending | cancelled | purged
            .col(col("status").text().not_null())
            .col(col("cancel_token_hash").text().null().unique_key())
            .col(time("requested_at"))
            .col(time("purge_at"))
            .col(time_null("cancelled_at"))
            .col(time_null("purged_at"))
            // The receipt: what kinds and how many were removed (JSON).
            .col(col("removed").text().null())
            .foreign_key(&mut foreign(
                "account_deletions",
                "user_id",
                "users",
                SetNull,
            ))
            .foreign_key(&mut foreign(
                "account_deletions",
                "requested_by",
                "users",
                SetNull,
            ));
        manager.create_table(deletions).await?;
        manager
            .create_index(index(
                "account_deletions",
                "due",
                &["status", "purge_at"],
                false,
            ))
            .await?;

        let mut tombstones = Table::create();
        tombstones.table(Alias::new("tombstones"));
        id(&mut tombstones)
            .col(col("root_id").big_integer().not_null())
            .col(col("hash").text().not_null())
            .col(col("path").text().not_null())
            .col(time("created_at"))
            .foreign_key(&mut foreign(
                "tombstones",
                "root_id",
                "import_roots",
                Cascade,
            ));
        manager.create_table(tombstones).await?;
        manager
            .create_index(index("tombstones", "hash", &["hash"], false))
            .await?;

        let mut rules = Table::create();
        rules.table(Alias::new("retention_rules"));
        id(&mut rules)
            .col(col("owner_id").big_integer().not_null())
            // mine | library (the owner's, over everyone's photos)
            .col(col("scope").text().not_null())
            .col(col("query").text().not_null())
            .col(col("days").integer().not_null())
            .col(col("include_shared").boolean().not_null())
            .col(col("enabled").boolean().not_null())
            .col(time("created_at"))
            .col(time("updated_at"))
            .col(time_null("last_run_at"))
            .col(count("last_trashed"))
            .col(count("total_trashed"))
            .foreign_key(&mut foreign(
                "retention_rules",
                "owner_id",
                "users",
                Cascade,
            ));
        manager.create_table(rules).await?;

        let mut exports = Table::create();
        exports.table(Alias::new("exports"));
        id(&mut exports)
            .col(col("user_id").big_integer().not_null())
            // queued | running | ready | failed | expired
            .col(col("status").text().not_null())
            .col(count("files_total"))
            .col(count("files_done"))
            .col(count("bytes"))
            .col(count("estimated_bytes"))
            .col(col("error").text().null())
            .col(time("created_at"))
            .col(time_null("ready_at"))
            .col(time("expires_at"))
            .foreign_key(&mut foreign("exports", "user_id", "users", Cascade));
        manager.create_table(exports).await?;
        manager
            .create_index(index("exports", "user", &["user_id"], false))
            .await?;

        let mut sweeps = Table::create();
        sweeps
            .table(Alias::new("sweeps"))
            .col(col("name").text().not_null().primary_key())
            .col(time("last_run_at"))
            .col(count("last_removed"))
            .col(count("total_removed"));
        manager.create_table(sweeps).await?;

        let mut runs = Table::create();
        runs.table(Alias::new("sweep_runs"));
        id(&mut runs)
            .col(time("at"))
            // What each sweep removed, by name (JSON); only runs that removed
            // something are kept.
            .col(col("removed").text().not_null());
        manager.create_table(runs).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
