//! Function implementations and the registry that finds them by name and arity.
//!
//! Every built-in function has one dynamic implementation that dispatches on the runtime
//! types of its arguments, so unchecked expressions run the same code as checked ones.
//! Host functions ([`host`]) are bound per overload instead.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use celd_value::{EvalError, Result, Value};
use smol_str::SmolStr;

pub mod ext;
pub mod host;
pub mod patterns;
pub mod std_lib;

pub type Unary = fn(&Value) -> Result<Value>;
pub type Binary = fn(&Value, &Value) -> Result<Value>;
pub type Nary = fn(&[Value]) -> Result<Value>;
/// A host-provided implementation.
pub type Custom = Arc<dyn Fn(&[Value]) -> Result<Value> + Send + Sync>;

/// How a function is called.
#[derive(Clone)]
pub enum Impl {
    Unary(Unary),
    Binary(Binary),
    Nary(Nary),
    Custom(Custom),
}

impl Impl {
    /// Calls with any number of arguments; a fixed-arity implementation given the wrong count fails.
    pub fn call(&self, name: &str, args: &[Value]) -> Result<Value> {
        match (self, args) {
            (Impl::Unary(f), [a]) => f(a),
            (Impl::Binary(f), [a, b]) => f(a, b),
            (Impl::Nary(f), _) => f(args),
            (Impl::Custom(f), _) => f(args),
            _ => Err(no_such_overload(name, args)),
        }
    }

    #[inline]
    pub fn call1(&self, name: &str, a: &Value) -> Result<Value> {
        match self {
            Impl::Unary(f) => f(a),
            _ => self.call(name, std::slice::from_ref(a)),
        }
    }

    #[inline]
    pub fn call2(&self, name: &str, a: &Value, b: &Value) -> Result<Value> {
        match self {
            Impl::Binary(f) => f(a, b),
            _ => self.call(name, &[a.clone(), b.clone()]),
        }
    }
}

impl fmt::Debug for Impl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Impl::Unary(_) => "unary",
            Impl::Binary(_) => "binary",
            Impl::Nary(_) => "nary",
            Impl::Custom(_) => "custom",
        })
    }
}

/// The error for arguments no overload accepts, naming their runtime types.
pub fn no_such_overload(name: &str, args: &[Value]) -> EvalError {
    let types: Vec<_> = args.iter().map(Value::type_name).collect();
    let types: Vec<&str> = types.iter().map(|t| t.as_ref()).collect();
    EvalError::no_such_overload(name, &types)
}

/// The implementations of one function, by argument count.
#[derive(Clone, Default)]
struct Entry {
    by_arity: [Option<Impl>; 4],
    any_arity: Option<Impl>,
}

/// Function implementations by name. Built once per library and shared.
#[derive(Clone, Default)]
pub struct Registry {
    functions: HashMap<SmolStr, Entry, foldhash::fast::RandomState>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The standard library.
    pub fn standard() -> Registry {
        let mut r = Registry::new();
        std_lib::register(&mut r);
        r
    }

    /// Adds (or replaces) the implementation of `name` for calls with `arity` arguments.
    pub fn add(&mut self, name: &str, arity: usize, f: Impl) {
        let entry = self.functions.entry(SmolStr::new(name)).or_default();
        match entry.by_arity.get_mut(arity) {
            Some(slot) => *slot = Some(f),
            None => entry.any_arity = Some(f),
        }
    }

    /// Adds an implementation used for any number of arguments not registered separately.
    pub fn add_variadic(&mut self, name: &str, f: Impl) {
        self.functions
            .entry(SmolStr::new(name))
            .or_default()
            .any_arity = Some(f);
    }

    pub fn unary(&mut self, name: &str, f: Unary) {
        self.add(name, 1, Impl::Unary(f));
    }

    pub fn binary(&mut self, name: &str, f: Binary) {
        self.add(name, 2, Impl::Binary(f));
    }

    pub fn nary(&mut self, name: &str, arity: usize, f: Nary) {
        self.add(name, arity, Impl::Nary(f));
    }

    pub fn lookup(&self, name: &str, arity: usize) -> Option<&Impl> {
        let entry = self.functions.get(name)?;
        entry
            .by_arity
            .get(arity)
            .and_then(Option::as_ref)
            .or(entry.any_arity.as_ref())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.functions.contains_key(name)
    }

    /// Every registered function name, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.functions.keys().map(SmolStr::as_str).collect();
        names.sort_unstable();
        names
    }
}
