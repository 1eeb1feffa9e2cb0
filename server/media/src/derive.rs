//! One decode per image, two outputs: the preview (1440 px long edge, for
//! the viewer) and the thumbnail (400 px short edge, for a dense grid on a
//! high-DPI phone), both JPEG, plus a thumbhash placeholder. Image sizes are
//! checked from the header before anything is decoded.
//! HEIC/HEIF/AVIF decode through the bundled libheif.

use std::io::Cursor;
use std::time::{Duration, Instant};

use fast_image_resize::{FilterType, IntoImageView, ResizeAlg, ResizeOptions, Resizer};
use image::{ImageDecoder as _, ImageReader, RgbImage, imageops};
use turbojpeg::{Compressor, Decompressor, PixelFormat, ScalingFactor, Subsamp};

use crate::colour::{self, Encoding};

/// Long edge of the preview.
pub const PREVIEW_EDGE: u32 = 1440;
/// Short edge of the thumbnail…
pub const THUMB_EDGE: u32 = 400;
/// …and its long edge at most (panoramas).
const THUMB_MAX: u32 = 1200;
const PREVIEW_QUALITY: i32 = 82;
const THUMB_QUALITY: i32 = 76;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Images with more pixels than this are refused before decoding.
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: 100_000_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the image is {width}×{height} pixels, more than the limit of {limit} pixels")]
    TooLarge { width: u64, height: u64, limit: u64 },
    #[error("this kind of file cannot be shown yet ({0})")]
    Unsupported(String),
    #[error("the image could not be read: {0}")]
    Corrupt(String),
}

/// Where the time went, for the benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub decode: Duration,
    pub resize: Duration,
    pub encode: Duration,
}

#[derive(Debug, Clone)]
pub struct Derived {
    pub preview: Vec<u8>,
    pub preview_size: (u32, u32),
    pub thumbnail: Vec<u8>,
    pub thumbnail_size: (u32, u32),
    pub thumbhash: Vec<u8>,
    /// The picture's full size as the decoder produces it, transforms
    /// applied, when the decoder says (HEIF: the primary item after its
    /// rotation, mirror and crop).
    pub shown_size: Option<(u32, u32)>,
    /// A motion photo's video, taken out of the file (see `motion`).
    pub motion: Option<Vec<u8>>,
    pub timings: Timings,
}

/// Makes the preview, thumbnail and thumbhash of an image file's bytes.
/// `orientation` is the EXIF orientation still to apply (see `Metadata`).
pub fn derive(bytes: &[u8], orientation: u8, limits: &Limits) -> Result<Derived, MediaError> {
    let kind =
        imagesize::image_type(bytes).map_err(|err| MediaError::Unsupported(err.to_string()))?;
    if matches!(kind, imagesize::ImageType::Heif(_)) && !crate::heif::iso_complete(bytes) {
        return Err(MediaError::Corrupt(
            "the file is cut off before its end".into(),
        ));
    }
    let (width, height) = crate::size::dimensions(bytes)
        .ok_or_else(|| MediaError::Corrupt("its header does not say its size".into()))?;
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt("the image has no pixels".into()));
    }
    if width.saturating_mul(height) > limits.max_pixels {
        return Err(MediaError::TooLarge {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    let mut timings = Timings::default();
    let mut shown_size = None;
    let started = Instant::now();
    // The preview straight from the decoder's buffer: a 48 MP photo is 146 MB.
    let (mut preview, encoding) = match kind {
        imagesize::ImageType::Jpeg => {
            let (decoded, encoding) = match decode_jpeg(bytes) {
                Ok(decoded) => (decoded, colour::jpeg_icc(bytes).map(Encoding::Icc)),
                Err(JpegTrouble::CutOff) => {
                    return Err(MediaError::Corrupt(
                        "the JPEG file is cut off before its end".into(),
                    ));
                }
                Err(JpegTrouble::Other) => decode_other(bytes, *limits)?,
            };
            timings.decode = started.elapsed();
            (preview_of(&decoded, decoded.dimensions())?, encoding)
        }
        imagesize::ImageType::Heif(_) => {
            let (preview, encoding, size) = crate::heif::preview(bytes, *limits)?;
            timings.decode = started.elapsed();
            shown_size = Some(size);
            (preview, encoding)
        }
        // What the `image` crate's TIFF decoder refuses (palette, few bits
        // a sample, planes apart, fax, old JPEG), Hearth reads itself.
        imagesize::ImageType::Tiff => {
            let (decoded, encoding) =
                decode_other(bytes, *limits).or_else(|_| crate::tiff::decode(bytes))?;
            timings.decode = started.elapsed();
            (preview_of(&decoded, decoded.dimensions())?, encoding)
        }
        _ => {
            let (decoded, encoding) = decode_other(bytes, *limits)?;
            timings.decode = started.elapsed();
            (preview_of(&decoded, decoded.dimensions())?, encoding)
        }
    };
    if let Some(encoding) = encoding {
        colour::to_srgb(&mut preview, &encoding);
    }
    timings.resize = started.elapsed().saturating_sub(timings.decode);
    let started = Instant::now();
    let (pw, ph) = preview.dimensions();
    let thumb_dims = fit_short_edge((pw, ph), THUMB_EDGE, THUMB_MAX);
    let thumbnail = resize(&preview, thumb_dims)?;
    let hash_dims = fit_long_edge(thumbnail.dimensions(), 100);
    let tiny = resize(&thumbnail, hash_dims)?;
    let preview = orient(preview, orientation);
    let thumbnail = orient(thumbnail, orientation);
    let tiny = orient(tiny, orientation);
    timings.resize += started.elapsed();

    let started = Instant::now();
    let preview_bytes = encode_jpeg(&preview, PREVIEW_QUALITY)?;
    let thumbnail_bytes = encode_jpeg(&thumbnail, THUMB_QUALITY)?;
    let rgba: Vec<u8> = tiny
        .pixels()
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    let thumbhash =
        thumbhash::rgba_to_thumb_hash(tiny.width() as usize, tiny.height() as usize, &rgba);
    timings.encode = started.elapsed();
    Ok(Derived {
        preview_size: preview.dimensions(),
        preview: preview_bytes,
        thumbnail_size: thumbnail.dimensions(),
        thumbnail: thumbnail_bytes,
        thumbhash,
        shown_size,
        motion: None,
        timings,
    })
}

/// The working memory decoding `bytes` takes, estimated before anything
/// is decoded, for the import's memory budget: a JPEG is decoded at the
/// smallest scale that still gives the preview (an RGB buffer of that);
/// HEIF and AVIF their codec's planes twice (`heif::working_memory`);
/// other formats a decoded RGBA picture and its RGB copy. `None` when the
/// header does not say the size.
#[must_use]
pub fn working_memory(bytes: &[u8]) -> Option<u64> {
    let (width, height) = crate::size::dimensions(bytes)?;
    let pixels = width.saturating_mul(height);
    Some(match imagesize::image_type(bytes).ok()? {
        imagesize::ImageType::Jpeg => {
            let long = width.max(height).max(1);
            let eighths = (1..=8u64)
                .find(|num| long * num / 8 >= u64::from(PREVIEW_EDGE))
                .unwrap_or(8);
            pixels.saturating_mul(eighths * eighths) / 64 * 3
        }
        imagesize::ImageType::Heif(_) => crate::heif::working_memory(bytes, pixels),
        _ => pixels.saturating_mul(7),
    })
}

/// Scales so the long edge is at most `edge` (never up).
pub(crate) fn fit_long_edge((w, h): (u32, u32), edge: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= edge {
        return (w, h);
    }
    let scale = f64::from(edge) / f64::from(long);
    (scaled(w, scale), scaled(h, scale))
}

/// Scales so the short edge is `edge` (never up), the long one at most `max`.
fn fit_short_edge((w, h): (u32, u32), edge: u32, max: u32) -> (u32, u32) {
    let short = w.min(h);
    let long = w.max(h);
    let scale = (f64::from(edge) / f64::from(short))
        .min(f64::from(max) / f64::from(long))
        .min(1.0);
    (scaled(w, scale), scaled(h, scale))
}

fn scaled(value: u32, scale: f64) -> u32 {
    // Non-negative and no larger than the input: the cast cannot overflow.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "0 < result <= value"
    )]
    let result = (f64::from(value) * scale).round() as u32;
    result.max(1)
}

/// Why libjpeg-turbo gave no picture.
pub(crate) enum JpegTrouble {
    /// The entropy-coded data ends before the image does: decoders fill
    /// the rest with grey.
    CutOff,
    /// Anything else: another decoder may still read it.
    Other,
}

/// libjpeg's own word on a decode that did not go cleanly: a warning it
/// decoded through (stray bytes before a marker, as libjpeg forgives), the
/// data ending early, or an error.
fn classify(message: &str) -> Option<JpegTrouble> {
    let lower = message.to_ascii_lowercase();
    if lower.contains("premature end") {
        Some(JpegTrouble::CutOff)
    } else if lower.contains("extraneous bytes before marker") {
        None
    } else {
        Some(JpegTrouble::Other)
    }
}

/// libjpeg-turbo decoding at the smallest scale that still gives the
/// preview its full size: ½ or ¼ of the work for a 12 MP photo. Bytes
/// after the end-of-image marker (camera padding, trailers) are none of its
/// business; whether the picture is whole is its decoder's to say.
pub(crate) fn decode_jpeg(bytes: &[u8]) -> Result<RgbImage, JpegTrouble> {
    let corrupt = |_: turbojpeg::Error| JpegTrouble::Other;
    let mut decompressor = Decompressor::new().map_err(corrupt)?;
    let header = decompressor.read_header(bytes).map_err(corrupt)?;
    let long = header.width.max(header.height);
    let factor = (1..=8)
        .map(|num| ScalingFactor::new(num, 8))
        .find(|factor| factor.scale(long) >= PREVIEW_EDGE as usize)
        .unwrap_or(ScalingFactor::ONE);
    decompressor.set_scaling_factor(factor).map_err(corrupt)?;
    let scaled = header.scaled(factor);
    let mut pixels = vec![0u8; scaled.width * scaled.height * 3];
    decompressor
        .decompress(
            bytes,
            turbojpeg::Image {
                pixels: pixels.as_mut_slice(),
                width: scaled.width,
                pitch: scaled.width * 3,
                height: scaled.height,
                format: PixelFormat::RGB,
            },
        )
        .or_else(|err| match classify(&err.to_string()) {
            // A warning: the picture was decoded whole.
            None => Ok(()),
            Some(trouble) => Err(trouble),
        })?;
    let width = u32::try_from(scaled.width).map_err(|_| JpegTrouble::Other)?;
    let height = u32::try_from(scaled.height).map_err(|_| JpegTrouble::Other)?;
    RgbImage::from_raw(width, height, pixels).ok_or(JpegTrouble::Other)
}

/// The preview (1440 px long edge) of a decoded image of `dims`.
fn preview_of(source: &impl IntoImageView, dims: (u32, u32)) -> Result<RgbImage, MediaError> {
    resize(source, fit_long_edge(dims, PREVIEW_EDGE))
}

/// PNG, GIF (first frame), WebP, TIFF, BMP, and JPEGs libjpeg-turbo
/// refused (CMYK), with the decoder's own memory limit, and the colour
/// profile the file carries.
fn decode_other(bytes: &[u8], limits: Limits) -> Result<(RgbImage, Option<Encoding>), MediaError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|err| MediaError::Corrupt(err.to_string()))?;
    let mut decoder_limits = image::Limits::default();
    // Four bytes a pixel, and some room for the decoder's own buffers.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(6));
    reader.limits(decoder_limits);
    let failed = |err| match err {
        image::ImageError::Unsupported(err) => MediaError::Unsupported(err.to_string()),
        other => MediaError::Corrupt(other.to_string()),
    };
    let mut decoder = reader.into_decoder().map_err(failed)?;
    let encoding = decoder.icc_profile().ok().flatten().map(Encoding::Icc);
    let image = image::DynamicImage::from_decoder(decoder).map_err(failed)?;
    Ok((image.to_rgb8(), encoding))
}

fn resize(
    source: &impl IntoImageView,
    (width, height): (u32, u32),
) -> Result<RgbImage, MediaError> {
    let mut resized = RgbImage::new(width, height);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    Resizer::new()
        .resize(source, &mut resized, &options)
        .map_err(|err| MediaError::Corrupt(format!("resize: {err}")))?;
    Ok(resized)
}

/// Applies an EXIF orientation (1–8).
fn orient(image: RgbImage, orientation: u8) -> RgbImage {
    match orientation {
        2 => imageops::flip_horizontal(&image),
        3 => imageops::rotate180(&image),
        4 => imageops::flip_vertical(&image),
        5 => imageops::flip_horizontal(&imageops::rotate90(&image)),
        6 => imageops::rotate90(&image),
        7 => imageops::flip_horizontal(&imageops::rotate270(&image)),
        8 => imageops::rotate270(&image),
        _ => image,
    }
}

fn encode_jpeg(image: &RgbImage, quality: i32) -> Result<Vec<u8>, MediaError> {
    let failed = |err: turbojpeg::Error| MediaError::Corrupt(format!("encode: {err}"));
    let mut compressor = Compressor::new().map_err(failed)?;
    compressor.set_quality(quality).map_err(failed)?;
    compressor.set_subsamp(Subsamp::Sub2x2).map_err(failed)?;
    compressor
        .compress_to_vec(turbojpeg::Image {
            pixels: image.as_raw().as_slice(),
            width: image.width() as usize,
            pitch: image.width() as usize * 3,
            height: image.height() as usize,
            format: PixelFormat::RGB,
        })
        .map_err(failed)
}
