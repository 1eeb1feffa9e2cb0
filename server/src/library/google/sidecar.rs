//! Which JSON sidecar of a Google Photos takeout belongs to which photo.
//! Google names the sidecar after the photo, then clips the name: the
//! whole file name is at most 51 characters, `.json` is never clipped, a
//! copy's number `(n)` is never clipped but moves to just before `.json`.
//! Since 2024 the name carries `.supplemental-metadata`, clipped like the
//! rest (`.supplemental-metad`, `.supp`, `.s`). An edited copy
//! (`-edited`, or the words of the account's language) shares its
//! original's sidecar. Going from the photo's name to its sidecar's is
//! deterministic, so that is the direction taken; what still finds nothing
//! is matched by the `title` inside the sidecars of the same folder.

/// The longest sidecar name before `.json` and a copy's number.
const STEM: usize = 46;
/// What Google calls a copy of an edited photo, in the languages seen.
const EDITED: [&str; 12] = [
    "-edited",
    "-bearbeitet",
    "-modifié",
    "-modificato",
    "-editado",
    "-ha editado",
    "-bewerkt",
    "-redigerad",
    "-muokattu",
    "-edytowane",
    "-editat",
    "-編集済み",
];

/// A photo's file name, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The name Google started from: without a copy's number, without
    /// `-edited` (`IMG_1234.JPG` for `IMG_1234-edited(1).JPG`).
    pub original: String,
    /// A copy's number: `IMG_1234(1).JPG` is copy 1 of `IMG_1234.JPG`.
    pub copy: Option<u32>,
    /// An edited copy of the original.
    pub edited: bool,
}

fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot..]),
        _ => (name, ""),
    }
}

/// `stem(3)` → (`stem`, 3).
fn copy_number(stem: &str) -> Option<(&str, u32)> {
    let inner = stem.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let digits = &inner[open + 1..];
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((&inner[..open], digits.parse().ok()?))
}

#[must_use]
pub fn named(file: &str) -> Named {
    let (stem, extension) = split_extension(file);
    let (stem, copy) = copy_number(stem).map_or((stem, None), |(stem, n)| (stem, Some(n)));
    let edited = EDITED.iter().find_map(|suffix| {
        let at = stem.len().checked_sub(suffix.len())?;
        (stem.is_char_boundary(at) && stem[at..].to_lowercase() == *suffix).then(|| &stem[..at])
    });
    Named {
        original: format!("{}{extension}", edited.unwrap_or(stem)),
        copy,
        edited: edited.is_some(),
    }
}

/// The start of `text` that fits in `n` UTF-16 units (how Google counts).
fn clip(text: &str, n: usize) -> &str {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > n {
            return &text[..at];
        }
    }
    text
}

/// The sidecar names Google may have given this photo, most likely first.
#[must_use]
pub fn candidates(file: &str) -> Vec<String> {
    let photo = named(file);
    let number = photo.copy.map(|n| format!("({n})")).unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    let mut add = |original: &str, number: &str| {
        let (stem, _) = split_extension(original);
        for name in [
            // Since 2024 (and unclipped, in some newer exports).
            format!(
                "{}{number}.json",
                clip(&format!("{original}.supplemental-metadata"), STEM)
            ),
            format!("{original}.supplemental-metadata{number}.json"),
            // Before.
            format!("{}{number}.json", clip(original, STEM)),
            // Before that, for some: without the photo's extension.
            format!("{}{number}.json", clip(stem, STEM)),
        ] {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    };
    add(&photo.original, &number);
    // The name as it is, when its `(1)` or `-edited` was the photo's own
    // (a browser's "photo (1).jpg").
    if photo.copy.is_some() || photo.edited {
        add(file, "");
    }
    names
}

/// Whether a JSON file of a takeout is a photo's sidecar (not an album's
/// `metadata.json` or one of the account's own files).
#[must_use]
pub fn is_sidecar(file: &str) -> bool {
    let lower = file.to_lowercase();
    std::path::Path::new(&lower)
        .extension()
        .is_some_and(|extension| extension == "json")
        && !matches!(
            lower.as_str(),
            "metadata.json"
                | "metadaten.json"
                | "métadonnées.json"
                | "metadatos.json"
                | "metadati.json"
                | "print-subscriptions.json"
                | "shared_album_comments.json"
                | "user-generated-memory-titles.json"
        )
}

/// Picks the sidecar of each photo in one folder: `photos` and `jsons`
/// are file names; returns, for each photo, the index of its sidecar in
/// `jsons`. `title_of` reads a sidecar's `title` (only for photos no name
/// matched).
pub fn pair<'a>(
    photos: &'a [String],
    jsons: &[String],
    mut title_of: impl FnMut(usize) -> Option<String>,
) -> Vec<(&'a str, Option<usize>)> {
    use std::collections::HashMap;
    let by_name: HashMap<&str, usize> = jsons
        .iter()
        .enumerate()
        .filter(|(_, name)| is_sidecar(name))
        .map(|(n, name)| (name.as_str(), n))
        .collect();
    let mut titles: Option<HashMap<String, Vec<usize>>> = None;
    photos
        .iter()
        .map(|photo| {
            let found = candidates(photo)
                .iter()
                .find_map(|name| by_name.get(name.as_str()).copied())
                .or_else(|| {
                    // By the name inside: only when exactly one says it.
                    let titles = titles.get_or_insert_with(|| {
                        let mut map: HashMap<String, Vec<usize>> = HashMap::new();
                        for &n in by_name.values() {
                            if let Some(title) = title_of(n) {
                                map.entry(title).or_default().push(n);
                            }
                        }
                        map
                    });
                    let original = named(photo).original;
                    [original.as_str(), photo.as_str()]
                        .into_iter()
                        .find_map(|title| match titles.get(title).map(Vec::as_slice) {
                            Some([only]) => Some(*only),
                            _ => None,
                        })
                });
            (photo.as_str(), found)
        })
        .collect()
}
