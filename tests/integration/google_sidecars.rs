//! Google's naming of takeout sidecars, one rule at a time, and what a
//! sidecar says (the parts `google_takeout.rs` imports whole).

use hearth::library::google::meta::Sidecar;
use hearth::library::google::sidecar::{Named, named, pair};

fn sidecar_of(photo: &str, jsons: &[&str]) -> Option<String> {
    let photos = vec![photo.to_owned()];
    let jsons: Vec<String> = jsons.iter().map(|&j| j.to_owned()).collect();
    pair(&photos, &jsons, |_| None)[0]
        .1
        .map(|n| jsons[n].clone())
}

#[test]
fn a_photo_is_taken_apart_into_its_original_name_copy_and_edit() {
    assert_eq!(
        named("IMG_1234.JPG"),
        Named {
            original: "IMG_1234.JPG".into(),
            copy: None,
            edited: false
        }
    );
    assert_eq!(
        named("IMG_1234(1).JPG"),
        Named {
            original: "IMG_1234.JPG".into(),
            copy: Some(1),
            edited: false
        }
    );
    assert_eq!(
        named("IMG_1234-edited.JPG"),
        Named {
            original: "IMG_1234.JPG".into(),
            copy: None,
            edited: true
        }
    );
    assert_eq!(
        named("IMG_1234-bearbeitet(2).jpg"),
        Named {
            original: "IMG_1234.jpg".into(),
            copy: Some(2),
            edited: true
        }
    );
    // Brackets that are no copy's number stay.
    assert_eq!(
        named("Party (the best).jpg").original,
        "Party (the best).jpg"
    );
    assert_eq!(named("noextension").original, "noextension");
}

#[test]
fn every_naming_google_used_is_found() {
    // The old way, and the new.
    assert_eq!(
        sidecar_of("IMG_1234.JPG", &["IMG_1234.JPG.json"]).as_deref(),
        Some("IMG_1234.JPG.json")
    );
    assert_eq!(
        sidecar_of("IMG_1234.JPG", &["IMG_1234.JPG.supplemental-metadata.json"]).as_deref(),
        Some("IMG_1234.JPG.supplemental-metadata.json")
    );
    // Clipped to 51 characters with `.json` kept.
    assert_eq!(
        sidecar_of(
            "Screenshot_2017-07-05-10-05-26.png",
            &["Screenshot_2017-07-05-10-05-26.png.supplementa.json"]
        )
        .as_deref(),
        Some("Screenshot_2017-07-05-10-05-26.png.supplementa.json")
    );
    assert_eq!(
        sidecar_of(
            "D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg",
            &["D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg.supp.json"]
        )
        .as_deref(),
        Some("D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg.supp.json")
    );
    assert_eq!(
        sidecar_of(
            "Screenshot_20220207_102421_com.snapchat.android.jpg",
            &["Screenshot_20220207_102421_com.snapchat.androi.json"]
        )
        .as_deref(),
        Some("Screenshot_20220207_102421_com.snapchat.androi.json")
    );
    assert_eq!(
        sidecar_of(
            "Urlaub in Knaufspesch in der Schneifel (38).JPG",
            &["Urlaub in Knaufspesch in der Schneifel (38).JP.json"]
        )
        .as_deref(),
        Some("Urlaub in Knaufspesch in der Schneifel (38).JP.json")
    );
    // A copy's number goes just before `.json`, in both namings.
    assert_eq!(
        sidecar_of(
            "IMG_1234(1).JPG",
            &["IMG_1234.JPG.json", "IMG_1234.JPG(1).json"]
        )
        .as_deref(),
        Some("IMG_1234.JPG(1).json")
    );
    assert_eq!(
        sidecar_of(
            "IMG_1234(1).JPG",
            &[
                "IMG_1234.JPG.supplemental-metadata.json",
                "IMG_1234.JPG.supplemental-metadata(1).json"
            ]
        )
        .as_deref(),
        Some("IMG_1234.JPG.supplemental-metadata(1).json")
    );
    // An edited copy shares its original's sidecar.
    assert_eq!(
        sidecar_of("IMG_1234-edited.JPG", &["IMG_1234.JPG.json"]).as_deref(),
        Some("IMG_1234.JPG.json")
    );
    // The oldest: without the photo's extension.
    assert_eq!(
        sidecar_of("IMG_1234.JPG", &["IMG_1234.json"]).as_deref(),
        Some("IMG_1234.json")
    );
    // An album's metadata.json is nobody's sidecar.
    assert_eq!(sidecar_of("metadata", &["metadata.json"]), None);
}

#[test]
fn a_photo_no_name_matches_is_found_by_the_title_inside_when_only_one_says_it() {
    let photos = vec![
        "Truncated by Google to a shorter name.jpg".to_owned(),
        "Alone.jpg".to_owned(),
    ];
    let jsons = vec![
        "some other name.json".to_owned(),
        "another.json".to_owned(),
        "a third.json".to_owned(),
    ];
    let titles = [
        "Truncated by Google to a shorter name.jpg",
        "Alone.jpg",
        "Alone.jpg",
    ];
    let paired = pair(&photos, &jsons, |n| Some(titles[n].to_owned()));
    assert_eq!(paired[0].1, Some(0));
    assert_eq!(
        paired[1].1, None,
        "two sidecars say Alone.jpg: neither is taken"
    );
}

#[test]
fn clipping_counts_utf16_units_as_google_does() {
    // An emoji is two units: the 46 are 44 letters and one emoji.
    let photo = format!("{}🎉.jpg", "a".repeat(44));
    let sidecar = format!("{}🎉.json", "a".repeat(44));
    assert_eq!(
        sidecar_of(&photo, &[sidecar.as_str()]).as_deref(),
        Some(sidecar.as_str())
    );
}

#[test]
fn clipping_counts_characters_not_bytes() {
    let photo = "Ünïcödé façade in Zürich, Österreich und Köln 2019.jpg";
    let expected = format!(
        "{}.json",
        format!("{photo}.supplemental-metadata")
            .chars()
            .take(46)
            .collect::<String>()
    );
    assert_eq!(expected.chars().count(), 51);
    assert_eq!(
        sidecar_of(photo, &[expected.as_str()]).as_deref(),
        Some(expected.as_str())
    );
}

// What a sidecar says.

#[test]
fn a_sidecar_says_when_where_what_and_who() {
    let json = br#"{
      "title": "IMG_20190704_181500.jpg",
      "description": "  Fireworks at the lake  ",
      "imageViews": "12",
      "creationTime": { "timestamp": "1562700000", "formatted": "9 Jul 2019, 19:20:00 UTC" },
      "photoTakenTime": { "timestamp": "1562264100", "formatted": "4 Jul 2019, 18:15:00 UTC" },
      "geoData": { "latitude": 46.2044, "longitude": 6.1432, "altitude": 375.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0 },
      "geoDataExif": { "latitude": 0.0, "longitude": 0.0, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0 },
      "people": [{ "name": "Grandma" }, { "name": "Milo" }, { "name": "Grandma" }],
      "favorited": true,
      "archived": true,
      "url": "https://photos.google.com/photo/AF1Qip",
      "googlePhotosOrigin": { "mobileUpload": { "deviceType": "ANDROID_PHONE" } }
    }"#;
    let sidecar = Sidecar::parse(json).unwrap();
    assert_eq!(
        sidecar.taken().unwrap().to_rfc3339(),
        "2019-07-04T18:15:00+00:00"
    );
    assert_eq!(
        sidecar.place(),
        Some((46.2044, 6.1432)),
        "(0, 0) in geoDataExif is nowhere"
    );
    assert_eq!(sidecar.caption(), Some("Fireworks at the lake"));
    assert_eq!(sidecar.people(), ["Grandma", "Milo"]);
    assert!(sidecar.favorited && sidecar.archived && !sidecar.trashed);
}

#[test]
fn what_is_missing_or_wrong_is_left_out() {
    let sidecar = Sidecar::parse(br#"{"title": "a.jpg", "photoTakenTime": {"timestamp": "0"}, "geoData": {"latitude": 123.0, "longitude": 5.0}, "description": ""}"#).unwrap();
    assert_eq!(sidecar.taken(), None);
    assert_eq!(sidecar.place(), None);
    assert_eq!(sidecar.caption(), None);
    assert!(Sidecar::parse(b"[1, 2]").is_none());
    assert!(Sidecar::parse(b"not json").is_none());
    assert!(Sidecar::parse(&vec![b' '; 2 * 1024 * 1024]).is_none());
}
