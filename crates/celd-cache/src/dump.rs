//! [`ProgramDump`]: what a program actually is — the template, its parameter slots, the
//! checked expression with every type, and the evaluation plan, one node per line.

use std::fmt;

use celd::layers::syntax::ast::{Expr, ExprKind, Literal};
use celd::layers::syntax::{Ast, ExprId};
use celd::{Env, Error, Program};

use crate::cache::{ProgramCache, compile_template, program_id, signature_hash};
use crate::entry::{CachedProgram, ProgramId};
use crate::inventory::ProgramInfo;
use crate::template::{Template, template_text};

/// A program explained for a developer; `Display` prints it as sections.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgramDump {
    pub id: ProgramId,
    /// The expression with hoisted literals shown as `$N`.
    pub template: String,
    pub result_type: String,
    pub slots: Vec<SlotInfo>,
    /// The checked expression as CEL with `~type` after every node (`celd::dump::print_typed`).
    pub checked: String,
    /// The evaluation plan: numbered lines, one node each, with the source span it came from.
    pub plan: String,
}

/// One parameter slot: a literal hoisted out of the key.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotInfo {
    pub slot: u32,
    /// The literal's type: `int`, `uint`, `double`, `string` or `bytes`.
    pub ty: &'static str,
    /// The value in the text the dump was made from, in CEL syntax.
    pub value: String,
    pub line: u32,
    pub column: u32,
}

/// Dumps `text` as the cache would compile it (parameterized), without caching it.
pub fn dump(env: &Env, text: &str) -> Result<ProgramDump, Error> {
    let ast = env.parse(text)?;
    let mut template = Template::default();
    template.fill(&ast, env);
    let program = compile_template(env, ast.clone(), &template.slots)?;
    let id = program_id(&template.key, signature_hash(env));
    explain(env, &ast, &template, &program, id)
}

impl ProgramCache {
    /// The dump of a live program, made from the cached program's plan and a fresh check of
    /// the text it was compiled from. `None` when no live program has this id.
    pub fn dump(&self, id: ProgramId) -> Option<Result<ProgramDump, Error>> {
        let entry = self.entries().find(|e| e.id == id)?;
        Some(dump_entry(&entry))
    }

    /// Every live program with its dump, made as the iterator reaches it (an export walks
    /// the cache once, holding one dump at a time).
    pub fn dumps(&self) -> impl Iterator<Item = (ProgramInfo, Result<ProgramDump, Error>)> + '_ {
        self.entries().map(|entry| {
            let info = crate::inventory::info(&entry, self.now_nanos());
            (info, dump_entry(&entry))
        })
    }
}

/// A cached program's dump, from its plan and a fresh check of the text it was compiled from.
fn dump_entry(entry: &CachedProgram) -> Result<ProgramDump, Error> {
    let ast = entry.env.parse(entry.program.source().text())?;
    let mut template = Template::default();
    template.fill(&ast, &entry.env);
    explain(&entry.env, &ast, &template, &entry.program, entry.id)
}

fn explain(
    env: &Env,
    ast: &Ast,
    template: &Template,
    program: &Program,
    id: ProgramId,
) -> Result<ProgramDump, Error> {
    let checked = env.check_ast(ast.clone())?;
    let slot_of = |node: ExprId| {
        template
            .slots
            .iter()
            .position(|&s| s == node)
            .map(|i| i as u32)
    };
    let slots = template
        .slots
        .iter()
        .enumerate()
        .filter_map(|(slot, &node)| slot_info(ast, slot as u32, node))
        .collect();
    Ok(ProgramDump {
        id,
        template: template_text(ast, &template.slots),
        result_type: program.result_type().to_string(),
        slots,
        checked: celd::dump::print_typed(&checked, &slot_of),
        plan: program.dump_plan(),
    })
}

fn slot_info(ast: &Ast, slot: u32, node: ExprId) -> Option<SlotInfo> {
    let literal = find_literal(&ast.expr, node)?;
    let ty = match literal {
        Literal::Int(_) => "int",
        Literal::Uint(_) => "uint",
        Literal::Double(_) => "double",
        Literal::String(_) => "string",
        Literal::Bytes(_) => "bytes",
        Literal::Bool(_) => "bool",
        Literal::Null => "null_type",
    };
    let location = ast.source.location(ast.span(node).start);
    Some(SlotInfo {
        slot,
        ty,
        value: celd::layers::eval::planner::literal_value(literal).to_string(),
        line: location.line,
        column: location.column,
    })
}

fn find_literal(expr: &Expr, id: ExprId) -> Option<&Literal> {
    match &expr.kind {
        ExprKind::Literal(literal) if expr.id == id => Some(literal),
        _ => expr
            .children()
            .into_iter()
            .find_map(|c| find_literal(c, id)),
    }
}

impl fmt::Display for ProgramDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "program {}", self.id)?;
        writeln!(f, "template: {}", self.template)?;
        writeln!(f, "type: {}", self.result_type)?;
        if self.slots.is_empty() {
            writeln!(f, "parameters: none")?;
        } else {
            writeln!(f, "parameters:")?;
            for s in &self.slots {
                writeln!(
                    f,
                    "  ${:<3} {:<7} {}:{}  (here {})",
                    s.slot, s.ty, s.line, s.column, s.value
                )?;
            }
        }
        writeln!(f, "checked:")?;
        writeln!(f, "  {}", self.checked)?;
        write!(f, "{}", self.plan)
    }
}
