//! Properties over generated expressions: the checker never panics, and a
//! successful check leaves no type variable in any node's type.

use celd_check::check;
use celd_syntax::parse_str;
use celd_types::Type;
use proptest::prelude::*;

use crate::support::env;

const DECLS: &[(&str, &str)] = &[
    ("i", "int"),
    ("s", "string"),
    ("x", "dyn"),
    ("li", "list(int)"),
    ("m", "map(string, list(int))"),
    ("msg", "cel.expr.conformance.proto3.TestAllTypes"),
    ("oi", "optional_type(int)"),
];

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1".to_string()),
        Just("2u".to_string()),
        Just("1.5".to_string()),
        Just("'a'".to_string()),
        Just("b'b'".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("i".to_string()),
        Just("s".to_string()),
        Just("x".to_string()),
        Just("li".to_string()),
        Just("m".to_string()),
        Just("msg".to_string()),
        Just("oi".to_string()),
        Just("int".to_string()),
        Just("nope".to_string()),
        Just("msg.single_int64_wrapper".to_string()),
        Just("msg.repeated_nested_message".to_string()),
        Just("optional.none()".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    atom().prop_recursive(5, 40, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                inner.clone(),
                prop_oneof![
                    Just("+"),
                    Just("-"),
                    Just("*"),
                    Just("=="),
                    Just("<"),
                    Just("&&"),
                    Just("in"),
                    Just("/")
                ]
            )
                .prop_map(|(a, b, op)| format!("({a} {op} {b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a} ? {b} : {c})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}, {b}]")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{{a}: {b}}}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[?{b}]")),
            inner.clone().prop_map(|a| format!("size({a})")),
            inner.clone().prop_map(|a| format!("{a}.field")),
            inner.clone().prop_map(|a| format!("{a}.?bb")),
            inner.clone().prop_map(|a| format!("has({a}.single_int32)")),
            inner.clone().prop_map(|a| format!("type({a})")),
            inner.clone().prop_map(|a| format!("dyn({a})")),
            inner.clone().prop_map(|a| format!("optional.of({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.map(v, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.exists(v, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.all(k, v, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("cel.bind(v, {a}, {b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!(
                "TestAllTypes{{single_int64: {a}, repeated_int32: [{b}]}}"
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn checking_never_panics_and_leaves_no_type_variables(src in expr()) {
        let env = env(DECLS, "cel.expr.conformance.proto3");
        if let Ok(ast) = parse_str(&src) {
            match check(ast, &env) {
                Ok(checked) => {
                    for i in 0..checked.ast().id_bound() {
                        let ty = checked.type_of(celd_syntax::ExprId(i));
                        prop_assert!(!ty.has_params(), "{src}: node {i} has type {ty}");
                        prop_assert!(*ty != Type::Error, "{src}: node {i} has the error type");
                    }
                }
                Err(e) => prop_assert!(!e.diagnostics().is_empty(), "{src}: empty error"),
            }
        }
    }
}
