//! A soak under attack (`loadgen hostile`): `celd serve` with its supervisor on loopback,
//! cheap keep-alive clients timed request by request, a few clients sending the worst
//! requests known (each bounded by a limit, answered 422, 413 or 503), slow-header clients,
//! a `/healthz` probe on a new connection every 100 ms, and the worker's memory sampled —
//! for a bounded time. What it reports is what the service promises under attack: cheap
//! requests answered fast and none lost, `/healthz` always answering, the worker under
//! `--max-rss`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::loadgen::{Connection, Workload};
use crate::loadtest::{LoadTestError, Server, client_runtime, scrape_recycles, worker_pid};
use crate::metrics::Recycles;

/// The shape of a run.
#[derive(Clone, Debug)]
pub struct AttackConfig {
    /// The `celd` binary.
    pub celd: PathBuf,
    pub duration: Duration,
    /// Keep-alive clients sending a cheap cached request back to back.
    pub cheap: usize,
    /// Clients sending the hostile requests in turn.
    pub hostile: usize,
    /// Clients that send a request head a byte a second.
    pub slow: usize,
    /// More `celd serve` flags.
    pub extra_args: Vec<String>,
}

/// What a run saw.
#[derive(Clone, Debug)]
pub struct AttackReport {
    pub elapsed: Duration,
    /// Cheap requests answered, and those lost (no answer, or not 200).
    pub cheap: u64,
    pub cheap_lost: u64,
    /// Latency of the cheap requests, in microseconds: p50, p99, p99.9, max.
    pub cheap_micros: [u64; 4],
    /// `/healthz` probes answered 200, probes that failed, the slowest in microseconds.
    pub probes: u64,
    pub probes_failed: u64,
    pub probe_max_micros: u64,
    /// Hostile requests answered, by status: 200 (within every limit, as a new 900 KB
    /// declaration name is), 422, 413, 503, other; and sent without an answer.
    pub hostile_by_status: [u64; 5],
    pub hostile_unanswered: u64,
    /// Slow-header connections the server cut off.
    pub slow_cut: u64,
    /// The highest resident memory of a worker seen (its `VmHWM`), in bytes.
    pub peak_worker_rss: u64,
    pub recycles: Recycles,
}

impl std::fmt::Display for AttackReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [p50, p99, p999, max] = self.cheap_micros.map(|m| m as f64 / 1000.0);
        let [s200, s422, s413, s503, other] = self.hostile_by_status;
        let r = self.recycles;
        writeln!(
            f,
            "cheap: {} answered in {:.1}s, {} lost; latency p50 {p50:.2} ms, p99 {p99:.2} ms, \
             p99.9 {p999:.2} ms, max {max:.2} ms",
            self.cheap,
            self.elapsed.as_secs_f64(),
            self.cheap_lost
        )?;
        writeln!(
            f,
            "/healthz: {} answered, {} failed, slowest {:.2} ms",
            self.probes,
            self.probes_failed,
            self.probe_max_micros as f64 / 1000.0
        )?;
        writeln!(
            f,
            "hostile: 200 {s200}, 422 {s422}, 413 {s413}, 503 {s503}, other {other}, unanswered {}; \
             slow-header connections cut {}",
            self.hostile_unanswered, self.slow_cut
        )?;
        write!(
            f,
            "worker peak RSS {:.0} MiB; recycles signal {}, rss {}, exit {}, hung {}",
            self.peak_worker_rss as f64 / (1 << 20) as f64,
            r.signal,
            r.rss,
            r.exit,
            r.hung
        )
    }
}

/// The hostile requests, each the worst of its kind from the service's limit tests.
pub fn hostile_bodies() -> Vec<String> {
    let json = |v: serde_json::Value| v.to_string();
    let runtime_patterns: Vec<String> = (0..400)
        .map(|i| format!("'x'.matches('(x{{' + string({i} + 99) + '}})+')"))
        .collect();
    let constant_patterns: Vec<String> = (0..400)
        .map(|i| format!("'x'.matches('(x{{{}}}){{50}}')", 100 + i))
        .collect();
    let decls: serde_json::Map<String, serde_json::Value> = (0..60_000)
        .map(|i| (format!("v{i}"), serde_json::Value::from("int")))
        .collect();
    vec![
        // A limit inside nested quantifiers, which an `exists` must not absorb.
        json(serde_json::json!({"expr":
            "lists.range(99999).exists(i, [1].exists(j, 'x'.matches('(x{' + string(i % 900 + 99) + '})+')))"})),
        // 400 run-time patterns without a loop.
        json(serde_json::json!({"expr": runtime_patterns.join(" || ")})),
        // 400 constant patterns to compile.
        json(serde_json::json!({"expr": constant_patterns.join(" || ")})),
        // 60,000 declarations to build an environment of.
        json(serde_json::json!({"expr": "v1 + 1", "vars": {"v1": 1}, "decls": decls})),
        // A 900 KB string referenced 20,000 times in the response.
        json(serde_json::json!({"expr": "lists.range(20000).map(i, s)",
            "vars": {"s": "s".repeat(900_000)}})),
        // 48 MB of lists, over the request's memory limit.
        json(
            serde_json::json!({"expr": "lists.range(2000).map(i, lists.range(1000 + i % 2)).size()"}),
        ),
        // A loop to the cost limit.
        json(
            serde_json::json!({"expr": "lists.range(1000).map(a, lists.range(1000).map(b, a + b)).size()"}),
        ),
    ]
}

/// A 900 KB declaration name, new for every `n`: a new environment and program each time.
fn huge_name_body(n: u64) -> String {
    let name = format!("v{n}_{}", "n".repeat(900_000));
    format!(r#"{{"expr": "1 + {n}", "decls": {{"{name}": "int"}}}}"#)
}

#[derive(Default)]
struct Tally {
    hostile_by_status: [AtomicU64; 5],
    hostile_unanswered: AtomicU64,
    slow_cut: AtomicU64,
    probes: AtomicU64,
    probes_failed: AtomicU64,
    probe_max_micros: AtomicU64,
    cheap_lost: AtomicU64,
    next: AtomicU64,
}

/// Starts `celd serve`, runs the attack for `config.duration`, reads the recycles and stops
/// the server.
pub fn attack(config: &AttackConfig) -> Result<AttackReport, LoadTestError> {
    let mut args: Vec<String> = ["serve", "--listen", "127.0.0.1:0", "--log-level", "error"]
        .map(String::from)
        .to_vec();
    args.extend(config.extra_args.iter().cloned());
    let server = Server::start(&config.celd, &args)?;
    let addr = server.addr;
    let supervisor = server.pid();
    let bodies = Arc::new(hostile_bodies());
    let tally = Arc::new(Tally::default());
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || sample_peak_rss(supervisor, &done))
    };
    let runtime = client_runtime(1)?;
    let start = Instant::now();
    let deadline = start + config.duration;
    let latencies = runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..config.hostile {
            let (bodies, tally) = (bodies.clone(), tally.clone());
            tasks.spawn(async move {
                hostile_client(addr, &bodies, &tally, deadline).await;
                Vec::new()
            });
        }
        for _ in 0..config.slow {
            let tally = tally.clone();
            tasks.spawn(async move {
                slow_client(addr, &tally, deadline).await;
                Vec::new()
            });
        }
        {
            let tally = tally.clone();
            tasks.spawn(async move {
                probe(addr, &tally, deadline).await;
                Vec::new()
            });
        }
        for _ in 0..config.cheap {
            let tally = tally.clone();
            tasks.spawn(async move { cheap_client(addr, &tally, deadline).await });
        }
        let mut all = Vec::new();
        while let Some(done) = tasks.join_next().await {
            all.extend(done.unwrap_or_default());
        }
        all
    });
    let elapsed = start.elapsed();
    done.store(true, Ordering::Relaxed);
    let peak_worker_rss = sampler.join().unwrap_or(0);
    let (recycles, _) = runtime.block_on(scrape_recycles(addr))?;
    server.stop(Duration::from_secs(40))?;
    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    Ok(AttackReport {
        elapsed,
        cheap: latencies.len() as u64,
        cheap_lost: get(&tally.cheap_lost),
        cheap_micros: percentiles(latencies),
        probes: get(&tally.probes),
        probes_failed: get(&tally.probes_failed),
        probe_max_micros: get(&tally.probe_max_micros),
        hostile_by_status: tally.hostile_by_status.each_ref().map(get),
        hostile_unanswered: get(&tally.hostile_unanswered),
        slow_cut: get(&tally.slow_cut),
        peak_worker_rss,
        recycles,
    })
}

/// p50, p99, p99.9 and the maximum of `micros`.
fn percentiles(mut micros: Vec<u64>) -> [u64; 4] {
    if micros.is_empty() {
        return [0; 4];
    }
    micros.sort_unstable();
    let at = |q: f64| micros[((micros.len() - 1) as f64 * q).round() as usize];
    [at(0.5), at(0.99), at(0.999), at(1.0)]
}

/// Cheap cached requests back to back on one keep-alive connection: the latency of each
/// answered one; a request without a 200 answer is lost.
async fn cheap_client(addr: SocketAddr, tally: &Tally, deadline: Instant) -> Vec<u64> {
    let Workload::Fixed(body) = Workload::standard() else {
        return Vec::new();
    };
    let mut latencies = Vec::new();
    let mut conn: Option<Connection> = None;
    while Instant::now() < deadline {
        let Some(c) = conn.as_mut() else {
            conn = connect(addr).await;
            if conn.is_none() {
                tally.cheap_lost.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            continue;
        };
        let start = Instant::now();
        match c.exchange("/v1/eval", &body).await {
            Ok(answer) => {
                latencies.push(start.elapsed().as_micros() as u64);
                if answer.status != 200 {
                    tally.cheap_lost.fetch_add(1, Ordering::Relaxed);
                }
                if answer.close {
                    conn = None;
                }
            }
            Err(_) => {
                tally.cheap_lost.fetch_add(1, Ordering::Relaxed);
                conn = None;
            }
        }
    }
    latencies
}

/// The hostile requests in turn, and every fourth time a new 900 KB declaration name.
async fn hostile_client(addr: SocketAddr, bodies: &[String], tally: &Tally, deadline: Instant) {
    let mut conn: Option<Connection> = None;
    while Instant::now() < deadline {
        let Some(c) = conn.as_mut() else {
            conn = connect(addr).await;
            if conn.is_none() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            continue;
        };
        let n = tally.next.fetch_add(1, Ordering::Relaxed);
        let generated;
        let body = if n % 4 == 3 {
            generated = huge_name_body(n);
            &generated
        } else {
            &bodies[(n as usize) % bodies.len()]
        };
        match c.exchange("/v1/eval", body).await {
            Ok(answer) => {
                let class = match answer.status {
                    200 => 0,
                    422 => 1,
                    413 => 2,
                    503 => 3,
                    _ => 4,
                };
                tally.hostile_by_status[class].fetch_add(1, Ordering::Relaxed);
                if answer.close {
                    conn = None;
                }
            }
            Err(_) => {
                tally.hostile_unanswered.fetch_add(1, Ordering::Relaxed);
                conn = None;
            }
        }
    }
}

/// A request head sent a byte a second, until the server cuts the connection; again.
async fn slow_client(addr: SocketAddr, tally: &Tally, deadline: Instant) {
    let head = b"POST /v1/eval HTTP/1.1\r\nHost: celd\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa";
    while Instant::now() < deadline {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        for byte in head.iter().cycle() {
            if Instant::now() >= deadline {
                return;
            }
            if stream.write_all(&[*byte]).await.is_err() {
                tally.slow_cut.fetch_add(1, Ordering::Relaxed);
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// `GET /healthz` on a new connection every 100 ms, as a liveness probe does; each must be
/// answered 200 within 1 s.
async fn probe(addr: SocketAddr, tally: &Tally, deadline: Instant) {
    while Instant::now() < deadline {
        let start = Instant::now();
        let answered = tokio::time::timeout(Duration::from_secs(1), async {
            let mut c = connect(addr).await?;
            c.get("/healthz", "Connection: close\r\n").await.ok()
        })
        .await;
        match answered {
            Ok(Some(answer)) if answer.status == 200 => {
                tally.probes.fetch_add(1, Ordering::Relaxed);
                let micros = start.elapsed().as_micros() as u64;
                tally.probe_max_micros.fetch_max(micros, Ordering::Relaxed);
            }
            _ => {
                tally.probes_failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn connect(addr: SocketAddr) -> Option<Connection> {
    let stream = TcpStream::connect(addr).await.ok()?;
    let _ = stream.set_nodelay(true);
    Some(Connection::new(stream))
}

/// The highest `VmHWM` of the supervisor's workers, sampled every 200 ms until `done`.
fn sample_peak_rss(supervisor: u32, done: &AtomicBool) -> u64 {
    let mut peak = 0;
    while !done.load(Ordering::Relaxed) {
        if let Some(worker) = worker_pid(supervisor) {
            peak = peak.max(high_water_mark(worker).unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    peak
}

/// A process's peak resident memory (`VmHWM` in `/proc/PID/status`), in bytes.
fn high_water_mark(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_bodies_are_requests_under_the_body_limit() {
        for body in hostile_bodies().iter().chain([&huge_name_body(7)]) {
            let request: crate::api::EvalRequest = serde_json::from_str(body).unwrap();
            assert!(!request.expr.is_empty());
            assert!(body.len() < 1 << 20, "{} bytes", body.len());
        }
    }

    #[test]
    fn percentiles_pick_ranks() {
        let micros: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentiles(micros), [501, 990, 999, 1000]);
        assert_eq!(percentiles(Vec::new()), [0; 4]);
    }
}
