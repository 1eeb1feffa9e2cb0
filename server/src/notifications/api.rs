use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::service::{self, Kind};
use crate::accounts::principal::Auth;
use crate::accounts::tokens::Scope;
use crate::api::ApiTag;
use crate::error::AppError;
use crate::state::AppState;

pub struct NotificationsApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Notification {
    pub id: i64,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
    /// The album it is about.
    #[oai(skip_serializing_if_is_none)]
    pub album_id: Option<i64>,
    /// The photo it is about.
    #[oai(skip_serializing_if_is_none)]
    pub asset_id: Option<i64>,
    /// How many things it stands for (photos added in one burst).
    pub count: i32,
}

#[derive(Debug, Object)]
pub struct Notifications {
    pub unread: u64,
    /// Newest first, at most 100.
    pub items: Vec<Notification>,
}

#[derive(ApiResponse)]
pub enum Done {
    #[oai(status = 204)]
    Done,
}

#[OpenApi(tag = "ApiTag::Notifications")]
impl NotificationsApi {
    /// Your notifications and how many are unread.
    #[oai(
        path = "/notifications",
        method = "get",
        operation_id = "list_notifications"
    )]
    async fn list(
        &self,
        auth: Auth,
        state: Data<&AppState>,
    ) -> Result<Json<Notifications>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let items = service::list(state.db(), me.user.id, 100).await?;
        Ok(Json(Notifications {
            unread: service::unread(state.db(), me.user.id).await?,
            items: items
                .into_iter()
                .filter_map(|n| {
                    Some(Notification {
                        id: n.id,
                        kind: Kind::parse(&n.kind)?,
                        title: n.title,
                        body: n.body,
                        created_at: n.created_at,
                        read: n.read_at.is_some(),
                        album_id: n.album_id,
                        asset_id: n.asset_id,
                        count: n.count,
                    })
                })
                .collect(),
        }))
    }

    /// Mark one notification read (signed in: a `read` token only reads).
    #[oai(
        path = "/notifications/:id/read",
        method = "post",
        operation_id = "read_notification"
    )]
    async fn read(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        let me = auth.principal();
        me.require_session()?;
        service::mark_read(state.db(), me.user.id, Some(id.0), state.now()).await?;
        state
            .events()
            .publish(crate::events::Event::notifications(me.user.id));
        Ok(Done::Done)
    }

    /// Mark every notification read (signed in).
    #[oai(
        path = "/notifications/read-all",
        method = "post",
        operation_id = "read_all_notifications"
    )]
    async fn read_all(&self, auth: Auth, state: Data<&AppState>) -> Result<Done, AppError> {
        let me = auth.principal();
        me.require_session()?;
        service::mark_read(state.db(), me.user.id, None, state.now()).await?;
        state
            .events()
            .publish(crate::events::Event::notifications(me.user.id));
        Ok(Done::Done)
    }
}
