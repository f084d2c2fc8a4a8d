//! Optional values: `optional.of`, `optional.none`, `optional.ofNonZeroValue`,
//! `hasValue`, `value`, `or`, `orValue`, optional indexing (`_[?_]`, and `_[_]`
//! on optionals), `first`/`last` of lists and `optional.unwrap`.
//!
//! Optional field selection `_?._` is resolved by the checker itself (overload
//! id `select_optional_field`), since its second argument is a field name.

use crate::decls::{OverloadRow, TypeNameRow, ov};

pub const OVERLOADS: &[OverloadRow] = &[
    ov("optional.of", "optional_of", "(V) -> optional_type(V)"),
    ov(
        "optional.ofNonZeroValue",
        "optional_ofNonZeroValue",
        "(V) -> optional_type(V)",
    ),
    ov("optional.none", "optional_none", "() -> optional_type(V)"),
    ov("value", "optional_value", "optional_type(V).() -> V"),
    ov(
        "hasValue",
        "optional_hasValue",
        "optional_type(V).() -> bool",
    ),
    ov(
        "or",
        "optional_or_optional",
        "optional_type(V).(optional_type(V)) -> optional_type(V)",
    ),
    ov(
        "orValue",
        "optional_orValue_value",
        "optional_type(V).(V) -> V",
    ),
    ov(
        "_[?_]",
        "list_optindex_optional_int",
        "(list(V), int) -> optional_type(V)",
    ),
    ov(
        "_[?_]",
        "optional_list_optindex_optional_int",
        "(optional_type(list(V)), int) -> optional_type(V)",
    ),
    ov(
        "_[?_]",
        "map_optindex_optional_value",
        "(map(K, V), K) -> optional_type(V)",
    ),
    ov(
        "_[?_]",
        "optional_map_optindex_optional_value",
        "(optional_type(map(K, V)), K) -> optional_type(V)",
    ),
    ov(
        "_[_]",
        "optional_list_index_int",
        "(optional_type(list(V)), int) -> optional_type(V)",
    ),
    ov(
        "_[_]",
        "optional_map_index_value",
        "(optional_type(map(K, V)), K) -> optional_type(V)",
    ),
    ov("first", "list_first", "list(V).() -> optional_type(V)"),
    ov("last", "list_last", "list(V).() -> optional_type(V)"),
    ov(
        "optional.unwrap",
        "optional_unwrap",
        "(list(optional_type(V))) -> list(V)",
    ),
    ov(
        "unwrapOpt",
        "optional_unwrapOpt",
        "list(optional_type(V)).() -> list(V)",
    ),
];

pub const TYPE_NAMES: &[TypeNameRow] = &[TypeNameRow {
    name: "optional_type",
    ty: "optional_type(dyn)",
}];
