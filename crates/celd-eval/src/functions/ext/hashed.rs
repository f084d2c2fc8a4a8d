//! A set of values under CEL equality, hashed so that `distinct` and the sets functions
//! stay linear (cel-go compares every pair).
//!
//! The hash agrees with [`compare::equals`]: numbers hash by value across int, uint and
//! double (`1 == 1u == 1.0`), lists element by element, maps independently of entry order.
//! Values with equal hashes are then compared with `equals` itself.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use celd_value::{Value, compare};
use foldhash::fast::RandomState;
use prost_reflect::ReflectMessage;
use smallvec::SmallVec;

/// 2^64 as a double: integral doubles below it in magnitude hash as integers.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
/// Parts of a value nested deeper than this do not contribute to its hash.
const MAX_HASH_DEPTH: usize = 32;

/// Values seen so far, by CEL equality.
pub(super) struct ValueSet<'a> {
    state: RandomState,
    buckets: HashMap<u64, SmallVec<[&'a Value; 1]>, RandomState>,
}

impl<'a> ValueSet<'a> {
    pub(super) fn with_capacity(n: usize) -> ValueSet<'a> {
        ValueSet {
            state: RandomState::default(),
            buckets: HashMap::with_capacity_and_hasher(n, RandomState::default()),
        }
    }

    pub(super) fn from_values(values: &'a [Value]) -> ValueSet<'a> {
        let mut set = ValueSet::with_capacity(values.len());
        for v in values {
            set.insert(v);
        }
        set
    }

    /// Adds `v`; false if an equal value was already present.
    pub(super) fn insert(&mut self, v: &'a Value) -> bool {
        let bucket = self.buckets.entry(self.hash(v)).or_default();
        if bucket.iter().any(|seen| compare::equals(seen, v)) {
            return false;
        }
        bucket.push(v);
        true
    }

    pub(super) fn contains(&self, v: &Value) -> bool {
        self.buckets
            .get(&self.hash(v))
            .is_some_and(|bucket| bucket.iter().any(|seen| compare::equals(seen, v)))
    }

    fn hash(&self, v: &Value) -> u64 {
        let mut h = self.state.build_hasher();
        self.feed(&mut h, v, 0);
        h.finish()
    }

    fn feed(&self, h: &mut impl Hasher, v: &Value, depth: usize) {
        if depth > MAX_HASH_DEPTH {
            return;
        }
        match v {
            Value::Null => h.write_u8(0),
            Value::Bool(b) => (1u8, b).hash(h),
            Value::Int(i) => feed_integer(h, i128::from(*i)),
            Value::Uint(u) => feed_integer(h, i128::from(*u)),
            Value::Double(d) => feed_double(h, *d),
            Value::String(s) => (3u8, &**s).hash(h),
            Value::Bytes(b) => (4u8, &**b).hash(h),
            Value::List(items) => {
                (5u8, items.len()).hash(h);
                for item in items.iter() {
                    self.feed(h, item, depth + 1);
                }
            }
            Value::Map(map) => {
                // Entry hashes are summed so that the order of entries does not matter.
                let sum = map.iter().fold(0u64, |sum, (k, item)| {
                    let mut entry = self.state.build_hasher();
                    self.feed(&mut entry, &k.to_value(), depth + 1);
                    self.feed(&mut entry, item, depth + 1);
                    sum.wrapping_add(entry.finish())
                });
                (6u8, map.len(), sum).hash(h);
            }
            Value::Timestamp(t) => (7u8, t).hash(h),
            Value::Duration(d) => (8u8, d).hash(h),
            Value::Type(t) => (9u8, t.name()).hash(h),
            Value::Message(m) => (10u8, m.descriptor().full_name()).hash(h),
            Value::Optional(inner) => {
                h.write_u8(11);
                if let Some(inner) = inner {
                    self.feed(h, inner, depth + 1);
                }
            }
            Value::Opaque(_) => h.write_u8(12),
        }
    }
}

fn feed_integer(h: &mut impl Hasher, i: i128) {
    h.write_u8(2);
    h.write_i128(i);
}

fn feed_double(h: &mut impl Hasher, d: f64) {
    if d.fract() == 0.0 && d.abs() < TWO_POW_64 {
        // Exact: an integral double of this magnitude fits an i128 (and -0.0 becomes 0).
        feed_integer(h, d as i128);
    } else {
        // NaN equals nothing, so any hash will do for it.
        (13u8, d.to_bits()).hash(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use celd_value::{Key, Map};

    #[test]
    fn numbers_are_equal_across_types() {
        let values = [Value::Int(1), Value::Double(2.5), Value::Double(-0.0)];
        let set = ValueSet::from_values(&values);
        assert!(set.contains(&Value::Uint(1)));
        assert!(set.contains(&Value::Double(1.0)));
        assert!(set.contains(&Value::Int(0)));
        assert!(set.contains(&Value::Double(2.5)));
        assert!(!set.contains(&Value::Int(2)));
        assert!(!set.contains(&Value::Double(f64::NAN)));
    }

    #[test]
    fn containers_hash_by_content() {
        let mut ab = Map::new();
        ab.insert(Key::String("a".into()), Value::Int(1));
        ab.insert(Key::Int(2), Value::Int(2));
        let mut ba = Map::new();
        ba.insert(Key::Uint(2), Value::Double(2.0));
        ba.insert(Key::String("a".into()), Value::Uint(1));
        let values = [Value::list(vec![Value::Int(1)]), Value::map(ab)];
        let set = ValueSet::from_values(&values);
        assert!(set.contains(&Value::list(vec![Value::Uint(1)])));
        assert!(set.contains(&Value::map(ba)));
        assert!(!set.contains(&Value::list(vec![])));
    }

    #[test]
    fn insert_reports_duplicates() {
        let values = [Value::Int(1), Value::Double(1.0), Value::Double(f64::NAN)];
        let mut set = ValueSet::with_capacity(3);
        assert!(set.insert(&values[0]));
        assert!(!set.insert(&values[1]));
        assert!(set.insert(&values[2]));
        assert!(set.insert(&values[2]));
    }
}
