//! Running one test: the mode it asks for, the engine calls, and the verdict.

use std::panic::{AssertUnwindSafe, catch_unwind};

use celd_value::Value;

use crate::compare::same_value;
use crate::engine::Engine;
use crate::engine::EngineError;
use crate::suite::{Expected, Mode, Prepared, TestSpec};
use crate::types::TypeSpec;

/// The verdict on one test.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// A verdict and what explains it (empty for a pass).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Verdict {
    pub status: Status,
    pub detail: String,
}

impl Verdict {
    fn pass() -> Verdict {
        Verdict {
            status: Status::Pass,
            detail: String::new(),
        }
    }

    fn fail(detail: impl Into<String>) -> Verdict {
        Verdict {
            status: Status::Fail,
            detail: detail.into(),
        }
    }

    fn skip(reason: impl Into<String>) -> Verdict {
        Verdict {
            status: Status::Skip,
            detail: reason.into(),
        }
    }
}

/// Runs a prepared test; a panic in the engine is a failure, not the end of the run.
pub fn run_test(engine: &Engine, prepared: &Prepared) -> Verdict {
    let spec = match prepared {
        Prepared::Ready(spec) => spec,
        Prepared::Skip(reason) => return Verdict::skip(reason.clone()),
        Prepared::Broken(e) => return Verdict::fail(format!("broken test data: {e}")),
    };
    match catch_unwind(AssertUnwindSafe(|| run_spec(engine, spec))) {
        Ok(Ok(())) => Verdict::pass(),
        Ok(Err(detail)) => Verdict::fail(detail),
        Err(payload) => Verdict::fail(format!("engine panicked: {}", panic_message(&*payload))),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}

/// `Err` holds what went wrong.
fn run_spec(engine: &Engine, spec: &TestSpec) -> Result<(), String> {
    let env = engine.env(&spec.env).map_err(|e| e.to_string())?;
    if spec.mode == Mode::CheckOnly {
        let deduced = engine.check(&env, &spec.expr).map_err(|e| e.to_string())?;
        return match &spec.expected {
            Expected::Typed { ty, .. } => expect_type(ty, &deduced),
            _ => Err("a check_only test needs a typed_result".to_owned()),
        };
    }
    let compiled = match engine.compile(&env, &spec.expr, spec.mode == Mode::Checked) {
        Ok(compiled) => compiled,
        Err(e) => return compile_error_outcome(&spec.expected, &e),
    };
    if let Expected::Typed { ty, .. } = &spec.expected {
        expect_type(ty, &compiled.result_type())?;
    }
    let result = engine.eval(&env, &compiled, &spec.bindings);
    match (&spec.expected, result) {
        (Expected::AnyError { .. }, Err(_)) => Ok(()),
        (Expected::AnyError { .. }, Ok(got)) => {
            Err(format!("expected an evaluation error, got {got}"))
        }
        (
            Expected::Value(want)
            | Expected::Typed {
                value: Some(want), ..
            },
            Ok(got),
        ) => expect_value(want, &got),
        (Expected::Typed { value: None, .. }, Ok(_)) => Ok(()),
        (_, Err(e)) => Err(e.to_string()),
    }
}

/// A compile error fails the test, unless the test expects an error with exactly that message.
fn compile_error_outcome(expected: &Expected, e: &EngineError) -> Result<(), String> {
    match (expected, &e.summary) {
        (Expected::AnyError { messages }, Some(summary)) if messages.contains(summary) => Ok(()),
        _ => Err(e.to_string()),
    }
}

fn expect_type(want: &TypeSpec, got: &TypeSpec) -> Result<(), String> {
    if want == got {
        Ok(())
    } else {
        Err(format!("expected type {want}, deduced {got}"))
    }
}

fn expect_value(want: &Value, got: &Value) -> Result<(), String> {
    if same_value(want, got) {
        Ok(())
    } else {
        Err(format!("expected {want}, got {got}"))
    }
}
