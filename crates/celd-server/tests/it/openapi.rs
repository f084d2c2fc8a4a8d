//! `docs/openapi.yaml` stays true: every path, method and status it lists is produced by a
//! request below, and every request below is listed.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::Request;

use crate::support::{TOKEN, call, state, state_with};

const SPEC: &str = include_str!("../../../../docs/openapi.yaml");

/// (method, path as in the spec, status) for every answer the spec lists.
fn listed() -> BTreeSet<(String, String, u16)> {
    let mut out = BTreeSet::new();
    let (mut path, mut method) = (String::new(), String::new());
    let in_paths = SPEC
        .split("\npaths:\n")
        .nth(1)
        .and_then(|rest| rest.split("\ncomponents:\n").next())
        .unwrap_or("");
    for line in in_paths.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match indent {
            2 if trimmed.ends_with(':') => path = trimmed.trim_end_matches(':').to_owned(),
            4 if trimmed.ends_with(':') => method = trimmed.trim_end_matches(':').to_uppercase(),
            8 if trimmed.starts_with('"') => {
                let status = trimmed[1..4].parse().unwrap();
                out.insert((method.clone(), path.clone(), status));
            }
            _ => {}
        }
    }
    out
}

struct Case {
    method: &'static str,
    spec_path: &'static str,
    uri: &'static str,
    body: &'static str,
    token: Option<&'static str>,
    status: u16,
}

const fn case(
    method: &'static str,
    spec_path: &'static str,
    uri: &'static str,
    body: &'static str,
    token: Option<&'static str>,
    status: u16,
) -> Case {
    Case {
        method,
        spec_path,
        uri,
        body,
        token,
        status,
    }
}

const T: Option<&str> = Some(TOKEN);

/// One request per listed answer. Statuses that need a particular configuration (413, 503,
/// 403) use the variants of `run`.
const CASES: &[Case] = &[
    case(
        "POST",
        "/v1/eval",
        "/v1/eval",
        r#"{"expr": "1 + 1"}"#,
        None,
        200,
    ),
    case("POST", "/v1/eval", "/v1/eval", r#"{"expr": 1}"#, None, 400),
    case(
        "POST",
        "/v1/eval",
        "/v1/eval",
        r#"{"expr": "'a' + 'a' + 'a'"}"#,
        None,
        413,
    ),
    case(
        "POST",
        "/v1/eval",
        "/v1/eval",
        r#"{"expr": "1 +"}"#,
        None,
        422,
    ),
    case(
        "POST",
        "/v1/eval",
        "/v1/eval",
        r#"{"expr": "1"}"#,
        None,
        503,
    ),
    case(
        "POST",
        "/v1/check",
        "/v1/check",
        r#"{"expr": "1 + 1"}"#,
        None,
        200,
    ),
    case(
        "POST",
        "/v1/check",
        "/v1/check",
        r#"{"exp": "1"}"#,
        None,
        400,
    ),
    case(
        "POST",
        "/v1/check",
        "/v1/check",
        r#"{"expr": "'a' + 'a' + 'a'"}"#,
        None,
        413,
    ),
    case(
        "POST",
        "/v1/check",
        "/v1/check",
        r#"{"expr": "1 + 'a'"}"#,
        None,
        422,
    ),
    case(
        "POST",
        "/v1/check",
        "/v1/check",
        r#"{"expr": "1"}"#,
        None,
        503,
    ),
    case("GET", "/metrics", "/metrics", "", None, 200),
    case("GET", "/healthz", "/healthz", "", None, 200),
    case("GET", "/readyz", "/readyz", "", None, 200),
    case("GET", "/readyz", "/readyz", "", None, 503),
    case(
        "GET",
        "/debug/programs",
        "/debug/programs?sort=age",
        "",
        T,
        200,
    ),
    case(
        "GET",
        "/debug/programs",
        "/debug/programs?sort=x",
        "",
        T,
        400,
    ),
    case(
        "GET",
        "/debug/programs",
        "/debug/programs",
        "",
        Some("no"),
        401,
    ),
    case("GET", "/debug/programs", "/debug/programs", "", None, 403),
    case(
        "GET",
        "/debug/programs/{id}",
        "/debug/programs/PROGRAM",
        "",
        T,
        200,
    ),
    case(
        "GET",
        "/debug/programs/{id}",
        "/debug/programs/xyz",
        "",
        T,
        400,
    ),
    case(
        "GET",
        "/debug/programs/{id}",
        "/debug/programs/PROGRAM",
        "",
        Some("no"),
        401,
    ),
    case(
        "GET",
        "/debug/programs/{id}",
        "/debug/programs/PROGRAM",
        "",
        None,
        403,
    ),
    case(
        "GET",
        "/debug/programs/{id}",
        "/debug/programs/000000000000",
        "",
        T,
        404,
    ),
    // 405: the listed path sent with another method (see `wrong_method`).
    case("POST", "/v1/eval", "/v1/eval", "", None, 405),
    case("POST", "/v1/check", "/v1/check", "", None, 405),
    case("GET", "/metrics", "/metrics", "", None, 405),
    case("GET", "/healthz", "/healthz", "", None, 405),
    case("GET", "/readyz", "/readyz", "", None, 405),
    case("GET", "/debug/programs", "/debug/programs", "", T, 405),
    case(
        "GET",
        "/debug/programs/{id}",
        "/debug/programs/PROGRAM",
        "",
        T,
        405,
    ),
    case("GET", "/debug/stats", "/debug/stats", "", T, 405),
    case("GET", "/debug/export", "/debug/export", "", T, 405),
    case("GET", "/", "/", "", None, 405),
    case("GET", "/console", "/console", "", None, 405),
    case("GET", "/console/", "/console/", "", None, 405),
    case(
        "GET",
        "/console/playground",
        "/console/playground",
        "",
        None,
        405,
    ),
    case(
        "GET",
        "/console/assets/{name}",
        "/console/assets/console.js",
        "",
        None,
        405,
    ),
    case("GET", "/debug/stats", "/debug/stats?since=0", "", T, 200),
    case("GET", "/debug/stats", "/debug/stats?since=soon", "", T, 400),
    case("GET", "/debug/stats", "/debug/stats", "", Some("no"), 401),
    case("GET", "/debug/stats", "/debug/stats", "", None, 403),
    case("GET", "/debug/export", "/debug/export", "", T, 200),
    case("GET", "/debug/export", "/debug/export", "", Some("no"), 401),
    case("GET", "/debug/export", "/debug/export", "", None, 403),
    case("GET", "/debug/export", "/debug/export", "", T, 503),
    case("GET", "/", "/", "", None, 303),
    case("GET", "/console", "/console", "", None, 303),
    case("GET", "/console/", "/console/", "", None, 200),
    case(
        "GET",
        "/console/playground",
        "/console/playground",
        "",
        None,
        200,
    ),
    case(
        "GET",
        "/console/assets/{name}",
        "/console/assets/console.js",
        "",
        None,
        200,
    ),
    case(
        "GET",
        "/console/assets/{name}",
        "/console/assets/console.js",
        "",
        None,
        304,
    ),
    case(
        "GET",
        "/console/assets/{name}",
        "/console/assets/none.js",
        "",
        None,
        404,
    ),
];

/// The method a 405 case sends: not the one the path answers.
fn wrong_method(listed: &str) -> &'static str {
    match listed {
        "GET" => "DELETE",
        _ => "GET",
    }
}

#[test]
fn every_listed_answer_has_a_case_and_every_case_is_listed() {
    let listed = listed();
    assert!(listed.len() > 30, "the spec was read: {listed:?}");
    let cases: BTreeSet<(String, String, u16)> = CASES
        .iter()
        .map(|c| (c.method.to_owned(), c.spec_path.to_owned(), c.status))
        .collect();
    assert_eq!(listed, cases);
}

#[tokio::test]
async fn every_case_gets_its_status() {
    for c in CASES {
        let s = match c.status {
            413 => state_with(|config| config.limits.max_body_bytes = 10),
            403 => state_with(|config| config.admin_token = None),
            _ => state(),
        };
        let _held = (c.status == 503 && c.spec_path.starts_with("/v1/")).then(|| {
            // Take every slot.
            (0..64).map(|_| s.slot().unwrap()).collect::<Vec<_>>()
        });
        // An export in progress.
        let _exporting = (c.status == 503 && c.spec_path == "/debug/export")
            .then(|| s.exports.clone().try_acquire_owned().unwrap());
        if c.status == 503 && c.spec_path == "/readyz" {
            s.drain.start();
        }
        let program = seed_program(&s);
        let uri = c.uri.replace("PROGRAM", &program);
        let method = match c.status {
            405 => wrong_method(c.method),
            _ => c.method,
        };
        let mut request = Request::builder().method(method).uri(&uri);
        if let Some(token) = c.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if c.status == 304 {
            let first = call(&s, Request::get(&uri).body(Body::empty()).unwrap()).await;
            request = request.header("if-none-match", &first.headers["etag"]);
        }
        let a = call(&s, request.body(Body::from(c.body)).unwrap()).await;
        assert_eq!(a.status.as_u16(), c.status, "{method} {uri}: {}", a.text);
        if c.status >= 400 && c.spec_path != "/readyz" {
            // Every error answer has the Error body.
            let body: serde_json::Value = serde_json::from_str(&a.text)
                .unwrap_or_else(|e| panic!("{method} {uri}: {e}: {:?}", a.text));
            let kind = body["error"]["kind"].as_str().unwrap_or_default();
            assert!(!kind.is_empty(), "{method} {uri}: {}", a.text);
            assert!(
                body["error"]["message"].is_string(),
                "{method} {uri}: {}",
                a.text
            );
        }
        if c.status == 405 {
            assert!(a.headers.contains_key("allow"), "{method} {uri}");
        }
    }
}

/// Evaluates one expression so that a program is cached; its id.
fn seed_program(s: &std::sync::Arc<celd_server::AppState>) -> String {
    let request = celd_server::api::EvalRequest {
        expr: "[1, 2].size() + x".into(),
        vars: serde_json::from_str(r#"{"x": 1}"#).ok(),
        ..Default::default()
    };
    let _ = s.evaluator.evaluate(&request, None);
    s.evaluator.cache().inventory(celd_cache::SortBy::Hits)[0]
        .id
        .to_string()
}
