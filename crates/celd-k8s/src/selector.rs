//! Label selectors (`metav1.LabelSelector`): `matchLabels` and `matchExpressions` validated as
//! `ValidateLabelSelector` does and matched against labels as `labels.Selector` does.

use serde_json::{Map, Value as Json};

use crate::field::{FieldError, Path};
use crate::format::{is_qualified_name, is_valid_label_value};

/// A `matchExpressions` operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// One requirement on a label (`matchLabels` entries are `In` with one value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

impl Requirement {
    fn matches(&self, labels: Option<&Map<String, Json>>) -> bool {
        let value = labels.and_then(|l| l.get(&self.key));
        let value = value.and_then(Json::as_str);
        match self.operator {
            Operator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Operator::NotIn => !value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

/// A label selector: every requirement must hold; none selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// The selector `{}`: everything.
    pub fn everything() -> LabelSelector {
        LabelSelector::default()
    }

    /// Whether this selects everything (`selector.Empty()`).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether labels (an object's `metadata.labels`, absent for none) are selected.
    pub fn matches(&self, labels: Option<&Map<String, Json>>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether an object's labels are selected.
    pub fn matches_object(&self, object: &Json) -> bool {
        self.matches(labels_of(object))
    }

    /// Reads a selector at `path`, adding the API server's validation errors to `errors`.
    pub fn parse(json: &Json, path: &Path, errors: &mut Vec<FieldError>) -> LabelSelector {
        let mut selector = LabelSelector::default();
        if json.is_null() {
            return selector;
        }
        let Some(object) = json.as_object() else {
            errors.push(FieldError::invalid(
                path,
                &json.to_string(),
                "must be an object",
            ));
            return selector;
        };
        let labels_path = path.child("matchLabels");
        match object.get("matchLabels") {
            None | Some(Json::Null) => {}
            Some(Json::Object(labels)) => {
                for (key, value) in labels {
                    let value = string_value(value, &labels_path, errors);
                    validate_label_name(key, &labels_path, errors);
                    for message in is_valid_label_value(&value) {
                        errors.push(FieldError::invalid(&labels_path, &value, &message));
                    }
                    selector.requirements.push(Requirement {
                        key: key.clone(),
                        operator: Operator::In,
                        values: vec![value],
                    });
                }
            }
            Some(other) => errors.push(FieldError::invalid(
                &labels_path,
                &other.to_string(),
                "must be a map of strings",
            )),
        }
        let expressions_path = path.child("matchExpressions");
        let expressions = object.get("matchExpressions").and_then(Json::as_array);
        for (i, expression) in expressions.into_iter().flatten().enumerate() {
            if let Some(r) = requirement(expression, &expressions_path.index(i), errors) {
                selector.requirements.push(r);
            }
        }
        selector
    }
}

/// The labels of an object (`metadata.labels`).
pub fn labels_of(object: &Json) -> Option<&Map<String, Json>> {
    object.pointer("/metadata/labels").and_then(Json::as_object)
}

fn string_value(value: &Json, path: &Path, errors: &mut Vec<FieldError>) -> String {
    match value.as_str() {
        Some(s) => s.to_string(),
        None => {
            errors.push(FieldError::invalid(
                path,
                &value.to_string(),
                "must be a string",
            ));
            String::new()
        }
    }
}

fn validate_label_name(key: &str, path: &Path, errors: &mut Vec<FieldError>) {
    for message in is_qualified_name(key) {
        errors.push(FieldError::invalid(path, key, &message));
    }
}

/// `ValidateLabelSelectorRequirement`, then the requirement when it is usable.
fn requirement(json: &Json, path: &Path, errors: &mut Vec<FieldError>) -> Option<Requirement> {
    let text = |key: &str| json.get(key).and_then(Json::as_str).unwrap_or_default();
    let values_path = path.child("values");
    let values: Vec<String> = json
        .get("values")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|v| string_value(v, &values_path, errors))
        .collect();
    let before = errors.len();
    let operator = match text("operator") {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        other => {
            errors.push(FieldError::invalid(
                &path.child("operator"),
                other,
                "not a valid selector operator",
            ));
            Operator::In
        }
    };
    match operator {
        Operator::In | Operator::NotIn if values.is_empty() && errors.len() == before => {
            errors.push(FieldError::required(
                &values_path,
                "must be specified when `operator` is 'In' or 'NotIn'",
            ));
        }
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
            errors.push(FieldError::forbidden(
                &values_path,
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ));
        }
        _ => {}
    }
    let key = text("key").to_string();
    validate_label_name(&key, &path.child("key"), errors);
    for (i, value) in values.iter().enumerate() {
        for message in is_valid_label_value(value) {
            errors.push(FieldError::invalid(&values_path.index(i), value, &message));
        }
    }
    (errors.len() == before).then_some(Requirement {
        key,
        operator,
        values,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn selector(json: Json) -> LabelSelector {
        let mut errors = Vec::new();
        let s = LabelSelector::parse(&json, &Path::root("selector"), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        s
    }

    fn errors(json: Json) -> Vec<String> {
        let mut errors = Vec::new();
        LabelSelector::parse(&json, &Path::root("selector"), &mut errors);
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn match_labels_and_expressions_must_all_hold() {
        let s = selector(json!({
            "matchLabels": {"env": "prod"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["web", "api"]},
                {"key": "legacy", "operator": "DoesNotExist"},
            ]
        }));
        let labels = |v: Json| v.as_object().cloned();
        assert!(s.matches(labels(json!({"env": "prod", "tier": "api"})).as_ref()));
        assert!(!s.matches(labels(json!({"env": "prod", "tier": "db"})).as_ref()));
        assert!(!s.matches(labels(json!({"env": "prod", "tier": "web", "legacy": ""})).as_ref()));
        assert!(!s.matches(None));
    }

    #[test]
    fn not_in_and_does_not_exist_select_unlabelled_objects() {
        let s = selector(json!({"matchExpressions": [
            {"key": "env", "operator": "NotIn", "values": ["test"]},
        ]}));
        assert!(s.matches(None));
        assert!(!s.matches(json!({"env": "test"}).as_object()));
        let exists = selector(json!({"matchExpressions": [{"key": "env", "operator": "Exists"}]}));
        assert!(!exists.matches(None));
        assert!(exists.matches(json!({"env": ""}).as_object()));
        assert!(selector(json!({})).is_empty());
        assert!(selector(json!({})).matches(None));
    }

    #[test]
    fn invalid_requirements_are_refused_as_the_api_server_words_it() {
        assert_eq!(
            errors(json!({"matchExpressions": [{"key": "env", "operator": "In"}]})),
            [
                "selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
            ]
        );
        assert_eq!(
            errors(
                json!({"matchExpressions": [{"key": "env", "operator": "Exists", "values": ["a"]}]})
            ),
            [
                "selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            ]
        );
        assert_eq!(
            errors(
                json!({"matchExpressions": [{"key": "env", "operator": "Is", "values": ["a"]}]})
            ),
            [
                "selector.matchExpressions[0].operator: Invalid value: \"Is\": not a valid selector operator"
            ]
        );
        let bad_key = errors(json!({"matchLabels": {"a b": "x"}}));
        assert_eq!(bad_key.len(), 1, "{bad_key:?}");
        assert!(
            bad_key[0].starts_with(
                "selector.matchLabels: Invalid value: \"a b\": name part must consist of"
            ),
            "{bad_key:?}"
        );
    }
}
