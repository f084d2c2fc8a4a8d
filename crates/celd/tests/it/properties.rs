//! Properties over random well-typed expressions: constant folding does not change results,
//! checked and unchecked programs agree, and printed expressions parse back to the same text.
//! (The syntax crate's own round-trip property covers the whole grammar, macros and optional
//! syntax included; this one covers what this grammar generates.)

use celd::layers::eval::PlanOptions;
use celd::layers::syntax::print;
use celd::layers::value::json::to_json;
use celd::{Env, Error, Type, Value};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn env() -> Env {
    Env::builder()
        .variable("x", Type::Int)
        .variable("y", Type::Int)
        .variable("s", Type::String)
        .variable("l", Type::list(Type::Int))
        .all_extensions()
        .build()
        .expect("builds")
}

fn activation(env: &Env) -> celd::Activation {
    let mut act = env.activation();
    act.insert("x", 7)
        .insert("y", -3)
        .insert("s", "Héllo")
        .insert(
            "l",
            Value::list(vec![Value::Int(3), Value::Int(1), Value::Int(2)]),
        );
    act
}

/// A value as celd JSON text (so NaN equals NaN and 1 differs from 1u), or the error kind.
fn outcome(result: Result<Value, Error>) -> String {
    match result {
        Ok(v) => to_json(&v).to_string(),
        Err(e) => format!("error of kind {}", e.kind().name()),
    }
}

fn int_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (-5i64..20).prop_map(|i| i.to_string()),
        Just("x".to_owned()),
        Just("y".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("-9223372036854775808".to_owned()),
    ];
    leaf.prop_recursive(4, 24, 3, |int| {
        prop_oneof![
            (
                int.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "%"]),
                int.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            int.clone().prop_map(|a| format!("-({a})")),
            (bool_leaf(), int.clone(), int.clone())
                .prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
            string_leaf().prop_map(|s| format!("size({s})")),
            (list_leaf(), int.clone()).prop_map(|(l, i)| format!("{l}[{i}]")),
            (int.clone(), int.clone()).prop_map(|(a, b)| format!("math.greatest({a}, {b})")),
            (int.clone(), int.clone()).prop_map(|(a, b)| format!("cel.bind(v, {a}, v * {b})")),
            (list_leaf(), int.clone()).prop_map(|(l, a)| format!("size({l}.filter(v, v > {a}))")),
        ]
    })
}

fn bool_leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("(x > y)".to_owned()),
        Just("(1 / 0 == 1)".to_owned()),
        Just("s.startsWith('H')".to_owned()),
    ]
}

fn string_leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("''".to_owned()),
        Just("'ab'".to_owned()),
        Just("s".to_owned()),
        Just("(s + 'x')".to_owned()),
        Just("string(x)".to_owned()),
        Just("s.lowerAscii()".to_owned()),
        Just("['a', s].join('-')".to_owned()),
    ]
}

fn list_leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("l".to_owned()),
        // Not `[]`: its element type is a free variable, which the first `-_` overload binds
        // (`negate_double`, first in cel-go's order too), so `-([][0]) == 1` fails to check.
        Just("l.filter(v, false)".to_owned()),
        Just("[1, 2, 3]".to_owned()),
        Just("lists.range(4)".to_owned()),
        Just("(l + [x, y])".to_owned()),
        Just("l.map(v, v * 2)".to_owned()),
        Just("l.sort()".to_owned()),
    ]
}

fn bool_expr() -> impl Strategy<Value = String> {
    let leaf = bool_leaf();
    leaf.prop_recursive(3, 24, 3, |b| {
        prop_oneof![
            (
                int_expr(),
                prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]),
                int_expr()
            )
                .prop_map(|(a, op, c)| format!("({a} {op} {c})")),
            (b.clone(), prop::sample::select(vec!["&&", "||"]), b.clone())
                .prop_map(|(a, op, c)| format!("({a} {op} {c})")),
            b.clone().prop_map(|a| format!("!({a})")),
            (b.clone(), b.clone(), b.clone()).prop_map(|(c, a, d)| format!("({c} ? {a} : {d})")),
            (int_expr(), list_leaf()).prop_map(|(a, l)| format!("({a} in {l})")),
            (list_leaf(), int_expr()).prop_map(|(l, a)| format!("{l}.all(v, v != {a})")),
            (list_leaf(), int_expr()).prop_map(|(l, a)| format!("{l}.exists(v, v / {a} == 1)")),
            (list_leaf(), int_expr()).prop_map(|(l, a)| format!("{l}.exists_one(v, v == {a})")),
            (string_leaf(), string_leaf()).prop_map(|(a, c)| format!("({a} == {c})")),
            (string_leaf(), string_leaf()).prop_map(|(a, c)| format!("{a}.contains({c})")),
            (list_leaf(), list_leaf()).prop_map(|(a, c)| format!("({a} == {c})")),
        ]
    })
}

/// Any of the grammar's expressions, of any type.
fn expression() -> impl Strategy<Value = String> {
    prop_oneof![
        int_expr(),
        bool_expr(),
        (list_leaf(), int_expr()).prop_map(|(l, a)| format!("{l}.map(v, v + {a})")),
        (bool_expr(), int_expr()).prop_map(|(b, a)| format!("{{'k': {a}, 'b': {b}}}")),
        (int_expr(), int_expr()).prop_map(|(a, b)| format!("[{a}, {b}].filter(v, v % 2 == 0)")),
    ]
}

fn config() -> Config {
    Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn folding_does_not_change_results(text in expression()) {
        let env = env();
        let act = activation(&env);
        let checked = env.check_ast(env.parse(&text).expect("the grammar parses"));
        let checked = checked.unwrap_or_else(|e| panic!("{text}: {e}"));
        let folded = env.plan_checked(&checked, &PlanOptions::default());
        let unfolded = env.plan_checked(
            &checked,
            &PlanOptions { no_folding: true, ..PlanOptions::default() },
        );
        let folded = outcome(folded.and_then(|p| p.eval(&act)));
        let unfolded = outcome(unfolded.and_then(|p| p.eval(&act)));
        prop_assert_eq!(folded, unfolded, "{}", text);
    }

    #[test]
    fn checked_and_unchecked_agree(text in expression()) {
        let env = env();
        let act = activation(&env);
        let checked = outcome(env.compile(&text).and_then(|p| p.eval(&act)));
        let unchecked = outcome(env.compile_unchecked(&text).and_then(|p| p.eval(&act)));
        prop_assert_eq!(checked, unchecked, "{}", text);
    }

    #[test]
    fn printed_expressions_parse_to_the_same_text(text in expression()) {
        let env = env();
        let printed = print(&env.parse(&text).expect("the grammar parses"));
        let again = print(&env.parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}")));
        prop_assert_eq!(printed, again);
    }
}
