//! cel-go's static cost estimate (`checker/cost.go`) over a [`CheckedAst`], node by node as
//! written, with hooks ([`CostEstimator`]) for a host's input sizes and call costs.
//!
//! This is the estimate Kubernetes applies to CRD rules and admission policies: it works on the
//! checked expression, so constant folding by a planner never changes it. Figures follow
//! cel-go's arithmetic exactly (saturating, cost factors rounded up in floating point), including
//! its quirks: a call whose overloads the checker did not record costs nothing, `&&` and `||`
//! cost at least their left side, and `==` on values of unknown size costs a tenth of the
//! largest `u64`.

use std::collections::HashMap;
use std::ops::Add;

use celd_syntax::ast::{Comprehension, MapExpr};
use celd_syntax::{Expr, ExprId, ExprKind, Literal};
use celd_types::Type;
use smol_str::SmolStr;

use crate::checked::{CheckedAst, Reference};

/// cel-go's `common.SelectAndIdentCost`.
pub const SELECT_AND_IDENT_COST: u64 = 1;
/// cel-go's `common.ConstCost`.
pub const CONST_COST: u64 = 0;
/// cel-go's `common.ListCreateBaseCost`.
pub const LIST_CREATE_BASE_COST: u64 = 10;
/// cel-go's `common.MapCreateBaseCost`.
pub const MAP_CREATE_BASE_COST: u64 = 30;
/// cel-go's `common.StructCreateBaseCost`.
pub const STRUCT_CREATE_BASE_COST: u64 = 40;
/// cel-go's `common.StringTraversalCostFactor`.
pub const STRING_TRAVERSAL_COST_FACTOR: f64 = 0.1;
/// cel-go's `common.RegexStringLengthCostFactor`.
pub const REGEX_STRING_LENGTH_COST_FACTOR: f64 = 0.25;

/// The accumulator names of cel-go's macros (`__result__`, `@result`): paths through them are
/// not given to the estimator.
const ACCUMULATOR_NAMES: [&str; 2] = ["__result__", "@result"];

/// cel-go's `SizeEstimate`: the least and most size (characters, bytes, entries) of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeEstimate {
    pub min: u64,
    pub max: u64,
}

/// cel-go's `CostEstimate`: the least and most cost of an evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CostEstimate {
    pub min: u64,
    pub max: u64,
}

/// cel-go's `multiplyByCostFactor`: the product rounded up, saturating.
pub fn multiply_by_cost_factor(x: u64, factor: f64) -> u64 {
    let xf = x as f64;
    if xf > 0.0 && factor > 0.0 && xf > u64::MAX as f64 / factor {
        return u64::MAX;
    }
    let ceil = (xf * factor).ceil();
    if ceil >= 18446744073709551616.0 {
        return u64::MAX;
    }
    ceil as u64
}

impl SizeEstimate {
    /// cel-go's `UnknownSizeEstimate`.
    pub const UNBOUNDED: SizeEstimate = SizeEstimate {
        min: 0,
        max: u64::MAX,
    };

    pub fn exact(n: u64) -> SizeEstimate {
        SizeEstimate { min: n, max: n }
    }

    pub fn multiply(self, other: SizeEstimate) -> SizeEstimate {
        SizeEstimate {
            min: self.min.saturating_mul(other.min),
            max: self.max.saturating_mul(other.max),
        }
    }

    pub fn multiply_by_cost_factor(self, factor: f64) -> CostEstimate {
        CostEstimate {
            min: multiply_by_cost_factor(self.min, factor),
            max: multiply_by_cost_factor(self.max, factor),
        }
    }

    pub fn multiply_by_cost(self, cost: CostEstimate) -> CostEstimate {
        CostEstimate {
            min: self.min.saturating_mul(cost.min),
            max: self.max.saturating_mul(cost.max),
        }
    }

    pub fn union(self, other: SizeEstimate) -> SizeEstimate {
        SizeEstimate {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }

    /// The same range read as a cost (cel-go's `CostEstimate(size)` conversion).
    pub fn as_cost(self) -> CostEstimate {
        CostEstimate {
            min: self.min,
            max: self.max,
        }
    }
}

impl CostEstimate {
    pub fn fixed(n: u64) -> CostEstimate {
        CostEstimate { min: n, max: n }
    }

    pub fn multiply(self, other: CostEstimate) -> CostEstimate {
        CostEstimate {
            min: self.min.saturating_mul(other.min),
            max: self.max.saturating_mul(other.max),
        }
    }

    pub fn multiply_by_cost_factor(self, factor: f64) -> CostEstimate {
        CostEstimate {
            min: multiply_by_cost_factor(self.min, factor),
            max: multiply_by_cost_factor(self.max, factor),
        }
    }

    pub fn union(self, other: CostEstimate) -> CostEstimate {
        CostEstimate {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }
}

/// Saturating addition, as cel-go's `Add`.
impl Add for SizeEstimate {
    type Output = SizeEstimate;
    fn add(self, other: SizeEstimate) -> SizeEstimate {
        SizeEstimate {
            min: self.min.saturating_add(other.min),
            max: self.max.saturating_add(other.max),
        }
    }
}

/// Saturating addition, as cel-go's `Add`.
impl Add for CostEstimate {
    type Output = CostEstimate;
    fn add(self, other: CostEstimate) -> CostEstimate {
        CostEstimate {
            min: self.min.saturating_add(other.min),
            max: self.max.saturating_add(other.max),
        }
    }
}

/// cel-go's `CallEstimate`: a call's cost and, for a string, bytes, list or map result, its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallEstimate {
    pub cost: CostEstimate,
    pub result_size: Option<SizeEstimate>,
}

impl CallEstimate {
    pub fn cost(cost: CostEstimate) -> CallEstimate {
        CallEstimate {
            cost,
            result_size: None,
        }
    }
}

/// cel-go's `AstNode`: what the estimator knows of one operand of a call.
#[derive(Clone, Debug)]
pub struct AstNode<'a> {
    /// The field path from a variable to the value: the variable, then field names, `@items`
    /// (list elements), `@keys`, `@values` (map entries) or `@indices`; empty when the value
    /// is not reachable from a variable (a literal, a call result, an accumulator).
    pub path: Vec<SmolStr>,
    /// The deduced type.
    pub ty: &'a Type,
    /// The expression, if the node is one (an element node of a list is not).
    pub expr: Option<&'a Expr>,
    /// The size derived from the expression itself (literals, literal lists and maps,
    /// concatenations, sized call results).
    pub computed_size: Option<SizeEstimate>,
}

/// The host's part of the estimate (cel-go's `CostEstimator`).
pub trait CostEstimator {
    /// The size of an input whose size the expression does not show (a variable, a field),
    /// or `None` to leave it unknown.
    fn estimate_size(&self, _node: &AstNode<'_>) -> Option<SizeEstimate> {
        None
    }

    /// The cost of a call, or `None` for cel-go's own figure. The arguments' own costs are
    /// added to what this returns.
    fn estimate_call_cost(
        &self,
        _function: &str,
        _overload_id: &str,
        _target: Option<&AstNode<'_>>,
        _args: &[AstNode<'_>],
    ) -> Option<CallEstimate> {
        None
    }
}

/// An estimator that knows nothing: every input unbounded, every call at cel-go's figure.
pub struct NoSizes;

impl CostEstimator for NoSizes {}

/// Options of the estimate (cel-go's `CostOption`s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostOptions {
    /// What a presence test `has(a.f)` costs beyond its operand: 1 by default, 0 in
    /// Kubernetes (`PresenceTestHasCost(false)`).
    pub presence_test_cost: u64,
}

impl Default for CostOptions {
    fn default() -> CostOptions {
        CostOptions {
            presence_test_cost: SELECT_AND_IDENT_COST,
        }
    }
}

impl CostOptions {
    /// The options Kubernetes estimates with.
    pub fn kubernetes() -> CostOptions {
        CostOptions {
            presence_test_cost: 0,
        }
    }
}

/// Estimates the cost of a checked expression as cel-go's `checker.Cost` does.
pub fn estimate_cost(
    checked: &CheckedAst,
    estimator: &dyn CostEstimator,
    options: &CostOptions,
) -> CostEstimate {
    let mut coster = Coster {
        checked,
        estimator,
        presence_test_cost: CostEstimate::fixed(options.presence_test_cost),
        paths: HashMap::new(),
        sizes: HashMap::new(),
        entry_sizes: HashMap::new(),
        locals: HashMap::new(),
    };
    coster.cost(&checked.ast().expr)
}

/// The kind of container an entry size describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Container {
    List,
    Map,
}

/// cel-go's `entrySizeEstimate`: sizes of a container's keys (indices) and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct EntrySize {
    container: Container,
    key: SizeEstimate,
    val: SizeEstimate,
}

fn union_entries(a: Option<EntrySize>, b: Option<EntrySize>) -> Option<EntrySize> {
    let (a, b) = (a?, b?);
    Some(EntrySize {
        container: a.container,
        key: a.key.union(b.key),
        val: a.val.union(b.val),
    })
}

/// A comprehension variable or binding in scope.
#[derive(Clone, Debug)]
struct LocalVar {
    path: Vec<SmolStr>,
    size: Option<SizeEstimate>,
    entry: Option<EntrySize>,
}

struct Coster<'a> {
    checked: &'a CheckedAst,
    estimator: &'a dyn CostEstimator,
    presence_test_cost: CostEstimate,
    paths: HashMap<ExprId, Vec<SmolStr>>,
    sizes: HashMap<ExprId, SizeEstimate>,
    entry_sizes: HashMap<ExprId, EntrySize>,
    locals: HashMap<SmolStr, Vec<LocalVar>>,
}

/// A literal as cel-go's `computeExprSize` sizes it.
fn literal_size(literal: &Literal) -> u64 {
    match literal {
        Literal::String(s) => s.chars().count() as u64,
        Literal::Bytes(b) => b.len() as u64,
        Literal::Null
        | Literal::Bool(_)
        | Literal::Int(_)
        | Literal::Uint(_)
        | Literal::Double(_) => 1,
    }
}

/// cel-go's `isScalar`: types whose values all have size 1.
fn is_scalar(ty: &Type) -> bool {
    match ty {
        Type::Bool | Type::Double | Type::Duration | Type::Int | Type::Timestamp | Type::Uint => {
            true
        }
        Type::Opaque(o) if o.name == "optional_type" => o.params.first().is_some_and(is_scalar),
        _ => false,
    }
}

/// Whether a select on a value of this type costs a field lookup (maps, structs, type
/// parameters; cel-go charges nothing more for `dyn` operands).
fn selects_by_lookup(ty: &Type) -> bool {
    matches!(ty, Type::Map(_) | Type::Message(_) | Type::Param(_))
}

fn container_of(ty: &Type) -> Option<Container> {
    match ty {
        Type::List(_) => Some(Container::List),
        Type::Map(_) => Some(Container::Map),
        _ => None,
    }
}

impl<'a> Coster<'a> {
    fn ty(&self, e: &Expr) -> &'a Type {
        self.checked.type_of(e.id)
    }

    /// The name an identifier (or a select chain the checker resolved to one name) stands for.
    fn ident_name(&self, e: &'a Expr) -> Option<SmolStr> {
        match (self.checked.reference(e.id), &e.kind) {
            (Some(Reference::Variable(name) | Reference::Local(name)), _) => Some(name.clone()),
            (Some(Reference::EnumConstant { name, .. } | Reference::TypeName { name, .. }), _)
                if !matches!(e.kind, ExprKind::Struct(_)) =>
            {
                Some(name.clone())
            }
            (_, ExprKind::Ident(name)) => Some(name.clone()),
            _ => None,
        }
    }

    fn local(&self, name: &str) -> Option<&LocalVar> {
        self.locals.get(name).and_then(|stack| stack.last())
    }

    fn push_local(&mut self, name: &SmolStr, var: LocalVar) {
        self.locals.entry(name.clone()).or_default().push(var);
    }

    fn pop_local(&mut self, name: &str) {
        if let Some(stack) = self.locals.get_mut(name) {
            stack.pop();
        }
    }

    fn cost(&mut self, e: &'a Expr) -> CostEstimate {
        if let Some(name) = self.ident_name(e) {
            return self.cost_ident(e, name);
        }
        match &e.kind {
            ExprKind::Literal(_) => CostEstimate::fixed(CONST_COST),
            ExprKind::Ident(_) => CostEstimate::fixed(SELECT_AND_IDENT_COST),
            ExprKind::Select(sel) => self.cost_select(e, &sel.operand, &sel.field, sel.test_only),
            ExprKind::Call(_) => self.cost_call(e),
            ExprKind::List(list) => self.cost_list(e, &list.elements),
            ExprKind::Map(map) => self.cost_map(e, map),
            ExprKind::Struct(s) => {
                let fields = s.fields.iter().map(|f| self.cost(&f.value));
                let sum = fields.fold(CostEstimate::default(), Add::add);
                sum + CostEstimate::fixed(STRUCT_CREATE_BASE_COST)
            }
            ExprKind::Comprehension(c) if is_bind(c) => self.cost_bind(e, c),
            ExprKind::Comprehension(c) => self.cost_comprehension(e, c),
        }
    }

    fn cost_ident(&mut self, e: &Expr, name: SmolStr) -> CostEstimate {
        let path = match self.local(&name) {
            Some(var) => var.path.clone(),
            None => vec![name],
        };
        self.paths.insert(e.id, path);
        CostEstimate::fixed(SELECT_AND_IDENT_COST)
    }

    fn cost_select(
        &mut self,
        e: &'a Expr,
        operand: &'a Expr,
        field: &SmolStr,
        test_only: bool,
    ) -> CostEstimate {
        if test_only {
            return self.presence_test_cost + self.cost(operand);
        }
        let mut sum = self.cost(operand);
        if selects_by_lookup(self.ty(operand)) {
            sum = sum + CostEstimate::fixed(SELECT_AND_IDENT_COST);
        }
        let mut path = self.path(operand);
        path.push(field.clone());
        self.paths.insert(e.id, path);
        sum
    }

    fn cost_list(&mut self, e: &'a Expr, elements: &'a [Expr]) -> CostEstimate {
        let mut sum = CostEstimate::default();
        let mut item_size = SizeEstimate {
            min: if elements.is_empty() { 0 } else { u64::MAX },
            max: 0,
        };
        for element in elements {
            sum = sum + self.cost(element);
            item_size = item_size.union(self.size_or_unknown(element));
        }
        let entry = EntrySize {
            container: Container::List,
            key: SizeEstimate::exact(1),
            val: item_size,
        };
        self.entry_sizes.insert(e.id, entry);
        sum + CostEstimate::fixed(LIST_CREATE_BASE_COST)
    }

    fn cost_map(&mut self, e: &'a Expr, map: &'a MapExpr) -> CostEstimate {
        let mut sum = CostEstimate::default();
        let empty_min = if map.entries.is_empty() { 0 } else { u64::MAX };
        let mut key_size = SizeEstimate {
            min: empty_min,
            max: 0,
        };
        let mut val_size = key_size;
        for entry in &map.entries {
            sum = sum + self.cost(&entry.key) + self.cost(&entry.value);
            key_size = key_size.union(self.size_or_unknown(&entry.key));
            val_size = val_size.union(self.size_or_unknown(&entry.value));
        }
        let entry = EntrySize {
            container: Container::Map,
            key: key_size,
            val: val_size,
        };
        self.entry_sizes.insert(e.id, entry);
        sum + CostEstimate::fixed(MAP_CREATE_BASE_COST)
    }

    fn cost_comprehension(&mut self, e: &'a Expr, c: &'a Comprehension) -> CostEstimate {
        let mut sum = self.cost(&c.iter_range) + self.cost(&c.accu_init);
        self.push_binding(&c.accu_var, &c.accu_init);
        match &c.iter_var2 {
            Some(value_var) => {
                self.push_iter_var(&c.iter_var, &c.iter_range, IterRole::Key);
                self.push_iter_var(value_var, &c.iter_range, IterRole::Value);
            }
            None => self.push_iter_var(&c.iter_var, &c.iter_range, IterRole::Single),
        }
        let loop_cost = self.cost(&c.loop_condition);
        let step_cost = self.cost(&c.loop_step);
        self.pop_local(&c.iter_var);
        if let Some(value_var) = &c.iter_var2 {
            self.pop_local(value_var);
        }
        sum = sum + self.cost(&c.result);
        self.pop_local(&c.accu_var);
        let range_count = self.size_or_unknown(&c.iter_range);
        sum = sum + range_count.multiply_by_cost(step_cost + loop_cost);
        match &c.accu_init.kind {
            ExprKind::Literal(_) => {
                if let Some(size) = self.compute_size(&c.accu_init) {
                    self.sizes.insert(e.id, size);
                }
            }
            ExprKind::List(_) | ExprKind::Map(_) => {
                self.sizes.insert(e.id, range_count);
                if let Some(entry) = self.compute_entry_size(&c.loop_step) {
                    self.entry_sizes.insert(e.id, entry);
                }
            }
            _ => {}
        }
        sum
    }

    fn cost_bind(&mut self, e: &'a Expr, c: &'a Comprehension) -> CostEstimate {
        // Binds are lazily initialized; the empty range still costs its creation.
        let mut sum = self.cost(&c.iter_range) + self.cost(&c.accu_init);
        self.push_binding(&c.accu_var, &c.accu_init);
        sum = sum + self.cost(&c.result);
        self.pop_local(&c.accu_var);
        self.copy_sizes(e, &c.result);
        sum
    }

    /// cel-go's `pushLocalVar`: a binding with the path, size and entry size of its value.
    fn push_binding(&mut self, name: &SmolStr, value: &'a Expr) {
        let var = LocalVar {
            path: self.path(value),
            size: self.compute_size(value),
            entry: self.compute_entry_size(value),
        };
        self.push_local(name, var);
    }

    /// cel-go's `pushIterKey`, `pushIterValue` and `pushIterSingle`.
    fn push_iter_var(&mut self, name: &SmolStr, range: &'a Expr, role: IterRole) {
        let entry = self.compute_entry_size(range);
        let container = entry
            .map(|en| en.container)
            .or_else(|| container_of(self.ty(range)));
        let is_list = container == Some(Container::List);
        let (subpath, size) = match role {
            IterRole::Key if is_list => ("@indices", entry.map(|en| en.key)),
            IterRole::Key => ("@keys", entry.map(|en| en.key)),
            IterRole::Value if is_list => ("@items", entry.map(|en| en.val)),
            IterRole::Value => ("@values", entry.map(|en| en.val)),
            IterRole::Single if is_list => ("@items", entry.map(|en| en.val)),
            IterRole::Single => ("@keys", entry.map(|en| en.key)),
        };
        let mut path = self.path(range);
        path.push(SmolStr::new_static(subpath));
        let var = LocalVar {
            path,
            size,
            entry: None,
        };
        self.push_local(name, var);
    }

    fn cost_call(&mut self, e: &'a Expr) -> CostEstimate {
        let ExprKind::Call(call) = &e.kind else {
            return CostEstimate::default();
        };
        let function = match self.checked.reference(e.id) {
            Some(Reference::Function(f)) => Some(f),
            _ => None,
        };
        let name = function.map_or(&call.function, |f| &f.name);
        if name == "dyn" && call.args.len() == 1 {
            let arg_cost = self.cost(&call.args[0]);
            self.copy_sizes(e, &call.args[0]);
            return CostEstimate::fixed(1) + arg_cost;
        }
        let mut arg_costs = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            arg_costs.push(self.cost(arg));
        }
        let args: Vec<AstNode<'a>> = call.args.iter().map(|a| self.node(a)).collect();
        let Some(function) = function.filter(|f| !f.overload_ids.is_empty()) else {
            return CostEstimate::default();
        };
        let mut sum = CostEstimate::default();
        let target = match (&call.target, function.namespaced) {
            (Some(target), false) => {
                sum = sum + self.cost(target);
                Some(self.node(target))
            }
            _ => None,
        };
        let mut fn_cost = CostEstimate {
            min: u64::MAX,
            max: 0,
        };
        let mut result_size: Option<SizeEstimate> = None;
        for overload in &function.overload_ids {
            let call = Call {
                expr: e,
                function: name,
                overload_id: overload,
                target: target.as_ref(),
                args: &args,
                arg_exprs: &call.args,
                arg_costs: &arg_costs,
            };
            let estimate = self.function_cost(&call);
            fn_cost = fn_cost.union(estimate.cost);
            if let Some(size) = estimate.result_size {
                result_size = Some(result_size.map_or(size, |r| r.union(size)));
            }
            if let Some(collection) = call.arg_exprs.first() {
                let subpath = match overload.as_str() {
                    "index_list" => Some("@items"),
                    "index_map" => Some("@values"),
                    _ => None,
                };
                if let Some(subpath) = subpath {
                    result_size = self.compute_entry_size(collection).map(|en| en.val);
                    let mut path = self.path(collection);
                    path.push(SmolStr::new_static(subpath));
                    self.paths.insert(e.id, path);
                }
            }
            if result_size.is_none() {
                result_size = self.compute_size(e);
            }
        }
        if let Some(size) = result_size {
            self.sizes.insert(e.id, size);
        }
        sum + fn_cost
    }

    /// cel-go's `functionCost` for one overload.
    fn function_cost(&mut self, call: &Call<'a, '_>) -> CallEstimate {
        let arg_sum = call
            .arg_costs
            .iter()
            .fold(CostEstimate::default(), |a, &b| a + b);
        let with_args = |est: CallEstimate| CallEstimate {
            cost: est.cost + arg_sum,
            result_size: est.result_size,
        };
        if let Some(est) = self.library_overload_cost(call) {
            return with_args(est);
        }
        if let Some(est) = self.estimator.estimate_call_cost(
            call.function,
            call.overload_id,
            call.target,
            call.args,
        ) {
            return with_args(est);
        }
        if let Some(est) = self.standard_cost(call, arg_sum) {
            return est;
        }
        CallEstimate::cost(CostEstimate::fixed(1) + arg_sum)
    }

    /// The estimates cel-go's extension libraries bind to their overloads
    /// (`OverloadCostEstimate`): the sets library compares every pair of elements.
    fn library_overload_cost(&self, call: &Call<'a, '_>) -> Option<CallEstimate> {
        let factor = match call.function {
            "sets.contains" | "sets.intersects" => 1.0,
            "sets.equivalent" => 2.0,
            _ => return None,
        };
        let [a, b] = call.args else {
            return None;
        };
        let product = self.node_size(a).multiply(self.node_size(b));
        let cost = product.multiply_by_cost_factor(factor) + CostEstimate::fixed(1);
        Some(CallEstimate::cost(cost))
    }

    /// A node's size as the extension libraries read it: computed, else estimated, else
    /// unknown.
    fn node_size(&self, node: &AstNode<'_>) -> SizeEstimate {
        node.computed_size
            .or_else(|| self.estimator.estimate_size(node))
            .unwrap_or(SizeEstimate::UNBOUNDED)
    }

    /// The overload-specific figures of cel-go's standard functions.
    fn standard_cost(
        &mut self,
        call: &Call<'a, '_>,
        arg_sum: CostEstimate,
    ) -> Option<CallEstimate> {
        let size = |n: &AstNode<'_>| n.computed_size.unwrap_or(SizeEstimate::UNBOUNDED);
        let traversal = |s: SizeEstimate| s.multiply_by_cost_factor(STRING_TRAVERSAL_COST_FACTOR);
        let args = call.args;
        let with = |cost: CostEstimate, result_size| CallEstimate {
            cost: cost + arg_sum,
            result_size,
        };
        match call.overload_id {
            "string_format" => Some(with(traversal(size(call.target?)), None)),
            "string_to_bytes" if args.len() == 1 => {
                let sz = size(&args[0]);
                let result = SizeEstimate {
                    min: sz.min,
                    max: sz.max.wrapping_mul(4),
                };
                Some(with(traversal(sz), Some(result)))
            }
            "bytes_to_string" if args.len() == 1 => {
                let sz = size(&args[0]);
                let result = SizeEstimate {
                    min: sz.min / 4,
                    max: sz.max,
                };
                Some(with(traversal(sz), Some(result)))
            }
            "strings_quote" if args.len() == 1 => {
                let sz = size(&args[0]);
                let result = SizeEstimate {
                    min: sz.min.wrapping_add(2),
                    max: sz.max.wrapping_mul(2).wrapping_add(2),
                };
                Some(with(traversal(sz), Some(result)))
            }
            "starts_with_string" | "ends_with_string" if args.len() == 1 => {
                Some(with(traversal(size(&args[0])), None))
            }
            "in_list" if args.len() == 2 => {
                Some(with(size(&args[1]).multiply_by_cost_factor(1.0), None))
            }
            "matches_string" if args.len() == 1 => {
                let str_cost = traversal(size(call.target?) + SizeEstimate::exact(1));
                let regex_cost =
                    size(&args[0]).multiply_by_cost_factor(REGEX_STRING_LENGTH_COST_FACTOR);
                Some(with(str_cost.multiply(regex_cost), None))
            }
            "contains_string" if args.len() == 1 => {
                let cost = traversal(size(call.target?)).multiply(traversal(size(&args[0])));
                Some(with(cost, None))
            }
            "logical_or" | "logical_and" if call.arg_costs.len() == 2 => {
                let (lhs, rhs) = (call.arg_costs[0], call.arg_costs[1]);
                let cost = CostEstimate {
                    min: lhs.min,
                    max: (lhs + rhs).max,
                };
                Some(CallEstimate::cost(cost))
            }
            "conditional" if args.len() == 3 => Some(self.conditional_cost(call)),
            "add_string" | "add_bytes" | "add_list" if args.len() == 2 => {
                Some(self.concatenation_cost(call, arg_sum))
            }
            "less_string"
            | "greater_string"
            | "less_equals_string"
            | "greater_equals_string"
            | "less_bytes"
            | "greater_bytes"
            | "less_equals_bytes"
            | "greater_equals_bytes"
            | "equals"
            | "not_equals"
                if args.len() == 2 =>
            {
                let smallest_max = size(&args[0]).max.min(size(&args[1]).max);
                let cost = CostEstimate {
                    min: u64::from(smallest_max > 0),
                    max: smallest_max,
                };
                Some(with(
                    cost.multiply_by_cost_factor(STRING_TRAVERSAL_COST_FACTOR),
                    None,
                ))
            }
            _ => None,
        }
    }

    fn conditional_cost(&mut self, call: &Call<'a, '_>) -> CallEstimate {
        let size = |n: &AstNode<'_>| n.computed_size.unwrap_or(SizeEstimate::UNBOUNDED);
        let result_size = size(&call.args[1]).union(size(&call.args[2]));
        let entry = union_entries(
            self.compute_entry_size(&call.arg_exprs[1]),
            self.compute_entry_size(&call.arg_exprs[2]),
        );
        if let Some(entry) = entry {
            self.entry_sizes.insert(call.expr.id, entry);
        }
        let costs = call.arg_costs;
        CallEstimate {
            cost: costs[0] + costs[1].union(costs[2]),
            result_size: Some(result_size),
        }
    }

    fn concatenation_cost(&mut self, call: &Call<'a, '_>, arg_sum: CostEstimate) -> CallEstimate {
        let size = |n: &AstNode<'_>| n.computed_size.unwrap_or(SizeEstimate::UNBOUNDED);
        let result_size = size(&call.args[0]) + size(&call.args[1]);
        let entry = union_entries(
            self.compute_entry_size(&call.arg_exprs[0]),
            self.compute_entry_size(&call.arg_exprs[1]),
        );
        if let Some(entry) = entry {
            self.entry_sizes.insert(call.expr.id, entry);
        }
        let cost = match call.overload_id {
            // List concatenation is O(1); it is handled here to track the size.
            "add_list" => CostEstimate::fixed(1),
            _ => result_size.multiply_by_cost_factor(STRING_TRAVERSAL_COST_FACTOR),
        };
        CallEstimate {
            cost: cost + arg_sum,
            result_size: Some(result_size),
        }
    }

    /// cel-go's `getPath`.
    fn path(&self, e: &Expr) -> Vec<SmolStr> {
        if let ExprKind::Ident(name) = &e.kind
            && let Some(var) = self.local(name)
        {
            return var.path.clone();
        }
        self.paths.get(&e.id).cloned().unwrap_or_default()
    }

    /// cel-go's `newAstNode`: paths through accumulators are left out.
    fn node(&mut self, e: &'a Expr) -> AstNode<'a> {
        let mut path = self.path(e);
        if path
            .first()
            .is_some_and(|root| ACCUMULATOR_NAMES.contains(&root.as_str()))
        {
            path.clear();
        }
        AstNode {
            path,
            ty: self.ty(e),
            expr: Some(e),
            computed_size: self.compute_size(e),
        }
    }

    fn size_or_unknown(&mut self, e: &'a Expr) -> SizeEstimate {
        self.compute_size(e).unwrap_or(SizeEstimate::UNBOUNDED)
    }

    fn copy_sizes(&mut self, dst: &Expr, src: &'a Expr) {
        if let Some(size) = self.compute_size(src) {
            self.sizes.insert(dst.id, size);
        }
        if let Some(entry) = self.compute_entry_size(src) {
            self.entry_sizes.insert(dst.id, entry);
        }
    }

    /// cel-go's `computeSize`: recorded, else from the expression, else the host's estimate,
    /// else from the type, else a local variable's.
    fn compute_size(&mut self, e: &'a Expr) -> Option<SizeEstimate> {
        if let Some(size) = self.sizes.get(&e.id) {
            return Some(*size);
        }
        match &e.kind {
            ExprKind::Literal(literal) => return Some(SizeEstimate::exact(literal_size(literal))),
            ExprKind::List(list) => return Some(SizeEstimate::exact(list.elements.len() as u64)),
            ExprKind::Map(map) => return Some(SizeEstimate::exact(map.entries.len() as u64)),
            _ => {}
        }
        let node = AstNode {
            path: self.path(e),
            ty: self.ty(e),
            expr: Some(e),
            computed_size: None,
        };
        if let Some(size) = self.estimator.estimate_size(&node) {
            self.sizes.insert(e.id, size);
            return Some(size);
        }
        if is_scalar(self.ty(e)) {
            return Some(SizeEstimate::exact(1));
        }
        match &e.kind {
            ExprKind::Ident(name) => self.local(name).and_then(|var| var.size),
            _ => None,
        }
    }

    fn compute_entry_size(&self, e: &Expr) -> Option<EntrySize> {
        if let Some(entry) = self.entry_sizes.get(&e.id) {
            return Some(*entry);
        }
        match &e.kind {
            ExprKind::Ident(name) => self.local(name).and_then(|var| var.entry),
            _ => None,
        }
    }
}

/// Which variable of a comprehension is being bound.
#[derive(Clone, Copy)]
enum IterRole {
    /// The first of two variables: index or key.
    Key,
    /// The second of two variables: element or value.
    Value,
    /// The only variable: element of a list, key of a map.
    Single,
}

/// One overload of a call, as `functionCost` sees it.
struct Call<'a, 'c> {
    expr: &'a Expr,
    function: &'c str,
    overload_id: &'c str,
    target: Option<&'c AstNode<'a>>,
    args: &'c [AstNode<'a>],
    arg_exprs: &'a [Expr],
    arg_costs: &'c [CostEstimate],
}

/// cel-go's `isBind`: an empty list range, a literal `false` condition, and an accumulator
/// that is not a macro's.
fn is_bind(c: &Comprehension) -> bool {
    let empty_range = matches!(&c.iter_range.kind, ExprKind::List(l) if l.elements.is_empty());
    let never_loops = matches!(
        c.loop_condition.kind,
        ExprKind::Literal(Literal::Bool(false))
    );
    empty_range && never_loops && c.accu_var != "__result__"
}
