//! The lists extension: `slice`, `flatten`, `sort`, `@sortByAssociatedKeys` (what the
//! `sortBy` macro expands into), `distinct`, `reverse` and `lists.range`.

use std::cmp::Ordering;

use celd_value::{EvalError, Result, Value, compare};

use super::hashed::ValueSet;
use super::{check_list_len, register_reverse};
use crate::functions::{Registry, no_such_overload};

pub fn register(r: &mut Registry) {
    r.nary("slice", 3, slice);
    r.unary("flatten", |list| flatten(list, &Value::Int(1)));
    r.binary("flatten", flatten);
    r.unary("sort", sort);
    r.binary("@sortByAssociatedKeys", sort_by_associated_keys);
    r.unary("distinct", distinct);
    r.unary("lists.range", range);
    register_reverse(r);
}

/// `list.slice(start, end)`: the elements from `start` up to (not including) `end`.
fn slice(args: &[Value]) -> Result<Value> {
    let [Value::List(items), Value::Int(start), Value::Int(end)] = args else {
        return Err(no_such_overload("slice", args));
    };
    let (start, end) = (*start, *end);
    if start < 0 || end < 0 {
        return Err(EvalError::invalid_argument(format!(
            "cannot slice({start}, {end}), negative indexes not supported"
        )));
    }
    if start > end {
        return Err(EvalError::invalid_argument(format!(
            "cannot slice({start}, {end}), start index must be less than or equal to end index"
        )));
    }
    let range = usize::try_from(start).ok().zip(usize::try_from(end).ok());
    match range.and_then(|(from, to)| items.get(from..to)) {
        Some(part) => Ok(Value::list(part.to_vec())),
        None => Err(EvalError::invalid_argument(format!(
            "cannot slice({start}, {end}), list is length {}",
            items.len()
        ))),
    }
}

/// `list.flatten()` (one level) and `list.flatten(depth)`.
fn flatten(list: &Value, depth: &Value) -> Result<Value> {
    let (Value::List(items), Value::Int(depth)) = (list, depth) else {
        return Err(no_such_overload("flatten", &[list.clone(), depth.clone()]));
    };
    let Ok(depth) = u64::try_from(*depth) else {
        return Err(EvalError::invalid_argument("level must be non-negative"));
    };
    flatten_items(items, depth).map(Value::list)
}

/// Flattens nested lists up to `depth` levels, with an explicit stack rather than recursion.
fn flatten_items(items: &[Value], depth: u64) -> Result<Vec<Value>> {
    let mut out = Vec::with_capacity(items.len());
    let mut stack = vec![(items.iter(), depth)];
    while let Some((iter, remaining)) = stack.last_mut() {
        let remaining = *remaining;
        match iter.next() {
            None => {
                stack.pop();
            }
            Some(Value::List(inner)) if remaining > 0 => stack.push((inner.iter(), remaining - 1)),
            Some(v) => {
                out.push(v.clone());
                check_list_len(out.len())?;
            }
        }
    }
    Ok(out)
}

fn sort(list: &Value) -> Result<Value> {
    match list {
        Value::List(items) => sorted_by_keys(items, items).map(Value::list),
        _ => Err(no_such_overload("sort", std::slice::from_ref(list))),
    }
}

/// `list.@sortByAssociatedKeys(keys)`: the elements of `list` in the order that sorts `keys`.
fn sort_by_associated_keys(list: &Value, keys: &Value) -> Result<Value> {
    match (list, keys) {
        (Value::List(items), Value::List(keys)) => sorted_by_keys(items, keys).map(Value::list),
        _ => Err(no_such_overload(
            "@sortByAssociatedKeys",
            &[list.clone(), keys.clone()],
        )),
    }
}

/// Sorts `items` (stably) by the element at the same position in `keys`, which must all have
/// the same comparable type.
fn sorted_by_keys(items: &[Value], keys: &[Value]) -> Result<Vec<Value>> {
    if items.len() != keys.len() {
        return Err(EvalError::invalid_argument(format!(
            "@sortByAssociatedKeys() expected a list of the same size as the associated keys list, but got {} and {} elements respectively",
            items.len(),
            keys.len()
        )));
    }
    let Some(first) = keys.first() else {
        return Ok(Vec::new());
    };
    let kind = SortKind::of(first)
        .ok_or_else(|| EvalError::invalid_argument("list elements must be comparable"))?;
    if keys.iter().any(|k| SortKind::of(k) != Some(kind)) {
        return Err(EvalError::invalid_argument(
            "list elements must have the same type",
        ));
    }
    let mut pairs: Vec<(&Value, &Value)> = keys.iter().zip(items).collect();
    pairs.sort_by(|a, b| total_order(a.0, b.0));
    Ok(pairs.into_iter().map(|(_, item)| item.clone()).collect())
}

/// The types `sort` accepts; all keys must have the same one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SortKind {
    Int,
    Uint,
    Double,
    Bool,
    String,
    Bytes,
    Timestamp,
    Duration,
}

impl SortKind {
    fn of(v: &Value) -> Option<SortKind> {
        Some(match v {
            Value::Int(_) => SortKind::Int,
            Value::Uint(_) => SortKind::Uint,
            Value::Double(_) => SortKind::Double,
            Value::Bool(_) => SortKind::Bool,
            Value::String(_) => SortKind::String,
            Value::Bytes(_) => SortKind::Bytes,
            Value::Timestamp(_) => SortKind::Timestamp,
            Value::Duration(_) => SortKind::Duration,
            _ => return None,
        })
    }
}

/// A total order on values of one sort kind: NaN sorts after every other double.
fn total_order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => x
            .partial_cmp(y)
            .unwrap_or_else(|| x.is_nan().cmp(&y.is_nan())),
        _ => compare::compare(a, b)
            .ok()
            .flatten()
            .unwrap_or(Ordering::Equal),
    }
}

/// `list.distinct()`: the first of each group of equal elements, in order.
fn distinct(list: &Value) -> Result<Value> {
    let Value::List(items) = list else {
        return Err(no_such_overload("distinct", std::slice::from_ref(list)));
    };
    let mut seen = ValueSet::with_capacity(items.len());
    let unique: Vec<Value> = items.iter().filter(|v| seen.insert(v)).cloned().collect();
    Ok(Value::list(unique))
}

/// `lists.range(n)`: `[0, 1, ..., n - 1]`.
fn range(n: &Value) -> Result<Value> {
    let Value::Int(n) = n else {
        return Err(no_such_overload("lists.range", std::slice::from_ref(n)));
    };
    let Ok(len) = usize::try_from(*n) else {
        return Err(EvalError::invalid_argument(format!(
            "lists.range: size must be non-negative, got {n}"
        )));
    };
    check_list_len(len)?;
    Ok(Value::list((0..*n).map(Value::Int).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(values: &[i64]) -> Value {
        Value::list(values.iter().copied().map(Value::Int).collect())
    }

    fn strings(values: &[&str]) -> Value {
        Value::list(values.iter().copied().map(Value::string).collect())
    }

    /// A host's smaller limit stops the list before it is built, not after.
    #[test]
    fn range_and_flatten_refuse_sizes_over_the_evaluation_limit() {
        let small = crate::Limits {
            max_list_len: 10,
            ..crate::Limits::default()
        };
        let _scope = crate::limits::SizeScope::enter(&small);
        let too_long = |r: Result<Value>| r.err().map(|e| e.message().to_owned());
        let expected = Some("list exceeds the limit of 10 elements".to_owned());
        assert_eq!(too_long(range(&Value::Int(1_000_000))), expected);
        assert_eq!(range(&Value::Int(10)).map(|l| l.weight()).ok(), Some(10));
        let nested = Value::list(vec![ints(&[1, 2, 3, 4, 5, 6]); 2]);
        assert_eq!(too_long(flatten(&nested, &Value::Int(1))), expected);
    }

    #[test]
    fn sort_by_associated_keys_orders_by_the_keys_stably() {
        let items = strings(&["foo", "bar", "baz", "qux"]);
        let sorted = sort_by_associated_keys(&items, &ints(&[3, 1, 2, 1]));
        assert_eq!(sorted.ok(), Some(strings(&["bar", "qux", "baz", "foo"])));
    }

    #[test]
    fn sort_by_associated_keys_errors() {
        let items = strings(&["a", "b"]);
        let message = |keys: Value| {
            sort_by_associated_keys(&items, &keys)
                .err()
                .map(|e| e.message().to_owned())
        };
        assert_eq!(
            message(ints(&[1])).as_deref(),
            Some(
                "@sortByAssociatedKeys() expected a list of the same size as the associated keys list, but got 2 and 1 elements respectively"
            )
        );
        assert_eq!(
            message(Value::list(vec![Value::Int(1), Value::Uint(2)])).as_deref(),
            Some("list elements must have the same type")
        );
        assert_eq!(
            message(Value::list(vec![Value::Null, Value::Null])).as_deref(),
            Some("list elements must be comparable")
        );
        assert!(sort_by_associated_keys(&items, &Value::Int(1)).is_err());
    }
}
