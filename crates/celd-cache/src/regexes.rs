//! The memory of regular expressions a program compiles from its literals.
//!
//! The planner turns `s.matches('<literal>')` into a call that compiles the pattern once, on
//! first use, inside a closure the plan's size walk cannot see. A compiled pattern holds from
//! a few kilobytes to hundreds (`\p{L}` expands to every Unicode letter), so a cache
//! weighing programs without it could hold a hundred times its budget. Until the size walk
//! counts them, the cache adds an estimate per pattern: the pattern built once more with
//! regex-automata (the engine under `regex`, with the planner's limits and its RE2
//! translation), its
//! `memory_usage()` scaled to what the allocator really holds after a first match,
//! calibrated against a counting allocator (the weight test).

use celd::layers::eval::functions::re2;
use celd::layers::syntax::Literal;
use celd::layers::syntax::ast::{Expr, ExprKind};
use regex_automata::meta;

/// The planner's limits on a compiled pattern (`celd-eval`'s `REGEX_SIZE_LIMIT`).
const SIZE_LIMIT: usize = 1 << 20;

/// Measured: after a first match the allocator holds about 1.2 to 1.8 times `memory_usage()`
/// of the larger automata (the lazy DFA's search cache grows with the states a search visits)
/// and about 3 KiB more for the `Regex` wrappers; 1.45 times plus 6 KiB is within ±25 % of the
/// weight test's patterns. A search cache is made per thread that matches, so a pattern used
/// from many threads holds more than this.
fn held_after_first_use(memory_usage: usize) -> usize {
    memory_usage * 29 / 20 + 6 * 1024
}

/// Estimated bytes of every pattern `expr` precompiles.
pub(crate) fn precompiled_bytes(expr: &Expr) -> usize {
    let own = match &expr.kind {
        ExprKind::Call(call) if call.function == "matches" => {
            let pattern = match (&call.target, call.args.as_slice()) {
                (Some(_), [p]) | (None, [_, p]) => Some(p),
                _ => None,
            };
            match pattern.map(|p| &p.kind) {
                Some(ExprKind::Literal(Literal::String(pattern))) => pattern_bytes(pattern),
                _ => 0,
            }
        }
        _ => 0,
    };
    own + expr
        .children()
        .into_iter()
        .map(precompiled_bytes)
        .sum::<usize>()
}

fn pattern_bytes(pattern: &str) -> usize {
    let Ok(translated) = re2::translate(pattern) else {
        // The plan holds an error node instead.
        return 0;
    };
    let pattern: &str = &translated.pattern;
    let config = meta::Config::new()
        .nfa_size_limit(Some(SIZE_LIMIT))
        .hybrid_cache_capacity(SIZE_LIMIT);
    match meta::Regex::builder().configure(config).build(pattern) {
        Ok(regex) => held_after_first_use(regex.memory_usage()),
        // The plan holds an error node instead.
        Err(_) => 0,
    }
}
