//! `dav-server`'s view of the tree: the file system trait, answered by
//! `Tree` for the member a device password belongs to, and files read back.

use std::io::SeekFrom;
use std::time::SystemTime;

use bytes::Bytes;
use dav_server::davpath::DavPath;
use dav_server::fs::{
    DavDirEntry, DavFile, DavMetaData, DavProp, FsError, FsFuture, FsStream, GuardedFileSystem,
    OpenOptions, ReadDirMeta,
};
use futures_util::FutureExt as _;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};

use super::tree::{Member, Meta, Tree, failed, io_error};

/// A file being read back (GET).
#[derive(Debug)]
pub(super) struct Download {
    pub(super) file: tokio::fs::File,
    pub(super) meta: Meta,
}

impl DavFile for Download {
    fn metadata(&mut self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        let meta: Box<dyn DavMetaData> = Box::new(self.meta.clone());
        Box::pin(std::future::ready(Ok(meta)))
    }
    fn write_buf(&mut self, _buf: Box<dyn bytes::Buf + Send>) -> FsFuture<'_, ()> {
        Box::pin(std::future::ready(Err(FsError::Forbidden)))
    }
    fn write_bytes(&mut self, _buf: Bytes) -> FsFuture<'_, ()> {
        Box::pin(std::future::ready(Err(FsError::Forbidden)))
    }
    fn read_bytes(&mut self, count: usize) -> FsFuture<'_, Bytes> {
        async move {
            let mut buffer = vec![0u8; count.min(1024 * 1024)];
            let n = self.file.read(&mut buffer).await.map_err(io_error)?;
            buffer.truncate(n);
            Ok(Bytes::from(buffer))
        }
        .boxed()
    }
    fn seek(&mut self, pos: SeekFrom) -> FsFuture<'_, u64> {
        async move { self.file.seek(pos).await.map_err(io_error) }.boxed()
    }
    fn flush(&mut self) -> FsFuture<'_, ()> {
        Box::pin(std::future::ready(Ok(())))
    }
}

impl GuardedFileSystem<Member> for Tree {
    fn open<'a>(
        &'a self,
        path: &'a DavPath,
        options: OpenOptions,
        member: &'a Member,
    ) -> FsFuture<'a, Box<dyn DavFile>> {
        self.open_file(path, options, member.clone()).boxed()
    }

    fn read_dir<'a>(
        &'a self,
        path: &'a DavPath,
        _meta: ReadDirMeta,
        member: &'a Member,
    ) -> FsFuture<'a, FsStream<Box<dyn DavDirEntry>>> {
        async move {
            let listed = self.list(path, member).await?;
            let stream: FsStream<Box<dyn DavDirEntry>> = Box::pin(futures_util::stream::iter(
                listed
                    .into_iter()
                    .map(|entry| Ok(Box::new(entry) as Box<dyn DavDirEntry>)),
            ));
            Ok(stream)
        }
        .boxed()
    }

    fn metadata<'a>(
        &'a self,
        path: &'a DavPath,
        member: &'a Member,
    ) -> FsFuture<'a, Box<dyn DavMetaData>> {
        async move {
            let meta: Box<dyn DavMetaData> = Box::new(self.meta(path, member).await?);
            Ok(meta)
        }
        .boxed()
    }

    fn create_dir<'a>(&'a self, path: &'a DavPath, member: &'a Member) -> FsFuture<'a, ()> {
        self.make_folder(path, member).boxed()
    }

    fn remove_dir<'a>(&'a self, path: &'a DavPath, member: &'a Member) -> FsFuture<'a, ()> {
        self.delete_folder(path, member).boxed()
    }

    fn remove_file<'a>(&'a self, path: &'a DavPath, member: &'a Member) -> FsFuture<'a, ()> {
        self.delete_file(path, member).boxed()
    }

    fn rename<'a>(
        &'a self,
        from: &'a DavPath,
        to: &'a DavPath,
        member: &'a Member,
    ) -> FsFuture<'a, ()> {
        Tree::rename(self, from, to, member).boxed()
    }

    fn copy<'a>(
        &'a self,
        from: &'a DavPath,
        to: &'a DavPath,
        member: &'a Member,
    ) -> FsFuture<'a, ()> {
        Tree::copy(self, from, to, member).boxed()
    }

    fn set_modified<'a>(
        &'a self,
        path: &'a DavPath,
        at: SystemTime,
        member: &'a Member,
    ) -> FsFuture<'a, ()> {
        async move {
            let mut entry = self.existing(path, member).await?.into_active_model();
            entry.modified_at = Set(at.into());
            entry.update(self.state.db()).await.map_err(failed)?;
            Ok(())
        }
        .boxed()
    }

    fn have_props<'a>(
        &'a self,
        path: &'a DavPath,
        member: &'a Member,
    ) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        // Setting one needs the answer true; listing needs it only when
        // there is something to list.
        let _ = path;
        async move { self.patching || self.has_props(member).await }.boxed()
    }

    fn patch_props<'a>(
        &'a self,
        path: &'a DavPath,
        changes: Vec<(bool, DavProp)>,
        member: &'a Member,
    ) -> FsFuture<'a, Vec<(::http::StatusCode, DavProp)>> {
        async move {
            let entry = self.existing(path, member).await?;
            super::props::patch(self.state.db(), entry.id, changes)
                .await
                .map_err(failed)
        }
        .boxed()
    }

    fn get_props<'a>(
        &'a self,
        path: &'a DavPath,
        do_content: bool,
        member: &'a Member,
    ) -> FsFuture<'a, Vec<DavProp>> {
        async move {
            let Ok(entry) = self.existing(path, member).await else {
                return Ok(Vec::new());
            };
            super::props::all(self.state.db(), entry.id, do_content)
                .await
                .map_err(failed)
        }
        .boxed()
    }

    fn get_prop<'a>(
        &'a self,
        path: &'a DavPath,
        prop: DavProp,
        member: &'a Member,
    ) -> FsFuture<'a, Vec<u8>> {
        async move {
            let entry = self.existing(path, member).await?;
            super::props::one(self.state.db(), entry.id, &prop)
                .await
                .map_err(failed)?
                .ok_or(FsError::NotFound)
        }
        .boxed()
    }
}
