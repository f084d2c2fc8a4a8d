//! Values printed in CEL literal syntax: what `celd eval --output cel` shows and `Debug` uses.

use std::fmt::{self, Write};

use prost_reflect::{DynamicMessage, ReflectMessage};

use crate::Value;
use crate::proto::field_to_value;
use crate::time::{format_duration, format_timestamp};

/// Values nested deeper than this print as `...` rather than recursing further.
const MAX_PRINT_DEPTH: usize = 512;

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self, 0)
    }
}

fn write_value(f: &mut fmt::Formatter<'_>, v: &Value, depth: usize) -> fmt::Result {
    if depth > MAX_PRINT_DEPTH {
        return f.write_str("...");
    }
    match v {
        Value::Null => f.write_str("null"),
        Value::Bool(b) => write!(f, "{b}"),
        Value::Int(i) => write!(f, "{i}"),
        Value::Uint(u) => write!(f, "{u}u"),
        Value::Double(d) => write_double(f, *d),
        Value::String(s) => write_quoted(f, s),
        Value::Bytes(b) => write_bytes(f, b),
        Value::List(items) => {
            f.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_value(f, item, depth + 1)?;
            }
            f.write_char(']')
        }
        Value::Map(map) => {
            f.write_char('{')?;
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_value(f, &k.to_value(), depth + 1)?;
                f.write_str(": ")?;
                write_value(f, item, depth + 1)?;
            }
            f.write_char('}')
        }
        Value::Timestamp(t) => write!(f, "timestamp(\"{}\")", format_timestamp(*t)),
        Value::Duration(d) => write!(f, "duration(\"{}\")", format_duration(*d)),
        Value::Type(t) => f.write_str(t.name()),
        Value::Message(m) => write_message(f, m, depth),
        Value::Optional(None) => f.write_str("optional.none()"),
        Value::Optional(Some(inner)) => {
            f.write_str("optional.of(")?;
            write_value(f, inner, depth + 1)?;
            f.write_char(')')
        }
        Value::Opaque(o) => o.fmt_cel(f),
    }
}

fn write_double(f: &mut fmt::Formatter<'_>, d: f64) -> fmt::Result {
    if d.is_nan() {
        f.write_str("double(\"NaN\")")
    } else if d.is_infinite() {
        let sign = if d < 0.0 { "-" } else { "" };
        write!(f, "double(\"{sign}Infinity\")")
    } else {
        // `{:?}` always shows a `.` or an exponent, so the text reads back as a double.
        write!(f, "{d:?}")
    }
}

/// Writes a double-quoted CEL string literal with escapes for quotes, backslashes and control characters.
pub fn write_quoted(f: &mut impl Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

fn write_bytes(f: &mut fmt::Formatter<'_>, b: &[u8]) -> fmt::Result {
    f.write_str("b\"")?;
    for &byte in b {
        match byte {
            b'"' => f.write_str("\\\"")?,
            b'\\' => f.write_str("\\\\")?,
            0x20..=0x7e => f.write_char(byte as char)?,
            _ => write!(f, "\\x{byte:02x}")?,
        }
    }
    f.write_char('"')
}

/// A message as a CEL message literal: `pkg.Msg{single_int64: 1, child: pkg.Msg{}}`. The
/// set fields are written as CEL reads them (enums as `int`s, well-known types as their CEL
/// values); proto2 extensions, which message literals cannot set, are left out.
fn write_message(f: &mut fmt::Formatter<'_>, m: &DynamicMessage, depth: usize) -> fmt::Result {
    let desc = m.descriptor();
    write!(f, "{}{{", desc.full_name())?;
    let fields = m.fields().filter_map(|(field, value)| {
        Some((field.name().to_owned(), field_to_value(value, &field).ok()?))
    });
    for (i, (name, value)) in fields.enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_field_name(f, &name)?;
        f.write_str(": ")?;
        write_value(f, &value, depth + 1)?;
    }
    f.write_char('}')
}

/// Words CEL reserves: a field of that name is written escaped (`` `in` ``).
pub const RESERVED: &[&str] = &[
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

fn write_field_name(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    if RESERVED.contains(&name) {
        write!(f, "`{name}`")
    } else {
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Key, Map, Value};

    #[test]
    fn values_print_as_cel_literals() {
        let mut map = Map::new();
        map.insert(Key::String("a".into()), Value::Uint(1));
        let v = Value::list(vec![
            Value::Int(-1),
            Value::Double(2.0),
            Value::Double(1e100),
            Value::string("q\"\n"),
            Value::bytes(b"\x00a"),
            Value::map(map),
            Value::Null,
            Value::Double(f64::NEG_INFINITY),
        ]);
        assert_eq!(
            v.to_string(),
            r#"[-1, 2.0, 1e100, "q\"\n", b"\x00a", {"a": 1u}, null, double("-Infinity")]"#
        );
    }
}
