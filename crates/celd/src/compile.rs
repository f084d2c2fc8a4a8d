//! The compile pipeline: parse, check, plan — each failure an [`Error`] with spans.

use celd_check::CheckedAst;
use celd_eval::{PlanEnv, PlanOptions};
use celd_syntax::{Ast, ParseErrorKind, Source, Span};
use celd_types::Type;

use crate::cel_go_cost;
use crate::env::Env;
use crate::error::{Error, ErrorKind};
use crate::program::Program;
use crate::validate;

impl Env {
    /// Parses `text` with this environment's parser options (macros, limits).
    pub fn parse(&self, text: &str) -> Result<Ast, Error> {
        celd_syntax::parse(Source::new(text), &self.inner.parse_options).map_err(|e| {
            let kind = match e.kind() {
                ParseErrorKind::Limit => ErrorKind::Limit,
                _ => ErrorKind::Parse,
            };
            Error::new(kind, e.diagnostics().to_vec(), Some(e.source().clone()))
        })
    }

    /// Type-checks a parsed expression, then applies the environment's
    /// [`Validations`](crate::Validations).
    pub fn check_ast(&self, ast: Ast) -> Result<CheckedAst, Error> {
        let checked = celd_check::check(ast, &self.inner.check).map_err(|e| {
            let kind = match e.kind() {
                celd_check::CheckErrorKind::NestingTooDeep => ErrorKind::Limit,
                _ => ErrorKind::Check,
            };
            Error::new(kind, e.diagnostics().to_vec(), Some(e.source().clone()))
        })?;
        validate::validate_checked(&checked, &self.inner.validations)?;
        Ok(checked)
    }

    /// Parses and type-checks `text`, returning the deduced type.
    pub fn check(&self, text: &str) -> Result<Type, Error> {
        let checked = self.check_ast(self.parse(text)?)?;
        Ok(checked.result_type().clone())
    }

    /// Parses, type-checks and plans `text`.
    pub fn compile(&self, text: &str) -> Result<Program, Error> {
        let checked = self.check_ast(self.parse(text)?)?;
        self.plan_checked(&checked, &PlanOptions::default())
    }

    /// Parses, type-checks and plans `text`, returning the checked expression with the program:
    /// for analyses of the expression as written, such as [`Env::estimate_cel_go`], which
    /// constant folding in the plan must not change.
    pub fn compile_with_checked(&self, text: &str) -> Result<(Program, CheckedAst), Error> {
        let checked = self.check_ast(self.parse(text)?)?;
        let program = self.plan_checked(&checked, &PlanOptions::default())?;
        Ok((program, checked))
    }

    /// cel-go's estimate of a checked expression (`checker.Cost`), node by node as written:
    /// the figures cel-go and Kubernetes give, where [`Program::estimate_cost`] estimates
    /// celd's own plan with celd's cost model. `estimator` supplies input sizes and host call
    /// costs ([`cel_go_cost::NoSizes`] for none).
    ///
    /// ```
    /// # use celd::{Env, Type};
    /// # use celd::cel_go_cost::{CostEstimate, CostOptions, NoSizes};
    /// let env = Env::builder().variable("s", Type::String).build()?;
    /// let (program, checked) = env.compile_with_checked("[1, 2, 3].exists(x, x == 2) && s == 'a'")?;
    /// // The plan folds the constant comprehension away; the estimate does not.
    /// let estimate = env.estimate_cel_go(&checked, &NoSizes, &CostOptions::default());
    /// assert_eq!(estimate, CostEstimate { min: 23, max: 31 });
    /// assert_eq!(program.estimate_cost(&celd::SizeHints::new()).max, Some(2));
    /// # Ok::<(), celd::Error>(())
    /// ```
    pub fn estimate_cel_go(
        &self,
        checked: &CheckedAst,
        estimator: &dyn cel_go_cost::CostEstimator,
        options: &cel_go_cost::CostOptions,
    ) -> cel_go_cost::CostEstimate {
        cel_go_cost::estimate_cost(checked, estimator, options)
    }

    /// Parses and plans `text` without type-checking: names and overloads resolve at run time.
    pub fn compile_unchecked(&self, text: &str) -> Result<Program, Error> {
        let ast = self.parse(text)?;
        validate::validate_unchecked(&ast, &self.inner.validations)?;
        self.plan_ast(&ast, None, &PlanOptions::default(), Type::Dyn)
    }

    /// Plans a checked expression (the program cache passes parameter slots in `options`).
    pub fn plan_checked(
        &self,
        checked: &CheckedAst,
        options: &PlanOptions,
    ) -> Result<Program, Error> {
        let result_type = checked.result_type().clone();
        self.plan_ast(checked.ast(), Some(checked), options, result_type)
    }

    fn plan_ast(
        &self,
        ast: &Ast,
        checked: Option<&CheckedAst>,
        options: &PlanOptions,
        result_type: Type,
    ) -> Result<Program, Error> {
        let env = PlanEnv {
            registry: &self.inner.registry,
            variables: &self.inner.variables,
            container: &self.inner.container,
            pool: Some(self.message_pool()),
            strong_enums: self.inner.strong_enums,
            host: &self.inner.host.functions,
            max_regex_bytes: self.inner.limits.max_program_regex_bytes,
        };
        let plan = celd_eval::plan(ast, checked, &env, options)
            .map_err(|e| Error::new(ErrorKind::Check, e.diagnostics, Some(ast.source.clone())))?;
        Ok(Program {
            plan,
            source: ast.source.clone(),
            spans: error_spans(ast),
            result_type,
            limits: self.inner.limits.clone(),
        })
    }
}

/// Where runtime errors point, by node id: the operator of an operation (`/` in `1 / 0`),
/// else the whole node (see `Ast::error_span`).
fn error_spans(ast: &Ast) -> Box<[Span]> {
    let mut spans = ast.spans.clone();
    for &(id, span) in &ast.operator_spans {
        if let Some(slot) = spans.get_mut(id.index()) {
            *slot = span;
        }
    }
    spans.into_boxed_slice()
}
