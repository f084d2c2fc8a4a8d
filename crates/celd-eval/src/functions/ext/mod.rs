//! Implementations of the extension libraries, one module per library, each with a
//! `register_<library>` function that adds its functions to a [`Registry`].
//!
//! The declarations (names, overload ids, signatures) live in `celd_types::ext`; here every
//! function has one implementation that dispatches on the runtime types of its arguments.
//! Functions that build values refuse sizes above the running evaluation's limits
//! ([`SizeLimits::current`]) before allocating.

pub(crate) mod comprehensions;
mod encoders;
mod hashed;
mod lists;
mod math;
pub mod network;
mod optional;
mod regex;
mod sets;
mod strings;

use celd_value::{EvalError, Result, Value};

use super::Registry;
use crate::limits::SizeLimits;

pub use comprehensions::register as register_two_var_comprehensions;
pub use encoders::register as register_encoders;
pub use lists::register as register_lists;
pub use math::register as register_math;
pub use network::register as register_network;
pub use network::{Cidr, Ip};
pub use optional::register as register_optional;
pub use regex::register as register_regex;
pub use sets::register as register_sets;
pub use strings::register as register_strings;

/// The size limits extension functions enforce while building values.
fn limits() -> SizeLimits {
    SizeLimits::current()
}

/// Fails before building a string of `n_bytes` bytes if that exceeds the limit.
fn check_string_len(n_bytes: usize) -> Result<()> {
    let max = limits().max_string_bytes;
    if n_bytes > max {
        return Err(EvalError::limit(format!(
            "string of {n_bytes} bytes exceeds the limit of {max} bytes"
        )));
    }
    crate::memory::check_room(n_bytes)
}

/// Fails before building a list of `n_items` elements if that exceeds the limit.
fn check_list_len(n_items: usize) -> Result<()> {
    if n_items > limits().max_list_len {
        return Err(limits().list_too_long());
    }
    crate::memory::check_room(n_items.saturating_mul(size_of::<Value>()))
}

/// `reverse` of a string (strings library) or a list (lists library): both libraries
/// register this one implementation, so enabling either never hides the other.
fn reverse(v: &Value) -> Result<Value> {
    match v {
        Value::String(s) => Ok(Value::from(s.chars().rev().collect::<String>())),
        Value::List(items) => Ok(Value::list(items.iter().rev().cloned().collect())),
        _ => Err(super::no_such_overload("reverse", std::slice::from_ref(v))),
    }
}

fn register_reverse(r: &mut Registry) {
    r.unary("reverse", reverse);
}
