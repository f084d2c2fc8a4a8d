//! CEL types, declarations and the standard library declared as data.
//!
//! This crate knows nothing of values or evaluation. It holds:
//!
//! - [`Type`], the CEL type model, with [`parse_type`] for CEL type syntax;
//! - declarations as plain data ([`VariableDecl`], [`FunctionDecl`], [`OverloadDecl`]);
//! - the standard library and the extensions as tables of [`OverloadRow`]s
//!   ([`library::STANDARD`], [`library::EXTENSIONS`]), keyed by the overload ids
//!   the evaluator binds implementations to;
//! - [`candidate_names`], the container name-resolution order;
//! - [`TypeProvider`], message and enum types from a protobuf descriptor pool, and the
//!   [`StructType`]s an environment declares without protobuf.

pub mod decls;
pub mod ext;
pub mod library;
pub mod names;
pub mod parse;
pub mod provider;
pub mod stdlib;
pub mod structs;
pub mod suggest;
pub mod ty;

pub use decls::{FunctionDecl, OverloadDecl, OverloadRow, TypeNameRow, VariableDecl, ov};
pub use library::Library;
pub use names::{CandidateNames, candidate_names};
pub use parse::{
    ResolveName, TypeErrorKind, TypeParseError, parse_generic_type, parse_type, parse_type_with,
};
pub use provider::{FieldType, TypeProvider};
pub use structs::StructType;
pub use ty::{OPTIONAL_TYPE_NAME, OpaqueType, Primitive, Type, well_known_type};
