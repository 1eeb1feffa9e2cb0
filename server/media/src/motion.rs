//! Motion photos: Samsung and Google phones append a short video to the
//! still (JPEG or HEIC) and say where it is, in XMP (`GCamera:MicroVideo`
//! with `MicroVideoOffset`, counted from the file's end; or the newer
//! `Camera:MotionPhoto` with a `Container:Directory` whose `MotionPhoto`
//! item gives the video's length and the padding after it) or, in a
//! Samsung HEIC, a top-level `mpvd` box. Hearth plays that video like a
//! Live Photo's.

use std::ops::Range;

use crate::xmp;

/// How far into a file its XMP packet is looked for.
const XMP_SCAN: usize = 2 * 1024 * 1024;

/// Where the video embedded in a motion photo lies, if it has one that
/// starts as an MP4 or QuickTime file does.
#[must_use]
pub fn embedded_video(bytes: &[u8]) -> Option<Range<usize>> {
    let found = mpvd_box(bytes).or_else(|| {
        let packet = xmp::find_packet(&bytes[..bytes.len().min(XMP_SCAN)])?;
        let hint = xmp::parse(packet).motion?;
        let start = bytes
            .len()
            .checked_sub(usize::try_from(hint.from_end).ok()?)?;
        let end = bytes
            .len()
            .checked_sub(usize::try_from(hint.padding).ok()?)?;
        Some(start..end)
    })?;
    let video = bytes.get(found.clone())?;
    (found.len() > 16 && video.get(4..8) == Some(b"ftyp".as_slice())).then_some(found)
}

/// The data of a HEIC's top-level `mpvd` box (Samsung's motion video).
fn mpvd_box(bytes: &[u8]) -> Option<Range<usize>> {
    if bytes.get(4..8) != Some(b"ftyp".as_slice()) {
        return None;
    }
    let mut at = 0usize;
    while at.checked_add(8)? <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?);
        let (header, size) = match size {
            0 => (8, bytes.len() - at),
            1 => {
                let large = u64::from_be_bytes(bytes.get(at + 8..at + 16)?.try_into().ok()?);
                (16, usize::try_from(large).ok()?)
            }
            size => (8, usize::try_from(size).ok()?),
        };
        if size < header {
            return None;
        }
        let end = at.checked_add(size)?.min(bytes.len());
        if &bytes[at + 4..at + 8] == b"mpvd" {
            return Some(at + header..end);
        }
        at = end;
    }
    None
}
