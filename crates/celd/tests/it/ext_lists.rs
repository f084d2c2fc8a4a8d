//! The lists extension: every function, its successes and its errors.

use super::ext_support::{check_all, check_unchecked};

#[test]
fn slice() {
    check_all(&[
        ("[1, 2, 3, 4].slice(0, 4)", "[1, 2, 3, 4]"),
        ("[1, 2, 3, 4].slice(0, 0)", "[]"),
        ("[1, 2, 3, 4].slice(1, 1)", "[]"),
        ("[1, 2, 3, 4].slice(4, 4)", "[]"),
        ("[1, 2, 3, 4].slice(1, 3)", "[2, 3]"),
        (
            "[1, 2, 3, 4].slice(3, 0)",
            "error: cannot slice(3, 0), start index must be less than or equal to end index",
        ),
        (
            "[1, 2, 3, 4].slice(0, 10)",
            "error: cannot slice(0, 10), list is length 4",
        ),
        (
            "[1, 2, 3, 4].slice(-5, 10)",
            "error: cannot slice(-5, 10), negative indexes not supported",
        ),
        (
            "[1, 2, 3, 4].slice(-5, -3)",
            "error: cannot slice(-5, -3), negative indexes not supported",
        ),
        (
            "dyn('abc').slice(0, 1)",
            "error: no such overload: slice(string, int, int)",
        ),
    ]);
}

#[test]
fn flatten() {
    check_all(&[
        ("dyn([]).flatten()", "[]"),
        ("[1, [2, [3, 4]]].flatten()", "[1, 2, [3, 4]]"),
        ("[1, 2, [], [], [3, 4]].flatten()", "[1, 2, 3, 4]"),
        ("[1, [2, [3, [4]]]].flatten(2)", "[1, 2, 3, [4]]"),
        ("[1, [2, [3, [4]]]].flatten(0)", "[1, [2, [3, [4]]]]"),
        (
            "[1, [2, [3, [4]]]].flatten(9223372036854775807)",
            "[1, 2, 3, 4]",
        ),
        ("[[{'a': [1]}]].flatten(5)", "[{\"a\": [1]}]"),
        (
            "[1, [2, [3, [4]]]].flatten(-1)",
            "error: level must be non-negative",
        ),
        (
            "dyn(1).flatten()",
            "error: no such overload: flatten(int, int)",
        ),
        (
            "dyn([1]).flatten(dyn('a'))",
            "error: no such overload: flatten(list, string)",
        ),
    ]);
}

#[test]
fn sort() {
    check_all(&[
        ("[].sort()", "[]"),
        ("[1].sort()", "[1]"),
        ("[4, 3, 2, 1].sort()", "[1, 2, 3, 4]"),
        ("[4u, 3u, 1u].sort()", "[1u, 3u, 4u]"),
        ("[2.5, -1.0, 0.0].sort()", "[-1.0, 0.0, 2.5]"),
        ("[true, false].sort()", "[false, true]"),
        (
            "['d', 'a', 'b', 'c'].sort()",
            "[\"a\", \"b\", \"c\", \"d\"]",
        ),
        ("[b'b', b'a'].sort()", "[b\"a\", b\"b\"]"),
        (
            "[duration('1h'), duration('1s'), duration('-1m')].sort()",
            "[duration(\"-60s\"), duration(\"1s\"), duration(\"3600s\")]",
        ),
        (
            "[timestamp(20), timestamp(10)].sort()",
            "[timestamp(\"1970-01-01T00:00:10Z\"), timestamp(\"1970-01-01T00:00:20Z\")]",
        ),
        ("[2.0, double('NaN'), 1.0].sort()[0]", "1.0"),
        ("math.isNaN([2.0, double('NaN'), 1.0].sort()[2])", "true"),
        (
            "dyn(['d', 3, 2, 'c']).sort()",
            "error: list elements must have the same type",
        ),
        (
            "dyn([1, 1u]).sort()",
            "error: list elements must have the same type",
        ),
        (
            "[1, 'a'].sort()",
            "error: list elements must have the same type",
        ),
        (
            "dyn([[1], [2]]).sort()",
            "error: list elements must be comparable",
        ),
        (
            "dyn([null]).sort()",
            "error: list elements must be comparable",
        ),
        ("dyn('abc').sort()", "error: no such overload: sort(string)"),
    ]);
}

#[test]
fn distinct() {
    check_all(&[
        ("[].distinct()", "[]"),
        ("[1].distinct()", "[1]"),
        ("[-2, 5, -2, 1, 1, 5, -2, 1].distinct()", "[-2, 5, 1]"),
        (
            "['c', 'a', 'a', 'b', 'a', 'b', 'c', 'c'].distinct()",
            "[\"c\", \"a\", \"b\"]",
        ),
        (
            "dyn([1, 2.0, 'c', 3, 1u, 'c', 2, 1.0]).distinct()",
            "[1, 2.0, \"c\", 3]",
        ),
        (
            "[[1], [1u], {'a': 1}, {'a': 1.0}, [2]].distinct()",
            "[[1], {\"a\": 1}, [2]]",
        ),
        (
            "[optional.none(), optional.of(1), optional.none()].distinct()",
            "[optional.none(), optional.of(1)]",
        ),
        ("size([double('NaN'), double('NaN')].distinct())", "2"),
        (
            "dyn({}).distinct()",
            "error: no such overload: distinct(map)",
        ),
    ]);
}

#[test]
fn reverse() {
    check_all(&[
        ("[].reverse()", "[]"),
        ("[1].reverse()", "[1]"),
        ("[5, 1, 2, 3].reverse()", "[3, 2, 1, 5]"),
        ("dyn({}).reverse()", "error: no such overload: reverse(map)"),
    ]);
}

#[test]
fn range() {
    check_all(&[
        ("lists.range(4)", "[0, 1, 2, 3]"),
        ("lists.range(0)", "[]"),
        (
            "lists.range(-1)",
            "error: lists.range: size must be non-negative, got -1",
        ),
        (
            "lists.range(10000000000)",
            "limit: list exceeds the limit of 1000000 elements",
        ),
        (
            "lists.range(dyn(1u))",
            "error: no such overload: lists.range(uint)",
        ),
    ]);
}

#[test]
fn built_lists_stay_within_the_size_limit() {
    check_all(&[
        ("size(lists.range(1000000))", "1000000"),
        (
            "cel.bind(r, lists.range(1001), r.map(x, r)).flatten()",
            "limit: list exceeds the limit of 1000000 elements",
        ),
        (
            "size(cel.bind(r, lists.range(1000), r.map(x, r)).flatten())",
            "1000000",
        ),
    ]);
}

#[test]
fn wrong_types_fail_at_run_time_unchecked() {
    check_unchecked(&[
        (
            "'abc'.slice(0, 1)",
            "error: no such overload: slice(string, int, int)",
        ),
        (
            "lists.range('a')",
            "error: no such overload: lists.range(string)",
        ),
    ]);
}
