//! [`Error`]: every failure of the façade, with the facts a person or a program needs.

use std::fmt;

use celd_syntax::source::{Diagnostic, Location, Source, render_all};
use celd_value::EvalError;

/// What kind of failure an [`Error`] is. The names match the HTTP API's `error.kind`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not a CEL expression: `1 +`.
    Parse,
    /// The expression does not type-check: `1 + 'a'`, `undeclared_name`.
    Check,
    /// Evaluation failed: `1 / 0`, `{}.missing`.
    Eval,
    /// A configured limit was reached: nesting depth, expression size, cost, time, value size.
    Limit,
    /// The environment could not be built: an unknown extension, a bad declaration.
    Env,
    /// A variable's value does not fit its declared type, found before evaluation:
    /// `x` declared `int` and given `1.5`.
    Variable,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Parse => "parse",
            ErrorKind::Check => "check",
            ErrorKind::Eval => "eval",
            ErrorKind::Limit => "limit",
            ErrorKind::Env => "env",
            ErrorKind::Variable => "variable",
        }
    }
}

/// A failure to build an environment, compile an expression or evaluate a program.
///
/// `Display` renders every diagnostic as `ERROR: <input>:1:5: message`, the source
/// line and a caret line.
#[derive(Clone)]
pub struct Error(Box<Inner>);

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    diagnostics: Vec<Diagnostic>,
    source: Option<Source>,
    eval: Option<EvalError>,
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        diagnostics: Vec<Diagnostic>,
        source: Option<Source>,
    ) -> Error {
        Error(Box::new(Inner {
            kind,
            diagnostics,
            source,
            eval: None,
        }))
    }

    pub(crate) fn env(message: impl Into<String>) -> Error {
        Error::new(
            ErrorKind::Env,
            vec![Diagnostic::new(Default::default(), message)],
            None,
        )
    }

    /// A variable given a value that does not fit its declaration.
    pub(crate) fn variable(message: impl Into<String>) -> Error {
        Error::new(
            ErrorKind::Variable,
            vec![Diagnostic::new(Default::default(), message)],
            None,
        )
    }

    pub(crate) fn from_eval(error: EvalError, diagnostic: Diagnostic, source: Source) -> Error {
        let kind = match error.kind() {
            celd_value::ErrorKind::Limit => ErrorKind::Limit,
            _ => ErrorKind::Eval,
        };
        let mut e = Error::new(kind, vec![diagnostic], Some(source));
        e.0.eval = Some(error);
        e
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The first problem's message (without location).
    pub fn message(&self) -> &str {
        self.0
            .diagnostics
            .first()
            .map_or("unknown error", |d| d.message.as_str())
    }

    /// Every problem found, each with a span into [`Error::source`].
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.0.diagnostics
    }

    pub fn source(&self) -> Option<&Source> {
        self.0.source.as_ref()
    }

    /// Line and column of the first problem, if it has a source.
    pub fn location(&self) -> Option<Location> {
        let source = self.0.source.as_ref()?;
        let first = self.0.diagnostics.first()?;
        Some(source.location(first.span.start))
    }

    /// The evaluation error behind an `Eval` or evaluation `Limit` error.
    pub fn eval_error(&self) -> Option<&EvalError> {
        self.0.eval.as_ref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.source {
            Some(source) => f.write_str(&render_all(&self.0.diagnostics, source)),
            None => {
                for (i, d) in self.0.diagnostics.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "ERROR: {}", d.message)?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?}: {})", self.0.kind, self.message())
    }
}

impl std::error::Error for Error {}
