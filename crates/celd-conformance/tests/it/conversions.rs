//! Conversions of the test files' `cel.expr.Type` and `cel.expr.Value` messages,
//! and of types between the test files' model and celd's.

use celd_conformance::engine::{from_celd_type, to_celd_type};
use celd_conformance::types::TypeSpec;
use celd_conformance::values::{ValueError, value_from_message};
use celd_value::{Key, Map, Value};
use prost_reflect::DynamicMessage;

use crate::support::pool;

fn message(name: &str, text: &str) -> Option<DynamicMessage> {
    let desc = pool()?.get_message_by_name(name)?;
    Some(DynamicMessage::parse_text_format(desc, text).unwrap_or_else(|e| panic!("{text}: {e}")))
}

fn type_spec(text: &str) -> Option<TypeSpec> {
    let msg = message("cel.expr.Type", text)?;
    Some(TypeSpec::from_message(&msg).unwrap_or_else(|e| panic!("{text}: {e}")))
}

fn value(text: &str) -> Option<Result<Value, ValueError>> {
    Some(value_from_message(&message("cel.expr.Value", text)?))
}

#[test]
fn types_read_in_cel_syntax() {
    let cases = [
        ("dyn {}", "dyn"),
        ("null: NULL_VALUE", "null_type"),
        ("primitive: UINT64", "uint"),
        ("wrapper: BYTES", "wrapper(bytes)"),
        ("well_known: DURATION", "google.protobuf.Duration"),
        ("message_type: 'a.B'", "a.B"),
        ("type_param: 'T'", "T"),
        ("type {}", "type"),
        ("type { primitive: BOOL }", "type(bool)"),
        ("error {}", "*error*"),
        (
            "map_type { key_type { primitive: STRING } value_type { dyn {} } }",
            "map(string, dyn)",
        ),
        (
            "abstract_type { name: 'optional_type' parameter_types { list_type { elem_type { primitive: DOUBLE } } } }",
            "optional_type(list(double))",
        ),
        (
            "function { result_type { primitive: INT64 } arg_types { primitive: STRING } }",
            "function(string) -> int",
        ),
    ];
    for (text, want) in cases {
        let Some(ty) = type_spec(text) else { return };
        assert_eq!(ty.to_string(), want, "{text}");
    }
}

#[test]
fn a_type_without_a_kind_is_an_error() {
    let Some(msg) = message("cel.expr.Type", "") else {
        return;
    };
    let error = TypeSpec::from_message(&msg).err().map(|e| e.to_string());
    assert_eq!(error.as_deref(), Some("cel.expr.Type with no kind set"));
}

#[test]
fn types_round_trip_through_celd() {
    let texts = [
        "dyn {}",
        "null: NULL_VALUE",
        "primitive: INT64",
        "wrapper: DOUBLE",
        "well_known: ANY",
        "well_known: TIMESTAMP",
        "message_type: 'cel.expr.conformance.proto3.TestAllTypes'",
        "type_param: 'T'",
        "type {}",
        "type { list_type { elem_type { primitive: STRING } } }",
        "error {}",
        "map_type { key_type { primitive: INT64 } value_type { wrapper: STRING } }",
        "abstract_type { name: 'tuple' parameter_types { type_param: 'A' } parameter_types { dyn {} } }",
    ];
    for text in texts {
        let Some(ty) = type_spec(text) else { return };
        let celd = to_celd_type(&ty).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(from_celd_type(&celd), ty, "{text}");
    }
    let Some(function) = type_spec("function { result_type { dyn {} } }") else {
        return;
    };
    assert!(to_celd_type(&function).is_err());
}

#[test]
fn values_read_as_cel_values() {
    let mut map = Map::new();
    map.insert(Key::Uint(1), Value::string("one"));
    let cases = [
        ("null_value: NULL_VALUE", Value::Null),
        ("bool_value: true", Value::Bool(true)),
        ("int64_value: -3", Value::Int(-3)),
        ("uint64_value: 3", Value::Uint(3)),
        ("double_value: -0.5", Value::Double(-0.5)),
        ("string_value: 'é'", Value::string("é")),
        ("bytes_value: '\\377'", Value::bytes(b"\xff")),
        (
            "type_value: 'google.protobuf.Timestamp'",
            Value::Type(celd_value::TypeValue::timestamp()),
        ),
        (
            "list_value { values { int64_value: 1 } values { null_value: NULL_VALUE } }",
            Value::list(vec![Value::Int(1), Value::Null]),
        ),
        (
            "map_value { entries { key { uint64_value: 1 } value { string_value: 'one' } } }",
            Value::map(map),
        ),
        (
            "object_value { [type.googleapis.com/google.protobuf.Int32Value] { value: 7 } }",
            Value::Int(7),
        ),
        (
            "object_value { [type.googleapis.com/google.protobuf.Value] { list_value {} } }",
            Value::list(vec![]),
        ),
    ];
    for (text, want) in cases {
        let Some(got) = value(text) else { return };
        let got = got.unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert!(
            celd_conformance::compare::same_value(&want, &got),
            "{text}: {got}"
        );
    }
}

#[test]
fn typed_enums_convert_and_bad_keys_are_data_errors() {
    let Some(enum_value) =
        value("enum_value { type: 'cel.expr.conformance.proto3.GlobalEnum' value: 444 }")
    else {
        return;
    };
    let enum_value = enum_value.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        enum_value.to_string(),
        "cel.expr.conformance.proto3.GlobalEnum(444)"
    );
    assert_eq!(
        enum_value.type_name(),
        "cel.expr.conformance.proto3.GlobalEnum"
    );
    let Some(unknown_enum) = value("enum_value { type: 'a.E' value: 1 }") else {
        return;
    };
    assert!(
        matches!(&unknown_enum, Err(ValueError::Data(e)) if e.0 == "enum_value: unknown enum type 'a.E'"),
        "{unknown_enum:?}"
    );
    let Some(double_key) =
        value("map_value { entries { key { double_value: 1 } value { bool_value: true } } }")
    else {
        return;
    };
    assert!(matches!(double_key, Err(ValueError::Data(e)) if e.0 == "a map key of type double"));
    let Some(empty) = value("") else { return };
    assert!(matches!(empty, Err(ValueError::Data(_))));
}
