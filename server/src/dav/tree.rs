//! The tree a member's backup apps see at `/dav/<username>/`: the folders
//! they made and the files they sent, under the names, sizes and times
//! they sent (`dav_entries`), so that a sync finds its files there and
//! sends nothing twice. A photo or video becomes an upload of the member's
//! (`photo`); anything else is kept as it came (`file`); a photo the member
//! deleted before stays out of the library and waits in the trash's
//! kept-out list (`kept_out`). Nobody sees another member's tree.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use dav_server::davpath::DavPath;
use dav_server::fs::{DavDirEntry, DavFile, DavMetaData, FsError, FsFuture, FsResult, OpenOptions};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, Statement,
};

use crate::db::entities::{dav_entry, user};
use crate::state::AppState;

/// Folders deeper than this are refused (a loop in an app, not a phone).
const MAX_DEPTH: usize = 32;
/// Longest name of one file or folder, in bytes.
const MAX_NAME: usize = 255;

/// Who is asking: the member a device password belongs to.
pub type Member = Arc<user::Model>;

/// The WebDAV file system of every member's tree (made for each request).
#[derive(Clone)]
pub struct Tree {
    pub state: AppState,
    /// Whether the member has set any property at all (backup apps never
    /// do): asked once per request, not once per file listed.
    pub any_props: Arc<tokio::sync::OnceCell<bool>>,
    /// A PROPPATCH: properties may be set.
    pub patching: bool,
}

/// Where a path points.
enum Place {
    /// `/`: holds the member's own folder only.
    Top,
    /// `/<username>/`.
    Home,
    /// Something in the member's tree.
    Entry { parent: String, name: String },
}

/// The path of `name` in the folder `parent`, as `parent` stores paths.
fn joined(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

impl Place {
    /// The path of a folder inside the member's tree, as `parent` stores it.
    fn inside(&self) -> Option<String> {
        match self {
            Self::Top => None,
            Self::Home => Some(String::new()),
            Self::Entry { parent, name } => Some(joined(parent, name)),
        }
    }
}

fn place(path: &DavPath, member: &user::Model) -> FsResult<Place> {
    let text = std::str::from_utf8(path.as_bytes()).map_err(|_| FsError::Forbidden)?;
    let parts: Vec<&str> = text.split('/').filter(|part| !part.is_empty()).collect();
    let Some((owner, rest)) = parts.split_first() else {
        return Ok(Place::Top);
    };
    if !owner.eq_ignore_ascii_case(&member.username) {
        return Err(FsError::Forbidden);
    }
    let Some((name, folders)) = rest.split_last() else {
        return Ok(Place::Home);
    };
    if rest.len() > MAX_DEPTH || rest.iter().any(|part| part.len() > MAX_NAME) {
        return Err(FsError::PathTooLong);
    }
    if rest
        .iter()
        .any(|part| matches!(*part, "." | "..") || part.chars().any(char::is_control))
    {
        return Err(FsError::Forbidden);
    }
    Ok(Place::Entry {
        parent: folders.join("/"),
        name: (*name).to_owned(),
    })
}

/// What a file system error tells the client.
pub(super) fn io_error(err: std::io::Error) -> FsError {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::NotFound => FsError::NotFound,
        ErrorKind::PermissionDenied => FsError::Forbidden,
        ErrorKind::AlreadyExists => FsError::Exists,
        ErrorKind::StorageFull => FsError::InsufficientStorage,
        _ => failed(err),
    }
}

pub(super) fn failed(err: impl std::fmt::Display) -> FsError {
    tracing::warn!(error = %err, "WebDAV: a request failed");
    FsError::GeneralFailure
}

/// File metadata as the apps see it.
#[derive(Debug, Clone)]
pub(super) struct Meta {
    dir: bool,
    len: u64,
    modified: SystemTime,
    created: SystemTime,
    /// Changes whenever the content does.
    etag: Option<String>,
}

impl Meta {
    /// A file being written, `len` bytes so far.
    pub(super) fn file(len: u64, now: SystemTime) -> Self {
        Self {
            dir: false,
            len,
            modified: now,
            created: now,
            etag: None,
        }
    }

    fn folder(at: SystemTime) -> Self {
        Self {
            dir: true,
            len: 0,
            modified: at,
            created: at,
            etag: None,
        }
    }

    pub(super) fn of(entry: &dav_entry::Model) -> Self {
        Self {
            dir: entry.state == "folder",
            len: u64::try_from(entry.bytes).unwrap_or(0),
            modified: entry.modified_at.into(),
            created: entry.created_at.into(),
            etag: entry
                .hash
                .as_ref()
                .map(|hash| format!("{}-{}", entry.id, &hash[..hash.len().min(16)])),
        }
    }
}

impl DavMetaData for Meta {
    fn len(&self) -> u64 {
        self.len
    }
    fn modified(&self) -> FsResult<SystemTime> {
        Ok(self.modified)
    }
    fn created(&self) -> FsResult<SystemTime> {
        Ok(self.created)
    }
    fn is_dir(&self) -> bool {
        self.dir
    }
    fn etag(&self) -> Option<String> {
        self.etag.clone()
    }
}

pub(super) struct Listed {
    name: String,
    meta: Meta,
}

impl DavDirEntry for Listed {
    fn name(&self) -> Vec<u8> {
        self.name.as_bytes().to_vec()
    }
    fn metadata(&self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        let meta: Box<dyn DavMetaData> = Box::new(self.meta.clone());
        Box::pin(std::future::ready(Ok(meta)))
    }
}

impl Tree {
    async fn entry(
        &self,
        member: &user::Model,
        parent: &str,
        name: &str,
    ) -> FsResult<Option<dav_entry::Model>> {
        dav_entry::Entity::find()
            .filter(dav_entry::Column::UserId.eq(member.id))
            .filter(dav_entry::Column::Parent.eq(parent))
            .filter(dav_entry::Column::Name.eq(name))
            .one(self.state.db())
            .await
            .map_err(failed)
    }

    /// Whether the member has set any property on anything.
    pub(super) async fn has_props(&self, member: &user::Model) -> bool {
        *self
            .any_props
            .get_or_init(|| async {
                self.state
                    .db()
                    .query_one_raw(Statement::from_sql_and_values(
                        sea_orm::DbBackend::Sqlite,
                        "SELECT 1 FROM dav_props JOIN dav_entries ON dav_entries.id = dav_props.entry_id \
                         WHERE dav_entries.user_id = ?1 LIMIT 1",
                        [member.id.into()],
                    ))
                    .await
                    .map_or(true, |row| row.is_some())
            })
            .await
    }

    /// Whether `inside` (a folder path in the member's tree) is a folder.
    async fn is_folder(&self, member: &user::Model, inside: &str) -> FsResult<bool> {
        if inside.is_empty() {
            return Ok(true);
        }
        let (parent, name) = inside.rsplit_once('/').unwrap_or(("", inside));
        Ok(self
            .entry(member, parent, name)
            .await?
            .is_some_and(|entry| entry.state == "folder"))
    }

    pub(super) async fn meta(&self, path: &DavPath, member: &user::Model) -> FsResult<Meta> {
        match place(path, member)? {
            Place::Top | Place::Home => Ok(Meta::folder(member.created_at.into())),
            Place::Entry { parent, name } => self
                .entry(member, &parent, &name)
                .await?
                .map(|entry| Meta::of(&entry))
                .ok_or(FsError::NotFound),
        }
    }

    pub(super) async fn list(&self, path: &DavPath, member: &user::Model) -> FsResult<Vec<Listed>> {
        let here = place(path, member)?;
        let Some(inside) = here.inside() else {
            return Ok(vec![Listed {
                name: member.username.clone(),
                meta: Meta::folder(member.created_at.into()),
            }]);
        };
        if !self.is_folder(member, &inside).await? {
            return Err(FsError::NotFound);
        }
        Ok(dav_entry::Entity::find()
            .filter(dav_entry::Column::UserId.eq(member.id))
            .filter(dav_entry::Column::Parent.eq(inside))
            .order_by_asc(dav_entry::Column::Name)
            .all(self.state.db())
            .await
            .map_err(failed)?
            .into_iter()
            .map(|entry| Listed {
                meta: Meta::of(&entry),
                name: entry.name,
            })
            .collect())
    }

    /// An entry that must exist: a file or folder of the member's.
    pub(super) async fn existing(
        &self,
        path: &DavPath,
        member: &user::Model,
    ) -> FsResult<dav_entry::Model> {
        match place(path, member)? {
            Place::Top | Place::Home => Err(FsError::Forbidden),
            Place::Entry { parent, name } => self
                .entry(member, &parent, &name)
                .await?
                .ok_or(FsError::NotFound),
        }
    }

    pub(super) async fn open_file(
        &self,
        path: &DavPath,
        options: OpenOptions,
        member: Member,
    ) -> FsResult<Box<dyn DavFile>> {
        let Place::Entry { parent, name } = place(path, &member)? else {
            return Err(FsError::Forbidden);
        };
        let found = self.entry(&member, &parent, &name).await?;
        if found.as_ref().is_some_and(|entry| entry.state == "folder") {
            return Err(FsError::Forbidden);
        }
        if options.write {
            if found.is_some() && options.create_new {
                return Err(FsError::Exists);
            }
            if found.is_none() && !options.create && !options.create_new {
                return Err(FsError::NotFound);
            }
            if !self.is_folder(&member, &parent).await? {
                return Err(FsError::NotFound);
            }
            if options.append || (found.is_some() && !options.truncate) {
                // A ranged PUT into a photo: not something a backup does.
                return Err(FsError::NotImplemented);
            }
            return super::upload::Upload::start(
                self.state.clone(),
                member,
                parent,
                name,
                options.size,
            )
            .await
            .map(|upload| Box::new(upload) as Box<dyn DavFile>);
        }
        let entry = found.ok_or(FsError::NotFound)?;
        let source = self.bytes_of(&entry).await?.ok_or(FsError::NotFound)?;
        let file = tokio::fs::File::open(&source).await.map_err(io_error)?;
        Ok(Box::new(super::fs::Download {
            file,
            meta: Meta::of(&entry),
        }))
    }

    /// Where an entry's bytes are now: the photo's original, or the file
    /// as it came.
    async fn bytes_of(&self, entry: &dav_entry::Model) -> FsResult<Option<PathBuf>> {
        if let Some(blob) = &entry.blob {
            return Ok(Some(self.state.data_dir().dav(entry.user_id).join(blob)));
        }
        let Some(id) = entry.asset_id else {
            return Ok(None);
        };
        // A Live Photo's video, sent as its own file, is the photo's motion.
        let motion = crate::db::entities::asset::Entity::find_by_id(id)
            .one(self.state.db())
            .await
            .map_err(failed)?
            .is_some_and(|asset| asset.motion_hash.is_some() && asset.motion_hash == entry.hash);
        crate::library::locate(&self.state, id, if motion { "motion" } else { "original" })
            .await
            .map_err(failed)
    }

    pub(super) async fn make_folder(&self, path: &DavPath, member: &user::Model) -> FsResult<()> {
        let Place::Entry { parent, name } = place(path, member)? else {
            return Err(FsError::Exists);
        };
        if !self.is_folder(member, &parent).await? {
            return Err(FsError::NotFound);
        }
        if self.entry(member, &parent, &name).await?.is_some() {
            return Err(FsError::Exists);
        }
        let now = self.state.now();
        dav_entry::ActiveModel {
            user_id: Set(member.id),
            parent: Set(parent),
            name: Set(name),
            state: Set("folder".to_owned()),
            modified_at: Set(now),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(self.state.db())
        .await
        .map_err(failed)?;
        Ok(())
    }

    /// Deletes a file: a photo goes to the trash (when no other name of the
    /// member's holds it), a file's bytes go.
    pub(super) async fn delete_file(&self, path: &DavPath, member: &user::Model) -> FsResult<()> {
        let entry = self.existing(path, member).await?;
        if entry.state == "folder" {
            return Err(FsError::Forbidden);
        }
        self.forget(&entry).await
    }

    async fn forget(&self, entry: &dav_entry::Model) -> FsResult<()> {
        let db = self.state.db();
        dav_entry::Entity::delete_by_id(entry.id)
            .exec(db)
            .await
            .map_err(failed)?;
        if let Some(blob) = &entry.blob {
            let _ =
                tokio::fs::remove_file(self.state.data_dir().dav(entry.user_id).join(blob)).await;
        }
        if let Some(asset_id) = entry.asset_id {
            let others = dav_entry::Entity::find()
                .filter(dav_entry::Column::UserId.eq(entry.user_id))
                .filter(dav_entry::Column::AssetId.eq(asset_id))
                .one(db)
                .await
                .map_err(failed)?;
            if others.is_none() {
                crate::library::set_trashed(&self.state, entry.user_id, &[asset_id], true)
                    .await
                    .map_err(failed)?;
            }
        }
        Ok(())
    }

    /// Deletes a folder and whatever is still in it.
    pub(super) async fn delete_folder(&self, path: &DavPath, member: &user::Model) -> FsResult<()> {
        let folder = self.existing(path, member).await?;
        if folder.state != "folder" {
            return Err(FsError::Forbidden);
        }
        let inside = joined(&folder.parent, &folder.name);
        for entry in self.below(member, &inside).await? {
            self.forget(&entry).await?;
        }
        dav_entry::Entity::delete_by_id(folder.id)
            .exec(self.state.db())
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// Everything at any depth below the folder `inside`.
    async fn below(&self, member: &user::Model, inside: &str) -> FsResult<Vec<dav_entry::Model>> {
        dav_entry::Entity::find()
            .filter(dav_entry::Column::UserId.eq(member.id))
            // (Not LIKE: `%` and `_` in a folder's name are letters here.)
            .filter(
                sea_orm::Condition::any()
                    .add(dav_entry::Column::Parent.eq(inside))
                    .add(sea_orm::sea_query::Expr::cust_with_values(
                        "substr(parent, 1, length(?) + 1) = ? || '/'",
                        [inside, inside],
                    )),
            )
            .all(self.state.db())
            .await
            .map_err(failed)
    }

    /// MOVE: a file or a whole folder takes its new name (what is at the
    /// destination was removed first by the handler when overwriting).
    pub(super) async fn rename(
        &self,
        from: &DavPath,
        to: &DavPath,
        member: &user::Model,
    ) -> FsResult<()> {
        let entry = self.existing(from, member).await?;
        let Place::Entry { parent, name } = place(to, member)? else {
            return Err(FsError::Forbidden);
        };
        if !self.is_folder(member, &parent).await? {
            return Err(FsError::NotFound);
        }
        if let Some(there) = self.entry(member, &parent, &name).await? {
            if there.id == entry.id {
                return Ok(());
            }
            return Err(FsError::Exists);
        }
        let old = joined(&entry.parent, &entry.name);
        let new = joined(&parent, &name);
        if entry.state == "folder" && (new == old || new.starts_with(&format!("{old}/"))) {
            return Err(FsError::Forbidden);
        }
        let db = self.state.db();
        if entry.state == "folder" {
            db.execute_raw(Statement::from_sql_and_values(
                sea_orm::DbBackend::Sqlite,
                // (SQLite counts characters, not bytes.)
                "UPDATE dav_entries SET parent = ?1 || substr(parent, length(?2) + 1) \
                 WHERE user_id = ?3 AND (parent = ?2 OR substr(parent, 1, length(?2) + 1) = ?2 || '/')",
                [new.clone().into(), old.clone().into(), member.id.into()],
            ))
            .await
            .map_err(failed)?;
        }
        let mut moved = entry.into_active_model();
        moved.parent = Set(parent);
        moved.name = Set(name);
        moved.update(db).await.map_err(failed)?;
        Ok(())
    }

    /// COPY of one file: another name for the same photo, or a copy of the
    /// file's bytes; its properties come along.
    pub(super) async fn copy(
        &self,
        from: &DavPath,
        to: &DavPath,
        member: &user::Model,
    ) -> FsResult<()> {
        let entry = self.existing(from, member).await?;
        if entry.state == "folder" {
            return Err(FsError::Forbidden);
        }
        let Place::Entry { parent, name } = place(to, member)? else {
            return Err(FsError::Forbidden);
        };
        if !self.is_folder(member, &parent).await? {
            return Err(FsError::NotFound);
        }
        if let Some(there) = self.entry(member, &parent, &name).await? {
            if there.state == "folder" {
                return Err(FsError::Exists);
            }
            self.forget(&there).await?;
        }
        let blob = match &entry.blob {
            Some(blob) => {
                let folder = self.state.data_dir().dav(member.id);
                let copy = super::upload::blob_name();
                tokio::fs::copy(folder.join(blob), folder.join(&copy))
                    .await
                    .map_err(io_error)?;
                Some(copy)
            }
            None => None,
        };
        let now = self.state.now();
        let copied = dav_entry::ActiveModel {
            user_id: Set(member.id),
            parent: Set(parent),
            name: Set(name),
            state: Set(entry.state.clone()),
            bytes: Set(entry.bytes),
            hash: Set(entry.hash.clone()),
            asset_id: Set(entry.asset_id),
            blob: Set(blob),
            modified_at: Set(entry.modified_at),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(self.state.db())
        .await
        .map_err(failed)?;
        self.state
            .db()
            .execute_raw(Statement::from_sql_and_values(
                sea_orm::DbBackend::Sqlite,
                "INSERT INTO dav_props (entry_id, namespace, name, prefix, xml) \
                 SELECT ?1, namespace, name, prefix, xml FROM dav_props WHERE entry_id = ?2",
                [copied.id.into(), entry.id.into()],
            ))
            .await
            .map_err(failed)?;
        Ok(())
    }
}
