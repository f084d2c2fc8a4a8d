//! The CEL type checker: a parsed [`Ast`](celd_syntax::Ast) in, a
//! [`CheckedAst`] out — the same tree plus the deduced type of every node and
//! what every name and call resolved to, in side tables keyed by `ExprId`.
//!
//! Build a [`CheckEnv`] once (declarations, enabled libraries, container,
//! message types) and call [`check`] for each expression: the overload
//! tables are prepared at build time, so a check allocates little.
//!
//! The rules follow cel-spec's langdef and cel-go's checker: type parameters
//! unify through a substitution, `dyn` is assignable both ways, wrappers
//! accept their primitive and `null`, and list or map literals whose
//! elements disagree get element type `dyn`.
//!
//! ```
//! use celd_check::{CheckEnv, Reference, check};
//! use celd_syntax::parse_str;
//! use celd_types::Type;
//!
//! let env = CheckEnv::builder()
//!     .variable("request", Type::map(Type::String, Type::Dyn))
//!     .extension("strings")
//!     .build()
//!     .unwrap();
//! let checked = check(parse_str("request.user.lowerAscii() == 'adm'").unwrap(), &env).unwrap();
//! assert_eq!(checked.result_type(), &Type::Bool);
//! let Some(Reference::Function(call)) = checked.reference(checked.ast().expr.id) else {
//!     panic!("the root is a call");
//! };
//! assert_eq!(call.overload_ids.as_slice(), ["equals"]);
//!
//! let err = check(parse_str("request + 1").unwrap(), &env).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "ERROR: <input>:1:9: found no matching overload for '_+_' applied to '(map(string, dyn), int)'\n | request + 1\n | ........^"
//! );
//! ```

mod checked;
mod checker;
pub mod cost;
mod declared;
mod env;
mod error;
mod messages;
mod unify;

pub use checked::{CheckedAst, FunctionRef, Reference};
pub use checker::check;
pub use env::{
    CheckEnv, CheckEnvBuilder, CheckLibrary, CheckOptions, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ERRORS,
    EnvError,
};
pub use error::{CheckError, CheckErrorKind};
