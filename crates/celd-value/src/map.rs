//! CEL maps: keys of type int, uint, bool or string, with numeric keys equal across types.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use indexmap::{Equivalent, IndexMap};

use crate::Value;

/// A map key. `Int(1)` and `Uint(1)` are the same key, as CEL's heterogeneous equality requires.
#[derive(Clone, Debug)]
pub enum Key {
    Bool(bool),
    Int(i64),
    Uint(u64),
    String(Arc<str>),
}

/// A borrowed key for lookups that must not allocate.
#[derive(Clone, Copy, Debug)]
pub enum KeyRef<'a> {
    Bool(bool),
    Int(i64),
    Uint(u64),
    String(&'a str),
}

impl Key {
    pub fn as_ref(&self) -> KeyRef<'_> {
        match self {
            Key::Bool(b) => KeyRef::Bool(*b),
            Key::Int(i) => KeyRef::Int(*i),
            Key::Uint(u) => KeyRef::Uint(*u),
            Key::String(s) => KeyRef::String(s),
        }
    }

    /// The key a value stands for, or `None` for values that cannot be keys.
    pub fn from_value(value: &Value) -> Option<Key> {
        match value {
            Value::Bool(b) => Some(Key::Bool(*b)),
            Value::Int(i) => Some(Key::Int(*i)),
            Value::Uint(u) => Some(Key::Uint(*u)),
            Value::String(s) => Some(Key::String(s.clone())),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Key::Bool(b) => Value::Bool(*b),
            Key::Int(i) => Value::Int(*i),
            Key::Uint(u) => Value::Uint(*u),
            Key::String(s) => Value::String(s.clone()),
        }
    }
}

impl<'a> KeyRef<'a> {
    /// The key a value is looked up by: doubles with an integral value find int and uint keys.
    pub fn from_value(value: &'a Value) -> Option<KeyRef<'a>> {
        match value {
            Value::Bool(b) => Some(KeyRef::Bool(*b)),
            Value::Int(i) => Some(KeyRef::Int(*i)),
            Value::Uint(u) => Some(KeyRef::Uint(*u)),
            Value::String(s) => Some(KeyRef::String(s)),
            Value::Double(d) => double_as_key(*d),
            _ => None,
        }
    }

    /// The numeric value as an i128 so that int and uint keys compare exactly.
    fn numeric(self) -> Option<i128> {
        match self {
            KeyRef::Int(i) => Some(i as i128),
            KeyRef::Uint(u) => Some(u as i128),
            _ => None,
        }
    }

    fn same(self, other: KeyRef<'_>) -> bool {
        match (self, other) {
            (KeyRef::Bool(a), KeyRef::Bool(b)) => a == b,
            (KeyRef::String(a), KeyRef::String(b)) => a == b,
            (a, b) => matches!((a.numeric(), b.numeric()), (Some(x), Some(y)) if x == y),
        }
    }
}

fn double_as_key<'a>(d: f64) -> Option<KeyRef<'a>> {
    if d.fract() != 0.0 || !d.is_finite() {
        return None;
    }
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
    if (-TWO_POW_63..TWO_POW_63).contains(&d) {
        Some(KeyRef::Int(d as i64))
    } else if (0.0..TWO_POW_64).contains(&d) {
        Some(KeyRef::Uint(d as u64))
    } else {
        None
    }
}

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match *self {
            KeyRef::Bool(b) => {
                state.write_u8(1);
                state.write_u8(b as u8);
            }
            KeyRef::String(s) => {
                state.write_u8(2);
                s.hash(state);
            }
            KeyRef::Int(_) | KeyRef::Uint(_) => {
                state.write_u8(3);
                state.write_i128(self.numeric().unwrap_or_default());
            }
        }
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state)
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_ref().same(other.as_ref())
    }
}

impl Eq for Key {}

impl Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.same(key.as_ref())
    }
}

type Hasher_ = foldhash::fast::RandomState;

/// The entries of a CEL map, in insertion order (CEL maps are unordered; the order only makes output stable).
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: IndexMap<Key, Value, Hasher_>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    pub fn with_capacity(n: usize) -> Map {
        Map {
            entries: IndexMap::with_capacity_and_hasher(n, Hasher_::default()),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Inserts an entry; returns false (and changes nothing) if the key is already present.
    pub fn insert_new(&mut self, key: Key, value: Value) -> bool {
        match self.entries.entry(key) {
            indexmap::map::Entry::Occupied(_) => false,
            indexmap::map::Entry::Vacant(v) => {
                v.insert(value);
                true
            }
        }
    }

    /// Inserts or replaces an entry.
    pub fn insert(&mut self, key: Key, value: Value) {
        self.entries.insert(key, value);
    }

    pub fn get(&self, key: KeyRef<'_>) -> Option<&Value> {
        self.entries.get(&key)
    }

    pub fn get_str(&self, key: &str) -> Option<&Value> {
        self.entries.get(&KeyRef::String(key))
    }

    /// Looks up by a runtime value (doubles with integral values find numeric keys).
    pub fn get_value(&self, key: &Value) -> Option<&Value> {
        KeyRef::from_value(key).and_then(|k| self.get(k))
    }

    pub fn contains(&self, key: &Value) -> bool {
        self.get_value(key).is_some()
    }

    /// The entry at position `i` in iteration order.
    pub fn get_index(&self, i: usize) -> Option<(&Key, &Value)> {
        self.entries.get_index(i)
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Key, &Value)> {
        self.entries.iter()
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Key> {
        self.entries.keys()
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> {
        self.entries.values()
    }
}

impl FromIterator<(Key, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(iter: I) -> Map {
        Map {
            entries: iter.into_iter().collect(),
        }
    }
}
