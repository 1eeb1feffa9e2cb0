use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "album_assets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub album_id: i64,
    pub asset_id: i64,
    /// `manual`, `live` or `excluded`.
    pub state: String,
    pub added_by: Option<i64>,
    pub guest_name: Option<String>,
    pub added_at: DateTimeUtc,
    pub position: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
