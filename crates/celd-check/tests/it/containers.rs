//! Name resolution inside containers, with variables, functions and messages.

use celd_check::{Reference, check};
use celd_syntax::parse_str;
use celd_types::{FunctionDecl, OverloadDecl, Type, candidate_names};

use crate::support::{builder, check_table, deduce, env};

#[test]
fn candidate_order_follows_langdef() {
    let names: Vec<_> = candidate_names("x.y", "a.b").collect();
    assert_eq!(names, ["x.y.a.b", "x.a.b", "a.b"]);
    let rooted: Vec<_> = candidate_names("x.y", ".a.b").collect();
    assert_eq!(rooted, ["a.b"]);
    let empty: Vec<_> = candidate_names("", "a").collect();
    assert_eq!(empty, ["a"]);
    let single: Vec<_> = candidate_names("x", "a").collect();
    assert_eq!(single, ["x.a", "a"]);
}

const DECLS: &[(&str, &str)] = &[
    ("x.y.a", "int"),
    ("x.a", "string"),
    ("a", "bool"),
    ("x.y.msg", "cel.expr.conformance.proto3.TestAllTypes"),
    ("b.c", "double"),
    ("x.y.b", "map(string, uint)"),
];

#[test]
fn most_specific_name_wins() {
    check_table(
        &env(DECLS, "x.y"),
        &[
            ("a", "int"),
            (".a", "bool"),
            ("x.a", "string"),
            (".x.a", "string"),
            ("x.y.a", "int"),
            ("msg.single_int32", "int"),
            // The whole qualified name is tried in every scope before any prefix:
            // `b.c` is the variable `b.c`, not field `c` of `x.y.b`.
            ("b.c", "double"),
            ("b['c']", "uint"),
            (".b.c", "double"),
        ],
    );
    check_table(
        &env(DECLS, "x"),
        &[("a", "string"), ("y.a", "int"), ("b.c", "double")],
    );
    check_table(
        &env(DECLS, ""),
        &[("a", "bool"), ("x.a", "string"), ("b.c", "double")],
    );
}

#[test]
fn references_carry_fully_qualified_names() {
    let env = env(DECLS, "x.y");
    let checked = check(parse_str("a + 1").unwrap_or_else(|e| panic!("{e}")), &env)
        .unwrap_or_else(|e| panic!("{e}"));
    let ast = checked.ast();
    let celd_syntax::ExprKind::Call(call) = &ast.expr.kind else {
        panic!("not a call");
    };
    assert_eq!(
        checked.reference(call.args[0].id),
        Some(&Reference::Variable("x.y.a".into()))
    );
    let Some(Reference::Function(f)) = checked.reference(ast.expr.id) else {
        panic!("no function reference");
    };
    assert_eq!(f.name, "_+_");
    assert_eq!(f.overload_ids.as_slice(), ["add_int64"]);
    assert!(!f.namespaced);
}

#[test]
fn select_chain_resolves_as_one_variable() {
    let env = env(DECLS, "");
    let checked = check(parse_str("x.y.a").unwrap_or_else(|e| panic!("{e}")), &env)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(checked.result_type(), &Type::Int);
    assert_eq!(
        checked.reference(checked.ast().expr.id),
        Some(&Reference::Variable("x.y.a".into()))
    );
}

#[test]
fn comprehension_variables_shadow_globals() {
    check_table(
        &env(DECLS, ""),
        &[
            ("[1.0].map(a, a)", "list(double)"),
            ("[1.0].exists(a, a > 0.5) && a", "bool"),
            (
                "['s'].map(x, x.a)",
                "ERROR ERROR: <input>:1:16: type 'string' does not support field selection\n | ['s'].map(x, x.a)\n | ...............^",
            ),
        ],
    );
}

fn namespaced_env(container: &str) -> celd_check::CheckEnv {
    let f = FunctionDecl::new(
        "pkg.util.twice",
        vec![OverloadDecl::global(
            "pkg_util_twice_int",
            vec![Type::Int],
            Type::Int,
        )],
    );
    let g = FunctionDecl::new(
        "pkg.shout",
        vec![OverloadDecl::member(
            "pkg_shout_string",
            vec![Type::String],
            Type::String,
        )],
    );
    builder(&[("pkg.util.x", "int")], container)
        .function(f)
        .function(g)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn comprehension_variables_are_local_references() {
    let env = env(DECLS, "");
    let checked = check(
        parse_str("[1].map(a, a)").unwrap_or_else(|e| panic!("{e}")),
        &env,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let locals: Vec<&Reference> = (0..checked.ast().id_bound())
        .filter_map(|i| checked.reference(celd_syntax::ExprId(i)))
        .filter(|r| matches!(r, Reference::Local(_)))
        .collect();
    assert!(
        locals.contains(&&Reference::Local("a".into())),
        "{locals:?}"
    );
    assert!(
        locals.contains(&&Reference::Local("@result".into())),
        "{locals:?}"
    );
}

#[test]
fn env_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<celd_check::CheckEnv>();
    assert_send_sync::<celd_check::CheckedAst>();
    assert_send_sync::<celd_check::CheckError>();
}

#[test]
fn namespaced_functions_resolve_in_containers() {
    check_table(
        &namespaced_env(""),
        &[
            ("pkg.util.twice(2)", "int"),
            (".pkg.util.twice(2)", "int"),
            ("pkg.util.x", "int"),
        ],
    );
    check_table(
        &namespaced_env("pkg"),
        &[
            ("util.twice(2)", "int"),
            ("pkg.util.twice(2)", "int"),
            ("'a'.shout()", "string"),
        ],
    );
    check_table(
        &namespaced_env("pkg.util"),
        &[("twice(2)", "int"), ("x", "int")],
    );
    assert!(deduce(&namespaced_env(""), "twice(2)").starts_with("ERROR"));
}

#[test]
fn namespaced_call_reference_drops_the_target() {
    let env = namespaced_env("pkg");
    let checked = check(
        parse_str("util.twice(2)").unwrap_or_else(|e| panic!("{e}")),
        &env,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let Some(Reference::Function(f)) = checked.reference(checked.ast().expr.id) else {
        panic!("no function reference");
    };
    assert_eq!(f.name, "pkg.util.twice");
    assert!(f.namespaced);
    assert_eq!(f.overload_ids.as_slice(), ["pkg_util_twice_int"]);
}

#[test]
fn messages_and_enums_resolve_in_containers() {
    check_table(
        &env(&[], "cel.expr.conformance.proto3"),
        &[
            ("TestAllTypes{}", "cel.expr.conformance.proto3.TestAllTypes"),
            (
                "TestAllTypes",
                "type(cel.expr.conformance.proto3.TestAllTypes)",
            ),
            ("TestAllTypes.NestedEnum.BAR", "int"),
            ("GlobalEnum.GAZ", "int"),
            ("TestAllTypes.NestedMessage{bb: 1}.bb", "int"),
            (
                ".cel.expr.conformance.proto3.TestAllTypes{}",
                "cel.expr.conformance.proto3.TestAllTypes",
            ),
        ],
    );
    check_table(
        &env(&[], "cel.expr.conformance"),
        &[(
            "proto3.TestAllTypes{}",
            "cel.expr.conformance.proto3.TestAllTypes",
        )],
    );
}

#[test]
fn enum_reference_carries_its_value() {
    let env = env(&[], "cel.expr.conformance.proto3");
    let checked = check(
        parse_str("GlobalEnum.GAZ").unwrap_or_else(|e| panic!("{e}")),
        &env,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        checked.reference(checked.ast().expr.id),
        Some(&Reference::EnumConstant {
            name: "cel.expr.conformance.proto3.GlobalEnum.GAZ".into(),
            value: 2
        })
    );
}
