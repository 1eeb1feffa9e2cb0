//! Where a photo was taken, in words, without asking any online service:
//! the nearest town of at least 1 000 people (GeoNames' cities1000, built
//! into the binary by the `reverse_geocoder` crate) within 50 km, its
//! region and its country. The table takes ~50 MB once loaded, so it is
//! loaded when a photo with coordinates arrives and let go after half a
//! minute unused. Place names © GeoNames (geonames.org), CC BY 4.0.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reverse_geocoder::ReverseGeocoder;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::db::entities::asset;
use crate::error::AppError;
use crate::state::AppState;

/// Farther than this from any town: no place (open sea, wilderness).
const MAX_KM: f64 = 50.0;
const IDLE: Duration = Duration::from_secs(30);
/// Assets looked up per back-fill job.
pub const BATCH: u64 = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub city: String,
    /// County or district ("Greater London" for Westminster).
    pub area: Option<String>,
    pub region: Option<String>,
    pub country: String,
}

static TABLE: Mutex<Option<(Arc<ReverseGeocoder>, Instant)>> = Mutex::new(None);

fn table() -> Arc<ReverseGeocoder> {
    let held = TABLE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|(geocoder, _)| geocoder.clone());
    // Built outside the lock (it takes a moment): the watcher's
    // `release_idle` never waits for it.
    let geocoder = held.unwrap_or_else(|| Arc::new(ReverseGeocoder::new()));
    *TABLE.lock().unwrap_or_else(PoisonError::into_inner) =
        Some((geocoder.clone(), Instant::now()));
    geocoder
}

/// Lets the table go when unused for half a minute (called every second):
/// an import keeps it warm, an idle server gives its memory back.
pub fn release_idle() {
    if let Ok(mut held) = TABLE.try_lock()
        && held.as_ref().is_some_and(|(_, used)| used.elapsed() > IDLE)
    {
        *held = None;
    }
}

/// The place at these coordinates (blocking: the first call loads the table).
#[must_use]
pub fn lookup(latitude: f64, longitude: f64) -> Option<Place> {
    if !latitude.is_finite()
        || !longitude.is_finite()
        || latitude.abs() > 90.0
        || longitude.abs() > 180.0
    {
        return None;
    }
    let geocoder = table();
    let found = geocoder.search((latitude, longitude));
    // `distance` is the squared chord on the unit sphere.
    let km = 2.0 * 6371.0 * (found.distance.sqrt() / 2.0).asin();
    // (NaN, from a broken table, is not near anything either.)
    if km.is_nan() || km > MAX_KM {
        return None;
    }
    let record = found.record;
    let distinct = |name: &str| {
        Some(name.trim())
            .filter(|n| !n.is_empty() && *n != record.name)
            .map(str::to_owned)
    };
    Some(Place {
        city: record.name.clone(),
        area: distinct(&record.admin2),
        region: distinct(&record.admin1),
        country: country_name(&record.cc),
    })
}

/// English short names; ISO's formal ones where people say them.
fn country_name(code: &str) -> String {
    let common = match code {
        "GB" => "United Kingdom",
        "US" => "United States",
        "KR" => "South Korea",
        "KP" => "North Korea",
        "RU" => "Russia",
        "IR" => "Iran",
        "VN" => "Vietnam",
        "BO" => "Bolivia",
        "VE" => "Venezuela",
        "TZ" => "Tanzania",
        "SY" => "Syria",
        "LA" => "Laos",
        "MD" => "Moldova",
        "TW" => "Taiwan",
        "CD" => "DR Congo",
        "NL" => "Netherlands",
        "FM" => "Micronesia",
        "PS" => "Palestine",
        "XK" => "Kosovo",
        "CZ" => "Czechia",
        "BN" => "Brunei",
        "VA" => "Vatican City",
        _ => {
            return rust_iso3166::from_alpha2(code)
                .map_or_else(|| code.to_owned(), |country| country.name.to_owned());
        }
    };
    common.to_owned()
}

/// Looks up and stores the place of one asset's coordinates.
pub async fn locate(
    state: &AppState,
    asset_id: i64,
    latitude: f64,
    longitude: f64,
) -> Result<(), AppError> {
    let place = tokio::task::spawn_blocking(move || lookup(latitude, longitude))
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    asset::Entity::update_many()
        .col_expr(
            asset::Column::PlaceCity,
            Expr::value(place.as_ref().map(|p| p.city.clone())),
        )
        .col_expr(
            asset::Column::PlaceArea,
            Expr::value(place.as_ref().and_then(|p| p.area.clone())),
        )
        .col_expr(
            asset::Column::PlaceRegion,
            Expr::value(place.as_ref().and_then(|p| p.region.clone())),
        )
        .col_expr(
            asset::Column::PlaceCountry,
            Expr::value(place.as_ref().map(|p| p.country.clone())),
        )
        .col_expr(asset::Column::PlaceAt, Expr::value(state.now()))
        .filter(asset::Column::Id.eq(asset_id))
        .exec(state.db())
        .await?;
    Ok(())
}

/// Assets with coordinates but no place looked up yet (imported before
/// places existed), at most `limit`.
pub async fn pending(state: &AppState, limit: u64) -> Result<Vec<(i64, f64, f64)>, AppError> {
    let rows: Vec<(i64, Option<f64>, Option<f64>)> = asset::Entity::find()
        .select_only()
        .column(asset::Column::Id)
        .column(asset::Column::Latitude)
        .column(asset::Column::Longitude)
        .filter(asset::Column::PlaceAt.is_null())
        .filter(asset::Column::Latitude.is_not_null())
        .filter(asset::Column::Longitude.is_not_null())
        .limit(limit)
        .into_tuple()
        .all(state.db())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, lat, lon)| Some((id, lat?, lon?)))
        .collect())
}

/// Looks up a batch of pending assets; returns whether more are waiting.
pub async fn backfill(state: &AppState) -> Result<bool, AppError> {
    let batch = pending(state, BATCH).await?;
    for &(id, latitude, longitude) in &batch {
        locate(state, id, latitude, longitude).await?;
    }
    Ok(u64::try_from(batch.len()).unwrap_or(0) >= BATCH)
}
