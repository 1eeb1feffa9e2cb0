//! Hearth's integration tests: the one test binary. Each test boots the real
//! server (in-process on 127.0.0.1:0, or the real `hearth` binary) with a
//! temporary data folder and talks HTTP to it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that meets the unexpected should fail loudly"
)]
#![allow(
    clippy::too_many_lines,
    reason = "a test tells one story from start to end"
)]

mod authenticator;
mod fixtures;
mod harness;

mod accounts;
mod agreement;
mod albums;
mod authorization;
mod cli;
mod config;
mod crash;
mod events;
mod everyday;
mod formats;
mod google_sidecars;
mod google_takeout;
mod heif_planes;
mod household;
mod http_api;
mod jobs;
mod kept_out;
mod library;
mod link_addresses;
mod media;
mod metadata_sources;
mod motion_photos;
mod operations;
mod passkeys;
mod records;
mod retention;
mod roots;
mod search;
mod second_factor;
mod shutdown;
mod storage;
mod tiffs;
mod timeline;
mod trust;
mod video_facts;
mod web_ui;
mod webdav;
