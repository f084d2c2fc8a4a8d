//! Small readers for the test-file messages: fields by name, with a
//! [`DataError`] (never a panic) when a message does not have the expected shape.

use std::fmt;

use prost_reflect::{DynamicMessage, MapKey, ReflectMessage, Value as PbValue};

/// Test data that does not mean what the format says it should.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DataError(pub String);

impl DataError {
    pub fn new(message: impl Into<String>) -> DataError {
        DataError(message.into())
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DataError {}

/// The value of a field by name, or its default when unset.
fn field(msg: &DynamicMessage, name: &str) -> Result<PbValue, DataError> {
    msg.get_field_by_name(name)
        .map(|v| v.into_owned())
        .ok_or_else(|| no_field(msg, name))
}

fn no_field(msg: &DynamicMessage, name: &str) -> DataError {
    DataError::new(format!(
        "{} has no field '{name}'",
        msg.descriptor().full_name()
    ))
}

fn wrong_type(msg: &DynamicMessage, name: &str, want: &str) -> DataError {
    DataError::new(format!(
        "{}.{name} is not {want}",
        msg.descriptor().full_name()
    ))
}

/// A string field (empty when unset).
pub fn string(msg: &DynamicMessage, name: &str) -> Result<String, DataError> {
    match field(msg, name)? {
        PbValue::String(s) => Ok(s),
        _ => Err(wrong_type(msg, name, "a string")),
    }
}

/// A bool field (false when unset).
pub fn boolean(msg: &DynamicMessage, name: &str) -> Result<bool, DataError> {
    match field(msg, name)? {
        PbValue::Bool(b) => Ok(b),
        _ => Err(wrong_type(msg, name, "a bool")),
    }
}

/// An int32 field, such as `cel.expr.EnumValue.value`.
pub fn int32(msg: &DynamicMessage, name: &str) -> Result<i32, DataError> {
    match field(msg, name)? {
        PbValue::I32(n) | PbValue::EnumNumber(n) => Ok(n),
        _ => Err(wrong_type(msg, name, "an int32")),
    }
}

/// An enum field's number.
pub fn enum_number(msg: &DynamicMessage, name: &str) -> Result<i32, DataError> {
    match field(msg, name)? {
        PbValue::EnumNumber(n) => Ok(n),
        _ => Err(wrong_type(msg, name, "an enum")),
    }
}

/// A message field, or `None` when it is not set.
pub fn message(msg: &DynamicMessage, name: &str) -> Result<Option<DynamicMessage>, DataError> {
    if !msg.has_field_by_name(name) {
        return match msg.descriptor().get_field_by_name(name) {
            Some(_) => Ok(None),
            None => Err(no_field(msg, name)),
        };
    }
    match field(msg, name)? {
        PbValue::Message(m) => Ok(Some(m)),
        _ => Err(wrong_type(msg, name, "a message")),
    }
}

/// A message field that must be set.
pub fn required_message(msg: &DynamicMessage, name: &str) -> Result<DynamicMessage, DataError> {
    message(msg, name)?.ok_or_else(|| {
        DataError::new(format!(
            "{}.{name} is not set",
            msg.descriptor().full_name()
        ))
    })
}

/// The messages of a repeated message field.
pub fn messages(msg: &DynamicMessage, name: &str) -> Result<Vec<DynamicMessage>, DataError> {
    let PbValue::List(items) = field(msg, name)? else {
        return Err(wrong_type(msg, name, "repeated"));
    };
    items
        .into_iter()
        .map(|item| match item {
            PbValue::Message(m) => Ok(m),
            _ => Err(wrong_type(msg, name, "a list of messages")),
        })
        .collect()
}

/// The entries of a `map<string, Message>` field.
pub fn message_map(
    msg: &DynamicMessage,
    name: &str,
) -> Result<Vec<(String, DynamicMessage)>, DataError> {
    let PbValue::Map(entries) = field(msg, name)? else {
        return Err(wrong_type(msg, name, "a map"));
    };
    entries
        .into_iter()
        .map(|(key, value)| match (key, value) {
            (MapKey::String(k), PbValue::Message(m)) => Ok((k, m)),
            _ => Err(wrong_type(msg, name, "a map from strings to messages")),
        })
        .collect()
}

/// The strings of a repeated string field.
pub fn strings(msg: &DynamicMessage, name: &str) -> Result<Vec<String>, DataError> {
    let PbValue::List(items) = field(msg, name)? else {
        return Err(wrong_type(msg, name, "repeated"));
    };
    items
        .into_iter()
        .map(|item| match item {
            PbValue::String(s) => Ok(s),
            _ => Err(wrong_type(msg, name, "a list of strings")),
        })
        .collect()
}

/// The name and value of the field that is set in a message made of one oneof.
pub fn set_member(msg: &DynamicMessage) -> Option<(String, PbValue)> {
    msg.fields()
        .next()
        .map(|(field, value)| (field.name().to_owned(), value.clone()))
}

/// The name and value of the member of the named oneof that is set, if any.
pub fn oneof_member(msg: &DynamicMessage, oneof: &str) -> Option<(String, PbValue)> {
    let desc = msg.descriptor();
    let group = desc.oneofs().find(|o| o.name() == oneof)?;
    let member = group.fields().find(|f| msg.has_field(f))?;
    let value = msg.get_field(&member).into_owned();
    Some((member.name().to_owned(), value))
}
