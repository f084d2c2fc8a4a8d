//! Load tests against real processes on loopback: [`soak`] starts `celd serve` (with its
//! supervisor), drives keep-alive load through worker recycles and reports what was lost;
//! [`bench`] measures `/v1/eval` against a bare axum handler in the same run. Both are bounded
//! in time and stop the processes they start.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::loadgen::{self, Counts, LoadConfig, Workload};
use crate::metrics::Recycles;
use crate::process::send_signal;

/// A load test that could not run (a process did not start, a scrape failed).
#[derive(Debug)]
pub struct LoadTestError(pub String);

impl std::fmt::Display for LoadTestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadTestError {}

/// A server process started for a test; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `program args...`, which must print `listening on http://ADDR` as its first
    /// line on stdout.
    pub fn start(program: &PathBuf, args: &[String]) -> Result<Server, LoadTestError> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| LoadTestError(format!("cannot start {}: {e}", program.display())))?;
        let addr = first_line_address(&mut child);
        match addr {
            Ok(addr) => Ok(Server { child, addr }),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(e)
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits up to `timeout` for the exit; kills it after that.
    pub fn stop(mut self, timeout: Duration) -> Result<std::process::ExitStatus, LoadTestError> {
        let _ = send_signal(self.child.id(), libc::SIGTERM);
        let start = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if start.elapsed() < timeout => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => {
                    let _ = self.child.kill();
                    return Err(LoadTestError(format!(
                        "server did not stop within {timeout:?}"
                    )));
                }
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = send_signal(self.child.id(), libc::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn first_line_address(child: &mut Child) -> Result<SocketAddr, LoadTestError> {
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| LoadTestError("stdout is not piped".into()))?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| LoadTestError(format!("reading the server's first line: {e}")))?;
    line.trim()
        .strip_prefix("listening on http://")
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| LoadTestError(format!("unexpected first line from the server: {line:?}")))
}

/// A zero-loss run: load through recycles.
#[derive(Clone, Debug)]
pub struct SoakConfig {
    /// The `celd` binary.
    pub celd: PathBuf,
    pub connections: usize,
    pub duration: Duration,
    /// Send SIGHUP to the supervisor this often.
    pub sighup_every: Option<Duration>,
    /// `--max-rss` for the supervisor (recycles when a worker's memory passes it).
    pub max_rss: Option<String>,
    pub workload: Workload,
    /// Random pauses between a client's requests (see `LoadConfig::pause`).
    pub pause: Option<Duration>,
    /// More `celd serve` flags.
    pub extra_args: Vec<String>,
}

/// What a zero-loss run saw.
#[derive(Clone, Debug)]
pub struct SoakReport {
    pub counts: Counts,
    pub elapsed: Duration,
    pub sighups_sent: u64,
    /// Recycles as the last worker's `/metrics` reports them.
    pub recycles: Recycles,
    pub generation: u64,
}

impl std::fmt::Display for SoakReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self.recycles;
        write!(
            f,
            "{} in {:.1}s ({:.0} req/s); SIGHUPs sent {}; recycles signal {}, rss {}, exit {}; \
             last worker generation {}",
            self.counts,
            self.elapsed.as_secs_f64(),
            self.counts.requests as f64 / self.elapsed.as_secs_f64(),
            self.sighups_sent,
            r.signal,
            r.rss,
            r.exit,
            self.generation
        )
    }
}

/// Starts `celd serve` with its supervisor, runs the load while recycles happen, then reads
/// the recycle counts from `/metrics` and stops the server.
pub fn soak(config: &SoakConfig) -> Result<SoakReport, LoadTestError> {
    let mut args: Vec<String> = ["serve", "--listen", "127.0.0.1:0", "--log-level", "warn"]
        .map(String::from)
        .to_vec();
    if let Some(max_rss) = &config.max_rss {
        args.extend(["--max-rss".to_owned(), max_rss.clone()]);
    }
    args.extend(config.extra_args.iter().cloned());
    let server = Server::start(&config.celd, &args)?;
    let load = LoadConfig {
        addr: server.addr,
        connections: config.connections,
        duration: config.duration,
        path: "/v1/eval".into(),
        workload: config.workload.clone(),
        pause: config.pause,
    };
    let runtime = client_runtime(1)?;
    let start = Instant::now();
    let (counts, sighups_sent) = runtime.block_on(async {
        let hangups = tokio::spawn(send_hangups(
            server.pid(),
            config.sighup_every,
            config.duration,
        ));
        let counts = loadgen::run(&load).await;
        (counts, hangups.await.unwrap_or(0))
    });
    let elapsed = start.elapsed();
    // Let a replacement in progress finish, so the scrape reaches the newest worker.
    std::thread::sleep(Duration::from_millis(1500));
    let (recycles, generation) = runtime.block_on(scrape_recycles(server.addr))?;
    server.stop(Duration::from_secs(40))?;
    Ok(SoakReport {
        counts,
        elapsed,
        sighups_sent,
        recycles,
        generation,
    })
}

/// The clients' runtime: `threads` threads (one leaves the other cores to the server).
pub(crate) fn client_runtime(threads: usize) -> Result<tokio::runtime::Runtime, LoadTestError> {
    let mut builder = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| LoadTestError(format!("runtime: {e}")))
}

/// SIGHUP to `pid` every `every` while the load runs (none in its last second, so the last
/// replacement completes before the scrape).
async fn send_hangups(pid: u32, every: Option<Duration>, duration: Duration) -> u64 {
    let Some(every) = every else { return 0 };
    let end = Instant::now() + duration.saturating_sub(Duration::from_secs(1));
    let mut sent = 0;
    loop {
        tokio::time::sleep(every).await;
        if Instant::now() >= end {
            return sent;
        }
        if send_signal(pid, libc::SIGHUP).is_ok() {
            sent += 1;
        }
    }
}

pub(crate) async fn scrape_recycles(addr: SocketAddr) -> Result<(Recycles, u64), LoadTestError> {
    let answer = loadgen::fetch(addr, "/metrics")
        .await
        .map_err(|e| LoadTestError(format!("scraping /metrics: {}", e.0)))?;
    let text = String::from_utf8_lossy(&answer.body);
    let read = |name: &str| loadgen::metric(&text, name).unwrap_or(0.0) as u64;
    let recycles = Recycles {
        signal: read("celd_worker_recycles_total{reason=\"signal\"}"),
        rss: read("celd_worker_recycles_total{reason=\"rss\"}"),
        exit: read("celd_worker_recycles_total{reason=\"exit\"}"),
        hung: read("celd_worker_recycles_total{reason=\"hung\"}"),
    };
    Ok((recycles, read("celd_worker_generation")))
}

/// A throughput comparison on keep-alive connections.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    pub celd: PathBuf,
    /// The program that serves the bare handler (`loadgen bare`).
    pub bare: PathBuf,
    pub connections: usize,
    pub duration: Duration,
    pub warmup: Duration,
    /// Rounds that `duration` is split into, alternating between the two servers.
    pub rounds: u32,
    /// Threads of the load generator.
    pub client_threads: usize,
    /// More `celd serve` flags.
    pub extra_args: Vec<String>,
}

/// One server's figures.
#[derive(Clone, Debug)]
pub struct Throughput {
    pub counts: Counts,
    pub requests_per_second: f64,
    /// CPU time the serving process spent per request, in microseconds.
    pub cpu_micros_per_request: f64,
}

impl std::fmt::Display for Throughput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} req/s, {:.1} µs server CPU per request ({})",
            self.requests_per_second, self.cpu_micros_per_request, self.counts
        )
    }
}

/// Runs the same load against the bare handler and `/v1/eval` of `x + y * z` on celd, both
/// servers up at once and measured in alternating rounds, so that a burst of other work on the
/// machine falls on both alike.
pub fn bench(config: &BenchConfig) -> Result<(Throughput, Throughput), LoadTestError> {
    let bare_args = ["bare", "--listen", "127.0.0.1:0"]
        .map(String::from)
        .to_vec();
    let bare = Server::start(&config.bare, &bare_args)?;
    let mut args: Vec<String> = ["serve", "--listen", "127.0.0.1:0", "--log-level", "warn"]
        .map(String::from)
        .to_vec();
    args.extend(config.extra_args.iter().cloned());
    let celd = Server::start(&config.celd, &args)?;
    let celd_pid = worker_pid(celd.pid()).unwrap_or(celd.pid());
    let runtime = client_runtime(config.client_threads)?;
    let (mut bare_total, mut celd_total) = (Totals::default(), Totals::default());
    for server in [bare.addr, celd.addr] {
        runtime.block_on(loadgen::run(&bench_load(config, server, config.warmup)));
    }
    let rounds = config.rounds.max(1);
    let slice = config.duration / rounds;
    for _ in 0..rounds {
        bare_total.add(measure(&runtime, config, bare.addr, bare.pid(), slice));
        celd_total.add(measure(&runtime, config, celd.addr, celd_pid, slice));
    }
    drop(bare);
    celd.stop(Duration::from_secs(40))?;
    Ok((bare_total.throughput(), celd_total.throughput()))
}

fn bench_load(config: &BenchConfig, addr: SocketAddr, duration: Duration) -> LoadConfig {
    LoadConfig {
        addr,
        connections: config.connections,
        duration,
        path: "/v1/eval".into(),
        workload: Workload::standard(),
        pause: None,
    }
}

/// Requests, wall time and server CPU time summed over rounds.
#[derive(Default)]
struct Totals {
    counts: Counts,
    seconds: f64,
    cpu_seconds: f64,
}

impl Totals {
    fn add(&mut self, (counts, seconds, cpu_seconds): (Counts, f64, f64)) {
        let c = &mut self.counts;
        c.requests += counts.requests;
        c.failures += counts.failures;
        c.connect_errors += counts.connect_errors;
        c.non_2xx += counts.non_2xx;
        c.closed_by_server += counts.closed_by_server;
        if c.first_non_2xx.is_none() {
            c.first_non_2xx = counts.first_non_2xx;
        }
        self.seconds += seconds;
        self.cpu_seconds += cpu_seconds;
    }

    fn throughput(&self) -> Throughput {
        Throughput {
            counts: self.counts.clone(),
            requests_per_second: self.counts.requests as f64 / self.seconds.max(1e-9),
            cpu_micros_per_request: self.cpu_seconds * 1e6 / self.counts.requests.max(1) as f64,
        }
    }
}

/// One round against one server: its counts, the wall time and the server's CPU time.
fn measure(
    runtime: &tokio::runtime::Runtime,
    config: &BenchConfig,
    addr: SocketAddr,
    pid: u32,
    duration: Duration,
) -> (Counts, f64, f64) {
    let cpu_before = cpu_ticks(pid);
    let start = Instant::now();
    let counts = runtime.block_on(loadgen::run(&bench_load(config, addr, duration)));
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_ticks(pid).saturating_sub(cpu_before) as f64 / ticks_per_second();
    (counts, seconds, cpu)
}

/// The supervisor's worker: its child process.
pub(crate) fn worker_pid(supervisor: u32) -> Option<u32> {
    let path = format!("/proc/{supervisor}/task/{supervisor}/children");
    std::fs::read_to_string(path)
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// User plus system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // Fields after the parenthesized command name; utime and stime are the 14th and 15th.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}
