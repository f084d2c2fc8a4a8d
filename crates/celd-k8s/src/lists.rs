//! Kubernetes' list library (`isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf`) as
//! algorithms over any element type, with the comparison, addition and equality of the values
//! they run on supplied by the caller (CEL's, when the library is wired into an environment).
//!
//! The overloads Kubernetes declares: `isSorted`, `min` and `max` on lists of `int`, `uint`,
//! `double`, `bool`, `duration`, `timestamp`, `string` and `bytes`; `sum` on lists of `int`,
//! `uint`, `double` and `duration` (an empty list sums to that type's zero); `indexOf` and
//! `lastIndexOf` on `list(A)` with an `A`.

use std::cmp::Ordering;

/// The element types `isSorted`, `min` and `max` are declared for, with the overload-id names.
pub const COMPARABLE_TYPES: [&str; 8] = [
    "int",
    "uint",
    "double",
    "bool",
    "duration",
    "timestamp",
    "string",
    "bytes",
];
/// The element types `sum` is declared for.
pub const SUMMABLE_TYPES: [&str; 4] = ["int", "uint", "double", "duration"];

/// The message of `min()`/`max()` on an empty list.
pub fn empty_list_error(function: &str) -> String {
    format!("{function} called on empty list")
}

/// `isSorted`: no element is greater than the next. A comparison that fails (such as one with a
/// NaN, which has no order) does not count as "greater".
pub fn is_sorted<T, E>(
    items: &[T],
    mut compare: impl FnMut(&T, &T) -> Result<Ordering, E>,
) -> Result<bool, E> {
    for pair in items.windows(2) {
        if compare(&pair[0], &pair[1])? == Ordering::Greater {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `min()`: the first of the least elements; an error naming `min` on an empty list.
pub fn min<T, E>(
    items: &[T],
    compare: impl FnMut(&T, &T) -> Result<Ordering, E>,
) -> Result<Result<&T, String>, E> {
    extreme(items, "min", Ordering::Greater, compare)
}

/// `max()`: the first of the greatest elements.
pub fn max<T, E>(
    items: &[T],
    compare: impl FnMut(&T, &T) -> Result<Ordering, E>,
) -> Result<Result<&T, String>, E> {
    extreme(items, "max", Ordering::Less, compare)
}

/// Kubernetes' `cmp`: the kept element is replaced when comparing it with the next gives
/// `replace_when`.
fn extreme<'a, T, E>(
    items: &'a [T],
    function: &str,
    replace_when: Ordering,
    mut compare: impl FnMut(&T, &T) -> Result<Ordering, E>,
) -> Result<Result<&'a T, String>, E> {
    let Some(mut kept) = items.first() else {
        return Ok(Err(empty_list_error(function)));
    };
    for item in &items[1..] {
        if compare(kept, item)? == replace_when {
            kept = item;
        }
    }
    Ok(Ok(kept))
}

/// `sum()`: `zero + first + second + …`, stopping at the first failed addition.
pub fn sum<T: Clone, E>(
    items: &[T],
    zero: T,
    mut add: impl FnMut(&T, &T) -> Result<T, E>,
) -> Result<T, E> {
    let mut acc = zero;
    for item in items {
        acc = add(&acc, item)?;
    }
    Ok(acc)
}

/// `indexOf(x)`: the first position holding an equal element, or -1.
pub fn index_of<T>(items: &[T], mut equal: impl FnMut(&T) -> bool) -> i64 {
    items.iter().position(&mut equal).map_or(-1, |i| i as i64)
}

/// `lastIndexOf(x)`: the last such position, or -1.
pub fn last_index_of<T>(items: &[T], mut equal: impl FnMut(&T) -> bool) -> i64 {
    items.iter().rposition(&mut equal).map_or(-1, |i| i as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp_i(a: &i64, b: &i64) -> Result<Ordering, ()> {
        Ok(a.cmp(b))
    }

    fn cmp_f(a: &f64, b: &f64) -> Result<Ordering, String> {
        a.partial_cmp(b)
            .ok_or_else(|| "NaN values cannot be ordered".to_string())
    }

    #[test]
    fn documented_examples() {
        assert_eq!(is_sorted(&[1, 2, 3], cmp_i), Ok(true));
        assert_eq!(
            is_sorted(&["a", "b", "b", "c"], |a, b| Ok::<_, ()>(a.cmp(b))),
            Ok(true)
        );
        assert_eq!(is_sorted(&[2.0, 1.0], cmp_f), Ok(false));
        assert_eq!(is_sorted(&[1], cmp_i), Ok(true));
        assert_eq!(is_sorted(&[] as &[i64], cmp_i), Ok(true));
        assert_eq!(
            sum(&[1i64, 3], 0, |a, b| a.checked_add(*b).ok_or(())),
            Ok(4)
        );
        assert_eq!(sum(&[1.0, 3.0], 0.0, |a, b| Ok::<_, ()>(a + b)), Ok(4.0));
        assert_eq!(sum(&[] as &[i64], 0, |a, b| Ok::<_, ()>(a + b)), Ok(0));
        assert_eq!(min(&[1, 3], cmp_i), Ok(Ok(&1)));
        assert_eq!(max(&[1, 3], cmp_i), Ok(Ok(&3)));
        assert_eq!(
            min(&[] as &[i64], cmp_i),
            Ok(Err("min called on empty list".into()))
        );
        assert_eq!(
            max(&[] as &[i64], cmp_i),
            Ok(Err("max called on empty list".into()))
        );
        assert_eq!(min(&[1], cmp_i), Ok(Ok(&1)));
        assert_eq!(index_of(&[1, 2, 2, 3], |x| *x == 2), 1);
        assert_eq!(last_index_of(&["a", "b", "b", "c"], |x| *x == "b"), 2);
        assert_eq!(index_of(&[1.0], |x| *x == 1.1), -1);
        assert_eq!(index_of(&[] as &[&str], |x| *x == "string"), -1);
    }

    #[test]
    fn the_first_extreme_is_kept() {
        let items = [(1, 'a'), (0, 'b'), (0, 'c'), (2, 'd'), (2, 'e')];
        let by_key = |a: &(i32, char), b: &(i32, char)| Ok::<_, ()>(a.0.cmp(&b.0));
        assert_eq!(min(&items, by_key), Ok(Ok(&(0, 'b'))));
        assert_eq!(max(&items, by_key), Ok(Ok(&(2, 'd'))));
    }

    #[test]
    fn failures_propagate() {
        assert_eq!(
            sum(&[i64::MAX, 1], 0, |a, b| a
                .checked_add(*b)
                .ok_or("integer overflow")),
            Err("integer overflow")
        );
        assert_eq!(
            is_sorted(&[1.0, f64::NAN], cmp_f),
            Err("NaN values cannot be ordered".to_string())
        );
    }
}
