//! Rust values to and from CEL values through serde: [`to_value`] for any `Serialize`,
//! [`from_value`] for any `Deserialize` (the `serde` feature).
//!
//! How Rust data maps to CEL:
//!
//! | Rust (serde's data model) | CEL |
//! |---|---|
//! | `bool` | `bool` |
//! | `i8`–`i64` (`i128` within range) | `int` |
//! | `u8`–`u64` (`u128` within range) | `uint` |
//! | `f32`, `f64` | `double` (NaN and infinities included) |
//! | `char`, `&str`, `String` | `string` |
//! | bytes (`serde_bytes`, `Serializer::serialize_bytes`) | `bytes`; a plain `Vec<u8>` is a list of `uint`s, as serde makes it |
//! | `None`, `()`, unit structs | `null` |
//! | `Some(x)`, newtype structs | `x` |
//! | sequences, tuples, tuple structs (`Vec`, arrays, sets) | `list` |
//! | maps (`HashMap`, `BTreeMap`) | `map`; keys must be `bool`, integers or strings (CEL has no other keys), each given once |
//! | structs | `map` from field name to value |
//! | types that serialize as text (`jiff::Timestamp`, `chrono::DateTime`, `IpAddr`) | `string`: `timestamp(pod.created)` reads an RFC 3339 text in CEL |
//! | enums, externally tagged as serde does by default | a unit variant is its name (`"Ready"`); any other variant a one-entry map from its name to its content (`{"Scaled": 3}`, `{"Moved": {"x": 1}}`) |
//!
//! Going back, numbers convert wherever no information is lost: an `int` fills a `u32` when
//! it is in range, a `uint` an `i64`, an integral `double` an integer, an `int` a `f64` up to
//! 2^53 exactly; timestamps and durations read as their RFC 3339 and protobuf JSON texts
//! (`"2024-01-01T00:00:00Z"`, `"1.5s"`), so string-based time types deserialize from them;
//! `optional` values are options; messages read through their protobuf JSON form. Errors name
//! where they happened (`.spec.replicas: invalid value: integer -1, expected u32`).
//!
//! Conversion is bounded ([`SerdeLimits`]): a hostile `Serialize` that nests without end or
//! produces endless data, or a value nested deeper than the limit, is a clear error, not a
//! stack overflow or an unbounded allocation.

mod de;
mod ser;

use std::fmt;

use crate::Value;

pub use de::ValueDeserializer;
pub use ser::ValueSerializer;

/// Converts any `Serialize` into a CEL value, within the default [`SerdeLimits`].
pub fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> Result<Value, SerdeError> {
    to_value_with(value, &SerdeLimits::default())
}

/// Converts any `Serialize` into a CEL value within `limits`.
pub fn to_value_with<T: serde::Serialize + ?Sized>(
    value: &T,
    limits: &SerdeLimits,
) -> Result<Value, SerdeError> {
    let budget = ser::Budget::new(limits);
    value.serialize(ValueSerializer::new(&budget))
}

/// Converts a CEL value into any `Deserialize` (which may borrow strings and bytes from it),
/// nesting no deeper than the default [`SerdeLimits::max_depth`].
pub fn from_value<'de, T: serde::Deserialize<'de>>(value: &'de Value) -> Result<T, SerdeError> {
    from_value_with(value, &SerdeLimits::default())
}

/// Converts a CEL value into any `Deserialize`, nesting no deeper than `limits.max_depth`.
pub fn from_value_with<'de, T: serde::Deserialize<'de>>(
    value: &'de Value,
    limits: &SerdeLimits,
) -> Result<T, SerdeError> {
    T::deserialize(ValueDeserializer::new(value, limits.max_depth))
}

/// Bounds on one conversion. The defaults match an evaluation's: values built by an evaluation
/// and values brought in by a host are bounded alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SerdeLimits {
    /// Deepest nesting of lists, maps, structs and enum contents; default 128, as for celd
    /// JSON variables.
    pub max_depth: usize,
    /// Largest string or bytes value, in bytes; default 8 MiB.
    pub max_string_bytes: usize,
    /// Most values one conversion produces, counting every scalar, list and map at any depth;
    /// default 1,000,000.
    pub max_values: u64,
    /// Most bytes of strings, bytes and map keys one conversion produces; default 64 MiB.
    pub max_total_bytes: usize,
}

impl Default for SerdeLimits {
    fn default() -> SerdeLimits {
        SerdeLimits {
            max_depth: 128,
            max_string_bytes: 8 << 20,
            max_values: 1_000_000,
            max_total_bytes: 64 << 20,
        }
    }
}

/// What kind of failure a [`SerdeError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SerdeErrorKind {
    /// The data does not fit the type: `from_value::<u32>` of `-1`, a string where a struct
    /// is expected, a missing struct field.
    Type,
    /// A [`SerdeLimits`] bound was reached: nesting deeper than 128, a string over 8 MiB.
    Limit,
    /// A map key CEL cannot have (a `double`, a list), or the same key twice.
    Key,
    /// The `Serialize` or `Deserialize` implementation itself failed (serde's `custom`).
    Custom,
}

/// Why a Rust value could not become a CEL value, or a CEL value the Rust type: the kind,
/// where (`.spec.replicas`, `.labels["app"]`, `[3]`) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SerdeError(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: SerdeErrorKind,
    /// The path from the value where the error happened up to the top, innermost first.
    path: Vec<Segment>,
    message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(usize),
    Key(String),
}

impl SerdeError {
    pub(crate) fn new(kind: SerdeErrorKind, message: impl Into<String>) -> SerdeError {
        SerdeError(Box::new(Inner {
            kind,
            path: Vec::new(),
            message: message.into(),
        }))
    }

    pub(crate) fn limit(message: impl Into<String>) -> SerdeError {
        SerdeError::new(SerdeErrorKind::Limit, message)
    }

    pub fn kind(&self) -> SerdeErrorKind {
        self.0.kind
    }

    /// What went wrong, without the path.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where it went wrong: `.spec.replicas`, `.labels["app"]`, `.items[3]`; empty at the top.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in self.0.path.iter().rev() {
            match segment {
                Segment::Field(name) => {
                    out.push('.');
                    out.push_str(name);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
                Segment::Key(key) => out.push_str(&format!("[{key}]")),
            }
        }
        out
    }

    /// The error, inside the struct field or enum variant `name`.
    pub(crate) fn in_field(mut self, name: &str) -> SerdeError {
        self.0.path.push(Segment::Field(name.to_owned()));
        self
    }

    pub(crate) fn at_index(mut self, i: usize) -> SerdeError {
        self.0.path.push(Segment::Index(i));
        self
    }

    /// The error, at the map entry whose key prints as `key` (in CEL syntax: `"app"`, `1u`).
    pub(crate) fn at_key(mut self, key: String) -> SerdeError {
        self.0.path.push(Segment::Key(key));
        self
    }
}

impl fmt::Display for SerdeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        if path.is_empty() {
            f.write_str(&self.0.message)
        } else {
            write!(f, "{path}: {}", self.0.message)
        }
    }
}

impl std::error::Error for SerdeError {}

impl serde::ser::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> SerdeError {
        SerdeError::new(SerdeErrorKind::Custom, msg.to_string())
    }
}

impl serde::de::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> SerdeError {
        SerdeError::new(SerdeErrorKind::Custom, msg.to_string())
    }

    fn invalid_type(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        SerdeError::new(
            SerdeErrorKind::Type,
            format!("invalid type: {unexp}, expected {exp}"),
        )
    }

    fn invalid_value(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        SerdeError::new(
            SerdeErrorKind::Type,
            format!("invalid value: {unexp}, expected {exp}"),
        )
    }

    fn invalid_length(len: usize, exp: &dyn serde::de::Expected) -> Self {
        SerdeError::new(
            SerdeErrorKind::Type,
            format!("invalid length {len}, expected {exp}"),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        SerdeError::new(
            SerdeErrorKind::Type,
            format!("unknown variant `{variant}`, expected one of {expected:?}"),
        )
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        SerdeError::new(
            SerdeErrorKind::Type,
            format!("unknown field `{field}`, expected one of {expected:?}"),
        )
    }

    fn missing_field(field: &'static str) -> Self {
        SerdeError::new(SerdeErrorKind::Type, format!("missing field `{field}`"))
    }
}
