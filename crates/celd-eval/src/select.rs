//! Field selection, presence tests and message construction on maps and messages.

use std::sync::Arc;

use celd_syntax::ExprId;
use celd_value::proto::{message_extension_as, message_field_as, message_to_value, set_field};
use celd_value::{EnumMode, EvalError, Result, Value};
use prost_reflect::{
    DynamicMessage, ExtensionDescriptor, FieldDescriptor, MessageDescriptor, ReflectMessage,
};

use crate::functions::{Impl, no_such_overload};

/// `v.field`: a map's string key or a message's field; on an optional, the optional
/// field of what it holds (`optional.of(m).f` is `m.?f`). Enum fields read as `int`.
pub fn select(v: &Value, field: &str) -> Result<Value> {
    select_as(v, field, EnumMode::Legacy)
}

/// [`select`], with enum fields read as `mode` says (typed enum values under strong enums).
pub fn select_as(v: &Value, field: &str, mode: EnumMode) -> Result<Value> {
    match v {
        Value::Optional(_) => select_optional_as(v, field, mode),
        Value::Map(map) => map
            .get_str(field)
            .cloned()
            .ok_or_else(|| EvalError::no_such_key(format_args!("'{field}'"))),
        Value::Message(m) => match m.descriptor().get_field_by_name(field) {
            Some(fd) => message_field_as(m, &fd, mode),
            None => match extension(m, field) {
                Some(ext) => message_extension_as(m, &ext, mode),
                None => Err(EvalError::no_such_field(field)),
            },
        },
        _ => Err(EvalError::no_such_field(field).with_context(v)),
    }
}

/// A proto2 extension field named by its fully qualified name (`pkg.ext` or `pkg.Msg.ext`)
/// that extends `m`'s message type.
fn extension(m: &DynamicMessage, name: &str) -> Option<ExtensionDescriptor> {
    if !name.contains('.') {
        return None;
    }
    let desc = m.descriptor();
    desc.parent_pool()
        .get_extension_by_name(name)
        .filter(|ext| ext.containing_message() == desc)
}

/// `v.?field`: the field of a map or message if present, else `optional.none()`;
/// on an optional, the same inside it. Enum fields read as `int`.
pub fn select_optional(v: &Value, field: &str) -> Result<Value> {
    select_optional_as(v, field, EnumMode::Legacy)
}

/// [`select_optional`], with enum fields read as `mode` says.
pub fn select_optional_as(v: &Value, field: &str, mode: EnumMode) -> Result<Value> {
    match v {
        Value::Optional(None) => Ok(Value::Optional(None)),
        Value::Optional(Some(inner)) => select_optional_as(inner, field, mode),
        Value::Map(map) => Ok(Value::Optional(map.get_str(field).cloned().map(Arc::new))),
        Value::Message(m) => match m.descriptor().get_field_by_name(field) {
            Some(fd) if m.has_field(&fd) => {
                message_field_as(m, &fd, mode).map(|v| Value::Optional(Some(Arc::new(v))))
            }
            Some(_) => Ok(Value::Optional(None)),
            None => Err(EvalError::no_such_field(field)),
        },
        _ => Err(EvalError::no_such_field(field).with_context(v)),
    }
}

/// `has(v.field)`: map key presence, or message field presence by proto2/proto3 rules;
/// on an optional, presence inside it (`false` for `optional.none()`).
pub fn has(v: &Value, field: &str) -> Result<Value> {
    match v {
        Value::Optional(None) => Ok(Value::Bool(false)),
        Value::Optional(Some(inner)) => has(inner, field),
        Value::Map(map) => Ok(Value::Bool(map.get_str(field).is_some())),
        Value::Message(m) => match m.descriptor().get_field_by_name(field) {
            Some(fd) => Ok(Value::Bool(m.has_field(&fd))),
            None => match extension(m, field) {
                Some(ext) => Ok(Value::Bool(m.has_extension(&ext))),
                None => Err(EvalError::no_such_field(field)),
            },
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

/// `_?._(operand, 'field')` under strong enums.
pub fn strong_select_optional() -> Impl {
    Impl::Custom(Arc::new(|args: &[Value]| match args {
        [v, Value::String(field)] => select_optional_as(v, field, EnumMode::Strong),
        _ => Err(no_such_overload("_?._", args)),
    }))
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
