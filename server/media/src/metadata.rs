//! What a photo says about itself: when it was taken (and how we know),
//! where, with what camera, which way up, how large. Read from EXIF in any
//! container kamadak-exif knows (JPEG, TIFF, HEIF/AVIF, PNG, WebP) and from
//! the image header; a file name or modification time when nothing better
//! exists. Never decodes pixels.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

pub use crate::exif_fields::read_from;
use crate::{video, xmp};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset as _, Utc};

/// Where a capture time came from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakenSource {
    /// EXIF `DateTimeOriginal`.
    ExifOriginal,
    /// EXIF `DateTimeDigitized` (`CreateDate`).
    ExifDigitized,
    /// XMP (`exif:DateTimeOriginal`, `photoshop:DateCreated`, `xmp:CreateDate`).
    Xmp,
    /// IPTC `DateCreated` and `TimeCreated` (newsroom and scanning software).
    Iptc,
    /// EXIF `DateTime` (last modified by the camera or an editor).
    ExifModified,
    /// A date in the file name (`IMG_20190704_…`, `PXL_…`, `Screenshot_…`).
    FileName,
    /// A video's QuickTime `CreateDate` (UTC).
    QuickTime,
    /// A video's recorded wall-clock time without an offset (AVI's `IDIT`).
    VideoLocal,
    /// The file's modification time.
    FileModified,
}

impl TakenSource {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExifOriginal => "exif_original",
            Self::ExifDigitized => "exif_digitized",
            Self::Xmp => "xmp",
            Self::Iptc => "iptc",
            Self::ExifModified => "exif_modified",
            Self::QuickTime => "quicktime",
            Self::VideoLocal => "video_local",
            Self::FileName => "file_name",
            Self::FileModified => "file_modified",
        }
    }
}

/// When a photo was taken: the camera's wall-clock time, and its UTC offset
/// when the file records one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub local: NaiveDateTime,
    pub offset: Option<FixedOffset>,
    pub source: TakenSource,
}

impl Taken {
    /// The instant, when the offset is known.
    #[must_use]
    pub fn utc(&self) -> Option<DateTime<Utc>> {
        let offset = self.offset?;
        self.local
            .and_local_timezone(offset)
            .single()
            .map(|at| at.with_timezone(&Utc))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gps {
    /// Signed decimal degrees, WGS84.
    pub latitude: f64,
    pub longitude: f64,
    pub altitude: Option<f64>,
}

/// Everything read from one file's headers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub taken: Option<Taken>,
    pub gps: Option<Gps>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    /// Seconds, e.g. 0.004 for 1/250.
    pub exposure_time: Option<f64>,
    pub f_number: Option<f64>,
    pub iso: Option<u32>,
    /// Millimetres.
    pub focal_length: Option<f64>,
    /// The EXIF orientation (1–8) a decoder must still apply. HEIF and
    /// AVIF carry their rotation in the container (`irot`, `imir`), which
    /// their decoder applies, so theirs is 1.
    pub orientation: u8,
    /// Dimensions as displayed, orientation applied.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// From XMP (a sidecar wins over the embedded packet).
    pub title: Option<String>,
    pub description: Option<String>,
    pub rating: Option<i8>,
    pub keywords: Vec<String>,
    /// Apple's content identifier (MakerNote `MediaGroupUUID`): the still of
    /// a Live Photo carries the same one as its video.
    pub content_id: Option<String>,
    /// Videos: length in milliseconds.
    pub duration_ms: Option<i64>,
}

impl Metadata {
    /// No capture time, or only one guessed from the file name or mtime.
    #[must_use]
    pub fn date_is_a_guess(&self) -> bool {
        self.taken.is_none_or(|taken| {
            matches!(
                taken.source,
                TakenSource::FileName | TakenSource::FileModified
            )
        })
    }
}

/// How far into a file an embedded XMP packet is looked for.
const XMP_SCAN: u64 = 2 * 1024 * 1024;
/// A sidecar larger than this is not an XMP sidecar.
const SIDECAR_MAX: u64 = 1024 * 1024;

/// Reads a file's metadata. A file without EXIF, or with broken EXIF, still
/// gets its dimensions and a capture time from its name or mtime.
pub fn read(path: &Path) -> std::io::Result<Metadata> {
    let file = File::open(path)?;
    let modified = file.metadata()?.modified().ok().map(DateTime::<Utc>::from);
    let mut reader = BufReader::new(file);
    let mut metadata = read_from(&mut reader);
    let mut header = [0u8; 64];
    reader.rewind()?;
    let filled = read_up_to(&mut reader, &mut header)?;
    let heif = matches!(
        imagesize::image_type(&header[..filled]),
        Ok(imagesize::ImageType::Heif(_))
    );
    if heif {
        metadata.orientation = 1;
    }
    let stored = match imagesize::image_type(&header[..filled]) {
        // Its header holds its size (signed: top-down rows are negative).
        Ok(imagesize::ImageType::Bmp) => crate::size::dimensions(&header[..filled]),
        _ => imagesize::size(path)
            .ok()
            .map(|size| (size.width as u64, size.height as u64)),
    };
    if let Some((width, height)) = stored {
        // imagesize applies a HEIF's irot; other formats need the EXIF turn.
        let (w, h) = (u32::try_from(width).ok(), u32::try_from(height).ok());
        (metadata.width, metadata.height) = if metadata.orientation >= 5 {
            (h, w)
        } else {
            (w, h)
        };
    }
    reader.rewind()?;
    let mut prefix = Vec::new();
    (&mut reader).take(XMP_SCAN).read_to_end(&mut prefix)?;
    let embedded = xmp::find_packet(&prefix).map(xmp::parse);
    let sidecar = sidecar(path).map(|bytes| xmp::parse(xmp::find_packet(&bytes).unwrap_or(&bytes)));
    for found in [embedded, sidecar].into_iter().flatten() {
        apply_xmp(&mut metadata, found);
    }
    if metadata
        .taken
        .is_none_or(|taken| taken.source == TakenSource::ExifModified)
        && let Some((local, offset)) =
            crate::iptc::find(&mut reader).and_then(|r| crate::iptc::taken(&r))
    {
        metadata.taken = Some(Taken {
            local,
            offset,
            source: TakenSource::Iptc,
        });
    }
    if video::container(&header[..filled]) == Some(video::Container::QuickTime) {
        reader.rewind()?;
        if let Ok(info) = video::read_quicktime(&mut reader) {
            apply_video(&mut metadata, info);
        }
    }
    if metadata.taken.is_none() {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        metadata.taken = date_in_file_name(name).or_else(|| {
            modified.map(|at| Taken {
                local: at.naive_utc(),
                offset: Some(Utc.fix()),
                source: TakenSource::FileModified,
            })
        });
    }
    Ok(metadata)
}

/// A video's container facts fill what XMP left empty.
pub fn apply_video(metadata: &mut Metadata, info: video::VideoInfo) {
    if metadata.taken.is_none()
        && let Some(created) = info.created
    {
        let offset = info.offset.unwrap_or(Utc.fix());
        metadata.taken = Some(Taken {
            local: created.with_timezone(&offset).naive_local(),
            offset: Some(offset),
            source: TakenSource::QuickTime,
        });
    }
    if metadata.taken.is_none()
        && let Some(local) = info.created_local
    {
        metadata.taken = Some(Taken {
            local,
            offset: None,
            source: TakenSource::VideoLocal,
        });
    }
    if metadata.gps.is_none()
        && let (Some(latitude), Some(longitude)) = (info.latitude, info.longitude)
    {
        metadata.gps = Some(Gps {
            latitude,
            longitude,
            altitude: None,
        });
    }
    metadata.width = metadata.width.or(info.width);
    metadata.height = metadata.height.or(info.height);
    metadata.make = metadata.make.take().or(info.make);
    metadata.model = metadata.model.take().or(info.model);
    metadata.content_id = metadata.content_id.take().or(info.content_id);
    metadata.duration_ms = metadata.duration_ms.or(info.duration_ms);
}

/// `photo.jpg.xmp` or `photo.xmp` beside the file.
fn sidecar(path: &Path) -> Option<Vec<u8>> {
    let mut with_suffix = path.as_os_str().to_owned();
    with_suffix.push(".xmp");
    [
        std::path::PathBuf::from(with_suffix),
        path.with_extension("xmp"),
    ]
    .into_iter()
    .find(|candidate| {
        candidate
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() <= SIDECAR_MAX)
    })
    .and_then(|candidate| std::fs::read(candidate).ok())
}

/// XMP fills what EXIF left empty; its own fields (title…) replace earlier
/// ones, so a sidecar, applied last, wins.
fn apply_xmp(metadata: &mut Metadata, found: xmp::Xmp) {
    let exif_date = metadata.taken.is_some_and(|taken| {
        matches!(
            taken.source,
            TakenSource::ExifOriginal | TakenSource::ExifDigitized
        )
    });
    if let (false, Some((local, offset))) = (exif_date, found.taken) {
        metadata.taken = Some(Taken {
            local,
            offset,
            source: TakenSource::Xmp,
        });
    }
    if metadata.gps.is_none() {
        metadata.gps = found.gps.map(|(latitude, longitude)| Gps {
            latitude,
            longitude,
            altitude: None,
        });
    }
    metadata.make = metadata.make.take().or(found.make);
    metadata.model = metadata.model.take().or(found.model);
    metadata.title = found.title.or(metadata.title.take());
    metadata.description = found.description.or(metadata.description.take());
    metadata.rating = found.rating.or(metadata.rating);
    if !found.keywords.is_empty() {
        metadata.keywords = found.keywords;
    }
}

fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// A capture time in a file name: `IMG_20190704_153012`, `PXL_20230102_…`,
/// `Screenshot_2021-03-04-10-11-12`, `2019-07-04 15.30.12`, `VID-20200101-WA0001`.
#[must_use]
pub fn date_in_file_name(name: &str) -> Option<Taken> {
    // The digits alone, in order: a plausible date, then up to 6 more for the time.
    let joined: String = name.chars().filter(char::is_ascii_digit).collect();
    if joined.len() < 8 {
        return None;
    }
    for start in 0..=joined.len().saturating_sub(8) {
        let candidate = &joined[start..];
        let year: i32 = candidate.get(..4)?.parse().ok()?;
        if !(1990..=2100).contains(&year) {
            continue;
        }
        let month: u32 = candidate.get(4..6)?.parse().ok()?;
        let day: u32 = candidate.get(6..8)?.parse().ok()?;
        let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
            continue;
        };
        let time = candidate
            .get(8..14)
            .and_then(|t| {
                NaiveTime::from_hms_opt(
                    t.get(..2)?.parse().ok()?,
                    t.get(2..4)?.parse().ok()?,
                    t.get(4..6)?.parse().ok()?,
                )
            })
            .unwrap_or(NaiveTime::MIN);
        return Some(Taken {
            local: date.and_time(time),
            offset: None,
            source: TakenSource::FileName,
        });
    }
    None
}
