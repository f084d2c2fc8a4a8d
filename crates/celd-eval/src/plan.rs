//! The evaluation plan: a tree of [`Node`]s with names, overloads, slots and constants resolved.

use std::fmt::{self, Write};
use std::sync::Arc;

use celd_syntax::ExprId;
use celd_value::{EvalError, Value};
use smol_str::SmolStr;

use crate::cost::CallCost;
use crate::functions::Impl;

/// [`Node::Var`]'s index of a variable the environment's table does not declare.
pub const NOT_IN_TABLE: u32 = u32::MAX;

/// One step of a plan. Children are evaluated by the parent, so the tree is the control flow.
#[derive(Clone)]
pub enum Node {
    /// A value known at plan time.
    Const(Value),
    /// An error known at plan time (a folded `1 / 0`); raised only if evaluation reaches it.
    Error(EvalError),
    /// A hoisted literal: the request's parameter vector supplies the value.
    Param(u32),
    /// A variable of the program, by slot; `index` is its place in the environment's table
    /// (`NOT_IN_TABLE` for an undeclared variable), read directly from an activation built
    /// for that table.
    Var { slot: u32, index: u32, id: ExprId },
    /// A local of a comprehension or binding, by slot in the evaluation's local frame.
    Local(u32),
    /// `operand.field` on a map or message.
    Select {
        operand: Box<Node>,
        field: SmolStr,
        id: ExprId,
    },
    /// `has(operand.field)`.
    Has {
        operand: Box<Node>,
        field: SmolStr,
        id: ExprId,
    },
    /// `a && b`, absorbing errors on either side when the other is `false`.
    And(Box<[Node; 2]>),
    /// `a || b`, absorbing errors on either side when the other is `true`.
    Or(Box<[Node; 2]>),
    /// `c ? t : f`.
    Cond(Box<[Node; 3]>, ExprId),
    /// `@not_strictly_false(x)`: true unless `x` is `false` (errors count as true).
    NotStrictlyFalse(Box<Node>),
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`: built in, so evaluated without a function call.
    Compare(Box<Compare>),
    /// `a + b + c ...` on strings (as the checker proved them): one string built once.
    Concat(Box<Concat>),
    /// `+ - * / %` on operands the checker proved to be ints, uints or doubles: the
    /// arithmetic done in place, without a function call.
    Arith(Box<Arith>),
    /// A call with one argument.
    Call1(Box<Call1>),
    /// A call with two arguments.
    Call2(Box<Call2>),
    /// A call with any number of arguments.
    CallN(Box<CallN>),
    /// A call of a host function: the overloads it may run, chosen by the checker or by
    /// the runtime argument types; never folded at plan time.
    Host(Box<HostCallNode>),
    /// `[a, ?b]`.
    List(Box<ListNode>),
    /// `{k: v, ?k2: v2}`.
    Map(Box<MapNode>),
    /// `pkg.Msg{field: v}`.
    Struct(Box<StructNode>),
    /// A general fold.
    Fold(Box<Fold>),
    /// A recognised macro loop (`all`, `exists`, `exists_one`, `map`, `filter`).
    Loop(Box<Loop>),
    /// `cel.@block([e0, e1, ...], result)`: locals evaluated on first use.
    Block(Box<Block>),
    /// `receiver.or(alternative)` / `receiver.orValue(alternative)`: the alternative is
    /// evaluated only when the receiver is `optional.none()`.
    OptionalOr(Box<OptionalOr>),
    /// Evaluates `checks` for their errors only, then yields `value`: what remains of an
    /// aggregate literal indexed by a constant (`{'a': x, 'b': y}['b']` is `y` once `x`
    /// is known not to fail), charging `cost` for the construction it no longer performs.
    Seq(Box<Seq>),
    /// A fold step `accu + [e, ...]` that appends to the accumulator in place.
    AccuAppend {
        slot: u32,
        elements: Vec<Node>,
        id: ExprId,
    },
    /// A fold step `cel.@mapInsert(accu, ...)` that inserts into the accumulator in place.
    AccuInsert {
        slot: u32,
        args: Vec<Node>,
        id: ExprId,
    },
}

#[derive(Clone)]
pub struct Seq {
    pub checks: Vec<Node>,
    pub value: Node,
    pub cost: u64,
}

#[derive(Clone)]
pub struct OptionalOr {
    pub receiver: Node,
    pub alternative: Node,
    /// True for `orValue` (unwraps the receiver), false for `or`.
    pub unwrap: bool,
    /// The function as registered, for receivers that are not optionals.
    pub fallback: Impl,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct Compare {
    pub op: CompareOp,
    pub args: [Node; 2],
    pub id: ExprId,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// The operator's function name (`_==_`).
    pub fn function(self) -> &'static str {
        match self {
            CompareOp::Eq => "_==_",
            CompareOp::Ne => "_!=_",
            CompareOp::Lt => "_<_",
            CompareOp::Le => "_<=_",
            CompareOp::Gt => "_>_",
            CompareOp::Ge => "_>=_",
        }
    }

    /// Whether the operator holds for two values that compare as `order`.
    #[inline]
    pub fn holds(self, order: std::cmp::Ordering) -> bool {
        match self {
            CompareOp::Eq => order.is_eq(),
            CompareOp::Ne => order.is_ne(),
            CompareOp::Lt => order.is_lt(),
            CompareOp::Le => order.is_le(),
            CompareOp::Gt => order.is_gt(),
            CompareOp::Ge => order.is_ge(),
        }
    }

    pub fn from_function(name: &str) -> Option<CompareOp> {
        Some(match name {
            "_==_" => CompareOp::Eq,
            "_!=_" => CompareOp::Ne,
            "_<_" => CompareOp::Lt,
            "_<=_" => CompareOp::Le,
            "_>_" => CompareOp::Gt,
            "_>=_" => CompareOp::Ge,
            _ => return None,
        })
    }
}

#[derive(Clone)]
pub struct Concat {
    /// The operands of the chain, left to right.
    pub parts: Vec<Node>,
    /// The generic `_+_`, for operands that turn out not to be strings.
    pub fallback: Impl,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct Arith {
    pub op: ArithOp,
    pub args: [Node; 2],
    /// The generic operator, for operands of other types (a `dyn` value at run time).
    pub fallback: Impl,
    pub id: ExprId,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl ArithOp {
    pub fn function(self) -> &'static str {
        match self {
            ArithOp::Add => "_+_",
            ArithOp::Sub => "_-_",
            ArithOp::Mul => "_*_",
            ArithOp::Div => "_/_",
            ArithOp::Rem => "_%_",
        }
    }

    pub fn from_function(name: &str) -> Option<ArithOp> {
        Some(match name {
            "_+_" => ArithOp::Add,
            "_-_" => ArithOp::Sub,
            "_*_" => ArithOp::Mul,
            "_/_" => ArithOp::Div,
            "_%_" => ArithOp::Rem,
            _ => return None,
        })
    }
}

#[derive(Clone)]
pub struct Call1 {
    pub name: SmolStr,
    pub f: Impl,
    /// How the call's cost grows with its arguments.
    pub cost: CallCost,
    pub arg: Node,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct Call2 {
    pub name: SmolStr,
    pub f: Impl,
    /// How the call's cost grows with its arguments.
    pub cost: CallCost,
    pub args: [Node; 2],
    pub id: ExprId,
}

#[derive(Clone)]
pub struct CallN {
    pub name: SmolStr,
    pub f: Impl,
    /// How the call's cost grows with its arguments.
    pub cost: CallCost,
    pub args: Vec<Node>,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct HostCallNode {
    pub function: SmolStr,
    pub call: Arc<crate::functions::host::HostCall>,
    /// Set when the call can only run one typed implementation at a fixed cost.
    pub direct: Option<crate::functions::host::DirectCall>,
    /// The arguments, receiver first.
    pub args: Vec<Node>,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct ListNode {
    pub elements: Vec<Node>,
    /// For each element: written `?e`, so included only if a present optional.
    pub optional: Vec<bool>,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct MapNode {
    pub entries: Vec<MapEntryNode>,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct MapEntryNode {
    pub key: Node,
    pub value: Node,
    pub optional: bool,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct StructNode {
    pub message: prost_reflect::MessageDescriptor,
    pub fields: Vec<FieldNode>,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct FieldNode {
    pub field: prost_reflect::FieldDescriptor,
    pub value: Node,
    pub optional: bool,
    pub id: ExprId,
}

/// A comprehension in cel-spec's general shape.
#[derive(Clone)]
pub struct Fold {
    pub iter_slot: u32,
    /// The second variable of two-variable comprehensions.
    pub iter_slot2: Option<u32>,
    pub accu_slot: u32,
    pub range: Node,
    pub init: Node,
    pub condition: Node,
    pub step: Node,
    pub result: Node,
    pub id: ExprId,
}

/// What a recognised macro loop computes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LoopKind {
    All,
    Exists,
    ExistsOne,
    /// `map(x, f)` or, with a filter, `map(x, p, f)`.
    Map,
    Filter,
}

/// A macro loop: one variable over a list's elements or a map's keys.
#[derive(Clone)]
pub struct Loop {
    pub kind: LoopKind,
    pub iter_slot: u32,
    pub range: Node,
    /// The predicate of all/exists/exists_one/filter, or the filter of a three-argument map.
    pub predicate: Option<Node>,
    /// The transform of map.
    pub transform: Option<Node>,
    pub id: ExprId,
}

#[derive(Clone)]
pub struct Block {
    /// The first local slot; entry `i` lives in slot `first_slot + i`.
    pub first_slot: u32,
    pub entries: Vec<Node>,
    pub result: Node,
}

/// A compiled expression: the root node and what evaluation must provide.
#[derive(Clone)]
pub struct Plan {
    pub(crate) root: Node,
    /// The identity of the variable table the plan was built against.
    pub(crate) table_id: u64,
    /// The variables the plan reads, by slot: name and index in the environment's table.
    pub(crate) variables: Box<[PlanVariable]>,
    /// How many local slots comprehensions and blocks need.
    pub(crate) n_locals: u32,
    /// How many parameters the plan expects.
    pub(crate) n_params: u32,
    /// Loop variables the checker proved fixed-size scalars (for cost estimates).
    pub(crate) scalar_locals: Box<[u32]>,
    /// Whether enum fields of messages read as typed enum values or as ints.
    pub(crate) enum_mode: celd_value::EnumMode,
    /// The constant patterns (held inside closures the size walk cannot see), to weigh them.
    pub(crate) patterns: Box<[Arc<crate::functions::patterns::ConstPattern>]>,
}

#[derive(Clone, Debug)]
pub struct PlanVariable {
    pub name: SmolStr,
    /// The variable's index in the environment's table, when declared there.
    pub table_index: Option<u32>,
    /// The checker proved the variable a fixed-size scalar (for cost estimates).
    pub scalar: bool,
}

impl Plan {
    pub fn variables(&self) -> impl ExactSizeIterator<Item = &str> {
        self.variables.iter().map(|v| v.name.as_str())
    }

    pub fn n_params(&self) -> u32 {
        self.n_params
    }

    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The value of a plan that folded to a constant and needs no parameters: evaluating it
    /// only returns this value.
    #[inline]
    pub fn folded_constant(&self) -> Option<&Value> {
        match &self.root {
            Node::Const(value) if self.n_params == 0 => Some(value),
            _ => None,
        }
    }

    /// The plan's heap footprint in bytes, measured by walking it.
    pub fn heap_size(&self) -> usize {
        crate::size::plan_heap_size(self)
    }

    /// The plan as numbered lines, one node each, children indented; `span` maps an id to text.
    pub fn dump(&self, span: &dyn Fn(ExprId) -> String) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "plan: {} variable(s), {} local slot(s), {} parameter(s)",
            self.variables.len(),
            self.n_locals,
            self.n_params
        );
        for (slot, v) in self.variables.iter().enumerate() {
            let _ = writeln!(out, "  var #{slot} = {}", v.name);
        }
        let mut dumper = Dumper {
            out: &mut out,
            line: 0,
            span,
            variables: &self.variables,
        };
        dumper.node(&self.root, 0);
        out
    }
}

struct Dumper<'a> {
    out: &'a mut String,
    line: usize,
    span: &'a dyn Fn(ExprId) -> String,
    variables: &'a [PlanVariable],
}

impl Dumper<'_> {
    fn line(&mut self, depth: usize, text: fmt::Arguments<'_>, id: Option<ExprId>) {
        self.line += 1;
        let _ = write!(self.out, "{:>4}  {}{}", self.line, "  ".repeat(depth), text);
        if let Some(id) = id {
            let _ = write!(self.out, "    @{}", (self.span)(id));
        }
        self.out.push('\n');
    }

    fn node(&mut self, node: &Node, depth: usize) {
        match node {
            Node::Const(v) => self.line(depth, format_args!("const {}", short(v)), None),
            Node::Error(e) => self.line(depth, format_args!("error {e}"), None),
            Node::Param(i) => self.line(depth, format_args!("param ${i}"), None),
            Node::Var { slot, id, .. } => {
                let name = self
                    .variables
                    .get(*slot as usize)
                    .map_or("?", |v| v.name.as_str());
                self.line(depth, format_args!("var #{slot} {name}"), Some(*id))
            }
            Node::Local(slot) => self.line(depth, format_args!("local %{slot}"), None),
            Node::Select { operand, field, id } => {
                self.line(depth, format_args!("select .{field}"), Some(*id));
                self.node(operand, depth + 1);
            }
            Node::Has { operand, field, id } => {
                self.line(depth, format_args!("has .{field}"), Some(*id));
                self.node(operand, depth + 1);
            }
            Node::And(pair) => self.children(depth, format_args!("and"), None, pair.iter()),
            Node::Or(pair) => self.children(depth, format_args!("or"), None, pair.iter()),
            Node::Cond(parts, id) => {
                self.children(depth, format_args!("cond"), Some(*id), parts.iter())
            }
            Node::NotStrictlyFalse(inner) => self.children(
                depth,
                format_args!("not_strictly_false"),
                None,
                [&**inner].into_iter(),
            ),
            Node::Concat(c) => self.children(
                depth,
                format_args!("concat [{}]", c.parts.len()),
                Some(c.id),
                c.parts.iter(),
            ),
            Node::Arith(a) => self.children(
                depth,
                format_args!("arith {}", a.op.function()),
                Some(a.id),
                a.args.iter(),
            ),
            Node::Compare(c) => self.children(
                depth,
                format_args!("compare {}", c.op.function()),
                Some(c.id),
                c.args.iter(),
            ),
            Node::Call1(c) => self.children(
                depth,
                format_args!("call {}/1", c.name),
                Some(c.id),
                [&c.arg].into_iter(),
            ),
            Node::Call2(c) => self.children(
                depth,
                format_args!("call {}/2", c.name),
                Some(c.id),
                c.args.iter(),
            ),
            Node::CallN(c) => self.children(
                depth,
                format_args!("call {}/{}", c.name, c.args.len()),
                Some(c.id),
                c.args.iter(),
            ),
            Node::Host(h) => {
                let ids: Vec<&str> = h.call.candidates.iter().map(|o| o.id.as_str()).collect();
                let fallback = if h.call.fallback.is_some() {
                    " | built-in"
                } else {
                    ""
                };
                self.children(
                    depth,
                    format_args!(
                        "host {}/{} [{}{fallback}]",
                        h.function,
                        h.args.len(),
                        ids.join(", ")
                    ),
                    Some(h.id),
                    h.args.iter(),
                )
            }
            Node::List(l) => self.children(
                depth,
                format_args!("list [{}]", l.elements.len()),
                Some(l.id),
                l.elements.iter(),
            ),
            Node::Map(m) => {
                self.line(
                    depth,
                    format_args!("map {{{}}}", m.entries.len()),
                    Some(m.id),
                );
                for e in &m.entries {
                    let q = if e.optional { "?" } else { "" };
                    self.line(depth + 1, format_args!("{q}entry"), Some(e.id));
                    self.node(&e.key, depth + 2);
                    self.node(&e.value, depth + 2);
                }
            }
            Node::Struct(s) => {
                self.line(
                    depth,
                    format_args!("message {}", s.message.full_name()),
                    Some(s.id),
                );
                for f in &s.fields {
                    let q = if f.optional { "?" } else { "" };
                    self.line(
                        depth + 1,
                        format_args!("{q}field {}", f.field.name()),
                        Some(f.id),
                    );
                    self.node(&f.value, depth + 2);
                }
            }
            Node::Fold(f) => self.fold(f, depth),
            Node::Loop(l) => self.loop_(l, depth),
            Node::Seq(seq) => {
                self.line(depth, format_args!("seq (cost {})", seq.cost), None);
                for check in &seq.checks {
                    self.line(depth + 1, format_args!("check"), None);
                    self.node(check, depth + 2);
                }
                self.line(depth + 1, format_args!("value"), None);
                self.node(&seq.value, depth + 2);
            }
            Node::OptionalOr(o) => self.children(
                depth,
                format_args!("{}", if o.unwrap { "or_value" } else { "or" }),
                Some(o.id),
                [&o.receiver, &o.alternative].into_iter(),
            ),
            Node::AccuAppend { slot, elements, id } => self.children(
                depth,
                format_args!("append to %{slot}"),
                Some(*id),
                elements.iter(),
            ),
            Node::AccuInsert { slot, args, id } => self.children(
                depth,
                format_args!("insert into %{slot}"),
                Some(*id),
                args.iter(),
            ),
            Node::Block(b) => {
                self.line(
                    depth,
                    format_args!("block ({} locals from %{})", b.entries.len(), b.first_slot),
                    None,
                );
                for (i, e) in b.entries.iter().enumerate() {
                    self.line(
                        depth + 1,
                        format_args!("%{} =", b.first_slot + i as u32),
                        None,
                    );
                    self.node(e, depth + 2);
                }
                self.line(depth + 1, format_args!("result"), None);
                self.node(&b.result, depth + 2);
            }
        }
    }

    fn children<'n>(
        &mut self,
        depth: usize,
        text: fmt::Arguments<'_>,
        id: Option<ExprId>,
        children: impl Iterator<Item = &'n Node>,
    ) {
        self.line(depth, text, id);
        for child in children {
            self.node(child, depth + 1);
        }
    }

    fn fold(&mut self, f: &Fold, depth: usize) {
        let second = f.iter_slot2.map(|s| format!(", %{s}")).unwrap_or_default();
        self.line(
            depth,
            format_args!("fold %{}{second} into %{}", f.iter_slot, f.accu_slot),
            Some(f.id),
        );
        for (label, node) in [
            ("range", &f.range),
            ("init", &f.init),
            ("while", &f.condition),
            ("step", &f.step),
            ("result", &f.result),
        ] {
            self.line(depth + 1, format_args!("{label}"), None);
            self.node(node, depth + 2);
        }
    }

    fn loop_(&mut self, l: &Loop, depth: usize) {
        let kind = match l.kind {
            LoopKind::All => "all",
            LoopKind::Exists => "exists",
            LoopKind::ExistsOne => "exists_one",
            LoopKind::Map => "map",
            LoopKind::Filter => "filter",
        };
        self.line(depth, format_args!("{kind} %{}", l.iter_slot), Some(l.id));
        self.line(depth + 1, format_args!("range"), None);
        self.node(&l.range, depth + 2);
        if let Some(p) = &l.predicate {
            self.line(depth + 1, format_args!("predicate"), None);
            self.node(p, depth + 2);
        }
        if let Some(t) = &l.transform {
            self.line(depth + 1, format_args!("transform"), None);
            self.node(t, depth + 2);
        }
    }
}

/// A value shortened for one dump line; formatting stops once the line is full, so a huge
/// constant costs no more to show than a small one.
fn short(v: &Value) -> String {
    const WIDTH: usize = 60;
    struct Bounded(String);
    impl fmt::Write for Bounded {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for c in s.chars() {
                if self.0.chars().count() >= WIDTH {
                    return Err(fmt::Error);
                }
                self.0.push(c);
            }
            Ok(())
        }
    }
    let mut out = Bounded(String::new());
    match write!(out, "{v}") {
        Ok(()) => out.0,
        Err(_) => format!("{}...", out.0),
    }
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dump(&|id| format!("#{}", id.0)))
    }
}

/// Shared, immutable plans.
pub type SharedPlan = Arc<Plan>;
