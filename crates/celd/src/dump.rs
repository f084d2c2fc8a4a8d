//! A readable dump of a checked expression: the CEL text with the deduced type of every node.
//!
//! `print_typed` writes cel-go's debug notation: every node is followed by `~type`, operators
//! are fully parenthesised (so no precedence needs reading), macro expansions print as the call
//! that was written, and literals that a program reads from its parameter vector print as
//! `$N`. The result is for people (`celd dump`, the cache's program dump); it does not parse back.

use std::collections::HashMap;
use std::fmt::Write;

use celd_check::CheckedAst;
use celd_syntax::ExprId;
use celd_syntax::ast::{Call, Comprehension, Expr, ExprKind, MacroArg, MacroCall};

/// `checked` as CEL with `~type` after every node; `slot_of` names the hoisted literals.
pub fn print_typed(checked: &CheckedAst, slot_of: &dyn Fn(ExprId) -> Option<u32>) -> String {
    let ast = checked.ast();
    let mut nodes = HashMap::new();
    index_nodes(&ast.expr, &mut nodes);
    let mut printer = TypedPrinter {
        checked,
        slot_of,
        nodes,
        out: String::new(),
    };
    printer.expr(&ast.expr);
    printer.out
}

fn index_nodes<'a>(expr: &'a Expr, nodes: &mut HashMap<ExprId, &'a Expr>) {
    nodes.insert(expr.id, expr);
    for child in expr.children() {
        index_nodes(child, nodes);
    }
}

struct TypedPrinter<'a> {
    checked: &'a CheckedAst,
    slot_of: &'a dyn Fn(ExprId) -> Option<u32>,
    nodes: HashMap<ExprId, &'a Expr>,
    out: String,
}

/// The operators printed infix: function name and text.
const INFIX: [(&str, &str); 14] = [
    ("_||_", "||"),
    ("_&&_", "&&"),
    ("_<_", "<"),
    ("_<=_", "<="),
    ("_>_", ">"),
    ("_>=_", ">="),
    ("_==_", "=="),
    ("_!=_", "!="),
    ("@in", "in"),
    ("_+_", "+"),
    ("_-_", "-"),
    ("_*_", "*"),
    ("_/_", "/"),
    ("_%_", "%"),
];

impl<'a> TypedPrinter<'a> {
    fn expr(&mut self, expr: &'a Expr) {
        // `has(a.f)` prints from its presence test, whose operand is typed.
        let presence_test = matches!(&expr.kind, ExprKind::Select(s) if s.test_only);
        if let Some(call) = self.macro_call(expr).filter(|_| !presence_test) {
            self.macro_call_text(call);
        } else {
            self.bare(expr);
        }
        let _ = write!(self.out, "~{}", self.checked.type_of(expr.id));
    }

    fn bare(&mut self, expr: &'a Expr) {
        match &expr.kind {
            ExprKind::Literal(literal) => match (self.slot_of)(expr.id) {
                Some(slot) => {
                    let _ = write!(self.out, "${slot}");
                }
                None => {
                    let value = celd_eval::planner::literal_value(literal);
                    let _ = write!(self.out, "{value}");
                }
            },
            ExprKind::Ident(name) => self.out.push_str(name),
            ExprKind::Select(select) => {
                if select.test_only {
                    self.out.push_str("has(");
                }
                self.expr(&select.operand);
                let _ = write!(self.out, ".{}", select.field);
                if select.test_only {
                    self.out.push(')');
                }
            }
            ExprKind::Call(call) => self.call(call),
            ExprKind::List(list) => {
                self.out.push('[');
                for (i, element) in list.elements.iter().enumerate() {
                    self.separator(i);
                    if list.optional_indices.contains(&(i as u32)) {
                        self.out.push('?');
                    }
                    self.expr(element);
                }
                self.out.push(']');
            }
            ExprKind::Map(map) => {
                self.out.push('{');
                for (i, entry) in map.entries.iter().enumerate() {
                    self.separator(i);
                    if entry.optional {
                        self.out.push('?');
                    }
                    self.expr(&entry.key);
                    self.out.push_str(": ");
                    self.expr(&entry.value);
                }
                self.out.push('}');
            }
            ExprKind::Struct(message) => {
                let _ = write!(self.out, "{}{{", message.type_name);
                for (i, field) in message.fields.iter().enumerate() {
                    self.separator(i);
                    let q = if field.optional { "?" } else { "" };
                    let _ = write!(self.out, "{q}{}: ", field.name);
                    self.expr(&field.value);
                }
                self.out.push('}');
            }
            ExprKind::Comprehension(c) => self.bare_comprehension(c),
        }
    }

    fn separator(&mut self, index: usize) {
        if index > 0 {
            self.out.push_str(", ");
        }
    }

    fn call(&mut self, call: &'a Call) {
        let infix = INFIX.iter().find(|(name, _)| *name == call.function);
        match (
            call.target.as_ref(),
            call.function.as_str(),
            call.args.as_slice(),
        ) {
            (None, _, [lhs, rhs]) if infix.is_some() => {
                let text = infix.map_or("?", |(_, text)| *text);
                self.out.push('(');
                self.expr(lhs);
                let _ = write!(self.out, " {text} ");
                self.expr(rhs);
                self.out.push(')');
            }
            (None, "_?_:_", [condition, if_true, if_false]) => {
                self.out.push('(');
                self.expr(condition);
                self.out.push_str(" ? ");
                self.expr(if_true);
                self.out.push_str(" : ");
                self.expr(if_false);
                self.out.push(')');
            }
            (None, "!_" | "-_", [operand]) => {
                self.out.push('(');
                self.out.push_str(&call.function[..1]);
                self.expr(operand);
                self.out.push(')');
            }
            (None, "_[_]" | "_[?_]", [operand, index]) => {
                self.expr(operand);
                self.out
                    .push_str(if call.function == "_[?_]" { "[?" } else { "[" });
                self.expr(index);
                self.out.push(']');
            }
            (None, "_?._", [operand, field]) => {
                self.expr(operand);
                self.out.push_str(".?");
                match &field.kind {
                    ExprKind::Literal(celd_syntax::Literal::String(name)) => {
                        self.out.push_str(name)
                    }
                    _ => self.expr(field),
                }
            }
            (target, function, args) => {
                if let Some(target) = target {
                    self.expr(target);
                    self.out.push('.');
                }
                let _ = write!(self.out, "{function}(");
                for (i, arg) in args.iter().enumerate() {
                    self.separator(i);
                    self.expr(arg);
                }
                self.out.push(')');
            }
        }
    }

    /// The macro call `expr` was expanded from, when every argument it names is in the tree.
    fn macro_call(&self, expr: &Expr) -> Option<&'a MacroCall> {
        let call = self.checked.ast().macro_calls.get(&expr.id)?;
        let printable = call.target.iter().chain(&call.args).all(|arg| match arg {
            MacroArg::Expr(id) => *id < expr.id && self.nodes.contains_key(id),
            MacroArg::Detached(_) => true,
        });
        printable.then_some(call)
    }

    fn macro_call_text(&mut self, call: &'a MacroCall) {
        if let Some(target) = &call.target {
            self.macro_arg(target);
            self.out.push('.');
        }
        let _ = write!(self.out, "{}(", call.function);
        for (i, arg) in call.args.iter().enumerate() {
            self.separator(i);
            self.macro_arg(arg);
        }
        self.out.push(')');
    }

    fn macro_arg(&mut self, arg: &'a MacroArg) {
        match arg {
            MacroArg::Expr(id) => {
                if let Some(node) = self.nodes.get(id).copied() {
                    self.expr(node);
                }
            }
            // Consumed by the expansion (a loop variable's name): it has no type of its own.
            MacroArg::Detached(expr) => write_detached(expr, &mut self.out),
        }
    }

    fn bare_comprehension(&mut self, c: &'a Comprehension) {
        let _ = write!(self.out, "@comprehension({}", c.iter_var);
        if let Some(var2) = &c.iter_var2 {
            let _ = write!(self.out, ", {var2}");
        }
        let _ = write!(self.out, ", {}", c.accu_var);
        for part in [
            &c.iter_range,
            &c.accu_init,
            &c.loop_condition,
            &c.loop_step,
            &c.result,
        ] {
            self.out.push_str(", ");
            self.expr(part);
        }
        self.out.push(')');
    }
}

/// A macro argument consumed by the expansion: a loop variable `i`, or `a.f` of `has(a.f)`.
fn write_detached(expr: &Expr, out: &mut String) {
    match &expr.kind {
        ExprKind::Ident(name) => out.push_str(name),
        ExprKind::Select(select) => {
            write_detached(&select.operand, out);
            let _ = write!(out, ".{}", select.field);
        }
        _ => out.push('_'),
    }
}

#[cfg(test)]
mod tests {
    use super::print_typed;
    use crate::{Env, Type};

    fn typed(text: &str, slot: Option<(u32, u32)>) -> String {
        let env = Env::builder()
            .all_extensions()
            .variable("x", Type::Int)
            .variable("l", Type::list(Type::Int))
            .variable("m", Type::map(Type::String, Type::Int))
            .build()
            .expect("builds");
        let checked = env
            .check_ast(env.parse(text).expect("parses"))
            .expect("checks");
        print_typed(&checked, &|id| {
            slot.and_then(|(node, slot)| (id.0 == node).then_some(slot))
        })
    }

    #[test]
    fn operators_are_parenthesised_and_every_node_typed() {
        assert_eq!(
            typed("x + 1 * 2", None),
            "(x~int + (1~int * 2~int)~int)~int"
        );
        assert_eq!(
            typed("!(x > 1) ? 'a' : string(m['k'])", None),
            "((!(x~int > 1~int)~bool)~bool ? \"a\"~string : string(m~map(string, int)[\"k\"~string]~int)~string)~string"
        );
    }

    #[test]
    fn hoisted_literals_print_as_slots() {
        // `x` is node 1, the literal 2.
        assert_eq!(typed("x - 7", Some((2, 0))), "(x~int - $0~int)~int");
    }

    #[test]
    fn macros_print_as_written() {
        assert_eq!(
            typed("l.exists(i, i > 2) && has(m.k)", None),
            "(l~list(int).exists(i, (i~int > 2~int)~bool)~bool && has(m~map(string, int).k)~bool)~bool"
        );
        assert_eq!(
            typed("m.?k.orValue(0)", None),
            "m~map(string, int).?k~optional_type(int).orValue(0~int)~int"
        );
    }
}
