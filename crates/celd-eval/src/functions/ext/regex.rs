//! The regex extension: `regex.replace` (with `\1`-style group references and an optional
//! count), `regex.extract` and `regex.extractAll`.
//!
//! Patterns have RE2 syntax and are compiled within the size bounds of [`patterns`]; each
//! thread keeps recently compiled patterns within a byte budget
//! ([`cached`](crate::functions::patterns::cached)).

use std::sync::Arc;

use celd_value::{EvalError, Result, Value};
use regex_automata::util::captures::Captures;

use super::{check_list_len, limits};
use crate::functions::patterns::{Regex, cached as compiled, group};
use crate::functions::{Impl, Registry, no_such_overload};

pub fn register(r: &mut Registry) {
    r.add_variadic("regex.replace", Impl::Nary(replace));
    r.binary("regex.extract", extract);
    r.binary("regex.extractAll", extract_all);
}

/// `regex.replace(target, pattern, replacement)` and the same with a count: at most `count`
/// replacements (all if negative, none if 0). `\N` in the replacement inserts group N,
/// `\\` a backslash.
fn replace(args: &[Value]) -> Result<Value> {
    let (target, pattern, replacement, count) = match args {
        [Value::String(t), Value::String(p), Value::String(r)] => (t, p, r, -1),
        [
            Value::String(t),
            Value::String(p),
            Value::String(r),
            Value::Int(n),
        ] => (t, p, r, *n),
        _ => return Err(no_such_overload("regex.replace", args)),
    };
    if count == 0 {
        return Ok(Value::String(target.clone()));
    }
    let re = compiled(pattern)?;
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    let n_groups = re.captures_len().saturating_sub(1);
    // Parsed at the first match: without a match, cel-go never looks at the replacement.
    let mut pieces = None;
    let mut out = String::with_capacity(target.len());
    let mut last = 0;
    for caps in re.captures_iter(target.as_str()).take(limit) {
        let Some(whole) = caps.get_match() else {
            continue;
        };
        let pieces = match &pieces {
            Some(p) => p,
            None => pieces.insert(parse_replacement(replacement, n_groups)?),
        };
        out.push_str(target.get(last..whole.start()).unwrap_or(""));
        expand(&mut out, pieces, &caps, target);
        last = whole.end();
        check_len(out.len())?;
    }
    out.push_str(target.get(last..).unwrap_or(""));
    check_len(out.len())?;
    Ok(Value::from(out))
}

fn check_len(n: usize) -> Result<()> {
    let max = limits().max_string_bytes;
    if n > max {
        return Err(EvalError::limit(format!(
            "replaced string exceeds the limit of {max} bytes"
        )));
    }
    Ok(())
}

/// A part of a replacement string: literal text or a group reference.
enum Piece {
    Text(String),
    Group(usize),
}

fn parse_replacement(replacement: &str, n_groups: usize) -> Result<Vec<Piece>> {
    let invalid = |why: &str| {
        EvalError::invalid_argument(format!("invalid replacement string: '{replacement}' {why}"))
    };
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = replacement.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        match chars.next() {
            None => return Err(invalid("\\ not allowed at end")),
            Some('\\') => text.push('\\'),
            Some(d) => {
                let group = d
                    .to_digit(10)
                    .ok_or_else(|| invalid("\\ must be followed by a digit or \\"))?
                    as usize;
                if group > n_groups {
                    return Err(EvalError::invalid_argument(format!(
                        "replacement string references group {group} but regex has only {n_groups} group(s)"
                    )));
                }
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Group(group));
            }
        }
    }
    pieces.push(Piece::Text(text));
    Ok(pieces)
}

fn expand(out: &mut String, pieces: &[Piece], caps: &Captures, haystack: &str) {
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Group(i) => out.push_str(group(caps, *i, haystack).unwrap_or("")),
        }
    }
}

/// The number of capturing groups, which must be at most one.
fn single_group(re: &Regex, pattern: &str) -> Result<usize> {
    let n_groups = re.captures_len().saturating_sub(1);
    if n_groups > 1 {
        return Err(EvalError::invalid_argument(format!(
            "regular expression has more than one capturing group: {pattern:?}"
        )));
    }
    Ok(n_groups)
}

/// `regex.extract(target, pattern)`: the first match (or its group, if the pattern has one)
/// as an optional; none when nothing matches or the group is empty.
fn extract(target: &Value, pattern: &Value) -> Result<Value> {
    let (Value::String(t), Value::String(p)) = (target, pattern) else {
        return Err(no_such_overload(
            "regex.extract",
            &[target.clone(), pattern.clone()],
        ));
    };
    let re = compiled(p)?;
    let n = single_group(&re, p)?;
    let mut caps = re.create_captures();
    re.captures(t.as_str(), &mut caps);
    let found = group(&caps, n, t).filter(|s| n == 0 || !s.is_empty());
    Ok(Value::Optional(found.map(|s| Arc::new(Value::string(s)))))
}

/// `regex.extractAll(target, pattern)`: every match (or its non-empty group).
fn extract_all(target: &Value, pattern: &Value) -> Result<Value> {
    let (Value::String(t), Value::String(p)) = (target, pattern) else {
        return Err(no_such_overload(
            "regex.extractAll",
            &[target.clone(), pattern.clone()],
        ));
    };
    let re = compiled(p)?;
    let n = single_group(&re, p)?;
    let mut found = Vec::new();
    for caps in re.captures_iter(t.as_str()) {
        match group(&caps, n, t) {
            Some(m) if n == 0 || !m.is_empty() => {
                found.push(Value::string(m));
                check_list_len(found.len())?;
            }
            _ => {}
        }
    }
    Ok(Value::list(found))
}
