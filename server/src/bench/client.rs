//! A small HTTP/1.1 client for `hearth bench load`: one keep-alive
//! connection, as a browser tab holds, with the member's cookie. It reads
//! whole answers (`Content-Length` or chunked) and keeps only their size.

use std::fmt::Write as _;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

/// Answers larger than this are a bench error, not a reason to allocate.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// How long one request may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// One answer: status, headers (lower-case names) and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (Null when it is not), decompressed if need be.
    pub fn json(&self) -> serde_json::Value {
        let mut plain = Vec::new();
        let body = if self.header("content-encoding") == Some("br") {
            if brotli::BrotliDecompress(&mut &self.body[..], &mut plain).is_err() {
                return serde_json::Value::Null;
            }
            &plain
        } else {
            &self.body
        };
        serde_json::from_slice(body).unwrap_or(serde_json::Value::Null)
    }
}

/// A connection to the server under test.
pub struct Client {
    addr: std::net::SocketAddr,
    /// `localhost:<port>`: the name the server's links and origin checks use.
    host: String,
    pub cookie: String,
    /// More header lines for every request (`Name: value\r\n` each).
    pub headers: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Client {
    pub fn new(addr: std::net::SocketAddr) -> Self {
        Self {
            addr,
            host: format!("localhost:{}", addr.port()),
            cookie: String::new(),
            headers: String::new(),
            stream: None,
        }
    }

    /// Another connection to the same server, signed in as this one.
    pub fn another(&self, addr: std::net::SocketAddr) -> Self {
        Self {
            cookie: self.cookie.clone(),
            ..Self::new(addr)
        }
    }

    pub async fn get(&mut self, path: &str) -> std::io::Result<Answer> {
        self.send("GET", path, None, &[]).await
    }

    /// A write, as Hearth's pages make it (with `Origin`).
    pub async fn post(
        &mut self,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> std::io::Result<Answer> {
        self.send("POST", path, Some(content_type), body).await
    }

    /// Any request (`content_type` with a body).
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> std::io::Result<Answer> {
        let answer = tokio::time::timeout(TIMEOUT, async {
            // A connection the server closed meanwhile is opened again once.
            match self.exchange(method, path, content_type, body).await {
                Ok(answer) => Ok(answer),
                Err(_) if self.stream.is_none() => {
                    self.exchange(method, path, content_type, body).await
                }
                Err(err) => Err(err),
            }
        })
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in 30 s"))?;
        if answer.is_err() {
            self.stream = None;
        }
        answer
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> std::io::Result<Answer> {
        let fresh = self.stream.is_none();
        if fresh {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(BufReader::new(stream));
        }
        let Some(stream) = self.stream.as_mut() else {
            return Err(std::io::ErrorKind::NotConnected.into());
        };
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept-Encoding: br, gzip\r\n",
            self.host
        );
        if !self.cookie.is_empty() {
            let _ = write!(head, "Cookie: {}\r\n", self.cookie);
        }
        head.push_str(&self.headers);
        if let Some(content_type) = content_type {
            let _ = write!(
                head,
                "Origin: http://{}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
                self.host,
                body.len()
            );
        }
        head.push_str("\r\n");
        let written = async {
            stream.get_mut().write_all(head.as_bytes()).await?;
            stream.get_mut().write_all(body).await
        }
        .await;
        if let Err(err) = written {
            // A reused connection the server had closed: say so to retry.
            self.stream = None;
            return Err(err);
        }
        let answer = read_answer(stream).await;
        let close = answer.as_ref().map_or(true, |a| {
            a.header("connection")
                .is_some_and(|c| c.eq_ignore_ascii_case("close"))
        });
        if close {
            self.stream = None;
        }
        if let Ok(answer) = &answer {
            for (name, value) in &answer.headers {
                if name == "set-cookie"
                    && let Some(pair) = value.split(';').next()
                {
                    let name = pair.split('=').next().unwrap_or_default();
                    let mut kept: Vec<&str> = self
                        .cookie
                        .split("; ")
                        .filter(|c| !c.is_empty() && !c.starts_with(&format!("{name}=")))
                        .collect();
                    kept.push(pair);
                    self.cookie = kept.join("; ");
                }
            }
        }
        answer
    }
}

async fn read_answer(stream: &mut BufReader<TcpStream>) -> std::io::Result<Answer> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let mut body = Vec::new();
    if find("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            line.clear();
            stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(|_| bad("chunk size"))?;
            if body.len() + size > MAX_BODY {
                return Err(bad("answer too large"));
            }
            let start = body.len();
            body.resize(start + size + 2, 0);
            stream.read_exact(&mut body[start..]).await?;
            body.truncate(start + size);
            if size == 0 {
                break;
            }
        }
    } else if status != 204 && status != 304 {
        let length: usize = find("content-length")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| bad("no length"))?;
        if length > MAX_BODY {
            return Err(bad("answer too large"));
        }
        body.resize(length, 0);
        stream.read_exact(&mut body).await?;
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// A multipart body of one file, and its content type.
pub fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "hearth-bench-boundary-7f3a";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
