//! Values as the test files write them (`cel.expr.Value`, `cel.expr.ExprValue`)
//! converted to CEL values.

use celd_value::proto::{message_to_value, unpack_any};
use celd_value::{EnumValue, Key, Map, TypeValue, Value};
use prost_reflect::{DynamicMessage, ReflectMessage, Value as PbValue};

use crate::pb::{self, DataError};

/// Why a value of a test file does not become a CEL value.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ValueError {
    /// Something celd has no value for (an error or unknown binding).
    Unsupported(String),
    /// Malformed data.
    Data(DataError),
}

impl From<DataError> for ValueError {
    fn from(e: DataError) -> ValueError {
        ValueError::Data(e)
    }
}

/// Reads a `cel.expr.ExprValue` given as a binding.
pub fn binding_from_message(msg: &DynamicMessage) -> Result<Value, ValueError> {
    match pb::oneof_member(msg, "kind") {
        Some((kind, PbValue::Message(value))) if kind == "value" => value_from_message(&value),
        Some((kind, _)) if kind == "error" => Err(unsupported("an error binding")),
        Some((kind, _)) if kind == "unknown" => Err(unsupported("an unknown binding")),
        _ => Err(DataError::new("cel.expr.ExprValue with no kind set").into()),
    }
}

fn unsupported(what: &str) -> ValueError {
    ValueError::Unsupported(format!("{what} is not supported"))
}

/// Reads a `cel.expr.Value`.
pub fn value_from_message(msg: &DynamicMessage) -> Result<Value, ValueError> {
    let Some((kind, value)) = pb::oneof_member(msg, "kind") else {
        return Err(DataError::new("cel.expr.Value with no kind set").into());
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
        // A typed enum value (strong enums; the runner enables them for the sections
        // that expect them). Never an int: that would pass a test of the typed semantics.
        ("enum_value", PbValue::Message(m)) => enum_value(&m)?,
        ("object_value", PbValue::Message(any)) => object_value(&any)?,
        ("map_value", PbValue::Message(m)) => map_value(&m)?,
        ("list_value", PbValue::Message(m)) => list_value(&m)?,
        (other, _) => {
            return Err(ValueError::Unsupported(format!(
                "unsupported cel.expr.Value kind '{other}'"
            )));
        }
    })
}

/// A `cel.expr.EnumValue`: the enum, by full name, must be in the test protos.
fn enum_value(msg: &DynamicMessage) -> Result<Value, DataError> {
    let type_name = pb::string(msg, "type")?;
    let number = pb::int32(msg, "value")?;
    let desc = msg
        .descriptor()
        .parent_pool()
        .get_enum_by_name(&type_name)
        .ok_or_else(|| DataError::new(format!("enum_value: unknown enum type '{type_name}'")))?;
    Ok(EnumValue::new(desc, number).into_value())
}

/// An `Any`, unpacked and converted as the engine converts messages.
fn object_value(any: &DynamicMessage) -> Result<Value, DataError> {
    let message = unpack_any(any).map_err(|e| DataError::new(format!("object_value: {e}")))?;
    message_to_value(message).map_err(|e| DataError::new(format!("object_value: {e}")))
}

fn map_value(msg: &DynamicMessage) -> Result<Value, ValueError> {
    let mut map = Map::new();
    for entry in pb::messages(msg, "entries")? {
        let key = value_from_message(&pb::required_message(&entry, "key")?)?;
        let key = Key::from_value(&key)
            .ok_or_else(|| DataError::new(format!("a map key of type {}", key.type_name())))?;
        let value = value_from_message(&pb::required_message(&entry, "value")?)?;
        if !map.insert_new(key.clone(), value) {
            let message = format!("duplicate map key {}", key.to_value());
            return Err(DataError::new(message).into());
        }
    }
    Ok(Value::map(map))
}

fn list_value(msg: &DynamicMessage) -> Result<Value, ValueError> {
    pb::messages(msg, "values")?
        .iter()
        .map(value_from_message)
        .collect::<Result<Vec<_>, _>>()
        .map(Value::list)
}
