//! celd JSON: the one JSON encoding of CEL values used by the CLI, the HTTP API and the tests.
//!
//! Plain JSON keeps its obvious meaning; other CEL types are one-key objects whose key
//! starts with `$` (`{"$uint": "3"}`, `{"$bytes": "AAE="}`, `{"$timestamp": "..."}`).
//! Messages and typed enum values name their type and carry a `value`:
//! `{"$message": "pkg.Msg", "value": {...}}`, `{"$enum": "pkg.Color", "value": 2}`; values of
//! extension and host types are `{"$TYPE": ...}` (`{"$net.IP": "10.0.0.1"}`).
//!
//! Both ways are unambiguous: a map that would read back as a tagged value (its only key
//! starts with `$`) is written as `{"$map": [[key, value], ...]}`, and [`JsonDialect::Plain`]
//! reads any JSON document as data, with no tags at all.
//!
//! Nesting is counted as JSON counts it: every array and object is a level (`[[1]]` is 2,
//! `{"$optional": [1]}` is 2), and a value may nest [`DEFAULT_MAX_JSON_DEPTH`] levels.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage};
use serde_json::{Map as JsonMap, Number, Value as Json};

pub use crate::json_integers::check_integer_range;
use crate::time::{format_duration, format_timestamp, parse_duration, parse_timestamp};
use crate::{EnumValue, HostTypes, Key, Map, TypeValue, Value};

/// Integers at or beyond 2^53 in magnitude are written as strings so JSON readers keep them exact.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Arrays and objects nested deeper than this are rejected when reading JSON into values.
pub const DEFAULT_MAX_JSON_DEPTH: usize = 128;

/// How deep a whole JSON document (a request body, a `--vars` object) may nest before it is
/// parsed at all: deep enough for a value at the value limit inside its wrappers, shallow
/// enough that parsing cannot exhaust the stack. [`check_nesting`] enforces it.
pub const MAX_DOCUMENT_DEPTH: usize = 2 * DEFAULT_MAX_JSON_DEPTH;

/// Why a JSON document is not a celd JSON value.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JsonError {
    /// A JSON-pointer-like path to the offending element (`/vars/items/3`).
    pub path: String,
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for JsonError {}

/// How JSON is read into values.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum JsonDialect {
    /// celd JSON: one-key objects whose key starts with `$` are tagged values.
    #[default]
    Celd,
    /// Plain JSON, taken as data: every object is a map with string keys (`{"$uint": "3"}` is
    /// a map), integers are `int` (`uint` beyond the int range), other numbers `double`.
    Plain,
}

/// What reading celd JSON may consult: message descriptors, host types (the extensions' and
/// the host program's), the dialect and the nesting limit.
#[derive(Clone, Copy)]
pub struct JsonReader<'a> {
    pub pool: Option<&'a DescriptorPool>,
    /// Host types, read from `{"$<type name>": body}`.
    pub host_types: Option<&'a HostTypes>,
    pub max_depth: usize,
    pub dialect: JsonDialect,
}

impl Default for JsonReader<'_> {
    fn default() -> Self {
        JsonReader {
            pool: None,
            host_types: None,
            max_depth: DEFAULT_MAX_JSON_DEPTH,
            dialect: JsonDialect::Celd,
        }
    }
}

/// Reads a celd JSON value with default settings.
pub fn from_json(json: &Json) -> Result<Value, JsonError> {
    JsonReader::default().read(json)
}

/// Writes a value as celd JSON.
pub fn to_json(value: &Value) -> Json {
    write_value(value, 0)
}

impl JsonReader<'_> {
    pub fn read(&self, json: &Json) -> Result<Value, JsonError> {
        let mut path = String::new();
        self.read_at(json, 0, &mut path)
    }

    /// Checks that `json` nests no deeper than the limit, without reading it.
    pub fn check_depth(&self, json: &Json) -> Result<(), JsonError> {
        self.within_limit(json, 0, "")
    }

    /// Whether this reader takes `object` as a tagged value (never in plain JSON).
    pub fn is_tagged(&self, object: &JsonMap<String, Json>) -> bool {
        self.tagged(object).is_some()
    }

    /// Reads `body` as the protobuf JSON of message type `name` (`{"singleInt64": "1"}`).
    pub fn read_protobuf_json(&self, name: &str, body: &Json) -> Result<Value, JsonError> {
        self.read_message(name, Some(body), 0, "")
    }

    /// Reads `body` as the celd JSON body of host type `type_name` (`"10.0.0.1"` for
    /// `net.IP`), if this reader knows the type.
    pub fn read_opaque_body(
        &self,
        type_name: &str,
        body: &Json,
    ) -> Option<Result<Value, JsonError>> {
        let read = self.host_types?.reader(type_name)?;
        Some(read(body).map_err(|e| error("", format!("invalid {type_name}: {e}"))))
    }

    /// Reads `json`, which sits inside `depth` arrays and objects.
    fn read_at(&self, json: &Json, depth: usize, path: &mut String) -> Result<Value, JsonError> {
        let depth = self.enter(json, depth, path)?;
        Ok(match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => read_number(n, self.dialect, path)?,
            Json::String(s) => Value::string(s),
            Json::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    values.push(self.read_at(item, depth, path)?);
                    path.truncate(len);
                }
                Value::list(values)
            }
            Json::Object(object) => match self.tagged(object) {
                Some((tag, body)) => self.read_tagged(tag, body, object, depth, path)?,
                None => {
                    let mut map = Map::with_capacity(object.len());
                    for (k, item) in object {
                        let len = path.len();
                        path.push('/');
                        path.push_str(k);
                        let value = self.read_at(item, depth, path)?;
                        path.truncate(len);
                        map.insert(Key::String(crate::Str::from(k.as_str())), value);
                    }
                    Value::map(map)
                }
            },
        })
    }

    /// The depth inside `json`: one more than `depth` for an array or object, which must stay
    /// within the limit.
    fn enter(&self, json: &Json, depth: usize, path: &str) -> Result<usize, JsonError> {
        if !matches!(json, Json::Array(_) | Json::Object(_)) {
            return Ok(depth);
        }
        if depth >= self.max_depth {
            return Err(error(
                path,
                format!("nesting deeper than {} levels", self.max_depth),
            ));
        }
        Ok(depth + 1)
    }

    /// The tag and body of a tagged value, in celd JSON.
    fn tagged<'j>(&self, object: &'j JsonMap<String, Json>) -> Option<(&'j str, &'j Json)> {
        match self.dialect {
            JsonDialect::Celd => tagged(object),
            JsonDialect::Plain => None,
        }
    }

    fn read_tagged(
        &self,
        tag: &str,
        body: &Json,
        object: &JsonMap<String, Json>,
        depth: usize,
        path: &mut String,
    ) -> Result<Value, JsonError> {
        let text = || {
            body.as_str()
                .ok_or_else(|| error(path, format!("{tag} needs a string")))
        };
        match tag {
            "$int" => read_int(body, path),
            "$uint" => read_uint(body, path),
            "$double" => read_double(body, path),
            "$bytes" => BASE64
                .decode(text()?)
                .map(|b| Value::Bytes(Arc::from(b)))
                .map_err(|e| error(path, format!("invalid base64: {e}"))),
            "$timestamp" => parse_timestamp(text()?)
                .map(Value::Timestamp)
                .map_err(|e| error(path, e.to_string())),
            "$duration" => parse_duration(text()?)
                .map(Value::Duration)
                .map_err(|e| error(path, e.to_string())),
            "$type" => Ok(Value::Type(TypeValue::named(text()?))),
            "$map" => self.read_map(body, depth, path),
            "$optional" => self.read_optional(body, depth, path),
            "$message" => self.read_message(text()?, object.get("value"), depth, path),
            "$enum" => self.read_enum(text()?, object.get("value"), path),
            _ => self.read_opaque(tag, body, path),
        }
    }

    /// `{"$net.IP": "10.0.0.1"}`: a value of a host type the reader knows.
    fn read_opaque(&self, tag: &str, body: &Json, path: &str) -> Result<Value, JsonError> {
        match self.read_opaque_body(&tag[1..], body) {
            Some(result) => result.map_err(|e| error(path, e.message)),
            None => Err(error(path, format!("unknown tag '{tag}'"))),
        }
    }

    fn read_map(&self, body: &Json, depth: usize, path: &mut String) -> Result<Value, JsonError> {
        let Some(entries) = body.as_array() else {
            return Err(error(path, "$map needs an array of [key, value] pairs"));
        };
        let depth = self.enter(body, depth, path)?;
        let mut map = Map::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let len = path.len();
            path.push_str(&format!("/$map/{i}"));
            let Some([k, v]) = entry.as_array().map(Vec::as_slice) else {
                return Err(error(path, "expected a [key, value] pair"));
            };
            let depth = self.enter(entry, depth, path)?;
            let key = self.read_at(k, depth, path)?;
            let key = Key::from_value(&key)
                .ok_or_else(|| error(path, format!("a map key cannot be a {}", key.type_name())))?;
            let value = self.read_at(v, depth, path)?;
            if !map.insert_new(key, value) {
                return Err(error(path, "duplicate map key"));
            }
            path.truncate(len);
        }
        Ok(Value::map(map))
    }

    fn read_optional(
        &self,
        body: &Json,
        depth: usize,
        path: &mut String,
    ) -> Result<Value, JsonError> {
        match body.as_array().map(Vec::as_slice) {
            Some([]) => Ok(Value::Optional(None)),
            Some([inner]) => {
                let depth = self.enter(body, depth, path)?;
                let inner = self.read_at(inner, depth, path)?;
                Ok(Value::Optional(Some(Arc::new(inner))))
            }
            _ => Err(error(path, "$optional needs [] or [value]")),
        }
    }

    fn read_message(
        &self,
        name: &str,
        body: Option<&Json>,
        depth: usize,
        path: &str,
    ) -> Result<Value, JsonError> {
        if let Some(body) = body {
            self.within_limit(body, depth, path)?;
        }
        let pool = self
            .pool
            .ok_or_else(|| error(path, "messages need a descriptor set"))?;
        let desc = pool
            .get_message_by_name(name)
            .ok_or_else(|| error(path, format!("unknown message type '{name}'")))?;
        let body = body.cloned().unwrap_or(Json::Object(JsonMap::new()));
        let message = DynamicMessage::deserialize(desc, body)
            .map_err(|e| error(path, format!("invalid {name}: {e}")))?;
        Ok(Value::Message(Arc::new(message)))
    }

    /// Checks that `json`, inside `depth` levels, nests no deeper than the limit (for bodies
    /// read by others, such as protobuf JSON).
    fn within_limit(&self, json: &Json, depth: usize, path: &str) -> Result<(), JsonError> {
        let mut stack = vec![(json, depth)];
        while let Some((json, depth)) = stack.pop() {
            let inner = self.enter(json, depth, path)?;
            match json {
                Json::Array(items) => stack.extend(items.iter().map(|i| (i, inner))),
                Json::Object(object) => stack.extend(object.values().map(|v| (v, inner))),
                _ => {}
            }
        }
        Ok(())
    }

    /// `{"$enum": "pkg.Color", "value": 2}`: a typed enum value (any int32 number).
    fn read_enum(&self, name: &str, body: Option<&Json>, path: &str) -> Result<Value, JsonError> {
        let pool = self
            .pool
            .ok_or_else(|| error(path, "enum values need a descriptor set"))?;
        let desc = pool
            .get_enum_by_name(name)
            .ok_or_else(|| error(path, format!("unknown enum type '{name}'")))?;
        let number = body
            .and_then(Json::as_i64)
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| error(path, "$enum needs a \"value\" that is an int32 number"))?;
        Ok(EnumValue::new(desc, number).into_value())
    }
}

/// A one-key object whose key starts with `$` (plus `value` for messages and enums) is a
/// tagged value.
fn tagged(object: &JsonMap<String, Json>) -> Option<(&str, &Json)> {
    let mut keys = object.iter();
    let (first, body) = keys.next()?;
    match (object.len(), first.as_str()) {
        (1, tag) if tag.starts_with('$') => Some((tag, body)),
        (2, _) if object.contains_key("value") => ["$message", "$enum"]
            .into_iter()
            .find_map(|tag| object.get(tag).map(|b| (tag, b))),
        _ => None,
    }
}

fn read_number(n: &Number, dialect: JsonDialect, path: &str) -> Result<Value, JsonError> {
    if let Some(i) = n.as_i64() {
        Ok(Value::Int(i))
    } else if let (Some(u), JsonDialect::Plain) = (n.as_u64(), dialect) {
        Ok(Value::Uint(u))
    } else if n.is_u64() {
        Err(error(
            path,
            "integer out of int range; write {\"$uint\": \"...\"} for a uint",
        ))
    } else {
        Ok(Value::Double(n.as_f64().unwrap_or(f64::NAN)))
    }
}

fn read_int(body: &Json, path: &str) -> Result<Value, JsonError> {
    let parsed = match body {
        Json::String(s) => s.parse::<i64>().ok(),
        Json::Number(n) => n.as_i64(),
        _ => None,
    };
    parsed
        .map(Value::Int)
        .ok_or_else(|| error(path, "$int needs an integer in int range"))
}

fn read_uint(body: &Json, path: &str) -> Result<Value, JsonError> {
    let parsed = match body {
        Json::String(s) => s.parse::<u64>().ok(),
        Json::Number(n) => n.as_u64(),
        _ => None,
    };
    parsed
        .map(Value::Uint)
        .ok_or_else(|| error(path, "$uint needs an integer in uint range"))
}

fn read_double(body: &Json, path: &str) -> Result<Value, JsonError> {
    let parsed = match body {
        Json::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            other => other.parse::<f64>().ok(),
        },
        Json::Number(n) => n.as_f64(),
        _ => None,
    };
    parsed.map(Value::Double).ok_or_else(|| {
        error(
            path,
            "$double needs a number, \"NaN\", \"Infinity\" or \"-Infinity\"",
        )
    })
}

/// Checks, before a JSON text is parsed, that its arrays and objects nest no deeper than
/// `max_depth`: a parser that recurses (serde_json's) then cannot exhaust the stack, and a
/// document too deep gets this error rather than the parser's. The error names the line and
/// column where the limit was passed. Text that is not JSON passes; the parser reports it.
pub fn check_nesting(text: &[u8], max_depth: usize) -> Result<(), JsonError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, &byte) in text.iter().enumerate() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    let (line, column) = line_and_column(text, offset);
                    return Err(JsonError {
                        path: String::new(),
                        message: format!(
                            "JSON nested deeper than {max_depth} levels at line {line} column {column}"
                        ),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn line_and_column(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

fn error(path: &str, message: impl Into<String>) -> JsonError {
    JsonError {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn tag(name: &str, body: Json) -> Json {
    let mut object = JsonMap::with_capacity(1);
    object.insert(name.to_owned(), body);
    Json::Object(object)
}

/// Values nested deeper than this are written as `{"$error": "nesting too deep"}`.
const MAX_WRITE_DEPTH: usize = 512;

fn write_value(value: &Value, depth: usize) -> Json {
    if depth > MAX_WRITE_DEPTH {
        return tag("$error", Json::String("nesting too deep".into()));
    }
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(i) => Json::from(*i),
        Value::Int(i) => tag("$int", Json::String(i.to_string())),
        Value::Uint(u) => tag("$uint", Json::String(u.to_string())),
        Value::Double(d) => match Number::from_f64(*d) {
            Some(n) => Json::Number(n),
            None => tag("$double", Json::String(non_finite_name(*d).into())),
        },
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => tag("$bytes", Json::String(BASE64.encode(b))),
        Value::List(items) => {
            Json::Array(items.iter().map(|v| write_value(v, depth + 1)).collect())
        }
        Value::Map(map) => write_map(map, depth),
        Value::Timestamp(t) => tag("$timestamp", Json::String(format_timestamp(*t))),
        Value::Duration(d) => tag("$duration", Json::String(format_duration(*d))),
        Value::Type(t) => tag("$type", Json::String(t.name().to_owned())),
        Value::Message(m) => write_message(m),
        Value::Optional(inner) => tag(
            "$optional",
            Json::Array(inner.iter().map(|v| write_value(v, depth + 1)).collect()),
        ),
        Value::Opaque(o) => match EnumValue::of(value) {
            Some(e) => write_enum(e),
            None => tag(
                &format!("${}", o.type_name()),
                o.to_json()
                    .unwrap_or_else(|| Json::String(value.to_string())),
            ),
        },
    }
}

fn non_finite_name(d: f64) -> &'static str {
    if d.is_nan() {
        "NaN"
    } else if d > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// A map with string keys is an object, unless the object would read back as a tagged
/// value (`{"$uint": "3"}` as a map): then, like maps with other keys, `{"$map": [...]}`.
fn write_map(map: &Map, depth: usize) -> Json {
    let all_string_keys = map.keys().all(|k| matches!(k, Key::String(_)));
    if all_string_keys {
        let object: JsonMap<String, Json> = map
            .iter()
            .filter_map(|(k, v)| match k {
                Key::String(s) => Some((s.to_string(), write_value(v, depth + 1))),
                _ => None,
            })
            .collect();
        if tagged(&object).is_none() {
            return Json::Object(object);
        }
    }
    let pairs = map
        .iter()
        .map(|(k, v)| {
            Json::Array(vec![
                write_value(&k.to_value(), depth + 1),
                write_value(v, depth + 1),
            ])
        })
        .collect();
    tag("$map", Json::Array(pairs))
}

fn write_message(m: &DynamicMessage) -> Json {
    let mut object = JsonMap::with_capacity(2);
    object.insert(
        "$message".to_owned(),
        Json::String(m.descriptor().full_name().to_owned()),
    );
    let mut body = serde_json::to_value(m).unwrap_or(Json::Null);
    write_non_finite_wrappers(m, &mut body);
    object.insert("value".to_owned(), body);
    Json::Object(object)
}

/// prost-reflect writes a `FloatValue` or `DoubleValue` holding NaN or an infinity as `null`
/// (which reads back as no value at all); protobuf JSON writes `"NaN"`, `"Infinity"`,
/// `"-Infinity"`, as it does for plain float fields. Rewrites those in `json`, the
/// serialization of `m`, wherever they are: fields, extensions, lists, maps and `Any`.
fn write_non_finite_wrappers(m: &DynamicMessage, json: &mut Json) {
    let Json::Object(object) = json else { return };
    if m.descriptor().full_name() == "google.protobuf.Any" {
        let Ok(inner) = crate::proto::unpack_any(m) else {
            return;
        };
        match non_finite_wrapper(&inner) {
            Some(text) => {
                object.insert("value".to_owned(), Json::String(text.to_owned()));
            }
            None => write_non_finite_wrappers(&inner, json),
        }
        return;
    }
    for (field, value) in m.fields() {
        if let Some(child) = object.get_mut(field.json_name()) {
            write_non_finite_in(value, child);
        }
    }
    for (ext, value) in m.extensions() {
        if let Some(child) = object.get_mut(ext.json_name()) {
            write_non_finite_in(value, child);
        }
    }
}

fn write_non_finite_in(value: &prost_reflect::Value, json: &mut Json) {
    use prost_reflect::{MapKey, Value as Pb};
    match (value, json) {
        (Pb::Message(m), json) => match non_finite_wrapper(m) {
            Some(text) => *json = Json::String(text.to_owned()),
            None => write_non_finite_wrappers(m, json),
        },
        (Pb::List(items), Json::Array(array)) => {
            for (item, json) in items.iter().zip(array) {
                write_non_finite_in(item, json);
            }
        }
        (Pb::Map(map), Json::Object(object)) => {
            for (key, item) in map {
                let key = match key {
                    MapKey::String(s) => s.clone(),
                    MapKey::Bool(b) => b.to_string(),
                    MapKey::I32(n) => n.to_string(),
                    MapKey::I64(n) => n.to_string(),
                    MapKey::U32(n) => n.to_string(),
                    MapKey::U64(n) => n.to_string(),
                };
                if let Some(json) = object.get_mut(&key) {
                    write_non_finite_in(item, json);
                }
            }
        }
        _ => {}
    }
}

/// The protobuf JSON text of a float or double wrapper holding a non-finite number.
fn non_finite_wrapper(m: &DynamicMessage) -> Option<&'static str> {
    let number = match m.descriptor().full_name() {
        "google.protobuf.FloatValue" => m.get_field_by_number(1)?.as_f32().map(f64::from)?,
        "google.protobuf.DoubleValue" => m.get_field_by_number(1)?.as_f64()?,
        _ => return None,
    };
    (!number.is_finite()).then(|| non_finite_name(number))
}

fn write_enum(e: &EnumValue) -> Json {
    let mut object = JsonMap::with_capacity(2);
    object.insert("$enum".to_owned(), Json::String(e.enum_name().to_owned()));
    object.insert("value".to_owned(), Json::from(e.number()));
    Json::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(json: Json) -> Json {
        to_json(&from_json(&json).expect("valid celd JSON"))
    }

    #[test]
    fn plain_json_keeps_its_meaning() {
        let doc = json!({"a": [1, 2.5, "s", null, true], "b": {}});
        assert_eq!(round_trip(doc.clone()), doc);
        assert!(matches!(from_json(&json!(3)).unwrap(), Value::Int(3)));
        assert!(matches!(from_json(&json!(3.0)).unwrap(), Value::Double(_)));
    }

    #[test]
    fn tagged_values_round_trip() {
        for doc in [
            json!({"$int": "9223372036854775807"}),
            json!({"$uint": "18446744073709551615"}),
            json!({"$double": "NaN"}),
            json!({"$double": "-Infinity"}),
            json!({"$bytes": "AAE="}),
            json!({"$timestamp": "2024-01-01T00:00:00Z"}),
            json!({"$duration": "1.5s"}),
            json!({"$type": "int"}),
            json!({"$map": [[1, "one"], [true, "yes"]]}),
            json!({"$optional": [1]}),
            json!({"$optional": []}),
        ] {
            assert_eq!(round_trip(doc.clone()), doc);
        }
    }

    #[test]
    fn small_ints_are_plain_numbers_and_big_ones_strings() {
        assert_eq!(
            to_json(&Value::Int(1 << 53)),
            json!({"$int": "9007199254740992"})
        );
        assert_eq!(to_json(&Value::Int(-(1 << 52))), json!(-(1i64 << 52)));
        assert_eq!(to_json(&Value::Double(3.0)).to_string(), "3.0");
    }

    #[test]
    fn errors_name_the_path() {
        let err = from_json(&json!({"a": [1, {"$uint": -1}]})).unwrap_err();
        assert_eq!(err.path, "/a/1");
        let err = from_json(&json!({"$nope": 1})).unwrap_err();
        assert_eq!(err.message, "unknown tag '$nope'");
        let err = from_json(&json!({"$map": [[1.5, 2]]})).unwrap_err();
        assert_eq!(err.message, "a map key cannot be a double");
        let err = from_json(&json!(18446744073709551615u64)).unwrap_err();
        assert!(err.message.contains("$uint"), "{err}");
    }

    fn nested_arrays(levels: usize) -> Json {
        let mut doc = json!(1);
        for _ in 0..levels {
            doc = json!([doc]);
        }
        doc
    }

    #[test]
    fn nesting_is_bounded_at_128_levels_as_json_counts_them() {
        assert!(from_json(&nested_arrays(128)).is_ok());
        let err = from_json(&nested_arrays(129)).unwrap_err();
        assert_eq!(err.message, "nesting deeper than 128 levels");
        // Tagged forms count as written: `{"$optional": [...]}` is two levels.
        let mut doc = nested_arrays(126);
        assert!(from_json(&json!({"$optional": [doc.clone()]})).is_ok());
        doc = json!([doc]);
        assert!(from_json(&json!({"$optional": [doc]})).is_err());
    }

    #[test]
    fn text_nesting_is_checked_before_parsing() {
        let deep = "[".repeat(300);
        let err = check_nesting(deep.as_bytes(), 256).unwrap_err();
        assert_eq!(
            err.message,
            "JSON nested deeper than 256 levels at line 1 column 257"
        );
        let quoted = format!("{{\"a\": \"{deep}\\\"\"}}");
        assert!(check_nesting(quoted.as_bytes(), 2).is_ok());
        assert!(check_nesting(b"[[1], [2], {\"a\": [3]}]", 3).is_ok());
    }

    #[test]
    fn maps_that_would_read_as_tags_are_written_as_map_pairs() {
        for doc in [
            json!({"$map": [["$uint", "3"]]}),
            json!({"$map": [["$message", "x"], ["value", 1]]}),
            json!({"$map": [["$foo", {"$map": [["$bar", 1]]}]]}),
        ] {
            assert_eq!(round_trip(doc.clone()), doc);
        }
        let map = JsonReader {
            dialect: JsonDialect::Plain,
            ..JsonReader::default()
        }
        .read(&json!({"$uint": "3"}))
        .unwrap();
        assert_eq!(to_json(&map), json!({"$map": [["$uint", "3"]]}));
        // Two keys, one of them `$`-tagged, read and write as a plain object.
        assert_eq!(
            round_trip(json!({"$a": 1, "b": 2})),
            json!({"$a": 1, "b": 2})
        );
    }

    /// A message with float wrappers everywhere protobuf JSON can hold one.
    fn wrapper_pool() -> DescriptorPool {
        struct Inline;
        impl protox::file::FileResolver for Inline {
            fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
                match name {
                    "w.proto" => protox::file::File::from_source(
                        name,
                        "syntax = \"proto3\"; package w;\n\
                         import \"google/protobuf/wrappers.proto\";\n\
                         import \"google/protobuf/any.proto\";\n\
                         message M { google.protobuf.FloatValue f = 1;\n\
                         repeated google.protobuf.DoubleValue ds = 2;\n\
                         map<int32, google.protobuf.DoubleValue> by_id = 3;\n\
                         M child = 4; google.protobuf.Any any = 5; }",
                    ),
                    _ => Err(protox::Error::file_not_found(name)),
                }
            }
        }
        let mut resolver = protox::file::ChainFileResolver::new();
        resolver.add(Inline);
        resolver.add(protox::file::GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.open_file("w.proto").expect("compiles");
        compiler.descriptor_pool()
    }

    #[test]
    fn non_finite_wrappers_are_written_as_protobuf_json_names() {
        let pool = wrapper_pool();
        let desc = pool.get_message_by_name("w.M").unwrap();
        let any_float = "[type.googleapis.com/google.protobuf.FloatValue] { value: -inf }";
        let text = format!(
            "f {{ value: inf }} ds {{ value: nan }} ds {{ value: 1.5 }} \
             by_id {{ key: 7 value {{ value: -inf }} }} child {{ f {{ value: nan }} }} \
             any {{ {any_float} }}"
        );
        let message = DynamicMessage::parse_text_format(desc, &text).unwrap();
        let json = to_json(&Value::Message(Arc::new(message.clone())));
        assert_eq!(
            json["value"],
            json!({
                "f": "Infinity", "ds": ["NaN", 1.5], "byId": {"7": "-Infinity"},
                "child": {"f": "NaN"},
                "any": {"@type": "type.googleapis.com/google.protobuf.FloatValue", "value": "-Infinity"}
            })
        );
        let reader = JsonReader {
            pool: Some(&pool),
            ..JsonReader::default()
        };
        let Value::Message(read) = reader.read(&json).unwrap() else {
            panic!("a message")
        };
        let f = read.get_field_by_name("f").unwrap();
        let f = f.as_message().unwrap().get_field_by_number(1).unwrap();
        assert_eq!(f.as_f32(), Some(f32::INFINITY));
    }

    #[test]
    fn doubles_read_from_text_exactly() {
        // Without serde_json's exact float parsing these read back one ulp off.
        for d in [
            1.3799999999999998e-23,
            -5.4300000000000006e-21,
            6.999999999999999e23,
        ] {
            let text = to_json(&Value::Double(d)).to_string();
            let json: Json = serde_json::from_str(&text).unwrap();
            let read = from_json(&json).unwrap();
            assert_eq!(
                read.as_double().map(f64::to_bits),
                Some(d.to_bits()),
                "{text}"
            );
        }
    }

    #[test]
    fn plain_json_has_no_tags() {
        let reader = JsonReader {
            dialect: JsonDialect::Plain,
            ..JsonReader::default()
        };
        let v = reader
            .read(&json!({"$bytes": "AAE=", "n": 18446744073709551615u64}))
            .unwrap();
        let Value::Map(map) = v else { panic!("a map") };
        assert!(matches!(map.get_str("$bytes"), Some(Value::String(_))));
        assert_eq!(map.get_str("n"), Some(&Value::Uint(u64::MAX)));
    }
}
