//! Evaluation errors: a kind, a message, and the expression they came from.
//!
//! Errors are ordinary values inside the evaluator (so `&&`, `||` and `?:`
//! can absorb them as the spec requires) — except errors of kind [`ErrorKind::Limit`], which
//! end the evaluation wherever they arise. They are one pointer wide.

use std::fmt;

/// What went wrong during evaluation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Integer division or modulus by zero: `1 / 0`, `5 % 0`.
    DivisionByZero,
    /// Integer arithmetic or a conversion left its type's range:
    /// `9223372036854775807 + 1`, `uint(-1)`, `int(1e99)`.
    Overflow,
    /// No overload accepts the runtime argument types: `dyn(1) + 'a'`.
    NoSuchOverload,
    /// A map has no entry for the key: `{'a': 1}['b']`, `{'a': 1}.b`.
    NoSuchKey,
    /// A message has no such field: `google.protobuf.Duration{}.foo`.
    NoSuchField,
    /// A list index outside the list: `[1, 2][2]`.
    IndexOutOfRange,
    /// An argument has the right type but an unusable value:
    /// `int('abc')`, `timestamp('yesterday')`, `'a'.matches('(')`.
    InvalidArgument,
    /// A variable the expression reads has no value: `x` evaluated without `x`.
    UnboundVariable,
    /// A late-bound function was called, but the activation binds no implementation of it.
    UnboundFunction,
    /// A timestamp or duration left the range CEL supports:
    /// `timestamp('9999-12-31T23:59:59Z') + duration('1s')`.
    TimeRange,
    /// A configured limit was reached: cost, time, or the size of a built value. Never
    /// absorbed: it ends the evaluation ([`EvalError::limit_kind`] says which limit).
    Limit,
}

/// Which limit a [`ErrorKind::Limit`] error reports.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum LimitKind {
    /// The cost budget is spent: `lists.range(1000).map(i, lists.range(1000))` (default limits).
    Cost,
    /// The deadline passed.
    Time,
    /// The cancellation flag was raised.
    Cancelled,
    /// The evaluation's memory budget is spent.
    Memory,
    /// A value would be larger than allowed: `'x'.repeat(100000000)`; also the compile-time
    /// bounds on regular expressions.
    Size,
}

impl ErrorKind {
    /// A short stable name for logs, metrics and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::DivisionByZero => "division_by_zero",
            ErrorKind::Overflow => "overflow",
            ErrorKind::NoSuchOverload => "no_such_overload",
            ErrorKind::NoSuchKey => "no_such_key",
            ErrorKind::NoSuchField => "no_such_field",
            ErrorKind::IndexOutOfRange => "index_out_of_range",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::UnboundVariable => "unbound_variable",
            ErrorKind::UnboundFunction => "unbound_function",
            ErrorKind::TimeRange => "time_range",
            ErrorKind::Limit => "limit",
        }
    }
}

/// An evaluation error. Cheap to move: one boxed pointer.
#[derive(Clone, PartialEq, Eq)]
pub struct EvalError(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    /// Meaningful for `ErrorKind::Limit` only.
    limit: LimitKind,
    message: String,
    /// The id of the expression node that raised it, 0 until the evaluator attaches one.
    expr_id: u32,
}

pub type Result<T, E = EvalError> = std::result::Result<T, E>;

impl EvalError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> EvalError {
        EvalError(Box::new(Inner {
            kind,
            limit: LimitKind::Size,
            message: message.into(),
            expr_id: 0,
        }))
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Which limit a `Limit` error reports (`None` for every other kind).
    pub fn limit_kind(&self) -> Option<LimitKind> {
        (self.0.kind == ErrorKind::Limit).then_some(self.0.limit)
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The expression node the error is attributed to, if known.
    pub fn expr_id(&self) -> Option<u32> {
        (self.0.expr_id != 0).then_some(self.0.expr_id)
    }

    /// Attributes the error to `expr_id` unless it already points somewhere deeper.
    pub fn at(mut self, expr_id: u32) -> EvalError {
        if self.0.expr_id == 0 {
            self.0.expr_id = expr_id;
        }
        self
    }

    pub fn division_by_zero() -> EvalError {
        EvalError::new(ErrorKind::DivisionByZero, "division by zero")
    }

    pub fn modulus_by_zero() -> EvalError {
        EvalError::new(ErrorKind::DivisionByZero, "modulus by zero")
    }

    pub fn overflow(what: &str) -> EvalError {
        EvalError::new(ErrorKind::Overflow, format!("{what} overflow"))
    }

    pub fn out_of_range(what: &str) -> EvalError {
        EvalError::new(ErrorKind::Overflow, format!("{what} out of range"))
    }

    pub fn no_such_overload(function: &str, arg_types: &[&str]) -> EvalError {
        EvalError::new(
            ErrorKind::NoSuchOverload,
            format!("no such overload: {function}({})", arg_types.join(", ")),
        )
    }

    /// The key is shown cut to [`MAX_SHOWN_CHARS`]: a message stays small, and cheap to
    /// build, however large the key.
    pub fn no_such_key(key: impl fmt::Display) -> EvalError {
        EvalError::new(ErrorKind::NoSuchKey, format!("no such key: {}", brief(key)))
    }

    pub fn no_such_field(field: &str) -> EvalError {
        EvalError::new(ErrorKind::NoSuchField, format!("no such field: {field}"))
    }

    pub fn index_out_of_range(index: impl fmt::Display, size: usize) -> EvalError {
        EvalError::new(
            ErrorKind::IndexOutOfRange,
            format!("index out of range: {index} (size {size})"),
        )
    }

    pub fn invalid_argument(message: impl Into<String>) -> EvalError {
        EvalError::new(ErrorKind::InvalidArgument, message)
    }

    pub fn unbound_variable(name: &str) -> EvalError {
        EvalError::new(
            ErrorKind::UnboundVariable,
            format!("no value for variable '{name}'"),
        )
    }

    pub fn time_range(what: &str) -> EvalError {
        EvalError::new(ErrorKind::TimeRange, format!("{what} out of range"))
    }

    /// A value-size limit (or another bound that is not cost, time, cancellation or memory).
    pub fn limit(message: impl Into<String>) -> EvalError {
        EvalError::new(ErrorKind::Limit, message)
    }

    /// A limit of the given kind.
    pub fn limit_of(limit: LimitKind, message: impl Into<String>) -> EvalError {
        let mut e = EvalError::new(ErrorKind::Limit, message);
        e.0.limit = limit;
        e
    }

    pub fn cost_limit(max_cost: u64) -> EvalError {
        EvalError::limit_of(
            LimitKind::Cost,
            format!("evaluation cost limit of {max_cost} exceeded"),
        )
    }

    pub fn time_limit() -> EvalError {
        EvalError::limit_of(LimitKind::Time, "evaluation time limit exceeded")
    }

    pub fn cancelled() -> EvalError {
        EvalError::limit_of(LimitKind::Cancelled, "evaluation cancelled")
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl fmt::Debug for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EvalError({:?}: {})", self.0.kind, self.0.message)
    }
}

impl std::error::Error for EvalError {}

/// The most characters of a value an error message shows.
pub const MAX_SHOWN_CHARS: usize = 100;

/// `value` as text, cut after [`MAX_SHOWN_CHARS`] characters (with `…`); formatting stops
/// there, so the cost does not grow with the value.
pub fn brief(value: impl fmt::Display) -> String {
    struct Bounded {
        text: String,
        chars: usize,
    }
    impl fmt::Write for Bounded {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for c in s.chars() {
                if self.chars == MAX_SHOWN_CHARS {
                    return Err(fmt::Error);
                }
                self.text.push(c);
                self.chars += 1;
            }
            Ok(())
        }
    }
    let mut out = Bounded {
        text: String::new(),
        chars: 0,
    };
    if fmt::write(&mut out, format_args!("{value}")).is_err() {
        out.text.push('…');
    }
    out.text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_large_keys_cut() {
        assert_eq!(EvalError::no_such_key("'a'").message(), "no such key: 'a'");
        let long = "x".repeat(1_000_000);
        let message = EvalError::no_such_key(&long).message().to_owned();
        assert_eq!(
            message.chars().count(),
            "no such key: ".len() + MAX_SHOWN_CHARS + 1
        );
        assert!(message.ends_with("x…"), "{message}");
        assert_eq!(
            brief("y".repeat(MAX_SHOWN_CHARS)),
            "y".repeat(MAX_SHOWN_CHARS)
        );
    }
}
