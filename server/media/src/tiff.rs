//! TIFFs the `image` crate's decoder refuses, read here: palette colour,
//! 1-, 2- and 4-bit grey, signed and floating-point samples, planes stored
//! apart (in strips or tiles), `BigTIFF`, CCITT Group 3 (one-dimensional)
//! and Group 4 fax, old-style JPEG (a whole JPEG the directory points to),
//! uncompressed, LZW, Deflate and `PackBits` data. Family scans and old
//! scanner software write all of these.
//!
//! The directory comes from the `tiff` crate's reader (classic and
//! `BigTIFF`); the pixels from here. Every buffer is sized from the header
//! after the pixel limit was checked, and no decompressor writes past the
//! size the header gives.

use std::io::{Cursor, Read as _};

use image::RgbImage;
use tiff::decoder::Decoder;
use tiff::tags::Tag;

use crate::colour::Encoding;
use crate::derive::MediaError;

/// The directory's description of the first image.
struct Layout {
    width: u32,
    height: u32,
    samples: usize,
    bits: usize,
    /// 1 unsigned, 2 signed, 3 floating point.
    format: u16,
    photometric: u16,
    compression: u16,
    predictor: u16,
    planar: bool,
    /// 2: the bits of each byte stored least significant first.
    fill_order: u16,
    /// `T4Options`: bit 0 set means two-dimensional Group 3 coding.
    t4_options: u32,
    tiled: bool,
    chunk_width: u32,
    chunk_height: u32,
    offsets: Vec<u64>,
    counts: Vec<u64>,
    colormap: Vec<u16>,
    big_endian: bool,
}

fn corrupt(reason: impl std::fmt::Display) -> MediaError {
    MediaError::Corrupt(format!("the TIFF could not be read: {reason}"))
}

fn unsupported(what: &str) -> MediaError {
    MediaError::Unsupported(format!("TIFF with {what}"))
}

/// The image's pixels as RGB, and the colour profile it carries.
pub(crate) fn decode(bytes: &[u8]) -> Result<(RgbImage, Option<Encoding>), MediaError> {
    let mut decoder = Decoder::new(Cursor::new(bytes)).map_err(corrupt)?;
    let icc = decoder
        .find_tag(Tag::IccProfile)
        .ok()
        .flatten()
        .and_then(|value| value.into_u8_vec().ok())
        .map(Encoding::Icc);
    let layout = read_layout(&mut decoder)?;
    if layout.compression == 6 {
        return Ok((old_jpeg(&mut decoder, bytes, &layout)?, icc));
    }
    let kept = kept_samples(&layout)?;
    let width = layout.width as usize;
    let height = layout.height as usize;
    let mut planes = vec![0u8; width * height * kept];
    let chunks_across = layout.width.div_ceil(layout.chunk_width) as usize;
    let chunks_down = layout.height.div_ceil(layout.chunk_height) as usize;
    let per_plane = chunks_across * chunks_down;
    let plane_count = if layout.planar { layout.samples } else { 1 };
    if layout.offsets.len() < per_plane * plane_count || layout.counts.len() < layout.offsets.len()
    {
        return Err(corrupt(
            "it lists fewer strips or tiles than its size needs",
        ));
    }
    for plane in 0..plane_count.min(kept) {
        for index in 0..per_plane {
            let chunk = plane * per_plane + index;
            let x0 = (index % chunks_across) * layout.chunk_width as usize;
            let y0 = (index / chunks_across) * layout.chunk_height as usize;
            let rows = if layout.tiled {
                layout.chunk_height as usize
            } else {
                (layout.chunk_height as usize).min(height - y0)
            };
            let data = chunk_data(bytes, &layout, chunk)?;
            let raw = decompress(data, &layout, rows)?;
            place(&layout, &raw, (x0, y0), rows, plane, kept, &mut planes);
        }
    }
    Ok((to_rgb(&layout, planes, kept)?, icc))
}

fn read_layout(decoder: &mut Decoder<Cursor<&[u8]>>) -> Result<Layout, MediaError> {
    let (width, height) = decoder.dimensions().map_err(corrupt)?;
    let mut short = |tag: Tag, default: u16| -> Result<u16, MediaError> {
        Ok(decoder
            .find_tag_unsigned::<u16>(tag)
            .map_err(corrupt)?
            .unwrap_or(default))
    };
    let samples = usize::from(short(Tag::SamplesPerPixel, 1)?);
    let format = short(Tag::SampleFormat, 1)?;
    let photometric = short(Tag::PhotometricInterpretation, 1)?;
    let compression = short(Tag::Compression, 1)?;
    let predictor = short(Tag::Predictor, 1)?;
    let planar = short(Tag::PlanarConfiguration, 1)? == 2;
    let fill_order = short(Tag::FillOrder, 1)?;
    let bits = decoder
        .find_tag_unsigned_vec::<u16>(Tag::BitsPerSample)
        .map_err(corrupt)?
        .and_then(|bits| bits.first().copied())
        .map_or(1, usize::from);
    let t4_options = decoder
        .find_tag_unsigned::<u32>(Tag::Unknown(292))
        .map_err(corrupt)?
        .unwrap_or(0);
    let tile = (
        decoder
            .find_tag_unsigned::<u32>(Tag::TileWidth)
            .map_err(corrupt)?,
        decoder
            .find_tag_unsigned::<u32>(Tag::TileLength)
            .map_err(corrupt)?,
    );
    let tiled = matches!(tile, (Some(_), Some(_)));
    let (chunk_width, chunk_height, offsets, counts) = if let (Some(across), Some(down)) = tile {
        (across, down, Tag::TileOffsets, Tag::TileByteCounts)
    } else {
        let rows = decoder
            .find_tag_unsigned::<u32>(Tag::RowsPerStrip)
            .map_err(corrupt)?
            .unwrap_or(height);
        (
            width,
            rows.clamp(1, height),
            Tag::StripOffsets,
            Tag::StripByteCounts,
        )
    };
    if chunk_width == 0 || chunk_height == 0 {
        return Err(corrupt("its tiles have no size"));
    }
    let list = |decoder: &mut Decoder<Cursor<&[u8]>>, tag| -> Result<Vec<u64>, MediaError> {
        Ok(decoder
            .find_tag_unsigned_vec::<u64>(tag)
            .map_err(corrupt)?
            .unwrap_or_default())
    };
    let offsets = list(decoder, offsets)?;
    let counts = list(decoder, counts)?;
    let colormap = decoder
        .find_tag_unsigned_vec::<u16>(Tag::ColorMap)
        .map_err(corrupt)?
        .unwrap_or_default();
    Ok(Layout {
        width,
        height,
        samples: samples.max(1),
        bits,
        format,
        photometric,
        compression,
        predictor,
        planar: planar && samples > 1,
        fill_order,
        t4_options,
        tiled,
        chunk_width,
        chunk_height,
        offsets,
        counts,
        colormap,
        big_endian: decoder.byte_order() == tiff::tags::ByteOrder::BigEndian,
    })
}

/// How many samples of each pixel the picture needs (alpha and other
/// extra samples are left out).
fn kept_samples(layout: &Layout) -> Result<usize, MediaError> {
    let needed = match layout.photometric {
        0 | 1 | 3 => 1,
        2 => 3,
        5 => 4,
        other => return Err(unsupported(&format!("photometric interpretation {other}"))),
    };
    if layout.samples < needed {
        return Err(corrupt("it has fewer samples than its colours need"));
    }
    if !matches!(layout.bits, 1 | 2 | 4 | 8 | 16 | 32) {
        return Err(unsupported(&format!("{} bits a sample", layout.bits)));
    }
    if layout.photometric == 3 && (layout.bits > 8 || layout.colormap.len() < 3 << layout.bits) {
        return Err(corrupt("its colour map does not fit its samples"));
    }
    Ok(needed)
}

fn chunk_data<'a>(bytes: &'a [u8], layout: &Layout, chunk: usize) -> Result<&'a [u8], MediaError> {
    let start = usize::try_from(layout.offsets[chunk]).map_err(corrupt)?;
    let count = usize::try_from(layout.counts[chunk]).map_err(corrupt)?;
    let end = start.saturating_add(count).min(bytes.len());
    bytes
        .get(start..end)
        .ok_or_else(|| corrupt("a strip lies outside the file"))
}

/// Bytes in one stored row of a chunk.
fn row_bytes(layout: &Layout) -> usize {
    let per_pixel = if layout.planar { 1 } else { layout.samples };
    (layout.chunk_width as usize * per_pixel * layout.bits).div_ceil(8)
}

/// A chunk's data, decompressed to exactly `rows` rows (missing bytes
/// stay zero, as libtiff leaves them).
fn decompress(data: &[u8], layout: &Layout, rows: usize) -> Result<Vec<u8>, MediaError> {
    let row = row_bytes(layout);
    let mut out = vec![0u8; row * rows];
    match layout.compression {
        1 => {
            let len = data.len().min(out.len());
            out[..len].copy_from_slice(&data[..len]);
        }
        3 | 4 => fax(data, layout, rows, &mut out)?,
        5 => lzw(data, &mut out)?,
        8 | 32946 => {
            let mut inflate = flate2::read::ZlibDecoder::new(data);
            let mut filled = 0;
            while filled < out.len() {
                match inflate.read(&mut out[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(err) if filled == 0 => return Err(corrupt(err)),
                    Err(_) => break,
                }
            }
        }
        32773 => packbits(data, &mut out),
        2 => return Err(unsupported("CCITT modified Huffman (RLE) compression")),
        other => return Err(unsupported(&format!("compression {other}"))),
    }
    if layout.predictor == 2 {
        undo_differencing(layout, &mut out, row);
    } else if layout.predictor != 1 {
        return Err(unsupported("a floating-point predictor"));
    }
    Ok(out)
}

fn lzw(data: &[u8], out: &mut [u8]) -> Result<(), MediaError> {
    // Old-style LZW (before TIFF 6) writes its codes least significant bit
    // first and starts with a clear code stored as 0x00 0x01.
    let mut decoder = if data.starts_with(&[0x00, 0x01]) {
        weezl::decode::Decoder::new(weezl::BitOrder::Lsb, 8)
    } else {
        weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
    };
    let result = decoder.decode_bytes(data, out);
    match result.status {
        Err(err) if result.consumed_out == 0 => Err(corrupt(err)),
        // Data after the picture, or an end code missing: libtiff reads
        // what it could, and so does Hearth.
        _ => Ok(()),
    }
}

fn packbits(data: &[u8], out: &mut [u8]) {
    let (mut at, mut filled) = (0, 0);
    while at < data.len() && filled < out.len() {
        let header = data[at];
        at += 1;
        if header < 0x80 {
            let len = (usize::from(header) + 1)
                .min(data.len() - at)
                .min(out.len() - filled);
            out[filled..filled + len].copy_from_slice(&data[at..at + len]);
            at += len;
            filled += len;
        } else if header != 0x80 {
            let Some(&value) = data.get(at) else { break };
            at += 1;
            // A repeated byte: 257 minus the header's unsigned value times.
            let len = (257 - usize::from(header)).min(out.len() - filled);
            out[filled..filled + len].fill(value);
            filled += len;
        }
    }
}

/// CCITT Group 3 (one-dimensional) and Group 4 fax data into one bit a
/// pixel, black as the photometric interpretation says.
fn fax(data: &[u8], layout: &Layout, rows: usize, out: &mut [u8]) -> Result<(), MediaError> {
    if layout.bits != 1 || layout.samples != 1 {
        return Err(corrupt("fax data must be one bit a pixel"));
    }
    let width = u16::try_from(layout.chunk_width)
        .map_err(|_| unsupported("fax pages wider than 65,535 pixels"))?;
    let input: Vec<u8> = if layout.fill_order == 2 {
        data.iter().map(|byte| byte.reverse_bits()).collect()
    } else {
        data.to_vec()
    };
    // White is zero unless the file says black is.
    let black_is_one = layout.photometric == 0;
    let row = row_bytes(layout);
    let mut line = 0;
    let mut put = |transitions: &[u16]| {
        if line >= rows {
            return;
        }
        let target = &mut out[line * row..(line + 1) * row];
        for (x, colour) in fax::decoder::pels(transitions, width).enumerate() {
            if (colour == fax::Color::Black) == black_is_one {
                target[x / 8] |= 0x80 >> (x % 8);
            }
        }
        line += 1;
    };
    let complete = if layout.compression == 4 {
        fax::decoder::decode_g4(input.into_iter(), width, u16::try_from(rows).ok(), &mut put)
    } else if layout.t4_options & 1 == 1 {
        return Err(unsupported("two-dimensional CCITT Group 3 compression"));
    } else {
        fax::decoder::decode_g3(input.into_iter(), &mut put)
    };
    if complete.is_none() && line == 0 {
        return Err(corrupt("its fax data could not be decoded"));
    }
    Ok(())
}

/// Horizontal differencing (predictor 2): each sample was stored as its
/// difference from the one before it in the row.
fn undo_differencing(layout: &Layout, out: &mut [u8], row: usize) {
    let stride = if layout.planar { 1 } else { layout.samples };
    for line in out.chunks_mut(row) {
        match layout.bits {
            8 => {
                for i in stride..line.len() {
                    line[i] = line[i].wrapping_add(line[i - stride]);
                }
            }
            16 => {
                let read = |pair: &[u8]| {
                    if layout.big_endian {
                        u16::from_be_bytes([pair[0], pair[1]])
                    } else {
                        u16::from_le_bytes([pair[0], pair[1]])
                    }
                };
                for i in stride..line.len() / 2 {
                    let sum = read(&line[2 * i..]).wrapping_add(read(&line[2 * (i - stride)..]));
                    let bytes = if layout.big_endian {
                        sum.to_be_bytes()
                    } else {
                        sum.to_le_bytes()
                    };
                    line[2 * i..2 * i + 2].copy_from_slice(&bytes);
                }
            }
            _ => {}
        }
    }
}

/// One sample of a stored row, as a value of 0–255 (a palette index as
/// is): deep samples by their most significant byte, signed ones moved up
/// by half their range.
fn sample(layout: &Layout, line: &[u8], index: usize) -> u8 {
    let bits = layout.bits;
    let signed = if layout.format == 2 { 0x80 } else { 0 };
    if bits < 8 {
        let bit = index * bits;
        let mask = (1u16 << bits) - 1;
        let value = (u16::from(line[bit / 8]) >> (8 - bits - bit % 8)) & mask;
        let scaled = if layout.photometric == 3 {
            value
        } else {
            value * 255 / mask
        };
        return u8::try_from(scaled).unwrap_or(u8::MAX);
    }
    let width = bits / 8;
    let stored = &line[width * index..width * (index + 1)];
    if bits == 32 && layout.format == 3 {
        let quad = [stored[0], stored[1], stored[2], stored[3]];
        let value = if layout.big_endian {
            f32::from_be_bytes(quad)
        } else {
            f32::from_le_bytes(quad)
        };
        return unit_to_byte(value);
    }
    let high = if layout.big_endian {
        stored[0]
    } else {
        stored[width - 1]
    };
    high ^ signed
}

/// A floating-point sample of 0.0–1.0 as 0–255.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn unit_to_byte(value: f32) -> u8 {
    (value.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Copies a decompressed chunk's samples into the picture's buffer of
/// `kept` samples a pixel.
fn place(
    layout: &Layout,
    raw: &[u8],
    (x0, y0): (usize, usize),
    rows: usize,
    plane: usize,
    kept: usize,
    planes: &mut [u8],
) {
    let width = layout.width as usize;
    let height = layout.height as usize;
    let row = row_bytes(layout);
    let per_pixel = if layout.planar { 1 } else { layout.samples };
    let columns = (layout.chunk_width as usize).min(width.saturating_sub(x0));
    for (dy, line) in raw.chunks(row).take(rows).enumerate() {
        let y = y0 + dy;
        if y >= height {
            break;
        }
        for dx in 0..columns {
            let at = ((y * width) + x0 + dx) * kept;
            if layout.planar {
                planes[at + plane] = sample(layout, line, dx);
            } else {
                for s in 0..kept {
                    planes[at + s] = sample(layout, line, dx * per_pixel + s);
                }
            }
        }
    }
}

fn to_rgb(layout: &Layout, planes: Vec<u8>, kept: usize) -> Result<RgbImage, MediaError> {
    let pixels: Vec<u8> = match layout.photometric {
        0 => planes.iter().flat_map(|&v| [255 - v; 3]).collect(),
        1 => planes.iter().flat_map(|&v| [v; 3]).collect(),
        3 => {
            let entries = 1usize << layout.bits;
            let map = &layout.colormap;
            planes
                .iter()
                .flat_map(|&i| {
                    let i = usize::from(i);
                    [map[i], map[entries + i], map[2 * entries + i]].map(|v| v.to_be_bytes()[0])
                })
                .collect()
        }
        5 => planes
            .chunks(kept)
            .flat_map(|p| {
                let k = 255 - u16::from(p[3]);
                [p[0], p[1], p[2]]
                    .map(|c| u8::try_from((255 - u16::from(c)) * k / 255).unwrap_or(u8::MAX))
            })
            .collect(),
        _ => planes,
    };
    RgbImage::from_raw(layout.width, layout.height, pixels)
        .ok_or_else(|| corrupt("short pixel buffer"))
}

/// Old-style JPEG (compression 6): the directory points at a whole JPEG
/// stream (`JPEGInterchangeFormat`), or the one strip is one.
fn old_jpeg(
    decoder: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    layout: &Layout,
) -> Result<RgbImage, MediaError> {
    let start = decoder
        .find_tag(Tag::Unknown(513))
        .map_err(corrupt)?
        .and_then(|value| value.into_u64().ok());
    let length = decoder
        .find_tag(Tag::Unknown(514))
        .map_err(corrupt)?
        .and_then(|value| value.into_u64().ok());
    let stream = match (start, length) {
        (Some(start), Some(length)) => {
            let start = usize::try_from(start).map_err(corrupt)?;
            let end = start
                .saturating_add(usize::try_from(length).map_err(corrupt)?)
                .min(bytes.len());
            bytes.get(start..end)
        }
        (Some(start), None) => bytes.get(usize::try_from(start).map_err(corrupt)?..),
        _ if layout.offsets.len() == 1 => chunk_data(bytes, layout, 0).ok(),
        _ => None,
    }
    .filter(|stream| stream.starts_with(&[0xFF, 0xD8]))
    .ok_or_else(|| unsupported("old-style JPEG strips that are not a whole JPEG"))?;
    crate::derive::decode_jpeg(stream).map_err(|_| corrupt("its JPEG stream could not be decoded"))
}
