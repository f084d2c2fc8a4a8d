//! Integration tests of the checker: deduced types, errors, containers,
//! messages, type deduction from cel-spec, and deep nesting.

mod support;

mod containers;
mod declarations;
mod depth;
mod errors;
mod extensions;
mod messages;
mod properties;
mod type_deduction;
mod types;
