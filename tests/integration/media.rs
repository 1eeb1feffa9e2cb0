//! Metadata against exiftool's readings of the shared corpus
//! (`../shared/corpus/truth.json`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use hearth_media::metadata::{self, TakenSource};
use serde_json::Value;

pub fn corpus() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"))
}

pub fn truth() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(corpus().join("truth.json"))
        .expect("shared/corpus/truth.json beside the checkout");
    let mut all: BTreeMap<String, Value> = serde_json::from_str(&text).unwrap();
    all.remove("_about");
    all
}

/// Still images exiftool read without errors.
pub fn stills(truth: &BTreeMap<String, Value>) -> Vec<(&String, &Value)> {
    truth
        .iter()
        .filter(|(_, t)| {
            t["kind"] == "image"
                && t["hostile_or_malformed"] == false
                && t["exiftool_errors"].as_array().is_none_or(Vec::is_empty)
        })
        .collect()
}

#[test]
fn metadata_agrees_with_exiftool() {
    let truth = truth();
    let files = stills(&truth);
    assert!(files.len() > 100, "{}", files.len());
    let mut checked: BTreeMap<&str, (u32, Vec<String>)> = BTreeMap::new();
    let mut check = |field: &'static str, file: &str, ok: bool, detail: String| {
        let entry = checked.entry(field).or_default();
        entry.0 += 1;
        if !ok {
            entry.1.push(format!("{file}: {detail}"));
        }
    };
    for (file, t) in files {
        let read = metadata::read(&corpus().join(file)).unwrap();
        if let (Some(expected), "ExifIFD") = (
            t["DateTimeOriginal"].as_str(),
            t["DateTimeOriginal_group"].as_str().unwrap_or_default(),
        ) {
            let got = read
                .taken
                .filter(|taken| taken.source == TakenSource::ExifOriginal)
                .map(|taken| taken.local.format("%Y:%m:%d %H:%M:%S").to_string());
            check(
                "DateTimeOriginal",
                file,
                got.as_deref() == Some(&expected[..19]),
                format!("{got:?} != {expected}"),
            );
        }
        if let Some(expected) = t["OffsetTimeOriginal"].as_str() {
            let got = read
                .taken
                .and_then(|taken| taken.offset)
                .map(|offset| offset.to_string());
            check(
                "OffsetTimeOriginal",
                file,
                got.as_deref() == Some(expected),
                format!("{got:?} != {expected}"),
            );
        }
        if let (Some(lat), Some(lon)) = (t["GPSLatitude"].as_f64(), t["GPSLongitude"].as_f64()) {
            let ok = read.gps.is_some_and(|gps| {
                (gps.latitude - lat).abs() < 1e-5 && (gps.longitude - lon).abs() < 1e-5
            });
            check("GPS", file, ok, format!("{:?} != {lat},{lon}", read.gps));
        }
        for (field, got) in [("Make", &read.make), ("Model", &read.model)] {
            if let Some(expected) = t[field].as_str() {
                check(
                    field,
                    file,
                    got.as_deref() == Some(expected.trim()),
                    format!("{got:?} != {expected}"),
                );
            }
        }
        // HEIF and AVIF turn in the container (exiftool's Rotation); their
        // EXIF orientation is not for the decoder.
        let container = matches!(t["FileType"].as_str(), Some("HEIC" | "HEIF" | "AVIF"));
        let orientation = t["Orientation"]
            .as_u64()
            .filter(|o| (1..=8).contains(o))
            .unwrap_or(1);
        if !container {
            check(
                "Orientation",
                file,
                u64::from(read.orientation) == orientation,
                format!("{} != {orientation}", read.orientation),
            );
        }
        if let (Some(w), Some(h)) = (t["ImageWidth"].as_u64(), t["ImageHeight"].as_u64()) {
            let turned = if container {
                matches!(t["Rotation"].as_u64(), Some(90 | 270))
            } else {
                orientation >= 5
            };
            let (w, h) = if turned { (h, w) } else { (w, h) };
            let got = read.width.zip(read.height);
            let ok = got.is_some_and(|(gw, gh)| u64::from(gw) == w && u64::from(gh) == h);
            check("Displayed size", file, ok, format!("{got:?} != {w}x{h}"));
        }
    }
    let mut failures = Vec::new();
    for (field, (count, wrong)) in &checked {
        println!(
            "{field:>20}: {} of {count} agree",
            count - u32::try_from(wrong.len()).unwrap()
        );
        for line in wrong {
            println!("{:>20}  {line}", "");
        }
        failures.extend(wrong.iter().map(|line| format!("{field} {line}")));
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn capture_time_falls_back_to_the_file_name_then_mtime() {
    use hearth_media::metadata::date_in_file_name;
    let cases = [
        ("IMG_20190704_153012.jpg", "2019-07-04 15:30:12"),
        ("PXL_20230102_081500123.jpg", "2023-01-02 08:15:00"),
        ("Screenshot_2021-03-04-10-11-12.png", "2021-03-04 10:11:12"),
        ("2019-07-04 15.30.12.jpg", "2019-07-04 15:30:12"),
        ("VID-20200101-WA0001.mp4", "2020-01-01 00:00:00"),
    ];
    for (name, expected) in cases {
        let taken = date_in_file_name(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(
            taken.local.format("%Y-%m-%d %H:%M:%S").to_string(),
            expected,
            "{name}"
        );
        assert_eq!(taken.source, TakenSource::FileName);
    }
    for name in [
        "DSC01234.JPG",
        "IMG_1234_5678_9012.jpg",
        "holiday.jpg",
        "20191340_000000.jpg",
    ] {
        assert!(date_in_file_name(name).is_none(), "{name}");
    }

    // No EXIF, no date in the name: the file's modification time.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scan.png");
    std::fs::write(&path, b"not really a png").unwrap();
    let read = metadata::read(&path).unwrap();
    assert_eq!(read.taken.unwrap().source, TakenSource::FileModified);
    assert_eq!((read.width, read.height), (None, None));
}

#[test]
fn xmp_sidecars_add_what_people_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("IMG_20190704_153012.jpg");
    std::fs::copy(
        corpus().join("immich-test-assets/albums/nature/cyclamen_persicum.jpg"),
        &photo,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("IMG_20190704_153012.jpg.xmp"),
        r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
           xmlns:exif="http://ns.adobe.com/exif/1.0/" xmp:Rating="4" exif:GPSLatitude="48,51.396N" exif:GPSLongitude="2,17.61E">
          <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Grandma &amp; the cyclamen</rdf:li></rdf:Alt></dc:title>
          <dc:description><rdf:Alt><rdf:li xml:lang="x-default">On the balcony</rdf:li></rdf:Alt></dc:description>
          <dc:subject><rdf:Bag><rdf:li>family</rdf:li><rdf:li>flowers</rdf:li></rdf:Bag></dc:subject>
        </rdf:Description></rdf:RDF></x:xmpmeta>"#,
    )
    .unwrap();
    let read = metadata::read(&photo).unwrap();
    assert_eq!(read.title.as_deref(), Some("Grandma & the cyclamen"));
    assert_eq!(read.description.as_deref(), Some("On the balcony"));
    assert_eq!(read.rating, Some(4));
    assert_eq!(read.keywords, ["family", "flowers"]);
    let gps = read.gps.unwrap();
    assert!(
        (gps.latitude - 48.8566).abs() < 1e-4 && (gps.longitude - 2.2935).abs() < 1e-4,
        "{gps:?}"
    );
    // EXIF's own capture time still wins over the name and the sidecar.
    assert_eq!(read.taken.unwrap().source, TakenSource::ExifOriginal);
}

#[test]
fn xmp_refuses_impossible_places() {
    use hearth_media::xmp;
    let packet = |lat: &str, lon: &str| {
        format!(
            r#"<x:xmpmeta><rdf:RDF><rdf:Description exif:GPSLatitude="{lat}" exif:GPSLongitude="{lon}"/></rdf:RDF></x:xmpmeta>"#
        )
    };
    assert!(
        xmp::parse(packet("0,0.0N", "0,0.0E").as_bytes())
            .gps
            .is_none(),
        "0,0 is no fix"
    );
    assert!(
        xmp::parse(packet("91,0.0N", "10,0.0E").as_bytes())
            .gps
            .is_none()
    );
    assert!(
        xmp::parse(packet("nonsense", "10").as_bytes())
            .gps
            .is_none()
    );
    let south = xmp::parse(packet("33,52.0S", "151,12.5E").as_bytes())
        .gps
        .unwrap();
    assert!(south.0 < 0.0 && south.1 > 0.0);
    // Broken XML loses nothing else and does not panic.
    assert_eq!(
        xmp::parse(b"<x:xmpmeta><rdf:RDF><rdf:Description").gps,
        None
    );
}

/// Formats this build decodes (HEIF and AVIF come with libheif).
pub fn decodable(t: &Value) -> bool {
    matches!(
        t["FileType"].as_str(),
        Some("JPEG" | "PNG" | "GIF" | "WEBP" | "TIFF" | "BMP")
    )
}

#[test]
fn previews_and_thumbnails_of_every_corpus_still() {
    use hearth_media::derive::{self, Limits, PREVIEW_EDGE, THUMB_EDGE};
    let truth = truth();
    let mut made = 0;
    for (file, _) in stills(&truth).into_iter().filter(|(_, t)| decodable(t)) {
        let path = corpus().join(file);
        let meta = metadata::read(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let derived = derive::derive(&bytes, meta.orientation, &Limits::default())
            .unwrap_or_else(|err| panic!("{file}: {err}"));
        let (w, h) = (meta.width.unwrap(), meta.height.unwrap());
        let (pw, ph) = derived.preview_size;
        // The long edge is 1440 (or the original's, never upscaled), the turn applied.
        assert_eq!(
            pw.max(ph),
            w.max(h).min(PREVIEW_EDGE),
            "{file}: preview {pw}x{ph} of {w}x{h}"
        );
        assert_eq!(
            pw >= ph,
            w >= h,
            "{file}: preview {pw}x{ph} is turned like {w}x{h}"
        );
        let (tw, th) = derived.thumbnail_size;
        assert!(
            tw.min(th) <= THUMB_EDGE && tw.max(th) <= 1200,
            "{file}: thumbnail {tw}x{th}"
        );
        // Both are real JPEGs of the sizes claimed.
        for (bytes, size) in [
            (&derived.preview, derived.preview_size),
            (&derived.thumbnail, derived.thumbnail_size),
        ] {
            let header = imagesize::blob_size(bytes).unwrap();
            assert_eq!(
                (header.width, header.height),
                (size.0 as usize, size.1 as usize),
                "{file}"
            );
            assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "{file}: JPEG");
        }
        assert!(
            (5..=25).contains(&derived.thumbhash.len()),
            "{file}: thumbhash {} bytes",
            derived.thumbhash.len()
        );
        made += 1;
    }
    assert!(made > 100, "{made}");
}

#[test]
fn hostile_images_are_refused_quickly_without_harm() {
    use hearth_media::derive::{self, Limits, MediaError};
    // A 35-byte GIF that claims 65535×65535 pixels.
    let mut bomb = b"GIF89a\xff\xff\xff\xff\x00\x00\x00".to_vec();
    bomb.extend_from_slice(b",\x00\x00\x00\x00\xff\xff\xff\xff\x00\x02\x02\x44\x01\x00;");
    let started = std::time::Instant::now();
    let refused = derive::derive(&bomb, 1, &Limits::default());
    assert!(
        matches!(
            refused,
            Err(MediaError::TooLarge {
                width: 65535,
                height: 65535,
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );

    assert!(derive::derive(b"", 1, &Limits::default()).is_err());
    assert!(derive::derive(b"\xff\xd8\xff\xe0 nothing more", 1, &Limits::default()).is_err());
    // Half a real JPEG: an error or a partly grey picture, never a panic.
    let whole =
        std::fs::read(corpus().join("immich-test-assets/albums/nature/cyclamen_persicum.jpg"))
            .unwrap();
    let _ = derive::derive(&whole[..whole.len() / 2], 1, &Limits::default());
    // A small limit refuses a real photo before decoding.
    let tight = Limits { max_pixels: 10_000 };
    assert!(matches!(
        derive::derive(&whole, 1, &tight),
        Err(MediaError::TooLarge { .. })
    ));

    // The corpus's own broken and adversarial files.
    let truth = truth();
    for (file, _) in truth
        .iter()
        .filter(|(_, t)| t["hostile_or_malformed"] == true)
    {
        let bytes = std::fs::read(corpus().join(file)).unwrap();
        let started = std::time::Instant::now();
        let _ = derive::derive(&bytes, 1, &Limits::default());
        let _ = metadata::read(&corpus().join(file));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{file} took {:?}",
            started.elapsed()
        );
    }
}

/// A 64×64 JPEG of one colour, with `icc` (if any) in APP2 segments of at
/// most `chunk` bytes, written last chunk first (readers must sort them).
fn solid_jpeg(rgb: [u8; 3], icc: Option<&[u8]>, chunk: usize) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(64, 64, image::Rgb(rgb));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 100)
        .encode_image(&image)
        .unwrap();
    let Some(icc) = icc else { return jpeg };
    let chunks: Vec<&[u8]> = icc.chunks(chunk).collect();
    let count = u8::try_from(chunks.len()).unwrap();
    let mut segments = Vec::new();
    for (index, data) in chunks.iter().enumerate().rev() {
        let length = u16::try_from(2 + 12 + 2 + data.len()).unwrap();
        segments.extend_from_slice(&[0xFF, 0xE2]);
        segments.extend_from_slice(&length.to_be_bytes());
        segments.extend_from_slice(b"ICC_PROFILE\0");
        segments.extend_from_slice(&[u8::try_from(index + 1).unwrap(), count]);
        segments.extend_from_slice(data);
    }
    jpeg.splice(2..2, segments);
    jpeg
}

fn thumbnail_centre(jpeg: &[u8]) -> [i32; 3] {
    use hearth_media::derive::{self, Limits};
    let derived = derive::derive(jpeg, 1, &Limits::default()).unwrap();
    let thumb = image::load_from_memory(&derived.thumbnail)
        .unwrap()
        .to_rgb8();
    let pixel = thumb.get_pixel(thumb.width() / 2, thumb.height() / 2);
    pixel.0.map(i32::from)
}

#[test]
fn colour_profiles_are_converted_to_srgb() {
    use hearth_media::colour::{self, Encoding};
    let icc_of = |file: &str| {
        colour::jpeg_icc(&std::fs::read(corpus().join(file)).unwrap())
            .unwrap_or_else(|| panic!("{file} has an ICC profile"))
    };
    // An iPhone's Display P3 profile and a camera's sRGB one, from the corpus.
    let p3 = icc_of("pigallery2/test/backend/assets/imageSizeError.jpg");
    let srgb = icc_of("lychee/tests/Samples/aarhus.jpg");
    assert!(
        p3.windows(10).any(|w| w == b"Display P3"),
        "a Display P3 profile"
    );

    let colour = [200, 100, 50];
    let plain = thumbnail_centre(&solid_jpeg(colour, None, 0));
    let near =
        |a: [i32; 3], b: [i32; 3], by: i32| a.iter().zip(b).all(|(x, y)| (x - y).abs() <= by);
    assert!(near(plain, colour.map(i32::from), 3), "{plain:?}");
    // sRGB under another name: untouched.
    let tagged = thumbnail_centre(&solid_jpeg(colour, Some(&srgb), 60_000));
    assert!(
        near(tagged, plain, 2),
        "sRGB profile: {tagged:?} vs {plain:?}"
    );
    // Display P3, split over three segments stored out of order: the same
    // numbers mean a more saturated orange, so sRGB needs more red, less blue.
    let wide = thumbnail_centre(&solid_jpeg(colour, Some(&p3), p3.len() / 3 + 1));
    assert!(
        wide[0] >= plain[0] + 8 && wide[2] <= plain[2] - 8,
        "Display P3: {wide:?} vs {plain:?}"
    );

    // The coded form AVIF and HEIF use: Display P3 primaries (12), sRGB curve (13).
    let mut pixels = colour.repeat(4);
    colour::to_srgb(
        &mut pixels,
        &Encoding::Cicp {
            primaries: 12,
            transfer: 13,
        },
    );
    assert!(pixels[0] > 200 && pixels[2] < 50, "{pixels:?}");
    // sRGB's own primaries, HDR curves, reserved and unknown code points,
    // garbage profiles: pixels untouched, nothing panics.
    let mut garbage = vec![0u8; 400];
    garbage[16..20].copy_from_slice(b"RGB ");
    garbage[36..40].copy_from_slice(b"acsp");
    for encoding in [
        Encoding::Cicp {
            primaries: 1,
            transfer: 13,
        },
        Encoding::Cicp {
            primaries: 9,
            transfer: 16,
        },
        Encoding::Cicp {
            primaries: 0,
            transfer: 0,
        },
        Encoding::Cicp {
            primaries: 2,
            transfer: 2,
        },
        Encoding::Cicp {
            primaries: 255,
            transfer: 255,
        },
        Encoding::Icc(garbage),
        Encoding::Icc(Vec::new()),
    ] {
        let mut pixels = colour.repeat(4);
        colour::to_srgb(&mut pixels, &encoding);
        assert_eq!(pixels, colour.repeat(4), "{encoding:?}");
    }
    // A cut-off APP2 segment is no profile, not a panic.
    let cut = solid_jpeg(colour, Some(&p3), 60_000);
    assert_eq!(colour::jpeg_icc(&cut[..40]), None);
}
