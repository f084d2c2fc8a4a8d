//! Declared types given as text: names resolve through the environment (library type names,
//! loaded messages and enums, the container), unknown ones are errors with hints, and a name
//! declared twice is an error.

use celd_check::{CheckEnv, EnvError};
use celd_types::{Type, TypeErrorKind};

use crate::support::{builder, env};

fn parse(text: &str, container: &str) -> Result<Type, String> {
    env(&[], "")
        .parse_type(text, container)
        .map_err(|e| e.to_string())
}

fn kind(text: &str) -> TypeErrorKind {
    let env = CheckEnv::builder()
        .extension("network")
        .build()
        .expect("builds");
    env.parse_type(text, "").expect_err(text).kind
}

#[test]
fn known_names_resolve() {
    let proto3 = "cel.expr.conformance.proto3";
    let cases = [
        ("int", ""),
        ("list(map(string, dyn))", ""),
        ("optional_type(int)", ""),
        ("net.IP", ""),
        ("google.protobuf.Timestamp", ""),
        ("google.protobuf.Int64Value", ""),
        ("cel.expr.conformance.proto3.TestAllTypes", ""),
        ("TestAllTypes", proto3),
        ("list(TestAllTypes)", proto3),
        ("TestAllTypes.NestedMessage", proto3),
        ("TestAllTypes.NestedEnum", proto3),
        (".cel.expr.conformance.proto3.TestAllTypes", proto3),
    ];
    let got: Vec<String> = cases
        .iter()
        .map(|(text, container)| match parse(text, container) {
            Ok(ty) => format!("{text} in '{container}': {ty}"),
            Err(e) => format!("{text} in '{container}': ERROR {e}"),
        })
        .collect();
    insta::assert_snapshot!(got.join("\n"), @r"
    int in '': int
    list(map(string, dyn)) in '': list(map(string, dyn))
    optional_type(int) in '': optional_type(int)
    net.IP in '': net.IP
    google.protobuf.Timestamp in '': google.protobuf.Timestamp
    google.protobuf.Int64Value in '': wrapper(int)
    cel.expr.conformance.proto3.TestAllTypes in '': cel.expr.conformance.proto3.TestAllTypes
    TestAllTypes in 'cel.expr.conformance.proto3': cel.expr.conformance.proto3.TestAllTypes
    list(TestAllTypes) in 'cel.expr.conformance.proto3': list(cel.expr.conformance.proto3.TestAllTypes)
    TestAllTypes.NestedMessage in 'cel.expr.conformance.proto3': cel.expr.conformance.proto3.TestAllTypes.NestedMessage
    TestAllTypes.NestedEnum in 'cel.expr.conformance.proto3': int
    .cel.expr.conformance.proto3.TestAllTypes in 'cel.expr.conformance.proto3': cel.expr.conformance.proto3.TestAllTypes
    ");
}

#[test]
fn unknown_names_are_errors_with_hints() {
    let proto3 = "cel.expr.conformance.proto3";
    let cases = [
        ("integr", ""),
        ("integer", ""),
        ("list(strng)", ""),
        ("map(string, foo)", ""),
        ("TestAllTypes", ""),
        ("TestAllType", proto3),
        ("pkg.Missing", ""),
        ("optional_type", ""),
        ("net.IP(int)", ""),
        ("foo(int)", ""),
        ("list(int", ""),
    ];
    let got: Vec<String> = cases
        .iter()
        .map(|(text, container)| match parse(text, container) {
            Ok(ty) => format!("{text}: {ty}"),
            Err(e) => format!("{text}: {e}"),
        })
        .collect();
    insta::assert_snapshot!(got.join("\n"), @r"
    integr: unknown type 'integr'; did you mean 'int'?
    integer: unknown type 'integer'; did you mean 'int'?
    list(strng): unknown type 'strng'; did you mean 'string'?
    map(string, foo): unknown type 'foo'
    TestAllTypes: unknown message type 'TestAllTypes'
    TestAllType: unknown type 'TestAllType'; did you mean 'TestAllTypes'?
    pkg.Missing: unknown message type 'pkg.Missing'
    optional_type: 'optional_type' takes 1 type parameter(s) at offset 0
    net.IP(int): 'net.IP' takes 0 type parameter(s) at offset 0
    foo(int): unknown type 'foo'
    list(int: expected ')' at offset 8
    ");
}

#[test]
fn error_kinds_tell_unknown_types_from_unloaded_messages() {
    assert_eq!(kind("integr"), TypeErrorKind::UnknownType);
    assert_eq!(kind("TestAllTypes"), TypeErrorKind::UnknownMessage);
    assert_eq!(kind("list("), TypeErrorKind::Syntax);
    // Without the network extension, its types are not known either.
    let bare = CheckEnv::builder().build().expect("builds");
    assert!(bare.parse_type("net.IP", "").is_err());
}

#[test]
fn text_declarations_resolve_in_the_container() {
    let env = builder(&[], "cel.expr.conformance.proto3")
        .variable_text("msg", "TestAllTypes")
        .build()
        .expect("builds");
    assert_eq!(
        env.variable("msg"),
        Some(&Type::Message(
            "cel.expr.conformance.proto3.TestAllTypes".into()
        ))
    );
    let err = builder(&[], "")
        .variable_text("x", "integr")
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "declaration of 'x': unknown type 'integr'; did you mean 'int'?"
    );
}

#[test]
fn a_name_declared_twice_is_an_error() {
    let err = builder(&[("x", "int")], "")
        .variable("x", Type::String)
        .build()
        .unwrap_err();
    assert_eq!(err, EnvError::DuplicateVariable("x".into()));
    assert_eq!(err.to_string(), "variable 'x' is declared more than once");
    let err = builder(&[("x", "int")], "")
        .variable_text("x", "int")
        .build()
        .unwrap_err();
    assert_eq!(err, EnvError::DuplicateVariable("x".into()));
}
