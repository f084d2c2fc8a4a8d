//! One HTTP/1.1 connection, served by hyper with the router, watched so that no client can
//! hold it for free, and closed cleanly when the worker drains.
//!
//! A watcher beside hyper knows what the connection is doing ([`Activity`], kept by the
//! service and by [`Watched`], the socket's wrapper):
//!
//! - **reading a request's headers** (from its first byte, or from the accept): closed after
//!   [`ConnPolicy::header_read_timeout`] (5 s) — a client sending its headers a byte at a time
//!   holds nothing for long;
//! - **idle between requests**: closed after [`ConnPolicy::keep_alive_timeout`] (30 s), or
//!   after [`PRESSURE_IDLE`] while the worker's connections are near their limit
//!   ([`Pressure`]), so that idle clients make room for new ones;
//! - **a request in progress**: the request's own time limit applies; a response the client
//!   does not read fails after [`ConnPolicy::write_timeout`] (10 s) without progress, which
//!   closes the connection and frees the response.
//!
//! Closing a keep-alive connection races with a client that is sending its next request at
//! that instant: the request is lost (the client sees a reset or an early end of stream). So
//! an idle connection is closed only if no byte of a next request is waiting in its socket,
//! and a draining worker closes a connection in use only after a response, which carries
//! `Connection: close` (added by the router's `observe` layer): the client reconnects — to the
//! new worker. The race then needs a client that waited the idle time and then wrote within
//! microseconds of the close.

use std::future::Future;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tower::Service;

use crate::drain::{ConnectionGuard, Drain};

/// A draining worker closes a connection that has had no request in progress for this long.
pub const DRAIN_IDLE: Duration = Duration::from_secs(1);

/// How long an idle connection may stay while the worker is near its connection limit.
pub const PRESSURE_IDLE: Duration = Duration::from_secs(1);

/// The most a connection buffers of what it reads (a request's headers must fit).
pub const MAX_READ_BUFFER: usize = 64 << 10;

/// How often a draining connection looks at its idle time.
const DRAIN_POLL: Duration = Duration::from_millis(50);

/// How a connection is watched.
#[derive(Clone, Copy, Debug)]
pub struct ConnPolicy {
    pub header_read_timeout: Duration,
    pub keep_alive_timeout: Duration,
    pub write_timeout: Duration,
}

/// Whether the worker's open connections are near their limit: idle ones then close early.
pub type Pressure = watch::Receiver<bool>;

/// Marks for "none" in [`Activity`]'s millisecond fields.
const NONE: u64 = u64::MAX;

/// What the connection is doing, in milliseconds since it was accepted.
struct Activity {
    epoch: Instant,
    /// When the last response was done; `NONE` while a request is in progress.
    last_done: AtomicU64,
    /// When the first byte of the next request arrived; `NONE` before it does.
    first_byte: AtomicU64,
    /// Whether any request has been done on this connection (a new connection that sends
    /// nothing is treated as reading headers).
    served: AtomicU64,
    /// Told when a request ends or a next one's first byte arrives: the watcher's deadline
    /// moves.
    changed: tokio::sync::Notify,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            epoch: Instant::now(),
            last_done: AtomicU64::new(0),
            first_byte: AtomicU64::new(NONE),
            served: AtomicU64::new(0),
            changed: tokio::sync::Notify::new(),
        }
    }

    /// The first byte of a next request has arrived (once per request).
    fn request_begins(&self) {
        if !self.in_progress() && self.first_byte.load(Ordering::Relaxed) == NONE {
            self.first_byte.store(self.now(), Ordering::Relaxed);
            self.changed.notify_one();
        }
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn in_progress(&self) -> bool {
        self.last_done.load(Ordering::Relaxed) == NONE
    }

    /// How long the connection has had no request in progress.
    fn idle_for(&self) -> Option<Duration> {
        let done = self.last_done.load(Ordering::Relaxed);
        (done != NONE).then(|| Duration::from_millis(self.now().saturating_sub(done)))
    }

    /// When, if nothing changes, the connection must close (milliseconds), and whether for
    /// its headers (closed at once) or for idling (closed cleanly).
    fn deadline(&self, policy: &ConnPolicy, pressure: bool) -> Option<(u64, Phase)> {
        let done = self.last_done.load(Ordering::Relaxed);
        if done == NONE {
            return None;
        }
        let first = self.first_byte.load(Ordering::Relaxed);
        let served = self.served.load(Ordering::Relaxed) > 0;
        let millis = |d: Duration| d.as_millis() as u64;
        let (since, limit, phase) = if first != NONE {
            (first, policy.header_read_timeout, Phase::Headers)
        } else if !served {
            (done, policy.header_read_timeout, Phase::Headers)
        } else {
            (done, policy.keep_alive_timeout, Phase::Idle)
        };
        let limit = if pressure {
            millis(limit).min(millis(PRESSURE_IDLE))
        } else {
            millis(limit)
        };
        Some((since.saturating_add(limit), phase))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Headers,
    Idle,
}

/// Marks a request in progress until dropped (also when the client goes away mid-request).
struct InProgress(Arc<Activity>);

impl InProgress {
    fn start(activity: &Arc<Activity>) -> InProgress {
        activity.last_done.store(NONE, Ordering::Relaxed);
        InProgress(activity.clone())
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        let a = &self.0;
        a.first_byte.store(NONE, Ordering::Relaxed);
        a.served.fetch_add(1, Ordering::Relaxed);
        a.last_done.store(a.now(), Ordering::Relaxed);
        a.changed.notify_one();
    }
}

/// The router as a hyper service that records the connection's activity.
#[derive(Clone)]
struct ConnService {
    router: Router,
    activity: Arc<Activity>,
}

type ResponseFuture =
    Pin<Box<dyn Future<Output = Result<Response<Body>, std::convert::Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<Body>;
    type Error = std::convert::Infallible;
    type Future = ResponseFuture;

    fn call(&self, req: Request<Incoming>) -> ResponseFuture {
        let in_progress = InProgress::start(&self.activity);
        let mut router = self.router.clone();
        let response = router.call(req);
        Box::pin(async move {
            let response = response.await;
            drop(in_progress);
            response
        })
    }
}

/// The socket, noting when a request's first byte arrives and failing a write that makes no
/// progress for the write timeout.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
    write_timeout: Duration,
    /// Armed while a write waits for the client to read.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.request_begins();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.stalled(cx, result)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.stalled(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Watched {
    /// A write that is pending arms the write timer (which wakes the task when it fires); one
    /// that makes progress disarms it.
    fn stalled(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        if !result.is_pending() {
            self.stalled = None;
            return result;
        }
        let timeout = self.write_timeout;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not read the response",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Serves `stream` until the client closes it, a timeout of `policy` closes it, or the
/// worker drains and the connection is closed as described above.
pub async fn serve(
    stream: TcpStream,
    router: Router,
    drain: Drain,
    guard: ConnectionGuard,
    policy: ConnPolicy,
    mut pressure: Pressure,
) {
    let _guard = guard;
    let _ = stream.set_nodelay(true);
    let fd = stream.as_raw_fd();
    let activity = Arc::new(Activity::new());
    let service = ConnService {
        router,
        activity: activity.clone(),
    };
    let io = Watched {
        stream,
        activity: activity.clone(),
        write_timeout: policy.write_timeout,
        stalled: None,
    };
    // hyper's own header timer runs from when it waits for a request, idle time included:
    // here only a backstop behind the watcher's finer rules.
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(policy.keep_alive_timeout + policy.header_read_timeout)
        // Headers and read-ahead per connection: 64 KiB, so 4,096 connections hold 256 MiB
        // at most before any request is admitted.
        .max_buf_size(MAX_READ_BUFFER)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    loop {
        let under_pressure = *pressure.borrow();
        let deadline = activity.deadline(&policy, under_pressure);
        let wake = deadline.map(|(ms, _)| activity.epoch + Duration::from_millis(ms));
        tokio::select! {
            // The connection first: a request that has arrived is read before any close.
            biased;
            result = conn.as_mut() => return log_end(result),
            () = drain.started() => break,
            () = activity.changed.notified() => {}
            Ok(()) = pressure.changed() => {}
            () = sleep_until(wake) => {
                // Re-read: a request may have started or finished meanwhile.
                let Some((ms, phase)) = activity.deadline(&policy, *pressure.borrow()) else {
                    continue;
                };
                if activity.now() < ms {
                    continue;
                }
                match phase {
                    // Part of a request has arrived and no more: nothing to be careful of.
                    Phase::Headers => return,
                    Phase::Idle if !bytes_waiting(fd) => {
                        conn.as_mut().graceful_shutdown();
                        return log_end(conn.await);
                    }
                    // A request is arriving that hyper has not read yet: its headers' time.
                    Phase::Idle => activity.request_begins(),
                }
            }
        }
    }
    let mut poll = tokio::time::interval(DRAIN_POLL);
    loop {
        tokio::select! {
            biased;
            result = conn.as_mut() => return log_end(result),
            _ = poll.tick() => {
                let idle = activity.idle_for().is_some_and(|idle| idle >= DRAIN_IDLE);
                if idle && !bytes_waiting(fd) {
                    conn.as_mut().graceful_shutdown();
                    return log_end(conn.await);
                }
            }
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// Whether the client has sent bytes that hyper has not read yet (the start of a request):
/// closing then would reset the connection under that request.
fn bytes_waiting(fd: RawFd) -> bool {
    let mut byte = 0u8;
    // SAFETY: `fd` is the connection's socket, open while the connection is served; recv
    // with MSG_PEEK writes at most one byte into `byte` and consumes nothing.
    let n = unsafe {
        libc::recv(
            fd,
            (&raw mut byte).cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    n > 0
}

fn log_end(result: Result<(), hyper::Error>) {
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}
