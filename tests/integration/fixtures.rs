//! Small files made by the tests, each with exactly what a test checks: a
//! JPEG with a chosen capture time, distinct pixels per seed, hostile files.

use image::{ImageEncoder, Rgb, RgbImage};

/// A JPEG of `width`×`height` whose pixels depend on `seed`, with EXIF
/// `DateTimeOriginal` = `taken` (`YYYY:MM:DD HH:MM:SS`) when given.
pub fn jpeg(width: u32, height: u32, seed: u8, taken: Option<&str>) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            u8::try_from(x * 7 % 256).unwrap().wrapping_add(seed),
            u8::try_from(y * 5 % 256)
                .unwrap()
                .wrapping_add(seed.wrapping_mul(3)),
            seed,
        ])
    });
    let mut encoded = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut encoded, 85)
        .write_image(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    match taken {
        Some(taken) => with_exif_date(&encoded, taken),
        None => encoded,
    }
}

/// Inserts an APP1 EXIF segment (big-endian TIFF: IFD0 → Exif IFD with
/// `DateTimeOriginal`) after the SOI marker.
fn with_exif_date(jpeg: &[u8], taken: &str) -> Vec<u8> {
    assert_eq!(taken.len(), 19);
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    // IFD0 at 8: one entry, ExifIFDPointer (0x8769, LONG) → 26.
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x8769u16.to_be_bytes());
    tiff.extend_from_slice(&4u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&26u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    // Exif IFD at 26: DateTimeOriginal (0x9003, ASCII, 20) → 44.
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x9003u16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&20u32.to_be_bytes());
    tiff.extend_from_slice(&44u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(taken.as_bytes());
    tiff.push(0);
    with_app1(jpeg, &tiff)
}

/// Inserts an APP1 EXIF segment holding `tiff` after the SOI marker.
pub fn with_app1(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    with_segment(jpeg, 0xE1, &[b"Exif\0\0".as_slice(), tiff].concat())
}

/// Inserts an APP`n` segment (`marker` 0xE0–0xEF) holding `payload` after
/// the SOI marker.
pub fn with_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A GIF whose header claims 65535×65535 pixels (a decompression bomb).
pub fn gif_bomb() -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00]);
    gif.extend_from_slice(&[
        0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]);
    gif
}

/// A JPEG whose EXIF points back at itself (IFD0's Exif pointer is IFD0)
/// and whose IFD chain runs `depth` IFDs deep, each linked to the next.
pub fn hostile_exif(depth: u32) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    for level in 0..depth {
        let at = 8 + level * 18;
        tiff.extend_from_slice(&1u16.to_be_bytes());
        // ExifIFDPointer (LONG) → IFD0 again: a loop.
        tiff.extend_from_slice(&0x8769u16.to_be_bytes());
        tiff.extend_from_slice(&4u16.to_be_bytes());
        tiff.extend_from_slice(&1u32.to_be_bytes());
        tiff.extend_from_slice(&8u32.to_be_bytes());
        // The next IFD follows, or 0 at the end.
        let next = if level + 1 < depth { at + 18 } else { 0 };
        tiff.extend_from_slice(&next.to_be_bytes());
    }
    with_app1(&jpeg(64, 48, 77, None), &tiff)
}

/// A JPEG carrying `description` in EXIF `ImageDescription` and `comment`
/// in a JPEG comment segment (the forensic tests look for both).
pub fn jpeg_marked(seed: u8, description: &str, comment: &str) -> Vec<u8> {
    let plain = jpeg(64, 48, seed, None);
    let text = format!("{description}\0");
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    // IFD0 at 8: one entry, ImageDescription (0x010E, ASCII) → 26.
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x010Eu16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&u32::try_from(text.len()).unwrap().to_be_bytes());
    tiff.extend_from_slice(&26u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(text.as_bytes());
    let with_exif = with_app1(&plain, &tiff);
    let mut out = with_exif[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&u16::try_from(comment.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(comment.as_bytes());
    out.extend_from_slice(&with_exif[2..]);
    out
}

/// An ISO base media box.
pub fn iso_box(kind: [u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(body.len() + 8)
        .unwrap()
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(&kind);
    out.extend_from_slice(body);
    out
}

/// A zip's entries: name → bytes.
pub fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        out.insert(entry.name().to_owned(), content);
    }
    out
}

/// A zip's entries' dates: name → (year, month, day, hour, minute).
pub fn zip_dates(bytes: &[u8]) -> std::collections::BTreeMap<String, (u16, u8, u8, u8, u8)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let entry = archive.by_index(i).unwrap();
            let at = entry.last_modified().unwrap();
            (
                entry.name().to_owned(),
                (at.year(), at.month(), at.day(), at.hour(), at.minute()),
            )
        })
        .collect()
}
