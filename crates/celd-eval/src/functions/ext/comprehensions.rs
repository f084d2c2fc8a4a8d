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
        [Value::Map(map), rest @ ..] => {
            let mut out = (**map).clone();
            insert_into(&mut out, rest)?;
            Ok(Value::map(out))
        }
        _ => Err(no_such_overload(NAME, args)),
    }
}

/// Inserts `key, value` or the entries of one map into `out` (the arguments of
/// `cel.@mapInsert` after the map); fails on a key already present.
pub(crate) fn insert_into(out: &mut Map, args: &[Value]) -> Result<()> {
    match args {
        [key, value] => insert_all(out, [(key, value)]),
        [Value::Map(entries)] => {
            let keys: Vec<Value> = entries.keys().map(Key::to_value).collect();
            insert_all(out, keys.iter().zip(entries.values()))
        }
        _ => {
            let mut all = vec![Value::map(out.clone())];
            all.extend_from_slice(args);
            Err(no_such_overload(NAME, &all))
        }
    }
}

/// Adds the new entries to `out`; fails on a key already present or not usable as a key.
fn insert_all<'v>(
    out: &mut Map,
    entries: impl IntoIterator<Item = (&'v Value, &'v Value)>,
) -> Result<()> {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_of(entries: &[(&str, i64)]) -> Value {
        let map: Map = entries
            .iter()
            .map(|(k, v)| (Key::String((*k).into()), Value::Int(*v)))
            .collect();
        Value::map(map)
    }

    fn message(args: &[Value]) -> Option<String> {
        map_insert(args).err().map(|e| e.message().to_owned())
    }

    #[test]
    fn inserts_a_key_or_a_map_of_entries() {
        let empty = map_of(&[]);
        let one = map_insert(&[empty.clone(), Value::string("a"), Value::Int(1)]);
        assert_eq!(one.ok(), Some(map_of(&[("a", 1)])));
        let two = map_insert(&[map_of(&[("a", 1)]), map_of(&[("b", 2)])]);
        assert_eq!(two.ok(), Some(map_of(&[("a", 1), ("b", 2)])));
    }

    #[test]
    fn errors() {
        let a = map_of(&[("a", 1)]);
        assert_eq!(
            message(&[a.clone(), Value::string("a"), Value::Int(2)]).as_deref(),
            Some("insert failed: key \"a\" already exists")
        );
        assert_eq!(
            message(&[a.clone(), a.clone()]).as_deref(),
            Some("insert failed: key \"a\" already exists")
        );
        assert_eq!(
            message(&[a.clone(), Value::Double(1.5), Value::Int(2)]).as_deref(),
            Some("unsupported map key type: double")
        );
        assert_eq!(
            message(&[Value::Int(1), Value::Int(2)]).as_deref(),
            Some("no such overload: cel.@mapInsert(int, int)")
        );
        assert!(message(&[a]).is_some());
    }
}
