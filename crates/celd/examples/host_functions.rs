//! Functions implemented in Rust: a global function, a method, a function with type
//! parameters, a fallible function, one bound per evaluation, with their costs.
//!
//! `cargo run -p celd --example host_functions`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use celd::{Cost, Env, EvalErrorKind, Extension, Overload, SizeHints, Type, Value};

/// A per-request authorizer: which verbs the caller may use.
struct Authorizer {
    verbs: Vec<String>,
}

impl Authorizer {
    fn allows(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

pub fn main() {
    // Host functions may capture state: this one counts its calls.
    let lookups = Arc::new(AtomicU64::new(0));
    let counter = lookups.clone();
    let env = Env::builder()
        .variable("user", Type::String)
        .variable("groups", Type::list(Type::String))
        // A global function; its signature, (string) -> string, comes from the closure.
        .function("tenant", move |user: &str| {
            counter.fetch_add(1, Ordering::Relaxed);
            user.split_once('@')
                .map_or("", |(_, domain)| domain)
                .to_owned()
        })
        // Optional values (`Option<T>` in Rust) need the optional extension.
        .extension(Extension::Optional)
        // A method: the first parameter is the receiver, `user.initial()`.
        .method("initial", |s: &str| s.chars().next().map(String::from))
        // Type parameters: any list, and the result is its element type.
        .function(
            "last",
            Overload::new(|list: &celd::List| list.last().cloned().unwrap_or(Value::Null))
                .signature([Type::list(Type::param("A"))], Type::param("A")),
        )
        // Fallible: the error becomes a CEL error at the call, with its location.
        .function("level", |text: &str| -> Result<i64, String> {
            text.strip_prefix('L')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("not a level: {text:?}"))
        })
        // A cost that grows with the argument: one unit per byte hashed.
        .function(
            "digest",
            Overload::new(|s: &str| s.bytes().fold(0u64, |h, b| h.wrapping_mul(31) ^ b as u64))
                .cost(Cost::from_sizes(|sizes| sizes[0])),
        )
        // Bound per evaluation: each request brings its own authorizer.
        .function(
            "allowed",
            Overload::late_bound([Type::String], Type::Bool).cost(Cost::fixed(10)),
        )
        .build()
        .expect("the environment is valid");

    let program = env
        .compile(
            "tenant(user) == 'example.com' && user.initial() == optional.of('j') \
             && level(last(groups)) >= 2 && allowed('deploy')",
        )
        .expect("the expression compiles");

    let mut vars = env.activation();
    vars.insert("user", "jane@example.com")
        .insert("groups", Value::list(vec!["L1".into(), "L3".into()]));
    let authorizer = Arc::new(Authorizer {
        verbs: vec!["deploy".into()],
    });
    vars.bind("allowed", move |verb: &str| authorizer.allows(verb));
    let result = program.eval(&vars).expect("the expression evaluates");
    println!("allowed: {result}");
    assert_eq!(result, Value::Bool(true));
    assert_eq!(lookups.load(Ordering::Relaxed), 1);

    // A failing host function is an error at its call.
    vars.insert("groups", Value::list(vec!["admin".into()]));
    let err = program.eval(&vars).unwrap_err();
    println!("{err}");
    assert!(err.message().contains("not a level: \"admin\""));

    // Without a binding, the late-bound function is an error of its own kind.
    let err = env
        .compile("allowed('read')")
        .unwrap()
        .eval(&env.activation())
        .unwrap_err();
    assert_eq!(
        err.eval_error().map(|e| e.kind()),
        Some(EvalErrorKind::UnboundFunction)
    );

    // Declared costs count in the estimate: `digest` of a string of up to 64 bytes.
    let program = env.compile("digest(user) > 0u").unwrap();
    let hints = SizeHints {
        variables: [("user".to_owned(), 64)].into_iter().collect(),
        ..SizeHints::default()
    };
    let estimate = program.estimate_cost(&hints);
    println!("digest(user) > 0u costs at most {:?}", estimate.max);
    assert_eq!(estimate.max, Some(1 + 64 + 1));
}
