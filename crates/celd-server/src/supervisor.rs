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

/// A worker whose heartbeat (a byte on its readiness pipe every `worker::HEARTBEAT`) has
/// been silent this long is hung: it is replaced with overlap, then killed.
const LIVENESS_TIMEOUT: Duration = Duration::from_secs(5);

/// The least margin of the default hard memory ceiling over `--max-rss`.
const HARD_MARGIN: u64 = 256 << 20;

/// A worker that dies younger than this died young: the second of such deaths in a row and
/// the next ones wait before the next worker starts.
const YOUNG: Duration = Duration::from_secs(10);

/// What the supervisor needs besides the socket.
#[derive(Clone, Debug)]
pub struct SupervisorOptions {
    /// The arguments a worker is started with (those of `celd serve`; `--worker` is added).
    pub worker_args: Vec<std::ffi::OsString>,
    pub max_rss: Option<u64>,
    /// Kill a worker (draining or not) whose resident memory passes this; default 1.5 times
    /// `max_rss`, and at least 256 MiB above it (a worker goes on growing while its
    /// replacement starts).
    pub max_rss_hard: Option<u64>,
    pub drain_timeout: Duration,
    pub ready_file: Option<PathBuf>,
}

impl SupervisorOptions {
    /// The hard ceiling on a worker's resident memory.
    pub fn hard_rss(&self) -> Option<u64> {
        self.max_rss_hard.or_else(|| {
            self.max_rss
                .map(|max| max.saturating_add((max / 2).max(HARD_MARGIN)))
        })
    }
}

/// Why a worker is replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Signal,
    Rss,
    Exit,
    Hung,
}

impl Reason {
    fn name(self) -> &'static str {
        match self {
            Reason::Signal => "signal",
            Reason::Rss => "rss",
            Reason::Exit => "exit",
            Reason::Hung => "hung",
        }
    }

    fn count(self, recycles: Recycles) -> Recycles {
        let mut r = recycles;
        match self {
            Reason::Signal => r.signal += 1,
            Reason::Rss => r.rss += 1,
            Reason::Exit => r.exit += 1,
            Reason::Hung => r.hung += 1,
        }
        r
    }
}

struct Worker {
    child: Child,
    pid: u32,
    generation: u64,
    ready_at: Instant,
    /// The readiness pipe, on which the worker then writes its heartbeat; `None` once it is
    /// closed.
    heartbeat: Option<tokio::net::unix::pipe::Receiver>,
    last_heartbeat: Instant,
    /// Killed for passing the hard memory ceiling: its exit is a recycle, not a crash.
    killed_for_memory: bool,
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
    /// Workers that died young in a row.
    young_deaths: u32,
    /// Why the worker being restarted is gone (counted when its successor starts).
    recycle_reason: Reason,
}

enum Event {
    Shutdown(&'static str),
    Hangup,
    Exited(std::io::Result<ExitStatus>),
    Heartbeat(bool),
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
            young_deaths: 0,
            recycle_reason: Reason::Exit,
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
                Event::Heartbeat(alive) => self.heartbeat(alive),
                Event::Restart => self.restart().await,
                Event::Tick => {
                    self.check_rss().await;
                    self.check_liveness().await;
                }
                Event::Reaped => {}
            }
        }
    }

    async fn next_event(&mut self, tick: &mut tokio::time::Interval) -> Event {
        let restart_at = self.restart_at;
        let (child, heartbeat) = match &mut self.current {
            Some(w) => (Some(&mut w.child), w.heartbeat.as_mut()),
            None => (None, None),
        };
        tokio::select! {
            _ = self.signals.terminate.recv() => Event::Shutdown("SIGTERM"),
            _ = self.signals.interrupt.recv() => Event::Shutdown("SIGINT"),
            _ = self.signals.hangup.recv() => Event::Hangup,
            status = wait_for(child) => Event::Exited(status),
            alive = read_heartbeat(heartbeat) => Event::Heartbeat(alive),
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
                    heartbeat: Some(ready),
                    last_heartbeat: Instant::now(),
                    killed_for_memory: false,
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
                if reason == Reason::Hung {
                    let mut old = old;
                    let _ = old.child.start_kill();
                    self.draining.spawn(async move {
                        let _ = old.child.wait().await;
                    });
                } else {
                    self.drain(old);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "the old worker keeps serving");
                self.current = Some(old);
            }
        }
    }

    /// The current worker exited: start another at once — unless workers keep dying young,
    /// when the second death in a row and the next ones wait, twice as long each time (0.5 s
    /// to 30 s).
    fn exited(&mut self, status: std::io::Result<ExitStatus>) {
        let Some(dead) = self.current.take() else {
            return;
        };
        let lived = dead.ready_at.elapsed();
        if dead.killed_for_memory {
            tracing::warn!(
                pid = dead.pid,
                generation = dead.generation,
                "the worker was killed for its memory; starting another"
            );
            self.restart_at = Some(tokio::time::Instant::now());
            self.recycle_reason = Reason::Rss;
            return;
        }
        self.young_deaths = if lived < YOUNG {
            self.young_deaths + 1
        } else {
            0
        };
        self.backoff = match self.young_deaths {
            0 | 1 => Duration::ZERO,
            n => (Duration::from_millis(500) * 2u32.saturating_pow(n - 2))
                .min(Duration::from_secs(30)),
        };
        tracing::error!(pid = dead.pid, generation = dead.generation, status = ?status,
            lived_seconds = lived.as_secs(), retry_in_ms = self.backoff.as_millis() as u64,
            "the worker exited; starting another");
        self.recycle_reason = Reason::Exit;
        self.restart_at = Some(tokio::time::Instant::now() + self.backoff);
    }

    fn heartbeat(&mut self, alive: bool) {
        if let Some(worker) = self.current.as_mut() {
            worker.last_heartbeat = Instant::now();
            if !alive {
                worker.heartbeat = None;
            }
        }
    }

    /// A current worker whose heartbeat stopped is replaced with overlap and killed.
    async fn check_liveness(&mut self) {
        let Some(worker) = self.current.as_ref() else {
            return;
        };
        if worker.last_heartbeat.elapsed() < LIVENESS_TIMEOUT {
            return;
        }
        tracing::warn!(
            pid = worker.pid,
            silent_ms = worker.last_heartbeat.elapsed().as_millis() as u64,
            "the worker stopped answering its heartbeat; replacing it"
        );
        self.replace(Reason::Hung).await;
    }

    async fn restart(&mut self) {
        self.restart_at = None;
        let recycles = self.recycle_reason.count(self.recycles);
        match self.start(self.generation + 1, recycles).await {
            Ok(new) => {
                self.generation += 1;
                self.recycles = recycles;
                self.current = Some(new);
            }
            Err(e) => {
                self.young_deaths += 1;
                self.backoff =
                    (self.backoff * 2).clamp(Duration::from_millis(500), Duration::from_secs(30));
                tracing::error!(error = %e, retry_in = ?self.backoff, "no worker is running");
                self.restart_at = Some(tokio::time::Instant::now() + self.backoff);
            }
        }
    }

    async fn check_rss(&mut self) {
        let Some(worker) = self.current.as_mut() else {
            return;
        };
        let Some(rss) = resident_bytes(Some(worker.pid)) else {
            return;
        };
        if let Some(hard) = self.options.hard_rss()
            && rss > hard
            && !worker.killed_for_memory
        {
            tracing::warn!(
                rss,
                max_rss_hard = hard,
                pid = worker.pid,
                "worker memory over the hard ceiling; killing it"
            );
            worker.killed_for_memory = true;
            let _ = worker.child.start_kill();
            return;
        }
        let Some(max) = self.options.max_rss else {
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
        let hard = self.options.hard_rss();
        self.draining.spawn(async move {
            let (pid, generation) = (worker.pid, worker.generation);
            let exited = tokio::time::timeout(limit, async {
                let mut tick = tokio::time::interval(RSS_INTERVAL);
                loop {
                    tokio::select! {
                        status = worker.child.wait() => return status,
                        _ = tick.tick() => {
                            let rss = resident_bytes(Some(pid)).unwrap_or(0);
                            if hard.is_some_and(|hard| rss > hard) {
                                tracing::warn!(pid, generation, rss,
                                    "draining worker over the hard memory ceiling; killing it");
                                let _ = worker.child.start_kill();
                            }
                        }
                    }
                }
            });
            match exited.await {
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
        tracing::info!(
            signal,
            "shutting down: no new connections; draining the worker"
        );
        // Stop listening at once, for every process holding the socket: new connections are
        // refused (clients go elsewhere) instead of queued and reset when the worker exits.
        if let Err(e) = socket2::SockRef::from(&self.listener).shutdown(std::net::Shutdown::Read) {
            tracing::warn!(error = %e, "cannot stop listening");
        }
        if let Some(worker) = self.current.take() {
            self.drain(worker);
        }
        while self.draining.join_next().await.is_some() {}
        tracing::info!("supervisor exiting");
    }
}

async fn wait_for(child: Option<&mut Child>) -> std::io::Result<ExitStatus> {
    match child {
        Some(child) => child.wait().await,
        None => std::future::pending().await,
    }
}

/// The next heartbeat of the current worker: `true`, or `false` when its pipe closed.
async fn read_heartbeat(pipe: Option<&mut tokio::net::unix::pipe::Receiver>) -> bool {
    let Some(pipe) = pipe else {
        return std::future::pending().await;
    };
    let mut buf = [0u8; 64];
    matches!(pipe.read(&mut buf).await, Ok(n) if n > 0)
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
