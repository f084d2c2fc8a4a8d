//! The expectations of cel-spec's `tests/simple/testdata/type_deduction.textproto`,
//! copied into a table (expression, declarations, container, expected type).

use celd_types::{FunctionDecl, OverloadDecl, Type, parse_generic_type};

use crate::support::{builder, deduce};

const MSG: &[(&str, &str)] = &[("msg", "cel.expr.conformance.proto3.TestAllTypes")];
const PROTO3: &str = "cel.expr.conformance.proto3";
const TAT: &str = "cel.expr.conformance.proto3.TestAllTypes";

struct Case {
    name: &'static str,
    expr: &'static str,
    container: &'static str,
    expect: &'static str,
}

const fn case(name: &'static str, expr: &'static str, expect: &'static str) -> Case {
    Case {
        name,
        expr,
        container: "",
        expect,
    }
}

const fn in_proto3(name: &'static str, expr: &'static str, expect: &'static str) -> Case {
    Case {
        name,
        expr,
        container: PROTO3,
        expect,
    }
}

const CASES: &[Case] = &[
    case("constant_literals/bool", "true", "bool"),
    case("constant_literals/int", "42", "int"),
    case("constant_literals/double", "0.1", "double"),
    case("constant_literals/string", "\"test\"", "string"),
    case("constant_literals/bytes", "b\"test\"", "bytes"),
    case("constant_literals/null", "null", "null_type"),
    case(
        "complex_initializers/map",
        "{'abc': 123}",
        "map(string, int)",
    ),
    in_proto3(
        "complex_initializers/struct",
        "TestAllTypes{single_int64: 1}",
        TAT,
    ),
    in_proto3(
        "field_access/int_field",
        "TestAllTypes{single_int64: 1}.single_int64",
        "int",
    ),
    in_proto3(
        "field_access/repeated_int_field",
        "TestAllTypes{}.repeated_int64",
        "list(int)",
    ),
    in_proto3(
        "field_access/enum_field",
        "TestAllTypes{}.standalone_enum",
        "int",
    ),
    in_proto3(
        "field_access/repeated_enum_field",
        "TestAllTypes{}.repeated_nested_enum",
        "list(int)",
    ),
    in_proto3(
        "field_access/enum_map_field",
        "TestAllTypes{}.map_int32_enum",
        "map(int, int)",
    ),
    case("indexing/list", "['foo'][0]", "string"),
    case(
        "functions/nested_calls",
        "('foo' + 'bar').startsWith('foo')",
        "bool",
    ),
    case("functions/function_result_type", "fn('abc', 123)", "string"),
    case(
        "flexible_type_parameter_assignment/list_parameter",
        "[[], [[]], [[[]]], [[[[]]]]]",
        "list(list(list(list(list(dyn)))))",
    ),
    case(
        "flexible_type_parameter_assignment/list_parameter_order_independent",
        "[[[[[]]]], [], [[[]]]]",
        "list(list(list(list(list(dyn)))))",
    ),
    case(
        "flexible_type_parameter_assignment/overload_type_var_aliasing",
        "([] + msg.repeated_nested_message + [])[0].bb",
        "int",
    ),
    case(
        "flexible_type_parameter_assignment/unconstrained_type_var_as_dyn",
        "([].map(x,x))[0].foo",
        "dyn",
    ),
    case(
        "flexible_type_parameter_assignment/list_parameters_do_not_unify",
        "[msg.single_int64_wrapper, msg.single_string_wrapper]",
        "list(dyn)",
    ),
    case(
        "flexible_type_parameter_assignment/optional_none",
        "[optional.none(), optional.of(1)]",
        "list(optional_type(int))",
    ),
    case(
        "flexible_type_parameter_assignment/optional_dyn_promotion",
        "[optional.of(1), optional.of(dyn(1))]",
        "list(optional_type(dyn))",
    ),
    case(
        "flexible_type_parameter_assignment/optional_dyn_promotion_2",
        "[optional.of(dyn(1)), optional.of(1)]",
        "list(optional_type(dyn))",
    ),
    case(
        "flexible_type_parameter_assignment/optional_in_ternary",
        "true ? optional.of(dyn(1)) : optional.of(1)",
        "optional_type(dyn)",
    ),
    case(
        "wrappers/wrapper_promotion",
        "[msg.single_int64_wrapper, msg.single_int64]",
        "list(wrapper(int))",
    ),
    case(
        "wrappers/wrapper_dyn_promotion",
        "[msg.single_int64_wrapper, msg.single_int64, dyn(1)]",
        "list(dyn)",
    ),
    case(
        "wrappers/wrapper_dyn_promotion_2",
        "[dyn(1), msg.single_int64_wrapper, msg.single_int64]",
        "list(dyn)",
    ),
    case(
        "wrappers/wrapper_primitive_assignable",
        "msg.single_int64_wrapper + 1",
        "int",
    ),
    case(
        "wrappers/wrapper_null_assignable",
        "msg.single_int64_wrapper == null",
        "bool",
    ),
    case(
        "wrappers/wrapper_ternary_parameter_assignment_2",
        "true ? msg.single_int64_wrapper : 42",
        "wrapper(int)",
    ),
    case(
        "type_parameters/multiple_parameters_generality",
        "[tuple(1, 2u, 3.0), tuple(dyn(1), dyn(2u), dyn(3.0))][0]",
        "tuple(dyn, dyn, dyn)",
    ),
    case(
        "type_parameters/multiple_parameters_generality_2",
        "sort(tuple(dyn(1), 2u, 3.0))",
        "tuple(dyn, dyn, dyn)",
    ),
    case(
        "type_parameters/multiple_parameters_parameterized_ovl",
        "tuple(1, 2u, 3.0) == tuple(1, dyn(2u), dyn(3.0))",
        "bool",
    ),
    case(
        "legacy_nullable_types/null_assignable_to_message_parameter_candidate",
        "[msg, null][0]",
        TAT,
    ),
    case(
        "legacy_nullable_types/null_assignable_to_duration_parameter_candidate",
        "[msg.single_duration, null][0]",
        "google.protobuf.Duration",
    ),
    case(
        "legacy_nullable_types/null_assignable_to_timestamp_parameter_candidate",
        "[msg.single_timestamp, null][0]",
        "google.protobuf.Timestamp",
    ),
    case(
        "legacy_nullable_types/null_assignable_to_abstract_parameter_candidate",
        "[optional.of(1), null][0]",
        "optional_type(int)",
    ),
];

fn generic(text: &str) -> Type {
    parse_generic_type(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The functions the textproto's `type_env` entries declare.
fn test_functions() -> Vec<FunctionDecl> {
    let tuple = generic("tuple(T, U, V)");
    let same = generic("tuple(T, T, T)");
    vec![
        FunctionDecl::new(
            "fn",
            vec![OverloadDecl::global(
                "fn_string_int",
                vec![Type::String, Type::Int],
                Type::String,
            )],
        ),
        FunctionDecl::new(
            "tuple",
            vec![OverloadDecl::global(
                "tuple_T_U_V",
                vec![generic("T"), generic("U"), generic("V")],
                tuple,
            )],
        ),
        FunctionDecl::new(
            "sort",
            vec![OverloadDecl::global(
                "sort_tuple_T_T_T",
                vec![same.clone()],
                same,
            )],
        ),
    ]
}

#[test]
fn type_deduction_textproto() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|c| {
            let mut b = builder(MSG, c.container);
            for f in test_functions() {
                b = b.function(f);
            }
            let env = b.build().unwrap_or_else(|e| panic!("{e}"));
            let got = deduce(&env, c.expr);
            (got != c.expect).then(|| {
                format!(
                    "{}: {}\n  expected {}\n  got      {got}",
                    c.name, c.expr, c.expect
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_textproto_test_is_in_the_table() {
    let path = crate::support::spec_dir().join("tests/simple/testdata/type_deduction.textproto");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {} (set CEL_SPEC_DIR): {e}", path.display()));
    let n_tests = text.lines().filter(|l| l.trim() == "test {").count();
    assert_eq!(
        n_tests,
        CASES.len(),
        "type_deduction.textproto has {n_tests} tests"
    );
    for line in text.lines().filter_map(|l| l.trim().strip_prefix("expr: ")) {
        let quoted = line.strip_prefix('"').and_then(|l| l.strip_suffix('"'));
        let expr = quoted.unwrap_or(line).replace("\\\"", "\"");
        assert!(CASES.iter().any(|c| c.expr == expr), "missing {expr}");
    }
}
