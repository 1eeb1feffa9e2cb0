//! Accounts: the household's members and how they sign in (passkeys first,
//! passwords with optional TOTP as the fallback), sessions and devices,
//! invites, recovery links, roles, API tokens and the audit log.

pub mod account_api;
pub mod api;
pub mod audit;
pub mod ceremonies;
pub mod device;
pub mod household;
pub mod household_api;
pub mod links;
pub mod passkeys;
pub mod passwords;
pub mod principal;
pub mod proof;
pub mod ratelimit;
pub mod recovery;
pub mod secret;
pub mod service;
pub mod sessions;
pub mod tokens;
pub mod totp;
pub mod users;

/// What accounts keep in memory for the life of the process.
pub struct Runtime {
    pub relying_party: passkeys::RelyingParty,
    pub ceremonies: ceremonies::Ceremonies,
    pub limiter: ratelimit::RateLimiter,
}

impl Runtime {
    #[must_use]
    pub fn new(public_url: &url::Url) -> Self {
        Self {
            relying_party: passkeys::RelyingParty::new(public_url),
            ceremonies: ceremonies::Ceremonies::default(),
            limiter: ratelimit::RateLimiter::default(),
        }
    }
}
