//! The service and `celd eval --batch` over an environment a host program extended: its
//! functions, host types (read from and written as celd JSON) and struct types.

use std::fmt;

use axum::http::StatusCode;
use celd::{HostType, StructType, Type};
use celd_cache::CacheConfig;
use celd_server::ExtendEnv;
use celd_server::api::Evaluator;
use serde_json::json;

use crate::support::{post, state_with};

#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
struct Mebibytes(u64);

impl fmt::Display for Mebibytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Mi", self.0)
    }
}

impl Mebibytes {
    fn parse(text: &str) -> Result<Mebibytes, String> {
        let digits = text.strip_suffix("Mi").ok_or("expected a number of Mi")?;
        digits
            .parse()
            .map(Mebibytes)
            .map_err(|e| format!("{text:?}: {e}"))
    }
}

impl HostType for Mebibytes {
    const TYPE_NAME: &'static str = "test.Mebibytes";
    const ORDERED: bool = true;
    fn equals(&self, other: &Self) -> bool {
        self == other
    }
    fn compare(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.partial_cmp(other)
    }
    fn to_json(&self) -> serde_json::Value {
        json!(self.to_string())
    }
    fn from_json(json: &serde_json::Value) -> Result<Mebibytes, String> {
        Mebibytes::parse(json.as_str().ok_or("expected a string")?)
    }
}

fn extend() -> ExtendEnv {
    ExtendEnv::new(|builder| {
        builder
            .host_type::<Mebibytes>()
            .struct_type(
                StructType::new("test.Limits")
                    .field("memory", Type::named("test.Mebibytes"))
                    .field("cpus", Type::Int),
            )
            .function("mebibytes", Mebibytes::parse)
            .function("double_it", |x: i64| x * 2)
            .method("twice", |m: &Mebibytes| Mebibytes(m.0 * 2))
    })
}

#[tokio::test]
async fn the_service_evaluates_with_host_functions_and_types() {
    let s = state_with(|config| config.extend_env = Some(extend()));
    let body = json!({
        "expr": "limits.memory.twice() > mebibytes('100Mi') && double_it(limits.cpus) == 4",
        "vars": {"limits": {"memory": {"$test.Mebibytes": "64Mi"}, "cpus": 2}},
        "decls": {"limits": "test.Limits"}
    });
    let a = post(&s, "/v1/eval", body.to_string()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json(), json!({"value": true, "type": "bool"}));

    // A host value comes back in its celd JSON form, with its type.
    let body = json!({"expr": "m.twice()", "vars": {"m": {"$test.Mebibytes": "3Mi"}}, "decls": {"m": "test.Mebibytes"}});
    let a = post(&s, "/v1/eval", body.to_string()).await;
    assert_eq!(
        a.json(),
        json!({"value": {"$test.Mebibytes": "6Mi"}, "type": "test.Mebibytes"})
    );

    // Unknown fields of a struct type are check errors; bad host JSON is a request error.
    let body = json!({"expr": "limits.gpus", "decls": {"limits": "test.Limits"}});
    let a = post(&s, "/v1/eval", body.to_string()).await;
    assert_eq!(
        (a.status, a.kind()),
        (StatusCode::UNPROCESSABLE_ENTITY, "check".into())
    );
    let body = json!({"expr": "m", "vars": {"m": {"$test.Mebibytes": "3Gi"}}});
    let a = post(&s, "/v1/eval", body.to_string()).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
    assert!(
        a.text.contains("test.Mebibytes: expected a number of Mi"),
        "{}",
        a.text
    );

    // Requests differing in their literals share one program, host calls included.
    let before = s.evaluator.cache().stats();
    for k in 1..=3 {
        let expr = format!("double_it(x) + {k} > 2 && mebibytes('{k}Mi') < mebibytes('9Mi')");
        let body = json!({"expr": expr, "vars": {"x": 1}});
        let a = post(&s, "/v1/eval", body.to_string()).await;
        assert_eq!(a.json()["value"], json!(k > 0), "{}", a.text);
    }
    let after = s.evaluator.cache().stats();
    assert_eq!(
        (
            after.compilations - before.compilations,
            after.hits - before.hits
        ),
        (1, 2)
    );
}

#[test]
fn batch_lines_are_answered_with_host_functions() {
    let mut config = celd_server::ServiceConfig::new();
    config.extend_env = Some(extend());
    let evaluator = Evaluator::new(config.base_env().unwrap(), CacheConfig::default(), "batch");
    let ok = evaluator
        .answer_line(br#"{"expr": "double_it(21)"}"#)
        .unwrap();
    assert_eq!(ok, r#"{"value":42,"type":"int"}"#);
    let err = evaluator
        .answer_line(br#"{"expr": "mebibytes('1Gi')"}"#)
        .unwrap_err();
    assert_eq!(
        err,
        r#"{"error":{"kind":"eval","message":"expected a number of Mi","line":1,"column":1}}"#
    );
    let err = evaluator.answer_line(b"{").unwrap_err();
    assert!(err.contains(r#""kind":"request""#), "{err}");

    // Lines differing in their literals share one program, as for standard functions.
    let before = evaluator.cache().stats();
    for (k, expect) in [(1, "true"), (2, "true"), (5, "false")] {
        let line = format!(
            r#"{{"expr": "double_it({k}) < 5 && mebibytes('{k}Mi').twice() <= mebibytes('4Mi')"}}"#
        );
        let answer = evaluator.answer_line(line.as_bytes()).unwrap();
        assert_eq!(answer, format!(r#"{{"value":{expect},"type":"bool"}}"#));
    }
    let after = evaluator.cache().stats();
    assert_eq!(
        (
            after.compilations - before.compilations,
            after.hits - before.hits
        ),
        (1, 2)
    );
}
