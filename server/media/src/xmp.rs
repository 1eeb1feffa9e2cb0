//! XMP, embedded in the file or in a sidecar beside it (read, never
//! written): capture time and GPS when EXIF lacks them, and the title,
//! description, rating and keywords people set in digiKam, darktable or
//! Lightroom.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
use quick_xml::events::Event;

/// A motion photo's video, as its XMP locates it: it ends `padding` bytes
/// before the file's end and starts `from_end` bytes before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MotionHint {
    pub from_end: u64,
    pub padding: u64,
}

/// The fields Hearth reads from an XMP packet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Xmp {
    pub taken: Option<(NaiveDateTime, Option<FixedOffset>)>,
    pub gps: Option<(f64, f64)>,
    /// `tiff:Make` and `tiff:Model`.
    pub make: Option<String>,
    pub model: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// -1 (rejected) to 5.
    pub rating: Option<i8>,
    pub keywords: Vec<String>,
    /// Where a motion photo's video is, when the packet says.
    pub motion: Option<MotionHint>,
}

/// Finds an XMP packet in a file's bytes.
#[must_use]
pub fn find_packet(bytes: &[u8]) -> Option<&[u8]> {
    let start = find(bytes, b"<x:xmpmeta").or_else(|| find(bytes, b"<rdf:RDF"))?;
    let rest = &bytes[start..];
    let end = find(rest, b"</x:xmpmeta>")
        .map(|at| at + b"</x:xmpmeta>".len())
        .or_else(|| find(rest, b"</rdf:RDF>").map(|at| at + b"</rdf:RDF>".len()))?;
    Some(&rest[..end])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Container elements whose text belongs to the property around them.
const STRUCTURE: [&[u8]; 7] = [
    b"xmpmeta",
    b"RDF",
    b"Description",
    b"li",
    b"Alt",
    b"Bag",
    b"Seq",
];

/// Reads the properties Hearth uses; anything malformed is skipped.
#[must_use]
pub fn parse(packet: &[u8]) -> Xmp {
    let mut values: Vec<(Vec<u8>, String)> = Vec::new();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    // Text of the innermost element, which quick-xml delivers in pieces
    // around entity references.
    let mut text = String::new();
    let mut motion = None;
    let mut reader = quick_xml::Reader::from_reader(packet);
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(element)) => {
                motion = motion.or_else(|| motion_item(&element));
                attributes(&element, &mut values);
                stack.push(element.local_name().as_ref().to_vec());
                text.clear();
            }
            Ok(Event::Empty(element)) => {
                motion = motion.or_else(|| motion_item(&element));
                attributes(&element, &mut values);
            }
            Ok(Event::Text(piece)) => {
                if let Ok(piece) = piece.decode() {
                    text.push_str(&piece);
                }
            }
            Ok(Event::GeneralRef(reference)) => {
                if let Ok(name) = reference.decode() {
                    text.push_str(&unescape(&format!("&{name};")));
                }
            }
            Ok(Event::End(_)) => {
                let property = stack
                    .iter()
                    .rev()
                    .find(|name| !STRUCTURE.contains(&name.as_slice()));
                let trimmed = text.trim();
                if let (Some(property), false) = (property, trimmed.is_empty()) {
                    values.push((property.clone(), trimmed.to_owned()));
                }
                text.clear();
                stack.pop();
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buffer.clear();
        // A packet is small; a huge one is not worth reading on.
        if values.len() > 10_000 {
            break;
        }
    }
    let first = |name: &[u8]| {
        values
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let taken = [
        b"DateTimeOriginal".as_slice(),
        b"DateCreated",
        b"CreateDate",
    ]
    .into_iter()
    .find_map(|name| first(name).and_then(parse_date));
    let gps = first(b"GPSLatitude")
        .and_then(|lat| coordinate(lat, 'S'))
        .zip(first(b"GPSLongitude").and_then(|lon| coordinate(lon, 'W')))
        .filter(|(lat, lon)| {
            (-90.0..=90.0).contains(lat)
                && (-180.0..=180.0).contains(lon)
                && (lat.abs() > 1e-9 || lon.abs() > 1e-9)
        });
    Xmp {
        taken,
        gps,
        make: first(b"Make").map(str::to_owned),
        model: first(b"Model").map(str::to_owned),
        title: first(b"title").map(str::to_owned),
        description: first(b"description").map(str::to_owned),
        rating: first(b"Rating")
            .and_then(|r| r.split('.').next()?.trim().parse::<i64>().ok())
            .and_then(|r| i8::try_from(r.clamp(-1, 5)).ok()),
        keywords: values
            .iter()
            .filter(|(key, _)| key == b"subject")
            .map(|(_, value)| value.clone())
            .collect(),
        // Google's first format: the offset from the end, no padding.
        motion: motion.or_else(|| {
            let flagged = first(b"MicroVideo").is_some_and(|v| v.trim() == "1");
            let offset = first(b"MicroVideoOffset")?.trim().parse().ok()?;
            flagged.then_some(MotionHint {
                from_end: offset,
                padding: 0,
            })
        }),
    }
}

/// A `Container:Item` whose semantic is `MotionPhoto`: its length (the
/// video's, with the padding after it) and padding, from its attributes.
fn motion_item(element: &quick_xml::events::BytesStart<'_>) -> Option<MotionHint> {
    let mut semantic = None;
    let (mut length, mut padding) = (None, 0u64);
    for attribute in element.attributes().flatten() {
        let value = std::str::from_utf8(&attribute.value).ok()?.trim();
        match attribute.key.local_name().as_ref() {
            b"Semantic" => semantic = Some(value == "MotionPhoto"),
            b"Length" => length = value.parse::<u64>().ok(),
            b"Padding" => padding = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    semantic.filter(|motion| *motion)?;
    Some(MotionHint {
        from_end: length?,
        padding,
    })
}

fn attributes(element: &quick_xml::events::BytesStart<'_>, values: &mut Vec<(Vec<u8>, String)>) {
    for attribute in element.attributes().flatten() {
        let key = attribute.key.local_name().as_ref().to_vec();
        if let Ok(value) = std::str::from_utf8(&attribute.value) {
            values.push((key, unescape(value)));
        }
    }
}

fn unescape(text: &str) -> String {
    quick_xml::escape::unescape(text).map_or_else(|_| text.to_owned(), std::borrow::Cow::into_owned)
}

/// XMP GPS: `50,5.3752490N` (degrees, decimal minutes, direction),
/// `50,5,22.5N`, or a plain signed decimal.
fn coordinate(text: &str, negative: char) -> Option<f64> {
    let text = text.trim();
    let direction = text.chars().last().filter(char::is_ascii_alphabetic);
    let numbers = direction.map_or(text, |_| &text[..text.len() - 1]);
    let parts: Vec<f64> = numbers
        .split(',')
        .map(|part| part.trim().parse().ok())
        .collect::<Option<_>>()?;
    let value = match parts[..] {
        [degrees] => degrees,
        [degrees, minutes] => degrees + minutes / 60.0,
        [degrees, minutes, seconds] => degrees + minutes / 60.0 + seconds / 3600.0,
        _ => return None,
    };
    let sign = if direction.is_some_and(|d| d.eq_ignore_ascii_case(&negative)) {
        -1.0
    } else {
        1.0
    };
    Some(sign * value).filter(|v| v.is_finite())
}

/// ISO 8601 as XMP writes it: `2024-01-07T11:02:59.177+01:00`, `…Z`,
/// without seconds, or a bare date.
fn parse_date(text: &str) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    let text = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some((at.naive_local(), Some(*at.offset())));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z"] {
        if let Ok(at) = chrono::DateTime::parse_from_str(text, format) {
            return Some((at.naive_local(), Some(*at.offset())));
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some((at, None));
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|date| (date.and_time(chrono::NaiveTime::MIN), None))
}
