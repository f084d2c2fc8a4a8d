//! Rust values in CEL: host types (opaque values with a CEL type name) and the conversions
//! that typed host functions use for their arguments ([`FromValue`]) and results
//! ([`IntoValue`], [`IntoResult`]).
//!
//! Each conversion also names the CEL type it stands for, so a function's signature can be
//! derived from its Rust types: `i64` is `int`, `&str` is `string`, `Option<T>` is
//! `optional_type(T)`, `&Quantity` is the host type `Quantity` declares.

use std::any::Any;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use celd_types::Type;
use serde_json::Value as Json;
use smol_str::SmolStr;

use crate::{Duration, EvalError, List, Map, Opaque, Result, Str, Timestamp, Value};

/// A Rust type whose values CEL programs can hold: an opaque type with a CEL type name.
///
/// ```
/// use std::cmp::Ordering;
/// use celd_value::HostType;
///
/// /// An amount of memory in bytes, written `1Gi`, `512Mi`.
/// #[derive(Debug, PartialEq, PartialOrd)]
/// struct Quantity(u64);
///
/// impl HostType for Quantity {
///     const TYPE_NAME: &'static str = "k8s.Quantity";
///     const ORDERED: bool = true;
///     fn equals(&self, other: &Self) -> bool {
///         self == other
///     }
///     fn compare(&self, other: &Self) -> Option<Ordering> {
///         self.partial_cmp(other)
///     }
/// }
/// ```
///
/// Register it with `EnvBuilder::host_type::<Quantity>()`; then `k8s.Quantity` is a type
/// name in expressions and declarations, `type(q) == k8s.Quantity` holds, `==` uses
/// [`equals`](HostType::equals), and (when [`ORDERED`](HostType::ORDERED)) `<`, `<=`, `>`,
/// `>=` use [`compare`](HostType::compare). Methods and a `string()` form are host functions
/// taking `&Quantity`. A value goes into an activation as `Value::from(quantity)`.
pub trait HostType: fmt::Debug + Send + Sync + 'static {
    /// The CEL type name, a dotted identifier such as `k8s.Quantity`.
    const TYPE_NAME: &'static str;
    /// Whether the type is ordered: the checker then accepts `<`, `<=`, `>`, `>=` on two
    /// values of it, which [`compare`](HostType::compare) decides.
    const ORDERED: bool = false;

    /// `==`. The default: a value equals only itself (the same value, not a copy).
    fn equals(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }

    /// The order of two values, for types that are [`ORDERED`](HostType::ORDERED); `None`
    /// makes the comparison an error.
    fn compare(&self, _other: &Self) -> Option<Ordering> {
        None
    }

    /// How the value prints as CEL (`--output cel`, error messages). The default is its
    /// `Debug` form.
    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }

    /// The body of the value's celd JSON form `{"$<TYPE_NAME>": body}`. The default is the
    /// CEL form as a string.
    fn to_json(&self) -> Json {
        Json::String(CelForm(self).to_string())
    }

    /// Reads the body of the celd JSON form back (variables given as JSON). The default
    /// refuses: the type has no JSON form to read.
    fn from_json(_json: &Json) -> std::result::Result<Self, String>
    where
        Self: Sized,
    {
        Err(format!(
            "{} values cannot be read from celd JSON",
            Self::TYPE_NAME
        ))
    }
}

/// A host value shown by [`HostType::fmt_cel`].
struct CelForm<'a, T: ?Sized>(&'a T);

impl<T: HostType + ?Sized> fmt::Display for CelForm<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_cel(f)
    }
}

impl<T: HostType> Opaque for T {
    fn type_name(&self) -> &str {
        T::TYPE_NAME
    }

    fn equals(&self, other: &dyn Opaque) -> bool {
        other
            .as_any()
            .downcast_ref::<T>()
            .is_some_and(|other| HostType::equals(self, other))
    }

    fn compare(&self, other: &dyn Opaque) -> Option<Ordering> {
        if !T::ORDERED {
            return None;
        }
        let other = other.as_any().downcast_ref::<T>()?;
        HostType::compare(self, other)
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        HostType::fmt_cel(self, f)
    }

    fn to_json(&self) -> Option<Json> {
        Some(HostType::to_json(self))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl<T: HostType> From<T> for Value {
    fn from(value: T) -> Value {
        Value::Opaque(Arc::new(value))
    }
}

impl Value {
    /// The host value inside, if this is a value of host type `T`.
    pub fn as_host<T: HostType>(&self) -> Option<&T> {
        match self {
            Value::Opaque(o) => o.as_any().downcast_ref::<T>(),
            _ => None,
        }
    }
}

/// Reads a host type's celd JSON body into a value.
pub type JsonReadFn = Arc<dyn Fn(&Json) -> std::result::Result<Value, String> + Send + Sync>;

/// The host types an environment knows, by CEL type name: what reading celd JSON needs to
/// turn `{"$k8s.Quantity": "1Gi"}` back into a value.
#[derive(Clone, Default)]
pub struct HostTypes {
    readers: HashMap<SmolStr, JsonReadFn, foldhash::fast::RandomState>,
}

impl HostTypes {
    pub fn new() -> HostTypes {
        HostTypes::default()
    }

    /// Adds `T` (a later registration of the same name replaces an earlier one).
    pub fn register<T: HostType>(&mut self) {
        let read: JsonReadFn = Arc::new(|json: &Json| T::from_json(json).map(Value::from));
        self.readers.insert(SmolStr::new(T::TYPE_NAME), read);
    }

    /// Adds a type by name with its reader, for host types not written in Rust.
    pub fn register_reader(&mut self, name: &str, read: JsonReadFn) {
        self.readers.insert(SmolStr::new(name), read);
    }

    pub fn contains(&self, name: &str) -> bool {
        self.readers.contains_key(name)
    }

    /// The reader of the type called `name`.
    pub fn reader(&self, name: &str) -> Option<&JsonReadFn> {
        self.readers.get(name)
    }

    /// Every type name, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.readers.keys().map(SmolStr::as_str).collect();
        names.sort_unstable();
        names
    }
}

impl fmt::Debug for HostTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// A Rust type a host function takes as an argument: the CEL type it declares and the
/// conversion from a CEL value. `Output` is the type a call receives, borrowing from the
/// value where it can (`&str` from a string, `&List` from a list).
///
/// | Rust | CEL |
/// |---|---|
/// | `bool`, `i64`, `u64`, `f64` | `bool`, `int`, `uint`, `double` |
/// | `&str`, `String` | `string` |
/// | `&[u8]`, `Vec<u8>` | `bytes` |
/// | `Timestamp`, `Duration` | `timestamp`, `duration` |
/// | `&List`, `&Map` | `list(dyn)`, `map(dyn, dyn)` |
/// | `Vec<T>` | `list(T)` |
/// | `Option<T>` | `optional_type(T)` |
/// | `Value`, `&Value` | `dyn` |
/// | `&T` for a [`HostType`] `T` | `T::TYPE_NAME` |
pub trait FromValue<'a> {
    type Output;
    /// The CEL type of the argument.
    fn cel_type() -> Type;
    /// The argument, or `None` when the value is not of this type.
    fn from_value(value: &'a Value) -> Option<Self::Output>;
}

/// A Rust type a host function returns: the CEL type it declares and the conversion into a
/// CEL value (the same table as [`FromValue`], owned).
pub trait IntoValue {
    /// The CEL type of the result.
    fn cel_type() -> Type;
    fn into_value(self) -> Value;
}

/// What a host function returns: a value, or `Result<T, E>` for functions that can fail;
/// the error becomes a CEL error located at the call (an [`EvalError`] keeps its kind, any
/// other error is an `invalid_argument` error with its `Display` text).
pub trait IntoResult {
    fn cel_type() -> Type;
    fn into_result(self) -> Result<Value>;
}

macro_rules! scalar {
    ($rust:ty, $variant:ident, $cel:expr) => {
        impl<'a> FromValue<'a> for $rust {
            type Output = $rust;
            fn cel_type() -> Type {
                $cel
            }
            fn from_value(value: &'a Value) -> Option<$rust> {
                match value {
                    Value::$variant(v) => Some(*v),
                    _ => None,
                }
            }
        }

        impl IntoValue for $rust {
            fn cel_type() -> Type {
                $cel
            }
            fn into_value(self) -> Value {
                Value::$variant(self)
            }
        }
    };
}

scalar!(bool, Bool, Type::Bool);
scalar!(i64, Int, Type::Int);
scalar!(u64, Uint, Type::Uint);
scalar!(f64, Double, Type::Double);
scalar!(Timestamp, Timestamp, Type::Timestamp);
scalar!(Duration, Duration, Type::Duration);

impl<'a> FromValue<'a> for &str {
    type Output = &'a str;
    fn cel_type() -> Type {
        Type::String
    }
    fn from_value(value: &'a Value) -> Option<&'a str> {
        value.as_str()
    }
}

impl<'a> FromValue<'a> for String {
    type Output = String;
    fn cel_type() -> Type {
        Type::String
    }
    fn from_value(value: &'a Value) -> Option<String> {
        value.as_str().map(str::to_owned)
    }
}

impl IntoValue for String {
    fn cel_type() -> Type {
        Type::String
    }
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl IntoValue for &'static str {
    fn cel_type() -> Type {
        Type::String
    }
    fn into_value(self) -> Value {
        Value::String(Str::new_static(self))
    }
}

impl<'a> FromValue<'a> for &[u8] {
    type Output = &'a [u8];
    fn cel_type() -> Type {
        Type::Bytes
    }
    fn from_value(value: &'a Value) -> Option<&'a [u8]> {
        match value {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

impl<'a> FromValue<'a> for Vec<u8> {
    type Output = Vec<u8>;
    fn cel_type() -> Type {
        Type::Bytes
    }
    fn from_value(value: &'a Value) -> Option<Vec<u8>> {
        <&[u8]>::from_value(value).map(<[u8]>::to_vec)
    }
}

impl IntoValue for Vec<u8> {
    fn cel_type() -> Type {
        Type::Bytes
    }
    fn into_value(self) -> Value {
        Value::Bytes(Arc::from(self))
    }
}

impl<'a> FromValue<'a> for Value {
    type Output = Value;
    fn cel_type() -> Type {
        Type::Dyn
    }
    fn from_value(value: &'a Value) -> Option<Value> {
        Some(value.clone())
    }
}

impl<'a> FromValue<'a> for &Value {
    type Output = &'a Value;
    fn cel_type() -> Type {
        Type::Dyn
    }
    fn from_value(value: &'a Value) -> Option<&'a Value> {
        Some(value)
    }
}

impl IntoValue for Value {
    fn cel_type() -> Type {
        Type::Dyn
    }
    fn into_value(self) -> Value {
        self
    }
}

impl<'a> FromValue<'a> for &List {
    type Output = &'a List;
    fn cel_type() -> Type {
        Type::list(Type::Dyn)
    }
    fn from_value(value: &'a Value) -> Option<&'a List> {
        match value {
            Value::List(list) => Some(list),
            _ => None,
        }
    }
}

impl IntoValue for List {
    fn cel_type() -> Type {
        Type::list(Type::Dyn)
    }
    fn into_value(self) -> Value {
        Value::List(Arc::new(self))
    }
}

impl<'a> FromValue<'a> for &Map {
    type Output = &'a Map;
    fn cel_type() -> Type {
        Type::map(Type::Dyn, Type::Dyn)
    }
    fn from_value(value: &'a Value) -> Option<&'a Map> {
        match value {
            Value::Map(map) => Some(map),
            _ => None,
        }
    }
}

impl IntoValue for Map {
    fn cel_type() -> Type {
        Type::map(Type::Dyn, Type::Dyn)
    }
    fn into_value(self) -> Value {
        Value::map(self)
    }
}

impl<'a, T: FromValue<'a>> FromValue<'a> for Vec<T> {
    type Output = Vec<T::Output>;
    fn cel_type() -> Type {
        Type::list(T::cel_type())
    }
    fn from_value(value: &'a Value) -> Option<Vec<T::Output>> {
        match value {
            Value::List(list) => list.iter().map(T::from_value).collect(),
            _ => None,
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn cel_type() -> Type {
        Type::list(T::cel_type())
    }
    fn into_value(self) -> Value {
        Value::list(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<'a, T: FromValue<'a>> FromValue<'a> for Option<T> {
    type Output = Option<T::Output>;
    fn cel_type() -> Type {
        Type::optional(T::cel_type())
    }
    fn from_value(value: &'a Value) -> Option<Option<T::Output>> {
        match value {
            Value::Optional(None) => Some(None),
            Value::Optional(Some(inner)) => T::from_value(inner).map(Some),
            _ => None,
        }
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn cel_type() -> Type {
        Type::optional(T::cel_type())
    }
    fn into_value(self) -> Value {
        Value::Optional(self.map(|v| Arc::new(v.into_value())))
    }
}

impl<'a, T: HostType> FromValue<'a> for &T {
    type Output = &'a T;
    fn cel_type() -> Type {
        Type::opaque(T::TYPE_NAME, Vec::new())
    }
    fn from_value(value: &'a Value) -> Option<&'a T> {
        value.as_host::<T>()
    }
}

impl<T: HostType> IntoValue for T {
    fn cel_type() -> Type {
        Type::opaque(T::TYPE_NAME, Vec::new())
    }
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl<T: IntoValue> IntoResult for T {
    fn cel_type() -> Type {
        T::cel_type()
    }
    fn into_result(self) -> Result<Value> {
        Ok(self.into_value())
    }
}

impl<T: IntoValue, E: fmt::Display + 'static> IntoResult for std::result::Result<T, E> {
    fn cel_type() -> Type {
        T::cel_type()
    }
    fn into_result(self) -> Result<Value> {
        self.map(IntoValue::into_value).map_err(|e| {
            match (&e as &dyn Any).downcast_ref::<EvalError>() {
                Some(error) => error.clone(),
                None => EvalError::invalid_argument(e.to_string()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Meters(u32);

    impl HostType for Meters {
        const TYPE_NAME: &'static str = "test.Meters";
        const ORDERED: bool = true;
        fn equals(&self, other: &Self) -> bool {
            self == other
        }
        fn compare(&self, other: &Self) -> Option<Ordering> {
            Some(self.0.cmp(&other.0))
        }
        fn to_json(&self) -> Json {
            Json::from(self.0)
        }
        fn from_json(json: &Json) -> std::result::Result<Self, String> {
            json.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Meters)
                .ok_or_else(|| "expected a number of meters".to_owned())
        }
    }

    #[test]
    fn host_values_compare_print_and_convert() {
        let a = Value::from(Meters(3));
        let b = Value::from(Meters(5));
        assert!(crate::compare::equals(&a, &Value::from(Meters(3))));
        assert!(!crate::compare::equals(&a, &b));
        assert_eq!(
            crate::compare::compare(&a, &b).ok(),
            Some(Some(Ordering::Less))
        );
        assert_eq!(a.type_name(), "test.Meters");
        assert_eq!(a.to_string(), "Meters(3)");
        assert_eq!(a.as_host::<Meters>(), Some(&Meters(3)));
        assert_eq!(
            <&Meters as FromValue>::cel_type().to_string(),
            "test.Meters"
        );
        assert_eq!(
            crate::json::to_json(&a),
            serde_json::json!({"$test.Meters": 3})
        );
    }

    #[test]
    fn conversions_name_their_cel_types() {
        assert_eq!(
            <Vec<Option<i64>> as FromValue>::cel_type().to_string(),
            "list(optional_type(int))"
        );
        assert_eq!(<&[u8] as FromValue>::cel_type(), Type::Bytes);
        assert_eq!(<&Map as FromValue>::cel_type().to_string(), "map(dyn, dyn)");
        let list = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(<Vec<i64>>::from_value(&list), Some(vec![1, 2]));
        assert_eq!(<Vec<&str>>::from_value(&list), None);
        let failed: std::result::Result<i64, String> = Err("no".into());
        let error = failed.into_result().unwrap_err();
        assert_eq!(
            (error.kind(), error.message()),
            (crate::ErrorKind::InvalidArgument, "no")
        );
        let limit: std::result::Result<i64, EvalError> = Err(EvalError::limit("too big"));
        assert_eq!(
            limit.into_result().unwrap_err().kind(),
            crate::ErrorKind::Limit
        );
    }
}
