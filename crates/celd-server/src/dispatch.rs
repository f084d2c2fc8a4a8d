//! Where evaluations run. A cached program evaluates in microseconds and a small expression
//! compiles in tens of microseconds, so a thread hop to the blocking pool would cost more than
//! the work: small requests run on the reactor thread. An evaluation may take up to the
//! evaluation time limit (100 ms), though, and parsing a large body or compiling a large
//! expression takes milliseconds, which would stall every connection on that thread. So
//! (`Offload::Auto`):
//!
//! - a body over [`INLINE_MAX_BYTES`] or an expression over [`INLINE_MAX_EXPR_BYTES`] is
//!   compiled and evaluated on the blocking pool (compiling takes about 0.4 µs per byte of
//!   expression: 2 KiB is about a millisecond);
//! - otherwise the evaluation runs inline with a deadline of [`INLINE_SLICE`]; if it stops
//!   there (a long loop), it is run again from the start on the blocking pool with the rest of
//!   its time. CEL has no side effects, so running twice changes nothing but the time spent.
//!
//! Measured with `loadgen bench` (`x + y * z`): the blocking pool for every request costs
//! 44.5 µs of server CPU per request, inline 16.3 µs.
//!
//! The evaluation slot (`AppState::slot`) is held until the work ends, also on the blocking
//! pool when the client has gone, so slots bound the work in progress.

use std::sync::Arc;
use std::time::{Duration, Instant};

use celd::ErrorKind;
use tokio::sync::OwnedSemaphorePermit;

use crate::api::{ApiError, CheckRequest, CheckResponse, EvalRequest, EvalResponse, Prepared};
use crate::app::AppState;
use crate::config::Offload;

/// Bodies up to this size are handled on the reactor thread...
pub const INLINE_MAX_BYTES: usize = 16 << 10;

/// ...if their expression is no longer than this.
pub const INLINE_MAX_EXPR_BYTES: usize = 2 << 10;

/// Whether a request of `size` bytes with an expression of `expr_len` bytes runs inline.
fn inline(offload: Offload, size: usize, expr_len: usize) -> bool {
    match offload {
        Offload::Never => true,
        Offload::Always => false,
        Offload::Auto => size <= INLINE_MAX_BYTES && expr_len <= INLINE_MAX_EXPR_BYTES,
    }
}

/// How long an evaluation may run on the reactor thread before it moves to the blocking pool.
pub const INLINE_SLICE: Duration = Duration::from_millis(1);

/// The answer and, if the program ran, the seconds its last evaluation took.
pub type Outcome = (Result<EvalResponse, ApiError>, Option<f64>);

/// Evaluates `request` within the evaluation time limit.
pub async fn evaluate(
    state: &Arc<AppState>,
    request: EvalRequest,
    size: usize,
    slot: OwnedSemaphorePermit,
) -> Outcome {
    // A limit too large to add to the clock is no limit.
    let deadline = Instant::now().checked_add(state.limits.eval_timeout);
    if !inline(state.offload, size, request.expr.len()) {
        let state = state.clone();
        return blocking(move || {
            let _slot = slot;
            match state.evaluator.prepare(&request) {
                Ok(prepared) => timed(&prepared, deadline),
                Err(e) => (Err(e), None),
            }
        })
        .await;
    }
    let prepared = match state.evaluator.prepare(&request) {
        Ok(prepared) => prepared,
        Err(e) => return (Err(e), None),
    };
    if state.offload == Offload::Never {
        return timed(&prepared, deadline);
    }
    let slice = Instant::now() + INLINE_SLICE;
    let slice = deadline.map_or(slice, |d| d.min(slice));
    let first = timed(&prepared, Some(slice));
    if !stopped_at(&first.0, slice, deadline) {
        return first;
    }
    blocking(move || {
        let _slot = slot;
        timed(&prepared, deadline)
    })
    .await
}

/// Type-checks `request`; large bodies on the blocking pool.
pub async fn check(
    state: &Arc<AppState>,
    request: CheckRequest,
    size: usize,
    slot: OwnedSemaphorePermit,
) -> Result<CheckResponse, ApiError> {
    if inline(state.offload, size, request.expr.len()) {
        return state.evaluator.check(&request);
    }
    let state = state.clone();
    let run = move || {
        let _slot = slot;
        state.evaluator.check(&request)
    };
    match tokio::task::spawn_blocking(run).await {
        Ok(result) => result,
        Err(e) => Err(ApiError::Internal(format!("check task failed: {e}"))),
    }
}

/// Runs the program once with `deadline`, measuring it.
fn timed(prepared: &Prepared, deadline: Option<Instant>) -> Outcome {
    let start = Instant::now();
    let result = prepared.run(deadline);
    (result, Some(start.elapsed().as_secs_f64()))
}

/// Whether `result` is the time slice running out (rather than an answer).
fn stopped_at(
    result: &Result<EvalResponse, ApiError>,
    slice: Instant,
    deadline: Option<Instant>,
) -> bool {
    match result {
        Err(ApiError::Expression(e)) => {
            e.kind() == ErrorKind::Limit
                && deadline.is_none_or(|d| slice < d)
                && Instant::now() >= slice
        }
        _ => false,
    }
}

async fn blocking(work: impl FnOnce() -> Outcome + Send + 'static) -> Outcome {
    match tokio::task::spawn_blocking(work).await {
        Ok(outcome) => outcome,
        Err(e) => (
            Err(ApiError::Internal(format!("evaluation task failed: {e}"))),
            None,
        ),
    }
}
