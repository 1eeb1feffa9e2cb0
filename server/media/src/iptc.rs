//! The IPTC capture date (`DateCreated` 2:55 with `TimeCreated` 2:60) that
//! newsroom software, Photoshop and scanning tools write into a JPEG's
//! Photoshop segment (APP13, image resource 0x0404). Segment headers are
//! read and their data skipped, so only the APP13 segment is read whole
//! (at most 64 KiB, a segment's limit).

use std::io::{Read, Seek, SeekFrom};

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// The IPTC records of a JPEG, if it has them.
pub fn find<R: Read + Seek>(reader: &mut R) -> Option<Vec<u8>> {
    reader.seek(SeekFrom::Start(0)).ok()?;
    let mut soi = [0u8; 2];
    reader.read_exact(&mut soi).ok()?;
    if soi != [0xFF, 0xD8] {
        return None;
    }
    loop {
        let mut header = [0u8; 4];
        reader.read_exact(&mut header).ok()?;
        // Start of scan, or not a marker: the metadata segments are over.
        if header[0] != 0xFF || matches!(header[1], 0xDA | 0xD9) {
            return None;
        }
        let size = usize::from(u16::from_be_bytes([header[2], header[3]])).checked_sub(2)?;
        if header[1] == 0xED {
            let mut data = vec![0u8; size];
            reader.read_exact(&mut data).ok()?;
            if let Some(records) = data
                .strip_prefix(b"Photoshop 3.0\0")
                .and_then(iptc_resource)
            {
                return Some(records.to_vec());
            }
        } else {
            reader
                .seek(SeekFrom::Current(i64::try_from(size).ok()?))
                .ok()?;
        }
    }
}

/// Photoshop image resources: `8BIM`, a 16-bit id, a Pascal name padded to
/// an even length, a 32-bit size, the data padded to an even length.
fn iptc_resource(mut data: &[u8]) -> Option<&[u8]> {
    while data.len() >= 12 {
        if &data[..4] != b"8BIM" {
            return None;
        }
        let id = u16::from_be_bytes([data[4], data[5]]);
        let name = usize::from(data[6]);
        let name_len = (name + 1).next_multiple_of(2);
        let at = 6 + name_len;
        let size: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
        let size = usize::try_from(u32::from_be_bytes(size)).ok()?;
        let body = data.get(at + 4..at + 4 + size)?;
        if id == 0x0404 {
            return Some(body);
        }
        data = data.get(at + 4 + size.next_multiple_of(2)..)?;
    }
    None
}

/// `DateCreated` (`CCYYMMDD`) and `TimeCreated` (`HHMMSS±HHMM`) from IPTC
/// records (`0x1C`, record, dataset, a 16-bit size, the data). A date
/// without a time is taken at midnight.
#[must_use]
pub fn taken(records: &[u8]) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    let (mut date, mut time) = (None, None);
    let mut rest = records;
    while rest.len() >= 5 && rest[0] == 0x1C {
        let (record, dataset) = (rest[1], rest[2]);
        let size = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        // An extended size (high bit set) is for large data, never a date.
        if size & 0x8000 != 0 {
            return None;
        }
        let value = rest.get(5..5 + size)?;
        match (record, dataset) {
            (2, 55) => date = std::str::from_utf8(value).ok(),
            (2, 60) => time = std::str::from_utf8(value).ok(),
            _ => {}
        }
        rest = &rest[5 + size..];
    }
    let date = NaiveDate::parse_from_str(date?.trim(), "%Y%m%d").ok()?;
    let Some(time) = time.map(str::trim).filter(|time| time.len() >= 6) else {
        return Some((date.and_time(NaiveTime::MIN), None));
    };
    let clock = NaiveTime::parse_from_str(time.get(..6)?, "%H%M%S").ok()?;
    let offset = time.get(6..).and_then(|zone| {
        let sign = match zone.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hours: i32 = zone.get(1..3)?.parse().ok()?;
        let minutes: i32 = zone.get(3..5)?.parse().ok()?;
        FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
    });
    Some((date.and_time(clock), offset))
}
