//! [`Program`]: a compiled expression, immutable and shareable, evaluated many times.

use celd_eval::estimate::{CostEstimate, SizeHints};
use celd_eval::{Activation, EvalDetails, EvalOptions, Limits, Plan};
use celd_syntax::ExprId;
use celd_syntax::source::{Diagnostic, Source, Span};
use celd_types::Type;
use celd_value::Value;

use crate::error::Error;

/// A compiled expression. `Send + Sync`: share it by `Arc` and evaluate from any thread.
#[derive(Clone)]
pub struct Program {
    pub(crate) plan: Plan,
    pub(crate) source: Source,
    /// The span of every expression node, so runtime errors point into the source.
    pub(crate) spans: Box<[Span]>,
    pub(crate) result_type: Type,
    /// The environment's limits, shared.
    pub(crate) limits: std::sync::Arc<Limits>,
}

impl Program {
    /// Evaluates with the environment's limits.
    #[inline]
    pub fn eval(&self, activation: &Activation) -> Result<Value, Error> {
        // A folded constant allocates nothing and costs nothing: no limit can apply.
        if let Some(value) = self.plan.folded_constant()
            && activation.misfit().is_none()
        {
            return Ok(value.clone());
        }
        self.eval_limited(activation)
    }

    /// Evaluates by walking the plan, within the environment's limits.
    #[inline(never)]
    fn eval_limited(&self, activation: &Activation) -> Result<Value, Error> {
        let options = EvalOptions {
            limits: Some(&*self.limits),
            ..EvalOptions::default()
        };
        self.eval_with(activation, &options)
    }

    /// Evaluates with the environment's limits and reports what the evaluation spent: its
    /// cost and the variables it read, whether it succeeded or failed (a host can bill or log
    /// it). Any evaluation reports the same through [`EvalOptions::details`].
    ///
    /// ```
    /// # use celd::{Env, Type};
    /// let env = Env::builder().variable("x", Type::Int).variable("y", Type::Int).build()?;
    /// let program = env.compile("x > 0 || y > 0")?;
    /// let mut vars = env.activation();
    /// vars.insert("x", 1).insert("y", 2);
    /// let (value, details) = program.eval_details(&vars);
    /// assert_eq!(value?, celd::Value::Bool(true));
    /// assert_eq!(details.cost(), 2);
    /// assert_eq!(details.variables_read(), ["x"]);
    /// # Ok::<(), celd::Error>(())
    /// ```
    pub fn eval_details(&self, activation: &Activation) -> (Result<Value, Error>, EvalDetails) {
        let details = EvalDetails::new();
        let options = EvalOptions {
            limits: Some(&*self.limits),
            details: Some(&details),
            ..EvalOptions::default()
        };
        let value = self
            .plan
            .eval_with(activation, &options)
            .map_err(|e| self.located(e));
        (value, details)
    }

    /// Evaluates with explicit parameters, limits, deadline or cancellation flag.
    pub fn eval_with(
        &self,
        activation: &Activation,
        options: &EvalOptions<'_>,
    ) -> Result<Value, Error> {
        check_variables(activation)?;
        self.plan
            .eval_with(activation, options)
            .map_err(|e| self.located(e))
    }

    /// Evaluates and locates a runtime error in `source` at `error_span(id)` of the node that
    /// raised it, instead of in the program's own text: for a program shared by every text of
    /// one template, whose node ids are the same in each (the program cache).
    pub fn eval_located(
        &self,
        activation: &Activation,
        options: &EvalOptions<'_>,
        source: &Source,
        error_span: &dyn Fn(ExprId) -> Span,
    ) -> Result<Value, Error> {
        check_variables(activation)?;
        self.plan.eval_with(activation, options).map_err(|error| {
            let span = error
                .expr_id()
                .map_or(Span::new(0, source.text().len() as u32), |id| {
                    error_span(ExprId(id))
                });
            let diagnostic = Diagnostic::new(span, error.message().to_owned());
            Error::from_eval(error, diagnostic, source.clone())
        })
    }

    fn located(&self, error: celd_value::EvalError) -> Error {
        let span = error
            .expr_id()
            .and_then(|id| self.spans.get(ExprId(id).index()).copied())
            .unwrap_or(Span::new(0, self.source.text().len() as u32));
        let diagnostic = Diagnostic::new(span, error.message().to_owned());
        Error::from_eval(error, diagnostic, self.source.clone())
    }

    /// The type the checker deduced for the whole expression (`dyn` when compiled unchecked).
    pub fn result_type(&self) -> &Type {
        &self.result_type
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The names of the variables the program reads.
    pub fn variables(&self) -> impl ExactSizeIterator<Item = &str> {
        self.plan.variables()
    }

    /// The evaluation plan as numbered lines, each with the source text it came from.
    pub fn dump_plan(&self) -> String {
        self.plan.dump(&|id| {
            let span = self.spans.get(id.index()).copied().unwrap_or_default();
            let loc = self.source.location(span.start);
            let text = self.source.slice(span);
            let text: String = text.chars().take(40).collect();
            format!("{}:{} {}", loc.line, loc.column, text.replace('\n', " "))
        })
    }

    /// The least and most this program can cost per evaluation, given the largest sizes of
    /// its inputs; a host can reject an expression before running it when the most exceeds
    /// its budget. Hints name variables or paths into them (`self.items`,
    /// `request.auth.claims.groups`; `@items` for what a comprehension iterates over, as in
    /// `self.items.@items.tags`); an input without a hint is unbounded (see
    /// [`celd_eval::estimate`]).
    ///
    /// ```
    /// # use celd::{Env, SizeHints, Type};
    /// let env = Env::builder()
    ///     .variable("request", Type::map(Type::String, Type::Dyn))
    ///     .build()?;
    /// let program = env.compile("request.auth.claims.groups.exists(g, g == 'admin')")?;
    /// assert_eq!(program.estimate_cost(&SizeHints::new()).max, None);
    /// let hints = SizeHints::new().size("request.auth.claims.groups", 20);
    /// // 4 to read the list, then per group: 1 iteration, 1 to read `g`, 1 to compare.
    /// assert_eq!(program.estimate_cost(&hints).max, Some(64));
    /// # Ok::<(), celd::Error>(())
    /// ```
    pub fn estimate_cost(&self, hints: &SizeHints) -> CostEstimate {
        celd_eval::estimate::estimate(&self.plan, hints)
    }

    /// Bytes this program holds on the heap (plan, source text, span table).
    pub fn heap_size(&self) -> usize {
        let text = self.source.text().len();
        // Source: its shared inner block (name, text, line starts) plus the text buffer.
        let source = 96 + text.div_ceil(16) * 16 + 16;
        let spans = (self.spans.len() * std::mem::size_of::<Span>()).div_ceil(16) * 16 + 16;
        self.plan.heap_size() + source + spans
    }
}

/// Fails before evaluation when a value given for a declared variable does not fit its type.
fn check_variables(activation: &Activation) -> Result<(), Error> {
    match activation.misfit() {
        Some(message) => Err(Error::variable(message)),
        None => Ok(()),
    }
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("source", &self.source.text())
            .field("result_type", &self.result_type)
            .finish()
    }
}
