//! CEL runtime values: the [`Value`] enum, equality and ordering, arithmetic,
//! conversions, timestamps and durations, and celd JSON.
//!
//! This crate knows nothing of syntax or evaluation order. Values are cheap to
//! clone: scalars are inline and everything else is shared behind an `Arc`.

pub mod arith;
pub mod compare;
pub mod convert;
pub mod display;
pub mod enums;
pub mod error;
pub mod host;
pub mod json;
mod json_integers;
pub mod list;
pub mod map;
pub mod proto;
#[cfg(feature = "serde")]
pub mod serde_bridge;
pub mod time;
mod try_from;

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, LazyLock};

use prost_reflect::ReflectMessage;

pub use enums::EnumValue;
pub use error::{ErrorKind, EvalError, LimitKind, Result};
pub use host::{FromValue, HostType, HostTypes, IntoResult, IntoValue};
pub use list::{List, ListEquality};
pub use map::{Key, KeyRef, Map};
pub use proto::EnumMode;
pub use try_from::ValueTypeError;

pub use time::Timestamp;

/// An immutable string: inline up to 23 bytes (no allocation), shared by `Arc` beyond.
pub type Str = smol_str::SmolStr;
/// A duration: signed, nanosecond precision, at most about ±10,000 years.
pub type Duration = jiff::SignedDuration;

/// A CEL value.
#[derive(Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Double(f64),
    /// Strings of up to 23 bytes are stored inline; longer ones are shared behind an `Arc`.
    String(Str),
    Bytes(Arc<[u8]>),
    List(Arc<List>),
    Map(Arc<Map>),
    Timestamp(Timestamp),
    Duration(Duration),
    /// A type as a value: `type(1) == int`.
    Type(TypeValue),
    /// A protobuf message.
    Message(Arc<prost_reflect::DynamicMessage>),
    /// `optional.of(v)` (`Some`) or `optional.none()` (`None`).
    Optional(Option<Arc<Value>>),
    /// A value of an extension type (an IP address, a CIDR range, ...).
    Opaque(Arc<dyn Opaque>),
}

/// A value of a type defined outside the core: it names its type, compares and prints itself.
///
/// Rust types implement [`HostType`] instead, which gives them this trait; implement it
/// directly for values whose type is only known at run time.
pub trait Opaque: fmt::Debug + Send + Sync + 'static {
    /// The CEL type name, such as `net.IP`.
    fn type_name(&self) -> &str;
    /// Equality with another opaque value (of any type).
    fn equals(&self, other: &dyn Opaque) -> bool;
    /// The order of this value and another; `None` when they are not ordered (of another
    /// type, or of a type without an order), which makes `<` an error.
    fn compare(&self, _other: &dyn Opaque) -> Option<std::cmp::Ordering> {
        None
    }
    /// How the value prints in CEL syntax.
    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
    /// The body of the celd JSON form `{"$<type name>": body}`; `None` writes the CEL form
    /// as a string.
    fn to_json(&self) -> Option<serde_json::Value> {
        None
    }
    fn as_any(&self) -> &dyn std::any::Any;
}

/// A CEL type used as a value, identified by its name (`int`, `list`, `pkg.Msg`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TypeValue(Arc<str>);

macro_rules! builtin_types {
    ($($fn_name:ident => $cel_name:literal),* $(,)?) => {
        impl TypeValue {
            $(
                #[doc = concat!("The type value `", $cel_name, "`.")]
                pub fn $fn_name() -> TypeValue {
                    static NAME: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from($cel_name));
                    TypeValue(NAME.clone())
                }
            )*

            /// The builtin type value with this name, sharing its allocation.
            pub fn builtin(name: &str) -> Option<TypeValue> {
                match name {
                    $($cel_name => Some(TypeValue::$fn_name()),)*
                    _ => None,
                }
            }
        }
    };
}

builtin_types! {
    null_type => "null_type",
    bool => "bool",
    int => "int",
    uint => "uint",
    double => "double",
    string => "string",
    bytes => "bytes",
    list => "list",
    map => "map",
    timestamp => "google.protobuf.Timestamp",
    duration => "google.protobuf.Duration",
    type_ => "type",
    optional_type => "optional_type",
    dyn_ => "dyn",
}

impl TypeValue {
    /// A type value for any name (message types, extension types).
    pub fn named(name: &str) -> TypeValue {
        TypeValue::builtin(name).unwrap_or_else(|| TypeValue(Arc::from(name)))
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TypeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Value {
    pub fn string(s: &str) -> Value {
        Value::String(Str::new(s))
    }

    pub fn bytes(b: &[u8]) -> Value {
        Value::Bytes(Arc::from(b))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(List::new(items)))
    }

    /// How many values this one holds, counted through nested lists and maps (each
    /// occurrence of a shared part counts): 1 for scalars.
    pub fn weight(&self) -> u64 {
        match self {
            Value::List(list) => list.weight(),
            Value::Map(map) => map.weight(),
            _ => 1,
        }
    }

    pub fn map(map: Map) -> Value {
        Value::Map(Arc::new(map))
    }

    /// The name of the value's type, as `type()` reports it.
    pub fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            Value::Null => "null_type",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Uint(_) => "uint",
            Value::Double(_) => "double",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Timestamp(_) => "google.protobuf.Timestamp",
            Value::Duration(_) => "google.protobuf.Duration",
            Value::Type(_) => "type",
            Value::Message(m) => return Cow::Owned(m.descriptor().full_name().to_owned()),
            Value::Optional(_) => "optional_type",
            Value::Opaque(o) => o.type_name(),
        })
    }

    /// The value's type as a type value (`type(x)`).
    pub fn type_value(&self) -> TypeValue {
        TypeValue::named(&self.type_name())
    }

    /// The `bool`, if the value is one. The `as_*` accessors never convert:
    /// `Value::Uint(1).as_int()` is `None`; `i64::try_from(&value)` converts where nothing is
    /// lost.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The `string`'s text, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The `int`, if the value is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The `uint`, if the value is one.
    pub fn as_uint(&self) -> Option<u64> {
        match self {
            Value::Uint(u) => Some(*u),
            _ => None,
        }
    }

    /// The `double`, if the value is one.
    pub fn as_double(&self) -> Option<f64> {
        match self {
            Value::Double(d) => Some(*d),
            _ => None,
        }
    }

    /// The `bytes`, if the value is one.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The `list`, if the value is one.
    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The `map`, if the value is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The `google.protobuf.Timestamp`, if the value is one.
    pub fn as_timestamp(&self) -> Option<Timestamp> {
        match self {
            Value::Timestamp(t) => Some(*t),
            _ => None,
        }
    }

    /// The `google.protobuf.Duration`, if the value is one.
    pub fn as_duration(&self) -> Option<Duration> {
        match self {
            Value::Duration(d) => Some(*d),
            _ => None,
        }
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i as i64)
    }
}

impl From<u32> for Value {
    fn from(u: u32) -> Value {
        Value::Uint(u as u64)
    }
}

impl From<u64> for Value {
    fn from(u: u64) -> Value {
        Value::Uint(u)
    }
}

impl From<f64> for Value {
    fn from(d: f64) -> Value {
        Value::Double(d)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Str::from(s))
    }
}

impl From<Str> for Value {
    fn from(s: Str) -> Value {
        Value::String(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::list(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Value {
        Value::map(map)
    }
}
