//! Google Photos takeouts (`takeout-*.zip`, or the unpacked `Takeout/`
//! folder): each photo and video with what its JSON sidecar says, matched
//! the way Google names sidecars (`sidecar`), read with the file's own
//! metadata winning (`meta`).
//!
//! `hearth import` reads them (`import`), and so does Settings → Library
//! for the owner (`api`).

pub mod api;
mod apply;
pub mod import;
pub mod meta;
pub mod sidecar;
