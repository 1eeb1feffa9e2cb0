//! `GET /api/events`: the bus as Server-Sent Events, filtered for the
//! member asking. Each event carries an id; a browser reconnecting with
//! `Last-Event-ID` first gets what it missed (or `resync` when that is no
//! longer known). The stream re-checks its session or token every minute
//! (by the Clock) and ends when it is gone, and ends when the server stops.
//! A member may hold a few streams at once (tabs, devices), not more.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::stream::{self, BoxStream, StreamExt as _};
use poem::web::Data;
use poem::web::sse::Event as SseEvent;
use poem_openapi::param::Header;
use poem_openapi::payload::EventStream;
use poem_openapi::types::ToJSON as _;
use poem_openapi::{Enum, Object, OpenApi};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use super::{Kind, Numbered, StreamGuard};
use crate::accounts::principal::{Auth, Principal};
use crate::accounts::tokens::Scope;
use crate::api::ApiTag;
use crate::db::entities::user;
use crate::error::AppError;
use crate::state::AppState;

/// How often a stream re-checks that its session or token is still valid.
const RECHECK: TimeDelta = TimeDelta::minutes(1);
/// A comment line this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(25);

pub struct EventsApi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum EventKind {
    /// Photos or videos you can see appeared, changed or left: reload what
    /// you show of them.
    Library,
    /// The job queue moved (owner and admins).
    Jobs,
    /// An album you are a member of changed: photos added or removed
    /// (`ids`), title, cover, members or rule. `album` names it.
    Album,
    /// A comment or heart in an album you are a member of (`album`; `ids`
    /// holds the photo when it is on one).
    Comments,
    /// Your notifications changed (a new one, or read elsewhere).
    Notifications,
    /// Events were missed (a slow connection): reload everything.
    Resync,
}

/// One event; its SSE event name is its `kind`, its SSE id the bus's.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ServerEvent {
    #[oai(skip)]
    pub id: Option<u64>,
    pub kind: EventKind,
    /// The assets concerned (`library`, `album`, `comments`).
    pub ids: Vec<i64>,
    /// The album concerned (`album`, `comments`).
    #[oai(skip_serializing_if_is_none)]
    pub album: Option<i64>,
}

impl ServerEvent {
    fn resync() -> Self {
        Self {
            id: None,
            kind: EventKind::Resync,
            ids: Vec::new(),
            album: None,
        }
    }
}

#[OpenApi(tag = "ApiTag::Events")]
impl EventsApi {
    /// What changes, as Server-Sent Events (`text/event-stream`), for as
    /// long as the connection is open: `library`, `jobs`, `album`,
    /// `comments`, `notifications` and `resync` events (each only to those
    /// who may see what it is about), each a JSON `ServerEvent` with an SSE id, and a keep-alive
    /// comment every 25 seconds. With `Last-Event-ID`, missed events come
    /// first (the last 1 024 are kept), or `resync` when they are no longer
    /// known. The stream ends when the session ends or the server stops;
    /// browsers' `EventSource` reconnects by itself. A member holds at most
    /// 8 streams: a ninth ends their oldest.
    #[oai(path = "/events", method = "get", operation_id = "events")]
    async fn events(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        /// The id of the last event received (browsers send it when they
        /// reconnect): what came after it is sent first.
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<String>>,
    ) -> Result<EventStream<BoxStream<'static, ServerEvent>>, AppError> {
        let principal = auth.principal().clone();
        principal.require_scope(Scope::Read)?;
        let guard = state.events().open_stream(principal.user.id);
        // An id that is not a number is not one of ours: start afresh.
        let after = match last_event_id.0.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(text.parse().unwrap_or(u64::MAX)),
        };
        let subscription = state.events().subscribe(after);
        let listener = Listener {
            state: state.clone(),
            user: principal.user.clone(),
            principal,
            resync: subscription.replay.is_none(),
            pending: subscription.replay.unwrap_or_default().into(),
            events: subscription.live,
            closing: subscription.closing,
            checked: state.now(),
            guard,
        };
        let stream = stream::unfold(listener, |mut listener| async move {
            let next = listener.next().await?;
            Some((next, listener))
        });
        Ok(EventStream::new(stream.boxed())
            .keep_alive(KEEP_ALIVE)
            .to_event(|event| {
                let name = match event.kind {
                    EventKind::Library => "library",
                    EventKind::Jobs => "jobs",
                    EventKind::Album => "album",
                    EventKind::Comments => "comments",
                    EventKind::Notifications => "notifications",
                    EventKind::Resync => "resync",
                };
                let sse = SseEvent::message(event.to_json_string()).event_type(name);
                match event.id {
                    Some(id) => sse.id(id.to_string()),
                    None => sse,
                }
            }))
    }
}

struct Listener {
    state: AppState,
    principal: Principal,
    user: user::Model,
    /// Send `resync` first: what was missed is no longer known.
    resync: bool,
    /// Missed events to send before live ones.
    pending: std::collections::VecDeque<Arc<Numbered>>,
    events: broadcast::Receiver<Arc<Numbered>>,
    closing: watch::Receiver<bool>,
    checked: DateTime<Utc>,
    guard: StreamGuard,
}

impl Listener {
    /// This member's form of `event`, if it is theirs to hear.
    fn visible(&self, numbered: &Numbered) -> Option<ServerEvent> {
        let role = crate::accounts::users::Role::parse(&self.user.role);
        let event = &numbered.event;
        event
            .audience
            .includes(self.user.id, role)
            .then(|| ServerEvent {
                id: Some(numbered.id),
                kind: match event.kind {
                    Kind::Library => EventKind::Library,
                    Kind::Jobs => EventKind::Jobs,
                    Kind::Album => EventKind::Album,
                    Kind::Comments => EventKind::Comments,
                    Kind::Notifications => EventKind::Notifications,
                },
                ids: event.ids.clone(),
                album: event.album,
            })
    }

    /// The next event for this member; `None` ends the stream.
    async fn next(&mut self) -> Option<ServerEvent> {
        if std::mem::take(&mut self.resync) {
            return Some(ServerEvent::resync());
        }
        while let Some(numbered) = self.pending.pop_front() {
            if let Some(event) = self.visible(&numbered) {
                return Some(event);
            }
        }
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            if *self.closing.borrow() {
                return None;
            }
            tokio::select! {
                received = self.events.recv() => match received {
                    Ok(numbered) => {
                        if let Some(event) = self.visible(&numbered) {
                            return Some(event);
                        }
                    }
                    Err(RecvError::Lagged(_)) => return Some(ServerEvent::resync()),
                    Err(RecvError::Closed) => return None,
                },
                _ = self.closing.changed() => return None,
                _ = self.guard.evicted.changed() => return None,
                _ = tick.tick() => {
                    let now = self.state.now();
                    if now - self.checked >= RECHECK {
                        self.checked = now;
                        match self.principal.recheck(&self.state).await {
                            Ok(Some(user)) => self.user = user,
                            Ok(None) => return None,
                            Err(err) => {
                                tracing::warn!(error = %err.detail(), "re-checking an event stream's session");
                            }
                        }
                    }
                }
            }
        }
    }
}
