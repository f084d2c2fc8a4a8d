//! A worker: accepts connections on the listening socket and serves the API until SIGTERM or
//! SIGINT, then drains — stops accepting (connections wait in the kernel's queue for the next
//! worker), answers what it holds, closes its connections cleanly, and exits within the drain
//! timeout.

use std::fs::File;
use std::io::Write;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::os::fd::{FromRawFd, RawFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Semaphore, watch};

use crate::app::{AppState, app};
use crate::config::ServiceConfig;
use crate::conn::ConnPolicy;
use crate::drain::{Connections, Drain};
use crate::serve::ServeError;

/// How a worker says it is ready.
pub enum Readiness {
    /// Write one byte to this pipe (the supervisor waits on it).
    Pipe(RawFd),
    /// Print the address on stdout and write it to the file, if any (no supervisor).
    Announce(Option<std::path::PathBuf>),
}

/// Runs a worker on `listener` until it has drained; the runtime is its own.
pub fn run(
    listener: StdListener,
    config: ServiceConfig,
    drain_timeout: Duration,
    readiness: Readiness,
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("celd-worker")
        .build()
        .map_err(|e| ServeError(format!("cannot start the runtime: {e}")))?;
    let result = runtime.block_on(serve(listener, config, drain_timeout, readiness));
    // Evaluations still on the blocking pool stop at their deadline; do not wait longer.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn serve(
    listener: StdListener,
    config: ServiceConfig,
    drain_timeout: Duration,
    readiness: Readiness,
) -> Result<(), ServeError> {
    let drain = Drain::default();
    let state = AppState::new(&config, drain.clone())
        .map_err(|e| ServeError(format!("cannot build the environment: {e}")))?;
    crate::live::start_sampling(Arc::downgrade(&state))
        .map_err(|e| ServeError(format!("cannot start the sampler: {e}")))?;
    let (listener, addr) = into_tokio(listener)?;
    let signals = Signals::new()?;
    let connections = Connections::default();
    let policy = ConnPolicy {
        header_read_timeout: config.limits.header_read_timeout,
        keep_alive_timeout: config.limits.keep_alive_timeout,
        write_timeout: config.limits.write_timeout,
    };
    let accepting = tokio::spawn(accept_loop(
        listener,
        state,
        drain.clone(),
        connections.clone(),
        config.limits.max_connections,
        policy,
    ));
    notify_ready(readiness, addr)?;
    tracing::info!(%addr, generation = config.generation, "worker ready");
    drain_on_signal(signals, drain, accepting, connections, drain_timeout).await;
    Ok(())
}

fn into_tokio(listener: StdListener) -> Result<(TcpListener, SocketAddr), ServeError> {
    let error = |e: std::io::Error| ServeError(format!("listening socket: {e}"));
    let addr = listener.local_addr().map_err(error)?;
    listener.set_nonblocking(true).map_err(error)?;
    Ok((TcpListener::from_std(listener).map_err(error)?, addr))
}

/// The signals a worker acts on. SIGHUP is caught and ignored: it is the supervisor's.
struct Signals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    _hangup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Signals, ServeError> {
        let install = |kind| signal(kind).map_err(|e| ServeError(format!("signals: {e}")));
        Ok(Signals {
            terminate: install(SignalKind::terminate())?,
            interrupt: install(SignalKind::interrupt())?,
            _hangup: install(SignalKind::hangup())?,
        })
    }

    async fn shutdown_requested(&mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
        }
    }
}

async fn drain_on_signal(
    mut signals: Signals,
    drain: Drain,
    accepting: tokio::task::JoinHandle<()>,
    connections: Connections,
    drain_timeout: Duration,
) {
    let which = signals.shutdown_requested().await;
    let start = Instant::now();
    tracing::info!(
        signal = which,
        connections = connections.count(),
        "draining: no new connections; answering open ones"
    );
    drain.start();
    let _ = accepting.await;
    match tokio::time::timeout(drain_timeout, connections.all_closed()).await {
        Ok(()) => tracing::info!(
            millis = start.elapsed().as_millis() as u64,
            "drained: every connection closed"
        ),
        Err(_) => tracing::warn!(
            connections = connections.count(),
            "drain timeout: closing the remaining connections"
        ),
    }
}

/// Accepts until draining starts; at most `max_connections` open at once (more wait in the
/// kernel's queue). From three quarters of them on, idle connections close early
/// (`conn::Pressure`) to make room. Dropping the listener at the end stops this worker's accepts
/// only: the socket stays open in the supervisor and the other workers.
async fn accept_loop(
    listener: TcpListener,
    state: Arc<AppState>,
    drain: Drain,
    connections: Connections,
    max_connections: usize,
    policy: ConnPolicy,
) {
    let router = app(state.clone());
    let max_connections = max_connections.max(1);
    let limit = Arc::new(Semaphore::new(max_connections));
    let (pressure, watching) = watch::channel(false);
    let crowded = {
        let connections = connections.clone();
        move || connections.count() * 4 >= max_connections * 3
    };
    let pressure = Arc::new(pressure);
    let relieve = tokio::spawn({
        let (pressure, crowded) = (pressure.clone(), crowded.clone());
        async move {
            let mut tick = tokio::time::interval(PRESSURE_CHECK);
            loop {
                tick.tick().await;
                let now = crowded();
                pressure.send_if_modified(|p| std::mem::replace(p, now) != now);
            }
        }
    });
    loop {
        let permit = tokio::select! {
            permit = limit.clone().acquire_owned() => permit,
            () = drain.started() => break,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = drain.started() => break,
        };
        match accepted {
            Ok((stream, _peer)) => {
                let guard = connections.open();
                let counted = state.metrics.connection();
                if crowded() {
                    pressure.send_if_modified(|p| !std::mem::replace(p, true));
                }
                let (router, drain, watching) = (router.clone(), drain.clone(), watching.clone());
                tokio::spawn(async move {
                    crate::conn::serve(stream, router, drain, guard, policy, watching).await;
                    drop(counted);
                    drop(permit);
                });
            }
            Err(e) => {
                if !accept_failed(e).await {
                    break;
                }
            }
        }
    }
    relieve.abort();
}

/// How often the accept loop looks whether its connections are still crowded.
const PRESSURE_CHECK: Duration = Duration::from_millis(200);

/// A failed accept: out of descriptors or memory is waited out; a socket that no longer
/// listens (the supervisor shut it down) ends the accept loop (`false`); anything else
/// concerned one connection that is gone already.
async fn accept_failed(e: std::io::Error) -> bool {
    if e.raw_os_error() == Some(libc::EINVAL) {
        tracing::info!("the listening socket was shut down; no more accepts");
        return false;
    }
    let resource = matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    );
    if resource {
        tracing::warn!(error = %e, "accept failed; pausing 100 ms");
        tokio::time::sleep(Duration::from_millis(100)).await;
    } else {
        tracing::debug!(error = %e, "accept failed");
    }
    true
}

/// How often a supervised worker tells its supervisor it is alive: from a task on its
/// runtime, so a worker whose threads are all stuck falls silent.
pub const HEARTBEAT: Duration = Duration::from_millis(500);

/// Writes a byte on the readiness pipe every [`HEARTBEAT`] until the supervisor is gone.
async fn heartbeat(mut pipe: tokio::net::unix::pipe::Sender) {
    use tokio::io::AsyncWriteExt;
    let mut tick = tokio::time::interval(HEARTBEAT);
    loop {
        tick.tick().await;
        // A full pipe (a supervisor that stopped reading) skips a beat rather than waiting.
        match tokio::time::timeout(HEARTBEAT, pipe.write_all(b"H")).await {
            Ok(Ok(())) | Err(_) => {}
            Ok(Err(_)) => return,
        }
    }
}

fn notify_ready(readiness: Readiness, addr: SocketAddr) -> Result<(), ServeError> {
    match readiness {
        Readiness::Pipe(fd) => {
            // SAFETY: the supervisor handed this write end of the readiness pipe to this
            // process (CELD_READY_FD); nothing else here uses it.
            let mut pipe = unsafe { File::from_raw_fd(fd) };
            pipe.write_all(b"R")
                .map_err(|e| ServeError(format!("readiness pipe: {e}")))?;
            let pipe = tokio::net::unix::pipe::Sender::from_file(pipe)
                .map_err(|e| ServeError(format!("readiness pipe: {e}")))?;
            tokio::spawn(heartbeat(pipe));
            Ok(())
        }
        Readiness::Announce(file) => crate::serve::announce(addr, file.as_deref()),
    }
}
