//! `celd serve` against hostile clients, end to end on the real binary: every request bounded
//! in time and bytes, the reactor never frozen, work cancelled when nobody waits for it, the
//! cache and the environments bounded in real bytes, memory bounded per request and per
//! worker, connections that cannot starve others, and a supervisor that watches its worker.
//!
//! No assertion here is about how fast something is: each is about what is answered, in what
//! order, and what is left running. Waits are bounded loops that only turn a hang into a
//! failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use celd_server::process::send_signal;

/// A `celd serve` process on `127.0.0.1:0`, stopped when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
    /// Where the process's stderr goes.
    _dir: PathBuf,
}

impl Serve {
    fn start(name: &str, args: &[&str]) -> Serve {
        let dir = std::env::temp_dir().join(format!("celd-limits-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_celd"))
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .args(args)
            .env_remove("CELD_ADMIN_TOKEN")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("stderr")).unwrap())
            .spawn()
            .expect("celd serve starts");
        let mut serve = Serve {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            _dir: dir,
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
        serve
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self._dir.join("stderr")).unwrap_or_default()
    }

    /// The supervisor's current worker, from `/proc`.
    fn worker_pid(&self) -> Option<u32> {
        let pid = self.child.id();
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    /// A sample of `/metrics` (`name` with its labels).
    fn metric(&self, name: &str) -> f64 {
        let reply = get(self.addr, "/metrics");
        celd_server::loadgen::metric(&reply.body, name).unwrap_or(f64::NAN)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = send_signal(self.child.id(), libc::SIGTERM);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn error(&self) -> (String, String) {
        let json = self.json();
        let field = |f: &str| json["error"][f].as_str().unwrap_or("").to_owned();
        (field("kind"), field("message"))
    }
}

/// Sends `request` (raw bytes) on a new connection and reads the answer to the end.
fn exchange(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        body: body.to_owned(),
    }
}

fn post_with(addr: SocketAddr, path: &str, headers: &str, body: &str) -> Reply {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(addr, request.as_bytes())
}

fn eval(addr: SocketAddr, body: &str) -> Reply {
    post_with(addr, "/v1/eval", "Content-Type: application/json\r\n", body)
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    let request = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    exchange(addr, request.as_bytes())
}

fn expr_body(expr: &str) -> String {
    serde_json::json!({ "expr": expr }).to_string()
}

/// Waits (a bounded loop) until `done` holds.
fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A 94-byte expression whose inner loop compiles a new pattern each iteration: a time-limit
/// error it raises is absorbed by the outer `exists` unless limits end the evaluation. Run
/// to its cost limit, it takes many seconds.
const ABSORBED: &str = "lists.range(99999).exists(i, [1].exists(j, 'x'.matches('(x{' + string(i % 900 + 99) + '})+')))";

// --- Time ---

#[test]
fn a_limit_inside_a_quantifier_ends_the_evaluation_at_the_deadline() {
    let serve = Serve::start("absorbed", &["--no-supervisor"]);
    let reply = eval(serve.addr, &expr_body(ABSORBED));
    assert_eq!(reply.status, 422, "{reply:?}");
    let (kind, message) = reply.error();
    assert_eq!(kind, "limit");
    assert!(message.contains("time limit"), "{message}");
}

#[test]
fn two_hostile_requests_do_not_stop_healthz_or_cheap_requests() {
    let serve = Serve::start(
        "reactor",
        &[
            "--no-supervisor",
            "--eval-timeout",
            "3s",
            "--max-cost",
            "100000000",
        ],
    );
    let (send, receive) = mpsc::channel();
    for _ in 0..2 {
        let (addr, send) = (serve.addr, send.clone());
        std::thread::spawn(move || {
            let reply = eval(addr, &expr_body(ABSORBED));
            let _ = send.send(("hostile", reply.status));
        });
    }
    // Both hostile requests are being evaluated (on the two reactor threads, if they ran
    // there) before the cheap ones are sent.
    wait_until(
        "the hostile requests start",
        Duration::from_secs(30),
        || serve.metric("celd_blocking_evaluations") >= 2.0,
    );
    for path in ["/healthz", "cheap"] {
        let (addr, send) = (serve.addr, send.clone());
        std::thread::spawn(move || {
            let reply = if path == "cheap" {
                eval(addr, &expr_body("1 + 2"))
            } else {
                get(addr, path)
            };
            let _ = send.send((path, reply.status));
        });
    }
    let order: Vec<(&str, u16)> = (0..4).map(|_| receive.recv().unwrap()).collect();
    assert!(
        order[..2]
            .iter()
            .all(|(what, status)| *what != "hostile" && *status == 200),
        "{order:?}"
    );
    assert!(
        order[2..]
            .iter()
            .all(|(what, status)| *what == "hostile" && *status == 422)
    );
}

#[test]
fn patterns_compiled_without_a_loop_stop_at_the_deadline() {
    let serve = Serve::start("patterns", &["--no-supervisor"]);
    let calls: Vec<String> = (0..400)
        .map(|i| format!("'a'.matches(p + '\\\\w{{5}}{i}')"))
        .collect();
    let body = serde_json::json!({"expr": calls.join(" || "), "vars": {"p": "x"}}).to_string();
    let reply = eval(serve.addr, &body);
    assert_eq!(reply.status, 422, "{reply:?}");
    let (kind, message) = reply.error();
    assert_eq!(kind, "limit");
    assert!(message.contains("time limit"), "{message}");
}

#[test]
fn a_request_that_timed_out_is_cancelled_and_frees_its_slot_at_once() {
    let serve = Serve::start(
        "cancel",
        &[
            "--no-supervisor",
            "--max-concurrency",
            "1",
            "--request-timeout",
            "1s",
            "--eval-timeout",
            "60s",
            "--max-cost",
            "100000000000",
        ],
    );
    let reply = eval(serve.addr, &expr_body(ABSORBED));
    assert_eq!(reply.status, 503, "{reply:?}");
    // The only slot is free again: a cheap request is evaluated, not refused as overloaded.
    let cheap = eval(serve.addr, &expr_body("1 + 2"));
    assert_eq!(
        (cheap.status, cheap.body.as_str()),
        (200, r#"{"value":3,"type":"int"}"#)
    );
    // And the evaluation stopped, instead of running its minute out.
    wait_until("the evaluation stops", Duration::from_secs(20), || {
        serve.metric("celd_blocking_evaluations") == 0.0
    });
}

#[test]
fn a_client_that_goes_away_stops_its_evaluation() {
    let serve = Serve::start(
        "gone",
        &[
            "--no-supervisor",
            "--request-timeout",
            "120s",
            "--eval-timeout",
            "120s",
            "--max-cost",
            "100000000000",
        ],
    );
    let body = expr_body(ABSORBED);
    let mut stream = TcpStream::connect(serve.addr).unwrap();
    let request = format!(
        "POST /v1/eval HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    wait_until("the evaluation starts", Duration::from_secs(20), || {
        serve.metric("celd_blocking_evaluations") == 1.0
    });
    drop(stream);
    wait_until("the evaluation stops", Duration::from_secs(20), || {
        serve.metric("celd_blocking_evaluations") == 0.0
    });
}

#[test]
fn sixty_two_thousand_declarations_are_answered_within_the_request_budget() {
    let decls: serde_json::Map<String, serde_json::Value> = (0..62_000)
        .map(|i| (format!("v{i}"), serde_json::Value::from("int")))
        .collect();
    let body = serde_json::json!({"expr": "v1 + 1", "vars": {"v1": 2}, "decls": decls});
    let body = body.to_string();
    // Decoded and built, the declarations take about 30 MB: over the default request memory
    // (24 MiB), which stops the request while it is prepared.
    let default = Serve::start(
        "decls-default",
        &["--no-supervisor", "--eval-timeout", "10s"],
    );
    let reply = eval(default.addr, &body);
    let (kind, message) = reply.error();
    assert_eq!((reply.status, kind.as_str()), (422, "limit"), "{message}");
    assert!(message.contains("request memory limit"), "{message}");
    drop(default);
    // Building the environment counts against the evaluation time limit: ample here, for a
    // debug build (a release build takes about 70 ms).
    let serve = Serve::start(
        "decls",
        &[
            "--no-supervisor",
            "--eval-timeout",
            "10s",
            "--max-request-memory",
            "64MiB",
        ],
    );
    let reply = eval(serve.addr, &body);
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, r#"{"value":3,"type":"int"}"#)
    );
}

// --- Bytes ---

#[test]
fn a_response_is_bounded_while_it_is_written() {
    let serve = Serve::start("response", &["--no-supervisor", "--max-response", "1MiB"]);
    // 100 references to one 100 KB string: 10 MB of JSON.
    let body = serde_json::json!({
        "expr": "lists.range(100).map(i, s)",
        "vars": {"s": "x".repeat(100_000)},
    });
    let reply = eval(serve.addr, &body.to_string());
    assert_eq!(reply.status, 422, "{reply:?}");
    let (kind, message) = reply.error();
    assert_eq!(kind, "limit");
    assert!(
        message.contains("response limit of 1048576 bytes"),
        "{message}"
    );
    // Under the limit, the same shape is answered whole.
    let body = serde_json::json!({
        "expr": "lists.range(9).map(i, s)",
        "vars": {"s": "x".repeat(100_000)},
    });
    let reply = eval(serve.addr, &body.to_string());
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["value"].as_array().map(Vec::len), Some(9));
}

// --- Connections ---

/// Whether the server has closed `stream` (an end of stream or a reset is waiting).
fn closed_by_server(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let closed = match stream.peek(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    };
    stream.set_nonblocking(false).unwrap();
    closed
}

/// A keep-alive connection that has been answered once and now idles.
fn idle_connection(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = expr_body("1");
    let request = format!(
        "POST /v1/eval HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    stream
}

#[test]
fn idle_connections_make_room_for_new_clients_near_the_limit() {
    let serve = Serve::start(
        "crowded",
        &[
            "--no-supervisor",
            "--max-connections",
            "16",
            "--keep-alive-timeout",
            "60s",
        ],
    );
    let idle: Vec<TcpStream> = (0..16).map(|_| idle_connection(serve.addr)).collect();
    // Every connection is taken; the new client waits in the accept queue until idle ones
    // close — within a second or so, not the minute of their keep-alive time.
    let start = Instant::now();
    let reply = eval(serve.addr, &expr_body("1 + 2"));
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(start.elapsed() < Duration::from_secs(60));
    assert!(idle.iter().any(closed_by_server));
}

#[test]
fn a_slow_header_is_cut_off_long_before_an_idle_keep_alive_connection() {
    let serve = Serve::start(
        "slowloris",
        &[
            "--no-supervisor",
            "--header-read-timeout",
            "1s",
            "--keep-alive-timeout",
            "60s",
        ],
    );
    let idle = idle_connection(serve.addr);
    let mut slow = TcpStream::connect(serve.addr).unwrap();
    slow.write_all(b"POST /v1/eval HTTP/1.1\r\nHost:").unwrap();
    wait_until(
        "the slow header is cut off",
        Duration::from_secs(20),
        || closed_by_server(&slow),
    );
    assert!(
        !closed_by_server(&idle),
        "the idle connection was closed too"
    );
    // A connection that never sends anything is cut off the same way.
    let silent = TcpStream::connect(serve.addr).unwrap();
    wait_until(
        "the silent connection is cut off",
        Duration::from_secs(20),
        || closed_by_server(&silent),
    );
    assert!(!closed_by_server(&idle));
}

#[test]
fn a_client_that_never_reads_its_response_is_disconnected() {
    let serve = Serve::start("unread", &["--no-supervisor", "--write-timeout", "1s"]);
    // About 8 MB of response, far more than the socket buffers hold.
    let body = serde_json::json!({
        "expr": "lists.range(80).map(i, s)",
        "vars": {"s": "x".repeat(100_000)},
    })
    .to_string();
    let mut unread = TcpStream::connect(serve.addr).unwrap();
    let request = format!(
        "POST /v1/eval HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    unread.write_all(request.as_bytes()).unwrap();
    wait_until(
        "the response is being written",
        Duration::from_secs(20),
        || serve.metric("celd_connections_open") == 2.0,
    );
    // Only the scrape's own connection is left.
    wait_until(
        "the unread connection closes",
        Duration::from_secs(20),
        || serve.metric("celd_connections_open") == 1.0,
    );
}

#[test]
fn a_declared_body_over_the_limit_is_refused_before_it_is_sent() {
    let serve = Serve::start("declared", &["--no-supervisor"]);
    let mut stream = TcpStream::connect(serve.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    // No byte of the body follows.
    stream
        .write_all(b"POST /v1/eval HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n")
        .unwrap();
    let mut raw = vec![0u8; 4096];
    let n = stream.read(&mut raw).unwrap();
    let reply = parse_reply(&raw[..n]);
    assert_eq!(reply.status, 413, "{reply:?}");
}

// --- Memory ---

#[test]
fn sixty_four_concurrent_requests_within_their_limits_stay_under_max_rss() {
    // Scaled down from the defaults (64 × 24 MiB under 3 GiB): 64 × 8 MiB under 1 GiB.
    let serve = Serve::start(
        "concurrent",
        &[
            "--max-rss",
            "1GiB",
            "--max-request-memory",
            "8MiB",
            "--eval-timeout",
            "20s",
        ],
    );
    let worker = serve.worker_pid().expect("a worker runs");
    // Each tries to build 2,000 lists of 1,000 ints (48 MB), within the cost limit.
    let body = expr_body("lists.range(2000).map(i, lists.range(1000 + i % 2)).size()");
    let clients: Vec<_> = (0..64)
        .map(|_| {
            let (addr, body) = (serve.addr, body.clone());
            std::thread::spawn(move || eval(addr, &body))
        })
        .collect();
    for client in clients {
        let reply = client.join().unwrap();
        assert_eq!(reply.status, 422, "{reply:?}");
        let (kind, message) = reply.error();
        assert_eq!(kind, "limit");
        assert!(message.contains("memory limit"), "{message}");
    }
    let peak = peak_rss(worker).expect("the worker still runs");
    assert!(peak < 1 << 30, "the worker peaked at {} MiB", peak >> 20);
    assert_eq!(
        serve.worker_pid(),
        Some(worker),
        "the worker was not replaced"
    );
}

#[test]
fn distinct_huge_declaration_names_stay_within_the_cache_budget() {
    let serve = Serve::start(
        "names",
        &[
            "--no-supervisor",
            "--cache-bytes",
            "16MiB",
            "--eval-timeout",
            "10s",
        ],
    );
    // Each request declares one variable with a new 900 KB name: a new environment and a new
    // program, each keeping the name alive (once 1,400 of them held 3.46 GB).
    for i in 0..200 {
        let name = format!("v{i}_{}", "n".repeat(900_000));
        let body = format!(r#"{{"expr": "1 + {i}", "decls": {{"{name}": "int"}}}}"#);
        let reply = eval(serve.addr, &body);
        assert_eq!(
            reply.status,
            200,
            "{i}: {}",
            &reply.body[..reply.body.len().min(300)]
        );
    }
    let programs = serve.metric("celd_program_cache_bytes");
    let envs = serve.metric("celd_derived_env_bytes");
    // Each program keeps its 2.7 MB environment alive: over an eighth of the budget, so it
    // was evaluated and not cached.
    assert_eq!(serve.metric("celd_programs_uncached_total"), 200.0);
    assert!(
        programs <= (16 << 20) as f64,
        "programs hold {programs} bytes"
    );
    assert!(envs <= (16 << 20) as f64, "environments hold {envs} bytes");
    // The budgets (16 + 16 MiB) and the worker's own 64 MiB (README, "How the limits
    // compose"), with room for the allocator's caches: 80 MiB measured, 271 MiB and growing
    // by a name per request when the environments' memo was keyed by the names themselves.
    let rss = resident(serve.child.id()).expect("the worker runs");
    assert!(rss < 160 << 20, "the worker holds {} MiB", rss >> 20);
}

/// A process's resident memory now (`VmRSS`), in bytes.
fn resident(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS:").map(|kib| kib * 1024)
}

fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A process's peak resident memory (`VmHWM`), in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    status_kib(pid, "VmHWM:").map(|kib| kib * 1024)
}

#[test]
fn a_worker_past_the_hard_memory_ceiling_is_killed_and_replaced() {
    let serve = Serve::start(
        "hard",
        &[
            "--max-rss",
            "64MiB",
            "--max-rss-hard",
            "160MiB",
            "--max-request-memory",
            "4GiB",
            "--eval-timeout",
            "120s",
            "--request-timeout",
            "120s",
            "--max-cost",
            "100000000000",
        ],
    );
    let first = serve.worker_pid().expect("a worker runs");
    // A worker is recycled for its memory only once it has served two seconds.
    std::thread::sleep(Duration::from_millis(2500));
    // 96 MB held, a loop (the worker is replaced at 64 MiB and drains), 144 MB more, a long
    // loop: the draining worker is killed once past 160 MiB instead of growing on.
    let range = |i: usize| format!("lists.range(999990 + {i})");
    let slow = "lists.range(3000).all(i, lists.range(3000).all(j, j >= 0))";
    let entries: Vec<String> = (0..4)
        .map(range)
        .chain([slow.to_owned()])
        .chain((4..10).map(range))
        .collect();
    let expr = format!(
        "cel.block([{}], lists.range(100000).all(i, lists.range(100000).all(j, j >= 0)))",
        entries.join(", ")
    );
    let reply = eval(serve.addr, &expr_body(&expr));
    assert_eq!(
        reply.status, 0,
        "the request was cut off, not answered: {reply:?}"
    );
    wait_until("a new worker serves", Duration::from_secs(30), || {
        serve.worker_pid().is_some_and(|pid| pid != first)
            && eval(serve.addr, &expr_body("1")).status == 200
    });
    let log = serve.stderr();
    assert!(log.contains("worker memory over --max-rss"), "{log}");
    assert!(
        log.contains("draining worker over the hard memory ceiling; killing it"),
        "{log}"
    );
}

// --- The supervisor ---

#[test]
fn a_hung_worker_is_replaced() {
    let serve = Serve::start("hung", &[]);
    let first = serve.worker_pid().expect("a worker runs");
    send_signal(first, libc::SIGSTOP).unwrap();
    wait_until("a new worker serves", Duration::from_secs(30), || {
        serve.worker_pid().is_some_and(|pid| pid != first)
    });
    let reply = eval(serve.addr, &expr_body("1 + 1"));
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        serve.metric("celd_worker_recycles_total{reason=\"hung\"}"),
        1.0
    );
    // The hung worker was killed, not left stopped.
    wait_until("the hung worker is gone", Duration::from_secs(20), || {
        !std::path::Path::new(&format!("/proc/{first}")).exists()
            || std::fs::read_to_string(format!("/proc/{first}/stat"))
                .is_ok_and(|s| s.contains(") Z "))
    });
}

/// The `retry_in_ms` of each "the worker exited" log line.
fn restart_delays(stderr: &str) -> Vec<u64> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["message"] == "the worker exited; starting another")
        .filter_map(|l| l["retry_in_ms"].as_u64())
        .collect()
}

#[test]
fn the_first_crash_is_replaced_at_once_and_repeated_ones_back_off() {
    let serve = Serve::start("crash", &[]);
    for n in 1..=2 {
        let pid = serve.worker_pid().expect("a worker runs");
        send_signal(pid, libc::SIGKILL).unwrap();
        wait_until("a new worker serves", Duration::from_secs(30), || {
            serve.worker_pid().is_some_and(|p| p != pid)
                && eval(serve.addr, &expr_body("1")).status == 200
        });
        assert_eq!(restart_delays(&serve.stderr()).len(), n);
    }
    assert_eq!(restart_delays(&serve.stderr()), [0, 500]);
}

#[test]
fn sigterm_stops_accepting_at_once() {
    let serve = Serve::start(
        "sigterm",
        &["--eval-timeout", "2s", "--max-cost", "100000000000"],
    );
    // A request in progress keeps the worker draining for a while.
    let addr = serve.addr;
    let slow = std::thread::spawn(move || eval(addr, &expr_body(ABSORBED)));
    wait_until("the request runs", Duration::from_secs(20), || {
        serve.metric("celd_blocking_evaluations") == 1.0
    });
    send_signal(serve.child.id(), libc::SIGTERM).unwrap();
    wait_until(
        "new connections are refused",
        Duration::from_secs(20),
        || TcpStream::connect(serve.addr).is_err(),
    );
    // The request in progress was still answered.
    let reply = slow.join().unwrap();
    assert_eq!(reply.status, 422, "{reply:?}");
}

// --- Small ---

#[test]
fn error_messages_quote_a_bounded_excerpt_of_the_input() {
    // 900 KB names take a while to build in a debug build on a loaded machine; this test is
    // about the messages, not the time limit.
    let serve = Serve::start("excerpt", &["--no-supervisor", "--eval-timeout", "10s"]);
    let name = "n".repeat(900_000);
    let unknown_field = format!(r#"{{"expr": "1", "{name}": 1}}"#);
    let bad_variable = format!(r#"{{"expr": "1", "vars": {{"{name}": {{"$uint": "-1"}}}}}}"#);
    let bad_declaration = format!(r#"{{"expr": "1", "decls": {{"{name}": "list("}}}}"#);
    let undeclared = expr_body(&"n".repeat(90_000));
    let cases = [
        (&unknown_field, 400, "unknown field"),
        (&bad_variable, 400, "$uint"),
        (&bad_declaration, 400, "declaration"),
        (&undeclared, 422, "undeclared reference"),
    ];
    for (body, status, part) in cases {
        let reply = eval(serve.addr, body);
        let (_, message) = reply.error();
        assert_eq!(
            reply.status,
            status,
            "{part}: {}",
            &reply.body[..reply.body.len().min(300)]
        );
        assert!(
            message.contains(part),
            "{part}: {}",
            &message[..message.len().min(300)]
        );
        assert!(
            reply.body.len() < 2_000,
            "{part}: an error body of {} bytes",
            reply.body.len()
        );
    }
}

#[test]
fn json_integers_beyond_64_bits_are_errors_and_any_content_type_is_read_as_json() {
    let serve = Serve::start("integers", &["--no-supervisor"]);
    for (vars, part) in [
        (
            r#"{"x": 18446744073709551616}"#,
            "outside the range of int and uint",
        ),
        (
            r#"{"x": [1, -9223372036854775809]}"#,
            "outside the range of int and uint",
        ),
        (r#"{"x": 18446744073709551615}"#, "$uint"),
    ] {
        let reply = eval(serve.addr, &format!(r#"{{"expr": "x", "vars": {vars}}}"#));
        assert_eq!(reply.status, 400, "{vars}: {}", reply.body);
        let (kind, message) = reply.error();
        assert_eq!(kind, "request");
        assert!(message.contains(part), "{vars}: {message}");
    }
    let exact = eval(
        serve.addr,
        r#"{"expr": "x + 1", "vars": {"x": 9223372036854775806}}"#,
    );
    assert_eq!(
        exact.json()["value"],
        serde_json::json!({"$int": "9223372036854775807"})
    );
    let body = r#"{"expr": "1 + 1"}"#;
    for headers in [
        "",
        "Content-Type: text/plain\r\n",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        "Content-Type: application/json; charset=utf-8\r\n",
    ] {
        let reply = post_with(serve.addr, "/v1/eval", headers, body);
        assert_eq!(reply.status, 200, "{headers:?}: {}", reply.body);
        assert_eq!(reply.json()["value"], 2, "{headers:?}");
    }
}
