//! End-to-end tests of the façade: compile and evaluate expressions, check errors.
//!
//! With the metered allocator, as the `celd` binary has it, so that evaluations meet the
//! same memory limit here (the hostile table runs through both).

#[global_allocator]
static ALLOCATOR: celd::MeteredAlloc = celd::MeteredAlloc;

mod cel_go_cost;
mod declarations;
mod deep;
mod details;
mod enums;
mod eval;
mod examples;
mod ext_comprehensions;
mod ext_encoders;
mod ext_lists;
mod ext_math;
mod ext_network;
mod ext_optional;
mod ext_regex;
mod ext_sets;
mod ext_strings;
mod ext_support;
mod fuzz_findings;
mod homogeneous;
mod host;
mod hostile;
mod json;
mod properties;
mod re2;
mod realistic;
#[cfg(feature = "serde")]
mod serde_values;
mod validate;
