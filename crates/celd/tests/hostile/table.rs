//! The hostile-input table (`cases.toml` beside this file): loading it and generating the
//! inputs its cases describe. Shared by the library test (crates/celd/tests/it/hostile.rs)
//! and the CLI test (crates/celd-cli/tests/hostile.rs), which include this file by path.

use std::collections::BTreeMap;

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value as Toml};

/// The table's text, read at compile time so both test binaries see the same cases.
pub const CASES: &str = include_str!("cases.toml");

/// One hostile input and what it must produce.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    /// The expression as bytes: UTF-8 except in cases that test invalid UTF-8.
    pub expr: Vec<u8>,
    /// The variables as celd JSON text (bytes, for the same reason), if any.
    pub vars: Option<Vec<u8>>,
    pub decls: BTreeMap<String, String>,
    /// `parse`, `check`, `eval`, `limit`, `request` or `ok`.
    pub kind: String,
    /// A substring of the first error message (errors only).
    pub message: Option<String>,
    /// The result in compact celd JSON (`ok` only).
    pub value: Option<String>,
    /// The length of that JSON, for results too long to write out (`ok` only).
    pub value_bytes: Option<usize>,
}

/// What a run produced, in the terms a case states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Value(String),
    Error { kind: String, message: String },
}

impl Case {
    /// `None` when `outcome` is what the case expects, else the reason it is not.
    pub fn mismatch(&self, outcome: &Outcome) -> Option<String> {
        let ok = match (self.kind.as_str(), outcome) {
            ("ok", Outcome::Value(v)) => {
                self.value.as_deref().is_none_or(|want| want == v)
                    && self.value_bytes.is_none_or(|n| n == v.len())
            }
            (want, Outcome::Error { kind, message }) => {
                want == kind
                    && self
                        .message
                        .as_deref()
                        .is_none_or(|part| message.contains(part))
            }
            _ => false,
        };
        if ok {
            return None;
        }
        let want = match self.kind.as_str() {
            "ok" => match (&self.value, self.value_bytes) {
                (Some(v), _) => format!("ok {v}"),
                (None, Some(n)) => format!("ok, {n} bytes of JSON"),
                (None, None) => "ok".to_owned(),
            },
            kind => format!("{kind}: ...{}...", self.message.as_deref().unwrap_or("")),
        };
        let got = match outcome {
            Outcome::Value(v) => format!("ok {} ({} bytes)", shorten(v), v.len()),
            Outcome::Error { kind, message } => format!("{kind}: {}", shorten(message)),
        };
        Some(format!("{}\n   want: {want}\n    got: {got}", self.name))
    }

    /// The expression as text, when it is UTF-8.
    pub fn expr_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.expr).ok()
    }
}

/// At most 300 characters of `text`, for failure messages.
pub fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(300).collect();
    if out.len() < text.len() {
        out.push_str("...");
    }
    out
}

/// Every case of the table, in order. Panics on a malformed table (a test bug).
pub fn load() -> Vec<Case> {
    let doc: DocumentMut = CASES.parse().expect("cases.toml is valid TOML");
    let cases = doc["case"]
        .as_array_of_tables()
        .expect("cases.toml has [[case]] tables");
    let cases: Vec<Case> = cases.iter().map(case).collect();
    let mut names = std::collections::HashSet::new();
    for c in &cases {
        assert!(
            names.insert(c.name.clone()),
            "duplicate case name {}",
            c.name
        );
    }
    cases
}

fn case(table: &Table) -> Case {
    let name = string(table, "name").expect("every case has a name");
    let known = [
        "name",
        "expr",
        "gen",
        "expr_hex",
        "vars",
        "vars_gen",
        "vars_hex",
        "decls",
        "kind",
        "message",
        "value",
        "value_bytes",
    ];
    for (key, _) in table.iter() {
        assert!(known.contains(&key), "{name}: unknown field {key}");
    }
    let expr = if let Some(text) = string(table, "expr") {
        text.into_bytes()
    } else if let Some(spec) = inline(table, "gen") {
        generate(&name, spec).into_bytes()
    } else if let Some(hex) = string(table, "expr_hex") {
        from_hex(&hex)
    } else {
        panic!("{name}: needs expr, gen or expr_hex")
    };
    let vars = if let Some(text) = string(table, "vars") {
        Some(text.into_bytes())
    } else if let Some(spec) = inline(table, "vars_gen") {
        Some(generate(&name, spec).into_bytes())
    } else {
        string(table, "vars_hex").map(|hex| from_hex(&hex))
    };
    let decls = inline(table, "decls")
        .map(|t| {
            t.iter()
                .map(|(k, v)| (k.to_owned(), v.as_str().expect("a TYPE string").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let kind = string(table, "kind").unwrap_or_else(|| panic!("{name}: needs a kind"));
    let kinds = ["parse", "check", "eval", "limit", "request", "ok"];
    assert!(
        kinds.contains(&kind.as_str()),
        "{name}: unknown kind {kind}"
    );
    let message = string(table, "message");
    let value = string(table, "value");
    let value_bytes = table.get("value_bytes").map(|item| {
        item.as_integer()
            .and_then(|n| usize::try_from(n).ok())
            .expect("value_bytes is a count")
    });
    assert!(
        (kind == "ok") == (value.is_some() || value_bytes.is_some())
            && (kind == "ok") != message.is_some(),
        "{name}: an ok case has a value, an error case a message"
    );
    Case {
        name,
        expr,
        vars,
        decls,
        kind,
        message,
        value,
        value_bytes,
    }
}

fn string(table: &Table, key: &str) -> Option<String> {
    table.get(key).map(|item| {
        item.as_str()
            .unwrap_or_else(|| panic!("{key} must be a string"))
            .to_owned()
    })
}

fn inline<'a>(table: &'a Table, key: &str) -> Option<&'a InlineTable> {
    table.get(key).map(|item| match item {
        Item::Value(Toml::InlineTable(t)) => t,
        _ => panic!("{key} must be an inline table"),
    })
}

/// Expands a generator: `{ nest = N, open, middle, close, before, after }` or
/// `{ seq = N, first, item, sep, before, after }` (see cases.toml).
pub fn generate(name: &str, spec: &InlineTable) -> String {
    let field = |key: &str| -> &str {
        spec.get(key)
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("{name}: {key} must be a string"))
            })
            .unwrap_or("")
    };
    let count = |key: &str| -> Option<usize> {
        spec.get(key).map(|v| {
            v.as_integer()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or_else(|| panic!("{name}: {key} must be a count"))
        })
    };
    let mut out = String::from(field("before"));
    if let Some(n) = count("nest") {
        out.reserve(n * (field("open").len() + field("close").len()));
        for _ in 0..n {
            out.push_str(field("open"));
        }
        out.push_str(field("middle"));
        for _ in 0..n {
            out.push_str(field("close"));
        }
    } else if let Some(n) = count("seq") {
        out.push_str(field("first"));
        for i in 1..n {
            out.push_str(field("sep"));
            let item = field("item")
                .replace("{i}", &i.to_string())
                .replace("{p}", &(i - 1).to_string());
            out.push_str(&item);
        }
    } else {
        panic!("{name}: a generator needs nest or seq");
    }
    out.push_str(field("after"));
    out
}

fn from_hex(hex: &str) -> Vec<u8> {
    assert!(hex.len().is_multiple_of(2), "odd hex length");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits"))
        .collect()
}
