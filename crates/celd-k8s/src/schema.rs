//! CustomResourceDefinitions and their `openAPIV3Schema`s: the model read from YAML, the CEL
//! types Kubernetes derives from a schema (`SchemaDeclType`), and the size and cardinality
//! figures its cost limits are computed from.

use std::fmt;

use indexmap::IndexMap;
use serde_json::Value;

use crate::escaping;
use crate::yaml::{self, Document, Location};

/// The largest request the API server accepts, which bounds every unbounded size estimate.
pub const MAX_REQUEST_SIZE_BYTES: i64 = 3 * 1024 * 1024;
/// Longest duration and date-time strings, quotes included.
pub const MAX_DURATION_SIZE_JSON: i64 = 32;
pub const MAX_DATETIME_SIZE_JSON: i64 = 32;
/// Shortest serialized sizes.
pub const MIN_DURATION_SIZE_JSON: i64 = 3;
pub const JSON_DATE_SIZE: i64 = 12;
pub const MIN_DATETIME_SIZE_JSON: i64 = 21;
pub const MIN_STRING_SIZE: i64 = 2;
pub const MIN_BOOL_SIZE: i64 = 4;
pub const MIN_NUMBER_SIZE: i64 = 1;

/// The largest static cost estimate one rule (or message expression) may have.
pub const STATIC_ESTIMATED_COST_LIMIT: u64 = 10_000_000;
/// The largest total estimate of all the rules of a CRD.
pub const STATIC_ESTIMATED_CRD_COST_LIMIT: u64 = 100_000_000;
/// The runtime cost limit of one rule evaluation.
pub const PER_CALL_LIMIT: u64 = 1_000_000;
/// The runtime cost budget of all the rules evaluated for one object (and of the validations
/// and message expressions of one admission policy evaluation; see [`crate::budget`]).
pub const RUNTIME_CEL_COST_BUDGET: u64 = 10_000_000;
/// The runtime cost budget of an admission policy's `matchConditions`, for one evaluation.
pub const RUNTIME_CEL_COST_BUDGET_MATCH_CONDITIONS: u64 = 2_500_000;
/// The longest message a `messageExpression` may produce.
pub const MAX_EVALUATED_MESSAGE_EXPRESSION_SIZE_BYTES: usize = 5 * 1024;
/// The `reason`s a rule may give.
pub const SUPPORTED_REASONS: [&str; 4] = [
    "FieldValueRequired",
    "FieldValueForbidden",
    "FieldValueInvalid",
    "FieldValueDuplicate",
];

/// A schema or CRD that cannot be read, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub location: Location,
    /// The JSON Pointer of the offending node.
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for SchemaError {}

/// One `x-kubernetes-validations` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationRule {
    pub rule: String,
    pub message: Option<String>,
    pub message_expression: Option<String>,
    pub reason: Option<String>,
    pub field_path: Option<String>,
    pub optional_old_self: Option<bool>,
    /// The JSON Pointer of the entry in its document.
    pub pointer: String,
}

/// `additionalProperties`: a boolean or a schema.
#[derive(Clone, Debug, PartialEq)]
pub enum AdditionalProperties {
    Allowed(bool),
    Schema(Box<Schema>),
}

/// An OpenAPI v3 schema node, with the Kubernetes extensions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// `type`, or empty.
    pub type_: String,
    pub format: String,
    pub properties: IndexMap<String, Schema>,
    pub required: Vec<String>,
    pub items: Option<Box<Schema>>,
    pub additional_properties: Option<AdditionalProperties>,
    pub nullable: bool,
    pub max_length: Option<i64>,
    pub max_items: Option<i64>,
    pub max_properties: Option<i64>,
    pub enum_values: Vec<Value>,
    pub default: Option<Value>,
    pub preserve_unknown_fields: bool,
    pub int_or_string: bool,
    pub embedded_resource: bool,
    pub list_type: Option<String>,
    pub list_map_keys: Vec<String>,
    pub map_type: Option<String>,
    pub validations: Vec<ValidationRule>,
    /// The JSON Pointer of this schema in its document.
    pub pointer: String,
}

struct Reader<'a> {
    doc: &'a Document,
}

impl Reader<'_> {
    fn error(&self, pointer: &str, message: impl Into<String>) -> SchemaError {
        SchemaError {
            location: self.doc.location(pointer),
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    fn object<'v>(
        &self,
        v: &'v Value,
        pointer: &str,
        what: &str,
    ) -> Result<&'v serde_json::Map<String, Value>, SchemaError> {
        v.as_object()
            .ok_or_else(|| self.error(pointer, format!("{what} must be an object")))
    }

    fn string(&self, v: &Value, pointer: &str, what: &str) -> Result<String, SchemaError> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| self.error(pointer, format!("{what} must be a string")))
    }

    fn int(&self, v: &Value, pointer: &str, what: &str) -> Result<i64, SchemaError> {
        v.as_i64()
            .ok_or_else(|| self.error(pointer, format!("{what} must be an integer")))
    }

    fn boolean(&self, v: &Value, pointer: &str, what: &str) -> Result<bool, SchemaError> {
        v.as_bool()
            .ok_or_else(|| self.error(pointer, format!("{what} must be a boolean")))
    }

    fn strings(&self, v: &Value, pointer: &str, what: &str) -> Result<Vec<String>, SchemaError> {
        let items = v
            .as_array()
            .ok_or_else(|| self.error(pointer, format!("{what} must be a list of strings")))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.string(item, &format!("{pointer}/{i}"), what))
            .collect()
    }

    fn schema(&self, v: &Value, pointer: &str) -> Result<Schema, SchemaError> {
        let map = self.object(v, pointer, "a schema")?;
        let mut s = Schema {
            pointer: pointer.into(),
            ..Schema::default()
        };
        for (key, value) in map {
            let p = format!("{pointer}/{}", yaml::pointer_segment(key));
            match key.as_str() {
                "type" => s.type_ = self.string(value, &p, "type")?,
                "format" => s.format = self.string(value, &p, "format")?,
                "properties" => {
                    for (name, prop) in self.object(value, &p, "properties")? {
                        let pp = format!("{p}/{}", yaml::pointer_segment(name));
                        s.properties.insert(name.clone(), self.schema(prop, &pp)?);
                    }
                }
                "required" => s.required = self.strings(value, &p, "required")?,
                "items" => s.items = Some(Box::new(self.schema(value, &p)?)),
                "additionalProperties" => {
                    s.additional_properties = Some(match value {
                        Value::Bool(b) => AdditionalProperties::Allowed(*b),
                        _ => AdditionalProperties::Schema(Box::new(self.schema(value, &p)?)),
                    })
                }
                "nullable" => s.nullable = self.boolean(value, &p, "nullable")?,
                "maxLength" => s.max_length = Some(self.int(value, &p, "maxLength")?),
                "maxItems" => s.max_items = Some(self.int(value, &p, "maxItems")?),
                "maxProperties" => s.max_properties = Some(self.int(value, &p, "maxProperties")?),
                "enum" => {
                    s.enum_values = value
                        .as_array()
                        .cloned()
                        .ok_or_else(|| self.error(&p, "enum must be a list"))?
                }
                "default" => s.default = Some(value.clone()),
                "x-kubernetes-preserve-unknown-fields" => {
                    s.preserve_unknown_fields = self.boolean(value, &p, key)?
                }
                "x-kubernetes-int-or-string" => s.int_or_string = self.boolean(value, &p, key)?,
                "x-kubernetes-embedded-resource" => {
                    s.embedded_resource = self.boolean(value, &p, key)?
                }
                "x-kubernetes-list-type" => s.list_type = Some(self.string(value, &p, key)?),
                "x-kubernetes-list-map-keys" => s.list_map_keys = self.strings(value, &p, key)?,
                "x-kubernetes-map-type" => s.map_type = Some(self.string(value, &p, key)?),
                "x-kubernetes-validations" => s.validations = self.rules(value, &p)?,
                _ => {}
            }
        }
        Ok(s)
    }

    fn rules(&self, v: &Value, pointer: &str) -> Result<Vec<ValidationRule>, SchemaError> {
        let items = v.as_array().ok_or_else(|| {
            self.error(pointer, "x-kubernetes-validations must be a list of rules")
        })?;
        let mut rules = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let p = format!("{pointer}/{i}");
            let map = self.object(item, &p, "a validation rule")?;
            let field = |name: &str| -> Result<Option<String>, SchemaError> {
                map.get(name)
                    .map(|v| self.string(v, &format!("{p}/{name}"), name))
                    .transpose()
            };
            rules.push(ValidationRule {
                rule: field("rule")?.unwrap_or_default(),
                message: field("message")?,
                message_expression: field("messageExpression")?,
                reason: field("reason")?,
                field_path: field("fieldPath")?,
                optional_old_self: map
                    .get("optionalOldSelf")
                    .map(|v| self.boolean(v, &format!("{p}/optionalOldSelf"), "optionalOldSelf"))
                    .transpose()?,
                pointer: p,
            });
        }
        Ok(rules)
    }
}

/// One version of a CRD.
#[derive(Clone, Debug, PartialEq)]
pub struct CrdVersion {
    pub name: String,
    pub served: bool,
    pub storage: bool,
    pub schema: Option<Schema>,
}

/// A CustomResourceDefinition: what validation needs of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Crd {
    pub name: String,
    pub group: String,
    pub kind: String,
    pub versions: Vec<CrdVersion>,
}

impl Crd {
    /// Reads an `apiextensions.k8s.io/v1` CustomResourceDefinition document.
    pub fn from_document(doc: &Document) -> Result<Crd, SchemaError> {
        let r = Reader { doc };
        let root = r.object(&doc.value, "", "a CustomResourceDefinition")?;
        let kind = root.get("kind").and_then(Value::as_str).unwrap_or_default();
        if kind != "CustomResourceDefinition" {
            return Err(r.error(
                "/kind",
                format!(
                    "expected kind CustomResourceDefinition, found {}",
                    crate::go::quote(kind)
                ),
            ));
        }
        let name = doc
            .value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let spec = r.object(
            root.get("spec")
                .ok_or_else(|| r.error("", "spec is required"))?,
            "/spec",
            "spec",
        )?;
        let text = |key: &str| -> Result<String, SchemaError> {
            spec.get(key)
                .map(|v| r.string(v, &format!("/spec/{key}"), key))
                .transpose()
                .map(Option::unwrap_or_default)
        };
        let group = text("group")?;
        let kind = spec
            .get("names")
            .and_then(|n| n.get("kind"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let versions_value = spec
            .get("versions")
            .ok_or_else(|| r.error("/spec", "spec.versions is required"))?;
        let versions = versions_value
            .as_array()
            .ok_or_else(|| r.error("/spec/versions", "spec.versions must be a list"))?;
        let mut out = Vec::with_capacity(versions.len());
        for (i, v) in versions.iter().enumerate() {
            let p = format!("/spec/versions/{i}");
            let map = r.object(v, &p, "a version")?;
            let get_bool = |key: &str| -> Result<bool, SchemaError> {
                map.get(key)
                    .map(|b| r.boolean(b, &format!("{p}/{key}"), key))
                    .transpose()
                    .map(|b| b.unwrap_or(false))
            };
            let schema = match v.pointer("/schema/openAPIV3Schema") {
                Some(s) => Some(r.schema(s, &format!("{p}/schema/openAPIV3Schema"))?),
                None => None,
            };
            out.push(CrdVersion {
                name: map
                    .get("name")
                    .map(|n| r.string(n, &format!("{p}/name"), "name"))
                    .transpose()?
                    .unwrap_or_default(),
                served: get_bool("served")?,
                storage: get_bool("storage")?,
                schema,
            });
        }
        Ok(Crd {
            name,
            group,
            kind,
            versions: out,
        })
    }

    /// The version with this name.
    pub fn version(&self, name: &str) -> Option<&CrdVersion> {
        self.versions.iter().find(|v| v.name == name)
    }
}

/// A schema read from a document on its own (a schema fragment).
pub fn schema_from_document(doc: &Document) -> Result<Schema, SchemaError> {
    Reader { doc }.schema(&doc.value, "")
}

/// The CEL type of a schema node, with the figures the cost estimate uses.
#[derive(Clone, Debug, PartialEq)]
pub struct DeclType {
    pub kind: DeclKind,
    /// The most elements (characters in bytes for strings, entries for lists and maps).
    pub max_elements: i64,
    /// The smallest size in bytes a value of this type serializes to in JSON.
    pub min_serialized_size: i64,
}

/// The kinds of CEL type a schema maps to.
#[derive(Clone, Debug, PartialEq)]
pub enum DeclKind {
    Bool,
    Int,
    Double,
    String,
    Bytes,
    Duration,
    Timestamp,
    /// `x-kubernetes-int-or-string`: an `int` or a `string`, checked at run time.
    Dyn,
    List {
        elem: Box<DeclType>,
        /// `x-kubernetes-list-type` (`atomic` when absent).
        list_type: ListType,
    },
    Map(Box<DeclType>),
    /// An object with typed fields, by escaped name.
    Object(IndexMap<String, DeclField>),
}

/// How list equality and concatenation treat a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListType {
    Atomic,
    Set,
    /// Entries identified by these keys.
    Map(Vec<String>),
}

/// A field of an object type.
#[derive(Clone, Debug, PartialEq)]
pub struct DeclField {
    /// The property name as the schema writes it.
    pub property: String,
    pub ty: DeclType,
    pub required: bool,
    pub has_default: bool,
}

fn simple(kind: DeclKind, min_serialized_size: i64) -> DeclType {
    DeclType {
        kind,
        max_elements: 0,
        min_serialized_size,
    }
}

fn zero_if_negative(v: i64) -> i64 {
    v.max(0)
}

fn max_string_length_per_request(s: &Schema) -> i64 {
    if s.int_or_string {
        return MAX_REQUEST_SIZE_BYTES - 2;
    }
    match s.format.as_str() {
        "duration" => MAX_DURATION_SIZE_JSON,
        "date" => JSON_DATE_SIZE,
        "date-time" => MAX_DATETIME_SIZE_JSON,
        _ => MAX_REQUEST_SIZE_BYTES - 2,
    }
}

/// `maxLength` counts code points; a code point is at most 4 bytes.
fn max_elements_from_max_length(max_length: i64) -> i64 {
    zero_if_negative(max_length).saturating_mul(4)
}

fn max_string_enum_length(s: &Schema) -> i64 {
    s.enum_values
        .iter()
        .filter_map(Value::as_str)
        .map(|v| v.len() as i64)
        .max()
        .unwrap_or(0)
}

/// `estimateMaxArrayItemsFromMinSize`.
pub fn max_array_items_from_min_size(min_size: i64) -> i64 {
    (MAX_REQUEST_SIZE_BYTES - 2) / (min_size + 1)
}

/// `estimateMaxAdditionalPropertiesFromMinSize`.
pub fn max_additional_properties_from_min_size(min_size: i64) -> i64 {
    (MAX_REQUEST_SIZE_BYTES - 2) / (min_size + 6)
}

/// `maxCardinality`: how often data of this minimum size can repeat in one request.
pub fn max_cardinality(min_size: i64) -> u64 {
    (MAX_REQUEST_SIZE_BYTES / (min_size + 1)) as u64
}

fn string_schema() -> Schema {
    Schema {
        type_: "string".into(),
        ..Schema::default()
    }
}

/// `WithTypeAndObjectMeta`: a resource root always has `apiVersion`, `kind`, `metadata.name`
/// and `metadata.generateName`; when the schema does not declare all four as strings (under an
/// object `metadata`), they replace what it declares there.
pub fn with_type_and_object_meta(s: &Schema) -> Schema {
    let is = |p: Option<&Schema>, t: &str| p.is_some_and(|p| p.type_ == t);
    let meta = s.properties.get("metadata");
    if is(s.properties.get("kind"), "string")
        && is(s.properties.get("apiVersion"), "string")
        && is(meta, "object")
        && meta.is_some_and(|m| {
            is(m.properties.get("name"), "string") && is(m.properties.get("generateName"), "string")
        })
    {
        return s.clone();
    }
    let mut out = s.clone();
    out.properties.insert("kind".into(), string_schema());
    out.properties.insert("apiVersion".into(), string_schema());
    let mut metadata = Schema {
        type_: "object".into(),
        pointer: meta.map(|m| m.pointer.clone()).unwrap_or_default(),
        ..Schema::default()
    };
    metadata.properties.insert("name".into(), string_schema());
    metadata
        .properties
        .insert("generateName".into(), string_schema());
    out.properties.insert("metadata".into(), metadata);
    out
}

/// `SchemaDeclType`: the CEL type rules see for data of this schema, or `None` when the data is
/// not visible to rules (no type, or items or values that are not).
pub fn decl_type(s: &Schema, is_resource_root: bool) -> Option<DeclType> {
    if s.int_or_string {
        let max = match s.max_length {
            Some(n) => max_elements_from_max_length(n),
            None => max_string_length_per_request(s),
        };
        return Some(DeclType {
            kind: DeclKind::Dyn,
            max_elements: max,
            min_serialized_size: 1,
        });
    }
    let rooted;
    let s = if is_resource_root {
        rooted = with_type_and_object_meta(s);
        &rooted
    } else {
        s
    };
    match s.type_.as_str() {
        "array" => {
            let items = s.items.as_deref()?;
            let elem = decl_type(items, items.embedded_resource)?;
            let max_items = match s.max_items {
                Some(n) => zero_if_negative(n),
                None => max_array_items_from_min_size(elem.min_serialized_size),
            };
            let list_type = match s.list_type.as_deref() {
                Some("set") => ListType::Set,
                Some("map") => ListType::Map(s.list_map_keys.clone()),
                _ => ListType::Atomic,
            };
            Some(DeclType {
                kind: DeclKind::List {
                    elem: Box::new(elem),
                    list_type,
                },
                max_elements: max_items,
                min_serialized_size: 2,
            })
        }
        "object" => {
            if let Some(AdditionalProperties::Schema(props)) = &s.additional_properties {
                let elem = decl_type(props, props.embedded_resource)?;
                let max = match s.max_properties {
                    Some(n) => zero_if_negative(n),
                    None => max_additional_properties_from_min_size(elem.min_serialized_size),
                };
                return Some(DeclType {
                    kind: DeclKind::Map(Box::new(elem)),
                    max_elements: max,
                    min_serialized_size: 2,
                });
            }
            let mut fields = IndexMap::new();
            let mut min_size = 2i64;
            for (name, prop) in &s.properties {
                let Some(ty) = decl_type(prop, prop.embedded_resource) else {
                    continue;
                };
                let required = s.required.iter().any(|r| r == name);
                if required && prop.default.is_none() {
                    min_size += name.len() as i64 + ty.min_serialized_size + 4;
                }
                if let Some(escaped) = escaping::escape(name) {
                    fields.insert(
                        escaped,
                        DeclField {
                            property: name.clone(),
                            ty,
                            required,
                            has_default: prop.default.is_some(),
                        },
                    );
                }
            }
            Some(DeclType {
                kind: DeclKind::Object(fields),
                max_elements: 0,
                min_serialized_size: min_size,
            })
        }
        "string" => Some(match s.format.as_str() {
            "byte" => DeclType {
                kind: DeclKind::Bytes,
                max_elements: match s.max_length {
                    Some(n) => zero_if_negative(n),
                    None => max_string_length_per_request(s),
                },
                min_serialized_size: MIN_STRING_SIZE,
            },
            "duration" => DeclType {
                kind: DeclKind::Duration,
                max_elements: max_string_length_per_request(s),
                min_serialized_size: MIN_DURATION_SIZE_JSON,
            },
            "date" => DeclType {
                kind: DeclKind::Timestamp,
                max_elements: max_string_length_per_request(s),
                min_serialized_size: JSON_DATE_SIZE,
            },
            "date-time" => DeclType {
                kind: DeclKind::Timestamp,
                max_elements: max_string_length_per_request(s),
                min_serialized_size: MIN_DATETIME_SIZE_JSON,
            },
            _ => DeclType {
                kind: DeclKind::String,
                max_elements: match s.max_length {
                    Some(n) => max_elements_from_max_length(n),
                    None if !s.enum_values.is_empty() => max_string_enum_length(s),
                    None => max_string_length_per_request(s),
                },
                min_serialized_size: MIN_STRING_SIZE,
            },
        }),
        "boolean" => Some(simple(DeclKind::Bool, MIN_BOOL_SIZE)),
        "number" => Some(simple(DeclKind::Double, MIN_NUMBER_SIZE)),
        "integer" => Some(simple(DeclKind::Int, MIN_NUMBER_SIZE)),
        _ => None,
    }
}

/// `extractMaxElements`: by how much a node multiplies how often its children can occur
/// (`None`: without bound).
pub fn max_elements_factor(s: &Schema) -> Option<u64> {
    match s.type_.as_str() {
        "object" if s.additional_properties.is_some() => {
            s.max_properties.map(|n| zero_if_negative(n) as u64)
        }
        "array" => s.max_items.map(|n| zero_if_negative(n) as u64),
        _ => Some(1),
    }
}

/// A child's cardinality from its parent's (`childContext`): `None` is unbounded.
pub fn child_cardinality(parent_cardinality: Option<u64>, parent: &Schema) -> Option<u64> {
    let factor = max_elements_factor(parent)?;
    let parent = parent_cardinality?;
    Some(multiply_with_overflow_guard(parent, factor))
}

/// `multiplyWithOverflowGuard`.
pub fn multiply_with_overflow_guard(base: u64, cardinality: u64) -> u64 {
    if base == 0 {
        return 0;
    }
    base.saturating_mul(cardinality)
}

/// `getExpressionCost`: a rule's estimate times how often it can run.
pub fn expression_cost(max_cost: u64, cardinality: Option<u64>, min_serialized_size: i64) -> u64 {
    let times = cardinality.unwrap_or_else(|| max_cardinality(min_serialized_size));
    multiply_with_overflow_guard(max_cost, times)
}

/// `getCostErrorMessage`, with Go's `%f` and `%.1f`.
pub fn cost_error_message(cost_name: &str, expression_cost: u64, cost_limit: u64) -> String {
    let factor = expression_cost as f64 / cost_limit as f64;
    let factor = if factor > 100.0 {
        "more than 100x".to_string()
    } else if factor < 1.5 {
        format!("{factor:.6}x")
    } else {
        format!("{factor:.1}x")
    };
    format!(
        "{cost_name} exceeds budget by factor of {factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"
    )
}

/// The total estimate of a CRD's rules and the most expensive of them (`TotalCost`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TotalCost {
    pub total: u64,
    /// Up to four (path, cost) pairs, most expensive first, each at least 1 % of the CRD limit.
    pub most_expensive: Vec<(String, u64)>,
}

impl TotalCost {
    /// `ObserveExpressionCost`.
    pub fn observe(&mut self, path: &str, cost: u64) {
        self.total = self.total.saturating_add(cost);
        if cost < STATIC_ESTIMATED_CRD_COST_LIMIT / 100 {
            return;
        }
        self.most_expensive.push((path.to_string(), cost));
        self.most_expensive
            .sort_by_key(|(_, cost)| std::cmp::Reverse(*cost));
        self.most_expensive.truncate(4);
    }
}

/// A rule where it is declared: its schema node, the CEL type of `self` there, how often the
/// node can occur in one object, and its path as Kubernetes words it (`properties[spec].items`,
/// relative to `openAPIV3Schema`).
#[derive(Clone, Debug)]
pub struct RuleSite<'a> {
    pub schema: &'a Schema,
    pub index: usize,
    pub rule: &'a ValidationRule,
    /// `None` when the node's data is not visible to rules (Kubernetes refuses the rule).
    pub self_type: Option<DeclType>,
    /// `None`: without bound.
    pub cardinality: Option<u64>,
    pub path: String,
}

/// Every rule of a schema, depth first, the properties of a node in name order.
pub fn rule_sites(root: &Schema) -> Vec<RuleSite<'_>> {
    let mut out = Vec::new();
    collect_rules(root, true, Some(1), String::new(), &mut out);
    out
}

fn collect_rules<'a>(
    s: &'a Schema,
    is_root: bool,
    cardinality: Option<u64>,
    path: String,
    out: &mut Vec<RuleSite<'a>>,
) {
    if !s.validations.is_empty() {
        let self_type = decl_type(s, is_root || s.embedded_resource);
        for (index, rule) in s.validations.iter().enumerate() {
            out.push(RuleSite {
                schema: s,
                index,
                rule,
                self_type: self_type.clone(),
                cardinality,
                path: path.clone(),
            });
        }
    }
    let child = child_cardinality(cardinality, s);
    let join = |suffix: &str| {
        if path.is_empty() {
            suffix.to_string()
        } else {
            format!("{path}.{suffix}")
        }
    };
    for (name, prop) in &s.properties {
        collect_rules(
            prop,
            false,
            child,
            join(&format!("properties[{name}]")),
            out,
        );
    }
    if let Some(items) = &s.items {
        collect_rules(items, false, child, join("items"), out);
    }
    if let Some(AdditionalProperties::Schema(props)) = &s.additional_properties {
        collect_rules(props, false, child, join("additionalProperties"), out);
    }
}

/// Reads the CustomResourceDefinitions of a YAML stream (other kinds are an error).
pub fn crds_from_yaml(text: &str) -> Result<Vec<Crd>, SchemaError> {
    let docs = yaml::parse_documents(text).map_err(|e| SchemaError {
        location: e.location,
        pointer: String::new(),
        message: e.message,
    })?;
    docs.iter().map(Crd::from_document).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(text: &str) -> Schema {
        let docs = yaml::parse_documents(text).unwrap_or_default();
        schema_from_document(&docs[0]).unwrap_or_else(|e| panic!("{e}"))
    }

    fn decl(text: &str) -> DeclType {
        decl_type(&schema(text), false).unwrap_or_else(|| panic!("no type for {text}"))
    }

    #[test]
    fn scalars_map_to_cel_types() {
        assert_eq!(decl("type: integer").kind, DeclKind::Int);
        assert_eq!(decl("type: number").kind, DeclKind::Double);
        assert_eq!(decl("type: boolean").kind, DeclKind::Bool);
        let s = decl("type: string\nmaxLength: 10");
        assert_eq!((s.kind, s.max_elements), (DeclKind::String, 40));
        let s = decl("type: string");
        assert_eq!(s.max_elements, MAX_REQUEST_SIZE_BYTES - 2);
        let s = decl("type: string\nenum: [a, bbb]");
        assert_eq!(s.max_elements, 3);
        let b = decl("type: string\nformat: byte\nmaxLength: 10");
        assert_eq!((b.kind, b.max_elements), (DeclKind::Bytes, 10));
        let d = decl("type: string\nformat: duration\nmaxLength: 10");
        assert_eq!((d.kind, d.max_elements), (DeclKind::Duration, 32));
        assert_eq!(
            decl("type: string\nformat: date-time").kind,
            DeclKind::Timestamp
        );
        assert_eq!(decl("type: string\nformat: date").max_elements, 12);
        let ios = decl("x-kubernetes-int-or-string: true");
        assert_eq!((ios.kind, ios.min_serialized_size), (DeclKind::Dyn, 1));
        assert!(decl_type(&schema("x-kubernetes-preserve-unknown-fields: true"), false).is_none());
        assert!(
            decl_type(&schema("type: array"), false).is_none(),
            "no items"
        );
    }

    #[test]
    fn containers_and_their_bounds() {
        let l = decl("type: array\nitems: {type: integer}");
        assert_eq!(l.max_elements, (MAX_REQUEST_SIZE_BYTES - 2) / 2);
        let l = decl("type: array\nmaxItems: 5\nitems: {type: string}");
        assert_eq!(l.max_elements, 5);
        let m = decl("type: object\nadditionalProperties: {type: string}");
        assert_eq!(m.max_elements, (MAX_REQUEST_SIZE_BYTES - 2) / 8);
        assert!(matches!(m.kind, DeclKind::Map(_)));
        let set = decl("type: array\nx-kubernetes-list-type: set\nitems: {type: string}");
        assert!(matches!(
            set.kind,
            DeclKind::List {
                list_type: ListType::Set,
                ..
            }
        ));
        let lm = decl(
            "type: array\nx-kubernetes-list-type: map\nx-kubernetes-list-map-keys: [name]\nitems: {type: object, properties: {name: {type: string}}}",
        );
        assert!(
            matches!(&lm.kind, DeclKind::List { list_type: ListType::Map(k), .. } if k == &["name"])
        );
    }

    #[test]
    fn objects_escape_names_and_size_required_fields() {
        let o = decl(
            "type: object\nrequired: [name, count, x-y]\nproperties:\n  name: {type: string}\n  count: {type: integer, default: 1}\n  x-y: {type: boolean}\n  namespace: {type: string}\n  a b: {type: string}\n  free: {x-kubernetes-preserve-unknown-fields: true}\n",
        );
        let DeclKind::Object(fields) = &o.kind else {
            panic!("not an object");
        };
        let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["__namespace__", "count", "name", "x__dash__y"]);
        // {} + "name" (4 + 2 + 4) + "x-y" (3 + 4 + 4); count has a default.
        assert_eq!(o.min_serialized_size, 2 + 10 + 11);
        assert!(fields["name"].required);
        assert!(fields["count"].has_default);
    }

    #[test]
    fn resource_roots_get_type_and_object_meta() {
        let root = decl_type(
            &schema(
                "type: object\nproperties:\n  spec: {type: object}\n  metadata: {type: object}",
            ),
            true,
        )
        .unwrap_or_else(|| panic!("root"));
        let DeclKind::Object(fields) = &root.kind else {
            panic!("not an object");
        };
        assert!(fields.contains_key("apiVersion") && fields.contains_key("kind"));
        let DeclKind::Object(meta) = &fields["metadata"].ty.kind else {
            panic!("metadata");
        };
        let mut keys: Vec<&String> = meta.keys().collect();
        keys.sort_unstable();
        assert_eq!(keys, ["generateName", "name"]);
    }

    #[test]
    fn cardinality_and_cost_messages() {
        let list = schema("type: array\nitems: {type: string}");
        assert_eq!(child_cardinality(Some(1), &list), None);
        let bounded = schema("type: array\nmaxItems: 10\nitems: {type: string}");
        assert_eq!(child_cardinality(Some(3), &bounded), Some(30));
        assert_eq!(child_cardinality(Some(3), &schema("type: object")), Some(3));
        assert_eq!(max_cardinality(2), 1_048_576);
        assert_eq!(expression_cost(5, None, 2), 5_242_880);
        assert_eq!(expression_cost(0, None, 2), 0);
        assert_eq!(
            cost_error_message(
                "estimated rule cost",
                12_000_000,
                STATIC_ESTIMATED_COST_LIMIT
            ),
            "estimated rule cost exceeds budget by factor of 1.200000x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"
        );
        assert!(cost_error_message("x", 25_000_000, 10_000_000).contains("factor of 2.5x"));
        assert!(cost_error_message("x", 2_000_000_000, 10_000_000).contains("more than 100x"));
        let mut total = TotalCost::default();
        for (i, c) in [
            5, 2_000_000, 900_000, 3_000_000, 1_000_000, 4_000_000, 2_500_000,
        ]
        .into_iter()
        .enumerate()
        {
            total.observe(&format!("r{i}"), c);
        }
        assert_eq!(total.total, 13_400_005);
        assert_eq!(
            total.most_expensive,
            [
                ("r5".into(), 4_000_000),
                ("r3".into(), 3_000_000),
                ("r6".into(), 2_500_000),
                ("r1".into(), 2_000_000)
            ]
        );
    }

    #[test]
    fn schema_errors_point_into_the_document() {
        let docs = yaml::parse_documents("type: object\nproperties:\n  nm:\n    maxLength: ten\n")
            .unwrap_or_default();
        let e = schema_from_document(&docs[0]).unwrap_err();
        assert_eq!(e.pointer, "/properties/nm/maxLength");
        assert_eq!(
            e.location,
            Location {
                line: 4,
                column: 16
            }
        );
        assert_eq!(e.message, "maxLength must be an integer");
    }
}
