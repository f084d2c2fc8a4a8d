//! [`BoundProgram`]: a cached program with one request's parameter values, ready to evaluate.

use std::sync::Arc;

use celd::layers::syntax::Ast;
use celd::{Activation, Error, EvalOptions, Program, Source, Value};

use crate::entry::{CachedProgram, ProgramId};
use crate::template::Params;

/// The program of a request's template and the request's literal values. Evaluation errors
/// point into the request's own text, not the text the program was first compiled from.
pub struct BoundProgram {
    entry: Arc<CachedProgram>,
    params: Params,
    /// The request's own tree: its spans locate runtime errors. `None` when the request's
    /// text is the program's own (found by raw text): the program's spans and first
    /// parameters serve, and `params` is empty.
    ast: Option<Ast>,
}

impl BoundProgram {
    pub(crate) fn new(entry: Arc<CachedProgram>, params: Params, ast: Ast) -> BoundProgram {
        BoundProgram {
            entry,
            params,
            ast: Some(ast),
        }
    }

    /// The program for the very text it was compiled from, with that text's literals.
    pub(crate) fn of_own_text(entry: Arc<CachedProgram>) -> BoundProgram {
        BoundProgram {
            entry,
            params: Params::new(),
            ast: None,
        }
    }

    /// The shared program (compiled from the first request of this template).
    pub fn program(&self) -> &Arc<Program> {
        &self.entry.program
    }

    /// This request's values of the program's parameters, in slot order.
    pub fn params(&self) -> &[Value] {
        match self.ast {
            Some(_) => &self.params,
            // The program's own text: its literals are the ones it was compiled with.
            None => &self.entry.first_params,
        }
    }

    pub fn id(&self) -> ProgramId {
        self.entry.id
    }

    /// The template: the first request's text with hoisted literals shown as `$N`.
    pub fn template(&self) -> &str {
        &self.entry.template
    }

    /// The request's own text.
    pub fn source(&self) -> &Source {
        match &self.ast {
            Some(ast) => &ast.source,
            None => self.entry.program.source(),
        }
    }

    /// Evaluates with this request's parameters and the environment's limits.
    pub fn eval(&self, activation: &Activation) -> Result<Value, Error> {
        let options = EvalOptions {
            limits: Some(self.entry.program.limits()),
            ..EvalOptions::default()
        };
        self.eval_with(activation, &options)
    }

    /// Evaluates with explicit limits, deadline or cancellation; the parameters are this
    /// request's whatever `options.params` says.
    pub fn eval_with(
        &self,
        activation: &Activation,
        options: &EvalOptions<'_>,
    ) -> Result<Value, Error> {
        let options = EvalOptions {
            params: self.params(),
            ..*options
        };
        let program = &self.entry.program;
        match &self.ast {
            Some(ast) => {
                program.eval_located(activation, &options, &ast.source, &|id| ast.error_span(id))
            }
            None => program.eval_with(activation, &options),
        }
    }
}

impl std::fmt::Debug for BoundProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundProgram")
            .field("id", &self.entry.id)
            .field("template", &self.entry.template)
            .field("params", &self.params())
            .finish()
    }
}
