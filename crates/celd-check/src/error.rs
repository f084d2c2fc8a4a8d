//! [`CheckError`]: every problem the checker found, with spans, rendered with carets.

use std::fmt;

use celd_syntax::source::{Diagnostic, Source, Span, render_all};

/// What kind of problem a check diagnostic reports.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CheckErrorKind {
    /// A name that no variable, type, enum constant or function declares: `nope + 1`.
    UndeclaredReference,
    /// No overload of a function accepts the argument types: `1 + 'a'`.
    NoMatchingOverload,
    /// An expression has a type other than the one required: a comprehension
    /// condition that is not `bool`, or `?x` in a list where `x` is not optional.
    TypeMismatch,
    /// A struct literal sets a field to a value of the wrong type: `TestAllTypes{single_int64: 'a'}`.
    FieldTypeMismatch,
    /// A message has no field of that name: `TestAllTypes{}.nope`.
    UndefinedField,
    /// A struct literal names something that is not a type: `x{}` where `x` is a variable.
    NotAType,
    /// A struct literal names a type that is not a message: `int{}`.
    NotAMessageType,
    /// Field selection on a type without fields: `1.field`.
    FieldSelectionUnsupported,
    /// A comprehension over something that is not a list or map: `1.all(x, x > 0)`.
    NotAComprehensionRange,
    /// `_?._` whose field is not a string literal (only a hand-built AST can do this).
    InvalidOptionalSelect,
    /// The expression is nested more deeply than the checker recurses.
    NestingTooDeep,
}

/// The checker's error: all problems found (up to a cap), each with a span.
///
/// `Display` renders each as `ERROR: <input>:1:5: message`, the source line and a caret.
#[derive(Clone, Debug)]
pub struct CheckError {
    source: Source,
    diagnostics: Vec<Diagnostic>,
    kinds: Vec<CheckErrorKind>,
}

impl CheckError {
    pub(crate) fn new(
        source: Source,
        diagnostics: Vec<Diagnostic>,
        kinds: Vec<CheckErrorKind>,
    ) -> CheckError {
        CheckError {
            source,
            diagnostics,
            kinds,
        }
    }

    /// Every problem found, in the order found.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The kind of each diagnostic, index for index.
    pub fn kinds(&self) -> &[CheckErrorKind] {
        &self.kinds
    }

    /// The kind of the first problem.
    pub fn kind(&self) -> CheckErrorKind {
        self.kinds
            .first()
            .copied()
            .unwrap_or(CheckErrorKind::TypeMismatch)
    }

    /// The span of the first problem.
    pub fn span(&self) -> Span {
        self.diagnostics.first().map(|d| d.span).unwrap_or_default()
    }

    /// The message of the first problem.
    pub fn message(&self) -> &str {
        self.diagnostics.first().map_or("", |d| d.message.as_str())
    }

    pub fn source(&self) -> &Source {
        &self.source
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_all(&self.diagnostics, &self.source))
    }
}

impl std::error::Error for CheckError {}
