//! Accounts: the household's members and how they sign in (passkeys first,
//! passwords with optional TOTP as the fallback), sessions and devices,
//! invites, recovery links, roles, API tokens and the audit log.

pub mod api;
pub mod audit;
pub mod device;
pub mod links;
pub mod passwords;
pub mod principal;
pub mod secret;
pub mod service;
pub mod sessions;
pub mod tokens;
pub mod users;
