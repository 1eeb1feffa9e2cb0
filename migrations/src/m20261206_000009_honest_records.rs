//! Honest records. A video without a poster frame says why
//! (`assets.no_poster`: ffmpeg is not installed, or could not read a frame
//! of it), a fact of the video rather than a missing thumbnail for
//! `hearth check` to report. An import folder's last scan counts what it
//! skipped (`import_roots.skipped_hidden`, `skipped_excluded`).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261206_000009_honest_records"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("assets"))
                    .add_column(ColumnDef::new(Alias::new("no_poster")).text().null())
                    .take(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        for column in ["skipped_hidden", "skipped_excluded"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("import_roots"))
                        .add_column(
                            ColumnDef::new(Alias::new(column))
                                .big_integer()
                                .not_null()
                                .default(0),
                        )
                        .take(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("assets", "no_poster"),
            ("import_roots", "skipped_hidden"),
            ("import_roots", "skipped_excluded"),
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
