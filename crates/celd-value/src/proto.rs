//! Protobuf and CEL values: reading messages and fields into [`Value`]s (the
//! well-known types become CEL values) and writing values into fields when an
//! expression builds a message.
//!
//! Reading follows cel-spec's protobuf mapping: 32- and 64-bit integers become
//! `int` or `uint`, floats and doubles `double`, enums `int` (or, with
//! [`EnumMode::Strong`], typed [`EnumValue`]s),
//! `google.protobuf.NullValue` `null`; `Timestamp` and `Duration` become time
//! values (range-checked), the wrapper types their primitive, `Struct`,
//! `Value` and `ListValue` maps, JSON values and lists, and `Any` is unpacked
//! through the descriptor pool of the message that holds it. Every other
//! message stays a [`Value::Message`].
//!
//! Writing is the reverse, with the rules of CEL message construction: values
//! must have the field's CEL type, 32-bit fields reject integers out of their
//! range, `float` fields round doubles to single precision, and `null` leaves a
//! message field unset (except `google.protobuf.Value` and `Any`, which hold a
//! JSON null; scalars, lists, maps, `Struct` and `ListValue` refuse it).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use prost_reflect::prost::Message as _;
use prost_reflect::{
    DescriptorPool, DynamicMessage, ExtensionDescriptor, FieldDescriptor, Kind, MapKey,
    MessageDescriptor, ReflectMessage, Value as PbValue,
};

use crate::enums::EnumValue;
use crate::time::{duration_from_parts, format_duration, format_timestamp, timestamp_from_parts};
use crate::{ErrorKind, EvalError, Key, Map, Result, Value};

/// The prefix of the type URLs this module writes into `google.protobuf.Any`.
pub const TYPE_URL_PREFIX: &str = "type.googleapis.com/";

/// Integers up to this magnitude are exact as JSON numbers (doubles).
const MAX_JSON_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The well-known message types that CEL represents with its own values.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum WellKnown {
    Any,
    Timestamp,
    Duration,
    Struct,
    /// `google.protobuf.Value`: a JSON value.
    Value,
    ListValue,
    BoolValue,
    Int32Value,
    Int64Value,
    UInt32Value,
    UInt64Value,
    FloatValue,
    DoubleValue,
    StringValue,
    BytesValue,
}

impl WellKnown {
    /// The well-known type a fully qualified message name denotes, if any.
    pub fn from_name(full_name: &str) -> Option<WellKnown> {
        let short = full_name.strip_prefix("google.protobuf.")?;
        Some(match short {
            "Any" => WellKnown::Any,
            "Timestamp" => WellKnown::Timestamp,
            "Duration" => WellKnown::Duration,
            "Struct" => WellKnown::Struct,
            "Value" => WellKnown::Value,
            "ListValue" => WellKnown::ListValue,
            "BoolValue" => WellKnown::BoolValue,
            "Int32Value" => WellKnown::Int32Value,
            "Int64Value" => WellKnown::Int64Value,
            "UInt32Value" => WellKnown::UInt32Value,
            "UInt64Value" => WellKnown::UInt64Value,
            "FloatValue" => WellKnown::FloatValue,
            "DoubleValue" => WellKnown::DoubleValue,
            "StringValue" => WellKnown::StringValue,
            "BytesValue" => WellKnown::BytesValue,
            _ => return None,
        })
    }

    /// The fully qualified message name.
    pub fn full_name(self) -> &'static str {
        match self {
            WellKnown::Any => "google.protobuf.Any",
            WellKnown::Timestamp => "google.protobuf.Timestamp",
            WellKnown::Duration => "google.protobuf.Duration",
            WellKnown::Struct => "google.protobuf.Struct",
            WellKnown::Value => "google.protobuf.Value",
            WellKnown::ListValue => "google.protobuf.ListValue",
            WellKnown::BoolValue => "google.protobuf.BoolValue",
            WellKnown::Int32Value => "google.protobuf.Int32Value",
            WellKnown::Int64Value => "google.protobuf.Int64Value",
            WellKnown::UInt32Value => "google.protobuf.UInt32Value",
            WellKnown::UInt64Value => "google.protobuf.UInt64Value",
            WellKnown::FloatValue => "google.protobuf.FloatValue",
            WellKnown::DoubleValue => "google.protobuf.DoubleValue",
            WellKnown::StringValue => "google.protobuf.StringValue",
            WellKnown::BytesValue => "google.protobuf.BytesValue",
        }
    }

    /// Whether this is one of the nine wrapper types (`google.protobuf.Int64Value`, ...).
    pub fn is_wrapper(self) -> bool {
        !matches!(
            self,
            WellKnown::Any
                | WellKnown::Timestamp
                | WellKnown::Duration
                | WellKnown::Struct
                | WellKnown::Value
                | WellKnown::ListValue
        )
    }

    /// Whether an unset field of this type reads as `null`.
    fn unset_reads_as_null(self) -> bool {
        self.is_wrapper() || matches!(self, WellKnown::Value | WellKnown::Any)
    }
}

const NULL_VALUE_ENUM: &str = "google.protobuf.NullValue";

/// How enum fields read: as `int` (legacy semantics, the default) or as typed
/// [`EnumValue`]s (strong enums). `google.protobuf.NullValue` reads as `null` either way.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum EnumMode {
    #[default]
    Legacy,
    Strong,
}

/// The shape of a field or extension: one value, a list, or a map.
enum Shape {
    Singular(Kind),
    List(Kind),
    Map { key: Kind, value: Kind },
}

impl Shape {
    fn of_field(field: &FieldDescriptor) -> Shape {
        Shape::new(field.kind(), field.is_list(), field.is_map())
    }

    fn of_extension(ext: &ExtensionDescriptor) -> Shape {
        Shape::new(ext.kind(), ext.is_list(), ext.is_map())
    }

    fn new(kind: Kind, is_list: bool, is_map: bool) -> Shape {
        match kind {
            Kind::Message(entry) if is_map => Shape::Map {
                key: entry.map_entry_key_field().kind(),
                value: entry.map_entry_value_field().kind(),
            },
            kind if is_list => Shape::List(kind),
            kind => Shape::Singular(kind),
        }
    }
}

// ---------------------------------------------------------------------------
// Reading: protobuf to CEL
// ---------------------------------------------------------------------------

/// Converts a message to a CEL value, unwrapping the well-known types.
pub fn message_to_value(msg: DynamicMessage) -> Result<Value> {
    match WellKnown::from_name(msg.descriptor().full_name()) {
        Some(wk) => well_known_to_value(&msg, wk),
        None => Ok(Value::Message(Arc::new(msg))),
    }
}

/// Converts the value stored in a field (singular, repeated or map) to a CEL value.
pub fn field_to_value(value: &PbValue, field: &FieldDescriptor) -> Result<Value> {
    shaped_to_value(value, &Shape::of_field(field), EnumMode::Legacy)
}

/// Converts the value stored in an extension field to a CEL value.
pub fn extension_to_value(value: &PbValue, ext: &ExtensionDescriptor) -> Result<Value> {
    shaped_to_value(value, &Shape::of_extension(ext), EnumMode::Legacy)
}

/// Reads a field of a message as CEL's field selection does: an unset field of a
/// wrapper type, `google.protobuf.Value` or `Any` is `null`; any other unset
/// field reads as its default. Enums read as `int`.
pub fn message_field(msg: &DynamicMessage, field: &FieldDescriptor) -> Result<Value> {
    message_field_as(msg, field, EnumMode::Legacy)
}

/// [`message_field`], with enum fields (singular, repeated, map values) read as `mode` says.
pub fn message_field_as(
    msg: &DynamicMessage,
    field: &FieldDescriptor,
    mode: EnumMode,
) -> Result<Value> {
    if let Shape::Singular(Kind::Message(desc)) = Shape::of_field(field)
        && !msg.has_field(field)
    {
        return unset_message_value(desc);
    }
    shaped_to_value(&msg.get_field(field), &Shape::of_field(field), mode)
}

/// Reads an extension field of a message with the rules of [`message_field`].
pub fn message_extension(msg: &DynamicMessage, ext: &ExtensionDescriptor) -> Result<Value> {
    message_extension_as(msg, ext, EnumMode::Legacy)
}

/// [`message_extension`], with enum fields read as `mode` says.
pub fn message_extension_as(
    msg: &DynamicMessage,
    ext: &ExtensionDescriptor,
    mode: EnumMode,
) -> Result<Value> {
    if let Shape::Singular(Kind::Message(desc)) = Shape::of_extension(ext)
        && !msg.has_extension(ext)
    {
        return unset_message_value(desc);
    }
    shaped_to_value(&msg.get_extension(ext), &Shape::of_extension(ext), mode)
}

fn unset_message_value(desc: MessageDescriptor) -> Result<Value> {
    match WellKnown::from_name(desc.full_name()) {
        Some(wk) if wk.unset_reads_as_null() => Ok(Value::Null),
        _ => message_to_value(DynamicMessage::new(desc)),
    }
}

fn shaped_to_value(value: &PbValue, shape: &Shape, mode: EnumMode) -> Result<Value> {
    match (shape, value) {
        (Shape::Singular(kind), value) => singular_to_value(value, kind, mode),
        (Shape::List(kind), PbValue::List(items)) => items
            .iter()
            .map(|item| singular_to_value(item, kind, mode))
            .collect::<Result<Vec<_>>>()
            .map(Value::list),
        (Shape::Map { value: kind, .. }, PbValue::Map(entries)) => {
            let mut map = Map::with_capacity(entries.len());
            for (key, item) in entries {
                map.insert(map_key_to_key(key), singular_to_value(item, kind, mode)?);
            }
            Ok(Value::map(map))
        }
        _ => Err(malformed("a field value does not match its descriptor")),
    }
}

fn singular_to_value(value: &PbValue, kind: &Kind, mode: EnumMode) -> Result<Value> {
    Ok(match value {
        PbValue::Bool(b) => Value::Bool(*b),
        PbValue::I32(i) => Value::Int(i64::from(*i)),
        PbValue::I64(i) => Value::Int(*i),
        PbValue::U32(u) => Value::Uint(u64::from(*u)),
        PbValue::U64(u) => Value::Uint(*u),
        PbValue::F32(f) => Value::Double(f64::from(*f)),
        PbValue::F64(d) => Value::Double(*d),
        PbValue::String(s) => Value::string(s),
        PbValue::Bytes(b) => Value::bytes(b),
        PbValue::EnumNumber(_) if is_null_value_enum(kind) => Value::Null,
        PbValue::EnumNumber(n) => match (mode, kind) {
            (EnumMode::Strong, Kind::Enum(e)) => EnumValue::new(e.clone(), *n).into_value(),
            _ => Value::Int(i64::from(*n)),
        },
        PbValue::Message(m) => return message_to_value(m.clone()),
        PbValue::List(_) | PbValue::Map(_) => {
            return Err(malformed("a repeated value where one value was expected"));
        }
    })
}

fn is_null_value_enum(kind: &Kind) -> bool {
    matches!(kind, Kind::Enum(e) if e.full_name() == NULL_VALUE_ENUM)
}

fn map_key_to_key(key: &MapKey) -> Key {
    match key {
        MapKey::Bool(b) => Key::Bool(*b),
        MapKey::I32(i) => Key::Int(i64::from(*i)),
        MapKey::I64(i) => Key::Int(*i),
        MapKey::U32(u) => Key::Uint(u64::from(*u)),
        MapKey::U64(u) => Key::Uint(*u),
        MapKey::String(s) => Key::String(crate::Str::from(s.as_str())),
    }
}

fn well_known_to_value(msg: &DynamicMessage, wk: WellKnown) -> Result<Value> {
    match wk {
        WellKnown::Timestamp => {
            let (seconds, nanos) = seconds_and_nanos(msg);
            timestamp_from_parts(seconds, nanos).map(Value::Timestamp)
        }
        WellKnown::Duration => {
            let (seconds, nanos) = seconds_and_nanos(msg);
            duration_from_parts(seconds, nanos).map(Value::Duration)
        }
        WellKnown::Struct => struct_to_value(msg),
        WellKnown::Value => json_value_to_value(msg),
        WellKnown::ListValue => list_value_to_value(msg),
        WellKnown::Any => message_to_value(unpack_any(msg)?),
        _ => wrapper_to_value(msg),
    }
}

/// Fields 1 and 2 of `Timestamp` and `Duration`.
fn seconds_and_nanos(msg: &DynamicMessage) -> (i64, i32) {
    let seconds = msg
        .get_field_by_number(1)
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    let nanos = msg
        .get_field_by_number(2)
        .and_then(|v| v.as_i32())
        .unwrap_or(0);
    (seconds, nanos)
}

fn wrapper_to_value(msg: &DynamicMessage) -> Result<Value> {
    let field = msg
        .descriptor()
        .get_field(1)
        .ok_or_else(|| malformed("a wrapper type without a value field"))?;
    singular_to_value(&msg.get_field(&field), &field.kind(), EnumMode::Legacy)
}

/// `google.protobuf.Struct`: its `fields` map becomes a map with string keys.
fn struct_to_value(msg: &DynamicMessage) -> Result<Value> {
    let Some(fields) = msg.get_field_by_number(1) else {
        return Ok(Value::map(Map::new()));
    };
    let entries = fields
        .as_map()
        .ok_or_else(|| malformed("google.protobuf.Struct.fields is not a map"))?;
    let mut map = Map::with_capacity(entries.len());
    for (key, item) in entries {
        let item = item
            .as_message()
            .ok_or_else(|| malformed("a google.protobuf.Struct entry is not a message"))?;
        map.insert(map_key_to_key(key), json_value_to_value(item)?);
    }
    Ok(Value::map(map))
}

/// `google.protobuf.ListValue`: its `values` become a list.
fn list_value_to_value(msg: &DynamicMessage) -> Result<Value> {
    let Some(values) = msg.get_field_by_number(1) else {
        return Ok(Value::list(Vec::new()));
    };
    let items = values
        .as_list()
        .ok_or_else(|| malformed("google.protobuf.ListValue.values is not repeated"))?;
    items
        .iter()
        .map(|item| {
            item.as_message()
                .ok_or_else(|| malformed("a google.protobuf.ListValue item is not a message"))
                .and_then(json_value_to_value)
        })
        .collect::<Result<Vec<_>>>()
        .map(Value::list)
}

/// Field numbers of the `google.protobuf.Value` oneof.
mod json_field {
    pub const NULL: u32 = 1;
    pub const NUMBER: u32 = 2;
    pub const STRING: u32 = 3;
    pub const BOOL: u32 = 4;
    pub const STRUCT: u32 = 5;
    pub const LIST: u32 = 6;
}

/// `google.protobuf.Value`: whichever member of its oneof is set; none set is `null`.
fn json_value_to_value(msg: &DynamicMessage) -> Result<Value> {
    let set = |number| msg.has_field_by_number(number);
    let nested = |number| match msg.get_field_by_number(number).as_deref() {
        Some(PbValue::Message(m)) => Ok(m.clone()),
        _ => Err(malformed("a google.protobuf.Value member is not a message")),
    };
    if set(json_field::NUMBER) {
        let number = msg.get_field_by_number(json_field::NUMBER);
        return Ok(Value::Double(
            number.and_then(|v| v.as_f64()).unwrap_or_default(),
        ));
    }
    if set(json_field::STRING) {
        let text = msg.get_field_by_number(json_field::STRING);
        return Ok(Value::string(
            text.as_deref()
                .and_then(PbValue::as_str)
                .unwrap_or_default(),
        ));
    }
    if set(json_field::BOOL) {
        let flag = msg.get_field_by_number(json_field::BOOL);
        return Ok(Value::Bool(
            flag.and_then(|v| v.as_bool()).unwrap_or_default(),
        ));
    }
    if set(json_field::STRUCT) {
        return struct_to_value(&nested(json_field::STRUCT)?);
    }
    if set(json_field::LIST) {
        return list_value_to_value(&nested(json_field::LIST)?);
    }
    Ok(Value::Null)
}

/// Decodes the message inside a `google.protobuf.Any`, resolving its type URL in
/// the descriptor pool of the `Any` itself.
pub fn unpack_any(any: &DynamicMessage) -> Result<DynamicMessage> {
    let type_url = any
        .get_field_by_number(1)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let bytes = any
        .get_field_by_number(2)
        .and_then(|v| v.as_bytes().cloned())
        .unwrap_or_default();
    let type_name = type_url.rsplit_once('/').map_or(&*type_url, |(_, n)| n);
    if type_name.is_empty() {
        return Err(EvalError::invalid_argument(
            "google.protobuf.Any without a type URL",
        ));
    }
    let desc = any
        .descriptor()
        .parent_pool()
        .get_message_by_name(type_name)
        .ok_or_else(|| {
            EvalError::invalid_argument(format!("unknown type in google.protobuf.Any: {type_url}"))
        })?;
    DynamicMessage::decode(desc, bytes).map_err(|e| {
        EvalError::invalid_argument(format!(
            "cannot decode google.protobuf.Any of {type_url}: {e}"
        ))
    })
}

/// Message equality as CEL defines it: the same message type and equal fields,
/// with `Any` fields compared after unpacking (their encodings may order map
/// entries differently) and floating-point fields by IEEE equality (`NaN`
/// differs from itself). Unknown fields are ignored.
pub fn messages_equal(a: &DynamicMessage, b: &DynamicMessage) -> bool {
    let desc = a.descriptor();
    if desc.full_name() != b.descriptor().full_name() {
        return false;
    }
    if WellKnown::from_name(desc.full_name()) == Some(WellKnown::Any) {
        return match (unpack_any(a), unpack_any(b)) {
            (Ok(x), Ok(y)) => messages_equal(&x, &y),
            _ => a == b,
        };
    }
    let fields_equal = desc.fields().all(|field| {
        let present = a.has_field(&field);
        present == b.has_field(&field)
            && (!present || pb_values_equal(&a.get_field(&field), &b.get_field(&field)))
    });
    fields_equal
        && a.extensions().count() == b.extensions().count()
        && a.extensions().all(|(ext, value)| {
            b.has_extension(&ext) && pb_values_equal(value, &b.get_extension(&ext))
        })
}

fn pb_values_equal(a: &PbValue, b: &PbValue) -> bool {
    match (a, b) {
        (PbValue::Message(x), PbValue::Message(y)) => messages_equal(x, y),
        (PbValue::List(x), PbValue::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| pb_values_equal(p, q))
        }
        (PbValue::Map(x), PbValue::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| pb_values_equal(p, q)))
        }
        (x, y) => x == y,
    }
}

// ---------------------------------------------------------------------------
// Writing: CEL to protobuf
// ---------------------------------------------------------------------------

/// Converts a value for storing in a field. `Ok(None)` means the field stays
/// unset (`null` given for a message field). Lists and maps drop elements that
/// convert to "unset" (`[timestamp(1), null]` stores one timestamp).
pub fn value_to_field(value: &Value, field: &FieldDescriptor) -> Result<Option<PbValue>> {
    value_to_shaped(value, &Shape::of_field(field)).map_err(|e| in_field(e, field))
}

/// Converts a value for storing in an extension field, as [`value_to_field`] does.
pub fn value_to_extension(value: &Value, ext: &ExtensionDescriptor) -> Result<Option<PbValue>> {
    value_to_shaped(value, &Shape::of_extension(ext))
}

/// Stores a value in a field of a message (or clears the field when the value means "unset").
///
/// A field without presence (a proto3 scalar, repeated or map field) set to its default is
/// left unset, as protobuf itself does: `Msg{n: 0} == Msg{}`.
pub fn set_field(msg: &mut DynamicMessage, field: &FieldDescriptor, value: &Value) -> Result<()> {
    match value_to_field(value, field)? {
        Some(converted) if !field.supports_presence() && is_zero(&converted, field) => {
            msg.clear_field(field);
            Ok(())
        }
        Some(converted) => msg
            .try_set_field(field, converted)
            .map_err(|e| EvalError::invalid_argument(format!("field {}: {e}", field.name()))),
        None => {
            msg.clear_field(field);
            Ok(())
        }
    }
}

/// Whether a field value is the field's default; `-0.0` is not (its bits are stored).
fn is_zero(value: &PbValue, field: &FieldDescriptor) -> bool {
    match value {
        PbValue::F64(d) => d.to_bits() == 0,
        PbValue::F32(f) => f.to_bits() == 0,
        PbValue::List(items) => items.is_empty(),
        PbValue::Map(entries) => entries.is_empty(),
        other => *other == field.default_value(),
    }
}

fn in_field(error: EvalError, field: &FieldDescriptor) -> EvalError {
    EvalError::new(
        error.kind(),
        format!("field '{}': {}", field.full_name(), error.message()),
    )
}

fn value_to_shaped(value: &Value, shape: &Shape) -> Result<Option<PbValue>> {
    match shape {
        Shape::Singular(kind) => value_to_singular(value, kind),
        Shape::List(kind) => {
            let Value::List(items) = value else {
                return Err(cannot_hold("a repeated field", value));
            };
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.extend(value_to_singular(item, kind)?);
            }
            Ok(Some(PbValue::List(out)))
        }
        Shape::Map { key, value: kind } => {
            let Value::Map(entries) = value else {
                return Err(cannot_hold("a map field", value));
            };
            let mut out = std::collections::HashMap::with_capacity(entries.len());
            for (k, v) in entries.iter() {
                if let Some(converted) = value_to_singular(v, kind)? {
                    out.insert(key_to_map_key(k, key)?, converted);
                }
            }
            Ok(Some(PbValue::Map(out)))
        }
    }
}

fn value_to_singular(value: &Value, kind: &Kind) -> Result<Option<PbValue>> {
    match kind {
        Kind::Message(desc) => value_to_message_field(value, desc),
        Kind::Enum(e) if e.full_name() == NULL_VALUE_ENUM => match value {
            Value::Null => Ok(Some(PbValue::EnumNumber(0))),
            // The enum's number, as `NullValue.NULL_VALUE` is when enums are `int`s.
            Value::Int(i) => i32::try_from(*i)
                .map(|n| Some(PbValue::EnumNumber(n)))
                .map_err(|_| EvalError::out_of_range("enum")),
            _ => Err(cannot_hold(NULL_VALUE_ENUM, value)),
        },
        Kind::Enum(e) => match (value, EnumValue::of(value)) {
            (Value::Int(i), _) => i32::try_from(*i)
                .map(|n| Some(PbValue::EnumNumber(n)))
                .map_err(|_| EvalError::out_of_range("enum")),
            (_, Some(v)) if v.enum_name() == e.full_name() => {
                Ok(Some(PbValue::EnumNumber(v.number())))
            }
            _ => Err(cannot_hold(e.full_name(), value)),
        },
        scalar => value_to_scalar(value, scalar).map(Some),
    }
}

fn value_to_scalar(value: &Value, kind: &Kind) -> Result<PbValue> {
    Ok(match (kind, value) {
        (Kind::Int32 | Kind::Sint32 | Kind::Sfixed32, Value::Int(i)) => {
            PbValue::I32(i32::try_from(*i).map_err(|_| EvalError::out_of_range("int32"))?)
        }
        (Kind::Int64 | Kind::Sint64 | Kind::Sfixed64, Value::Int(i)) => PbValue::I64(*i),
        (Kind::Uint32 | Kind::Fixed32, Value::Uint(u)) => {
            PbValue::U32(u32::try_from(*u).map_err(|_| EvalError::out_of_range("uint32"))?)
        }
        (Kind::Uint64 | Kind::Fixed64, Value::Uint(u)) => PbValue::U64(*u),
        // Rounds to the nearest float; magnitudes beyond its range become infinities.
        (Kind::Float, Value::Double(d)) => PbValue::F32(*d as f32),
        (Kind::Double, Value::Double(d)) => PbValue::F64(*d),
        (Kind::Bool, Value::Bool(b)) => PbValue::Bool(*b),
        (Kind::String, Value::String(s)) => PbValue::String(s.to_string()),
        (Kind::Bytes, Value::Bytes(b)) => PbValue::Bytes(b.to_vec().into()),
        _ => return Err(cannot_hold(kind_name(kind), value)),
    })
}

fn key_to_map_key(key: &Key, kind: &Kind) -> Result<MapKey> {
    Ok(match (kind, key) {
        (Kind::Int32 | Kind::Sint32 | Kind::Sfixed32, Key::Int(i)) => {
            MapKey::I32(i32::try_from(*i).map_err(|_| EvalError::out_of_range("int32"))?)
        }
        (Kind::Int64 | Kind::Sint64 | Kind::Sfixed64, Key::Int(i)) => MapKey::I64(*i),
        (Kind::Uint32 | Kind::Fixed32, Key::Uint(u)) => {
            MapKey::U32(u32::try_from(*u).map_err(|_| EvalError::out_of_range("uint32"))?)
        }
        (Kind::Uint64 | Kind::Fixed64, Key::Uint(u)) => MapKey::U64(*u),
        (Kind::Bool, Key::Bool(b)) => MapKey::Bool(*b),
        (Kind::String, Key::String(s)) => MapKey::String(s.to_string()),
        _ => return Err(cannot_hold(kind_name(kind), &key.to_value())),
    })
}

/// A message-typed field: `null` unsets it unless the type holds a JSON null.
fn value_to_message_field(value: &Value, desc: &MessageDescriptor) -> Result<Option<PbValue>> {
    if let Value::Null = value {
        match WellKnown::from_name(desc.full_name()) {
            Some(WellKnown::Value | WellKnown::Any) => {}
            Some(WellKnown::Struct | WellKnown::ListValue) => {
                return Err(cannot_hold(desc.full_name(), value));
            }
            _ => return Ok(None),
        }
    }
    value_to_message(value, desc).map(|m| Some(PbValue::Message(m)))
}

/// Converts a value to a message of the given type: the same message type, or a
/// CEL value that the well-known type represents (`timestamp` to `Timestamp`,
/// `int` to `Int64Value`, a map to `Struct`, anything packable to `Any`).
pub fn value_to_message(value: &Value, desc: &MessageDescriptor) -> Result<DynamicMessage> {
    match WellKnown::from_name(desc.full_name()) {
        Some(wk) => value_to_well_known(value, wk, desc),
        None => match value {
            Value::Message(m) if m.descriptor() == *desc => Ok((**m).clone()),
            Value::Message(m) if m.descriptor().full_name() == desc.full_name() => {
                DynamicMessage::decode(desc.clone(), m.encode_to_vec().as_slice())
                    .map_err(|e| EvalError::invalid_argument(e.to_string()))
            }
            _ => Err(cannot_hold(desc.full_name(), value)),
        },
    }
}

fn value_to_well_known(
    value: &Value,
    wk: WellKnown,
    desc: &MessageDescriptor,
) -> Result<DynamicMessage> {
    let mut msg = DynamicMessage::new(desc.clone());
    match (wk, value) {
        (WellKnown::Timestamp, Value::Timestamp(t)) => {
            let (mut seconds, mut nanos) = (t.as_second(), t.subsec_nanosecond());
            if nanos < 0 {
                seconds -= 1;
                nanos += 1_000_000_000;
            }
            set_number(&mut msg, 1, PbValue::I64(seconds))?;
            set_number(&mut msg, 2, PbValue::I32(nanos))?;
        }
        (WellKnown::Duration, Value::Duration(d)) => {
            set_number(&mut msg, 1, PbValue::I64(d.as_secs()))?;
            set_number(&mut msg, 2, PbValue::I32(d.subsec_nanos()))?;
        }
        (WellKnown::Struct, Value::Map(map)) => {
            let entries = struct_entries(map, desc)?;
            set_number(&mut msg, 1, PbValue::Map(entries))?;
        }
        (WellKnown::ListValue, Value::List(items)) => {
            let items = list_value_items(items, desc)?;
            set_number(&mut msg, 1, PbValue::List(items))?;
        }
        (WellKnown::Value, value) => return value_to_json_value(value, desc),
        (WellKnown::Any, value) => return pack_any(value, desc),
        (wk, value) if wk.is_wrapper() => {
            let field = field_number(desc, 1)?;
            let converted = value_to_scalar(value, &field.kind())
                .map_err(|e| retarget(e, desc.full_name(), value))?;
            set_checked(&mut msg, &field, converted)?;
        }
        _ => return Err(cannot_hold(desc.full_name(), value)),
    }
    Ok(msg)
}

/// Keeps a range error as it is; a type mismatch names the wrapper type rather than its field.
fn retarget(error: EvalError, target: &str, value: &Value) -> EvalError {
    if error.kind() == ErrorKind::Overflow {
        error
    } else {
        cannot_hold(target, value)
    }
}

/// The `fields` map of a `Struct` built from a CEL map with string keys.
fn struct_entries(
    map: &Map,
    struct_desc: &MessageDescriptor,
) -> Result<std::collections::HashMap<MapKey, PbValue>> {
    let value_desc = message_kind_of(&field_number(struct_desc, 1)?, true)?;
    let mut entries = std::collections::HashMap::with_capacity(map.len());
    for (key, item) in map.iter() {
        let Key::String(name) = key else {
            return Err(EvalError::invalid_argument(format!(
                "google.protobuf.Struct keys must be strings, not {}",
                key.to_value().type_name()
            )));
        };
        let item = value_to_json_value(item, &value_desc)?;
        entries.insert(MapKey::String(name.to_string()), PbValue::Message(item));
    }
    Ok(entries)
}

/// The `values` of a `ListValue` built from a CEL list.
fn list_value_items(items: &[Value], list_desc: &MessageDescriptor) -> Result<Vec<PbValue>> {
    let value_desc = message_kind_of(&field_number(list_desc, 1)?, false)?;
    items
        .iter()
        .map(|item| value_to_json_value(item, &value_desc).map(PbValue::Message))
        .collect()
}

/// A `google.protobuf.Value` holding a CEL value as JSON: numbers become doubles
/// (integers beyond 2^53 become decimal strings, as the protobuf JSON mapping
/// writes 64-bit integers), bytes base64 strings, timestamps and durations their
/// JSON strings, lists `ListValue`s and maps with string keys `Struct`s.
fn value_to_json_value(value: &Value, desc: &MessageDescriptor) -> Result<DynamicMessage> {
    let mut msg = DynamicMessage::new(desc.clone());
    let (number, member) = match value {
        Value::Null => (json_field::NULL, PbValue::EnumNumber(0)),
        Value::Bool(b) => (json_field::BOOL, PbValue::Bool(*b)),
        Value::Int(i) if i.unsigned_abs() <= MAX_JSON_SAFE_INTEGER => {
            (json_field::NUMBER, PbValue::F64(*i as f64))
        }
        Value::Uint(u) if *u <= MAX_JSON_SAFE_INTEGER => {
            (json_field::NUMBER, PbValue::F64(*u as f64))
        }
        Value::Int(i) => (json_field::STRING, PbValue::String(i.to_string())),
        Value::Uint(u) => (json_field::STRING, PbValue::String(u.to_string())),
        Value::Double(d) => (json_field::NUMBER, PbValue::F64(*d)),
        Value::String(s) => (json_field::STRING, PbValue::String(s.to_string())),
        Value::Bytes(b) => (json_field::STRING, PbValue::String(BASE64.encode(b))),
        Value::Timestamp(t) => (json_field::STRING, PbValue::String(format_timestamp(*t))),
        Value::Duration(d) => (json_field::STRING, PbValue::String(format_duration(*d))),
        Value::List(_) | Value::Map(_) => {
            let number = if matches!(value, Value::List(_)) {
                json_field::LIST
            } else {
                json_field::STRUCT
            };
            let nested_desc = message_kind_of(&field_number(desc, number)?, false)?;
            let nested = value_to_message(value, &nested_desc)?;
            (number, PbValue::Message(nested))
        }
        Value::Message(m) => return value_to_json_value(&message_as_json(m)?, desc),
        _ => return Err(cannot_hold(desc.full_name(), value)),
    };
    set_number(&mut msg, number, member)?;
    Ok(msg)
}

/// A message in the protobuf JSON mapping, as a CEL value (numbers as doubles).
fn message_as_json(msg: &DynamicMessage) -> Result<Value> {
    let json = serde_json::to_value(msg).map_err(|e| {
        EvalError::invalid_argument(format!(
            "cannot convert {} to JSON: {e}",
            msg.descriptor().full_name()
        ))
    })?;
    Ok(json_to_value(json))
}

fn json_to_value(json: serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::from(s),
        serde_json::Value::Array(items) => {
            Value::list(items.into_iter().map(json_to_value).collect())
        }
        serde_json::Value::Object(fields) => Value::map(
            fields
                .into_iter()
                .map(|(k, v)| (Key::String(crate::Str::from(k)), json_to_value(v)))
                .collect(),
        ),
    }
}

/// Packs a value into a `google.protobuf.Any`: messages as they are, other
/// values as the well-known type that represents them.
fn pack_any(value: &Value, any_desc: &MessageDescriptor) -> Result<DynamicMessage> {
    let inner = match value {
        Value::Message(m) => (**m).clone(),
        value => {
            let wk =
                well_known_for(value).ok_or_else(|| cannot_hold("google.protobuf.Any", value))?;
            let pool = any_desc.parent_pool();
            value_to_message(value, &well_known_descriptor(pool, wk)?)?
        }
    };
    let mut any = DynamicMessage::new(any_desc.clone());
    let type_url = format!("{TYPE_URL_PREFIX}{}", inner.descriptor().full_name());
    set_number(&mut any, 1, PbValue::String(type_url))?;
    set_number(&mut any, 2, PbValue::Bytes(inner.encode_to_vec().into()))?;
    Ok(any)
}

/// The well-known type a non-message value is packed into an `Any` as.
fn well_known_for(value: &Value) -> Option<WellKnown> {
    Some(match value {
        Value::Null => WellKnown::Value,
        Value::Bool(_) => WellKnown::BoolValue,
        Value::Int(_) => WellKnown::Int64Value,
        Value::Uint(_) => WellKnown::UInt64Value,
        Value::Double(_) => WellKnown::DoubleValue,
        Value::String(_) => WellKnown::StringValue,
        Value::Bytes(_) => WellKnown::BytesValue,
        Value::Timestamp(_) => WellKnown::Timestamp,
        Value::Duration(_) => WellKnown::Duration,
        Value::List(_) => WellKnown::ListValue,
        Value::Map(_) => WellKnown::Struct,
        _ => return None,
    })
}

fn well_known_descriptor(pool: &DescriptorPool, wk: WellKnown) -> Result<MessageDescriptor> {
    pool.get_message_by_name(wk.full_name()).ok_or_else(|| {
        EvalError::invalid_argument(format!("{} is not in the descriptor pool", wk.full_name()))
    })
}

fn field_number(desc: &MessageDescriptor, number: u32) -> Result<FieldDescriptor> {
    desc.get_field(number)
        .ok_or_else(|| malformed(&format!("{} has no field {number}", desc.full_name())))
}

/// The message type of a message field, or of the values of a map field.
fn message_kind_of(field: &FieldDescriptor, map_values: bool) -> Result<MessageDescriptor> {
    let kind = match Shape::of_field(field) {
        Shape::Map { value, .. } if map_values => value,
        Shape::Singular(kind) | Shape::List(kind) if !map_values => kind,
        _ => return Err(malformed("unexpected field shape in a well-known type")),
    };
    match kind {
        Kind::Message(desc) => Ok(desc),
        _ => Err(malformed("a well-known type field is not a message")),
    }
}

fn set_number(msg: &mut DynamicMessage, number: u32, value: PbValue) -> Result<()> {
    let field = field_number(&msg.descriptor(), number)?;
    set_checked(msg, &field, value)
}

fn set_checked(msg: &mut DynamicMessage, field: &FieldDescriptor, value: PbValue) -> Result<()> {
    msg.try_set_field(field, value)
        .map_err(|e| malformed(&format!("field {}: {e}", field.full_name())))
}

/// A value whose CEL type the target cannot hold.
fn cannot_hold(target: &str, value: &Value) -> EvalError {
    EvalError::new(
        ErrorKind::NoSuchOverload,
        format!("{target} cannot hold a value of type {}", value.type_name()),
    )
}

/// A descriptor that does not look like the protobuf type it names.
fn malformed(what: &str) -> EvalError {
    EvalError::invalid_argument(format!("malformed protobuf value: {what}"))
}

fn kind_name(kind: &Kind) -> &str {
    match kind {
        Kind::Double => "double",
        Kind::Float => "float",
        Kind::Int32 => "int32",
        Kind::Int64 => "int64",
        Kind::Uint32 => "uint32",
        Kind::Uint64 => "uint64",
        Kind::Sint32 => "sint32",
        Kind::Sint64 => "sint64",
        Kind::Fixed32 => "fixed32",
        Kind::Fixed64 => "fixed64",
        Kind::Sfixed32 => "sfixed32",
        Kind::Sfixed64 => "sfixed64",
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Message(m) => m.full_name(),
        Kind::Enum(e) => e.full_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    const TEST_PROTO: &str = r#"
        syntax = "proto3";
        package test;
        import "google/protobuf/any.proto";
        import "google/protobuf/duration.proto";
        import "google/protobuf/struct.proto";
        import "google/protobuf/timestamp.proto";
        import "google/protobuf/wrappers.proto";

        message Msg {
          enum Color { RED = 0; GREEN = 1; }
          int32 i32 = 1;
          sint32 s32 = 2;
          sfixed32 sf32 = 3;
          int64 i64 = 4;
          uint32 u32 = 5;
          fixed32 fx32 = 6;
          uint64 u64 = 7;
          float fl = 8;
          double db = 9;
          bool b = 10;
          string s = 11;
          bytes by = 12;
          Color color = 13;
          google.protobuf.NullValue null_value = 14;
          Msg child = 15;
          repeated int32 ints = 16;
          map<string, int64> counts = 17;
          map<int32, Msg> children = 18;
          map<uint32, bool> flags = 19;
          google.protobuf.Any any = 20;
          google.protobuf.Timestamp ts = 21;
          google.protobuf.Duration dur = 22;
          google.protobuf.Struct st = 23;
          google.protobuf.Value val = 24;
          google.protobuf.ListValue lv = 25;
          google.protobuf.Int32Value i32w = 26;
          google.protobuf.UInt32Value u32w = 27;
          google.protobuf.FloatValue flw = 28;
          google.protobuf.StringValue sw = 29;
          repeated google.protobuf.Timestamp stamps = 30;
          repeated google.protobuf.Any anys = 31;
          map<bool, google.protobuf.Int64Value> wrapped = 32;
          repeated Color colors = 33;
          map<string, Color> palette = 34;
        }
    "#;

    struct InlineProto;

    impl protox::file::FileResolver for InlineProto {
        fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
            if name == "test.proto" {
                protox::file::File::from_source(name, TEST_PROTO)
            } else {
                Err(protox::Error::file_not_found(name))
            }
        }
    }

    /// The test descriptors, compiled once.
    fn pool() -> DescriptorPool {
        static POOL: std::sync::LazyLock<DescriptorPool> = std::sync::LazyLock::new(compile_pool);
        POOL.clone()
    }

    fn compile_pool() -> DescriptorPool {
        let mut resolver = protox::file::ChainFileResolver::new();
        resolver.add(InlineProto);
        resolver.add(protox::file::GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler
            .open_file("test.proto")
            .expect("test proto compiles");
        compiler.descriptor_pool()
    }

    fn msg_desc() -> MessageDescriptor {
        pool().get_message_by_name("test.Msg").expect("test.Msg")
    }

    fn parse(text: &str) -> DynamicMessage {
        DynamicMessage::parse_text_format(msg_desc(), text).expect("valid text format")
    }

    fn field(name: &str) -> FieldDescriptor {
        msg_desc().get_field_by_name(name).expect("field exists")
    }

    /// Reads a field of the message given in text format, as CEL text (or the error).
    fn read(text: &str, name: &str) -> String {
        let msg = parse(text);
        let desc = msg.descriptor();
        let field = desc.get_field_by_name(name).expect("field exists");
        match message_field(&msg, &field) {
            Ok(v) => format!("{v}"),
            Err(e) => format!("error: {e}"),
        }
    }

    /// Writes a value into a field and reads it back.
    fn write_value(name: &str, value: Value) -> Result<Value> {
        let mut msg = DynamicMessage::new(msg_desc());
        let field = field(name);
        set_field(&mut msg, &field, &value).and_then(|()| message_field(&msg, &field))
    }

    /// Writes a value into a field and reads it back, as CEL text (or the error).
    fn write_read(name: &str, value: Value) -> String {
        match write_value(name, value) {
            Ok(v) => format!("{v}"),
            Err(e) => format!("error: {e}"),
        }
    }

    /// The `i32` field of a `test.Msg` value.
    fn i32_of(value: &Value) -> Option<Value> {
        match value {
            Value::Message(m) if m.descriptor() == msg_desc() => {
                message_field(m, &field("i32")).ok()
            }
            _ => None,
        }
    }

    fn int_list(items: &[i64]) -> Value {
        Value::list(items.iter().map(|i| Value::Int(*i)).collect())
    }

    #[test]
    fn scalar_fields_read_as_cel_types() {
        assert_eq!(read("i32: -5", "i32"), "-5");
        assert_eq!(read("s32: -6", "s32"), "-6");
        assert_eq!(read("sf32: -7", "sf32"), "-7");
        assert_eq!(read("i64: -9000000000", "i64"), "-9000000000");
        assert_eq!(read("u32: 7", "u32"), "7u");
        assert_eq!(read("fx32: 8", "fx32"), "8u");
        assert_eq!(
            read("u64: 18446744073709551615", "u64"),
            "18446744073709551615u"
        );
        assert_eq!(read("fl: 1.5", "fl"), "1.5");
        assert_eq!(read("db: -0.25", "db"), "-0.25");
        assert_eq!(read("b: true", "b"), "true");
        assert_eq!(read("s: 'héllo'", "s"), "\"héllo\"");
        assert_eq!(read(r"by: '\001\377'", "by"), r#"b"\x01\xff""#);
        assert_eq!(read("color: GREEN", "color"), "1");
        assert_eq!(read("", "null_value"), "null");
        assert_eq!(read("", "i32"), "0");
    }

    #[test]
    fn repeated_and_map_fields_read_as_lists_and_maps() {
        assert_eq!(read("ints: [1, 2, 3]", "ints"), "[1, 2, 3]");
        assert_eq!(read("", "ints"), "[]");
        let counts = parse("counts { key: 'a' value: 1 } counts { key: 'b' value: 2 }");
        let counts = message_field(&counts, &field("counts")).expect("map reads");
        let Value::Map(map) = counts else {
            panic!("not a map: {counts}")
        };
        assert_eq!(map.len(), 2);
        assert_eq!(map.get_str("b"), Some(&Value::Int(2)));
        let flags = parse("flags { key: 3 value: true }");
        let flags = message_field(&flags, &field("flags")).expect("map reads");
        assert_eq!(format!("{flags}"), "{3u: true}");
        let children = parse("children { key: -1 value { i32: 4 } }");
        let children = message_field(&children, &field("children")).expect("map reads");
        let Value::Map(map) = children else {
            panic!("not a map: {children}")
        };
        let child = map.get(crate::KeyRef::Int(-1)).expect("key -1");
        assert!(matches!(child, Value::Message(m) if m.descriptor().full_name() == "test.Msg"));
    }

    #[test]
    fn well_known_types_unwrap() {
        assert_eq!(
            read("ts { seconds: 1 nanos: 500000000 }", "ts"),
            "timestamp(\"1970-01-01T00:00:01.5Z\")"
        );
        assert_eq!(
            read("dur { seconds: -1 nanos: -500000000 }", "dur"),
            "duration(\"-1.5s\")"
        );
        assert_eq!(read("i32w { value: 42 }", "i32w"), "42");
        assert_eq!(read("u32w { value: 42 }", "u32w"), "42u");
        assert_eq!(read("flw { value: 0.5 }", "flw"), "0.5");
        assert_eq!(read("sw { }", "sw"), "\"\"");
        assert_eq!(
            read(
                "st { fields { key: 'k' value { list_value { values { bool_value: true } values { number_value: 2 } } } } }",
                "st"
            ),
            "{\"k\": [true, 2.0]}"
        );
        assert_eq!(read("val { string_value: 'x' }", "val"), "\"x\"");
        assert_eq!(read("val { null_value: NULL_VALUE }", "val"), "null");
        assert_eq!(read("val { struct_value { } }", "val"), "{}");
        assert_eq!(
            read("lv { values { null_value: NULL_VALUE } }", "lv"),
            "[null]"
        );
    }

    #[test]
    fn any_unpacks_recursively() {
        let int = "any { [type.googleapis.com/google.protobuf.Int64Value] { value: -3 } }";
        assert_eq!(read(int, "any"), "-3");
        let json = "any { [type.googleapis.com/google.protobuf.Value] { string_value: 's' } }";
        assert_eq!(read(json, "any"), "\"s\"");
        let nested = "any { [type.googleapis.com/google.protobuf.Any] { [type.googleapis.com/google.protobuf.BoolValue] { value: true } } }";
        assert_eq!(read(nested, "any"), "true");
        let message = parse("any { [type.googleapis.com/test.Msg] { i32: 9 } }");
        let value = message_field(&message, &field("any")).expect("any unpacks");
        let Value::Message(inner) = value else {
            panic!("not a message: {value}")
        };
        assert_eq!(
            message_field(&inner, &field("i32")).expect("field reads"),
            Value::Int(9)
        );
    }

    #[test]
    fn broken_any_and_out_of_range_times_are_errors() {
        assert!(
            read("any { type_url: 'type.googleapis.com/no.Such' }", "any")
                .starts_with("error: unknown type")
        );
        assert!(
            read("any { value: '\\001' }", "any").starts_with("error: google.protobuf.Any without")
        );
        assert_eq!(
            read("ts { seconds: 253402300800 }", "ts"),
            "error: timestamp out of range"
        );
        assert_eq!(
            read("dur { seconds: 1 nanos: 1000000000 }", "dur"),
            "error: duration out of range"
        );
    }

    #[test]
    fn unset_fields_read_as_cel_defaults() {
        assert_eq!(read("", "i32w"), "null");
        assert_eq!(read("", "val"), "null");
        assert_eq!(read("", "any"), "null");
        assert_eq!(read("", "ts"), "timestamp(\"1970-01-01T00:00:00Z\")");
        assert_eq!(read("", "dur"), "duration(\"0s\")");
        assert_eq!(read("", "st"), "{}");
        assert_eq!(read("", "lv"), "[]");
        let child = message_field(&parse(""), &field("child")).expect("unset child reads");
        assert!(matches!(child, Value::Message(m) if m.fields().next().is_none()));
    }

    #[test]
    fn extensions_read_like_fields() {
        const EXT_PROTO: &str = r#"
            syntax = "proto2";
            package ext;
            message Base { extensions 100 to 200; }
            extend Base { optional int32 small = 100; repeated string names = 101; }
        "#;
        struct ExtProto;
        impl protox::file::FileResolver for ExtProto {
            fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
                protox::file::File::from_source(name, EXT_PROTO)
            }
        }
        let mut compiler = protox::Compiler::with_file_resolver(ExtProto);
        compiler.open_file("ext.proto").expect("compiles");
        let pool = compiler.descriptor_pool();
        let base = pool.get_message_by_name("ext.Base").expect("ext.Base");
        let msg = DynamicMessage::parse_text_format(base, "[ext.small]: 7 [ext.names]: ['a', 'b']")
            .expect("parses");
        let small = pool.get_extension_by_name("ext.small").expect("ext.small");
        let names = pool.get_extension_by_name("ext.names").expect("ext.names");
        assert_eq!(
            message_extension(&msg, &small).expect("reads"),
            Value::Int(7)
        );
        assert_eq!(
            format!("{}", message_extension(&msg, &names).expect("reads")),
            "[\"a\", \"b\"]"
        );
    }

    #[test]
    fn scalar_writes_check_types_and_ranges() {
        assert_eq!(write_read("i32", Value::Int(-2147483648)), "-2147483648");
        assert_eq!(
            write_read("i32", Value::Int(2147483648)),
            "error: field 'test.Msg.i32': int32 out of range"
        );
        assert_eq!(
            write_read("sf32", Value::Int(-2147483649)),
            "error: field 'test.Msg.sf32': int32 out of range"
        );
        assert_eq!(write_read("u32", Value::Uint(4294967295)), "4294967295u");
        assert_eq!(
            write_read("fx32", Value::Uint(4294967296)),
            "error: field 'test.Msg.fx32': uint32 out of range"
        );
        assert_eq!(
            write_read("u64", Value::Uint(u64::MAX)),
            "18446744073709551615u"
        );
        assert_eq!(
            write_read("fl", Value::Double(1e300)),
            "double(\"Infinity\")"
        );
        assert_eq!(
            write_read("fl", Value::Double(0.1)),
            format!("{}", f64::from(0.1f32))
        );
        assert_eq!(write_read("db", Value::Double(0.1)), "0.1");
        assert_eq!(write_read("s", Value::string("x")), "\"x\"");
        assert_eq!(write_read("by", Value::bytes(b"x")), "b\"x\"");
        assert_eq!(
            write_read("i64", Value::Uint(1)),
            "error: field 'test.Msg.i64': int64 cannot hold a value of type uint"
        );
        assert_eq!(
            write_read("db", Value::Int(1)),
            "error: field 'test.Msg.db': double cannot hold a value of type int"
        );
        assert!(write_read("b", Value::Null).contains("cannot hold a value of type null_type"));
    }

    #[test]
    fn enum_writes_take_ints_in_int32_range() {
        assert_eq!(write_read("color", Value::Int(1)), "1");
        assert_eq!(write_read("color", Value::Int(99)), "99");
        assert_eq!(
            write_read("color", Value::Int(1 << 31)),
            "error: field 'test.Msg.color': enum out of range"
        );
        assert!(write_read("color", Value::string("GREEN")).contains("cannot hold"));
        assert_eq!(write_read("null_value", Value::Null), "null");
        // `NullValue.NULL_VALUE` is the int 0 where enums are ints.
        assert_eq!(write_read("null_value", Value::Int(0)), "null");
        assert_eq!(
            write_read("null_value", Value::Int(1 << 31)),
            "error: field 'test.Msg.null_value': enum out of range"
        );
        assert!(write_read("null_value", Value::string("x")).contains("cannot hold"));
    }

    fn color(number: i32) -> Value {
        let desc = pool()
            .get_enum_by_name("test.Msg.Color")
            .expect("test.Msg.Color");
        EnumValue::new(desc, number).into_value()
    }

    /// Reads a field with strong enums, as CEL text.
    fn read_strong(text: &str, name: &str) -> String {
        match message_field_as(&parse(text), &field(name), EnumMode::Strong) {
            Ok(v) => format!("{v}"),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn strong_enums_read_as_typed_values() {
        assert_eq!(read_strong("color: GREEN", "color"), "test.Msg.Color(1)");
        assert_eq!(read_strong("", "color"), "test.Msg.Color(0)");
        assert_eq!(read_strong("color: 77", "color"), "test.Msg.Color(77)");
        assert_eq!(
            read_strong("colors: [GREEN, RED]", "colors"),
            "[test.Msg.Color(1), test.Msg.Color(0)]"
        );
        assert_eq!(
            read_strong("palette { key: 'g' value: GREEN }", "palette"),
            "{\"g\": test.Msg.Color(1)}"
        );
        assert_eq!(read_strong("", "null_value"), "null");
        assert_eq!(read_strong("i32: 3", "i32"), "3");
        assert_eq!(read("colors: [GREEN]", "colors"), "[1]");
    }

    #[test]
    fn enum_writes_take_values_of_the_field_enum() {
        assert_eq!(write_read("color", color(1)), "1");
        assert_eq!(write_read("color", color(-4)), "-4");
        let mut msg = DynamicMessage::new(msg_desc());
        set_field(
            &mut msg,
            &field("colors"),
            &Value::list(vec![color(1), Value::Int(0)]),
        )
        .expect("enum values and ints");
        assert_eq!(
            message_field_as(&msg, &field("colors"), EnumMode::Strong).map(|v| v.to_string()),
            Ok("[test.Msg.Color(1), test.Msg.Color(0)]".to_owned())
        );
        let other = pool()
            .get_enum_by_name("google.protobuf.NullValue")
            .map(|desc| EnumValue::new(desc, 0).into_value())
            .expect("NullValue is in the pool");
        assert_eq!(
            write_read("color", other),
            "error: field 'test.Msg.color': test.Msg.Color cannot hold a value of type google.protobuf.NullValue"
        );
        assert!(write_read("i32", color(1)).contains("cannot hold a value of type test.Msg.Color"));
    }

    #[test]
    fn null_unsets_message_fields_but_not_json_ones() {
        let child = field("child");
        assert!(
            value_to_field(&Value::Null, &child)
                .expect("null accepted")
                .is_none()
        );
        assert!(
            value_to_field(&Value::Null, &field("ts"))
                .expect("null accepted")
                .is_none()
        );
        assert!(
            value_to_field(&Value::Null, &field("i32w"))
                .expect("null accepted")
                .is_none()
        );
        assert_eq!(write_read("val", Value::Null), "null");
        let mut msg = DynamicMessage::new(msg_desc());
        set_field(&mut msg, &field("val"), &Value::Null).expect("null value");
        assert!(msg.has_field(&field("val")));
        set_field(&mut msg, &field("any"), &Value::Null).expect("null any");
        assert!(msg.has_field(&field("any")));
        assert_eq!(
            message_field(&msg, &field("any")).expect("reads"),
            Value::Null
        );
        assert!(write_read("st", Value::Null).contains("cannot hold"));
        assert!(write_read("lv", Value::Null).contains("cannot hold"));
        assert!(write_read("ints", Value::Null).contains("cannot hold"));
        assert!(write_read("counts", Value::Null).contains("cannot hold"));
    }

    #[test]
    fn containers_drop_unset_elements_and_keep_json_nulls() {
        let t = Value::Timestamp(parse_timestamp("2001-02-03T04:05:06Z").expect("valid"));
        assert_eq!(
            write_read("stamps", Value::list(vec![t.clone(), Value::Null])),
            "[timestamp(\"2001-02-03T04:05:06Z\")]"
        );
        assert_eq!(
            write_read("anys", Value::list(vec![Value::Int(1), Value::Null])),
            "[1, null]"
        );
        let mut wrapped = Map::new();
        wrapped.insert(Key::Bool(true), Value::Null);
        wrapped.insert(Key::Bool(false), Value::Int(5));
        assert_eq!(write_read("wrapped", Value::map(wrapped)), "{false: 5}");
        assert_eq!(write_read("ints", int_list(&[1, -2])), "[1, -2]");
        assert!(write_read("ints", int_list(&[1 << 40])).contains("int32 out of range"));
        let mut counts = Map::new();
        counts.insert(Key::Int(1), Value::Int(1));
        assert!(
            write_read("counts", Value::map(counts))
                .contains("string cannot hold a value of type int")
        );
        let mut flags = Map::new();
        flags.insert(Key::Uint(1 << 33), Value::Bool(true));
        assert!(write_read("flags", Value::map(flags)).contains("uint32 out of range"));
    }

    #[test]
    fn well_known_writes_pack_cel_values() {
        let t = parse_timestamp("1969-12-31T23:59:58.5Z").expect("valid");
        let mut msg = DynamicMessage::new(msg_desc());
        set_field(&mut msg, &field("ts"), &Value::Timestamp(t)).expect("timestamp");
        assert_eq!(
            msg.get_field(&field("ts"))
                .as_message()
                .map(|m| m.to_text_format()),
            Some("seconds:-2,nanos:500000000".to_owned())
        );
        assert_eq!(
            write_read("ts", Value::Timestamp(t)),
            "timestamp(\"1969-12-31T23:59:58.5Z\")"
        );
        let d = crate::time::parse_duration("-1.25s").expect("valid");
        assert_eq!(
            write_read("dur", Value::Duration(d)),
            "duration(\"-1.25s\")"
        );
        assert_eq!(write_read("i32w", Value::Int(7)), "7");
        assert_eq!(
            write_read("i32w", Value::Int(1 << 40)),
            "error: field 'test.Msg.i32w': int32 out of range"
        );
        assert_eq!(
            write_read("u32w", Value::Int(7)),
            "error: field 'test.Msg.u32w': google.protobuf.UInt32Value cannot hold a value of type int"
        );
        assert_eq!(write_read("flw", Value::Double(-9.9e-100)), "-0.0");
        assert_eq!(write_read("sw", Value::string("w")), "\"w\"");
    }

    #[test]
    fn json_writes_follow_the_protobuf_json_mapping() {
        let mut inner = Map::new();
        inner.insert(Key::String("n".into()), Value::Int(3));
        inner.insert(Key::String("big".into()), Value::Int(1 << 60));
        inner.insert(Key::String("b".into()), Value::bytes(b"\x00\x01"));
        let list = Value::list(vec![Value::map(inner), Value::Null, Value::Bool(false)]);
        let mut json_inner = Map::new();
        json_inner.insert(Key::String("n".into()), Value::Double(3.0));
        json_inner.insert(
            Key::String("big".into()),
            Value::string("1152921504606846976"),
        );
        json_inner.insert(Key::String("b".into()), Value::string("AAE="));
        let json = Value::list(vec![
            Value::map(json_inner),
            Value::Null,
            Value::Bool(false),
        ]);
        assert_eq!(write_value("val", list.clone()), Ok(json.clone()));
        assert_eq!(write_value("lv", list), Ok(json));
        let mut bad = Map::new();
        bad.insert(Key::Int(1), Value::Int(1));
        assert!(write_read("st", Value::map(bad)).contains("keys must be strings"));
        let d = crate::time::parse_duration("90s").expect("valid");
        assert_eq!(write_read("val", Value::Duration(d)), "\"90s\"");
        assert!(write_read("val", Value::Optional(None)).contains("cannot hold"));
        let message = Value::Message(Arc::new(parse("i64: 5 b: true ts { seconds: 1 }")));
        let mut json = Map::new();
        json.insert(Key::String("i64".into()), Value::string("5"));
        json.insert(Key::String("b".into()), Value::Bool(true));
        json.insert(
            Key::String("ts".into()),
            Value::string("1970-01-01T00:00:01Z"),
        );
        assert_eq!(write_value("val", message), Ok(Value::map(json)));
    }

    #[test]
    fn any_writes_pack_and_read_back() {
        assert_eq!(write_read("any", Value::Uint(3)), "3u");
        assert_eq!(write_read("any", Value::string("s")), "\"s\"");
        assert_eq!(write_read("any", int_list(&[1])), "[1.0]");
        let child = Value::Message(Arc::new(parse("i32: 5")));
        let packed = write_value("any", child).expect("packs");
        assert_eq!(i32_of(&packed), Some(Value::Int(5)));
        let mut msg = DynamicMessage::new(msg_desc());
        set_field(&mut msg, &field("any"), &Value::Int(4)).expect("packs");
        let any = msg.get_field(&field("any"));
        let type_url = any.as_message().and_then(|m| m.get_field_by_number(1));
        assert_eq!(
            type_url.as_deref().and_then(PbValue::as_str),
            Some("type.googleapis.com/google.protobuf.Int64Value")
        );
    }

    /// A message holding `test.Msg{counts: {a: 1, b: 2}}` in its `any` field, with
    /// the map entries encoded in the given order.
    fn any_holding_counts(order: [&str; 2]) -> DynamicMessage {
        let entry = |key: &str| {
            let value = if key == "a" { 1 } else { 2 };
            parse(&format!("counts {{ key: '{key}' value: {value} }}")).encode_to_vec()
        };
        let payload = [entry(order[0]), entry(order[1])].concat();
        let any_desc = pool()
            .get_message_by_name("google.protobuf.Any")
            .expect("Any descriptor");
        let mut any = DynamicMessage::new(any_desc);
        any.set_field_by_number(1, PbValue::String("type.googleapis.com/test.Msg".into()));
        any.set_field_by_number(2, PbValue::Bytes(payload.into()));
        let mut holder = DynamicMessage::new(msg_desc());
        holder.set_field(&field("any"), PbValue::Message(any));
        holder
    }

    #[test]
    fn message_equality_unpacks_any_and_keeps_nan_unequal() {
        let (ab, ba) = (
            any_holding_counts(["a", "b"]),
            any_holding_counts(["b", "a"]),
        );
        assert_ne!(ab, ba, "the encodings differ");
        assert!(messages_equal(&ab, &ba));
        assert!(!messages_equal(&ab, &parse("")));
        assert!(messages_equal(
            &parse("db: 1 ints: [1, 2]"),
            &parse("ints: [1, 2] db: 1")
        ));
        assert!(!messages_equal(&parse("db: nan"), &parse("db: nan")));
        assert!(!messages_equal(
            &parse("i32: 0"),
            &parse("i64: 0 i32: 0 ints: [0]")
        ));
        let ts = pool()
            .get_message_by_name("google.protobuf.Timestamp")
            .expect("timestamp descriptor");
        assert!(!messages_equal(&parse(""), &DynamicMessage::new(ts)));
    }

    #[test]
    fn message_writes_need_the_same_type() {
        let child = Value::Message(Arc::new(parse("i32: 5")));
        let written = write_value("child", child).expect("same type");
        assert_eq!(i32_of(&written), Some(Value::Int(5)));
        let ts = pool()
            .get_message_by_name("google.protobuf.Timestamp")
            .expect("timestamp descriptor");
        let other = Value::Message(Arc::new(DynamicMessage::new(ts)));
        assert!(write_read("child", other).contains("test.Msg cannot hold"));
        assert!(
            write_read("child", Value::Int(1)).contains("test.Msg cannot hold a value of type int")
        );
    }
}
