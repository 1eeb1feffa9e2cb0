use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "account_deletions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: Option<i64>,
    pub requested_by: Option<i64>,
    pub role: String,
    pub status: String,
    pub cancel_token_hash: Option<String>,
    pub requested_at: DateTimeUtc,
    pub purge_at: DateTimeUtc,
    pub cancelled_at: Option<DateTimeUtc>,
    pub purged_at: Option<DateTimeUtc>,
    pub removed: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
