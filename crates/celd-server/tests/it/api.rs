//! `/v1/eval`, `/v1/check`, health, metrics and the error statuses 400, 413, 422, 503.

use std::time::Duration;

use axum::http::StatusCode;
use celd_server::Offload;
use serde_json::json;

use crate::support::{get, post, state, state_with};

#[tokio::test]
async fn eval_answers_value_and_type() {
    let s = state();
    let a = post(
        &s,
        "/v1/eval",
        r#"{"expr": "x + y * z", "vars": {"x": 1, "y": 2, "z": 3}}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json(), json!({"value": 7, "type": "int"}));
    assert_eq!(a.headers["content-type"], "application/json");
}

#[tokio::test]
async fn eval_takes_declarations_and_container() {
    let s = state();
    let body = r#"{"expr": "u + 1u", "vars": {"u": {"$uint": "2"}}, "decls": {"u": "uint"}}"#;
    let a = post(&s, "/v1/eval", body).await;
    assert_eq!(a.json(), json!({"value": {"$uint": "3"}, "type": "uint"}));
    let body = r#"{"expr": "[1, 2].map(i, i * k)", "vars": {"k": 2}, "container": "a.b"}"#;
    assert_eq!(
        post(&s, "/v1/eval", body).await.json()["value"],
        json!([2, 4])
    );
}

#[tokio::test]
async fn eval_goes_through_the_program_cache() {
    let s = state();
    for k in 0..5 {
        let body = format!(r#"{{"expr": "x * {k}", "vars": {{"x": 2}}}}"#);
        assert_eq!(post(&s, "/v1/eval", body).await.status, StatusCode::OK);
    }
    let stats = s.evaluator.cache().stats();
    assert_eq!((stats.compilations, stats.hits), (1, 4));
}

#[tokio::test]
async fn expression_errors_are_422_with_a_location() {
    let s = state();
    let a = post(&s, "/v1/eval", r#"{"expr": "1 +"}"#).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.kind(), "parse");
    assert_eq!(
        (
            a.json()["error"]["line"].clone(),
            a.json()["error"]["column"].clone()
        ),
        (json!(1), json!(4))
    );
    let a = post(
        &s,
        "/v1/eval",
        r#"{"expr": "x + 'a'", "decls": {"x": "int"}}"#,
    )
    .await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::UNPROCESSABLE_ENTITY, "check".into())
    );
    let a = post(&s, "/v1/eval", r#"{"expr": "1 / x", "vars": {"x": 0}}"#).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::UNPROCESSABLE_ENTITY, "eval".into())
    );
    assert_eq!(a.json()["error"]["column"], json!(3));
}

#[tokio::test]
async fn malformed_requests_are_400() {
    let s = state();
    for body in [
        "not json",
        r#"{"vars": {}}"#,
        r#"{"expr": 1}"#,
        r#"{"expr": "x", "unknown": 1}"#,
        r#"{"expr": "x", "decls": {"x": "list("}}"#,
        r#"{"expr": "x", "vars": {"x": {"$uint": "-1"}}}"#,
    ] {
        let a = post(&s, "/v1/eval", body).await;
        assert_eq!(
            (a.status, a.kind()),
            (StatusCode::BAD_REQUEST, "request".into()),
            "{body}: {}",
            a.text
        );
    }
    let a = post(&s, "/v1/eval", vec![0xff, 0xfe]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let s = state_with(|c| c.limits.max_body_bytes = 1000);
    let big = format!(r#"{{"expr": "'{}'"}}"#, "a".repeat(2000));
    let a = post(&s, "/v1/eval", big).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::PAYLOAD_TOO_LARGE, "limit".into())
    );
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1000 bytes")
    );
    let a = post(
        &s,
        "/v1/check",
        format!(r#"{{"expr": "'{}'"}}"#, "a".repeat(2000)),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_default_body_limit_is_one_mebibyte() {
    let s = state();
    let just_over = format!(r#"{{"expr": "'{}'"}}"#, "a".repeat(1 << 20));
    assert_eq!(
        post(&s, "/v1/eval", just_over).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn expression_size_and_depth_limits_are_422_limit() {
    let s = state_with(|c| {
        c.limits.max_expr_code_points = 100;
        c.limits.max_depth = 10;
    });
    let long = format!(r#"{{"expr": "'{}'"}}"#, "a".repeat(200));
    let a = post(&s, "/v1/eval", long).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::UNPROCESSABLE_ENTITY, "limit".into()),
        "{}",
        a.text
    );
    let deep = format!(r#"{{"expr": "{}1{}"}}"#, "[".repeat(20), "]".repeat(20));
    let a = post(&s, "/v1/eval", deep).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::UNPROCESSABLE_ENTITY, "limit".into()),
        "{}",
        a.text
    );
}

/// `l.all(i, l.all(j, ...))` over 1,000 elements: a million iterations.
fn quadratic() -> String {
    let list: Vec<u32> = (0..1000).collect();
    json!({"expr": "l.all(i, l.all(j, i + j >= 0))", "vars": {"l": list}}).to_string()
}

#[tokio::test]
async fn cost_limit_is_422_limit() {
    let s = state_with(|c| c.limits.max_cost = 10_000);
    let a = post(&s, "/v1/eval", quadratic()).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::UNPROCESSABLE_ENTITY, "limit".into()),
        "{}",
        a.text
    );
}

#[tokio::test]
async fn time_limit_is_422_limit_in_every_offload_mode() {
    for offload in [Offload::Auto, Offload::Always, Offload::Never] {
        let s = state_with(|c| {
            c.limits.max_cost = u64::MAX;
            c.limits.eval_timeout = Duration::from_millis(1);
            c.offload = offload;
        });
        let a = post(&s, "/v1/eval", quadratic()).await;
        assert_eq!(
            (a.status, a.kind()),
            (StatusCode::UNPROCESSABLE_ENTITY, "limit".into()),
            "{offload:?}"
        );
        assert!(a.text.contains("time limit"), "{}", a.text);
    }
}

#[tokio::test]
async fn a_time_limit_too_large_for_the_clock_is_no_limit() {
    let s = state_with(|c| c.limits.eval_timeout = Duration::MAX);
    let a = post(&s, "/v1/eval", r#"{"expr": "[1, 2].map(i, i * 2)"}"#).await;
    assert_eq!(a.json()["value"], json!([2, 4]));
}

#[tokio::test]
async fn large_bodies_are_evaluated_on_the_blocking_pool_with_the_same_answer() {
    let s = state();
    let padding = "a".repeat(celd_server::dispatch::INLINE_MAX_BYTES);
    let body = json!({"expr": "size(s) + 1", "vars": {"s": padding}}).to_string();
    let a = post(&s, "/v1/eval", body).await;
    assert_eq!(
        a.json()["value"],
        json!(celd_server::dispatch::INLINE_MAX_BYTES + 1)
    );
}

#[tokio::test]
async fn long_expressions_are_compiled_on_the_blocking_pool_with_the_same_answer() {
    let s = state();
    let n = celd_server::dispatch::INLINE_MAX_EXPR_BYTES / 4;
    let items = vec!["x"; n].join(", ");
    let body = json!({"expr": format!("[{items}].size()"), "vars": {"x": 1}}).to_string();
    let a = post(&s, "/v1/eval", body).await;
    assert_eq!(a.json()["value"], json!(n), "{}", a.text);
}

#[tokio::test]
async fn no_free_slot_is_503_at_once() {
    let s = state_with(|c| c.limits.max_concurrency = 1);
    let held = s.slot().unwrap();
    let a = post(&s, "/v1/eval", r#"{"expr": "1"}"#).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::SERVICE_UNAVAILABLE, "limit".into())
    );
    assert_eq!(a.headers["retry-after"], "1");
    assert_eq!(
        post(&s, "/v1/check", r#"{"expr": "1"}"#).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(get(&s, "/healthz", None).await.status, StatusCode::OK);
    drop(held);
    assert_eq!(
        post(&s, "/v1/eval", r#"{"expr": "1"}"#).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn check_answers_the_type_or_the_error() {
    let s = state();
    let a = post(
        &s,
        "/v1/check",
        r#"{"expr": "x + 1", "decls": {"x": "int"}}"#,
    )
    .await;
    assert_eq!(a.json(), json!({"type": "int"}));
    let a = post(&s, "/v1/check", r#"{"expr": "x + 1"}"#).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::UNPROCESSABLE_ENTITY, "check".into())
    );
    let a = post(&s, "/v1/check", r#"{"expr": "x", "vars": {}}"#).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn health_and_readiness() {
    let s = state();
    assert_eq!(get(&s, "/healthz", None).await.status, StatusCode::OK);
    let a = get(&s, "/readyz", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(!a.headers.contains_key("connection"));
    s.drain.start();
    let a = get(&s, "/readyz", None).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get(&s, "/healthz", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_draining_worker_closes_connections_after_answering() {
    let s = state();
    s.drain.start();
    let a = post(&s, "/v1/eval", r#"{"expr": "1"}"#).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers["connection"], "close");
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let s = state();
    let a = get(&s, "/v2/eval", None).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::NOT_FOUND, "request".into())
    );
    assert_eq!(
        get(&s, "/v1/eval", None).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

/// Every metric name of design §6.
pub const METRIC_NAMES: [&str; 13] = [
    "celd_programs_loaded",
    "celd_program_cache_bytes",
    "celd_compilations_total",
    "celd_cache_hits_total",
    "celd_cache_misses_total",
    "celd_cache_evictions_total",
    "celd_compile_storms_total",
    "celd_evaluations_total{outcome=\"ok\"}",
    "celd_eval_duration_seconds_bucket",
    "celd_compile_duration_seconds_bucket",
    "process_resident_memory_bytes",
    "celd_worker_recycles_total",
    "celd_worker_generation",
];

#[tokio::test]
async fn metrics_have_every_name_and_count_requests() {
    let s = state();
    post(&s, "/v1/eval", r#"{"expr": "x + 1", "vars": {"x": 1}}"#).await;
    post(&s, "/v1/eval", r#"{"expr": "1 +"}"#).await;
    let a = get(&s, "/metrics", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    for name in METRIC_NAMES {
        assert!(a.text.contains(name), "{name} missing from:\n{}", a.text);
    }
    assert!(
        a.text.contains("celd_evaluations_total{outcome=\"ok\"} 1"),
        "{}",
        a.text
    );
    assert!(
        a.text
            .contains("celd_evaluations_total{outcome=\"parse\"} 1")
    );
    assert!(a.text.contains("celd_compilations_total 1"));
    assert!(a.text.contains("celd_eval_duration_seconds_count 1"));
    assert!(
        a.text
            .contains("celd_http_requests_total{endpoint=\"eval\",status=\"422\"} 1")
    );
}
