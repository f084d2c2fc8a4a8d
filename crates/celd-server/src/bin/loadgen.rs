//! `loadgen`: load tests for `celd serve` on loopback.
//!
//! ```text
//! loadgen soak  [--connections 64] [--duration 60s] [--sighup-every 5s] [--max-rss SIZE] [--distinct]
//!               [--pause-max DURATION] [--serve-arg=--FLAG=VALUE ...]
//! loadgen hostile [--duration 60s] [--cheap 24] [--hostile 6] [--slow 16] [--serve-arg=...]
//! loadgen bench [--connections 32] [--duration 20s] [--rounds 4] [--client-threads 2]
//! loadgen run   --addr ADDR [--connections 64] [--duration 10s]
//! loadgen bare  [--listen 127.0.0.1:0]      # the bare axum handler `bench` compares with
//! ```
//!
//! `soak` and `bench` start `celd` (by default the `celd` binary next to this one) and stop it.
//! `soak` exits 1 if any request was lost; `hostile` if a cheap request was lost or a
//! `/healthz` probe went unanswered for a second.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use axum::Json;
use axum::routing::post;
use celd_server::attack::{AttackConfig, attack};
use celd_server::config::parse_duration;
use celd_server::loadgen::{self, LoadConfig, Workload};
use celd_server::loadtest::{self, BenchConfig, SoakConfig};
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "loadgen",
    about = "Keep-alive HTTP load for celd serve, on loopback"
)]
struct Cli {
    #[command(subcommand)]
    command: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Start celd, load it while workers are recycled, and count what was lost.
    Soak(SoakArgs),
    /// Start celd and load it with cheap requests while hostile clients attack it.
    Hostile(HostileArgs),
    /// Requests per second of /v1/eval (`x + y * z`) against a bare axum handler.
    Bench(BenchArgs),
    /// Load a server that is already running.
    Run(RunArgs),
    /// Serve the bare handler: POST /v1/eval answers a constant JSON body.
    Bare(BareArgs),
}

#[derive(Args)]
struct Common {
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// How long to send requests.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    duration: Duration,
    /// Pause a random time up to this between a client's requests (idle keep-alive
    /// connections), checking for a closed connection before reuse.
    #[arg(long, value_parser = parse_duration)]
    pause_max: Option<Duration>,
}

#[derive(Args)]
struct SoakArgs {
    #[command(flatten)]
    common: Common,
    /// The celd binary (default: `celd` next to this program).
    #[arg(long)]
    celd: Option<PathBuf>,
    /// Send SIGHUP to the supervisor this often.
    #[arg(long, value_parser = parse_duration)]
    sighup_every: Option<Duration>,
    /// Pass --max-rss SIZE to celd serve.
    #[arg(long)]
    max_rss: Option<String>,
    /// A new expression structure per request (fills the program cache).
    #[arg(long)]
    distinct: bool,
    /// More flags for celd serve, such as --cache-bytes=16MiB.
    #[arg(long = "serve-arg", allow_hyphen_values = true)]
    serve_args: Vec<String>,
}

#[derive(Args)]
struct HostileArgs {
    /// How long the attack lasts.
    #[arg(long, value_parser = parse_duration, default_value = "60s")]
    duration: Duration,
    /// Keep-alive clients sending a cheap cached request (`x + y * z`), timed.
    #[arg(long, default_value_t = 24)]
    cheap: usize,
    /// Clients sending the worst requests known, in turn.
    #[arg(long, default_value_t = 6)]
    hostile: usize,
    /// Clients sending a request head a byte a second.
    #[arg(long, default_value_t = 16)]
    slow: usize,
    #[arg(long)]
    celd: Option<PathBuf>,
    /// More flags for celd serve, such as --max-rss=1GiB.
    #[arg(long = "serve-arg", allow_hyphen_values = true)]
    serve_args: Vec<String>,
}

#[derive(Args)]
struct BenchArgs {
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// How long to measure each server (split into rounds that alternate between them).
    #[arg(long, value_parser = parse_duration, default_value = "20s")]
    duration: Duration,
    /// Rounds per server.
    #[arg(long, default_value_t = 4)]
    rounds: u32,
    #[arg(long)]
    celd: Option<PathBuf>,
    /// Threads of the load generator.
    #[arg(long, default_value_t = 2)]
    client_threads: usize,
    /// More flags for celd serve, such as --offload=always.
    #[arg(long = "serve-arg", allow_hyphen_values = true)]
    serve_args: Vec<String>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long)]
    addr: SocketAddr,
    #[arg(long)]
    distinct: bool,
}

#[derive(Args)]
struct BareArgs {
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Mode::Soak(args) => soak(args),
        Mode::Hostile(args) => hostile(args),
        Mode::Bench(args) => bench(args),
        Mode::Run(args) => run(args),
        Mode::Bare(args) => bare(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("loadgen: {message}");
            ExitCode::from(2)
        }
    }
}

fn sibling_celd(given: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(path) = given {
        return Ok(path);
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    Ok(me.with_file_name("celd"))
}

fn workload(distinct: bool) -> Workload {
    if distinct {
        Workload::Distinct
    } else {
        Workload::standard()
    }
}

fn soak(args: SoakArgs) -> Result<ExitCode, String> {
    let config = SoakConfig {
        celd: sibling_celd(args.celd)?,
        connections: args.common.connections,
        duration: args.common.duration,
        sighup_every: args.sighup_every,
        max_rss: args.max_rss,
        workload: workload(args.distinct),
        pause: args.common.pause_max,
        extra_args: args.serve_args,
    };
    let report = loadtest::soak(&config).map_err(|e| e.to_string())?;
    println!("{report}");
    let lost = report.counts.lost();
    println!(
        "{}: {lost} lost",
        if lost == 0 { "zero loss" } else { "LOSS" }
    );
    Ok(if lost == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn hostile(args: HostileArgs) -> Result<ExitCode, String> {
    let config = AttackConfig {
        celd: sibling_celd(args.celd)?,
        duration: args.duration,
        cheap: args.cheap,
        hostile: args.hostile,
        slow: args.slow,
        extra_args: args.serve_args,
    };
    let report = attack(&config).map_err(|e| e.to_string())?;
    println!("{report}");
    let held = report.cheap_lost == 0 && report.probes_failed == 0;
    Ok(if held {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn bench(args: BenchArgs) -> Result<ExitCode, String> {
    let config = BenchConfig {
        celd: sibling_celd(args.celd)?,
        bare: std::env::current_exe().map_err(|e| e.to_string())?,
        connections: args.connections,
        duration: args.duration,
        warmup: Duration::from_secs(1),
        rounds: args.rounds,
        client_threads: args.client_threads,
        extra_args: args.serve_args,
    };
    let (bare, celd) = loadtest::bench(&config).map_err(|e| e.to_string())?;
    println!("bare axum handler: {bare}");
    println!("celd /v1/eval:     {celd}");
    println!(
        "celd / bare: {:.0} % of the requests per second",
        100.0 * celd.requests_per_second / bare.requests_per_second.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let config = LoadConfig {
        addr: args.addr,
        connections: args.common.connections,
        duration: args.common.duration,
        path: "/v1/eval".into(),
        workload: workload(args.distinct),
        pause: args.common.pause_max,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let counts = runtime.block_on(loadgen::run(&config));
    println!(
        "{counts}; {:.0} req/s",
        counts.requests as f64 / config.duration.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// The comparison point: axum's own `serve` with a handler that returns a constant.
fn bare(args: BareArgs) -> Result<ExitCode, String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening on http://{addr}");
        let app = axum::Router::new().route(
            "/v1/eval",
            post(|| async { Json(serde_json::json!({"value": 7, "type": "int"})) }),
        );
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| e.to_string())?;
        tokio::select! {
            r = axum::serve(listener, app).with_graceful_shutdown(shutdown) => r.map_err(|e| e.to_string()),
            _ = term.recv() => Ok(()),
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
