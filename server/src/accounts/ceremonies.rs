//! Sign-in state that lives between two requests (a passkey challenge, a
//! password waiting for its TOTP code): kept on the server, short-lived and
//! single use, never trusted from the client.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};
use webauthn_rs::prelude::{DiscoverableAuthentication, PasskeyRegistration};

use super::secret::new_token;
use super::users::NewUser;

/// How long a started ceremony can be finished.
const LIFETIME: TimeDelta = TimeDelta::minutes(5);
/// More than this many open ceremonies is an attack, not a family.
const MAX_OPEN: usize = 10_000;

pub enum Ceremony {
    /// Adding a passkey to an account that exists.
    AddPasskey {
        user_id: i64,
        name: String,
        state: PasskeyRegistration,
    },
    /// A setup, invite or recovery link, finished with a passkey.
    LinkPasskey {
        token: String,
        new_user: Option<NewUser>,
        webauthn_id: uuid::Uuid,
        state: PasskeyRegistration,
    },
    /// Signing in with a discoverable passkey.
    SignIn { state: DiscoverableAuthentication },
    /// A correct password, waiting for the TOTP (or a recovery) code.
    SecondFactor { user_id: i64, attempts: u8 },
}

#[derive(Default)]
pub struct Ceremonies {
    open: Mutex<HashMap<String, (Ceremony, DateTime<Utc>)>>,
}

impl Ceremonies {
    /// Stores a ceremony; the returned id finishes it.
    pub fn start(&self, ceremony: Ceremony, now: DateTime<Utc>) -> String {
        let id = new_token();
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.retain(|_, (_, expires)| *expires > now);
        if open.len() >= MAX_OPEN {
            // Drop the oldest rather than refuse everyone.
            if let Some(oldest) = open
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(id, _)| id.clone())
            {
                open.remove(&oldest);
            }
        }
        open.insert(id.clone(), (ceremony, now + LIFETIME));
        id
    }

    /// Takes a ceremony out: it cannot be used twice.
    pub fn take(&self, id: &str, now: DateTime<Utc>) -> Option<(Ceremony, DateTime<Utc>)> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.remove(id).filter(|(_, expires)| *expires > now)
    }

    /// Puts a ceremony back under its id (a mistyped code may be retried),
    /// keeping its original expiry.
    pub fn put_back(&self, id: String, ceremony: Ceremony, expires: DateTime<Utc>) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.insert(id, (ceremony, expires));
    }
}
