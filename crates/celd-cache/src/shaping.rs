//! Which literals shape compilation and so stay in the template key instead of becoming
//! parameters.
//!
//! **The planner (`celd-eval`'s `planner.rs`) and this list must agree.** Whatever the planner
//! precompiles or folds from a literal's value has to see that value at plan time, so the
//! literal is part of the key; everything else is hoisted into a parameter slot. When the
//! planner learns to precompile another argument, add it here in the same change.
//!
//! Kept in the key:
//!
//! - `null`, `true` and `false`: at most two values each, and they decide the planner's
//!   short-circuit folding of `&&`, `||` and `?:`;
//! - literals the parser made for a macro expansion (the `true`, `0`, `1` of `all`, `exists`,
//!   `exists_one`, `cel.bind`): the planner recognises macro loops by them. Such a node has the
//!   span of its parent (the macro call), which a literal written by the user never has;
//! - every literal of a call, list or map whose children are all constants: the planner folds
//!   it (`1 + 2`, `[1, 2, 3]`, `{'a': 1}`, `timestamp('2024-01-01T00:00:00Z')`, `duration('1s')`);
//!   calls of host functions are never folded, so their literals are hoisted;
//! - the pattern of `matches` (the second argument, counting the receiver as the first):
//!   compiled once at plan time;
//! - the field name of `_?._` (`a.?b`): the checker reads it;
//! - the receiver string of `format` and the pattern and replacement of `regex.*` calls: to be
//!   precompiled the same way.

use celd::layers::syntax::Literal;
use celd::layers::syntax::ast::{Call, Expr, ExprKind};

/// Where a literal sits: the call it is an argument of, if any, and whether its parent folds.
#[derive(Clone, Copy, Default)]
pub(crate) struct Site<'a> {
    /// The call whose argument the literal is, and its position (the receiver counts as 0).
    pub call: Option<(&'a Call, usize)>,
    /// The parent is a call, list or map whose children are all constants.
    pub constant_parent: bool,
    /// The literal has its parent's span: the parser made it for a macro expansion.
    pub generated: bool,
}

/// Whether a literal at `site` must keep its value in the key.
pub(crate) fn keeps_value(literal: &Literal, site: &Site<'_>) -> bool {
    matches!(literal, Literal::Null | Literal::Bool(_))
        || site.generated
        || site.constant_parent
        || site
            .call
            .is_some_and(|(call, position)| precompiled_argument(call, position))
}

/// Arguments whose value the planner compiles (position counts the receiver as 0).
fn precompiled_argument(call: &Call, position: usize) -> bool {
    match call.function.as_str() {
        "matches" => position == 1,
        "_?._" => call.target.is_none() && position == 1,
        "format" => call.target.is_some() && position == 0,
        // `regex.replace(s, pattern, replacement)`: the namespace `regex` sits at position 0.
        "replace" | "extract" | "extractAll" if is_regex_namespace(call) => position >= 2,
        _ => false,
    }
}

fn is_regex_namespace(call: &Call) -> bool {
    matches!(&call.target, Some(Expr { kind: ExprKind::Ident(name), .. }) if name == "regex")
}

/// Whether a call may run a host function, which the planner never folds (it may read a
/// clock or state of its own): by the name called, so a name with both built-in and host
/// overloads counts as host (hoisting more is never wrong).
pub(crate) type HostCalls<'a> = Option<&'a celd::Env>;

fn calls_host(call: &Call, host: HostCalls<'_>) -> bool {
    host.is_some_and(|env| env.has_host_function(&call.function))
}

/// Whether the planner folds `expr` to a constant: literals, and calls (of built-in
/// functions), lists and maps of constants. Names are never constants here (whether one
/// names an enum constant or a type is known only to the checker), so such folds are given
/// up for sharing.
pub(crate) fn is_constant(expr: &Expr, host: HostCalls<'_>) -> bool {
    match &expr.kind {
        ExprKind::Literal(_) => true,
        ExprKind::Call(call) => {
            !calls_host(call, host)
                && call
                    .target
                    .iter()
                    .chain(&call.args)
                    .all(|e| is_constant(e, host))
        }
        ExprKind::List(list) => list.elements.iter().all(|e| is_constant(e, host)),
        ExprKind::Map(map) => map
            .entries
            .iter()
            .all(|e| is_constant(&e.key, host) && is_constant(&e.value, host)),
        _ => false,
    }
}

/// Whether the children of a call, list or map are all constants, checked only when one of
/// them is a literal (otherwise no literal's fate depends on it).
pub(crate) fn folds<'e>(
    children: impl Iterator<Item = &'e Expr> + Clone,
    host: HostCalls<'_>,
) -> bool {
    let has_literal = children
        .clone()
        .any(|c| matches!(c.kind, ExprKind::Literal(_)));
    has_literal && children.into_iter().all(|c| is_constant(c, host))
}

/// [`folds`] for the arguments of `call`: never for a host function's.
pub(crate) fn call_folds(call: &Call, host: HostCalls<'_>) -> bool {
    !calls_host(call, host) && folds(call.target.iter().chain(&call.args), host)
}
