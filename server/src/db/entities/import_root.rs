use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_roots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub path: String,
    pub owner_id: i64,
    pub visibility: String,
    pub watch_mode: String,
    pub poll_minutes: i32,
    pub exclusions: String,
    pub status: String,
    pub last_scan_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub source: String,
    pub offline_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
