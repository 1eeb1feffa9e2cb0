//! What a Google Photos sidecar says of its photo: when it was taken,
//! where, its description, the people Google recognised, and whether it
//! was a favourite, archived or in Google's trash. The file's own EXIF
//! wins where it has a value; the sidecar fills what it lacks (Google
//! strips dates and places from some downloads).

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// A sidecar larger than this is not a sidecar.
pub const MAX_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Sidecar {
    /// The photo's name when it was uploaded to Google (never clipped).
    pub title: Option<String>,
    pub description: Option<String>,
    pub photo_taken_time: Option<Time>,
    pub geo_data: Option<Geo>,
    pub geo_data_exif: Option<Geo>,
    pub people: Vec<Person>,
    pub favorited: bool,
    pub archived: bool,
    pub trashed: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Time {
    /// Seconds since 1970, as a string.
    pub timestamp: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Geo {
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Person {
    pub name: String,
}

impl Sidecar {
    /// Reads a sidecar; `None` when it is not one.
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        if bytes.len() as u64 > MAX_BYTES {
            return None;
        }
        serde_json::from_slice(bytes).ok()
    }

    /// When the photo was taken, as Google knew it (UTC).
    #[must_use]
    pub fn taken(&self) -> Option<DateTime<Utc>> {
        let seconds: i64 = self
            .photo_taken_time
            .as_ref()?
            .timestamp
            .trim()
            .parse()
            .ok()?;
        // Before 1826 (the oldest photograph) or a zero: not a time.
        (seconds > -4_600_000_000 && seconds != 0)
            .then(|| DateTime::from_timestamp(seconds, 0))
            .flatten()
    }

    /// Where, if Google knew: from the photo's EXIF as Google read it
    /// first, else what Google placed it at. (0, 0) is "nowhere".
    #[must_use]
    pub fn place(&self) -> Option<(f64, f64)> {
        [&self.geo_data_exif, &self.geo_data]
            .into_iter()
            .flatten()
            .map(|geo| (geo.latitude, geo.longitude))
            .find(|&(lat, lon)| {
                (lat != 0.0 || lon != 0.0)
                    && (-90.0..=90.0).contains(&lat)
                    && (-180.0..=180.0).contains(&lon)
            })
    }

    /// Its description, if it says something.
    #[must_use]
    pub fn caption(&self) -> Option<&str> {
        self.description
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
    }

    /// The names of the people in it, as tags.
    #[must_use]
    pub fn people(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .people
            .iter()
            .map(|person| person.name.trim().to_owned())
            .filter(|name| !name.is_empty() && name.chars().count() <= 100)
            .collect();
        names.sort();
        names.dedup();
        names
    }
}
