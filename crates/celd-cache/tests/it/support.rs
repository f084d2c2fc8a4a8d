//! The one place the tests build environments, variables and caches.

use std::sync::Arc;

use celd::layers::value::json::JsonReader;
use celd::{Activation, Env, Type};
use celd_cache::{CacheConfig, ProgramCache};

/// Variables every test may use.
pub fn env() -> Env {
    Env::builder()
        .all_extensions()
        .variable("x", Type::Int)
        .variable("y", Type::Double)
        .variable("s", Type::String)
        .variable("b", Type::Bool)
        .variable("l", Type::list(Type::Int))
        .variable("m", Type::map(Type::String, Type::Int))
        .variable("items", Type::list(Type::map(Type::String, Type::Dyn)))
        .build()
        .expect("the test environment builds")
}

pub fn vars(env: &Env) -> Activation {
    let json = serde_json::json!({
        "x": 7, "y": 2.5, "s": "hello", "b": true, "l": [1, 5, 9],
        "m": {"a": 1, "b": 2},
        "items": [{"name": "pen", "price": 2.5}, {"name": "lamp", "price": 30.0}],
    });
    let reader = JsonReader::default();
    let mut activation = env.activation();
    for (name, value) in json.as_object().expect("an object") {
        activation.insert(name, reader.read(value).expect("valid celd JSON"));
    }
    activation
}

pub fn cache() -> ProgramCache {
    ProgramCache::default()
}

pub fn cache_of(max_bytes: u64) -> ProgramCache {
    ProgramCache::new(CacheConfig {
        max_bytes,
        ..CacheConfig::default()
    })
}

/// Whether two texts share one program in a fresh cache.
pub fn shared(a: &str, b: &str) -> bool {
    let env = env();
    let cache = cache();
    let first = cache.get_or_compile(&env, a).expect("a compiles");
    let second = cache.get_or_compile(&env, b).expect("b compiles");
    Arc::ptr_eq(first.program(), second.program())
}

/// The outcome of evaluating `text` as a comparable string: the value in CEL syntax, or the
/// rendered error (message, location and caret).
pub fn outcome(result: Result<celd::Value, celd::Error>) -> String {
    match result {
        Ok(v) => format!("ok {v} : {}", v.type_name()),
        Err(e) => format!("error {:?}\n{e}", e.kind()),
    }
}

/// `text` compiled and evaluated without the cache.
pub fn direct(env: &Env, vars: &Activation, text: &str) -> String {
    outcome(env.compile(text).and_then(|p| p.eval(vars)))
}

/// `text` through `cache`.
pub fn cached(cache: &ProgramCache, env: &Env, vars: &Activation, text: &str) -> String {
    outcome(cache.get_or_compile(env, text).and_then(|b| b.eval(vars)))
}
