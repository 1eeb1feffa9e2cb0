//! What of an import folder is imported: every file but hidden ones (a
//! leading dot, anywhere in the path), the built-in NAS and OS litter and
//! the folder's own exclusion globs; a walk counts what it skipped.

use std::path::{Component, Path, PathBuf};

use super::ingest::Seen;
use crate::db::entities::import_root;

/// Names skipped everywhere: NAS and OS litter. Hidden files and folders
/// (a leading dot) are skipped too.
pub const BUILT_IN_EXCLUSIONS: [&str; 9] = [
    "@eaDir",
    "#recycle",
    "#snapshot",
    "Thumbs.db",
    "desktop.ini",
    "$RECYCLE.BIN",
    "lost+found",
    "System Volume Information",
    "*.xmp",
];

/// A root's exclusions: the built-in names plus its own globs, matched
/// against each path component and against the path relative to the root.
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    globs: Vec<glob::Pattern>,
}

impl Exclusions {
    #[must_use]
    pub fn new(extra: &[String]) -> Self {
        let globs = BUILT_IN_EXCLUSIONS
            .iter()
            .map(|name| (*name).to_owned())
            .chain(extra.iter().cloned())
            .filter_map(|g| glob::Pattern::new(&g).ok())
            .collect();
        Self { globs }
    }

    /// Whether `relative` (a path inside the root) is skipped.
    #[must_use]
    pub fn excludes(&self, relative: &Path) -> bool {
        self.skipped(relative).is_some()
    }

    /// Why `relative` is skipped, if it is: a hidden name (starting with a
    /// dot, anywhere in the path), or an exclusion.
    fn skipped(&self, relative: &Path) -> Option<Skipped> {
        let options = glob::MatchOptions {
            case_sensitive: false,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let names = relative.components().filter_map(|part| match part {
            Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        });
        let mut excluded = false;
        for name in names {
            if name.starts_with('.') {
                return Some(Skipped::Hidden);
            }
            excluded |= self.globs.iter().any(|g| g.matches_with(&name, options));
        }
        (excluded
            || self
                .globs
                .iter()
                .any(|g| g.matches_path_with(relative, options)))
        .then_some(Skipped::Excluded)
    }

    /// Every file under `dir` that is not excluded, with its size and
    /// mtime, sorted by path, and what was skipped; `None` if `dir` cannot
    /// be read.
    #[must_use]
    pub fn walk(&self, dir: &Path) -> Option<Walk> {
        self.walk_under(dir, dir)
    }

    /// The same for the folder `start` inside the root `base` (the
    /// exclusions apply to paths relative to `base`).
    #[must_use]
    pub fn walk_under(&self, base: &Path, start: &Path) -> Option<Walk> {
        std::fs::read_dir(start).ok()?;
        let mut walk = Walk::default();
        let mut pending = vec![start.to_path_buf()];
        while let Some(folder) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(relative) = path.strip_prefix(base) else {
                    continue;
                };
                match self.skipped(relative) {
                    Some(Skipped::Hidden) => {
                        walk.hidden += 1;
                        continue;
                    }
                    Some(Skipped::Excluded) => {
                        walk.excluded += 1;
                        continue;
                    }
                    None => {}
                }
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => pending.push(path),
                    Ok(kind) if kind.is_file() => {
                        if let Ok(info) = entry.metadata() {
                            walk.files.push((path, Seen::of(&info)));
                        }
                    }
                    _ => {}
                }
            }
        }
        walk.files.sort_by(|a, b| a.0.cmp(&b.0));
        Some(walk)
    }
}

/// Why a file or folder of an import folder is not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skipped {
    Hidden,
    Excluded,
}

/// What a walk of an import folder found.
#[derive(Debug, Default)]
pub struct Walk {
    /// The files to import, with their size and mtime, sorted by path.
    pub files: Vec<(PathBuf, Seen)>,
    /// Hidden files and folders skipped (names starting with a dot: a
    /// folder counts once, whatever it holds).
    pub hidden: u64,
    /// Files and folders skipped by the built-in and the folder's own
    /// exclusions (`@eaDir`, `Thumbs.db`…).
    pub excluded: u64,
}

/// The exclusions stored with a root.
#[must_use]
pub fn exclusions_of(root: &import_root::Model) -> Exclusions {
    let extra: Vec<String> = serde_json::from_str(&root.exclusions).unwrap_or_default();
    Exclusions::new(&extra)
}
