//! The wording of every check diagnostic, in one place: lowercase, no trailing period.

use celd_types::Type;
use celd_types::suggest::hint;

use crate::error::CheckErrorKind as Kind;

pub(crate) type Message = (Kind, String);

/// `suggestion` is the declared name closest to `name`, if one is close.
pub(crate) fn undeclared_reference(
    name: &str,
    container: &str,
    suggestion: Option<&str>,
) -> Message {
    (
        Kind::UndeclaredReference,
        format!(
            "undeclared reference to '{name}' (in container '{container}'){}",
            hint(suggestion)
        ),
    )
}

/// `args` includes the receiver first when `member` is true.
pub(crate) fn no_matching_overload(function: &str, args: &[Type], member: bool) -> Message {
    let signature = format_call_signature(args, member);
    (
        Kind::NoMatchingOverload,
        format!("found no matching overload for '{function}' applied to '{signature}'"),
    )
}

fn format_call_signature(args: &[Type], member: bool) -> String {
    let (receiver, rest) = match (member, args.split_first()) {
        (true, Some((receiver, rest))) => (Some(receiver), rest),
        _ => (None, args),
    };
    let list: Vec<String> = rest.iter().map(ToString::to_string).collect();
    match receiver {
        Some(r) => format!("{r}.({})", list.join(", ")),
        None => format!("({})", list.join(", ")),
    }
}

pub(crate) fn type_mismatch(expected: &Type, found: &Type) -> Message {
    (
        Kind::TypeMismatch,
        format!("expected type '{expected}' but found '{found}'"),
    )
}

pub(crate) fn field_type_mismatch(field: &str, expected: &Type, found: &Type) -> Message {
    (
        Kind::FieldTypeMismatch,
        format!("expected type of field '{field}' is '{expected}' but provided type is '{found}'"),
    )
}

pub(crate) fn undefined_field(field: &str, suggestion: Option<&str>) -> Message {
    (
        Kind::UndefinedField,
        format!("undefined field '{field}'{}", hint(suggestion)),
    )
}

pub(crate) fn not_a_type(ty: &Type) -> Message {
    (Kind::NotAType, format!("'{ty}' is not a type"))
}

pub(crate) fn not_a_message_type(ty: &Type) -> Message {
    (
        Kind::NotAMessageType,
        format!("'{ty}' is not a message type"),
    )
}

pub(crate) fn field_selection_unsupported(ty: &Type) -> Message {
    (
        Kind::FieldSelectionUnsupported,
        format!("type '{ty}' does not support field selection"),
    )
}

pub(crate) fn not_a_comprehension_range(ty: &Type) -> Message {
    (
        Kind::NotAComprehensionRange,
        format!(
            "expression of type '{ty}' cannot be range of a comprehension (must be list, map, or dynamic)"
        ),
    )
}

pub(crate) fn invalid_optional_select() -> Message {
    (
        Kind::InvalidOptionalSelect,
        "unsupported optional field selection: the field must be a string literal".to_string(),
    )
}

pub(crate) fn nesting_too_deep(limit: u32) -> Message {
    (
        Kind::NestingTooDeep,
        format!("expression nested too deeply for the checker (limit {limit})"),
    )
}
