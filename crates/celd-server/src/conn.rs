//! One HTTP/1.1 connection, served by hyper with the router, and closed cleanly when the
//! worker drains.
//!
//! Closing a keep-alive connection races with a client that is sending its next request at
//! that instant: the request is lost (the client sees a reset or an early end of stream). So
//! a draining worker never closes a connection that is in use: every response it sends carries
//! `Connection: close` (added by the router's `observe` layer), after which hyper closes the
//! connection and the client reconnects — to the new worker. Only a connection idle for
//! [`DRAIN_IDLE`] is closed without a response, and only if no byte of a next request is
//! waiting in its socket; the race then needs a client that waited that long and then wrote
//! within microseconds of the close.

use std::future::Future;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tower::Service;

use crate::drain::{ConnectionGuard, Drain};

/// A draining worker closes a connection that has had no request in progress for this long.
pub const DRAIN_IDLE: Duration = Duration::from_secs(1);

/// How often a draining connection looks at its idle time.
const DRAIN_POLL: Duration = Duration::from_millis(50);

/// Time to read a request's headers, idle keep-alive time included (hyper's header timer
/// starts when it waits for the next request).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// When the connection last finished a request, and whether one is in progress.
struct Activity {
    epoch: Instant,
    /// Milliseconds since `epoch` of the last response; `u64::MAX` while one is in progress.
    last_done: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            epoch: Instant::now(),
            last_done: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn idle_for(&self) -> Option<Duration> {
        let done = self.last_done.load(Ordering::Relaxed);
        (done != u64::MAX).then(|| Duration::from_millis(self.now().saturating_sub(done)))
    }
}

/// Marks a request in progress until dropped (also when the client goes away mid-request).
struct InProgress(Arc<Activity>);

impl InProgress {
    fn start(activity: &Arc<Activity>) -> InProgress {
        activity.last_done.store(u64::MAX, Ordering::Relaxed);
        InProgress(activity.clone())
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.last_done.store(self.0.now(), Ordering::Relaxed);
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

/// Serves `stream` until the client closes it, or until the worker drains and the connection
/// is closed as described above.
pub async fn serve(stream: TcpStream, router: Router, drain: Drain, guard: ConnectionGuard) {
    let _guard = guard;
    let _ = stream.set_nodelay(true);
    let fd = stream.as_raw_fd();
    let activity = Arc::new(Activity::new());
    let service = ConnService {
        router,
        activity: activity.clone(),
    };
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => return log_end(result),
        () = drain.started() => {}
    }
    let mut poll = tokio::time::interval(DRAIN_POLL);
    loop {
        tokio::select! {
            // The connection first: a request that has arrived is read before any close.
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
