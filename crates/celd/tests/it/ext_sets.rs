//! The sets extension: containment, equivalence and intersection under CEL equality.

use super::ext_support::{check_all, check_unchecked};

#[test]
fn contains() {
    check_all(&[
        ("sets.contains([], [])", "true"),
        ("sets.contains([1], [])", "true"),
        ("sets.contains([], [1])", "false"),
        ("sets.contains([1, 2, 3, 4], [2, 3])", "true"),
        ("sets.contains([1, 2, 3], [3, 2, 1])", "true"),
        ("sets.contains([1, 2], [2, 2])", "true"),
        ("sets.contains([1, 2], [1, 5])", "false"),
        ("sets.contains([1, 2.0, 3u], [1.0, 2u, 3])", "true"),
        ("sets.contains([[1], [2, 3]], [[2, 3.0]])", "true"),
        ("sets.contains([{'a': 1}], [dyn({'a': 1u})])", "true"),
        ("sets.contains([{'a': 1}], [{'a': 2}])", "false"),
        ("sets.contains([double('NaN')], [double('NaN')])", "false"),
        ("sets.contains(dyn([1, 'a']), dyn(['a']))", "true"),
        (
            "sets.contains(dyn([1]), dyn(1))",
            "error: no such overload: sets.contains(list, int)",
        ),
    ]);
}

#[test]
fn equivalent() {
    check_all(&[
        ("sets.equivalent([], [])", "true"),
        ("sets.equivalent([1], [1, 1])", "true"),
        ("sets.equivalent([1], [1u, 1.0])", "true"),
        ("sets.equivalent([1, 2, 3], [3u, 2.0, 1])", "true"),
        ("sets.equivalent([1, 2], [2, 2, 2])", "false"),
        ("sets.equivalent([1], [])", "false"),
        ("sets.equivalent([[1], [2]], [[2], [1.0]])", "true"),
        (
            "sets.equivalent(dyn({}), [])",
            "error: no such overload: sets.equivalent(map, list)",
        ),
    ]);
}

#[test]
fn intersects() {
    check_all(&[
        ("sets.intersects([], [])", "false"),
        ("sets.intersects([1], [])", "false"),
        ("sets.intersects([1], [1])", "true"),
        ("sets.intersects([1, 2], [dyn(2u), 3u])", "true"),
        ("sets.intersects([1.5], [dyn(1)])", "false"),
        ("sets.intersects([[1]], [[1.0], [2]])", "true"),
        ("sets.intersects([timestamp(1)], [timestamp(1)])", "true"),
        (
            "sets.intersects(dyn('a'), ['a'])",
            "error: no such overload: sets.intersects(string, list)",
        ),
    ]);
}

#[test]
fn large_sets_are_hashed() {
    check_all(&[(
        "cel.bind(r, lists.range(200000), sets.equivalent(r, r.reverse()) && !sets.intersects(r, [-1]))",
        "true",
    )]);
}

#[test]
fn wrong_types_fail_at_run_time_unchecked() {
    check_unchecked(&[
        (
            "sets.contains(1, [1])",
            "error: no such overload: sets.contains(int, list)",
        ),
        (
            "sets.intersects([1], 'a')",
            "error: no such overload: sets.intersects(list, string)",
        ),
    ]);
}
