//! Sign-in state that lives between two requests (a passkey challenge, a
//! password waiting for its TOTP code): kept on the server, short-lived and
//! single use, never trusted from the client.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};
use webauthn_rs::prelude::{DiscoverableAuthentication, PasskeyRegistration};

use super::secret::new_token;
use super::users::NewUser;
use crate::error::AppError;

/// How long a started ceremony can be finished.
const LIFETIME: TimeDelta = TimeDelta::minutes(5);
/// More than this many open ceremonies is an attack, not a family: new ones
/// are refused (never someone else's dropped) until some expire.
const MAX_OPEN: usize = 10_000;
/// Open ceremonies one address (an IPv6 /64) may hold: a household behind
/// one router signs in a few at a time, not hundreds.
const MAX_PER_ADDRESS: usize = 50;
/// ...and one network (an IPv4 /24, an IPv6 /48): filling the whole table
/// takes fifty networks, not one provider's block of addresses.
const MAX_PER_NETWORK: usize = 200;

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

struct Open {
    ceremony: Ceremony,
    expires: DateTime<Utc>,
    /// The keys it counts under: its address and its network.
    from: [String; 2],
}

#[derive(Default)]
struct Table {
    open: HashMap<String, Open>,
    /// Ids in the order they expire (every ceremony lives as long), so
    /// expired ones leave from the front: no scan of the whole table.
    queue: VecDeque<(DateTime<Utc>, String)>,
    /// Open ceremonies by address and by network.
    counts: HashMap<String, usize>,
}

impl Table {
    fn remove(&mut self, id: &str) -> Option<Open> {
        let open = self.open.remove(id)?;
        for key in &open.from {
            if let Some(count) = self.counts.get_mut(key) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    self.counts.remove(key);
                }
            }
        }
        Some(open)
    }

    fn count(&self, key: &str) -> usize {
        self.counts.get(key).copied().unwrap_or_default()
    }

    fn expire(&mut self, now: DateTime<Utc>) {
        while let Some((expires, id)) = self.queue.front().cloned() {
            if expires > now {
                break;
            }
            self.queue.pop_front();
            if self.open.get(&id).is_some_and(|open| open.expires <= now) {
                self.remove(&id);
            }
        }
    }

    fn insert(&mut self, id: String, open: Open) {
        for key in &open.from {
            *self.counts.entry(key.clone()).or_default() += 1;
        }
        self.queue.push_back((open.expires, id.clone()));
        self.open.insert(id, open);
    }
}

#[derive(Default)]
pub struct Ceremonies {
    table: Mutex<Table>,
}

/// The keys ceremonies and limits count a client under: its address (an
/// IPv6 address by its /64: one household's, or one attacker's, share) and
/// its network (an IPv4 /24, an IPv6 /48).
#[must_use]
pub fn address_keys(ip: Option<&str>) -> [String; 2] {
    use std::net::IpAddr;
    let parsed = ip
        .and_then(|ip| ip.parse::<IpAddr>().ok())
        .map(|ip| match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 @ IpAddr::V4(_) => v4,
        });
    match parsed {
        Some(IpAddr::V6(v6)) => {
            let [a, b, c, d, ..] = v6.segments();
            [
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64"),
                format!("net:{a:x}:{b:x}:{c:x}::/48"),
            ]
        }
        Some(IpAddr::V4(v4)) => {
            let [a, b, c, _] = v4.octets();
            [v4.to_string(), format!("net:{a}.{b}.{c}.0/24")]
        }
        None => ["unknown".to_owned(), "net:unknown".to_owned()],
    }
}

impl Ceremonies {
    /// Stores a ceremony started from `from` (see `address_keys`); the
    /// returned id finishes it. Refused while that address, its network or
    /// everyone together has too many open: nobody else's is dropped.
    pub fn start(
        &self,
        ceremony: Ceremony,
        from: &[String; 2],
        now: DateTime<Utc>,
    ) -> Result<String, AppError> {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.expire(now);
        let busy = table.count(&from[0]) >= MAX_PER_ADDRESS
            || table.count(&from[1]) >= MAX_PER_NETWORK
            || table.open.len() >= MAX_OPEN;
        if busy {
            // Until the oldest open one expires.
            let retry_after = table.queue.front().map_or(1, |(expires, _)| {
                u64::try_from((*expires - now).num_seconds()).unwrap_or(0) + 1
            });
            tracing::warn!(
                from = from[0],
                open = table.open.len(),
                "sign-in ceremonies refused"
            );
            return Err(AppError::RateLimited { retry_after });
        }
        let id = new_token();
        table.insert(
            id.clone(),
            Open {
                ceremony,
                expires: now + LIFETIME,
                from: from.clone(),
            },
        );
        Ok(id)
    }

    /// Takes a ceremony out: it cannot be used twice.
    pub fn take(&self, id: &str, now: DateTime<Utc>) -> Option<(Ceremony, DateTime<Utc>)> {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table
            .remove(id)
            .filter(|open| open.expires > now)
            .map(|open| (open.ceremony, open.expires))
    }

    /// Puts a ceremony back under its id (a mistyped code may be retried),
    /// keeping its original expiry.
    pub fn put_back(
        &self,
        id: String,
        ceremony: Ceremony,
        expires: DateTime<Utc>,
        from: &[String; 2],
    ) {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.insert(
            id,
            Open {
                ceremony,
                expires,
                from: from.clone(),
            },
        );
    }
}
