//! CEL maps: keys of type int, uint, bool or string, with numeric keys equal across types.

use std::hash::{Hash, Hasher};

use indexmap::{Equivalent, IndexMap};

use crate::{Str, Value};

/// A map key. `Int(1)` and `Uint(1)` are the same key, as CEL's heterogeneous equality requires.
#[derive(Clone, Debug)]
pub enum Key {
    Bool(bool),
    Int(i64),
    Uint(u64),
    String(Str),
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
    /// Whether this key equals `other` (numeric keys across int and uint).
    pub fn as_ref_matches(&self, other: KeyRef<'_>) -> bool {
        self.as_ref().same(other)
    }

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

/// Maps with at most this many entries are a plain vector searched linearly: the maps CEL
/// programs read and build are mostly this small, and a scan beats hashing the key.
const SMALL_MAP: usize = 8;

/// The entries of a CEL map, in insertion order (CEL maps are unordered; the order only makes
/// output stable).
#[derive(Clone, Debug)]
pub struct Map {
    entries: Entries,
    /// The weight of every value (keys are scalars and do not count).
    weight: u64,
}

#[derive(Clone, Debug)]
enum Entries {
    Small(Vec<(Key, Value)>),
    Large(IndexMap<Key, Value, Hasher_>),
}

impl Default for Map {
    fn default() -> Map {
        Map {
            entries: Entries::Small(Vec::new()),
            weight: 0,
        }
    }
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    pub fn with_capacity(n: usize) -> Map {
        let entries = if n <= SMALL_MAP {
            Entries::Small(Vec::with_capacity(n))
        } else {
            Entries::Large(IndexMap::with_capacity_and_hasher(n, Hasher_::default()))
        };
        Map { entries, weight: 0 }
    }

    /// How many values the map holds, counted through nested lists and maps (at least 1).
    pub fn weight(&self) -> u64 {
        self.weight.max(1)
    }

    pub fn len(&self) -> usize {
        match &self.entries {
            Entries::Small(v) => v.len(),
            Entries::Large(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn position(small: &[(Key, Value)], key: KeyRef<'_>) -> Option<usize> {
        small.iter().position(|(k, _)| k.as_ref().same(key))
    }

    /// Moves a small map's entries into a hash map once it outgrows the scan.
    fn grow(&mut self) {
        if let Entries::Small(v) = &mut self.entries
            && v.len() >= SMALL_MAP
        {
            let mut large = IndexMap::with_capacity_and_hasher(v.len() * 2, Hasher_::default());
            large.extend(v.drain(..));
            self.entries = Entries::Large(large);
        }
    }

    /// Inserts an entry; returns false (and changes nothing) if the key is already present.
    pub fn insert_new(&mut self, key: Key, value: Value) -> bool {
        if let Entries::Small(v) = &self.entries
            && Map::position(v, key.as_ref()).is_some()
        {
            return false;
        }
        self.grow();
        let added = value.weight();
        let inserted = match &mut self.entries {
            Entries::Small(v) => {
                v.push((key, value));
                true
            }
            Entries::Large(m) => match m.entry(key) {
                indexmap::map::Entry::Occupied(_) => false,
                indexmap::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                    true
                }
            },
        };
        if inserted {
            self.weight = self.weight.saturating_add(added);
        }
        inserted
    }

    /// Inserts or replaces an entry.
    pub fn insert(&mut self, key: Key, value: Value) {
        let added = value.weight();
        if let Entries::Small(v) = &mut self.entries
            && let Some(i) = Map::position(v, key.as_ref())
        {
            let old = std::mem::replace(&mut v[i].1, value);
            self.weight = self
                .weight
                .saturating_sub(old.weight())
                .saturating_add(added);
            return;
        }
        self.grow();
        let old = match &mut self.entries {
            Entries::Small(v) => {
                v.push((key, value));
                None
            }
            Entries::Large(m) => m.insert(key, value),
        };
        self.weight = match old {
            Some(old) => self
                .weight
                .saturating_sub(old.weight())
                .saturating_add(added),
            None => self.weight.saturating_add(added),
        };
    }

    pub fn get(&self, key: KeyRef<'_>) -> Option<&Value> {
        match &self.entries {
            Entries::Small(v) => v.iter().find(|(k, _)| k.as_ref().same(key)).map(|(_, v)| v),
            Entries::Large(m) => m.get(&key),
        }
    }

    pub fn get_str(&self, key: &str) -> Option<&Value> {
        match &self.entries {
            Entries::Small(v) => v
                .iter()
                .find(|(k, _)| matches!(k, Key::String(s) if &**s == key))
                .map(|(_, v)| v),
            Entries::Large(m) => m.get(&KeyRef::String(key)),
        }
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
        match &self.entries {
            Entries::Small(v) => v.get(i).map(|(k, v)| (k, v)),
            Entries::Large(m) => m.get_index(i),
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        match &self.entries {
            Entries::Small(v) => Iter::Small(v.iter()),
            Entries::Large(m) => Iter::Large(m.iter()),
        }
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Key> {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> {
        self.iter().map(|(_, v)| v)
    }
}

/// The entries of a [`Map`] in iteration order.
pub enum Iter<'a> {
    Small(std::slice::Iter<'a, (Key, Value)>),
    Large(indexmap::map::Iter<'a, Key, Value>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(it) => it.next().map(|(k, v)| (k, v)),
            Iter::Large(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Small(it) => it.size_hint(),
            Iter::Large(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl FromIterator<(Key, Value)> for Map {
    /// Later entries replace earlier ones with an equal key, keeping the first position.
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(iter: I) -> Map {
        let iter = iter.into_iter();
        let mut map = Map::with_capacity(iter.size_hint().0);
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: i64) -> Key {
        Key::Int(i)
    }

    #[test]
    fn small_and_large_maps_behave_alike() {
        for n in [0, 1, SMALL_MAP - 1, SMALL_MAP, SMALL_MAP + 1, 100] {
            let mut map = Map::new();
            for i in 0..n as i64 {
                assert!(map.insert_new(key(i), Value::Int(i * 10)));
            }
            assert_eq!(map.len(), n);
            for i in 0..n as i64 {
                assert_eq!(map.get(KeyRef::Uint(i as u64)), Some(&Value::Int(i * 10)));
                assert!(!map.insert_new(key(i), Value::Null), "duplicate {i} of {n}");
                assert_eq!(
                    map.get_index(i as usize).map(|(k, _)| k.clone()),
                    Some(key(i))
                );
            }
            assert_eq!(map.get(KeyRef::Int(-1)), None);
            let order: Vec<i64> = map
                .keys()
                .map(|k| match k {
                    Key::Int(i) => *i,
                    _ => -1,
                })
                .collect();
            assert_eq!(order, (0..n as i64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn insert_replaces_in_place_and_strings_are_found_without_allocating() {
        let mut map: Map = [
            (Key::String("a".into()), Value::Int(1)),
            (Key::String("b".into()), Value::Int(2)),
            (Key::String("a".into()), Value::Int(3)),
        ]
        .into_iter()
        .collect();
        assert_eq!(map.len(), 2);
        assert_eq!(map.get_str("a"), Some(&Value::Int(3)));
        map.insert(Key::String("b".into()), Value::Int(4));
        assert_eq!(
            map.values().cloned().collect::<Vec<_>>(),
            [Value::Int(3), Value::Int(4)]
        );
        assert_eq!(map.get_value(&Value::Double(1.0)), None);
    }
}
