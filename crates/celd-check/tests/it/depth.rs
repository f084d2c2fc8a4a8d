//! Deep nesting: the checker must work at the parser's depth limit on a
//! 2 MiB thread stack in debug builds.

use celd_check::{CheckErrorKind, DEFAULT_MAX_DEPTH};
use celd_syntax::ast::{Call, Expr, ExprKind, Literal};
use celd_syntax::{Ast, ExprId, Source, Span};

use crate::support::{check_in, env};

const STACK: usize = 2 * 1024 * 1024;

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .and_then(|h| {
            h.join()
                .map_err(|_| std::io::Error::other("checker thread panicked"))
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn parenthesized_250_deep_checks_on_2_mib_stack() {
    let src = format!("{}1{}", "(".repeat(240), " + 1)".repeat(240));
    let ty =
        on_small_stack(move || check_in(&env(&[], ""), &src).map(|c| c.result_type().to_string()));
    assert_eq!(ty.as_deref(), Ok("int"));
}

#[test]
fn nested_lists_250_deep_check_on_2_mib_stack() {
    let depth = 240;
    let src = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let expect = format!("{}int{}", "list(".repeat(depth), ")".repeat(depth));
    let ty =
        on_small_stack(move || check_in(&env(&[], ""), &src).map(|c| c.result_type().to_string()));
    assert_eq!(ty, Ok(expect));
}

#[test]
fn nested_macros_check_on_2_mib_stack() {
    let src = format!("{}true{}", "[1].all(x, ".repeat(40), ")".repeat(40));
    let ty =
        on_small_stack(move || check_in(&env(&[], ""), &src).map(|c| c.result_type().to_string()));
    assert_eq!(ty.as_deref(), Ok("bool"));
}

/// A hand-built chain of `!_` calls, deeper than any parser output.
fn not_chain(depth: u32) -> Ast {
    let mut expr = Expr {
        id: ExprId(1),
        kind: ExprKind::Literal(Literal::Bool(true)),
    };
    for i in 0..depth {
        expr = Expr {
            id: ExprId(i + 2),
            kind: ExprKind::Call(Box::new(Call {
                target: None,
                function: "!_".into(),
                args: vec![expr].into(),
            })),
        };
    }
    Ast {
        expr,
        source: Source::new("!true"),
        spans: vec![Span::new(0, 1); depth as usize + 2],
        operator_spans: Vec::new(),
        macro_calls: Default::default(),
    }
}

#[test]
fn depth_past_the_limit_is_an_error_not_a_crash() {
    let result = on_small_stack(|| {
        let ast = not_chain(DEFAULT_MAX_DEPTH + 10);
        celd_check::check(ast, &env(&[], ""))
            .map_err(|e| e.kind())
            .map(|c| c.result_type().clone())
    });
    assert_eq!(result, Err(CheckErrorKind::NestingTooDeep));
}

#[test]
fn depth_at_the_limit_checks() {
    let result = on_small_stack(|| {
        let ast = not_chain(DEFAULT_MAX_DEPTH - 1);
        celd_check::check(ast, &env(&[], ""))
            .map_err(|e| e.kind())
            .map(|c| c.result_type().clone())
    });
    assert_eq!(result, Ok(celd_types::Type::Bool));
}
