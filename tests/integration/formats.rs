//! Files cameras and scanners really write, each made here with exactly
//! the quirk a test is about: JPEGs with bytes after their end or stray
//! bytes before a marker, a JPEG cut off midway, a BMP stored top-down.

use image::{GenericImageView as _, Rgb, RgbImage};
use serde_json::Value;

use crate::fixtures::jpeg;
use crate::harness::{Browser, TestServer};

/// Uploads one file and returns its answer.
async fn send(owner: &Browser, name: &str, bytes: Vec<u8>) -> Value {
    let response = owner.upload(&[(name, bytes)]).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["files"][0].clone()
}

/// The preview Hearth made of `id`, decoded.
async fn preview(owner: &Browser, id: i64) -> image::DynamicImage {
    let response = owner.get(&format!("/api/assets/{id}/preview")).await;
    assert_eq!(response.status(), 200);
    image::load_from_memory(&response.bytes().await.unwrap()).unwrap()
}

/// A 24-bit BMP of `width`×`height`, red above and blue below, whose rows
/// are stored top-down (a negative height), as scanners often write.
fn top_down_bmp(width: u32, height: u32) -> Vec<u8> {
    let row = (width * 3).div_ceil(4) * 4;
    let pixels = row * height;
    let mut out = Vec::new();
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&(54 + pixels).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&54u32.to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&i32::try_from(width).unwrap().to_le_bytes());
    out.extend_from_slice(&(-i32::try_from(height).unwrap()).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&24u16.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&pixels.to_le_bytes());
    out.extend_from_slice(&[0; 16]);
    for y in 0..height {
        // BGR: the first rows stored are the top ones.
        let colour = if y < height / 2 {
            [0, 0, 255]
        } else {
            [255, 0, 0]
        };
        for _ in 0..width {
            out.extend_from_slice(&colour);
        }
        out.resize(out.len() + (row - width * 3) as usize, 0);
    }
    out
}

#[tokio::test]
async fn jpegs_with_trailers_and_stray_bytes_come_in_and_cut_off_ones_do_not() {
    let server = TestServer::start().await;
    let owner = server.owner().await;

    // Bytes after the end-of-image marker, as older cameras pad their
    // files (here with what looks like another scan's marker).
    let mut padded = jpeg(320, 240, 31, None);
    padded.extend_from_slice(&[0u8; 200]);
    padded.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01]);
    let file = send(&owner, "padded.jpg", padded).await;
    assert_eq!(file["status"], "imported", "{file}");

    // Two stray bytes before a marker: libjpeg warns and decodes.
    let clean = jpeg(320, 240, 32, None);
    let app0_end = 4 + usize::from(u16::from_be_bytes([clean[4], clean[5]]));
    let mut stray = clean[..app0_end].to_vec();
    stray.extend_from_slice(&[0x00, 0x00]);
    stray.extend_from_slice(&clean[app0_end..]);
    let file = send(&owner, "stray.jpg", stray).await;
    assert_eq!(file["status"], "imported", "{file}");
    let id = file["asset_id"].as_i64().unwrap();
    let details = owner.json(&format!("/api/assets/{id}")).await;
    assert_eq!(
        (details["width"].as_i64(), details["height"].as_i64()),
        (Some(320), Some(240))
    );
    assert_eq!(preview(&owner, id).await.dimensions(), (320, 240));

    // Cut off halfway: its data ends before the picture does.
    let whole = jpeg(640, 480, 33, None);
    let file = send(&owner, "cut.jpg", whole[..whole.len() / 2].to_vec()).await;
    assert_eq!(file["status"], "failed", "{file}");
    assert!(
        file["detail"].as_str().unwrap().contains("cut off"),
        "{file}"
    );
    // In the family's words: what it means, and what to do.
    assert!(
        file["reason"]
            .as_str()
            .unwrap()
            .starts_with("The file is incomplete"),
        "{file}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_bmp_stored_top_down_keeps_its_size_and_its_top() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let file = send(&owner, "scan.bmp", top_down_bmp(40, 30)).await;
    assert_eq!(file["status"], "imported", "{file}");
    let id = file["asset_id"].as_i64().unwrap();
    let details = owner.json(&format!("/api/assets/{id}")).await;
    assert_eq!(
        (details["width"].as_i64(), details["height"].as_i64()),
        (Some(40), Some(30))
    );
    let shown = preview(&owner, id).await.to_rgb8();
    let Rgb([r, _, b]) = *shown.get_pixel(20, 2);
    assert!(r > 200 && b < 60, "the top is red: {r} {b}");
    let Rgb([r, _, b]) = *shown.get_pixel(20, 27);
    assert!(b > 200 && r < 60, "the bottom is blue: {r} {b}");
    server.stop().await;
}

/// EXIF (big-endian TIFF): IFD0 with `Make` "`HearthCam`" and Orientation 6
/// (turned: shown a quarter turn clockwise), Exif IFD with
/// `DateTimeOriginal` 2021:03:04 05:06:07.
fn exif_turned() -> Vec<u8> {
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend_from_slice(&tag.to_be_bytes());
        tiff.extend_from_slice(&kind.to_be_bytes());
        tiff.extend_from_slice(&count.to_be_bytes());
        tiff.extend_from_slice(&value);
    };
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut tiff, 0x010F, 2, 10, 50u32.to_be_bytes());
    entry(&mut tiff, 0x0112, 3, 1, [0, 6, 0, 0]);
    entry(&mut tiff, 0x8769, 4, 1, 60u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(b"HearthCam\0");
    tiff.extend_from_slice(&1u16.to_be_bytes());
    entry(&mut tiff, 0x9003, 2, 20, 78u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(b"2021:03:04 05:06:07\0");
    tiff
}

/// A lossless WebP in the extended format whose EXIF chunk starts with
/// JPEG's `Exif\0\0` (as several phones and converters write it).
fn webp_with_exif(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_pixel(width, height, Rgb([200, 120, 40]));
    let mut simple = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut simple)
        .encode(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    // RIFF, size, WEBP, then the VP8L chunk.
    let vp8l = &simple[12..];
    let mut chunks = Vec::new();
    chunks.extend_from_slice(b"VP8X");
    chunks.extend_from_slice(&10u32.to_le_bytes());
    chunks.extend_from_slice(&[0x08, 0, 0, 0]);
    chunks.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    chunks.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    chunks.extend_from_slice(vp8l);
    let exif = [b"Exif\0\0".as_slice(), &exif_turned()].concat();
    chunks.extend_from_slice(b"EXIF");
    chunks.extend_from_slice(&u32::try_from(exif.len()).unwrap().to_le_bytes());
    chunks.extend_from_slice(&exif);
    if exif.len() % 2 == 1 {
        chunks.push(0);
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(chunks.len() + 4).unwrap().to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&chunks);
    out
}

/// CRC-32 as PNG chunks carry it.
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in parts.iter().flat_map(|part| part.iter()) {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG with one more chunk (`kind`, `data`) right after its header.
fn png_with_chunk(width: u32, height: u32, kind: [u8; 4], data: &[u8]) -> Vec<u8> {
    let image = RgbImage::from_pixel(width, height, Rgb([40, 120, 200]));
    let mut plain = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut plain),
            image::ImageFormat::Png,
        )
        .unwrap();
    // Signature (8) and IHDR (4 + 4 + 13 + 4).
    let split = 8 + 25;
    let mut out = plain[..split].to_vec();
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    out.extend_from_slice(&kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[&kind, data]).to_be_bytes());
    out.extend_from_slice(&plain[split..]);
    out
}

/// `ImageMagick`'s "Raw profile type exif" text, zlib-compressed (zTXt).
fn raw_profile(tiff: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let blob = [b"Exif\0\0".as_slice(), tiff].concat();
    let hex: String = blob.iter().fold(String::new(), |mut hex, b| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
        hex
    });
    let lines: Vec<&str> = hex
        .as_bytes()
        .chunks(72)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect();
    let text = format!("\nexif\n{:8}\n{}\n", blob.len(), lines.join("\n"));
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zlib.write_all(text.as_bytes()).unwrap();
    [
        b"Raw profile type exif\0\0".as_slice(),
        &zlib.finish().unwrap(),
    ]
    .concat()
}

#[tokio::test]
async fn exif_in_webp_and_png_chunks_is_read_and_applied() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    for (name, bytes) in [
        ("phone.webp", webp_with_exif(64, 48)),
        (
            "edited.png",
            png_with_chunk(64, 48, *b"eXIf", &exif_turned()),
        ),
        (
            "magick.png",
            png_with_chunk(64, 48, *b"zTXt", &raw_profile(&exif_turned())),
        ),
    ] {
        let file = send(&owner, name, bytes).await;
        assert_eq!(file["status"], "imported", "{name}: {file}");
        let id = file["asset_id"].as_i64().unwrap();
        let details = owner.json(&format!("/api/assets/{id}")).await;
        assert_eq!(
            details["taken_local"], "2021-03-04T05:06:07",
            "{name}: {details}"
        );
        assert_eq!(details["camera"]["make"], "HearthCam", "{name}");
        // Turned a quarter: shown portrait.
        assert_eq!(
            (details["width"].as_i64(), details["height"].as_i64()),
            (Some(48), Some(64)),
            "{name}"
        );
        assert_eq!(preview(&owner, id).await.dimensions(), (48, 64), "{name}");
    }
    server.stop().await;
}

#[tokio::test]
async fn each_file_is_served_as_what_its_bytes_are_not_its_name() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let corpus = crate::media::corpus();
    let read = |file: &str| std::fs::read(corpus.join(file)).unwrap();
    let live = "pigallery2/test/backend/assets/live_photo";
    // A Live Photo whose still was renamed .jpg and whose video .mp4; and
    // an MP4 named as a JPEG.
    let mut ids = Vec::new();
    for (name, file) in [
        ("still.jpg", format!("{live}/IMG_7943.HEIC")),
        ("motion.mp4", format!("{live}/IMG_7943_HEVC.MOV")),
        (
            "clip.jpeg",
            "pigallery2/test/backend/assets/video.mp4".to_owned(),
        ),
    ] {
        let file = send(&owner, name, read(&file)).await;
        assert_eq!(file["status"], "imported", "{name}: {file}");
        ids.push(file["asset_id"].as_i64().unwrap());
    }
    let type_of = |path: String| {
        let owner = &owner;
        async move {
            let response = owner.get(&path).await;
            assert_eq!(response.status(), 200, "{path}");
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    let (still, clip) = (ids[0], ids[2]);
    // The video joined its still.
    assert_eq!(ids[1], still);
    assert_eq!(
        owner.json(&format!("/api/assets/{still}")).await["kind"],
        "live"
    );
    assert_eq!(
        type_of(format!("/api/assets/{still}/original")).await,
        "image/heic"
    );
    assert_eq!(
        type_of(format!("/api/assets/{still}/video")).await,
        "video/quicktime"
    );
    assert_eq!(
        type_of(format!("/api/assets/{clip}/original")).await,
        "video/mp4"
    );
    assert_eq!(
        owner.json(&format!("/api/assets/{clip}")).await["mime"],
        "video/mp4"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_heics_size_is_the_one_its_decoder_shows_and_a_cut_off_one_is_refused() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let corpus = crate::media::corpus();
    let read = |file: &str| std::fs::read(corpus.join(file)).unwrap();
    // Both are stored landscape and shown portrait: the size recorded is
    // the one the decoder gives the primary item after its transforms, not
    // the stored one (which the header scan found first for the first).
    for (file, shown) in [
        (
            "pigallery2/test/backend/assets/orientation/IMG_0307.HEIC",
            (4284, 5712),
        ),
        ("lychee/tests/Samples/classic-car.heic", (3024, 4032)),
    ] {
        let found = send(&owner, "photo.heic", read(file)).await;
        assert_eq!(found["status"], "imported", "{file}: {found}");
        let id = found["asset_id"].as_i64().unwrap();
        let details = owner.json(&format!("/api/assets/{id}")).await;
        let size = (
            details["width"].as_u64().unwrap(),
            details["height"].as_u64().unwrap(),
        );
        let (pw, ph) = preview(&owner, id).await.dimensions();
        assert_eq!(size, shown, "{file}");
        // The preview has the recorded shape.
        assert_eq!(size.0 > size.1, pw > ph, "{file}");
    }
    // Cut off halfway through its picture's data, as an interrupted copy
    // leaves it: refused with that reason, as a cut-off JPEG is.
    // One with its picture data first (Samsung), one with it last (Apple).
    for file in [
        "lychee/tests/Samples/sewing-threads.heic",
        "lychee/tests/Samples/classic-car.heic",
    ] {
        let whole = read(file);
        let cut = whole[..whole.len() * 2 / 3].to_vec();
        let found = send(&owner, "cut.heic", cut).await;
        assert_eq!(found["status"], "failed", "{file}: {found}");
        assert!(
            found["detail"].as_str().unwrap().contains("cut off"),
            "{file}: {found}"
        );
        assert!(
            found["reason"]
                .as_str()
                .unwrap()
                .starts_with("The file is incomplete"),
            "{file}: {found}"
        );
    }
    server.stop().await;
}
