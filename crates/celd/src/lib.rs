//! celd: a Common Expression Language (CEL) engine.
//!
//! Compile an expression once into a [`Program`], then evaluate it many times,
//! from any number of threads:
//!
//! ```
//! use celd::{Env, Type, Value};
//!
//! let env = Env::builder()
//!     .variable("name", Type::String)
//!     .variable("age", Type::Int)
//!     .build()
//!     .unwrap();
//! let program = env.compile("name.startsWith('j') && age >= 18").unwrap();
//!
//! let mut vars = env.activation();
//! vars.insert("name", "jane").insert("age", 30);
//! assert_eq!(program.eval(&vars).unwrap(), Value::Bool(true));
//! ```
//!
//! # Errors
//!
//! Every failure is an [`Error`] with a [`kind`](Error::kind) (`Parse`, `Check`, `Eval`,
//! `Limit`, `Env`) and diagnostics that point into the source; `Display` renders them as
//! `ERROR: <input>:1:5: message` with the source line and a caret.
//!
//! # Untrusted input
//!
//! Expressions and variables may come from people the host does not trust. Every
//! pass is bounded:
//!
//! - expressions longer than 100,000 code points are rejected before lexing;
//! - nesting deeper than 250 (after macro expansion) is rejected, so no pass overflows the stack;
//! - evaluation stops after 1,000,000 cost units (calls and loop iterations);
//! - a single evaluation builds no string or bytes over 8 MiB and no list or map over 1,000,000 entries;
//! - regular expressions have RE2's syntax and semantics (linear time) and a bounded compiled size.
//!
//! All limits are configurable ([`celd_syntax::ParseOptions`], [`Limits`]) and exceeding one is
//! an error of kind `Limit` that names it.

mod compile;
pub mod dump;
mod env;
mod error;
mod extensions;
mod program;
pub mod protos;
mod validate;

pub use celd_eval::estimate::{CostEstimate, SizeHints};
pub use celd_eval::{Activation, EvalDetails, EvalOptions, Limits};
pub use celd_syntax::{ParseOptions, Source};
pub use celd_types::Type;
#[cfg(feature = "serde")]
pub use celd_value::serde_bridge::{
    SerdeError, SerdeErrorKind, SerdeLimits, from_value, from_value_with, to_value, to_value_with,
};
pub use celd_value::{Key, List, Map, Value, ValueTypeError};
pub use env::{Env, EnvBuilder};
pub use error::{Error, ErrorKind};
pub use extensions::Extension;
pub use program::Program;
pub use validate::Validations;

/// The layers below the façade, for tools that need them (the program cache, the CLI).
pub mod layers {
    pub use celd_check as check;
    pub use celd_eval as eval;
    pub use celd_syntax as syntax;
    pub use celd_types as types;
    pub use celd_value as value;
}
