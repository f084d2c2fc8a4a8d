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
    pub kind: TypeErrorKind,
}

/// What kind of problem a [`TypeParseError`] reports.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TypeErrorKind {
    /// The text is not CEL type syntax: `list(int`, `map(string)`.
    Syntax,
    /// A name the environment does not know as a type: `integr`.
    UnknownType,
    /// A name that looks like a message type, but no message of that name is loaded:
    /// `TestAllTypes` without its descriptor.
    UnknownMessage,
}

impl TypeParseError {
    /// A name that does not resolve to a type (the message says which and why).
    pub fn unknown(kind: TypeErrorKind, message: impl Into<String>) -> TypeParseError {
        TypeParseError {
            offset: 0,
            message: message.into(),
            kind,
        }
    }
}

impl fmt::Display for TypeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TypeErrorKind::Syntax => write!(f, "{} at offset {}", self.message, self.offset),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TypeParseError {}

/// Parses a CEL type. Names not known to CEL are message names; a well-known
/// message name maps to its CEL type (`google.protobuf.Int64Value` is `wrapper(int)`).
///
/// Nothing checks that such a name exists: an environment resolves names against what it
/// knows with [`parse_type_with`].
pub fn parse_type(text: &str) -> Result<Type, TypeParseError> {
    TypeParser::new(text, false).parse_all()
}

/// Says what a type name means: given a name that is not one of CEL's own (`int`, `list`,
/// `map`, ...) exactly as written (a leading dot kept) and the type parameters written after
/// it, the type it denotes or why it denotes none.
pub type ResolveName<'r> = dyn FnMut(&str, Vec<Type>) -> Result<Type, TypeParseError> + 'r;

/// Parses a CEL type, asking `resolve` what every other name means (message, enum,
/// extension and host types). Errors from `resolve` get the offset of the name.
pub fn parse_type_with(text: &str, resolve: &mut ResolveName<'_>) -> Result<Type, TypeParseError> {
    let mut parser = TypeParser::new(text, false);
    parser.resolve = Some(resolve);
    parser.parse_all()
}

/// Like [`parse_type`], but a single upper-case letter (`A`, `K`) is a type parameter.
/// The declaration tables use this for generic signatures.
pub fn parse_generic_type(text: &str) -> Result<Type, TypeParseError> {
    TypeParser::new(text, true).parse_all()
}

pub(crate) struct TypeParser<'a, 'r> {
    text: &'a str,
    pos: usize,
    generic: bool,
    resolve: Option<&'r mut ResolveName<'r>>,
}

impl<'a, 'r> TypeParser<'a, 'r> {
    pub(crate) fn new(text: &'a str, generic: bool) -> TypeParser<'a, 'r> {
        TypeParser {
            text,
            pos: 0,
            generic,
            resolve: None,
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
            kind: TypeErrorKind::Syntax,
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
        self.build(name, params).map_err(|mut error| {
            error.offset = name_at;
            error
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

    fn build(&mut self, name: &str, params: Vec<Type>) -> Result<Type, TypeParseError> {
        let n_params = params.len();
        let syntax = |message: String| TypeParseError {
            offset: 0,
            message,
            kind: TypeErrorKind::Syntax,
        };
        let arity = |n: usize| {
            if n_params == n {
                Ok(())
            } else {
                Err(syntax(format!("'{name}' takes {n} type parameter(s)")))
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
        let builtin = matches!(name, "list" | "map" | "type" | "wrapper");
        if !builtin && let Some(resolve) = self.resolve.as_mut() {
            return resolve(name, params);
        }
        let mut params = params.into_iter();
        match name {
            _ if n_params > 0 && !builtin => Ok(Type::opaque(name, params.collect())),
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
                wrapper_of(params.next().unwrap_or(Type::Dyn)).map_err(syntax)
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
