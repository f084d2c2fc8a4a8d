//! The planner: AST (optionally checked) to [`Plan`], resolving names, overloads and constants once.

use std::collections::HashMap;
use std::sync::Arc;

use celd_check::{CheckedAst, Reference};
use celd_syntax::ast::{
    Call, Comprehension, Expr, ExprKind, ListExpr, Literal, MapExpr, StructExpr,
};
use celd_syntax::{Ast, Diagnostic, ExprId};
use celd_value::{EnumMode, EnumValue, EvalError, Key, KeyRef, Value};
use prost_reflect::{DescriptorPool, EnumDescriptor};
use smallvec::SmallVec;
use smol_str::SmolStr;

use crate::activation::VarTable;
use crate::cost::{self, CallCost};
use crate::eval::EvalOptions;
use crate::functions::host::{Binding, HostCall, HostFunctions, HostOverload};
use crate::functions::std_lib::{builtin_type_value, enum_conversion};
use crate::functions::{Impl, Registry, patterns};
use crate::limits::Limits;
use crate::plan::*;

/// What planning resolves names and functions against.
pub struct PlanEnv<'a> {
    pub registry: &'a Registry,
    pub variables: &'a Arc<VarTable>,
    pub container: &'a str,
    pub pool: Option<&'a DescriptorPool>,
    /// Strong enums: enum constants and enum fields are typed enum values, and
    /// `E(x)` converts to enum `E`. Off: enums are `int` (legacy semantics).
    pub strong_enums: bool,
    /// Host functions, opaque type names and struct types.
    pub host: &'a HostFunctions,
    /// The most bytes the program's compiled constant patterns may hold together
    /// (`Limits::max_program_regex_bytes`).
    pub max_regex_bytes: usize,
}

/// Choices for one plan.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Literal nodes to read from the parameter vector instead of the plan: id → parameter index.
    pub params: HashMap<ExprId, u32>,
    /// Skip constant folding (the plan then computes everything at run time).
    pub no_folding: bool,
}

/// Up to this many distinct variables, a plan's variable slots are found by a linear scan.
const LINEAR_VARIABLES: usize = 16;

/// The budget for evaluating a constant subexpression at plan time; over it, the work is left to run time.
const FOLD_COST: u64 = 10_000;
/// The largest value (bytes of a string, values in a list or map) folding may build: a plan
/// holds its constants, so big ones are left to be computed at run time.
const FOLD_MAX_SIZE: usize = 4_096;

/// Why an expression could not be planned: every problem, each with a span.
#[derive(Clone, Debug)]
pub struct PlanError {
    pub diagnostics: Vec<Diagnostic>,
}

/// Plans an expression. `checked` (when given) must be the checked form of `ast`.
pub fn plan(
    ast: &Ast,
    checked: Option<&CheckedAst>,
    env: &PlanEnv<'_>,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let mut planner = Planner {
        ast,
        checked,
        env,
        options,
        scopes: Vec::new(),
        next_slot: 0,
        n_locals: 0,
        variables: SmallVec::new(),
        var_slots: HashMap::default(),
        diagnostics: Vec::new(),
        fold_limits: Limits {
            max_cost: FOLD_COST,
            max_string_bytes: FOLD_MAX_SIZE,
            max_list_len: FOLD_MAX_SIZE,
            max_map_len: FOLD_MAX_SIZE,
            max_program_regex_bytes: 0,
            max_memory_bytes: usize::MAX,
        },
        slot_uses: Vec::new(),
        pattern_budget: None,
        patterns: HashMap::new(),
    };
    let root = planner.expr(&ast.expr);
    let scalar_locals = planner.scalar_locals();
    if !planner.diagnostics.is_empty() {
        return Err(PlanError {
            diagnostics: planner.diagnostics,
        });
    }
    Ok(Plan {
        // Folding may have removed every comprehension: then evaluation needs no locals.
        n_locals: if uses_locals(&root) {
            planner.n_locals
        } else {
            0
        },
        root,
        table_id: env.variables.id(),
        // Boxed slices: a retained plan keeps no spare capacity (most read one or two variables).
        variables: exact_boxed_slice(planner.variables),
        n_params: options.params.values().map(|&i| i + 1).max().unwrap_or(0),
        scalar_locals: scalar_locals.into(),
        enum_mode: if env.strong_enums {
            EnumMode::Strong
        } else {
            EnumMode::Legacy
        },
        patterns: planner.patterns.into_values().collect(),
    })
}

struct Planner<'a> {
    ast: &'a Ast,
    checked: Option<&'a CheckedAst>,
    env: &'a PlanEnv<'a>,
    options: &'a PlanOptions,
    /// Comprehension and block variables in scope, innermost last: name and local slot.
    scopes: Vec<(SmolStr, u32)>,
    /// The first local slot free at this point of the tree. Slots are handed out as a stack:
    /// a comprehension or block gives its slots back when it ends, so siblings reuse them and
    /// `n_locals` is the deepest nesting of locals, not their count.
    next_slot: u32,
    /// The most local slots in use at once.
    n_locals: u32,
    /// Inline up to four: most programs read few variables, and the plan keeps them in a
    /// boxed slice allocated once at its exact length.
    variables: SmallVec<[PlanVariable; 4]>,
    /// Variable slots by name, once there are more than `LINEAR_VARIABLES` (fewer are
    /// found by scanning `variables`).
    var_slots: HashMap<SmolStr, u32, foldhash::fast::RandomState>,
    diagnostics: Vec<Diagnostic>,
    fold_limits: Limits,
    /// Per local slot: how many locals used it, and how many of those were scalar loop
    /// variables; a slot is scalar in the plan only if every use was.
    slot_uses: Vec<SlotUses>,
    /// What the program's constant patterns may hold together once compiled (made with
    /// the first constant pattern).
    pattern_budget: Option<Arc<patterns::PatternBudget>>,
    /// The program's constant patterns: one per distinct text, compiled on first use.
    patterns: HashMap<SmolStr, Arc<patterns::ConstPattern>>,
}

#[derive(Clone, Copy, Default)]
struct SlotUses {
    all: u32,
    scalar: u32,
}

impl Planner<'_> {
    fn error(&mut self, id: ExprId, message: impl Into<String>) -> Node {
        let message = message.into();
        self.diagnostics
            .push(Diagnostic::new(self.ast.span(id), message.clone()));
        Node::Error(EvalError::invalid_argument(message))
    }

    fn reference(&self, id: ExprId) -> Option<&Reference> {
        self.checked.and_then(|c| c.reference(id))
    }

    fn expr(&mut self, e: &Expr) -> Node {
        if let Some(node) = self.resolved_reference(e) {
            return node;
        }
        match &e.kind {
            ExprKind::Literal(lit) => self.literal(e.id, lit),
            ExprKind::Ident(name) => self.ident(e.id, name),
            ExprKind::Select(s) => {
                if !s.test_only
                    && let Some(node) = self.qualified_select(e)
                {
                    return node;
                }
                let operand = Box::new(self.expr(&s.operand));
                let field = s.field.clone();
                if s.test_only {
                    Node::Has {
                        operand,
                        field,
                        id: e.id,
                    }
                } else {
                    self.select_node(*operand, field, e.id)
                }
            }
            ExprKind::Call(c) => self.call(e.id, c),
            ExprKind::List(l) => self.list(e.id, l),
            ExprKind::Map(m) => self.map(e.id, m),
            ExprKind::Struct(s) => self.message(e.id, s),
            ExprKind::Comprehension(c) => self.comprehension(e.id, c),
        }
    }

    /// A name the checker already resolved (variables, enum constants, type names).
    fn resolved_reference(&mut self, e: &Expr) -> Option<Node> {
        if !matches!(e.kind, ExprKind::Ident(_) | ExprKind::Select(_)) {
            return None;
        }
        // Borrowed from the checked AST, not from the planner: no clone needed.
        let checked = self.checked?;
        match checked.reference(e.id)? {
            Reference::Variable(name) => Some(self.variable_named(e.id, name)),
            Reference::Local(name) => Some(match self.local(name) {
                Some(slot) => Node::Local(slot),
                None => self.variable_named(e.id, name),
            }),
            Reference::EnumConstant { name, value } => Some(Node::Const(
                self.strong_enum_constant(name)
                    .unwrap_or(Value::Int(*value)),
            )),
            Reference::TypeName { name, .. } => Some(Node::Const(type_value(name))),
            Reference::Function(_) => None,
        }
    }

    fn literal(&mut self, id: ExprId, lit: &Literal) -> Node {
        if let Some(&index) = self.options.params.get(&id) {
            return Node::Param(index);
        }
        Node::Const(literal_value(lit))
    }

    fn local(&self, name: &str) -> Option<u32> {
        self.scopes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|&(_, slot)| slot)
    }

    fn ident(&mut self, id: ExprId, name: &SmolStr) -> Node {
        if let Some(slot) = self.local(name) {
            return Node::Local(slot);
        }
        match self.resolve_global(id, name) {
            Some(node) => node,
            // Undeclared names are looked up by name at run time (unchecked evaluation).
            None => self.variable(id, name.trim_start_matches('.')),
        }
    }

    /// A global variable of the program, by slot; declared names read from the environment's
    /// table. (Locals never get here: a leading dot or the checker has already ruled them out.)
    fn variable(&mut self, id: ExprId, name: &str) -> Node {
        self.variable_slot(id, name, None)
    }

    /// [`variable`](Self::variable) for a name already held as a `SmolStr`.
    fn variable_named(&mut self, id: ExprId, name: &SmolStr) -> Node {
        self.variable_slot(id, name, Some(name))
    }

    fn variable_slot(&mut self, id: ExprId, name: &str, owned: Option<&SmolStr>) -> Node {
        let known = if self.variables.len() <= LINEAR_VARIABLES {
            self.variables
                .iter()
                .position(|v| v.name == name)
                .map(|i| i as u32)
        } else {
            self.var_slots.get(name).copied()
        };
        let (slot, index) = match known {
            Some(slot) => (slot, self.variables[slot as usize].table_index),
            None => {
                let slot = self.variables.len() as u32;
                let name = owned.cloned().unwrap_or_else(|| SmolStr::new(name));
                let index = self.env.variables.index_of(&name);
                self.variables.push(PlanVariable {
                    name: name.clone(),
                    table_index: index,
                    scalar: self.checked.is_some_and(|c| is_scalar(c.type_of(id))),
                });
                if self.variables.len() == LINEAR_VARIABLES + 1 {
                    let slots = self.variables.iter().enumerate();
                    self.var_slots = slots.map(|(i, v)| (v.name.clone(), i as u32)).collect();
                } else if self.variables.len() > LINEAR_VARIABLES {
                    self.var_slots.insert(name, slot);
                }
                (slot, index)
            }
        };
        Node::Var {
            slot,
            index: index.unwrap_or(NOT_IN_TABLE),
            id,
        }
    }

    /// Resolves a (possibly qualified) name against declared variables, type names and enum
    /// constants, trying container candidates in langdef order.
    fn resolve_global(&mut self, id: ExprId, name: &str) -> Option<Node> {
        for candidate in celd_types::candidate_names(self.env.container, name) {
            if self.env.variables.index_of(&candidate).is_some() {
                return Some(self.variable(id, &candidate));
            }
            if let Some(v) = builtin_type_value(&candidate) {
                return Some(Node::Const(v));
            }
            if self.env.host.is_type_name(&candidate) || self.env.host.is_struct(&candidate) {
                return Some(Node::Const(type_value(&candidate)));
            }
            if let Some(node) = self.resolve_in_pool(&candidate) {
                return Some(node);
            }
        }
        None
    }

    fn resolve_in_pool(&self, name: &str) -> Option<Node> {
        let pool = self.env.pool?;
        if pool.get_message_by_name(name).is_some() || pool.get_enum_by_name(name).is_some() {
            return Some(Node::Const(type_value(name)));
        }
        if let Some(constant) = self.strong_enum_constant(name) {
            return Some(Node::Const(constant));
        }
        let (enum_name, value_name) = name.rsplit_once('.')?;
        let value = pool
            .get_enum_by_name(enum_name)?
            .get_value_by_name(value_name)?;
        Some(Node::Const(Value::Int(value.number() as i64)))
    }

    /// Under strong enums, the typed value of the enum constant `pkg.Enum.NAME`
    /// (`google.protobuf.NullValue.NULL_VALUE` is `null`).
    fn strong_enum_constant(&self, name: &str) -> Option<Value> {
        if !self.env.strong_enums {
            return None;
        }
        if name.rsplit_once('.').map(|(e, _)| e) == Some("google.protobuf.NullValue") {
            return Some(Value::Null);
        }
        EnumValue::from_constant(self.env.pool?, name).map(EnumValue::into_value)
    }

    /// Under strong enums, the enum a call names as a conversion (`pkg.Enum(1)`,
    /// `Outer.Enum('NAME')`, `Enum(x)` in a container).
    fn enum_called(&self, id: ExprId, c: &Call) -> Option<EnumDescriptor> {
        if !self.env.strong_enums {
            return None;
        }
        let pool = self.env.pool?;
        if let Some(Reference::Function(f)) = self.reference(id) {
            return pool.get_enum_by_name(&f.name);
        }
        let written = match &c.target {
            Some(target) => format!("{}.{}", qualified_name(target)?, c.function),
            None => c.function.to_string(),
        };
        if self
            .local(written.split('.').next().unwrap_or_default())
            .is_some()
        {
            return None;
        }
        celd_types::candidate_names(self.env.container, &written)
            .find_map(|candidate| pool.get_enum_by_name(&candidate))
    }

    /// `operand.field` (the plan's enum mode says whether enum fields read as typed values).
    fn select_node(&self, operand: Node, field: SmolStr, id: ExprId) -> Node {
        Node::Select {
            operand: Box::new(operand),
            field,
            id,
        }
    }

    /// `a.b.c` as a qualified name, when a prefix of it names a variable, type or enum constant
    /// (longest prefix first); the rest of the chain becomes field selections.
    fn qualified_select(&mut self, e: &Expr) -> Option<Node> {
        let mut fields = Vec::new();
        let mut cursor = e;
        loop {
            match &cursor.kind {
                ExprKind::Select(s) if !s.test_only => {
                    fields.push((s.field.clone(), cursor.id));
                    cursor = &s.operand;
                }
                ExprKind::Ident(root) => {
                    if self.local(root).is_some() || self.checked.is_some() {
                        return None;
                    }
                    fields.reverse();
                    return self.longest_qualified_prefix(cursor.id, root, &fields);
                }
                _ => return None,
            }
        }
    }

    fn longest_qualified_prefix(
        &mut self,
        id: ExprId,
        root: &str,
        fields: &[(SmolStr, ExprId)],
    ) -> Option<Node> {
        for k in (1..=fields.len()).rev() {
            let mut name = String::from(root);
            for (f, _) in &fields[..k] {
                name.push('.');
                name.push_str(f);
            }
            if let Some(mut node) = self.resolve_global(id, &name) {
                for (field, id) in &fields[k..] {
                    node = self.select_node(node, field.clone(), *id);
                }
                return Some(node);
            }
        }
        None
    }

    fn call(&mut self, id: ExprId, c: &Call) -> Node {
        match (c.function.as_str(), c.target.as_ref(), c.args.as_slice()) {
            ("_&&_", None, [a, b]) => {
                let pair = Box::new([self.expr(a), self.expr(b)]);
                return self.fold_pair(Node::And(pair));
            }
            ("_||_", None, [a, b]) => {
                let pair = Box::new([self.expr(a), self.expr(b)]);
                return self.fold_pair(Node::Or(pair));
            }
            ("_?_:_", None, [cond, t, f]) => return self.conditional(id, cond, t, f),
            ("@not_strictly_false", None, [a]) => {
                return Node::NotStrictlyFalse(Box::new(self.expr(a)));
            }
            ("cel.@block", None, [entries, result]) => return self.block(id, entries, result),
            _ => {}
        }
        if let Some(desc) = self.enum_called(id, c) {
            let args: CallArgs = c.args.iter().map(|a| self.expr(a)).collect();
            let name = SmolStr::new(desc.full_name());
            return self.fold_call(call_node(name, enum_conversion(desc), args, id));
        }
        let (name, target) = self.function_name(id, c);
        let member = target.is_some();
        let mut args = CallArgs::with_capacity(c.args.len() + 1);
        if let Some(t) = target {
            args.push(self.expr(t));
        }
        for a in &c.args {
            args.push(self.expr(a));
        }
        if let Some(node) = self.host_call(id, &name, member, &mut args) {
            return node;
        }
        if let Some(node) = self.specialized_call(id, &name, &args) {
            return node;
        }
        if name == "_[_]"
            && let [container, Node::Const(key)] = args.as_slice()
            && let Some(node) = select_from_literal(container, key)
        {
            return node;
        }
        if let (Some(op), 2) = (CompareOp::from_function(&name), args.len()) {
            let b = args.pop().unwrap_or(Node::Const(Value::Null));
            let a = args.pop().unwrap_or(Node::Const(Value::Null));
            let node = Node::Compare(Box::new(Compare {
                op,
                args: [a, b],
                id,
            }));
            return self.fold_call(node);
        }
        if matches!(name.as_str(), "or" | "orValue")
            && c.target.is_some()
            && args.len() == 2
            && let Some(fallback) = self.env.registry.lookup(&name, 2).cloned()
        {
            let alternative = args.pop().unwrap_or(Node::Const(Value::Null));
            let receiver = args.pop().unwrap_or(Node::Const(Value::Null));
            return Node::OptionalOr(Box::new(OptionalOr {
                unwrap: name == "orValue",
                receiver,
                alternative,
                fallback,
                id,
            }));
        }
        let Some(f) = self.env.registry.lookup(&name, args.len()).cloned() else {
            if self.checked.is_none() {
                // Unchecked programs report unknown functions when (and only if) they are called.
                let message = format!("unknown function '{name}' with {} argument(s)", args.len());
                return Node::Error(
                    EvalError::new(celd_value::ErrorKind::NoSuchOverload, message).at(id.0),
                );
            }
            return self.error(
                id,
                format!(
                    "undeclared reference to '{name}' with {} argument(s)",
                    args.len()
                ),
            );
        };
        let f = match name.as_str() {
            "_?._" if self.env.strong_enums => crate::select::strong_select_optional(),
            _ => f,
        };
        if name == "_+_" && args.len() == 2 && self.is_checked_string(id) {
            let mut parts = Vec::with_capacity(4);
            for arg in args {
                match arg {
                    Node::Concat(inner) => parts.extend(inner.parts),
                    other => parts.push(other),
                }
            }
            let node = Node::Concat(Box::new(Concat {
                parts,
                fallback: f,
                id,
            }));
            return self.fold_call(node);
        }
        if let (Some(op), 2, true) = (
            ArithOp::from_function(&name),
            args.len(),
            self.is_checked_number(id),
        ) {
            let b = args.pop().unwrap_or(Node::Const(Value::Null));
            let a = args.pop().unwrap_or(Node::Const(Value::Null));
            let node = Node::Arith(Box::new(Arith {
                op,
                args: [a, b],
                fallback: f,
                id,
            }));
            return self.fold_call(node);
        }
        let scalar_sum = name == "_+_" && self.has_scalar_type(id);
        let mut node = call_node(name, f, args, id);
        if scalar_sum {
            set_call_cost(&mut node, CallCost::Constant);
        }
        self.fold_call(node)
    }

    /// A call of host overloads: those the checker chose, or (unchecked) every host overload
    /// of the name, call style and argument count; the built-in implementation of the name
    /// serves arguments none of them accepts. `None` (the arguments left in place) when no
    /// host overload applies.
    fn host_call(
        &mut self,
        id: ExprId,
        name: &SmolStr,
        member: bool,
        args: &mut CallArgs,
    ) -> Option<Node> {
        let host = self.env.host;
        if host.is_empty() {
            return None;
        }
        let (candidates, others) = match (self.checked, self.reference(id)) {
            (_, Some(Reference::Function(f))) => {
                let mut candidates = Vec::new();
                let mut others = false;
                for overload_id in &f.overload_ids {
                    match host.overload(overload_id) {
                        Some(o) => candidates.push(o.clone()),
                        None => others = true,
                    }
                }
                (candidates, others)
            }
            (Some(_), _) => return None,
            (None, _) => {
                let candidates = host
                    .overloads(name)
                    .iter()
                    .filter(|o| o.member == member && o.params.len() == args.len())
                    .cloned()
                    .collect();
                (candidates, true)
            }
        };
        if candidates.is_empty() {
            return None;
        }
        let candidates = match self.prepared(&candidates, others, args) {
            Ok(Some(prepared)) => vec![prepared],
            Ok(None) => candidates,
            Err(e) => return Some(self.error(id, e.message())),
        };
        let fallback = if others {
            let arity = args.len();
            self.env
                .registry
                .lookup(name, arity)
                .cloned()
                .map(|f| (f, CallCost::of(name)))
        } else {
            None
        };
        let call = HostCall {
            candidates,
            fallback,
        };
        Some(Node::Host(Box::new(HostCallNode {
            function: name.clone(),
            direct: call.direct(),
            call: Arc::new(call),
            args: std::mem::take(args).into_vec(),
            id,
        })))
    }

    /// The one overload the checker chose, its implementation prepared for this call's
    /// constant arguments (see [`Prepare`](crate::functions::host::Prepare)); `None` when
    /// there is no choice made, nothing constant, or nothing to prepare.
    fn prepared(
        &self,
        candidates: &[Arc<HostOverload>],
        others: bool,
        args: &CallArgs,
    ) -> celd_value::Result<Option<Arc<HostOverload>>> {
        let ([only], false) = (candidates, others) else {
            return Ok(None);
        };
        let Some(prepare) = &only.prepare else {
            return Ok(None);
        };
        let constants: Vec<Option<&Value>> = args
            .iter()
            .map(|a| match a {
                Node::Const(v) => Some(v),
                _ => None,
            })
            .collect();
        if constants.iter().all(Option::is_none) {
            return Ok(None);
        }
        Ok(prepare.call(&constants)?.map(|f| {
            Arc::new(HostOverload {
                binding: Binding::Static(f),
                prepare: None,
                ..(**only).clone()
            })
        }))
    }

    /// Whether a function of this name exists, built in or host.
    fn is_function(&self, name: &str) -> bool {
        self.env.registry.contains(name) || self.env.host.contains_function(name)
    }

    /// The function a call names, and the target to pass as first argument (none for
    /// namespaced functions such as `math.greatest`, whose "target" is part of the name).
    fn function_name<'c>(&self, id: ExprId, c: &'c Call) -> (SmolStr, Option<&'c Expr>) {
        if let Some(Reference::Function(f)) = self.reference(id) {
            let target = if f.namespaced {
                None
            } else {
                c.target.as_ref()
            };
            return (f.name.clone(), target);
        }
        let Some(target) = &c.target else {
            return (self.global_function_name(&c.function), None);
        };
        if let Some(qualifier) = qualified_name(target)
            && self
                .local(qualifier.split('.').next().unwrap_or(""))
                .is_none()
        {
            for candidate in celd_types::candidate_names(self.env.container, &qualifier) {
                let full = format!("{candidate}.{}", c.function);
                if self.is_function(&full) {
                    return (SmolStr::new(full), None);
                }
            }
        }
        (c.function.clone(), Some(target))
    }

    fn global_function_name(&self, name: &SmolStr) -> SmolStr {
        if self.is_function(name) {
            return name.clone();
        }
        celd_types::candidate_names(self.env.container, name)
            .find(|candidate| self.is_function(candidate))
            .map_or_else(|| name.clone(), SmolStr::new)
    }

    /// Whether the checker proved this node a string.
    fn is_checked_string(&self, id: ExprId) -> bool {
        self.checked
            .is_some_and(|c| matches!(c.type_of(id), celd_types::Type::String))
    }

    /// Whether the checker proved this node an int, uint or double.
    fn is_checked_number(&self, id: ExprId) -> bool {
        use celd_types::Type;
        self.checked
            .is_some_and(|c| matches!(c.type_of(id), Type::Int | Type::Uint | Type::Double))
    }

    /// Whether the checker proved this node's value a fixed-size scalar (numbers, booleans,
    /// timestamps, durations): `_+_` yielding one adds numbers or times, not concatenates.
    fn has_scalar_type(&self, id: ExprId) -> bool {
        use celd_types::Type;
        self.checked.is_some_and(|c| {
            matches!(
                c.type_of(id),
                Type::Int
                    | Type::Uint
                    | Type::Double
                    | Type::Bool
                    | Type::Timestamp
                    | Type::Duration
            )
        })
    }

    /// Calls whose constant argument is prepared once: regular expressions, whose syntax is
    /// checked now and whose automaton is built on first use (`patterns::ConstPattern`). An
    /// invalid pattern is an error node (reported when evaluation reaches it, with its span).
    fn specialized_call(&mut self, id: ExprId, name: &str, args: &[Node]) -> Option<Node> {
        let ("matches", [subject, Node::Const(Value::String(pattern))]) = (name, args) else {
            return None;
        };
        let pattern_len = u32::try_from(pattern.len()).unwrap_or(u32::MAX);
        let pattern = match self.const_pattern(pattern) {
            Ok(pattern) => pattern,
            Err(e) => return Some(Node::Error(e.at(id.0))),
        };
        let f = Impl::Custom(Arc::new(move |args: &[Value]| match args {
            [Value::String(s), ..] => Ok(Value::Bool(pattern.regex()?.is_match(s.as_str()))),
            _ => Err(crate::functions::no_such_overload("matches", args)),
        }));
        Some(Node::Call1(Box::new(Call1 {
            name: SmolStr::new("matches"),
            f,
            cost: CallCost::MatchesPattern { pattern_len },
            arg: subject.clone(),
            id,
        })))
    }

    /// The program's constant pattern for `text`, shared by every call that uses the same text.
    fn const_pattern(&mut self, text: &SmolStr) -> celd_value::Result<Arc<patterns::ConstPattern>> {
        if let Some(pattern) = self.patterns.get(text) {
            return Ok(pattern.clone());
        }
        let pattern = Arc::new(patterns::ConstPattern::new(
            text.clone(),
            self.pattern_budget
                .get_or_insert_with(|| patterns::PatternBudget::new(self.env.max_regex_bytes))
                .clone(),
        )?);
        self.patterns.insert(text.clone(), pattern.clone());
        Ok(pattern)
    }

    fn conditional(&mut self, id: ExprId, cond: &Expr, t: &Expr, f: &Expr) -> Node {
        let cond = self.expr(cond);
        let t = self.expr(t);
        let f = self.expr(f);
        match (&cond, self.options.no_folding) {
            (Node::Const(Value::Bool(true)), false) => t,
            (Node::Const(Value::Bool(false)), false) => f,
            _ => Node::Cond(Box::new([cond, t, f]), id),
        }
    }

    /// Folds `&&`/`||` whose outcome is already decided by constants.
    fn fold_pair(&mut self, node: Node) -> Node {
        if self.options.no_folding {
            return node;
        }
        let decisive = matches!(node, Node::Or(_));
        let (Node::And(pair) | Node::Or(pair)) = &node else {
            return node;
        };
        let is_decisive = |n: &Node| matches!(n, Node::Const(Value::Bool(b)) if *b == decisive);
        if is_decisive(&pair[0]) || is_decisive(&pair[1]) {
            return Node::Const(Value::Bool(decisive));
        }
        if matches!((&pair[0], &pair[1]), (Node::Const(_), Node::Const(_))) {
            return self.fold_constant(node);
        }
        node
    }

    /// Evaluates a call whose arguments are all constants now, within a small budget.
    fn fold_call(&mut self, node: Node) -> Node {
        let all_constant = match &node {
            Node::Concat(c) => c.parts.iter().all(is_const),
            Node::Arith(a) => a.args.iter().all(is_const),
            Node::Compare(c) => c.args.iter().all(is_const),
            Node::Call1(c) => is_const(&c.arg),
            Node::Call2(c) => c.args.iter().all(is_const),
            Node::CallN(c) => c.args.iter().all(is_const),
            _ => false,
        };
        if !all_constant || self.options.no_folding {
            return node;
        }
        match fold_scalar_arith(node) {
            Ok(folded) => folded,
            Err(node) => self.fold_constant(node),
        }
    }

    /// Evaluates a constant subexpression with a throwaway plan (the general fold).
    fn fold_constant(&self, node: Node) -> Node {
        let plan = Plan {
            root: node,
            table_id: 0,
            variables: Box::default(),
            n_locals: self.n_locals,
            n_params: 0,
            scalar_locals: Box::default(),
            enum_mode: if self.env.strong_enums {
                EnumMode::Strong
            } else {
                EnumMode::Legacy
            },
            patterns: Box::default(),
        };
        let options = EvalOptions {
            limits: Some(&self.fold_limits),
            ..EvalOptions::default()
        };
        match plan.eval_with(&crate::Activation::new(), &options) {
            Ok(v) => Node::Const(v),
            // Too costly to fold, or failing: keep it for run time, where it reports with its span.
            Err(_) => plan.root,
        }
    }

    fn list(&mut self, id: ExprId, l: &ListExpr) -> Node {
        let elements: Vec<Node> = l.elements.iter().map(|e| self.expr(e)).collect();
        let mut optional = vec![false; elements.len()];
        for &i in &l.optional_indices {
            if let Some(flag) = optional.get_mut(i as usize) {
                *flag = true;
            }
        }
        let node = Node::List(Box::new(ListNode {
            elements,
            optional,
            id,
        }));
        self.fold_aggregate(node)
    }

    fn map(&mut self, id: ExprId, m: &MapExpr) -> Node {
        let entries = m
            .entries
            .iter()
            .map(|entry| MapEntryNode {
                key: self.expr(&entry.key),
                value: self.expr(&entry.value),
                optional: entry.optional,
                id: entry.id,
            })
            .collect();
        self.fold_aggregate(Node::Map(Box::new(MapNode { entries, id })))
    }

    /// Lists and maps of constants become constants.
    fn fold_aggregate(&mut self, node: Node) -> Node {
        if self.options.no_folding {
            return node;
        }
        let all_constant = match &node {
            Node::List(l) => l.elements.iter().all(is_const),
            Node::Map(m) => m
                .entries
                .iter()
                .all(|e| is_const(&e.key) && is_const(&e.value)),
            _ => false,
        };
        if all_constant {
            self.fold_constant(node)
        } else {
            node
        }
    }

    fn message(&mut self, id: ExprId, s: &StructExpr) -> Node {
        if let Some(name) = self.struct_type_name(id, &s.type_name) {
            return self.struct_value(id, &name, s);
        }
        let Some(desc) = self.message_descriptor(id, &s.type_name) else {
            return self.error(
                id,
                format!("undeclared reference to message type '{}'", s.type_name),
            );
        };
        let mut fields = Vec::with_capacity(s.fields.len());
        for f in &s.fields {
            let value = self.expr(&f.value);
            match desc.get_field_by_name(&f.name) {
                Some(field) => fields.push(FieldNode {
                    field,
                    value,
                    optional: f.optional,
                    id: f.id,
                }),
                None => {
                    self.error(
                        f.id,
                        format!("no such field '{}' in {}", f.name, desc.full_name()),
                    );
                }
            }
        }
        Node::Struct(Box::new(StructNode {
            message: desc,
            fields,
            id,
        }))
    }

    /// The struct type a literal `Name{...}` builds, if `Name` is one.
    fn struct_type_name(&self, id: ExprId, written: &str) -> Option<SmolStr> {
        let host = self.env.host;
        if let Some(Reference::TypeName { name, .. }) = self.reference(id) {
            return host.is_struct(name).then(|| name.clone());
        }
        celd_types::candidate_names(self.env.container, written)
            .find(|candidate| host.is_struct(candidate))
            .map(SmolStr::new)
    }

    /// A struct type's value: a map from the fields set to their values.
    fn struct_value(&mut self, id: ExprId, name: &str, s: &StructExpr) -> Node {
        let mut entries = Vec::with_capacity(s.fields.len());
        for f in &s.fields {
            let value = self.expr(&f.value);
            if !self.env.host.has_field(name, &f.name) {
                self.error(f.id, format!("no such field '{}' in {name}", f.name));
            }
            entries.push(MapEntryNode {
                key: Node::Const(Value::String(f.name.clone())),
                value,
                optional: f.optional,
                id: f.id,
            });
        }
        self.fold_aggregate(Node::Map(Box::new(MapNode { entries, id })))
    }

    fn message_descriptor(
        &self,
        id: ExprId,
        written: &str,
    ) -> Option<prost_reflect::MessageDescriptor> {
        let pool = self.env.pool?;
        if let Some(Reference::TypeName { name, .. }) = self.reference(id) {
            return pool.get_message_by_name(name);
        }
        celd_types::candidate_names(self.env.container, written)
            .find_map(|candidate| pool.get_message_by_name(&candidate))
    }

    /// Records a loop variable as scalar when the checker typed the range's elements (or
    /// map keys; list indexes with two variables) as fixed-size scalars.
    fn note_scalar_item(&mut self, slot: u32, range: ExprId, two_vars: bool) {
        use celd_types::Type;
        let Some(checked) = self.checked else { return };
        let scalar = match checked.type_of(range) {
            Type::List(_) if two_vars => true,
            Type::List(elem) => is_scalar(elem),
            Type::Map(kv) => is_scalar(&kv.0),
            _ => false,
        };
        if scalar {
            self.note_scalar(slot);
        }
    }

    /// The second variable of a two-variable loop: the element of a list, the value of a map.
    fn note_scalar_value(&mut self, slot: u32, range: ExprId) {
        use celd_types::Type;
        let Some(checked) = self.checked else { return };
        let scalar = match checked.type_of(range) {
            Type::List(elem) => is_scalar(elem),
            Type::Map(kv) => is_scalar(&kv.1),
            _ => false,
        };
        if scalar {
            self.note_scalar(slot);
        }
    }

    fn new_local(&mut self, name: &str) -> u32 {
        let slot = self.reserve_slots(1);
        self.scopes.push((SmolStr::new(name), slot));
        slot
    }

    /// Takes `n` consecutive local slots; the caller gives them back by restoring
    /// `next_slot` when its scope ends.
    fn reserve_slots(&mut self, n: u32) -> u32 {
        let first = self.next_slot;
        self.next_slot += n;
        self.n_locals = self.n_locals.max(self.next_slot);
        if self.slot_uses.len() < self.next_slot as usize {
            self.slot_uses
                .resize(self.next_slot as usize, SlotUses::default());
        }
        for uses in &mut self.slot_uses[first as usize..self.next_slot as usize] {
            uses.all += 1;
        }
        first
    }

    fn note_scalar(&mut self, slot: u32) {
        if let Some(uses) = self.slot_uses.get_mut(slot as usize) {
            uses.scalar += 1;
        }
    }

    /// The slots every use of which was a scalar loop variable.
    fn scalar_locals(&self) -> Vec<u32> {
        (0..)
            .zip(&self.slot_uses)
            .filter(|(_, uses)| uses.all > 0 && uses.scalar == uses.all)
            .map(|(slot, _)| slot)
            .collect()
    }

    fn comprehension(&mut self, id: ExprId, c: &Comprehension) -> Node {
        let range = self.expr(&c.iter_range);
        if c.iter_var2.is_none()
            && let Some(shape) = recognise_loop(c)
        {
            return self.macro_loop(id, c, range, shape);
        }
        let init = self.expr(&c.accu_init);
        let saved_slot = self.next_slot;
        let accu_slot = self.new_local(&c.accu_var);
        let iter_slot = self.new_local(&c.iter_var);
        let iter_slot2 = c.iter_var2.as_ref().map(|v| self.new_local(v));
        self.note_scalar_item(iter_slot, c.iter_range.id, iter_slot2.is_some());
        if let Some(slot2) = iter_slot2 {
            self.note_scalar_value(slot2, c.iter_range.id);
        }
        let condition = self.expr(&c.loop_condition);
        let step = in_place_step(self.expr(&c.loop_step), accu_slot);
        // The loop variables go out of scope; the accumulator stays for the result.
        self.scopes
            .truncate(self.scopes.len() - 1 - usize::from(iter_slot2.is_some()));
        let result = self.expr(&c.result);
        self.scopes.pop();
        self.next_slot = saved_slot;
        let node = Node::Fold(Box::new(Fold {
            iter_slot,
            iter_slot2,
            accu_slot,
            range,
            init,
            condition,
            step,
            result,
            id,
        }));
        self.fold_closed(node, accu_slot)
    }

    /// Evaluates a comprehension now when it reads no input: no variable, no parameter,
    /// and no local but its own (slots from `first_own_slot` on).
    fn fold_closed(&self, node: Node, first_own_slot: u32) -> Node {
        if !self.options.no_folding && reads_no_input(&node, first_own_slot) {
            self.fold_constant(node)
        } else {
            node
        }
    }

    fn macro_loop(
        &mut self,
        id: ExprId,
        c: &Comprehension,
        range: Node,
        shape: LoopShape<'_>,
    ) -> Node {
        let saved_slot = self.next_slot;
        let iter_slot = self.new_local(&c.iter_var);
        self.note_scalar_item(iter_slot, c.iter_range.id, false);
        let predicate = shape.predicate.map(|p| self.expr(p));
        let transform = shape.transform.map(|t| self.expr(t));
        self.scopes.pop();
        self.next_slot = saved_slot;
        let node = Node::Loop(Box::new(Loop {
            kind: shape.kind,
            iter_slot,
            range,
            predicate,
            transform,
            id,
        }));
        self.fold_closed(node, iter_slot)
    }

    /// `cel.@block([e0, e1, ...], result)`: entry `i` is the local `@index<i>`.
    fn block(&mut self, id: ExprId, entries: &Expr, result: &Expr) -> Node {
        let ExprKind::List(list) = &entries.kind else {
            return self.error(id, "cel.block needs a list literal of bindings");
        };
        // The block's slots are reserved first: entries may hold comprehensions, whose own
        // locals must not land in between.
        let first_slot = self.reserve_slots(list.elements.len() as u32);
        let mut nodes = Vec::with_capacity(list.elements.len());
        for (i, entry) in list.elements.iter().enumerate() {
            nodes.push(self.expr(entry));
            let slot = first_slot + i as u32;
            self.scopes.push((SmolStr::new(format!("@index{i}")), slot));
        }
        let result = self.expr(result);
        self.scopes
            .truncate(self.scopes.len() - list.elements.len());
        self.next_slot = first_slot;
        Node::Block(Box::new(Block {
            first_slot,
            entries: nodes,
            result,
        }))
    }
}

/// Numbers, booleans, timestamps and durations: values whose size never grows.
fn is_scalar(ty: &celd_types::Type) -> bool {
    use celd_types::Type;
    matches!(
        ty,
        Type::Int
            | Type::Uint
            | Type::Double
            | Type::Bool
            | Type::Timestamp
            | Type::Duration
            | Type::Null
    )
}

/// `[a, b, c][1]` and `{'k': a, 'j': b}['j']` with a constant index: the selected element,
/// after checking that the others would not have failed. The construction's cost is still
/// charged. `None` when the container is not such a literal or the index does not select.
fn select_from_literal(container: &Node, key: &Value) -> Option<Node> {
    let (mut checks, mut cost, value) = match container {
        Node::Seq(seq) => {
            let inner = select_from_literal(&seq.value, key)?;
            let Node::Seq(inner) = inner else {
                return None;
            };
            let mut checks = seq.checks.clone();
            checks.extend(inner.checks);
            return Some(Node::Seq(Box::new(Seq {
                checks,
                value: inner.value,
                cost: seq.cost.saturating_add(inner.cost),
            })));
        }
        Node::List(l) if !l.optional.contains(&true) => {
            let index = match key {
                Value::Int(i) => usize::try_from(*i).ok()?,
                Value::Uint(u) => usize::try_from(*u).ok()?,
                _ => return None,
            };
            let value = l.elements.get(index)?.clone();
            let others = l
                .elements
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, e)| e);
            (
                Vec::new(),
                cost::LIST_CREATE,
                (others.cloned().collect::<Vec<_>>(), value),
            )
        }
        Node::Map(m) if m.entries.iter().all(|e| !e.optional) => {
            let keys: Vec<Key> = m
                .entries
                .iter()
                .map(|e| match &e.key {
                    Node::Const(k) => Key::from_value(k),
                    _ => None,
                })
                .collect::<Option<_>>()?;
            let distinct = keys.iter().enumerate().all(|(i, k)| !keys[..i].contains(k));
            let wanted = KeyRef::from_value(key)?;
            let index = keys.iter().position(|k| k.as_ref_matches(wanted))?;
            if !distinct {
                return None;
            }
            let value = m.entries[index].value.clone();
            let others = m
                .entries
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, e)| e.value.clone())
                .collect();
            (Vec::new(), cost::MAP_CREATE, (others, value))
        }
        _ => return None,
    };
    let (others, value) = value;
    for other in others {
        lower_check(other, &mut checks, &mut cost);
    }
    Some(Node::Seq(Box::new(Seq {
        checks,
        value,
        // The index call itself.
        cost: cost.saturating_add(1),
    })))
}

/// What checking a value for errors needs: nothing for constants; the elements of a literal
/// (plus its construction cost); else the node itself.
fn lower_check(node: Node, checks: &mut Vec<Node>, cost: &mut u64) {
    match node {
        Node::Const(_) => {}
        Node::List(l) if !l.optional.contains(&true) => {
            *cost = cost.saturating_add(cost::LIST_CREATE);
            for e in l.elements {
                lower_check(e, checks, cost);
            }
        }
        Node::Seq(seq) => {
            *cost = cost.saturating_add(seq.cost);
            checks.extend(seq.checks);
            lower_check(seq.value, checks, cost);
        }
        other => checks.push(other),
    }
}

fn set_call_cost(node: &mut Node, rule: CallCost) {
    match node {
        Node::Call1(c) => c.cost = rule,
        Node::Call2(c) => c.cost = rule,
        Node::CallN(c) => c.cost = rule,
        _ => {}
    }
}

/// A call's planned arguments (receiver first): up to three without allocating.
type CallArgs = smallvec::SmallVec<[Node; 3]>;

fn call_node(name: SmolStr, f: Impl, mut args: CallArgs, id: ExprId) -> Node {
    let cost = CallCost::of(&name);
    match args.len() {
        1 => Node::Call1(Box::new(Call1 {
            name,
            f,
            cost,
            arg: args.pop().unwrap_or(Node::Const(Value::Null)),
            id,
        })),
        2 => {
            let b = args.pop().unwrap_or(Node::Const(Value::Null));
            let a = args.pop().unwrap_or(Node::Const(Value::Null));
            Node::Call2(Box::new(Call2 {
                name,
                f,
                cost,
                args: [a, b],
                id,
            }))
        }
        _ => Node::CallN(Box::new(CallN {
            name,
            f,
            cost,
            args: args.into_vec(),
            id,
        })),
    }
}

/// Rewrites a fold step that grows the accumulator (`accu + [e]`, `cel.@mapInsert(accu, ..)`,
/// or either under a condition whose other branch is `accu`) to update it in place.
fn in_place_step(step: Node, accu_slot: u32) -> Node {
    let is_accu = |n: &Node| matches!(n, Node::Local(s) if *s == accu_slot);
    match step {
        Node::Call2(call) if call.name == "_+_" && is_accu(&call.args[0]) => {
            let [accu, list] = call.args;
            match list {
                Node::List(l) if !l.optional.contains(&true) => Node::AccuAppend {
                    slot: accu_slot,
                    elements: l.elements,
                    id: call.id,
                },
                list => Node::Call2(Box::new(Call2 {
                    args: [accu, list],
                    ..*call
                })),
            }
        }
        Node::Call2(call) if call.name == "cel.@mapInsert" && is_accu(&call.args[0]) => {
            let [_, entries] = call.args;
            Node::AccuInsert {
                slot: accu_slot,
                args: vec![entries],
                id: call.id,
            }
        }
        Node::CallN(call)
            if call.name == "cel.@mapInsert" && call.args.first().is_some_and(is_accu) =>
        {
            Node::AccuInsert {
                slot: accu_slot,
                args: call.args.into_iter().skip(1).collect(),
                id: call.id,
            }
        }
        Node::Cond(parts, id) if is_accu(&parts[2]) => {
            let [cond, yes, no] = *parts;
            Node::Cond(Box::new([cond, in_place_step(yes, accu_slot), no]), id)
        }
        other => other,
    }
}

/// Whether a value of this type may be or contain a typed enum read from a field.
/// Whether any node of the tree reads or writes a local slot.
fn uses_locals(node: &Node) -> bool {
    !reads_no_input_or_local(node)
}

/// True when the tree touches no local slot (variables and parameters don't matter here).
fn reads_no_input_or_local(node: &Node) -> bool {
    match node {
        Node::Local(_)
        | Node::AccuAppend { .. }
        | Node::AccuInsert { .. }
        | Node::Fold(_)
        | Node::Loop(_)
        | Node::Block(_) => false,
        Node::Const(_) | Node::Error(_) | Node::Param(_) | Node::Var { .. } => true,
        Node::Select { operand, .. } | Node::Has { operand, .. } => {
            reads_no_input_or_local(operand)
        }
        Node::NotStrictlyFalse(inner) => reads_no_input_or_local(inner),
        Node::And(pair) | Node::Or(pair) => pair.iter().all(reads_no_input_or_local),
        Node::Cond(parts, _) => parts.iter().all(reads_no_input_or_local),
        Node::Compare(c) => c.args.iter().all(reads_no_input_or_local),
        Node::Arith(a) => a.args.iter().all(reads_no_input_or_local),
        Node::Concat(c) => c.parts.iter().all(reads_no_input_or_local),
        Node::Call1(c) => reads_no_input_or_local(&c.arg),
        Node::Call2(c) => c.args.iter().all(reads_no_input_or_local),
        Node::CallN(c) => c.args.iter().all(reads_no_input_or_local),
        Node::Host(h) => h.args.iter().all(reads_no_input_or_local),
        Node::List(l) => l.elements.iter().all(reads_no_input_or_local),
        Node::Map(m) => m
            .entries
            .iter()
            .all(|e| reads_no_input_or_local(&e.key) && reads_no_input_or_local(&e.value)),
        Node::Struct(st) => st.fields.iter().all(|f| reads_no_input_or_local(&f.value)),
        Node::OptionalOr(o) => {
            reads_no_input_or_local(&o.receiver) && reads_no_input_or_local(&o.alternative)
        }
        Node::Seq(seq) => {
            seq.checks.iter().all(reads_no_input_or_local) && reads_no_input_or_local(&seq.value)
        }
    }
}

/// Whether evaluating `node` reads no variable, no parameter, and no local below
/// `first_own_slot` (locals from there on belong to the node itself).
fn reads_no_input(node: &Node, first_own_slot: u32) -> bool {
    let all = |nodes: &mut dyn Iterator<Item = &Node>| {
        for n in nodes {
            if !reads_no_input(n, first_own_slot) {
                return false;
            }
        }
        true
    };
    match node {
        Node::Const(_) | Node::Error(_) => true,
        Node::Param(_) | Node::Var { .. } => false,
        Node::Local(slot) => *slot >= first_own_slot,
        Node::AccuAppend { slot, elements, .. } => {
            *slot >= first_own_slot && all(&mut elements.iter())
        }
        Node::AccuInsert { slot, args, .. } => *slot >= first_own_slot && all(&mut args.iter()),
        Node::Select { operand, .. } | Node::Has { operand, .. } => {
            reads_no_input(operand, first_own_slot)
        }
        Node::NotStrictlyFalse(inner) => reads_no_input(inner, first_own_slot),
        Node::And(pair) | Node::Or(pair) => all(&mut pair.iter()),
        Node::Cond(parts, _) => all(&mut parts.iter()),
        Node::Compare(c) => all(&mut c.args.iter()),
        Node::Arith(a) => all(&mut a.args.iter()),
        Node::Concat(c) => all(&mut c.parts.iter()),
        Node::Call1(c) => reads_no_input(&c.arg, first_own_slot),
        Node::Call2(c) => all(&mut c.args.iter()),
        Node::CallN(c) => all(&mut c.args.iter()),
        // A host function may read state of its own (a clock, a counter): never folded.
        Node::Host(_) => false,
        Node::List(l) => all(&mut l.elements.iter()),
        Node::Map(m) => all(&mut m.entries.iter().flat_map(|e| [&e.key, &e.value])),
        Node::Struct(st) => all(&mut st.fields.iter().map(|f| &f.value)),
        Node::Fold(f) => {
            all(&mut [&f.range, &f.init, &f.condition, &f.step, &f.result].into_iter())
        }
        Node::Loop(l) => {
            reads_no_input(&l.range, first_own_slot)
                && all(&mut l.predicate.iter().chain(l.transform.iter()))
        }
        Node::Block(b) => all(&mut b.entries.iter().chain([&b.result])),
        Node::OptionalOr(o) => all(&mut [&o.receiver, &o.alternative].into_iter()),
        Node::Seq(seq) => all(&mut seq.checks.iter().chain([&seq.value])),
    }
}

fn is_const(node: &Node) -> bool {
    matches!(node, Node::Const(_))
}

/// The value of a literal.
pub fn literal_value(lit: &Literal) -> Value {
    match lit {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Uint(u) => Value::Uint(*u),
        Literal::Double(d) => Value::Double(*d),
        Literal::String(s) => Value::string(s),
        Literal::Bytes(b) => Value::bytes(b),
    }
}

fn type_value(name: &str) -> Value {
    Value::Type(celd_value::TypeValue::named(name))
}

/// `a.b.c` as the dotted name, if the expression is only identifiers and selections.
fn qualified_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Ident(name) => Some(name.to_string()),
        ExprKind::Select(s) if !s.test_only => {
            let mut prefix = qualified_name(&s.operand)?;
            prefix.push('.');
            prefix.push_str(&s.field);
            Some(prefix)
        }
        _ => None,
    }
}

/// A comprehension recognised as one of the standard macros.
struct LoopShape<'a> {
    kind: LoopKind,
    predicate: Option<&'a Expr>,
    transform: Option<&'a Expr>,
}

/// Matches the expansions of `all`, `exists`, `exists_one`, `map` and `filter`.
fn recognise_loop(c: &Comprehension) -> Option<LoopShape<'_>> {
    let accu = c.accu_var.as_str();
    let is_accu = |e: &Expr| matches!(&e.kind, ExprKind::Ident(n) if n == accu);
    fn call(e: &Expr) -> Option<(&str, &[Expr])> {
        match &e.kind {
            ExprKind::Call(call) if call.target.is_none() => {
                Some((call.function.as_str(), call.args.as_slice()))
            }
            _ => None,
        }
    }
    let literal = |e: &Expr| match &e.kind {
        ExprKind::Literal(l) => Some(l.clone()),
        _ => None,
    };
    let shape = |kind, predicate, transform| LoopShape {
        kind,
        predicate,
        transform,
    };
    let found = match (literal(&c.accu_init), call(&c.loop_step)) {
        (Some(Literal::Bool(true)), Some(("_&&_", [a, p]))) if is_accu(a) && is_accu(&c.result) => {
            shape(LoopKind::All, Some(p), None)
        }
        (Some(Literal::Bool(false)), Some(("_||_", [a, p])))
            if is_accu(a) && is_accu(&c.result) =>
        {
            shape(LoopKind::Exists, Some(p), None)
        }
        (Some(Literal::Int(0)), Some(("_?_:_", [p, inc, same])))
            if is_accu(same)
                && matches!(call(inc), Some(("_+_", [a, one])) if is_accu(a) && literal(one) == Some(Literal::Int(1)))
                && matches!(call(&c.result), Some(("_==_", [a, one])) if is_accu(a) && literal(one) == Some(Literal::Int(1))) =>
        {
            shape(LoopKind::ExistsOne, Some(p), None)
        }
        (None, Some(_)) if is_empty_list(&c.accu_init) && is_accu(&c.result) => {
            append_shape(&c.loop_step, accu, &c.iter_var)?
        }
        _ => return None,
    };
    let condition_ok = match found.kind {
        LoopKind::All | LoopKind::Exists => true,
        _ => literal(&c.loop_condition) == Some(Literal::Bool(true)),
    };
    let uses_accu = found.predicate.is_some_and(|p| mentions(p, accu))
        || found.transform.is_some_and(|t| mentions(t, accu));
    (condition_ok && !uses_accu).then_some(found)
}

/// `accu + [f]` (map), `p ? accu + [f] : accu` (map with filter), `p ? accu + [x] : accu` (filter).
fn append_shape<'a>(step: &'a Expr, accu: &str, iter_var: &str) -> Option<LoopShape<'a>> {
    let ExprKind::Call(call) = &step.kind else {
        return None;
    };
    let appended = |e: &'a Expr| -> Option<&'a Expr> {
        let ExprKind::Call(add) = &e.kind else {
            return None;
        };
        match (add.function.as_str(), add.args.as_slice()) {
            ("_+_", [a, list]) if matches!(&a.kind, ExprKind::Ident(n) if n == accu) => {
                match &list.kind {
                    ExprKind::List(l) if l.elements.len() == 1 && l.optional_indices.is_empty() => {
                        l.elements.first()
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    };
    match (call.function.as_str(), call.args.as_slice()) {
        ("_+_", _) => Some(LoopShape {
            kind: LoopKind::Map,
            predicate: None,
            transform: Some(appended(step)?),
        }),
        ("_?_:_", [p, yes, no]) if matches!(&no.kind, ExprKind::Ident(n) if n == accu) => {
            let f = appended(yes)?;
            let is_filter = matches!(&f.kind, ExprKind::Ident(n) if n == iter_var);
            Some(LoopShape {
                kind: if is_filter {
                    LoopKind::Filter
                } else {
                    LoopKind::Map
                },
                predicate: Some(p),
                transform: (!is_filter).then_some(f),
            })
        }
        _ => None,
    }
}

fn is_empty_list(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::List(l) if l.elements.is_empty())
}

/// Whether `name` occurs as an identifier anywhere in `e`.
fn mentions(e: &Expr, name: &str) -> bool {
    match &e.kind {
        ExprKind::Ident(n) => n == name,
        _ => e.children().into_iter().any(|c| mentions(c, name)),
    }
}

/// Folds an arithmetic node over two numeric constants of one type without building a plan
/// to evaluate it (the general fold's result, at a fraction of its cost); gives the node back
/// when it is anything else. A failing operation (overflow, division by zero) stays in the
/// plan, to report at run time with its span.
fn fold_scalar_arith(node: Node) -> Result<Node, Node> {
    let Node::Arith(a) = &node else {
        return Err(node);
    };
    let [Node::Const(l), Node::Const(r)] = &a.args else {
        return Err(node);
    };
    match crate::eval::scalar_arith(a.op, l, r) {
        Some(Ok(value)) => Ok(Node::Const(value)),
        Some(Err(_)) | None => Err(node),
    }
}

/// The values as a boxed slice allocated once at their exact length (collecting a `SmallVec`
/// into a box would allocate spare room, then shrink it).
fn exact_boxed_slice<T, const N: usize>(values: SmallVec<[T; N]>) -> Box<[T]> {
    let mut exact = Vec::with_capacity(values.len());
    exact.extend(values);
    exact.into_boxed_slice()
}
