//! EXIF where the container reader does not look: a WebP `EXIF` chunk that
//! starts with JPEG's `Exif\0\0`, a PNG `eXIf` chunk, the `ImageMagick`
//! "Raw profile type exif" text chunks (hex, often zlib-compressed), and
//! RAW files that are TIFFs under their maker's own magic number. Chunk
//! headers are read and their data skipped, so a large file costs a few
//! small reads; a chunk's size is checked before it is read.

use std::io::{Read, Seek, SeekFrom};

/// EXIF larger than this is not metadata.
const MAX_EXIF: u32 = 4 * 1024 * 1024;

/// The raw TIFF-structured EXIF of a WebP or PNG file, if it has one.
pub fn find<R: Read + Seek>(reader: &mut R) -> Option<Vec<u8>> {
    reader.seek(SeekFrom::Start(0)).ok()?;
    let mut magic = [0u8; 12];
    reader.read_exact(&mut magic).ok()?;
    let found = if &magic[..4] == b"RIFF" && &magic[8..12] == b"WEBP" {
        webp(reader)
    } else if magic[..8] == *b"\x89PNG\r\n\x1a\n" {
        reader.seek(SeekFrom::Start(8)).ok()?;
        png(reader)
    } else if matches!(&magic[..4], b"IIU\0" | b"IIRO" | b"IIRS" | b"MMOR") {
        maker_tiff(reader, &magic)
    } else {
        None
    };
    found.map(|blob| match blob.strip_prefix(b"Exif\0\0") {
        Some(tiff) => tiff.to_vec(),
        None => blob,
    })
}

/// Panasonic's RW2 (`IIU\0`) and Olympus's ORF (`IIRO`, `IIRS`, `MMOR`)
/// are TIFFs under their maker's magic number: their directories (IFD0,
/// Exif, GPS) come before the sensor data, in the first `MAX_EXIF` bytes,
/// read with the standard magic put back.
fn maker_tiff<R: Read + Seek>(reader: &mut R, magic: &[u8; 12]) -> Option<Vec<u8>> {
    reader.seek(SeekFrom::Start(0)).ok()?;
    let mut head = Vec::new();
    reader
        .take(u64::from(MAX_EXIF))
        .read_to_end(&mut head)
        .ok()?;
    let standard: &[u8] = if magic[0] == b'I' { b"II*\0" } else { b"MM\0*" };
    head.get_mut(..4)?.copy_from_slice(standard);
    Some(head)
}

fn read_chunk<R: Read>(reader: &mut R, size: u32) -> Option<Vec<u8>> {
    if size > MAX_EXIF {
        return None;
    }
    let mut data = vec![0u8; usize::try_from(size).ok()?];
    reader.read_exact(&mut data).ok()?;
    Some(data)
}

/// RIFF chunks after the 12-byte header: a four-letter id, a little-endian
/// size, the data padded to an even length.
fn webp<R: Read + Seek>(reader: &mut R) -> Option<Vec<u8>> {
    loop {
        let mut header = [0u8; 8];
        reader.read_exact(&mut header).ok()?;
        let size = u32::from_le_bytes(header[4..8].try_into().ok()?);
        if &header[..4] == b"EXIF" {
            return read_chunk(reader, size);
        }
        reader
            .seek(SeekFrom::Current(i64::from(size) + i64::from(size % 2)))
            .ok()?;
    }
}

/// PNG chunks: a big-endian length, a four-letter type, the data, a CRC.
fn png<R: Read + Seek>(reader: &mut R) -> Option<Vec<u8>> {
    loop {
        let mut header = [0u8; 8];
        reader.read_exact(&mut header).ok()?;
        let size = u32::from_be_bytes(header[..4].try_into().ok()?);
        match &header[4..8] {
            b"eXIf" => return read_chunk(reader, size),
            b"tEXt" | b"zTXt" | b"iTXt" if size <= MAX_EXIF => {
                let data = read_chunk(reader, size)?;
                if let Some(blob) = raw_profile(&header[4..8], &data) {
                    return Some(blob);
                }
                reader.seek(SeekFrom::Current(4)).ok()?;
            }
            b"IEND" => return None,
            _ => {
                reader.seek(SeekFrom::Current(i64::from(size) + 4)).ok()?;
            }
        }
    }
}

/// `ImageMagick`'s "Raw profile type exif" (or "APP1"): keyword, then (for
/// zTXt, zlib-compressed) text of the form `\nexif\n  <length>\n<hex…>`.
fn raw_profile(kind: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let end = data.iter().position(|b| *b == 0)?;
    let keyword = &data[..end];
    if keyword != b"Raw profile type exif" && keyword != b"Raw profile type APP1" {
        return None;
    }
    let text = match kind {
        // Keyword, NUL, compression method, compressed text.
        b"zTXt" => inflate(data.get(end + 2..)?)?,
        // Keyword, NUL, compressed?, method, language NUL, translated NUL, text.
        b"iTXt" => {
            let compressed = *data.get(end + 1)? == 1;
            let rest = data.get(end + 3..)?;
            let language = rest.iter().position(|b| *b == 0)?;
            let rest = rest.get(language + 1..)?;
            let translated = rest.iter().position(|b| *b == 0)?;
            let text = rest.get(translated + 1..)?;
            if compressed {
                inflate(text)?
            } else {
                text.to_vec()
            }
        }
        _ => data.get(end + 1..)?.to_vec(),
    };
    // A name line, a length line, then hex digits over many lines.
    let text = std::str::from_utf8(&text).ok()?;
    let mut lines = text.trim_start().splitn(3, '\n');
    let _name = lines.next()?;
    let length: usize = lines.next()?.trim().parse().ok()?;
    if length > MAX_EXIF as usize {
        return None;
    }
    let digits: Vec<u8> = lines
        .next()?
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .collect();
    let blob: Option<Vec<u8>> = digits
        .chunks_exact(2)
        .take(length)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect();
    blob.filter(|blob| blob.len() == length)
}

/// zlib-compressed text, at most `MAX_EXIF` × 2 (hex) bytes of it.
fn inflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .take(u64::from(MAX_EXIF) * 2 + 64)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// The same EXIF with its sub-directory pointers (Exif, GPS, Interop)
/// typed as plain LONGs, if any was typed otherwise: writers store them as
/// IFD (13) or a signed LONG (9), which the EXIF reader does not follow.
/// `None` when nothing needed changing.
#[must_use]
pub fn plain_pointers(tiff: &[u8]) -> Option<Vec<u8>> {
    let big_endian = match tiff.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let read16 = |at: usize| -> Option<u16> {
        let pair = [*tiff.get(at)?, *tiff.get(at + 1)?];
        Some(if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        })
    };
    let read32 = |at: usize| -> Option<usize> {
        let quad: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        let value = if big_endian {
            u32::from_be_bytes(quad)
        } else {
            u32::from_le_bytes(quad)
        };
        usize::try_from(value).ok()
    };
    // Entries whose type needs rewriting: IFD0's pointers, then the Exif
    // directory's Interop pointer.
    let mut retype = Vec::new();
    let mut directories = vec![read32(4)?];
    let mut seen = 0;
    while let Some(directory) = directories.pop() {
        seen += 1;
        if seen > 3 {
            break;
        }
        let count = usize::from(read16(directory)?);
        for index in 0..count {
            let entry = directory + 2 + 12 * index;
            let (Some(tag), Some(kind)) = (read16(entry), read16(entry + 2)) else {
                break;
            };
            if !matches!(tag, 0x8769 | 0x8825 | 0xA005) {
                continue;
            }
            if matches!(kind, 9 | 13) && read32(entry + 4) == Some(1) {
                retype.push(entry + 2);
            }
            if tag == 0x8769 {
                directories.extend(read32(entry + 8).filter(|at| *at < tiff.len()));
            }
        }
    }
    if retype.is_empty() {
        return None;
    }
    let mut fixed = tiff.to_vec();
    let long = if big_endian { [0, 4] } else { [4, 0] };
    for at in retype {
        fixed[at..at + 2].copy_from_slice(&long);
    }
    Some(fixed)
}
