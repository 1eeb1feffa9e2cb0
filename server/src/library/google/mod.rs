//! Google Photos takeouts (`takeout-*.zip`, or the unpacked `Takeout/`
//! folder): each photo and video with what its JSON sidecar says, matched
//! the way Google names sidecars (`sidecar`), read with the file's own
//! metadata winning (`meta`).
//!
//! `hearth import` reads them (`import`); Settings → Library does not yet.

pub mod import;
pub mod meta;
pub mod sidecar;
