//! The library: assets (one per distinct content) and where their files
//! live, and how files become assets.

pub mod cli;
pub mod ingest;
