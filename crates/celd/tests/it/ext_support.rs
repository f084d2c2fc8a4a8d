//! Helpers for the extension tests: evaluate through `celd::Env` with every extension,
//! checked and unchecked, and compare the printed result with one expected text.

use celd::{Env, ErrorKind, Type, Value};

/// Every extension, and a few variables of static type `dyn` whose values the checker
/// cannot see: `s = 'tacocat'`, `i = 7`, `l = [3, 1, 2]`.
fn env() -> Env {
    Env::builder()
        .variable("s", Type::Dyn)
        .variable("i", Type::Dyn)
        .variable("l", Type::Dyn)
        .all_extensions()
        .build()
        .expect("the test environment builds")
}

fn activation(env: &Env) -> celd::Activation {
    let mut act = env.activation();
    let l = Value::list(vec![Value::Int(3), Value::Int(1), Value::Int(2)]);
    act.insert("s", "tacocat").insert("i", 7).insert("l", l);
    act
}

/// The result as a CEL literal, or `error: <message>` (`limit: <message>` for limit errors).
fn outcome(env: &Env, src: &str, checked: bool) -> String {
    let program = if checked {
        env.compile(src)
    } else {
        env.compile_unchecked(src)
    };
    match program.and_then(|p| p.eval(&activation(env))) {
        Ok(v) => v.to_string(),
        Err(e) if e.kind() == ErrorKind::Limit => format!("limit: {}", e.message()),
        Err(e) if e.kind() == ErrorKind::Check => format!("check error: {}", e.message()),
        Err(e) => format!("error: {}", e.message()),
    }
}

/// Each `(expression, expected)` row must give `expected` both checked and unchecked.
#[track_caller]
pub fn check_all(rows: &[(&str, &str)]) {
    let env = env();
    let mut failures = Vec::new();
    for (src, want) in rows {
        for checked in [true, false] {
            let got = outcome(&env, src, checked);
            if got != *want {
                failures.push(format!(
                    "{src} (checked: {checked})\n   want: {want}\n    got: {got}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Each row is rejected by the checker and, unchecked, gives `expected` at run time:
/// arguments of the wrong type, or calls the declarations do not have.
#[track_caller]
pub fn check_unchecked(rows: &[(&str, &str)]) {
    let env = env();
    let mut failures = Vec::new();
    for (src, want) in rows {
        let checked = outcome(&env, src, true);
        if !checked.starts_with("check error: ") {
            failures.push(format!("{src}: the checker accepted it, giving {checked}"));
        }
        let got = outcome(&env, src, false);
        if got != *want {
            failures.push(format!(
                "{src} (unchecked)\n   want: {want}\n    got: {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
