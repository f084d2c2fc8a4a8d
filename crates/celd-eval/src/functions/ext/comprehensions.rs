//! `cel.@mapInsert`: the accumulator step of `transformMap` and `transformMapEntry`.
//!
//! Inserting a key that is already present is an error, as in cel-go.

use celd_value::{EvalError, Key, Map, Result, Value};

use super::limits;
use crate::functions::{Impl, Registry, no_such_overload};

const NAME: &str = "cel.@mapInsert";

pub fn register(r: &mut Registry) {
    r.add_variadic(NAME, Impl::Nary(map_insert));
}

/// `cel.@mapInsert(map, key, value)` and `cel.@mapInsert(map, entries)`.
fn map_insert(args: &[Value]) -> Result<Value> {
    match args {
        [Value::Map(map), key, value] => insert_all(map, [(key, value)]),
        [Value::Map(map), Value::Map(entries)] => {
            let keys: Vec<Value> = entries.keys().map(Key::to_value).collect();
            insert_all(map, keys.iter().zip(entries.values()))
        }
        _ => Err(no_such_overload(NAME, args)),
    }
}

/// A copy of `map` with the new entries; fails on a key already present or not usable as a key.
fn insert_all<'v>(
    map: &Map,
    entries: impl IntoIterator<Item = (&'v Value, &'v Value)>,
) -> Result<Value> {
    let mut out = map.clone();
    for (key, value) in entries {
        let Some(k) = Key::from_value(key) else {
            return Err(EvalError::invalid_argument(format!(
                "unsupported map key type: {}",
                key.type_name()
            )));
        };
        if !out.insert_new(k, value.clone()) {
            return Err(EvalError::invalid_argument(format!(
                "insert failed: key {key} already exists"
            )));
        }
    }
    if out.len() > limits().max_map_len {
        return Err(EvalError::limit(format!(
            "map exceeds the limit of {} entries",
            limits().max_map_len
        )));
    }
    Ok(Value::map(out))
}
