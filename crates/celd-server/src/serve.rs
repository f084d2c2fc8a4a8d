//! `celd serve`: picks the role — supervisor (the default), single worker
//! (`--no-supervisor`), or a supervisor's worker (`--worker`, with the socket and readiness
//! pipe in `CELD_*` variables) — gets the listening socket and runs it.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::RawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::ServiceConfig;
use crate::listener;
use crate::logging::{self, LogFormat};
use crate::metrics::Recycles;
use crate::supervisor::{self, SupervisorOptions};
use crate::worker::{self, Readiness};

/// The listening socket a worker inherits.
pub const LISTEN_FD_VAR: &str = "CELD_LISTEN_FD";
/// The write end of the readiness pipe a worker inherits.
pub const READY_FD_VAR: &str = "CELD_READY_FD";
/// The worker's generation: 1 for the first worker, one more for each replacement.
pub const GENERATION_VAR: &str = "CELD_WORKER_GENERATION";
/// Recycles before this worker, by reason: `signal=1,rss=0,exit=0`.
pub const RECYCLES_VAR: &str = "CELD_WORKER_RECYCLES";

/// A failure to serve (not a request's failure): bad socket, bad configuration.
#[derive(Debug)]
pub struct ServeError(pub String);

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServeError {}

impl From<listener::ListenError> for ServeError {
    fn from(e: listener::ListenError) -> ServeError {
        ServeError(e.0)
    }
}

/// Which process this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Own the socket and run workers as children.
    Supervisor,
    /// Serve in this process (for containers that restart themselves).
    Single,
    /// A supervisor's worker.
    Worker,
}

/// Everything `celd serve` was asked to do.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub role: Role,
    pub listen: SocketAddr,
    pub service: ServiceConfig,
    pub max_rss: Option<u64>,
    /// Kill a worker past this resident memory (default 1.5 times `max_rss`).
    pub max_rss_hard: Option<u64>,
    pub drain_timeout: Duration,
    pub ready_file: Option<PathBuf>,
    pub log_format: LogFormat,
    pub log_level: String,
    /// The arguments after the program name, to start workers with.
    pub worker_args: Vec<std::ffi::OsString>,
}

/// What a supervisor tells its worker, through environment variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerEnv {
    pub listen_fd: RawFd,
    pub ready_fd: RawFd,
    pub generation: u64,
    pub recycles: Recycles,
}

impl WorkerEnv {
    pub fn to_vars(&self) -> [(&'static str, String); 4] {
        [
            (LISTEN_FD_VAR, self.listen_fd.to_string()),
            (READY_FD_VAR, self.ready_fd.to_string()),
            (GENERATION_VAR, self.generation.to_string()),
            (RECYCLES_VAR, self.recycles.to_env()),
        ]
    }

    /// Reads the variables a supervisor sets; both descriptors are required.
    pub fn from_env() -> Result<WorkerEnv, ServeError> {
        let fd = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<RawFd>().ok())
                .ok_or_else(|| ServeError(format!("--worker needs {name} (set by celd serve)")))
        };
        let generation = std::env::var(GENERATION_VAR)
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(1);
        let recycles = std::env::var(RECYCLES_VAR)
            .map(|v| Recycles::from_env(&v))
            .unwrap_or_default();
        Ok(WorkerEnv {
            listen_fd: fd(LISTEN_FD_VAR)?,
            ready_fd: fd(READY_FD_VAR)?,
            generation,
            recycles,
        })
    }
}

/// Runs `celd serve` in its role until it is told to stop.
pub fn run(options: ServeOptions) -> Result<(), ServeError> {
    logging::init(options.log_format, &options.log_level);
    match options.role {
        Role::Worker => run_worker(options),
        Role::Single => {
            let listener = listen(options.listen)?;
            let readiness = Readiness::Announce(options.ready_file.clone());
            worker::run(listener, options.service, options.drain_timeout, readiness)
        }
        Role::Supervisor => {
            let bound = options.service.memory_bound();
            if let Some(max) = options.max_rss.filter(|&max| max < bound) {
                tracing::warn!(
                    max_rss = max,
                    bound,
                    "--max-rss is below what the limits allow a worker to hold \
                     (--max-concurrency × (--max-request-memory + --max-response + --max-body) \
                     + --cache-bytes + …): a busy worker may be recycled or killed"
                );
            }
            let listener = listen(options.listen)?;
            let supervisor_options = SupervisorOptions {
                worker_args: options.worker_args,
                max_rss: options.max_rss,
                max_rss_hard: options.max_rss_hard,
                drain_timeout: options.drain_timeout,
                ready_file: options.ready_file,
            };
            supervisor::run(listener, supervisor_options)
        }
    }
}

fn run_worker(options: ServeOptions) -> Result<(), ServeError> {
    let env = WorkerEnv::from_env()?;
    let listener = listener::from_fd(env.listen_fd)?;
    let mut service = options.service;
    service.generation = env.generation;
    service.recycles = env.recycles;
    worker::run(
        listener,
        service,
        options.drain_timeout,
        Readiness::Pipe(env.ready_fd),
    )
}

/// systemd's socket if one was passed, else a new one bound to `addr`.
fn listen(addr: SocketAddr) -> Result<TcpListener, ServeError> {
    match listener::from_systemd()? {
        Some(listener) => {
            tracing::info!("using the socket passed by systemd (LISTEN_FDS)");
            Ok(listener)
        }
        None => Ok(listener::bind(addr)?),
    }
}

/// Says where the service listens, once it is ready: `ADDR` in `ready_file` (written whole,
/// then renamed into place), then `listening on http://ADDR` as the first line on stdout — so
/// a reader of that line finds the file too.
pub fn announce(addr: SocketAddr, ready_file: Option<&Path>) -> Result<(), ServeError> {
    if let Some(path) = ready_file {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, format!("{addr}\n"))
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| ServeError(format!("--ready-file {}: {e}", path.display())))?;
    }
    let mut out = std::io::stdout().lock();
    // A closed stdout is no reason not to serve.
    let _ = writeln!(out, "listening on http://{addr}").and_then(|()| out.flush());
    Ok(())
}
