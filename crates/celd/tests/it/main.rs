//! End-to-end tests of the façade: compile and evaluate expressions, check errors.

mod eval;
mod ext_strings;
mod ext_support;
