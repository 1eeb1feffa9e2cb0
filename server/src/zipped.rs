//! Zip archives of originals: takeout's (written to disk) and downloads of
//! a selection or an album (streamed as they are written, never held in
//! memory). Entries are stored (photos and videos are compressed already),
//! zip64 past 4 GiB, each dated as its photo was taken.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Datelike as _, NaiveDateTime, Timelike as _};
use poem::Body;
use zip::write::SimpleFileOptions;

use crate::db::entities::asset;
use crate::error::AppError;

/// An entry dated `at` (local time, as zip keeps it).
#[must_use]
pub fn options(at: NaiveDateTime) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true)
        .last_modified_time(zip_time(at))
}

/// A zip date: zip counts from 1980 to 2107, so a photo from before
/// takes the first day it can hold.
fn zip_time(at: NaiveDateTime) -> zip::DateTime {
    let part = |value: u32| u8::try_from(value).unwrap_or(0);
    u16::try_from(at.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                part(at.month()),
                part(at.day()),
                part(at.hour()),
                part(at.minute()),
                part(at.second()),
            )
            .ok()
        })
        .unwrap_or_default()
}

/// When the photo was taken (local time when known), for its entries.
#[must_use]
pub fn taken_at(one: &asset::Model) -> NaiveDateTime {
    one.taken_local
        .as_deref()
        .and_then(|t| t.parse::<NaiveDateTime>().ok())
        .unwrap_or_else(|| one.sort_at.naive_utc())
}

/// The names an archive holds so far.
#[derive(Default)]
pub struct Names(HashSet<String>);

impl Names {
    /// An archive path for `path`'s file name (in `folder`, when given)
    /// not used before: `IMG_1.jpg`, then `IMG_1 (2).jpg`.
    pub fn unique(&mut self, folder: Option<&str>, path: &Path) -> String {
        let name = crate::library::uploads::safe_name(
            &path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let (stem, extension) = match name.rsplit_once('.') {
            Some((stem, extension)) if !stem.is_empty() => {
                (stem.to_owned(), format!(".{extension}"))
            }
            _ => (name.clone(), String::new()),
        };
        let within = |file: &str| folder.map_or_else(|| file.to_owned(), |f| format!("{f}/{file}"));
        let mut candidate = within(&name);
        let mut n = 2;
        while !self.0.insert(candidate.to_lowercase()) {
            candidate = within(&format!("{stem} ({n}){extension}"));
            n += 1;
        }
        candidate
    }
}

/// One file of a streamed archive.
pub struct Entry {
    pub name: String,
    pub path: PathBuf,
    pub at: NaiveDateTime,
}

/// The entries for `assets`' originals (and Live Photos' motion), named
/// uniquely; assets whose file is missing are left out.
pub async fn entries(
    state: &crate::state::AppState,
    assets: &[asset::Model],
) -> Result<Vec<Entry>, AppError> {
    let mut names = Names::default();
    let mut out = Vec::new();
    for one in assets {
        let at = taken_at(one);
        for role in ["original", "motion"] {
            if let Some(path) = crate::library::locate(state, one.id, role).await?
                && path.is_file()
            {
                out.push(Entry {
                    name: names.unique(None, &path),
                    path,
                    at,
                });
            }
        }
    }
    Ok(out)
}

/// The bytes written so far go to the response in chunks of this size.
const CHUNK: usize = 256 * 1024;
/// A browser that reads nothing for this long loses its download.
const STALLED: std::time::Duration = std::time::Duration::from_mins(2);
/// Zips written at once, for everyone together: each holds a blocking
/// thread while it runs.
const AT_ONCE: usize = 4;

/// The permits for running zips.
fn running() -> &'static std::sync::Arc<tokio::sync::Semaphore> {
    static RUNNING: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    RUNNING.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(AT_ONCE)))
}

/// Sends what the zip writer writes to the response, a chunk at a time; a
/// full channel makes the writer wait (the download's pace).
struct Sender {
    buffer: Vec<u8>,
    channel: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
}

impl Sender {
    /// Hands a chunk on, waiting while the browser is behind, but not
    /// forever: one that stops reading for `STALLED` ends the download
    /// (a blocking thread is not held by a reader that went quiet).
    fn send(&mut self) -> std::io::Result<()> {
        use tokio::sync::mpsc::error::TrySendError;
        if self.buffer.is_empty() {
            return Ok(());
        }
        let mut chunk = Ok(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        let since = std::time::Instant::now();
        loop {
            match self.channel.try_send(chunk) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Closed(_)) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::BrokenPipe,
                        "the download was stopped",
                    ));
                }
                Err(TrySendError::Full(back)) if since.elapsed() < STALLED => {
                    chunk = back;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(TrySendError::Full(_)) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the browser stopped reading",
                    ));
                }
            }
        }
    }
}

impl Write for Sender {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// A zip of `entries` as a response body, written while it is sent (a few
/// chunks in memory at most). A file that cannot be read ends the archive
/// early, and the browser reports the download as failed. At most
/// `AT_ONCE` are written at a time: another is refused (503), to be asked
/// for again in a moment.
pub fn stream(entries: Vec<Entry>) -> Result<Body, AppError> {
    let permit = running().clone().try_acquire_owned().map_err(|_| {
        AppError::Unavailable("Other downloads are being made: try again in a minute.".into())
    })?;
    let (channel, mut receiver) = tokio::sync::mpsc::channel(4);
    let failed = channel.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let sender = Sender {
            buffer: Vec::with_capacity(CHUNK),
            channel,
        };
        let written = (|| -> std::io::Result<()> {
            let mut zip = zip::ZipWriter::new_stream(sender);
            for entry in entries {
                let mut file = std::fs::File::open(&entry.path)?;
                zip.start_file(entry.name, options(entry.at))
                    .map_err(std::io::Error::other)?;
                std::io::copy(&mut file, &mut zip)?;
            }
            zip.finish().map_err(std::io::Error::other)?.flush()
        })();
        if let Err(err) = written {
            tracing::info!(error = %err, "a zip download ended early");
            let _ = failed.try_send(Err(err));
        }
    });
    Ok(Body::from_bytes_stream(futures_util::stream::poll_fn(
        move |cx| receiver.poll_recv(cx),
    )))
}
