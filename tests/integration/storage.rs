//! The data folder and the SQLite settings that Hearth's promises rest on.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::harness::TestServer;

async fn pragma(server: &TestServer, name: &str) -> String {
    let row = server
        .state()
        .db()
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0)
        .map(|value| value.to_string())
        .or_else(|_| row.try_get_by_index::<String>(0))
        .unwrap()
}

#[tokio::test]
async fn first_start_creates_the_layout() {
    let server = TestServer::start().await;
    let data = server.data_dir();
    for folder in [
        "index",
        "media/originals",
        "media/derived",
        "exports",
        "tmp",
    ] {
        assert!(data.join(folder).is_dir(), "{folder} exists");
    }
    assert!(data.join("hearth.db").is_file());
    server.stop().await;
}

#[tokio::test]
async fn sqlite_runs_with_wal_secure_delete_and_foreign_keys() {
    let server = TestServer::start().await;
    assert_eq!(pragma(&server, "journal_mode").await, "wal");
    assert_eq!(pragma(&server, "secure_delete").await, "1");
    assert_eq!(pragma(&server, "foreign_keys").await, "1");
    assert_eq!(pragma(&server, "auto_vacuum").await, "2", "incremental");
    assert_eq!(pragma(&server, "busy_timeout").await, "5000");
    let db_file = server.data_dir().join("hearth.db");
    let _dir = server.stop().await;

    // What is on disk, read without SQLite: the header's read/write
    // versions are 2 in WAL mode.
    let header = std::fs::read(db_file).unwrap();
    assert_eq!(&header[..16], b"SQLite format 3\0");
    assert_eq!((header[18], header[19]), (2, 2));
}

#[tokio::test]
async fn restart_keeps_data_and_empties_tmp() {
    let server = TestServer::start().await;
    let data = server.data_dir();
    std::fs::write(data.join("tmp/upload-left-behind"), b"partial").unwrap();
    std::fs::write(data.join("media/originals/keep-me"), b"photo").unwrap();
    let dir = server.stop().await;

    let server = TestServer::start_in(dir).await;
    assert!(
        !data.join("tmp/upload-left-behind").exists(),
        "tmp/ is emptied on start"
    );
    assert!(
        data.join("media/originals/keep-me").exists(),
        "originals are kept"
    );
    assert_eq!(server.get("/api/health").await.status(), 200);
    server.stop().await;
}
