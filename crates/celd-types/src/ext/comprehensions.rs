//! Two-variable comprehensions: the accumulator function `cel.@mapInsert`
//! that `transformMap` and `transformMapEntry` expand into.

use crate::decls::{OverloadRow, ov};

pub const OVERLOADS: &[OverloadRow] = &[
    ov(
        "cel.@mapInsert",
        "@mapInsert_map_key_value",
        "(map(K, V), K, V) -> map(K, V)",
    ),
    ov(
        "cel.@mapInsert",
        "@mapInsert_map_map",
        "(map(K, V), map(K, V)) -> map(K, V)",
    ),
];
