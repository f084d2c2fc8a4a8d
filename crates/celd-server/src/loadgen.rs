//! A keep-alive HTTP/1.1 load generator for loopback tests: N clients, each on its own
//! connection, post requests back to back for a bounded time and count what happens.
//!
//! A client reuses its connection until a response says `Connection: close`, then reconnects;
//! that is the server's clean way to end a connection and costs nothing. What counts against
//! the server: a request that was sent and got no complete response (`failures`: a reset or
//! an end of stream), a connection that could not be made (`connect_errors`), and any status
//! outside 2xx (`non_2xx`). The zero-loss tests (`soak`) and the throughput benchmark (`bench`
//! in `src/bin/loadgen.rs`) use it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the clients send.
#[derive(Clone, Debug)]
pub enum Workload {
    /// One `/v1/eval` body, again and again (a cache hit after the first).
    Fixed(String),
    /// A different expression structure every request (a cache miss, a compilation and a new
    /// program each time): memory grows until the cache's budget is full.
    Distinct,
}

impl Workload {
    /// `x + y * z` with small integers: the benchmark's request.
    pub fn standard() -> Workload {
        Workload::Fixed(r#"{"expr":"x + y * z","vars":{"x":1,"y":2,"z":3}}"#.to_owned())
    }

    fn body(&self, n: u64) -> String {
        match self {
            Workload::Fixed(body) => body.clone(),
            Workload::Distinct => distinct_body(n),
        }
    }
}

/// A request whose template differs for every `n`: the bits of `n` choose `+` or `-` between
/// 40 variable reads, and `n` picks the variables.
fn distinct_body(n: u64) -> String {
    let mut expr = String::from("a");
    for bit in 0..40 {
        let op = if (n >> bit) & 1 == 1 { " + " } else { " - " };
        expr.push_str(op);
        expr.push(if (n >> (bit % 7)) & 1 == 1 { 'b' } else { 'c' });
    }
    format!(r#"{{"expr":"{expr}","vars":{{"a":1,"b":2,"c":3}}}}"#)
}

/// A load run's shape.
#[derive(Clone, Debug)]
pub struct LoadConfig {
    pub addr: SocketAddr,
    pub connections: usize,
    pub duration: Duration,
    pub path: String,
    pub workload: Workload,
    /// Each client waits up to this long (a random time) between requests, as browsers and
    /// pooled clients do, and checks for a closed connection before reusing it, as hyper's
    /// and Go's pools do. `None`: back to back.
    pub pause: Option<Duration>,
}

/// What a load run saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests answered (any status).
    pub requests: u64,
    /// Requests sent that got no complete response.
    pub failures: u64,
    /// Connections that could not be made.
    pub connect_errors: u64,
    /// Answers outside 2xx.
    pub non_2xx: u64,
    /// Connections the server ended cleanly with `Connection: close`.
    pub closed_by_server: u64,
    /// The first answer outside 2xx: its status and the start of its body.
    pub first_non_2xx: Option<String>,
}

impl Counts {
    pub fn lost(&self) -> u64 {
        self.failures + self.connect_errors + self.non_2xx
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "requests {}, failures {}, connection errors {}, non-2xx {}, closed by server {}",
            self.requests, self.failures, self.connect_errors, self.non_2xx, self.closed_by_server
        )?;
        match &self.first_non_2xx {
            Some(answer) => write!(f, " (first non-2xx: {answer})"),
            None => Ok(()),
        }
    }
}

#[derive(Default)]
struct Shared {
    requests: AtomicU64,
    failures: AtomicU64,
    connect_errors: AtomicU64,
    non_2xx: AtomicU64,
    closed_by_server: AtomicU64,
    next: AtomicU64,
    first_non_2xx: std::sync::OnceLock<String>,
}

impl Shared {
    fn counts(&self) -> Counts {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counts {
            requests: get(&self.requests),
            failures: get(&self.failures),
            connect_errors: get(&self.connect_errors),
            non_2xx: get(&self.non_2xx),
            closed_by_server: get(&self.closed_by_server),
            first_non_2xx: self.first_non_2xx.get().cloned(),
        }
    }
}

/// Runs the clients until `config.duration` has passed; each finishes its request in flight.
pub async fn run(config: &LoadConfig) -> Counts {
    let shared = Arc::new(Shared::default());
    let deadline = Instant::now() + config.duration;
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..config.connections {
        let (shared, config) = (shared.clone(), config.clone());
        clients.spawn(async move { client(&config, &shared, deadline).await });
    }
    while clients.join_next().await.is_some() {}
    shared.counts()
}

/// One client: a connection at a time, requests back to back.
async fn client(config: &LoadConfig, shared: &Shared, deadline: Instant) {
    let mut conn: Option<Connection> = None;
    while Instant::now() < deadline {
        let Some(c) = conn.as_mut() else {
            match TcpStream::connect(config.addr).await {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    conn = Some(Connection::new(stream));
                }
                Err(_) => {
                    shared.connect_errors.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            continue;
        };
        let n = shared.next.fetch_add(1, Ordering::Relaxed);
        if let Some(pause) = config.pause {
            tokio::time::sleep(pause.mul_f64(fraction(n))).await;
            if c.closed_by_peer() {
                shared.closed_by_server.fetch_add(1, Ordering::Relaxed);
                conn = None;
                continue;
            }
        }
        let body = config.workload.body(n);
        match c.exchange(&config.path, &body).await {
            Ok(answer) => {
                shared.requests.fetch_add(1, Ordering::Relaxed);
                if !(200..300).contains(&answer.status) {
                    shared.non_2xx.fetch_add(1, Ordering::Relaxed);
                    let _ = shared.first_non_2xx.set(describe(&answer));
                }
                if answer.close {
                    shared.closed_by_server.fetch_add(1, Ordering::Relaxed);
                    conn = None;
                }
            }
            Err(_) => {
                shared.failures.fetch_add(1, Ordering::Relaxed);
                conn = None;
            }
        }
    }
}

/// `503: {"error": ...}`: the status and the first 200 bytes of the body.
fn describe(answer: &Answer) -> String {
    let body = String::from_utf8_lossy(&answer.body[..answer.body.len().min(200)]);
    format!("{}: {}", answer.status, body.trim())
}

/// A number in [0, 1) from `n` (a hash; no generator state to share between clients).
fn fraction(n: u64) -> f64 {
    let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^= x >> 31;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// A response's status and whether the server closes the connection after it.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub close: bool,
    pub body: Vec<u8>,
}

/// Why an exchange failed: the connection broke or the response was not HTTP.
#[derive(Debug)]
pub struct ExchangeError(pub String);

/// A keep-alive connection with its read buffer.
pub struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    pub fn new(stream: TcpStream) -> Connection {
        Connection {
            stream,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Whether the server has closed the connection (an end of stream is waiting to be read).
    pub fn closed_by_peer(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.stream.try_read(&mut byte) {
            Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
            // An end of stream, or bytes nobody asked for: either way, not reusable.
            Ok(_) => true,
        }
    }

    /// Sends one `POST path` with `body` and reads the whole response.
    pub async fn exchange(&mut self, path: &str, body: &str) -> Result<Answer, ExchangeError> {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: celd\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.send(request.as_bytes()).await?;
        self.read_answer().await
    }

    /// Sends one `GET path` (with extra header lines, each ending in `\r\n`).
    pub async fn get(&mut self, path: &str, headers: &str) -> Result<Answer, ExchangeError> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: celd\r\n{headers}\r\n");
        self.send(request.as_bytes()).await?;
        self.read_answer().await
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), ExchangeError> {
        self.stream
            .write_all(bytes)
            .await
            .map_err(|e| ExchangeError(format!("write: {e}")))
    }

    async fn read_answer(&mut self) -> Result<Answer, ExchangeError> {
        let head_end = self.fill_until_head().await?;
        let head = parse_head(&self.buf[..head_end])?;
        self.buf.drain(..head_end);
        let body = match head.length {
            BodyLength::Exact(n) => self.take(n).await?,
            BodyLength::Chunked => self.take_chunked().await?,
        };
        Ok(Answer {
            status: head.status,
            close: head.close,
            body,
        })
    }

    async fn fill(&mut self) -> Result<(), ExchangeError> {
        let mut chunk = [0u8; 8192];
        match self.stream.read(&mut chunk).await {
            Ok(0) => Err(ExchangeError(
                "connection closed before the response".into(),
            )),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e) => Err(ExchangeError(format!("read: {e}"))),
        }
    }

    /// Reads until the buffer holds a whole response head; returns where the body starts.
    async fn fill_until_head(&mut self) -> Result<usize, ExchangeError> {
        loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                return Ok(i + 4);
            }
            if self.buf.len() > 64 << 10 {
                return Err(ExchangeError("response head too large".into()));
            }
            self.fill().await?;
        }
    }

    async fn take(&mut self, n: usize) -> Result<Vec<u8>, ExchangeError> {
        while self.buf.len() < n {
            self.fill().await?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    async fn take_chunked(&mut self) -> Result<Vec<u8>, ExchangeError> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = find(&self.buf, b"\r\n") {
                    break i;
                }
                self.fill().await?;
            };
            let size_text = String::from_utf8_lossy(&self.buf[..line_end]).into_owned();
            let size_text = size_text.split(';').next().unwrap_or("").trim().to_owned();
            let size = usize::from_str_radix(&size_text, 16)
                .map_err(|_| ExchangeError(format!("bad chunk size '{size_text}'")))?;
            self.buf.drain(..line_end + 2);
            let chunk = self.take(size + 2).await?;
            if size == 0 {
                return Ok(body);
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
}

enum BodyLength {
    Exact(usize),
    Chunked,
}

struct Head {
    status: u16,
    close: bool,
    length: BodyLength,
}

fn parse_head(head: &[u8]) -> Result<Head, ExchangeError> {
    let text = std::str::from_utf8(head).map_err(|_| ExchangeError("head not UTF-8".into()))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ExchangeError(format!("bad status line '{status_line}'")))?;
    let mut close = status_line.starts_with("HTTP/1.0");
    let mut length = BodyLength::Exact(0);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                let n = value
                    .parse()
                    .map_err(|_| ExchangeError(format!("bad content-length '{value}'")))?;
                length = BodyLength::Exact(n);
            }
            "transfer-encoding" if value.eq_ignore_ascii_case("chunked") => {
                length = BodyLength::Chunked;
            }
            "connection" => close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    Ok(Head {
        status,
        close,
        length,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// GET `path` on a new connection (for scraping `/metrics` after a run).
pub async fn fetch(addr: SocketAddr, path: &str) -> Result<Answer, ExchangeError> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| ExchangeError(format!("connect: {e}")))?;
    Connection::new(stream).get(path, "").await
}

/// The value of a sample line `name value` (with its labels in `name`) in Prometheus text.
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse() {
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nconnection: close\r\n\r\n";
        let h = parse_head(head).unwrap();
        assert_eq!((h.status, h.close), (200, true));
        assert!(matches!(h.length, BodyLength::Exact(12)));
        let head = b"HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n";
        let h = parse_head(head).unwrap();
        assert_eq!((h.status, h.close), (503, false));
        assert!(matches!(h.length, BodyLength::Chunked));
        assert!(parse_head(b"garbage\r\n\r\n").is_err());
    }

    #[test]
    fn distinct_bodies_differ_and_are_json() {
        let a: serde_json::Value = serde_json::from_str(&distinct_body(1)).unwrap();
        let b: serde_json::Value = serde_json::from_str(&distinct_body(2)).unwrap();
        assert_ne!(a["expr"], b["expr"]);
    }

    #[test]
    fn metrics_are_read_by_name() {
        let text = "# TYPE x counter\nx_total{reason=\"rss\"} 3\nx_total{reason=\"signal\"} 5\n";
        assert_eq!(metric(text, "x_total{reason=\"signal\"}"), Some(5.0));
        assert_eq!(metric(text, "x_total"), None);
    }
}
