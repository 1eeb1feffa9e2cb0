//! Settings → Devices (device passwords for phone backup apps) and the
//! trash's kept-out list (photos a phone sent again after they were
//! deleted). A member sees and changes only their own; a device password
//! itself reaches none of this (it works at `/dav/` only).

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};

use super::passwords;
use crate::accounts::api::Reauth;
use crate::accounts::audit;
use crate::accounts::principal::SessionAuth;
use crate::api::ApiTag;
use crate::db::entities::{dav_entry, device_password};
use crate::error::AppError;
use crate::library::api::{UploadResult, UploadStatus};
use crate::state::AppState;

#[derive(ApiResponse)]
pub enum Done {
    #[oai(status = 204)]
    Done,
}

#[derive(Debug, Object)]
pub struct DeviceInfo {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// The address it last came from.
    pub last_used_from: Option<String>,
}

impl From<device_password::Model> for DeviceInfo {
    fn from(device: device_password::Model) -> Self {
        Self {
            id: device.id,
            name: device.name,
            created_at: device.created_at,
            last_used_at: device.last_used_at,
            last_used_from: device.last_used_from,
        }
    }
}

/// Where a backup app sends photos, and the devices that may.
#[derive(Debug, Object)]
pub struct Devices {
    /// The WebDAV address of your own folder.
    pub url: String,
    /// The username to give the app.
    pub username: String,
    /// Whether the address is https: over http a device password travels
    /// unencrypted (fine at home, not over the internet).
    pub encrypted: bool,
    pub devices: Vec<DeviceInfo>,
}

#[derive(Debug, Object)]
pub struct NewDevice {
    /// What the device is ("Olivia's iPhone").
    #[oai(validator(max_length = 64))]
    pub name: String,
    /// That it is you: the device adds to your library for as long as its
    /// password lives.
    #[oai(flatten)]
    pub proof: Reauth,
}

/// A new device password: shown once.
#[derive(Debug, Object)]
pub struct CreatedDevice {
    pub password: String,
    pub url: String,
    pub username: String,
    pub encrypted: bool,
    /// Server, path, user and password as lines of text, for copying.
    pub setup_text: String,
    /// The same as a QR code (SVG): scanned with the phone's camera, the
    /// text lands on the phone, ready to paste into the app.
    pub qr_svg: String,
    pub device: DeviceInfo,
}

/// A photo a phone sent again after it was deleted: kept out of the
/// library, its bytes waiting here.
#[derive(Debug, Object)]
pub struct KeptOut {
    pub id: i64,
    pub name: String,
    /// The app's folder it was sent to.
    pub folder: String,
    pub bytes: i64,
    pub sent_at: DateTime<Utc>,
}

pub struct DevicesApi;

fn address(state: &AppState, req: &Request, username: &str) -> (String, bool) {
    let base = crate::api::link_base(state, req);
    let encrypted = base.scheme() == "https";
    let url = base
        .join(&format!(
            "{}/{username}/",
            super::PREFIX.trim_start_matches('/')
        ))
        .map_or_else(|_| base.to_string(), |url| url.to_string());
    (url, encrypted)
}

/// What a backup app asks for, one per line.
fn setup_text(url: &str, username: &str, password: &str) -> String {
    let parsed = url::Url::parse(url).ok();
    let server = parsed.as_ref().map_or_else(String::new, |url| {
        format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap_or_default(),
            url.port()
                .map(|port| format!(":{port}"))
                .unwrap_or_default()
        )
    });
    let path = parsed.as_ref().map_or("/dav/", url::Url::path);
    format!(
        "Hearth backup (WebDAV)\nServer: {server}\nPath: {path}\nUser: {username}\nPassword: {password}\nAddress: {url}"
    )
}

async fn kept_out_entry(
    state: &AppState,
    user_id: i64,
    id: i64,
) -> Result<dav_entry::Model, AppError> {
    dav_entry::Entity::find_by_id(id)
        .filter(dav_entry::Column::UserId.eq(user_id))
        .filter(dav_entry::Column::State.eq("kept_out"))
        .filter(dav_entry::Column::Blob.is_not_null())
        .one(state.db())
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such photo in the kept-out list.".into()))
}

#[OpenApi(tag = "ApiTag::Account")]
impl DevicesApi {
    /// Your devices that back up photos over WebDAV, and the address to
    /// give their apps.
    #[oai(path = "/me/devices", method = "get", operation_id = "list_devices")]
    async fn devices(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        req: &Request,
    ) -> Result<Json<Devices>, AppError> {
        let me = &auth.0.user;
        let (url, encrypted) = address(&state, req, &me.username);
        let devices = passwords::list(state.db(), me.id).await?;
        Ok(Json(Devices {
            url,
            username: me.username.clone(),
            encrypted,
            devices: devices.into_iter().map(DeviceInfo::from).collect(),
        }))
    }

    /// A device password for a phone's backup app (PhotoSync,
    /// FolderSync): shown once; it can add photos to your library and list
    /// what that app sent, nothing else.
    #[oai(path = "/me/devices", method = "post", operation_id = "create_device")]
    async fn create(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        req: &Request,
        body: Json<NewDevice>,
    ) -> Result<Json<CreatedDevice>, AppError> {
        let me = &auth.0;
        body.proof.check(&state, me).await?;
        let (device, password) =
            passwords::create(state.db(), me.user.id, &body.name, state.now()).await?;
        audit::record(
            state.db(),
            audit::Event {
                action: "device.created",
                actor: Some(me.user.id),
                target: Some(me.user.id),
                ip: me.ip(),
                details: serde_json::json!({ "name": device.name }),
            },
            state.now(),
        )
        .await?;
        let (url, encrypted) = address(&state, req, &me.user.username);
        let setup_text = setup_text(&url, &me.user.username, &password);
        Ok(Json(CreatedDevice {
            qr_svg: crate::accounts::totp::qr_svg(&setup_text)?,
            setup_text,
            password,
            url,
            username: me.user.username.clone(),
            encrypted,
            device: device.into(),
        }))
    }

    /// Revoke a device password: its app can no longer send photos.
    #[oai(
        path = "/me/devices/:id",
        method = "delete",
        operation_id = "revoke_device"
    )]
    async fn revoke(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        let me = &auth.0;
        let device = passwords::revoke(state.db(), me.user.id, id.0).await?;
        audit::record(
            state.db(),
            audit::Event {
                action: "device.revoked",
                actor: Some(me.user.id),
                target: Some(me.user.id),
                ip: me.ip(),
                details: serde_json::json!({ "name": device.name }),
            },
            state.now(),
        )
        .await?;
        Ok(Done::Done)
    }

    /// Photos your phones sent again after you deleted them: kept out of
    /// the library (newest first).
    #[oai(
        path = "/trash/kept-out",
        method = "get",
        operation_id = "list_kept_out",
        tag = "ApiTag::Retention"
    )]
    async fn kept_out(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<KeptOut>>, AppError> {
        let entries = dav_entry::Entity::find()
            .filter(dav_entry::Column::UserId.eq(auth.0.user.id))
            .filter(dav_entry::Column::State.eq("kept_out"))
            .filter(dav_entry::Column::Blob.is_not_null())
            .order_by_desc(dav_entry::Column::ModifiedAt)
            .all(state.db())
            .await?;
        Ok(Json(
            entries
                .into_iter()
                .map(|entry| KeptOut {
                    id: entry.id,
                    name: entry.name,
                    folder: entry.parent,
                    bytes: entry.bytes,
                    sent_at: entry.modified_at,
                })
                .collect(),
        ))
    }

    /// Bring a kept-out photo back into the library (and let your phones
    /// send it again).
    #[oai(
        path = "/trash/kept-out/:id/restore",
        method = "post",
        operation_id = "restore_kept_out",
        tag = "ApiTag::Retention"
    )]
    async fn restore(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Json<UploadResult>, AppError> {
        let me = &auth.0.user;
        let entry = kept_out_entry(&state, me.id, id.0).await?;
        let Some(hash) = entry.hash.clone() else {
            return Err(AppError::NotFound(
                "There is no such photo in the kept-out list.".into(),
            ));
        };
        let blob = state
            .data_dir()
            .dav(me.id)
            .join(entry.blob.clone().unwrap_or_default());
        let staged = state
            .data_dir()
            .tmp()
            .join(format!("dav-{}", uuid::Uuid::new_v4()));
        tokio::fs::hard_link(&blob, &staged)
            .await
            .map_err(|err| AppError::Internal(err.into()))?;
        let result = crate::library::uploads::import_backup(
            &state,
            me,
            staged,
            &entry.name,
            &hash,
            &super::upload::originals_folder(&entry.parent),
        )
        .await?;
        let mut row = entry.into_active_model();
        match (&result.status, result.asset_id) {
            (UploadStatus::Imported | UploadStatus::Duplicate, Some(asset_id)) => {
                // Still in the trash (deleted lately): out of it, which
                // also forgets that it was deleted.
                crate::library::set_trashed(&state, me.id, &[asset_id], false).await?;
                sea_orm::ConnectionTrait::execute_raw(
                    state.db(),
                    sea_orm::Statement::from_sql_and_values(
                        sea_orm::DbBackend::Sqlite,
                        "DELETE FROM kept_out WHERE user_id = ?1 AND hash = ?2",
                        [me.id.into(), hash.clone().into()],
                    ),
                )
                .await?;
                let _ = tokio::fs::remove_file(&blob).await;
                row.state = Set("photo".to_owned());
                row.asset_id = Set(Some(asset_id));
                row.blob = Set(None);
            }
            _ => row.state = Set("file".to_owned()),
        }
        row.update(state.db()).await?;
        Ok(Json(result))
    }

    /// Delete a kept-out photo's bytes for good; your phones still will
    /// not send it again.
    #[oai(
        path = "/trash/kept-out/:id",
        method = "delete",
        operation_id = "forget_kept_out",
        tag = "ApiTag::Retention"
    )]
    async fn forget(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        let me = &auth.0.user;
        let entry = kept_out_entry(&state, me.id, id.0).await?;
        if let Some(blob) = &entry.blob {
            let _ = tokio::fs::remove_file(state.data_dir().dav(me.id).join(blob)).await;
        }
        let mut row = entry.into_active_model();
        row.blob = Set(None);
        row.update(state.db()).await?;
        Ok(Done::Done)
    }
}
