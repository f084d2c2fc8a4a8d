//! `celd serve` end to end: the real binary on `127.0.0.1:0`, every endpoint and error status,
//! the metric names, logs, shutdown, and zero lost requests while workers are recycled.
//!
//! The recycle runs are short here (10 s, 16 connections); `CELD_SOAK=1` runs the long ones
//! (60 s, 64 connections, SIGHUP every 5 s).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::sync::Mutex;

use celd_server::loadgen::Workload;
use celd_server::loadtest::{SoakConfig, SoakReport, soak};
use celd_server::process::send_signal;

const TOKEN: &str = "serve-test-token-5b1e";
const SIGTERM: i32 = libc::SIGTERM;
const SIGHUP: i32 = libc::SIGHUP;

/// The load runs take turns: each has the machine to itself.
static ONE_LOAD_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A `celd serve` process; SIGTERM and reaped when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
}

impl Serve {
    fn start(name: &str, args: &[&str], token: Option<&str>) -> Serve {
        let dir = std::env::temp_dir().join(format!("celd-serve-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ready = dir.join("addr");
        let _ = std::fs::remove_file(&ready);
        let mut command = Command::new(env!("CARGO_BIN_EXE_celd"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--ready-file"])
            .arg(&ready)
            .args(args)
            .env_remove("CELD_ADMIN_TOKEN")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("stderr")).unwrap());
        if let Some(token) = token {
            command.env("CELD_ADMIN_TOKEN", token);
        }
        let child = command.spawn().expect("celd serve starts");
        // Owned by a `Serve` at once, so a failed check below still stops the process.
        let mut serve = Serve {
            child,
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            dir,
        };
        let mut line = String::new();
        BufReader::new(serve.child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        serve.addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line: {line:?}"))
            .parse()
            .unwrap();
        let written = std::fs::read_to_string(&ready).unwrap();
        assert_eq!(
            written.trim(),
            serve.addr.to_string(),
            "--ready-file holds the address"
        );
        serve
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr")).unwrap_or_default()
    }

    /// SIGTERM, then the exit status (within 40 s).
    fn stop(&mut self) -> Option<i32> {
        let _ = send_signal(self.child.id(), SIGTERM);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(40) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn kind(&self) -> String {
        self.json()["error"]["kind"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

/// One request on its own connection (`Connection: close`).
fn http(addr: SocketAddr, method: &str, path: &str, headers: &[&str], body: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    // The server may answer (413) and close before reading all of a large body.
    let _ = stream.write_all(request.as_bytes());
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

fn post(addr: SocketAddr, path: &str, body: &str) -> Reply {
    http(
        addr,
        "POST",
        path,
        &["Content-Type: application/json"],
        body,
    )
}

fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Reply {
    match token {
        Some(t) => http(
            addr,
            "GET",
            path,
            &[&format!("Authorization: Bearer {t}")],
            "",
        ),
        None => http(addr, "GET", path, &[], ""),
    }
}

#[test]
fn every_endpoint_and_error_status_on_the_real_binary() {
    let mut s = Serve::start(
        "endpoints",
        &["--max-body", "4KiB", "--log-level", "debug"],
        Some(TOKEN),
    );
    let a = s.addr;

    let r = post(
        a,
        "/v1/eval",
        r#"{"expr": "x + y * z", "vars": {"x": 1, "y": 2, "z": 3}}"#,
    );
    assert_eq!(
        (r.status, r.json()),
        (200, serde_json::json!({"value": 7, "type": "int"}))
    );
    let r = post(
        a,
        "/v1/check",
        r#"{"expr": "x + 1", "decls": {"x": "int"}}"#,
    );
    assert_eq!(
        (r.status, r.json()),
        (200, serde_json::json!({"type": "int"}))
    );

    let r = post(a, "/v1/eval", r#"{"expr": "1 +"}"#);
    assert_eq!((r.status, r.kind()), (422, "parse".to_owned()));
    assert_eq!(r.json()["error"]["column"], 4);
    let r = post(a, "/v1/eval", r#"{"expr": 3}"#);
    assert_eq!((r.status, r.kind()), (400, "request".to_owned()));
    let big = format!(r#"{{"expr": "'{}'"}}"#, "a".repeat(8 << 10));
    let r = post(a, "/v1/eval", &big);
    assert_eq!((r.status, r.kind()), (413, "limit".to_owned()));

    assert_eq!(get(a, "/healthz", None).status, 200);
    assert_eq!(get(a, "/readyz", None).status, 200);
    assert_eq!(get(a, "/nowhere", None).status, 404);

    assert_eq!(get(a, "/debug/programs", None).status, 401);
    assert_eq!(get(a, "/debug/programs", Some("wrong")).status, 401);
    let r = get(a, "/debug/programs?sort=bytes", Some(TOKEN));
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.json()["programs"][0]["id"].as_str().unwrap().to_owned();
    let r = get(a, &format!("/debug/programs/{id}"), Some(TOKEN));
    assert_eq!(r.status, 200);
    assert!(r.json()["plan"].as_str().unwrap().contains('@'));
    assert_eq!(
        get(a, "/debug/programs/ffffffffffff", Some(TOKEN)).status,
        404
    );

    let r = get(a, "/metrics", None);
    assert_eq!(r.status, 200);
    for name in [
        "celd_programs_loaded",
        "celd_program_cache_bytes",
        "celd_compilations_total",
        "celd_cache_hits_total",
        "celd_cache_misses_total",
        "celd_cache_evictions_total",
        "celd_compile_storms_total",
        "celd_evaluations_total{outcome=\"ok\"}",
        "celd_eval_duration_seconds_bucket",
        "celd_compile_duration_seconds_bucket",
        "process_resident_memory_bytes",
        "celd_worker_recycles_total{reason=\"signal\"}",
        "celd_worker_generation 1",
    ] {
        assert!(r.body.contains(name), "{name} missing:\n{}", r.body);
    }

    assert_eq!(s.stop(), Some(0), "SIGTERM drains and exits 0");
    let logs = s.stderr();
    assert!(
        logs.contains("/v1/eval"),
        "a debug line per request:\n{logs}"
    );
    assert!(!logs.contains(TOKEN), "the token is never logged");
}

#[test]
fn no_token_is_403_and_a_busy_server_is_503() {
    let args = [
        "--max-concurrency",
        "1",
        "--eval-timeout",
        "2s",
        "--max-cost",
        "100000000000",
        "--no-supervisor",
    ];
    let s = Serve::start("busy", &args, None);
    let a = s.addr;
    assert_eq!(get(a, "/debug/programs", Some(TOKEN)).status, 403);
    // 20,000 × 20,000 iterations: it holds the only slot until the 2 s time limit stops it.
    let list: Vec<u32> = (0..20_000).collect();
    let slow = serde_json::json!({"expr": "l.all(i, l.all(j, i + j >= 0))", "vars": {"l": list}});
    let slow = std::thread::spawn(move || post(a, "/v1/eval", &slow.to_string()));
    // Until it is on the blocking pool, a cheap request could take the slot first.
    let on_the_pool = || {
        get(a, "/metrics", None)
            .body
            .contains("celd_blocking_evaluations 1")
    };
    let start = Instant::now();
    while !on_the_pool() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the slow request never ran"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut refused = 0;
    while !slow.is_finished() {
        let r = post(a, "/v1/eval", r#"{"expr": "1 + 1"}"#);
        if r.status == 503 {
            assert_eq!(r.kind(), "limit");
            assert!(r.head.contains("retry-after: 1"));
            refused += 1;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let slow = slow.join().unwrap();
    assert_eq!(
        (slow.status, slow.kind()),
        (422, "limit".to_owned()),
        "{}",
        slow.body
    );
    assert!(refused > 0, "a request arrived while the slot was taken");
    assert_eq!(post(a, "/v1/eval", r#"{"expr": "1 + 1"}"#).status, 200);
}

#[test]
fn json_logs_are_one_object_per_line() {
    let mut s = Serve::start("json", &["--log-format", "json", "--no-supervisor"], None);
    post(s.addr, "/v1/eval", r#"{"expr": "1"}"#);
    assert_eq!(s.stop(), Some(0));
    let logs = s.stderr();
    assert!(logs.lines().count() >= 2, "{logs}");
    for line in logs.lines() {
        let object: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(object["level"].is_string(), "{line}");
    }
}

fn run_soak(config: &SoakConfig) -> SoakReport {
    let _turn = ONE_LOAD_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    soak(config).unwrap()
}

/// Reads one response from a keep-alive connection: its head (lowercase) and body.
fn read_response(stream: &mut TcpStream) -> (u16, String, String) {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).unwrap(),
            1,
            "the connection ended before a response"
        );
        raw.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head, String::from_utf8_lossy(&body).into_owned())
}

fn send_post(stream: &mut TcpStream, body: &str) {
    let request = format!(
        "POST /v1/eval HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
}

#[test]
fn a_request_in_flight_is_answered_across_a_recycle() {
    let args = ["--eval-timeout", "1500ms", "--max-cost", "100000000000"];
    let s = Serve::start("inflight", &args, None);
    let mut stream = TcpStream::connect(s.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    send_post(&mut stream, r#"{"expr": "1"}"#);
    let (status, head, _) = read_response(&mut stream);
    assert_eq!(status, 200);
    assert!(
        !head.contains("connection: close"),
        "keep-alive before the drain"
    );
    // Runs until its 1.5 s time limit; the worker is told to drain meanwhile.
    let list: Vec<u32> = (0..20_000).collect();
    let slow = serde_json::json!({"expr": "l.all(i, l.all(j, i + j >= 0))", "vars": {"l": list}});
    send_post(&mut stream, &slow.to_string());
    std::thread::sleep(Duration::from_millis(300));
    send_signal(s.child.id(), SIGHUP).unwrap();
    let (status, head, body) = read_response(&mut stream);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("time limit"), "{body}");
    assert!(
        head.contains("connection: close"),
        "the last response closes: {head}"
    );
    let mut rest = Vec::new();
    assert_eq!(
        stream.read_to_end(&mut rest).unwrap(),
        0,
        "then a clean end of stream"
    );
    let r = get(s.addr, "/metrics", None);
    assert!(
        r.body.contains("celd_worker_generation 2"),
        "the new worker answers"
    );
}

#[test]
fn an_idle_connection_is_closed_cleanly_by_a_draining_worker() {
    let s = Serve::start("idle", &["--drain-timeout", "120s"], None);
    let mut stream = TcpStream::connect(s.addr).unwrap();
    send_post(&mut stream, r#"{"expr": "2"}"#);
    assert_eq!(read_response(&mut stream).0, 200);
    send_signal(s.child.id(), SIGHUP).unwrap();
    // Closed after a second without a request, long before the drain timeout.
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut rest = Vec::new();
    assert_eq!(
        stream.read_to_end(&mut rest).unwrap(),
        0,
        "a clean end of stream"
    );
    assert!(rest.is_empty());
    assert_eq!(post(s.addr, "/v1/eval", r#"{"expr": "3"}"#).status, 200);
}

#[test]
fn sigterm_stops_a_server_with_an_idle_connection_without_waiting_for_the_drain() {
    // The drain timeout is longer than `stop` waits: only a server that closes its idle
    // connections at once, rather than waiting for them, exits within the watchdog.
    let mut s = Serve::start("stop-idle", &["--drain-timeout", "120s"], None);
    let mut stream = TcpStream::connect(s.addr).unwrap();
    send_post(&mut stream, r#"{"expr": "2"}"#);
    assert_eq!(read_response(&mut stream).0, 200);
    assert_eq!(s.stop(), Some(0), "SIGTERM exits 0:\n{}", s.stderr());
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut rest = Vec::new();
    assert_eq!(
        stream.read_to_end(&mut rest).unwrap(),
        0,
        "the idle connection ends cleanly"
    );
}

#[test]
fn systemd_socket_activation() {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let fd = listener.as_raw_fd();
    let mut command = Command::new("sh");
    command
        .args([
            "-c",
            r#"LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" serve --listen 127.0.0.1:1"#,
        ])
        .arg(env!("CARGO_BIN_EXE_celd"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: dup2 is async-signal-safe; `fd` stays open in this process during the spawn.
    unsafe {
        command.pre_exec(move || {
            // dup2 onto itself keeps close-on-exec, so clear it in that case.
            let ok = if fd == 3 {
                libc::fcntl(3, libc::F_SETFD, 0) >= 0
            } else {
                libc::dup2(fd, 3) >= 0
            };
            if ok {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let mut s = Serve {
        child: command.spawn().unwrap(),
        addr,
        dir: std::env::temp_dir(),
    };
    drop(listener);
    let mut line = String::new();
    BufReader::new(s.child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), format!("listening on http://{addr}"));
    assert_eq!(
        post(addr, "/v1/eval", r#"{"expr": "40 + 2"}"#).json()["value"],
        42
    );
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn message_types_come_from_proto_files() {
    let dir = std::env::temp_dir().join(format!("celd-serve-proto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let proto = dir.join("shop.proto");
    let text =
        "syntax = \"proto3\"; package shop;\nmessage Order { string id = 1; int64 qty = 2; }\n";
    std::fs::write(&proto, text).unwrap();
    let proto = proto.to_str().unwrap();
    let s = Serve::start("proto", &["--proto", proto], None);
    let body = r#"{"expr": "shop.Order{id: 'a', qty: n}.qty * 2", "vars": {"n": 21}}"#;
    assert_eq!(post(s.addr, "/v1/eval", body).json()["value"], 42);
    let o = Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(["serve", "--proto", "/nonexistent.proto"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "a bad --proto is a usage error");
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["--no-supervisor", "--max-rss", "1G"][..],
        &["--log-level", "loud"],
        &["--max-rss", "lots"],
        &["--drain-timeout", "-1s"],
        &["--listen", "localhost"],
        &["--admin-token-file", "/nonexistent/token"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_celd"))
            .arg("serve")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
}

fn soak_config() -> SoakConfig {
    let long = std::env::var("CELD_SOAK").is_ok_and(|v| v == "1");
    SoakConfig {
        celd: PathBuf::from(env!("CARGO_BIN_EXE_celd")),
        connections: if long { 64 } else { 16 },
        duration: Duration::from_secs(if long { 60 } else { 10 }),
        sighup_every: None,
        max_rss: None,
        workload: Workload::standard(),
        pause: None,
        // These tests are about recycling: on a loaded machine a request descheduled past
        // the default 100 ms time limit would be answered 422, which is not a lost request.
        extra_args: vec!["--eval-timeout".into(), "10s".into()],
    }
}

#[test]
fn sighup_recycles_lose_no_request() {
    let long = std::env::var("CELD_SOAK").is_ok_and(|v| v == "1");
    let config = SoakConfig {
        sighup_every: Some(Duration::from_secs(if long { 5 } else { 2 })),
        ..soak_config()
    };
    let report = run_soak(&config);
    println!("SIGHUP every {:?}: {report}", config.sighup_every.unwrap());
    assert!(report.counts.requests > 0);
    assert_eq!(report.counts.lost(), 0, "{report}");
    assert!(report.sighups_sent >= 3, "{report}");
    assert!(report.recycles.signal >= 3, "{report}");
}

#[test]
fn max_rss_recycles_lose_no_request() {
    let config = SoakConfig {
        max_rss: Some("40MiB".into()),
        workload: Workload::Distinct,
        extra_args: ["--cache-bytes", "256MiB", "--eval-timeout", "10s"]
            .map(String::from)
            .to_vec(),
        ..soak_config()
    };
    let report = run_soak(&config);
    println!("--max-rss 40MiB, a new program per request: {report}");
    assert!(report.counts.requests > 0);
    assert_eq!(report.counts.lost(), 0, "{report}");
    assert!(report.recycles.rss >= 1, "{report}");
}
