//! [`CheckedAst`]: the parsed AST plus side tables keyed by `ExprId`: the type
//! of every node and what names and calls resolved to.

use celd_syntax::{Ast, ExprId};
use celd_types::Type;
use smallvec::SmallVec;
use smol_str::SmolStr;

/// What an identifier, select chain, struct literal or call resolved to.
#[derive(Clone, PartialEq, Debug)]
pub enum Reference {
    /// A declared variable, by its fully qualified name. A `Select` node
    /// carrying this reference is the whole qualified name (`a.b.c` as the
    /// variable `a.b.c`), not a field selection.
    Variable(SmolStr),
    /// A comprehension variable (iteration variable or accumulator) or a
    /// `cel.block` binding (`@index0`), by name; it shadows any global of that name.
    Local(SmolStr),
    /// An enum constant, by its fully qualified name, and its value.
    EnumConstant { name: SmolStr, value: i64 },
    /// A type name used as a value (`int`, `pkg.Msg`), with the type it names;
    /// on a struct literal, the message it builds.
    TypeName { name: SmolStr, ty: Type },
    /// A function call after name resolution.
    Function(FunctionRef),
}

/// A resolved call: the function and the overloads still possible after checking.
#[derive(Clone, PartialEq, Debug)]
pub struct FunctionRef {
    /// The declared function name after container resolution.
    pub name: SmolStr,
    /// Ids of the overloads whose signatures accept the argument types (usually one,
    /// stored inline).
    pub overload_ids: SmallVec<[SmolStr; 1]>,
    /// True when a receiver-style call's target was really part of the
    /// function name (`strings.quote(s)` as function `strings.quote`): the
    /// call then takes only its arguments and the target is not evaluated.
    pub namespaced: bool,
}

/// A type-checked expression: the AST and, by `ExprId`, types and references.
#[derive(Clone, Debug)]
pub struct CheckedAst {
    pub(crate) ast: Ast,
    pub(crate) types: Vec<Type>,
    pub(crate) references: Vec<Option<Reference>>,
}

impl CheckedAst {
    pub fn ast(&self) -> &Ast {
        &self.ast
    }

    /// The deduced type of the whole expression.
    pub fn result_type(&self) -> &Type {
        self.type_of(self.ast.expr.id)
    }

    /// The deduced type of a node (`dyn` for ids that are not expressions,
    /// such as map entries and field initializers).
    pub fn type_of(&self, id: ExprId) -> &Type {
        self.types.get(id.index()).unwrap_or(&Type::Dyn)
    }

    /// What a name, struct literal or call resolved to, if anything.
    pub fn reference(&self, id: ExprId) -> Option<&Reference> {
        self.references.get(id.index()).and_then(Option::as_ref)
    }

    /// The AST, the types and the references, indexed by `ExprId::index()`.
    pub fn into_parts(self) -> (Ast, Vec<Type>, Vec<Option<Reference>>) {
        (self.ast, self.types, self.references)
    }
}
