//! What a host adds to an environment: functions implemented in Rust ([`Overload`]), host
//! value types ([`HostType`](celd_value::HostType)) and struct types, and how building the
//! environment declares them to the checker, checks them and binds them for the planner.

use std::collections::HashSet;
use std::fmt::Write;
use std::sync::Arc;

use celd_check::{CheckEnv, CheckEnvBuilder};
use celd_eval::functions::host::{
    Binding, Cost, HostFunction, HostFunctions, HostOverload, IntoHostFunction, Prepare,
};
use celd_types::{FunctionDecl, OverloadDecl, StructType, Type};
use celd_value::{EvalError, HostType, HostTypes, Value};
use smol_str::SmolStr;

use crate::error::Error;

/// One overload of a host function: its implementation, and the declaration the checker
/// sees (overload id, parameter and result types, cost). Given to
/// [`EnvBuilder::function`](crate::EnvBuilder::function) or
/// [`EnvBuilder::method`](crate::EnvBuilder::method), which name the function.
///
/// A typed closure's signature comes from its Rust types (`|x: i64| x * 2` is
/// `(int) -> int`, see [`FromValue`](crate::FromValue)); [`signature`](Overload::signature)
/// declares a more precise one, such as type parameters (`list(A) -> A`). The overload id
/// defaults to the function name and the parameter types (`double_it_int`; for a method,
/// the receiver's type first: `string_greet`).
///
/// ```
/// use celd::{Cost, Env, Overload, Type, Value};
///
/// let env = Env::builder()
///     .function(
///         "first",
///         Overload::new(|list: &celd::List| list.first().cloned().unwrap_or(Value::Null))
///             .id("first_list")
///             .signature([Type::list(Type::param("A"))], Type::param("A"))
///             .cost(Cost::fixed(2)),
///     )
///     .build()
///     .unwrap();
/// assert_eq!(env.check("first([1, 2]) + 1").unwrap(), Type::Int);
/// ```
#[derive(Clone, Debug)]
pub struct Overload {
    id: Option<SmolStr>,
    /// The declared signature, when given (else the typed closure's).
    signature: Option<(Vec<Type>, Type)>,
    binding: Binding,
    cost: Cost,
    prepare: Option<Prepare>,
}

impl Overload {
    /// An overload implemented by a typed closure (or a [`HostFunction`]), its signature
    /// read from the closure's Rust types.
    pub fn new<M>(f: impl IntoHostFunction<M>) -> Overload {
        Overload {
            id: None,
            signature: None,
            binding: Binding::Static(f.into_host_function()),
            cost: Cost::default(),
            prepare: None,
        }
    }

    /// An overload with a declared signature, implemented over the argument values as they
    /// come (`args[0]` is the receiver of a method). The arguments fit the declared types
    /// (checked programs by the checker, unchecked ones at run time), so an implementation
    /// in another language can rely on their kinds.
    pub fn dynamic(
        params: impl IntoIterator<Item = Type>,
        result: Type,
        f: impl Fn(&[Value]) -> Result<Value, EvalError> + Send + Sync + 'static,
    ) -> Overload {
        Overload {
            id: None,
            signature: Some((params.into_iter().collect(), result)),
            binding: Binding::Static(HostFunction::dynamic(f)),
            cost: Cost::default(),
            prepare: None,
        }
    }

    /// A late-bound overload: declared here, implemented by each evaluation's activation
    /// ([`Activation::bind`](crate::Activation::bind)), for request-scoped state. Evaluating
    /// a call without a binding is an `unbound_function` error.
    pub fn late_bound(params: impl IntoIterator<Item = Type>, result: Type) -> Overload {
        Overload {
            id: None,
            signature: Some((params.into_iter().collect(), result)),
            binding: Binding::Late,
            cost: Cost::default(),
            prepare: None,
        }
    }

    /// The overload id (unique in the environment; cel-go style: `greet_string`).
    pub fn id(mut self, id: &str) -> Overload {
        self.id = Some(SmolStr::new(id));
        self
    }

    /// Declares the parameter types (receiver first for a method) and the result type,
    /// instead of the ones read from the closure: for type parameters (`Type::param("A")`),
    /// element types, or host types the closure takes as `&Value`. The number of
    /// parameters must stay the closure's, and each must be one the closure can receive.
    pub fn signature(mut self, params: impl IntoIterator<Item = Type>, result: Type) -> Overload {
        self.signature = Some((params.into_iter().collect(), result));
        self
    }

    /// What each call costs (by default 1, as a constant-time built-in).
    pub fn cost(mut self, cost: Cost) -> Overload {
        self.cost = cost;
        self
    }

    /// Prepares each call whose arguments are partly constant once, when its program is
    /// compiled: `prepare` sees the constant arguments (`Some`, receiver first; `None` for
    /// the others) of a call the checker resolved to this overload, and returns that call's
    /// implementation (`Ok(None)` keeps the general one). An error fails the compilation,
    /// with the call's position: a constant pattern that does not compile, for example.
    ///
    /// ```
    /// use celd::{Env, EvalError, HostFunction, Overload, Value};
    ///
    /// let repeat = |s: &str, n: i64| s.repeat(n.clamp(0, 8) as usize);
    /// let env = Env::builder()
    ///     .method(
    ///         "repeat",
    ///         Overload::new(repeat).prepare(move |constants: &[Option<&Value>]| match constants {
    ///             [_, Some(Value::Int(n))] if *n < 0 => {
    ///                 Err(EvalError::invalid_argument("negative count"))
    ///             }
    ///             [Some(Value::String(s)), Some(Value::Int(n))] => {
    ///                 let text = repeat(s, *n);
    ///                 Ok(Some(HostFunction::new(move |_: &str, _: i64| text.clone())))
    ///             }
    ///             _ => Ok(None),
    ///         }),
    ///     )
    ///     .build()
    ///     .unwrap();
    /// let vars = celd::Activation::new();
    /// let program = env.compile("'ab'.repeat(2)").unwrap();
    /// assert_eq!(program.eval(&vars).unwrap(), Value::from("abab"));
    /// assert!(env.compile("'ab'.repeat(-1)").is_err());
    /// ```
    pub fn prepare(
        mut self,
        prepare: impl Fn(&[Option<&Value>]) -> Result<Option<HostFunction>, EvalError>
        + Send
        + Sync
        + 'static,
    ) -> Overload {
        self.prepare = Some(Prepare::new(prepare));
        self
    }
}

/// Converts into an [`Overload`]: typed closures (the easy path) and overloads themselves.
/// `M` only tells the implementations apart.
pub trait IntoOverload<M> {
    fn into_overload(self) -> Overload;
}

impl IntoOverload<Overload> for Overload {
    fn into_overload(self) -> Overload {
        self
    }
}

impl<F: IntoHostFunction<M>, M> IntoOverload<(M,)> for F {
    fn into_overload(self) -> Overload {
        Overload::new(self)
    }
}

/// A host type as the environment records it.
#[derive(Clone)]
struct HostTypeDecl {
    name: SmolStr,
    ordered: bool,
    register: fn(&mut HostTypes),
}

/// Everything a host declared on an [`EnvBuilder`](crate::EnvBuilder), kept so that
/// [`Env::to_builder`](crate::Env::to_builder) carries it over.
#[derive(Clone, Default)]
pub(crate) struct HostDecls {
    // Shared, copied on write: a derived environment's builder starts with its parent's.
    functions: Arc<Vec<(SmolStr, bool, Overload)>>,
    types: Arc<Vec<HostTypeDecl>>,
    structs: Arc<Vec<StructType>>,
}

impl HostDecls {
    /// `ty` as its values are held at run time: a struct type is a map from field names to
    /// values (what an activation checks a variable's value against).
    pub(crate) fn runtime_type(&self, ty: &Type) -> Type {
        match ty {
            Type::Message(name) if self.structs.iter().any(|s| s.name() == name.as_str()) => {
                Type::map(Type::String, Type::Dyn)
            }
            Type::List(elem) => Type::list(self.runtime_type(elem)),
            Type::Map(kv) => Type::map(self.runtime_type(&kv.0), self.runtime_type(&kv.1)),
            _ => ty.clone(),
        }
    }

    pub(crate) fn function(&mut self, name: &str, member: bool, overload: Overload) {
        Arc::make_mut(&mut self.functions).push((SmolStr::new(name), member, overload));
    }

    pub(crate) fn host_type<T: HostType>(&mut self) {
        let types = Arc::make_mut(&mut self.types);
        types.retain(|t| t.name != T::TYPE_NAME);
        types.push(HostTypeDecl {
            name: SmolStr::new(T::TYPE_NAME),
            ordered: T::ORDERED,
            register: HostTypes::register::<T>,
        });
    }

    pub(crate) fn struct_type(&mut self, ty: StructType) {
        let structs = Arc::make_mut(&mut self.structs);
        structs.retain(|s| s.name() != ty.name());
        structs.push(ty);
    }

    /// Declares the host's types and functions to the checker.
    pub(crate) fn declare(&self, mut check: CheckEnvBuilder) -> Result<CheckEnvBuilder, Error> {
        for t in self.types.iter() {
            check_type_name(&t.name)?;
            check = check.opaque_type(&t.name);
            if t.ordered {
                for decl in ordering_decls(&t.name) {
                    check = check.function(decl);
                }
            }
        }
        for st in self.structs.iter() {
            check_type_name(st.name())?;
            check = check.struct_type(st.clone());
        }
        for (name, member, overload) in self.functions.iter() {
            if FIXED_OPERATORS.contains(&name.as_str()) {
                return Err(Error::env(format!(
                    "'{name}' has fixed rules (short-circuit, error absorption): it cannot have \
                     host overloads"
                )));
            }
            let decl = overload_decl(name, *member, overload)?;
            check = check.function(FunctionDecl::new(name, vec![decl]));
        }
        Ok(check)
    }

    /// The checker's error, in the host's terms when a host declaration caused it.
    pub(crate) fn explain(&self, error: celd_check::EnvError) -> Error {
        if let celd_check::EnvError::DuplicateOverload(id) = &error {
            let declared = self.functions.iter().find_map(|(name, member, overload)| {
                let decl = overload_decl(name, *member, overload).ok()?;
                (decl.id == id.as_str()).then(|| signature_text(name, &decl))
            });
            if let Some(signature) = declared {
                return Error::env(format!(
                    "host overload '{id}' {signature}: the id is already declared, by the \
                     standard library, an enabled extension or another host overload; an \
                     overload may not replace another (give it another id, name or signature)"
                ));
            }
        }
        Error::env(error.to_string())
    }

    /// Checks what only the built checker can tell, and binds the implementations: host
    /// overloads that overlap another overload of their function, struct fields of
    /// undeclared types, names declared twice.
    /// `extension_types` are the opaque types of the enabled extensions, whose JSON readers
    /// `json` already holds.
    pub(crate) fn bind(
        &self,
        check: &CheckEnv,
        extension_types: &[&str],
        mut json: HostTypes,
    ) -> Result<Host, Error> {
        let mut functions = HostFunctions::new();
        for name in extension_types {
            functions.add_type_name(name);
        }
        for t in self.types.iter() {
            functions.add_type_name(&t.name);
            (t.register)(&mut json);
        }
        let mut structs = Vec::with_capacity(self.structs.len());
        for declared in self.structs.iter() {
            structs.push(bind_struct(check, &mut functions, declared)?);
        }
        for (name, member, overload) in self.functions.iter() {
            let declared = overload_decl(name, *member, overload)?;
            // The checker's copy has opaque type names resolved.
            let resolved = resolved_decl(check, name, &declared.id).unwrap_or(declared);
            check_no_overlap(check, name, &resolved)?;
            functions.add(HostOverload {
                function: name.clone(),
                id: resolved.id.clone(),
                member: *member,
                params: resolved.params,
                result: resolved.result,
                cost: overload.cost.clone(),
                binding: overload.binding.clone(),
                prepare: overload.prepare.clone(),
            });
        }
        Ok(Host {
            functions: Arc::new(functions),
            json: Arc::new(json),
            structs,
        })
    }
}

/// Operators the evaluator implements with rules of their own, never by a call.
const FIXED_OPERATORS: &[&str] = &["_&&_", "_||_", "_?_:_", "@not_strictly_false", "cel.@block"];

/// An environment's host parts, shared by its programs' planning and its JSON reading.
#[derive(Clone, Default)]
pub(crate) struct Host {
    pub(crate) functions: Arc<HostFunctions>,
    pub(crate) json: Arc<HostTypes>,
    pub(crate) structs: Vec<StructType>,
}

impl Host {
    /// This host with `added` struct types bound too, as [`HostDecls::bind`] binds them
    /// (each replacing a struct type of the same name); `check` declares them.
    pub(crate) fn with_structs(
        mut self,
        check: &CheckEnv,
        added: &[StructType],
    ) -> Result<Host, Error> {
        if added.is_empty() {
            return Ok(self);
        }
        let functions = Arc::make_mut(&mut self.functions);
        for declared in added {
            // `HostDecls::declare` checks the name on a full build.
            check_type_name(declared.name())?;
            let st = bind_struct(check, functions, declared)?;
            self.structs.retain(|s| s.name() != st.name());
            self.structs.push(st);
        }
        Ok(self)
    }
}

/// Checks a declared struct type against the built checker and records its fields (and
/// whether it allows every field) for planning; the checker's copy is returned, with opaque
/// type names resolved.
fn bind_struct(
    check: &CheckEnv,
    functions: &mut HostFunctions,
    declared: &StructType,
) -> Result<StructType, Error> {
    let st = check
        .provider()
        .struct_type(declared.name())
        .unwrap_or(declared);
    check_struct(check, st)?;
    functions.add_struct(st.name(), st.fields().map(|(f, _)| SmolStr::new(f)));
    functions.set_every_field(st.name(), st.has_dynamic_fields());
    Ok(st.clone())
}

/// The checker's declaration of an overload, by function name and id.
fn resolved_decl(check: &CheckEnv, name: &str, id: &str) -> Option<OverloadDecl> {
    check
        .function(name)?
        .overloads
        .iter()
        .find(|o| o.id == id)
        .cloned()
}

/// `_<_`, `_<=_`, `_>_`, `_>=_` on two values of an ordered host type; the evaluator's
/// comparison asks the type.
fn ordering_decls(name: &str) -> Vec<FunctionDecl> {
    let ty = Type::opaque(name, Vec::new());
    let fragment = id_fragment(&ty);
    [
        ("_<_", "less"),
        ("_<=_", "less_equals"),
        ("_>_", "greater"),
        ("_>=_", "greater_equals"),
    ]
    .into_iter()
    .map(|(op, id)| {
        let overload = OverloadDecl::global(
            &format!("{id}_{fragment}"),
            vec![ty.clone(), ty.clone()],
            Type::Bool,
        );
        FunctionDecl::new(op, vec![overload])
    })
    .collect()
}

/// A host type or struct type name: a dotted identifier that is not a built-in type.
fn check_type_name(name: &str) -> Result<(), Error> {
    let identifier = |segment: &str| {
        let mut chars = segment.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !name.split('.').all(identifier) {
        return Err(Error::env(format!(
            "type name '{name}' is not a dotted identifier such as 'k8s.Quantity'"
        )));
    }
    if celd_types::parse_type(name).is_ok_and(|t| !matches!(t, Type::Message(_))) {
        return Err(Error::env(format!(
            "type name '{name}' is a built-in type of CEL"
        )));
    }
    Ok(())
}

/// Every field type of a struct names a declared type.
fn check_struct(check: &CheckEnv, st: &StructType) -> Result<(), Error> {
    let provider = check.provider();
    if provider.find_message(st.name()).is_some() || check.is_opaque_type(st.name()) {
        return Err(Error::env(format!(
            "struct type '{}' has the name of a message or host type",
            st.name()
        )));
    }
    for (field, ty) in st.fields() {
        if let Some(unknown) = undeclared_name(ty, &|name| provider.message_type(name).is_some()) {
            return Err(Error::env(format!(
                "struct type '{}': field '{field}' has type '{ty}', but '{unknown}' is not a \
                 declared struct, message or host type",
                st.name()
            )));
        }
    }
    Ok(())
}

/// The first message name in `ty` that `known` does not know.
fn undeclared_name<'t>(ty: &'t Type, known: &dyn Fn(&str) -> bool) -> Option<&'t str> {
    match ty {
        Type::Message(name) if !known(name) => Some(name),
        Type::List(elem) => undeclared_name(elem, known),
        Type::Map(kv) => undeclared_name(&kv.0, known).or_else(|| undeclared_name(&kv.1, known)),
        Type::Opaque(o) => o.params.iter().find_map(|p| undeclared_name(p, known)),
        _ => None,
    }
}

/// The checker's declaration of a host overload: its signature (declared, or the typed
/// closure's) and its id (given, or derived).
fn overload_decl(name: &str, member: bool, overload: &Overload) -> Result<OverloadDecl, Error> {
    let derived = match &overload.binding {
        Binding::Static(f) => f.signature(),
        Binding::Late => None,
    };
    let (params, result) = match (&overload.signature, derived) {
        (Some((params, result)), Some((rust_params, _))) => {
            check_signature(name, params, rust_params)?;
            (params.clone(), result.clone())
        }
        (Some((params, result)), None) => (params.clone(), result.clone()),
        (None, Some((params, result))) => (params.to_vec(), result.clone()),
        (None, None) => {
            return Err(Error::env(format!(
                "function '{name}': a dynamic implementation needs a declared signature \
                 (Overload::dynamic or Overload::signature)"
            )));
        }
    };
    if member && params.is_empty() {
        return Err(Error::env(format!(
            "method '{name}' needs a receiver: its first parameter"
        )));
    }
    let id = match &overload.id {
        Some(id) => id.clone(),
        None => SmolStr::new(derived_id(name, member, &params)),
    };
    Ok(if member {
        OverloadDecl::member(&id, params, result)
    } else {
        OverloadDecl::global(&id, params, result)
    })
}

/// A declared signature must fit the closure's: as many parameters, and each one the
/// closure can receive (a closure taking `dyn` receives anything).
fn check_signature(name: &str, declared: &[Type], rust: &[Type]) -> Result<(), Error> {
    if declared.len() != rust.len() {
        return Err(Error::env(format!(
            "function '{name}': the declared signature has {} parameter(s), the implementation takes {}",
            declared.len(),
            rust.len()
        )));
    }
    for (i, (d, r)) in declared.iter().zip(rust).enumerate() {
        if !receivable(d, r) {
            return Err(Error::env(format!(
                "function '{name}': parameter {} is declared '{d}', but the implementation takes '{r}'",
                i + 1
            )));
        }
    }
    Ok(())
}

/// Whether a closure parameter of type `rust` receives every value of type `declared`.
fn receivable(declared: &Type, rust: &Type) -> bool {
    match (declared, rust) {
        (_, Type::Dyn) => true,
        (Type::List(d), Type::List(r)) => receivable(d, r),
        (Type::Map(d), Type::Map(r)) => receivable(&d.0, &r.0) && receivable(&d.1, &r.1),
        (Type::Opaque(d), Type::Opaque(r)) => {
            d.name == r.name
                && d.params
                    .iter()
                    .zip(&r.params)
                    .all(|(d, r)| receivable(d, r))
        }
        // A message name here may be a host type not yet resolved.
        (Type::Message(d), Type::Opaque(r)) => d == &r.name && r.params.is_empty(),
        (d, r) => d == r,
    }
}

/// `double_it_int`; for methods the receiver's type first: `string_greet_int`.
fn derived_id(name: &str, member: bool, params: &[Type]) -> String {
    let mut id = String::new();
    let mut rest = params;
    if member && let Some((receiver, others)) = params.split_first() {
        let _ = write!(id, "{}_", id_fragment(receiver));
        rest = others;
    }
    id.push_str(&sanitize(name));
    for p in rest {
        let _ = write!(id, "_{}", id_fragment(p));
    }
    id
}

/// A type as part of an overload id: `list(int)` is `list_int`, `k8s.Quantity` is
/// `k8s_Quantity`.
fn id_fragment(ty: &Type) -> String {
    sanitize(&ty.to_string())
}

fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// A host overload may not replace or shadow another overload of its function: their
/// parameters must not accept a common argument list.
fn check_no_overlap(check: &CheckEnv, name: &str, host: &OverloadDecl) -> Result<(), Error> {
    let Some(function) = check.function(name) else {
        return Ok(());
    };
    for other in &function.overloads {
        if other.id == host.id || other.member != host.member {
            continue;
        }
        let overlap = other.params.len() == host.params.len()
            && other
                .params
                .iter()
                .zip(&host.params)
                .all(|(a, b)| may_overlap(a, b));
        if overlap {
            return Err(Error::env(format!(
                "host overload '{}' {} overlaps overload '{}' {}: an overload may not replace \
                 or shadow another of its function; give it another name or parameter types",
                host.id,
                signature_text(name, host),
                other.id,
                signature_text(name, other)
            )));
        }
    }
    Ok(())
}

/// Whether some value could be of both types.
fn may_overlap(a: &Type, b: &Type) -> bool {
    use Type::*;
    match (a, b) {
        (Dyn | Any | Param(_) | Var(_) | Error, _) | (_, Dyn | Any | Param(_) | Var(_) | Error) => {
            true
        }
        (List(x), List(y)) => may_overlap(x, y),
        (Map(x), Map(y)) => may_overlap(&x.0, &y.0) && may_overlap(&x.1, &y.1),
        (Wrapper(p), Wrapper(q)) => p == q,
        (Wrapper(p), t) | (t, Wrapper(p)) => *t == Null || p.to_type() == *t,
        (Opaque(x), Opaque(y)) => {
            x.name == y.name
                && x.params.len() == y.params.len()
                && x.params
                    .iter()
                    .zip(&y.params)
                    .all(|(p, q)| may_overlap(p, q))
        }
        (TypeOf(_), TypeOf(_)) => true,
        (x, y) => x == y,
    }
}

/// `size(string) -> int`, or for a method `string.size() -> int`.
fn signature_text(name: &str, o: &OverloadDecl) -> String {
    let show = |params: &[Type]| {
        params
            .iter()
            .map(Type::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (o.member, o.params.split_first()) {
        (true, Some((receiver, rest))) => {
            format!("{receiver}.{name}({}) -> {}", show(rest), o.result)
        }
        _ => format!("{name}({}) -> {}", show(&o.params), o.result),
    }
}

/// The names of the opaque types the enabled extensions declare.
pub(crate) fn extension_types(names: impl Iterator<Item = &'static str>) -> Vec<&'static str> {
    let mut seen = HashSet::new();
    names
        .filter_map(celd_types::library::extension)
        .flat_map(|lib| lib.opaque_types.iter().copied())
        .filter(|name| seen.insert(*name))
        .collect()
}

impl crate::Env {
    /// Reads a celd JSON value: messages with this environment's descriptors, host values
    /// (`{"$k8s.Quantity": "1Gi"}`) with their type's [`HostType::from_json`].
    pub fn read_json(
        &self,
        json: &serde_json::Value,
    ) -> Result<Value, celd_value::json::JsonError> {
        self.json_reader().read(json)
    }

    /// The reader [`read_json`](Self::read_json) uses, to change its nesting limit.
    pub fn json_reader(&self) -> celd_value::json::JsonReader<'_> {
        celd_value::json::JsonReader {
            pool: Some(self.message_pool()),
            host_types: Some(&self.inner.host.json),
            ..celd_value::json::JsonReader::default()
        }
    }

    /// The host functions' overloads, by function name, then in declaration order.
    pub fn host_overloads(&self) -> Vec<&HostOverload> {
        self.inner
            .host
            .functions
            .all()
            .into_iter()
            .map(|o| &**o)
            .collect()
    }

    /// Whether the environment has host functions (the program cache then hoists the
    /// literals of their calls, which are never folded).
    pub fn has_host_functions(&self) -> bool {
        !self.inner.host.functions.has_no_functions()
    }

    /// Whether a call of `name` (the last segment, as a call spells it) may run a host
    /// function.
    pub fn has_host_function(&self, name: &str) -> bool {
        self.inner.host.functions.has_short_name(name)
    }

    /// The names of the host types (and the enabled extensions' opaque types), sorted.
    pub fn host_types(&self) -> Vec<&str> {
        self.inner.host.json.names()
    }

    /// The declared struct types, in declaration order.
    pub fn struct_types(&self) -> &[StructType] {
        &self.inner.host.structs
    }

    /// Every function the checker knows: the standard library, the enabled extensions and
    /// the host's, each with its overloads.
    pub fn functions(&self) -> &[FunctionDecl] {
        self.inner.check.functions()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_derive_from_names_and_types() {
        assert_eq!(
            derived_id("double_it", false, &[Type::Int]),
            "double_it_int"
        );
        assert_eq!(
            derived_id("greet", true, &[Type::String, Type::list(Type::Int)]),
            "string_greet_list_int"
        );
        assert_eq!(
            derived_id("isZero", true, &[Type::opaque("k8s.Quantity", vec![])]),
            "k8s_Quantity_isZero"
        );
        assert_eq!(derived_id("now", false, &[]), "now");
        assert_eq!(
            id_fragment(&Type::map(Type::String, Type::Dyn)),
            "map_string_dyn"
        );
    }

    #[test]
    fn overlap_is_a_common_argument() {
        assert!(may_overlap(&Type::String, &Type::String));
        assert!(!may_overlap(&Type::String, &Type::Int));
        assert!(may_overlap(
            &Type::list(Type::param("A")),
            &Type::list(Type::Int)
        ));
        assert!(!may_overlap(
            &Type::list(Type::Int),
            &Type::list(Type::Double)
        ));
        assert!(may_overlap(
            &Type::Wrapper(celd_types::Primitive::Int),
            &Type::Null
        ));
        assert!(!may_overlap(
            &Type::opaque("a.B", vec![]),
            &Type::opaque("a.C", vec![])
        ));
    }
}
