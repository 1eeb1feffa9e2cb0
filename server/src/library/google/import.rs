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
use std::sync::{Arc, Mutex};

use super::meta::Sidecar;
use super::sidecar;
use crate::db::entities::user;
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
/// holding photos, or a folder that is (or holds) one. Reads files: call
/// it off the async threads.
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

/// The takeout's zips, open (shared with the blocking threads).
type Archives = Arc<Mutex<Vec<zip::ZipArchive<File>>>>;

/// Runs file and zip reading off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| AppError::Internal(err.into()))
}

fn archives_of(archives: &Archives) -> std::sync::MutexGuard<'_, Vec<zip::ZipArchive<File>>> {
    archives
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The takeout's zips (open), and every file of it by folder.
type Indexed = (Vec<zip::ZipArchive<File>>, BTreeMap<String, Vec<Entry>>);

/// Every file of the takeout, by folder (its path inside the takeout). A
/// folder holding `Takeout/` is read from there only.
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
            let root = if path.join("Takeout").is_dir() {
                path.join("Takeout")
            } else {
                path.clone()
            };
            let walk = crate::library::exclusions::Exclusions::new(&[])
                .walk(&root)
                .unwrap_or_default();
            for (file, _) in walk.files {
                let relative = file.strip_prefix(&root).unwrap_or(&file);
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
                .take(super::meta::MAX_BYTES + 1)
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

/// Copies one photo out of a zip into `staging` (under its name, with the
/// zip's time as its modification time), refusing more than `limit` bytes
/// whatever the entry claims.
fn extract(
    archives: &mut [zip::ZipArchive<File>],
    archive: usize,
    name: &str,
    staging: &Path,
    limit: u64,
) -> Result<PathBuf, String> {
    let file = name.rsplit('/').next().unwrap_or(name);
    let target = staging.join(crate::library::uploads::safe_name(file));
    let reader = archives
        .get_mut(archive)
        .ok_or("no such archive")?
        .by_name(name)
        .map_err(|err| err.to_string())?;
    if reader.size() > limit {
        return Err(format!(
            "larger than the upload limit of {} MiB",
            limit / 1024 / 1024
        ));
    }
    let modified = reader.last_modified().and_then(|at| {
        chrono::NaiveDate::from_ymd_opt(
            i32::from(at.year()),
            u32::from(at.month()),
            u32::from(at.day()),
        )?
        .and_hms_opt(
            u32::from(at.hour()),
            u32::from(at.minute()),
            u32::from(at.second()),
        )
        .map(|at| std::time::SystemTime::from(at.and_utc()))
    });
    let mut out = File::create(&target).map_err(|err| err.to_string())?;
    let copied = std::io::copy(&mut reader.take(limit + 1), &mut out);
    let fail = |why: String| {
        let _ = std::fs::remove_file(&target);
        Err(why)
    };
    match copied {
        Ok(n) if n > limit => {
            return fail(format!(
                "larger than the upload limit of {} MiB",
                limit / 1024 / 1024
            ));
        }
        Ok(_) => {}
        Err(err) => return fail(err.to_string()),
    }
    if let Some(modified) = modified {
        let _ = out.set_modified(modified);
    }
    Ok(target)
}

/// The album a folder is, if it is one: the title its `metadata.json` gives.
fn album_title(archives: &mut [zip::ZipArchive<File>], entries: &[Entry]) -> Option<String> {
    let metadata = entries.iter().find(|entry| {
        !sidecar::is_sidecar(&entry.file)
            && Path::new(&entry.file.to_lowercase())
                .extension()
                .is_some_and(|extension| extension == "json")
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

/// One photo of a folder, with what its sidecar says.
struct Planned {
    shown: String,
    place: Place,
    facts: Option<Sidecar>,
}

/// A folder read: its album title, its photos with their sidecars, and how
/// many edited copies are left out.
struct Folder {
    title: Option<String>,
    photos: Vec<Planned>,
    edited_skipped: u64,
}

/// Reads one folder's album title and pairs its photos with their sidecars.
fn plan(
    archives: &mut [zip::ZipArchive<File>],
    folder: &str,
    entries: &[Entry],
    options: Options,
) -> Folder {
    let photos: Vec<String> = entries
        .iter()
        .filter(|e| is_media(&e.file))
        .map(|e| e.file.clone())
        .collect();
    let files: Vec<String> = entries.iter().map(|e| e.file.clone()).collect();
    let title = album_title(archives, entries);
    // Each sidecar read once (the title pass may read them all).
    let mut read: std::collections::HashMap<usize, Option<Sidecar>> =
        std::collections::HashMap::new();
    let mut sidecar_at = |n: usize, archives: &mut [zip::ZipArchive<File>]| {
        read.entry(n)
            .or_insert_with(|| {
                read_small(archives, &entries[n].place).and_then(|bytes| Sidecar::parse(&bytes))
            })
            .clone()
    };
    let paired: Vec<(String, Option<usize>)> = sidecar::pair(&photos, &files, |n| {
        sidecar_at(n, archives).and_then(|found| found.title)
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
    let by_name: std::collections::HashMap<&str, &Entry> = entries
        .iter()
        .map(|entry| (entry.file.as_str(), entry))
        .collect();
    let mut planned = Folder {
        title,
        photos: Vec::new(),
        edited_skipped: 0,
    };
    for (photo, json) in paired {
        let named = sidecar::named(&photo);
        if named.edited && !options.with_edited && originals.contains(&named.original) {
            planned.edited_skipped += 1;
            continue;
        }
        let Some(entry) = by_name.get(photo.as_str()) else {
            continue;
        };
        planned.photos.push(Planned {
            shown: format!("{folder}/{photo}"),
            place: entry.place.clone(),
            facts: json.and_then(|n| sidecar_at(n, archives)),
        });
    }
    planned
}

/// One import under way.
struct Run<'a> {
    state: &'a AppState,
    owner: &'a user::Model,
    options: Options,
    archives: Archives,
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
    let listed = paths.to_vec();
    let (archives, folders) = blocking(move || index(&listed)).await??;
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
        archives: Arc::new(Mutex::new(archives)),
        staging: staging.path().to_path_buf(),
        report: Report::default(),
        albums: BTreeMap::new(),
    };
    let mut done = 0;
    for (folder, entries) in folders {
        let count = entries.iter().filter(|e| is_media(&e.file)).count() as u64;
        if count == 0 {
            continue;
        }
        let (archives, options) = (run.archives.clone(), run.options);
        let planned =
            blocking(move || plan(&mut archives_of(&archives), &folder, &entries, options)).await?;
        run.report.edited_skipped += planned.edited_skipped;
        for photo in &planned.photos {
            run.photo(photo, planned.title.as_deref()).await?;
            done += 1;
            progress(done, total);
        }
        done += planned.edited_skipped;
        progress(done, total);
    }
    for (title, ids) in std::mem::take(&mut run.albums) {
        match super::apply::album(state, owner, &title, &ids).await {
            Ok(true) => run.report.albums_new += 1,
            Ok(false) => run.report.albums_updated += 1,
            Err(err) => run
                .report
                .skipped
                .push((format!("the album “{title}”"), err.detail())),
        }
    }
    Ok(run.report)
}

impl Run<'_> {
    /// Imports one photo (or finds it already there) with its sidecar's
    /// facts; what cannot be is in the report with the reason.
    async fn photo(&mut self, photo: &Planned, album: Option<&str>) -> Result<(), AppError> {
        let limit = u64::from(self.state.config().library.upload_max_mib) * 1024 * 1024;
        let (path, staged) = match &photo.place {
            // On disk already: imported from where it is.
            Place::Disk(path) => (path.clone(), false),
            Place::Zip { archive, name } => {
                let (archives, archive, name, staging) = (
                    self.archives.clone(),
                    *archive,
                    name.clone(),
                    self.staging.clone(),
                );
                let extracted = blocking(move || {
                    extract(&mut archives_of(&archives), archive, &name, &staging, limit)
                })
                .await?;
                match extracted {
                    Ok(path) => (path, true),
                    Err(why) => {
                        self.report.skipped.push((photo.shown.clone(), why));
                        return Ok(());
                    }
                }
            }
        };
        let result = crate::library::uploads::import_copy(self.state, self.owner, &path).await;
        if staged {
            let _ = std::fs::remove_file(&path);
        }
        let result = match result {
            Ok(result) => result,
            Err(err) => {
                self.report
                    .skipped
                    .push((photo.shown.clone(), err.detail()));
                return Ok(());
            }
        };
        let (id, new) = match (result.status, result.asset_id) {
            (UploadStatus::Imported, Some(id)) => {
                self.report.imported += 1;
                (id, true)
            }
            (UploadStatus::Duplicate, Some(id)) => {
                self.report.merged += 1;
                (id, false)
            }
            _ => {
                let why = result
                    .reason
                    .unwrap_or_else(|| "not a photo Hearth can read".into());
                self.report.skipped.push((photo.shown.clone(), why));
                return Ok(());
            }
        };
        if let Some(facts) = &photo.facts {
            self.report.with_sidecar += 1;
            if super::apply::facts(self.state, id, facts, new).await? {
                self.report.trashed += 1;
            }
        }
        if let Some(title) = album {
            self.albums.entry(title.to_owned()).or_default().push(id);
        }
        Ok(())
    }
}
