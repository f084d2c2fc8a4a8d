//! Where evaluations run. A cached program evaluates in microseconds, so a thread hop to the
//! blocking pool would cost more than the work: small requests run on the reactor thread.
//! But the reactor thread also serves every other connection on it, so nothing there may take
//! longer than about a millisecond (`Offload::Auto`):
//!
//! - a body over [`INLINE_MAX_BYTES`] or an expression over [`INLINE_MAX_EXPR_BYTES`] goes
//!   to the blocking pool at once (parsing 2 KiB takes well under a millisecond);
//! - otherwise the request is parsed and looked up on the reactor; one that needs building
//!   (a compilation, a new environment) goes to the blocking pool;
//! - a cached program evaluates inline with a deadline of [`INLINE_SLICE`]; if the slice
//!   runs out (the time limit, and only it: any other limit is the answer) it is run again
//!   from the start on the blocking pool with the rest of its time. CEL has no side effects,
//!   so running twice changes nothing but the time spent;
//! - the response is written inline up to [`INLINE_RESPONSE_BYTES`], on the blocking pool
//!   beyond (up to `--max-response`).
//!
//! Measured with `loadgen bench` (`x + y * z`): the blocking pool for every request costs
//! 44.5 µs of server CPU per request, inline 16.3 µs.
//!
//! Work on the blocking pool is cancelled when its answer is no longer wanted: the request
//! timed out, or the client went away (hyper drops the request's future). A flag raised when
//! the future is dropped stops the evaluation at its next look (every loop iteration, every
//! 1,024 cost units). The evaluation slot belongs to the request's future and then to its
//! response body, so it is free at once when the request is dropped, and the memory of a
//! response still being written counts against the slots (`app.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use celd::layers::eval::memory;
use celd::layers::value::LimitKind;
use tokio::sync::OwnedSemaphorePermit;

use crate::api::{ApiError, CheckRequest, CheckResponse, EvalRequest, Prepared, Ran, Stop};
use crate::app::AppState;
use crate::config::Offload;
use crate::response::{TooLarge, eval_body};

/// Bodies up to this size are handled on the reactor thread...
pub const INLINE_MAX_BYTES: usize = 16 << 10;

/// ...if their expression is no longer than this.
pub const INLINE_MAX_EXPR_BYTES: usize = 2 << 10;

/// How long an evaluation may run on the reactor thread before it moves to the blocking pool.
pub const INLINE_SLICE: Duration = Duration::from_millis(1);

/// The most response bytes written on the reactor thread (some tens of microseconds).
pub const INLINE_RESPONSE_BYTES: usize = 64 << 10;

/// Whether a request of `size` bytes with an expression of `expr_len` bytes starts inline.
fn inline(offload: Offload, size: usize, expr_len: usize) -> bool {
    match offload {
        Offload::Never => true,
        Offload::Always => false,
        Offload::Auto => size <= INLINE_MAX_BYTES && expr_len <= INLINE_MAX_EXPR_BYTES,
    }
}

/// The response body (`{"value", "type"}` as JSON) and, if the program ran, the seconds its
/// last evaluation took.
pub type Outcome = (Result<Vec<u8>, ApiError>, Option<f64>);

/// Raises the request's cancellation flag when dropped: when the request is answered, or
/// when its future is dropped unanswered (timed out, client gone).
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Evaluates the request in `body` within the evaluation time limit, which counts from now:
/// preparing the request (its environment, variables, compilation) spends it too.
pub async fn evaluate(state: &Arc<AppState>, body: Bytes) -> Outcome {
    // A limit too large to add to the clock is no limit.
    let deadline = Instant::now().checked_add(state.limits.eval_timeout);
    let cancel = CancelOnDrop(Arc::new(AtomicBool::new(false)));
    let max_response = state.limits.max_response_bytes;
    let small = state.offload == Offload::Never
        || (state.offload == Offload::Auto && body.len() <= INLINE_MAX_BYTES);
    if !small {
        // Decoding a large body takes milliseconds, and memory the request answers for.
        return blocking(state, &cancel, deadline, move |state, stop| {
            prepare_and_run(state, Request::Body(&body), stop)
        })
        .await;
    }
    let request = match parse_request(&body) {
        Ok(request) => request,
        Err(e) => return (Err(e), None),
    };
    // Explaining (cost estimate, dump) checks the expression again: not for the reactor.
    let explains = state.offload != Offload::Never && (request.cost || request.dump);
    if explains || !inline(state.offload, body.len(), request.expr.len()) {
        return blocking(state, &cancel, deadline, move |state, stop| {
            prepare_and_run(state, Request::Parsed(&request), stop)
        })
        .await;
    }
    let prepared = match state.evaluator.prepare_cached(&request) {
        Ok(Some(prepared)) => prepared,
        Ok(None) => {
            return blocking(state, &cancel, deadline, move |state, stop| {
                prepare_and_run(state, Request::Parsed(&request), stop)
            })
            .await;
        }
        Err(e) => return (Err(e), None),
    };
    if state.offload == Offload::Never {
        let stop = Stop {
            deadline,
            ..Stop::default()
        };
        return run_and_write(&prepared, stop, max_response);
    }
    let slice = Instant::now() + INLINE_SLICE;
    let slice = deadline.map_or(slice, |d| d.min(slice));
    let start = Instant::now();
    let first = prepared.run_within(Stop {
        deadline: Some(slice),
        ..Stop::default()
    });
    let seconds = Some(start.elapsed().as_secs_f64());
    match first {
        Err(e) if slice_ran_out(&e, slice, deadline) => {
            blocking(state, &cancel, deadline, move |state, stop| {
                let stop = Stop {
                    max_memory: Some(state.limits.max_request_memory),
                    ..stop
                };
                run_and_write(&prepared, stop, max_response)
            })
            .await
        }
        Err(e) => (Err(e), seconds),
        Ok(ran) => match eval_body(&ran, max_response.min(INLINE_RESPONSE_BYTES)) {
            Ok(body) => (Ok(body), seconds),
            Err(_) if max_response > INLINE_RESPONSE_BYTES => {
                let written = blocking(state, &cancel, deadline, move |_, _| {
                    (write(&ran, max_response), None)
                })
                .await;
                (written.0, seconds)
            }
            Err(too_large) => (Err(too_large.into()), seconds),
        },
    }
}

/// A request as the blocking pool gets it: still to decode, or decoded.
enum Request<'a> {
    Body(&'a [u8]),
    Parsed(&'a EvalRequest),
}

/// Decodes a `/v1/eval` body.
fn parse_request(body: &[u8]) -> Result<EvalRequest, ApiError> {
    crate::app::parse_json(body)
}

/// Decodes (if need be), prepares, evaluates and writes a request on this thread, within its
/// memory limit: what decoding and preparing allocated is spent before evaluation starts.
fn prepare_and_run(state: &AppState, request: Request<'_>, stop: Stop<'_>) -> Outcome {
    let budget = state.limits.max_request_memory;
    let start = memory::net_allocated();
    let decoded;
    let request = match request {
        Request::Parsed(request) => request,
        Request::Body(body) => match parse_request(body) {
            Ok(request) => {
                decoded = request;
                &decoded
            }
            Err(e) => return (Err(e), None),
        },
    };
    let prepared = match state.evaluator.prepare_within(request, stop) {
        Ok(prepared) => prepared,
        Err(e) => return (Err(e), None),
    };
    let used = usize::try_from(memory::net_allocated() - start).unwrap_or(0);
    if memory::is_metered() && used > budget {
        let message =
            format!("request memory limit of {budget} bytes exceeded while preparing the request");
        return (Err(ApiError::Limit(message)), None);
    }
    let stop = Stop {
        max_memory: Some(budget.saturating_sub(used)),
        ..stop
    };
    run_and_write(&prepared, stop, state.limits.max_response_bytes)
}

/// Whether an inline run stopped because its slice ran out, rather than at a limit of its
/// own: only the time limit, and only when the slice ended before the real deadline.
fn slice_ran_out(error: &ApiError, slice: Instant, deadline: Option<Instant>) -> bool {
    let ApiError::Expression(e) = error else {
        return false;
    };
    let time = e.eval_error().and_then(|e| e.limit_kind()) == Some(LimitKind::Time);
    time && deadline.is_none_or(|d| slice < d)
}

/// Type-checks `request`; large bodies on the blocking pool.
pub async fn check(
    state: &Arc<AppState>,
    request: CheckRequest,
    size: usize,
    slot: OwnedSemaphorePermit,
) -> Result<CheckResponse, ApiError> {
    let _slot = slot;
    if inline(state.offload, size, request.expr.len()) {
        return state.evaluator.check(&request);
    }
    let state = state.clone();
    let run = move || state.evaluator.check(&request);
    match tokio::task::spawn_blocking(run).await {
        Ok(result) => result,
        Err(e) => Err(ApiError::Internal(format!("check task failed: {e}"))),
    }
}

/// Runs the program once until `stop`, measuring it, and writes the response body.
fn run_and_write(prepared: &Prepared, stop: Stop<'_>, max_response: usize) -> Outcome {
    let start = Instant::now();
    let result = prepared.run_within(stop);
    let seconds = Some(start.elapsed().as_secs_f64());
    match result {
        Ok(ran) => (write(&ran, max_response), seconds),
        Err(e) => (Err(e), seconds),
    }
}

fn write(ran: &Ran, max_response: usize) -> Result<Vec<u8>, ApiError> {
    eval_body(ran, max_response).map_err(ApiError::from)
}

impl From<TooLarge> for ApiError {
    fn from(e: TooLarge) -> ApiError {
        ApiError::Limit(format!(
            "the result's JSON exceeds the response limit of {} bytes",
            e.limit
        ))
    }
}

/// Runs `work` on the blocking pool with the request's deadline and cancellation flag.
async fn blocking(
    state: &Arc<AppState>,
    cancel: &CancelOnDrop,
    deadline: Option<Instant>,
    work: impl FnOnce(&AppState, Stop<'_>) -> Outcome + Send + 'static,
) -> Outcome {
    let state = state.clone();
    let flag = cancel.0.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _running = state.metrics.blocking_evaluation();
        let stop = Stop {
            deadline,
            cancel: Some(&flag),
            ..Stop::default()
        };
        work(&state, stop)
    });
    match task.await {
        Ok(outcome) => outcome,
        Err(e) => (
            Err(ApiError::Internal(format!("evaluation task failed: {e}"))),
            None,
        ),
    }
}
