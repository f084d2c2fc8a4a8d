//! Equality and ordering: CEL's heterogeneous equality and numeric comparison across int, uint and double.

use std::cmp::Ordering;

use crate::list::ListEquality;
use crate::{EvalError, Result, Value};

/// Compares an int with a double as the reference implementation does: the int is
/// converted to a double first, so `9223372036854775807 == 9223372036854775808.0`.
/// `None` when the double is NaN.
pub fn cmp_int_double(i: i64, d: f64) -> Option<Ordering> {
    (i as f64).partial_cmp(&d)
}

/// Compares a uint with a double after converting the uint to a double.
pub fn cmp_uint_double(u: u64, d: f64) -> Option<Ordering> {
    (u as f64).partial_cmp(&d)
}

pub fn cmp_int_uint(i: i64, u: u64) -> Ordering {
    if i < 0 {
        Ordering::Less
    } else {
        (i as u64).cmp(&u)
    }
}

/// Orders two values of comparable types. `Ok(None)` means unordered (a NaN is involved);
/// an error means the types cannot be compared.
pub fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>> {
    use Value::*;
    Ok(match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Uint(x), Uint(y)) => Some(x.cmp(y)),
        (Double(x), Double(y)) => x.partial_cmp(y),
        (Int(x), Uint(y)) => Some(cmp_int_uint(*x, *y)),
        (Uint(x), Int(y)) => Some(cmp_int_uint(*y, *x).reverse()),
        (Int(x), Double(y)) => cmp_int_double(*x, *y),
        (Double(x), Int(y)) => cmp_int_double(*y, *x).map(Ordering::reverse),
        (Uint(x), Double(y)) => cmp_uint_double(*x, *y),
        (Double(x), Uint(y)) => cmp_uint_double(*y, *x).map(Ordering::reverse),
        (String(x), String(y)) => Some(x.cmp(y)),
        (Bytes(x), Bytes(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Timestamp(x), Timestamp(y)) => Some(x.cmp(y)),
        (Duration(x), Duration(y)) => Some(x.cmp(y)),
        (Opaque(x), Opaque(y)) if x.type_name() == y.type_name() => match x.compare(y.as_ref()) {
            Some(order) => Some(order),
            None => return Err(unordered(a, b)),
        },
        _ => return Err(unordered(a, b)),
    })
}

/// The error for two values without an order between them.
#[cold]
fn unordered(a: &Value, b: &Value) -> EvalError {
    EvalError::no_such_overload("_<_", &[&a.type_name(), &b.type_name()])
}

/// CEL equality (`==`): numbers compare by value across types, containers element-wise,
/// values of different types are unequal (never an error).
pub fn equals(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Null, Null) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Uint(x), Uint(y)) => x == y,
        (Double(x), Double(y)) => x == y,
        (Int(_) | Uint(_) | Double(_), Int(_) | Uint(_) | Double(_)) => {
            matches!(compare(a, b), Ok(Some(Ordering::Equal)))
        }
        (String(x), String(y)) => x == y,
        (Bytes(x), Bytes(y)) => x == y,
        (List(x), List(y)) => std::sync::Arc::ptr_eq(x, y) || lists_equal(x, y),
        (Map(x), Map(y)) => {
            std::sync::Arc::ptr_eq(x, y)
                || (x.len() == y.len()
                    && x.iter()
                        .all(|(k, v)| y.get(k.as_ref()).is_some_and(|other| equals(v, other))))
        }
        (Timestamp(x), Timestamp(y)) => x == y,
        (Duration(x), Duration(y)) => x == y,
        (Type(x), Type(y)) => x == y,
        (Message(x), Message(y)) => crate::convert::messages_equal(x, y),
        (Optional(x), Optional(y)) => match (x, y) {
            (None, None) => true,
            (Some(p), Some(q)) => equals(p, q),
            _ => false,
        },
        (Opaque(x), Opaque(y)) => x.equals(y.as_ref()),
        _ => false,
    }
}

/// List equality as the left list's [`ListEquality`] says.
fn lists_equal(x: &crate::List, y: &crate::List) -> bool {
    if x.len() != y.len() {
        return false;
    }
    match x.equality() {
        ListEquality::Ordered => x.iter().zip(y.iter()).all(|(p, q)| equals(p, q)),
        ListEquality::Set => match (string_set(x), string_set(y)) {
            // Set lists are usually strings: compared by hashing, not pair by pair.
            (Some(xs), Some(ys)) => ys.iter().all(|q| xs.contains(q)),
            _ => y.iter().all(|q| x.iter().any(|p| equals(p, q))),
        },
        ListEquality::Map(keys) => match string_keyed(x, keys) {
            Some(by_key) => y.iter().all(|q| {
                string_key(q, keys)
                    .and_then(|k| by_key.get(&k))
                    .is_some_and(|p| equals(p, q))
            }),
            None => y.iter().all(|q| {
                x.iter()
                    .find(|p| same_keys(p, q, keys))
                    .is_some_and(|p| equals(p, q))
            }),
        },
    }
}

/// The elements as a hash set, when all are strings.
fn string_set(list: &crate::List) -> Option<std::collections::HashSet<&str>> {
    list.iter()
        .map(|v| match v {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

/// A map-list element's key, when every key field is a string.
fn string_key<'v>(v: &'v Value, keys: &[Box<str>]) -> Option<Vec<&'v str>> {
    keys.iter()
        .map(|k| match key_field(v, k) {
            Some(Value::String(s)) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

/// The elements of a map list by key, when every key is made of strings.
fn string_keyed<'v>(
    list: &'v crate::List,
    keys: &[Box<str>],
) -> Option<std::collections::HashMap<Vec<&'v str>, &'v Value>> {
    list.iter()
        .map(|v| Some((string_key(v, keys)?, v)))
        .collect()
}

/// Whether two map-list elements have equal values (or both none) for every key field.
fn same_keys(p: &Value, q: &Value, keys: &[Box<str>]) -> bool {
    keys.iter()
        .all(|k| match (key_field(p, k), key_field(q, k)) {
            (Some(a), Some(b)) => equals(a, b),
            (None, None) => true,
            _ => false,
        })
}

fn key_field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    match v {
        Value::Map(m) => m.get_str(key),
        _ => None,
    }
}

impl PartialEq for Value {
    /// CEL equality; note that `NaN != NaN`, so this is not `Eq`.
    fn eq(&self, other: &Value) -> bool {
        equals(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_lists_compare_as_their_left_operand_says() {
        use crate::{Key, List, ListEquality, Map};
        use std::sync::Arc;
        let ints = |xs: &[i64]| List::new(xs.iter().map(|&x| Value::Int(x)).collect());
        let typed = |xs: &[i64], eq| Value::List(Arc::new(ints(xs).with_equality(eq)));
        let set = typed(&[1, 2], ListEquality::Set);
        let reversed = Value::List(Arc::new(ints(&[2, 1])));
        assert!(equals(&set, &reversed));
        // The left operand decides: an ordered list is not equal to a reordered set.
        assert!(!equals(&reversed, &typed(&[1, 2], ListEquality::Set)));
        assert!(!equals(&set, &Value::List(Arc::new(ints(&[1, 3])))));
        assert!(!equals(&set, &Value::List(Arc::new(ints(&[1, 2, 2])))));
        // Strings are compared by hashing.
        let strings = |xs: &[&str]| List::new(xs.iter().map(|&x| Value::from(x)).collect());
        let tags = Value::List(Arc::new(
            strings(&["a", "b"]).with_equality(ListEquality::Set),
        ));
        assert!(equals(&tags, &Value::List(Arc::new(strings(&["b", "a"])))));
        assert!(!equals(&tags, &Value::List(Arc::new(strings(&["a", "c"])))));
        let item = |name: &str, port: i64| {
            let mut m = Map::with_capacity(2);
            m.insert(Key::String("name".into()), Value::from(name));
            m.insert(Key::String("port".into()), Value::Int(port));
            Value::map(m)
        };
        let keys: Arc<[Box<str>]> = vec!["name".into()].into();
        let ports = |items: Vec<Value>| {
            Value::List(Arc::new(
                List::new(items).with_equality(ListEquality::Map(keys.clone())),
            ))
        };
        let old = ports(vec![item("http", 80), item("dns", 53)]);
        assert!(equals(
            &old,
            &Value::list(vec![item("dns", 53), item("http", 80)])
        ));
        assert!(!equals(
            &old,
            &Value::list(vec![item("dns", 54), item("http", 80)])
        ));
        assert!(!equals(
            &old,
            &Value::list(vec![item("dns", 53), item("web", 80)])
        ));
    }

    #[test]
    fn int_double_comparison_converts_the_int() {
        const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
        assert_eq!(cmp_int_double(i64::MAX, TWO_POW_63), Some(Ordering::Equal));
        assert_eq!(
            cmp_int_double(i64::MAX, 9_223_372_036_854_777_856.0),
            Some(Ordering::Less)
        );
        assert_eq!(cmp_int_double(1, 1.5), Some(Ordering::Less));
        assert_eq!(cmp_int_double(-1, -1.5), Some(Ordering::Greater));
        assert_eq!(cmp_int_double(0, f64::NAN), None);
        assert_eq!(cmp_uint_double(3, 3.0), Some(Ordering::Equal));
        assert_eq!(cmp_uint_double(0, -0.5), Some(Ordering::Greater));
    }

    #[test]
    fn heterogeneous_equality() {
        assert!(equals(&Value::Int(1), &Value::Uint(1)));
        assert!(equals(&Value::Int(1), &Value::Double(1.0)));
        assert!(!equals(&Value::Int(-1), &Value::Uint(u64::MAX)));
        assert!(!equals(&Value::Int(1), &Value::string("1")));
        assert!(!equals(&Value::Double(f64::NAN), &Value::Double(f64::NAN)));
        assert!(equals(
            &Value::list(vec![Value::Int(1)]),
            &Value::list(vec![Value::Double(1.0)])
        ));
    }
}
