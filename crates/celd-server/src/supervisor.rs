//! The supervisor: owns the listening socket and runs one worker at a time as a child process
//! (this same binary, `celd serve ... --worker`), replacing it with overlap when its resident
//! memory passes `--max-rss`, on SIGHUP, or when it dies.
//!
//! A replacement starts the new worker on the same socket (an inherited descriptor) and waits
//! for it to write to its readiness pipe; only then is the old worker sent SIGTERM, so there is
//! always a worker accepting. The old one stops accepting, finishes and closes its connections
//! (see `conn.rs`) and exits within the drain timeout; it is killed if it does not. SIGTERM or
//! SIGINT to the supervisor drains the worker and exits. Workers get SIGTERM if the
//! supervisor dies (`PR_SET_PDEATHSIG`).

use std::net::TcpListener;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

use crate::metrics::Recycles;
use crate::process::{prepare_child, resident_bytes, send_signal};
use crate::serve::{ServeError, WorkerEnv};

/// How long a new worker may take to become ready.
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the worker's resident memory is read.
const RSS_INTERVAL: Duration = Duration::from_secs(1);

/// A worker is recycled for its memory only after it has served this long, so a `--max-rss`
/// below a fresh worker's size cannot make the supervisor replace workers in a tight loop.
const RSS_MIN_AGE: Duration = Duration::from_secs(2);

/// A draining worker that outlives the drain timeout by this much is killed.
const KILL_GRACE: Duration = Duration::from_secs(5);

/// What the supervisor needs besides the socket.
#[derive(Clone, Debug)]
pub struct SupervisorOptions {
    /// The arguments a worker is started with (those of `celd serve`; `--worker` is added).
    pub worker_args: Vec<std::ffi::OsString>,
    pub max_rss: Option<u64>,
    pub drain_timeout: Duration,
    pub ready_file: Option<PathBuf>,
}

/// Why a worker is replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Signal,
    Rss,
    Exit,
}

impl Reason {
    fn name(self) -> &'static str {
        match self {
            Reason::Signal => "signal",
            Reason::Rss => "rss",
            Reason::Exit => "exit",
        }
    }

    fn count(self, recycles: Recycles) -> Recycles {
        let mut r = recycles;
        match self {
            Reason::Signal => r.signal += 1,
            Reason::Rss => r.rss += 1,
            Reason::Exit => r.exit += 1,
        }
        r
    }
}

struct Worker {
    child: Child,
    pid: u32,
    generation: u64,
    ready_at: Instant,
}

/// Runs the supervisor on its own single-threaded runtime (so the thread that starts workers,
/// whose death `PR_SET_PDEATHSIG` watches, is the main thread) until SIGTERM or SIGINT.
pub fn run(listener: TcpListener, options: SupervisorOptions) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async { Supervisor::new(listener, options)?.run().await })
}

struct Supervisor {
    listener: TcpListener,
    options: SupervisorOptions,
    signals: Signals,
    generation: u64,
    recycles: Recycles,
    current: Option<Worker>,
    draining: JoinSet<()>,
    restart_at: Option<tokio::time::Instant>,
    backoff: Duration,
}

enum Event {
    Shutdown(&'static str),
    Hangup,
    Exited(std::io::Result<ExitStatus>),
    Restart,
    Tick,
    Reaped,
}

impl Supervisor {
    fn new(listener: TcpListener, options: SupervisorOptions) -> Result<Supervisor, ServeError> {
        Ok(Supervisor {
            listener,
            options,
            signals: Signals::new()?,
            generation: 0,
            recycles: Recycles::default(),
            current: None,
            draining: JoinSet::new(),
            restart_at: None,
            backoff: Duration::ZERO,
        })
    }

    async fn run(mut self) -> Result<(), ServeError> {
        let first = self.start(1, Recycles::default()).await?;
        self.current = Some(first);
        self.generation = 1;
        let addr = self
            .listener
            .local_addr()
            .map_err(|e| ServeError(format!("listening socket: {e}")))?;
        crate::serve::announce(addr, self.options.ready_file.as_deref())?;
        let mut tick = tokio::time::interval(RSS_INTERVAL);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            match self.next_event(&mut tick).await {
                Event::Shutdown(signal) => {
                    self.shutdown(signal).await;
                    return Ok(());
                }
                Event::Hangup => self.replace(Reason::Signal).await,
                Event::Exited(status) => self.exited(status),
                Event::Restart => self.restart().await,
                Event::Tick => self.check_rss().await,
                Event::Reaped => {}
            }
        }
    }

    async fn next_event(&mut self, tick: &mut tokio::time::Interval) -> Event {
        let restart_at = self.restart_at;
        let current = &mut self.current;
        tokio::select! {
            _ = self.signals.terminate.recv() => Event::Shutdown("SIGTERM"),
            _ = self.signals.interrupt.recv() => Event::Shutdown("SIGINT"),
            _ = self.signals.hangup.recv() => Event::Hangup,
            status = wait_for(current) => Event::Exited(status),
            () = sleep_until(restart_at) => Event::Restart,
            _ = tick.tick() => Event::Tick,
            Some(_) = self.draining.join_next() => Event::Reaped,
        }
    }

    /// Starts a worker and waits until it is ready; a worker that is not is stopped.
    async fn start(&self, generation: u64, recycles: Recycles) -> Result<Worker, ServeError> {
        let error = |e: std::io::Error| ServeError(format!("cannot start a worker: {e}"));
        let (sender, mut ready) = tokio::net::unix::pipe::pipe().map_err(error)?;
        let env = WorkerEnv {
            listen_fd: self.listener.as_raw_fd(),
            ready_fd: sender.as_raw_fd(),
            generation,
            recycles,
        };
        let mut child = self.command(&env).spawn().map_err(error)?;
        drop(sender);
        let pid = child.id().unwrap_or(0);
        let mut byte = [0u8; 1];
        let outcome = tokio::time::timeout(READY_TIMEOUT, ready.read(&mut byte)).await;
        match outcome {
            Ok(Ok(1)) => {
                let rss = resident_bytes(Some(pid)).unwrap_or(0);
                tracing::info!(pid, generation, rss, "worker started");
                if self.options.max_rss.is_some_and(|max| rss > max) {
                    tracing::warn!(rss, "a fresh worker is already over --max-rss; raise it");
                }
                Ok(Worker {
                    child,
                    pid,
                    generation,
                    ready_at: Instant::now(),
                })
            }
            other => {
                let _ = child.start_kill();
                let status = child.wait().await;
                let why = match other {
                    Ok(Ok(_)) => format!("it exited before it was ready ({status:?})"),
                    Ok(Err(e)) => format!("readiness pipe: {e}"),
                    Err(_) => format!("it was not ready within {READY_TIMEOUT:?}"),
                };
                Err(ServeError(format!("worker {generation} failed: {why}")))
            }
        }
    }

    fn command(&self, env: &WorkerEnv) -> Command {
        let mut command = std::process::Command::new("/proc/self/exe");
        if let Some(argv0) = std::env::args_os().next() {
            command.arg0(argv0);
        }
        command
            .args(&self.options.worker_args)
            .arg("--worker")
            .envs(env.to_vars())
            .env_remove("LISTEN_FDS")
            .env_remove("LISTEN_PID")
            .env_remove("LISTEN_FDNAMES")
            .stdin(Stdio::null());
        let inherit: [RawFd; 2] = [env.listen_fd, env.ready_fd];
        // SAFETY: getpid has no preconditions.
        let supervisor = unsafe { libc::getpid() };
        // SAFETY: the closure runs between fork and exec and only makes async-signal-safe
        // calls (fcntl, prctl, getppid) on values copied into it.
        unsafe {
            command.pre_exec(move || prepare_child(&inherit, supervisor));
        }
        Command::from(command)
    }

    /// Replaces the current worker with overlap; if the new one fails to start, the old one
    /// keeps serving.
    async fn replace(&mut self, reason: Reason) {
        let Some(old) = self.current.take() else {
            return self.restart().await;
        };
        let recycles = reason.count(self.recycles);
        tracing::info!(
            reason = reason.name(),
            pid = old.pid,
            "replacing the worker"
        );
        match self.start(self.generation + 1, recycles).await {
            Ok(new) => {
                self.generation += 1;
                self.recycles = recycles;
                self.current = Some(new);
                self.drain(old);
            }
            Err(e) => {
                tracing::error!(error = %e, "the old worker keeps serving");
                self.current = Some(old);
            }
        }
    }

    /// The current worker exited: start another at once, or after a pause that doubles (up
    /// to 30 s) while workers keep dying young.
    fn exited(&mut self, status: std::io::Result<ExitStatus>) {
        let Some(dead) = self.current.take() else {
            return;
        };
        let lived = dead.ready_at.elapsed();
        tracing::error!(pid = dead.pid, generation = dead.generation, status = ?status,
            lived_seconds = lived.as_secs(), "the worker exited; starting another");
        self.backoff = if lived < Duration::from_secs(10) {
            (self.backoff * 2).clamp(Duration::from_millis(500), Duration::from_secs(30))
        } else {
            Duration::ZERO
        };
        self.restart_at = Some(tokio::time::Instant::now() + self.backoff);
    }

    async fn restart(&mut self) {
        self.restart_at = None;
        let recycles = Reason::Exit.count(self.recycles);
        match self.start(self.generation + 1, recycles).await {
            Ok(new) => {
                self.generation += 1;
                self.recycles = recycles;
                self.current = Some(new);
            }
            Err(e) => {
                self.backoff =
                    (self.backoff * 2).clamp(Duration::from_millis(500), Duration::from_secs(30));
                tracing::error!(error = %e, retry_in = ?self.backoff, "no worker is running");
                self.restart_at = Some(tokio::time::Instant::now() + self.backoff);
            }
        }
    }

    async fn check_rss(&mut self) {
        let (Some(max), Some(worker)) = (self.options.max_rss, self.current.as_ref()) else {
            return;
        };
        let Some(rss) = resident_bytes(Some(worker.pid)) else {
            return;
        };
        if rss <= max || worker.ready_at.elapsed() < RSS_MIN_AGE {
            return;
        }
        tracing::info!(
            rss,
            max_rss = max,
            pid = worker.pid,
            "worker memory over --max-rss"
        );
        self.replace(Reason::Rss).await;
    }

    /// Tells a worker to drain and reaps it in the background (killed if it overstays).
    fn drain(&mut self, mut worker: Worker) {
        if let Err(e) = send_signal(worker.pid, libc::SIGTERM) {
            tracing::warn!(pid = worker.pid, error = %e, "cannot signal the worker");
        }
        let limit = self.options.drain_timeout.saturating_add(KILL_GRACE);
        self.draining.spawn(async move {
            let (pid, generation) = (worker.pid, worker.generation);
            match tokio::time::timeout(limit, worker.child.wait()).await {
                Ok(status) => {
                    tracing::info!(pid, generation, status = ?status, "old worker exited")
                }
                Err(_) => {
                    tracing::warn!(
                        pid,
                        generation,
                        "old worker overstayed its drain; killing it"
                    );
                    let _ = worker.child.kill().await;
                }
            }
        });
    }

    async fn shutdown(mut self, signal: &'static str) {
        tracing::info!(signal, "shutting down: draining the worker");
        if let Some(worker) = self.current.take() {
            self.drain(worker);
        }
        while self.draining.join_next().await.is_some() {}
        tracing::info!("supervisor exiting");
    }
}

async fn wait_for(worker: &mut Option<Worker>) -> std::io::Result<ExitStatus> {
    match worker {
        Some(w) => w.child.wait().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

struct Signals {
    terminate: Signal,
    interrupt: Signal,
    hangup: Signal,
}

impl Signals {
    fn new() -> Result<Signals, ServeError> {
        let install = |kind| signal(kind).map_err(|e| ServeError(format!("signals: {e}")));
        Ok(Signals {
            terminate: install(SignalKind::terminate())?,
            interrupt: install(SignalKind::interrupt())?,
            hangup: install(SignalKind::hangup())?,
        })
    }
}
