//! Configuration layers and refusals, through `hearth config show` and
//! `hearth serve` as an owner would run them.

use std::path::Path;

use crate::harness::{hearth_command, run};

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("hearth.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The line of `config show` that sets `key`.
fn line_of<'a>(show: &'a str, key: &str) -> &'a str {
    show.lines()
        .find(|line| line.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no `{key}` in:\n{show}"))
}

#[test]
fn file_then_env_then_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_config(
        dir.path(),
        "listen = \"127.0.0.1:1111\"\ndata_dir = \"/srv/from-file\"\n\n[log]\nlevel = \"debug\"\n",
    );
    let shown = |command: &mut std::process::Command| {
        let out = run(command);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        out.stdout
    };

    // The file alone beats the defaults.
    let show = shown(hearth_command(dir.path()).args(["config", "show"]));
    assert_eq!(
        line_of(&show, "listen"),
        format!("listen = \"127.0.0.1:1111\"  # file {}", file.display())
    );
    assert!(line_of(&show, "format").ends_with("# default"), "{show}");
    assert!(line_of(&show, "level").contains("\"debug\""), "{show}");

    // The environment beats the file.
    let show = shown(
        hearth_command(dir.path())
            .args(["config", "show"])
            .env("HEARTH_LISTEN", "127.0.0.1:2222")
            .env("HEARTH_LOG__LEVEL", "warn"),
    );
    assert_eq!(
        line_of(&show, "listen"),
        "listen = \"127.0.0.1:2222\"  # environment variable HEARTH_LISTEN"
    );
    assert_eq!(
        line_of(&show, "level"),
        "level = \"warn\"  # environment variable HEARTH_LOG__LEVEL"
    );
    assert!(
        line_of(&show, "data_dir").contains("/srv/from-file"),
        "{show}"
    );

    // Flags beat the environment.
    let show = shown(
        hearth_command(dir.path())
            .args([
                "config",
                "show",
                "--listen",
                "127.0.0.1:3333",
                "--data",
                "/srv/from-flag",
            ])
            .env("HEARTH_LISTEN", "127.0.0.1:2222")
            .env("HEARTH_DATA_DIR", "/srv/from-env"),
    );
    assert_eq!(
        line_of(&show, "listen"),
        "listen = \"127.0.0.1:3333\"  # flag --listen"
    );
    assert_eq!(
        line_of(&show, "data_dir"),
        "data_dir = \"/srv/from-flag\"  # flag --data"
    );
    // Unset public_url is derived from the port.
    assert!(
        show.contains("# public_url is not set: http://localhost:3333/ is used"),
        "{show}"
    );
}

#[test]
fn config_file_named_by_flag_or_env() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere.toml");
    std::fs::write(&elsewhere, "public_url = \"https://photos.example.org\"\n").unwrap();
    for command in [
        hearth_command(dir.path())
            .args(["config", "show", "--config"])
            .arg(&elsewhere),
        hearth_command(dir.path())
            .args(["config", "show"])
            .env("HEARTH_CONFIG", &elsewhere),
    ] {
        let out = run(command);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_eq!(
            line_of(&out.stdout, "public_url"),
            format!(
                "public_url = \"https://photos.example.org/\"  # file {}",
                elsewhere.display()
            )
        );
    }

    let out = run(hearth_command(dir.path()).args(["config", "show", "--config", "missing.toml"]));
    assert_eq!(out.code, Some(2));
    assert_eq!(
        out.stderr.trim(),
        "hearth: the config file missing.toml does not exist"
    );
}

#[test]
fn unknown_keys_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_config(dir.path(), "[log]\ncolour = \"red\"\n");
    for args in [
        vec!["config", "show"],
        vec!["serve", "--listen", "127.0.0.1:0"],
    ] {
        let out = run(hearth_command(dir.path()).args(&args));
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert_eq!(
            out.stderr.trim(),
            format!(
                "hearth: unknown key `log.colour` (file {}); the known keys under `log` are: format, level",
                file.display()
            )
        );
    }

    let file = write_config(dir.path(), "datadir = \"/srv\"\n");
    let out = run(hearth_command(dir.path()).args(["config", "show"]));
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .contains(&format!("unknown key `datadir` (file {})", file.display()))
            && out.stderr.contains("data_dir"),
        "{}",
        out.stderr
    );

    // A mistyped environment variable is named too.
    std::fs::remove_file(&file).unwrap();
    let out = run(hearth_command(dir.path())
        .args(["config", "show"])
        .env("HEARTH_DATADIR", "/srv"));
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .contains("unknown key `datadir` (environment variable HEARTH_DATADIR)"),
        "{}",
        out.stderr
    );
}

#[test]
fn invalid_values_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("listen = \"everywhere\"\n", "invalid value for `listen`"),
        (
            "[log]\nformat = \"xml\"\n",
            "invalid value for `log.format`",
        ),
        (
            "[log]\nlevel = \"hearth=loudest\"\n",
            "invalid value for `log.level`",
        ),
        (
            "public_url = \"ftp://photos.example\"\n",
            "it must be an http:// or https:// address",
        ),
        ("public_url = \"https://example.org/photos\"\n", "no path"),
        (
            "public_url = \"not a url\"\n",
            "invalid value for `public_url`",
        ),
        ("data_dir = \"\"\n", "invalid value for `data_dir`"),
        ("listen = [1, 2\n", "cannot read the config file"),
    ];
    for (text, expected) in cases {
        let file = write_config(dir.path(), text);
        let out = run(hearth_command(dir.path()).args(["config", "show"]));
        assert_eq!(out.code, Some(2), "{text}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{text}: {}", out.stderr);
        assert!(
            out.stderr.contains(&file.display().to_string()),
            "names the file: {}",
            out.stderr
        );
        assert_eq!(
            out.stderr.trim().lines().count(),
            1,
            "one sentence: {}",
            out.stderr
        );
    }
}

#[test]
fn the_example_config_shows_every_default() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../hearth.example.toml");
    let loaded = hearth::config::Loaded::load(&hearth::config::Overrides {
        config_file: Some(example),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(loaded.config, hearth::config::Config::default());
}

#[test]
fn the_metrics_token_is_checked_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let token = "a-long-enough-scrape-token-4812";
    let show = run(hearth_command(dir.path())
        .args(["config", "show"])
        .env("HEARTH_METRICS__TOKEN", token));
    assert_eq!(show.code, Some(0), "{}", show.stderr);
    assert_eq!(
        line_of(&show.stdout, "token"),
        "token = \"(set, not shown)\"  # environment variable HEARTH_METRICS__TOKEN"
    );
    assert!(!show.stdout.contains(token));

    // A guessable token would make the metrics public in all but name.
    let short = run(hearth_command(dir.path())
        .args(["config", "show"])
        .env("HEARTH_METRICS__TOKEN", "secret"));
    assert_eq!(short.code, Some(2));
    assert!(
        short.stderr.contains("invalid value for `metrics.token`")
            && short.stderr.contains("at least 24"),
        "{}",
        short.stderr
    );
    let keep = run(hearth_command(dir.path())
        .args(["config", "show"])
        .env("HEARTH_BACKUP__KEEP", "0"));
    assert_eq!(keep.code, Some(2));
    assert!(keep.stderr.contains("`backup.keep`"), "{}", keep.stderr);
}

#[test]
fn config_show_prints_values_that_load_back() {
    let dir = tempfile::tempdir().unwrap();
    let show = run(hearth_command(dir.path())
        .args(["config", "show"])
        .env("HEARTH_RETENTION__TRASH_DAYS", "12"));
    assert_eq!(show.code, Some(0), "{}", show.stderr);
    for type_name in ["unsigned int", "sequence", "dict", "`"] {
        assert!(
            !show.stdout.contains(type_name),
            "{type_name}: {}",
            show.stdout
        );
    }
    assert_eq!(
        line_of(&show.stdout, "trash_days"),
        "trash_days = 12  # environment variable HEARTH_RETENTION__TRASH_DAYS"
    );
    // What it prints is a configuration file that gives the same values.
    let file = write_config(dir.path(), &show.stdout);
    let loaded = hearth::config::Loaded::load(&hearth::config::Overrides {
        config_file: Some(file),
        ..Default::default()
    })
    .unwrap();
    let expected = hearth::config::Config {
        retention: hearth::config::RetentionConfig {
            trash_days: 12,
            ..hearth::config::Config::default().retention
        },
        ..hearth::config::Config::default()
    };
    assert_eq!(loaded.config, expected);
}
