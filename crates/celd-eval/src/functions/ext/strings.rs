//! The strings extension: code-point access and search, case, replace/split/join,
//! trimming, `format` (in [`format`]) and `strings.quote`.
//!
//! Indices count Unicode code points, as cel-go's do. Offsets outside the string are
//! errors (`index out of range: 30`).

mod format;

use celd_value::{ErrorKind, EvalError, Result, Value};

use super::{check_list_len, check_string_len, register_reverse};
use crate::functions::{Impl, Nary, Registry, no_such_overload};

pub fn register(r: &mut Registry) {
    // Functions with several arities take any number of arguments and reject the wrong
    // ones at run time, as unchecked calls must.
    for (name, f) in [
        ("indexOf", index_of as Nary),
        ("lastIndexOf", last_index_of),
        ("replace", replace),
        ("split", split),
        ("substring", substring),
        ("join", join),
    ] {
        r.add_variadic(name, Impl::Nary(f));
    }
    r.binary("charAt", char_at);
    r.unary("lowerAscii", |v| {
        map_str("lowerAscii", v, str::to_ascii_lowercase)
    });
    r.unary("upperAscii", |v| {
        map_str("upperAscii", v, str::to_ascii_uppercase)
    });
    r.unary("trim", |v| map_str("trim", v, |s| s.trim().to_owned()));
    r.binary("format", format::format);
    r.unary("strings.quote", |v| map_str("strings.quote", v, quote));
    register_reverse(r);
}

fn map_str(name: &str, v: &Value, f: impl FnOnce(&str) -> String) -> Result<Value> {
    match v {
        Value::String(s) => Ok(Value::from(f(s))),
        _ => Err(no_such_overload(name, std::slice::from_ref(v))),
    }
}

fn index_out_of_range(index: i64) -> EvalError {
    EvalError::new(
        ErrorKind::IndexOutOfRange,
        format!("index out of range: {index}"),
    )
}

/// The byte offset of code point `index`; `index` may be the code-point count (the end).
fn byte_offset(s: &str, index: usize) -> Option<usize> {
    if s.is_ascii() {
        return (index <= s.len()).then_some(index);
    }
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .nth(index)
}

/// The byte offset of code point `index` where `index` must lie in `0..=limit` code points.
fn checked_offset(s: &str, index: i64, limit: usize) -> Result<usize> {
    usize::try_from(index)
        .ok()
        .filter(|&i| i <= limit)
        .and_then(|i| byte_offset(s, i))
        .ok_or_else(|| index_out_of_range(index))
}

fn n_chars(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

fn char_count_i64(s: &str) -> i64 {
    i64::try_from(n_chars(s)).unwrap_or(i64::MAX)
}

/// `s.charAt(i)`: the code point at `i`, or `''` at the end of the string.
fn char_at(s: &Value, index: &Value) -> Result<Value> {
    let (Value::String(s), Value::Int(i)) = (s, index) else {
        return Err(no_such_overload("charAt", &[s.clone(), index.clone()]));
    };
    let start = checked_offset(s, *i, usize::MAX)?;
    let c = s.get(start..).and_then(|rest| rest.chars().next());
    Ok(Value::from(c.map(String::from).unwrap_or_default()))
}

/// `s.indexOf(sub)` and `s.indexOf(sub, from)`: the first match at or after `from`, or -1.
fn index_of(args: &[Value]) -> Result<Value> {
    let (s, sub, from) = match args {
        [Value::String(s), Value::String(sub)] => (s, sub, None),
        [Value::String(s), Value::String(sub), Value::Int(from)] => (s, sub, Some(*from)),
        _ => return Err(no_such_overload("indexOf", args)),
    };
    if sub.is_empty() {
        let from = from.unwrap_or(0);
        checked_offset(s, from, n_chars(s))?;
        return Ok(Value::Int(from));
    }
    let Some(from) = from else {
        return Ok(Value::Int(find_from(s, sub, 0, 0)));
    };
    let start = checked_offset(s, from, n_chars(s).saturating_sub(1))?;
    Ok(Value::Int(find_from(s, sub, start, from)))
}

/// The code-point index of the first `sub` at or after byte `start` (code point `from`), or -1.
fn find_from(s: &str, sub: &str, start: usize, from: i64) -> i64 {
    let Some(rest) = s.get(start..) else {
        return -1;
    };
    match rest.find(sub) {
        Some(pos) => from + char_count_i64(rest.get(..pos).unwrap_or("")),
        None => -1,
    }
}

/// `s.lastIndexOf(sub)` and `s.lastIndexOf(sub, from)`: the last match starting at or before `from`.
fn last_index_of(args: &[Value]) -> Result<Value> {
    let (s, sub, from) = match args {
        [Value::String(s), Value::String(sub)] => (s, sub, None),
        [Value::String(s), Value::String(sub), Value::Int(from)] => (s, sub, Some(*from)),
        _ => return Err(no_such_overload("lastIndexOf", args)),
    };
    let len = n_chars(s);
    if sub.is_empty() {
        let from = from.unwrap_or_else(|| char_count_i64(s));
        checked_offset(s, from, len)?;
        return Ok(Value::Int(from));
    }
    let start = match from {
        Some(from) => checked_offset(s, from, len.saturating_sub(1))?,
        None if s.is_empty() => return Ok(Value::Int(-1)),
        None => s.len(),
    };
    Ok(Value::Int(rfind_before(s, sub, start)))
}

/// The code-point index of the last `sub` that starts at or before byte `start`, or -1.
fn rfind_before(s: &str, sub: &str, start: usize) -> i64 {
    let mut end = start.saturating_add(sub.len()).min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let prefix = s.get(..end).unwrap_or("");
    match prefix.rfind(sub) {
        Some(pos) => char_count_i64(prefix.get(..pos).unwrap_or("")),
        None => -1,
    }
}

/// `s.replace(old, new)` and `s.replace(old, new, n)`: at most `n` replacements (all if negative).
/// An empty `old` matches before every code point and at the end, as in Go.
fn replace(args: &[Value]) -> Result<Value> {
    let (s, old, new, limit) = match args {
        [Value::String(s), Value::String(old), Value::String(new)] => (s, old, new, -1),
        [
            Value::String(s),
            Value::String(old),
            Value::String(new),
            Value::Int(n),
        ] => (s, old, new, *n),
        _ => return Err(no_such_overload("replace", args)),
    };
    let n_matches = if old.is_empty() {
        n_chars(s) + 1
    } else {
        s.matches(&**old).count()
    };
    let n = usize::try_from(limit).map_or(n_matches, |l| l.min(n_matches));
    let size = s
        .len()
        .saturating_sub(n.saturating_mul(old.len()))
        .saturating_add(n.saturating_mul(new.len()));
    check_string_len(size)?;
    let mut out = String::with_capacity(size);
    if old.is_empty() {
        replace_empty(s, new, n, &mut out);
    } else {
        let mut last = 0;
        for (pos, _) in s.match_indices(&**old).take(n) {
            out.push_str(s.get(last..pos).unwrap_or(""));
            out.push_str(new);
            last = pos + old.len();
        }
        out.push_str(s.get(last..).unwrap_or(""));
    }
    Ok(Value::from(out))
}

/// Inserts `new` before each of the first `n` code points (and at the end if `n` reaches it).
fn replace_empty(s: &str, new: &str, n: usize, out: &mut String) {
    let mut inserted = 0;
    for c in s.chars() {
        if inserted < n {
            out.push_str(new);
            inserted += 1;
        }
        out.push(c);
    }
    if inserted < n {
        out.push_str(new);
    }
}

/// `s.split(sep)` and `s.split(sep, n)`: at most `n` parts (none if 0, all if negative),
/// the last holding the rest; an empty separator splits into code points, as in Go.
fn split(args: &[Value]) -> Result<Value> {
    let (s, sep, limit) = match args {
        [Value::String(s), Value::String(sep)] => (s, sep, -1),
        [Value::String(s), Value::String(sep), Value::Int(n)] => (s, sep, *n),
        _ => return Err(no_such_overload("split", args)),
    };
    let max_parts = usize::try_from(limit).unwrap_or(usize::MAX);
    // Counted first, so that an oversized result is refused before it is built.
    let n_parts = if sep.is_empty() {
        n_chars(s)
    } else {
        s.matches(&**sep).count().saturating_add(1)
    };
    check_list_len(n_parts.min(max_parts))?;
    let parts: Vec<&str> = if sep.is_empty() {
        explode(s, max_parts)
    } else {
        s.splitn(max_parts, &**sep).collect()
    };
    Ok(Value::list(parts.into_iter().map(Value::string).collect()))
}

/// Splits into code points, at most `max_parts` of them, the last holding the rest.
fn explode(s: &str, max_parts: usize) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = s;
    while !rest.is_empty() && parts.len() < max_parts {
        if parts.len() + 1 == max_parts {
            parts.push(rest);
            break;
        }
        let width = rest.chars().next().map_or(1, char::len_utf8);
        let (head, tail) = rest.split_at(width);
        parts.push(head);
        rest = tail;
    }
    parts
}

/// `s.substring(start)` and `s.substring(start, end)`, in code points, `end` exclusive.
fn substring(args: &[Value]) -> Result<Value> {
    let (s, start, end) = match args {
        [Value::String(s), Value::Int(start)] => (s, *start, None),
        [Value::String(s), Value::Int(start), Value::Int(end)] => (s, *start, Some(*end)),
        _ => return Err(no_such_overload("substring", args)),
    };
    if let Some(end) = end
        && start > end
    {
        return Err(EvalError::invalid_argument(format!(
            "invalid substring range. start: {start}, end: {end}"
        )));
    }
    let len = n_chars(s);
    let from = checked_offset(s, start, len)?;
    let to = match end {
        Some(end) => checked_offset(s, end, len)?,
        None => s.len(),
    };
    Ok(Value::string(s.get(from..to).unwrap_or("")))
}

/// `list.join()` and `list.join(separator)` over a list of strings.
fn join(args: &[Value]) -> Result<Value> {
    let (items, sep) = match args {
        [Value::List(items)] => (items, ""),
        [Value::List(items), Value::String(sep)] => (items, &**sep),
        _ => return Err(no_such_overload("join", args)),
    };
    let mut parts = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item {
            Value::String(s) => parts.push(&**s),
            _ => return Err(no_such_overload("join", args)),
        }
    }
    let size = parts
        .iter()
        .fold(0usize, |n, p| n.saturating_add(p.len()))
        .saturating_add(sep.len().saturating_mul(parts.len().saturating_sub(1)));
    check_string_len(size)?;
    Ok(Value::from(parts.join(sep)))
}

/// `strings.quote(s)`: `s` in double quotes with CEL escapes for quotes, backslashes and
/// the control characters that have short escapes; everything else verbatim.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_count_code_points() {
        assert_eq!(byte_offset("ta©o", 3), Some(4));
        assert_eq!(byte_offset("ta©o", 4), Some(5));
        assert_eq!(byte_offset("ta©o", 5), None);
        assert_eq!(byte_offset("abc", 3), Some(3));
    }

    #[test]
    fn explode_keeps_the_rest_in_the_last_part() {
        assert_eq!(explode("a©c", usize::MAX), ["a", "©", "c"]);
        assert_eq!(explode("a©c", 2), ["a", "©c"]);
        assert!(explode("abc", 0).is_empty());
        assert!(explode("", 5).is_empty());
    }
}
