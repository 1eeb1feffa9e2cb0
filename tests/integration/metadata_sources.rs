//! Where a photo's facts come from when cameras and software write them
//! the less common ways: EXIF and GPS directories behind pointers typed as
//! IFD or as signed numbers, a RAW's TIFF under its maker's magic number,
//! a Canon CR3's directories in its `CMT` boxes,
//! the IPTC capture date, XMP's `photoshop:DateCreated` and
//! `tiff:Make`/`tiff:Model`. Each file is made
//! here and the value Hearth reads is checked.

use crate::fixtures::{iso_box, jpeg, with_app1, with_segment};
use crate::harness::TestServer;

/// Little-endian TIFF-structured EXIF: IFD0 → Exif IFD (`DateTimeOriginal`)
/// and GPS IFD (48°51′N 2°21′W), the pointers typed `exif_type` and
/// `gps_type` (4 is LONG, as EXIF says; 13 is IFD; 9 a signed LONG).
fn exif_with_pointer_types(exif_type: u16, gps_type: u16) -> Vec<u8> {
    let mut out = b"II\x2a\0\x08\0\0\0".to_vec();
    let entry = |out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    };
    // IFD0 at 8 (30 bytes), Exif IFD at 38 (18), its date at 56 (20),
    // GPS IFD at 76 (54), latitude at 130 and longitude at 154 (24 each).
    out.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut out, 0x8769, exif_type, 1, 38);
    entry(&mut out, 0x8825, gps_type, 1, 76);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    entry(&mut out, 0x9003, 2, 20, 56);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(b"2009:10:11 12:13:14\0");
    out.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut out, 1, 2, 2, u32::from(b'N'));
    entry(&mut out, 2, 5, 3, 130);
    entry(&mut out, 3, 2, 2, u32::from(b'W'));
    entry(&mut out, 4, 5, 3, 154);
    out.extend_from_slice(&0u32.to_le_bytes());
    for (degrees, minutes) in [(48u32, 51u32), (2, 21)] {
        for value in [degrees, 1, minutes, 1, 0, 1] {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    assert_eq!(out.len(), 178);
    out
}

/// Big-endian EXIF with only IFD0's `DateTime` (`ModifyDate`): when an
/// editor last saved the file, not when the photo was taken.
fn exif_modify_date() -> Vec<u8> {
    let mut out = b"MM\0\x2a\0\0\0\x08".to_vec();
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&0x0132u16.to_be_bytes());
    out.extend_from_slice(&2u16.to_be_bytes());
    out.extend_from_slice(&20u32.to_be_bytes());
    out.extend_from_slice(&26u32.to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(b"2022:02:02 02:02:02\0");
    out
}

/// A little-endian TIFF whose IFD0 holds `entries` (tag, type, count,
/// value bytes), values longer than four bytes stored after the directory.
fn tiff_ifd0(entries: &[(u16, u16, u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"II\x2a\0\x08\0\0\0".to_vec();
    let directory_end = 8 + 2 + 12 * entries.len() + 4;
    let mut values = Vec::new();
    out.extend_from_slice(&u16::try_from(entries.len()).unwrap().to_le_bytes());
    for (tag, kind, count, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        if value.len() <= 4 {
            let mut inline = value.clone();
            inline.resize(4, 0);
            out.extend_from_slice(&inline);
        } else {
            let at = u32::try_from(directory_end + values.len()).unwrap();
            out.extend_from_slice(&at.to_le_bytes());
            values.extend_from_slice(value);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&values);
    out
}

fn ascii(text: &str) -> (u32, Vec<u8>) {
    let bytes = [text.as_bytes(), b"\0"].concat();
    (u32::try_from(bytes.len()).unwrap(), bytes)
}

/// A Canon CR3 as its structure goes: `ftyp crx `, then the movie box
/// holding Canon's metadata box with CMT1 (IFD0: the camera), CMT2 (the
/// Exif directory: the time on the camera's clock and its offset) and CMT4
/// (GPS: 35°40′N 139°45′E), then the camera's JPEG in the media data.
fn cr3() -> Vec<u8> {
    let (make_len, make) = ascii("Canon");
    let (model_len, model) = ascii("Canon EOS R6");
    let cmt1 = tiff_ifd0(&[(0x010F, 2, make_len, make), (0x0110, 2, model_len, model)]);
    let (date_len, date) = ascii("2021:08:09 10:11:12");
    let (offset_len, offset) = ascii("+09:00");
    let cmt2 = tiff_ifd0(&[(0x9003, 2, date_len, date), (0x9011, 2, offset_len, offset)]);
    let rational = |values: [u32; 6]| values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let cmt4 = tiff_ifd0(&[
        (1, 2, 2, b"N\0".to_vec()),
        (2, 5, 3, rational([35, 1, 40, 1, 0, 1])),
        (3, 2, 2, b"E\0".to_vec()),
        (4, 5, 3, rational([139, 1, 45, 1, 0, 1])),
    ]);
    let canon_id = [
        0x85, 0xC0, 0xB6, 0x87, 0x82, 0x0F, 0x11, 0xE0, 0x81, 0x11, 0xF4, 0xCE, 0x46, 0x2B, 0x6A,
        0x48,
    ];
    let canon = [
        canon_id.as_slice(),
        &iso_box(*b"CMT1", &cmt1),
        &iso_box(*b"CMT2", &cmt2),
        &iso_box(*b"CMT4", &cmt4),
    ]
    .concat();
    [
        iso_box(*b"ftyp", b"crx \0\0\0\x01crx isom"),
        iso_box(*b"moov", &iso_box(*b"uuid", &canon)),
        iso_box(*b"mdat", &jpeg(64, 48, 49, None)),
    ]
    .concat()
}

/// A Photoshop APP13 payload holding IPTC `DateCreated` and `TimeCreated`.
fn photoshop_iptc(date: &str, time: &str) -> Vec<u8> {
    let mut records = Vec::new();
    for (dataset, value) in [(55u8, date), (60, time)] {
        records.extend_from_slice(&[0x1C, 2, dataset]);
        records.extend_from_slice(&u16::try_from(value.len()).unwrap().to_be_bytes());
        records.extend_from_slice(value.as_bytes());
    }
    let mut out = b"Photoshop 3.0\0".to_vec();
    // Another resource first (0x03ED, resolution info), as Photoshop writes.
    out.extend_from_slice(b"8BIM\x03\xed\0\0");
    out.extend_from_slice(&16u32.to_be_bytes());
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(b"8BIM\x04\x04\0\0");
    out.extend_from_slice(&u32::try_from(records.len()).unwrap().to_be_bytes());
    out.extend_from_slice(&records);
    if records.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// An APP1 XMP payload with `photoshop:DateCreated` and the camera.
fn xmp_payload() -> Vec<u8> {
    let packet = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" photoshop:DateCreated="2004-05-06T07:08:09+01:00"><tiff:Make>ScanCo</tiff:Make><tiff:Model>FlatBed 9</tiff:Model></rdf:Description></rdf:RDF></x:xmpmeta>"#;
    [
        b"http://ns.adobe.com/xap/1.0/\0".as_slice(),
        packet.as_bytes(),
    ]
    .concat()
}

#[tokio::test]
async fn dates_places_and_cameras_are_read_wherever_the_writer_put_them() {
    let server = TestServer::start().await;
    let owner = server.owner().await;

    // Pointers typed as EXIF says, as IFD (13), as a signed LONG (9).
    for (seed, (exif_type, gps_type)) in [(4u16, 4u16), (13, 13), (13, 9), (4, 9)]
        .into_iter()
        .enumerate()
    {
        let name = format!("pointers-{exif_type}-{gps_type}.jpg");
        let bytes = with_app1(
            &jpeg(64, 48, 40 + u8::try_from(seed).unwrap(), None),
            &exif_with_pointer_types(exif_type, gps_type),
        );
        let details = owner.imported_details(&name, bytes).await;
        assert_eq!(details["taken_local"], "2009-10-11T12:13:14", "{name}");
        assert_eq!(details["taken_source"], "exif_original", "{name}");
        let latitude = details["place"]["latitude"].as_f64().unwrap();
        let longitude = details["place"]["longitude"].as_f64().unwrap();
        assert!((latitude - 48.85).abs() < 1e-6, "{name}: {latitude}");
        assert!((longitude + 2.35).abs() < 1e-6, "{name}: {longitude}");
    }

    // A Panasonic RW2: a TIFF under its maker's magic number (IIU), its
    // camera's JPEG after the directories.
    let mut rw2 = exif_with_pointer_types(4, 4);
    rw2[2] = b'U';
    rw2.extend_from_slice(&jpeg(64, 48, 48, None));
    let details = owner.imported_details("P1000001.RW2", rw2).await;
    assert_eq!(details["taken_local"], "2009-10-11T12:13:14");
    assert!((details["place"]["latitude"].as_f64().unwrap() - 48.85).abs() < 1e-6);
    assert_eq!(details["mime"], "image/x-raw");

    // A Canon CR3: the camera's clock and offset from its CMT boxes, not
    // the movie header's UTC.
    let details = owner.imported_details("IMG_0001.CR3", cr3()).await;
    assert_eq!(details["taken_local"], "2021-08-09T10:11:12", "{details}");
    assert_eq!(details["taken_offset_minutes"], 540);
    assert_eq!(details["taken_source"], "exif_original");
    assert_eq!(details["camera"]["make"], "Canon");
    assert_eq!(details["camera"]["model"], "Canon EOS R6");
    // Named with the make once.
    assert_eq!(details["camera"]["name"], "Canon EOS R6");
    assert!((details["place"]["latitude"].as_f64().unwrap() - (35.0 + 40.0 / 60.0)).abs() < 1e-6);
    assert!((details["place"]["longitude"].as_f64().unwrap() - 139.75).abs() < 1e-6);
    assert_eq!(details["mime"], "image/x-raw");

    // IPTC's date and time (with its offset) come before the date an
    // editor last saved the file.
    let bytes = with_segment(
        &with_app1(&jpeg(64, 48, 50, None), &exif_modify_date()),
        0xED,
        &photoshop_iptc("20030405", "101112+0200"),
    );
    let details = owner.imported_details("iptc.jpg", bytes).await;
    assert_eq!(details["taken_local"], "2003-04-05T10:11:12");
    assert_eq!(details["taken_offset_minutes"], 120);
    assert_eq!(details["taken_source"], "iptc");

    // Only the editor's date: it is used, and said to be that.
    let bytes = with_app1(&jpeg(64, 48, 51, None), &exif_modify_date());
    let details = owner.imported_details("modified.jpg", bytes).await;
    assert_eq!(details["taken_local"], "2022-02-02T02:02:02");
    assert_eq!(details["taken_source"], "exif_modified");

    // XMP's photoshop:DateCreated also comes first, and its tiff:Make and
    // tiff:Model name the camera (a scanner here).
    let bytes = with_segment(
        &with_app1(&jpeg(64, 48, 52, None), &exif_modify_date()),
        0xE1,
        &xmp_payload(),
    );
    let details = owner.imported_details("xmp.jpg", bytes).await;
    assert_eq!(details["taken_local"], "2004-05-06T07:08:09");
    assert_eq!(details["taken_offset_minutes"], 60);
    assert_eq!(details["taken_source"], "xmp");
    assert_eq!(details["camera"]["make"], "ScanCo");
    assert_eq!(details["camera"]["model"], "FlatBed 9");
    assert_eq!(details["camera"]["name"], "ScanCo FlatBed 9");
    server.stop().await;
}
