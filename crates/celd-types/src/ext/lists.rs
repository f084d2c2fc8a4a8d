//! The lists extension: slicing, flattening, sorting, ranges, reverse and distinct.
//!
//! Sort ids embed the element type's runtime name, as cel-go's do
//! (`list_int_sort`, `list_google.protobuf.Duration_sort`).

use crate::decls::{OverloadRow, ov};

pub const OVERLOADS: &[OverloadRow] = &[
    ov("slice", "list_slice", "list(T).(int, int) -> list(T)"),
    ov("flatten", "list_flatten", "list(list(T)).() -> list(T)"),
    ov(
        "flatten",
        "list_flatten_int",
        "list(dyn).(int) -> list(dyn)",
    ),
    ov("sort", "list_int_sort", "list(int).() -> list(int)"),
    ov("sort", "list_uint_sort", "list(uint).() -> list(uint)"),
    ov(
        "sort",
        "list_double_sort",
        "list(double).() -> list(double)",
    ),
    ov("sort", "list_bool_sort", "list(bool).() -> list(bool)"),
    ov(
        "sort",
        "list_google.protobuf.Duration_sort",
        "list(duration).() -> list(duration)",
    ),
    ov(
        "sort",
        "list_google.protobuf.Timestamp_sort",
        "list(timestamp).() -> list(timestamp)",
    ),
    ov(
        "sort",
        "list_string_sort",
        "list(string).() -> list(string)",
    ),
    ov("sort", "list_bytes_sort", "list(bytes).() -> list(bytes)"),
    ov(
        "@sortByAssociatedKeys",
        "list_int_sortByAssociatedKeys",
        "list(T).(list(int)) -> list(T)",
    ),
    ov(
        "@sortByAssociatedKeys",
        "list_uint_sortByAssociatedKeys",
        "list(T).(list(uint)) -> list(T)",
    ),
    ov(
        "@sortByAssociatedKeys",
        "list_double_sortByAssociatedKeys",
        "list(T).(list(double)) -> list(T)",
    ),
    ov(
        "@sortByAssociatedKeys",
        "list_bool_sortByAssociatedKeys",
        "list(T).(list(bool)) -> list(T)",
    ),
    ov(
        "@sortByAssociatedKeys",
        "list_google.protobuf.Duration_sortByAssociatedKeys",
        "list(T).(list(duration)) -> list(T)",
    ),
    ov(
        "@sortByAssociatedKeys",
        "list_google.protobuf.Timestamp_sortByAssociatedKeys",
        "list(T).(list(timestamp)) -> list(T)",
    ),
    ov(
        "@sortByAssociatedKeys",
        "list_string_sortByAssociatedKeys",
        "list(T).(list(string)) -> list(T)",
    ),
    ov(
        "@sortByAssociatedKeys",
        "list_bytes_sortByAssociatedKeys",
        "list(T).(list(bytes)) -> list(T)",
    ),
    ov("lists.range", "lists_range", "(int) -> list(int)"),
    ov("reverse", "list_reverse", "list(T).() -> list(T)"),
    ov("distinct", "list_distinct", "list(T).() -> list(T)"),
];
