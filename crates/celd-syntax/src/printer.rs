//! The unparser: an [`Ast`] back to CEL text that parses to an equal tree (ids and spans aside).
//!
//! Macro expansions print as the call the user wrote (from [`Ast::macro_calls`]), operators
//! get the fewest parentheses their precedence needs, and literals print in a form that reads
//! back as the same value. Recursion follows the tree, whose depth the parser already bounded
//! (`ParseOptions::max_depth`), so printing a parsed AST cannot overflow the stack.
//!
//! What has no CEL syntax prints as a best effort that does not parse back to the same tree:
//! a comprehension without its macro call, operators called receiver-style, and non-finite
//! doubles (printed as `double("NaN")`, `double("Infinity")`, `double("-Infinity")`).

use std::fmt::Write;

use crate::ast::{Ast, Call, Comprehension, Expr, ExprKind, Literal, MacroArg, MacroCall};

/// Prints `ast` as CEL source text.
pub fn print(ast: &Ast) -> String {
    let mut printer = Printer {
        ast,
        nodes: index_nodes(ast),
        out: String::new(),
    };
    printer.expr(&ast.expr, Prec::Lowest);
    printer.out
}

/// Binding strength, loosest first; an operand printed where a tighter one is required gets parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Prec {
    Lowest,
    Or,
    And,
    Relation,
    Additive,
    Multiplicative,
    Unary,
    Member,
}

impl Prec {
    fn tighter(self) -> Prec {
        match self {
            Prec::Lowest => Prec::Or,
            Prec::Or => Prec::And,
            Prec::And => Prec::Relation,
            Prec::Relation => Prec::Additive,
            Prec::Additive => Prec::Multiplicative,
            Prec::Multiplicative => Prec::Unary,
            Prec::Unary | Prec::Member => Prec::Member,
        }
    }
}

/// The infix operators: function name, text, precedence.
const BINARY_OPERATORS: [(&str, &str, Prec); 14] = [
    ("_||_", "||", Prec::Or),
    ("_&&_", "&&", Prec::And),
    ("_<_", "<", Prec::Relation),
    ("_<=_", "<=", Prec::Relation),
    ("_>_", ">", Prec::Relation),
    ("_>=_", ">=", Prec::Relation),
    ("_==_", "==", Prec::Relation),
    ("_!=_", "!=", Prec::Relation),
    ("@in", "in", Prec::Relation),
    ("_+_", "+", Prec::Additive),
    ("_-_", "-", Prec::Additive),
    ("_*_", "*", Prec::Multiplicative),
    ("_/_", "/", Prec::Multiplicative),
    ("_%_", "%", Prec::Multiplicative),
];

/// How a call prints.
enum Form<'e> {
    Conditional,
    Binary(&'static str, Prec),
    Unary(&'static str),
    Index { optional: bool },
    OptionalSelect(&'e str),
    Plain,
}

fn form(call: &Call) -> Form<'_> {
    if call.target.is_some() {
        return Form::Plain;
    }
    let function = call.function.as_str();
    match (function, call.args.as_slice()) {
        ("_?_:_", [_, _, _]) => Form::Conditional,
        ("!_", [_]) => Form::Unary("!"),
        ("-_", [_]) => Form::Unary("-"),
        ("_[_]", [_, _]) => Form::Index { optional: false },
        ("_[?_]", [_, _]) => Form::Index { optional: true },
        ("_?._", [_, field]) => match &field.kind {
            ExprKind::Literal(Literal::String(name)) => Form::OptionalSelect(name),
            _ => Form::Plain,
        },
        (_, [_, _]) => BINARY_OPERATORS
            .iter()
            .find(|(name, _, _)| *name == function)
            .map_or(Form::Plain, |&(_, text, prec)| Form::Binary(text, prec)),
        _ => Form::Plain,
    }
}

/// Every node of the tree by id, so macro arguments recorded as ids can be found.
fn index_nodes(ast: &Ast) -> Vec<Option<&Expr>> {
    if ast.macro_calls.is_empty() {
        return Vec::new();
    }
    let mut nodes = vec![None; ast.id_bound() as usize];
    fill_index(&ast.expr, &mut nodes);
    nodes
}

fn fill_index<'a>(expr: &'a Expr, nodes: &mut Vec<Option<&'a Expr>>) {
    if let Some(slot) = nodes.get_mut(expr.id.index()) {
        *slot = Some(expr);
    }
    for child in expr.children() {
        fill_index(child, nodes);
    }
}

struct Printer<'a> {
    ast: &'a Ast,
    nodes: Vec<Option<&'a Expr>>,
    out: String,
}

impl<'a> Printer<'a> {
    /// Prints `expr`, in parentheses if it binds looser than `min`.
    fn expr(&mut self, expr: &'a Expr, min: Prec) {
        if self.precedence(expr) < min {
            self.out.push('(');
            self.expr_bare(expr);
            self.out.push(')');
        } else {
            self.expr_bare(expr);
        }
    }

    fn precedence(&self, expr: &Expr) -> Prec {
        if self.macro_call(expr).is_some() {
            return Prec::Member;
        }
        match &expr.kind {
            ExprKind::Call(call) => match form(call) {
                Form::Conditional => Prec::Lowest,
                Form::Binary(_, prec) => prec,
                Form::Unary(_) => Prec::Unary,
                Form::Index { .. } | Form::OptionalSelect(_) | Form::Plain => Prec::Member,
            },
            ExprKind::Literal(Literal::Int(i)) if *i < 0 => Prec::Unary,
            ExprKind::Literal(Literal::Double(d)) if d.is_sign_negative() => Prec::Unary,
            _ => Prec::Member,
        }
    }

    fn expr_bare(&mut self, expr: &'a Expr) {
        if let Some(call) = self.macro_call(expr) {
            self.macro_call_text(call);
            return;
        }
        match &expr.kind {
            ExprKind::Literal(literal) => write_literal(literal, &mut self.out),
            ExprKind::Ident(name) => self.out.push_str(name),
            ExprKind::Select(select) => {
                if select.test_only {
                    self.out.push_str("has(");
                }
                self.expr(&select.operand, Prec::Member);
                self.out.push('.');
                write_field_name(&select.field, &mut self.out);
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
                    self.expr(element, Prec::Lowest);
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
                    self.expr(&entry.key, Prec::Lowest);
                    self.out.push_str(": ");
                    self.expr(&entry.value, Prec::Lowest);
                }
                self.out.push('}');
            }
            ExprKind::Struct(message) => {
                self.out.push_str(&message.type_name);
                self.out.push('{');
                for (i, field) in message.fields.iter().enumerate() {
                    self.separator(i);
                    if field.optional {
                        self.out.push('?');
                    }
                    write_field_name(&field.name, &mut self.out);
                    self.out.push_str(": ");
                    self.expr(&field.value, Prec::Lowest);
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
        match (form(call), call.args.as_slice()) {
            (Form::Conditional, [condition, if_true, if_false]) => {
                self.expr(condition, Prec::Or);
                self.out.push_str(" ? ");
                self.expr(if_true, Prec::Or);
                self.out.push_str(" : ");
                self.expr(if_false, Prec::Lowest);
            }
            (Form::Binary(text, prec), [lhs, rhs]) if matches!(prec, Prec::Or | Prec::And) => {
                self.logical(&call.function, text, prec, lhs, rhs);
            }
            (Form::Binary(text, prec), [lhs, rhs]) => {
                self.expr(lhs, prec);
                let _ = write!(self.out, " {text} ");
                self.expr(rhs, prec.tighter());
            }
            (Form::Unary(text), [operand]) => {
                self.out.push_str(text);
                if text == "-" && self.starts_with_unsigned_number(operand) {
                    // `-(1)` is a call; `-1` would read back as the literal -1.
                    self.out.push('(');
                    self.expr_bare(operand);
                    self.out.push(')');
                } else {
                    self.expr(operand, Prec::Unary);
                }
            }
            (Form::Index { optional }, [operand, index]) => {
                self.expr(operand, Prec::Member);
                self.out.push_str(if optional { "[?" } else { "[" });
                self.expr(index, Prec::Lowest);
                self.out.push(']');
            }
            (Form::OptionalSelect(field), [operand, _]) => {
                self.expr(operand, Prec::Member);
                self.out.push_str(".?");
                write_field_name(field, &mut self.out);
            }
            _ => {
                if let Some(target) = &call.target {
                    self.expr(target, Prec::Member);
                    self.out.push('.');
                }
                self.out.push_str(&call.function);
                self.out.push('(');
                for (i, arg) in call.args.iter().enumerate() {
                    self.separator(i);
                    self.expr(arg, Prec::Lowest);
                }
                self.out.push(')');
            }
        }
    }

    /// `a && b && c` when the tree has the balanced shape the parser builds from that chain;
    /// otherwise the two operands, with parentheses around nested uses of the same operator.
    fn logical(&mut self, function: &str, text: &str, prec: Prec, lhs: &'a Expr, rhs: &'a Expr) {
        let mut terms = Vec::new();
        self.collect_terms(lhs, function, &mut terms);
        self.collect_terms(rhs, function, &mut terms);
        let balanced = self.has_balanced_shape(lhs, rhs, function, terms.len());
        if !balanced {
            terms = vec![lhs, rhs];
        }
        for (i, term) in terms.into_iter().enumerate() {
            if i > 0 {
                let _ = write!(self.out, " {text} ");
            }
            if self.is_logical(term, function) {
                self.out.push('(');
                self.expr_bare(term);
                self.out.push(')');
            } else {
                self.expr(term, prec.tighter());
            }
        }
    }

    /// The operands of a chain of `function` calls, left to right.
    fn collect_terms(&self, expr: &'a Expr, function: &str, terms: &mut Vec<&'a Expr>) {
        match &expr.kind {
            ExprKind::Call(call) if self.is_logical(expr, function) => {
                for arg in &call.args {
                    self.collect_terms(arg, function, terms);
                }
            }
            _ => terms.push(expr),
        }
    }

    fn has_balanced_shape(&self, lhs: &Expr, rhs: &Expr, function: &str, count: usize) -> bool {
        let left_count = (count.saturating_sub(1)) / 2 + 1;
        self.is_balanced(lhs, function, left_count)
            && self.is_balanced(rhs, function, count.saturating_sub(left_count))
    }

    fn is_balanced(&self, expr: &Expr, function: &str, count: usize) -> bool {
        if count <= 1 {
            return count == 1 && !self.is_logical(expr, function);
        }
        match &expr.kind {
            ExprKind::Call(call) if self.is_logical(expr, function) => match call.args.as_slice() {
                [lhs, rhs] => self.has_balanced_shape(lhs, rhs, function, count),
                _ => false,
            },
            _ => false,
        }
    }

    /// A two-operand call of `function` (`_&&_` or `_||_`) that prints as an operator.
    fn is_logical(&self, expr: &Expr, function: &str) -> bool {
        match &expr.kind {
            ExprKind::Call(call) => {
                call.target.is_none()
                    && call.function == function
                    && call.args.len() == 2
                    && self.macro_call(expr).is_none()
            }
            _ => false,
        }
    }

    /// Whether `expr` prints starting with a digit or `.` (a non-negative int or double
    /// literal, possibly followed by member accesses or a macro call on it), so that a `-`
    /// before it would fold into the literal.
    fn starts_with_unsigned_number(&self, expr: &Expr) -> bool {
        if let Some(call) = self.macro_call(expr) {
            return match &call.target {
                Some(MacroArg::Expr(id)) => self
                    .node(*id)
                    .is_some_and(|target| self.starts_with_unsigned_number(target)),
                Some(MacroArg::Detached(target)) => self.starts_with_unsigned_number(target),
                None => false,
            };
        }
        match &expr.kind {
            ExprKind::Literal(Literal::Int(i)) => *i >= 0,
            ExprKind::Literal(Literal::Double(d)) => !d.is_sign_negative(),
            ExprKind::Select(select) if !select.test_only => {
                self.starts_with_unsigned_number(&select.operand)
            }
            ExprKind::Call(call) => match (&call.target, form(call), call.args.first()) {
                (Some(target), _, _) => self.starts_with_unsigned_number(target),
                (None, Form::Index { .. } | Form::OptionalSelect(_), Some(operand)) => {
                    self.starts_with_unsigned_number(operand)
                }
                _ => false,
            },
            _ => false,
        }
    }

    // ---- macros ----

    /// The macro call `expr` was expanded from, if it can be printed: every argument it
    /// refers to by id must be a node of the tree made before `expr` (as the parser makes them).
    fn macro_call(&self, expr: &Expr) -> Option<&'a MacroCall> {
        let call = self.ast.macro_calls.get(&expr.id)?;
        let printable = call.target.iter().chain(&call.args).all(|arg| match arg {
            MacroArg::Expr(id) => *id < expr.id && self.node(*id).is_some(),
            MacroArg::Detached(_) => true,
        });
        printable.then_some(call)
    }

    fn node(&self, id: crate::ast::ExprId) -> Option<&'a Expr> {
        self.nodes.get(id.index()).copied().flatten()
    }

    fn macro_call_text(&mut self, call: &'a MacroCall) {
        if let Some(target) = &call.target {
            self.macro_arg(target, Prec::Member);
            self.out.push('.');
        }
        self.out.push_str(&call.function);
        self.out.push('(');
        for (i, arg) in call.args.iter().enumerate() {
            self.separator(i);
            self.macro_arg(arg, Prec::Lowest);
        }
        self.out.push(')');
    }

    fn macro_arg(&mut self, arg: &'a MacroArg, min: Prec) {
        match arg {
            MacroArg::Expr(id) => {
                if let Some(node) = self.node(*id) {
                    self.expr(node, min);
                }
            }
            MacroArg::Detached(expr) => self.expr(expr, min),
        }
    }

    /// A fold with no recorded macro call has no CEL syntax; this shows its parts.
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
            self.expr(part, Prec::Lowest);
        }
        self.out.push(')');
    }
}

/// A field name as written after `.` or in a message literal: backquoted unless it is a
/// plain identifier other than `true`, `false`, `null` and `in`.
fn write_field_name(name: &str, out: &mut String) {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(name, "true" | "false" | "null" | "in");
    if plain {
        out.push_str(name);
    } else {
        let _ = write!(out, "`{name}`");
    }
}

fn write_literal(literal: &Literal, out: &mut String) {
    match literal {
        Literal::Null => out.push_str("null"),
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Literal::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Literal::Uint(u) => {
            let _ = write!(out, "{u}u");
        }
        Literal::Double(d) => write_double(*d, out),
        Literal::String(s) => write_string(s, out),
        Literal::Bytes(b) => write_bytes(b, out),
    }
}

/// Rust's shortest round-trip form (`1.0`, `0.1`, `1e100`, `5e-324`) always has a `.` or an
/// exponent, so it reads back as the same double.
fn write_double(d: f64, out: &mut String) {
    let _ = if d.is_nan() {
        write!(out, "double(\"NaN\")")
    } else if d.is_infinite() {
        let sign = if d < 0.0 { "-" } else { "" };
        write!(out, "double(\"{sign}Infinity\")")
    } else {
        write!(out, "{d:?}")
    };
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_bytes(bytes: &[u8], out: &mut String) {
    out.push_str("b\"");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b' '..=b'~' => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
}
