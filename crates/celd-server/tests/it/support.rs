//! The one place the tests build a service and call it.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use celd_server::drain::Drain;
use celd_server::{AdminToken, AppState, ServiceConfig, app};
use serde_json::Value as Json;
use tower::ServiceExt;

pub const TOKEN: &str = "test-token-1234";

/// A service with default limits and the test admin token.
pub fn state() -> Arc<AppState> {
    state_with(|_| {})
}

/// A service whose configuration `adjust` changes first.
pub fn state_with(adjust: impl FnOnce(&mut ServiceConfig)) -> Arc<AppState> {
    let mut config = ServiceConfig::new();
    config.admin_token = Some(AdminToken::new(TOKEN).unwrap());
    adjust(&mut config);
    AppState::new(&config, Drain::default()).unwrap()
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Json {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// `error.kind` of an error body.
    pub fn kind(&self) -> String {
        self.json()["error"]["kind"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

pub async fn call(state: &Arc<AppState>, request: Request<Body>) -> Answer {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Answer {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn post(state: &Arc<AppState>, path: &str, body: impl Into<Body>) -> Answer {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap();
    call(state, request).await
}

pub async fn get(state: &Arc<AppState>, path: &str, token: Option<&str>) -> Answer {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    call(state, request.body(Body::empty()).unwrap()).await
}
