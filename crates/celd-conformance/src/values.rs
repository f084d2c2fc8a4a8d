//! Values as the test files write them (`cel.expr.Value`, `cel.expr.ExprValue`)
//! converted to CEL values.

use celd_value::proto::{message_to_value, unpack_any};
use celd_value::{Key, Map, TypeValue, Value};
use prost_reflect::{DynamicMessage, Value as PbValue};

use crate::pb::{self, DataError};

/// What a binding (`cel.expr.ExprValue`) holds.
pub enum Binding {
    Value(Value),
    /// An error or unknown set, which the runner does not support as input.
    Unsupported(&'static str),
}

/// Reads a `cel.expr.ExprValue`.
pub fn binding_from_message(msg: &DynamicMessage) -> Result<Binding, DataError> {
    match pb::oneof_member(msg, "kind") {
        Some((kind, PbValue::Message(value))) if kind == "value" => {
            value_from_message(&value).map(Binding::Value)
        }
        Some((kind, _)) if kind == "error" => Ok(Binding::Unsupported("an error binding")),
        Some((kind, _)) if kind == "unknown" => Ok(Binding::Unsupported("an unknown binding")),
        _ => Err(DataError::new("cel.expr.ExprValue with no kind set")),
    }
}

/// Reads a `cel.expr.Value`.
pub fn value_from_message(msg: &DynamicMessage) -> Result<Value, DataError> {
    let Some((kind, value)) = pb::oneof_member(msg, "kind") else {
        return Err(DataError::new("cel.expr.Value with no kind set"));
    };
    Ok(match (kind.as_str(), value) {
        ("null_value", _) => Value::Null,
        ("bool_value", PbValue::Bool(b)) => Value::Bool(b),
        ("int64_value", PbValue::I64(i)) => Value::Int(i),
        ("uint64_value", PbValue::U64(u)) => Value::Uint(u),
        ("double_value", PbValue::F64(d)) => Value::Double(d),
        ("string_value", PbValue::String(s)) => Value::from(s),
        ("bytes_value", PbValue::Bytes(b)) => Value::bytes(&b),
        ("type_value", PbValue::String(name)) => Value::Type(TypeValue::named(&name)),
        // Enums are ints in CEL's legacy enum semantics, which celd implements.
        ("enum_value", PbValue::Message(m)) => Value::Int(i64::from(pb::int32(&m, "value")?)),
        ("object_value", PbValue::Message(any)) => object_value(&any)?,
        ("map_value", PbValue::Message(m)) => map_value(&m)?,
        ("list_value", PbValue::Message(m)) => list_value(&m)?,
        (other, _) => {
            return Err(DataError::new(format!(
                "unsupported cel.expr.Value kind '{other}'"
            )));
        }
    })
}

/// An `Any`, unpacked and converted as the engine converts messages.
fn object_value(any: &DynamicMessage) -> Result<Value, DataError> {
    let message = unpack_any(any).map_err(|e| DataError::new(format!("object_value: {e}")))?;
    message_to_value(message).map_err(|e| DataError::new(format!("object_value: {e}")))
}

fn map_value(msg: &DynamicMessage) -> Result<Value, DataError> {
    let mut map = Map::new();
    for entry in pb::messages(msg, "entries")? {
        let key = value_from_message(&pb::required_message(&entry, "key")?)?;
        let key = Key::from_value(&key)
            .ok_or_else(|| DataError::new(format!("a map key of type {}", key.type_name())))?;
        let value = value_from_message(&pb::required_message(&entry, "value")?)?;
        if !map.insert_new(key.clone(), value) {
            return Err(DataError::new(format!(
                "duplicate map key {}",
                key.to_value()
            )));
        }
    }
    Ok(Value::map(map))
}

fn list_value(msg: &DynamicMessage) -> Result<Value, DataError> {
    pb::messages(msg, "values")?
        .iter()
        .map(value_from_message)
        .collect::<Result<Vec<_>, _>>()
        .map(Value::list)
}
