//! The HTTP API (design §6): [`app`] builds the router over an [`AppState`]. Handlers here;
//! scheduling of evaluations in `dispatch.rs`, `/debug/*` in `admin.rs`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::api::{ApiError, CheckRequest, Evaluator};
use crate::config::{AdminToken, Offload, RequestLimits, ServiceConfig};
use crate::drain::Drain;
use crate::metrics::{Metrics, WorkerInfo};

/// What every handler shares.
pub struct AppState {
    pub evaluator: Arc<Evaluator>,
    pub metrics: Metrics,
    pub limits: RequestLimits,
    pub admin_token: Option<AdminToken>,
    pub offload: Offload,
    /// Evaluation slots: a request that finds none is answered 503 at once.
    slots: Arc<Semaphore>,
    /// Set when the worker drains: `/readyz` fails and responses close their connections.
    pub drain: Drain,
    /// The console's last minutes of figures, sampled by the worker.
    pub history: crate::live::History,
    /// This worker's generation, recycles and start.
    pub worker: crate::live::WorkerFacts,
    /// One `/debug/export` at a time.
    pub exports: Arc<Semaphore>,
}

impl AppState {
    pub fn new(config: &ServiceConfig, drain: Drain) -> Result<Arc<AppState>, celd::Error> {
        let evaluator = Arc::new(Evaluator::new(
            config.base_env()?,
            config.cache_config(),
            "http",
        ));
        let worker = WorkerInfo {
            generation: config.generation,
            recycles: config.recycles,
            max_rss: config.max_rss,
        };
        Ok(Arc::new(AppState {
            metrics: Metrics::new(evaluator.clone(), worker),
            evaluator,
            limits: config.limits.clone(),
            admin_token: config.admin_token.clone(),
            offload: config.offload,
            slots: Arc::new(Semaphore::new(config.limits.max_concurrency.max(1))),
            drain,
            history: crate::live::History::default(),
            worker: crate::live::WorkerFacts {
                info: worker,
                started: std::time::SystemTime::now(),
            },
            exports: Arc::new(Semaphore::new(1)),
        }))
    }

    /// An evaluation slot, or 503 when all are taken (no queue).
    pub fn slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::Overloaded)
    }
}

/// The service's router. Tested without a socket through `app(state).oneshot(request)`.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/eval", only_post(post(eval)))
        .route("/v1/check", only_post(post(check)))
        .route("/metrics", only_get(get(metrics)))
        .route("/healthz", only_get(get(healthz)))
        .route("/readyz", only_get(get(readyz)))
        .merge(crate::admin::routes(state.clone()))
        .merge(crate::console::routes(state.clone()))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// A request body read within the size limit (a declared length over it is refused before
/// any of the body is read).
pub struct RawBody(pub Bytes);

impl FromRequest<Arc<AppState>> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let limit = state.limits.max_body_bytes;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::TooLarge { limit });
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge { limit }
            } else {
                ApiError::Request(r.body_text())
            }
        })?;
        Ok(RawBody(bytes))
    }
}

/// Decodes a JSON request body (whatever its `Content-Type`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    crate::api::decode(bytes).map_err(|e| ApiError::Request(format!("invalid request body: {e}")))
}

/// A request body read within the size limit and parsed as JSON (large bodies on the
/// blocking pool); also its length in bytes.
pub struct JsonBody<T>(pub T, pub usize);

impl<T: DeserializeOwned + Send + 'static> FromRequest<Arc<AppState>> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        let size = bytes.len();
        if size <= crate::dispatch::INLINE_MAX_BYTES {
            return parse_json(&bytes).map(|v| JsonBody(v, size));
        }
        match tokio::task::spawn_blocking(move || parse_json(&bytes)).await {
            Ok(parsed) => parsed.map(|v| JsonBody(v, size)),
            Err(e) => Err(ApiError::Internal(format!("decoding task failed: {e}"))),
        }
    }
}

/// `/v1/eval`: an evaluation slot first (503 at once if none, before reading the body: a body
/// being read holds memory too), then the body, then the evaluation.
async fn eval(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let slot = match state.slot() {
        Ok(slot) => slot,
        Err(e) => return e.into_response(),
    };
    let body = match RawBody::from_request(req, &state).await {
        Ok(RawBody(body)) => body,
        Err(e) => {
            state.metrics.evaluation(e.outcome(), None);
            return e.into_response();
        }
    };
    let (result, seconds) = crate::dispatch::evaluate(&state, body).await;
    match result {
        Ok(body) => {
            state.metrics.evaluation("ok", seconds);
            // The slot is held until the body is written (or the connection closes): a
            // response waiting for its client holds memory as an evaluation does.
            let body = Body::new(HeldBody {
                bytes: Some(Bytes::from(body)),
                _slot: slot,
            });
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Err(e) => {
            state.metrics.evaluation(e.outcome(), seconds);
            e.into_response()
        }
    }
}

/// A response body that holds its evaluation slot until it is written or dropped.
struct HeldBody {
    bytes: Option<Bytes>,
    _slot: OwnedSemaphorePermit,
}

impl hyper::body::Body for HeldBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.bytes.take().map(|b| Ok(hyper::body::Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.bytes.is_none()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.bytes.as_ref().map_or(0, |b| b.len() as u64))
    }
}

async fn check(State(state): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let slot = state.slot()?;
    let JsonBody(request, size) = JsonBody::<CheckRequest>::from_request(req, &state).await?;
    let response = crate::dispatch::check(&state, request, size, slot).await?;
    Ok(Json(response).into_response())
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let text = state.metrics.render();
    ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response()
}

async fn healthz() -> Response {
    Json(serde_json::json!({"status": "ok"})).into_response()
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.drain.is_draining() {
        let body = serde_json::json!({"status": "draining"});
        (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
    } else {
        Json(serde_json::json!({"status": "ready"})).into_response()
    }
}

/// A route answering only POST: other methods get 405 with the Error body.
fn only_post<S: Clone + Send + Sync + 'static>(route: MethodRouter<S>) -> MethodRouter<S> {
    route.fallback(|| async { ApiError::MethodNotAllowed { allow: "POST" } })
}

/// A route answering only GET (and HEAD): other methods get 405 with the Error body.
pub(crate) fn only_get<S: Clone + Send + Sync + 'static>(
    route: MethodRouter<S>,
) -> MethodRouter<S> {
    route.fallback(|| async { ApiError::MethodNotAllowed { allow: "GET, HEAD" } })
}

async fn not_found(req: Request) -> ApiError {
    ApiError::NotFound(req.uri().path().chars().take(200).collect())
}

/// Every request: the time limit, one log line (debug; warn for 5xx), the request counter,
/// and `Connection: close` once the worker drains.
async fn observe(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let uri = req.uri().clone();
    let endpoint = endpoint(uri.path());
    let mut response = match tokio::time::timeout(state.limits.request_timeout, next.run(req)).await
    {
        Ok(response) => response,
        Err(_) => ApiError::TimedOut.into_response(),
    };
    let status = response.status();
    let path = || uri.path().chars().take(200).collect::<String>();
    if status.is_server_error() {
        let micros = start.elapsed().as_micros() as u64;
        tracing::warn!(%method, path = path(), status = status.as_u16(), micros, "request failed");
    } else if tracing::enabled!(tracing::Level::DEBUG) {
        let micros = start.elapsed().as_micros() as u64;
        tracing::debug!(%method, path = path(), status = status.as_u16(), micros, "request");
    }
    state.metrics.request(endpoint, status.as_u16());
    if state.drain.is_draining() {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The `endpoint` label: a fixed set, so clients cannot grow the metrics.
fn endpoint(path: &str) -> &'static str {
    match path {
        "/v1/eval" => "eval",
        "/v1/check" => "check",
        "/metrics" => "metrics",
        "/healthz" => "healthz",
        "/readyz" => "readyz",
        p if p.starts_with("/debug/") => "debug",
        p if p == "/" || p.starts_with("/console") => "console",
        _ => "other",
    }
}
