//! Whether a result matches an expected value, as the reference runners decide
//! it: types must match exactly (`1` is not `1u`), map order does not count, NaN
//! matches NaN, and messages match field by field with `Any` fields unpacked.

use celd_value::proto::unpack_any;
use celd_value::{Key, Value};
use prost_reflect::{DynamicMessage, ReflectMessage, Value as PbValue};

/// Whether `actual` is the value `expected` describes.
pub fn same_value(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Uint(a), Value::Uint(b)) => a == b,
        (Value::Double(a), Value::Double(b)) => same_double(*a, *b),
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Bytes(a), Value::Bytes(b)) => a == b,
        (Value::Timestamp(a), Value::Timestamp(b)) => a == b,
        (Value::Duration(a), Value::Duration(b)) => a == b,
        (Value::Type(a), Value::Type(b)) => a == b,
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_value(x, y))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, x)| b.iter().any(|(k, y)| same_key(key, k) && same_value(x, y)))
        }
        (Value::Message(a), Value::Message(b)) => same_message(a, b),
        (Value::Optional(a), Value::Optional(b)) => match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) => same_value(x, y),
            _ => false,
        },
        (Value::Opaque(a), Value::Opaque(b)) => a.equals(b.as_ref()),
        _ => false,
    }
}

fn same_double(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Keys of the same type and value (CEL maps treat `1` and `1u` as one key; a
/// test expecting `1` must not accept `1u`).
fn same_key(a: &Key, b: &Key) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && a == b
}

/// Messages match when they have the same type and every field matches.
pub fn same_message(a: &DynamicMessage, b: &DynamicMessage) -> bool {
    let desc = a.descriptor();
    if desc.full_name() != b.descriptor().full_name() {
        return false;
    }
    if desc.full_name() == "google.protobuf.Any" {
        return match (unpack_any(a), unpack_any(b)) {
            (Ok(x), Ok(y)) => same_message(&x, &y),
            _ => a == b,
        };
    }
    let fields_match = desc.fields().all(|field| {
        let (in_a, in_b) = (a.has_field(&field), b.has_field(&field));
        in_a == in_b && (!in_a || same_pb(&a.get_field(&field), &b.get_field(&field)))
    });
    fields_match && same_extensions(a, b)
}

fn same_extensions(a: &DynamicMessage, b: &DynamicMessage) -> bool {
    let count_a = a.extensions().count();
    count_a == b.extensions().count()
        && a.extensions()
            .all(|(ext, value)| b.has_extension(&ext) && same_pb(value, &b.get_extension(&ext)))
}

fn same_pb(a: &PbValue, b: &PbValue) -> bool {
    match (a, b) {
        (PbValue::F32(x), PbValue::F32(y)) => same_double(f64::from(*x), f64::from(*y)),
        (PbValue::F64(x), PbValue::F64(y)) => same_double(*x, *y),
        (PbValue::Message(x), PbValue::Message(y)) => same_message(x, y),
        (PbValue::List(x), PbValue::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_pb(p, q))
        }
        (PbValue::Map(x), PbValue::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| same_pb(p, q)))
        }
        (x, y) => x == y,
    }
}
