//! The event bus: what changed, pushed to every open browser tab as
//! Server-Sent Events (`GET /api/events`) so views update without polling.
//! Events are signals, not data — "these assets changed", "the job queue
//! moved" — and the browser reads the details through the API, which
//! applies the access rule. Each event names its audience, so a private
//! photo's id never reaches another member's stream.

pub mod api;

use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use crate::accounts::users::Role;
use crate::db::entities::asset;

/// Events a slow tab may fall behind by before it is told to reload.
const BACKLOG: usize = 1024;

/// Who may receive an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    /// One member.
    User(i64),
    /// The owner and admins.
    Admins,
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
    pub fn includes(self, user_id: i64, role: Role) -> bool {
        match self {
            Self::Everyone => true,
            Self::User(id) => id == user_id,
            Self::Admins => role.is_admin(),
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
}

#[derive(Debug, Clone)]
pub struct Event {
    pub audience: Audience,
    pub kind: Kind,
    /// The assets concerned (library events).
    pub ids: Vec<i64>,
}

impl Event {
    #[must_use]
    pub fn jobs() -> Self {
        Self {
            audience: Audience::Admins,
            kind: Kind::Jobs,
            ids: Vec::new(),
        }
    }
}

/// The bus: cheap to publish to with nobody listening.
pub struct Bus {
    sender: broadcast::Sender<Arc<Event>>,
    closing: watch::Sender<bool>,
}

impl Default for Bus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            closing: watch::channel(false).0,
        }
    }
}

impl Bus {
    pub fn publish(&self, event: Event) {
        // An error only means that no tab is listening.
        let _ = self.sender.send(Arc::new(event));
    }

    #[must_use]
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<Event>>, watch::Receiver<bool>) {
        (self.sender.subscribe(), self.closing.subscribe())
    }

    /// Ends every stream (the server is stopping: open streams would hold
    /// the graceful shutdown for its whole grace period).
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }
}
