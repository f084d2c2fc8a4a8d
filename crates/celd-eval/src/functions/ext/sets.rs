//! The sets extension: lists treated as sets under CEL equality (`1`, `1u` and `1.0` are the
//! same element).

use celd_value::{Result, Value};

use super::hashed::ValueSet;
use crate::functions::{Registry, no_such_overload};

pub fn register(r: &mut Registry) {
    r.binary("sets.contains", |a, b| {
        with_lists("sets.contains", a, b, contains_all)
    });
    r.binary("sets.equivalent", |a, b| {
        with_lists("sets.equivalent", a, b, |a, b| {
            contains_all(a, b) && contains_all(b, a)
        })
    });
    r.binary("sets.intersects", |a, b| {
        with_lists("sets.intersects", a, b, |a, b| {
            let set = ValueSet::from_values(a);
            b.iter().any(|v| set.contains(v))
        })
    });
}

fn with_lists(
    name: &str,
    a: &Value,
    b: &Value,
    test: impl FnOnce(&[Value], &[Value]) -> bool,
) -> Result<Value> {
    match (a, b) {
        (Value::List(a), Value::List(b)) => Ok(Value::Bool(test(a, b))),
        _ => Err(no_such_overload(name, &[a.clone(), b.clone()])),
    }
}

/// Whether every element of `b` equals some element of `a`.
fn contains_all(a: &[Value], b: &[Value]) -> bool {
    if b.is_empty() {
        return true;
    }
    let set = ValueSet::from_values(a);
    b.iter().all(|v| set.contains(v))
}
