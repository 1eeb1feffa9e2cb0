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
    /// Hidden files and folders the last scan skipped.
    pub skipped_hidden: i64,
    /// Files and folders the last scan's exclusions skipped.
    pub skipped_excluded: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
