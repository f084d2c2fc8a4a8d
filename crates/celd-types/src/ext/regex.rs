//! The regex extension: `regex.replace`, `regex.extract`, `regex.extractAll`.

use crate::decls::{OverloadRow, ov};

pub const OVERLOADS: &[OverloadRow] = &[
    ov(
        "regex.replace",
        "regex_replace_string_string_string",
        "(string, string, string) -> string",
    ),
    ov(
        "regex.replace",
        "regex_replace_string_string_string_int",
        "(string, string, string, int) -> string",
    ),
    ov(
        "regex.extract",
        "regex_extract_string_string",
        "(string, string) -> optional_type(string)",
    ),
    ov(
        "regex.extractAll",
        "regex_extractAll_string_string",
        "(string, string) -> list(string)",
    ),
];
