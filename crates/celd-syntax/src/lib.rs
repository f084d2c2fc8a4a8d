//! CEL source text to AST: lexer, parser, macro expansion and the printer.
//!
//! This crate knows nothing of types or values. Its products are an [`Ast`]
//! (every node with an [`ExprId`] and a [`Span`]) or a [`ParseError`] that
//! lists every problem found, each with a span into the [`Source`].
//!
//! ```
//! use celd_syntax::{parse_str, print};
//!
//! let ast = parse_str("[1, 2, 3].map(x, x * 2)").unwrap();
//! assert_eq!(print(&ast), "[1, 2, 3].map(x, x * 2)");
//! assert!(parse_str("1 +").is_err());
//! ```
//!
//! # Untrusted input
//!
//! [`parse`] is safe on any text: it never panics, and [`ParseOptions`] bounds its work.
//!
//! - `max_code_points` (100,000): longer text is rejected before it is lexed.
//! - `max_depth` (250): bounds the parser's recursion and the depth of the tree it builds,
//!   after macro expansion, so later recursive passes cannot overflow the stack either.
//! - `max_errors` (100): parsing stops after this many diagnostics.

pub mod ast;
mod error;
mod lexer;
mod literal;
mod macros;
mod messages;
mod options;
mod parser;
mod printer;
pub mod source;

use std::cell::Cell;

use parser::Scratch;

pub use ast::{Ast, Expr, ExprId, ExprKind, Literal, Name};
pub use error::{ParseError, ParseErrorKind};
pub use options::{Macros, ParseOptions};
pub use printer::print;
pub use source::{Diagnostic, Location, Source, Span};

/// Parses `source` into an [`Ast`] with macros expanded, or returns every problem found.
pub fn parse(source: Source, options: &ParseOptions) -> Result<Ast, ParseError> {
    let text = source.text();
    if let Some(count) = code_points_over_limit(text, options.max_code_points) {
        let message = messages::too_many_code_points(count, options.max_code_points);
        let diagnostic = Diagnostic::new(Span::new(0, 0), message);
        return Err(ParseError::new(
            vec![diagnostic],
            source,
            ParseErrorKind::Limit,
        ));
    }
    let mut scratch = take_scratch();
    scratch.tokens.clear();
    scratch.tokens.reserve(text.len() / 2 + 2);
    let mut diagnostics = Vec::new();
    lexer::tokenize(
        text,
        &mut scratch.tokens,
        &mut diagnostics,
        options.max_errors.max(1),
    );
    let (parsed, scratch) = parser::Parser::new(text, scratch, diagnostics, options).parse();
    keep_scratch(scratch);
    match parsed {
        Ok(parsed) => Ok(Ast {
            expr: parsed.expr,
            source,
            spans: parsed.spans,
            operator_spans: parsed.operator_spans,
            macro_calls: parsed.macro_calls,
        }),
        Err(failed) => {
            let kind = if failed.limit_exceeded {
                ParseErrorKind::Limit
            } else {
                ParseErrorKind::Syntax
            };
            Err(ParseError::new(failed.diagnostics, source, kind))
        }
    }
}

thread_local! {
    /// The scratch buffers of the thread's last parse, reused by its next one.
    static SCRATCH: Cell<Scratch> = const {
        Cell::new(Scratch {
            tokens: Vec::new(),
            depths: Vec::new(),
        })
    };
}

/// Buffers larger than this many elements are not kept for the next parse.
const MAX_KEPT_SCRATCH: usize = 1 << 12;

fn take_scratch() -> Scratch {
    SCRATCH.try_with(Cell::take).unwrap_or_default()
}

fn keep_scratch(scratch: Scratch) {
    if scratch.tokens.capacity() <= MAX_KEPT_SCRATCH
        && scratch.depths.capacity() <= MAX_KEPT_SCRATCH
    {
        let _ = SCRATCH.try_with(|kept| kept.set(scratch));
    }
}

/// Parses `text` (named `<input>`) with the default options.
pub fn parse_str(text: &str) -> Result<Ast, ParseError> {
    parse(Source::new(text), &ParseOptions::default())
}

/// The number of code points in `text` if it is more than `limit`.
fn code_points_over_limit(text: &str, limit: usize) -> Option<usize> {
    if text.len() <= limit {
        return None;
    }
    let count = text.chars().count();
    (count > limit).then_some(count)
}
