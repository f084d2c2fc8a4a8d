//! Equality and ordering: CEL's heterogeneous equality and numeric comparison across int, uint and double.

use std::cmp::Ordering;

use crate::{EvalError, Result, Value};

/// 2^63 as a double: the first double above every i64.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// 2^64 as a double: the first double above every u64.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// Exact comparison of an i64 and an f64; `None` when the double is NaN.
pub fn cmp_int_double(i: i64, d: f64) -> Option<Ordering> {
    if d.is_nan() {
        return None;
    }
    if d >= TWO_POW_63 {
        return Some(Ordering::Less);
    }
    if d < -TWO_POW_63 {
        return Some(Ordering::Greater);
    }
    // In range: compare the integral parts exactly, then the fraction.
    let whole = d.trunc();
    let whole_int = whole as i64;
    match i.cmp(&whole_int) {
        Ordering::Equal => 0.0f64.partial_cmp(&(d - whole)),
        other => Some(other),
    }
}

/// Exact comparison of a u64 and an f64; `None` when the double is NaN.
pub fn cmp_uint_double(u: u64, d: f64) -> Option<Ordering> {
    if d.is_nan() {
        return None;
    }
    if d >= TWO_POW_64 {
        return Some(Ordering::Less);
    }
    if d < 0.0 {
        return Some(Ordering::Greater);
    }
    let whole = d.trunc();
    let whole_uint = whole as u64;
    match u.cmp(&whole_uint) {
        Ordering::Equal => 0.0f64.partial_cmp(&(d - whole)),
        other => Some(other),
    }
}

pub fn cmp_int_uint(i: i64, u: u64) -> Ordering {
    if i < 0 {
        Ordering::Less
    } else {
        (i as u64).cmp(&u)
    }
}

/// Orders two values of comparable types. `Ok(None)` means unordered (a NaN is involved);
/// an error means the types cannot be compared.
pub fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>> {
    use Value::*;
    Ok(match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Uint(x), Uint(y)) => Some(x.cmp(y)),
        (Double(x), Double(y)) => x.partial_cmp(y),
        (Int(x), Uint(y)) => Some(cmp_int_uint(*x, *y)),
        (Uint(x), Int(y)) => Some(cmp_int_uint(*y, *x).reverse()),
        (Int(x), Double(y)) => cmp_int_double(*x, *y),
        (Double(x), Int(y)) => cmp_int_double(*y, *x).map(Ordering::reverse),
        (Uint(x), Double(y)) => cmp_uint_double(*x, *y),
        (Double(x), Uint(y)) => cmp_uint_double(*y, *x).map(Ordering::reverse),
        (String(x), String(y)) => Some(x.cmp(y)),
        (Bytes(x), Bytes(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Timestamp(x), Timestamp(y)) => Some(x.cmp(y)),
        (Duration(x), Duration(y)) => Some(x.cmp(y)),
        _ => {
            return Err(EvalError::no_such_overload(
                "_<_",
                &[&a.type_name(), &b.type_name()],
            ));
        }
    })
}

/// CEL equality (`==`): numbers compare by value across types, containers element-wise,
/// values of different types are unequal (never an error).
pub fn equals(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Null, Null) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Uint(x), Uint(y)) => x == y,
        (Double(x), Double(y)) => x == y,
        (Int(_) | Uint(_) | Double(_), Int(_) | Uint(_) | Double(_)) => {
            matches!(compare(a, b), Ok(Some(Ordering::Equal)))
        }
        (String(x), String(y)) => x == y,
        (Bytes(x), Bytes(y)) => x == y,
        (List(x), List(y)) => {
            std::sync::Arc::ptr_eq(x, y)
                || (x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equals(p, q)))
        }
        (Map(x), Map(y)) => {
            std::sync::Arc::ptr_eq(x, y)
                || (x.len() == y.len()
                    && x.iter()
                        .all(|(k, v)| y.get(k.as_ref()).is_some_and(|other| equals(v, other))))
        }
        (Timestamp(x), Timestamp(y)) => x == y,
        (Duration(x), Duration(y)) => x == y,
        (Type(x), Type(y)) => x == y,
        (Message(x), Message(y)) => crate::convert::messages_equal(x, y),
        (Optional(x), Optional(y)) => match (x, y) {
            (None, None) => true,
            (Some(p), Some(q)) => equals(p, q),
            _ => false,
        },
        (Opaque(x), Opaque(y)) => x.equals(y.as_ref()),
        _ => false,
    }
}

impl PartialEq for Value {
    /// CEL equality; note that `NaN != NaN`, so this is not `Eq`.
    fn eq(&self, other: &Value) -> bool {
        equals(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_double_comparison_is_exact_at_the_edges() {
        assert_eq!(cmp_int_double(i64::MAX, TWO_POW_63), Some(Ordering::Less));
        assert_eq!(cmp_int_double(i64::MIN, -TWO_POW_63), Some(Ordering::Equal));
        assert_eq!(cmp_int_double(1, 1.5), Some(Ordering::Less));
        assert_eq!(cmp_int_double(-1, -1.5), Some(Ordering::Greater));
        assert_eq!(cmp_int_double(2, 1.5), Some(Ordering::Greater));
        assert_eq!(cmp_int_double(0, f64::NAN), None);
        // 2^53 + 1 is not a double; the int must still compare above 2^53.
        assert_eq!(
            cmp_int_double(9_007_199_254_740_993, 9_007_199_254_740_992.0),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn uint_double_comparison() {
        assert_eq!(cmp_uint_double(u64::MAX, TWO_POW_64), Some(Ordering::Less));
        assert_eq!(cmp_uint_double(0, -0.5), Some(Ordering::Greater));
        assert_eq!(cmp_uint_double(3, 3.0), Some(Ordering::Equal));
    }

    #[test]
    fn heterogeneous_equality() {
        assert!(equals(&Value::Int(1), &Value::Uint(1)));
        assert!(equals(&Value::Int(1), &Value::Double(1.0)));
        assert!(!equals(&Value::Int(-1), &Value::Uint(u64::MAX)));
        assert!(!equals(&Value::Int(1), &Value::string("1")));
        assert!(!equals(&Value::Double(f64::NAN), &Value::Double(f64::NAN)));
        assert!(equals(
            &Value::list(vec![Value::Int(1)]),
            &Value::list(vec![Value::Double(1.0)])
        ));
    }
}
