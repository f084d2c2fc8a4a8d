//! What a request's declarations and variables may say: type names resolve through the
//! service's environment and the request's container, a value must fit its declaration,
//! plain JSON is data, and nesting is held to the documented 128 levels.

use std::path::PathBuf;

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{Answer, post, state, state_with};

fn spec_proto_dir() -> PathBuf {
    let spec = std::env::var_os("CEL_SPEC_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cel-spec"),
        PathBuf::from,
    );
    spec.join("proto")
}

fn with_test_messages() -> std::sync::Arc<celd_server::AppState> {
    state_with(|config| {
        config.protos.include_dirs = vec![spec_proto_dir()];
        config.protos.proto_files = vec!["cel/expr/conformance/proto3/test_all_types.proto".into()];
    })
}

fn request_error(a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
    assert_eq!(a.kind(), "request", "{}", a.text);
    a.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn unknown_type_names_are_400_with_a_hint() {
    let s = state();
    for endpoint in ["/v1/eval", "/v1/check"] {
        let a = post(&s, endpoint, r#"{"expr": "x", "decls": {"x": "integr"}}"#).await;
        assert_eq!(
            request_error(&a),
            "declaration of 'x': unknown type 'integr'; did you mean 'int'?"
        );
    }
    let a = post(
        &s,
        "/v1/check",
        r#"{"expr": "m", "decls": {"m": "TestAllTypes"}}"#,
    )
    .await;
    assert_eq!(
        request_error(&a),
        "declaration of 'm': unknown message type 'TestAllTypes'; load it with --proto"
    );
}

#[tokio::test]
async fn message_type_names_resolve_in_the_container() {
    let s = with_test_messages();
    let body = r#"{"expr": "m.single_int64", "decls": {"m": "TestAllTypes"},
                   "container": "cel.expr.conformance.proto3"}"#;
    let a = post(&s, "/v1/check", body).await;
    assert_eq!(a.json(), json!({"type": "int"}), "{}", a.text);
    // Without the container the name means nothing.
    let a = post(
        &s,
        "/v1/check",
        r#"{"expr": "m", "decls": {"m": "TestAllTypes"}}"#,
    )
    .await;
    assert!(request_error(&a).contains("unknown message type 'TestAllTypes'"));
}

#[tokio::test]
async fn a_name_declared_twice_is_400() {
    let s = state();
    let body = r#"{"expr": "x", "vars": {"x": 1}, "decls": {"x": "int", "x": "string"}}"#;
    let a = post(&s, "/v1/eval", body).await;
    assert!(
        request_error(&a).contains("variable 'x' is declared more than once"),
        "{}",
        a.text
    );
}

#[tokio::test]
async fn a_value_that_does_not_fit_its_declaration_is_400() {
    let s = state();
    let a = post(
        &s,
        "/v1/eval",
        r#"{"expr": "x + 1", "vars": {"x": 1.5}, "decls": {"x": "int"}}"#,
    )
    .await;
    assert_eq!(
        request_error(&a),
        "variable 'x' is declared int but was given double"
    );
    let a = post(
        &s,
        "/v1/eval",
        r#"{"expr": "size(xs)", "vars": {"xs": [1, "a"]}, "decls": {"xs": "list(int)"}}"#,
    )
    .await;
    assert_eq!(
        request_error(&a),
        "variable 'xs' is declared list(int) but was given string at xs[1]"
    );
}

#[tokio::test]
async fn json_numbers_widen_to_the_declared_type() {
    let s = state();
    let body = r#"{"expr": "[d, u, ds[0]]", "vars": {"d": 2, "u": 3, "ds": [1]},
                   "decls": {"d": "double", "u": "uint", "ds": "list(double)"}}"#;
    let a = post(&s, "/v1/eval", body).await;
    assert_eq!(
        a.json()["value"],
        json!([2.0, {"$uint": "3"}, 1.0]),
        "{}",
        a.text
    );
}

#[tokio::test]
async fn plain_json_takes_any_document_as_data() {
    let s = with_test_messages();
    let body = r#"{"expr": "[doc['$uint'], t, m.single_int64, b]", "plain_json": true,
                   "vars": {"doc": {"$uint": "3"}, "t": "2024-01-01T00:00:00Z",
                            "m": {"singleInt64": "7"}, "b": "AAE="},
                   "decls": {"t": "timestamp", "m": "cel.expr.conformance.proto3.TestAllTypes",
                             "b": "bytes"}}"#;
    let a = post(&s, "/v1/eval", body).await;
    assert_eq!(
        a.json()["value"],
        json!(["3", {"$timestamp": "2024-01-01T00:00:00Z"}, 7, {"$bytes": "AAE="}]),
        "{}",
        a.text
    );
    // The same document in celd JSON is a tagged value.
    let body = r#"{"expr": "doc", "vars": {"doc": {"$uint": "3"}}}"#;
    assert_eq!(
        post(&s, "/v1/eval", body).await.json()["value"],
        json!({"$uint": "3"})
    );
}

fn nested(levels: usize) -> String {
    format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
}

#[tokio::test]
async fn nesting_is_held_to_128_levels_with_its_own_error() {
    let s = state();
    let body = |levels| {
        format!(
            r#"{{"expr": "size(x)", "vars": {{"x": {}}}}}"#,
            nested(levels)
        )
    };
    let a = post(&s, "/v1/eval", body(128)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let a = post(&s, "/v1/eval", body(129)).await;
    assert_eq!(
        request_error(&a),
        "variable 'x': nesting deeper than 128 levels"
    );
    // Far deeper documents are refused before they are parsed.
    let a = post(&s, "/v1/eval", body(100_000)).await;
    let message = request_error(&a);
    assert!(
        message.contains("JSON nested deeper than 256 levels at line 1 column"),
        "{message}"
    );
}
