//! Extension libraries declared as data, one table per library, with the
//! overload ids cel-go's `ext` package (and its optional library) uses.
//!
//! Macros need no declarations here: `cel.bind`, `cel.block`'s index names,
//! the two-variable comprehensions, `optMap`/`optFlatMap` and
//! `proto.getExt`/`proto.hasExt` are expanded by the parser into calls that
//! these tables declare (`cel.@mapInsert`, `cel.@block`) or into plain
//! selections.

pub mod comprehensions;
pub mod encoders;
pub mod lists;
pub mod math;
pub mod network;
pub mod optional;
pub mod regex;
pub mod sets;
pub mod strings;

use crate::decls::{OverloadRow, TypeNameRow, ov};
use crate::library::Library;

/// `cel.bind(v, init, body)` is a macro: nothing to declare.
pub const BINDINGS: Library = Library {
    name: "bindings",
    overloads: &[],
    type_names: &[],
    opaque_types: &[],
};

/// `cel.@block([bindings], result)`, produced from `cel.block` by the parser.
pub const BLOCK_OVERLOADS: &[OverloadRow] =
    &[ov("cel.@block", "cel_block_list", "(list(dyn), T) -> T")];

pub const BLOCK: Library = Library {
    name: "block",
    overloads: BLOCK_OVERLOADS,
    type_names: &[],
    opaque_types: &[],
};

/// `proto.getExt` and `proto.hasExt` are macros over extension field
/// selection; the type provider resolves extension fields by full name.
pub const PROTOS: Library = Library {
    name: "protos",
    overloads: &[],
    type_names: &[],
    opaque_types: &[],
};

const NO_TYPE_NAMES: &[TypeNameRow] = &[];

pub const STRINGS: Library = Library {
    name: "strings",
    overloads: strings::OVERLOADS,
    type_names: NO_TYPE_NAMES,
    opaque_types: &[],
};

pub const MATH: Library = Library {
    name: "math",
    overloads: math::OVERLOADS,
    type_names: NO_TYPE_NAMES,
    opaque_types: &[],
};

pub const LISTS: Library = Library {
    name: "lists",
    overloads: lists::OVERLOADS,
    type_names: NO_TYPE_NAMES,
    opaque_types: &[],
};

pub const SETS: Library = Library {
    name: "sets",
    overloads: sets::OVERLOADS,
    type_names: NO_TYPE_NAMES,
    opaque_types: &[],
};

pub const ENCODERS: Library = Library {
    name: "encoders",
    overloads: encoders::OVERLOADS,
    type_names: NO_TYPE_NAMES,
    opaque_types: &[],
};

pub const OPTIONAL: Library = Library {
    name: "optional",
    overloads: optional::OVERLOADS,
    type_names: optional::TYPE_NAMES,
    opaque_types: &[],
};

pub const TWO_VAR_COMPREHENSIONS: Library = Library {
    name: "two_var_comprehensions",
    overloads: comprehensions::OVERLOADS,
    type_names: NO_TYPE_NAMES,
    opaque_types: &[],
};

pub const REGEX: Library = Library {
    name: "regex",
    overloads: regex::OVERLOADS,
    type_names: NO_TYPE_NAMES,
    opaque_types: &[],
};

pub const NETWORK: Library = Library {
    name: "network",
    overloads: network::OVERLOADS,
    type_names: NO_TYPE_NAMES,
    opaque_types: network::OPAQUE_TYPES,
};
