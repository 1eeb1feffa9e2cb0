//! The event bus: what changed, pushed to every open browser tab as
//! Server-Sent Events (`GET /api/events`) so views update without polling.
//! Events are signals, not data — "these assets changed", "the job queue
//! moved" — and the browser reads the details through the API, which
//! applies the access rule. Each event names its audience, so a private
//! photo's id never reaches another member's stream.

pub mod api;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{broadcast, watch};

use crate::accounts::users::Role;
use crate::db::entities::asset;

/// Events kept for replay, and how far a slow tab may fall behind before
/// it is told to reload.
const BACKLOG: usize = 1024;

/// Who may receive an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    /// One member.
    User(i64),
    /// The owner and admins.
    Admins,
    /// These members (an album's, as they were when it happened).
    Members(Arc<[i64]>),
}

impl Audience {
    /// Who may learn that `asset` changed: its owner, and everyone while it
    /// is (or, for a change of visibility, was) shared with the family.
    #[must_use]
    pub fn of_asset(asset: &asset::Model, was_family: bool) -> Self {
        if was_family || asset.visibility == "family" {
            Self::Everyone
        } else {
            Self::User(asset.owner_id)
        }
    }

    #[must_use]
    pub fn includes(&self, user_id: i64, role: Role) -> bool {
        match self {
            Self::Everyone => true,
            Self::User(id) => *id == user_id,
            Self::Admins => role.is_admin(),
            Self::Members(ids) => ids.contains(&user_id),
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Assets appeared, changed or left the library.
    Library,
    /// The job queue moved.
    Jobs,
    /// An album changed: its photos (`ids`), title, cover, members, rule.
    Album,
    /// A comment or heart was added, edited or removed in an album.
    Comments,
    /// The member's notifications changed.
    Notifications,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub audience: Audience,
    pub kind: Kind,
    /// The assets concerned (library and album events).
    pub ids: Vec<i64>,
    /// The album concerned (album and comment events).
    pub album: Option<i64>,
}

impl Event {
    #[must_use]
    pub fn jobs() -> Self {
        Self {
            audience: Audience::Admins,
            kind: Kind::Jobs,
            ids: Vec::new(),
            album: None,
        }
    }

    /// Tells one member that their notifications changed.
    #[must_use]
    pub fn notifications(user_id: i64) -> Self {
        Self {
            audience: Audience::User(user_id),
            kind: Kind::Notifications,
            ids: Vec::new(),
            album: None,
        }
    }
}

/// An event as sent: numbered, so a reconnecting browser can say where it
/// left off (`Last-Event-ID`).
#[derive(Debug)]
pub struct Numbered {
    pub id: u64,
    pub event: Event,
}

/// Open streams one member may hold at once (tabs and devices).
pub const STREAMS_PER_MEMBER: usize = 8;

/// The bus: cheap to publish to with nobody listening. The last `BACKLOG`
/// events are kept for replay.
pub struct Bus {
    sender: broadcast::Sender<Arc<Numbered>>,
    closing: watch::Sender<bool>,
    recent: Mutex<Recent>,
    streams: Mutex<Streams>,
}

/// Open streams by member, oldest first.
#[derive(Default)]
struct Streams {
    next_id: u64,
    by_member: HashMap<i64, VecDeque<(u64, watch::Sender<bool>)>>,
}

struct Recent {
    last_id: u64,
    events: VecDeque<Arc<Numbered>>,
}

impl Bus {
    /// A bus whose event ids start above any an earlier run gave (the
    /// start time in milliseconds, shifted), so a browser's id from before
    /// a restart is never mistaken for one of this run's.
    #[must_use]
    pub fn new(started: chrono::DateTime<chrono::Utc>) -> Self {
        let base = u64::try_from(started.timestamp_millis()).unwrap_or(0) << 20;
        Self {
            sender: broadcast::channel(BACKLOG).0,
            closing: watch::channel(false).0,
            recent: Mutex::new(Recent {
                last_id: base,
                events: VecDeque::new(),
            }),
            streams: Mutex::new(Streams::default()),
        }
    }
}

/// A new stream: the events to replay first (or `None`: too much was
/// missed, the browser must reload), then live ones.
pub struct Subscription {
    pub replay: Option<Vec<Arc<Numbered>>>,
    pub live: broadcast::Receiver<Arc<Numbered>>,
    pub closing: watch::Receiver<bool>,
}

impl Bus {
    pub fn publish(&self, event: Event) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.last_id += 1;
        let numbered = Arc::new(Numbered {
            id: recent.last_id,
            event,
        });
        if recent.events.len() == BACKLOG {
            recent.events.pop_front();
        }
        recent.events.push_back(numbered.clone());
        // An error only means that no tab is listening.
        let _ = self.sender.send(numbered);
    }

    /// Subscribes; with `after` (the last event id the browser saw), the
    /// events since then come first — unless some were already dropped
    /// from the backlog, or the id is not one of this run's.
    #[must_use]
    pub fn subscribe(&self, after: Option<u64>) -> Subscription {
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        // Under the lock: nothing is published between the copy and the
        // subscription, so nothing is missed or sent twice.
        let live = self.sender.subscribe();
        let replay = match after {
            None => Some(Vec::new()),
            Some(after) if after > recent.last_id => None,
            Some(after) => {
                let oldest = recent.events.front().map_or(recent.last_id + 1, |e| e.id);
                (after + 1 >= oldest).then(|| {
                    recent
                        .events
                        .iter()
                        .filter(|e| e.id > after)
                        .cloned()
                        .collect()
                })
            }
        };
        Subscription {
            replay,
            live,
            closing: self.closing.subscribe(),
        }
    }

    /// Counts a member's new stream. Beyond `STREAMS_PER_MEMBER`, their
    /// oldest is ended (most often a tab closed without the server
    /// noticing yet; a live one reconnects).
    #[must_use]
    pub fn open_stream(self: &Arc<Self>, user_id: i64) -> StreamGuard {
        let (evict, evicted) = watch::channel(false);
        let mut streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        let id = streams.next_id;
        streams.next_id += 1;
        let open = streams.by_member.entry(user_id).or_default();
        open.push_back((id, evict));
        if open.len() > STREAMS_PER_MEMBER
            && let Some((_, oldest)) = open.pop_front()
        {
            let _ = oldest.send(true);
        }
        StreamGuard {
            bus: self.clone(),
            user_id,
            id,
            evicted,
        }
    }

    /// How many streams are open (metrics).
    pub fn open_streams(&self) -> usize {
        self.streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_member
            .values()
            .map(std::collections::VecDeque::len)
            .sum()
    }

    /// Ends every stream (the server is stopping: open streams would hold
    /// the graceful shutdown for its whole grace period).
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }
}

/// One open stream, counted until dropped.
pub struct StreamGuard {
    bus: Arc<Bus>,
    user_id: i64,
    id: u64,
    /// Becomes true when newer streams of the same member pushed it out.
    pub evicted: watch::Receiver<bool>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let mut streams = self
            .bus
            .streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(open) = streams.by_member.get_mut(&self.user_id) {
            open.retain(|(id, _)| *id != self.id);
            if open.is_empty() {
                streams.by_member.remove(&self.user_id);
            }
        }
    }
}
