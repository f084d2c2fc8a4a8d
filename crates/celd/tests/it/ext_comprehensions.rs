//! Two-variable comprehensions and `cel.@mapInsert`, which builds their maps.

use super::ext_support::check_all;

#[test]
fn transform_map_and_entries() {
    check_all(&[
        (
            "{'foo': 'bar'}.transformMap(k, v, k + v)",
            r#"{"foo": "foobar"}"#,
        ),
        (
            "{'a': 1, 'b': 2}.transformMap(k, v, v > 1, v * 10)",
            r#"{"b": 20}"#,
        ),
        ("[10, 20].transformMap(i, v, v + i)", "{0: 10, 1: 21}"),
        (
            "{'a': 1, 'b': 2}.transformMapEntry(k, v, {v: k})",
            r#"{1: "a", 2: "b"}"#,
        ),
        (
            "[1, 2].transformMapEntry(i, v, {'k' + string(v): i, 'x' + string(i): v})",
            r#"{"k1": 0, "x0": 1, "k2": 1, "x1": 2}"#,
        ),
        ("[2, 4].transformList(i, v, v / 2 + i)", "[1, 3]"),
        (
            "{'a': 1, 'b': 2}.transformMapEntry(k, v, {'x': v})",
            r#"error: insert failed: key "x" already exists"#,
        ),
        (
            "[1, 1u].transformMapEntry(i, v, {v: i})",
            "error: insert failed: key 1u already exists",
        ),
        (
            "[1.5].transformMapEntry(i, v, {'a': v}) == {'a': 1.5}",
            "true",
        ),
    ]);
}
