//! The `/v1/eval` response body, written straight from the value as celd JSON into a buffer
//! bounded while it is written: a list of 20,000 references to one 900 KB string would be
//! 18 GB of JSON, so the size is counted as bytes are produced and writing stops at the
//! limit, instead of building a JSON tree first (which copies every shared part) and
//! measuring it after.
//!
//! The bytes are those of `serde_json::to_vec(&EvalResponse { value: to_json(v), .. })`: the
//! same forms, and object keys in the same (sorted) order.

use std::io;

use celd::Value;
use celd::layers::value::json::to_json;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::api::Ran;
use crate::explain::{DumpBody, EstimateBody};

/// Values nested deeper than this are written as `{"$error": "nesting too deep"}` (as
/// `to_json` does).
const MAX_WRITE_DEPTH: usize = 512;

/// The body would pass its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge {
    pub limit: usize,
}

/// `{"value": <value>, "type": <ty>}` and what the request asked explained (`cost`,
/// `estimate`, `dump`), at most `limit` bytes.
pub fn eval_body((value, ty, explained): &Ran, limit: usize) -> Result<Vec<u8>, TooLarge> {
    let mut out = Bounded {
        bytes: Vec::new(),
        limit,
    };
    let result = serde_json::to_writer(
        &mut out,
        &Body {
            value: Celd(value, 0),
            ty,
            cost: explained.cost,
            estimate: explained.estimate.as_ref(),
            dump: explained.dump.as_ref(),
        },
    );
    match result {
        Ok(()) => Ok(out.bytes),
        // Writing into memory fails only at the limit; serializing never fails otherwise.
        Err(_) => Err(TooLarge { limit }),
    }
}

/// A buffer that refuses to grow past its limit.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
}

impl io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            return Err(io::Error::other("response limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(serde::Serialize)]
struct Body<'a> {
    value: Celd<'a>,
    #[serde(rename = "type")]
    ty: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<&'a EstimateBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dump: Option<&'a DumpBody>,
}

/// A value written as celd JSON: lists, maps and optionals element by element; strings as
/// they are; every other value through `to_json` (small, or as large as the memory it
/// really holds).
struct Celd<'a>(&'a Value, usize);

impl Serialize for Celd<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Celd(value, depth) = *self;
        if depth > MAX_WRITE_DEPTH {
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry("$error", "nesting too deep")?;
            return map.end();
        }
        match value {
            Value::String(text) => s.serialize_str(text),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(&Celd(item, depth + 1))?;
                }
                seq.end()
            }
            Value::Optional(inner) => {
                let mut map = s.serialize_map(Some(1))?;
                let items: Vec<Celd<'_>> =
                    inner.iter().map(|v| Celd(v.as_ref(), depth + 1)).collect();
                map.serialize_entry("$optional", &items)?;
                map.end()
            }
            Value::Map(map) => write_map(map, depth, s),
            leaf => to_json(leaf).serialize(s),
        }
    }
}

fn write_map<S: Serializer>(map: &celd::Map, depth: usize, s: S) -> Result<S::Ok, S::Error> {
    use celd::Key;
    let string_keys: Option<Vec<(&str, &Value)>> = map
        .iter()
        .map(|(k, v)| match k {
            Key::String(name) => Some((name.as_str(), v)),
            _ => None,
        })
        .collect();
    match string_keys {
        Some(mut entries) => {
            // `to_json` builds a sorted map: the same order here.
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let mut out = s.serialize_map(Some(entries.len()))?;
            for (k, v) in entries {
                out.serialize_entry(k, &Celd(v, depth + 1))?;
            }
            out.end()
        }
        None => {
            let mut out = s.serialize_map(Some(1))?;
            let pairs: Vec<(Value, &Value)> = map.iter().map(|(k, v)| (k.to_value(), v)).collect();
            let pairs: Vec<Pair<'_>> = pairs.iter().map(|(k, v)| Pair(k, v, depth + 1)).collect();
            out.serialize_entry("$map", &pairs)?;
            out.end()
        }
    }
}

/// A `$map` entry: `[key, value]`.
struct Pair<'a>(&'a Value, &'a Value, usize);

impl Serialize for Pair<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(2))?;
        seq.serialize_element(&Celd(self.0, self.2))?;
        seq.serialize_element(&Celd(self.1, self.2))?;
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{EvalResponse, Explanation};

    fn value(text: &str) -> Value {
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        celd::layers::value::json::from_json(&json).unwrap()
    }

    fn ran(value: &Value, ty: &str) -> Ran {
        (value.clone(), ty.to_owned(), Explanation::default())
    }

    #[test]
    fn bytes_are_those_of_the_json_tree() {
        let values = [
            r#"{"b": [1, 2.5, "s", null, true], "a": {"$uint": "3"}, "c": {}}"#,
            r#"{"$map": [[1, "one"], [true, {"$bytes": "AAE="}]]}"#,
            r#"{"$optional": [{"$timestamp": "2024-01-01T00:00:00Z"}]}"#,
            r#"{"$optional": []}"#,
            r#"[{"$int": "9007199254740993"}, {"$double": "NaN"}, {"$duration": "1.5s"}]"#,
            r#""a \"quoted\"\n string é""#,
            r#"[[[]], {"z": {"y": [{"$type": "int"}]}}]"#,
        ];
        for text in values {
            let v = value(text);
            let tree = serde_json::to_vec(&EvalResponse {
                value: to_json(&v),
                ty: "dyn".into(),
                cost: None,
                estimate: None,
                dump: None,
            })
            .unwrap();
            assert_eq!(eval_body(&ran(&v, "dyn"), 1 << 20).unwrap(), tree, "{text}");
        }
    }

    #[test]
    fn shared_parts_count_each_time_they_are_written() {
        let big = Value::from("x".repeat(100_000));
        let list = Value::list(vec![big; 1000]);
        assert_eq!(
            eval_body(&ran(&list, "list(string)"), 1 << 20),
            Err(TooLarge { limit: 1 << 20 })
        );
        let body = eval_body(&ran(&list, "list(string)"), 200 << 20).unwrap();
        assert!(body.len() > 100_000_000);
    }
}
