//! The `hearth` binary as an owner runs it: exit codes, refusals with one
//! clear sentence, logs, signals.

use std::net::TcpListener;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::harness::{Hearth, client, hearth_command, run};

#[test]
fn version_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(hearth_command(dir.path()).arg("--version"));
    assert_eq!(out.code, Some(0));
    assert_eq!(out.stdout.trim(), format!("hearth {}", hearth::VERSION));

    let out = run(hearth_command(dir.path()).arg("--help"));
    assert_eq!(out.code, Some(0));
    for command in ["serve", "migrate", "config", "openapi"] {
        assert!(
            out.stdout.contains(command),
            "help names `{command}`:\n{}",
            out.stdout
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(hearth_command(dir.path()).arg("frobnicate"));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let out = run(hearth_command(dir.path()).args(["serve", "--listen", "not-an-address"]));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--listen"), "{}", out.stderr);
}

#[test]
fn unwritable_data_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // /sys refuses new folders even to root, which CI runs as.
    let out = run(hearth_command(dir.path()).args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data",
        "/sys/hearth-test-data",
    ]));
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the data folder /sys/hearth-test-data is not usable"),
        "{}",
        out.stderr
    );

    // A data folder that is a file.
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let out = run(hearth_command(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&file));
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("is not usable"), "{}", out.stderr);
}

#[test]
fn taken_port_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let out = run(hearth_command(dir.path())
        .args(["serve", "--listen", &addr.to_string(), "--data"])
        .arg(dir.path().join("data")));
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("port {} is already in use", addr.port())),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stderr.lines().count(),
        1,
        "one sentence: {}",
        out.stderr
    );
}

#[tokio::test]
async fn database_from_a_newer_hearth_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(hearth_command(dir.path())
        .args(["migrate", "--data"])
        .arg(&data));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let known: Vec<String> = {
        use migrations::MigratorTrait as _;
        migrations::Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect()
    };
    assert!(
        out.stdout
            .contains(&format!("Applied {} migrations", known.len())),
        "{}",
        out.stdout
    );
    for name in &known {
        assert!(out.stdout.contains(name.as_str()), "{name}: {}", out.stdout);
    }
    let out = run(hearth_command(dir.path())
        .args(["migrate", "--data"])
        .arg(&data));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .contains(&format!("is up to date ({} migrations)", known.len())),
        "{}",
        out.stdout
    );

    // A later Hearth recorded a migration this one does not know.
    let db = hearth::db::open(&data.join("hearth.db")).await.unwrap();
    db.execute_raw(Statement::from_string(
        DbBackend::Sqlite,
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m29990101_000001_from_the_future', 0)",
    ))
    .await
    .unwrap();
    db.close().await.unwrap();

    for args in [vec!["migrate"], vec!["serve", "--listen", "127.0.0.1:0"]] {
        let out = run(hearth_command(dir.path())
            .args(&args)
            .arg("--data")
            .arg(&data));
        assert_eq!(out.code, Some(1), "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("written by a newer version of Hearth")
                && out.stderr.contains("m29990101_000001_from_the_future"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn openapi_command_prints_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(hearth_command(dir.path()).arg("openapi"));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["info"]["title"], "Hearth");
    assert!(doc["paths"]["/health"]["get"].is_object());
}

/// The binary end to end: it prints where to go, answers, logs each request
/// with its id, and stops cleanly on SIGTERM.
#[tokio::test]
async fn serve_logs_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut hearth = Hearth::spawn(
        hearth_command(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.path().join("data"))
            .env("HEARTH_LOG__FORMAT", "json")
            // Requests are logged at debug (a NAS keeps info).
            .env("HEARTH_LOG__LEVEL", "info,hearth::http=debug"),
    );
    let setup = hearth
        .wait_for_log("has no owner yet")
        .expect("setup link logged");
    assert!(setup.contains("/setup?token="), "{setup}");
    let ready = hearth.wait_for_log("is ready").expect("ready line");
    let ready: serde_json::Value = serde_json::from_str(&ready).expect("JSON log line");
    // One start-up summary: version, data folder, address, import folders,
    // and what is off.
    let fields = &ready["fields"];
    let address = fields["listen"].as_str().unwrap().to_owned();
    let message = fields["message"].as_str().unwrap();
    assert_eq!(fields["version"], hearth::VERSION);
    assert!(
        fields["data"].as_str().unwrap().ends_with("/data"),
        "{fields}"
    );
    assert!(
        fields["import_folders"]
            .as_str()
            .unwrap()
            .contains("hearth-import"),
        "{fields}"
    );
    assert!(
        fields["off"]
            .as_str()
            .unwrap()
            .contains("metrics (no metrics.token)"),
        "{fields}"
    );
    let port = address.rsplit(':').next().unwrap();
    assert!(
        message.contains(&format!("open http://localhost:{port}/")),
        "{message}"
    );

    let response = client()
        .get(format!("http://{address}/api/server/info"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let line = hearth
        .wait_for_log(&id)
        .expect("request logged with its id");
    let line: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(line["fields"]["path"], "/api/server/info");
    assert_eq!(line["fields"]["status"], 200);

    assert_eq!(hearth.terminate(), Some(0), "log: {:#?}", hearth.log);
    assert!(
        hearth
            .log
            .iter()
            .any(|line| line.contains("Hearth stopped")),
        "{:#?}",
        hearth.log
    );
}

#[tokio::test]
async fn setup_link_command_works_until_there_is_an_owner() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(hearth_command(dir.path())
        .args(["setup-link", "--data"])
        .arg(&data));
    assert_eq!(out.code, Some(1), "no data folder yet: {}", out.stderr);
    assert!(out.stderr.contains("hearth.db"), "{}", out.stderr);

    run(hearth_command(dir.path())
        .args(["migrate", "--data"])
        .arg(&data));
    let out = run(hearth_command(dir.path())
        .args(["setup-link", "--data"])
        .arg(&data));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let link = out.stdout.lines().last().unwrap().to_owned();
    assert!(
        link.starts_with("http://localhost:2468/setup?token="),
        "{link}"
    );
    let token = link.rsplit('=').next().unwrap().to_owned();

    // The server on that folder accepts the link, once.
    let server = crate::harness::TestServer::start_in(dir).await;
    let browser = server.browser();
    let response = browser
        .post(
            "/api/links/password",
            &serde_json::json!({
                "token": token, "account": { "username": "olivia", "display_name": "Olivia" },
                "password": crate::harness::OWNER_PASSWORD,
            }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let dir = server.stop().await;
    let out = run(hearth_command(dir.path())
        .args(["setup-link", "--data"])
        .arg(dir.path().join("data")));
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("already has an owner"),
        "{}",
        out.stderr
    );
}
