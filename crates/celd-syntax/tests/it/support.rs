//! The one place tests call the parser, plus a compact S-expression dump of an AST.

use std::fmt::Write;

use celd_syntax::ast::{Comprehension, Expr, ExprKind, Literal};
use celd_syntax::{Ast, ParseError, ParseOptions, Source, parse};
use expect_test::Expect;

pub fn parse_with(text: &str, options: &ParseOptions) -> Result<Ast, ParseError> {
    parse(Source::new(text), options)
}

pub fn parse_default(text: &str) -> Result<Ast, ParseError> {
    parse_with(text, &ParseOptions::default())
}

/// Parses `text` and compares the dump of its AST (or its rendered errors) with `expect`.
pub fn check_parse(text: &str, expect: Expect) {
    expect.assert_eq(&parse_outcome(text, &ParseOptions::default()));
}

pub fn check_parse_with(text: &str, options: &ParseOptions, expect: Expect) {
    expect.assert_eq(&parse_outcome(text, options));
}

/// The dump of the AST, or the rendered diagnostics.
pub fn parse_outcome(text: &str, options: &ParseOptions) -> String {
    match parse_with(text, options) {
        Ok(ast) => dump(&ast.expr),
        Err(error) => error.to_string(),
    }
}

/// Parses or panics with the rendered diagnostics (tests only).
pub fn parse_ok(text: &str) -> Ast {
    match parse_default(text) {
        Ok(ast) => ast,
        Err(error) => panic!("{text:?} did not parse:\n{error}"),
    }
}

/// A one-line dump: calls as `f(args)`, receiver calls as `target.f(args)`, selects as
/// `operand.field`, presence tests as `operand.field~test`, folds as
/// `fold(x in range; accu = init; condition; step; result)`.
pub fn dump(expr: &Expr) -> String {
    let mut out = String::new();
    dump_into(expr, &mut out);
    out
}

fn dump_into(expr: &Expr, out: &mut String) {
    match &expr.kind {
        ExprKind::Literal(literal) => dump_literal(literal, out),
        ExprKind::Ident(name) => out.push_str(name),
        ExprKind::Select(select) => {
            dump_into(&select.operand, out);
            let _ = write!(out, ".{}", select.field);
            if select.test_only {
                out.push_str("~test");
            }
        }
        ExprKind::Call(call) => {
            if let Some(target) = &call.target {
                dump_into(target, out);
                out.push('.');
            }
            out.push_str(&call.function);
            out.push('(');
            dump_list(&call.args, out);
            out.push(')');
        }
        ExprKind::List(list) => {
            out.push('[');
            for (i, element) in list.elements.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if list.optional_indices.contains(&(i as u32)) {
                    out.push('?');
                }
                dump_into(element, out);
            }
            out.push(']');
        }
        ExprKind::Map(map) => {
            out.push('{');
            for (i, entry) in map.entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if entry.optional {
                    out.push('?');
                }
                dump_into(&entry.key, out);
                out.push_str(": ");
                dump_into(&entry.value, out);
            }
            out.push('}');
        }
        ExprKind::Struct(message) => {
            out.push_str(&message.type_name);
            out.push('{');
            for (i, field) in message.fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if field.optional {
                    out.push('?');
                }
                let _ = write!(out, "{}: ", field.name);
                dump_into(&field.value, out);
            }
            out.push('}');
        }
        ExprKind::Comprehension(c) => dump_fold(c, out),
    }
}

fn dump_fold(c: &Comprehension, out: &mut String) {
    out.push_str("fold(");
    out.push_str(&c.iter_var);
    if let Some(var2) = &c.iter_var2 {
        let _ = write!(out, ", {var2}");
    }
    out.push_str(" in ");
    dump_into(&c.iter_range, out);
    let _ = write!(out, "; {} = ", c.accu_var);
    dump_into(&c.accu_init, out);
    for part in [&c.loop_condition, &c.loop_step, &c.result] {
        out.push_str("; ");
        dump_into(part, out);
    }
    out.push(')');
}

fn dump_list(exprs: &[Expr], out: &mut String) {
    for (i, e) in exprs.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        dump_into(e, out);
    }
}

pub fn dump_literal(literal: &Literal, out: &mut String) {
    let _ = match literal {
        Literal::Null => write!(out, "null"),
        Literal::Bool(b) => write!(out, "{b}"),
        Literal::Int(i) => write!(out, "{i}"),
        Literal::Uint(u) => write!(out, "{u}u"),
        Literal::Double(d) => write!(out, "{d:?}"),
        Literal::String(s) => write!(out, "{:?}", s.as_str()),
        Literal::Bytes(b) => write!(out, "b\"{}\"", b.escape_ascii()),
    };
}

/// Parses every input and compares one line per input (`input ==> dump`, or the rendered
/// errors indented below it) with `expect`; adding a case is adding a line.
pub fn check_table(inputs: &[&str], expect: Expect) {
    let mut out = String::new();
    for input in inputs {
        let outcome = parse_outcome(input, &ParseOptions::default());
        let input = if input.trim().is_empty() {
            format!("{input:?}")
        } else {
            escape_controls(input)
        };
        if outcome.starts_with("ERROR: ") {
            let _ = writeln!(out, "{input}");
            for line in outcome.lines() {
                let _ = writeln!(out, "    {}", escape_controls(line).trim_end());
            }
        } else {
            let _ = writeln!(out, "{input}  ==>  {outcome}");
        }
    }
    expect.assert_eq(&out);
}

/// `text` with control characters shown as escapes, so snapshots stay one line per case.
pub fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A copy of `expr` with every id zeroed, to compare trees regardless of numbering.
pub fn without_ids(expr: &Expr) -> Expr {
    use celd_syntax::ExprId;
    let mut copy = expr.clone();
    zero_ids(&mut copy);
    fn zero_ids(expr: &mut Expr) {
        expr.id = ExprId(0);
        match &mut expr.kind {
            ExprKind::Literal(_) | ExprKind::Ident(_) => {}
            ExprKind::Select(s) => zero_ids(&mut s.operand),
            ExprKind::Call(c) => {
                c.target.iter_mut().for_each(zero_ids);
                c.args.iter_mut().for_each(zero_ids);
            }
            ExprKind::List(l) => l.elements.iter_mut().for_each(zero_ids),
            ExprKind::Map(m) => {
                for entry in &mut m.entries {
                    entry.id = ExprId(0);
                    zero_ids(&mut entry.key);
                    zero_ids(&mut entry.value);
                }
            }
            ExprKind::Struct(s) => {
                for field in &mut s.fields {
                    field.id = ExprId(0);
                    zero_ids(&mut field.value);
                }
            }
            ExprKind::Comprehension(c) => {
                for part in [
                    &mut c.iter_range,
                    &mut c.accu_init,
                    &mut c.loop_condition,
                    &mut c.loop_step,
                    &mut c.result,
                ] {
                    zero_ids(part);
                }
            }
        }
    }
    copy
}

/// Parses `text`, prints it, parses the print: the two trees must be equal but for ids,
/// and printing again must give the same text. Returns the printed text.
pub fn check_round_trip(text: &str) -> Result<String, String> {
    let first = parse_default(text).map_err(|e| format!("{text:?} does not parse:\n{e}"))?;
    operator_table_problem(&first).map_err(|problem| format!("{text:?}: {problem}"))?;
    let printed = celd_syntax::print(&first);
    let second = parse_default(&printed)
        .map_err(|e| format!("{text:?} printed as {printed:?}, which does not parse:\n{e}"))?;
    if without_ids(&first.expr) != without_ids(&second.expr) {
        return Err(format!(
            "{text:?} printed as {printed:?} parses differently:\n  {}\n  {}",
            dump(&first.expr),
            dump(&second.expr)
        ));
    }
    let reprinted = celd_syntax::print(&second);
    if reprinted != printed {
        return Err(format!(
            "{text:?} printed as {printed:?}, then as {reprinted:?}"
        ));
    }
    Ok(printed)
}

/// What is wrong with `ast.operator_spans`, if anything: it must be sorted by id with each id
/// once, name only ids of the tree, and hold spans inside the text.
pub fn operator_table_problem(ast: &Ast) -> Result<(), String> {
    let table = &ast.operator_spans;
    if !table.windows(2).all(|w| w[0].0 < w[1].0) {
        return Err(format!("operator spans not sorted by id: {table:?}"));
    }
    let len = ast.source.text().len();
    for &(id, span) in table {
        if id.0 == 0 || id.0 >= ast.id_bound() {
            return Err(format!("operator span for {id:?}, not a node"));
        }
        if span.start > span.end || span.end as usize > len {
            return Err(format!("operator span {span:?} outside the text"));
        }
    }
    Ok(())
}
