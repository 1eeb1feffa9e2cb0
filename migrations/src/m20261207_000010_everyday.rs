//! The everyday views. A photo can be archived (`assets.archived`: hidden
//! from the timeline, kept, found with `is:archived`), and a member says
//! whether what they add is private or the family's from the start
//! (`users.default_visibility`). The timeline's indexes take `archived`
//! after `status` (under new names), so its months are still counted from
//! the index alone.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261207_000010_everyday"
    }
}

/// The timeline's indexes: before this migration, and after (new names:
/// an index is never dropped and made again under its name in one go).
const INDEXES: [(&str, &[&str]); 4] = [
    ("ix_assets_month", &["status", "month", "sort_at"]),
    (
        "ix_assets_month_access",
        &["status", "month", "visibility", "owner_id"],
    ),
    (
        "ix_assets_shown_month",
        &["status", "archived", "month", "sort_at"],
    ),
    (
        "ix_assets_shown_month_access",
        &["status", "archived", "month", "visibility", "owner_id"],
    ),
];

/// Makes the indexes of one side (`after` or before) and drops the other's.
async fn make_indexes(manager: &SchemaManager<'_>, after: bool) -> Result<(), DbErr> {
    let (make, drop) = if after {
        (&INDEXES[2..], &INDEXES[..2])
    } else {
        (&INDEXES[..2], &INDEXES[2..])
    };
    let connection = manager.get_connection();
    for (name, columns) in make {
        connection
            .execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {name} ON assets ({})",
                columns.join(", ")
            ))
            .await?;
    }
    for (name, _) in drop {
        connection
            .execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("assets"))
                    .add_column(
                        ColumnDef::new(Alias::new("archived"))
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .add_column(
                        ColumnDef::new(Alias::new("default_visibility"))
                            .text()
                            .not_null()
                            .default("private"),
                    )
                    .take(),
            )
            .await?;
        make_indexes(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        make_indexes(manager, false).await?;
        for (table, column) in [("assets", "archived"), ("users", "default_visibility")] {
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
