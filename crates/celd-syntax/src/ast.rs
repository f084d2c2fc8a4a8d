//! The abstract syntax tree: expressions with ids, and side tables keyed by id.
//!
//! Macros are already expanded here: `items.map(i, f)` is a
//! [`Comprehension`], and the call as written is kept in [`Ast::macro_calls`]
//! so the printer can show it the way the user wrote it.

use std::fmt;
use std::ops::Index;
use std::sync::Arc;

use smallvec::SmallVec;
use smol_str::SmolStr;

use crate::source::{Source, Span};

/// An identifier, field or function name. Short names are stored inline.
pub type Name = SmolStr;

/// Identifies one node of an [`Ast`]; ids are dense, starting at 1.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ExprId(pub u32);

impl ExprId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, PartialEq, Debug)]
pub struct Expr {
    pub id: ExprId,
    pub kind: ExprKind,
}

#[derive(Clone, PartialEq, Debug)]
pub enum ExprKind {
    /// `1`, `2u`, `3.0`, `'s'`, `b'b'`, `true`, `null`.
    Literal(Literal),
    /// `x`, or a qualified name before resolution splits it (`.pkg.x` keeps its leading dot).
    Ident(Name),
    /// `operand.field`, or `has(operand.field)` when `test_only`.
    Select(Box<Select>),
    /// `f(args)` or `target.f(args)`; operators are calls to `_+_`, `!_`, `_[_]` and so on.
    Call(Box<Call>),
    /// `[a, ?b]`.
    List(Box<ListExpr>),
    /// `{k: v, ?k2: v2}`.
    Map(Box<MapExpr>),
    /// `pkg.Message{field: v, ?other: w}`.
    Struct(Box<StructExpr>),
    /// A fold over a list or map, produced by macro expansion.
    Comprehension(Box<Comprehension>),
}

#[derive(Clone, PartialEq, Debug)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Double(f64),
    String(SmolStr),
    Bytes(Arc<[u8]>),
}

#[derive(Clone, PartialEq, Debug)]
pub struct Select {
    pub operand: Expr,
    pub field: Name,
    /// True for the presence test `has(operand.field)`.
    pub test_only: bool,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Call {
    /// The receiver of a method-style call `target.function(args)`.
    pub target: Option<Expr>,
    pub function: Name,
    pub args: CallArgs,
}

/// The arguments of a [`Call`]: up to two (every operator but `_?_:_`, most member calls)
/// are stored in the call itself. Build one from a `Vec` with `.into()`.
pub type CallArgs = SmallVec<[Expr; 2]>;

#[derive(Clone, PartialEq, Debug)]
pub struct ListExpr {
    pub elements: Vec<Expr>,
    /// Positions in `elements` written `?e`: included only when `e` is a present optional.
    pub optional_indices: Vec<u32>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct MapExpr {
    pub entries: Vec<MapEntry>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct MapEntry {
    pub id: ExprId,
    pub key: Expr,
    pub value: Expr,
    /// Written `?key: value`: the entry is set only when `value` is a present optional.
    pub optional: bool,
}

#[derive(Clone, PartialEq, Debug)]
pub struct StructExpr {
    /// The message name as written, possibly qualified (`pkg.Msg`, `.pkg.Msg`).
    pub type_name: Name,
    pub fields: Vec<FieldInit>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct FieldInit {
    pub id: ExprId,
    pub name: Name,
    pub value: Expr,
    /// Written `?field: value`.
    pub optional: bool,
}

/// A fold, in cel-spec's shape:
///
/// ```text
/// accu = accu_init
/// for iter_var (, iter_var2) in iter_range:
///     if !loop_condition: break
///     accu = loop_step
/// return result
/// ```
#[derive(Clone, PartialEq, Debug)]
pub struct Comprehension {
    pub iter_var: Name,
    /// The second variable of two-variable comprehensions (index/key, value).
    pub iter_var2: Option<Name>,
    pub iter_range: Expr,
    pub accu_var: Name,
    pub accu_init: Expr,
    pub loop_condition: Expr,
    pub loop_step: Expr,
    pub result: Expr,
}

/// A macro call as written, kept for printing; its arguments point into the expanded tree.
#[derive(Clone, PartialEq, Debug)]
pub struct MacroCall {
    pub function: Name,
    pub target: Option<MacroArg>,
    pub args: Vec<MacroArg>,
}

#[derive(Clone, PartialEq, Debug)]
pub enum MacroArg {
    /// A node that lives on in the expanded tree.
    Expr(ExprId),
    /// An expression consumed by the expansion, such as the variable name of `all(x, p)`.
    /// Its subtrees may share ids (and so spans) with nodes of the tree: the argument
    /// `a.f` of `has(a.f)` is detached, while its operand `a` lives on in the presence test.
    Detached(Expr),
}

/// A parsed expression with its source and the tables keyed by [`ExprId`].
///
/// Two span tables serve two purposes. [`spans`](Ast::spans) covers each node's whole text
/// (`a + b` for the sum), which dumps and plan listings show. [`operator_spans`](Ast::operator_spans)
/// holds the token that makes a node an operation, where errors about that operation should
/// point, as cel-go's do: in `x / 0` the `/`, not the `x`. [`Ast::error_span`] picks the right one.
#[derive(Clone, Debug)]
pub struct Ast {
    pub expr: Expr,
    pub source: Source,
    /// The span of every node, indexed by `ExprId::index()`; index 0 is unused.
    pub spans: Vec<Span>,
    /// The operator token of every node that has one, sorted by id (each id at most once):
    ///
    /// - binary operators: the operator (`+`, `&&`, `in`); in a balanced `&&`/`||` chain each
    ///   node gets the operator between its two halves;
    /// - `c ? a : b`: the `?`; unary `!x`, `-x`: the `!` or `-`;
    /// - `a[i]`, `a[?i]`: from `[` through `[` or `?`;
    /// - `a.f`, `a.?f` and member calls `a.f(x)`: from the `.` through the name;
    /// - nodes a macro expansion builds other than literals, identifiers and lists (the
    ///   comprehension, its operator calls, the presence test of `has`, ...): the macro's
    ///   function name (`all` in `l.all(x, p)`).
    ///
    /// Global calls `f(x)`, literals, names and list, map and message literals have none:
    /// their node span already starts where an error about them should point.
    pub operator_spans: Vec<(ExprId, Span)>,
    /// The call as written for every node produced by a macro, keyed by that node's id.
    pub macro_calls: MacroCalls,
}

/// The macro calls of an [`Ast`], keyed by the id of the node each expanded to: a vector
/// sorted by id (the parser records each expansion after its nested ones, so ids arrive in
/// order), searched by bisection. Reads like a map: [`get`](MacroCalls::get), indexing,
/// [`values`](MacroCalls::values).
#[derive(Clone, Default, PartialEq)]
pub struct MacroCalls {
    entries: Vec<(ExprId, MacroCall)>,
}

impl MacroCalls {
    pub fn new() -> MacroCalls {
        MacroCalls::default()
    }

    /// Records the call expanded to node `id`, returning the call it replaces, if any.
    pub fn insert(&mut self, id: ExprId, call: MacroCall) -> Option<MacroCall> {
        if self.entries.last().is_none_or(|&(last, _)| last < id) {
            self.entries.push((id, call));
            return None;
        }
        match self.entries.binary_search_by_key(&id, |&(k, _)| k) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, call)),
            Err(i) => {
                self.entries.insert(i, (id, call));
                None
            }
        }
    }

    pub fn get(&self, id: &ExprId) -> Option<&MacroCall> {
        let i = self.entries.binary_search_by_key(id, |&(k, _)| k).ok()?;
        self.entries.get(i).map(|(_, call)| call)
    }

    pub fn contains_key(&self, id: &ExprId) -> bool {
        self.get(id).is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in id order.
    pub fn iter(&self) -> impl Iterator<Item = (&ExprId, &MacroCall)> {
        self.entries.iter().map(|(id, call)| (id, call))
    }

    pub fn keys(&self) -> impl Iterator<Item = &ExprId> {
        self.entries.iter().map(|(id, _)| id)
    }

    pub fn values(&self) -> impl Iterator<Item = &MacroCall> {
        self.entries.iter().map(|(_, call)| call)
    }
}

impl Index<&ExprId> for MacroCalls {
    type Output = MacroCall;

    fn index(&self, id: &ExprId) -> &MacroCall {
        self.get(id).expect("no macro call recorded for this id")
    }
}

impl fmt::Debug for MacroCalls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Ast {
    /// The whole text of node `id`.
    pub fn span(&self, id: ExprId) -> Span {
        self.spans.get(id.index()).copied().unwrap_or_default()
    }

    /// The operator token of node `id`, if it has one (see [`Ast::operator_spans`]).
    pub fn operator_span(&self, id: ExprId) -> Option<Span> {
        let i = self
            .operator_spans
            .binary_search_by_key(&id, |&(op_id, _)| op_id)
            .ok()?;
        self.operator_spans.get(i).map(|&(_, span)| span)
    }

    /// Where an error about node `id` points: its operator token if it has one, else its span.
    pub fn error_span(&self, id: ExprId) -> Span {
        self.operator_span(id).unwrap_or_else(|| self.span(id))
    }

    /// One more than the largest id in use.
    pub fn id_bound(&self) -> u32 {
        self.spans.len() as u32
    }
}

impl Expr {
    /// The direct children of this node, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Ident(_) => Vec::new(),
            ExprKind::Select(s) => vec![&s.operand],
            ExprKind::Call(c) => c.target.iter().chain(c.args.iter()).collect(),
            ExprKind::List(l) => l.elements.iter().collect(),
            ExprKind::Map(m) => m.entries.iter().flat_map(|e| [&e.key, &e.value]).collect(),
            ExprKind::Struct(s) => s.fields.iter().map(|f| &f.value).collect(),
            ExprKind::Comprehension(c) => vec![
                &c.iter_range,
                &c.accu_init,
                &c.loop_condition,
                &c.loop_step,
                &c.result,
            ],
        }
    }
}
