//! Which expressions share a program, and that shared programs compute each request's result.

use crate::support::{cache, cached, direct, env, shared, vars};

#[test]
fn literals_become_parameters() {
    assert!(shared("x + 1", "x + 2"));
    assert!(shared("s.startsWith('a')", "s.startsWith('bcd')"));
    assert!(shared("x > 1 && s == 'a'", "x > -40 && s == ''"));
    assert!(shared("y * 2.5", "y * 1e10"));
    assert!(shared("m['a'] + 1", "m['zz'] + 1"));
    assert!(shared("[x, 1, 2]", "[x, 3, 4]"));
}

#[test]
fn literal_types_are_part_of_the_key() {
    assert!(!shared("x + 1", "dyn(x) + 1.0"));
    assert!(!shared("dyn(x) == 1", "dyn(x) == 1u"));
    assert!(!shared("dyn(x) == 1", "dyn(x) == '1'"));
}

#[test]
fn literals_that_shape_compilation_stay_in_the_key() {
    // Regular expressions are compiled at plan time.
    assert!(!shared("s.matches('^a+$')", "s.matches('^b+$')"));
    assert!(!shared("matches(s, 'a')", "matches(s, 'b')"));
    // Constant folding.
    assert!(!shared("x + (1 + 2)", "x + (1 + 3)"));
    assert!(!shared("x in [1, 2, 3]", "x in [1, 2, 4]"));
    assert!(!shared("m == {'a': 1}", "m == {'a': 2}"));
    assert!(!shared(
        "timestamp('2024-01-01T00:00:00Z') < timestamp('2025-01-01T00:00:00Z')",
        "timestamp('2024-01-01T00:00:00Z') < timestamp('2023-01-01T00:00:00Z')"
    ));
    // Booleans and null decide short-circuit folding.
    assert!(!shared("b || true", "b || false"));
    // The field of an optional selection is read by the checker.
    assert!(!shared("m.?a", "m.?b"));
    // Format strings and regex.* patterns.
    assert!(!shared("'%d'.format([x])", "'%s'.format([x])"));
    assert!(!shared(
        "regex.replace(s, 'l+', 'L')",
        "regex.replace(s, 'h', 'L')"
    ));
    assert!(shared(
        "regex.replace(s, 'l+', 'L') + 'a'",
        "regex.replace(s, 'l+', 'L') + 'b'"
    ));
}

#[test]
fn macro_literals_stay_and_loops_stay_recognised() {
    assert!(shared("l.exists_one(i, i > 5)", "l.exists_one(i, i > 6)"));
    assert!(shared("l.map(i, i * 2)", "l.map(i, i * 3)"));
    let env = env();
    let dump = celd_cache::dump(&env, "l.exists_one(i, i > 5)").expect("dumps");
    assert!(dump.plan.contains("exists_one"), "{}", dump.plan);
    assert_eq!(dump.slots.len(), 1, "only the 5 is a parameter: {dump}");
}

#[test]
fn shared_programs_answer_each_request() {
    let env = env();
    let vars = vars(&env);
    let cache = cache();
    for text in [
        "x + 1",
        "x + 100",
        "x / 0",
        "x   /   0",
        "l[0] + 2",
        "l[7] + 2",
        "s + 'a'",
        "s + 'xyz'",
        "l.exists_one(i, i > 5)",
        "l.exists_one(i, i > 0)",
        "items.filter(i, i.price > 10.0).map(i, i.name)",
        "items.filter(i, i.price > 1.0).map(i, i.name)",
    ] {
        assert_eq!(
            cached(&cache, &env, &vars, text),
            direct(&env, &vars, text),
            "{text}"
        );
    }
    let stats = cache.stats();
    assert_eq!(stats.compilations, 6);
    assert_eq!(stats.hits, 6);
}

/// A shared program reports each request's own evaluation details, as without the cache.
#[test]
fn shared_programs_report_evaluation_details() {
    let env = env();
    let vars = vars(&env);
    let cache = cache();
    for (text, cost, read) in [
        ("x > 100 || b", 3, vec!["x", "b"]),
        ("x > 1 || b", 2, vec!["x"]),
    ] {
        let details = celd::EvalDetails::new();
        let options = celd::EvalOptions {
            details: Some(&details),
            ..celd::EvalOptions::default()
        };
        let bound = cache.get_or_compile(&env, text).expect("compiles");
        assert_eq!(
            bound.eval_with(&vars, &options).ok(),
            Some(celd::Value::Bool(true))
        );
        let (_, direct) = env.compile(text).expect("compiles").eval_details(&vars);
        assert_eq!(
            (details.cost(), details.variables_read()),
            (cost, read.iter().map(|s| (*s).into()).collect()),
            "{text}"
        );
        assert_eq!(direct.cost(), details.cost(), "{text}");
    }
    assert_eq!(cache.stats().hits, 1);
}

#[test]
fn runtime_errors_point_into_the_request_text() {
    let env = env();
    let vars = vars(&env);
    let cache = cache();
    cache.get_or_compile(&env, "x / 1000").expect("compiles");
    let error = cache
        .get_or_compile(&env, "  x / 0")
        .and_then(|b| b.eval(&vars))
        .expect_err("division by zero");
    let rendered = error.to_string();
    assert!(rendered.contains("  x / 0"), "{rendered}");
    assert!(!rendered.contains("1000"), "{rendered}");
}

#[test]
fn compile_errors_are_not_cached_and_are_counted() {
    let env = env();
    let cache = cache();
    for _ in 0..2 {
        let error = cache
            .get_or_compile(&env, "x + 'a'")
            .expect_err("a type error");
        assert_eq!(error.kind(), celd::ErrorKind::Check);
    }
    assert!(cache.get_or_compile(&env, "x +").is_err());
    let stats = cache.stats();
    assert_eq!(stats.compile_failures, 2);
    assert_eq!(stats.compilations, 0);
    assert_eq!(stats.programs_loaded, 0);
}

/// Invalid literals fail to compile through the cache as without it, at the request's literal,
/// even after a program for the same template with a valid literal is cached.
#[test]
fn invalid_literals_fail_to_compile_through_the_cache() {
    let env = env();
    let cache = cache();
    assert!(cache.get_or_compile(&env, "s.matches('^a+$')").is_ok());
    assert!(
        cache
            .get_or_compile(
                &env,
                "x > 0 && timestamp('2024-01-01T00:00:00Z') > timestamp(0)"
            )
            .is_ok()
    );
    for (text, column) in [
        ("s.matches('a++')", 11),
        (
            "x > 0 && timestamp('2024-13-01T00:00:00Z') > timestamp(0)",
            20,
        ),
    ] {
        let error = cache.get_or_compile(&env, text).expect_err(text);
        assert_eq!(error.kind(), celd::ErrorKind::Check, "{text}");
        assert_eq!(error.location().map(|l| l.column), Some(column), "{text}");
    }
}

#[test]
fn environments_are_part_of_the_key() {
    let cache = cache();
    let a = env();
    let b = env();
    let first = cache.get_or_compile(&a, "x + 1").expect("compiles");
    let second = cache.get_or_compile(&b, "x + 1").expect("compiles");
    assert!(!std::sync::Arc::ptr_eq(first.program(), second.program()));
    // Same declarations: the same id, stable across environments and processes.
    assert_eq!(first.id(), second.id());
}

#[test]
fn derived_environments_are_remembered() {
    use celd::Type;
    let cache = cache();
    let base = celd::Env::standard();
    let int = Type::Int;
    let string = Type::String;
    let a = cache
        .derive_env(&base, None, [("x", &int), ("name", &string)])
        .expect("builds");
    let b = cache
        .derive_env(&base, None, [("name", &string), ("x", &int)])
        .expect("builds");
    assert_eq!(a.id(), b.id());
    let c = cache
        .derive_env(&base, None, [("x", &string), ("x", &int)])
        .expect("builds");
    assert_ne!(a.id(), c.id());
    assert_eq!(c.variables().len(), 1);
    let d = cache
        .derive_env(&base, Some("pkg"), [("x", &int), ("name", &string)])
        .expect("builds");
    assert_ne!(a.id(), d.id());
    assert_eq!(d.container(), "pkg");
    // One program for every request that brings these declarations.
    let p = cache.get_or_compile(&a, "x + 1").expect("compiles");
    let q = cache.get_or_compile(&b, "x + 2").expect("compiles");
    assert!(std::sync::Arc::ptr_eq(p.program(), q.program()));
}
