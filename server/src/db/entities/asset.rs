use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: i64,
    pub hash: String,
    pub kind: String,
    pub mime: String,
    pub bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub orientation: i16,
    pub sort_at: DateTimeUtc,
    pub taken_local: Option<String>,
    pub taken_offset_minutes: Option<i32>,
    pub taken_source: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub altitude: Option<f64>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    pub exposure_time: Option<f64>,
    pub f_number: Option<f64>,
    pub iso: Option<i32>,
    pub focal_length: Option<f64>,
    pub duration_ms: Option<i64>,
    pub title: Option<String>,
    pub caption: Option<String>,
    pub rating: Option<i16>,
    pub keywords: String,
    pub favourite: bool,
    /// Hidden from the timeline by its owner, kept (`is:archived`).
    pub archived: bool,
    pub visibility: String,
    pub status: String,
    pub thumbhash: Option<Vec<u8>>,
    pub derived_at: Option<DateTimeUtc>,
    /// Why a video has no poster frame, when it has none.
    pub no_poster: Option<String>,
    pub trashed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub month: i32,
    pub content_id: Option<String>,
    pub motion_hash: Option<String>,
    /// Where it was taken, in words (offline reverse geocoding of the GPS).
    pub place_city: Option<String>,
    /// County or district (e.g. "Greater London"): searched, not shown.
    pub place_area: Option<String>,
    pub place_region: Option<String>,
    pub place_country: Option<String>,
    /// When the coordinates were looked up (also when nothing was found).
    pub place_at: Option<DateTimeUtc>,
    /// The guest who uploaded it through a share link.
    pub guest_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
