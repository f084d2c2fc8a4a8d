//! The sets extension: containment, equivalence and intersection of lists as sets.

use crate::decls::{OverloadRow, ov};

pub const OVERLOADS: &[OverloadRow] = &[
    ov(
        "sets.contains",
        "list_sets_contains_list",
        "(list(T), list(T)) -> bool",
    ),
    ov(
        "sets.equivalent",
        "list_sets_equivalent_list",
        "(list(T), list(T)) -> bool",
    ),
    ov(
        "sets.intersects",
        "list_sets_intersects_list",
        "(list(T), list(T)) -> bool",
    ),
];
