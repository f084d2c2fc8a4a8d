//! Type conversions: `int()`, `uint()`, `double()`, `string()`, `bytes()`, `bool()`, and double formatting.

use std::sync::Arc;

use prost_reflect::ReflectMessage;

use crate::time::{format_duration, format_timestamp};
use crate::{EvalError, Result, Value};

/// 2^63 as a double.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// 2^64 as a double.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// `int(x)`.
pub fn to_int(v: &Value) -> Result<Value> {
    match v {
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Uint(u) => i64::try_from(*u)
            .map(Value::Int)
            .map_err(|_| EvalError::out_of_range("int")),
        Value::Double(d) => double_to_int(*d).map(Value::Int),
        Value::String(s) => s
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| EvalError::invalid_argument(format!("cannot convert '{}' to int", s))),
        Value::Timestamp(t) => Ok(Value::Int(t.as_second())),
        _ => Err(no_conversion("int", v)),
    }
}

/// Truncates toward zero; the open range (-2^63, 2^63) converts.
pub fn double_to_int(d: f64) -> Result<i64> {
    if d.is_nan() || d <= -TWO_POW_63 || d >= TWO_POW_63 {
        return Err(EvalError::out_of_range("int"));
    }
    Ok(d as i64)
}

/// `uint(x)`.
pub fn to_uint(v: &Value) -> Result<Value> {
    match v {
        Value::Uint(u) => Ok(Value::Uint(*u)),
        Value::Int(i) => u64::try_from(*i)
            .map(Value::Uint)
            .map_err(|_| EvalError::out_of_range("uint")),
        Value::Double(d) => double_to_uint(*d).map(Value::Uint),
        Value::String(s) => s
            .parse::<u64>()
            .map(Value::Uint)
            .map_err(|_| EvalError::invalid_argument(format!("cannot convert '{}' to uint", s))),
        _ => Err(no_conversion("uint", v)),
    }
}

/// Truncates toward zero; the open range (-1, 2^64) converts.
pub fn double_to_uint(d: f64) -> Result<u64> {
    if d.is_nan() || d <= -1.0 || d >= TWO_POW_64 {
        return Err(EvalError::out_of_range("uint"));
    }
    Ok(d as u64)
}

/// `double(x)`.
pub fn to_double(v: &Value) -> Result<Value> {
    match v {
        Value::Double(d) => Ok(Value::Double(*d)),
        Value::Int(i) => Ok(Value::Double(*i as f64)),
        Value::Uint(u) => Ok(Value::Double(*u as f64)),
        Value::String(s) => parse_double(s).map(Value::Double),
        _ => Err(no_conversion("double", v)),
    }
}

fn parse_double(s: &str) -> Result<f64> {
    let invalid = || EvalError::invalid_argument(format!("cannot convert '{}' to double", s));
    // Rust accepts "infinity" and "nan" in any case, as Go does; it rejects Go's hex floats,
    // which CEL never documented.
    s.parse::<f64>().map_err(|_| invalid())
}

/// `string(x)`.
pub fn to_string(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::String(s) => Value::String(s.clone()),
        Value::Bool(b) => Value::string(if *b { "true" } else { "false" }),
        Value::Int(i) => Value::from(i.to_string()),
        Value::Uint(u) => Value::from(u.to_string()),
        Value::Double(d) => Value::from(format_double(*d)),
        Value::Bytes(b) => match std::str::from_utf8(b) {
            Ok(s) => Value::string(s),
            Err(_) => {
                return Err(EvalError::invalid_argument(
                    "invalid UTF-8 in bytes, cannot convert to string",
                ));
            }
        },
        Value::Timestamp(t) => Value::from(format_timestamp(*t)),
        Value::Duration(d) => Value::from(format_duration(*d)),
        _ => return Err(no_conversion("string", v)),
    })
}

/// `bytes(x)`.
pub fn to_bytes(v: &Value) -> Result<Value> {
    match v {
        Value::Bytes(b) => Ok(Value::Bytes(b.clone())),
        Value::String(s) => Ok(Value::Bytes(Arc::from(s.as_bytes()))),
        _ => Err(no_conversion("bytes", v)),
    }
}

/// `bool(x)`: accepts the spellings Go's `strconv.ParseBool` does.
pub fn to_bool(v: &Value) -> Result<Value> {
    match v {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) => match &**s {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(Value::Bool(true)),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(Value::Bool(false)),
            _ => Err(EvalError::invalid_argument(format!(
                "cannot convert '{}' to bool",
                s
            ))),
        },
        _ => Err(no_conversion("bool", v)),
    }
}

fn no_conversion(function: &str, v: &Value) -> EvalError {
    EvalError::no_such_overload(function, &[&v.type_name()])
}

/// Formats a double the way `string(double)` does: the shortest digits that read back exactly,
/// in exponent form when the decimal exponent is below -4 or at least 6, as Go's `%g` does
/// (`1e+06`, `1e-05`, `123.456`, `100000`).
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_owned();
    }
    if d.is_infinite() {
        return if d > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits: "1.2345e2", "-5e-3".
    let sci = format!("{d:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs());
    }
    format!("{d}")
}

/// Protobuf message equality as CEL defines it.
pub fn messages_equal(
    a: &prost_reflect::DynamicMessage,
    b: &prost_reflect::DynamicMessage,
) -> bool {
    a.descriptor() == b.descriptor() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_format_like_the_reference() {
        for (d, want) in [
            (123.456, "123.456"),
            (-4.5e-3, "-0.0045"),
            (1e21, "1e+21"),
            (1e6, "1e+06"),
            (100000.0, "100000"),
            (1234567.0, "1.234567e+06"),
            (1e-5, "1e-05"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1.5, "1.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (1e100, "1e+100"),
        ] {
            assert_eq!(format_double(d), want, "{d}");
        }
    }

    #[test]
    fn double_to_int_range_is_open() {
        assert!(double_to_int(9_223_372_036_854_775_807.0).is_err());
        assert!(double_to_int(-TWO_POW_63).is_err());
        assert_eq!(double_to_int(-7.9).unwrap(), -7);
        assert!(double_to_uint(-1.0).is_err());
        assert_eq!(double_to_uint(-0.5).unwrap(), 0);
        assert!(double_to_uint(TWO_POW_64).is_err());
    }

    #[test]
    fn string_conversions() {
        assert_eq!(to_int(&Value::string("987")).unwrap(), Value::Int(987));
        assert!(to_int(&Value::string("0x1")).is_err());
        assert!(to_uint(&Value::Int(-1)).is_err());
        assert_eq!(to_bool(&Value::string("True")).unwrap(), Value::Bool(true));
        assert!(to_bool(&Value::string("TrUe")).is_err());
        assert!(to_string(&Value::bytes(b"\xff")).is_err());
    }
}
