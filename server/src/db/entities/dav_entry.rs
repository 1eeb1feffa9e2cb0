use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dav_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// The folder it is in, inside the member's tree ('' at the top).
    pub parent: String,
    pub name: String,
    /// `folder`, `photo`, `file` or `kept_out`.
    pub state: String,
    pub bytes: i64,
    pub hash: Option<String>,
    pub asset_id: Option<i64>,
    /// For a file or a kept-out photo: its bytes under `dav/<user>/`.
    pub blob: Option<String>,
    pub modified_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
