//! Recovery links made in the app wait before they work: `links.usable_at`
//! (absent: usable at once, as every other link and those made on the
//! server's command line).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261206_000008_recovery_delay"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("links"))
                    .add_column(
                        ColumnDef::new(Alias::new("usable_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("links"))
                    .drop_column(Alias::new("usable_at"))
                    .take(),
            )
            .await
    }
}
