//! Property names as CEL identifiers: Kubernetes' escaping (`__dot__`, `__dash__`,
//! `__slash__`, `__underscores__`, `__{keyword}__`), and its inverse.

/// Names that are CEL reserved words; a property with exactly this name is `__{name}__`.
pub use celd::layers::value::display::RESERVED;

fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}

/// A property name as rules write it, or `None` when the name has no CEL form (it must match
/// `[a-zA-Z_.-/][a-zA-Z0-9_.-/]*`); such properties are not visible to rules.
pub fn escape(name: &str) -> Option<String> {
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if is_reserved(name) {
        return Some(format!("__{name}__"));
    }
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' if bytes.get(i + 1) == Some(&b'_') => {
                out.push_str("__underscores__");
                i += 2;
                continue;
            }
            b'.' => out.push_str("__dot__"),
            b'-' => out.push_str("__dash__"),
            b'/' => out.push_str("__slash__"),
            c if c.is_ascii_alphanumeric() || c == b'_' => out.push(c as char),
            _ => return None,
        }
        i += 1;
    }
    Some(out)
}

/// The property name an escaped identifier stands for, or `None` for an invalid escape.
pub fn unescape(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(start) = rest.find("__") {
        // `__X__` with X free of underscores.
        let after = &rest[start + 2..];
        let inner_len = after.bytes().take_while(|&b| b != b'_').count();
        if inner_len == 0 || !after[inner_len..].starts_with("__") {
            out.push_str(&rest[..start + 1]);
            rest = &rest[start + 1..];
            continue;
        }
        let contents = &after[..inner_len];
        out.push_str(&rest[..start]);
        match contents {
            "underscores" => out.push_str("__"),
            "dot" => out.push('.'),
            "dash" => out.push('-'),
            "slash" => out.push('/'),
            keyword if is_reserved(keyword) => {
                if contents.len() + 4 != escaped.len() {
                    return None;
                }
                out.push_str(keyword);
            }
            _ => return None,
        }
        rest = &after[inner_len + 2..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_kubernetes() {
        let cases = [
            ("namespace", Some("__namespace__")),
            ("x-prop", Some("x__dash__prop")),
            ("redact__d", Some("redact__underscores__d")),
            ("a.b/c-d", Some("a__dot__b__slash__c__dash__d")),
            ("___x", Some("__underscores___x")),
            ("_x", Some("_x")),
            ("apiVersion", Some("apiVersion")),
            ("1x", None),
            ("", None),
            ("a b", None),
            ("a-b c", None),
            ("é", None),
            ("if", Some("__if__")),
            ("int", Some("int")),
        ];
        for (name, want) in cases {
            assert_eq!(escape(name).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn unescape_inverts_escape() {
        for name in [
            "namespace",
            "x-prop",
            "redact__d",
            "a.b/c-d",
            "___x",
            "plain",
            "if",
        ] {
            let escaped = escape(name).unwrap_or_default();
            assert_eq!(unescape(&escaped).as_deref(), Some(name), "{name}");
        }
        assert_eq!(unescape("__bogus__"), None);
        assert_eq!(
            unescape("x__namespace__"),
            None,
            "a keyword only escapes a whole name"
        );
    }
}
