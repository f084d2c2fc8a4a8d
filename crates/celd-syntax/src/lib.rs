//! CEL source text to AST: lexer, parser, macro expansion and the printer.
//!
//! This crate knows nothing of types or values. Its products are an [`Ast`]
//! (every node with an [`ExprId`] and a [`Span`]) or a [`ParseError`] that
//! lists every problem found, each with a span into the [`Source`].

pub mod ast;
pub mod source;

pub use ast::{Ast, Expr, ExprId, ExprKind, Literal, Name};
pub use source::{Diagnostic, Location, Source, Span};
