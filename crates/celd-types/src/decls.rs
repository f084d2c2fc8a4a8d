//! Declarations as plain data: variables, functions and their overloads, and
//! the row format the declaration tables are written in.

use smol_str::SmolStr;

use crate::parse::{TypeParseError, TypeParser};
use crate::ty::Type;

/// A variable (or constant name) with its type.
#[derive(Clone, PartialEq, Debug)]
pub struct VariableDecl {
    pub name: SmolStr,
    pub ty: Type,
}

impl VariableDecl {
    pub fn new(name: &str, ty: Type) -> VariableDecl {
        VariableDecl {
            name: SmolStr::new(name),
            ty,
        }
    }
}

/// A function name and its overloads.
#[derive(Clone, PartialEq, Debug)]
pub struct FunctionDecl {
    pub name: SmolStr,
    pub overloads: Vec<OverloadDecl>,
}

impl FunctionDecl {
    pub fn new(name: &str, overloads: Vec<OverloadDecl>) -> FunctionDecl {
        FunctionDecl {
            name: SmolStr::new(name),
            overloads,
        }
    }
}

/// One signature of a function, named by a stable overload id (`add_int64`).
#[derive(Clone, PartialEq, Debug)]
pub struct OverloadDecl {
    /// The id the evaluator binds an implementation to.
    pub id: SmolStr,
    /// Receiver style (`target.f(args)`); `params[0]` is then the receiver.
    pub member: bool,
    pub params: Vec<Type>,
    pub result: Type,
    /// The names of the type parameters used in `params` and `result`, in order of appearance.
    pub type_params: Vec<SmolStr>,
}

impl OverloadDecl {
    /// A global overload `f(params) -> result`.
    pub fn global(id: &str, params: Vec<Type>, result: Type) -> OverloadDecl {
        OverloadDecl::new(id, false, params, result)
    }

    /// A receiver-style overload `params[0].f(params[1..]) -> result`.
    pub fn member(id: &str, params: Vec<Type>, result: Type) -> OverloadDecl {
        OverloadDecl::new(id, true, params, result)
    }

    fn new(id: &str, member: bool, params: Vec<Type>, result: Type) -> OverloadDecl {
        let mut type_params = Vec::new();
        for ty in params.iter().chain(std::iter::once(&result)) {
            collect_params(ty, &mut type_params);
        }
        OverloadDecl {
            id: SmolStr::new(id),
            member,
            params,
            result,
            type_params,
        }
    }
}

fn collect_params(ty: &Type, out: &mut Vec<SmolStr>) {
    match ty {
        Type::Param(name) if !out.contains(name) => out.push(name.clone()),
        Type::List(elem) => collect_params(elem, out),
        Type::Map(kv) => {
            collect_params(&kv.0, out);
            collect_params(&kv.1, out);
        }
        Type::TypeOf(Some(t)) => collect_params(t, out),
        Type::Opaque(o) => o.params.iter().for_each(|p| collect_params(p, out)),
        _ => {}
    }
}

/// One line of a declaration table: function name, overload id and signature.
///
/// Signatures are written `(int, int) -> int` for global overloads and
/// `string.(string) -> bool` for receiver-style ones; a single upper-case
/// letter is a type parameter (`(list(A), int) -> A`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct OverloadRow {
    pub function: &'static str,
    pub id: &'static str,
    pub signature: &'static str,
}

/// A table row: `ov("_+_", "add_int64", "(int, int) -> int")`.
pub const fn ov(function: &'static str, id: &'static str, signature: &'static str) -> OverloadRow {
    OverloadRow {
        function,
        id,
        signature,
    }
}

impl OverloadRow {
    /// Parses the signature into an [`OverloadDecl`].
    pub fn to_decl(&self) -> Result<OverloadDecl, TypeParseError> {
        let (member, params, result) = parse_signature(self.signature)?;
        Ok(OverloadDecl::new(self.id, member, params, result))
    }
}

/// A type name usable as a value (`int`, `google.protobuf.Timestamp`): the
/// identifier `name` has type `type(ty)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TypeNameRow {
    pub name: &'static str,
    pub ty: &'static str,
}

/// Parses `(T1, T2) -> R` or `T0.(T1) -> R` into (member, params, result).
fn parse_signature(text: &str) -> Result<(bool, Vec<Type>, Type), TypeParseError> {
    let mut p = TypeParser::new(text, true);
    let mut params = Vec::new();
    let member = !p.eat("(");
    if member {
        params.push(p.parse_type(0)?);
        p.expect(".(")?;
    }
    if !p.eat(")") {
        params.push(p.parse_type(0)?);
        while p.eat(",") {
            params.push(p.parse_type(0)?);
        }
        p.expect(")")?;
    }
    p.expect("->")?;
    let result = p.parse_type(0)?;
    p.expect_end()?;
    Ok((member, params, result))
}

/// Groups table rows into function declarations, keeping first-appearance order.
pub fn function_decls(rows: &[OverloadRow]) -> Result<Vec<FunctionDecl>, TypeParseError> {
    let mut functions: Vec<FunctionDecl> = Vec::new();
    for row in rows {
        let decl = row.to_decl()?;
        match functions.iter_mut().find(|f| f.name == row.function) {
            Some(f) => f.overloads.push(decl),
            None => functions.push(FunctionDecl::new(row.function, vec![decl])),
        }
    }
    Ok(functions)
}
