//! Type display and the type-syntax parser.

use celd_types::{Primitive, Type, parse_generic_type, parse_type};

/// Parses `text` and displays it again.
fn check_parse(text: &str, expect: &str) {
    match parse_type(text) {
        Ok(ty) => assert_eq!(ty.to_string(), expect, "parsing {text}"),
        Err(e) => panic!("{text}: {e}"),
    }
}

#[test]
fn parses_and_displays_cel_type_syntax() {
    let rows = [
        ("int", "int"),
        ("uint", "uint"),
        ("double", "double"),
        ("bool", "bool"),
        ("string", "string"),
        ("bytes", "bytes"),
        ("dyn", "dyn"),
        ("null_type", "null_type"),
        ("null", "null_type"),
        ("timestamp", "google.protobuf.Timestamp"),
        ("duration", "google.protobuf.Duration"),
        ("google.protobuf.Timestamp", "google.protobuf.Timestamp"),
        ("google.protobuf.Duration", "google.protobuf.Duration"),
        ("google.protobuf.Any", "google.protobuf.Any"),
        ("google.protobuf.Struct", "map(string, dyn)"),
        ("google.protobuf.Value", "dyn"),
        ("google.protobuf.ListValue", "list(dyn)"),
        ("google.protobuf.Int64Value", "wrapper(int)"),
        ("google.protobuf.UInt32Value", "wrapper(uint)"),
        ("google.protobuf.FloatValue", "wrapper(double)"),
        ("google.protobuf.BytesValue", "wrapper(bytes)"),
        ("wrapper(string)", "wrapper(string)"),
        ("list(int)", "list(int)"),
        ("list( list( string ) )", "list(list(string))"),
        ("map(string, dyn)", "map(string, dyn)"),
        ("map(int,list(bool))", "map(int, list(bool))"),
        ("type", "type"),
        ("type(int)", "type(int)"),
        ("optional_type(int)", "optional_type(int)"),
        ("pkg.Msg", "pkg.Msg"),
        (".pkg.Msg", "pkg.Msg"),
        ("Msg", "Msg"),
        ("net.IP", "net.IP"),
        ("tuple(int, string)", "tuple(int, string)"),
    ];
    for (text, expect) in rows {
        check_parse(text, expect);
    }
}

#[test]
fn parsed_types_have_the_right_shape() {
    assert_eq!(parse_type("list(int)"), Ok(Type::list(Type::Int)));
    assert_eq!(
        parse_type("google.protobuf.BoolValue"),
        Ok(Type::Wrapper(Primitive::Bool))
    );
    assert_eq!(parse_type("pkg.Msg"), Ok(Type::Message("pkg.Msg".into())));
    // Opaque types are an environment's: to type syntax alone `net.IP` is a name.
    assert_eq!(parse_type("net.IP"), Ok(Type::Message("net.IP".into())));
    assert_eq!(parse_type("A"), Ok(Type::Message("A".into())));
    assert_eq!(
        parse_generic_type("list(A)"),
        Ok(Type::list(Type::param("A")))
    );
    assert_eq!(Type::optional(Type::Int).optional_param(), Some(&Type::Int));
}

#[test]
fn rejects_malformed_types() {
    let rows = [
        ("", "expected a type name at offset 0"),
        ("list(", "expected a type name at offset 5"),
        ("list(int", "expected ')' at offset 8"),
        (
            "list(int, int)",
            "'list' takes 1 type parameter(s) at offset 0",
        ),
        ("map(int)", "'map' takes 2 type parameter(s) at offset 0"),
        ("int(string)", "'int' takes 0 type parameter(s) at offset 0"),
        (
            "wrapper(list(int))",
            "'list(int)' has no wrapper type at offset 0",
        ),
        ("int extra", "unexpected text after type at offset 4"),
        ("pkg..Msg", "unexpected text after type at offset 3"),
        ("1abc", "expected a type name at offset 0"),
    ];
    for (text, expect) in rows {
        match parse_type(text) {
            Ok(ty) => panic!("{text:?} parsed as {ty}"),
            Err(e) => assert_eq!(e.to_string(), expect, "parsing {text:?}"),
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("{}int{}", "list(".repeat(100_000), ")".repeat(100_000));
    let err = parse_type(&text).err().map(|e| e.message);
    assert_eq!(err.as_deref(), Some("type nested too deeply"));
}

#[test]
fn type_names_and_params() {
    assert_eq!(Type::Timestamp.type_name(), "google.protobuf.Timestamp");
    assert_eq!(Type::list(Type::Int).type_name(), "list");
    assert!(Type::list(Type::param("T")).has_params());
    assert!(!Type::map(Type::String, Type::Dyn).has_params());
    assert!(Type::Any.is_dyn());
}
