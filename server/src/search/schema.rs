//! The index's schema and the one place a photo becomes a document: add a
//! field by adding it to `Fields`, to `Indexed` (and its loader) and to
//! `document` — nothing else changes.

use std::collections::HashMap;

use chrono::{Datelike as _, NaiveDateTime};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tantivy::schema::{
    FAST, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
    TokenStream as _,
};
use tantivy::{Index, TantivyDocument};

use crate::db::entities::{album_asset, asset, asset_file, comment, import_root};
use crate::error::AppError;

/// The analyzer of every text field: words, lower-cased, accents folded
/// ("Zürich" finds "zurich").
pub const WORDS: &str = "hearth_words";
/// Fast-field normaliser of facet values.
const EXACT: &str = "raw";

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: tantivy::schema::Field,
    /// Local capture time (seconds, wall clock read as UTC): date filters.
    pub taken: tantivy::schema::Field,
    /// Date order and cursor: local capture time and id in one number.
    pub order: tantivy::schema::Field,
    pub year: tantivy::schema::Field,
    pub kind: tantivy::schema::Field,
    pub favourite: tantivy::schema::Field,
    pub archived: tantivy::schema::Field,
    pub gps: tantivy::schema::Field,
    pub owner: tantivy::schema::Field,
    /// Who may see it: `u:<owner id>`, `family`, `album:<id>`.
    pub access: tantivy::schema::Field,
    /// The albums it is shown in (`album:` filters).
    pub albums: tantivy::schema::Field,
    /// What was said of it in an album: the album's title and the
    /// comments on the photo there, as `<album id>/<word>`, so a word is
    /// only found by those who may see that album.
    pub said: tantivy::schema::Field,
    // Text, searched by words.
    pub name: tantivy::schema::Field,
    pub caption: tantivy::schema::Field,
    pub tags: tantivy::schema::Field,
    pub camera: tantivy::schema::Field,
    pub lens: tantivy::schema::Field,
    pub place: tantivy::schema::Field,
    /// The folders its files are in, inside an import folder (whose own
    /// name comes first): `folder:` filters.
    pub folder: tantivy::schema::Field,
    // Facets and suggestions: whole values.
    pub place_value: tantivy::schema::Field,
    pub camera_value: tantivy::schema::Field,
    pub tag_value: tantivy::schema::Field,
}

impl Fields {
    /// The text fields free text searches, with their weights.
    #[must_use]
    pub fn text(&self) -> [(tantivy::schema::Field, f32); 6] {
        [
            (self.caption, 3.0),
            (self.place, 2.0),
            (self.tags, 2.0),
            (self.name, 1.0),
            (self.camera, 1.0),
            (self.lens, 1.0),
        ]
    }
}

#[must_use]
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(WORDS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | FAST | STORED),
        taken: builder.add_i64_field("taken", INDEXED | FAST),
        order: builder.add_i64_field("order", INDEXED | FAST),
        year: builder.add_u64_field("year", INDEXED | FAST),
        kind: builder.add_text_field("kind", STRING | FAST),
        favourite: builder.add_u64_field("favourite", INDEXED),
        archived: builder.add_u64_field("archived", INDEXED),
        gps: builder.add_u64_field("gps", INDEXED),
        owner: builder.add_u64_field("owner", INDEXED | FAST),
        access: builder.add_text_field("access", STRING),
        albums: builder.add_u64_field("albums", INDEXED),
        said: builder.add_text_field("said", STRING),
        name: builder.add_text_field("name", words.clone()),
        caption: builder.add_text_field("caption", words.clone()),
        tags: builder.add_text_field("tags", words.clone()),
        camera: builder.add_text_field("camera", words.clone()),
        lens: builder.add_text_field("lens", words.clone()),
        folder: builder.add_text_field("folder", words.clone()),
        place: builder.add_text_field("place", words),
        place_value: builder.add_text_field("place_value", STRING | FAST),
        camera_value: builder.add_text_field("camera_value", STRING | FAST),
        tag_value: builder.add_text_field("tag_value", STRING | FAST),
    };
    (builder.build(), fields)
}

/// Registers Hearth's analyzers (they are not stored in the index: every
/// open needs them).
pub fn register(index: &Index) {
    index.tokenizers().register(WORDS, words());
    index.fast_field_tokenizer().register(
        EXACT,
        TextAnalyzer::builder(RawTokenizer::default()).build(),
    );
}

fn words() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Everything the index knows of one asset.
#[derive(Debug, Clone)]
pub struct Indexed {
    pub asset: asset::Model,
    /// File names of its originals.
    pub names: Vec<String>,
    /// Their folders in import folders: the import folder's name, then the
    /// folders below it.
    pub folders: Vec<String>,
    /// The albums showing it: their ids and what was said there (title,
    /// comments on this photo).
    pub albums: Vec<(i64, Vec<String>)>,
}

/// Albums showing each of `ids`, with their titles and the comments on
/// the photo there.
async fn albums_of(
    db: &DatabaseConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(i64, Vec<String>)>>, AppError> {
    use sea_orm::{QuerySelect, sea_query::Expr};
    let shown: Vec<(i64, i64, String)> = album_asset::Entity::find()
        .select_only()
        .column(album_asset::Column::AssetId)
        .column(album_asset::Column::AlbumId)
        .column_as(
            Expr::cust("(SELECT title FROM albums WHERE albums.id = album_assets.album_id)"),
            "title",
        )
        .filter(album_asset::Column::AssetId.is_in(ids.iter().copied()))
        .filter(album_asset::Column::State.ne("excluded"))
        .into_tuple()
        .all(db)
        .await?;
    let mut said: HashMap<(i64, i64), Vec<String>> = HashMap::new();
    for (asset_id, album_id, body) in comment::Entity::find()
        .select_only()
        .column(comment::Column::AssetId)
        .column(comment::Column::AlbumId)
        .column(comment::Column::Body)
        .filter(comment::Column::AssetId.is_in(ids.iter().copied()))
        .into_tuple::<(i64, i64, String)>()
        .all(db)
        .await?
    {
        said.entry((asset_id, album_id)).or_default().push(body);
    }
    let mut found: HashMap<i64, Vec<(i64, Vec<String>)>> = HashMap::new();
    for (asset_id, album_id, title) in shown {
        let mut texts = vec![title];
        texts.extend(said.remove(&(asset_id, album_id)).unwrap_or_default());
        found.entry(asset_id).or_default().push((album_id, texts));
    }
    Ok(found)
}

/// Loads the active assets among `ids`, with what their documents need.
pub async fn load(db: &DatabaseConnection, ids: &[i64]) -> Result<Vec<Indexed>, AppError> {
    let mut found = Vec::with_capacity(ids.len());
    // Each import folder by its own name (the last part of its path).
    let roots: HashMap<i64, String> = import_root::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|root| {
            let name = std::path::Path::new(&root.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (root.id, name)
        })
        .collect();
    for chunk in ids.chunks(5_000) {
        let assets = asset::Entity::find()
            .filter(asset::Column::Id.is_in(chunk.iter().copied()))
            .filter(asset::Column::Status.eq("active"))
            .all(db)
            .await?;
        let mut names: HashMap<i64, Vec<String>> = HashMap::new();
        let mut folders: HashMap<i64, Vec<String>> = HashMap::new();
        for file in asset_file::Entity::find()
            .filter(asset_file::Column::AssetId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            let name = file
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&file.path)
                .to_owned();
            let list = names.entry(file.asset_id).or_default();
            if !list.contains(&name) {
                list.push(name);
            }
            let below = file.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            let folder = match file.root_id {
                Some(id) => roots.get(&id).map(|root| format!("{root}/{below}")),
                // A phone's backup keeps the app's folders (`<member>/WebDAV/…`).
                None => below
                    .split_once('/')
                    .map(|(_, within)| within)
                    .filter(|within| within.starts_with(crate::dav::FOLDER))
                    .map(str::to_owned),
            };
            if let Some(folder) = folder {
                let list = folders.entry(file.asset_id).or_default();
                if !list.contains(&folder) {
                    list.push(folder);
                }
            }
        }
        let mut albums = albums_of(db, chunk).await?;
        found.extend(assets.into_iter().map(|asset| Indexed {
            names: names.remove(&asset.id).unwrap_or_default(),
            folders: folders.remove(&asset.id).unwrap_or_default(),
            albums: albums.remove(&asset.id).unwrap_or_default(),
            asset,
        }));
    }
    Ok(found)
}

/// Seconds of a local wall-clock time read as UTC.
#[must_use]
pub fn local_seconds(local: NaiveDateTime) -> i64 {
    local.and_utc().timestamp()
}

/// The date order of an asset: local capture second, then id.
#[must_use]
pub fn order_key(taken: i64, id: i64) -> i64 {
    // Seconds since 1900 fit 34 bits until 2443; ids take the low 28.
    const SINCE_1900: i64 = 2_208_988_800;
    // Clamped: a broken EXIF year 9999 must not wrap around.
    ((taken.saturating_add(SINCE_1900)).clamp(0, (1 << 34) - 1) << 28) | (id & 0x0FFF_FFFF)
}

/// The local capture time of an asset (the timeline's sort time when the
/// wall time is unknown).
#[must_use]
pub fn taken_local(asset: &asset::Model) -> NaiveDateTime {
    local_time(asset.taken_local.as_deref(), asset.sort_at)
}

/// The same from the two columns it is made of.
#[must_use]
pub fn local_time(
    taken_local: Option<&str>,
    sort_at: chrono::DateTime<chrono::Utc>,
) -> NaiveDateTime {
    taken_local
        .and_then(|text| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok())
        .unwrap_or_else(|| sort_at.naive_utc())
}

/// `IMG_20190704_beachDay.jpg` → `IMG 20190704 beach Day jpg`: separators
/// and camel case become word breaks.
#[must_use]
pub fn name_words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if previous.is_some_and(|p| {
                (p.is_lowercase() && c.is_uppercase())
                    || (p.is_alphabetic() && c.is_numeric())
                    || (p.is_numeric() && c.is_alphabetic())
            }) {
                out.push(' ');
            }
            out.push(c);
        } else {
            out.push(' ');
        }
        previous = Some(c);
    }
    out
}

/// The document of one asset.
#[must_use]
pub fn document(fields: &Fields, indexed: &Indexed) -> TantivyDocument {
    let asset = &indexed.asset;
    let mut doc = TantivyDocument::default();
    let id = u64::try_from(asset.id).unwrap_or_default();
    let local = taken_local(asset);
    let taken = local_seconds(local);
    doc.add_u64(fields.id, id);
    doc.add_i64(fields.taken, taken);
    doc.add_i64(fields.order, order_key(taken, asset.id));
    doc.add_u64(fields.year, u64::try_from(local.year()).unwrap_or_default());
    doc.add_text(fields.kind, &asset.kind);
    doc.add_u64(fields.favourite, u64::from(asset.favourite));
    doc.add_u64(fields.archived, u64::from(asset.archived));
    doc.add_u64(
        fields.gps,
        u64::from(asset.latitude.is_some() && asset.longitude.is_some()),
    );
    doc.add_u64(
        fields.owner,
        u64::try_from(asset.owner_id).unwrap_or_default(),
    );
    doc.add_text(fields.access, format!("u:{}", asset.owner_id));
    if asset.visibility == "family" {
        doc.add_text(fields.access, "family");
    }
    if !indexed.albums.is_empty() {
        let mut analyzer = words();
        for (album, texts) in &indexed.albums {
            doc.add_text(fields.access, format!("album:{album}"));
            doc.add_u64(fields.albums, u64::try_from(*album).unwrap_or_default());
            let mut seen = std::collections::HashSet::new();
            for text in texts {
                let mut stream = analyzer.token_stream(text);
                while stream.advance() {
                    let word = &stream.token().text;
                    if seen.insert(word.clone()) {
                        doc.add_text(fields.said, format!("{album}/{word}"));
                    }
                }
            }
        }
    }
    // Names, cameras and lenses also split into their parts:
    // "IMG_20190704_beachDay", "iPhone" → "i Phone", "EF50mm" → "EF 50 mm".
    for name in &indexed.names {
        doc.add_text(fields.name, name);
        doc.add_text(fields.name, name_words(name));
    }
    for folder in &indexed.folders {
        doc.add_text(fields.folder, name_words(folder));
    }
    for text in [&asset.title, &asset.caption].into_iter().flatten() {
        doc.add_text(fields.caption, text);
    }
    let keywords: Vec<String> = serde_json::from_str(&asset.keywords).unwrap_or_default();
    for keyword in &keywords {
        doc.add_text(fields.tags, keyword);
        doc.add_text(fields.tag_value, keyword);
    }
    let camera = camera_name(asset.make.as_deref(), asset.model.as_deref());
    if let Some(camera) = &camera {
        doc.add_text(fields.camera, camera);
        doc.add_text(fields.camera, name_words(camera));
        doc.add_text(fields.camera_value, camera);
    }
    if let Some(lens) = &asset.lens {
        doc.add_text(fields.lens, lens);
        doc.add_text(fields.lens, name_words(lens));
    }
    for place in [&asset.place_city, &asset.place_region, &asset.place_country]
        .into_iter()
        .flatten()
    {
        doc.add_text(fields.place, place);
        doc.add_text(fields.place_value, place);
    }
    if let Some(area) = &asset.place_area {
        doc.add_text(fields.place, area);
    }
    doc
}

/// "Apple" + "iPhone 15 Pro" → "Apple iPhone 15 Pro"; "Canon" + "Canon EOS
/// R6" → "Canon EOS R6" (models often repeat the make).
#[must_use]
pub fn camera_name(make: Option<&str>, model: Option<&str>) -> Option<String> {
    let make = make.map(str::trim).filter(|m| !m.is_empty());
    let model = model.map(str::trim).filter(|m| !m.is_empty());
    match (make, model) {
        (Some(make), Some(model)) => {
            let first = make.split_whitespace().next().unwrap_or(make);
            if model.to_lowercase().starts_with(&first.to_lowercase()) {
                Some(model.to_owned())
            } else {
                Some(format!("{make} {model}"))
            }
        }
        (None, Some(only)) | (Some(only), None) => Some(only.to_owned()),
        (None, None) => None,
    }
}
