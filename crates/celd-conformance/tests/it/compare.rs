//! Result comparison: exact types, unordered maps, NaN, messages with `Any` fields.

use std::sync::Arc;

use celd_conformance::compare::{same_message, same_value};
use celd_value::{Key, Map, Value};
use prost_reflect::prost::Message as _;
use prost_reflect::{DynamicMessage, Value as PbValue};

use crate::support::pool;

fn map(entries: &[(Key, Value)]) -> Value {
    Value::map(entries.iter().cloned().collect::<Map>())
}

#[test]
fn numbers_must_have_the_expected_type() {
    assert!(same_value(&Value::Int(1), &Value::Int(1)));
    assert!(!same_value(&Value::Int(1), &Value::Uint(1)));
    assert!(!same_value(&Value::Int(1), &Value::Double(1.0)));
    assert!(same_value(
        &Value::Double(f64::NAN),
        &Value::Double(f64::NAN)
    ));
    assert!(same_value(&Value::Double(0.0), &Value::Double(-0.0)));
    assert!(!same_value(
        &Value::list(vec![Value::Int(1)]),
        &Value::list(vec![Value::Uint(1)])
    ));
}

#[test]
fn maps_match_in_any_order_with_keys_of_the_same_type() {
    let a = map(&[
        (Key::Int(1), Value::Bool(true)),
        (Key::String("x".into()), Value::Null),
    ]);
    let b = map(&[
        (Key::String("x".into()), Value::Null),
        (Key::Int(1), Value::Bool(true)),
    ]);
    assert!(same_value(&a, &b));
    let uint_key = map(&[
        (Key::Uint(1), Value::Bool(true)),
        (Key::String("x".into()), Value::Null),
    ]);
    assert!(!same_value(&a, &uint_key));
    assert!(!same_value(&a, &map(&[(Key::Int(1), Value::Bool(true))])));
}

/// Two `TestAllTypes` holding the same map inside an `Any`, encoded in different entry orders.
fn messages_with_reordered_any() -> Option<(DynamicMessage, DynamicMessage)> {
    let pool = pool()?;
    let desc = pool.get_message_by_name("cel.expr.conformance.proto3.TestAllTypes")?;
    let one_entry = |key: &str| {
        let text = format!("map_string_string {{ key: '{key}' value: 'v' }}");
        DynamicMessage::parse_text_format(desc.clone(), &text)
            .expect("valid")
            .encode_to_vec()
    };
    let (a, b) = (one_entry("a"), one_entry("b"));
    let holder = |payload: Vec<u8>| {
        let any_desc = pool
            .get_message_by_name("google.protobuf.Any")
            .expect("Any");
        let mut any = DynamicMessage::new(any_desc);
        any.set_field_by_name(
            "type_url",
            PbValue::String("type.googleapis.com/cel.expr.conformance.proto3.TestAllTypes".into()),
        );
        any.set_field_by_name("value", PbValue::Bytes(payload.into()));
        let mut outer = DynamicMessage::new(desc.clone());
        outer.set_field_by_name("single_any", PbValue::Message(any));
        outer
    };
    Some((
        holder([a.clone(), b.clone()].concat()),
        holder([b, a].concat()),
    ))
}

#[test]
fn any_fields_compare_unpacked() {
    let Some((x, y)) = messages_with_reordered_any() else {
        return;
    };
    assert_ne!(x, y, "the encodings differ");
    assert!(same_message(&x, &y));
    assert!(same_value(
        &Value::Message(Arc::new(x)),
        &Value::Message(Arc::new(y))
    ));
}

#[test]
fn messages_differ_by_field_and_type() {
    let Some(pool) = pool() else { return };
    let parse = |name: &str, text: &str| {
        let desc = pool.get_message_by_name(name).expect("known message");
        DynamicMessage::parse_text_format(desc, text).expect("valid")
    };
    let proto3 = "cel.expr.conformance.proto3.TestAllTypes";
    let proto2 = "cel.expr.conformance.proto2.TestAllTypes";
    assert!(same_message(
        &parse(proto3, "single_int32: 1"),
        &parse(proto3, "single_int32: 1")
    ));
    assert!(!same_message(
        &parse(proto3, "single_int32: 1"),
        &parse(proto3, "single_int32: 2")
    ));
    assert!(!same_message(&parse(proto3, ""), &parse(proto2, "")));
    assert!(same_message(
        &parse(proto3, "single_float_wrapper { value: nan }"),
        &parse(proto3, "single_float_wrapper { value: nan }")
    ));
    assert!(!same_message(
        &parse(proto2, "[cel.expr.conformance.proto2.int32_ext]: 1"),
        &parse(proto2, "")
    ));
}
