//! Configuration, layered: built-in defaults, then `hearth.toml`, then
//! `HEARTH_*` environment variables, then command-line flags. Unknown keys are
//! refused by name, so a typo never silently falls back to a default.

use std::fmt::{self, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::{Dict, Value};
use figment::{Figment, Profile, Provider};
use serde::{Deserialize, Serialize};
use url::Url;

/// Prefix of the environment variables Hearth reads; nesting uses `__`
/// (`HEARTH_LOG__LEVEL` sets `log.level`).
pub const ENV_PREFIX: &str = "HEARTH_";
/// The config file read from the working directory when none is named.
pub const DEFAULT_FILE: &str = "hearth.toml";
/// The shortest `metrics.token` accepted: a guessable token is a public
/// endpoint.
const MIN_METRICS_TOKEN: usize = 24;

/// The effective configuration of one Hearth process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port the web server listens on.
    pub listen: SocketAddr,
    /// The address family members type into their browser. Passkeys and
    /// cookies are bound to it. Unset: `http://localhost:<port>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<Url>,
    /// Where Hearth keeps its database, index, derived media and uploads.
    pub data_dir: PathBuf,
    pub log: LogConfig,
    pub auth: AuthConfig,
    pub library: LibraryConfig,
    pub retention: RetentionConfig,
    pub backup: BackupConfig,
    pub metrics: MetricsConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LibraryConfig {
    /// Import workers (hashing, metadata, thumbnails); 0: one per CPU core.
    pub workers: u16,
    /// Images with more pixels than this many millions are refused before
    /// they are decoded.
    pub max_megapixels: u32,
    /// Seconds one file may take to decode before it is recorded as failed.
    pub file_timeout_seconds: u32,
    /// Largest file a browser may upload, in MiB.
    pub upload_max_mib: u32,
    /// A file in an import folder is read once its size and modification
    /// time have not changed for this many seconds.
    pub settle_seconds: u32,
    /// Every import folder is compared with the library this often, in hours
    /// (besides on start), to catch changes that sent no event.
    pub rescan_hours: u32,
    /// The `ffmpeg` and `ffprobe` programs (names on the PATH or paths);
    /// empty: videos import with what their container says, without posters.
    pub ffmpeg: String,
    pub ffprobe: String,
    /// Import folders (watched, read-only to Hearth). More can be added by
    /// the owner or an admin in Settings.
    pub roots: Vec<RootConfig>,
}

impl Default for LibraryConfig {
    fn default() -> Self {
        Self {
            workers: 0,
            max_megapixels: 100,
            file_timeout_seconds: 120,
            upload_max_mib: 4096,
            settle_seconds: 5,
            rescan_hours: 24,
            ffmpeg: "ffmpeg".to_owned(),
            ffprobe: "ffprobe".to_owned(),
            roots: vec![RootConfig::default()],
        }
    }
}

impl LibraryConfig {
    /// The number of workers to run.
    #[must_use]
    pub fn worker_count(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            n => usize::from(n),
        }
    }
}

/// One import folder from `hearth.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RootConfig {
    /// The folder; relative paths start at the working directory.
    pub path: PathBuf,
    /// The member whose photos these are; unset: the household's owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Who sees new photos from this folder: `private` (their owner) or
    /// `family` (every member).
    pub visibility: Visibility,
    /// `events` (the OS reports changes) or `poll` (look every
    /// `poll_minutes`; for NFS and SMB mounts, where events do not arrive).
    pub watch: WatchMode,
    pub poll_minutes: u32,
    /// Globs of paths to skip, besides NAS and OS litter (`@eaDir`,
    /// `#recycle`, `.DS_Store`, hidden folders…).
    pub exclude: Vec<String>,
}

impl Default for RootConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("hearth-import"),
            owner: None,
            visibility: Visibility::Private,
            watch: WatchMode::Events,
            poll_minutes: 15,
            exclude: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Private,
    Family,
}

impl Visibility {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Family => "family",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchMode {
    Events,
    Poll,
}

impl WatchMode {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Poll => "poll",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// A session ends after this many days without use.
    pub session_idle_days: u16,
    /// A session ends this many days after sign-in, however much it is used.
    pub session_max_days: u16,
    /// A recovery link made in the app (by the owner or an admin) works
    /// only after this many hours, while the member and the owner can
    /// cancel it; `hearth recovery-link` on the server is immediate.
    pub recovery_delay_hours: u16,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_idle_days: 30,
            session_max_days: 365,
            recovery_delay_hours: 24,
        }
    }
}

/// How long deleted and temporary things are kept (promise 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Days a photo stays in the trash before it is purged.
    pub trash_days: u16,
    /// Days an account whose deletion was asked for can still be restored;
    /// 0: purged at the next sweep.
    pub account_grace_days: u16,
    /// Days the audit log (sign-ins, security changes) is kept.
    pub audit_days: u16,
    /// Days Hearth remembers what a member deleted (its content's hash,
    /// not the photo), so that their phone's backup app sending it again
    /// does not bring it back.
    pub kept_out_days: u16,
    /// Minutes between retention sweeps (they also run on start).
    pub sweep_minutes: u16,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            trash_days: 30,
            account_grace_days: 30,
            audit_days: 365,
            kept_out_days: 365,
            sweep_minutes: 5,
        }
    }
}

/// Automatic database backups in the data folder's `backups/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Hours between automatic database backups; 0: none.
    pub every_hours: u16,
    /// How many backups `backups/` keeps (the oldest go first).
    pub keep: u16,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            every_hours: 24,
            keep: 7,
        }
    }
}

/// `GET /metrics` (Prometheus text format).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// The bearer token a scraper sends; empty: `/metrics` is off (404).
    pub token: String,
}

/// The token never reaches a log line.
impl fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = if self.token.is_empty() { "" } else { "(set)" };
        f.debug_struct("MetricsConfig")
            .field("token", &token)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A level (`info`) or per-module directives (`info,hearth=debug`).
    pub level: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 2468)),
            public_url: None,
            data_dir: PathBuf::from("hearth-data"),
            log: LogConfig::default(),
            auth: AuthConfig::default(),
            library: LibraryConfig::default(),
            retention: RetentionConfig::default(),
            backup: BackupConfig::default(),
            metrics: MetricsConfig::default(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".to_owned(),
        }
    }
}

impl Config {
    /// The URL family members open: `public_url` if set, otherwise
    /// `http://localhost:<port>`.
    #[must_use]
    pub fn public_url(&self) -> Url {
        self.public_url.clone().unwrap_or_else(|| {
            let mut url = Url::parse("http://localhost/").unwrap_or_else(|_| unreachable!());
            // A port is always accepted on an http URL with a host.
            let _ = url.set_port(Some(self.listen.port()));
            url
        })
    }

    /// The address links handed out start with (invites, recovery and
    /// share links): `public_url` when it is set; otherwise the address the
    /// browser is using (`host`, its `Host` header), so an owner browsing at
    /// `http://192.168.1.10:2468` hands out links that work on the home
    /// network (`https` when a reverse proxy says the browser used it);
    /// `public_url()` when there is no usable host.
    #[must_use]
    pub fn link_base(&self, host: Option<&str>, https: bool) -> Url {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let scheme = if https { "https" } else { "http" };
        host.and_then(|host| Url::parse(&format!("{scheme}://{host}/")).ok())
            .filter(|url| {
                url.host_str().is_some()
                    && url.path() == "/"
                    && url.query().is_none()
                    && url.fragment().is_none()
                    && url.username().is_empty()
                    && url.password().is_none()
            })
            .unwrap_or_else(|| self.public_url())
    }

    fn validate(&self, layers: &Layers) -> Result<(), ConfigError> {
        let invalid = |key: &str, why: &str| {
            ConfigError::Invalid(format!(
                "invalid value for `{key}` ({}): {why}",
                layers.origin_of(key)
            ))
        };
        if let Some(url) = &self.public_url {
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(invalid(
                    "public_url",
                    "it must be an http:// or https:// address with a host name",
                ));
            }
            if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
                return Err(invalid(
                    "public_url",
                    "Hearth must be served at the root of its address (no path, query or fragment)",
                ));
            }
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid("data_dir", "it must not be empty"));
        }
        if self.auth.session_idle_days == 0 {
            return Err(invalid("auth.session_idle_days", "it must be at least 1"));
        }
        if self.auth.recovery_delay_hours > 720 {
            return Err(invalid(
                "auth.recovery_delay_hours",
                "it must be at most 720 (30 days)",
            ));
        }
        if self.auth.session_max_days < self.auth.session_idle_days {
            return Err(invalid(
                "auth.session_max_days",
                "it must be at least auth.session_idle_days",
            ));
        }
        if self.library.max_megapixels == 0 {
            return Err(invalid("library.max_megapixels", "it must be at least 1"));
        }
        if self.library.upload_max_mib == 0 {
            return Err(invalid("library.upload_max_mib", "it must be at least 1"));
        }
        if self.library.file_timeout_seconds == 0 {
            return Err(invalid(
                "library.file_timeout_seconds",
                "it must be at least 1",
            ));
        }
        for (key, value) in [
            ("retention.trash_days", self.retention.trash_days),
            ("retention.audit_days", self.retention.audit_days),
            ("retention.kept_out_days", self.retention.kept_out_days),
            ("retention.sweep_minutes", self.retention.sweep_minutes),
        ] {
            if value == 0 {
                return Err(invalid(key, "it must be at least 1"));
            }
        }
        for root in &self.library.roots {
            if root.path.as_os_str().is_empty() {
                return Err(invalid("library.roots", "a root's path must not be empty"));
            }
            if root.watch == WatchMode::Poll && root.poll_minutes == 0 {
                return Err(invalid("library.roots", "poll_minutes must be at least 1"));
            }
            if let Some(bad) = root.exclude.iter().find(|g| glob::Pattern::new(g).is_err()) {
                return Err(invalid(
                    "library.roots",
                    &format!("“{bad}” is not a valid glob"),
                ));
            }
        }
        if self.backup.keep == 0 {
            return Err(invalid("backup.keep", "it must be at least 1"));
        }
        let token = &self.metrics.token;
        if !token.is_empty()
            && (token.len() < MIN_METRICS_TOKEN || !token.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(invalid(
                "metrics.token",
                "it must be at least 24 visible ASCII characters (e.g. the output of `openssl rand -hex 16`), or empty to keep /metrics off",
            ));
        }
        if let Err(err) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return Err(invalid("log.level", &err.to_string()));
        }
        Ok(())
    }
}

/// What the command line says about configuration.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--config` (or `HEARTH_CONFIG`).
    pub config_file: Option<PathBuf>,
    /// `--data`.
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<SocketAddr>,
}

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(PathBuf),
    Env(String),
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::File(path) => write!(f, "file {}", path.display()),
            Self::Env(var) => write!(f, "environment variable {var}"),
            Self::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the config file {} does not exist", .0.display())]
    MissingFile(PathBuf),
    #[error("{0}")]
    Invalid(String),
}

/// A loaded configuration and the layers it was built from.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    layers: Layers,
}

/// The layers that are not defaults, highest priority last.
#[derive(Debug)]
struct Layers {
    file: Option<(PathBuf, Dict)>,
    env: Dict,
    flags: Dict,
}

#[derive(Serialize)]
struct FlagLayer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<&'a SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<&'a PathBuf>,
}

/// Keys whose values `hearth config show` does not print.
const SECRETS: [&str; 1] = ["metrics.token"];

const FLAGS: [(&str, &str); 2] = [("listen", "--listen"), ("data_dir", "--data")];

impl Loaded {
    /// Reads every layer and checks the result.
    pub fn load(overrides: &Overrides) -> Result<Self, ConfigError> {
        let file = match &overrides.config_file {
            Some(path) if !path.is_file() => return Err(ConfigError::MissingFile(path.clone())),
            Some(path) => Some(path.clone()),
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|path| path.is_file()),
        };
        let file = file.map(|path| std::path::absolute(&path).unwrap_or(path));
        let env = Env::prefixed(ENV_PREFIX).split("__").ignore(&["config"]);
        let flags = Serialized::defaults(FlagLayer {
            listen: overrides.listen.as_ref(),
            data_dir: overrides.data_dir.as_ref(),
        });

        let file_layer = match &file {
            Some(path) => {
                let toml = Toml::file_exact(path);
                let dict = default_dict(&toml).map_err(|err| {
                    ConfigError::Invalid(format!(
                        "cannot read the config file {}: {}",
                        path.display(),
                        one_line(&err.kind.to_string())
                    ))
                })?;
                Some((path.clone(), dict))
            }
            None => None,
        };
        let layers = Layers {
            file: file_layer,
            env: default_dict(&env).map_err(|err| ConfigError::Invalid(err.to_string()))?,
            flags: default_dict(&flags).map_err(|err| ConfigError::Invalid(err.to_string()))?,
        };

        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = &file {
            figment = figment.merge(Toml::file_exact(path));
        }
        let config: Config = figment
            .merge(env)
            .merge(flags)
            .extract()
            .map_err(|err| layers.describe(&err))?;
        config.validate(&layers)?;
        Ok(Self { config, layers })
    }

    /// The config file that was read, if any.
    #[must_use]
    pub fn file(&self) -> Option<&Path> {
        self.layers.file.as_ref().map(|(path, _)| path.as_path())
    }

    /// The effective configuration as TOML, each value followed by where it
    /// came from.
    #[must_use]
    pub fn show(&self) -> String {
        let Ok(Value::Dict(_, root)) = Value::serialize(&self.config) else {
            return String::new();
        };
        let mut out = String::from(
            "# Effective configuration: each value is followed by where it came from.\n",
        );
        let mut tables = Vec::new();
        for (key, value) in &root {
            match value {
                Value::Dict(_, table) => tables.push((key, table)),
                _ => self.show_value(&mut out, key, key, value),
            }
            if key == "listen" && self.config.public_url.is_none() {
                let _ = writeln!(
                    out,
                    "# public_url is not set: {} is used",
                    self.config.public_url()
                );
            }
        }
        for (name, table) in tables {
            let _ = write!(out, "\n[{name}]\n");
            for (key, value) in table {
                self.show_value(&mut out, &format!("{name}.{key}"), key, value);
            }
        }
        out
    }

    fn show_value(&self, out: &mut String, path: &str, key: &str, value: &Value) {
        let literal = match value {
            // A secret is never printed (this output gets pasted into forums).
            Value::String(_, text) if SECRETS.contains(&path) && !text.is_empty() => {
                "\"(set, not shown)\"".to_owned()
            }
            other => toml_literal(other),
        };
        let _ = writeln!(out, "{key} = {literal}  # {}", self.layers.origin_of(path));
    }
}

/// A value as TOML writes it: `30`, `true`, `"text"`, `[…]`, `{ key = … }`.
fn toml_literal(value: &Value) -> String {
    match value {
        Value::String(_, text) => serde_json::to_string(text).unwrap_or_default(),
        Value::Char(_, c) => serde_json::to_string(&c.to_string()).unwrap_or_default(),
        Value::Bool(_, yes) => yes.to_string(),
        Value::Num(_, num) => num
            .to_i128()
            .map(|n| n.to_string())
            .or_else(|| num.to_u128().map(|n| n.to_string()))
            .or_else(|| num.to_f64().map(|n| n.to_string()))
            .unwrap_or_default(),
        Value::Empty(..) => "\"\"".to_owned(),
        Value::Array(_, items) => format!(
            "[{}]",
            items
                .iter()
                .map(toml_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Dict(_, dict) => format!(
            "{{ {} }}",
            dict.iter()
                .map(|(key, value)| format!("{key} = {}", toml_literal(value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn default_dict(provider: &impl Provider) -> Result<Dict, Box<figment::Error>> {
    Ok(provider
        .data()
        .map_err(Box::new)?
        .remove(&Profile::Default)
        .unwrap_or_default())
}

fn lookup<'a>(dict: &'a Dict, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = dict.get(parts.next()?)?;
    for part in parts {
        value = value.as_dict()?.get(part)?;
    }
    Some(value)
}

impl Layers {
    /// The layer that supplied `key` (a dotted path), highest priority first.
    fn origin_of(&self, key: &str) -> Origin {
        if lookup(&self.flags, key).is_some() {
            let flag = FLAGS
                .iter()
                .find(|(name, _)| *name == key)
                .map_or("", |(_, flag)| flag);
            return Origin::Flag(flag);
        }
        if lookup(&self.env, key).is_some() {
            return Origin::Env(env_var(key));
        }
        match &self.file {
            Some((path, dict)) if lookup(dict, key).is_some() => Origin::File(path.clone()),
            _ => Origin::Default,
        }
    }

    /// One sentence for a figment extraction error, naming key and source.
    fn describe(&self, err: &figment::Error) -> ConfigError {
        use figment::error::Kind;
        let key = err.path.join(".");
        let message = match &err.kind {
            Kind::UnknownField(_, expected) => {
                let scope = match key.rsplit_once('.') {
                    Some((parent, _)) => format!(" under `{parent}`"),
                    None => String::new(),
                };
                format!(
                    "unknown key `{key}` ({}); the known keys{scope} are: {}",
                    self.origin_of(&key),
                    expected.join(", ")
                )
            }
            kind => format!(
                "invalid value for `{key}` ({}): {kind}",
                self.origin_of(&key)
            ),
        };
        ConfigError::Invalid(message)
    }
}

/// A TOML parser message (several lines with a source excerpt) as one line.
fn one_line(message: &str) -> String {
    let mut lines = message.lines().map(str::trim);
    let first = lines.next().unwrap_or_default().to_owned();
    let details: Vec<&str> = lines
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with('|')
                && !line.starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    if details.is_empty() {
        first
    } else {
        format!("{first}: {}", details.join(", "))
    }
}

fn env_var(key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        key.replace('.', "__").to_ascii_uppercase()
    )
}
