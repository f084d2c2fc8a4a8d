//! The unparser: an `Ast` back to CEL text.
use crate::ast::Ast;

pub fn print(_ast: &Ast) -> String {
    String::new()
}
