//! `template.format([args])`: printf-style substitution with the clauses cel-go supports
//! (`%s %d %f %e %b %x %X %o`, precision as in `%.3f`, `%%` for a percent sign).
//!
//! Output is locale-independent: `%s` prints doubles with a `.`, lists as `[a, b]` and maps
//! as `{k: v}` with entries sorted by their printed key, timestamps in RFC 3339 (UTC) and
//! durations as seconds (`7200s`). The built string is bounded by the evaluation limits.

use std::fmt::Write as _;

use celd_value::time::format_timestamp;
use celd_value::{EvalError, Result, Value};

use super::super::limits;
use crate::functions::no_such_overload;

/// Precision used by `%f` and `%e` when none is written.
const DEFAULT_PRECISION: usize = 6;
/// The largest precision a clause may ask for.
const MAX_PRECISION: usize = 1000;
/// Lists and maps nested deeper than this are not printed.
const MAX_DEPTH: usize = 512;

pub fn format(template: &Value, args: &Value) -> Result<Value> {
    match (template, args) {
        (Value::String(t), Value::List(items)) => format_all(t, items).map(Value::from),
        _ => Err(no_such_overload(
            "format",
            &[template.clone(), args.clone()],
        )),
    }
}

/// A formatting clause: the verb letter and its precision.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Clause {
    String,
    Decimal,
    Fixed(usize),
    Scientific(usize),
    Binary,
    Hex { upper: bool },
    Octal,
}

fn format_all(template: &str, args: &[Value]) -> Result<String> {
    let mut out = Out::new();
    let mut rest = template;
    let mut n_used = 0;
    while let Some(pos) = rest.find('%') {
        out.push(rest.get(..pos).unwrap_or(""))?;
        let after = rest.get(pos + 1..).unwrap_or("");
        if let Some(tail) = after.strip_prefix('%') {
            out.push("%")?;
            rest = tail;
            continue;
        }
        let arg = args
            .get(n_used)
            .ok_or_else(|| EvalError::invalid_argument(format!("index {n_used} out of range")))?;
        if after.is_empty() {
            return Err(EvalError::invalid_argument("unexpected end of string"));
        }
        let (clause, tail) = parse_clause(after).map_err(|e| {
            EvalError::invalid_argument(format!("could not parse formatting clause: {e}"))
        })?;
        write_clause(&mut out, clause, arg)?;
        n_used += 1;
        rest = tail;
    }
    out.push(rest)?;
    Ok(out.text)
}

/// Parses `[.precision]verb` at the start of `text`; returns the clause and what follows.
fn parse_clause(text: &str) -> Result<(Clause, &str), String> {
    let (precision, text) = parse_precision(text)?;
    let mut chars = text.chars();
    let verb = chars.next().ok_or("unexpected end of string")?;
    let clause = match verb {
        's' => Clause::String,
        'd' => Clause::Decimal,
        'f' => Clause::Fixed(precision),
        'e' => Clause::Scientific(precision),
        'b' => Clause::Binary,
        'x' => Clause::Hex { upper: false },
        'X' => Clause::Hex { upper: true },
        'o' => Clause::Octal,
        other => return Err(format!("unrecognized formatting clause \"{other}\"")),
    };
    Ok((clause, chars.as_str()))
}

fn parse_precision(text: &str) -> Result<(usize, &str), String> {
    let Some(after_dot) = text.strip_prefix('.') else {
        return Ok((DEFAULT_PRECISION, text));
    };
    let n_digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = after_dot.split_at(n_digits);
    if rest.is_empty() {
        return Err(
            "error while parsing precision: could not find end of precision specifier".into(),
        );
    }
    let precision: usize = digits
        .parse()
        .map_err(|_| format!("error while parsing precision: invalid precision \"{digits}\""))?;
    if precision > MAX_PRECISION {
        return Err(format!(
            "error while parsing precision: precision {precision} exceeds maximum allowed precision {MAX_PRECISION}"
        ));
    }
    Ok((precision, rest))
}

fn write_clause(out: &mut Out, clause: Clause, arg: &Value) -> Result<()> {
    let written = match clause {
        Clause::String => write_string(out, arg, 0),
        Clause::Decimal => write_decimal(out, arg),
        Clause::Fixed(p) => write_float(out, arg, p, false),
        Clause::Scientific(p) => write_float(out, arg, p, true),
        Clause::Binary => write_radix(out, arg, Radix::Binary),
        Clause::Hex { upper } => write_hex(out, arg, upper),
        Clause::Octal => write_radix(out, arg, Radix::Octal),
    };
    written.map_err(|e| match e {
        FormatError::Type(message) => {
            EvalError::invalid_argument(format!("error during formatting: {message}"))
        }
        FormatError::Eval(e) => e,
    })
}

/// Why a clause could not be written: an argument of the wrong type, or a limit.
enum FormatError {
    Type(String),
    Eval(EvalError),
}

impl From<EvalError> for FormatError {
    fn from(e: EvalError) -> FormatError {
        FormatError::Eval(e)
    }
}

fn wrong_type(clause_takes: &str, arg: &Value) -> FormatError {
    FormatError::Type(format!("{clause_takes}, was given {}", arg.type_name()))
}

/// The string being built, refusing to grow past the string size limit.
struct Out {
    text: String,
}

impl Out {
    fn new() -> Out {
        Out {
            text: String::new(),
        }
    }

    fn push(&mut self, s: &str) -> Result<()> {
        let max = limits().max_string_bytes;
        if self.text.len().saturating_add(s.len()) > max {
            return Err(EvalError::limit(format!(
                "formatted string exceeds the limit of {max} bytes"
            )));
        }
        self.text.push_str(s);
        Ok(())
    }
}

/// `%s`: any value except messages, optionals and extension types, printed without quotes.
fn write_string(out: &mut Out, arg: &Value, depth: usize) -> Result<(), FormatError> {
    if depth > MAX_DEPTH {
        return Err(FormatError::Type(
            "value nested too deeply to format".into(),
        ));
    }
    match arg {
        Value::List(items) => {
            out.push("[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(", ")?;
                }
                write_string(out, item, depth + 1)?;
            }
            out.push("]")?;
        }
        Value::Map(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (key, value) in map.iter() {
                let key = string_of(&key.to_value(), depth + 1)?;
                entries.push((key, string_of(value, depth + 1)?));
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.push("{")?;
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(", ")?;
                }
                out.push(key)?;
                out.push(": ")?;
                out.push(value)?;
            }
            out.push("}")?;
        }
        scalar => out.push(&scalar_string(scalar)?)?,
    }
    Ok(())
}

/// `%s` of a map key or value, built separately so that entries can be sorted.
fn string_of(v: &Value, depth: usize) -> Result<String, FormatError> {
    let mut out = Out::new();
    write_string(&mut out, v, depth)?;
    Ok(out.text)
}

fn scalar_string(v: &Value) -> Result<String, FormatError> {
    Ok(match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Double(d) => plain_double(*d),
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Timestamp(t) => format_timestamp(*t),
        Value::Duration(d) => format!("{}s", plain_double(d.as_secs_f64())),
        Value::Type(t) => t.name().to_owned(),
        _ => {
            return Err(wrong_type(
                "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps",
                v,
            ));
        }
    })
}

/// A double in plain decimal notation with the shortest digits that read back exactly.
fn plain_double(d: f64) -> String {
    special_double(d).map_or_else(|| d.to_string(), str::to_owned)
}

fn special_double(d: f64) -> Option<&'static str> {
    if d.is_nan() {
        Some("NaN")
    } else if d.is_infinite() {
        Some(if d > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        None
    }
}

/// `%d`: integers in decimal; doubles as `%s` prints them.
fn write_decimal(out: &mut Out, arg: &Value) -> Result<(), FormatError> {
    let text = match arg {
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Double(d) => plain_double(*d),
        _ => {
            return Err(wrong_type(
                "decimal clause can only be used on ints, uints, and doubles",
                arg,
            ));
        }
    };
    Ok(out.push(&text)?)
}

/// `%f` and `%e` with a precision; ints and uints convert to double.
fn write_float(
    out: &mut Out,
    arg: &Value,
    precision: usize,
    scientific: bool,
) -> Result<(), FormatError> {
    let d = match arg {
        Value::Int(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::Double(d) => *d,
        _ if scientific => {
            return Err(wrong_type(
                "scientific clause can only be used on ints, uints, and doubles",
                arg,
            ));
        }
        _ => {
            return Err(wrong_type(
                "fixed-point clause can only be used on ints, uints, and doubles",
                arg,
            ));
        }
    };
    let text = match special_double(d) {
        Some(special) => special.to_owned(),
        None if scientific => scientific_text(d, precision),
        None => format!("{d:.precision$}"),
    };
    Ok(out.push(&text)?)
}

/// `1.052033e+03`: Go's exponent form, with a sign and at least two exponent digits.
fn scientific_text(d: f64, precision: usize) -> String {
    let text = format!("{d:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

#[derive(Clone, Copy)]
enum Radix {
    Binary,
    Octal,
}

/// `%b` (ints, uints, bools) and `%o` (ints, uints); negative ints print a minus sign.
fn write_radix(out: &mut Out, arg: &Value, radix: Radix) -> Result<(), FormatError> {
    let (negative, magnitude) = match (arg, radix) {
        (Value::Int(i), _) => (*i < 0, i.unsigned_abs()),
        (Value::Uint(u), _) => (false, *u),
        (Value::Bool(b), Radix::Binary) => (false, u64::from(*b)),
        (_, Radix::Binary) => {
            return Err(wrong_type(
                "only ints, uints, and bools can be formatted as binary",
                arg,
            ));
        }
        (_, Radix::Octal) => {
            return Err(wrong_type(
                "octal clause can only be used on ints and uints",
                arg,
            ));
        }
    };
    let sign = if negative { "-" } else { "" };
    let text = match radix {
        Radix::Binary => format!("{sign}{magnitude:b}"),
        Radix::Octal => format!("{sign}{magnitude:o}"),
    };
    Ok(out.push(&text)?)
}

/// `%x`/`%X`: integers in hexadecimal, strings and bytes as the hex of each byte.
fn write_hex(out: &mut Out, arg: &Value, upper: bool) -> Result<(), FormatError> {
    let text = match arg {
        Value::Int(i) => {
            let sign = if *i < 0 { "-" } else { "" };
            hex_number(sign, i.unsigned_abs(), upper)
        }
        Value::Uint(u) => hex_number("", *u, upper),
        Value::String(s) => hex_bytes(s.as_bytes(), upper)?,
        Value::Bytes(b) => hex_bytes(b, upper)?,
        _ => {
            return Err(wrong_type(
                "only ints, uints, bytes, and strings can be formatted as hex",
                arg,
            ));
        }
    };
    Ok(out.push(&text)?)
}

fn hex_number(sign: &str, magnitude: u64, upper: bool) -> String {
    if upper {
        format!("{sign}{magnitude:X}")
    } else {
        format!("{sign}{magnitude:x}")
    }
}

fn hex_bytes(bytes: &[u8], upper: bool) -> Result<String> {
    super::check_string_len(bytes.len().saturating_mul(2))?;
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = if upper {
            write!(text, "{b:02X}")
        } else {
            write!(text, "{b:02x}")
        };
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(template: &str, args: Vec<Value>) -> String {
        match format_all(template, &args) {
            Ok(s) => s,
            Err(e) => format!("error: {}", e.message()),
        }
    }

    #[test]
    fn clauses() {
        assert_eq!(
            run("%s|%d|%%", vec![Value::Int(1), Value::Int(-2)]),
            "1|-2|%"
        );
        assert_eq!(run("%.3f", vec![Value::Double(1.2345)]), "1.234");
        assert_eq!(run("%e", vec![Value::Double(2.5)]), "2.500000e+00");
        assert_eq!(run("%.2e", vec![Value::Double(1e-10)]), "1.00e-10");
        assert_eq!(
            run("%x %X", vec![Value::Int(-255), Value::Uint(255)]),
            "-ff FF"
        );
        assert_eq!(run("%b %o", vec![Value::Int(-5), Value::Int(8)]), "-101 10");
        assert_eq!(
            run("%.0f %.0f", vec![Value::Double(2.5), Value::Double(1.5)]),
            "2 2"
        );
    }

    #[test]
    fn clause_errors() {
        assert_eq!(
            run("%", vec![Value::Int(1)]),
            "error: unexpected end of string"
        );
        assert_eq!(run("%d", vec![]), "error: index 0 out of range");
        assert_eq!(
            run("%.3", vec![Value::Int(1)]),
            "error: could not parse formatting clause: error while parsing precision: could not find end of precision specifier"
        );
        assert_eq!(
            run("%q", vec![Value::Int(1)]),
            "error: could not parse formatting clause: unrecognized formatting clause \"q\""
        );
    }
}
