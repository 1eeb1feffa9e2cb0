//! `GET /api/events`: the bus as Server-Sent Events, filtered for the
//! member asking. The stream re-checks its session or token every minute
//! (by the Clock) and ends when it is gone, and ends when the server stops.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::stream::{self, BoxStream, StreamExt as _};
use poem::web::Data;
use poem::web::sse::Event as SseEvent;
use poem_openapi::payload::EventStream;
use poem_openapi::types::ToJSON as _;
use poem_openapi::{Enum, Object, OpenApi};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use super::{Event, Kind};
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
    /// Events were missed (a slow connection): reload everything.
    Resync,
}

/// One event; its SSE event name is its `kind`.
#[derive(Debug, Clone, Object)]
pub struct ServerEvent {
    pub kind: EventKind,
    /// The assets concerned (`library`).
    pub ids: Vec<i64>,
}

#[OpenApi(tag = "ApiTag::Events")]
impl EventsApi {
    /// What changes, as Server-Sent Events (`text/event-stream`), for as
    /// long as the connection is open: `library`, `jobs` and `resync`
    /// events, each a JSON `ServerEvent`, and a keep-alive comment every 25
    /// seconds. The stream ends when the session ends or the server stops;
    /// browsers' `EventSource` reconnects by itself.
    #[oai(path = "/events", method = "get", operation_id = "events")]
    async fn events(
        &self,
        auth: Auth,
        state: Data<&AppState>,
    ) -> Result<EventStream<BoxStream<'static, ServerEvent>>, AppError> {
        let principal = auth.principal().clone();
        principal.require_scope(Scope::Read)?;
        let (events, closing) = state.events().subscribe();
        let listener = Listener {
            state: state.clone(),
            user: principal.user.clone(),
            principal,
            events,
            closing,
            checked: state.now(),
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
                    EventKind::Resync => "resync",
                };
                SseEvent::message(event.to_json_string()).event_type(name)
            }))
    }
}

struct Listener {
    state: AppState,
    principal: Principal,
    user: user::Model,
    events: broadcast::Receiver<std::sync::Arc<Event>>,
    closing: watch::Receiver<bool>,
    checked: DateTime<Utc>,
}

impl Listener {
    /// The next event for this member; `None` ends the stream.
    async fn next(&mut self) -> Option<ServerEvent> {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            if *self.closing.borrow() {
                return None;
            }
            tokio::select! {
                received = self.events.recv() => match received {
                    Ok(event) => {
                        let role = crate::accounts::users::Role::parse(&self.user.role);
                        if event.audience.includes(self.user.id, role) {
                            let kind = match event.kind {
                                Kind::Library => EventKind::Library,
                                Kind::Jobs => EventKind::Jobs,
                            };
                            return Some(ServerEvent { kind, ids: event.ids.clone() });
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        return Some(ServerEvent { kind: EventKind::Resync, ids: Vec::new() });
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = self.closing.changed() => return None,
                _ = tick.tick() => {
                    let now = self.state.now();
                    if now - self.checked >= RECHECK {
                        self.checked = now;
                        match self.principal.recheck(&self.state).await {
                            Ok(Some(user)) => self.user = user,
                            Ok(None) => return None,
                            Err(err) => {
                                tracing::warn!(error = %err, "re-checking an event stream's session");
                            }
                        }
                    }
                }
            }
        }
    }
}
