//! Fuzz target: expressions generated from a small grammar (`celd_fuzz::Expr`), so inputs
//! reach deep into the checker and evaluator. Checked and unchecked programs must agree when
//! both compile, and so must plans with and without constant folding.
#![no_main]

use celd::layers::eval::PlanOptions;
use celd_fuzz::{ENV, Expr, activation, comparable, eval, limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|expr: Expr| {
    let text = expr.to_cel();
    // To turn an artifact into a test: `CELD_FUZZ_SHOW=1 <binary> <artifact>` prints its text.
    if std::env::var_os("CELD_FUZZ_SHOW").is_some() {
        eprintln!("{text}");
    }
    let act = activation();
    let limits = limits();
    let Ok(ast) = ENV.parse(&text) else { return };
    let Ok(checked) = ENV.check_ast(ast) else {
        // Unchecked, it must still not panic.
        if let Ok(program) = ENV.compile_unchecked(&text) {
            let _ = eval(&program, &act, &limits);
        }
        return;
    };
    let folded = ENV.plan_checked(&checked, &PlanOptions::default());
    let unfolded = ENV.plan_checked(
        &checked,
        &PlanOptions {
            no_folding: true,
            ..PlanOptions::default()
        },
    );
    let (Ok(folded), Ok(unfolded)) = (folded, unfolded) else {
        return;
    };
    let a = comparable(&eval(&folded, &act, &limits));
    let b = comparable(&eval(&unfolded, &act, &limits));
    if let (Some(a), Some(b)) = (&a, &b) {
        // Folding runs constant parts at plan time without the evaluation's cost limit, so a
        // cost limit on one side only is not a disagreement.
        let limit = "error of kind limit";
        if a != limit && b != limit {
            assert_eq!(a, b, "{text}: folded vs unfolded");
        }
    }
    if let Ok(unchecked) = ENV.compile_unchecked(&text) {
        let c = comparable(&eval(&unchecked, &act, &limits));
        if let (Some(a), Some(c)) = (&a, &c) {
            let limit = "error of kind limit";
            if a != limit && c != limit && !a.starts_with("error") && !c.starts_with("error") {
                assert_eq!(a, c, "{text}: checked vs unchecked");
            }
        }
    }
});
