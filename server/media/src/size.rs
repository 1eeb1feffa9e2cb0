//! An image's stored width and height, read from its header before anything
//! is decoded (the size limit is checked first), as forgiving as the
//! decoders that will read it: a JPEG's from its frame header, found as
//! libjpeg finds it (stray bytes before a marker are a warning there, not
//! an end), a BMP's with its height's sign (negative: rows stored
//! top-down).

/// Width and height in pixels, if the header says.
#[must_use]
pub fn dimensions(bytes: &[u8]) -> Option<(u64, u64)> {
    match imagesize::image_type(bytes).ok()? {
        imagesize::ImageType::Jpeg => jpeg(bytes).or_else(|| plain(bytes)),
        imagesize::ImageType::Bmp => bmp(bytes),
        _ => plain(bytes),
    }
}

fn plain(bytes: &[u8]) -> Option<(u64, u64)> {
    imagesize::blob_size(bytes)
        .ok()
        .map(|size| (size.width as u64, size.height as u64))
}

/// The frame header's size, walking the markers as libjpeg does: bytes
/// that are not a marker where one should be are skipped (libjpeg warns
/// "extraneous bytes before marker" and reads on).
fn jpeg(bytes: &[u8]) -> Option<(u64, u64)> {
    let mut at = 2;
    loop {
        while *bytes.get(at)? != 0xFF {
            at += 1;
        }
        while *bytes.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at)?;
        at += 1;
        match marker {
            // Markers without a segment.
            0x01 | 0xD0..=0xD8 => {}
            // A scan or the end before any frame header: not a picture.
            0xD9 | 0xDA => return None,
            // Start of frame (not DHT, JPG, DAC): precision, height, width.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let field = |from: usize| {
                    Some(u16::from_be_bytes([
                        *bytes.get(at + from)?,
                        *bytes.get(at + from + 1)?,
                    ]))
                };
                return Some((u64::from(field(5)?), u64::from(field(3)?)));
            }
            _ => {
                let length =
                    usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
                at += length.max(2);
            }
        }
    }
}

/// A BMP's info header: width and height as signed 32-bit numbers at 18
/// and 22 (an OS/2 core header's are unsigned 16-bit at 18 and 20).
fn bmp(bytes: &[u8]) -> Option<(u64, u64)> {
    let header_size = u32::from_le_bytes(bytes.get(14..18)?.try_into().ok()?);
    if header_size == 12 {
        let width = u16::from_le_bytes(bytes.get(18..20)?.try_into().ok()?);
        let height = u16::from_le_bytes(bytes.get(20..22)?.try_into().ok()?);
        return Some((u64::from(width), u64::from(height)));
    }
    let width = i32::from_le_bytes(bytes.get(18..22)?.try_into().ok()?);
    let height = i32::from_le_bytes(bytes.get(22..26)?.try_into().ok()?);
    Some((
        u64::from(width.unsigned_abs()),
        u64::from(height.unsigned_abs()),
    ))
}
