//! The wording of every diagnostic this crate reports: lowercase, no trailing period.

pub(crate) const UNTERMINATED_STRING: &str = "unterminated string literal";
pub(crate) const UNTERMINATED_ESCAPED_IDENT: &str = "unterminated escaped identifier";
pub(crate) const EMPTY_ESCAPED_IDENT: &str = "empty escaped identifier";
pub(crate) const INVALID_UTF8_STRING: &str = "string literal is not valid UTF-8";
pub(crate) const LONG_UNICODE_ESCAPE_IN_BYTES: &str =
    "'\\U' escapes are not allowed in bytes literals";
pub(crate) const INT_OUT_OF_RANGE: &str = "int literal out of range";
pub(crate) const UINT_OUT_OF_RANGE: &str = "uint literal out of range";
pub(crate) const DOUBLE_OUT_OF_RANGE: &str = "double literal out of range";
pub(crate) const ESCAPED_IDENT_NOT_FIELD: &str =
    "escaped identifiers are only allowed as field names";
pub(crate) const ESCAPED_IDENT_NOT_CALLABLE: &str = "escaped identifiers cannot name functions";
pub(crate) const HAS_ARGUMENT: &str = "invalid argument to has() macro";
pub(crate) const SIMPLE_NAME_ARGUMENT: &str = "argument must be a simple name";
pub(crate) const BLOCK_NEEDS_LIST: &str =
    "cel.block requires the first argument to be a list literal";
pub(crate) const INDEX_NEEDS_INT: &str =
    "cel.index requires a single non-negative int literal argument";
pub(crate) const ITER_VAR_NEEDS_INTS: &str =
    "cel.iterVar requires two non-negative int literal arguments";
pub(crate) const ACCU_VAR_NEEDS_INTS: &str =
    "cel.accuVar requires two non-negative int literal arguments";

pub(crate) const SORT_BY_TARGET: &str =
    "sortBy can only be applied to a list, identifier, comprehension, call or select expression";
pub(crate) const INVALID_EXTENSION_FIELD: &str = "invalid extension field";

pub(crate) fn extreme_needs_argument(greatest: bool) -> &'static str {
    if greatest {
        "math.greatest() requires at least one argument"
    } else {
        "math.least() requires at least one argument"
    }
}

pub(crate) fn extreme_invalid_single_argument(greatest: bool) -> &'static str {
    if greatest {
        "math.greatest() invalid single argument value"
    } else {
        "math.least() invalid single argument value"
    }
}

pub(crate) fn extreme_non_numeric_literal(greatest: bool) -> &'static str {
    if greatest {
        "math.greatest() simple literal arguments must be numeric"
    } else {
        "math.least() simple literal arguments must be numeric"
    }
}

pub(crate) fn unexpected_character(c: char) -> String {
    format!("unexpected character '{}'", c.escape_debug())
}

pub(crate) fn reversed_bytes_prefix(prefix: &str) -> String {
    let fixed: String = prefix.chars().rev().collect();
    format!("invalid string prefix '{prefix}', write '{fixed}'")
}

pub(crate) fn invalid_escaped_ident_char(c: char) -> String {
    format!(
        "invalid character '{}' in escaped identifier",
        c.escape_debug()
    )
}

pub(crate) fn invalid_escape(sequence: &str) -> String {
    format!("invalid escape sequence '{}'", printable(sequence))
}

pub(crate) fn escape_not_a_code_point(sequence: &str) -> String {
    format!(
        "escape sequence '{}' is not a valid code point",
        printable(sequence)
    )
}

/// `found` is a token description such as `'x'` or `end of input`.
pub(crate) fn unexpected(found: &str, expected: &str) -> String {
    format!("unexpected {found}, expected {expected}")
}

pub(crate) fn reserved_identifier(name: &str) -> String {
    format!("reserved identifier '{name}'")
}

pub(crate) fn unsupported_optional_syntax(syntax: &str) -> String {
    format!("unsupported syntax '{syntax}': optional syntax is disabled")
}

pub(crate) fn too_many_code_points(count: usize, limit: usize) -> String {
    format!("expression has {count} code points, more than the limit of {limit}")
}

pub(crate) fn too_deep(limit: u32) -> String {
    format!("expression nesting too deep: more than the limit of {limit} levels")
}

pub(crate) fn too_many_nodes(limit: usize) -> String {
    format!("expression too large: more than the limit of {limit} nodes after macro expansion")
}

/// Source text quoted inside a message, with control characters escaped and long text cut.
pub(crate) fn printable(text: &str) -> String {
    const MAX_CHARS: usize = 24;
    let mut out = String::new();
    for c in text.chars().take(MAX_CHARS) {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    if text.chars().nth(MAX_CHARS).is_some() {
        out.push_str("...");
    }
    out
}
