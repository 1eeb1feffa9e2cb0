//! HEIF and AVIF previews are made from the codec's own planes (scaled
//! first, turned into RGB after): every chroma layout, depth, matrix and
//! range gives the colours the file means, and real files agree with
//! libheif's own conversion.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "colour levels, bar indices and pixel counts: small values"
)]

use hearth_media::derive::{self, Limits};
use hearth_media::heif;
use image::RgbImage;
use libheif_rs::{
    Channel, Chroma, ColorProfileNCLX, ColorSpace, CompressionFormat, DecodingOptions,
    EncoderParameterValue, EncoderQuality, EncodingOptions, HeifContext, Image, LibHeif, RgbChroma,
};

use crate::media::{corpus, truth};

const BARS: [[u8; 3]; 8] = [
    [200, 100, 50],
    [30, 160, 220],
    [240, 240, 240],
    [20, 20, 20],
    [230, 30, 40],
    [40, 200, 60],
    [50, 60, 210],
    [128, 128, 128],
];
const BAR: u32 = 16;
const HEIGHT: u32 = 64;

/// How a fixture is coded.
struct Coded {
    name: &'static str,
    format: CompressionFormat,
    /// `None`: grey (one plane).
    chroma: Option<Chroma>,
    bits: u8,
    /// H.273 matrix coefficients: 0 (identity), 1 (BT.709), 5/6 (BT.601), 9 (BT.2020).
    matrix: u16,
    full_range: bool,
}

impl Coded {
    /// Code values of a colour (Y′CbCr, or G, B, R for the identity).
    fn code(&self, rgb: [u8; 3]) -> [u16; 3] {
        let [r, g, b] = rgb.map(|c| f64::from(c) / 255.0);
        let max = f64::from((1u32 << self.bits) - 1);
        let scale = f64::from(1u32 << (self.bits - 8));
        let luma = |v: f64| {
            if self.full_range {
                v * max
            } else {
                (219.0 * v + 16.0) * scale
            }
        };
        let chroma = |v: f64| {
            if self.full_range {
                v * max + f64::from(1u32 << (self.bits - 1))
            } else {
                (224.0 * v + 128.0) * scale
            }
        };
        let (kr, kb) = match self.matrix {
            0 => return [luma(g), luma(b), luma(r)].map(round),
            1 => (0.2126, 0.0722),
            9 => (0.2627, 0.0593),
            _ => (0.299, 0.114),
        };
        let y = kr * r + (1.0 - kr - kb) * g + kb * b;
        [
            luma(y),
            chroma((b - y) / (2.0 * (1.0 - kb))),
            chroma((r - y) / (2.0 * (1.0 - kr))),
        ]
        .map(round)
    }

    /// An image of the bars in this coding, encoded by libheif, its `colr`
    /// box saying the matrix and range (and sRGB's primaries and curve).
    fn encode(&self) -> Vec<u8> {
        let width = BAR * BARS.len() as u32;
        let space = self
            .chroma
            .map_or(ColorSpace::Monochrome, ColorSpace::YCbCr);
        let mut image = Image::new(width, HEIGHT, space).unwrap();
        let (cw, ch) = match self.chroma {
            Some(Chroma::C420) => (width / 2, HEIGHT / 2),
            Some(Chroma::C422) => (width / 2, HEIGHT),
            _ => (width, HEIGHT),
        };
        let planes: &[(Channel, u32, u32, usize)] = if self.chroma.is_some() {
            &[
                (Channel::Y, width, HEIGHT, 0),
                (Channel::Cb, cw, ch, 1),
                (Channel::Cr, cw, ch, 2),
            ]
        } else {
            &[(Channel::Y, width, HEIGHT, 0)]
        };
        for &(channel, w, h, _) in planes {
            image.create_plane(channel, w, h, self.bits).unwrap();
        }
        let mut all = image.planes_mut();
        for &(channel, w, h, index) in planes {
            let plane = match channel {
                Channel::Y => all.y.as_mut(),
                Channel::Cb => all.cb.as_mut(),
                _ => all.cr.as_mut(),
            }
            .unwrap();
            let wide = plane.storage_bits_per_pixel > 8;
            for row in 0..h as usize {
                for column in 0..w as usize {
                    let bar = column * width as usize / w as usize / BAR as usize;
                    let value = self.code(BARS[bar])[index];
                    let at = row * plane.stride;
                    if wide {
                        plane.data[at + column * 2..at + column * 2 + 2]
                            .copy_from_slice(&value.to_le_bytes());
                    } else {
                        plane.data[at + column] = u8::try_from(value).unwrap();
                    }
                }
            }
        }
        // A `colr` box is written when the image carries a coding.
        image
            .set_color_profile_nclx(&ColorProfileNCLX::new().unwrap())
            .unwrap();
        let lib = LibHeif::new();
        let mut encoder = lib.encoder_for_format(self.format).unwrap();
        encoder.set_quality(EncoderQuality::Lossy(95)).unwrap();
        if let Some(chroma) = self.chroma {
            let name = match chroma {
                Chroma::C420 => "420",
                Chroma::C422 => "422",
                Chroma::C444 => "444",
            };
            encoder
                .set_parameter_value("chroma", EncoderParameterValue::String(name.into()))
                .unwrap();
        }
        let mut context = HeifContext::new().unwrap();
        context
            .encode_image(&image, &mut encoder, Some(EncodingOptions::new().unwrap()))
            .unwrap();
        let mut bytes = context.write_to_bytes().unwrap();
        let at = bytes
            .windows(8)
            .position(|w| w == b"colrnclx")
            .unwrap_or_else(|| panic!("{}: libheif wrote a colr box", self.name))
            + 8;
        bytes[at..at + 2].copy_from_slice(&1u16.to_be_bytes());
        bytes[at + 2..at + 4].copy_from_slice(&13u16.to_be_bytes());
        bytes[at + 4..at + 6].copy_from_slice(&self.matrix.to_be_bytes());
        bytes[at + 6] = if self.full_range { 0x80 } else { 0 };
        bytes
    }
}

fn round(value: f64) -> u16 {
    value.round() as u16
}

/// libheif's own RGB picture of a file (8 bits).
fn libheif_rgb(bytes: &[u8]) -> Option<RgbImage> {
    let context = HeifContext::read_from_bytes(bytes).ok()?;
    let handle = context.primary_image_handle().ok()?;
    let mut options = DecodingOptions::new()?;
    options.set_convert_hdr_to_8bit(true);
    let image = LibHeif::new()
        .decode(&handle, ColorSpace::Rgb(RgbChroma::Rgb), Some(options))
        .ok()?;
    let plane = image.planes().interleaved?;
    let row = plane.width as usize * 3;
    let pixels = plane
        .data
        .chunks(plane.stride)
        .take(plane.height as usize)
        .flat_map(|line| &line[..row])
        .copied()
        .collect();
    RgbImage::from_raw(plane.width, plane.height, pixels)
}

fn preview(bytes: &[u8]) -> RgbImage {
    let derived = derive::derive(bytes, 1, &Limits::default()).unwrap();
    image::load_from_memory(&derived.preview).unwrap().to_rgb8()
}

/// The mean of a 5×5 patch at a bar's centre.
fn bar_colour(image: &RgbImage, bar: u32) -> [i32; 3] {
    let (cx, cy) = (bar * BAR + BAR / 2, image.height() / 2);
    let mut sum = [0i32; 3];
    for y in cy - 2..=cy + 2 {
        for x in cx - 2..=cx + 2 {
            for (total, value) in sum.iter_mut().zip(image.get_pixel(x, y).0) {
                *total += i32::from(value);
            }
        }
    }
    sum.map(|total| total / 25)
}

#[test]
fn every_chroma_layout_depth_matrix_and_range_shows_its_colours() {
    use Chroma::{C420, C422, C444};
    use CompressionFormat::{Av1, Hevc};
    let coded = |name, format, chroma, bits, matrix, full_range| Coded {
        name,
        format,
        chroma,
        bits,
        matrix,
        full_range,
    };
    let coded = [
        coded(
            "AV1 4:2:0 8-bit BT.601 full range",
            Av1,
            Some(C420),
            8,
            6,
            true,
        ),
        coded(
            "AV1 4:2:0 10-bit BT.709 video range",
            Av1,
            Some(C420),
            10,
            1,
            false,
        ),
        coded(
            "AV1 4:4:4 10-bit BT.2020 full range",
            Av1,
            Some(C444),
            10,
            9,
            true,
        ),
        coded(
            "AV1 4:4:4 8-bit identity (GBR)",
            Av1,
            Some(C444),
            8,
            0,
            true,
        ),
        coded(
            "AV1 4:2:2 12-bit BT.601 video range",
            Av1,
            Some(C422),
            12,
            5,
            false,
        ),
        coded("AV1 grey 10-bit video range", Av1, None, 10, 6, false),
        coded(
            "HEVC 4:2:0 8-bit BT.709 video range",
            Hevc,
            Some(C420),
            8,
            1,
            false,
        ),
        coded(
            "HEVC 4:4:4 10-bit BT.601 full range",
            Hevc,
            Some(C444),
            10,
            6,
            true,
        ),
    ];
    for coded in coded {
        let bytes = coded.encode();
        // The file says what the fixture meant.
        let context = HeifContext::read_from_bytes(&bytes).unwrap();
        let nclx = context
            .primary_image_handle()
            .unwrap()
            .color_profile_nclx()
            .unwrap();
        assert_eq!(
            nclx.matrix_coefficients() as u16,
            coded.matrix,
            "{}",
            coded.name
        );
        assert_eq!(
            nclx.full_range_flag() != 0,
            coded.full_range,
            "{}",
            coded.name
        );

        let shown = preview(&bytes);
        let theirs = libheif_rgb(&bytes).unwrap();
        assert_eq!(shown.dimensions(), theirs.dimensions(), "{}", coded.name);
        for (bar, colour) in BARS.iter().enumerate() {
            let bar = bar as u32;
            let expected = if coded.chroma.is_some() {
                colour.map(i32::from)
            } else {
                // Grey keeps the colour's luma.
                let grey = coded.code(*colour)[0];
                let level = if coded.full_range {
                    f64::from(grey) / 1023.0
                } else {
                    (f64::from(grey) / 4.0 - 16.0) / 219.0
                };
                [(level * 255.0).round() as i32; 3]
            };
            let near = |a: [i32; 3], b: [i32; 3], by: i32| {
                a.iter().zip(b).all(|(x, y)| (x - y).abs() <= by)
            };
            let ours = bar_colour(&shown, bar);
            assert!(
                near(ours, expected, 6),
                "{}: bar {bar} shows {ours:?}, meant {expected:?}",
                coded.name
            );
            // libheif shows video-range grey as if it were full range.
            if coded.chroma.is_none() && !coded.full_range {
                continue;
            }
            let libheif = bar_colour(&theirs, bar);
            assert!(
                near(ours, libheif, 5),
                "{}: bar {bar} shows {ours:?}, libheif {libheif:?}",
                coded.name
            );
        }
    }
}

#[test]
fn previews_of_the_corpus_heifs_agree_with_libheifs_own_conversion() {
    let truth = truth();
    let mut compared = 0;
    for (file, _) in truth
        .iter()
        .filter(|(_, t)| matches!(t["FileType"].as_str(), Some("HEIC" | "HEIF" | "AVIF")))
    {
        let bytes = std::fs::read(corpus().join(file)).unwrap();
        let Some(theirs) = libheif_rgb(&bytes) else {
            continue;
        };
        let derived = match derive::derive(&bytes, 1, &Limits::default()) {
            Ok(derived) => derived,
            // Refused by Hearth alone: only a file cut off before its end.
            Err(err) => {
                assert!(err.to_string().contains("cut off"), "{file}: {err}");
                continue;
            }
        };
        let shown = image::load_from_memory(&derived.preview).unwrap().to_rgb8();
        let mut theirs = image::imageops::resize(
            &theirs,
            shown.width(),
            shown.height(),
            image::imageops::FilterType::CatmullRom,
        );
        let context = HeifContext::read_from_bytes(&bytes).unwrap();
        if let Some(encoding) = heif::encoding(&context.primary_image_handle().unwrap()) {
            hearth_media::colour::to_srgb(&mut theirs, &encoding);
        }
        // What JPEG at the preview's quality costs libheif's own picture.
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 82)
            .encode_image(&theirs)
            .unwrap();
        let their_jpeg = image::load_from_memory(&jpeg).unwrap().to_rgb8();
        let (mean, jpeg_alone) = (
            mean_difference(&shown, &theirs),
            mean_difference(&their_jpeg, &theirs),
        );
        assert!(
            mean <= jpeg_alone + 1.5,
            "{file}: {mean:.2} levels from libheif's picture (its own JPEG: {jpeg_alone:.2})"
        );
        compared += 1;
    }
    assert!(compared >= 15, "{compared} files compared");
}

/// The mean difference of two pictures of one size, in levels.
fn mean_difference(a: &RgbImage, b: &RgbImage) -> f64 {
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

#[test]
fn the_import_budget_reads_a_heifs_coded_chroma_and_depth() {
    // A 20 MP 10-bit 4:4:4 AVIF holds its codec's picture and libheif's
    // copy of it (bench: 250 MB); a 12 MP 8-bit 4:2:0 HEIC a fifth of that.
    let estimate = |file: &str| {
        derive::working_memory(&std::fs::read(corpus().join(file)).unwrap()).unwrap() / 1_000_000
    };
    let avif = estimate("immich-test-assets/formats/avif/10bit-HDR-P3-nclx.avif");
    assert!((240..=280).contains(&avif), "{avif} MB");
    let heic = estimate("lychee/tests/Samples/classic-car.heic");
    assert!((30..=60).contains(&heic), "{heic} MB");
}

#[test]
fn a_box_claiming_nearly_two_to_the_sixty_four_bytes_is_refused_not_a_panic() {
    let mut bytes = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    bytes.extend_from_slice(&1u32.to_be_bytes());
    bytes.extend_from_slice(b"meta");
    bytes.extend_from_slice(&(u64::MAX - 4).to_be_bytes());
    bytes.extend_from_slice(&[0; 64]);
    let refused = derive::derive(&bytes, 1, &Limits::default()).unwrap_err();
    assert!(refused.to_string().contains("cut off"), "{refused}");
    // Nor does the import's memory estimate overflow on a huge claimed size.
    let _ = derive::working_memory(&bytes);
}
