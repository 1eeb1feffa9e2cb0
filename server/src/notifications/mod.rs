//! In-app notifications: security alerts now, comments and shares later.

pub mod api;
pub mod service;
