//! The console on the real binary: a supervised worker samples its figures every second, and
//! what `/debug/stats` says equals what `/metrics` says at the same moment.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

const TOKEN: &str = "console-e2e-token-41c2";

/// `celd serve` on 127.0.0.1 with a token and `--max-rss`; killed when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
}

impl Serve {
    fn start() -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_celd"))
            .args(["serve", "--listen", "127.0.0.1:0", "--max-rss", "1GiB"])
            .args(["--log-level", "warn"])
            .env("CELD_ADMIN_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .spawn()
            .expect("celd serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|a| a.parse().ok());
        let Some(addr) = addr else {
            let _ = child.kill();
            panic!("first line: {line:?}");
        };
        Serve { child, addr }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on its own connection: the status and the body.
fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\
         Authorization: Bearer {TOKEN}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}

fn stats(addr: SocketAddr) -> Json {
    let (status, body) = request(addr, "GET", "/debug/stats", "");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn a_worker_samples_every_second_and_agrees_with_metrics() {
    let serve = Serve::start();
    let a = serve.addr;
    for k in 0..30 {
        let body = format!(
            r#"{{"expr": "x + {k} > y{}", "vars": {{"x": 1, "y{0}": 2}}}}"#,
            k % 5
        );
        assert_eq!(request(a, "POST", "/v1/eval", &body).0, 200);
    }
    // The sampler runs without anyone asking: samples accumulate, a second apart.
    let start = Instant::now();
    let mut history = Vec::new();
    while start.elapsed() < Duration::from_secs(20) {
        history = stats(a)["history"].as_array().cloned().unwrap_or_default();
        if history.len() >= 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(history.len() >= 3, "{history:?}");
    let times: Vec<u64> = history
        .iter()
        .filter_map(|s| s["unix_ms"].as_u64())
        .collect();
    assert!(times.windows(2).all(|w| w[1] > w[0]), "{times:?}");
    let last = history.last().unwrap();
    assert_eq!(last["compilations"], 5, "{last}");
    assert_eq!(last["hits"], 25);

    let (status, metrics) = request(a, "GET", "/metrics", "");
    assert_eq!(status, 200);
    let s = stats(a);
    let now = &s["now"];
    for (field, name) in [
        ("programs_loaded", "celd_programs_loaded"),
        ("bytes_held", "celd_program_cache_bytes"),
        ("compilations", "celd_compilations_total"),
        ("hits", "celd_cache_hits_total"),
        ("evictions", "celd_cache_evictions_total"),
        ("storms", "celd_compile_storms_total"),
    ] {
        assert_eq!(now[field].as_f64(), metric(&metrics, name), "{field}");
    }
    let worker = &s["worker"];
    assert_eq!(
        worker["generation"].as_f64(),
        metric(&metrics, "celd_worker_generation")
    );
    assert_eq!(
        worker["max_rss_bytes"].as_f64(),
        Some(1024.0 * 1024.0 * 1024.0)
    );
    assert_eq!(
        worker["max_rss_bytes"].as_f64(),
        metric(&metrics, "celd_worker_max_rss_bytes")
    );
    // An idle worker's resident memory barely moves between two requests.
    let rss = now["rss_bytes"].as_f64().unwrap();
    let scraped = metric(&metrics, "process_resident_memory_bytes").unwrap();
    assert!((rss - scraped).abs() <= 1024.0 * 1024.0, "{rss} {scraped}");
    // The worker, not the supervisor, answers: its pid is not the one started.
    assert_ne!(worker["pid"].as_u64(), Some(u64::from(serve.child.id())));

    let (status, page) = request(a, "GET", "/console/", "");
    assert_eq!(status, 200);
    assert!(page.contains("<title>celd console</title>"));
    let (status, body) = request(a, "POST", "/v1/eval", r#"{"expr": "2 * 21", "cost": true}"#);
    assert_eq!(status, 200, "{body}");
    let answer: Json = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["value"], 42);
    assert!(
        answer["cost"].is_u64() && answer["estimate"]["max"].is_u64(),
        "{answer}"
    );
}
