//! `hearth health`: asks the running server's `/api/health` over loopback,
//! for container health checks and service monitors (no curl needed).

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// How long the whole probe may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The most of the answer that is read.
const MAX_ANSWER: u64 = 64 * 1024;

/// Asks the server listening on `listen` whether it is healthy: `Ok` with
/// a line to print when it answers 200, `Err` with the reason otherwise.
pub fn probe(listen: SocketAddr) -> Result<String, String> {
    let target = loopback(listen);
    let fail = |what: &str, err: &dyn std::fmt::Display| format!("{what} {target}: {err}");
    let mut stream = TcpStream::connect_timeout(&target, TIMEOUT)
        .map_err(|err| fail("Hearth does not answer at", &err))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|err| fail("cannot talk to", &err))?;
    stream
        .write_all(
            b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
        )
        .map_err(|err| fail("cannot ask", &err))?;
    let mut answer = Vec::new();
    stream
        .take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .map_err(|err| fail("no answer from", &err))?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or("none");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    let health: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let field = |name: &str| health[name].as_str().unwrap_or("unknown").to_owned();
    if status == "200" {
        Ok(format!(
            "healthy: Hearth {} at {target}, up {} s",
            field("version"),
            health["uptime_seconds"].as_i64().unwrap_or_default()
        ))
    } else {
        Err(format!(
            "unhealthy: Hearth at {target} answered {status} (database: {})",
            field("database")
        ))
    }
}

/// Where to reach a server listening on `listen` from the same machine
/// (a server on every interface is asked on loopback).
fn loopback(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}
