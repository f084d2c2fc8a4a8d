//! Homogeneous aggregate literals: with the option, a list or map literal of mixed types is a
//! check error at the first element that differs; without it, its element type is `dyn`.

use celd::{Env, ErrorKind, Type};

fn env(homogeneous: bool) -> Env {
    Env::builder()
        .variable("x", Type::Int)
        .variable("d", Type::Dyn)
        .all_extensions()
        .homogeneous_aggregate_literals(homogeneous)
        .build()
        .unwrap()
}

/// The error's `line:column` and message, if compiling fails.
fn error(env: &Env, src: &str) -> Option<(String, String)> {
    let e = env.compile(src).err()?;
    assert_eq!(e.kind(), ErrorKind::Check, "{src}: {}", e.message());
    let at = e.location().map(|l| format!("{}:{}", l.line, l.column));
    Some((at.unwrap_or_default(), e.message().to_owned()))
}

#[test]
fn mixed_literals_are_errors_at_the_first_differing_element() {
    let env = env(true);
    let rows: &[(&str, &str, &str)] = &[
        ("[1, 'a']", "1:5", "expected type 'int' but found 'string'"),
        (
            "[1, 2, 3.0]",
            "1:8",
            "expected type 'int' but found 'double'",
        ),
        (
            "{'a': 1, 2: 1}",
            "1:10",
            "expected type 'string' but found 'int'",
        ),
        (
            "{'a': 1, 'b': true}",
            "1:15",
            "expected type 'int' but found 'bool'",
        ),
        (
            "[[1], ['a']]",
            "1:7",
            "expected type 'list(int)' but found 'list(string)'",
        ),
        ("[x, 1u]", "1:5", "expected type 'int' but found 'uint'"),
    ];
    for (src, at, message) in rows {
        let (got_at, got) = error(&env, src).unwrap_or_else(|| panic!("{src} compiled"));
        assert_eq!(got_at, *at, "{src}: {got}");
        assert!(got.contains(message), "{src}: {got}");
    }
}

#[test]
fn one_typed_and_dyn_literals_still_check() {
    let env = env(true);
    let rows: &[(&str, &str)] = &[
        ("[1, 2, x]", "list(int)"),
        ("[1, dyn('a')]", "list(dyn)"),
        ("[d, 1, 'a']", "list(dyn)"),
        ("{'a': [1], 'b': []}", "map(string, list(int))"),
        ("[null, null]", "list(null_type)"),
        ("[[1, 2].map(n, n * 2), [3]]", "list(list(int))"),
    ];
    for (src, ty) in rows {
        let program = env
            .compile(src)
            .unwrap_or_else(|e| panic!("{src}: {}", e.message()));
        assert_eq!(program.result_type().to_string(), *ty, "{src}");
    }
}

#[test]
fn off_by_default_mixed_literals_are_dyn() {
    assert!(
        !Env::builder()
            .build()
            .unwrap()
            .homogeneous_aggregate_literals()
    );
    let mixed = env(false);
    for (src, ty) in [
        ("[1, 'a']", "list(dyn)"),
        ("{'a': 1, 2: true}", "map(dyn, dyn)"),
    ] {
        let program = mixed.compile(src).unwrap();
        assert_eq!(program.result_type().to_string(), ty, "{src}");
    }
    assert!(
        mixed
            .to_builder()
            .build()
            .unwrap()
            .compile("[1, 'a']")
            .is_ok()
    );
    let derived = env(true)
        .to_builder()
        .variable("y", Type::Int)
        .build()
        .unwrap();
    assert!(derived.homogeneous_aggregate_literals());
    assert!(
        derived.compile("[y, 'a']").is_err(),
        "derived environments keep the option"
    );
}
