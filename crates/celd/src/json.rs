//! celd JSON for an environment: reading variables as their declarations direct, in celd
//! JSON or plain JSON (the reader itself, which knows the environment's message and host
//! types, is [`Env::json_reader`]).

use celd_types::Type;
use celd_value::json::{JsonDialect, JsonError, JsonReader};
use celd_value::{Key, Value};
use serde_json::Value as Json;

use crate::env::Env;

/// Reading variables as their declared types direct.
impl Env {
    /// Reads the JSON `json` given for variable `name` as its declared type directs (a
    /// variable without a declaration is `dyn`): JSON numbers widen to what is declared (`1`
    /// for a `double` is `1.0`, for a `uint` is `1u`); in plain JSON, which has no tags, strings
    /// are read as the timestamps, durations, bytes (base64) and extension values declared,
    /// objects as the declared messages (their protobuf JSON) and map keys as the declared key
    /// type. Anything else is read as `reader` reads it; whether the result fits the
    /// declaration is checked when it is inserted into an activation.
    pub fn read_variable(
        &self,
        reader: &JsonReader<'_>,
        name: &str,
        json: &Json,
    ) -> Result<Value, JsonError> {
        reader.check_depth(json)?;
        match self.variable_type(name) {
            Some(ty) => read_as(reader, json, ty),
            None => reader.read(json),
        }
    }
}

fn read_as(reader: &JsonReader<'_>, json: &Json, ty: &Type) -> Result<Value, JsonError> {
    let plain = reader.dialect == JsonDialect::Plain;
    let target = match ty {
        Type::Wrapper(p) => p.to_type(),
        ty => ty.clone(),
    };
    match (&target, json) {
        (Type::Double, Json::Number(n)) if n.is_i64() || n.is_u64() => {
            Ok(Value::Double(n.as_f64().unwrap_or(f64::NAN)))
        }
        (Type::Uint, Json::Number(n)) if n.is_u64() => Ok(Value::Uint(n.as_u64().unwrap_or(0))),
        (Type::List(elem), Json::Array(items)) => {
            let values = items
                .iter()
                .enumerate()
                .map(|(i, item)| read_as(reader, item, elem).map_err(|e| nested(e, &i.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::list(values))
        }
        (Type::Map(kv), Json::Object(object)) if !reader.is_tagged(object) => {
            let mut map = celd_value::Map::with_capacity(object.len());
            for (k, v) in object {
                let key = map_key(k, &kv.0, plain).map_err(|e| nested(e, k))?;
                let value = read_as(reader, v, &kv.1).map_err(|e| nested(e, k))?;
                map.insert(key, value);
            }
            Ok(Value::map(map))
        }
        (Type::Message(name), Json::Object(_)) if plain => reader.read_protobuf_json(name, json),
        (_, Json::String(text)) if plain => match from_text(reader, &target, text) {
            Some(result) => result,
            None => reader.read(json),
        },
        _ => reader.read(json),
    }
}

/// A plain-JSON string read as the scalar type declared for it, if it is one that has a text
/// form (timestamps, durations, bytes, extension types).
fn from_text(reader: &JsonReader<'_>, ty: &Type, text: &str) -> Option<Result<Value, JsonError>> {
    use base64::Engine;
    let invalid = |what: &str, e: &dyn std::fmt::Display| JsonError {
        path: String::new(),
        message: format!("invalid {what}: {e}"),
    };
    Some(match ty {
        Type::Timestamp => celd_value::time::parse_timestamp(text)
            .map(Value::Timestamp)
            .map_err(|e| invalid("timestamp", &e)),
        Type::Duration => celd_value::time::parse_duration(text)
            .map(Value::Duration)
            .map_err(|e| invalid("duration", &e)),
        Type::Bytes => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(|b| Value::Bytes(b.into()))
            .map_err(|e| invalid("base64", &e)),
        Type::Opaque(o) if o.params.is_empty() => {
            return reader.read_opaque_body(&o.name, &Json::String(text.to_owned()));
        }
        _ => return None,
    })
}

/// An object key as the declared key type: plain JSON writes `int`, `uint` and `bool` keys as
/// strings, as the protobuf JSON mapping does.
fn map_key(key: &str, ty: &Type, plain: bool) -> Result<Key, JsonError> {
    let parsed = match ty {
        Type::Int if plain => key.parse().ok().map(Key::Int),
        Type::Uint if plain => key.parse().ok().map(Key::Uint),
        Type::Bool if plain => key.parse().ok().map(Key::Bool),
        _ => Some(Key::String(key.into())),
    };
    parsed.ok_or_else(|| JsonError {
        path: String::new(),
        message: format!("map key '{key}' is not a {ty}"),
    })
}

fn nested(mut e: JsonError, segment: &str) -> JsonError {
    e.path = format!("/{segment}{}", e.path);
    e
}
