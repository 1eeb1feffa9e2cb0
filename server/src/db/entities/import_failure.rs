use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_failures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub path: String,
    pub bytes: i64,
    pub modified_at: DateTimeUtc,
    pub reason: String,
    pub failed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
