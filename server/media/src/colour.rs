//! Colour profiles: previews and thumbnails are sRGB, so a Display P3
//! iPhone photo or an Adobe RGB camera JPEG looks the same in every browser
//! (and not washed out or oversaturated). The profile comes from the file —
//! an ICC profile (JPEG APP2 segments, PNG/WebP/TIFF/HEIF) or, in AVIF and
//! HEIF, the coded primaries and transfer (CICP/nclx) — and the conversion
//! runs on the already small preview, so it costs little.

use std::sync::LazyLock;

use qcms::{DataType, Intent, Profile, Transform};

/// ICC profiles larger than this are ignored (real ones are a few KiB; a
/// JPEG can carry at most 255 × 64 KiB).
const MAX_ICC: usize = 1 << 20;

/// The colour space an image's pixels were encoded in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encoding {
    /// An embedded ICC profile.
    Icc(Vec<u8>),
    /// Coded primaries and transfer function (ITU-T H.273 code points).
    Cicp { primaries: u8, transfer: u8 },
}

static SRGB: LazyLock<Box<Profile>> = LazyLock::new(|| {
    let mut profile = Profile::new_sRGB();
    profile.precache_output_transform();
    profile
});

/// Converts interleaved 8-bit RGB `pixels` to sRGB in place. Profiles that
/// cannot be read, are not RGB, or already give sRGB leave the pixels as
/// they are (an image is never refused for its profile).
pub fn to_srgb(pixels: &mut [u8], encoding: &Encoding) {
    let Some(transform) = transform(encoding) else {
        return;
    };
    if !pixels.len().is_multiple_of(3) {
        return;
    }
    transform.apply(pixels);
}

fn transform(encoding: &Encoding) -> Option<Transform> {
    let profile = match encoding {
        Encoding::Icc(icc) => {
            // qcms reads RGB and grey profiles; the pixels here are RGB.
            if icc.len() > MAX_ICC || icc.get(16..20) != Some(b"RGB ") {
                return None;
            }
            Profile::new_from_slice(icc, false)?
        }
        Encoding::Cicp {
            primaries,
            transfer,
        } => {
            // Wide gamuts only (BT.709 and unspecified are sRGB's own
            // primaries); qcms panics on reserved code points, so only
            // known ones pass.
            if !matches!(primaries, 4..=12 | 22) {
                return None;
            }
            // Still images tagged with video transfer functions are
            // display-referred: read them as sRGB's curve. HDR curves (PQ,
            // HLG) would need tone mapping: the pixels are left as decoded.
            let transfer = match transfer {
                1 | 2 | 6 | 13..=15 => 13,
                4 | 5 | 8 => *transfer,
                _ => return None,
            };
            Profile::new_cicp((*primaries).into(), transfer.into())?
        }
    };
    let transform = Transform::new(&profile, &SRGB, DataType::RGB8, Intent::Perceptual)?;
    (!is_identity(&transform)).then_some(transform)
}

/// Most embedded profiles are sRGB under another name ("sRGB IEC61966-2.1",
/// "GIMP built-in sRGB", …): a transform that leaves a cube of test colours
/// unchanged (±1) is skipped.
fn is_identity(transform: &Transform) -> bool {
    const STEPS: [u8; 6] = [0, 51, 102, 153, 204, 255];
    let cube: Vec<u8> = STEPS
        .iter()
        .flat_map(|&r| {
            STEPS
                .iter()
                .flat_map(move |&g| STEPS.iter().flat_map(move |&b| [r, g, b]))
        })
        .collect();
    let mut converted = cube.clone();
    transform.apply(&mut converted);
    cube.iter()
        .zip(&converted)
        .all(|(&a, &b)| a.abs_diff(b) <= 1)
}

/// The ICC profile of a JPEG: `ICC_PROFILE` APP2 segments, in sequence
/// order, joined. Stops at the first scan (profiles come before it).
pub fn jpeg_icc(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: &[u8] = b"ICC_PROFILE\0";
    let mut chunks: Vec<(u8, &[u8])> = Vec::new();
    let mut at = 2;
    while let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) {
        if marker == 0xFF {
            at += 1;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let segment = bytes.get(at + 4..at + 2 + length)?;
        if marker == 0xE2
            && let Some(rest) = segment.strip_prefix(SIGNATURE)
            && let [sequence, _count, data @ ..] = rest
        {
            chunks.push((*sequence, data));
        }
        at += 2 + length;
    }
    if chunks.is_empty() {
        return None;
    }
    chunks.sort_by_key(|(sequence, _)| *sequence);
    let icc: Vec<u8> = chunks
        .into_iter()
        .flat_map(|(_, data)| data)
        .copied()
        .collect();
    (icc.len() <= MAX_ICC).then_some(icc)
}
