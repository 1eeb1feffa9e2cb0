//! Booting Hearth for a test: in-process (`TestServer`) or as the real
//! binary (`Hearth`), each with its own temporary data folder.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use hearth::Running;
use hearth::clock::{Clock, ManualClock, SystemClock};
use hearth::config::Config;
use hearth::state::AppState;
use tempfile::TempDir;

/// The real server, in this process, on a free port.
pub struct TestServer {
    running: Option<Running>,
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    dir: TempDir,
}

/// A client that never uses a proxy from the environment.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_in(tempfile::tempdir().expect("temp dir")).await
    }

    /// Starts with a changed configuration.
    pub async fn start_with(edit: impl FnOnce(&mut Config)) -> Self {
        Self::start_in_with(tempfile::tempdir().expect("temp dir"), edit).await
    }

    /// Starts on an existing data folder (to test restarts).
    pub async fn start_in(dir: TempDir) -> Self {
        Self::start_in_with(dir, |_| {}).await
    }

    pub async fn start_in_with(dir: TempDir, edit: impl FnOnce(&mut Config)) -> Self {
        // Warnings go to the test's captured output (shown when it fails).
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let mut config = Config {
            data_dir: dir.path().join("data"),
            ..Config::default()
        };
        // No import folder unless a test adds one; two workers, as on the
        // 2-core machines Hearth is made for.
        config.library.roots.clear();
        config.library.workers = 2;
        edit(&mut config);
        // Starts at the real time (links made by the CLI use it), then
        // moves only when a test says so.
        let clock = Arc::new(ManualClock::new(SystemClock.now()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let running = hearth::start(config, clock.clone(), listener)
            .await
            .expect("server starts");
        let base = format!("http://{}", running.local_addr());
        Self {
            running: Some(running),
            base,
            client: client(),
            clock,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The origin a browser at `public_url` has: `http://localhost:<port>`.
    pub fn origin(&self) -> String {
        self.state()
            .config()
            .public_url()
            .origin()
            .ascii_serialization()
    }

    pub fn addr(&self) -> SocketAddr {
        self.running().local_addr()
    }

    pub fn state(&self) -> &AppState {
        self.running().state()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn running(&self) -> &Running {
        self.running.as_ref().expect("server is running")
    }

    /// A browser of its own: a cookie jar, and the `Origin` header a
    /// browser sends with writes from Hearth's pages.
    pub fn browser(&self) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("origin", self.base.parse().unwrap());
        headers.insert(
            "user-agent",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1"
                .parse()
                .unwrap(),
        );
        Browser {
            client: reqwest::Client::builder()
                .no_proxy()
                .cookie_store(true)
                .default_headers(headers)
                .build()
                .unwrap(),
            base: self.base.clone(),
        }
    }

    /// A fresh first-run setup link's token, as `hearth setup-link` makes.
    pub async fn setup_token(&self) -> String {
        hearth::accounts::links::issue_setup(self.state().db(), self.clock.now())
            .await
            .unwrap()
    }

    /// Creates the owner with a password; returns the signed-in browser.
    pub async fn owner(&self) -> Browser {
        let token = self.setup_token().await;
        let browser = self.browser();
        let response = browser
            .post(
                "/api/links/password",
                &serde_json::json!({
                    "token": token,
                    "account": { "username": "olivia", "display_name": "Olivia" },
                    "password": OWNER_PASSWORD,
                }),
            )
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        browser
    }

    /// A new browser signed in with a password.
    pub async fn sign_in(&self, username: &str, password: &str) -> Browser {
        let browser = self.browser();
        let response = browser
            .post(
                "/api/auth/password",
                &serde_json::json!({ "username": username, "password": password }),
            )
            .await;
        assert_eq!(response.status(), 200, "{username} signs in");
        browser
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// Moves the clock past the settle period, so files found in import
    /// folders become due, and wakes the workers.
    pub fn settle(&self) {
        let seconds = self.state().config().library.settle_seconds;
        self.clock
            .advance(chrono::TimeDelta::seconds(i64::from(seconds) + 1));
        self.state().library().wake();
    }

    /// Waits (up to 60 s of real time) until `check` holds, moving the
    /// clock past settle periods meanwhile; panics with `what` otherwise.
    pub async fn until<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        for _ in 0..600 {
            if check().await {
                return;
            }
            self.settle();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for: {what}");
    }

    /// Waits until the job queue is empty (nothing queued or running).
    pub async fn idle(&self) {
        let db = self.state().db().clone();
        self.until("the job queue to empty", || {
            let db = db.clone();
            async move {
                let depth = hearth::jobs::depth(&db).await.unwrap();
                if depth.queued + depth.running > 0 {
                    use sea_orm::EntityTrait as _;
                    let jobs = hearth::db::entities::job::Entity::find()
                        .all(&db)
                        .await
                        .unwrap();
                    eprintln!("waiting for {jobs:?}");
                }
                depth.queued == 0 && depth.running == 0
            }
        })
        .await;
    }

    /// Graceful stop; hands back the data folder for a restart.
    pub async fn stop(mut self) -> TempDir {
        let running = self.running.take().expect("server is running");
        running.stop().await.expect("clean shutdown");
        self.dir
    }
}

pub const OWNER_PASSWORD: &str = "lantern orchard quietly 47";

/// An HTTP client that keeps cookies, like one browser profile.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// POSTs and expects 200 with a JSON body.
    pub async fn ok(&self, path: &str, body: &serde_json::Value) -> serde_json::Value {
        let response = self.post(path, body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, 200, "POST {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Answers a server's passkey challenge with `phone` at `origin`.
    pub async fn passkey<B: webauthn_authenticator_rs::AuthenticatorBackend>(
        &self,
        phone: &mut crate::authenticator::Phone<B>,
        origin: &str,
        start: (&str, serde_json::Value),
        finish: &str,
        register: bool,
    ) -> reqwest::Response {
        let challenge = self.ok(start.0, &start.1).await;
        let credential = if register {
            phone.register(origin, &challenge["options"])
        } else {
            phone.sign_in(origin, &challenge["options"])
        };
        self.post(
            finish,
            &serde_json::json!({ "ceremony": challenge["ceremony"], "credential": credential }),
        )
        .await
    }

    /// Uploads files (name, bytes) as one multipart request.
    pub async fn upload(&self, files: &[(&str, Vec<u8>)]) -> reqwest::Response {
        self.upload_to("/api/uploads", files).await
    }

    /// Uploads one file, asserts it was imported, returns its asset id.
    pub async fn imported(&self, name: &str, bytes: Vec<u8>) -> i64 {
        let response = self.upload(&[(name, bytes)]).await;
        assert_eq!(response.status(), 200, "{name}");
        let body: serde_json::Value = response.json().await.unwrap();
        let file = &body["files"][0];
        assert_eq!(file["status"], "imported", "{name}: {file}");
        file["asset_id"].as_i64().unwrap()
    }

    /// Uploads one file, asserts it was imported, returns its details.
    pub async fn imported_details(&self, name: &str, bytes: Vec<u8>) -> serde_json::Value {
        let id = self.imported(name, bytes).await;
        self.json(&format!("/api/assets/{id}")).await
    }

    /// Uploads files as one multipart request to `path`.
    pub async fn upload_to(&self, path: &str, files: &[(&str, Vec<u8>)]) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new();
        for (name, bytes) in files {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes.clone()).file_name((*name).to_owned()),
            );
        }
        self.client
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .patch(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }
}

/// The `hearth` binary built by cargo for this test run.
pub fn hearth_command(workdir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hearth"));
    command.current_dir(workdir);
    // Only what a test sets: never the developer's own HEARTH_* variables.
    for (key, _) in std::env::vars() {
        if key.starts_with("HEARTH_") {
            command.env_remove(key);
        }
    }
    command
}

/// The result of running `hearth` to completion.
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(command: &mut Command) -> Outcome {
    let output = command.output().expect("run hearth");
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `hearth serve` as a child process, its log read line by line.
pub struct Hearth {
    child: Child,
    lines: Receiver<String>,
    pub log: Vec<String>,
}

impl Hearth {
    pub fn spawn(command: &mut Command) -> Self {
        let mut child = command
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn hearth");
        let stderr = child.stderr.take().expect("stderr piped");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// Reads log lines until one contains `needle`; None if the log ends
    /// (or 20 seconds pass) first.
    pub fn wait_for_log(&mut self, needle: &str) -> Option<String> {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return Some(line);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM, as systemd and `docker stop` do, and waits for exit.
    /// `kill -9`: no chance to finish anything.
    pub fn crash(&mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }

    pub fn terminate(&mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        let code = self.child.wait().expect("wait for hearth").code();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.log.push(line);
        }
        code
    }
}

impl Drop for Hearth {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
