//! The evaluator: walks a [`Plan`] with the variables, parameters and limits of one call.
//!
//! Ordinary errors are values that `&&`, `||`, `?:`, the quantifiers and blocks may absorb, as
//! the spec requires; a limit error (cost, time, cancellation, memory, size) is not: it ends
//! the evaluation at once, whatever surrounds it ([`Ctx::halt`]).
//!
//! The deadline and the cancellation flag are looked at every [`CHECK_INTERVAL`] cost units
//! (the cost model is roughly proportional to the work done), every [`CLOCK_INTERVAL`] loop
//! iterations, and before compiling a regular expression; the flag also every iteration.

use std::cell::{Cell, OnceCell};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use celd_syntax::ExprId;
use celd_value::{ErrorKind, EvalError, Key, Map, Result, Value, compare};
use smallvec::SmallVec;
use smol_str::SmolStr;

use crate::activation::Activation;
use crate::cost::{self, CallCost};
use crate::functions::host::{Binding, Selected};
use crate::limits::{Limits, SizeScope};
use crate::memory::MemoryScope;
use crate::plan::{Block, CompareOp, Fold, HostCallNode, Loop, LoopKind, Node, Plan};
use crate::select;

/// What one evaluation may use besides the variables.
#[derive(Clone, Copy, Default)]
pub struct EvalOptions<'a> {
    /// Values of hoisted literals, for plans compiled with parameters.
    pub params: &'a [Value],
    pub limits: Option<&'a Limits>,
    /// Evaluation stops with a `limit` error when this becomes true.
    pub cancel: Option<&'a AtomicBool>,
    /// Evaluation stops with a `limit` error after this instant.
    pub deadline: Option<Instant>,
    /// Filled in with what the evaluation spent (its cost, the variables it read), whether
    /// it succeeds or fails; plain evaluations (`None`) do not track the variables.
    pub details: Option<&'a EvalDetails>,
    /// Receives the cost the evaluation spent (in the cost model's units), whether it
    /// succeeded or not; a host that shows costs asks for it here (`details` reports the
    /// same cost, and the variables read besides).
    pub cost_spent: Option<&'a Cell<u64>>,
}

/// What one evaluation spent, for hosts that bill or log it: given in
/// [`EvalOptions::details`], filled in when the evaluation ends.
#[derive(Debug, Default)]
pub struct EvalDetails {
    cost: AtomicU64,
    variables_read: Mutex<Vec<SmolStr>>,
}

impl EvalDetails {
    pub fn new() -> EvalDetails {
        EvalDetails::default()
    }

    /// The cost units the evaluation was charged, in the cost model of [`Limits::max_cost`].
    /// An evaluation stopped by the cost limit reports the charge that passed the limit.
    pub fn cost(&self) -> u64 {
        self.cost.load(Ordering::Relaxed)
    }

    /// The variables the evaluation read, by name, in the order the program first mentions
    /// them: short-circuits and untaken branches leave theirs out.
    pub fn variables_read(&self) -> Vec<SmolStr> {
        self.variables_read
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }

    fn record(&self, cost: u64, variables_read: Vec<SmolStr>) {
        self.cost.store(cost, Ordering::Relaxed);
        if let Ok(mut v) = self.variables_read.lock() {
            *v = variables_read;
        }
    }
}

/// How many loop iterations pass between two looks at the clock.
const CLOCK_INTERVAL: u64 = 64;

/// How many cost units pass between two looks at the clock and the cancellation flag: a few
/// microseconds of work (a unit is a variable read, or ten bytes traversed).
pub const CHECK_INTERVAL: u64 = 1024;

/// The limits an evaluation uses when none are given.
static DEFAULT_LIMITS: std::sync::LazyLock<Limits> = std::sync::LazyLock::new(Limits::default);

impl Plan {
    /// Evaluates the plan with default limits.
    pub fn eval(&self, activation: &Activation) -> Result<Value> {
        self.eval_with(activation, &EvalOptions::default())
    }

    /// Evaluates with `options`. A plan that folded to a constant returns it without
    /// interpretation when nothing could stop the evaluation early (no deadline, no
    /// cancellation flag): it costs nothing and allocates nothing, so no limit applies.
    #[inline]
    pub fn eval_with(&self, activation: &Activation, options: &EvalOptions<'_>) -> Result<Value> {
        if let Node::Const(value) = &self.root
            && options.deadline.is_none()
            && options.cancel.is_none()
            && options.params.len() >= self.n_params as usize
        {
            return Ok(self.constant_result(value, options));
        }
        self.eval_general(activation, options)
    }

    /// The value of a constant plan, reporting the nothing it spent where asked.
    #[inline]
    fn constant_result(&self, value: &Value, options: &EvalOptions<'_>) -> Value {
        if let Some(spent) = options.cost_spent {
            spent.set(0);
        }
        if let Some(details) = options.details {
            details.record(0, Vec::new());
        }
        value.clone()
    }

    /// Evaluates by walking the plan, within the limits.
    #[inline(never)]
    fn eval_general(&self, activation: &Activation, options: &EvalOptions<'_>) -> Result<Value> {
        match options.details {
            None => self.run(activation, options, NoReads),
            Some(details) => self.run_recording(activation, options, details),
        }
    }

    /// An evaluation that fills in `details`: it marks each variable it reads.
    #[inline(never)]
    fn run_recording(
        &self,
        activation: &Activation,
        options: &EvalOptions<'_>,
        details: &EvalDetails,
    ) -> Result<Value> {
        let read: SmallVec<[Cell<bool>; 16]> =
            smallvec::smallvec![Cell::new(false); self.variables.len()];
        let cost = Cell::new(0);
        let result = self.run(
            activation,
            options,
            Recording {
                read: &read,
                cost: &cost,
            },
        );
        let cost = cost.get();
        let names = self
            .variables
            .iter()
            .zip(&read)
            .filter(|(_, read)| read.get())
            .map(|(var, _)| var.name.clone())
            .collect();
        details.record(cost, names);
        result
    }

    /// Evaluates, noting in `read` the variables read and the cost charged.
    #[inline(always)]
    fn run<R: Reads>(
        &self,
        activation: &Activation,
        options: &EvalOptions<'_>,
        read: R,
    ) -> Result<Value> {
        if options.params.len() < self.n_params as usize {
            let error = EvalError::invalid_argument(format!(
                "the program needs {} parameter(s), {} given",
                self.n_params,
                options.params.len()
            ));
            return Err(error);
        }
        let limits = options.limits.unwrap_or(&DEFAULT_LIMITS);
        let _sizes = SizeScope::enter(limits);
        let memory = MemoryScope::enter(limits.max_memory_bytes);
        let mut ctx = Ctx {
            activation,
            slots: activation.slots_for(self.table_id),
            plan: self,
            params: options.params,
            locals: Vec::new(),
            cost: Cell::new(0),
            checkpoint: Cell::new(0),
            max_cost: limits.max_cost,
            limits,
            iterations: 0,
            cancel: options.cancel,
            deadline: options.deadline,
            read,
            metered: memory.is_active(),
            halted: OnceCell::new(),
        };
        ctx.checkpoint.set(ctx.next_checkpoint(0));
        if let Some(limit) = ctx.interrupted() {
            return Err(limit);
        }
        if self.n_locals > 0 {
            ctx.locals
                .resize(self.n_locals as usize, Slot::Value(Ok(Value::Null)));
        }
        let result = ctx.eval(&self.root);
        ctx.read.spent(ctx.cost.get());
        if let Some(spent) = options.cost_spent {
            spent.set(ctx.cost.get());
        }
        // A limit absorbed on the way up (none should be) still ends the evaluation.
        match ctx.halted.into_inner() {
            Some(limit) => Err(limit),
            None => result,
        }
    }
}

/// How an evaluation notes the variables it reads: not at all (plain evaluations, whose
/// evaluator is compiled without it), or by slot.
pub(crate) trait Reads {
    fn mark(&self, slot: u32);
    /// Called once at the end with the cost charged.
    fn spent(&self, cost: u64);
}

pub(crate) struct NoReads;

impl Reads for NoReads {
    #[inline(always)]
    fn mark(&self, _slot: u32) {}

    #[inline(always)]
    fn spent(&self, _cost: u64) {}
}

/// Marks, by variable slot, the variables read, and keeps the cost.
pub(crate) struct Recording<'a> {
    read: &'a [Cell<bool>],
    cost: &'a Cell<u64>,
}

impl Reads for Recording<'_> {
    #[inline]
    fn mark(&self, slot: u32) {
        if let Some(read) = self.read.get(slot as usize) {
            read.set(true);
        }
    }

    fn spent(&self, cost: u64) {
        self.cost.set(cost);
    }
}

pub(crate) struct Ctx<'a, R> {
    activation: &'a Activation,
    /// The activation's values by slot, when it was built for the plan's variable table.
    slots: Option<&'a [Option<Value>]>,
    plan: &'a Plan,
    params: &'a [Value],
    /// Comprehension and block locals; a block entry that failed holds its error.
    locals: Vec<Slot>,
    /// Cost spent so far; a `Cell` so that reading a place (by shared reference) can charge.
    cost: Cell<u64>,
    /// When `cost` passes this, [`Ctx::checkpoint_reached`] runs: the cost limit, the clock,
    /// the cancellation flag. 0 once halted, so every later charge fails.
    checkpoint: Cell<u64>,
    max_cost: u64,
    limits: &'a Limits,
    iterations: u64,
    cancel: Option<&'a AtomicBool>,
    deadline: Option<Instant>,
    /// Where the variables read are noted.
    read: R,
    /// Whether the evaluation's allocations are counted against a memory limit.
    metered: bool,
    /// The limit error that ended the evaluation, once one has.
    halted: OnceCell<EvalError>,
}

impl<R: Reads> Ctx<'_, R> {
    fn eval(&mut self, node: &Node) -> Result<Value> {
        match node {
            Node::Const(v) => Ok(v.clone()),
            Node::Error(e) => Err(e.clone()),
            Node::Param(i) => Ok(self.params[*i as usize].clone()),
            Node::Var { slot, index, id } => self.var_ref(*slot, *index, *id).cloned(),
            Node::Local(slot) => {
                self.charge(cost::SELECT)?;
                self.locals[*slot as usize].get().cloned()
            }
            Node::Select { operand, field, id } => {
                if is_place(operand) {
                    return self.place(node).map(Arg::into_owned);
                }
                let v = self.eval(operand)?;
                select::select_as(&v, field, self.plan.enum_mode).map_err(|e| e.at(id.0))
            }
            Node::Has { operand, field, id } => {
                let v = self.eval(operand)?;
                self.charge(cost::SELECT)?;
                select::has(&v, field).map_err(|e| e.at(id.0))
            }
            Node::And(pair) => self.and(&pair[0], &pair[1]),
            Node::Or(pair) => self.or(&pair[0], &pair[1]),
            Node::Cond(parts, id) => match self.eval(&parts[0])? {
                Value::Bool(true) => self.eval(&parts[1]),
                Value::Bool(false) => self.eval(&parts[2]),
                other => Err(crate::functions::no_such_overload("_?_:_", &[other]).at(id.0)),
            },
            Node::NotStrictlyFalse(inner) => {
                let v = self.eval_absorbable(inner)?;
                Ok(Value::Bool(!matches!(v, Ok(Value::Bool(false)))))
            }
            Node::Compare(c) => self.compare(c),
            Node::Arith(a) => self.arith(a),
            Node::Concat(c) => self.concat(c),
            Node::Call1(c) => {
                let owned = self.eval_unless_place(&c.arg)?;
                let a = self.arg(&c.arg, owned)?;
                let v =
                    c.f.call1(&c.name, a.get())
                        .map_err(|e| self.failed_call(c.cost, &[a.get()], e, c.id))?;
                self.charge_call(c.cost, &[a.get()], &v)?;
                self.check_size(v, c.id)
            }
            Node::Call2(c) => {
                let [x, y] = &c.args;
                let x_owned = self.eval_unless_place(x)?;
                let y_owned = self.eval_unless_place(y)?;
                let a = self.arg(x, x_owned)?;
                let b = self.arg(y, y_owned)?;
                if c.cost.compiles_pattern() {
                    self.before_compiling(b.get()).map_err(|e| e.at(c.id.0))?;
                }
                let v =
                    c.f.call2(&c.name, a.get(), b.get())
                        .map_err(|e| self.failed_call(c.cost, &[a.get(), b.get()], e, c.id))?;
                self.charge_call(c.cost, &[a.get(), b.get()], &v)?;
                self.check_size(v, c.id)
            }
            Node::CallN(c) => {
                let args = c
                    .args
                    .iter()
                    .map(|a| self.eval(a))
                    .collect::<Result<SmallVec<[Value; 4]>>>()?;
                let refs: SmallVec<[&Value; 4]> = args.iter().collect();
                if c.cost.compiles_pattern()
                    && let Some(pattern) = args.get(1)
                {
                    self.before_compiling(pattern).map_err(|e| e.at(c.id.0))?;
                }
                let v =
                    c.f.call(&c.name, &args)
                        .map_err(|e| self.failed_call(c.cost, &refs, e, c.id))?;
                self.charge_call(c.cost, &refs, &v)?;
                self.check_size(v, c.id)
            }
            Node::Host(h) => self.host_call(h),
            Node::List(l) => self.list(&l.elements, &l.optional, l.id),
            Node::Map(m) => self.map(m),
            Node::Struct(s) => self.message(s),
            Node::Fold(f) => self.fold(f),
            Node::Loop(l) => self.run_loop(l),
            Node::Block(b) => self.block(b),
            Node::OptionalOr(o) => self.optional_or(o),
            Node::Seq(seq) => {
                self.charge(seq.cost)?;
                for check in &seq.checks {
                    if is_place(check) {
                        self.place(check)?;
                    } else {
                        self.eval(check)?;
                    }
                }
                self.eval(&seq.value)
            }
            Node::AccuAppend { slot, elements, id } => self.accu_append(*slot, elements, *id),
            Node::AccuInsert { slot, args, id } => self.accu_insert(*slot, args, *id),
        }
    }

    /// A chain of string concatenations, built once; costs and limits as the chain of `+`
    /// would charge them.
    fn concat(&mut self, c: &crate::plan::Concat) -> Result<Value> {
        let mut running = 0u64;
        let mut builder = smol_str::SmolStrBuilder::new();
        for (i, part) in c.parts.iter().enumerate() {
            let owned = self.eval_unless_place(part)?;
            let arg = self.arg(part, owned)?;
            let Value::String(s) = arg.get() else {
                return self.concat_generic(c);
            };
            running = running.saturating_add(s.len() as u64);
            if i > 0 {
                self.charge(running.div_ceil(10).max(1))?;
            }
            if running > self.limits.max_string_bytes as u64 {
                let message = format!(
                    "string of {running} bytes exceeds the limit of {} bytes",
                    self.limits.max_string_bytes
                );
                return Err(EvalError::limit(message).at(c.id.0));
            }
            builder.push_str(s);
        }
        Ok(Value::String(builder.finish()))
    }

    /// Operands that are not all strings: the chain evaluated pair by pair with `_+_`.
    #[cold]
    fn concat_generic(&mut self, c: &crate::plan::Concat) -> Result<Value> {
        let mut acc: Option<Value> = None;
        for part in &c.parts {
            let v = self.eval(part)?;
            acc = Some(match acc {
                None => v,
                Some(prev) => {
                    let next = c
                        .fallback
                        .call2("_+_", &prev, &v)
                        .map_err(|e| e.at(c.id.0))?;
                    self.charge(CallCost::Concatenation.cost(&[&prev, &v], &next))?;
                    self.check_size(next, c.id)?
                }
            });
        }
        Ok(acc.unwrap_or(Value::Null))
    }

    /// Checked arithmetic on two numbers of one type; other operands go to the operator's
    /// general implementation.
    fn arith(&mut self, a: &crate::plan::Arith) -> Result<Value> {
        let [x, y] = &a.args;
        let x_owned = self.eval_unless_place(x)?;
        let y_owned = self.eval_unless_place(y)?;
        let l = self.arg(x, x_owned)?;
        let r = self.arg(y, y_owned)?;
        self.charge(1)?;
        let result = match scalar_arith(a.op, l.get(), r.get()) {
            Some(result) => result,
            None => a.fallback.call2(a.op.function(), l.get(), r.get()),
        };
        result.map_err(|e| e.at(a.id.0))
    }

    /// Equality by CEL's heterogeneous rules; ordering across numeric types, or an error
    /// for types that have none.
    fn compare(&mut self, c: &crate::plan::Compare) -> Result<Value> {
        let [x, y] = &c.args;
        let x_owned = self.eval_unless_place(x)?;
        let y_owned = self.eval_unless_place(y)?;
        let a = self.arg(x, x_owned)?;
        let b = self.arg(y, y_owned)?;
        let (a, b) = (a.get(), b.get());
        // The common cases first, without the general rules' calls.
        match (a, b) {
            (Value::Int(p), Value::Int(q)) => {
                self.charge(1)?;
                return Ok(Value::Bool(c.op.holds(p.cmp(q))));
            }
            (Value::String(p), Value::String(q)) => {
                let (p, q) = (p.as_str(), q.as_str());
                self.charge(cost::string_comparison(p.len(), q.len()))?;
                let result = match c.op {
                    CompareOp::Eq => p == q,
                    CompareOp::Ne => p != q,
                    op => op.holds(p.cmp(q)),
                };
                return Ok(Value::Bool(result));
            }
            _ => {}
        }
        self.charge(cost::comparison(a, b))?;
        let result = match c.op {
            CompareOp::Eq => compare::equals(a, b),
            CompareOp::Ne => !compare::equals(a, b),
            op => match compare::compare(a, b) {
                Ok(order) => order.is_some_and(|o| op.holds(o)),
                Err(_) => {
                    let args = [a.clone(), b.clone()];
                    return Err(crate::functions::no_such_overload(op.function(), &args).at(c.id.0));
                }
            },
        };
        Ok(Value::Bool(result))
    }

    /// A host function call: its arguments (a single one read in place, as for built-ins),
    /// the overload their types select, its cost, and the size limits on what it returns.
    fn host_call(&mut self, h: &HostCallNode) -> Result<Value> {
        if let (Some(direct), [x]) = (&h.direct, h.args.as_slice()) {
            let owned = self.eval_unless_place(x)?;
            let a = self.arg(x, owned)?;
            self.charge(direct.cost).map_err(|e| e.at(h.id.0))?;
            let value = direct
                .f
                .call(&h.function, std::slice::from_ref(a.get()))
                .map_err(|e| e.at(h.id.0))?;
            return self.check_size(value, h.id);
        }
        if let [x] = h.args.as_slice() {
            let owned = self.eval_unless_place(x)?;
            let a = self.arg(x, owned)?;
            return self.invoke_host(h, std::slice::from_ref(a.get()));
        }
        let args = h
            .args
            .iter()
            .map(|a| self.eval(a))
            .collect::<Result<SmallVec<[Value; 4]>>>()?;
        self.invoke_host(h, &args)
    }

    /// Runs the selected implementation and charges its cost, also when it fails.
    fn invoke_host(&self, h: &HostCallNode, args: &[Value]) -> Result<Value> {
        let (result, cost) = match h.call.select(args) {
            Some(Selected::Host(overload)) => {
                let result = match &overload.binding {
                    Binding::Static(f) => f.call(&h.function, args),
                    Binding::Late => self
                        .activation
                        .bound_function(&h.function, &overload.id)
                        .and_then(|f| f.call(&h.function, args)),
                };
                (result, overload.cost.of_args(args))
            }
            Some(Selected::Builtin(f, rule)) => {
                let result = f.call(&h.function, args);
                let refs: SmallVec<[&Value; 4]> = args.iter().collect();
                let cost = rule.cost(&refs, result.as_ref().unwrap_or(&Value::Null));
                (result, cost)
            }
            None => (
                Err(crate::functions::no_such_overload(&h.function, args)),
                1,
            ),
        };
        self.charge(cost).map_err(|e| e.at(h.id.0))?;
        let value = result.map_err(|e| e.at(h.id.0))?;
        self.check_size(value, h.id)
    }

    /// `a.or(b)` and `a.orValue(b)`: `b` is evaluated only when `a` is `optional.none()`.
    fn optional_or(&mut self, o: &crate::plan::OptionalOr) -> Result<Value> {
        let receiver = self.eval(&o.receiver)?;
        match (&receiver, o.unwrap) {
            (Value::Optional(Some(inner)), true) => Ok((**inner).clone()),
            (Value::Optional(Some(_)), false) => Ok(receiver),
            _ => {
                let alternative = self.eval(&o.alternative)?;
                let name = if o.unwrap { "orValue" } else { "or" };
                o.fallback
                    .call2(name, &receiver, &alternative)
                    .map_err(|e| e.at(o.id.0))
            }
        }
    }

    /// Takes the accumulator out of its slot, so that when nothing else shares it the update
    /// happens in place.
    fn take_accu(&mut self, slot: u32) -> Result<Value> {
        match std::mem::replace(
            &mut self.locals[slot as usize],
            Slot::Value(Ok(Value::Null)),
        ) {
            Slot::Value(v) => v,
            element => element.get().cloned(),
        }
    }

    fn set_local(&mut self, slot: u32, value: Result<Value>) {
        self.locals[slot as usize] = Slot::Value(value);
    }

    /// Points loop variable `slot` at item `i` of the range. A list element is read where it
    /// is, so iterating clones nothing; a map key is stored as a value.
    fn set_iter_var(&mut self, slot: u32, range: &RangeItems, i: usize) {
        match (range, &mut self.locals[slot as usize]) {
            (RangeItems::List(list), Slot::Element(current, index))
                if Arc::ptr_eq(list, current) =>
            {
                *index = i
            }
            (RangeItems::List(list), local) => *local = Slot::Element(list.clone(), i),
            (RangeItems::Map(map), local) => {
                let key = map.get_index(i).map_or(Value::Null, |(k, _)| k.to_value());
                *local = Slot::Value(Ok(key));
            }
        }
    }

    /// `accu + [e, ...]` as an in-place append.
    fn accu_append(&mut self, slot: u32, elements: &[Node], id: ExprId) -> Result<Value> {
        let mut items = SmallVec::<[Value; 2]>::new();
        for e in elements {
            items.push(self.eval(e)?);
        }
        match self.take_accu(slot)? {
            Value::List(mut list) => {
                Arc::make_mut(&mut list).extend(items);
                if list.weight() > self.limits.max_list_len as u64 {
                    return Err(self.limits.list_too_long().at(id.0));
                }
                Ok(Value::List(list))
            }
            other => {
                let mut args = vec![other];
                args.push(Value::list(items.into_vec()));
                Err(crate::functions::no_such_overload("_+_", &args).at(id.0))
            }
        }
    }

    /// `cel.@mapInsert(accu, ...)` as an in-place insert.
    fn accu_insert(&mut self, slot: u32, args: &[Node], id: ExprId) -> Result<Value> {
        let mut values = SmallVec::<[Value; 2]>::new();
        for a in args {
            values.push(self.eval(a)?);
        }
        match self.take_accu(slot)? {
            Value::Map(mut map) => {
                crate::functions::ext::comprehensions::insert_into(
                    Arc::make_mut(&mut map),
                    &values,
                )
                .map_err(|e| e.at(id.0))?;
                Ok(Value::Map(map))
            }
            other => {
                let mut all = vec![other];
                all.extend(values);
                Err(crate::functions::no_such_overload("cel.@mapInsert", &all).at(id.0))
            }
        }
    }

    /// A program variable: by its table index when the activation was built for the plan's
    /// table, else by name.
    #[inline]
    fn var_ref(&self, slot: u32, index: u32, id: ExprId) -> Result<&Value> {
        self.charge(cost::SELECT)?;
        self.read.mark(slot);
        if let Some(Some(v)) = self.slots.and_then(|slots| slots.get(index as usize)) {
            return Ok(v);
        }
        self.var_by_name(slot, id)
    }

    #[inline(never)]
    fn var_by_name(&self, slot: u32, id: ExprId) -> Result<&Value> {
        let Some(var) = self.plan.variables.get(slot as usize) else {
            return Err(EvalError::unbound_variable("?").at(id.0));
        };
        // The by-slot read already failed or does not apply: look the name up.
        self.activation
            .get(&var.name)
            .ok_or_else(|| EvalError::unbound_variable(&var.name).at(id.0))
    }

    /// Evaluates `node` unless it is a place, which [`Ctx::arg`] then reads by reference.
    fn eval_unless_place(&mut self, node: &Node) -> Result<Option<Value>> {
        if is_place(node) {
            Ok(None)
        } else {
            self.eval(node).map(Some)
        }
    }

    /// An argument: the value already evaluated, or the place read by reference.
    fn arg<'s>(&'s self, node: &'s Node, owned: Option<Value>) -> Result<Arg<'s>> {
        match owned {
            Some(v) => Ok(Arg::Own(v)),
            None => self.place(node),
        }
    }

    /// Reads a place — a constant, parameter, variable, local, or a field of one of those —
    /// without cloning what it passes through; only a message field is converted (owned).
    fn place<'s>(&'s self, node: &'s Node) -> Result<Arg<'s>> {
        match node {
            Node::Const(v) => Ok(Arg::Ref(v)),
            Node::Param(i) => Ok(Arg::Ref(&self.params[*i as usize])),
            Node::Var { slot, index, id } => self.var_ref(*slot, *index, *id).map(Arg::Ref),
            Node::Local(slot) => {
                self.charge(cost::SELECT)?;
                self.locals[*slot as usize].get().map(Arg::Ref)
            }
            Node::Select { operand, field, id } => match self
                .charge(cost::SELECT)
                .and_then(|()| self.place(operand))?
            {
                Arg::Ref(Value::Map(map)) => map
                    .get_str(field)
                    .map(Arg::Ref)
                    .ok_or_else(|| EvalError::no_such_key(format_args!("'{field}'")).at(id.0)),
                base => select::select_as(base.get(), field, self.plan.enum_mode)
                    .map(Arg::Own)
                    .map_err(|e| e.at(id.0)),
            },
            // Not a place: callers check `is_place` first.
            _ => Err(EvalError::invalid_argument("internal: not a place")),
        }
    }

    /// `a && b`: `false` on either side wins over an error on the other (not over a limit).
    fn and(&mut self, a: &Node, b: &Node) -> Result<Value> {
        let left = self.eval_absorbable(a)?;
        if matches!(left, Ok(Value::Bool(false))) {
            return Ok(Value::Bool(false));
        }
        let right = self.eval_absorbable(b)?;
        match (left, right) {
            (_, Ok(Value::Bool(false))) => Ok(Value::Bool(false)),
            (Ok(Value::Bool(true)), Ok(Value::Bool(true))) => Ok(Value::Bool(true)),
            (Err(e), _) | (_, Err(e)) => Err(e),
            (Ok(l), Ok(r)) => Err(crate::functions::no_such_overload("_&&_", &[l, r])),
        }
    }

    /// `a || b`: `true` on either side wins over an error on the other (not over a limit).
    fn or(&mut self, a: &Node, b: &Node) -> Result<Value> {
        let left = self.eval_absorbable(a)?;
        if matches!(left, Ok(Value::Bool(true))) {
            return Ok(Value::Bool(true));
        }
        let right = self.eval_absorbable(b)?;
        match (left, right) {
            (_, Ok(Value::Bool(true))) => Ok(Value::Bool(true)),
            (Ok(Value::Bool(false)), Ok(Value::Bool(false))) => Ok(Value::Bool(false)),
            (Err(e), _) | (_, Err(e)) => Err(e),
            (Ok(l), Ok(r)) => Err(crate::functions::no_such_overload("_||_", &[l, r])),
        }
    }

    #[inline]
    fn charge(&self, units: u64) -> Result<()> {
        let cost = self.cost.get().saturating_add(units);
        self.cost.set(cost);
        if cost > self.checkpoint.get() {
            return self.checkpoint_reached(cost);
        }
        Ok(())
    }

    /// The cost passed the checkpoint: stop at the cost limit, the deadline or the
    /// cancellation flag, else set the next checkpoint.
    #[cold]
    #[inline(never)]
    fn checkpoint_reached(&self, cost: u64) -> Result<()> {
        if let Some(limit) = self.halted.get() {
            return Err(limit.clone());
        }
        if cost > self.max_cost {
            return Err(self.halt(EvalError::cost_limit(self.max_cost)));
        }
        if let Some(limit) = self.interrupted() {
            return Err(self.halt(limit));
        }
        self.checkpoint.set(self.next_checkpoint(cost));
        Ok(())
    }

    /// Where the next checkpoint is after `cost`: the cost limit, or sooner when there is a
    /// clock or a flag to look at.
    fn next_checkpoint(&self, cost: u64) -> u64 {
        if self.deadline.is_some() || self.cancel.is_some() || self.metered {
            self.max_cost.min(cost.saturating_add(CHECK_INTERVAL))
        } else {
            self.max_cost
        }
    }

    /// The cancellation, time or memory limit error, if the flag is raised, the deadline
    /// passed or the memory is spent.
    fn interrupted(&self) -> Option<EvalError> {
        if self.metered
            && let Err(limit) = crate::memory::check()
        {
            return Some(limit);
        }
        if let Some(flag) = self.cancel
            && flag.load(Ordering::Relaxed)
        {
            return Some(EvalError::cancelled());
        }
        if let Some(deadline) = self.deadline
            && Instant::now() >= deadline
        {
            return Some(EvalError::time_limit());
        }
        None
    }

    /// Ends the evaluation with `limit`: every later charge fails with it, and it is the
    /// result whatever absorbs it on the way up. Returns it, for `Err(...)`.
    #[cold]
    fn halt(&self, limit: EvalError) -> EvalError {
        let _ = self.halted.set(limit.clone());
        self.checkpoint.set(0);
        limit
    }

    /// Evaluates a node whose error the caller may absorb: `Err` for a limit error, which no
    /// construct absorbs; `Ok(result)` for anything else.
    #[inline]
    fn eval_absorbable(&mut self, node: &Node) -> Result<Result<Value>> {
        match self.eval(node) {
            Err(e) if e.kind() == ErrorKind::Limit => Err(self.halt(e)),
            other => Ok(other),
        }
    }

    /// Before compiling a regular expression from a pattern known only now: charged by the
    /// pattern's size, and the clock looked at (one compilation can take milliseconds).
    #[cold]
    fn before_compiling(&self, pattern: &Value) -> Result<()> {
        if let Value::String(p) = pattern {
            self.charge(cost::pattern_compilation(p.len()))?;
        }
        if let Some(limit) = self.interrupted() {
            return Err(self.halt(limit));
        }
        Ok(())
    }

    /// Charges a call by its cost rule; constant-time calls skip measuring their arguments.
    #[inline]
    fn charge_call(&self, rule: CallCost, args: &[&Value], result: &Value) -> Result<()> {
        match rule {
            CallCost::Constant => self.charge(1),
            rule => self.charge(rule.cost(args, result)),
        }
    }

    /// A call that failed still did its work: it is charged for its arguments (a failing
    /// call repeated in a loop must not run for free), and the limit error wins if that passes
    /// the budget.
    #[cold]
    fn failed_call(
        &self,
        rule: CallCost,
        args: &[&Value],
        error: EvalError,
        id: ExprId,
    ) -> EvalError {
        match self.charge_call(rule, args, &Value::Null) {
            Ok(()) => error.at(id.0),
            Err(limit) => limit.at(id.0),
        }
    }

    /// Called once per loop iteration: cost, cancellation, and (every few iterations) the clock.
    fn tick(&mut self) -> Result<()> {
        self.charge(cost::ITERATION)?;
        if let Some(flag) = self.cancel
            && flag.load(Ordering::Relaxed)
        {
            return Err(self.halt(EvalError::cancelled()));
        }
        self.iterations += 1;
        if self.iterations.is_multiple_of(CLOCK_INTERVAL)
            && let Some(limit) = self.interrupted()
        {
            return Err(self.halt(limit));
        }
        Ok(())
    }

    /// Rejects values larger than the limits allow; scalars pass without a look.
    #[inline(always)]
    fn check_size(&self, v: Value, id: ExprId) -> Result<Value> {
        match &v {
            Value::String(_) | Value::Bytes(_) | Value::List(_) | Value::Map(_) => {
                self.check_aggregate_size(v, id)
            }
            _ => Ok(v),
        }
    }

    #[inline(never)]
    fn check_aggregate_size(&self, v: Value, id: ExprId) -> Result<Value> {
        self.limits.check_size(&v).map_err(|e| e.at(id.0))?;
        Ok(v)
    }

    fn list(&mut self, elements: &[Node], optional: &[bool], id: ExprId) -> Result<Value> {
        self.charge(cost::LIST_CREATE)?;
        let mut items = Vec::with_capacity(elements.len());
        for (element, &is_optional) in elements.iter().zip(optional) {
            let v = self.eval(element)?;
            if !is_optional {
                items.push(v);
                continue;
            }
            match v {
                Value::Optional(Some(inner)) => items.push((*inner).clone()),
                Value::Optional(None) => {}
                other => {
                    return Err(
                        crate::functions::no_such_overload("optional element", &[other]).at(id.0),
                    );
                }
            }
        }
        self.check_size(Value::list(items), id)
    }

    fn map(&mut self, m: &crate::plan::MapNode) -> Result<Value> {
        self.charge(cost::MAP_CREATE)?;
        let mut map = Map::with_capacity(m.entries.len());
        for entry in &m.entries {
            let key = self.eval(&entry.key)?;
            let value = self.eval(&entry.value)?;
            let value = if entry.optional {
                match value {
                    Value::Optional(Some(inner)) => (*inner).clone(),
                    Value::Optional(None) => continue,
                    other => {
                        return Err(
                            crate::functions::no_such_overload("optional entry", &[other])
                                .at(entry.id.0),
                        );
                    }
                }
            } else {
                value
            };
            let Some(key) = Key::from_value(&key) else {
                return Err(EvalError::invalid_argument(format!(
                    "unsupported map key type: {}",
                    key.type_name()
                ))
                .at(entry.id.0));
            };
            if !map.insert_new(key, value) {
                return Err(EvalError::invalid_argument("duplicate map key").at(entry.id.0));
            }
        }
        self.check_size(Value::map(map), m.id)
    }

    fn message(&mut self, s: &crate::plan::StructNode) -> Result<Value> {
        self.charge(cost::STRUCT_CREATE)?;
        let mut fields = Vec::with_capacity(s.fields.len());
        for f in &s.fields {
            let v = self.eval(&f.value)?;
            let v = if f.optional {
                match v {
                    Value::Optional(Some(inner)) => (*inner).clone(),
                    Value::Optional(None) => continue,
                    other => {
                        return Err(
                            crate::functions::no_such_overload("optional field", &[other])
                                .at(f.id.0),
                        );
                    }
                }
            } else {
                v
            };
            fields.push((&f.field, v, f.id));
        }
        select::build_message(&s.message, fields).map_err(|e| e.at(s.id.0))
    }

    /// The elements a comprehension visits: list elements, or map keys with their values.
    fn range(&mut self, node: &Node, id: ExprId) -> Result<RangeItems> {
        match self.eval(node)? {
            Value::List(items) => Ok(RangeItems::List(items)),
            Value::Map(map) => Ok(RangeItems::Map(map)),
            other => Err(
                EvalError::no_such_overload("comprehension range", &[&other.type_name()]).at(id.0),
            ),
        }
    }

    fn fold(&mut self, f: &Fold) -> Result<Value> {
        let range = self.range(&f.range, f.id)?;
        let accu = self.eval_absorbable(&f.init)?;
        self.set_local(f.accu_slot, accu);
        for i in 0..range.len() {
            self.tick().map_err(|e| e.at(f.id.0))?;
            match f.iter_slot2 {
                None => self.set_iter_var(f.iter_slot, &range, i),
                Some(slot2) => {
                    let (first, second) = range.item(i, true);
                    self.set_local(f.iter_slot, Ok(first));
                    self.set_local(slot2, Ok(second));
                }
            }
            if matches!(self.eval_absorbable(&f.condition)?, Ok(Value::Bool(false))) {
                break;
            }
            let next = self.eval_absorbable(&f.step)?;
            if let Ok(v) = &next {
                self.limits.check_size(v).map_err(|e| e.at(f.id.0))?;
            }
            self.set_local(f.accu_slot, next);
        }
        self.eval(&f.result)
    }

    fn run_loop(&mut self, l: &Loop) -> Result<Value> {
        let range = self.range(&l.range, l.id)?;
        match l.kind {
            LoopKind::All => self.quantify(l, &range, false),
            LoopKind::Exists => self.quantify(l, &range, true),
            LoopKind::ExistsOne => self.exists_one(l, &range),
            LoopKind::Map | LoopKind::Filter => self.collect(l, &range),
        }
    }

    /// `all` (`decisive == false`) and `exists` (`decisive == true`): the decisive result wins
    /// over errors; otherwise the first error, if any, is the result.
    fn quantify(&mut self, l: &Loop, range: &RangeItems, decisive: bool) -> Result<Value> {
        let predicate = l.predicate.as_ref().ok_or_else(|| missing(l))?;
        let mut first_error = None;
        for i in 0..range.len() {
            self.tick().map_err(|e| e.at(l.id.0))?;
            self.set_iter_var(l.iter_slot, range, i);
            match self.eval_absorbable(predicate)? {
                Ok(Value::Bool(b)) if b == decisive => return Ok(Value::Bool(decisive)),
                Ok(Value::Bool(_)) => {}
                Ok(other) => {
                    first_error.get_or_insert_with(|| {
                        crate::functions::no_such_overload("predicate", &[other])
                    });
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(Value::Bool(!decisive)),
        }
    }

    fn exists_one(&mut self, l: &Loop, range: &RangeItems) -> Result<Value> {
        let predicate = l.predicate.as_ref().ok_or_else(|| missing(l))?;
        let mut count = 0u64;
        for i in 0..range.len() {
            self.tick().map_err(|e| e.at(l.id.0))?;
            self.set_iter_var(l.iter_slot, range, i);
            match self.eval(predicate)? {
                Value::Bool(true) => count += 1,
                Value::Bool(false) => {}
                other => {
                    return Err(
                        crate::functions::no_such_overload("predicate", &[other]).at(l.id.0)
                    );
                }
            }
        }
        Ok(Value::Bool(count == 1))
    }

    /// `map` and `filter`: build the result list in place.
    fn collect(&mut self, l: &Loop, range: &RangeItems) -> Result<Value> {
        let mut out = Vec::new();
        for i in 0..range.len() {
            self.tick().map_err(|e| e.at(l.id.0))?;
            self.set_iter_var(l.iter_slot, range, i);
            if let Some(predicate) = &l.predicate {
                match self.eval(predicate)? {
                    Value::Bool(true) => {}
                    Value::Bool(false) => continue,
                    other => {
                        return Err(
                            crate::functions::no_such_overload("predicate", &[other]).at(l.id.0)
                        );
                    }
                }
            }
            let v = match &l.transform {
                Some(t) => self.eval(t)?,
                None => self.locals[l.iter_slot as usize].get().cloned()?,
            };
            out.push(v);
            if out.len() > self.limits.max_list_len {
                return Err(self.limits.list_too_long().at(l.id.0));
            }
        }
        self.check_size(Value::list(out), l.id)
    }

    fn block(&mut self, b: &Block) -> Result<Value> {
        for (i, entry) in b.entries.iter().enumerate() {
            let v = self.eval_absorbable(entry)?;
            self.set_local(b.first_slot + i as u32, v);
        }
        self.eval(&b.result)
    }
}

/// A local variable: a value (or the error a block entry raised), or the element of the
/// list a loop is iterating, read in place.
#[derive(Clone)]
enum Slot {
    Value(Result<Value>),
    Element(Arc<celd_value::List>, usize),
}

impl Slot {
    // Always: the evaluator reads locals in its hottest loops, and left to itself the
    // compiler sometimes calls this out of line (6 % more instructions on e05).
    #[inline(always)]
    fn get(&self) -> Result<&Value> {
        match self {
            Slot::Value(Ok(v)) => Ok(v),
            Slot::Value(Err(e)) => Err(e.clone()),
            Slot::Element(list, i) => list
                .get(*i)
                .ok_or_else(|| EvalError::index_out_of_range(*i, list.len())),
        }
    }
}

/// A node whose value can be read without evaluating anything: see [`Ctx::place`].
fn is_place(node: &Node) -> bool {
    match node {
        Node::Const(_) | Node::Param(_) | Node::Var { .. } | Node::Local(_) => true,
        Node::Select { operand, .. } => is_place(operand),
        _ => false,
    }
}

/// An argument value, borrowed from where it lives or owned when it had to be computed.
enum Arg<'a> {
    Ref(&'a Value),
    Own(Value),
}

impl Arg<'_> {
    fn get(&self) -> &Value {
        match self {
            Arg::Ref(v) => v,
            Arg::Own(v) => v,
        }
    }

    fn into_owned(self) -> Value {
        match self {
            Arg::Ref(v) => v.clone(),
            Arg::Own(v) => v,
        }
    }
}

fn missing(l: &Loop) -> EvalError {
    EvalError::invalid_argument("malformed loop plan").at(l.id.0)
}

/// The items of a comprehension's range, held while iterating.
enum RangeItems {
    List(Arc<celd_value::List>),
    Map(Arc<Map>),
}

impl RangeItems {
    fn len(&self) -> usize {
        match self {
            RangeItems::List(items) => items.len(),
            RangeItems::Map(map) => map.len(),
        }
    }

    /// Item `i`: for a list (element, or (index, element) with two variables);
    /// for a map (key, or (key, value) with two variables).
    fn item(&self, i: usize, two_vars: bool) -> (Value, Value) {
        match self {
            RangeItems::List(items) => {
                let element = items.get(i).cloned().unwrap_or(Value::Null);
                if two_vars {
                    (Value::Int(i as i64), element)
                } else {
                    (element, Value::Null)
                }
            }
            RangeItems::Map(map) => match map.get_index(i) {
                Some((k, v)) => (k.to_value(), if two_vars { v.clone() } else { Value::Null }),
                None => (Value::Null, Value::Null),
            },
        }
    }
}

/// Arithmetic on two ints, two uints or two doubles (`None` for any other pair of values,
/// which the operator's general implementation handles). Evaluation and constant folding
/// share it.
#[inline]
pub(crate) fn scalar_arith(
    op: crate::plan::ArithOp,
    l: &Value,
    r: &Value,
) -> Option<Result<Value>> {
    use crate::plan::ArithOp::*;
    use celd_value::arith as ops;
    Some(match (l, r, op) {
        (Value::Int(p), Value::Int(q), op) => match op {
            Add => ops::add_int(*p, *q),
            Sub => ops::sub_int(*p, *q),
            Mul => ops::mul_int(*p, *q),
            Div => ops::div_int(*p, *q),
            Rem => ops::rem_int(*p, *q),
        },
        (Value::Uint(p), Value::Uint(q), op) => match op {
            Add => ops::add_uint(*p, *q),
            Sub => ops::sub_uint(*p, *q),
            Mul => ops::mul_uint(*p, *q),
            Div => ops::div_uint(*p, *q),
            Rem => ops::rem_uint(*p, *q),
        },
        (Value::Double(p), Value::Double(q), Add) => Ok(Value::Double(p + q)),
        (Value::Double(p), Value::Double(q), Sub) => Ok(Value::Double(p - q)),
        (Value::Double(p), Value::Double(q), Mul) => Ok(Value::Double(p * q)),
        (Value::Double(p), Value::Double(q), Div) => Ok(Value::Double(p / q)),
        _ => return None,
    })
}
