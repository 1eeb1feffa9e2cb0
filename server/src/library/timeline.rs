//! The timeline's reads: the months a member sees with their counts
//! (summed from `timeline_months`, which triggers keep), one month's
//! tiles (only the columns a tile needs), and the compact form (`Brief`)
//! every grid of photos is sent in.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DerivePartialModel, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};

use super::access::{self, Viewer};
use super::api::{Brief, thumbhash_text, version};
use crate::db::entities::asset;
use crate::error::AppError;

/// The columns a tile is made of: a month of the timeline reads these
/// rather than whole rows (a third of the columns, most of the time).
#[derive(Debug, DerivePartialModel)]
#[sea_orm(entity = "asset::Entity")]
pub struct Tile {
    pub id: i64,
    pub owner_id: i64,
    pub hash: String,
    pub kind: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub thumbhash: Option<Vec<u8>>,
    pub taken_local: Option<String>,
    pub sort_at: DateTime<Utc>,
    pub duration_ms: Option<i64>,
    pub derived_at: Option<DateTime<Utc>>,
    pub favourite: bool,
    pub archived: bool,
}

impl Tile {
    pub fn brief(&self, me: Viewer) -> Brief {
        let mine = self.owner_id == me.user_id;
        Brief {
            id: self.id,
            w: self.width.unwrap_or(0),
            h: self.height.unwrap_or(0),
            th: thumbhash_text(self.thumbhash.as_ref()),
            k: self.kind.clone(),
            t: self
                .taken_local
                .clone()
                .unwrap_or_else(|| self.sort_at.format("%Y-%m-%dT%H:%M:%S").to_string()),
            d: self.duration_ms,
            v: version(&self.hash, self.derived_at),
            mine,
            // A favourite is its owner's own mark.
            fav: self.favourite && mine,
            arc: (self.archived && mine).then_some(true),
        }
    }
}

pub fn brief(asset: &asset::Model, me: Viewer) -> Brief {
    Tile {
        id: asset.id,
        owner_id: asset.owner_id,
        hash: asset.hash.clone(),
        kind: asset.kind.clone(),
        width: asset.width,
        height: asset.height,
        thumbhash: asset.thumbhash.clone(),
        taken_local: asset.taken_local.clone(),
        sort_at: asset.sort_at,
        duration_ms: asset.duration_ms,
        derived_at: asset.derived_at,
        favourite: asset.favourite,
        archived: asset.archived,
    }
    .brief(me)
}

pub(super) fn parse_month(text: &str) -> Result<i32, AppError> {
    let bad = || AppError::InvalidRequest(format!("“{text}” is not a month (YYYY-MM)."));
    let (year, month) = text.split_once('-').ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    let month: i32 = month.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || !(1..=9999).contains(&year) {
        return Err(bad());
    }
    Ok(year * 100 + month)
}

#[derive(Debug, FromQueryResult)]
pub struct MonthCount {
    pub month: i32,
    pub count: i64,
}

/// The months `viewer` has photos in, newest first, with counts: from the
/// counts kept per month, owner and visibility (`timeline_months`, kept by
/// triggers), with the rule of [`access::Viewer::visible`].
pub async fn month_counts(
    db: &sea_orm::DatabaseConnection,
    viewer: Viewer,
) -> Result<Vec<MonthCount>, AppError> {
    use sea_orm::Statement;
    Ok(
        MonthCount::find_by_statement(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT month, SUM(count) AS count FROM timeline_months \
         WHERE owner_id = ? OR visibility = 'family' \
         GROUP BY month HAVING SUM(count) > 0 ORDER BY month DESC",
            [viewer.user_id.into()],
        ))
        .all(db)
        .await?,
    )
}

/// One month (yyyymm) of what `viewer` may see, newest first, as tiles.
pub async fn month_assets(
    db: &sea_orm::DatabaseConnection,
    viewer: Viewer,
    month: i32,
) -> Result<Vec<Tile>, AppError> {
    Ok(access::filter(asset::Entity::find(), viewer)
        .filter(asset::Column::Archived.eq(false))
        .filter(asset::Column::Month.eq(month))
        .order_by_desc(asset::Column::SortAt)
        .order_by_desc(asset::Column::Id)
        .into_partial_model::<Tile>()
        .all(db)
        .await?)
}
