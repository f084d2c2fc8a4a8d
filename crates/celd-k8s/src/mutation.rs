//! MutatingAdmissionPolicy evaluation offline: variables, match conditions, then each mutation
//! (`JSONPatch` or `ApplyConfiguration`) on the result of the one before, with `failurePolicy`
//! and `reinvocationPolicy`, as kube-apiserver's `policy/mutating` plugin runs them.
//!
//! Without a schema the types are dynamic, as kube-apiserver's compiler makes them (its
//! `DynamicTypeResolver`): `Object`, and every `Object.<field>…` named in an expression, is a
//! struct type allowing every field as `dyn`. With a CRD's schema
//! ([`MutatingPolicy::with_schema`]) they are the schema's, and it decides how lists merge
//! ([`crate::apply`]). `JSONPatch` has `op`, `path`, `from` (strings) and `value` (`dyn`).
//!
//! As in kube-apiserver, every expression runs within the per-call cost limit, the match
//! conditions share a budget and each mutation has one of its own, with the variables it reads
//! ([`crate::budget`]): a mutation past its budget fails with
//! [`budget::OUT_OF_BUDGET`](crate::budget::OUT_OF_BUDGET), as any failed mutation does. The
//! variables are computed when a mutation first needs them, on the object as the mutations
//! before it left it (kube-apiserver computes them for each mutation).
//!
//! Offline there is no other admission plugin, so `reinvocationPolicy: IfNeeded` is shown as
//! what a reinvocation would do: the policy run once more on its own output, and the changes
//! that second run makes (none for a policy that is idempotent, as Kubernetes asks them to be).

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use celd::layers::syntax::{self, ast};
use celd::{Activation, Env, Key, StructType, Type, Value};
use serde_json::Value as Json;

use crate::admission::{self, PolicyError, Request, text};
use crate::apply::{self, ApplyError};
use crate::authz::{self, AuthorizerValue};
use crate::binding::ParamKind;
use crate::budget::{self, Budget, Expression, Matched, OutOfBudget, Scope};
use crate::jsonpatch::{self, Operation, PatchError};
use crate::matching::MatchResources;
use crate::schema::{self, Schema};
use crate::validator::plain;

/// The root type of apply configurations and of the types named after its fields.
const OBJECT: &str = "Object";
const JSON_PATCH: &str = "JSONPatch";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatchType {
    JsonPatch,
    ApplyConfiguration,
}

struct Mutation {
    patch_type: PatchType,
    expression: Expression,
    /// An `Object.x{…}` literal whose name is not its field path, found when compiling and
    /// reported when the mutation runs (as kube-apiserver reports it).
    type_mismatch: Option<String>,
}

/// A compiled MutatingAdmissionPolicy.
pub struct MutatingPolicy {
    name: String,
    binding: Option<String>,
    fail_open: bool,
    reinvoke_if_needed: bool,
    match_conditions: Vec<(String, Expression)>,
    variables: Vec<(String, Expression)>,
    mutations: Vec<Mutation>,
    schema: Option<Schema>,
    match_constraints: Option<MatchResources>,
    param_kind: Option<ParamKind>,
}

/// What the policy did to a request's object.
#[derive(Clone, Debug, PartialEq)]
pub enum MutationOutcome {
    /// A match condition is false (or, under `failurePolicy: Ignore`, erred).
    NotMatched {
        condition: String,
    },
    Mutated(MutatedObject),
}

/// The object after the policy's mutations.
#[derive(Clone, Debug, PartialEq)]
pub struct MutatedObject {
    pub object: Json,
    /// The JSON Patch from the request's object to `object`.
    pub patch: Vec<Operation>,
    /// Mutations that failed under `failurePolicy: Ignore`, each message as the API server
    /// words it; the other mutations still applied.
    pub ignored: Vec<String>,
    /// Under `reinvocationPolicy: IfNeeded`, what running the policy again on `object` changes
    /// (empty when the policy is idempotent); `None` under `Never`.
    pub reinvocation: Option<Vec<Operation>>,
}

/// The request is denied (`failurePolicy: Fail`): each message as the API server words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MutationError(pub Vec<String>);

impl fmt::Display for MutationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("; "))
    }
}

impl std::error::Error for MutationError {}

impl MutatingPolicy {
    /// Compiles a `MutatingAdmissionPolicy` document, its `Object…` types dynamic.
    pub fn new(doc: &Json) -> Result<MutatingPolicy, PolicyError> {
        MutatingPolicy::compile(doc, None)
    }

    /// Compiles a `MutatingAdmissionPolicy` document for objects of one schema (a CRD
    /// version's `openAPIV3Schema`): the `Object…` types are the schema's (a field it does not
    /// declare, or a value of the wrong type, is a compile error; `metadata` and nodes with
    /// `x-kubernetes-preserve-unknown-fields` stay dynamic), and lists merge by its list types.
    pub fn with_schema(doc: &Json, schema: Schema) -> Result<MutatingPolicy, PolicyError> {
        MutatingPolicy::compile(doc, Some(schema))
    }

    fn compile(doc: &Json, schema: Option<Schema>) -> Result<MutatingPolicy, PolicyError> {
        if text(doc, "kind") != Some("MutatingAdmissionPolicy") {
            return Err(PolicyError("expected kind MutatingAdmissionPolicy".into()));
        }
        let spec = doc
            .get("spec")
            .ok_or_else(|| PolicyError("spec is required".into()))?;
        let list = |key: &str| {
            spec.get(key)
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let base = admission::env()?;
        let named = |key: &str| -> Result<Vec<(String, Expression)>, PolicyError> {
            list(key)
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let name = text(item, "name").unwrap_or_default().to_string();
                    let expression = text(item, "expression").unwrap_or_default();
                    let program = base.compile(expression).map_err(|e| {
                        PolicyError(format!(
                            "spec.{key}[{i}].expression: compilation failed: {}",
                            e.message()
                        ))
                    })?;
                    Ok((name, Expression::new(expression, program)))
                })
                .collect()
        };
        let typed = schema.as_ref().map(schema_types);
        let mut mutations = Vec::new();
        for (i, m) in list("mutations").iter().enumerate() {
            mutations.push(compile_mutation(&base, typed.as_deref(), m, i)?);
        }
        Ok(MutatingPolicy {
            name: doc
                .pointer("/metadata/name")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string(),
            binding: None,
            fail_open: text(spec, "failurePolicy") == Some("Ignore"),
            reinvoke_if_needed: text(spec, "reinvocationPolicy") == Some("IfNeeded"),
            match_conditions: named("matchConditions")?,
            variables: named("variables")?,
            mutations,
            schema,
            match_constraints: admission::parse_match_constraints(spec)?,
            param_kind: admission::parse_param_kind(spec),
        })
    }

    /// The binding's name, for the API server's messages (`policy 'p' with binding 'b' …`).
    pub fn with_binding(mut self, binding: &str) -> MutatingPolicy {
        self.binding = Some(binding.to_string());
        self
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `failurePolicy` is `Ignore`.
    pub fn fails_open(&self) -> bool {
        self.fail_open
    }

    /// `spec.matchConstraints` (required by the API server when the policy is bound).
    pub fn match_constraints(&self) -> Option<&MatchResources> {
        self.match_constraints.as_ref()
    }

    /// `spec.paramKind`.
    pub fn param_kind(&self) -> Option<&ParamKind> {
        self.param_kind.as_ref()
    }

    /// Runs the policy on one request.
    pub fn mutate(&self, request: &Request<'_>) -> Result<MutationOutcome, MutationError> {
        self.mutate_bound(request, self.binding.as_deref())
    }

    /// Runs the policy on one request under the named binding (for the messages).
    pub fn mutate_bound(
        &self,
        request: &Request<'_>,
        binding: Option<&str>,
    ) -> Result<MutationOutcome, MutationError> {
        let Some(object) = request.object else {
            // No object (DELETE, CONNECT): the API server calls no patcher.
            return Ok(MutationOutcome::Mutated(MutatedObject {
                object: Json::Null,
                patch: Vec::new(),
                ignored: Vec::new(),
                reinvocation: None,
            }));
        };
        let run = match self.run(request, object, binding)? {
            Run::NotMatched(condition) => return Ok(MutationOutcome::NotMatched { condition }),
            Run::Done(run) => run,
        };
        let reinvocation = if self.reinvoke_if_needed {
            match self.run(request, &run.0, binding)? {
                Run::Done((again, _)) => Some(jsonpatch::diff(&run.0, &again)),
                Run::NotMatched(_) => Some(Vec::new()),
            }
        } else {
            None
        };
        Ok(MutationOutcome::Mutated(MutatedObject {
            patch: jsonpatch::diff(object, &run.0),
            object: run.0,
            ignored: run.1,
            reinvocation,
        }))
    }

    /// Match conditions, then every mutation in order; the object and the ignored errors.
    fn run(
        &self,
        request: &Request<'_>,
        object: &Json,
        binding: Option<&str>,
    ) -> Result<Run, MutationError> {
        let mut scope = Scope::new(&self.variables, self.activation(request, object));
        match budget::match_conditions(&self.match_conditions, &mut scope, self.fail_open) {
            Matched::Yes => {}
            Matched::No(condition) => return Ok(Run::NotMatched(condition)),
            Matched::Error(message) => {
                return Err(MutationError(vec![self.denied(binding, &message)]));
            }
        }
        let mut current = object.clone();
        let mut errors = Vec::new();
        for mutation in &self.mutations {
            let mut budget = Budget::new(schema::RUNTIME_CEL_COST_BUDGET);
            match self.apply_one(mutation, &mut scope, &mut budget, &current) {
                Ok(next) => {
                    if next != current {
                        current = next;
                        scope.set("object", plain(&current));
                    }
                }
                // As in kube-apiserver, a failed mutation does not stop the next ones.
                Err(message) => errors.push(self.denied(binding, &message)),
            }
        }
        if !errors.is_empty() && !self.fail_open {
            return Err(MutationError(errors));
        }
        Ok(Run::Done((current, errors)))
    }

    fn activation(&self, request: &Request<'_>, object: &Json) -> Activation {
        let mut vars = Activation::new();
        let value = |j: Option<&Json>| j.map_or(Value::Null, plain);
        vars.insert("object", plain(object))
            .insert("oldObject", value(request.old_object))
            .insert("params", value(request.params))
            .insert("namespaceObject", Value::Null)
            .insert("request", admission::request_value(request));
        let authorizer = AuthorizerValue::new(
            request
                .authorizer
                .clone()
                .unwrap_or_else(|| Arc::new(authz::Rules::default())),
            "",
        );
        vars.insert(
            "authorizer.requestResource",
            authorizer.request_resource(&admission::request_resource(request)),
        )
        .insert("authorizer", authorizer);
        vars
    }

    /// One mutation on `object`: the new object, or the API server's message.
    fn apply_one(
        &self,
        m: &Mutation,
        scope: &mut Scope<'_>,
        budget: &mut Budget,
        object: &Json,
    ) -> Result<Json, String> {
        let result = match scope.eval(budget, &m.expression) {
            Ok(Ok(value)) => value,
            Ok(Err(e)) => {
                return Err(format!(
                    "expression '{}' resulted in error: {e}",
                    m.expression.text
                ));
            }
            Err(OutOfBudget) => return Err(budget::OUT_OF_BUDGET.into()),
        };
        if let Some(mismatch) = &m.type_mismatch {
            return Err(format!("type mismatch: {mismatch}"));
        }
        match m.patch_type {
            PatchType::JsonPatch => {
                let operations = json_patch_operations(&result)?;
                match jsonpatch::apply(object, &operations) {
                    Ok(patched) => Ok(patched),
                    // A failed test leaves the object as it was.
                    Err(PatchError::TestFailed(_)) => Ok(object.clone()),
                    Err(e) => Err(format!("JSONPath: {e}")),
                }
            }
            PatchType::ApplyConfiguration => {
                let patch = to_json(&result, Numbers::Native)
                    .map_err(|e| format!("invalid return type: {e}"))?;
                apply::apply(object, &patch, self.schema.as_ref())
                    .map_err(|e: ApplyError| format!("error applying patch: {e}"))
            }
        }
    }

    fn denied(&self, binding: Option<&str>, message: &str) -> String {
        match binding {
            Some(b) => format!(
                "policy '{}' with binding '{b}' denied request: {message}",
                self.name
            ),
            None => format!("policy '{}' denied request: {message}", self.name),
        }
    }
}

enum Run {
    NotMatched(String),
    Done((Json, Vec<String>)),
}

fn compile_mutation(
    base: &Env,
    typed: Option<&[StructType]>,
    m: &Json,
    i: usize,
) -> Result<Mutation, PolicyError> {
    let (patch_type, key) = match text(m, "patchType") {
        Some("JSONPatch") => (PatchType::JsonPatch, "jsonPatch"),
        Some("ApplyConfiguration") => (PatchType::ApplyConfiguration, "applyConfiguration"),
        other => {
            return Err(PolicyError(format!(
                "spec.mutations[{i}].patchType: Unsupported value: {}: supported values: \
                 \"ApplyConfiguration\", \"JSONPatch\"",
                crate::go::quote(other.unwrap_or_default())
            )));
        }
    };
    let at = format!("spec.mutations[{i}].{key}.expression");
    let expression = m
        .get(key)
        .and_then(|p| text(p, "expression"))
        .ok_or_else(|| PolicyError(format!("{at}: Required value")))?
        .to_string();
    let parsed = syntax::parse_str(&expression)
        .map_err(|e| PolicyError(format!("{at}: compilation failed: {e}")))?;
    let object_types = match typed {
        Some(types) => types.to_vec(),
        None => {
            let mut names = BTreeSet::new();
            object_type_names(&parsed.expr, &mut names);
            names
                .iter()
                .map(|name| StructType::new(name).with_dynamic_fields())
                .collect()
        }
    };
    let env = mutation_env(base, object_types)
        .map_err(|e| PolicyError(format!("{at}: compilation failed: {}", e.message())))?;
    let program = env
        .compile(&expression)
        .map_err(|e| PolicyError(format!("{at}: compilation failed: {}", e.message())))?;
    let (expected, accepted) = match patch_type {
        PatchType::JsonPatch => (
            "list(JSONPatch)",
            [Type::list(Type::object(JSON_PATCH)), Type::list(Type::Dyn)],
        ),
        PatchType::ApplyConfiguration => ("Object", [Type::object(OBJECT), Type::Dyn]),
    };
    let result = program.result_type();
    if *result != Type::Dyn && !accepted.contains(result) {
        return Err(PolicyError(format!("{at}: must evaluate to {expected}")));
    }
    let mut mismatches = Vec::new();
    type_name_mismatches(&parsed.expr, None, &mut mismatches);
    Ok(Mutation {
        patch_type,
        expression: Expression::new(&expression, program),
        type_mismatch: (!mismatches.is_empty()).then(|| mismatches.join("\n")),
    })
}

/// The policy environment with `JSONPatch` and the `Object` types.
fn mutation_env(base: &Env, object_types: Vec<StructType>) -> Result<Env, celd::Error> {
    let json_patch = StructType::new(JSON_PATCH)
        .field("op", Type::String)
        .field("path", Type::String)
        .field("from", Type::String)
        .field("value", Type::Dyn);
    let mut builder = base.to_builder().struct_type(json_patch);
    for ty in object_types {
        builder = builder.struct_type(ty);
    }
    builder.build()
}

/// The `Object…` struct types of a schema: `Object` for the root, `Object.spec` for its
/// `spec`, `Object.spec.ports` for the items of `spec.ports` (lists and map values add no
/// name, as in kube-apiserver's type names). `Object.metadata` is dynamic.
fn schema_types(root: &Schema) -> Vec<StructType> {
    let mut out = Vec::new();
    let mut object = struct_of(root, OBJECT, &mut out);
    for field in ["apiVersion", "kind"] {
        if !root.properties.contains_key(field) {
            object.add_field(field, Type::String);
        }
    }
    if !root.properties.contains_key("metadata") {
        let metadata = format!("{OBJECT}.metadata");
        out.push(StructType::new(&metadata).with_dynamic_fields());
        object.add_field("metadata", Type::object(&metadata));
    }
    out.push(object);
    out
}

/// The struct type of an object node called `name`, the types of its fields pushed on `out`.
fn struct_of(s: &Schema, name: &str, out: &mut Vec<StructType>) -> StructType {
    let mut st = StructType::new(name);
    if s.preserve_unknown_fields || s.properties.is_empty() {
        st = st.with_dynamic_fields();
    }
    for (field, child) in &s.properties {
        let ty = field_type(child, &format!("{name}.{field}"), out);
        st.add_field(field, ty);
    }
    st
}

fn is_identifier(segment: &str) -> bool {
    let mut chars = segment.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The CEL type of a schema node whose object types are called `name`.
fn field_type(s: &Schema, name: &str, out: &mut Vec<StructType>) -> Type {
    if s.int_or_string {
        return Type::Dyn;
    }
    match s.type_.as_str() {
        "boolean" => Type::Bool,
        "integer" => Type::Int,
        "number" => Type::Double,
        "string" => Type::String,
        "array" => match &s.items {
            Some(items) => Type::list(field_type(items, name, out)),
            None => Type::list(Type::Dyn),
        },
        "object" => {
            if let Some(crate::schema::AdditionalProperties::Schema(values)) =
                &s.additional_properties
                && s.properties.is_empty()
            {
                return Type::map(Type::String, field_type(values, name, out));
            }
            // A name that is not a dotted identifier cannot be written in a literal: dyn.
            if !name.split('.').all(is_identifier) {
                return Type::Dyn;
            }
            if !out.iter().any(|t| t.name() == name) {
                let st = struct_of(s, name, out);
                out.push(st);
            }
            Type::object(name)
        }
        _ => Type::Dyn,
    }
}

/// `Object` and every `Object.a.b` a struct literal names, with the names on the way.
fn object_type_names(e: &ast::Expr, out: &mut BTreeSet<String>) {
    if let ast::ExprKind::Struct(s) = &e.kind {
        let name = s.type_name.strip_prefix('.').unwrap_or(&s.type_name);
        if name == OBJECT || name.starts_with("Object.") {
            let mut prefix = String::new();
            for segment in name.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(segment);
                out.insert(prefix.clone());
            }
        }
    }
    for child in children(e) {
        object_type_names(child, out);
    }
}

/// The direct subexpressions of `e`.
fn children(e: &ast::Expr) -> Vec<&ast::Expr> {
    match &e.kind {
        ast::ExprKind::Literal(_) | ast::ExprKind::Ident(_) => Vec::new(),
        ast::ExprKind::Select(s) => vec![&s.operand],
        ast::ExprKind::Call(c) => c.target.iter().chain(c.args.iter()).collect(),
        ast::ExprKind::List(l) => l.elements.iter().collect(),
        ast::ExprKind::Map(m) => m.entries.iter().flat_map(|x| [&x.key, &x.value]).collect(),
        ast::ExprKind::Struct(s) => s.fields.iter().map(|f| &f.value).collect(),
        ast::ExprKind::Comprehension(c) => vec![
            &c.iter_range,
            &c.accu_init,
            &c.loop_condition,
            &c.loop_step,
            &c.result,
        ],
    }
}

/// kube-apiserver's check that an `Object…` literal inside another is named after its field
/// path (`Object.spec{selector: Object.spec.selector{…}}`), lists and map values passed
/// through; `expected` is the name the literal must have, when it is inside another.
fn type_name_mismatches(e: &ast::Expr, expected: Option<&str>, out: &mut Vec<String>) {
    match &e.kind {
        ast::ExprKind::Struct(s) if s.type_name == OBJECT || s.type_name.starts_with("Object.") => {
            if let Some(expected) = expected
                && s.type_name != expected
            {
                out.push(format!(
                    "unexpected type name {:?}, expected {expected:?}, which matches field name \
                     path from root Object type",
                    s.type_name.as_str()
                ));
            }
            let own = expected.unwrap_or(&s.type_name).to_string();
            for f in &s.fields {
                type_name_mismatches(&f.value, Some(&format!("{own}.{}", f.name)), out);
            }
        }
        ast::ExprKind::List(l) if expected.is_some() => {
            for item in &l.elements {
                type_name_mismatches(item, expected, out);
            }
        }
        ast::ExprKind::Map(m) if expected.is_some() => {
            for entry in &m.entries {
                type_name_mismatches(&entry.value, expected, out);
            }
        }
        _ => {
            for child in children(e) {
                type_name_mismatches(child, None, out);
            }
        }
    }
}

/// The JSON Patch operations of a `JSONPatch` list, values converted as kube-apiserver
/// converts them (through `structpb.Value`: every number a double).
fn json_patch_operations(result: &Value) -> Result<Vec<Operation>, String> {
    let Value::List(items) = result else {
        return Err("type mismatch: JSONPatchType.expression should evaluate to array".into());
    };
    let mut operations = Vec::with_capacity(items.len());
    for item in items.iter() {
        let Value::Map(fields) = item else {
            return Err(
                "type mismatch: JSONPatchType.expression should evaluate to array of JSONPatch"
                    .into(),
            );
        };
        let field = |name: &str| match fields.get_str(name) {
            Some(Value::String(s)) => Ok(s.to_string()),
            None => Ok(String::new()),
            Some(other) => Err(format!(
                "unexpected type {} for JSONPatchType '{name}' field",
                other.type_name()
            )),
        };
        let value = fields
            .get_str("value")
            .map(|v| to_json(v, Numbers::Double))
            .transpose()
            .map_err(|e| {
                format!(
                    "JSONPath valueExpression evaluated to a type that could not marshal to JSON: {e}"
                )
            })?;
        let from = field("from")?;
        operations.push(Operation {
            op: field("op")?,
            path: field("path")?,
            from: (!from.is_empty()).then_some(from),
            value,
        });
    }
    Ok(operations)
}

/// How numbers become JSON.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Numbers {
    /// Every number is a double, printed as Go prints a `float64` (JSON Patch values).
    Double,
    /// Integers stay integers (apply configurations).
    Native,
}

/// A CEL value as JSON: bytes in base64, durations and timestamps as their strings, map keys
/// strings.
fn to_json(value: &Value, numbers: Numbers) -> Result<Json, String> {
    use celd::layers::value::time::{format_duration, format_timestamp};
    Ok(match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) if numbers == Numbers::Native => Json::from(*i),
        Value::Uint(u) if numbers == Numbers::Native => Json::from(*u),
        Value::Int(i) => double(*i as f64)?,
        Value::Uint(u) => double(*u as f64)?,
        Value::Double(d) => double(*d)?,
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => {
            use base64::Engine;
            Json::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        Value::Duration(d) => Json::String(format_duration(*d)),
        Value::Timestamp(t) => Json::String(format_timestamp(*t)),
        Value::List(items) => Json::Array(
            items
                .iter()
                .map(|v| to_json(v, numbers))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map.iter() {
                let Key::String(k) = k else {
                    return Err(format!("map key {k:?} is not a string"));
                };
                out.insert(k.to_string(), to_json(v, numbers)?);
            }
            Json::Object(out)
        }
        other => {
            return Err(format!("unsupported type {}", other.type_name()));
        }
    })
}

/// A double as JSON, integral values within Go's plain notation (below 1e21) as integers,
/// as Go's encoder prints them.
fn double(d: f64) -> Result<Json, String> {
    if !d.is_finite() {
        return Err(format!("json: unsupported value: {d}"));
    }
    if d.fract() == 0.0 && d.abs() < 1e21 {
        if let Ok(i) = i64::try_from(d as i128) {
            return Ok(Json::from(i));
        }
        return Ok(Json::from(d as u64));
    }
    Ok(serde_json::Number::from_f64(d).map_or(Json::Null, Json::Number))
}
