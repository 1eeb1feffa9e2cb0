//! Importing a Google Photos takeout: every photo and video of every
//! folder, each with its sidecar's facts where the file lacks them, the
//! albums (folders with a `metadata.json` that names them) made again as
//! the member's own albums, and a report. A photo in an album and in its
//! year's folder is one photo (the same content is never imported twice),
//! so a second import of the same takeout adds nothing. The parts of one
//! export (`takeout-…-001.zip`, `-002.zip`) are read together: a photo's
//! sidecar may be in another part.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::meta::Sidecar;
use super::sidecar;
use crate::db::entities::{album, asset, user};
use crate::error::AppError;
use crate::library::api::UploadStatus;
use crate::state::AppState;

/// What a takeout's photos and videos are named (lower case).
const MEDIA: [&str; 33] = [
    "jpg", "jpeg", "jpe", "png", "gif", "webp", "heic", "heif", "avif", "tif", "tiff", "bmp",
    "dng", "cr2", "cr3", "nef", "arw", "raf", "orf", "rw2", "mp4", "m4v", "mov", "3gp", "3g2",
    "mkv", "webm", "avi", "mpg", "mpeg", "mts", "m2ts", "wmv",
];

/// Year folders are Google's, not albums ("Photos from 2019").
const YEAR_FOLDERS: [&str; 6] = [
    "Photos from ",
    "Fotos von ",
    "Photos de ",
    "Foto del ",
    "Fotos de ",
    "Foto's uit ",
];

/// One file of the takeout: in which archive (or on disk), under what name.
#[derive(Debug, Clone)]
enum Place {
    Zip { archive: usize, name: String },
    Disk(PathBuf),
}

#[derive(Debug, Clone)]
struct Entry {
    file: String,
    place: Place,
}

/// What a takeout import did.
#[derive(Debug, Default)]
pub struct Report {
    pub imported: u64,
    /// Already in the library (the same content): merged, not added.
    pub merged: u64,
    /// Photos whose sidecar was found and read.
    pub with_sidecar: u64,
    /// Edited copies left out (their originals were imported).
    pub edited_skipped: u64,
    /// In Google's trash: imported into Hearth's.
    pub trashed: u64,
    pub albums_new: u64,
    pub albums_updated: u64,
    /// What could not be imported, and why.
    pub skipped: Vec<(String, String)>,
}

impl Report {
    #[must_use]
    pub fn summary(&self) -> String {
        use std::fmt::Write as _;
        let mut text = format!(
            "Google Photos takeout: {} imported, {} already in the library, {} with Google's date, place or caption, \
             {} edited copies left out, {} into the trash (they were in Google's), {} albums new, {} updated, {} not imported",
            self.imported,
            self.merged,
            self.with_sidecar,
            self.edited_skipped,
            self.trashed,
            self.albums_new,
            self.albums_updated,
            self.skipped.len()
        );
        for (file, why) in self.skipped.iter().take(50) {
            let _ = write!(text, "\n  not imported: {file}: {why}");
        }
        if self.skipped.len() > 50 {
            let _ = write!(text, "\n  … and {} more", self.skipped.len() - 50);
        }
        text
    }
}

/// Options of a takeout import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Import Google's edited copies too (as photos of their own).
    pub with_edited: bool,
}

fn extension(file: &str) -> String {
    file.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

fn is_media(file: &str) -> bool {
    MEDIA.contains(&extension(file).as_str())
}

/// Whether `paths` are a Google takeout: zips with a `Takeout/` folder
/// holding photos, or a folder that is (or holds) one.
#[must_use]
pub fn is_takeout(paths: &[PathBuf]) -> bool {
    paths.iter().any(|path| {
        if path.is_dir() {
            let named = |p: &Path| p.file_name().is_some_and(|name| name == "Takeout");
            named(path) || path.parent().is_some_and(named) || path.join("Takeout").is_dir()
        } else {
            File::open(path)
                .ok()
                .and_then(|file| zip::ZipArchive::new(file).ok())
                .is_some_and(|zip| zip.file_names().any(|name| name.starts_with("Takeout/")))
        }
    })
}

/// The takeout's zips (open), and every file of it by folder (its path
/// inside the takeout).
type Indexed = (Vec<zip::ZipArchive<File>>, BTreeMap<String, Vec<Entry>>);

/// Every file of the takeout, by folder.
fn index(paths: &[PathBuf]) -> Result<Indexed, AppError> {
    let mut archives = Vec::new();
    let mut folders: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let mut add = |path: &str, place: Place| {
        let (folder, file) = path.rsplit_once('/').unwrap_or(("", path));
        folders.entry(folder.to_owned()).or_default().push(Entry {
            file: file.to_owned(),
            place,
        });
    };
    for path in paths {
        if path.is_dir() {
            let walk = crate::library::exclusions::Exclusions::new(&[])
                .walk(path)
                .unwrap_or_default();
            for (file, _) in walk.files {
                let relative = file.strip_prefix(path).unwrap_or(&file);
                add(
                    &relative.to_string_lossy().replace('\\', "/"),
                    Place::Disk(file.clone()),
                );
            }
            continue;
        }
        let bad = |err: &dyn std::fmt::Display| {
            AppError::InvalidRequest(format!("{} cannot be read as a zip: {err}", path.display()))
        };
        let zip = zip::ZipArchive::new(File::open(path).map_err(|err| bad(&err))?)
            .map_err(|err| bad(&err))?;
        let archive = archives.len();
        for name in zip.file_names() {
            if !name.ends_with('/') {
                add(
                    name,
                    Place::Zip {
                        archive,
                        name: name.to_owned(),
                    },
                );
            }
        }
        archives.push(zip);
    }
    Ok((archives, folders))
}

/// Reads a small file of the takeout (a sidecar, an album's metadata).
fn read_small(archives: &mut [zip::ZipArchive<File>], place: &Place) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    match place {
        Place::Zip { archive, name } => {
            let entry = archives.get_mut(*archive)?.by_name(name).ok()?;
            if entry.size() > super::meta::MAX_BYTES {
                return None;
            }
            entry
                .take(super::meta::MAX_BYTES)
                .read_to_end(&mut bytes)
                .ok()?;
        }
        Place::Disk(path) => {
            let file = File::open(path).ok()?;
            file.take(super::meta::MAX_BYTES + 1)
                .read_to_end(&mut bytes)
                .ok()?;
        }
    }
    (bytes.len() as u64 <= super::meta::MAX_BYTES).then_some(bytes)
}

/// Copies one photo out of the takeout into `staging` (under its name).
fn extract(
    archives: &mut [zip::ZipArchive<File>],
    entry: &Entry,
    staging: &Path,
) -> Result<PathBuf, String> {
    let target = staging.join(crate::library::uploads::safe_name(&entry.file));
    let mut out = File::create(&target).map_err(|err| err.to_string())?;
    match &entry.place {
        Place::Zip { archive, name } => {
            let mut reader = archives
                .get_mut(*archive)
                .ok_or("no such archive")?
                .by_name(name)
                .map_err(|err| err.to_string())?;
            std::io::copy(&mut reader, &mut out).map_err(|err| err.to_string())?;
        }
        Place::Disk(path) => {
            let mut reader = File::open(path).map_err(|err| err.to_string())?;
            std::io::copy(&mut reader, &mut out).map_err(|err| err.to_string())?;
        }
    }
    Ok(target)
}

/// The album a folder is, if it is one: the title its `metadata.json` gives.
fn album_title(archives: &mut [zip::ZipArchive<File>], entries: &[Entry]) -> Option<String> {
    let metadata = entries.iter().find(|entry| {
        !sidecar::is_sidecar(&entry.file) && entry.file.to_lowercase().ends_with(".json")
    })?;
    let json: serde_json::Value =
        serde_json::from_slice(&read_small(archives, &metadata.place)?).ok()?;
    let title = json["title"].as_str()?.trim();
    let year = YEAR_FOLDERS.iter().any(|prefix| {
        title
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.len() == 4 && rest.bytes().all(|b| b.is_ascii_digit()))
    });
    (!title.is_empty() && !year).then(|| title.chars().take(200).collect())
}

/// One import under way.
struct Run<'a> {
    state: &'a AppState,
    owner: &'a user::Model,
    options: Options,
    archives: Vec<zip::ZipArchive<File>>,
    staging: PathBuf,
    report: Report,
    /// Each album's photos, by title.
    albums: BTreeMap<String, Vec<i64>>,
}

/// Imports the takeout in `paths` for `owner`; `progress` hears of each
/// photo done (done, total).
pub async fn import(
    state: &AppState,
    owner: &user::Model,
    paths: &[PathBuf],
    options: Options,
    mut progress: impl FnMut(u64, u64),
) -> Result<Report, AppError> {
    let (archives, folders) = index(paths)?;
    let total: u64 = folders
        .values()
        .map(|entries| entries.iter().filter(|e| is_media(&e.file)).count() as u64)
        .sum();
    let staging = tempfile::tempdir_in(state.data_dir().tmp())
        .map_err(|err| AppError::Internal(err.into()))?;
    let mut run = Run {
        state,
        owner,
        options,
        archives,
        staging: staging.path().to_path_buf(),
        report: Report::default(),
        albums: BTreeMap::new(),
    };
    let mut done = 0;
    for (folder, entries) in &folders {
        done = run
            .folder(folder, entries, done, &mut |n| progress(n, total))
            .await?;
    }
    for (title, ids) in std::mem::take(&mut run.albums) {
        if make_album(state, owner, &title, &ids).await? {
            run.report.albums_new += 1;
        } else {
            run.report.albums_updated += 1;
        }
    }
    Ok(run.report)
}

impl Run<'_> {
    /// The photos of one folder; returns how many photos are done now.
    async fn folder(
        &mut self,
        folder: &str,
        entries: &[Entry],
        mut done: u64,
        progress: &mut impl FnMut(u64),
    ) -> Result<u64, AppError> {
        let photos: Vec<String> = entries
            .iter()
            .filter(|e| is_media(&e.file))
            .map(|e| e.file.clone())
            .collect();
        if photos.is_empty() {
            return Ok(done);
        }
        let files: Vec<String> = entries.iter().map(|e| e.file.clone()).collect();
        let title = album_title(&mut self.archives, entries);
        let archives = &mut self.archives;
        let paired: Vec<(String, Option<usize>)> = sidecar::pair(&photos, &files, |n| {
            read_small(archives, &entries[n].place)
                .and_then(|bytes| Sidecar::parse(&bytes))
                .and_then(|found| found.title)
        })
        .into_iter()
        .map(|(photo, json)| (photo.to_owned(), json))
        .collect();
        let originals: std::collections::HashSet<String> = photos
            .iter()
            .map(|photo| sidecar::named(photo))
            .filter(|named| !named.edited)
            .map(|named| named.original)
            .collect();
        for (photo, json) in paired {
            done += 1;
            progress(done);
            let named = sidecar::named(&photo);
            if named.edited && !self.options.with_edited && originals.contains(&named.original) {
                self.report.edited_skipped += 1;
                continue;
            }
            let Some(entry) = entries.iter().find(|e| e.file == photo) else {
                continue;
            };
            let facts = json.and_then(|n| {
                read_small(&mut self.archives, &entries[n].place).and_then(|b| Sidecar::parse(&b))
            });
            let Some(id) = self.photo(&format!("{folder}/{photo}"), entry).await? else {
                continue;
            };
            if let Some(facts) = &facts {
                self.report.with_sidecar += 1;
                if apply(self.state, id, facts).await? {
                    self.report.trashed += 1;
                }
            }
            if let Some(title) = &title {
                self.albums.entry(title.clone()).or_default().push(id);
            }
        }
        Ok(done)
    }

    /// Imports one photo (or finds it already there); `None` when it
    /// cannot be, with the reason in the report.
    async fn photo(&mut self, shown: &str, entry: &Entry) -> Result<Option<i64>, AppError> {
        let path = match extract(&mut self.archives, entry, &self.staging) {
            Ok(path) => path,
            Err(why) => {
                self.report.skipped.push((shown.to_owned(), why));
                return Ok(None);
            }
        };
        let result = crate::library::uploads::import_copy(self.state, self.owner, &path).await;
        let _ = std::fs::remove_file(&path);
        let result = match result {
            Ok(result) => result,
            Err(err) => {
                self.report.skipped.push((shown.to_owned(), err.detail()));
                return Ok(None);
            }
        };
        Ok(match (result.status, result.asset_id) {
            (UploadStatus::Imported, Some(id)) => {
                self.report.imported += 1;
                Some(id)
            }
            (UploadStatus::Duplicate, Some(id)) => {
                self.report.merged += 1;
                Some(id)
            }
            _ => {
                let why = result
                    .reason
                    .unwrap_or_else(|| "not a photo Hearth can read".into());
                self.report.skipped.push((shown.to_owned(), why));
                None
            }
        })
    }
}

/// Fills what the photo's own file lacked from its sidecar; returns whether
/// it went to the trash (it was in Google's).
async fn apply(state: &AppState, id: i64, facts: &Sidecar) -> Result<bool, AppError> {
    use chrono::Datelike as _;
    let Some(found) = asset::Entity::find_by_id(id).one(state.db()).await? else {
        return Ok(false);
    };
    let guessed = matches!(found.taken_source.as_str(), "file_name" | "file_modified");
    let placeless = found.latitude.is_none();
    let uncaptioned = found.caption.as_deref().is_none_or(|c| c.trim().is_empty());
    let keywords: Vec<String> = serde_json::from_str(&found.keywords).unwrap_or_default();
    let mut row: asset::ActiveModel = found.clone().into();
    let mut located = None;
    if guessed && let Some(taken) = facts.taken() {
        row.sort_at = Set(taken);
        row.taken_local = Set(Some(
            taken.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(),
        ));
        row.taken_offset_minutes = Set(Some(0));
        row.taken_source = Set("google_takeout".to_owned());
        row.month = Set(taken.year() * 100 + i32::try_from(taken.month()).unwrap_or(1));
    }
    if placeless && let Some((latitude, longitude)) = facts.place() {
        row.latitude = Set(Some(latitude));
        row.longitude = Set(Some(longitude));
        located = Some((latitude, longitude));
    }
    if uncaptioned && let Some(caption) = facts.caption() {
        row.caption = Set(Some(caption.chars().take(2000).collect()));
    }
    let people = facts.people();
    if people.iter().any(|name| !keywords.contains(name)) {
        let mut all = keywords;
        all.extend(people);
        all.sort();
        all.dedup();
        row.keywords = Set(serde_json::to_string(&all).unwrap_or_else(|_| "[]".to_owned()));
    }
    if facts.favorited {
        row.favourite = Set(true);
    }
    if facts.archived {
        row.archived = Set(true);
    }
    row.updated_at = Set(state.now());
    row.update(state.db()).await?;
    if let Some((latitude, longitude)) = located {
        crate::library::places::locate(state, id, latitude, longitude).await?;
    }
    let trashed = facts.trashed && found.status == "active";
    if trashed {
        crate::library::set_trashed(state, found.owner_id, &[id], true).await?;
    } else {
        crate::library::announce(state, &[id], false).await?;
    }
    Ok(trashed)
}

/// The member's album of this title (made if there is none); returns
/// whether it was made now.
async fn make_album(
    state: &AppState,
    owner: &user::Model,
    title: &str,
    ids: &[i64],
) -> Result<bool, AppError> {
    let existing = album::Entity::find()
        .filter(album::Column::OwnerId.eq(owner.id))
        .filter(album::Column::Title.eq(title))
        .one(state.db())
        .await?;
    let (member, made) = match existing {
        Some(found) => (
            crate::albums::membership(state, owner.id, found.id).await?,
            false,
        ),
        None => (
            crate::albums::create(state, owner.id, title.to_owned(), String::new(), None).await?,
            true,
        ),
    };
    for chunk in ids.chunks(1_000) {
        crate::albums::content::add(state, &member, owner, chunk, true).await?;
    }
    Ok(made)
}
