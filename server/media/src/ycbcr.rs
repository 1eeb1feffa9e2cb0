//! Y′CbCr to R′G′B′ (ITU-T H.273), for HEIF and AVIF pictures that Hearth
//! scales down while they are still in the decoder's planes: the colour
//! conversion then runs on the preview's 1.4 MP instead of the photo's 20,
//! and no full-size RGB picture is ever held.

use libheif_rs::{ColorProfileNCLX, MatrixCoefficients};

/// How a picture's three coded planes become red, green and blue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Matrix {
    /// Luma and two colour differences, with the luma weights of red and
    /// blue (green's is what is left).
    Weights { kr: f32, kb: f32 },
    /// The planes are green, blue and red themselves (code point 0).
    Identity,
    /// Luma, chroma green and chroma orange (code point 8).
    YCgCo,
}

/// BT.601's weights: what libheif and most decoders use when a file says
/// nothing or something unknown.
const BT601: Matrix = Matrix::Weights {
    kr: 0.299,
    kb: 0.114,
};

/// A picture's coding: its matrix, whether its code values use the full
/// range or the video range (16–235 and 16–240 at 8 bits), and the depth
/// of its luma and of its chroma (HEVC allows them to differ).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Coding {
    pub matrix: Matrix,
    pub full_range: bool,
    pub bits: u8,
    pub chroma_bits: u8,
}

impl Coding {
    /// The coding the decoder reports for its picture (the container's
    /// `colr` box, else the bitstream's). Without one: BT.601, full range.
    pub(crate) fn of(nclx: Option<&ColorProfileNCLX>, bits: u8, chroma_bits: u8) -> Self {
        let Some(nclx) = nclx else {
            return Self {
                matrix: BT601,
                full_range: true,
                bits,
                chroma_bits,
            };
        };
        let weights = |kr, kb| Matrix::Weights { kr, kb };
        let matrix = match nclx.matrix_coefficients() {
            MatrixCoefficients::RGB_GBR => Matrix::Identity,
            MatrixCoefficients::YCgCo => Matrix::YCgCo,
            MatrixCoefficients::ITU_R_BT_709_5 => weights(0.2126, 0.0722),
            MatrixCoefficients::US_FCC_T47 => weights(0.30, 0.11),
            MatrixCoefficients::SMPTE_240M => weights(0.212, 0.087),
            // Constant luminance is read as its non-constant sibling, an
            // approximation (saturated colours drift); photos do not use it.
            MatrixCoefficients::ITU_R_BT_2020_2_NonConstantLuminance
            | MatrixCoefficients::ITU_R_BT_2020_2_ConstantLuminance => weights(0.2627, 0.0593),
            MatrixCoefficients::ChromaticityDerivedNonConstantLuminance
            | MatrixCoefficients::ChromaticityDerivedConstantLuminance => {
                derived_weights(nclx).unwrap_or(BT601)
            }
            _ => BT601,
        };
        Self {
            matrix,
            full_range: nclx.full_range_flag() != 0,
            bits,
            chroma_bits,
        }
    }

    /// Code values of `bits` as fractions: luma (and the identity matrix's
    /// planes) 0‥1, colour differences −½‥½ (H.273's scale is 2^(bits−8),
    /// below 8 bits too).
    fn luma(&self, value: f32, bits: u8) -> f32 {
        let scale = 2f32.powi(i32::from(bits.clamp(1, 16)) - 8);
        if self.full_range {
            value / max(bits)
        } else {
            (value - 16.0 * scale) / (219.0 * scale)
        }
    }

    fn chroma(&self, value: f32, bits: u8) -> f32 {
        let scale = 2f32.powi(i32::from(bits.clamp(1, 16)) - 8);
        if self.full_range {
            (value - 128.0 * scale) / max(bits)
        } else {
            (value - 128.0 * scale) / (224.0 * scale)
        }
    }

    /// One pixel's red, green and blue, 0‥255.
    pub(crate) fn rgb(&self, y: u16, cb: u16, cr: u16) -> [u8; 3] {
        let (y, cb, cr) = (f32::from(y), f32::from(cb), f32::from(cr));
        let (luma, chroma) = (self.bits, self.chroma_bits);
        let rgb = match self.matrix {
            Matrix::Identity => [
                self.luma(cr, chroma),
                self.luma(y, luma),
                self.luma(cb, chroma),
            ],
            Matrix::YCgCo => {
                let (y, cg, co) = (
                    self.luma(y, luma),
                    self.chroma(cb, chroma),
                    self.chroma(cr, chroma),
                );
                let t = y - cg;
                [t + co, y + cg, t - co]
            }
            Matrix::Weights { kr, kb } => {
                let (y, cb, cr) = (
                    self.luma(y, luma),
                    self.chroma(cb, chroma),
                    self.chroma(cr, chroma),
                );
                let kg = 1.0 - kr - kb;
                let r = y + 2.0 * (1.0 - kr) * cr;
                let b = y + 2.0 * (1.0 - kb) * cb;
                // Green from the luma equation Y = kr·R + kg·G + kb·B.
                let g = (y - kr * r - kb * b) / kg;
                [r, g, b]
            }
        };
        rgb.map(to_byte)
    }

    /// A grey picture's level, 0‥255.
    pub(crate) fn grey(&self, y: u16) -> u8 {
        to_byte(self.luma(f32::from(y), self.bits))
    }
}

/// The largest code value of `bits`.
fn max(bits: u8) -> f32 {
    f32::from(u16::MAX >> (16 - bits.clamp(1, 16)))
}

fn to_byte(value: f32) -> u8 {
    // Clamped to 0‥255 first: the cast cannot truncate or lose a sign.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 0..=255"
    )]
    let byte = (value * 255.0).round().clamp(0.0, 255.0) as u8;
    byte
}

/// Luma weights from the primaries' chromaticities (code points 12 and
/// 13): the share of white's luminance that red and blue carry. Each
/// primary is a column (x/y, 1, z/y) of XYZ; white (Y = 1) is their sum
/// scaled by S, solved by Cramer's rule; a primary's luminance share is
/// its scale, since each column's Y is 1.
fn derived_weights(nclx: &ColorProfileNCLX) -> Option<Matrix> {
    let column = |x: f32, y: f32| -> Option<[f32; 3]> {
        (y.abs() > f32::EPSILON).then(|| [x / y, 1.0, (1.0 - x - y) / y])
    };
    let red = column(nclx.color_primary_red_x(), nclx.color_primary_red_y())?;
    let green = column(nclx.color_primary_green_x(), nclx.color_primary_green_y())?;
    let blue = column(nclx.color_primary_blue_x(), nclx.color_primary_blue_y())?;
    let white = column(nclx.color_primary_white_x(), nclx.color_primary_white_y())?;
    let det = |a: [f32; 3], b: [f32; 3], c: [f32; 3]| {
        a[0] * (b[1] * c[2] - b[2] * c[1]) - b[0] * (a[1] * c[2] - a[2] * c[1])
            + c[0] * (a[1] * b[2] - a[2] * b[1])
    };
    let whole = det(red, green, blue);
    if whole.abs() <= f32::EPSILON {
        return None;
    }
    let kr = det(white, green, blue) / whole;
    let kb = det(red, green, white) / whole;
    (kr > 0.0 && kb > 0.0 && kr + kb < 1.0).then_some(Matrix::Weights { kr, kb })
}
