//! What Hearth records for every corpus file it imported, field by field
//! against exiftool's reading (`truth.json`): capture time, offset, place,
//! make, model and displayed size. Each field must agree on at least 99%
//! of the files exiftool gives it for, and every disagreement left is
//! listed below with the reason Hearth is right.

use std::collections::BTreeMap;

use hearth::db::entities::asset;
use serde_json::Value;

/// Disagreements where Hearth is right: (file, field, why).
const HEARTH_IS_RIGHT: &[(&str, &str, &str)] = &[
    (
        "libheif/tests/data/rainbow-451x461.heic",
        "displayed size",
        "exiftool gives the coded size (ispe); the picture is its clean \
         aperture (clap), 451×461, as libheif decodes and every viewer shows it",
    ),
    (
        "pigallery2/test/backend/assets/live_photo/IMG_7943.HEIC",
        "displayed size",
        "exiftool gives the coded size (ispe, 100×134); the clean aperture \
         crops a row: 100×133, as decoded and shown",
    ),
    (
        "pigallery2/test/backend/assets/orientation/IMG_0307.HEIC",
        "displayed size",
        "exiftool's Rotation (0) is not the primary item's: libheif applies \
         the primary item's transforms and the picture is portrait (the EXIF \
         orientation, 6, agrees), so Hearth records 4284×5712",
    ),
];

/// One field's comparison for one file: `None` when exiftool has no value.
type Compared = Option<(bool, String)>;

fn capture_time(t: &Value, asset: &asset::Model) -> Compared {
    let original = t["DateTimeOriginal"]
        .as_str()
        .filter(|d| d.len() >= 19 && !d.starts_with("0000"));
    if let Some(expected) = original {
        let expected = expected[..19].replacen(':', "-", 2).replacen(' ', "T", 1);
        let got = asset.taken_local.clone().unwrap_or_default();
        return Some((got.starts_with(&expected), format!("{got} != {expected}")));
    }
    // A video's QuickTime CreateDate is UTC.
    let created = t["CreateDate"]
        .as_str()
        .filter(|d| d.len() >= 19 && !d.starts_with("0000"))
        .filter(|_| {
            t["CreateDate_group"]
                .as_str()
                .is_some_and(|g| g.starts_with("QuickTime"))
        })?;
    let expected = chrono::NaiveDateTime::parse_from_str(&created[..19], "%Y:%m:%d %H:%M:%S")
        .ok()?
        .and_utc();
    Some((
        asset.sort_at == expected,
        format!("{} != {expected} (UTC)", asset.sort_at),
    ))
}

fn offset(t: &Value, asset: &asset::Model) -> Compared {
    let expected = t["OffsetTimeOriginal"].as_str()?;
    let sign = if expected.starts_with('-') { -1 } else { 1 };
    let hours: i32 = expected.get(1..3)?.parse().ok()?;
    let minutes: i32 = expected.get(4..6)?.parse().ok()?;
    let wanted = sign * (hours * 60 + minutes);
    Some((
        asset.taken_offset_minutes == Some(wanted),
        format!("{:?} != {wanted} minutes", asset.taken_offset_minutes),
    ))
}

fn place(t: &Value, asset: &asset::Model) -> Compared {
    let (lat, lon) = (t["GPSLatitude"].as_f64()?, t["GPSLongitude"].as_f64()?);
    let ok = asset
        .latitude
        .zip(asset.longitude)
        .is_some_and(|(la, lo)| (la - lat).abs() < 1e-5 && (lo - lon).abs() < 1e-5);
    Some((
        ok,
        format!("{:?},{:?} != {lat},{lon}", asset.latitude, asset.longitude),
    ))
}

fn text(t: &Value, field: &str, got: Option<&str>) -> Compared {
    let expected = t[field].as_str()?.trim();
    Some((got == Some(expected), format!("{got:?} != {expected}")))
}

fn displayed_size(t: &Value, asset: &asset::Model) -> Compared {
    let (w, h) = (t["ImageWidth"].as_u64()?, t["ImageHeight"].as_u64()?);
    // HEIF, AVIF and videos turn in the container (exiftool's Rotation);
    // other stills by their EXIF orientation.
    let container =
        matches!(t["FileType"].as_str(), Some("HEIC" | "HEIF" | "AVIF")) || t["kind"] == "video";
    let turned = if container {
        matches!(t["Rotation"].as_u64(), Some(90 | 270))
    } else {
        t["Orientation"]
            .as_u64()
            .is_some_and(|o| (5..=8).contains(&o))
    };
    let (w, h) = if turned { (h, w) } else { (w, h) };
    let got = asset.width.zip(asset.height);
    let ok = got.is_some_and(|(gw, gh)| {
        u64::try_from(gw).ok() == Some(w) && u64::try_from(gh).ok() == Some(h)
    });
    Some((ok, format!("{got:?} != {w}x{h}")))
}

/// Compares every imported file (`file` → its asset) with exiftool.
pub fn check(imported: &[(&String, &Value, &asset::Model)]) {
    let mut fields: BTreeMap<&str, (u32, Vec<String>)> = BTreeMap::new();
    for (file, t, asset) in imported {
        let compared = [
            ("capture time", capture_time(t, asset)),
            ("offset", offset(t, asset)),
            ("place", place(t, asset)),
            ("make", text(t, "Make", asset.make.as_deref())),
            ("model", text(t, "Model", asset.model.as_deref())),
            ("displayed size", displayed_size(t, asset)),
        ];
        for (field, result) in compared {
            let Some((ok, detail)) = result else {
                continue;
            };
            let entry = fields.entry(field).or_default();
            entry.0 += 1;
            if !ok {
                entry.1.push(format!("{file}: {detail}"));
            }
        }
    }
    let mut unexplained = Vec::new();
    for (field, (count, wrong)) in &fields {
        let agree = count - u32::try_from(wrong.len()).unwrap();
        let mut right = 0;
        for line in wrong {
            let known = HEARTH_IS_RIGHT
                .iter()
                .find(|(file, of, _)| *of == *field && line.starts_with(&format!("{file}:")));
            match known {
                Some((_, _, why)) => {
                    right += 1;
                    println!("{:>15}  {line} — {why}", "");
                }
                None => unexplained.push(format!("{field} {line}")),
            }
        }
        println!(
            "{field:>15}: {agree} of {count} agree ({:.1}%), {right} where exiftool is wrong",
            f64::from(agree) * 100.0 / f64::from(*count)
        );
        // Exiftool's own mistakes (listed, with why) do not count against.
        if f64::from(agree + right) < f64::from(*count) * 0.99 {
            unexplained.push(format!("{field}: only {agree} of {count} agree"));
        }
    }
    assert!(
        unexplained.is_empty(),
        "disagreements with no reason listed:\n{}",
        unexplained.join("\n")
    );
}
