//! Canon's CR3: an ISO base media file (`ftyp` brand `crx `) whose movie
//! box holds Canon's metadata box (a `uuid` box with Canon's id), in which
//! `CMT1` is IFD0, `CMT2` the Exif directory and `CMT4` the GPS directory,
//! each a complete TIFF of its own. Box headers are read and their data
//! skipped; only the `CMT` boxes (each at most `MAX_PART`) are read.

use std::io::{Read, Seek, SeekFrom};

/// Canon's metadata box: `uuid` 85c0b687-820f-11e0-8111-f4ce462b6a48.
const CANON: [u8; 16] = [
    0x85, 0xC0, 0xB6, 0x87, 0x82, 0x0F, 0x11, 0xE0, 0x81, 0x11, 0xF4, 0xCE, 0x46, 0x2B, 0x6A, 0x48,
];
/// A metadata directory larger than this is not one.
const MAX_PART: u64 = 1024 * 1024;

/// A CR3's directories, each a TIFF.
#[derive(Debug, Default)]
pub struct Parts {
    pub ifd0: Vec<u8>,
    pub exif: Option<Vec<u8>>,
    pub gps: Option<Vec<u8>>,
}

/// The box headers from `start` to `end`: (type, data start, data end).
pub(crate) fn boxes<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    end: u64,
) -> Vec<([u8; 4], u64, u64)> {
    let mut found = Vec::new();
    let mut at = start;
    while at + 8 <= end && found.len() < 256 {
        let mut header = [0u8; 8];
        if reader.seek(SeekFrom::Start(at)).is_err() || reader.read_exact(&mut header).is_err() {
            break;
        }
        let size = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let kind = [header[4], header[5], header[6], header[7]];
        let (data, size) = match size {
            0 => (at + 8, end - at),
            1 => {
                let mut large = [0u8; 8];
                if reader.read_exact(&mut large).is_err() {
                    break;
                }
                (at + 16, u64::from_be_bytes(large))
            }
            size => (at + 8, size),
        };
        if size < data - at {
            break;
        }
        let box_end = at.saturating_add(size).min(end);
        found.push((kind, data, box_end));
        at = box_end;
    }
    found
}

/// The directories of a CR3 file, if it is one.
pub fn exif_parts<R: Read + Seek>(reader: &mut R) -> Option<Parts> {
    let end = reader.seek(SeekFrom::End(0)).ok()?;
    let top = boxes(reader, 0, end);
    let (kind, data, _) = top.first()?;
    let mut brand = [0u8; 4];
    reader.seek(SeekFrom::Start(*data)).ok()?;
    reader.read_exact(&mut brand).ok()?;
    if kind != b"ftyp" || &brand != b"crx " {
        return None;
    }
    let (_, moov, moov_end) = top.iter().find(|(kind, ..)| kind == b"moov")?;
    let (canon, canon_end) =
        boxes(reader, *moov, *moov_end)
            .into_iter()
            .find_map(|(kind, data, end)| {
                let mut id = [0u8; 16];
                (&kind == b"uuid"
                    && reader.seek(SeekFrom::Start(data)).is_ok()
                    && reader.read_exact(&mut id).is_ok()
                    && id == CANON)
                    .then_some((data + 16, end))
            })?;
    let mut parts = Parts::default();
    for (kind, data, end) in boxes(reader, canon, canon_end) {
        let slot = match &kind {
            b"CMT1" => None,
            b"CMT2" => Some(&mut parts.exif),
            b"CMT4" => Some(&mut parts.gps),
            _ => continue,
        };
        if end - data > MAX_PART {
            continue;
        }
        let mut tiff = vec![0u8; usize::try_from(end - data).ok()?];
        reader.seek(SeekFrom::Start(data)).ok()?;
        reader.read_exact(&mut tiff).ok()?;
        match slot {
            None => parts.ifd0 = tiff,
            Some(slot) => *slot = Some(tiff),
        }
    }
    (!parts.ifd0.is_empty()).then_some(parts)
}
