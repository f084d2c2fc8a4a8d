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
//! # Rust values in and out, through serde
//!
//! With the `serde` feature (on by default), any `Serialize` becomes a variable and any
//! `Deserialize` reads a result: [`to_value`], [`from_value`],
//! [`Activation::insert_serialize`]. Unsigned integers become `uint`, signed ones `int`,
//! floats `double`, sequences lists, maps and structs maps, `None` null, and bytes (through
//! `serde_bytes`) `bytes`; what CEL cannot hold (a `u128` over 64 bits, a map key that is
//! not a bool, an integer or a string) is a [`SerdeError`] naming where it was.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use std::collections::BTreeMap;
//! use celd::{Env, Type, Value};
//!
//! #[derive(serde::Serialize)]
//! struct Pod {
//!     replicas: u32,
//!     labels: BTreeMap<String, String>,
//! }
//!
//! let env = Env::builder()
//!     .variable("pod", Type::map(Type::String, Type::Dyn))
//!     .build()
//!     .unwrap();
//! let pod = Pod { replicas: 3, labels: BTreeMap::from([("app".into(), "web".into())]) };
//! let mut vars = env.activation();
//! vars.insert_serialize("pod", &pod).unwrap();
//!
//! let doubled = env.compile("pod.replicas * 2u").unwrap().eval(&vars).unwrap();
//! assert_eq!(doubled, Value::Uint(6));
//! let doubled: u32 = celd::from_value(&doubled).unwrap();
//! assert_eq!(doubled, 6);
//! // Scalars also read with `TryFrom` and the `as_*` accessors.
//! assert_eq!(u64::try_from(Value::Uint(6)), Ok(6));
//! assert_eq!(Value::Int(-1).as_int(), Some(-1));
//! # }
//! ```
//!
//! `examples/serde_values.rs` reads a whole struct back out of a result;
//! `from_value::<serde_json::Value>` turns any result into plain JSON.
//!
//! # What an evaluation spent
//!
//! [`Program::eval_details`] reports the cost an evaluation was charged and the variables it
//! read, for billing or logs; [`Program::estimate_cost`] bounds the cost before running,
//! given the sizes of inputs, nested paths included ([`SizeHints`]):
//!
//! ```
//! use celd::{Env, SizeHints, Type, Value};
//!
//! let env = Env::builder()
//!     .variable("groups", Type::list(Type::String))
//!     .variable("owner", Type::String)
//!     .build()
//!     .unwrap();
//! let program = env.compile("groups.exists(g, g == 'admin') || owner == 'jane'").unwrap();
//! let estimate = program.estimate_cost(&SizeHints::new().size("groups", 10).size("owner", 64));
//!
//! let mut vars = env.activation();
//! vars.insert("groups", Value::list(vec![Value::string("admin")])).insert("owner", "bob");
//! let (result, details) = program.eval_details(&vars);
//! assert_eq!(result.unwrap(), Value::Bool(true));
//! assert_eq!(details.variables_read(), ["groups"]); // `owner` was never needed
//! assert!(details.cost() >= estimate.min && Some(details.cost()) <= estimate.max);
//! ```
//!
//! [`EvalOptions::details`] does the same for [`Program::eval_with`] and the program cache.
//!
//! # Compile-time validation
//!
//! Besides types, [`Env::compile`] rejects literals that could never be valid: the pattern
//! of `matches` and `regex.*` (RE2's syntax), the text of `timestamp('...')` and
//! `duration('...')`. All are reported at once, each at its literal. [`Validations`] turns
//! them off or adds a limit on how deeply comprehensions nest:
//!
//! ```
//! use celd::{Env, ErrorKind, Type, Validations};
//!
//! let env = Env::builder().variable("name", Type::String).build().unwrap();
//! let error = env.compile("name.matches('a++') || duration('1 hour') > duration('0s')").unwrap_err();
//! assert_eq!(error.kind(), ErrorKind::Check);
//! assert_eq!(error.diagnostics().len(), 2);
//!
//! let lenient = env.to_builder().validations(Validations::none()).build().unwrap();
//! assert!(lenient.compile("name.matches('a++')").is_ok()); // fails when evaluated instead
//!
//! let strict = env
//!     .to_builder()
//!     .validations(Validations { max_comprehension_nesting: Some(1), ..Validations::default() })
//!     .build()
//!     .unwrap();
//! let nested = strict.compile("[[1]].all(row, row.all(x, x > 0))").unwrap_err();
//! assert_eq!(nested.kind(), ErrorKind::Limit);
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
pub use celd_value::{Duration, Key, List, Map, Timestamp, Value, ValueTypeError};
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
