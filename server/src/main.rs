//! The `hearth` command: parse the command line, load the configuration,
//! then serve or run a maintenance command.
//!
//! Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use hearth::accounts::links::Kind;
use hearth::clock::{Clock, SystemClock};
use hearth::config::{Loaded, Overrides};

/// jemalloc gives memory back to the system within a second or two of
/// its being freed (glibc's arenas kept ~350 MiB after an import of the
/// shared corpus); its symbols replace malloc for the C libraries too.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const RUNTIME_FAILURE: u8 = 1;
const CONFIG_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "hearth",
    version,
    about = "Hearth: a self-hosted family photo server. One program, one data folder, no cloud.",
    long_about = None,
    after_help = "Start with `hearth serve`, then open the address it prints.\n\
                  Configuration: defaults < hearth.toml < HEARTH_* environment variables < flags.\n\
                  Every key is documented in hearth.example.toml."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run Hearth: the web app, the API and all background work.
    Serve {
        #[command(flatten)]
        sources: Sources,
        /// Address and port to listen on, e.g. 0.0.0.0:2468.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Bring the database up to date without starting the server.
    Migrate {
        #[command(flatten)]
        sources: Sources,
    },
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a new first-run setup link (valid 1 hour) while no owner exists.
    SetupLink {
        #[command(flatten)]
        sources: Sources,
    },
    /// Print a one-time recovery link (valid 24 hours) for a member who lost
    /// every way to sign in, the owner included.
    RecoveryLink {
        #[command(flatten)]
        sources: Sources,
        /// The member's username.
        username: String,
    },
    /// Import the photos in PATH (files or folders) once, without watching
    /// them; a Hearth takeout archive (.zip) brings back its albums too, and
    /// a Google Photos takeout (its zips, or the unpacked Takeout folder)
    /// its dates, places, captions and albums. Nothing in PATH is changed.
    Import {
        #[command(flatten)]
        sources: Sources,
        /// Files or folders (searched recursively); the parts of one Google
        /// takeout are given together.
        #[arg(required = true, num_args = 1..)]
        paths: Vec<PathBuf>,
        /// Whose photos they are (default: the owner).
        #[arg(long, value_name = "USERNAME")]
        owner: Option<String>,
        /// From a Google takeout, import the edited copies (`-edited`) too,
        /// as photos of their own (by default their originals are kept).
        #[arg(long)]
        with_edited: bool,
    },
    /// Rebuild the search index from the database (with a progress bar).
    /// Search keeps working meanwhile; while Hearth runs, it does the
    /// rebuild itself.
    Reindex {
        #[command(flatten)]
        sources: Sources,
    },
    /// Ask the running Hearth (at the configured listen address) whether it
    /// is healthy: exit 0 if so, 1 if not. For container health checks.
    Health {
        #[command(flatten)]
        sources: Sources,
        /// As for `hearth serve`.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Back up the database (consistently, while Hearth runs), the config
    /// file and, with --originals, the uploaded originals into DIR, a new or
    /// empty folder. The search index and thumbnails are rebuilt on restore.
    Backup {
        #[command(flatten)]
        sources: Sources,
        /// Where to write the backup (a new or empty folder).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// Include the uploaded originals (media/originals). Photos in
        /// import folders are the family's own files and never included.
        #[arg(long)]
        originals: bool,
    },
    /// Restore a backup made by `hearth backup` into an empty data folder
    /// (the configured one, or --data).
    Restore {
        #[command(flatten)]
        sources: Sources,
        /// The backup folder.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
    /// Check the database against the originals, thumbnails and search
    /// index. Exit 0: in order; 3: problems found (and not all repaired);
    /// 4: problems found and all repaired (the work is queued).
    Check {
        #[command(flatten)]
        sources: Sources,
        /// Repair what can be repaired: queue thumbnails, rescans and
        /// re-indexing; delete orphaned thumbnail folders.
        #[arg(long)]
        repair: bool,
    },
    /// Print the OpenAPI document of the HTTP API (JSON).
    Openapi,
    /// Measure this machine (prints figures).
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Read metadata and make previews and thumbnails of the images in DIR.
    Ingest {
        /// A folder of photos (searched recursively).
        dir: PathBuf,
    },
    /// Time the timeline's queries on a scratch database of many assets.
    Timeline {
        /// How many assets to create.
        #[arg(long, default_value_t = 1_000_000)]
        assets: u32,
    },
    /// Back up, restore and check a scratch library of many uploads.
    Backup {
        /// How many assets to create.
        #[arg(long, default_value_t = 10_000)]
        assets: u32,
        /// The size of each synthetic original, in KiB.
        #[arg(long, default_value_t = 256)]
        original_kib: u32,
    },
    /// Build a search index of many synthetic assets and time 20 queries.
    Search {
        /// How many assets to create.
        #[arg(long, default_value_t = 100_000)]
        assets: u32,
    },
    /// Serve a scratch library of many assets to many browsers at once
    /// while photos are imported: latencies, errors, the import's pace and
    /// the server's memory (loopback only).
    Load(hearth::bench::LoadOptions),
    /// Time the listing a phone's backup app asks for first: PROPFIND of a
    /// folder of many photos in a member's WebDAV tree.
    Dav {
        /// How many photos the folder holds.
        #[arg(long, default_value_t = 10_000)]
        entries: u32,
    },
    /// Grow a stopped server's library by many synthetic assets that share
    /// the thumbnails of its newest photo (to try the web app at scale).
    Seed {
        /// The data folder of a stopped server with at least one photo.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// How many assets to add.
        #[arg(long, default_value_t = 100_000)]
        assets: u32,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration and where each value came from.
    Show {
        #[command(flatten)]
        sources: Sources,
        /// As for `hearth serve`.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
}

#[derive(Args)]
struct Sources {
    /// Config file to read (default: ./hearth.toml if it exists).
    #[arg(long, value_name = "FILE", env = "HEARTH_CONFIG")]
    config: Option<PathBuf>,
    /// Data folder: database, index, thumbnails, uploads.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
}

impl Sources {
    fn load(self, listen: Option<SocketAddr>) -> Result<Loaded, ExitCode> {
        Loaded::load(&Overrides {
            config_file: self.config,
            data_dir: self.data,
            listen,
        })
        .map_err(|err| fail(CONFIG_ERROR, &err))
    }
}

fn fail(code: u8, err: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("hearth: {err}");
    ExitCode::from(code)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve { sources, listen } => sources.load(listen).and_then(serve),
        Command::Migrate { sources } => sources.load(None).and_then(migrate),
        Command::SetupLink { sources } => sources.load(None).and_then(setup_link),
        Command::RecoveryLink { sources, username } => sources
            .load(None)
            .and_then(|loaded| recovery_link(loaded, &username)),
        Command::Config(ConfigCommand::Show { sources, listen }) => sources
            .load(listen)
            .map(|loaded| print!("{}", loaded.show())),
        Command::Import {
            sources,
            paths,
            owner,
            with_edited,
        } => sources.load(None).and_then(|loaded| {
            let options = hearth::library::google::import::Options { with_edited };
            import(loaded, &paths, owner.as_deref(), options)
        }),
        Command::Reindex { sources } => sources.load(None).and_then(reindex),
        Command::Backup {
            sources,
            to,
            originals,
        } => sources
            .load(None)
            .and_then(|loaded| backup(loaded, &to, originals)),
        Command::Restore { sources, from } => sources
            .load(None)
            .and_then(|loaded| restore(&loaded, &from)),
        Command::Check { sources, repair } => {
            sources.load(None).and_then(|loaded| check(loaded, repair))
        }
        Command::Health { sources, listen } => sources.load(listen).and_then(|loaded| {
            hearth::system::probe::probe(loaded.config.listen)
                .map(|line| println!("{line}"))
                .map_err(|why| fail(RUNTIME_FAILURE, &why))
        }),
        Command::Bench(BenchCommand::Ingest { dir }) => {
            println!("{}", hearth::bench::ingest(&dir));
            Ok(())
        }
        Command::Bench(BenchCommand::Timeline { assets }) => {
            print_report(hearth::bench::timeline(assets))
        }
        Command::Bench(BenchCommand::Backup {
            assets,
            original_kib,
        }) => print_report(hearth::bench::backup(assets, original_kib)),
        Command::Bench(BenchCommand::Search { assets }) => {
            print_report(hearth::bench::search(assets))
        }
        Command::Bench(BenchCommand::Load(options)) => print_report(hearth::bench::load(options)),
        Command::Bench(BenchCommand::Dav { entries }) => print_report(hearth::bench::dav(entries)),
        Command::Bench(BenchCommand::Seed { data, assets }) => {
            print_report(hearth::bench::seed_library(&data, assets))
        }
        Command::Openapi => {
            println!("{}", hearth::api::openapi_json());
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| fail(RUNTIME_FAILURE, &err))
}

fn serve(loaded: Loaded) -> Result<(), ExitCode> {
    hearth::logging::init(&loaded.config.log);
    if let Some(file) = loaded.file() {
        tracing::info!(file = %file.display(), "configuration read");
    }
    let config = loaded.config;
    runtime()?.block_on(async move {
        // Listening for signals before anything starts: a `docker stop`
        // during start-up is a clean stop, not a kill.
        let stopping = shutdown_signal().map_err(|err| fail(RUNTIME_FAILURE, &err))?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|err| {
                let why = if err.kind() == std::io::ErrorKind::AddrInUse {
                    format!(
                        "port {} is already in use (listen = {}); stop the other program or choose another port with --listen",
                        config.listen.port(),
                        config.listen
                    )
                } else {
                    format!("cannot listen on {}: {err}", config.listen)
                };
                fail(RUNTIME_FAILURE, &why)
            })?;
        let running = hearth::start(config, Arc::new(SystemClock), listener)
            .await
            .map_err(|err| fail(RUNTIME_FAILURE, &err))?;
        running
            .run_until(stopping)
            .await
            .map_err(|err| fail(RUNTIME_FAILURE, &err))
    })
}

fn migrate(loaded: Loaded) -> Result<(), ExitCode> {
    let config = loaded.config;
    runtime()?.block_on(async move {
        let data_dir = hearth::data_dir::DataDir::prepare(&config.data_dir)
            .map_err(|err| fail(RUNTIME_FAILURE, &err))?;
        let (db, report) = hearth::db::open_migrated(&data_dir, SystemClock.now())
            .await
            .map_err(|err| fail(RUNTIME_FAILURE, &err))?;
        let _ = db.close().await;
        if report.applied.is_empty() {
            println!(
                "The database {} is up to date ({} migrations).",
                data_dir.database().display(),
                report.known
            );
        } else {
            println!(
                "Applied {} migrations to {}:",
                report.applied.len(),
                data_dir.database().display()
            );
            for name in &report.applied {
                println!("  {name}");
            }
        }
        Ok(())
    })
}

/// Opens the database of an existing data folder (beside a running server)
/// and runs `work` on it.
fn with_database<T>(
    loaded: Loaded,
    work: impl AsyncFnOnce(&sea_orm::DatabaseConnection, &hearth::config::Config) -> Result<T, String>,
) -> Result<T, ExitCode> {
    let config = loaded.config;
    runtime()?.block_on(async move {
        let failed = |err: &dyn std::fmt::Display| fail(RUNTIME_FAILURE, err);
        let data_dir =
            hearth::data_dir::DataDir::open(&config.data_dir).map_err(|err| failed(&err))?;
        let (db, _) = hearth::db::open_migrated(&data_dir, SystemClock.now())
            .await
            .map_err(|err| failed(&err))?;
        let result = work(&db, &config).await;
        let _ = db.close().await;
        result.map_err(|err| failed(&err))
    })
}

fn setup_link(loaded: Loaded) -> Result<(), ExitCode> {
    let url = with_database(loaded, async |db, config| {
        if hearth::accounts::users::owner_exists(db)
            .await
            .map_err(|err| err.to_string())?
        {
            return Err("Hearth already has an owner; setup links are only for the first start. The owner can invite people from Settings → Household.".to_owned());
        }
        let token = hearth::accounts::links::issue_setup(db, SystemClock.now())
            .await
            .map_err(|err| err.to_string())?;
        Ok(hearth::accounts::links::url(
            &config.public_url(),
            Kind::Setup,
            &token,
        ))
    })?;
    println!("Open this link within 1 hour to create the owner account:\n{url}");
    Ok(())
}

fn recovery_link(loaded: Loaded, username: &str) -> Result<(), ExitCode> {
    let url = with_database(loaded, async |db, config| {
        let token =
            hearth::accounts::recovery::command_line_recovery_link(db, username, SystemClock.now())
                .await
                .map_err(|err| err.to_string())?;
        Ok(hearth::accounts::links::url(
            &config.public_url(),
            Kind::Recovery,
            &token,
        ))
    })?;
    println!(
        "Give this link to {username}; it works once, within 24 hours, to add a new passkey or password:\n{url}"
    );
    Ok(())
}

/// Like `with_database`, with the state a one-off command works with
/// (no server: no search writer, no workers).
fn with_state<T>(
    loaded: Loaded,
    work: impl AsyncFnOnce(&hearth::state::AppState) -> Result<T, hearth::error::AppError>,
) -> Result<T, ExitCode> {
    with_database(loaded, async |db, config| {
        let data_dir =
            hearth::data_dir::DataDir::open(&config.data_dir).map_err(|err| err.to_string())?;
        let state = hearth::state::AppState::new(
            config.clone(),
            data_dir,
            db.clone(),
            Arc::new(SystemClock),
        );
        work(&state).await.map_err(|err| err.to_string())
    })
}

fn import(
    loaded: Loaded,
    paths: &[PathBuf],
    owner: Option<&str>,
    options: hearth::library::google::import::Options,
) -> Result<(), ExitCode> {
    let report = with_state(loaded, async |state| {
        hearth::library::cli::import(state, paths, owner, options).await
    })?;
    println!("{report}");
    Ok(())
}

/// Runs a benchmark and prints its figures.
fn print_report(
    bench: impl Future<Output = Result<String, hearth::error::AppError>>,
) -> Result<(), ExitCode> {
    runtime().and_then(|rt| match rt.block_on(bench) {
        Ok(report) => {
            println!("{report}");
            Ok(())
        }
        Err(err) => {
            eprintln!("hearth: {}", err.detail());
            Err(ExitCode::FAILURE)
        }
    })
}

fn backup(loaded: Loaded, to: &std::path::Path, originals: bool) -> Result<(), ExitCode> {
    let config_file = loaded.file().map(std::path::Path::to_path_buf);
    let report = with_database(loaded, async |db, config| {
        let data_dir =
            hearth::data_dir::DataDir::open(&config.data_dir).map_err(|err| err.to_string())?;
        hearth::backup::archive::create(
            db,
            &data_dir,
            config_file.as_deref(),
            to,
            originals,
            SystemClock.now(),
        )
        .await
        .map_err(|err| err.to_string())
    })?;
    println!("{report}");
    Ok(())
}

/// `hearth check` found problems and left some.
const PROBLEMS_FOUND: u8 = 3;
/// `hearth check --repair` found problems and repaired them all.
const PROBLEMS_REPAIRED: u8 = 4;

fn check(loaded: Loaded, repair: bool) -> Result<(), ExitCode> {
    let report = with_state(loaded, async |state| {
        hearth::check::run(state, repair).await
    })?;
    println!("{report}");
    if report.clean() {
        Ok(())
    } else if report.repair && report.all_repaired() {
        Err(ExitCode::from(PROBLEMS_REPAIRED))
    } else {
        Err(ExitCode::from(PROBLEMS_FOUND))
    }
}

fn restore(loaded: &Loaded, from: &std::path::Path) -> Result<(), ExitCode> {
    let data = loaded.config.data_dir.clone();
    let report = runtime()?
        .block_on(hearth::backup::archive::restore(
            from,
            &data,
            SystemClock.now(),
        ))
        .map_err(|err| fail(RUNTIME_FAILURE, &err))?;
    println!("{report}");
    Ok(())
}

fn reindex(loaded: Loaded) -> Result<(), ExitCode> {
    let report = with_database(loaded, async |db, config| {
        let data_dir =
            hearth::data_dir::DataDir::open(&config.data_dir).map_err(|err| err.to_string())?;
        hearth::search::cli::reindex(db, &data_dir)
            .await
            .map_err(|err| err.to_string())
    })?;
    println!("{report}");
    Ok(())
}

/// Listens for Ctrl-C and SIGTERM (what `docker stop` and systemd send)
/// from now on; the future resolves on the first of them.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}
