//! CRD validation rules as kube-apiserver applies them: each version's `openAPIV3Schema`
//! becomes CEL struct types, every `x-kubernetes-validations` rule is compiled and cost-checked
//! against them ([`CrdValidator::new`]), and objects are validated with `self` and `oldSelf`
//! ([`CrdValidator::validate`]).

use std::cell::Cell;
use std::fmt;

use celd::cel_go_cost::{CostEstimate, CostOptions};
use celd::{
    CheckedAst, Env, EnvBuilder, EvalOptions, Key, Limits, ListEquality, Map, Program, StructType,
    Type, Value,
};
use serde_json::Value as Json;

use crate::cost::{KubernetesEstimator, SchemaSizes};
use crate::escaping;
use crate::library::kubernetes_env;
use crate::schema::{
    self, AdditionalProperties, Crd, DeclKind, DeclType, ListType, Schema, TotalCost,
    ValidationRule,
};

/// A rule Kubernetes would refuse when the CRD is created or updated, where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// The field path of the offending part, as the API server words it
    /// (`spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule`).
    pub field: String,
    /// `Invalid value: …` or `Forbidden: …`, as the API server words it.
    pub detail: String,
    /// The JSON Pointer of the rule in the CRD document, to locate it.
    pub pointer: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.detail)
    }
}

/// The rules of a CRD that do not compile or are over budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrdErrors(pub Vec<RuleError>);

impl fmt::Display for CrdErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CrdErrors {}

/// One failed rule on one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The field path (`spec.containers[0].name`; `<nil>` for the object itself).
    pub field: String,
    /// `FieldValueInvalid` unless the rule gives another `reason`.
    pub reason: String,
    /// The rule's message, its `messageExpression`'s result, or `failed rule: <rule>`.
    pub message: String,
    /// The schema type of the node (`object`, `integer`, …), which `Invalid value` shows.
    pub schema_type: String,
    /// The rule that failed.
    pub rule: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quote = crate::go::quote;
        match self.reason.as_str() {
            "FieldValueForbidden" => write!(f, "{}: Forbidden: {}", self.field, self.message),
            "FieldValueRequired" => write!(f, "{}: Required value: {}", self.field, self.message),
            "FieldValueDuplicate" => {
                write!(
                    f,
                    "{}: Duplicate value: {}",
                    self.field,
                    quote(&self.message)
                )
            }
            _ => write!(
                f,
                "{}: Invalid value: {}: {}",
                self.field,
                quote(&self.schema_type),
                self.message
            ),
        }
    }
}

/// A compiled rule.
struct CompiledRule {
    rule: ValidationRule,
    program: Program,
    message: Option<Program>,
    /// The rule reads `oldSelf`: it runs only on updates (unless `optionalOldSelf`).
    transition: bool,
    optional_old_self: bool,
}

/// A schema node with its rules and the nodes below it.
#[derive(Default)]
struct Node {
    schema_type: String,
    decl: Option<DeclType>,
    rules: Vec<CompiledRule>,
    properties: Vec<(String, Node)>,
    items: Option<Box<Node>>,
    list_type: Option<ListType>,
    values: Option<Box<Node>>,
}

/// The validator of one CRD: every served version's rules, compiled.
pub struct CrdValidator {
    group: String,
    kind: String,
    /// Each version's name, schema (for defaulting) and compiled rules.
    versions: Vec<(String, Option<Schema>, Node)>,
}

impl CrdValidator {
    /// Compiles and cost-checks every rule of every version, as the API server does when the
    /// CRD is created; the errors are all of them, in schema order.
    pub fn new(crd: &Crd) -> Result<CrdValidator, CrdErrors> {
        let mut errors = Vec::new();
        let mut versions = Vec::new();
        for (i, version) in crd.versions.iter().enumerate() {
            let Some(schema) = &version.schema else {
                versions.push((version.name.clone(), None, Node::default()));
                continue;
            };
            let base = format!("spec.versions[{i}].schema.openAPIV3Schema");
            let mut compiler = Compiler {
                env: kubernetes_env(),
                declared: std::collections::HashMap::new(),
                base: None,
                errors: Vec::new(),
                total: TotalCost::default(),
                pointers: std::collections::HashMap::new(),
            };
            let root = compiler.node(schema, true, Some(1), "Object", &base);
            if compiler.total.total > schema::STATIC_ESTIMATED_CRD_COST_LIMIT {
                compiler.over_total(&base, &schema.pointer);
            }
            errors.extend(compiler.errors);
            versions.push((version.name.clone(), Some(schema.clone()), root));
        }
        if errors.is_empty() {
            Ok(CrdValidator {
                group: crd.group.clone(),
                kind: crd.kind.clone(),
                versions,
            })
        } else {
            Err(CrdErrors(errors))
        }
    }

    /// The number of compiled rules over all versions.
    pub fn rule_count(&self) -> usize {
        fn count(n: &Node) -> usize {
            n.rules.len()
                + n.properties.iter().map(|(_, c)| count(c)).sum::<usize>()
                + n.items.as_deref().map_or(0, count)
                + n.values.as_deref().map_or(0, count)
        }
        self.versions.iter().map(|(_, _, n)| count(n)).sum()
    }

    /// Validates `object` (and, on an update, against `old`) with the rules of the version its
    /// `apiVersion` names, after applying the schema's defaults to both as the API server
    /// does; a version the CRD does not have is a violation of `apiVersion`.
    pub fn validate(&self, object: &Json, old: Option<&Json>) -> Vec<Violation> {
        let api_version = object
            .get("apiVersion")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let kind = object
            .get("kind")
            .and_then(Json::as_str)
            .unwrap_or_default();
        if group != self.group || kind != self.kind {
            return vec![Violation {
                field: "kind".into(),
                reason: "FieldValueInvalid".into(),
                message: format!(
                    "the CRD defines {} in group {}, not {} in {}",
                    self.kind,
                    crate::go::quote(&self.group),
                    crate::go::quote(kind),
                    crate::go::quote(group)
                ),
                schema_type: "string".into(),
                rule: String::new(),
            }];
        }
        let Some((_, schema, root)) = self.versions.iter().find(|(name, _, _)| name == version)
        else {
            return vec![Violation {
                field: "apiVersion".into(),
                reason: "FieldValueInvalid".into(),
                message: format!("the CRD has no version {}", crate::go::quote(version)),
                schema_type: "string".into(),
                rule: String::new(),
            }];
        };
        let mut run = Run {
            budget: schema::RUNTIME_CEL_COST_BUDGET,
            out: Vec::new(),
            exhausted: false,
        };
        let (mut object, mut old) = (object.clone(), old.cloned());
        if let Some(schema) = schema {
            apply_defaults(schema, &mut object);
            if let Some(old) = &mut old {
                apply_defaults(schema, old);
            }
        }
        run.node(root, &object, old.as_ref(), "<nil>");
        run.out
    }
}

/// Builds the types and compiles the rules of one version.
struct Compiler {
    /// Where each expression whose cost joins the total is, by its field path.
    pointers: std::collections::HashMap<String, String>,
    env: EnvBuilder,
    /// The struct types declared in `env`, by name, so that a type met again is not redeclared.
    declared: std::collections::HashMap<String, StructType>,
    /// `env` built, shared by the rules until a new struct type is declared; each rule's
    /// environment only adds `self` and `oldSelf` to it.
    base: Option<Env>,
    errors: Vec<RuleError>,
    total: TotalCost,
}

impl Compiler {
    fn node(
        &mut self,
        s: &Schema,
        is_root: bool,
        cardinality: Option<u64>,
        type_name: &str,
        path: &str,
    ) -> Node {
        let decl = schema::decl_type(s, is_root || s.embedded_resource);
        let mut node = Node {
            schema_type: s.type_.clone(),
            decl: decl.clone(),
            ..Node::default()
        };
        if let Some(decl) = &decl {
            let ty = self.cel_type(decl, type_name);
            for (i, rule) in s.validations.iter().enumerate() {
                let rule_path = format!("{path}.x-kubernetes-validations[{i}]");
                if let Some(compiled) = self.rule(rule, &ty, decl, cardinality, &rule_path) {
                    node.rules.push(compiled);
                }
            }
        } else {
            for (i, rule) in s.validations.iter().enumerate() {
                self.errors.push(RuleError {
                    field: format!("{path}.x-kubernetes-validations[{i}].rule"),
                    detail: format!(
                        "Invalid value: {}: rules are not supported where the data is not visible to CEL",
                        crate::go::quote(&rule.rule)
                    ),
                    pointer: rule.pointer.clone(),
                });
            }
        }
        let child = schema::child_cardinality(cardinality, s);
        for (name, prop) in &s.properties {
            let escaped = escaping::escape(name).unwrap_or_else(|| name.clone());
            let c = self.node(
                prop,
                false,
                child,
                &format!("{type_name}.{escaped}"),
                &format!("{path}.properties[{name}]"),
            );
            node.properties.push((name.clone(), c));
        }
        if let Some(items) = &s.items {
            let c = self.node(
                items,
                false,
                child,
                &format!("{type_name}.__item"),
                &format!("{path}.items"),
            );
            node.items = Some(Box::new(c));
            node.list_type = match decl.as_ref().map(|d| &d.kind) {
                Some(DeclKind::List { list_type, .. }) => Some(list_type.clone()),
                _ => None,
            };
        }
        if let Some(AdditionalProperties::Schema(values)) = &s.additional_properties {
            let c = self.node(
                values,
                false,
                child,
                &format!("{type_name}.__value"),
                &format!("{path}.additionalProperties"),
            );
            node.values = Some(Box::new(c));
        }
        node
    }

    /// The CEL type of a node, declaring its object types as struct types named after their
    /// place in the schema (`Object.spec.containers.__item`).
    fn cel_type(&mut self, decl: &DeclType, name: &str) -> Type {
        match &decl.kind {
            DeclKind::Bool => Type::Bool,
            DeclKind::Int => Type::Int,
            DeclKind::Double => Type::Double,
            DeclKind::String => Type::String,
            DeclKind::Bytes => Type::Bytes,
            DeclKind::Duration => Type::Duration,
            DeclKind::Timestamp => Type::Timestamp,
            DeclKind::Dyn => Type::Dyn,
            DeclKind::List { elem, .. } => {
                Type::list(self.cel_type(elem, &format!("{name}.__item")))
            }
            DeclKind::Map(elem) => Type::map(
                Type::String,
                self.cel_type(elem, &format!("{name}.__value")),
            ),
            DeclKind::Object(fields) => {
                let mut st = StructType::new(name);
                for (field, f) in fields {
                    let ty = self.cel_type(&f.ty, &format!("{name}.{field}"));
                    st = st.field(field, ty);
                }
                if self.declared.get(name) != Some(&st) {
                    self.declared.insert(name.to_string(), st.clone());
                    let env = std::mem::take(&mut self.env);
                    self.env = env.struct_type(st);
                    self.base = None;
                }
                Type::object(name)
            }
        }
    }

    /// The environment of the types declared so far, built once for all the rules that see it.
    fn base_env(&mut self) -> Result<Env, celd::Error> {
        if let Some(base) = &self.base {
            return Ok(base.clone());
        }
        let base = self.env.clone().build()?;
        self.base = Some(base.clone());
        Ok(base)
    }

    fn rule(
        &mut self,
        rule: &ValidationRule,
        self_type: &Type,
        decl: &DeclType,
        cardinality: Option<u64>,
        path: &str,
    ) -> Option<CompiledRule> {
        let optional_old_self = rule.optional_old_self.unwrap_or(false);
        let old_type = if optional_old_self {
            Type::optional(self_type.clone())
        } else {
            self_type.clone()
        };
        let env = self.base_env().and_then(|base| {
            base.to_builder()
                .variable("self", self_type.clone())
                .variable("oldSelf", old_type)
                .build()
        });
        let env = match env {
            Ok(env) => env,
            Err(e) => {
                self.invalid(path, "rule", &rule.rule, &rule.pointer, e.message());
                return None;
            }
        };
        let (program, checked) = match env.compile_with_checked(&rule.rule) {
            Ok(compiled) => compiled,
            Err(e) => {
                let text = format!("compilation failed: {}", e.message());
                self.invalid(path, "rule", &rule.rule, &rule.pointer, &text);
                return None;
            }
        };
        if *program.result_type() != Type::Bool && *program.result_type() != Type::Dyn {
            self.invalid(
                path,
                "rule",
                &rule.rule,
                &rule.pointer,
                "cel expression must evaluate to a bool",
            );
            return None;
        }
        let transition = program.variables().any(|v| v == "oldSelf");
        let mut over_budget = false;
        let estimate = estimate_checked(&env, &checked, decl).max;
        let cost = schema::expression_cost(estimate, cardinality, decl.min_serialized_size);
        self.observe(format!("{path}.rule"), &rule.pointer, cost);
        if estimate > schema::STATIC_ESTIMATED_COST_LIMIT {
            self.forbidden(
                path,
                &rule.pointer,
                schema::cost_error_message(
                    "estimated rule cost",
                    estimate,
                    schema::STATIC_ESTIMATED_COST_LIMIT,
                ),
            );
            over_budget = true;
        } else if cost > schema::STATIC_ESTIMATED_COST_LIMIT {
            self.forbidden(
                path,
                &rule.pointer,
                schema::cost_error_message(
                    "estimated rule cost",
                    cost,
                    schema::STATIC_ESTIMATED_COST_LIMIT,
                ),
            );
            over_budget = true;
        }
        let message = match &rule.message_expression {
            None => None,
            Some(text) => match message_program(&env, text) {
                Ok((program, checked)) => {
                    // Kubernetes limits and totals the message's own estimate, without
                    // cardinality.
                    let estimate = estimate_checked(&env, &checked, decl).max;
                    let field = format!("{path}.messageExpression");
                    self.observe(field.clone(), &rule.pointer, estimate);
                    if estimate > schema::STATIC_ESTIMATED_COST_LIMIT {
                        let why = schema::cost_error_message(
                            "estimated messageExpression cost",
                            estimate,
                            schema::STATIC_ESTIMATED_COST_LIMIT,
                        );
                        self.forbidden_at(field, &rule.pointer, why);
                        over_budget = true;
                    }
                    Some(program)
                }
                Err(why) => {
                    self.invalid(path, "messageExpression", text, &rule.pointer, &why);
                    return None;
                }
            },
        };
        if over_budget {
            return None;
        }
        Some(CompiledRule {
            rule: rule.clone(),
            program,
            message,
            transition,
            optional_old_self,
        })
    }

    /// Adds an expression's cost to the CRD total (`ObserveExpressionCost`).
    fn observe(&mut self, field: String, pointer: &str, cost: u64) {
        self.total.observe(&field, cost);
        self.pointers.insert(field, pointer.to_string());
    }

    /// The errors of a CRD whose rules cost more in total than the limit: one for each of the
    /// most expensive expressions, then the total's, as Kubernetes words them.
    fn over_total(&mut self, base: &str, pointer: &str) {
        for (field, _) in std::mem::take(&mut self.total.most_expensive) {
            let pointer = self.pointers.get(&field).cloned().unwrap_or_default();
            self.errors.push(RuleError {
                field,
                detail: "Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema".into(),
                pointer,
            });
        }
        let why = schema::cost_error_message(
            "x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema",
            self.total.total,
            schema::STATIC_ESTIMATED_CRD_COST_LIMIT,
        );
        self.errors.push(RuleError {
            field: base.to_string(),
            detail: format!("Forbidden: {why}"),
            pointer: pointer.to_string(),
        });
    }

    fn invalid(&mut self, path: &str, field: &str, value: &str, pointer: &str, why: &str) {
        self.errors.push(RuleError {
            field: format!("{path}.{field}"),
            detail: format!("Invalid value: {}: {why}", crate::go::quote(value)),
            pointer: pointer.to_string(),
        });
    }

    fn forbidden(&mut self, path: &str, pointer: &str, why: String) {
        self.forbidden_at(format!("{path}.rule"), pointer, why);
    }

    fn forbidden_at(&mut self, field: String, pointer: &str, why: String) {
        self.errors.push(RuleError {
            field,
            detail: format!("Forbidden: {why}"),
            pointer: pointer.to_string(),
        });
    }
}

fn message_program(env: &Env, text: &str) -> Result<(Program, CheckedAst), String> {
    let (program, checked) = env
        .compile_with_checked(text)
        .map_err(|e| format!("messageExpression compilation failed: {}", e.message()))?;
    if *program.result_type() != Type::String && *program.result_type() != Type::Dyn {
        return Err("messageExpression must evaluate to a string".into());
    }
    Ok((program, checked))
}

/// cel-go's estimate of a rule, as kube-apiserver makes it: over the checked expression, with
/// Kubernetes' call costs and the sizes the schema of `self` allows.
fn estimate_checked(env: &Env, checked: &CheckedAst, decl: &DeclType) -> CostEstimate {
    let sizes = SchemaSizes { root: decl };
    let estimator = KubernetesEstimator {
        sizes: Some(&sizes),
    };
    env.estimate_cel_go(checked, &estimator, &CostOptions::kubernetes())
}

/// cel-go's estimate of `rule` on the schema node `s` (not a resource root), as Kubernetes'
/// `Compile` makes it (`MaxCost` is its `max`), before any cardinality; `Err` with the
/// compiler's message.
pub fn estimate_rule(s: &Schema, rule: &str) -> Result<CostEstimate, String> {
    let mut compiler = Compiler {
        env: kubernetes_env(),
        declared: std::collections::HashMap::new(),
        base: None,
        errors: Vec::new(),
        total: TotalCost::default(),
        pointers: std::collections::HashMap::new(),
    };
    let decl = schema::decl_type(s, false)
        .ok_or("rules are not supported where the data is not visible to CEL")?;
    let ty = compiler.cel_type(&decl, "Object");
    let env = compiler
        .base_env()
        .and_then(|base| {
            base.to_builder()
                .variable("self", ty.clone())
                .variable("oldSelf", ty)
                .build()
        })
        .map_err(|e| e.message().to_string())?;
    let (_, checked) = env
        .compile_with_checked(rule)
        .map_err(|e| e.message().to_string())?;
    Ok(estimate_checked(&env, &checked, &decl))
}

/// One object's validation: the violations so far and the runtime budget left.
struct Run {
    budget: u64,
    out: Vec<Violation>,
    exhausted: bool,
}

impl Run {
    fn node(&mut self, node: &Node, value: &Json, old: Option<&Json>, path: &str) {
        if self.exhausted || value.is_null() {
            return;
        }
        if let (false, Some(decl)) = (node.rules.is_empty(), &node.decl) {
            let this = to_cel(decl, value);
            let old_value = old.map(|o| to_cel(decl, o));
            for rule in &node.rules {
                self.rule(node, rule, &this, old_value.as_ref(), path);
                if self.exhausted {
                    return;
                }
            }
        }
        let child_path = |name: &str| {
            if path == "<nil>" {
                name.to_string()
            } else {
                format!("{path}.{name}")
            }
        };
        if let Json::Object(fields) = value {
            for (name, child) in &node.properties {
                if let Some(v) = fields.get(name) {
                    let o = old.and_then(|o| o.get(name));
                    self.node(child, v, o, &child_path(name));
                }
            }
            if let Some(values) = &node.values {
                for (key, v) in fields {
                    let o = old.and_then(|o| o.get(key));
                    self.node(values, v, o, &format!("{path}[{key}]"));
                }
            }
        }
        if let (Json::Array(items), Some(item_node)) = (value, &node.items) {
            let old_items = old.and_then(Json::as_array);
            for (i, v) in items.iter().enumerate() {
                let o = old_items.and_then(|olds| correlate(node.list_type.as_ref(), v, olds));
                self.node(item_node, v, o, &format!("{path}[{i}]"));
            }
        }
    }

    fn rule(
        &mut self,
        node: &Node,
        rule: &CompiledRule,
        this: &Value,
        old: Option<&Value>,
        path: &str,
    ) {
        if rule.transition && old.is_none() && !rule.optional_old_self {
            return;
        }
        let mut vars = celd::Activation::new();
        vars.insert("self", this.clone());
        if rule.optional_old_self {
            vars.insert(
                "oldSelf",
                Value::Optional(old.cloned().map(std::sync::Arc::new)),
            );
        } else if let Some(old) = old {
            vars.insert("oldSelf", old.clone());
        }
        let field = match &rule.rule.field_path {
            Some(fp) if !fp.is_empty() => join_field_path(path, fp),
            _ => path.to_string(),
        };
        let result = match self.eval(&rule.program, &vars) {
            Some(r) => r,
            None => return self.out_of_budget(node, &field, rule),
        };
        let message = match result {
            Ok(Value::Bool(true)) => return,
            Ok(Value::Bool(false)) => self.message(rule, &vars),
            Ok(other) => format!("rule result is not a bool: {other}"),
            Err(e) => e.message().to_string(),
        };
        if self.exhausted {
            return self.out_of_budget(node, &field, rule);
        }
        self.out.push(Violation {
            field,
            reason: rule
                .rule
                .reason
                .clone()
                .unwrap_or_else(|| "FieldValueInvalid".into()),
            message,
            schema_type: node.schema_type.clone(),
            rule: rule.rule.rule.clone(),
        });
    }

    /// Evaluates within the budget left (at most the per-expression limit); `None` when the
    /// budget ran out.
    fn eval(
        &mut self,
        program: &Program,
        vars: &celd::Activation,
    ) -> Option<Result<Value, celd::Error>> {
        let limits = Limits {
            max_cost: self.budget.min(schema::PER_CALL_LIMIT),
            ..Limits::default()
        };
        let spent = Cell::new(0);
        let options = EvalOptions {
            limits: Some(&limits),
            cost_spent: Some(&spent),
            ..EvalOptions::default()
        };
        let result = program.eval_with(vars, &options);
        self.budget = self.budget.saturating_sub(spent.get());
        match result {
            Err(e) if e.kind() == celd::ErrorKind::Limit => {
                self.exhausted = true;
                None
            }
            r => Some(r),
        }
    }

    /// The rule's message: its `messageExpression`'s result when that is a non-blank string
    /// within bounds, else `message`, else `failed rule: <rule>`.
    fn message(&mut self, rule: &CompiledRule, vars: &celd::Activation) -> String {
        if let Some(program) = &rule.message
            && let Some(Ok(Value::String(s))) = self.eval(program, vars)
            && !s.trim().is_empty()
            && s.len() <= schema::MAX_EVALUATED_MESSAGE_EXPRESSION_SIZE_BYTES
            && !s.contains('\n')
        {
            return s.to_string();
        }
        match &rule.rule.message {
            Some(m) if !m.is_empty() => m.clone(),
            _ => format!("failed rule: {}", rule.rule.rule.trim()),
        }
    }

    fn out_of_budget(&mut self, node: &Node, field: &str, rule: &CompiledRule) {
        self.exhausted = true;
        self.out.push(Violation {
            field: field.to_string(),
            reason: "FieldValueInvalid".into(),
            message: "validation failed due to running out of cost budget, no further validation rules will be run".into(),
            schema_type: node.schema_type.clone(),
            rule: rule.rule.rule.clone(),
        });
    }
}

/// Structural defaulting: each missing property with a `default` gets it, at every depth.
fn apply_defaults(s: &Schema, value: &mut Json) {
    match value {
        Json::Object(fields) => {
            for (name, prop) in &s.properties {
                if let (false, Some(default)) = (fields.contains_key(name), &prop.default) {
                    fields.insert(name.clone(), default.clone());
                }
                if let Some(v) = fields.get_mut(name) {
                    apply_defaults(prop, v);
                }
            }
            if let Some(AdditionalProperties::Schema(values)) = &s.additional_properties {
                for v in fields.values_mut() {
                    apply_defaults(values, v);
                }
            }
        }
        Json::Array(items) => {
            if let Some(item) = &s.items {
                for v in items {
                    apply_defaults(item, v);
                }
            }
        }
        _ => {}
    }
}

/// A rule's `fieldPath` (`.spec.replicas`, `['x-y']`) after the node's path.
fn join_field_path(path: &str, field_path: &str) -> String {
    let rel = field_path.strip_prefix('.').unwrap_or(field_path);
    if path == "<nil>" {
        rel.to_string()
    } else if rel.starts_with('[') {
        format!("{path}{rel}")
    } else {
        format!("{path}.{rel}")
    }
}

/// The old item a new list item is compared with: for `map` lists the one with the same
/// keys, for `set` lists an equal one; atomic lists have none.
fn correlate<'a>(list_type: Option<&ListType>, item: &Json, olds: &'a [Json]) -> Option<&'a Json> {
    match list_type? {
        ListType::Atomic => None,
        ListType::Set => olds.iter().find(|o| *o == item),
        ListType::Map(keys) => olds
            .iter()
            .find(|o| keys.iter().all(|k| o.get(k) == item.get(k))),
    }
}

/// A JSON value as the CEL value of its schema type: objects keyed by escaped property
/// names, `format: byte`/`duration`/`date`/`date-time` strings as bytes, durations and
/// timestamps, int-or-string numbers as ints. A value that does not fit its type is kept as
/// JSON reads it (the API server's schema validation refuses it before the rules run).
pub fn to_cel(decl: &DeclType, json: &Json) -> Value {
    use base64::Engine;
    match (&decl.kind, json) {
        (DeclKind::Double, Json::Number(n)) => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
        (DeclKind::Bytes, Json::String(s)) => {
            match base64::engine::general_purpose::STANDARD.decode(s) {
                Ok(bytes) => Value::Bytes(bytes.into()),
                Err(_) => plain(json),
            }
        }
        (DeclKind::Duration, Json::String(s)) => match crate::go::parse_duration(s) {
            Ok(nanos) => Value::Duration(celd::Duration::from_nanos(nanos)),
            Err(_) => plain(json),
        },
        (DeclKind::Timestamp, Json::String(s)) => {
            let text = if s.len() == 10 {
                format!("{s}T00:00:00Z")
            } else {
                s.clone()
            };
            match celd::layers::value::time::parse_timestamp(&text) {
                Ok(t) => Value::Timestamp(t),
                Err(_) => plain(json),
            }
        }
        (DeclKind::List { elem, list_type }, Json::Array(items)) => {
            let list = celd::List::new(items.iter().map(|v| to_cel(elem, v)).collect());
            Value::List(std::sync::Arc::new(
                list.with_equality(list_equality(list_type)),
            ))
        }
        (DeclKind::Map(elem), Json::Object(entries)) => {
            let mut map = Map::with_capacity(entries.len());
            for (k, v) in entries {
                map.insert(Key::String(k.as_str().into()), to_cel(elem, v));
            }
            Value::map(map)
        }
        (DeclKind::Object(fields), Json::Object(entries)) => {
            let mut map = Map::with_capacity(entries.len());
            for (k, v) in entries {
                let escaped = escaping::escape(k);
                let field = escaped.as_ref().and_then(|e| fields.get(e));
                let value = match field {
                    Some(f) => to_cel(&f.ty, v),
                    None => plain(v),
                };
                let key = escaped.unwrap_or_else(|| k.clone());
                map.insert(Key::String(key.into()), value);
            }
            Value::map(map)
        }
        _ => plain(json),
    }
}

/// How `==` compares a list of this type, as Kubernetes' `UnstructuredToVal` lists do: a `set`
/// as a set, a `map` list by its keys (escaped as its elements' field names are).
fn list_equality(list_type: &ListType) -> ListEquality {
    match list_type {
        ListType::Atomic => ListEquality::Ordered,
        ListType::Set => ListEquality::Set,
        ListType::Map(keys) => ListEquality::Map(
            keys.iter()
                .map(|k| {
                    escaping::escape(k)
                        .unwrap_or_else(|| k.clone())
                        .into_boxed_str()
                })
                .collect(),
        ),
    }
}

/// A JSON value as CEL reads unstructured data: integral numbers as `int`.
pub(crate) fn plain(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::list(items.iter().map(plain).collect()),
        Json::Object(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (k, v) in entries {
                map.insert(Key::String(k.as_str().into()), plain(v));
            }
            Value::map(map)
        }
    }
}
