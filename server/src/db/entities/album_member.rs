use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "album_members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub album_id: i64,
    pub user_id: i64,
    /// `owner`, `editor`, `contributor` or `viewer`.
    pub role: String,
    pub muted: bool,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
