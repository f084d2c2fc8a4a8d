//! Field errors as apimachinery's `field.Error` words them, each with the JSON Pointer of its
//! field so a caller can show the file location.

use std::fmt;

use crate::go::quote;
use crate::yaml::pointer_segment;

/// A field's place: the path Kubernetes prints (`spec.paramRef.name`, `resources[0]`) and its
/// JSON Pointer (`/spec/paramRef/name`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path {
    pub display: String,
    pub pointer: String,
}

impl Path {
    /// The root field `name`.
    pub fn root(name: &str) -> Path {
        Path::default().child(name)
    }

    /// The member `name` of this field.
    pub fn child(&self, name: &str) -> Path {
        let display = if self.display.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.display)
        };
        Path {
            display,
            pointer: format!("{}/{}", self.pointer, pointer_segment(name)),
        }
    }

    /// The item `index` of this list.
    pub fn index(&self, index: usize) -> Path {
        Path {
            display: format!("{}[{index}]", self.display),
            pointer: format!("{}/{index}", self.pointer),
        }
    }
}

/// What is wrong with a field, in `field.ErrorType`'s terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `Required value`, with an optional detail.
    Required(String),
    /// `Forbidden: detail`.
    Forbidden(String),
    /// `Invalid value: VALUE: detail`; the value as Go prints it (a string quoted).
    Invalid { value: String, detail: String },
    /// `Unsupported value: "x": supported values: "a", "b"`.
    NotSupported {
        value: String,
        supported: &'static [&'static str],
    },
    /// `Duplicate value: "x"`.
    Duplicate(String),
}

/// One invalid field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub path: Path,
    pub problem: Problem,
}

impl FieldError {
    pub fn required(path: &Path, detail: &str) -> FieldError {
        FieldError::new(path, Problem::Required(detail.to_string()))
    }

    pub fn forbidden(path: &Path, detail: &str) -> FieldError {
        FieldError::new(path, Problem::Forbidden(detail.to_string()))
    }

    /// An invalid string value, quoted as Go's `%q` does.
    pub fn invalid(path: &Path, value: &str, detail: &str) -> FieldError {
        FieldError::new(
            path,
            Problem::Invalid {
                value: quote(value),
                detail: detail.to_string(),
            },
        )
    }

    /// An invalid list of strings, printed as Go's `%#v` prints a slice of type `go_type`.
    pub fn invalid_list(path: &Path, go_type: &str, items: &[String], detail: &str) -> FieldError {
        let items: Vec<String> = items.iter().map(|i| quote(i)).collect();
        FieldError::new(
            path,
            Problem::Invalid {
                value: format!("[]{go_type}{{{}}}", items.join(", ")),
                detail: detail.to_string(),
            },
        )
    }

    pub fn not_supported(
        path: &Path,
        value: &str,
        supported: &'static [&'static str],
    ) -> FieldError {
        FieldError::new(
            path,
            Problem::NotSupported {
                value: value.to_string(),
                supported,
            },
        )
    }

    pub fn duplicate(path: &Path, value: &str) -> FieldError {
        FieldError::new(path, Problem::Duplicate(value.to_string()))
    }

    fn new(path: &Path, problem: Problem) -> FieldError {
        FieldError {
            path: path.clone(),
            problem,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path.display)?;
        match &self.problem {
            Problem::Required(detail) if detail.is_empty() => f.write_str("Required value"),
            Problem::Required(detail) => write!(f, "Required value: {detail}"),
            Problem::Forbidden(detail) => write!(f, "Forbidden: {detail}"),
            Problem::Invalid { value, detail } => write!(f, "Invalid value: {value}: {detail}"),
            Problem::NotSupported { value, supported } => {
                let supported: Vec<String> = supported.iter().map(|s| quote(s)).collect();
                write!(
                    f,
                    "Unsupported value: {}: supported values: {}",
                    quote(value),
                    supported.join(", ")
                )
            }
            Problem::Duplicate(value) => write!(f, "Duplicate value: {}", quote(value)),
        }
    }
}

/// The errors of one object the API server would refuse, in the order it finds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        match all.as_slice() {
            [one] => f.write_str(one),
            _ => write!(f, "[{}]", all.join(", ")),
        }
    }
}

impl std::error::Error for FieldErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_apimachinery_words_them() {
        let actions = Path::root("spec").child("validationActions");
        assert_eq!(actions.pointer, "/spec/validationActions");
        assert_eq!(
            FieldError::required(&actions, "at least one validation action is required")
                .to_string(),
            "spec.validationActions: Required value: at least one validation action is required"
        );
        assert_eq!(
            FieldError::not_supported(&actions.index(1), "Block", &["Audit", "Deny", "Warn"])
                .to_string(),
            "spec.validationActions[1]: Unsupported value: \"Block\": supported values: \"Audit\", \"Deny\", \"Warn\""
        );
        assert_eq!(
            FieldError::invalid_list(
                &actions,
                "admissionregistration.ValidationAction",
                &["Deny".into(), "Warn".into()],
                "no"
            )
            .to_string(),
            "spec.validationActions: Invalid value: []admissionregistration.ValidationAction{\"Deny\", \"Warn\"}: no"
        );
        assert_eq!(actions.index(1).pointer, "/spec/validationActions/1");
    }
}
