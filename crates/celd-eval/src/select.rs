//! Field selection, presence tests and message construction on maps and messages.

use celd_syntax::ExprId;
use celd_value::proto::{message_field, message_to_value, set_field};
use celd_value::{EvalError, Result, Value};
use prost_reflect::{DynamicMessage, FieldDescriptor, MessageDescriptor, ReflectMessage};

/// `v.field`: a map's string key or a message's field.
pub fn select(v: &Value, field: &str) -> Result<Value> {
    match v {
        Value::Map(map) => map
            .get_str(field)
            .cloned()
            .ok_or_else(|| EvalError::no_such_key(format_args!("'{field}'"))),
        Value::Message(m) => match m.descriptor().get_field_by_name(field) {
            Some(fd) => message_field(m, &fd),
            None => Err(EvalError::no_such_field(field)),
        },
        _ => Err(EvalError::no_such_field(field).with_context(v)),
    }
}

/// `has(v.field)`: map key presence, or message field presence by proto2/proto3 rules.
pub fn has(v: &Value, field: &str) -> Result<Value> {
    match v {
        Value::Map(map) => Ok(Value::Bool(map.get_str(field).is_some())),
        Value::Message(m) => match m.descriptor().get_field_by_name(field) {
            Some(fd) => Ok(Value::Bool(m.has_field(&fd))),
            None => Err(EvalError::no_such_field(field)),
        },
        _ => Err(EvalError::no_such_field(field).with_context(v)),
    }
}

/// Builds `message{field: value, ...}`; well-known types become their CEL values.
pub fn build_message(
    desc: &MessageDescriptor,
    fields: Vec<(&FieldDescriptor, Value, ExprId)>,
) -> Result<Value> {
    let mut msg = DynamicMessage::new(desc.clone());
    for (fd, value, id) in fields {
        set_field(&mut msg, fd, &value).map_err(|e| e.at(id.0))?;
    }
    message_to_value(msg)
}

trait WithContext {
    fn with_context(self, v: &Value) -> EvalError;
}

impl WithContext for EvalError {
    /// Names the type that has no fields, for selections on scalars and lists.
    fn with_context(self, v: &Value) -> EvalError {
        EvalError::new(
            self.kind(),
            format!("{} (a {} has no fields)", self.message(), v.type_name()),
        )
    }
}
