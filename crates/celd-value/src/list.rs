//! CEL lists: elements plus their weight, the number of values they hold counted through
//! nested lists and maps.
//!
//! Values are shared, so a list can hold the same sub-list many times; the weight counts
//! each occurrence. Limits on the weight of built values bound every traversal (equality,
//! output, flattening) even when sharing makes a value far larger than its memory.
//!
//! A scalar weighs 1; a list or map weighs the sum of its elements (map values; keys are
//! scalars), and at least 1, so even nested empty lists cannot hide their number.

use std::ops::Deref;
use std::sync::Arc;

use crate::Value;

/// The elements of a CEL list, their total weight, and how `==` compares the list.
#[derive(Clone, Debug, Default)]
pub struct List {
    items: Vec<Value>,
    weight: u64,
    equality: ListEquality,
}

/// How `a == b` compares a list `a` with a list `b` (the left operand decides, as
/// Kubernetes' typed lists do).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ListEquality {
    /// Element by element, in order: CEL's list equality.
    #[default]
    Ordered,
    /// As sets: as many elements, each of `b` equal to one of `a` (a Kubernetes
    /// `x-kubernetes-list-type: set` list).
    Set,
    /// As maps keyed by these fields of the (map) elements: as many elements, each of `b`
    /// equal to the element of `a` with the same keys (`x-kubernetes-list-type: map`).
    Map(Arc<[Box<str>]>),
}

impl List {
    pub fn new(items: Vec<Value>) -> List {
        let weight = items.iter().fold(0u64, |w, v| w.saturating_add(v.weight()));
        List {
            items,
            weight,
            equality: ListEquality::Ordered,
        }
    }

    /// The same list, compared by `==` as `equality` says.
    pub fn with_equality(mut self, equality: ListEquality) -> List {
        self.equality = equality;
        self
    }

    pub fn equality(&self) -> &ListEquality {
        &self.equality
    }

    /// The weight of every element (at least 1).
    pub fn weight(&self) -> u64 {
        self.weight.max(1)
    }

    pub fn push(&mut self, v: Value) {
        self.weight = self.weight.saturating_add(v.weight());
        self.items.push(v);
    }

    pub fn extend(&mut self, values: impl IntoIterator<Item = Value>) {
        for v in values {
            self.push(v);
        }
    }

    pub fn into_vec(self) -> Vec<Value> {
        self.items
    }

    pub fn as_slice(&self) -> &[Value] {
        &self.items
    }
}

impl Deref for List {
    type Target = [Value];

    fn deref(&self) -> &[Value] {
        &self.items
    }
}

impl FromIterator<Value> for List {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> List {
        List::new(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_counts_shared_parts_each_time() {
        let leaf = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(leaf.weight(), 2);
        let twice = Value::list(vec![leaf.clone(), leaf]);
        assert_eq!(twice.weight(), 4);
        let mut list = List::new(Vec::new());
        assert_eq!(list.weight(), 1);
        list.push(twice);
        assert_eq!(list.weight(), 4);
        assert_eq!(list.len(), 1);
        let empties = Value::list(vec![Value::list(vec![]), Value::list(vec![])]);
        assert_eq!(Value::list(vec![empties.clone(), empties]).weight(), 4);
    }
}
