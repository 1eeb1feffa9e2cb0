//! HEIC, HEIF and AVIF through the bundled libheif (1.23: current iPhone
//! photos need ≥ 1.18), which applies the container's rotation, mirror and
//! crop itself.
//!
//! Memory is what this module is about. libheif and its codec run on one
//! thread each (Hearth's import workers are the parallelism; a codec thread
//! per core keeps a frame per thread), and the picture stays in the planes
//! the codec made: each plane is scaled to the preview's size there, and
//! only then turned into RGB (`ycbcr`). libheif's own conversion of a
//! 20 MP 10-bit AVIF went through full-size 16-bit RGB planes and held
//! ~180 MB more at its peak than the decode itself.

use fast_image_resize::images::{CroppedImage, Image as Scaled, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use libheif_rs::{
    ColorSpace, DecodingOptions, HeifContext, HeifError, HeifErrorCode, Image, ImageHandle,
    LibHeif, Plane, RgbChroma,
};

use crate::colour::Encoding;
use crate::derive::{Limits, MediaError, PREVIEW_EDGE, fit_long_edge};
use crate::ycbcr::{Coding, Matrix};

/// The preview, the colour encoding, and the decoded picture's size.
pub(crate) type HeifPreview = (RgbImage, Option<Encoding>, (u32, u32));

/// Decodes the primary image of a HEIF or AVIF file and makes its preview
/// (1440 px long edge, never upscaled) from the codec's planes.
pub(crate) fn preview(bytes: &[u8], limits: Limits) -> Result<HeifPreview, MediaError> {
    let mut context = HeifContext::read_from_bytes(bytes).map_err(failed)?;
    context.set_max_decoding_threads(0);
    let mut security = context.security_limits();
    security.set_max_image_size_pixels(limits.max_pixels);
    context.set_security_limits(&security).map_err(failed)?;
    let handle = context.primary_image_handle().map_err(failed)?;
    let encoding = encoding(&handle);
    let decode = |space| -> Result<Image, MediaError> {
        let mut options = DecodingOptions::new()
            .ok_or_else(|| MediaError::Corrupt("libheif cannot make decoding options".into()))?;
        options.set_num_library_threads(1);
        // dav1d's default of a thread per core keeps a frame per thread: a
        // 20 MP 10-bit AVIF peaked at 540 MB with it, 310 MB without.
        options.set_num_codec_threads(1);
        // The planes as coded: without this, libheif converts a picture
        // whose colour coding is not sRGB's to sRGB's coding first (a
        // full-size copy the preview does not need).
        options.set_output_image_nclx_profile_passthrough(true);
        LibHeif::new()
            .decode(&handle, space, Some(options))
            .map_err(failed)
    };
    // The codec's own layout (Y′CbCr or grey, as coded), else planar RGB.
    let mut image = decode(ColorSpace::Undefined)?;
    if !matches!(
        image.color_space(),
        Some(ColorSpace::YCbCr(_) | ColorSpace::Monochrome | ColorSpace::Rgb(RgbChroma::C444))
    ) {
        // One full-size picture at a time.
        drop(image);
        image = decode(ColorSpace::Rgb(RgbChroma::C444))?;
    }
    let dims = (image.width(), image.height());
    let preview = from_planes(&image, fit_long_edge(dims, PREVIEW_EDGE))?;
    Ok((preview, encoding, dims))
}

/// The colour encoding of an image: its ICC profile, else its coded
/// primaries and transfer (`colr` nclx, else the bitstream's).
#[must_use]
pub fn encoding(handle: &ImageHandle) -> Option<Encoding> {
    handle
        .color_profile_raw()
        .map(|icc| Encoding::Icc(icc.data))
        .or_else(|| {
            let nclx = handle.color_profile_nclx()?;
            Some(Encoding::Cicp {
                primaries: u8::try_from(nclx.color_primaries() as u32).ok()?,
                transfer: u8::try_from(nclx.transfer_characteristics() as u32).ok()?,
            })
        })
}

fn failed(err: HeifError) -> MediaError {
    if matches!(err.code, HeifErrorCode::UnsupportedFeature) {
        MediaError::Unsupported(err.message)
    } else {
        MediaError::Corrupt(err.message)
    }
}

/// The RGB preview of `image` at `size`, each plane scaled first.
fn from_planes(image: &Image, size: (u32, u32)) -> Result<RgbImage, MediaError> {
    let missing = || MediaError::Corrupt("libheif returned a picture without its planes".into());
    let planes = image.planes();
    let coding = |luma: &Plane<&[u8]>, chroma: &Plane<&[u8]>| {
        Coding::of(
            image.color_profile_nclx().as_ref(),
            luma.bits_per_pixel,
            chroma.bits_per_pixel,
        )
    };
    let pixels: Vec<u8> = match image.color_space() {
        Some(ColorSpace::Monochrome) => {
            let y = planes.y.as_ref().ok_or_else(missing)?;
            let coding = coding(y, y);
            scaled(y, size)?
                .into_iter()
                .flat_map(|y| [coding.grey(y); 3])
                .collect()
        }
        Some(ColorSpace::Rgb(_)) => {
            let (r, g, b) = (
                planes.r.as_ref().ok_or_else(missing)?,
                planes.g.as_ref().ok_or_else(missing)?,
                planes.b.as_ref().ok_or_else(missing)?,
            );
            // libheif's own RGB: full range whatever the file said.
            let coding = Coding {
                matrix: Matrix::Identity,
                full_range: true,
                bits: g.bits_per_pixel,
                chroma_bits: b.bits_per_pixel,
            };
            let (r, g, b) = (scaled(r, size)?, scaled(g, size)?, scaled(b, size)?);
            g.iter()
                .zip(&b)
                .zip(&r)
                .flat_map(|((&g, &b), &r)| coding.rgb(g, b, r))
                .collect()
        }
        _ => {
            let (y, cb, cr) = (
                planes.y.as_ref().ok_or_else(missing)?,
                planes.cb.as_ref().ok_or_else(missing)?,
                planes.cr.as_ref().ok_or_else(missing)?,
            );
            let coding = coding(y, cb);
            let (y, cb, cr) = (scaled(y, size)?, scaled(cb, size)?, scaled(cr, size)?);
            y.iter()
                .zip(&cb)
                .zip(&cr)
                .flat_map(|((&y, &cb), &cr)| coding.rgb(y, cb, cr))
                .collect()
        }
    };
    RgbImage::from_raw(size.0, size.1, pixels)
        .ok_or_else(|| MediaError::Corrupt("short pixel buffer".into()))
}

/// One plane scaled to `size` (chroma planes grow to it from their
/// subsampled size), its samples as they were coded (up to 16 bits). The
/// plane is read in place: its rows are `stride` bytes apart, so it is
/// seen as a wider picture cropped to the plane's width.
fn scaled(plane: &Plane<&[u8]>, (width, height): (u32, u32)) -> Result<Vec<u16>, MediaError> {
    let wide = plane.storage_bits_per_pixel > 8;
    let (pixel, sample) = if wide {
        (PixelType::U16, 2)
    } else {
        (PixelType::U8, 1)
    };
    let odd = || MediaError::Corrupt("libheif returned a plane of an odd layout".into());
    if plane.width == 0
        || plane.height == 0
        || plane.storage_bits_per_pixel > 16
        || !plane.stride.is_multiple_of(sample)
    {
        return Err(odd());
    }
    let row = u32::try_from(plane.stride / sample).map_err(|_| odd())?;
    let source = ImageRef::new(row, plane.height, plane.data, pixel).map_err(|_| odd())?;
    // A view as wide as the plane: the filter's taps at the right edge stop
    // there instead of reading the row's padding.
    let view = CroppedImage::new(&source, 0, 0, plane.width, plane.height).map_err(|_| odd())?;
    let mut target = Scaled::new(width, height, pixel);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    Resizer::new()
        .resize(&view, &mut target, &options)
        .map_err(|err| MediaError::Corrupt(format!("resize: {err}")))?;
    let buffer = target.buffer();
    Ok(if wide {
        buffer
            .chunks_exact(2)
            .map(|pair| u16::from_ne_bytes([pair[0], pair[1]]))
            .collect()
    } else {
        buffer.iter().copied().map(u16::from).collect()
    })
}

/// Whether every top-level box of an ISO base media file (HEIC, AVIF)
/// ends within the file: one cut off in transfer has its last box (the
/// picture's data) claiming more bytes than are there, and its decoder
/// would paint the missing part green. Malformed sizes are the decoder's
/// to judge.
pub(crate) fn iso_complete(bytes: &[u8]) -> bool {
    let len = bytes.len() as u64;
    let mut at = 0u64;
    while len.saturating_sub(at) >= 8 {
        let Ok(start) = usize::try_from(at) else {
            return true;
        };
        let size = match u32::from_be_bytes([
            bytes[start],
            bytes[start + 1],
            bytes[start + 2],
            bytes[start + 3],
        ]) {
            // To the end of the file.
            0 => return true,
            1 => match bytes.get(start + 8..start + 16) {
                Some(large) => u64::from_be_bytes(large.try_into().unwrap_or_default()),
                None => return false,
            },
            size => u64::from(size),
        };
        if size < 8 {
            return true;
        }
        at = at.saturating_add(size);
    }
    at <= len
}

/// The working memory of decoding a HEIF or AVIF picture of `pixels`: the
/// codec's picture and libheif's copy of it, each at the coded chroma
/// layout and depth (the `av1C` or `hvcC` configuration), and the codec's
/// own state; 4:4:4 at 16 bits when the file does not say. A 20 MP 10-bit
/// 4:4:4 AVIF: 257 MB (measured: 250); a 12 MP 8-bit 4:2:0 HEIC: 42 MB.
pub(crate) fn working_memory(bytes: &[u8], pixels: u64) -> u64 {
    // Samples a pixel, in halves (4:2:0 is 1½), and bytes a sample.
    let (halves, depth) = coded_layout(bytes).unwrap_or((6, 2));
    pixels
        .saturating_mul(halves * depth)
        .saturating_add(pixels / 2)
}

/// The largest codec configuration among the file's item properties
/// (`meta` → `iprp` → `ipco`; the primary picture's, whatever a thumbnail
/// or an alpha plane says): samples a pixel in halves, bytes a sample.
fn coded_layout(bytes: &[u8]) -> Option<(u64, u64)> {
    let mut reader = std::io::Cursor::new(bytes);
    let inside = |reader: &mut std::io::Cursor<&[u8]>, within: (u64, u64), kind: &[u8; 4], skip| {
        crate::cr3::boxes(reader, within.0 + skip, within.1)
            .into_iter()
            .find(|(found, _, _)| found == kind)
            .map(|(_, start, end)| (start, end))
    };
    let meta = inside(&mut reader, (0, bytes.len() as u64), b"meta", 0)?;
    // `meta` is a full box: a version and flags before its children.
    let iprp = inside(&mut reader, meta, b"iprp", 4)?;
    let ipco = inside(&mut reader, iprp, b"ipco", 0)?;
    crate::cr3::boxes(&mut reader, ipco.0, ipco.1)
        .into_iter()
        .filter_map(|(kind, start, end)| {
            let data = bytes.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)?;
            layout_of(kind, data)
        })
        .max_by_key(|(halves, depth)| halves * depth)
}

/// Samples a pixel in halves and bytes a sample, from an `av1C` or `hvcC`.
fn layout_of(kind: [u8; 4], data: &[u8]) -> Option<(u64, u64)> {
    match &kind {
        b"av1C" => {
            let flags = *data.get(2)?;
            let depth = if flags & 0x40 != 0 { 2 } else { 1 };
            let halves = match (flags & 0x10 != 0, flags & 0x08 != 0, flags & 0x04 != 0) {
                (true, _, _) => 2,
                (false, true, true) => 3,
                (false, true, false) => 4,
                _ => 6,
            };
            Some((halves, depth))
        }
        b"hvcC" => {
            let halves = match data.get(16)? & 0x03 {
                0 => 2,
                1 => 3,
                2 => 4,
                _ => 6,
            };
            // Luma's and chroma's depths (they may differ).
            let deep = data.get(17)? & 0x07 != 0 || data.get(18)? & 0x07 != 0;
            let depth = if deep { 2 } else { 1 };
            Some((halves, depth))
        }
        _ => None,
    }
}
