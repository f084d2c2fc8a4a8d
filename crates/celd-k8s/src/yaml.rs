//! YAML documents (CRDs, objects, policies) as JSON values, with the line and column of every
//! node, bounded in depth and in alias expansion.
//!
//! Built on `saphyr-parser`'s events. Plain scalars are typed as Kubernetes' YAML reader
//! (`sigs.k8s.io/yaml`, on go-yaml v2) types them, YAML 1.1 style: `yes`/`no`/`on`/`off` are
//! booleans, `0777` is octal, `0x1F` hexadecimal, `1_000` an integer. Timestamps stay strings.
//! A key that appears twice in a mapping is an error (the API server's strict decoding reports it).
//! [`to_yaml`] writes a value back, quoting every string this reader would not read back as
//! the same string.

use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

/// How deeply collections may nest.
pub const MAX_DEPTH: usize = 512;
/// How many nodes one stream may produce, aliases expanded.
pub const MAX_NODES: usize = 2_000_000;

/// A position in the source: 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A document that could not be read, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for YamlError {}

/// One document: its value and where each node is, by JSON Pointer (`""` is the root,
/// `/spec/versions/0/name` a nested value).
#[derive(Clone, Debug)]
pub struct Document {
    pub value: Value,
    pub locations: HashMap<String, Location>,
    /// Where the document starts.
    pub start: Location,
}

impl Document {
    /// The location of the node at `pointer`, or of its nearest located ancestor.
    pub fn location(&self, pointer: &str) -> Location {
        let mut p = pointer;
        loop {
            if let Some(l) = self.locations.get(p) {
                return *l;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return self.start,
            }
        }
    }
}

/// A JSON Pointer segment for a key (RFC 6901).
pub fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn location_of(span: &Span) -> Location {
    Location {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        pointer: String,
    },
    Map {
        map: Map<String, Value>,
        anchor: usize,
        pointer: String,
        key: Option<(String, Location)>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, usize)>,
    nodes: usize,
    locations: HashMap<String, Location>,
    docs: Vec<Document>,
    doc_start: Location,
}

fn error(location: Location, message: impl Into<String>) -> YamlError {
    YamlError {
        location,
        message: message.into(),
    }
}

impl Builder {
    fn child_pointer(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Seq { items, pointer, .. }) => Some(format!("{pointer}/{}", items.len())),
            Some(Frame::Map {
                key: Some((k, _)),
                pointer,
                ..
            }) => Some(format!("{pointer}/{}", pointer_segment(k))),
            Some(Frame::Map { key: None, .. }) => None,
        }
    }

    fn count(&mut self, n: usize, at: Location) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(error(
                at,
                format!("more than {MAX_NODES} nodes (counting every alias expansion)"),
            ));
        }
        Ok(())
    }

    /// Places a finished value into its parent (or ends the document).
    fn place(&mut self, value: Value, anchor: usize, at: Location) -> Result<(), YamlError> {
        if anchor > 0 {
            let size = count_nodes(&value);
            self.anchors.insert(anchor, (value.clone(), size));
        }
        match self.stack.last_mut() {
            None => {
                let locations = std::mem::take(&mut self.locations);
                self.docs.push(Document {
                    value,
                    locations,
                    start: self.doc_start,
                });
            }
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                None => {
                    let k = key_text(&value).ok_or_else(|| {
                        error(
                            at,
                            "mapping keys must be scalars (strings, numbers or booleans)",
                        )
                    })?;
                    if map.contains_key(&k) {
                        return Err(error(at, format!("duplicate key {}", crate::go::quote(&k))));
                    }
                    *key = Some((k, at));
                }
                Some((k, _)) => {
                    map.insert(k, value);
                }
            },
        }
        Ok(())
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        let at = location_of(&span);
        match event {
            Event::DocumentStart(_) => {
                self.doc_start = at;
                self.anchors.clear();
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, at)?;
                if let Some(p) = self.child_pointer() {
                    self.locations.insert(p, at);
                }
                let value =
                    resolve_scalar(&text, style, tag.as_deref()).map_err(|m| error(at, m))?;
                self.place(value, anchor, at)?;
            }
            Event::Alias(id) => {
                let size = self
                    .anchors
                    .get(&id)
                    .map(|(_, size)| *size)
                    .ok_or_else(|| error(at, "alias to an unknown anchor"))?;
                self.count(size, at)?;
                let value = self.anchors[&id].0.clone();
                if let Some(p) = self.child_pointer() {
                    self.locations.insert(p, at);
                }
                self.place(value, 0, at)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.count(1, at)?;
                if self.stack.len() >= MAX_DEPTH {
                    return Err(error(at, format!("nesting deeper than {MAX_DEPTH}")));
                }
                let pointer = self.child_pointer().ok_or_else(|| {
                    error(
                        at,
                        "mapping keys must be scalars (strings, numbers or booleans)",
                    )
                })?;
                self.locations.insert(pointer.clone(), at);
                self.stack
                    .push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Seq {
                            items: Vec::new(),
                            anchor,
                            pointer,
                        }
                    } else {
                        Frame::Map {
                            map: Map::new(),
                            anchor,
                            pointer,
                            key: None,
                        }
                    });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, anchor, .. }) => (Value::Array(items), anchor),
                    Some(Frame::Map { map, anchor, .. }) => (Value::Object(map), anchor),
                    None => return Err(error(at, "unbalanced collection")),
                };
                self.place(value, anchor, at)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

fn key_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some("null".into()),
        _ => None,
    }
}

/// Types a scalar as go-yaml v2 does for an untyped target.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let core = tag.filter(|t| t.handle == "tag:yaml.org,2002:" || t.handle == "!!");
    if let Some(t) = core {
        return match t.suffix.as_str() {
            "str" => Ok(Value::String(text.into())),
            "null" => Ok(Value::Null),
            "bool" => resolve_plain(text)
                .filter(Value::is_boolean)
                .ok_or_else(|| format!("cannot decode {} as a !!bool", crate::go::quote(text))),
            "int" | "float" => resolve_plain(text).filter(Value::is_number).ok_or_else(|| {
                format!(
                    "cannot decode {} as a !!{}",
                    crate::go::quote(text),
                    t.suffix
                )
            }),
            _ => Ok(Value::String(text.into())),
        };
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.into()));
    }
    if is_special_float(text) {
        return Err(format!(
            "{} is not a number JSON can hold",
            crate::go::quote(text)
        ));
    }
    Ok(resolve_plain(text).unwrap_or_else(|| Value::String(text.into())))
}

fn is_special_float(text: &str) -> bool {
    matches!(
        text,
        ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    )
}

fn resolve_plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Some(Value::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Some(Value::Bool(false));
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    let plain = text.replace('_', "");
    if let Some(n) = parse_go_int_base0(&plain) {
        return Some(n);
    }
    let float_syntax = {
        let s = plain.strip_prefix(['+', '-']).unwrap_or(&plain);
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let mantissa_ok = match mantissa.split_once('.') {
            Some(("", frac)) => !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()),
            Some((int, frac)) => {
                !int.is_empty()
                    && int.bytes().all(|b| b.is_ascii_digit())
                    && frac.bytes().all(|b| b.is_ascii_digit())
            }
            None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
        };
        let exponent_ok = exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        });
        mantissa_ok && exponent_ok
    };
    if float_syntax {
        let f: f64 = plain.parse().ok()?;
        return Number::from_f64(f).map(Value::Number);
    }
    None
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint`: `0x`, `0o`/leading-zero octal, `0b`.
fn parse_go_int_base0(s: &str) -> Option<Value> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, body) = if let Some(b) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
        (16, b)
    } else if let Some(b) = digits.strip_prefix("0b").or(digits.strip_prefix("0B")) {
        (2, b)
    } else if let Some(b) = digits.strip_prefix("0o").or(digits.strip_prefix("0O")) {
        (8, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(body, radix).ok()?;
    if negative {
        let v = i64::try_from(magnitude)
            .ok()
            .map(|m| -m)
            .or_else(|| (magnitude == 1u128 << 63).then_some(i64::MIN))?;
        return Some(Value::Number(v.into()));
    }
    if let Ok(v) = i64::try_from(magnitude) {
        return Some(Value::Number(v.into()));
    }
    u64::try_from(magnitude)
        .ok()
        .map(|v| Value::Number(v.into()))
}

/// Reads every document of a YAML (or JSON) stream; empty documents are skipped.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, YamlError> {
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        locations: HashMap::new(),
        docs: Vec::new(),
        doc_start: Location { line: 1, column: 1 },
    };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| {
            error(
                Location {
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                },
                e.info().to_string(),
            )
        })?;
        builder.on_event(event, span)?;
    }
    Ok(builder
        .docs
        .into_iter()
        .filter(|d| !d.value.is_null())
        .collect())
}

/// A JSON value as a YAML document in block style (flow style for empty collections).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(map, 0, &mut out),
        Value::Array(items) if !items.is_empty() => write_list(items, 0, &mut out),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

fn write_map(map: &Map<String, Value>, indent: usize, out: &mut String) {
    for (key, value) in map {
        out.push_str(&" ".repeat(indent));
        out.push_str(&string_text(key));
        out.push(':');
        match value {
            // A list under a key at the key's indentation, as kubectl writes it.
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                write_list(items, indent, out);
            }
            _ => write_child(value, indent + 2, out),
        }
    }
}

fn write_list(items: &[Value], indent: usize, out: &mut String) {
    for value in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match value {
            // The first entry on the dash's line, the others under it.
            Value::Object(map) if !map.is_empty() => {
                let mut nested = String::new();
                write_map(map, indent + 2, &mut nested);
                out.push(' ');
                out.push_str(&nested[indent + 2..]);
            }
            _ => write_child(value, indent + 2, out),
        }
    }
}

/// After `key:` or `-`: a scalar on the same line, a collection on the next ones.
fn write_child(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(map, indent, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_list(items, indent, out);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        Value::String(s) => string_text(s),
        other => other.to_string(),
    }
}

/// A string plain when it reads back as that string, else double-quoted (JSON escapes are
/// valid YAML ones).
fn string_text(s: &str) -> String {
    let plain_chars = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'));
    let starts_well = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '/');
    if plain_chars && starts_well && resolve_plain(s).is_none() {
        s.to_string()
    } else {
        Value::String(s.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Value {
        let docs = parse_documents(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(docs.len(), 1, "{text}");
        docs.into_iter().next().map(|d| d.value).unwrap_or_default()
    }

    #[test]
    fn scalars_are_typed_as_kubernetes_reads_them() {
        let v = one(
            "a: 1\nb: 1.5\nc: yes\nd: off\ne: ~\nf: '1'\ng: 0x1F\nh: 0777\ni: 1_000\nj: hello\nk: -3\nl: 2021-01-01\nm: 1e3\nnn: \"true\"\no: 18446744073709551615\np: .5\n",
        );
        assert_eq!(
            v,
            json!({"a": 1, "b": 1.5, "c": true, "d": false, "e": null, "f": "1", "g": 31,
                   "h": 511, "i": 1000, "j": "hello", "k": -3, "l": "2021-01-01", "m": 1000.0,
                   "nn": "true", "o": 18446744073709551615u64, "p": 0.5})
        );
        assert_eq!(one("x: !!str 12"), json!({"x": "12"}));
        // Keys are typed too, as go-yaml v2 types them: `n` is false.
        assert_eq!(one("n: 1\ny: 2\n"), json!({"false": 1, "true": 2}));
        assert!(parse_documents("x: .inf").is_err());
    }

    #[test]
    fn documents_and_locations() {
        let docs =
            parse_documents("---\na: 1\n---\n---\nb:\n  - x\n  - {c: d}\n").unwrap_or_default();
        assert_eq!(docs.len(), 2, "the empty document is skipped");
        assert_eq!(docs[1].value, json!({"b": ["x", {"c": "d"}]}));
        assert_eq!(docs[1].location("/b/1/c"), Location { line: 7, column: 9 });
        assert_eq!(docs[1].location("/b/0"), Location { line: 6, column: 5 });
        assert_eq!(docs[1].location("/b/9/zz"), Location { line: 6, column: 3 });
        assert_eq!(docs[0].location("/a"), Location { line: 2, column: 4 });
    }

    #[test]
    fn errors_have_locations() {
        let e = parse_documents("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(e.location.line >= 2, "{e}");
        let e = parse_documents("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.to_string(), "2:1: duplicate key \"a\"");
        let e = parse_documents("? [a]\n: 1\n").unwrap_err();
        assert!(e.message.contains("keys must be scalars"), "{e}");
        let e = parse_documents("x: *nope\n").unwrap_err();
        assert!(
            e.message.contains("alias") || e.message.contains("anchor"),
            "{e}"
        );
    }

    #[test]
    fn aliases_are_expanded_within_a_budget() {
        assert_eq!(
            one("a: &x [1, 2]\nb: *x\n"),
            json!({"a": [1, 2], "b": [1, 2]})
        );
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let e = parse_documents(&bomb).unwrap_err();
        assert!(e.message.contains("nodes"), "{e}");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "- ".repeat(MAX_DEPTH + 10) + "x\n";
        let e = parse_documents(&deep).unwrap_err();
        assert!(e.message.contains("nesting"), "{e}");
        let ok = "- ".repeat(100) + "x\n";
        assert!(parse_documents(&ok).is_ok());
    }

    #[test]
    fn to_yaml_reads_back_as_the_same_value() {
        let value = serde_json::json!({
            "apiVersion": "v1",
            "metadata": {"labels": {"a/b": "yes", "n": "1", "empty": ""}, "annotations": {}},
            "spec": {
                "containers": [{"name": "app", "ports": [{"containerPort": 80}], "args": ["-x", "a b"]}],
                "list": [[1, 2], [], {"k": null}],
                "f": 2.5, "t": true, "s": "line\nbreak: \"q\"", "y": "y"
            }
        });
        let text = to_yaml(&value);
        let back = parse_documents(&text).unwrap().remove(0).value;
        assert_eq!(back, value, "{text}");
        assert!(
            text.contains("  containers:\n  - args:\n    - \"-x\"\n"),
            "{text}"
        );
    }
}
