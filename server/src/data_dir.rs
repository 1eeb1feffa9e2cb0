//! The data folder: one place for everything Hearth keeps. This module owns
//! its layout; nothing else builds paths into it by hand.

use std::io;
use std::path::{Path, PathBuf};

/// The layout of a prepared data folder.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// Folders created on start, relative to the data folder.
const LAYOUT: [&str; 6] = [
    "index",
    "media/originals",
    "media/derived",
    "exports",
    "tmp",
    "backups",
];

#[derive(Debug, thiserror::Error)]
#[error("the data folder {} is not usable: {action} failed: {source}", .path.display())]
pub struct DataDirError {
    path: PathBuf,
    action: &'static str,
    #[source]
    source: io::Error,
}

impl DataDir {
    /// Creates the layout if missing, empties `tmp/` (staging left by a
    /// previous run) and checks that the folder is writable.
    pub fn prepare(root: &Path) -> Result<Self, DataDirError> {
        let fail = |action: &'static str| {
            let path = root.to_path_buf();
            move |source| DataDirError {
                path,
                action,
                source,
            }
        };
        std::fs::create_dir_all(root).map_err(fail("creating it"))?;
        let root = std::path::absolute(root).map_err(fail("resolving its path"))?;
        let dir = Self { root };
        for sub in LAYOUT {
            std::fs::create_dir_all(dir.root.join(sub)).map_err(fail("creating its folders"))?;
        }
        let tmp = dir.tmp();
        std::fs::remove_dir_all(&tmp).map_err(fail("emptying tmp/"))?;
        std::fs::create_dir(&tmp).map_err(fail("recreating tmp/"))?;
        let probe = tmp.join(".write-test");
        std::fs::write(&probe, b"hearth").map_err(fail("writing a test file"))?;
        std::fs::remove_file(&probe).map_err(fail("removing a test file"))?;
        Ok(dir)
    }

    /// An existing data folder, for commands that run beside a server:
    /// nothing is created or emptied.
    pub fn open(root: &Path) -> Result<Self, DataDirError> {
        let root = std::path::absolute(root).map_err(|source| DataDirError {
            path: root.to_path_buf(),
            action: "resolving its path",
            source,
        })?;
        if !root.join("hearth.db").is_file() {
            return Err(DataDirError {
                path: root,
                action: "finding hearth.db",
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        Ok(Self { root })
    }

    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    #[must_use]
    pub fn database(&self) -> PathBuf {
        self.root.join("hearth.db")
    }

    /// Where an asset's preview and thumbnail live:
    /// `media/derived/<2 hex>/<asset id>/` (256 folders keep each one small).
    #[must_use]
    pub fn derived(&self, asset_id: i64) -> PathBuf {
        self.derived_root()
            .join(format!("{:02x}", asset_id.rem_euclid(256)))
            .join(asset_id.to_string())
    }

    /// Uploaded originals, managed by Hearth:
    /// `media/originals/<user>/<yyyy>/<mm>/<name>`.
    #[must_use]
    pub fn originals(&self) -> PathBuf {
        self.root.join("media/originals")
    }

    /// The search index (its generations and the `current` pointer).
    #[must_use]
    pub fn index(&self) -> PathBuf {
        self.root.join("index")
    }

    /// Database backups: automatic ones and snapshots before migrations.
    #[must_use]
    pub fn backups(&self) -> PathBuf {
        self.root.join("backups")
    }

    /// Preview and thumbnail folders (`<2 hex>/<asset id>/`).
    #[must_use]
    pub fn derived_root(&self) -> PathBuf {
        self.root.join("media/derived")
    }

    /// What a member's backup apps sent that is not a photo of the
    /// library (other files, photos deleted before): `dav/<user id>/`.
    #[must_use]
    pub fn dav(&self, user_id: i64) -> PathBuf {
        self.root.join("dav").join(user_id.to_string())
    }

    #[must_use]
    pub fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }
}
