//! Arithmetic: checked integer operations, IEEE doubles, concatenation, and time arithmetic.

use std::sync::Arc;

use crate::time::checked_duration;
use crate::{EvalError, List, Result, Value};

pub fn add_int(a: i64, b: i64) -> Result<Value> {
    a.checked_add(b)
        .map(Value::Int)
        .ok_or_else(|| EvalError::overflow("integer"))
}

pub fn sub_int(a: i64, b: i64) -> Result<Value> {
    a.checked_sub(b)
        .map(Value::Int)
        .ok_or_else(|| EvalError::overflow("integer"))
}

pub fn mul_int(a: i64, b: i64) -> Result<Value> {
    a.checked_mul(b)
        .map(Value::Int)
        .ok_or_else(|| EvalError::overflow("integer"))
}

pub fn div_int(a: i64, b: i64) -> Result<Value> {
    if b == 0 {
        return Err(EvalError::division_by_zero());
    }
    a.checked_div(b)
        .map(Value::Int)
        .ok_or_else(|| EvalError::overflow("integer"))
}

pub fn rem_int(a: i64, b: i64) -> Result<Value> {
    if b == 0 {
        return Err(EvalError::modulus_by_zero());
    }
    a.checked_rem(b)
        .map(Value::Int)
        .ok_or_else(|| EvalError::overflow("integer"))
}

pub fn neg_int(a: i64) -> Result<Value> {
    a.checked_neg()
        .map(Value::Int)
        .ok_or_else(|| EvalError::overflow("integer"))
}

pub fn add_uint(a: u64, b: u64) -> Result<Value> {
    a.checked_add(b)
        .map(Value::Uint)
        .ok_or_else(|| EvalError::overflow("unsigned integer"))
}

pub fn sub_uint(a: u64, b: u64) -> Result<Value> {
    a.checked_sub(b)
        .map(Value::Uint)
        .ok_or_else(|| EvalError::overflow("unsigned integer"))
}

pub fn mul_uint(a: u64, b: u64) -> Result<Value> {
    a.checked_mul(b)
        .map(Value::Uint)
        .ok_or_else(|| EvalError::overflow("unsigned integer"))
}

pub fn div_uint(a: u64, b: u64) -> Result<Value> {
    if b == 0 {
        return Err(EvalError::division_by_zero());
    }
    Ok(Value::Uint(a / b))
}

pub fn rem_uint(a: u64, b: u64) -> Result<Value> {
    if b == 0 {
        return Err(EvalError::modulus_by_zero());
    }
    Ok(Value::Uint(a % b))
}

/// Concatenates two lists, reusing `a`'s allocation when nothing else holds it.
pub fn concat_lists(a: Arc<List>, b: &[Value]) -> Value {
    if b.is_empty() {
        return Value::List(a);
    }
    let mut items = Arc::unwrap_or_clone(a);
    items.extend(b.iter().cloned());
    Value::List(Arc::new(items))
}

/// Concatenates two strings; results of up to 23 bytes stay inline, without allocating.
pub fn concat_strings(a: &str, b: &str) -> Value {
    let mut s = smol_str::SmolStrBuilder::new();
    s.push_str(a);
    s.push_str(b);
    Value::String(s.finish())
}

pub fn concat_bytes(a: &[u8], b: &[u8]) -> Value {
    let mut v = Vec::with_capacity(a.len() + b.len());
    v.extend_from_slice(a);
    v.extend_from_slice(b);
    Value::Bytes(Arc::from(v))
}

/// `_+_` over any pair of values, dispatched on their runtime types.
pub fn add(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => add_int(*x, *y),
        (Uint(x), Uint(y)) => add_uint(*x, *y),
        (Double(x), Double(y)) => Ok(Double(x + y)),
        (String(x), String(y)) => Ok(concat_strings(x, y)),
        (Bytes(x), Bytes(y)) => Ok(concat_bytes(x, y)),
        (List(x), List(y)) => Ok(concat_lists(x.clone(), y)),
        (Timestamp(t), Duration(d)) | (Duration(d), Timestamp(t)) => {
            t.checked_add(*d).map(Timestamp)
        }
        (Duration(x), Duration(y)) => {
            let sum = x
                .checked_add(*y)
                .ok_or_else(|| EvalError::time_range("duration"))?;
            checked_duration(sum).map(Duration)
        }
        _ => Err(no_overload("_+_", a, b)),
    }
}

/// `_-_` over any pair of values.
pub fn sub(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => sub_int(*x, *y),
        (Uint(x), Uint(y)) => sub_uint(*x, *y),
        (Double(x), Double(y)) => Ok(Double(x - y)),
        (Timestamp(t), Duration(d)) => t.checked_sub(*d).map(Timestamp),
        (Timestamp(x), Timestamp(y)) => x.duration_since(*y).map(Duration),
        (Duration(x), Duration(y)) => {
            let diff = x
                .checked_sub(*y)
                .ok_or_else(|| EvalError::time_range("duration"))?;
            checked_duration(diff).map(Duration)
        }
        _ => Err(no_overload("_-_", a, b)),
    }
}

/// `_*_` over any pair of values.
pub fn mul(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => mul_int(*x, *y),
        (Uint(x), Uint(y)) => mul_uint(*x, *y),
        (Double(x), Double(y)) => Ok(Double(x * y)),
        _ => Err(no_overload("_*_", a, b)),
    }
}

/// `_/_` over any pair of values.
pub fn div(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => div_int(*x, *y),
        (Uint(x), Uint(y)) => div_uint(*x, *y),
        (Double(x), Double(y)) => Ok(Double(x / y)),
        _ => Err(no_overload("_/_", a, b)),
    }
}

/// `_%_` over any pair of values.
pub fn rem(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => rem_int(*x, *y),
        (Uint(x), Uint(y)) => rem_uint(*x, *y),
        _ => Err(no_overload("_%_", a, b)),
    }
}

/// `-_` over any value.
pub fn neg(a: &Value) -> Result<Value> {
    match a {
        Value::Int(x) => neg_int(*x),
        Value::Double(x) => Ok(Value::Double(-x)),
        _ => Err(EvalError::no_such_overload("-_", &[&a.type_name()])),
    }
}

fn no_overload(function: &str, a: &Value, b: &Value) -> EvalError {
    EvalError::no_such_overload(function, &[&a.type_name(), &b.type_name()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_overflow_is_an_error() {
        assert!(add_int(i64::MAX, 1).is_err());
        assert!(sub_int(i64::MIN, 1).is_err());
        assert!(mul_int(i64::MAX, 2).is_err());
        assert!(div_int(i64::MIN, -1).is_err());
        assert!(rem_int(i64::MIN, -1).is_err());
        assert!(neg_int(i64::MIN).is_err());
        assert!(sub_uint(0, 1).is_err());
        assert!(add_uint(u64::MAX, 1).is_err());
    }

    #[test]
    fn division_by_zero_names_itself() {
        let err = div_int(1, 0).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::DivisionByZero);
        assert_eq!(err.message(), "division by zero");
        assert_eq!(
            rem_uint(1, 0).unwrap_err().kind(),
            crate::ErrorKind::DivisionByZero
        );
    }

    #[test]
    fn list_concatenation_keeps_order() {
        let a = Arc::new(List::new(vec![Value::Int(1)]));
        let joined = concat_lists(a, &[Value::Int(2), Value::Int(3)]);
        assert_eq!(
            joined,
            Value::list(vec![Value::Int(1), Value::Int(2), Value::Int(3)])
        );
    }
}
