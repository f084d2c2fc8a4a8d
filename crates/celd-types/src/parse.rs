//! A parser for CEL type syntax: `int`, `list(string)`, `map(string, dyn)`,
//! `google.protobuf.Timestamp`, `pkg.Msg`, `optional_type(int)`.
//!
//! Used by `--decl NAME:TYPE`, the HTTP `decls` field and the declaration tables.

use std::fmt;

use crate::ty::{Primitive, Type};

/// Deepest nesting of type parameters accepted (`list(list(...))`).
const MAX_TYPE_DEPTH: usize = 64;

/// Why a type string did not parse, and the byte offset where it went wrong.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TypeParseError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for TypeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.message, self.offset)
    }
}

impl std::error::Error for TypeParseError {}

/// Parses a CEL type. Names not known to CEL are message names; a well-known
/// message name maps to its CEL type (`google.protobuf.Int64Value` is `wrapper(int)`).
pub fn parse_type(text: &str) -> Result<Type, TypeParseError> {
    TypeParser::new(text, false).parse_all()
}

/// Like [`parse_type`], but a single upper-case letter (`A`, `K`) is a type parameter.
/// The declaration tables use this for generic signatures.
pub fn parse_generic_type(text: &str) -> Result<Type, TypeParseError> {
    TypeParser::new(text, true).parse_all()
}

pub(crate) struct TypeParser<'a> {
    text: &'a str,
    pos: usize,
    generic: bool,
}

impl<'a> TypeParser<'a> {
    pub(crate) fn new(text: &'a str, generic: bool) -> TypeParser<'a> {
        TypeParser {
            text,
            pos: 0,
            generic,
        }
    }

    fn parse_all(mut self) -> Result<Type, TypeParseError> {
        let ty = self.parse_type(0)?;
        self.expect_end()?;
        Ok(ty)
    }

    pub(crate) fn expect_end(&mut self) -> Result<(), TypeParseError> {
        self.skip_space();
        if self.pos < self.text.len() {
            return Err(self.error("unexpected text after type"));
        }
        Ok(())
    }

    pub(crate) fn error(&self, message: &str) -> TypeParseError {
        TypeParseError {
            offset: self.pos,
            message: message.to_string(),
        }
    }

    pub(crate) fn skip_space(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Consumes `token` (after spaces) if it comes next.
    pub(crate) fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.text[self.pos..].starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, token: &str) -> Result<(), TypeParseError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(&format!("expected '{token}'")))
        }
    }

    /// A dotted name, with an optional leading dot.
    fn name(&mut self) -> Result<&'a str, TypeParseError> {
        self.skip_space();
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut end = start;
        if bytes.get(end) == Some(&b'.') {
            end += 1;
        }
        let mut segment_start = end;
        while end < bytes.len() {
            let b = bytes[end];
            if b.is_ascii_alphanumeric() || b == b'_' {
                end += 1;
            } else if b == b'.'
                && end > segment_start
                && bytes
                    .get(end + 1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
            {
                end += 1;
                segment_start = end;
            } else {
                break;
            }
        }
        let name = &self.text[start..end];
        let first = name.trim_start_matches('.').bytes().next();
        if end == segment_start || first.is_some_and(|b| b.is_ascii_digit()) {
            return Err(self.error("expected a type name"));
        }
        self.pos = end;
        Ok(name)
    }

    pub(crate) fn parse_type(&mut self, depth: usize) -> Result<Type, TypeParseError> {
        if depth > MAX_TYPE_DEPTH {
            return Err(self.error("type nested too deeply"));
        }
        let name_at = {
            self.skip_space();
            self.pos
        };
        let name = self.name()?;
        let params = if self.eat("(") {
            self.params(depth)?
        } else {
            Vec::new()
        };
        self.build(name, params).map_err(|message| TypeParseError {
            offset: name_at,
            message,
        })
    }

    fn params(&mut self, depth: usize) -> Result<Vec<Type>, TypeParseError> {
        let mut params = vec![self.parse_type(depth + 1)?];
        while self.eat(",") {
            params.push(self.parse_type(depth + 1)?);
        }
        self.expect(")")?;
        Ok(params)
    }

    fn build(&self, name: &str, params: Vec<Type>) -> Result<Type, String> {
        let n_params = params.len();
        let arity = |n: usize| {
            if n_params == n {
                Ok(())
            } else {
                Err(format!("'{name}' takes {n} type parameter(s)"))
            }
        };
        let simple = match name {
            "dyn" => Some(Type::Dyn),
            "null" | "null_type" => Some(Type::Null),
            "bool" => Some(Type::Bool),
            "int" => Some(Type::Int),
            "uint" => Some(Type::Uint),
            "double" => Some(Type::Double),
            "string" => Some(Type::String),
            "bytes" => Some(Type::Bytes),
            "timestamp" => Some(Type::Timestamp),
            "duration" => Some(Type::Duration),
            "any" => Some(Type::Any),
            "error" => Some(Type::Error),
            _ => None,
        };
        if let Some(ty) = simple {
            arity(0)?;
            return Ok(ty);
        }
        let mut params = params.into_iter();
        match name {
            _ if n_params > 0 && !matches!(name, "list" | "map" | "type" | "wrapper") => {
                Ok(Type::opaque(name, params.collect()))
            }
            "list" => {
                arity(1)?;
                Ok(Type::list(params.next().unwrap_or(Type::Dyn)))
            }
            "map" => {
                arity(2)?;
                let key = params.next().unwrap_or(Type::Dyn);
                Ok(Type::map(key, params.next().unwrap_or(Type::Dyn)))
            }
            "type" if n_params == 0 => Ok(Type::TypeOf(None)),
            "type" => {
                arity(1)?;
                Ok(Type::type_of(params.next().unwrap_or(Type::Dyn)))
            }
            "wrapper" => {
                arity(1)?;
                wrapper_of(params.next().unwrap_or(Type::Dyn))
            }
            _ if self.generic && is_param_name(name) => Ok(Type::param(name)),
            _ => Ok(Type::named(name.strip_prefix('.').unwrap_or(name))),
        }
    }
}

fn is_param_name(name: &str) -> bool {
    name.len() == 1 && name.as_bytes()[0].is_ascii_uppercase()
}

fn wrapper_of(ty: Type) -> Result<Type, String> {
    let p = match ty {
        Type::Bool => Primitive::Bool,
        Type::Int => Primitive::Int,
        Type::Uint => Primitive::Uint,
        Type::Double => Primitive::Double,
        Type::String => Primitive::String,
        Type::Bytes => Primitive::Bytes,
        other => return Err(format!("'{other}' has no wrapper type")),
    };
    Ok(Type::Wrapper(p))
}
