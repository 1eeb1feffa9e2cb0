//! Camera RAW files (DNG, CR2, CR3, NEF, ARW, RAF, ORF, RW2…) carry a
//! full-size or large JPEG rendered by the camera. Hearth shows that
//! preview rather than developing the sensor data: it is what the
//! photographer saw on the camera, and it costs one JPEG decode.

/// File extensions of the RAW formats Hearth imports through their preview.
pub const EXTENSIONS: [&str; 11] = [
    "dng", "cr2", "cr3", "nef", "nrw", "arw", "raf", "orf", "rw2", "pef", "srw",
];

#[must_use]
pub fn is_raw_extension(extension: &str) -> bool {
    EXTENSIONS
        .iter()
        .any(|raw| raw.eq_ignore_ascii_case(extension))
}

/// At most this many embedded JPEG candidates are examined.
const MAX_CANDIDATES: usize = 64;

/// The largest baseline or progressive JPEG inside `bytes`, as a slice that
/// starts at its SOI marker (decoders stop at its EOI).
#[must_use]
pub fn largest_preview(bytes: &[u8]) -> Option<&[u8]> {
    let mut best: Option<(u64, usize)> = None;
    let mut candidates = 0;
    let mut at = 0;
    while let Some(found) = find_soi(&bytes[at..]) {
        let start = at + found;
        at = start + 3;
        candidates += 1;
        if candidates > MAX_CANDIDATES {
            break;
        }
        if let Some((width, height)) = jpeg_frame(&bytes[start..]) {
            let area = u64::from(width) * u64::from(height);
            if best.is_none_or(|(largest, _)| area > largest) {
                best = Some((area, start));
            }
        }
    }
    best.map(|(_, start)| &bytes[start..])
}

fn find_soi(bytes: &[u8]) -> Option<usize> {
    bytes.windows(3).position(|w| w == [0xFF, 0xD8, 0xFF])
}

/// Walks a JPEG's marker segments to its frame header and returns the size
/// if the frame is one a normal decoder handles (SOF0, SOF1, SOF2; not the
/// lossless JPEG that some RAW formats use for sensor data).
fn jpeg_frame(bytes: &[u8]) -> Option<(u16, u16)> {
    let mut at = 2;
    for _ in 0..64 {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        match marker {
            0xC0..=0xC2 => {
                let height = u16::from_be_bytes([*bytes.get(at + 5)?, *bytes.get(at + 6)?]);
                let width = u16::from_be_bytes([*bytes.get(at + 7)?, *bytes.get(at + 8)?]);
                return (width > 0 && height > 0).then_some((width, height));
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF | 0xD9 | 0xDA => return None,
            _ => at += 2 + length,
        }
    }
    None
}
