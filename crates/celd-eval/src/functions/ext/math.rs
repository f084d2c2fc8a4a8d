//! The math extension: `math.greatest`/`math.least` (also under their expanded names
//! `math.@max`/`math.@min`), rounding, floating-point tests, `abs`, `sign`, bitwise
//! operations and `sqrt`.

use std::cmp::Ordering;

use celd_value::{EvalError, Result, Value, compare};

use crate::functions::{Impl, Registry, no_such_overload};

pub fn register(r: &mut Registry) {
    for name in ["math.greatest", "math.@max"] {
        r.add_variadic(name, Impl::Nary(greatest));
    }
    for name in ["math.least", "math.@min"] {
        r.add_variadic(name, Impl::Nary(least));
    }
    r.unary("math.ceil", |v| double_op("math.ceil", v, f64::ceil));
    r.unary("math.floor", |v| double_op("math.floor", v, f64::floor));
    // `f64::round` rounds half away from zero, as Go's `math.Round` does.
    r.unary("math.round", |v| double_op("math.round", v, f64::round));
    r.unary("math.trunc", |v| double_op("math.trunc", v, f64::trunc));
    r.unary("math.isInf", |v| {
        double_test("math.isInf", v, f64::is_infinite)
    });
    r.unary("math.isNaN", |v| double_test("math.isNaN", v, f64::is_nan));
    r.unary("math.isFinite", |v| {
        double_test("math.isFinite", v, f64::is_finite)
    });
    r.unary("math.abs", abs);
    r.unary("math.sign", sign);
    r.unary("math.sqrt", sqrt);
    r.binary("math.bitAnd", |a, b| {
        bitwise("math.bitAnd", a, b, |x, y| x & y)
    });
    r.binary("math.bitOr", |a, b| {
        bitwise("math.bitOr", a, b, |x, y| x | y)
    });
    r.binary("math.bitXor", |a, b| {
        bitwise("math.bitXor", a, b, |x, y| x ^ y)
    });
    r.unary("math.bitNot", bit_not);
    r.binary("math.bitShiftLeft", |v, n| {
        shift("math.bitShiftLeft", v, n, true)
    });
    r.binary("math.bitShiftRight", |v, n| {
        shift("math.bitShiftRight", v, n, false)
    });
}

fn greatest(args: &[Value]) -> Result<Value> {
    extreme("math.greatest", args, Ordering::Greater)
}

fn least(args: &[Value]) -> Result<Value> {
    extreme("math.least", args, Ordering::Less)
}

/// The argument (or element of the one list argument) that orders `wanted` against all
/// others, compared across int, uint and double; the earliest wins a tie.
fn extreme(name: &str, args: &[Value], wanted: Ordering) -> Result<Value> {
    let candidates: &[Value] = match args {
        [Value::List(items)] if items.is_empty() => {
            return Err(EvalError::invalid_argument(format!(
                "{name}(list) argument must not be empty"
            )));
        }
        [Value::List(items)] => items,
        [] => {
            return Err(EvalError::invalid_argument(format!(
                "{name}() requires at least one argument"
            )));
        }
        _ => args,
    };
    let mut best: Option<&Value> = None;
    for v in candidates {
        if !is_number(v) {
            return Err(no_such_overload(name, args));
        }
        best = match best {
            Some(b) if compare::compare(v, b).ok().flatten() != Some(wanted) => Some(b),
            _ => Some(v),
        };
    }
    best.cloned().ok_or_else(|| no_such_overload(name, args))
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Uint(_) | Value::Double(_))
}

fn double_op(name: &str, v: &Value, f: fn(f64) -> f64) -> Result<Value> {
    match v {
        Value::Double(d) => Ok(Value::Double(f(*d))),
        _ => Err(no_such_overload(name, std::slice::from_ref(v))),
    }
}

fn double_test(name: &str, v: &Value, f: fn(f64) -> bool) -> Result<Value> {
    match v {
        Value::Double(d) => Ok(Value::Bool(f(*d))),
        _ => Err(no_such_overload(name, std::slice::from_ref(v))),
    }
}

fn abs(v: &Value) -> Result<Value> {
    match v {
        Value::Int(i) => i
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| EvalError::overflow("integer")),
        Value::Uint(u) => Ok(Value::Uint(*u)),
        Value::Double(d) => Ok(Value::Double(d.abs())),
        _ => Err(no_such_overload("math.abs", std::slice::from_ref(v))),
    }
}

/// -1, 0 or 1 in the argument's type; the sign of NaN is NaN.
fn sign(v: &Value) -> Result<Value> {
    match v {
        Value::Int(i) => Ok(Value::Int(i.signum())),
        Value::Uint(u) => Ok(Value::Uint(u64::from(*u != 0))),
        Value::Double(d) if d.is_nan() || *d == 0.0 => Ok(Value::Double(*d)),
        Value::Double(d) => Ok(Value::Double(d.signum())),
        _ => Err(no_such_overload("math.sign", std::slice::from_ref(v))),
    }
}

fn sqrt(v: &Value) -> Result<Value> {
    let d = match v {
        Value::Int(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::Double(d) => *d,
        _ => return Err(no_such_overload("math.sqrt", std::slice::from_ref(v))),
    };
    Ok(Value::Double(d.sqrt()))
}

/// A bitwise operation on two ints or two uints (as bit patterns).
fn bitwise(name: &str, a: &Value, b: &Value, f: fn(u64, u64) -> u64) -> Result<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(Value::Int(f(*x as u64, *y as u64) as i64)),
        (Value::Uint(x), Value::Uint(y)) => Ok(Value::Uint(f(*x, *y))),
        _ => Err(no_such_overload(name, &[a.clone(), b.clone()])),
    }
}

fn bit_not(v: &Value) -> Result<Value> {
    match v {
        Value::Int(i) => Ok(Value::Int(!i)),
        Value::Uint(u) => Ok(Value::Uint(!u)),
        _ => Err(no_such_overload("math.bitNot", std::slice::from_ref(v))),
    }
}

/// Shifts the bits of an int or uint by a non-negative int; right shifts are logical and
/// shifts of 64 bits or more give 0.
fn shift(name: &str, v: &Value, n: &Value, left: bool) -> Result<Value> {
    let (bits, is_int, offset) = match (v, n) {
        (Value::Int(i), Value::Int(k)) => (*i as u64, true, *k),
        (Value::Uint(u), Value::Int(k)) => (*u, false, *k),
        _ => return Err(no_such_overload(name, &[v.clone(), n.clone()])),
    };
    if offset < 0 {
        return Err(EvalError::invalid_argument(format!(
            "{name}() negative offset: {offset}"
        )));
    }
    let shifted = u32::try_from(offset)
        .ok()
        .and_then(|k| {
            if left {
                bits.checked_shl(k)
            } else {
                bits.checked_shr(k)
            }
        })
        .unwrap_or(0);
    Ok(if is_int {
        Value::Int(shifted as i64)
    } else {
        Value::Uint(shifted)
    })
}
