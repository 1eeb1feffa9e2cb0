//! EXIF fields read from an open file: capture time (with offset and
//! sub-seconds), place, camera, exposure, orientation and Apple's Live
//! Photo id. The EXIF comes from kamadak-exif's container reader, from
//! where it does not look (`exif_blob`), or from a Canon CR3's `CMT` boxes
//! (`cr3`); pointers typed oddly are straightened first.

use std::io::{Read, Seek};

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike as _};
use exif::{Context, Exif, Field, In, Tag, Value};

use crate::metadata::{Gps, Metadata, Taken, TakenSource};

/// Where fields are looked up: one EXIF, and for a CR3 its Exif and GPS
/// directories, each stored as a TIFF of its own.
struct Fields<'a> {
    main: &'a Exif,
    exif: Option<&'a Exif>,
    gps: Option<&'a Exif>,
}

/// EXIF fields from an open file (no file name or mtime fallbacks).
pub fn read_from<R: Read + Seek + std::io::BufRead>(reader: &mut R) -> Metadata {
    let empty = Metadata {
        orientation: 1,
        ..Metadata::default()
    };
    fields_of(reader, empty.clone()).unwrap_or(empty)
}

fn fields_of<R: Read + Seek + std::io::BufRead>(
    reader: &mut R,
    mut metadata: Metadata,
) -> Option<Metadata> {
    // Broken EXIF is common (a GPS block left empty by an app): keep what
    // parsed rather than nothing.
    let mut exif_reader = exif::Reader::new();
    exif_reader.continue_on_error(true);
    let read_raw = |blob: Vec<u8>| {
        exif_reader
            .read_raw(blob)
            .or_else(|err| err.distill_partial_result(|_| ()))
            .ok()
    };
    let from_container = exif_reader
        .read_from_container(reader)
        .or_else(|err| err.distill_partial_result(|_| ()))
        .ok();
    let exif = match from_container {
        Some(exif) if exif.fields().next().is_some() => Some(exif),
        // Where the container reader does not look (WebP's `Exif\0\0`
        // chunks, PNG's eXIf and raw-profile chunks).
        other => crate::exif_blob::find(reader).and_then(read_raw).or(other),
    };
    let cr3 = match exif {
        Some(_) => None,
        None => crate::cr3::exif_parts(reader),
    };
    let (exif, exif_part, gps_part) = match (exif, cr3) {
        (Some(exif), _) => (exif, None, None),
        (None, Some(parts)) => (
            read_raw(parts.ifd0)?,
            parts.exif.and_then(read_raw),
            parts.gps.and_then(read_raw),
        ),
        (None, None) => return None,
    };
    let mut exif = exif;
    // Pointers typed IFD or signed, which the reader does not follow.
    if let Some(reread) = crate::exif_blob::plain_pointers(exif.buf()).and_then(read_raw) {
        exif = reread;
    }
    let exif = Fields {
        main: &exif,
        exif: exif_part.as_ref(),
        gps: gps_part.as_ref(),
    };
    metadata.taken = taken(&exif);
    metadata.gps = gps(&exif);
    metadata.make = text(&exif, Tag::Make);
    metadata.model = text(&exif, Tag::Model);
    metadata.lens = text(&exif, Tag::LensModel);
    metadata.exposure_time = number(&exif, Tag::ExposureTime);
    metadata.f_number = number(&exif, Tag::FNumber);
    metadata.iso = field(&exif, Tag::PhotographicSensitivity).and_then(|f| f.value.get_uint(0));
    metadata.focal_length = number(&exif, Tag::FocalLength);
    metadata.orientation = field(&exif, Tag::Orientation)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|value| u8::try_from(value).ok())
        .filter(|value| (1..=8).contains(value))
        .unwrap_or(1);
    metadata.content_id = field(&exif, Tag::MakerNote).and_then(|f| match &f.value {
        Value::Undefined(bytes, _) => apple_content_id(bytes),
        _ => None,
    });
    Some(metadata)
}

/// Apple's MakerNote: `Apple iOS\0`, a version, `MM`, then an IFD whose
/// offsets count from the note's start; tag 0x0011 is the Live Photo id.
fn apple_content_id(note: &[u8]) -> Option<String> {
    if !note.starts_with(b"Apple iOS\0") || note.get(12..14)? != b"MM" {
        return None;
    }
    let u16_at = |at: usize| Some(u16::from_be_bytes(note.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| {
        let bytes: [u8; 4] = note.get(at..at + 4)?.try_into().ok()?;
        usize::try_from(u32::from_be_bytes(bytes)).ok()
    };
    let count = usize::from(u16_at(14)?);
    (0..count.min(256)).find_map(|n| {
        let entry = 16 + n * 12;
        if u16_at(entry)? != 0x0011 || u16_at(entry + 2)? != 2 {
            return None;
        }
        let length = u32_at(entry + 4)?;
        let bytes = if length <= 4 {
            note.get(entry + 8..entry + 8 + length)?
        } else {
            let offset = u32_at(entry + 8)?;
            note.get(offset..offset.checked_add(length)?)?
        };
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        (!text.is_empty()).then(|| text.to_owned())
    })
}

fn field<'a>(fields: &Fields<'a>, tag: Tag) -> Option<&'a Field> {
    fields.main.get_field(tag, In::PRIMARY).or_else(|| {
        // A CR3 stores each directory as its own TIFF: its fields are that
        // TIFF's IFD0 fields.
        let part = match tag.0 {
            Context::Exif => fields.exif?,
            Context::Gps => fields.gps?,
            _ => return None,
        };
        part.get_field(Tag(Context::Tiff, tag.1), In::PRIMARY)
    })
}

/// An ASCII field as trimmed text; empty is none.
fn text(exif: &Fields<'_>, tag: Tag) -> Option<String> {
    let Value::Ascii(parts) = &field(exif, tag)?.value else {
        return None;
    };
    let bytes = parts.first()?;
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!text.is_empty()).then(|| text.to_owned())
}

fn number(exif: &Fields<'_>, tag: Tag) -> Option<f64> {
    match &field(exif, tag)?.value {
        Value::Rational(values) => values
            .first()
            .filter(|r| r.denom != 0)
            .map(exif::Rational::to_f64),
        Value::SRational(values) => values
            .first()
            .filter(|r| r.denom != 0)
            .map(exif::SRational::to_f64),
        other => other.get_uint(0).map(f64::from),
    }
    .filter(|value| value.is_finite())
}

fn taken(exif: &Fields<'_>) -> Option<Taken> {
    [
        (
            Tag::DateTimeOriginal,
            Tag::OffsetTimeOriginal,
            Tag::SubSecTimeOriginal,
            TakenSource::ExifOriginal,
        ),
        (
            Tag::DateTimeDigitized,
            Tag::OffsetTimeDigitized,
            Tag::SubSecTimeDigitized,
            TakenSource::ExifDigitized,
        ),
        (
            Tag::DateTime,
            Tag::OffsetTime,
            Tag::SubSecTime,
            TakenSource::ExifModified,
        ),
    ]
    .into_iter()
    .find_map(|(date, offset, subsec, source)| {
        let mut local = parse_exif_datetime(&text(exif, date)?)?;
        if let Some(millis) = text(exif, subsec).and_then(|digits| subsec_nanos(&digits)) {
            local = local.with_nanosecond(millis).unwrap_or(local);
        }
        Some(Taken {
            local,
            offset: text(exif, offset).and_then(|text| parse_offset(&text)),
            source,
        })
    })
}

/// `YYYY:MM:DD HH:MM:SS` (the separators vary in the wild).
fn parse_exif_datetime(text: &str) -> Option<NaiveDateTime> {
    let digits: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .take(6)
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    let [year, month, day, hour, minute, second] = digits[..] else {
        return None;
    };
    // 0000:00:00 fails here: there is no month 0.
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some(date.and_time(NaiveTime::from_hms_opt(hour, minute, second.min(59))?))
}

/// `+09:00`, `-0530`, `Z`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let text = text.trim();
    if text == "Z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// EXIF sub-second digits ("07" = 0.07 s) as nanoseconds.
fn subsec_nanos(digits: &str) -> Option<u32> {
    let digits: String = digits
        .chars()
        .take_while(char::is_ascii_digit)
        .take(9)
        .collect();
    if digits.is_empty() {
        return None;
    }
    let padded = format!("{digits:0<9}");
    padded.parse().ok()
}

fn gps(exif: &Fields<'_>) -> Option<Gps> {
    let coordinate = |value: Tag, reference: Tag, negative: &str| -> Option<f64> {
        // Some writers use signed rationals here.
        let parts: Vec<f64> = match &field(exif, value)?.value {
            Value::Rational(parts) => parts
                .iter()
                .map(|r| (r.denom != 0).then(|| r.to_f64()))
                .collect::<Option<_>>()?,
            Value::SRational(parts) => parts
                .iter()
                .map(|r| (r.denom != 0).then(|| r.to_f64()))
                .collect::<Option<_>>()?,
            _ => return None,
        };
        let degrees: f64 = parts
            .iter()
            .zip([1.0, 60.0, 3600.0])
            .map(|(part, scale)| part / scale)
            .sum();
        let sign = match text(exif, reference) {
            Some(r) if r.eq_ignore_ascii_case(negative) => -1.0,
            _ => 1.0,
        };
        Some(sign * degrees)
    };
    let latitude = coordinate(Tag::GPSLatitude, Tag::GPSLatitudeRef, "S")?;
    let longitude = coordinate(Tag::GPSLongitude, Tag::GPSLongitudeRef, "W")?;
    // 0,0 is "no fix" written by careless software, not a boat off Africa.
    let valid = (-90.0..=90.0).contains(&latitude)
        && (-180.0..=180.0).contains(&longitude)
        && !(latitude.abs() < 1e-9 && longitude.abs() < 1e-9);
    if !valid {
        return None;
    }
    let altitude = number(exif, Tag::GPSAltitude).map(|meters| {
        let below = field(exif, Tag::GPSAltitudeRef).and_then(|f| f.value.get_uint(0)) == Some(1);
        if below { -meters } else { meters }
    });
    Some(Gps {
        latitude,
        longitude,
        altitude,
    })
}
