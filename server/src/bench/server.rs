//! The server under test for `hearth bench load` and `hearth bench dav`:
//! this binary started as `hearth serve` on a scratch data folder, its
//! owner signed up through the setup link.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::client::Client;
use super::internal;
use crate::error::AppError;

/// Two minutes: how long the server gets to start, search to answer.
pub const PATIENCE: Duration = Duration::from_mins(2);

pub const PASSWORD: &str = "lantern orchard quietly 47";

/// The server under test: a child process, its address and its log.
pub struct Server {
    pub child: Child,
    pub addr: std::net::SocketAddr,
    pub log: std::sync::mpsc::Receiver<String>,
}

impl Server {
    /// Starts `hearth serve` on `data` (import folder: `home/hearth-import`)
    /// and waits for its ready line; returns it and the setup token, if any.
    pub fn start(home: &Path) -> Result<(Self, Option<String>, Duration), AppError> {
        use std::io::BufRead as _;
        let started = Instant::now();
        let exe = std::env::current_exe().map_err(|e| internal(&e))?;
        let mut child = Command::new(exe)
            .args(["serve", "--listen", "127.0.0.1:0", "--data", "data"])
            .current_dir(home)
            .env("HEARTH_LOG__FORMAT", "json")
            // Photos are moved in whole: no need to wait for them to settle.
            .env("HEARTH_LIBRARY__SETTLE_SECONDS", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| internal(&e))?;
        let stderr = child.stderr.take().ok_or_else(|| internal(&"no stderr"))?;
        let (send, log) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut token = None;
        let addr = loop {
            let line = log
                .recv_timeout(PATIENCE)
                .map_err(|_| internal(&"the server did not start within 2 minutes"))?;
            if let Some(at) = line.find("setup?token=") {
                let rest = &line[at + "setup?token=".len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(rest.len());
                token = Some(rest[..end].to_owned());
            }
            if line.contains("is ready")
                && let Some(listen) = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|v| v["fields"]["listen"].as_str().map(str::to_owned))
            {
                break listen.parse().map_err(|e| internal(&e))?;
            }
        };
        Ok((Self { child, addr, log }, token, started.elapsed()))
    }

    /// Resident memory in MiB (`VmRSS`), 0 when it cannot be read.
    pub fn rss_mib(&self) -> u64 {
        rss_mib(self.child.id())
    }

    /// Asks the server to stop (SIGTERM through `kill`), then waits.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..200 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn rss_mib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

/// The owner, made through the setup link (`token`) with `PASSWORD`.
pub async fn sign_up(server: &Server, token: Option<String>) -> Result<Client, AppError> {
    let mut owner = Client::new(server.addr);
    let token = token.ok_or_else(|| internal(&"no setup link in the log"))?;
    let body = serde_json::json!({
        "token": token,
        "account": { "username": "bench", "display_name": "Bench" },
        "password": PASSWORD,
    });
    let answer = owner
        .post(
            "/api/links/password",
            "application/json",
            body.to_string().as_bytes(),
        )
        .await
        .map_err(|e| internal(&e))?;
    if answer.status != 200 {
        return Err(internal(&format!("setup answered {}", answer.status)));
    }
    Ok(owner)
}
