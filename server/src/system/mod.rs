//! The server itself: health, version, and reports of errors seen in
//! browsers. Everything a monitor or the About page asks.

pub mod api;
pub mod metrics;
pub mod probe;
mod service;
