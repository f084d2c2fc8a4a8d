//! Optional values: `optional.of`, `optional.none`, `optional.ofNonZeroValue`, `hasValue`,
//! `value`, `or`, `orValue`, optional selection `a.?f` (`_?._`) and indexing `a[?k]`
//! (`_[?_]`, and `_[_]` on an optional), `first`/`last` of lists, and `optional.unwrap`.

use std::sync::Arc;

use celd_value::{ErrorKind, EvalError, Result, Value};

use crate::functions::std_lib::index;
use crate::functions::{Registry, no_such_overload};
use crate::select;

pub fn register(r: &mut Registry) {
    r.unary("optional.of", |v| Ok(some(v.clone())));
    r.unary("optional.ofNonZeroValue", |v| {
        Ok(if is_zero(v) { none() } else { some(v.clone()) })
    });
    r.nary("optional.none", 0, |_| Ok(none()));
    r.unary("hasValue", has_value);
    r.unary("value", value);
    r.binary("or", or);
    r.binary("orValue", or_value);
    r.binary("_?._", select_optional);
    r.binary("_[?_]", |c, k| index_optional("_[?_]", c, k));
    r.binary("_[_]", index_or_optional);
    r.unary("first", |list| end_of("first", list, <[Value]>::first));
    r.unary("last", |list| end_of("last", list, <[Value]>::last));
    r.unary("optional.unwrap", |list| unwrap("optional.unwrap", list));
    r.unary("unwrapOpt", |list| unwrap("unwrapOpt", list));
}

fn some(v: Value) -> Value {
    Value::Optional(Some(Arc::new(v)))
}

fn none() -> Value {
    Value::Optional(None)
}

/// Whether `v` is its type's zero value: `optional.ofNonZeroValue` treats those as absent.
fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Uint(u) => *u == 0,
        Value::Double(d) => *d == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(items) => items.is_empty(),
        Value::Map(map) => map.is_empty(),
        Value::Timestamp(t) => *t == celd_value::Timestamp::UNIX_EPOCH,
        Value::Duration(d) => d.is_zero(),
        Value::Message(m) => m.fields().next().is_none(),
        Value::Type(_) | Value::Optional(_) | Value::Opaque(_) => false,
    }
}

fn has_value(v: &Value) -> Result<Value> {
    match v {
        Value::Optional(inner) => Ok(Value::Bool(inner.is_some())),
        _ => Err(no_such_overload("hasValue", std::slice::from_ref(v))),
    }
}

fn value(v: &Value) -> Result<Value> {
    match v {
        Value::Optional(Some(inner)) => Ok((**inner).clone()),
        Value::Optional(None) => Err(EvalError::invalid_argument("optional.none() dereference")),
        _ => Err(no_such_overload("value", std::slice::from_ref(v))),
    }
}

/// `a.or(b)`: `a` if it has a value, else `b`.
fn or(a: &Value, b: &Value) -> Result<Value> {
    match (a, b) {
        (Value::Optional(Some(_)), _) => Ok(a.clone()),
        (Value::Optional(None), Value::Optional(_)) => Ok(b.clone()),
        _ => Err(no_such_overload("or", &[a.clone(), b.clone()])),
    }
}

/// `a.orValue(b)`: the value of `a` if it has one, else `b`.
fn or_value(a: &Value, b: &Value) -> Result<Value> {
    match a {
        Value::Optional(Some(inner)) => Ok((**inner).clone()),
        Value::Optional(None) => Ok(b.clone()),
        _ => Err(no_such_overload("orValue", &[a.clone(), b.clone()])),
    }
}

/// `a.?field`: see [`select::select_optional`].
fn select_optional(operand: &Value, field: &Value) -> Result<Value> {
    match field {
        Value::String(name) => select::select_optional(operand, name),
        _ => Err(no_such_overload("_?._", &[operand.clone(), field.clone()])),
    }
}

/// `c[?k]`: the element or entry if present, else `optional.none()`; on an optional, the
/// same inside it.
fn index_optional(name: &str, container: &Value, key: &Value) -> Result<Value> {
    match container {
        Value::Optional(None) => Ok(none()),
        Value::Optional(Some(inner)) => index_optional(name, inner, key),
        Value::List(_) | Value::Map(_) => match index(container, key) {
            Ok(v) => Ok(some(v)),
            Err(e) if matches!(e.kind(), ErrorKind::IndexOutOfRange | ErrorKind::NoSuchKey) => {
                Ok(none())
            }
            Err(e) => Err(e),
        },
        _ => Err(no_such_overload(name, &[container.clone(), key.clone()])),
    }
}

/// `c[k]`: indexing an optional list or map gives an optional; anything else indexes as usual.
fn index_or_optional(container: &Value, key: &Value) -> Result<Value> {
    match container {
        Value::Optional(_) => index_optional("_[_]", container, key),
        _ => index(container, key),
    }
}

fn end_of(name: &str, list: &Value, pick: fn(&[Value]) -> Option<&Value>) -> Result<Value> {
    match list {
        Value::List(items) => Ok(pick(items).cloned().map_or_else(none, some)),
        _ => Err(no_such_overload(name, std::slice::from_ref(list))),
    }
}

/// The values of the present optionals in a list of optionals.
fn unwrap(name: &str, list: &Value) -> Result<Value> {
    let Value::List(items) = list else {
        return Err(no_such_overload(name, std::slice::from_ref(list)));
    };
    let mut values = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item {
            Value::Optional(Some(inner)) => values.push((**inner).clone()),
            Value::Optional(None) => {}
            other => {
                return Err(EvalError::invalid_argument(format!(
                    "value {other} is not optional"
                )));
            }
        }
    }
    Ok(Value::list(values))
}
