//! What a video's container says, read without ffmpeg: QuickTime and MP4
//! (`.mov`, `.mp4`, `.m4v`, `.3gp`) boxes give the duration, the creation
//! time (UTC), the picture size and rotation, the place (ISO 6709) and
//! Apple's content identifier that pairs a Live Photo's video with its still.
//! Every length is checked against the file before anything is read.

use std::io::{Read, Seek, SeekFrom};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// The container families Hearth recognises by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// ISO base media: MP4, MOV, 3GP.
    QuickTime,
    Matroska,
    Avi,
}

/// Recognises a video by its first bytes (at least 12).
#[must_use]
pub fn container(header: &[u8]) -> Option<Container> {
    if header.len() >= 12 && &header[4..8] == b"ftyp" {
        // HEIF and AVIF stills (and image sequences) share the ftyp box;
        // they are not videos.
        return (!crate::sniff::is_still_iso(header)).then_some(Container::QuickTime);
    }
    if header.len() >= 8 && matches!(&header[4..8], b"moov" | b"mdat" | b"wide" | b"free") {
        return Some(Container::QuickTime);
    }
    if header.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some(Container::Matroska);
    }
    if header.len() >= 12 && &header[..4] == b"RIFF" && &header[8..12] == b"AVI " {
        return Some(Container::Avi);
    }
    None
}

/// Facts about a video; each may be missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoInfo {
    pub duration_ms: Option<i64>,
    /// The picture as shown (rotation applied).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// When recording started, in UTC (QuickTime's `CreateDate`).
    pub created: Option<DateTime<Utc>>,
    /// The local offset, when the camera wrote one
    /// (`com.apple.quicktime.creationdate`).
    pub offset: Option<FixedOffset>,
    /// When recording started on the camera's clock, without an offset
    /// (AVI's `IDIT`, as ffprobe reads it).
    pub created_local: Option<chrono::NaiveDateTime>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// `com.apple.quicktime.content.identifier`: the Live Photo pairing id.
    pub content_id: Option<String>,
}

/// Boxes deeper than this are not followed (a hostile file can nest forever).
const MAX_DEPTH: usize = 8;
/// Leaf boxes larger than this are not read into memory.
const MAX_LEAF: u64 = 1024 * 1024;

/// Reads the `moov` box of a QuickTime/MP4 file.
pub fn read_quicktime<R: Read + Seek>(reader: &mut R) -> std::io::Result<VideoInfo> {
    let end = reader.seek(SeekFrom::End(0))?;
    let mut parser = Parser {
        reader,
        info: VideoInfo::default(),
        keys: Vec::new(),
        rotation: 0,
        size: None,
    };
    parser.walk(0, end, 0)?;
    let mut info = parser.info;
    if let Some((w, h)) = parser.size {
        (info.width, info.height) = if parser.rotation % 180 == 90 {
            (Some(h), Some(w))
        } else {
            (Some(w), Some(h))
        };
    }
    Ok(info)
}

struct Parser<'a, R> {
    reader: &'a mut R,
    info: VideoInfo,
    /// Names of `mdta` keys, in order (`ilst` items refer to them by index).
    keys: Vec<String>,
    rotation: u32,
    size: Option<(u32, u32)>,
}

impl<R: Read + Seek> Parser<'_, R> {
    fn walk(&mut self, start: u64, end: u64, depth: usize) -> std::io::Result<()> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        let mut at = start;
        while at + 8 <= end {
            self.reader.seek(SeekFrom::Start(at))?;
            let mut head = [0u8; 8];
            self.reader.read_exact(&mut head)?;
            let mut size = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
            let kind: [u8; 4] = [head[4], head[5], head[6], head[7]];
            let mut body = at + 8;
            if size == 1 {
                let mut large = [0u8; 8];
                self.reader.read_exact(&mut large)?;
                size = u64::from_be_bytes(large);
                body += 8;
            } else if size == 0 {
                size = end - at;
            }
            let Some(box_end) = at.checked_add(size).filter(|e| *e <= end && size >= 8) else {
                return Ok(());
            };
            if body > box_end {
                return Ok(());
            }
            self.visit(kind, body, box_end, depth)?;
            at = box_end;
        }
        Ok(())
    }

    fn visit(&mut self, kind: [u8; 4], body: u64, end: u64, depth: usize) -> std::io::Result<()> {
        match &kind {
            b"moov" | b"trak" | b"mdia" | b"minf" | b"udta" | b"edts" => {
                self.walk(body, end, depth + 1)?;
            }
            b"meta" => {
                // ISO `meta` is a full box (4 bytes of version and flags
                // first); QuickTime's is a plain container.
                let mut peek = [0u8; 4];
                self.reader.seek(SeekFrom::Start(body))?;
                let full = self.reader.read_exact(&mut peek).is_ok() && peek == [0; 4];
                self.walk(body + if full { 4 } else { 0 }, end, depth + 1)?;
            }
            b"mvhd" | b"tkhd" | b"keys" | b"ilst" | b"\xa9xyz" | b"\xa9mak" | b"\xa9mod"
            | b"loci"
                if end - body <= MAX_LEAF =>
            {
                let mut data = vec![0u8; usize::try_from(end - body).unwrap_or(0)];
                self.reader.seek(SeekFrom::Start(body))?;
                self.reader.read_exact(&mut data)?;
                self.leaf(kind, &data);
            }
            _ => {}
        }
        Ok(())
    }

    fn leaf(&mut self, kind: [u8; 4], data: &[u8]) {
        match &kind {
            b"mvhd" => self.movie_header(data),
            b"tkhd" => self.track_header(data),
            b"keys" => self.keys = keys(data),
            b"ilst" => self.items(data),
            b"\xa9xyz" => {
                // A 16-bit length, a 16-bit language, then the text.
                if let Some(text) = data.get(4..).map(String::from_utf8_lossy) {
                    self.location(&text);
                }
            }
            b"loci" => self.loci(data),
            b"\xa9mak" | b"\xa9mod" => {
                let text = data
                    .get(4..)
                    .map(String::from_utf8_lossy)
                    .map(|t| t.trim().to_owned());
                let slot = if &kind == b"\xa9mak" {
                    &mut self.info.make
                } else {
                    &mut self.info.model
                };
                if slot.is_none() {
                    *slot = text.filter(|t| !t.is_empty());
                }
            }
            _ => {}
        }
    }

    fn movie_header(&mut self, data: &[u8]) {
        let version = data.first().copied().unwrap_or(0);
        let (created, timescale, duration) = if version == 1 {
            (be64(data, 4), be32(data, 20).map(u64::from), be64(data, 24))
        } else {
            (
                be32(data, 4).map(u64::from),
                be32(data, 12).map(u64::from),
                be32(data, 16).map(u64::from),
            )
        };
        // Seconds since 1904-01-01 UTC; 0 means the camera did not say.
        let epoch_1904 = NaiveDate::from_ymd_opt(1904, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc());
        if let (Some(seconds), Some(epoch)) = (created.filter(|s| *s > 0), epoch_1904) {
            let at = i64::try_from(seconds)
                .ok()
                .and_then(|s| epoch.checked_add_signed(chrono::TimeDelta::seconds(s)));
            // A year before 1971 is a clock that was never set.
            if let Some(at) = at.filter(|at| at.timestamp() > 365 * 86_400) {
                self.info.created = Some(at);
            }
        }
        if let (Some(scale), Some(duration)) = (timescale.filter(|s| *s > 0), duration) {
            self.info.duration_ms =
                i64::try_from(u128::from(duration) * 1000 / u128::from(scale)).ok();
        }
    }

    fn track_header(&mut self, data: &[u8]) {
        let version = data.first().copied().unwrap_or(0);
        let matrix_at = if version == 1 { 52 } else { 40 };
        let (Some(w), Some(h)) = (be32(data, matrix_at + 36), be32(data, matrix_at + 40)) else {
            return;
        };
        let (w, h) = (w >> 16, h >> 16);
        // The first track with a picture is the video.
        if w == 0 || h == 0 || self.size.is_some() {
            return;
        }
        self.size = Some((w, h));
        let a = be32(data, matrix_at).map(u32::cast_signed);
        let b = be32(data, matrix_at + 4).map(u32::cast_signed);
        self.rotation = match (a, b) {
            (Some(0), Some(b)) if b > 0 => 90,
            (Some(a), Some(0)) if a < 0 => 180,
            (Some(0), Some(b)) if b < 0 => 270,
            _ => 0,
        };
    }

    fn items(&mut self, data: &[u8]) {
        let mut at = 0;
        while at + 8 <= data.len() {
            let Some(size) = be32(data, at).and_then(|s| usize::try_from(s).ok()) else {
                return;
            };
            if size < 8 || at + size > data.len() {
                return;
            }
            let index = be32(data, at + 4).and_then(|i| usize::try_from(i).ok());
            let item = &data[at + 8..at + size];
            // Inside: a `data` box: size, "data", type (4), locale (4), value.
            if item.len() >= 16 && &item[4..8] == b"data" {
                let value = String::from_utf8_lossy(&item[16..]).trim().to_owned();
                let key = index
                    .and_then(|i| i.checked_sub(1))
                    .and_then(|i| self.keys.get(i))
                    .cloned();
                if let Some(key) = key {
                    self.item(&key, value);
                }
            }
            at += size;
        }
    }

    fn item(&mut self, key: &str, value: String) {
        if value.is_empty() {
            return;
        }
        match key {
            "com.apple.quicktime.content.identifier" => self.info.content_id = Some(value),
            "com.apple.quicktime.location.ISO6709" => self.location(&value),
            "com.apple.quicktime.make" => self.info.make = Some(value),
            "com.apple.quicktime.model" => self.info.model = Some(value),
            "com.apple.quicktime.creationdate" => {
                if let Ok(at) = DateTime::parse_from_str(&value, "%Y-%m-%dT%H:%M:%S%z") {
                    self.info.offset = Some(*at.offset());
                    self.info.created.get_or_insert(at.with_timezone(&Utc));
                }
            }
            _ => {}
        }
    }

    /// ISO 6709: `+37.3349-122.0090+010.000/`.
    /// 3GPP's location box (phones and camcorders that write 3GP): version
    /// and flags, a language, a NUL-terminated name, a role, then
    /// longitude, latitude and altitude as signed 16.16 fixed point.
    fn loci(&mut self, data: &[u8]) {
        let Some(name_end) = data
            .get(6..)
            .and_then(|rest| rest.iter().position(|b| *b == 0))
        else {
            return;
        };
        // After the name's NUL and the role byte.
        let at = 6 + name_end + 2;
        let fixed = |offset: usize| {
            let bytes: [u8; 4] = data.get(at + offset..at + offset + 4)?.try_into().ok()?;
            Some(f64::from(i32::from_be_bytes(bytes)) / 65536.0)
        };
        if let (Some(longitude), Some(latitude)) = (fixed(0), fixed(4)) {
            self.place(latitude, longitude);
        }
    }

    fn location(&mut self, text: &str) {
        let numbers: Vec<f64> = split_signed(text)
            .iter()
            .filter_map(|part| part.parse().ok())
            .collect();
        if let [latitude, longitude, ..] = numbers[..] {
            self.place(latitude, longitude);
        }
    }

    /// The first valid place found wins (0°, 0° is no place).
    fn place(&mut self, latitude: f64, longitude: f64) {
        let valid = (-90.0..=90.0).contains(&latitude)
            && (-180.0..=180.0).contains(&longitude)
            && !(latitude == 0.0 && longitude == 0.0);
        if valid && self.info.latitude.is_none() {
            self.info.latitude = Some(latitude);
            self.info.longitude = Some(longitude);
        }
    }
}

/// `+37.3-122.0+10/` → `["+37.3", "-122.0", "+10"]`.
fn split_signed(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for c in text.chars() {
        match c {
            '+' | '-' => parts.push(c.to_string()),
            '0'..='9' | '.' => {
                if let Some(last) = parts.last_mut() {
                    last.push(c);
                }
            }
            _ => break,
        }
    }
    parts
}

/// The `keys` box: version/flags, a count, then (size, namespace, name).
fn keys(data: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 8;
    while at + 8 <= data.len() {
        let Some(size) = be32(data, at).and_then(|s| usize::try_from(s).ok()) else {
            break;
        };
        if size < 8 || at + size > data.len() {
            break;
        }
        names.push(String::from_utf8_lossy(&data[at + 8..at + size]).into_owned());
        at += size;
    }
    names
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at + 4)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

fn be64(data: &[u8], at: usize) -> Option<u64> {
    let bytes: [u8; 8] = data.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}
