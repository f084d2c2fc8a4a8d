//! Compile-time validation beyond types: literal arguments that can never be valid, and how
//! deeply comprehensions nest (cel-go's `ValidateRegexLiterals`, `ValidateTimestampLiterals`,
//! `ValidateDurationLiterals` and `ValidateComprehensionNestingLimit`).

use celd_check::{CheckedAst, Reference};
use celd_syntax::ast::{Expr, ExprKind, Literal};
use celd_syntax::source::Diagnostic;
use celd_syntax::{Ast, ExprId};

use crate::error::{Error, ErrorKind};

/// What [`Env::compile`](crate::Env::compile) checks besides types. The literal checks are
/// on by default (as in cel-go's Kubernetes environment): an expression that would fail on
/// every evaluation fails to compile instead, at the literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validations {
    /// The literal pattern of `matches` and of `regex.replace`, `regex.extract` and
    /// `regex.extractAll` must be a valid RE2 pattern: `s.matches('x++')` is a `check`
    /// error. On by default.
    pub regex_literals: bool,
    /// The literal of `timestamp('...')` must be an RFC 3339 timestamp in years 1–9999:
    /// `timestamp('2024-13-01T00:00:00Z')` is a `check` error. On by default.
    pub timestamp_literals: bool,
    /// The literal of `duration('...')` must be a duration within range:
    /// `duration('1 hour')` is a `check` error. On by default.
    pub duration_literals: bool,
    /// The most comprehensions (`all`, `exists`, `map`, `filter`, ...) one may nest inside
    /// another, counting itself: with `Some(1)`, `l.all(x, x.all(y, y))` is a `limit` error.
    /// Those over nothing (`cel.bind`, which expands to one) do not count. `None` (the
    /// default, as in cel-go) leaves nesting to the depth limit and the cost limit.
    pub max_comprehension_nesting: Option<u32>,
}

impl Default for Validations {
    fn default() -> Validations {
        Validations {
            regex_literals: true,
            timestamp_literals: true,
            duration_literals: true,
            max_comprehension_nesting: None,
        }
    }
}

impl Validations {
    /// No validation beyond types (the conformance suite expects invalid literals to fail
    /// at evaluation).
    pub fn none() -> Validations {
        Validations {
            regex_literals: false,
            timestamp_literals: false,
            duration_literals: false,
            max_comprehension_nesting: None,
        }
    }
}

/// The literal checks of a checked expression, then the nesting limit.
pub(crate) fn validate_checked(checked: &CheckedAst, options: &Validations) -> Result<(), Error> {
    if *options == Validations::none()
        || (options.max_comprehension_nesting.is_none() && !calls_with_literal_rule(checked))
    {
        return Ok(());
    }
    let mut walk = Walk {
        ast: checked.ast(),
        checked: Some(checked),
        options,
        problems: Vec::new(),
        nesting_problem: None,
    };
    walk.expr(&checked.ast().expr, 0);
    walk.finish()
}

/// Whether any call resolved to an overload whose literal argument is validated: a scan of
/// the reference table, much cheaper than the walk it spares most expressions.
fn calls_with_literal_rule(checked: &CheckedAst) -> bool {
    (0..checked.ast().id_bound()).any(|id| {
        matches!(
            checked.reference(ExprId(id)),
            Some(Reference::Function(f)) if f.overload_ids.iter().any(|o| literal_rule(o).is_some())
        )
    })
}

/// The nesting limit of an unchecked expression (its calls are not resolved, so the literal
/// checks wait for evaluation).
pub(crate) fn validate_unchecked(ast: &Ast, options: &Validations) -> Result<(), Error> {
    if options.max_comprehension_nesting.is_none() {
        return Ok(());
    }
    let mut walk = Walk {
        ast,
        checked: None,
        options,
        problems: Vec::new(),
        nesting_problem: None,
    };
    walk.expr(&ast.expr, 0);
    walk.finish()
}

struct Walk<'a> {
    ast: &'a Ast,
    checked: Option<&'a CheckedAst>,
    options: &'a Validations,
    problems: Vec<Diagnostic>,
    nesting_problem: Option<Diagnostic>,
}

/// What a literal argument must be.
#[derive(Clone, Copy)]
enum LiteralRule {
    Regex,
    Timestamp,
    Duration,
}

impl Walk<'_> {
    fn finish(self) -> Result<(), Error> {
        let source = Some(self.ast.source.clone());
        if !self.problems.is_empty() {
            let mut diagnostics = self.problems;
            diagnostics.extend(self.nesting_problem);
            return Err(Error::new(ErrorKind::Check, diagnostics, source));
        }
        match self.nesting_problem {
            Some(problem) => Err(Error::new(ErrorKind::Limit, vec![problem], source)),
            None => Ok(()),
        }
    }

    /// Walks `expr` inside `nesting` comprehensions (recursion is bounded by the parser's
    /// depth limit, as in every pass).
    fn expr(&mut self, expr: &Expr, nesting: u32) {
        let mut nesting = nesting;
        match &expr.kind {
            ExprKind::Call(call) if self.checked.is_some() && takes_literal(&call.function) => {
                self.literal_arguments(expr.id, call.args.as_slice());
            }
            ExprKind::Comprehension(c) if !is_empty_list(&c.iter_range) => {
                nesting += 1;
                if let Some(max) = self.options.max_comprehension_nesting
                    && nesting > max
                    && self.nesting_problem.is_none()
                {
                    self.nesting_problem = Some(Diagnostic::new(
                        self.ast.error_span(expr.id),
                        format!("comprehensions nest deeper than the limit of {max}"),
                    ));
                }
            }
            _ => {}
        }
        match &expr.kind {
            ExprKind::Literal(_) | ExprKind::Ident(_) => {}
            ExprKind::Select(s) => self.expr(&s.operand, nesting),
            ExprKind::Call(c) => {
                if let Some(target) = &c.target {
                    self.expr(target, nesting);
                }
                for arg in &c.args {
                    self.expr(arg, nesting);
                }
            }
            ExprKind::List(l) => l.elements.iter().for_each(|e| self.expr(e, nesting)),
            ExprKind::Map(m) => m.entries.iter().for_each(|e| {
                self.expr(&e.key, nesting);
                self.expr(&e.value, nesting);
            }),
            ExprKind::Struct(s) => s.fields.iter().for_each(|f| self.expr(&f.value, nesting)),
            ExprKind::Comprehension(c) => {
                for part in [
                    &c.iter_range,
                    &c.accu_init,
                    &c.loop_condition,
                    &c.loop_step,
                    &c.result,
                ] {
                    self.expr(part, nesting);
                }
            }
        }
    }

    /// Checks the literal argument of a call whose resolved overloads take one.
    fn literal_arguments(&mut self, id: ExprId, args: &[Expr]) {
        let Some(Reference::Function(function)) = self.checked.and_then(|c| c.reference(id)) else {
            return;
        };
        let Some((rule, index)) = function
            .overload_ids
            .first()
            .and_then(|first| literal_rule(first))
        else {
            return;
        };
        // Every overload still possible must take the literal at the same place.
        if !function
            .overload_ids
            .iter()
            .all(|o| literal_rule(o).is_some_and(|(_, i)| i == index))
        {
            return;
        }
        // `regex.replace(s, p, r, 0)` replaces nothing and never compiles its pattern.
        if function
            .overload_ids
            .iter()
            .any(|o| o == "regex_replace_string_string_string_int")
            && matches!(
                args.get(3).map(|a| &a.kind),
                Some(ExprKind::Literal(Literal::Int(0)))
            )
        {
            return;
        }
        let Some(arg) = args.get(index) else { return };
        let ExprKind::Literal(Literal::String(text)) = &arg.kind else {
            return;
        };
        let outcome = match rule {
            LiteralRule::Regex if self.options.regex_literals => {
                celd_eval::functions::patterns::check_syntax_for_plan(text)
            }
            LiteralRule::Timestamp if self.options.timestamp_literals => {
                celd_value::time::parse_timestamp(text).map(|_| ())
            }
            LiteralRule::Duration if self.options.duration_literals => {
                celd_value::time::parse_duration(text).map(|_| ())
            }
            _ => Ok(()),
        };
        if let Err(e) = outcome {
            self.problems.push(Diagnostic::new(
                self.ast.span(arg.id),
                e.message().to_owned(),
            ));
        }
    }
}

/// Whether a call written with this function name may resolve to an overload with a
/// literal rule (container resolution only ever prefixes the written name).
fn takes_literal(function: &str) -> bool {
    matches!(
        function,
        "matches" | "timestamp" | "duration" | "replace" | "extract" | "extractAll"
    )
}

/// The rule for the literal argument of an overload, and the argument's index (receivers
/// are not arguments: `s.matches(p)` has `p` at 0).
fn literal_rule(overload_id: &str) -> Option<(LiteralRule, usize)> {
    Some(match overload_id {
        "matches_string" => (LiteralRule::Regex, 0),
        "matches"
        | "regex_replace_string_string_string"
        | "regex_replace_string_string_string_int"
        | "regex_extract_string_string"
        | "regex_extractAll_string_string" => (LiteralRule::Regex, 1),
        "string_to_timestamp" => (LiteralRule::Timestamp, 0),
        "string_to_duration" => (LiteralRule::Duration, 0),
        _ => return None,
    })
}

fn is_empty_list(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::List(list) if list.elements.is_empty())
}
