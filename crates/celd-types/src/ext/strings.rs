//! The strings extension: character access, search, case, split/join, `format`, `strings.quote`.

use crate::decls::{OverloadRow, ov};

pub const OVERLOADS: &[OverloadRow] = &[
    ov("charAt", "string_char_at_int", "string.(int) -> string"),
    ov(
        "indexOf",
        "string_index_of_string",
        "string.(string) -> int",
    ),
    ov(
        "indexOf",
        "string_index_of_string_int",
        "string.(string, int) -> int",
    ),
    ov(
        "lastIndexOf",
        "string_last_index_of_string",
        "string.(string) -> int",
    ),
    ov(
        "lastIndexOf",
        "string_last_index_of_string_int",
        "string.(string, int) -> int",
    ),
    ov("lowerAscii", "string_lower_ascii", "string.() -> string"),
    ov("upperAscii", "string_upper_ascii", "string.() -> string"),
    ov(
        "replace",
        "string_replace_string_string",
        "string.(string, string) -> string",
    ),
    ov(
        "replace",
        "string_replace_string_string_int",
        "string.(string, string, int) -> string",
    ),
    ov(
        "split",
        "string_split_string",
        "string.(string) -> list(string)",
    ),
    ov(
        "split",
        "string_split_string_int",
        "string.(string, int) -> list(string)",
    ),
    ov(
        "substring",
        "string_substring_int",
        "string.(int) -> string",
    ),
    ov(
        "substring",
        "string_substring_int_int",
        "string.(int, int) -> string",
    ),
    ov("trim", "string_trim", "string.() -> string"),
    ov("join", "list_join", "list(string).() -> string"),
    ov(
        "join",
        "list_join_string",
        "list(string).(string) -> string",
    ),
    ov("format", "string_format", "string.(list(dyn)) -> string"),
    ov("strings.quote", "strings_quote", "(string) -> string"),
    ov("reverse", "string_reverse", "string.() -> string"),
];
