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
//! - regular expressions have RE2's syntax and semantics (linear time) and a bounded compiled size, 4 MiB
//!   for all the constant patterns of one program;
//! - a limit error (cost, time, cancellation, memory, size) ends the evaluation: no `&&`,
//!   `||` or quantifier absorbs it;
//! - with [`MeteredAlloc`] as the binary's global allocator, one evaluation allocates at most
//!   64 MiB ([`Limits::max_memory_bytes`]):
//!
//! ```
//! #[global_allocator]
//! static ALLOCATOR: celd::MeteredAlloc = celd::MeteredAlloc;
//! # fn main() {
//! # let env = celd::Env::standard();
//! # let program = env.compile("[1, 2, 3].map(x, x * 2)").unwrap();
//! # let doubled = program.eval(&env.activation()).unwrap();
//! # assert_eq!(doubled.to_string(), "[2, 4, 6]");
//! # }
//! ```
//!
//! All limits are configurable ([`celd_syntax::ParseOptions`], [`Limits`]) and exceeding one is
//! an error of kind `Limit` that names it.
//!
//! # Extending the engine
//!
//! A host adds its own vocabulary through [`EnvBuilder`]: functions implemented in Rust,
//! functions bound per evaluation, value types of its own and struct types. The checker
//! sees every declaration, the program cache treats host-extended environments like any
//! other, and `celd serve` and `celd eval --batch` run over them
//! (`ServiceConfig::extend_env` in `celd-server`). `examples/host_functions.rs` and
//! `examples/host_types.rs` show a whole program each (`cargo run -p celd --example
//! host_functions`).
//!
//! ## Host functions
//!
//! [`EnvBuilder::function`] (global, `f(x)`) and [`EnvBuilder::method`] (receiver,
//! `x.f()`) pair a name with an implementation. A typed closure is the easy path: its CEL
//! signature comes from the Rust types of its arguments and result ([`FromValue`],
//! [`IntoResult`]: `i64` is `int`, `u64` `uint`, `f64` `double`, `&str`/`String` `string`,
//! `&[u8]`/`Vec<u8>` `bytes`, `&List`, `&Map`, [`Timestamp`], [`Duration`], `Option<T>` an
//! optional, [`Value`] `dyn`, `&T` for a [`HostType`]). A closure returning `Result<T, E>`
//! is fallible: an `Err` becomes a CEL error at the call, with the caller's source
//! location (an [`EvalError`] keeps its kind, any other `E: Display` is an
//! invalid-argument error with its text). An [`Overload`] adds an overload id, a declared
//! signature (type parameters such as `list(A) -> A`), a [`Cost`], or a dynamic
//! implementation over `&[Value]` with a declared signature.
//!
//! ```
//! use celd::{Cost, Env, Overload, Type, Value};
//!
//! let env = Env::builder()
//!     .variable("name", Type::String)
//!     .function("double_it", |x: i64| x * 2)
//!     .method("greet", |name: &str| format!("hello, {name}"))
//!     .function(
//!         "port",
//!         // Fallible: "invalid port" is a CEL error at the call.
//!         |text: &str| text.parse::<u16>().map(i64::from).map_err(|_| "invalid port"),
//!     )
//!     .function(
//!         "first",
//!         Overload::new(|list: &celd::List| list.first().cloned().unwrap_or(Value::Null))
//!             .signature([Type::list(Type::param("A"))], Type::param("A"))
//!             .cost(Cost::from_sizes(|_| 1)),
//!     )
//!     .build()
//!     .unwrap();
//! let program = env.compile("name.greet() + ' ' + string(double_it(port('21')))").unwrap();
//! let mut vars = env.activation();
//! vars.insert("name", "jane");
//! assert_eq!(program.eval(&vars).unwrap(), Value::string("hello, jane 42"));
//!
//! let err = env.compile("1 + port('http')").unwrap().eval(&vars).unwrap_err();
//! assert_eq!(err.location().map(|l| l.column), Some(5));
//! assert_eq!(env.check("first(['a'])").unwrap(), Type::String);
//! ```
//!
//! Implementations are `Send + Sync` and may capture state (an `Arc`). Host calls are
//! never folded at compile time. Checked programs run the overload the checker chose;
//! unchecked ones choose by the runtime argument types, and fall back to the built-in
//! function of that name. Every mistake in a declaration is an error of kind `Env` at
//! [`build`](EnvBuilder::build), not at first use: a dynamic implementation without a
//! signature, a declared signature the closure does not fit, a method without a receiver,
//! a struct field of an undeclared type. A host overload never replaces another: one whose
//! overload id is already declared (by the standard library, an enabled extension or the
//! host), or whose signature overlaps an overload of the same function (`size(string)`,
//! whatever its id), is an error at `build()`; a signature no other overload accepts
//! (`size(k8s.Quantity)`) adds an overload.
//!
//! ## Costs
//!
//! Every host call is charged against the evaluation's cost limit ([`Limits::max_cost`])
//! and its results against the size limits. [`Cost::fixed`] declares a cost per call (the
//! default is 1, as for a constant-time built-in); [`Cost::from_sizes`] a function of the
//! argument sizes (bytes of strings, entries of lists and maps), charged with the actual
//! sizes at run time and with the bounds of [`SizeHints`] by
//! [`Program::estimate_cost`].
//!
//! ## Functions bound per evaluation
//!
//! For request-scoped state (an authorizer, a clock, a database handle), an overload is
//! declared in the environment with [`Overload::late_bound`] and implemented by each
//! activation with [`Activation::bind`] (by function name, or by overload id, which wins).
//! A call that finds no binding fails with [`EvalErrorKind::UnboundFunction`].
//!
//! ```
//! use celd::{Env, Overload, Type, Value};
//!
//! let env = Env::builder()
//!     .function("allowed", Overload::late_bound([Type::String], Type::Bool))
//!     .build()
//!     .unwrap();
//! let program = env.compile("allowed('get') && !allowed('delete')").unwrap();
//! let granted = vec!["get".to_owned(), "list".to_owned()];
//! let mut vars = env.activation();
//! vars.bind("allowed", move |verb: &str| granted.iter().any(|g| g == verb));
//! assert_eq!(program.eval(&vars).unwrap(), Value::Bool(true));
//! ```
//!
//! ## Host types
//!
//! A Rust type implementing [`HostType`] is a CEL type of its own name, declared with
//! [`EnvBuilder::host_type`]: `type(x) == k8s.Quantity` holds, declarations and
//! [`Env::parse_type`] accept the name, `==` uses [`HostType::equals`], `<` and the other
//! orderings [`HostType::compare`] when the type is [`ORDERED`](HostType::ORDERED), and the
//! value prints with [`HostType::fmt_cel`] and reads and writes celd JSON as
//! `{"$k8s.Quantity": body}` ([`Env::read_json`]). Its methods are host functions taking
//! `&T`; its values go into an activation as they are (`vars.insert("limit", quantity)`).
//! The network extension's `net.IP` and `net.CIDR` are host types.
//!
//! ```
//! use std::cmp::Ordering;
//! use celd::{Env, HostType, Type, Value};
//!
//! #[derive(Debug, PartialEq, PartialOrd)]
//! struct Meters(f64);
//!
//! impl HostType for Meters {
//!     const TYPE_NAME: &'static str = "geo.Meters";
//!     const ORDERED: bool = true;
//!     fn equals(&self, other: &Self) -> bool {
//!         self == other
//!     }
//!     fn compare(&self, other: &Self) -> Option<Ordering> {
//!         self.partial_cmp(other)
//!     }
//! }
//!
//! let env = Env::builder()
//!     .variable("distance", Type::named("geo.Meters"))
//!     .host_type::<Meters>()
//!     .function("meters", |m: f64| Meters(m))
//!     .method("km", |m: &Meters| m.0 / 1000.0)
//!     .build()
//!     .unwrap();
//! let program = env
//!     .compile("distance < meters(5000.0) && distance.km() > 1.0 && type(distance) == geo.Meters")
//!     .unwrap();
//! let mut vars = env.activation();
//! vars.insert("distance", Meters(1200.0));
//! assert_eq!(program.eval(&vars).unwrap(), Value::Bool(true));
//! ```
//!
//! ## Struct types
//!
//! A [`StructType`] declares an object type with named, typed fields without protobuf:
//! field selection, `has()` and type errors work as for messages (`pod.spec.replica` is an
//! undefined field, `pod.spec.replicas` an `int`), and `test.Pod{...}` builds one. Values
//! are maps from field names to values. [`StructType::with_dynamic_fields`] allows every
//! field name, an undeclared one being `dyn` (an object whose schema is unknown).
//!
//! ```
//! use celd::{Env, StructType, Type, Value};
//!
//! let env = Env::builder()
//!     .struct_type(StructType::new("k8s.PodSpec").field("replicas", Type::Int))
//!     .variable("spec", Type::object("k8s.PodSpec"))
//!     .build()
//!     .unwrap();
//! assert_eq!(env.check("spec.replicas * 2").unwrap(), Type::Int);
//! assert!(env.check("spec.replica").is_err());
//!
//! let spec = env.read_json(&serde_json::json!({"replicas": 3})).unwrap();
//! let mut vars = env.activation();
//! vars.insert("spec", spec);
//! let program = env.compile("has(spec.replicas) && spec.replicas * 2 == 6").unwrap();
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

mod compile;
pub mod dump;
mod env;
mod error;
mod extensions;
mod host;
mod json;
mod program;
pub mod protos;
mod validate;

pub use celd_eval::{Activation, EvalDetails, EvalOptions, Limits, MeteredAlloc};
pub use celd_syntax::{ParseOptions, Source};
pub use celd_types::{StructType, Type, TypeErrorKind};
#[cfg(feature = "serde")]
pub use celd_value::serde_bridge::{
    SerdeError, SerdeErrorKind, SerdeLimits, from_value, from_value_with, to_value, to_value_with,
};
pub use celd_value::{
    Duration, FromValue, HostType, IntoResult, IntoValue, Key, List, ListEquality, Map, Timestamp,
    Value, ValueTypeError,
};
pub use env::{Env, EnvBuilder};
pub use error::{Error, ErrorKind};
pub use extensions::Extension;
pub use host::{IntoOverload, Overload};
pub use program::Program;
pub use validate::Validations;

pub use celd_check::CheckedAst;
/// cel-go's static cost estimate over the checked expression as written (the estimate
/// Kubernetes applies), with hooks for a host's sizes and call costs; see
/// [`Env::estimate_cel_go`].
pub use celd_check::cost as cel_go_cost;

// The extension API: host functions, host types, struct types, and what their
// declarations and errors name.
pub use celd_eval::estimate::{CostEstimate, SizeHints};
pub use celd_eval::functions::host::{
    Binding, Cost, HostFunction, HostOverload, IntoHostFunction, Prepare,
};
pub use celd_syntax::source::{Diagnostic, Location};
pub use celd_types::{FunctionDecl, OverloadDecl, TypeParseError};
pub use celd_value::json::{JsonError, JsonReader};
pub use celd_value::{ErrorKind as EvalErrorKind, EvalError};

/// The layers below the façade, for tools that need them (the program cache, the CLI).
pub mod layers {
    pub use celd_check as check;
    pub use celd_eval as eval;
    pub use celd_syntax as syntax;
    pub use celd_types as types;
    pub use celd_value as value;
}
