//! `TryFrom<Value>` for Rust scalars (and `&str`, `&[u8]` from a `&Value`), converting
//! numbers only where nothing is lost: `uint` 3 is an `i64`, `double` 2.0 an `i64`, -1 no `u64`.

use std::fmt;

use crate::{Duration, Timestamp, Value};

/// A value of another type, or out of the target's range, for a `TryFrom<Value>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueTypeError {
    /// The Rust type asked for (`i64`, `String`).
    pub expected: &'static str,
    /// The CEL type of the value given (`string`, `uint`).
    pub found: String,
    /// The value in CEL syntax when the type fits but the value does not (`-1`), else empty.
    pub value: String,
}

impl fmt::Display for ValueTypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "expected {}, found {}", self.expected, self.found)
        } else {
            write!(
                f,
                "{} {} is out of the range of {}",
                self.found, self.value, self.expected
            )
        }
    }
}

impl std::error::Error for ValueTypeError {}

fn wrong_type(expected: &'static str, v: &Value) -> ValueTypeError {
    ValueTypeError {
        expected,
        found: v.type_name().into_owned(),
        value: String::new(),
    }
}

fn out_of_range(expected: &'static str, v: &Value) -> ValueTypeError {
    ValueTypeError {
        expected,
        found: v.type_name().into_owned(),
        value: v.to_string(),
    }
}

/// The value as an `i128` if it is an `int`, a `uint` or an integral `double`.
fn integer(v: &Value) -> Option<i128> {
    match *v {
        Value::Int(i) => Some(i.into()),
        Value::Uint(u) => Some(u.into()),
        Value::Double(d) if d.fract() == 0.0 && d.abs() < 2f64.powi(64) => Some(d as i128),
        _ => None,
    }
}

macro_rules! integer_from_value {
    ($($t:ty),*) => {$(
        impl TryFrom<&Value> for $t {
            type Error = ValueTypeError;

            fn try_from(v: &Value) -> Result<$t, ValueTypeError> {
                let Some(n) = integer(v) else {
                    return Err(wrong_type(stringify!($t), v));
                };
                <$t>::try_from(n).map_err(|_| out_of_range(stringify!($t), v))
            }
        }

        impl TryFrom<Value> for $t {
            type Error = ValueTypeError;

            fn try_from(v: Value) -> Result<$t, ValueTypeError> {
                <$t>::try_from(&v)
            }
        }
    )*};
}

integer_from_value!(i64, i32, i16, i8, u64, u32, u16, u8);

impl TryFrom<&Value> for f64 {
    type Error = ValueTypeError;

    fn try_from(v: &Value) -> Result<f64, ValueTypeError> {
        match *v {
            Value::Double(d) => Ok(d),
            Value::Int(i) if (i as f64) as i128 == i128::from(i) => Ok(i as f64),
            Value::Uint(u) if (u as f64) as u128 == u128::from(u) => Ok(u as f64),
            Value::Int(_) | Value::Uint(_) => Err(out_of_range("f64", v)),
            _ => Err(wrong_type("f64", v)),
        }
    }
}

impl TryFrom<Value> for f64 {
    type Error = ValueTypeError;

    fn try_from(v: Value) -> Result<f64, ValueTypeError> {
        f64::try_from(&v)
    }
}

macro_rules! variant_from_value {
    ($t:ty, $name:literal, $pattern:pat => $out:expr) => {
        impl TryFrom<&Value> for $t {
            type Error = ValueTypeError;

            fn try_from(v: &Value) -> Result<$t, ValueTypeError> {
                match v {
                    $pattern => Ok($out),
                    _ => Err(wrong_type($name, v)),
                }
            }
        }

        impl TryFrom<Value> for $t {
            type Error = ValueTypeError;

            fn try_from(v: Value) -> Result<$t, ValueTypeError> {
                <$t>::try_from(&v)
            }
        }
    };
}

variant_from_value!(bool, "bool", Value::Bool(b) => *b);
variant_from_value!(String, "String", Value::String(s) => s.to_string());
variant_from_value!(Vec<u8>, "Vec<u8>", Value::Bytes(b) => b.to_vec());
variant_from_value!(Timestamp, "Timestamp", Value::Timestamp(t) => *t);
variant_from_value!(Duration, "Duration", Value::Duration(d) => *d);

impl<'a> TryFrom<&'a Value> for &'a str {
    type Error = ValueTypeError;

    fn try_from(v: &'a Value) -> Result<&'a str, ValueTypeError> {
        v.as_str().ok_or_else(|| wrong_type("&str", v))
    }
}

impl<'a> TryFrom<&'a Value> for &'a [u8] {
    type Error = ValueTypeError;

    fn try_from(v: &'a Value) -> Result<&'a [u8], ValueTypeError> {
        v.as_bytes().ok_or_else(|| wrong_type("&[u8]", v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_convert_without_loss_only() {
        assert_eq!(i64::try_from(Value::Uint(3)), Ok(3));
        assert_eq!(i64::try_from(Value::Double(2.0)), Ok(2));
        assert_eq!(u32::try_from(Value::Int(7)), Ok(7));
        assert_eq!(f64::try_from(Value::Int(5)), Ok(5.0));
        assert_eq!(
            u64::try_from(Value::Int(-1)).unwrap_err().to_string(),
            "int -1 is out of the range of u64"
        );
        assert_eq!(
            i64::try_from(Value::Uint(u64::MAX))
                .unwrap_err()
                .to_string(),
            "uint 18446744073709551615u is out of the range of i64"
        );
        assert_eq!(
            i64::try_from(Value::Double(2.5)).unwrap_err().to_string(),
            "expected i64, found double"
        );
        assert!(f64::try_from(Value::Int((1 << 53) + 1)).is_err());
        assert!(i32::try_from(Value::Int(1 << 40)).is_err());
        assert_eq!(u8::try_from(Value::Uint(255)), Ok(255));
        assert!(u8::try_from(Value::Uint(256)).is_err());
        assert_eq!(i16::try_from(Value::Int(-300)), Ok(-300));
    }

    #[test]
    fn other_scalars_need_their_own_type() {
        assert_eq!(String::try_from(Value::string("a")), Ok("a".to_owned()));
        assert_eq!(bool::try_from(&Value::Bool(true)), Ok(true));
        assert_eq!(Vec::<u8>::try_from(Value::bytes(b"ab")), Ok(b"ab".to_vec()));
        assert_eq!(
            String::try_from(Value::Int(1)).unwrap_err().to_string(),
            "expected String, found int"
        );
        let text = Value::string("borrowed");
        assert_eq!(<&str>::try_from(&text), Ok("borrowed"));
        assert_eq!(
            <&[u8]>::try_from(&text).unwrap_err().to_string(),
            "expected &[u8], found string"
        );
        let d = Duration::from_secs(2);
        assert_eq!(Duration::try_from(Value::Duration(d)), Ok(d));
    }
}
