//! The query language, read into a `Parsed` query and compiled into a
//! Tantivy query. Free words match captions, places, tags, file names,
//! cameras and lenses — with typos forgiven (one edit from 4 letters, two
//! from 8) and the word being typed taken as a prefix — and filters read
//! naturally:
//!
//! `2019`, `date:2019-07`, `date:2019-06..2019-08`, `before:2020`,
//! `after:2018-05-01`, `place:lisbon`, `camera:pixel`, `lens:50mm`,
//! `tag:beach`, `type:video|photo|live`, `is:favorite`, `is:archived`, `has:gps`,
//! `album:"summer"`, `by:alice`, `"quoted phrases"`, and `-` before a word
//! or a filter to exclude it.

use chrono::NaiveDate;

use crate::error::AppError;

/// Filter names, as the help and the errors list them.
pub const FILTERS: [&str; 13] = [
    "date", "before", "after", "place", "camera", "lens", "folder", "tag", "type", "is", "has",
    "album", "by",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub words: Vec<Word>,
    pub filters: Vec<Filter>,
}

impl Parsed {
    /// Whether any word (not an exclusion) is searched: results are then
    /// ranked by relevance, otherwise by date.
    #[must_use]
    pub fn has_text(&self) -> bool {
        self.words.iter().any(|w| !w.negated)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// Written in quotes: the words in this order, no typos forgiven.
    pub phrase: bool,
    pub negated: bool,
    /// The last word with nothing after it: still being typed.
    pub typing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub what: What,
    pub negated: bool,
    /// Where it starts in the query (characters), for errors found later.
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// Local capture time in `[from, to)`, seconds of wall-clock time read
    /// as UTC; `None`: open.
    Date {
        from: Option<i64>,
        to: Option<i64>,
    },
    Place(String),
    Camera(String),
    Lens(String),
    /// A folder (or the import folder) a file is in.
    Folder(String),
    Tag(String),
    /// `photo`, `video`, `live` (a photo includes Live Photos).
    Kind(Vec<String>),
    Favourite,
    Archived,
    Gps,
    Album(String),
    By(String),
}

fn invalid(message: impl Into<String>, position: usize) -> AppError {
    AppError::InvalidQuery {
        message: message.into(),
        position,
    }
}

/// The longest query read.
pub const MAX_QUERY: usize = 500;
/// Words (each searched in six fields, typos forgiven) per query.
const MAX_WORDS: usize = 16;

/// Reads a query.
pub fn parse(query: &str) -> Result<Parsed, AppError> {
    if query.chars().nth(MAX_QUERY).is_some() {
        return Err(invalid(
            format!("A search can be at most {MAX_QUERY} characters."),
            MAX_QUERY,
        ));
    }
    let chars: Vec<char> = query.chars().collect();
    let mut parsed = Parsed {
        words: Vec::new(),
        filters: Vec::new(),
    };
    let mut at = 0;
    while at < chars.len() {
        if chars[at].is_whitespace() {
            at += 1;
            continue;
        }
        let start = at;
        let negated = chars[at] == '-' && chars.get(at + 1).is_some_and(|c| !c.is_whitespace());
        if negated {
            at += 1;
        }
        if chars[at] == '"' {
            let (text, end) = quoted(&chars, at)?;
            at = end;
            parsed.words.push(Word {
                text,
                phrase: true,
                negated,
                typing: false,
            });
            continue;
        }
        let token_start = at;
        while at < chars.len() && !chars[at].is_whitespace() && chars[at] != '"' {
            at += 1;
        }
        let token: String = chars[token_start..at].iter().collect();
        if let Some((key, value)) = token.split_once(':')
            && !key.is_empty()
            && key.chars().all(char::is_alphabetic)
        {
            let key = key.to_lowercase();
            if !FILTERS.contains(&key.as_str()) {
                return Err(invalid(
                    format!(
                        "There is no filter “{key}:”. Filters are {}.",
                        FILTERS.map(|f| format!("{f}:")).join(", ")
                    ),
                    token_start,
                ));
            }
            let value_at = token_start + key.chars().count() + 1;
            let value = if value.is_empty() && chars.get(at) == Some(&'"') {
                let (text, end) = quoted(&chars, at)?;
                at = end;
                text
            } else {
                value.to_owned()
            };
            if value.trim().is_empty() {
                return Err(invalid(
                    format!("Say what to look for after “{key}:”."),
                    value_at,
                ));
            }
            parsed.filters.push(Filter {
                what: filter(&key, &value, value_at)?,
                negated,
                position: start,
            });
            continue;
        }
        if let Some(year) = year_of(&token) {
            parsed.filters.push(Filter {
                what: year,
                negated,
                position: start,
            });
            continue;
        }
        if parsed.words.len() >= MAX_WORDS {
            return Err(invalid(
                format!("A search can have at most {MAX_WORDS} words."),
                start,
            ));
        }
        parsed.words.push(Word {
            text: token,
            phrase: false,
            negated,
            // An excluded word is meant whole.
            typing: !negated && at == chars.len(),
        });
    }
    Ok(parsed)
}

/// A quoted text starting at `at` (the opening quote): its text and the
/// position after the closing quote.
fn quoted(chars: &[char], at: usize) -> Result<(String, usize), AppError> {
    let close = chars[at + 1..]
        .iter()
        .position(|&c| c == '"')
        .ok_or_else(|| invalid("This quote is never closed.", at))?;
    let text: String = chars[at + 1..at + 1 + close].iter().collect();
    Ok((text, at + close + 2))
}

/// A bare year (1800–2199) is a date filter: "beach 2019".
fn year_of(token: &str) -> Option<What> {
    if token.len() != 4 || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = token.parse().ok()?;
    (1800..2200).contains(&year).then(|| {
        let (from, to) = span(&Day::Year(year))?;
        Some(What::Date {
            from: Some(from),
            to: Some(to),
        })
    })?
}

fn filter(key: &str, value: &str, at: usize) -> Result<What, AppError> {
    let lower = value.to_lowercase();
    Ok(match key {
        "date" => {
            let (from, to) = match value.split_once("..") {
                Some((a, b)) => {
                    let b_at = at + a.chars().count() + 2;
                    (
                        (!a.is_empty()).then(|| start_of(a, at)).transpose()?,
                        (!b.is_empty()).then(|| end_of(b, b_at)).transpose()?,
                    )
                }
                None => (Some(start_of(value, at)?), Some(end_of(value, at)?)),
            };
            if from.is_none() && to.is_none() {
                return Err(invalid("Give at least one date around “..”.", at));
            }
            What::Date { from, to }
        }
        "before" => What::Date {
            from: None,
            to: Some(start_of(value, at)?),
        },
        "after" => What::Date {
            from: Some(start_of(value, at)?),
            to: None,
        },
        "place" => What::Place(value.to_owned()),
        "camera" => What::Camera(value.to_owned()),
        "lens" => What::Lens(value.to_owned()),
        "folder" => What::Folder(value.to_owned()),
        "tag" => What::Tag(value.to_owned()),
        "album" => What::Album(value.to_owned()),
        "by" => What::By(value.to_owned()),
        "type" => {
            let mut kinds = Vec::new();
            let mut offset = at;
            for part in lower.split(['|', ',']) {
                match part {
                    "photo" | "photos" => kinds.extend(["photo", "live"]),
                    "video" | "videos" => kinds.push("video"),
                    "live" => kinds.push("live"),
                    _ => {
                        return Err(invalid(
                            format!("“{part}” is not a type: use photo, video or live."),
                            offset,
                        ));
                    }
                }
                offset += part.chars().count() + 1;
            }
            kinds.sort_unstable();
            kinds.dedup();
            What::Kind(kinds.into_iter().map(str::to_owned).collect())
        }
        "is" => match lower.as_str() {
            "favorite" | "favourite" | "fav" | "starred" => What::Favourite,
            "archived" | "archive" => What::Archived,
            _ => return Err(invalid("Use “is:favorite” or “is:archived”.", at)),
        },
        "has" => match lower.as_str() {
            "gps" | "location" | "place" => What::Gps,
            _ => return Err(invalid("Use “has:gps”.", at)),
        },
        _ => return Err(invalid(format!("There is no filter “{key}:”."), at)),
    })
}

/// A year, a month or a day.
enum Day {
    Year(i32),
    Month(i32, u32),
    Date(NaiveDate),
}

fn day(text: &str, at: usize) -> Result<Day, AppError> {
    let bad = || {
        invalid(
            format!("“{text}” is not a date: write 2019, 2019-07 or 2019-07-04."),
            at,
        )
    };
    let parts: Vec<&str> = text.split('-').collect();
    let number = |part: &str, digits: usize| {
        (part.len() == digits && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let year = parts
        .first()
        .and_then(|p| number(p, 4))
        .and_then(|y| i32::try_from(y).ok())
        .ok_or_else(bad)?;
    match parts.as_slice() {
        [_] => Ok(Day::Year(year)),
        [_, month] => {
            let month = number(month, 2)
                .filter(|m| (1..=12).contains(m))
                .ok_or_else(bad)?;
            Ok(Day::Month(year, month))
        }
        [_, month, date] => {
            let month = number(month, 2).ok_or_else(bad)?;
            let date = number(date, 2).ok_or_else(bad)?;
            NaiveDate::from_ymd_opt(year, month, date)
                .map(Day::Date)
                .ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// First and after-last second of a day, month or year.
fn span(day: &Day) -> Option<(i64, i64)> {
    let (first, next) = match *day {
        Day::Year(year) => (
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
        ),
        Day::Month(year, month) => {
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            let next = if month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)?
            };
            (first, next)
        }
        Day::Date(date) => (date, date.succ_opt()?),
    };
    let seconds = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
    Some((seconds(first)?, seconds(next)?))
}

fn start_of(text: &str, at: usize) -> Result<i64, AppError> {
    span(&day(text, at)?)
        .map(|(from, _)| from)
        .ok_or_else(|| invalid("That date is out of range.", at))
}

fn end_of(text: &str, at: usize) -> Result<i64, AppError> {
    span(&day(text, at)?)
        .map(|(_, to)| to)
        .ok_or_else(|| invalid("That date is out of range.", at))
}
