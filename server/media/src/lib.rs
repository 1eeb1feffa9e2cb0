//! Hearth's media code, in its own crate so debug builds can compile it at
//! opt-level 3 (generic image code runs at the opt-level of the crate that
//! instantiates it).

pub mod colour;
pub mod cr3;
pub mod derive;
pub mod exif_blob;
mod exif_fields;
pub mod heif;
pub mod iptc;
pub mod metadata;
pub mod motion;
pub mod raw;
pub mod size;
pub mod sniff;
mod tiff;
pub mod video;
pub mod xmp;
mod ycbcr;
