//! Phones that back up by themselves: WebDAV at `/dav/` with device
//! passwords, each member in their own tree, what was deleted staying
//! deleted, and an interrupted upload leaving nothing.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::io::AsyncWriteExt as _;

use crate::fixtures::jpeg;
use crate::harness::{Browser, OWNER_PASSWORD, TestServer, client};
use crate::household::join;

/// A device password for `browser`'s member: (username, password).
pub async fn device(browser: &Browser, name: &str) -> (String, String) {
    let created = browser
        .ok(
            "/api/me/devices",
            &json!({ "name": name, "password": OWNER_PASSWORD }),
        )
        .await;
    (
        created["username"].as_str().unwrap().to_owned(),
        created["password"].as_str().unwrap().to_owned(),
    )
}

/// A WebDAV request as a backup app makes it.
pub async fn dav(
    server: &TestServer,
    (user, password): &(String, String),
    method: &str,
    path: &str,
    body: Option<Vec<u8>>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = client()
        .request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            server.url(path),
        )
        .basic_auth(user, Some(password));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    request.send().await.unwrap()
}

/// The names PROPFIND lists in a folder (depth 1), with their sizes.
pub async fn listing(
    server: &TestServer,
    login: &(String, String),
    path: &str,
) -> Vec<(String, u64)> {
    let answer = dav(server, login, "PROPFIND", path, None, &[("depth", "1")]).await;
    assert_eq!(answer.status(), 207, "PROPFIND {path}");
    let xml = answer.text().await.unwrap();
    let mut found = Vec::new();
    for response in xml.split("<D:response>").skip(1) {
        let href = between(response, "<D:href>", "</D:href>").unwrap_or_default();
        let size = between(response, "<D:getcontentlength>", "</D:getcontentlength>")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        found.push((href.to_owned(), size));
    }
    found
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

pub async fn total(browser: &Browser) -> u64 {
    browser.json("/api/timeline").await["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_phone_backs_up_its_photos_and_finds_them_there_on_the_next_sync() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let phone = device(&owner, "Olivia's phone").await;
    assert_eq!(phone.0, "olivia");
    let devices = owner.json("/api/me/devices").await;
    assert_eq!(devices["devices"][0]["name"], "Olivia's phone");
    assert!(devices["url"].as_str().unwrap().ends_with("/dav/olivia/"));
    assert_eq!(devices["encrypted"], false, "served over plain http");
    assert!(
        devices["devices"][0].get("password").is_none(),
        "shown once"
    );

    // The app makes its folders, then sends a photo and a sidecar.
    assert_eq!(
        dav(&server, &phone, "MKCOL", "/dav/olivia/DCIM", None, &[])
            .await
            .status(),
        201
    );
    assert_eq!(
        dav(
            &server,
            &phone,
            "MKCOL",
            "/dav/olivia/DCIM/Camera",
            None,
            &[]
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        dav(
            &server,
            &phone,
            "MKCOL",
            "/dav/olivia/Nowhere/Camera",
            None,
            &[]
        )
        .await
        .status(),
        409,
        "a folder needs its parent"
    );
    let photo = jpeg(64, 48, 7, Some("2024:06:01 10:00:00"));
    let put = dav(
        &server,
        &phone,
        "PUT",
        "/dav/olivia/DCIM/Camera/IMG_0001.JPG",
        Some(photo.clone()),
        &[],
    )
    .await;
    assert_eq!(put.status(), 201);
    let sidecar = b"<x:xmpmeta/>".to_vec();
    let put = dav(
        &server,
        &phone,
        "PUT",
        "/dav/olivia/DCIM/Camera/IMG_0001.xmp",
        Some(sidecar.clone()),
        &[],
    )
    .await;
    assert_eq!(put.status(), 201);

    // The photo is in the library; the sidecar is not a photo.
    assert_eq!(total(&owner).await, 1);
    let listed = listing(&server, &phone, "/dav/olivia/DCIM/Camera/").await;
    assert!(
        listed.contains(&(
            "/dav/olivia/DCIM/Camera/IMG_0001.JPG".to_owned(),
            photo.len() as u64
        )),
        "{listed:?}"
    );
    assert!(
        listed.contains(&(
            "/dav/olivia/DCIM/Camera/IMG_0001.xmp".to_owned(),
            sidecar.len() as u64
        )),
        "{listed:?}"
    );
    // Both read back as they were sent.
    let back = dav(
        &server,
        &phone,
        "GET",
        "/dav/olivia/DCIM/Camera/IMG_0001.JPG",
        None,
        &[],
    )
    .await;
    assert_eq!(back.bytes().await.unwrap().to_vec(), photo);
    let back = dav(
        &server,
        &phone,
        "GET",
        "/dav/olivia/DCIM/Camera/IMG_0001.xmp",
        None,
        &[],
    )
    .await;
    assert_eq!(back.bytes().await.unwrap().to_vec(), sidecar);

    // Sent again (an app that was reinstalled), and under another name:
    // still one photo.
    let again = dav(
        &server,
        &phone,
        "PUT",
        "/dav/olivia/DCIM/Camera/IMG_0001.JPG",
        Some(photo.clone()),
        &[],
    )
    .await;
    assert_eq!(again.status(), 204);
    let copy = dav(
        &server,
        &phone,
        "PUT",
        "/dav/olivia/DCIM/Camera/IMG_0001 (1).JPG",
        Some(photo.clone()),
        &[],
    )
    .await;
    assert_eq!(copy.status(), 201);
    assert_eq!(total(&owner).await, 1);

    // The app's folders are the photo's folder for search.
    server
        .until("the backup's folder is searchable", || async {
            owner.json("/api/search?q=folder%3Acamera").await["total"] == 1
        })
        .await;

    // A move keeps the photo; the device's last use is shown.
    let moved = dav(
        &server,
        &phone,
        "MOVE",
        "/dav/olivia/DCIM/Camera",
        None,
        &[("destination", &server.url("/dav/olivia/DCIM/Phone"))],
    )
    .await;
    assert_eq!(moved.status(), 201);
    let listed = listing(&server, &phone, "/dav/olivia/DCIM/Phone/").await;
    assert_eq!(
        listed.len(),
        4,
        "the folder and its three files: {listed:?}"
    );
    assert_eq!(total(&owner).await, 1);
    let devices = owner.json("/api/me/devices").await;
    assert!(devices["devices"][0]["last_used_at"].is_string());
    assert_eq!(devices["devices"][0]["last_used_from"], "127.0.0.1");
    server.stop().await;
}

#[tokio::test]
async fn a_device_password_opens_its_members_own_tree_and_nothing_else() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "milo").await;
    let olivia = device(&owner, "iPhone").await;
    let milo = device(&member, "Pixel").await;
    let photo = jpeg(32, 32, 3, None);
    assert_eq!(
        dav(
            &server,
            &olivia,
            "PUT",
            "/dav/olivia/a.jpg",
            Some(photo.clone()),
            &[]
        )
        .await
        .status(),
        201
    );

    // Milo sees his own folder only, and not into Olivia's.
    let top = listing(&server, &milo, "/dav/").await;
    assert_eq!(
        top.iter()
            .map(|(href, _)| href.as_str())
            .collect::<Vec<_>>(),
        ["/dav/", "/dav/milo/"]
    );
    for (method, body) in [
        ("PROPFIND", None),
        ("GET", None),
        ("PUT", Some(photo.clone())),
        ("DELETE", None),
    ] {
        let answer = dav(
            &server,
            &milo,
            method,
            "/dav/olivia/a.jpg",
            body,
            &[("depth", "0")],
        )
        .await;
        assert_eq!(answer.status(), 403, "{method} into another member's tree");
    }
    let across = dav(
        &server,
        &milo,
        "COPY",
        "/dav/milo/",
        None,
        &[("destination", &server.url("/dav/olivia/milo"))],
    )
    .await;
    assert!(
        !across.status().is_success(),
        "COPY into another's tree: {}",
        across.status()
    );
    // Olivia's password is hers alone.
    let borrowed = (String::from("milo"), olivia.1.clone());
    assert_eq!(
        dav(&server, &borrowed, "PROPFIND", "/dav/milo/", None, &[])
            .await
            .status(),
        401
    );

    // A device password is no way into the API, by either scheme.
    let bearer = client()
        .get(server.url("/api/me"))
        .bearer_auth(&olivia.1)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 401);
    let basic = client()
        .get(server.url("/api/me"))
        .basic_auth("olivia", Some(&olivia.1))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);

    // Each member lists and revokes only their own devices.
    let mine = owner.json("/api/me/devices").await;
    let id = mine["devices"][0]["id"].as_i64().unwrap();
    assert_eq!(
        member.json("/api/me/devices").await["devices"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        member
            .delete(&format!("/api/me/devices/{id}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        dav(&server, &olivia, "PROPFIND", "/dav/olivia/", None, &[])
            .await
            .status(),
        207
    );

    // Without credentials the app is asked for them; a wrong password, a
    // revoked one, are refused.
    let bare = client()
        .request(
            Method::from_bytes(b"PROPFIND").unwrap(),
            server.url("/dav/"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 401);
    assert!(
        bare.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    let wrong = (
        String::from("olivia"),
        String::from("aaaaa-bbbbb-ccccc-ddddd"),
    );
    assert_eq!(
        dav(&server, &wrong, "PROPFIND", "/dav/olivia/", None, &[])
            .await
            .status(),
        401
    );
    assert_eq!(
        owner
            .delete(&format!("/api/me/devices/{id}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        dav(&server, &olivia, "PROPFIND", "/dav/olivia/", None, &[])
            .await
            .status(),
        401
    );

    // Guessing is slowed down as at the sign-in page.
    let mut limited = false;
    for _ in 0..12 {
        let answer = dav(&server, &wrong, "PROPFIND", "/dav/olivia/", None, &[]).await;
        limited |= answer.status() == 429;
    }
    assert!(limited, "wrong passwords are rate limited");
    server.stop().await;
}

#[tokio::test]
async fn an_interrupted_upload_leaves_nothing_behind() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (user, password) = device(&owner, "iPhone").await;
    let photo = jpeg(400, 300, 5, None);
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let credentials = base64_encode(format!("{user}:{password}").as_bytes());
    let head = format!(
        "PUT /dav/olivia/big.jpg HTTP/1.1\r\nhost: {}\r\nauthorization: Basic {credentials}\r\ncontent-length: {}\r\n\r\n",
        server.addr(),
        photo.len() * 10
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&photo).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(stream);

    let login = (user, password);
    server
        .until("the interrupted upload is cleaned up", || async {
            std::fs::read_dir(server.data_dir().join("tmp"))
                .unwrap()
                .count()
                == 0
        })
        .await;
    let listed = listing(&server, &login, "/dav/olivia/").await;
    assert_eq!(listed.len(), 1, "only the folder itself: {listed:?}");
    assert_eq!(total(&owner).await, 0);
    server.stop().await;
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn moves_copies_and_deletes_keep_to_what_they_name() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let phone = device(&owner, "iPhone").await;
    for folder in [
        "/dav/olivia/a",
        "/dav/olivia/a/b",
        "/dav/olivia/%25",
        "/dav/olivia/Фото",
        "/dav/olivia/Фото/2024",
    ] {
        assert_eq!(
            dav(&server, &phone, "MKCOL", folder, None, &[])
                .await
                .status(),
            201,
            "{folder}"
        );
    }
    let put = |path: &'static str, seed: u8| {
        dav(
            &server,
            &phone,
            "PUT",
            path,
            Some(jpeg(24, 24, seed, None)),
            &[],
        )
    };
    assert_eq!(put("/dav/olivia/a/b/one.jpg", 1).await.status(), 201);
    assert_eq!(put("/dav/olivia/Фото/2024/two.jpg", 2).await.status(), 201);
    assert_eq!(total(&owner).await, 2);

    // Deleting a folder named `%` touches nothing else (no LIKE wildcards).
    assert_eq!(
        dav(&server, &phone, "DELETE", "/dav/olivia/%25/", None, &[])
            .await
            .status(),
        204
    );
    assert_eq!(total(&owner).await, 2);
    // A folder moved into itself, or onto the folder it is in, is refused
    // before anything is deleted; so is deleting or moving the member's
    // own folder.
    let to = |path: &str| server.url(path);
    for (method, from, dest) in [
        ("MOVE", "/dav/olivia/a/", to("/dav/olivia/a/b/c/")),
        ("MOVE", "/dav/olivia/a/b/", to("/dav/olivia/a/")),
        ("COPY", "/dav/olivia/a/", to("/dav/olivia/a/b/")),
        ("MOVE", "/dav/olivia/", to("/dav/olivia/x/")),
    ] {
        let answer = dav(
            &server,
            &phone,
            method,
            from,
            None,
            &[("destination", &dest), ("overwrite", "T")],
        )
        .await;
        assert_eq!(answer.status(), 403, "{method} {from} → {dest}");
    }
    for path in ["/dav/olivia/", "/dav/"] {
        assert_eq!(
            dav(&server, &phone, "DELETE", path, None, &[])
                .await
                .status(),
            403,
            "DELETE {path}"
        );
    }
    assert_eq!(total(&owner).await, 2);
    assert_eq!(listing(&server, &phone, "/dav/olivia/a/b/").await.len(), 2);

    // A folder with a name beyond ASCII moves with everything below it.
    let moved = dav(
        &server,
        &phone,
        "MOVE",
        "/dav/olivia/Фото/",
        None,
        &[("destination", &to("/dav/olivia/Caf%C3%A9/"))],
    )
    .await;
    assert_eq!(moved.status(), 201);
    let listed = listing(&server, &phone, "/dav/olivia/Caf%C3%A9/2024/").await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(
        dav(
            &server,
            &phone,
            "GET",
            "/dav/olivia/Caf%C3%A9/2024/two.jpg",
            None,
            &[]
        )
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec(),
        jpeg(24, 24, 2, None)
    );
    // A file copied onto a folder does not swallow the folder.
    let copied = dav(
        &server,
        &phone,
        "COPY",
        "/dav/olivia/a/b/one.jpg",
        None,
        &[("destination", &to("/dav/olivia/a/b")), ("depth", "0")],
    )
    .await;
    assert!(
        !copied.status().is_success(),
        "COPY onto a folder: {}",
        copied.status()
    );
    assert_eq!(listing(&server, &phone, "/dav/olivia/a/b/").await.len(), 2);
    server.stop().await;
}

#[tokio::test]
async fn a_device_password_works_typed_in_capitals_or_without_its_dashes() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (user, password) = device(&owner, "iPhone").await;
    assert!(
        password.len() == 23 && password.matches('-').count() == 3,
        "{password}"
    );
    let symbols = password.replace('-', "");
    assert!(
        symbols
            .bytes()
            .all(|b| b"abcdefghijkmnpqrstuvwxyz23456789".contains(&b)),
        "no 0, o, 1 or l: {password}"
    );
    assert_ne!(device(&owner, "iPad").await.1, password);
    for typed in [
        password.to_uppercase(),
        symbols.clone(),
        password.replace('-', " "),
    ] {
        let login = (user.to_uppercase(), typed.clone());
        assert_eq!(
            dav(&server, &login, "PROPFIND", "/dav/olivia/", None, &[])
                .await
                .status(),
            207,
            "{typed}"
        );
    }
    server.stop().await;
}
