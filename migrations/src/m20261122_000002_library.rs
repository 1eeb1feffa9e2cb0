//! The library: import roots, assets (one per distinct content), the files
//! where each asset lives, files that could not be imported, and the
//! persistent job queue.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261122_000002_library"
    }
}

pub(crate) fn id(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table.col(
        ColumnDef::new(Alias::new("id"))
            .big_integer()
            .not_null()
            .auto_increment()
            .primary_key(),
    )
}

pub(crate) fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).take()
}

pub(crate) fn index(
    table: &str,
    name: &str,
    columns: &[&str],
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(format!("ix_{table}_{name}"))
        .table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    if unique {
        index.unique();
    }
    index.take()
}

pub(crate) fn foreign(
    table: &str,
    column: &str,
    to: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(on_delete)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(
        clippy::too_many_lines,
        reason = "one table after another reads best as one list"
    )]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};

        let mut roots = Table::create();
        roots.table(Alias::new("import_roots"));
        id(&mut roots)
            .col(col("path").text().not_null().unique_key())
            .col(col("owner_id").big_integer().not_null())
            // private | family
            .col(col("visibility").text().not_null())
            // events | poll
            .col(col("watch_mode").text().not_null())
            .col(col("poll_minutes").integer().not_null())
            // JSON array of globs, added to the built-in exclusions.
            .col(col("exclusions").text().not_null())
            // online | offline
            .col(col("status").text().not_null())
            .col(col("last_scan_at").timestamp_with_time_zone().null())
            .col(col("created_at").timestamp_with_time_zone().not_null())
            .foreign_key(&mut foreign("import_roots", "owner_id", "users", Cascade));
        manager.create_table(roots).await?;

        let mut assets = Table::create();
        assets.table(Alias::new("assets"));
        id(&mut assets)
            .col(col("owner_id").big_integer().not_null())
            // BLAKE3 of the content, hex.
            .col(col("hash").text().not_null().unique_key())
            // photo | video | live
            .col(col("kind").text().not_null())
            .col(col("mime").text().not_null())
            .col(col("bytes").big_integer().not_null())
            // Displayed dimensions, orientation applied.
            .col(col("width").integer().null())
            .col(col("height").integer().null())
            .col(col("orientation").small_integer().not_null())
            // Sort key of the timeline: the capture instant, or the capture
            // wall time read as UTC when the offset is unknown.
            .col(col("sort_at").timestamp_with_time_zone().not_null())
            .col(col("taken_local").text().null())
            .col(col("taken_offset_minutes").integer().null())
            .col(col("taken_source").text().not_null())
            .col(col("latitude").double().null())
            .col(col("longitude").double().null())
            .col(col("altitude").double().null())
            .col(col("make").text().null())
            .col(col("model").text().null())
            .col(col("lens").text().null())
            .col(col("exposure_time").double().null())
            .col(col("f_number").double().null())
            .col(col("iso").integer().null())
            .col(col("focal_length").double().null())
            .col(col("duration_ms").big_integer().null())
            .col(col("title").text().null())
            .col(col("caption").text().null())
            .col(col("rating").small_integer().null())
            // JSON array.
            .col(col("keywords").text().not_null())
            .col(col("favourite").boolean().not_null())
            // private | family
            .col(col("visibility").text().not_null())
            // active | trashed | offline
            .col(col("status").text().not_null())
            .col(col("thumbhash").blob().null())
            .col(col("derived_at").timestamp_with_time_zone().null())
            .col(col("trashed_at").timestamp_with_time_zone().null())
            .col(col("created_at").timestamp_with_time_zone().not_null())
            .col(col("updated_at").timestamp_with_time_zone().not_null())
            .foreign_key(&mut foreign("assets", "owner_id", "users", Cascade));
        manager.create_table(assets).await?;
        manager
            .create_index(index("assets", "timeline", &["status", "sort_at"], false))
            .await?;
        manager
            .create_index(index(
                "assets",
                "owner_timeline",
                &["owner_id", "status", "sort_at"],
                false,
            ))
            .await?;

        let mut files = Table::create();
        files.table(Alias::new("asset_files"));
        id(&mut files)
            .col(col("asset_id").big_integer().not_null())
            // None: an upload kept under media/originals.
            .col(col("root_id").big_integer().null())
            // Relative to the root (or to media/originals).
            .col(col("path").text().not_null())
            .col(col("bytes").big_integer().not_null())
            .col(col("modified_at").timestamp_with_time_zone().not_null())
            .col(col("present").boolean().not_null())
            .col(col("seen_at").timestamp_with_time_zone().not_null())
            .foreign_key(&mut foreign("asset_files", "asset_id", "assets", Cascade))
            .foreign_key(&mut foreign(
                "asset_files",
                "root_id",
                "import_roots",
                Cascade,
            ));
        manager.create_table(files).await?;
        manager
            .create_index(index("asset_files", "location", &["root_id", "path"], true))
            .await?;
        manager
            .create_index(index("asset_files", "asset", &["asset_id"], false))
            .await?;

        let mut failures = Table::create();
        failures.table(Alias::new("import_failures"));
        id(&mut failures)
            .col(col("root_id").big_integer().null())
            .col(col("owner_id").big_integer().null())
            .col(col("path").text().not_null())
            .col(col("bytes").big_integer().not_null())
            .col(col("modified_at").timestamp_with_time_zone().not_null())
            .col(col("reason").text().not_null())
            .col(col("failed_at").timestamp_with_time_zone().not_null())
            .foreign_key(&mut foreign(
                "import_failures",
                "root_id",
                "import_roots",
                Cascade,
            ))
            .foreign_key(&mut foreign(
                "import_failures",
                "owner_id",
                "users",
                SetNull,
            ));
        manager.create_table(failures).await?;
        manager
            .create_index(index(
                "import_failures",
                "location",
                &["root_id", "path"],
                true,
            ))
            .await?;

        let mut jobs = Table::create();
        jobs.table(Alias::new("jobs"));
        id(&mut jobs)
            .col(col("kind").text().not_null())
            // JSON.
            .col(col("payload").text().not_null())
            // queued | running | failed
            .col(col("status").text().not_null())
            .col(col("attempts").integer().not_null())
            .col(col("run_after").timestamp_with_time_zone().not_null())
            .col(col("last_error").text().null())
            .col(col("created_at").timestamp_with_time_zone().not_null())
            .col(col("updated_at").timestamp_with_time_zone().not_null());
        manager.create_table(jobs).await?;
        manager
            .create_index(index("jobs", "due", &["status", "run_after"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "jobs",
            "import_failures",
            "asset_files",
            "assets",
            "import_roots",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
