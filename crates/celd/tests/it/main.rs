//! End-to-end tests of the façade: compile and evaluate expressions, check errors.

mod eval;
mod ext_encoders;
mod ext_lists;
mod ext_math;
mod ext_sets;
mod ext_strings;
mod ext_support;
