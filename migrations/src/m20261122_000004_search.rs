//! Search: where a photo was taken, in words (offline reverse geocoding),
//! and the change log the search index follows. Triggers write the log in
//! the same transaction as the change, so the index converges whatever
//! path changed an asset and wherever a crash falls.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261122_000004_search"
    }
}

/// Town, county or district (GeoNames admin2), region (admin1), country.
const PLACE_COLUMNS: [&str; 4] = ["place_city", "place_area", "place_region", "place_country"];

const TRIGGERS: [(&str, &str); 3] = [
    (
        "tr_assets_search_insert",
        "AFTER INSERT ON assets BEGIN INSERT INTO search_changes (asset_id) VALUES (NEW.id); END",
    ),
    (
        "tr_assets_search_update",
        "AFTER UPDATE ON assets BEGIN INSERT INTO search_changes (asset_id) VALUES (NEW.id); END",
    ),
    (
        "tr_assets_search_delete",
        "AFTER DELETE ON assets BEGIN INSERT INTO search_changes (asset_id) VALUES (OLD.id); END",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in PLACE_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("assets"))
                        .add_column(ColumnDef::new(Alias::new(column)).text().null())
                        .take(),
                )
                .await?;
        }
        // When the coordinates were looked up (also when no place was found).
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("assets"))
                    .add_column(
                        ColumnDef::new(Alias::new("place_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .take(),
            )
            .await?;
        // Every change to an asset, in order; the index stores the last
        // sequence number it applied in its commit payload.
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("search_changes"))
                    .col(
                        ColumnDef::new(Alias::new("seq"))
                            .integer()
                            .not_null()
                            .primary_key()
                            .auto_increment(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("asset_id"))
                            .big_integer()
                            .not_null(),
                    )
                    .take(),
            )
            .await?;
        let db = manager.get_connection();
        for (name, body) in TRIGGERS {
            db.execute_unprepared(&format!("CREATE TRIGGER {name} {body}"))
                .await?;
        }
        // Assets from before search: all of them to index.
        db.execute_unprepared("INSERT INTO search_changes (asset_id) SELECT id FROM assets")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in TRIGGERS {
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Alias::new("search_changes")).take())
            .await?;
        for column in PLACE_COLUMNS.into_iter().chain(["place_at"]) {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("assets"))
                        .drop_column(Alias::new(column))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
