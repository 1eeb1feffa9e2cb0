//! Files cameras and scanners really write, each made here with exactly
//! the quirk a test is about: JPEGs with bytes after their end or stray
//! bytes before a marker, a JPEG cut off midway, a BMP stored top-down.

use image::{GenericImageView as _, Rgb};
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
        file["reason"].as_str().unwrap().contains("cut off"),
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
