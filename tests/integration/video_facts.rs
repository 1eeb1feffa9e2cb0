//! Where videos keep their place and time when it is not QuickTime's way:
//! the 3GPP location box (`udta/loci`) and AVI's `IDIT` recording time
//! (the camera's clock, without an offset). Each file is made here.

use crate::fixtures::iso_box;
use crate::harness::TestServer;

/// A corpus MP4 (its movie box last) with a `udta/loci` box saying
/// 38.7223° N, 9.1393° W appended to its movie box.
fn mp4_with_loci() -> Vec<u8> {
    let file =
        crate::media::corpus().join("pigallery2/test/backend/assets/sidecar/20240128_105420.mp4");
    let mut mp4 = std::fs::read(file).unwrap();
    let fixed = |degrees: f64| {
        #[allow(clippy::cast_possible_truncation, reason = "a small test value")]
        let value = (degrees * 65536.0).round() as i32;
        value.to_be_bytes()
    };
    let mut loci = vec![0, 0, 0, 0, 0x15, 0xC7];
    loci.extend_from_slice(b"Home\0");
    loci.push(0);
    loci.extend_from_slice(&fixed(-9.1393));
    loci.extend_from_slice(&fixed(38.7223));
    loci.extend_from_slice(&fixed(0.0));
    loci.extend_from_slice(b"earth\0\0");
    let udta = iso_box(*b"udta", &iso_box(*b"loci", &loci));
    let moov = mp4.windows(4).rposition(|w| w == b"moov").unwrap() - 4;
    let size = u32::from_be_bytes(mp4[moov..moov + 4].try_into().unwrap());
    assert_eq!(moov + size as usize, mp4.len(), "the movie box is last");
    let grown = size + u32::try_from(udta.len()).unwrap();
    mp4[moov..moov + 4].copy_from_slice(&grown.to_be_bytes());
    mp4.extend_from_slice(&udta);
    mp4
}

/// A one-second AVI made by ffmpeg, with the `IDIT` chunk a camera writes
/// (its clock as text) added to its header list.
fn avi_with_idit(dir: &std::path::Path) -> Vec<u8> {
    let path = dir.join("clip.avi");
    let made = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=5",
        ])
        .args(["-t", "1", "-c:v", "mjpeg"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let mut avi = std::fs::read(&path).unwrap();
    let header = u32::from_le_bytes(avi[16..20].try_into().unwrap());
    let end = 20 + header as usize;
    let text = b"TUE JUN 07 08:09:10 2005\n\0";
    let mut chunk = b"IDIT".to_vec();
    chunk.extend_from_slice(&u32::try_from(text.len()).unwrap().to_le_bytes());
    chunk.extend_from_slice(text);
    let added = u32::try_from(chunk.len()).unwrap();
    avi.splice(end..end, chunk);
    avi[16..20].copy_from_slice(&(header + added).to_le_bytes());
    let riff = u32::from_le_bytes(avi[4..8].try_into().unwrap());
    avi[4..8].copy_from_slice(&(riff + added).to_le_bytes());
    avi
}

#[tokio::test]
async fn videos_keep_their_place_and_time_however_their_container_says_it() {
    let server = TestServer::start().await;
    let owner = server.owner().await;

    let found = owner.imported_details("phone.3gp", mp4_with_loci()).await;
    let (latitude, longitude) = (
        found["place"]["latitude"].as_f64().unwrap(),
        found["place"]["longitude"].as_f64().unwrap(),
    );
    assert!((latitude - 38.7223).abs() < 1e-4, "{found}");
    assert!((longitude + 9.1393).abs() < 1e-4, "{found}");

    let scratch = tempfile::tempdir().unwrap();
    let found = owner
        .imported_details("camcorder.avi", avi_with_idit(scratch.path()))
        .await;
    assert_eq!(found["taken_local"], "2005-06-07T08:09:10", "{found}");
    assert_eq!(found["taken_source"], "video_local", "{found}");
    assert!(found.get("taken_offset_minutes").is_none(), "{found}");
    assert_eq!(found["mime"], "video/x-msvideo");
    server.stop().await;
}
