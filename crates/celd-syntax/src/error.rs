//! `ParseError`: every problem found in one source text, rendered with carets.

use std::fmt;

use crate::source::{Diagnostic, Source, render_all};

/// A source text that did not parse: one or more diagnostics, sorted by position.
#[derive(Clone, Debug)]
pub struct ParseError {
    diagnostics: Vec<Diagnostic>,
    source: Source,
    kind: ParseErrorKind,
}

/// What kind of failure a [`ParseError`] is.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The text is not a well-formed expression, e.g. `1 +` or `'unterminated`.
    Syntax,
    /// A limit of [`ParseOptions`](crate::ParseOptions) was exceeded, e.g. 300 nested `(`
    /// with the default depth limit of 250; the diagnostic names the limit.
    Limit,
}

impl ParseError {
    pub(crate) fn new(
        diagnostics: Vec<Diagnostic>,
        source: Source,
        kind: ParseErrorKind,
    ) -> ParseError {
        ParseError {
            diagnostics,
            source,
            kind,
        }
    }

    /// Every problem found, in source order; never empty.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_all(&self.diagnostics, &self.source))
    }
}

impl std::error::Error for ParseError {}
