//! `/debug/*`: 403 without a configured token, 401 with a wrong or missing one, the inventory
//! and program dumps with the right one.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{TOKEN, get, post, state, state_with};

#[tokio::test]
async fn no_configured_token_is_403() {
    let s = state_with(|c| c.admin_token = None);
    for token in [None, Some(TOKEN), Some("")] {
        let a = get(&s, "/debug/programs", token).await;
        assert_eq!(
            (a.status, a.kind()),
            (StatusCode::FORBIDDEN, "request".into())
        );
    }
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_401() {
    let s = state();
    for token in [
        None,
        Some("wrong"),
        Some("test-token-123"),
        Some("test-token-12345"),
    ] {
        let a = get(&s, "/debug/programs", token).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(a.headers.contains_key("www-authenticate"));
        assert!(!a.text.contains(TOKEN));
        assert_eq!(
            get(&s, "/debug/programs/000000000000", token).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn the_inventory_lists_programs_sorted() {
    let s = state();
    for _ in 0..3 {
        post(&s, "/v1/eval", r#"{"expr": "x + 1", "vars": {"x": 1}}"#).await;
    }
    post(
        &s,
        "/v1/eval",
        r#"{"expr": "[x, x, x].map(i, i * 2)", "vars": {"x": 1}}"#,
    )
    .await;
    let a = get(&s, "/debug/programs", Some(TOKEN)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let body = a.json();
    assert_eq!(body["sort"], "hits");
    assert_eq!(body["cache"]["programs_loaded"], json!(2));
    let programs = body["programs"].as_array().unwrap();
    assert_eq!(programs[0]["template"], "x + $0");
    assert_eq!(programs[0]["hits"], json!(2));
    for sort in ["hits", "bytes", "age"] {
        let a = get(&s, &format!("/debug/programs?sort={sort}"), Some(TOKEN)).await;
        assert_eq!(a.json()["sort"], sort);
        assert_eq!(a.json()["programs"].as_array().unwrap().len(), 2);
    }
    let largest = get(&s, "/debug/programs?sort=bytes", Some(TOKEN))
        .await
        .json();
    assert!(largest["programs"][0]["bytes"].as_u64() >= largest["programs"][1]["bytes"].as_u64());
    let a = get(&s, "/debug/programs?sort=size", Some(TOKEN)).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::BAD_REQUEST, "request".into())
    );
}

#[tokio::test]
async fn one_program_is_dumped_by_id() {
    let s = state();
    post(&s, "/v1/eval", r#"{"expr": "x + 41", "vars": {"x": 1}}"#).await;
    let list = get(&s, "/debug/programs", Some(TOKEN)).await.json();
    let id = list["programs"][0]["id"].as_str().unwrap().to_owned();
    let a = get(&s, &format!("/debug/programs/{id}"), Some(TOKEN)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let dump = a.json();
    assert_eq!(dump["id"], id.as_str());
    assert_eq!(dump["template"], "x + $0");
    assert_eq!(dump["parameters"][0]["type"], "int");
    assert!(dump["checked"].as_str().unwrap().contains("~"));
    assert!(
        dump["plan"].as_str().unwrap().contains("param $0"),
        "{}",
        dump["plan"]
    );
    assert_eq!(dump["stats"]["hits"], json!(0));
    let a = get(&s, "/debug/programs/0123456789ab", Some(TOKEN)).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::NOT_FOUND, "request".into())
    );
    let a = get(&s, "/debug/programs/not-an-id", Some(TOKEN)).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}
