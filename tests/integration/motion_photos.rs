//! Motion photos (Google's and Samsung's: a video appended to the still)
//! play like Live Photos: the asset is `live` and its video is served as
//! the exact bytes the phone appended, with their own type.

use crate::fixtures::{jpeg, with_segment};
use crate::harness::{Browser, TestServer};

/// A JPEG with `xmp` (the attributes of one `rdf:Description`) and `video`
/// appended after its end, then `padding` bytes.
fn motion_jpeg(seed: u8, xmp: &str, video: &[u8], padding: usize) -> Vec<u8> {
    let packet = format!(
        r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/" xmlns:Camera="http://ns.google.com/photos/1.0/camera/" xmlns:Container="http://ns.google.com/photos/1.0/container/" xmlns:Item="http://ns.google.com/photos/1.0/container/item/" {xmp}</rdf:Description></rdf:RDF></x:xmpmeta>"#
    );
    let payload = [
        b"http://ns.adobe.com/xap/1.0/\0".as_slice(),
        packet.as_bytes(),
    ]
    .concat();
    let mut out = with_segment(&jpeg(64, 48, seed, None), 0xE1, &payload);
    out.extend_from_slice(video);
    out.extend_from_slice(&vec![0u8; padding]);
    out
}

/// Asserts `id` is a Live-Photo-like asset whose video is `video`.
async fn plays(owner: &Browser, id: i64, video: &[u8], name: &str) {
    let details = owner.json(&format!("/api/assets/{id}")).await;
    assert_eq!(details["kind"], "live", "{name}: {details}");
    let response = owner.get(&format!("/api/assets/{id}/video")).await;
    assert_eq!(response.status(), 200, "{name}");
    let served = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(served.starts_with("video/"), "{name}: {served}");
    assert!(
        response.bytes().await.unwrap() == video,
        "{name}: not the video that was appended"
    );
}

#[tokio::test]
async fn motion_photos_play_their_video_like_live_photos() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let corpus = crate::media::corpus();
    let video =
        std::fs::read(corpus.join("pigallery2/test/backend/assets/sidecar/20240128_105420.mp4"))
            .unwrap();

    // Google's first format: MicroVideo with the offset from the end.
    let google = motion_jpeg(
        60,
        &format!(
            r#"GCamera:MicroVideo="1" GCamera:MicroVideoVersion="1" GCamera:MicroVideoOffset="{}">"#,
            video.len()
        ),
        &video,
        0,
    );
    let id = owner.imported("MVIMG_20240101_120000.jpg", google).await;
    plays(&owner, id, &video, "MicroVideo").await;

    // The current format: a container directory whose MotionPhoto item
    // gives the video's length with the padding after it.
    let items = format!(
        r#"Camera:MotionPhoto="1" Camera:MotionPhotoVersion="1"><Container:Directory><rdf:Seq><rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0" Item:Padding="0"/></rdf:li><rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="{}" Item:Padding="16"/></rdf:li></rdf:Seq></Container:Directory>"#,
        video.len() + 16
    );
    let pixel = motion_jpeg(61, &items, &video, 16);
    let id = owner.imported("PXL_20240101_120000.MP.jpg", pixel).await;
    plays(&owner, id, &video, "MotionPhoto").await;

    // A Samsung HEIC: the video in a top-level mpvd box.
    let samsung =
        std::fs::read(corpus.join("immich-test-assets/formats/motionphoto/samsung-one-ui-6.heic"))
            .unwrap();
    let embedded = {
        let at = samsung.windows(4).position(|w| w == b"mpvd").unwrap();
        let size = u32::from_be_bytes(samsung[at - 4..at].try_into().unwrap()) as usize;
        samsung[at + 4..at - 4 + size].to_vec()
    };
    let id = owner.imported("samsung.heic", samsung).await;
    plays(&owner, id, &embedded, "mpvd").await;

    // A still that only claims to be one (the offset points at no video)
    // stays a photo.
    let liar = motion_jpeg(
        62,
        r#"GCamera:MicroVideo="1" GCamera:MicroVideoOffset="5000">"#,
        &[7u8; 6000],
        0,
    );
    let id = owner.imported("liar.jpg", liar).await;
    assert_eq!(
        owner.json(&format!("/api/assets/{id}")).await["kind"],
        "photo"
    );
    assert_eq!(
        owner.get(&format!("/api/assets/{id}/video")).await.status(),
        404
    );
    server.stop().await;
}
