//! The standard library's implementations: operators, conversions, strings, lists, maps, time.

use celd_value::time::{
    TimestampField, parse_duration, parse_time_zone, parse_timestamp, timestamp_from_seconds,
};
use std::sync::Arc;

use celd_value::{EnumValue, EvalError, Result, TypeValue, Value, arith, compare, convert};
use jiff::tz::TimeZone;
use prost_reflect::EnumDescriptor;

use super::{Impl, Registry, no_such_overload};

pub fn register(r: &mut Registry) {
    register_operators(r);
    register_conversions(r);
    register_strings(r);
    register_time(r);
}

fn register_operators(r: &mut Registry) {
    r.binary("_+_", arith::add);
    r.binary("_-_", arith::sub);
    r.binary("_*_", arith::mul);
    r.binary("_/_", arith::div);
    r.binary("_%_", arith::rem);
    r.unary("-_", arith::neg);
    r.unary("!_", logical_not);
    r.binary("_==_", |a, b| Ok(Value::Bool(compare::equals(a, b))));
    r.binary("_!=_", |a, b| Ok(Value::Bool(!compare::equals(a, b))));
    r.binary("_<_", |a, b| ordered("_<_", a, b, |o| o.is_lt()));
    r.binary("_<=_", |a, b| ordered("_<=_", a, b, |o| o.is_le()));
    r.binary("_>_", |a, b| ordered("_>_", a, b, |o| o.is_gt()));
    r.binary("_>=_", |a, b| ordered("_>=_", a, b, |o| o.is_ge()));
    r.binary("_[_]", index);
    r.binary("@in", contains_element);
    r.unary("size", size);
}

fn register_conversions(r: &mut Registry) {
    r.unary("int", to_int);
    r.unary("uint", convert::to_uint);
    r.unary("double", convert::to_double);
    r.unary("string", convert::to_string);
    r.unary("bytes", convert::to_bytes);
    r.unary("bool", convert::to_bool);
    r.unary("dyn", |v| Ok(v.clone()));
    r.unary("type", |v| Ok(Value::Type(v.type_value())));
    r.unary("timestamp", to_timestamp);
    r.unary("duration", to_duration);
}

fn register_strings(r: &mut Registry) {
    r.binary("contains", |s, t| {
        strings2("contains", s, t, |s, t| s.contains(t))
    });
    r.binary("startsWith", |s, t| {
        strings2("startsWith", s, t, |s, t| s.starts_with(t))
    });
    r.binary("endsWith", |s, t| {
        strings2("endsWith", s, t, |s, t| s.ends_with(t))
    });
    r.binary("matches", matches);
}

fn register_time(r: &mut Registry) {
    use TimestampField::*;
    macro_rules! accessor {
        ($name:literal, $field:expr) => {
            r.unary($name, |v| time_field($name, $field, v, None));
            r.binary($name, |v, tz| time_field($name, $field, v, Some(tz)));
        };
    }
    accessor!("getFullYear", FullYear);
    accessor!("getMonth", Month);
    accessor!("getDayOfYear", DayOfYear);
    accessor!("getDayOfMonth", DayOfMonth);
    accessor!("getDate", Date);
    accessor!("getDayOfWeek", DayOfWeek);
    accessor!("getHours", Hours);
    accessor!("getMinutes", Minutes);
    accessor!("getSeconds", Seconds);
    accessor!("getMilliseconds", Milliseconds);
}

pub fn logical_not(v: &Value) -> Result<Value> {
    match v {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        _ => Err(no_such_overload("!_", std::slice::from_ref(v))),
    }
}

fn ordered(
    name: &str,
    a: &Value,
    b: &Value,
    test: fn(std::cmp::Ordering) -> bool,
) -> Result<Value> {
    match compare::compare(a, b) {
        Ok(order) => Ok(Value::Bool(order.is_some_and(test))),
        Err(_) => Err(no_such_overload(name, &[a.clone(), b.clone()])),
    }
}

/// `list[i]` (int, uint, or a double with an integral value) and `map[key]`.
pub fn index(container: &Value, key: &Value) -> Result<Value> {
    match container {
        Value::List(items) => {
            let i = list_index(key)?;
            usize::try_from(i)
                .ok()
                .and_then(|i| items.get(i))
                .cloned()
                .ok_or_else(|| EvalError::index_out_of_range(i, items.len()))
        }
        Value::Map(map) => match map.get_value(key) {
            Some(v) => Ok(v.clone()),
            None => Err(EvalError::no_such_key(key)),
        },
        _ => Err(no_such_overload("_[_]", &[container.clone(), key.clone()])),
    }
}

fn list_index(key: &Value) -> Result<i128> {
    match key {
        Value::Int(i) => Ok(*i as i128),
        Value::Uint(u) => Ok(*u as i128),
        Value::Double(d) if d.fract() == 0.0 && d.is_finite() => Ok(*d as i128),
        Value::Double(d) => Err(EvalError::invalid_argument(format!(
            "invalid list index {d}: not an integer"
        ))),
        _ => Err(no_such_overload(
            "_[_]",
            &[Value::list(vec![]), key.clone()],
        )),
    }
}

/// `x in list` and `key in map`.
pub fn contains_element(element: &Value, container: &Value) -> Result<Value> {
    match container {
        Value::List(items) => Ok(Value::Bool(
            items.iter().any(|item| compare::equals(item, element)),
        )),
        Value::Map(map) => Ok(Value::Bool(map.contains(element))),
        _ => Err(no_such_overload(
            "@in",
            &[element.clone(), container.clone()],
        )),
    }
}

pub fn size(v: &Value) -> Result<Value> {
    let n = match v {
        Value::String(s) => s.chars().count(),
        Value::Bytes(b) => b.len(),
        Value::List(items) => items.len(),
        Value::Map(map) => map.len(),
        _ => return Err(no_such_overload("size", std::slice::from_ref(v))),
    };
    Ok(Value::Int(n as i64))
}

fn strings2(name: &str, s: &Value, t: &Value, test: fn(&str, &str) -> bool) -> Result<Value> {
    match (s, t) {
        (Value::String(s), Value::String(t)) => Ok(Value::Bool(test(s, t))),
        _ => Err(no_such_overload(name, &[s.clone(), t.clone()])),
    }
}

fn matches(s: &Value, pattern: &Value) -> Result<Value> {
    match (s, pattern) {
        (Value::String(s), Value::String(p)) => Ok(Value::Bool(
            super::patterns::cached(p)?.is_match(s.as_str()),
        )),
        _ => Err(no_such_overload("matches", &[s.clone(), pattern.clone()])),
    }
}

fn to_timestamp(v: &Value) -> Result<Value> {
    match v {
        Value::Timestamp(t) => Ok(Value::Timestamp(*t)),
        Value::String(s) => parse_timestamp(s).map(Value::Timestamp),
        Value::Int(i) => timestamp_from_seconds(*i).map(Value::Timestamp),
        _ => Err(no_such_overload("timestamp", std::slice::from_ref(v))),
    }
}

fn to_duration(v: &Value) -> Result<Value> {
    match v {
        Value::Duration(d) => Ok(Value::Duration(*d)),
        Value::String(s) => parse_duration(s).map(Value::Duration),
        _ => Err(no_such_overload("duration", std::slice::from_ref(v))),
    }
}

fn time_field(name: &str, field: TimestampField, v: &Value, tz: Option<&Value>) -> Result<Value> {
    match (v, tz) {
        (Value::Timestamp(t), None) => Ok(Value::Int(field.get(*t, &TimeZone::UTC))),
        (Value::Timestamp(t), Some(Value::String(zone))) => {
            let tz = parse_time_zone(zone)?;
            Ok(Value::Int(field.get(*t, &tz)))
        }
        (Value::Duration(d), None) => duration_field(name, field, *d),
        _ => {
            let mut args = vec![v.clone()];
            args.extend(tz.cloned());
            Err(no_such_overload(name, &args))
        }
    }
}

/// Durations convert to whole hours, minutes or seconds; milliseconds are the sub-second part.
fn duration_field(name: &str, field: TimestampField, d: jiff::SignedDuration) -> Result<Value> {
    let n = match field {
        TimestampField::Hours => d.as_hours(),
        TimestampField::Minutes => d.as_mins(),
        TimestampField::Seconds => d.as_secs(),
        TimestampField::Milliseconds => d.subsec_millis() as i64,
        _ => return Err(no_such_overload(name, &[Value::Duration(d)])),
    };
    Ok(Value::Int(n))
}

/// `int(x)`: the conversions of [`convert::to_int`], and a typed enum's number.
fn to_int(v: &Value) -> Result<Value> {
    match EnumValue::of(v) {
        Some(e) => Ok(Value::Int(i64::from(e.number()))),
        None => convert::to_int(v),
    }
}

/// `E(x)` for an enum `E` under strong enums: an `int` in int32 range (named or
/// not), or the unqualified name of one of `E`'s values.
pub fn enum_conversion(desc: EnumDescriptor) -> Impl {
    Impl::Custom(Arc::new(move |args: &[Value]| {
        let converted = match args {
            [Value::Int(i)] => EnumValue::from_int(desc.clone(), *i),
            [Value::String(name)] => EnumValue::from_name(desc.clone(), name),
            [other] if EnumValue::of(other).is_some_and(|e| e.descriptor() == &desc) => {
                return Ok(other.clone());
            }
            _ => return Err(no_such_overload(desc.full_name(), args)),
        };
        converted.map(EnumValue::into_value)
    }))
}

/// The type value a built-in type name denotes when used as an expression (`int`, `list`,
/// `null_type`); opaque types (`net.IP`, host types) are the environment's
/// ([`crate::functions::host::HostFunctions::is_type_name`]).
pub fn builtin_type_value(name: &str) -> Option<Value> {
    match name {
        "bool" | "int" | "uint" | "double" | "string" | "bytes" | "list" | "map" | "null_type"
        | "type" | "optional_type" => TypeValue::builtin(name).map(Value::Type),
        _ => None,
    }
}
