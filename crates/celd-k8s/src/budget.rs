//! The runtime cost limits of admission policies, as kube-apiserver applies them, and the
//! policies' `variables`, computed when first needed.
//!
//! Every expression (match condition, variable, validation, `messageExpression`, audit
//! annotation, mutation) runs within [`schema::PER_CALL_LIMIT`]; passing it is an error of
//! that expression, worded as cel-go words it ([`COST_LIMIT_EXCEEDED`]), which the policy's
//! `failurePolicy` decides like any other. Besides, each group of expressions kube-apiserver
//! evaluates together (one `ForInput` call) draws on one [`Budget`]: every expression's actual
//! cost is subtracted from it in the order they run, and one that costs more than is left
//! ends the group with [`OUT_OF_BUDGET`]. The groups, and what they are given:
//!
//! - the `matchConditions`: [`schema::RUNTIME_CEL_COST_BUDGET_MATCH_CONDITIONS`] of their own;
//! - the validations, then the `messageExpression`s with what the validations left
//!   ([`schema::RUNTIME_CEL_COST_BUDGET`] for both);
//! - the audit annotations: [`schema::RUNTIME_CEL_COST_BUDGET`] of their own;
//! - each mutation of a MutatingAdmissionPolicy: [`schema::RUNTIME_CEL_COST_BUDGET`] of its own.
//!
//! One evaluation of a policy (one binding and one param) starts every group afresh.
//!
//! # Variables
//!
//! kube-apiserver computes a variable when an expression first reads it, and charges its cost
//! to the group that expression belongs to (before the expression's own cost), once per group:
//! a variable read by a validation and by a `messageExpression` is paid for twice, and a
//! variable nothing reads costs nothing. [`Scope`] does the same at the grain of expressions:
//! before an expression runs, the variables it names (`variables.name`, `variables['name']`,
//! `variables.?name`, and those these name in turn) are computed, and the ones its group has
//! not paid for yet are charged. An expression that uses `variables` in any other way
//! (`variables[key]`, `variables` alone) needs every variable. Two differences remain, both
//! only in what is charged: a variable named in a branch that does not run is still computed
//! and paid for, where kube-apiserver would not read it; and a variable is computed once per
//! evaluation (its value and cost kept, and charged again in each group), where
//! kube-apiserver computes it again, for the same result and cost. A variable sees the
//! variables before it (kube-apiserver does not compile one naming a later variable), and
//! one that errs (its cost limit passed included) is absent from `variables`, so reading it
//! errs in turn.

use std::cell::Cell;
use std::collections::BTreeSet;

use celd::layers::syntax::{self, ast};
use celd::layers::value::LimitKind;
use celd::{Activation, EvalOptions, Key, Limits, Map, Program, Value};

use crate::schema;

/// The error that ends a group of expressions whose budget is spent.
pub const OUT_OF_BUDGET: &str =
    "validation failed due to running out of cost budget, no further validation rules will be run";

/// The error of an expression that passes the per-call limit, in cel-go's words.
pub const COST_LIMIT_EXCEEDED: &str = "operation cancelled: actual cost limit exceeded";

/// A group of expressions spent its budget ([`OUT_OF_BUDGET`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OutOfBudget;

/// Which variables an expression names.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Uses {
    Named(BTreeSet<String>),
    /// `variables` used otherwise than by a constant name: every variable is needed.
    All,
}

/// A compiled expression of a policy, with its text and the variables it names.
pub(crate) struct Expression {
    pub(crate) text: String,
    pub(crate) program: Program,
    uses: Uses,
}

impl Expression {
    pub(crate) fn new(text: &str, program: Program) -> Expression {
        let uses = match syntax::parse_str(text) {
            Ok(parsed) => {
                let mut names = BTreeSet::new();
                if named_variables(&parsed.expr, &mut names) {
                    Uses::Named(names)
                } else {
                    Uses::All
                }
            }
            Err(_) => Uses::All,
        };
        Expression {
            text: text.to_string(),
            program,
            uses,
        }
    }
}

fn is_variables(e: &ast::Expr) -> bool {
    matches!(&e.kind, ast::ExprKind::Ident(name) if name == "variables")
}

/// Adds to `out` the variables `e` names; false when it uses `variables` otherwise.
fn named_variables(e: &ast::Expr, out: &mut BTreeSet<String>) -> bool {
    match &e.kind {
        ast::ExprKind::Ident(_) if is_variables(e) => return false,
        ast::ExprKind::Select(s) if is_variables(&s.operand) => {
            out.insert(s.field.to_string());
            return true;
        }
        ast::ExprKind::Call(c)
            if c.target.is_none()
                && matches!(c.function.as_str(), "_[_]" | "_[?_]" | "_?._")
                && c.args.len() == 2
                && is_variables(&c.args[0]) =>
        {
            return match &c.args[1].kind {
                ast::ExprKind::Literal(ast::Literal::String(name)) => {
                    out.insert(name.to_string());
                    true
                }
                _ => false,
            };
        }
        _ => {}
    }
    e.children().into_iter().all(|c| named_variables(c, out))
}

/// What a group of expressions has left to spend, and the variables it has paid for.
pub(crate) struct Budget {
    remaining: u64,
    paid: Vec<bool>,
}

impl Budget {
    pub(crate) fn new(total: u64) -> Budget {
        Budget {
            remaining: total,
            paid: Vec::new(),
        }
    }

    /// What is left.
    #[cfg(test)]
    fn remaining(&self) -> u64 {
        self.remaining
    }
}

/// A variable computed: its value (`None` when it erred) and its cost.
type Computed = (Option<Value>, u64);

/// One evaluation of a policy: the activation, and the variables computed so far.
pub(crate) struct Scope<'p> {
    variables: &'p [(String, Expression)],
    activation: Activation,
    computed: Vec<Option<Computed>>,
}

impl<'p> Scope<'p> {
    /// The scope of `variables` over `activation` (which gets `variables`).
    pub(crate) fn new(variables: &'p [(String, Expression)], activation: Activation) -> Scope<'p> {
        let mut scope = Scope {
            variables,
            activation,
            computed: vec![None; variables.len()],
        };
        scope.publish(variables.len());
        scope
    }

    /// Gives `name` a new value; the variables are computed again when next needed.
    pub(crate) fn set(&mut self, name: &str, value: Value) {
        self.activation.insert(name, value);
        self.computed.iter_mut().for_each(|c| *c = None);
        self.publish(self.variables.len());
    }

    /// Evaluates `e` within the per-call limit, charging `budget` for it and for the variables
    /// it needs that `budget` has not paid for; its value or error message.
    pub(crate) fn eval(
        &mut self,
        budget: &mut Budget,
        e: &Expression,
    ) -> Result<Result<Value, String>, OutOfBudget> {
        budget.paid.resize(self.variables.len(), false);
        let mut composition = 0u64;
        for i in self.needed(&e.uses) {
            let cost = self.compute(i);
            if !budget.paid[i] {
                budget.paid[i] = true;
                composition = composition.saturating_add(cost);
            }
        }
        if composition > budget.remaining {
            return Err(OutOfBudget);
        }
        budget.remaining -= composition;
        self.publish(self.variables.len());
        let (result, spent) = run(
            &e.program,
            &self.activation,
            budget.remaining.min(schema::PER_CALL_LIMIT),
        );
        if spent > budget.remaining {
            return Err(OutOfBudget);
        }
        budget.remaining -= spent;
        Ok(result.map_err(|e| message(&e)))
    }

    /// The variables `uses` needs, with those they need, in order.
    fn needed(&self, uses: &Uses) -> Vec<usize> {
        let n = self.variables.len();
        let mut needed = vec![false; n];
        for (i, (name, _)) in self.variables.iter().enumerate() {
            needed[i] = match uses {
                Uses::All => true,
                Uses::Named(names) => names.contains(name),
            };
        }
        // A variable sees only those before it, so one pass from the last finds them all.
        for i in (0..n).rev() {
            if !needed[i] {
                continue;
            }
            match &self.variables[i].1.uses {
                Uses::All => needed[..i].iter_mut().for_each(|x| *x = true),
                Uses::Named(names) => {
                    for (j, (name, _)) in self.variables[..i].iter().enumerate() {
                        if names.contains(name) {
                            needed[j] = true;
                        }
                    }
                }
            }
        }
        (0..n).filter(|&i| needed[i]).collect()
    }

    /// Computes variable `i` (once; those it needs must be computed first); its cost.
    fn compute(&mut self, i: usize) -> u64 {
        if let Some((_, cost)) = &self.computed[i] {
            return *cost;
        }
        self.publish(i);
        let (result, spent) = run(
            &self.variables[i].1.program,
            &self.activation,
            schema::PER_CALL_LIMIT,
        );
        self.computed[i] = Some((result.ok(), spent));
        spent
    }

    /// Sets `variables` to the variables before `end` computed without error.
    fn publish(&mut self, end: usize) {
        let mut map = Map::new();
        for ((name, _), computed) in self.variables[..end].iter().zip(&self.computed) {
            if let Some((Some(value), _)) = computed {
                map.insert(Key::String(name.as_str().into()), value.clone());
            }
        }
        self.activation.insert("variables", Value::map(map));
    }
}

/// Evaluates `program` within `max_cost`: the result and the cost spent.
fn run(
    program: &Program,
    activation: &Activation,
    max_cost: u64,
) -> (Result<Value, celd::Error>, u64) {
    let limits = Limits {
        max_cost,
        ..Limits::default()
    };
    let spent = Cell::new(0);
    let options = EvalOptions {
        limits: Some(&limits),
        cost_spent: Some(&spent),
        ..EvalOptions::default()
    };
    let result = program.eval_with(activation, &options);
    (result, spent.get())
}

/// An evaluation error's message, the cost limit in cel-go's words.
fn message(e: &celd::Error) -> String {
    let cost_limit = e
        .eval_error()
        .and_then(|e| e.limit_kind())
        .is_some_and(|k| k == LimitKind::Cost);
    if cost_limit {
        COST_LIMIT_EXCEEDED.to_string()
    } else {
        e.message().to_string()
    }
}

/// What a policy's `matchConditions` decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Matched {
    Yes,
    /// The condition that is false (or, under `failurePolicy: Ignore`, the first that erred).
    No(String),
    /// The error, under `failurePolicy: Fail`.
    Error(String),
}

/// The match conditions as kube-apiserver's matcher decides them: every condition is
/// evaluated within [`schema::RUNTIME_CEL_COST_BUDGET_MATCH_CONDITIONS`] (running out of it is
/// an error whatever the results before); then one that is false (here: not true) means no
/// match, even when another erred; else errors are an error (each `expression '<e>' resulted
/// in error: …`, several joined as Go's aggregate error joins them) under `Fail`, and no
/// match under `Ignore`.
pub(crate) fn match_conditions(
    conditions: &[(String, Expression)],
    scope: &mut Scope<'_>,
    fail_open: bool,
) -> Matched {
    let mut budget = Budget::new(schema::RUNTIME_CEL_COST_BUDGET_MATCH_CONDITIONS);
    let mut results = Vec::with_capacity(conditions.len());
    for (name, condition) in conditions {
        match scope.eval(&mut budget, condition) {
            Ok(result) => results.push((name, condition, result)),
            Err(OutOfBudget) if fail_open => return Matched::No(name.clone()),
            Err(OutOfBudget) => return Matched::Error(OUT_OF_BUDGET.into()),
        }
    }
    let mut errors: Vec<(&String, String)> = Vec::new();
    for (name, condition, result) in results {
        match result {
            Ok(Value::Bool(true)) => {}
            Ok(_) => return Matched::No(name.clone()),
            Err(message) => errors.push((
                name,
                format!(
                    "expression '{}' resulted in error: {message}",
                    condition.text
                ),
            )),
        }
    }
    match errors.first() {
        None => Matched::Yes,
        Some((name, _)) if fail_open => Matched::No((*name).clone()),
        Some(_) => Matched::Error(aggregate(errors.into_iter().map(|(_, m)| m).collect())),
    }
}

/// Go's `utilerrors.NewAggregate(errs).Error()`: one message as it is, several distinct ones
/// in brackets, joined by `, `.
fn aggregate(messages: Vec<String>) -> String {
    let mut distinct: Vec<String> = Vec::new();
    for m in messages {
        if !distinct.contains(&m) {
            distinct.push(m);
        }
    }
    match distinct.len() {
        1 => distinct.remove(0),
        _ => format!("[{}]", distinct.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use celd::Type;

    fn env() -> celd::Env {
        crate::library::kubernetes_env()
            .variable("variables", Type::Dyn)
            .variable("n", Type::Int)
            .variable("items", Type::list(Type::Int))
            .build()
            .unwrap()
    }

    fn expression(env: &celd::Env, text: &str) -> Expression {
        Expression::new(text, env.compile(text).unwrap())
    }

    #[test]
    fn the_variables_an_expression_names() {
        let env = env();
        let names = |text: &str| match expression(&env, text).uses {
            Uses::Named(n) => Some(n.into_iter().collect::<Vec<_>>()),
            Uses::All => None,
        };
        assert_eq!(
            names("variables.a + variables['b'] > 0 && has(variables.c)"),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(names("variables.?d.orValue(1) > n"), Some(vec!["d".into()]));
        assert_eq!(names("n > 1"), Some(vec![]));
        assert_eq!(names("size(variables) > 0"), None);
        assert_eq!(names("variables[string(n)] == 1"), None);
    }

    #[test]
    fn variables_are_computed_when_needed_and_paid_once_per_budget() {
        let env = env();
        let variables = vec![
            ("a".to_string(), expression(&env, "[1, 2, 3].map(x, x * n)")),
            ("b".to_string(), expression(&env, "variables.a.size()")),
            (
                "unused".to_string(),
                expression(&env, "[1, 2, 3].all(x, x > 0)"),
            ),
        ];
        let mut activation = Activation::new();
        activation.insert("n", Value::Int(2));
        let mut scope = Scope::new(&variables, activation);
        let e = expression(&env, "variables.b == 3");
        let mut budget = Budget::new(1000);
        assert_eq!(scope.eval(&mut budget, &e), Ok(Ok(Value::Bool(true))));
        assert!(scope.computed[0].is_some() && scope.computed[1].is_some());
        assert!(
            scope.computed[2].is_none(),
            "a variable nothing needs is not computed"
        );
        let first = 1000 - budget.remaining();
        assert_eq!(scope.eval(&mut budget, &e), Ok(Ok(Value::Bool(true))));
        let own = 1000 - first - budget.remaining();
        assert!(
            own < first,
            "the variables are charged once: {own} after {first}"
        );
        let mut other = Budget::new(1000);
        assert_eq!(scope.eval(&mut other, &e), Ok(Ok(Value::Bool(true))));
        assert_eq!(1000 - other.remaining(), first, "a new budget pays again");
        let mut short = Budget::new(first - 1);
        assert_eq!(scope.eval(&mut short, &e), Err(OutOfBudget));
    }

    #[test]
    fn the_per_call_limit_is_an_error_in_cel_go_words() {
        let env = env();
        let items = Value::list((0..2000).map(Value::Int).collect::<Vec<_>>());
        let mut activation = Activation::new();
        activation.insert("items", items);
        let mut scope = Scope::new(&[], activation);
        let nested = expression(&env, "items.all(a, items.all(b, a >= 0))");
        let mut budget = Budget::new(schema::RUNTIME_CEL_COST_BUDGET);
        assert_eq!(
            scope.eval(&mut budget, &nested),
            Ok(Err(COST_LIMIT_EXCEEDED.to_string()))
        );
        let spent = schema::RUNTIME_CEL_COST_BUDGET - budget.remaining();
        assert!(spent > schema::PER_CALL_LIMIT, "{spent}");
        // With less left than the per-call limit, the same expression runs out of budget.
        let mut budget = Budget::new(schema::PER_CALL_LIMIT / 2);
        assert_eq!(scope.eval(&mut budget, &nested), Err(OutOfBudget));
    }

    #[test]
    fn errors_are_joined_as_go_joins_them() {
        assert_eq!(aggregate(vec!["x".into(), "x".into()]), "x");
        assert_eq!(aggregate(vec!["x".into(), "y".into()]), "[x, y]");
    }
}
