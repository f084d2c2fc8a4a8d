//! Shared pieces of the fuzz targets: the environment and variables every target evaluates
//! with, bounded evaluation, outcome comparison, and the small expression grammar the
//! `structured` target generates with `arbitrary`.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use celd::layers::value::json::to_json;
use celd::{Activation, Env, Error, EvalOptions, Limits, Program, Type, Value};

/// Every extension, and variables `x: int`, `y: int`, `s: string`, `l: list(int)`,
/// `m: map(string, dyn)`, `d: dyn`.
pub static ENV: LazyLock<Env> = LazyLock::new(|| {
    Env::builder()
        .variable("x", Type::Int)
        .variable("y", Type::Int)
        .variable("s", Type::String)
        .variable("l", Type::list(Type::Int))
        .variable("m", Type::map(Type::String, Type::Dyn))
        .variable("d", Type::Dyn)
        .all_extensions()
        .build()
        .expect("the fuzz environment builds")
});

/// The values of `ENV`'s variables.
pub fn activation() -> Activation {
    let json = serde_json::json!({"a": [1, 2.5, "t"], "b": {"c": null}, "n": 3});
    let m = celd::layers::value::json::from_json(&json).expect("valid celd JSON");
    let mut act = ENV.activation();
    act.insert("x", 7)
        .insert("y", -3)
        .insert("s", "héllo wörld")
        .insert(
            "l",
            Value::list(vec![Value::Int(3), Value::Int(1), Value::Int(2)]),
        )
        .insert("m", m.clone())
        .insert("d", m);
    act
}

/// Small limits so each input runs quickly: 10,000 cost units, 64 KiB strings, 10,000
/// elements, and a 100 ms deadline.
pub fn limits() -> Limits {
    Limits {
        max_cost: 10_000,
        max_string_bytes: 64 << 10,
        max_list_len: 10_000,
        max_map_len: 10_000,
        ..Limits::default()
    }
}

pub fn eval(program: &Program, act: &Activation, limits: &Limits) -> Result<Value, Error> {
    let options = EvalOptions {
        limits: Some(limits),
        deadline: Some(Instant::now() + Duration::from_millis(100)),
        ..EvalOptions::default()
    };
    program.eval_with(act, &options)
}

/// An outcome in comparable form: the value as celd JSON text (so NaN equals NaN), or the
/// error's kind. Time-dependent limit errors compare as `None` (no verdict).
pub fn comparable(result: &Result<Value, Error>) -> Option<String> {
    match result {
        Ok(v) => Some(to_json(v).to_string()),
        Err(e) if e.kind() == celd::ErrorKind::Limit && e.message().contains("time") => None,
        Err(e) => Some(format!("error of kind {}", e.kind().name())),
    }
}

/// A small CEL grammar: mostly well-typed expressions over the fuzz variables, so inputs reach
/// evaluation rather than stopping at the parser or checker.
#[derive(Arbitrary, Debug)]
pub enum Expr {
    Int(i8),
    BigInt(i64),
    Uint(u8),
    Double(i8),
    Str(SmallStr),
    Bool(bool),
    Null,
    Var(Var),
    Unary(UnaryOp, Box<Expr>),
    Binary(Box<Expr>, BinaryOp, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Index(Box<Expr>, Box<Expr>),
    Select(Box<Expr>, Field),
    Has(Box<Expr>, Field),
    Call(Function, Vec<Expr>),
    Method(Box<Expr>, Method, Vec<Expr>),
    Macro(Box<Expr>, MacroKind, Box<Expr>),
    Bind(Box<Expr>, Box<Expr>),
    Block(Vec<Expr>, Box<Expr>),
    Range(u8),
}

#[derive(Arbitrary, Debug)]
pub enum SmallStr {
    Empty,
    A,
    Hello,
    Unicode,
    Pattern,
    Format,
}

#[derive(Arbitrary, Debug)]
pub enum Var {
    X,
    Y,
    S,
    L,
    M,
    D,
    LoopVar,
    Index0,
}

#[derive(Arbitrary, Debug)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Arbitrary, Debug)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    In,
}

#[derive(Arbitrary, Debug)]
pub enum Field {
    A,
    B,
    C,
    N,
}

#[derive(Arbitrary, Debug)]
pub enum Function {
    Size,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Type,
    Dyn,
    Timestamp,
    Duration,
    MathGreatest,
    MathAbs,
    Base64Encode,
    OptionalOf,
    SetsContains,
}

#[derive(Arbitrary, Debug)]
pub enum Method {
    Contains,
    StartsWith,
    Matches,
    Size,
    Join,
    Split,
    Replace,
    Substring,
    CharAt,
    IndexOf,
    LowerAscii,
    Format,
    Sort,
    Distinct,
    Flatten,
    Reverse,
    Slice,
    OrValue,
    GetHours,
}

#[derive(Arbitrary, Debug)]
pub enum MacroKind {
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
    TransformList,
    SortBy,
}

/// Nesting deeper than this prints a leaf instead (the parser would reject much deeper input).
const MAX_DEPTH: usize = 12;

impl Expr {
    pub fn to_cel(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        use std::fmt::Write;
        if depth > MAX_DEPTH {
            out.push('1');
            return;
        }
        let d = depth + 1;
        match self {
            Expr::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Expr::BigInt(i) => {
                let _ = write!(out, "{i}");
            }
            Expr::Uint(u) => {
                let _ = write!(out, "{u}u");
            }
            Expr::Double(f) => {
                let _ = write!(out, "{:?}", f64::from(*f) / 4.0);
            }
            Expr::Str(s) => out.push_str(match s {
                SmallStr::Empty => "''",
                SmallStr::A => "'a'",
                SmallStr::Hello => "'hello'",
                SmallStr::Unicode => "'héllo😀'",
                SmallStr::Pattern => "'^h.*o$'",
                SmallStr::Format => "'%s-%d'",
            }),
            Expr::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Expr::Null => out.push_str("null"),
            Expr::Var(v) => out.push_str(match v {
                Var::X => "x",
                Var::Y => "y",
                Var::S => "s",
                Var::L => "l",
                Var::M => "m",
                Var::D => "d",
                Var::LoopVar => "e",
                Var::Index0 => "cel.index(0)",
            }),
            Expr::Unary(op, e) => {
                out.push_str(match op {
                    UnaryOp::Not => "!(",
                    UnaryOp::Neg => "-(",
                });
                e.write(out, d);
                out.push(')');
            }
            Expr::Binary(a, op, b) => {
                out.push('(');
                a.write(out, d);
                out.push_str(match op {
                    BinaryOp::Add => " + ",
                    BinaryOp::Sub => " - ",
                    BinaryOp::Mul => " * ",
                    BinaryOp::Div => " / ",
                    BinaryOp::Rem => " % ",
                    BinaryOp::Eq => " == ",
                    BinaryOp::Ne => " != ",
                    BinaryOp::Lt => " < ",
                    BinaryOp::Le => " <= ",
                    BinaryOp::Gt => " > ",
                    BinaryOp::Ge => " >= ",
                    BinaryOp::And => " && ",
                    BinaryOp::Or => " || ",
                    BinaryOp::In => " in ",
                });
                b.write(out, d);
                out.push(')');
            }
            Expr::Cond(c, a, b) => {
                out.push('(');
                c.write(out, d);
                out.push_str(" ? ");
                a.write(out, d);
                out.push_str(" : ");
                b.write(out, d);
                out.push(')');
            }
            Expr::List(items) => {
                out.push('[');
                for (i, item) in items.iter().take(6).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, d);
                }
                out.push(']');
            }
            Expr::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().take(6).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write(out, d);
                    out.push_str(": ");
                    v.write(out, d);
                }
                out.push('}');
            }
            Expr::Index(a, i) => {
                a.write(out, d);
                out.push('[');
                i.write(out, d);
                out.push(']');
            }
            Expr::Select(a, f) => {
                out.push('(');
                a.write(out, d);
                out.push(')');
                out.push_str(field(f));
            }
            Expr::Has(a, f) => {
                out.push_str("has((");
                a.write(out, d);
                out.push(')');
                out.push_str(field(f));
                out.push(')');
            }
            Expr::Call(f, args) => {
                out.push_str(match f {
                    Function::Size => "size",
                    Function::Int => "int",
                    Function::Uint => "uint",
                    Function::Double => "double",
                    Function::String => "string",
                    Function::Bytes => "bytes",
                    Function::Type => "type",
                    Function::Dyn => "dyn",
                    Function::Timestamp => "timestamp",
                    Function::Duration => "duration",
                    Function::MathGreatest => "math.greatest",
                    Function::MathAbs => "math.abs",
                    Function::Base64Encode => "base64.encode",
                    Function::OptionalOf => "optional.of",
                    Function::SetsContains => "sets.contains",
                });
                write_args(args, out, d);
            }
            Expr::Method(target, m, args) => {
                out.push('(');
                target.write(out, d);
                out.push_str(").");
                out.push_str(match m {
                    Method::Contains => "contains",
                    Method::StartsWith => "startsWith",
                    Method::Matches => "matches",
                    Method::Size => "size",
                    Method::Join => "join",
                    Method::Split => "split",
                    Method::Replace => "replace",
                    Method::Substring => "substring",
                    Method::CharAt => "charAt",
                    Method::IndexOf => "indexOf",
                    Method::LowerAscii => "lowerAscii",
                    Method::Format => "format",
                    Method::Sort => "sort",
                    Method::Distinct => "distinct",
                    Method::Flatten => "flatten",
                    Method::Reverse => "reverse",
                    Method::Slice => "slice",
                    Method::OrValue => "orValue",
                    Method::GetHours => "getHours",
                });
                write_args(args, out, d);
            }
            Expr::Macro(range, kind, body) => {
                out.push('(');
                range.write(out, d);
                out.push_str(").");
                let (name, vars) = match kind {
                    MacroKind::All => ("all", "e"),
                    MacroKind::Exists => ("exists", "e"),
                    MacroKind::ExistsOne => ("exists_one", "e"),
                    MacroKind::Map => ("map", "e"),
                    MacroKind::Filter => ("filter", "e"),
                    MacroKind::TransformList => ("transformList", "i, e"),
                    MacroKind::SortBy => ("sortBy", "e"),
                };
                out.push_str(name);
                out.push('(');
                out.push_str(vars);
                out.push_str(", ");
                body.write(out, d);
                out.push(')');
            }
            Expr::Bind(init, body) => {
                out.push_str("cel.bind(e, ");
                init.write(out, d);
                out.push_str(", ");
                body.write(out, d);
                out.push(')');
            }
            Expr::Block(entries, result) => {
                out.push_str("cel.block([");
                for (i, entry) in entries.iter().take(4).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    entry.write(out, d);
                }
                out.push_str("], ");
                result.write(out, d);
                out.push(')');
            }
            Expr::Range(n) => {
                let _ = write!(out, "lists.range({n})");
            }
        }
    }
}

fn field(f: &Field) -> &'static str {
    match f {
        Field::A => ".a",
        Field::B => ".b",
        Field::C => ".c",
        Field::N => ".n",
    }
}

fn write_args(args: &[Expr], out: &mut String, depth: usize) {
    out.push('(');
    for (i, arg) in args.iter().take(3).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        arg.write(out, depth);
    }
    out.push(')');
}
