//! A file's content type from its first bytes, not its name: a HEIC named
//! `.jpg`, an MP4 named `.jpeg` and a Live Photo's QuickTime half are each
//! served as what they are. The name only refines what the bytes cannot
//! tell apart (a camera RAW is a TIFF inside).

use crate::raw;

/// ISO base media brands of still images (HEIF, AVIF and their image
/// sequences): these files are photos, not videos.
const STILL_BRANDS: [&[u8; 4]; 12] = [
    b"heic", b"heix", b"heim", b"heis", b"mif1", b"mif2", b"mif3", b"msf1", b"avif", b"avis",
    b"avci", b"avcs",
];

/// The brands of an ISO base media file's `ftyp` box (major first), if
/// it starts with one.
fn brands(header: &[u8]) -> Option<impl Iterator<Item = &[u8]>> {
    if header.len() < 12 || &header[4..8] != b"ftyp" {
        return None;
    }
    let size = usize::try_from(u32::from_be_bytes(header[..4].try_into().ok()?)).ok()?;
    let end = size.clamp(12, header.len());
    // Major brand, minor version, then the compatible brands.
    let compatible = header.get(16..end).unwrap_or_default();
    Some(std::iter::once(&header[8..12]).chain(compatible.chunks_exact(4)))
}

/// Whether an ISO base media file is a HEIF/AVIF still (or image
/// sequence): its major brand, or any compatible brand when the major one
/// is generic (`iso8`, `mp41`…), names one, and none names a movie.
#[must_use]
pub fn is_still_iso(header: &[u8]) -> bool {
    let Some(mut brands) = brands(header) else {
        return false;
    };
    let Some(major) = brands.next() else {
        return false;
    };
    if STILL_BRANDS.iter().any(|brand| brand.as_slice() == major) {
        return true;
    }
    let rest: Vec<&[u8]> = brands.collect();
    major != b"qt  "
        && rest
            .iter()
            .any(|brand| matches!(*brand, b"avif" | b"avis" | b"heic" | b"heix"))
}

/// The content type of a file that starts with `header`, named with
/// `extension`.
#[must_use]
pub fn content_type(header: &[u8], extension: &str) -> &'static str {
    let raw = raw::is_raw_extension(extension);
    if let Some(mut brands) = brands(header) {
        let major = brands.next().unwrap_or_default();
        return match major {
            _ if raw => "image/x-raw",
            _ if is_still_iso(header) => {
                let avif = header.windows(4).any(|w| w == b"avif" || w == b"avis");
                if avif || extension.eq_ignore_ascii_case("avif") {
                    "image/avif"
                } else if matches!(major, b"heic" | b"heix" | b"heim" | b"heis") {
                    "image/heic"
                } else {
                    // Plain HEIF (what the registry calls it).
                    "image/heif"
                }
            }
            b"qt  " => "video/quicktime",
            b"3gp4" | b"3gp5" | b"3gp6" | b"3gp7" | b"3gs7" | b"3ge6" | b"3ge7" | b"3gg6" => {
                "video/3gpp"
            }
            b"3g2a" | b"3g2b" | b"3g2c" => "video/3gpp2",
            _ => "video/mp4",
        };
    }
    if header.len() >= 8 && matches!(&header[4..8], b"moov" | b"mdat" | b"wide" | b"free") {
        return "video/quicktime";
    }
    let tiff = header.starts_with(b"II*\0")
        || header.starts_with(b"MM\0*")
        || header.starts_with(b"II+\0")
        || header.starts_with(b"MM\0+");
    if tiff {
        return if raw { "image/x-raw" } else { "image/tiff" };
    }
    if header.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if header.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if header.starts_with(b"GIF87a") || header.starts_with(b"GIF89a") {
        "image/gif"
    } else if header.len() >= 12 && header.starts_with(b"RIFF") && &header[8..12] == b"WEBP" {
        "image/webp"
    } else if header.len() >= 12 && header.starts_with(b"RIFF") && &header[8..12] == b"AVI " {
        "video/x-msvideo"
    } else if header.starts_with(b"BM") {
        "image/bmp"
    } else if header.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        if header.windows(4).any(|w| w == b"webm") {
            "video/webm"
        } else {
            "video/x-matroska"
        }
    } else if raw {
        // RAF, ORF, RW2 and the like start with their maker's own magic.
        "image/x-raw"
    } else {
        "application/octet-stream"
    }
}
