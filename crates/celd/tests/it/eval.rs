//! Expression → value tables through compile (checked) and compile_unchecked.

use celd::{Env, Type, Value};

fn env() -> Env {
    Env::builder()
        .variable("x", Type::Int)
        .variable("y", Type::Int)
        .variable("name", Type::String)
        .variable(
            "m",
            Type::Map(std::sync::Arc::new((Type::String, Type::Dyn))),
        )
        .all_extensions()
        .build()
        .unwrap()
}

fn vars(env: &Env) -> celd::Activation {
    let mut act = env.activation();
    let m = celd_value_from_json(r#"{"a": {"b": "hello"}, "n": 3}"#);
    act.insert("x", 1)
        .insert("y", 2)
        .insert("name", "jane")
        .insert("m", m);
    act
}

fn celd_value_from_json(text: &str) -> Value {
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    celd::layers::value::json::from_json(&json).unwrap()
}

/// Evaluates `src` checked and unchecked; both must print `expect` (a value in CEL syntax, or `error: message`).
#[track_caller]
fn check_eval(src: &str, expect: &str) {
    let env = env();
    let act = vars(&env);
    for checked in [true, false] {
        let result = if checked {
            env.compile(src)
        } else {
            env.compile_unchecked(src)
        }
        .and_then(|p| p.eval(&act));
        let got = match result {
            Ok(v) => v.to_string(),
            Err(e) => format!("error: {}", e.message()),
        };
        assert_eq!(got, expect, "{src} (checked: {checked})");
    }
}

#[test]
fn arithmetic() {
    check_eval("1 + 2 * 3 - 4", "3");
    check_eval("x + y * 3", "7");
    check_eval("7 / 2", "3");
    check_eval("-7 % 3", "-1");
    check_eval("1u + 2u", "3u");
    check_eval("1.5 * 2.0", "3.0");
    check_eval("9223372036854775807 + x", "error: integer overflow");
    check_eval("x / 0", "error: division by zero");
    check_eval("-9223372036854775808", "-9223372036854775808");
}

#[test]
fn logic_absorbs_errors() {
    check_eval("x / 0 == 1 && false", "false");
    check_eval("false && x / 0 == 1", "false");
    check_eval("x / 0 == 1 || true", "true");
    check_eval("x / 0 == 1 || false", "error: division by zero");
    check_eval("x == 1 ? 'one' : 'other'", "\"one\"");
}

#[test]
fn strings_and_regex() {
    check_eval("name.startsWith('j') && name.endsWith('e')", "true");
    check_eval("size('héllo')", "5");
    check_eval("name.matches('^j.*e$')", "true");
    check_eval("name + ' doe'", "\"jane doe\"");
    check_eval("name.contains('an')", "true");
}

#[test]
fn macros() {
    check_eval("[1, 2, 3].map(v, v * 2).filter(w, w > 2)", "[4, 6]");
    check_eval("[1, 2, 3].exists(v, v == x)", "true");
    check_eval("[1, 2, 3].all(v, v > 0)", "true");
    check_eval("[1, 2, 3].exists_one(v, v > 1)", "false");
    check_eval("[1, 2, 3].map(v, v > 1, v * 10)", "[20, 30]");
    check_eval("[0, 1].all(v, 1 / v > 1)", "false");
    check_eval("[0, 1].all(v, 1 / v > 0)", "error: division by zero");
    check_eval("[0, 1].exists(v, 1 / v > 0)", "true");
    check_eval("{'a': 1, 'b': 2}.map(k, k)", "[\"a\", \"b\"]");
    check_eval("has(m.a)", "true");
    check_eval("has(m.z)", "false");
}

#[test]
fn maps_and_lists() {
    check_eval("m.a.b", "\"hello\"");
    check_eval("m['n'] + 1", "4");
    check_eval("{'a': [x], 'b': [y, 3]}['b'][1] == 3", "true");
    check_eval("[1, 2][2]", "error: index out of range: 2 (size 2)");
    check_eval("2 in [1, 2]", "true");
    check_eval("'a' in {'a': 1}", "true");
    check_eval("{1: 'a'}[dyn(1u)]", "\"a\"");
    check_eval("[1] + [2]", "[1, 2]");
}

#[test]
fn conversions_and_time() {
    check_eval("string(1.5)", "\"1.5\"");
    check_eval("int('42')", "42");
    check_eval("type(1) == int", "true");
    check_eval(
        "timestamp('2024-01-01T00:00:00Z') + duration('1h') > timestamp('2023-12-31T00:00:00Z')",
        "true",
    );
    check_eval(
        "timestamp('2023-12-25T00:00:00Z').getDate('America/Los_Angeles')",
        "24",
    );
    check_eval("duration('1h30m').getMinutes()", "90");
}

/// `google.protobuf.Value` built from the `NullValue` enum is `null` (it failed to type-check).
#[test]
fn null_value_from_the_enum_constant() {
    let env = Env::builder()
        .descriptor_pool(prost_reflect::DescriptorPool::global())
        .build()
        .unwrap();
    for (src, expect) in [
        (
            "google.protobuf.Value{null_value: google.protobuf.NullValue.NULL_VALUE}",
            "null",
        ),
        (
            "google.protobuf.Value{null_value: google.protobuf.NullValue.NULL_VALUE} == null",
            "true",
        ),
        ("google.protobuf.Value{null_value: null}", "null"),
    ] {
        for program in [env.compile(src), env.compile_unchecked(src)] {
            let value = program.and_then(|p| p.eval(&env.activation()));
            assert_eq!(
                value.map(|v| v.to_string()).map_err(|e| e.to_string()),
                Ok(expect.into()),
                "{src}"
            );
        }
    }
}

#[test]
fn or_value_evaluates_the_alternative_only_when_needed() {
    check_eval("optional.of(1).orValue(x / 0)", "1");
    check_eval("optional.none().orValue(x / 0)", "error: division by zero");
    check_eval("optional.of(1).or(optional.of(x / 0))", "optional.of(1)");
    check_eval("optional.none().or(optional.of(2))", "optional.of(2)");
}

#[test]
fn fold_steps_that_grow_the_accumulator() {
    check_eval("[1, 2, 3].transformList(i, v, v * 10)", "[10, 20, 30]");
    check_eval("[1, 2, 3].transformList(i, v, i > 0, v)", "[2, 3]");
    check_eval(
        "{'a': 1, 'b': 2}.transformMap(k, v, v + 1)",
        "{\"a\": 2, \"b\": 3}",
    );
    check_eval(
        "[1, 2].transformMapEntry(i, v, {string(v): i})",
        "{\"1\": 0, \"2\": 1}",
    );
    check_eval(
        "[1, 1].transformMapEntry(i, v, {string(v): i})",
        "error: insert failed: key \"1\" already exists",
    );
}

#[test]
fn constant_regex_patterns() {
    check_eval("name.matches('^j')", "true");
    check_eval(
        "name.matches('(')",
        "error: invalid regular expression: unclosed group",
    );
    check_eval("[name, 'x'].exists(n, n.matches('^x$'))", "true");
}

#[test]
fn block_entries_keep_their_slots_around_comprehensions() {
    check_eval(
        "cel.block([[1].exists(v, v > 0), 5], [cel.index(0), cel.index(1)])",
        "[true, 5]",
    );
    check_eval(
        "cel.block([5, [1].exists(v, v > 0), cel.index(0) + 1], [cel.index(0), cel.index(1), cel.index(2)])",
        "[5, true, 6]",
    );
}

mod cost {
    use celd::layers::eval::estimate::SizeHints;
    use celd::{EvalOptions, Limits, Type};

    fn env() -> celd::Env {
        celd::Env::builder()
            .variable("x", Type::Int)
            .variable("s", Type::String)
            .variable("items", Type::List(std::sync::Arc::new(Type::Int)))
            .all_extensions()
            .build()
            .unwrap()
    }

    fn eval_with_budget(program: &celd::Program, act: &celd::Activation, budget: u64) -> bool {
        let limits = Limits {
            max_cost: budget,
            ..Limits::default()
        };
        let options = EvalOptions {
            limits: Some(&limits),
            ..EvalOptions::default()
        };
        program.eval_with(act, &options).is_ok()
    }

    /// Without branches, and with inputs exactly as large as the hints say, the most an
    /// expression can cost is what it costs: the evaluation fits a budget of `max` and not of
    /// `max - 1`. Expressions whose cost does not depend on input sizes have `min == max`.
    /// Path hints bound what a selection holds, and a comprehension's items, more tightly
    /// than the variable's own hint.
    #[test]
    fn path_hints_bound_selections_and_items() {
        let env = celd::Env::builder()
            .variable("o", Type::Dyn)
            .build()
            .unwrap();
        let program = env
            .compile("o.spec.ports.all(p, p.name.startsWith('x'))")
            .unwrap();
        let loose = SizeHints {
            variables: [("o".to_owned(), 1000)].into(),
            default: Some(1000),
            ..SizeHints::default()
        };
        let tight = loose
            .clone()
            .size("o.spec.ports", 16)
            .size("o.spec.ports.@items.name", 15);
        let loose_max = program.estimate_cost(&loose).max.unwrap();
        let tight_max = program.estimate_cost(&tight).max.unwrap();
        assert!(tight_max * 10 < loose_max, "{tight_max} vs {loose_max}");
        // A path the hints do not name keeps the variable's hint.
        let other = loose.clone().size("o.status", 1);
        assert_eq!(program.estimate_cost(&other).max, Some(loose_max));
    }

    #[test]
    fn straight_line_estimates_are_the_runtime_cost() {
        let env = env();
        let mut act = env.activation();
        let items: Vec<celd::Value> = (0..50).map(celd::Value::Int).collect();
        act.insert("x", 3)
            .insert("s", "a".repeat(100).as_str())
            .insert("items", celd::Value::list(items));
        let hints = SizeHints {
            variables: [("s".to_owned(), 100), ("items".to_owned(), 50)].into(),
            ..SizeHints::default()
        };
        for (src, size_independent) in [
            ("x + 1", true),
            ("x * x + x", true),
            ("[x, x, x]", true),
            ("{'a': x}", true),
            ("size(items) + x", true),
            ("s.startsWith('aaa')", false),
            ("s + s", false),
            ("s == 'abcdefghijklmnopqrstuvwxyz'", false),
            ("items.map(i, i * 2)", false),
            ("items.all(i, i >= 0)", false),
        ] {
            let program = env.compile(src).unwrap();
            let estimate = program.estimate_cost(&hints);
            let max = estimate.max.expect("bounded with hints");
            assert_eq!(estimate.min == max, size_independent, "{src}: {estimate:?}");
            assert!(eval_with_budget(&program, &act, max), "{src} fits {max}");
            assert!(
                !eval_with_budget(&program, &act, max - 1),
                "{src} exceeds {}",
                max - 1
            );
            assert_eq!(spent(&program, &act), max, "{src}: the cost reported");
        }
    }

    /// The cost an evaluation reports through `EvalOptions::cost_spent`.
    fn spent(program: &celd::Program, act: &celd::Activation) -> u64 {
        let spent = std::cell::Cell::new(u64::MAX);
        let options = EvalOptions {
            limits: Some(program.limits()),
            cost_spent: Some(&spent),
            ..EvalOptions::default()
        };
        program.eval_with(act, &options).expect("evaluates");
        spent.get()
    }

    #[test]
    fn a_failed_evaluation_reports_what_it_spent() {
        let env = env();
        let program = env
            .compile("items.map(i, i * 2).size() > 0 && 1 / 0 == 1")
            .unwrap();
        let mut act = env.activation();
        act.insert(
            "items",
            celd::Value::list((0..10).map(celd::Value::Int).collect()),
        );
        let spent = std::cell::Cell::new(0);
        let options = EvalOptions {
            cost_spent: Some(&spent),
            ..EvalOptions::default()
        };
        assert!(program.eval_with(&act, &options).is_err());
        assert!(
            spent.get() > 10,
            "the map's iterations were charged: {}",
            spent.get()
        );
    }

    #[test]
    fn short_circuits_and_unbounded_inputs() {
        let env = env();
        let program = env.compile("x > 0 || items.exists(i, i == x)").unwrap();
        let hints = SizeHints {
            variables: [("items".to_owned(), 10)].into(),
            ..SizeHints::default()
        };
        let estimate = program.estimate_cost(&hints);
        let max = estimate.max.unwrap();
        assert!(estimate.min < max, "{estimate:?}");
        let unbounded = program.estimate_cost(&SizeHints::default());
        assert_eq!(unbounded.max, None);
        assert_eq!(unbounded.min, estimate.min);
    }
}

#[test]
fn indexing_literals_with_constants_keeps_errors_and_values() {
    check_eval("{'a': [x], 'b': [y, 3]}['b'][1] == 3", "true");
    check_eval("[x, y, 3][2]", "3");
    check_eval("{'a': x / 0, 'b': y}['b']", "error: division by zero");
    check_eval("[x / 0, y][1]", "error: division by zero");
    check_eval("{'a': [x / 0], 'b': y}['b']", "error: division by zero");
    check_eval("[x, y][2]", "error: index out of range: 2 (size 2)");
    check_eval("{'a': x}['b']", "error: no such key: \"b\"");
    check_eval("{'a': x, 'a': y}['a']", "error: duplicate map key");
}

/// Sharing cannot hide size: a value that holds a shared part twice weighs twice as much,
/// so doubling chains hit the list limit while they are built, before any traversal
/// (equality, output, flattening) could take exponential time.
#[test]
fn doubling_shared_values_hits_the_size_limit() {
    let doublings = |n: usize| {
        let mut entries = vec!["[1]".to_owned()];
        for i in 0..n {
            entries.push(format!("[cel.index({i}), cel.index({i})]"));
        }
        entries.join(", ")
    };
    for tail in [
        "cel.index(60) == cel.index(60)",
        "cel.index(60).flatten(100).size()",
        "'%s'.format([cel.index(60)])",
        "cel.index(60)",
    ] {
        let src = format!("cel.block([{}], {tail})", doublings(60));
        check_eval(&src, "error: list exceeds the limit of 1000000 elements");
    }
    let src = format!(
        "cel.block([{}], cel.index(10) == cel.index(10))",
        doublings(10)
    );
    check_eval(&src, "true");
}

#[test]
fn checked_arithmetic_in_place() {
    check_eval("x + y * 3 - 1", "6");
    check_eval("9223372036854775807 + x", "error: integer overflow");
    check_eval("x % 0", "error: modulus by zero");
    check_eval("x / 0", "error: division by zero");
    check_eval("1u - 2u", "error: unsigned integer overflow");
    check_eval("3u * 4u + 1u", "13u");
    check_eval("1.5 / 0.0", "double(\"Infinity\")");
    check_eval("m.n + 1", "4");
    check_eval(
        "dyn(x) + dyn(1.5)",
        "error: no such overload: _+_(int, double)",
    );
}

#[test]
fn string_chains_build_once() {
    check_eval("name + ' ' + 'doe' + '!'", "\"jane doe!\"");
    check_eval("m.a.b + name", "\"hellojane\"");
    check_eval("'' + name + ''", "\"jane\"");
    check_eval(
        "name + name + name + name + name + name + name + name",
        "\"janejanejanejanejanejanejanejane\"",
    );
    check_eval("dyn(x) + 'a'", "error: no such overload: _+_(int, string)");
    check_eval(
        "'a' + dyn([1]) + 'b'",
        "error: no such overload: _+_(string, list)",
    );
}

/// Variables are read by table index from an activation built for the program's environment,
/// and by name from any other: both give the same values.
#[test]
fn variables_read_the_same_from_any_activation() {
    let env = celd::Env::builder()
        .variable("x", Type::Int)
        .variable("y", Type::Int)
        .build()
        .unwrap();
    let other_env = celd::Env::builder()
        .variable("y", Type::Int)
        .variable("z", Type::Int)
        .variable("x", Type::Int)
        .build()
        .unwrap();
    let program = env.compile("x + y * 2").unwrap();
    let mut own = env.activation();
    own.insert("x", 1).insert("y", 20);
    let mut foreign = other_env.activation();
    foreign.insert("x", 1).insert("y", 20).insert("z", 300);
    let mut plain = celd::Activation::new();
    plain.insert("x", 1).insert("y", 20);
    for act in [&own, &foreign, &plain] {
        assert_eq!(program.eval(act).unwrap(), celd::Value::Int(41));
    }
    let mut missing = celd::Activation::new();
    missing.insert("x", 1);
    let error = program.eval(&missing).unwrap_err();
    assert!(error.message().contains("'y'"), "{}", error.message());
}

/// Local slots are handed out as a stack: sibling comprehensions reuse them, so a plan needs
/// as many as locals are nested, not as many as the expression declares.
#[test]
fn sibling_comprehensions_share_local_slots() {
    let env = celd::Env::builder()
        .variable("l", Type::list(Type::Int))
        .all_extensions()
        .build()
        .unwrap();
    let mut act = env.activation();
    act.insert(
        "l",
        celd::Value::list(vec![celd::Value::Int(1), celd::Value::Int(2)]),
    );
    for (src, slots, value) in [
        (
            "[l.map(x, x), l.map(y, y * 2), l.filter(z, z > 1)]",
            1,
            "[[1, 2], [2, 4], [2]]",
        ),
        // The outer map accumulates (two slots), the inner one runs as a loop (one).
        ("l.map(x, l.map(y, x + y))", 3, "[[2, 3], [3, 4]]"),
        (
            "cel.block([l.map(x, x)], cel.index(0).map(y, y + 1) + l.map(z, z))",
            2,
            "[2, 3, 1, 2]",
        ),
        (
            "cel.bind(a, l, a.map(x, x)) + cel.bind(b, l, b)",
            3,
            "[1, 2, 1, 2]",
        ),
    ] {
        let program = env.compile(src).unwrap();
        let plan = program.dump_plan();
        assert!(
            plan.contains(&format!(", {slots} local slot(s)")),
            "{src}:\n{plan}"
        );
        assert_eq!(program.eval(&act).unwrap().to_string(), value, "{src}");
    }
}

/// Evaluates `src` with `options` (limits from the environment) and returns the limit kind
/// of the error it must end with.
fn limit_of(src: &str, options: celd::EvalOptions<'_>) -> celd::layers::value::LimitKind {
    let env = env();
    let program = env.compile(src).unwrap();
    let options = celd::EvalOptions {
        limits: Some(env.limits()),
        ..options
    };
    let error = program.eval_with(&vars(&env), &options).unwrap_err();
    assert_eq!(error.kind(), celd::ErrorKind::Limit, "{error:?}");
    error.eval_error().and_then(|e| e.limit_kind()).unwrap()
}

#[test]
fn a_passed_deadline_or_a_raised_flag_ends_the_evaluation_whatever_absorbs_it() {
    use celd::layers::value::LimitKind;
    // The inner loop's limit error would be absorbed by `exists` and `||` like an ordinary
    // error, and `i == 99` would then decide.
    let src = "lists.range(100).exists(i, i == 99 || lists.range(100 * x).exists(j, j < 0))";
    let past = std::time::Instant::now();
    let deadline = celd::EvalOptions {
        deadline: Some(past),
        ..Default::default()
    };
    assert_eq!(limit_of(src, deadline), LimitKind::Time);
    let flag = std::sync::atomic::AtomicBool::new(true);
    let cancel = celd::EvalOptions {
        cancel: Some(&flag),
        ..Default::default()
    };
    assert_eq!(limit_of(src, cancel), LimitKind::Cancelled);
    let small = celd::Limits {
        max_cost: 1000,
        ..celd::Limits::default()
    };
    let env = env();
    let program = env.compile(src).unwrap();
    let options = celd::EvalOptions {
        limits: Some(&small),
        ..Default::default()
    };
    let error = program.eval_with(&vars(&env), &options).unwrap_err();
    assert_eq!(
        error.eval_error().and_then(|e| e.limit_kind()),
        Some(LimitKind::Cost),
        "{error:?}"
    );
}

#[test]
fn a_pattern_compiled_at_run_time_is_charged_by_its_size() {
    let env = env();
    let cost_of = |src: &str| {
        let program = env.compile(src).unwrap();
        let small = celd::Limits {
            max_cost: 200,
            ..celd::Limits::default()
        };
        let options = celd::EvalOptions {
            limits: Some(&small),
            ..Default::default()
        };
        program.eval_with(&vars(&env), &options)
    };
    // 'j' + 50 more bytes: the compilation costs 51 units, matching 13; with 160 bytes, the
    // compilation alone costs 161 and matching 41, over the 200.
    let long = format!("name.matches(name.substring(0, 1) + '{}')", ".?".repeat(25));
    assert!(cost_of(&long).is_ok());
    let longer = format!("name.matches(name.substring(0, 1) + '{}')", ".?".repeat(80));
    let error = cost_of(&longer).unwrap_err();
    assert!(error.message().contains("cost limit"), "{error:?}");
}

#[test]
fn well_known_messages_need_no_descriptor_pool() {
    let env = celd::Env::standard();
    assert!(env.descriptor_pool().is_none());
    let rows = [
        ("google.protobuf.Int64Value{value: 1} + 1", "2"),
        ("[google.protobuf.Int64Value{value: 1}, 2]", "[1, 2]"),
        (
            "google.protobuf.Value{null_value: google.protobuf.NullValue.NULL_VALUE}",
            "null",
        ),
        ("google.protobuf.Struct{fields: {'a': 1.5}}.a", "1.5"),
        (
            "google.protobuf.Timestamp{seconds: 5} == timestamp(5)",
            "true",
        ),
        ("google.protobuf.Duration{seconds: 90}", "duration(\"90s\")"),
    ];
    for (src, want) in rows {
        let program = env
            .compile(src)
            .unwrap_or_else(|e| panic!("{src}: {}", e.message()));
        let got = program.eval(&env.activation()).unwrap();
        assert_eq!(got.to_string(), want, "{src}");
    }
    let unchecked = env
        .compile_unchecked("google.protobuf.Int64Value{value: 7}")
        .unwrap();
    assert_eq!(unchecked.eval(&env.activation()).unwrap().to_string(), "7");
}
