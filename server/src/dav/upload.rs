//! A PUT from a backup app: streamed to `tmp/` (hashed on the way, the
//! upload limit checked on every chunk, never held in memory), and only
//! when complete turned into what the tree names: a photo of the library
//! (an upload of the member's, as from the web app), a file kept as it
//! came, or a photo the member deleted before, kept out. An interrupted PUT
//! never reaches `flush`, and its file in `tmp/` goes when it is dropped.

use std::io::SeekFrom;
use std::path::PathBuf;

use bytes::{Buf, Bytes};
use dav_server::fs::{DavFile, DavMetaData, FsError, FsFuture};
use futures_util::FutureExt as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait as _, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use tokio::io::AsyncWriteExt as _;

use super::FOLDER;
use super::tree::{Member, Meta, failed, io_error};
use crate::db::entities::dav_entry;
use crate::library::api::UploadStatus;
use crate::state::AppState;

/// Bytes kept of a file's start, to tell a photo from anything else.
const HEADER: usize = 64;

/// A new name for bytes kept under `dav/<user>/`.
pub(super) fn blob_name() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The folder below the member's originals where a backup app's folder
/// `parent` goes.
pub(super) fn originals_folder(parent: &str) -> String {
    if parent.is_empty() {
        FOLDER.to_owned()
    } else {
        format!("{FOLDER}/{parent}")
    }
}

pub(super) struct Upload {
    state: AppState,
    member: Member,
    parent: String,
    name: String,
    /// The file in `tmp/`; removed on drop unless it was moved away.
    path: PathBuf,
    file: Option<tokio::fs::File>,
    hasher: blake3::Hasher,
    header: Vec<u8>,
    written: u64,
    limit: u64,
    /// What the request said it would send (Content-Length).
    expected: Option<u64>,
    done: Option<Meta>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("member", &self.member.id)
            .field("parent", &self.parent)
            .field("name", &self.name)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Upload {
    pub(super) async fn start(
        state: AppState,
        member: Member,
        parent: String,
        name: String,
        expected: Option<u64>,
    ) -> Result<Self, FsError> {
        let limit = u64::from(state.config().library.upload_max_mib) * 1024 * 1024;
        if expected.is_some_and(|size| size > limit) {
            return Err(FsError::TooLarge);
        }
        let path = state
            .data_dir()
            .tmp()
            .join(format!("dav-{}", uuid::Uuid::new_v4()));
        let file = tokio::fs::File::create(&path).await.map_err(io_error)?;
        Ok(Self {
            state,
            member,
            parent,
            name,
            path,
            file: Some(file),
            hasher: blake3::Hasher::new(),
            header: Vec::with_capacity(HEADER),
            written: 0,
            limit,
            expected,
            done: None,
        })
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), FsError> {
        self.written += bytes.len() as u64;
        if self.written > self.limit || self.expected.is_some_and(|size| self.written > size) {
            return Err(FsError::TooLarge);
        }
        let room = HEADER.saturating_sub(self.header.len());
        self.header
            .extend_from_slice(&bytes[..room.min(bytes.len())]);
        self.hasher.update(bytes);
        let file = self.file.as_mut().ok_or(FsError::GeneralFailure)?;
        file.write_all(bytes).await.map_err(io_error)
    }

    /// The whole file is here: decide what it becomes and name it.
    async fn finish(&mut self) -> Result<Meta, FsError> {
        if let Some(mut file) = self.file.take() {
            file.flush().await.map_err(io_error)?;
        }
        if self.expected.is_some_and(|size| size != self.written) {
            return Err(FsError::GeneralFailure);
        }
        let hash = self.hasher.finalize().to_hex().to_string();
        let (state, asset_id, blob) = self.place(&hash).await?;
        let folder = self.state.data_dir().dav(self.member.id);
        let named = self.name_it(state, asset_id, blob.clone(), hash).await;
        if named.is_err()
            && let Some(blob) = &blob
        {
            let _ = tokio::fs::remove_file(folder.join(blob)).await;
        }
        let entry = named?;
        if state == "kept_out" {
            tracing::info!(
                member = self.member.id,
                name = %self.name,
                "a backup app sent a photo its member deleted before: kept out"
            );
        }
        Ok(Meta::of(&entry))
    }

    /// The entry that names what the upload became (a new one, or the one
    /// it replaces, whose kept bytes go).
    async fn name_it(
        &self,
        state: &str,
        asset_id: Option<i64>,
        blob: Option<String>,
        hash: String,
    ) -> Result<dav_entry::Model, FsError> {
        let db = self.state.db();
        let folder = self.state.data_dir().dav(self.member.id);
        let now = self.state.now();
        let bytes = i64::try_from(self.written).unwrap_or(i64::MAX);
        let before = dav_entry::Entity::find()
            .filter(dav_entry::Column::UserId.eq(self.member.id))
            .filter(dav_entry::Column::Parent.eq(&self.parent))
            .filter(dav_entry::Column::Name.eq(&self.name))
            .one(db)
            .await
            .map_err(failed)?;
        match before {
            Some(before) => {
                let replaced = before.blob.clone();
                let mut entry = before.into_active_model();
                entry.state = Set(state.to_owned());
                entry.bytes = Set(bytes);
                entry.hash = Set(Some(hash));
                entry.asset_id = Set(asset_id);
                entry.blob = Set(blob);
                entry.modified_at = Set(now);
                let updated = entry.update(db).await;
                if updated.is_ok()
                    && let Some(old) = replaced
                {
                    let _ = tokio::fs::remove_file(folder.join(old)).await;
                }
                updated
            }
            None => {
                dav_entry::ActiveModel {
                    user_id: Set(self.member.id),
                    parent: Set(self.parent.clone()),
                    name: Set(self.name.clone()),
                    state: Set(state.to_owned()),
                    bytes: Set(bytes),
                    hash: Set(Some(hash)),
                    asset_id: Set(asset_id),
                    blob: Set(blob),
                    modified_at: Set(now),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await
            }
        }
        .map_err(failed)
    }

    /// Where the bytes go: kept out (deleted before), kept as a file (not
    /// a photo, or one the library cannot take), or into the library.
    /// Returns the entry's state, its photo and its kept bytes.
    async fn place(
        &mut self,
        hash: &str,
    ) -> Result<(&'static str, Option<i64>, Option<String>), FsError> {
        let db = self.state.db();
        let kept_out = db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Sqlite,
                "SELECT 1 FROM kept_out WHERE user_id = ?1 AND hash = ?2",
                [self.member.id.into(), hash.to_owned().into()],
            ))
            .await
            .map_err(failed)?
            .is_some();
        let folder = self.state.data_dir().dav(self.member.id);
        tokio::fs::create_dir_all(&folder).await.map_err(io_error)?;
        let blob = blob_name();
        let extension = self.name.rsplit_once('.').map_or("", |(_, ext)| ext);
        let media = hearth_media::sniff::content_type(&self.header, extension)
            != "application/octet-stream";
        Ok(if kept_out || !media {
            tokio::fs::rename(&self.path, folder.join(&blob))
                .await
                .map_err(io_error)?;
            (if kept_out { "kept_out" } else { "file" }, None, Some(blob))
        } else {
            // Its bytes stay as a file if the library cannot take it.
            tokio::fs::hard_link(&self.path, folder.join(&blob))
                .await
                .map_err(io_error)?;
            let imported = crate::library::uploads::import_backup(
                &self.state,
                &self.member,
                self.path.clone(),
                &self.name,
                hash,
                &originals_folder(&self.parent),
            )
            .await;
            let result = match imported {
                Ok(result) => result,
                Err(err) => {
                    let _ = tokio::fs::remove_file(folder.join(&blob)).await;
                    return Err(failed(err));
                }
            };
            match (result.status, result.asset_id) {
                (UploadStatus::Imported | UploadStatus::Duplicate, Some(asset_id)) => {
                    let _ = tokio::fs::remove_file(folder.join(&blob)).await;
                    ("photo", Some(asset_id), None)
                }
                _ => ("file", None, Some(blob)),
            }
        })
    }
}

impl DavFile for Upload {
    fn metadata(&mut self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        let meta = self.done.clone();
        let (written, now) = (self.written, self.state.now().into());
        async move {
            let meta: Box<dyn DavMetaData> =
                Box::new(meta.unwrap_or_else(|| Meta::file(written, now)));
            Ok(meta)
        }
        .boxed()
    }
    fn write_buf(&mut self, mut buf: Box<dyn Buf + Send>) -> FsFuture<'_, ()> {
        async move {
            while buf.has_remaining() {
                let chunk = buf.chunk().to_vec();
                self.write(&chunk).await?;
                buf.advance(chunk.len());
            }
            Ok(())
        }
        .boxed()
    }
    fn write_bytes(&mut self, buf: Bytes) -> FsFuture<'_, ()> {
        async move { self.write(&buf).await }.boxed()
    }
    fn read_bytes(&mut self, _count: usize) -> FsFuture<'_, Bytes> {
        Box::pin(std::future::ready(Err(FsError::Forbidden)))
    }
    fn seek(&mut self, pos: SeekFrom) -> FsFuture<'_, u64> {
        // Only "where am I" at the start (a plain PUT).
        let at = match pos {
            SeekFrom::Start(0) if self.written == 0 => Ok(0),
            _ => Err(FsError::NotImplemented),
        };
        Box::pin(std::future::ready(at))
    }
    fn flush(&mut self) -> FsFuture<'_, ()> {
        async move {
            if self.done.is_none() {
                let meta = self.finish().await?;
                self.done = Some(meta);
            }
            Ok(())
        }
        .boxed()
    }
}
