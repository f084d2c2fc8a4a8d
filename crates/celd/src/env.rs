//! [`Env`]: declarations, libraries, message types and limits — built once, shared by `Arc`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use celd_check::{CheckEnv, CheckLibrary, CheckOptions};
use celd_eval::{Limits, Registry, VarTable};
use celd_syntax::{Macros, ParseOptions};
use celd_types::{StructType, Type, TypeParseError, TypeProvider};
use celd_value::HostType;
use prost_reflect::DescriptorPool;
use smol_str::SmolStr;

use crate::error::Error;
use crate::extensions::Extension;
use crate::host::{Host, HostDecls, IntoOverload};
use crate::validate::Validations;

/// A compilation environment: what names mean and what functions exist.
///
/// Cheap to clone and `Send + Sync`; compile as many programs from one `Env` as you like.
#[derive(Clone)]
pub struct Env {
    pub(crate) inner: Arc<EnvInner>,
}

pub(crate) struct EnvInner {
    pub(crate) id: u64,
    pub(crate) check: CheckEnv,
    pub(crate) registry: Arc<Registry>,
    pub(crate) variables: Arc<VarTable>,
    pub(crate) declared: Vec<(SmolStr, Type)>,
    pub(crate) pool: Option<DescriptorPool>,
    pub(crate) container: SmolStr,
    pub(crate) parse_options: ParseOptions,
    /// Shared by every program compiled in the environment.
    pub(crate) limits: Arc<Limits>,
    pub(crate) extensions: Vec<Extension>,
    pub(crate) strong_enums: bool,
    pub(crate) homogeneous_aggregate_literals: bool,
    pub(crate) skip_variable_type_checks: bool,
    pub(crate) validations: Validations,
    /// Host functions, host types and struct types, bound.
    pub(crate) host: Host,
    /// The same, as declared (for `to_builder`).
    pub(crate) host_decls: HostDecls,
}

impl Env {
    /// A builder starting from the standard library, with no extensions and no variables.
    pub fn builder() -> EnvBuilder {
        EnvBuilder::default()
    }

    /// The standard library and every extension, no variables.
    pub fn standard() -> Env {
        // The extension set is fixed and valid, so building cannot fail.
        Env::builder()
            .all_extensions()
            .build()
            .unwrap_or_else(|e| unreachable!("the standard environment is valid: {e}"))
    }

    /// A process-unique identity (part of program cache keys).
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    pub fn container(&self) -> &str {
        &self.inner.container
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The declared variables, in declaration order.
    pub fn variables(&self) -> &[(SmolStr, Type)] {
        &self.inner.declared
    }

    /// The declared type of a variable.
    pub fn variable_type(&self, name: &str) -> Option<&Type> {
        self.inner
            .declared
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, ty)| ty)
    }

    /// Parses a type in CEL type syntax (`list(int)`, `map(string, dyn)`, `pkg.Msg`), each
    /// name resolved in this environment's container as identifiers in expressions resolve:
    /// against the libraries' type names (`net.IP`, `optional_type`), the message and enum
    /// types loaded, host types and struct types, and anything else the environment declares. An unknown name is an error
    /// that names it, with a hint for a near miss (`unknown type 'integr'; did you mean 'int'?`).
    pub fn parse_type(&self, text: &str) -> Result<Type, TypeParseError> {
        self.inner.check.parse_type(text, &self.inner.container)
    }

    /// [`Env::parse_type`] in another container (a request's own).
    pub fn parse_type_in(&self, text: &str, container: &str) -> Result<Type, TypeParseError> {
        let container = container.strip_prefix('.').unwrap_or(container);
        self.inner.check.parse_type(text, container)
    }

    pub fn extensions(&self) -> &[Extension] {
        &self.inner.extensions
    }

    pub fn descriptor_pool(&self) -> Option<&DescriptorPool> {
        self.inner.pool.as_ref()
    }

    /// The message types programs can build and read: the environment's pool, or the
    /// well-known types alone (`google.protobuf.Int64Value{value: 1}` needs no `.proto`).
    pub(crate) fn message_pool(&self) -> &DescriptorPool {
        static WELL_KNOWN: std::sync::LazyLock<DescriptorPool> =
            std::sync::LazyLock::new(DescriptorPool::global);
        self.inner.pool.as_ref().unwrap_or(&WELL_KNOWN)
    }

    /// Whether protobuf enums are typed (see [`EnvBuilder::strong_enums`]).
    pub fn strong_enums(&self) -> bool {
        self.inner.strong_enums
    }

    /// Whether list and map literals must be of one type (see
    /// [`EnvBuilder::homogeneous_aggregate_literals`]).
    pub fn homogeneous_aggregate_literals(&self) -> bool {
        self.inner.homogeneous_aggregate_literals
    }

    /// What compiling checks besides types (see [`EnvBuilder::validations`]).
    pub fn validations(&self) -> &Validations {
        &self.inner.validations
    }

    /// A builder that starts from this environment's settings (for adding variables).
    pub fn to_builder(&self) -> EnvBuilder {
        EnvBuilder {
            variables: self.inner.declared.clone(),
            inherited: self.inner.declared.len(),
            variable_texts: Vec::new(),
            host: self.inner.host_decls.clone(),
            extensions: self.inner.extensions.clone(),
            container: self.inner.container.clone(),
            pool: self.inner.pool.clone(),
            parse_options: self.inner.parse_options.clone(),
            limits: (*self.inner.limits).clone(),
            registry: Some(self.inner.registry.clone()),
            check_library: Some(self.inner.check.library()),
            bound_host: Some(self.inner.host.clone()),
            added_structs: Vec::new(),
            strong_enums: self.inner.strong_enums,
            homogeneous_aggregate_literals: self.inner.homogeneous_aggregate_literals,
            skip_variable_type_checks: self.inner.skip_variable_type_checks,
            validations: self.inner.validations.clone(),
        }
    }

    /// An activation whose variables are stored by slot for this environment's programs.
    ///
    /// A value inserted for a declared variable is checked against its declared type (unless
    /// [`EnvBuilder::check_variable_types`] turned that off): one that does not fit makes
    /// every evaluation with this activation fail before it starts, with an error of kind
    /// [`ErrorKind::Variable`](crate::ErrorKind::Variable) that names the variable, its
    /// declared type and the value's type.
    pub fn activation(&self) -> celd_eval::Activation {
        celd_eval::Activation::for_table(self.inner.variables.clone())
    }
}

/// Builds an [`Env`]; see [`Env::builder`].
#[derive(Clone, Default)]
pub struct EnvBuilder {
    variables: Vec<(SmolStr, Type)>,
    /// How many of `variables`, at the front, came from the environment `to_builder` started
    /// from: a declaration on this builder replaces those.
    inherited: usize,
    /// Variables declared with their type as text, resolved by `build`.
    variable_texts: Vec<(SmolStr, String)>,
    host: HostDecls,
    extensions: Vec<Extension>,
    container: SmolStr,
    pool: Option<DescriptorPool>,
    parse_options: ParseOptions,
    limits: Limits,
    /// A registry to reuse when the extension set is unchanged.
    registry: Option<Arc<Registry>>,
    /// The checker's library tables to reuse when the libraries, functions and message types
    /// are unchanged: an environment derived by adding variables costs what they cost.
    check_library: Option<CheckLibrary>,
    /// The host functions and types bound, to reuse while the same holds (and the enum mode
    /// is unchanged): declaring and binding them is most of what building costs.
    bound_host: Option<Host>,
    /// Struct types declared since `check_library` and `bound_host` were taken: `build`
    /// adds them to both instead of preparing everything again.
    added_structs: Vec<StructType>,
    strong_enums: bool,
    homogeneous_aggregate_literals: bool,
    skip_variable_type_checks: bool,
    validations: Validations,
}

impl EnvBuilder {
    /// Declares a variable. Declaring a name twice is an error at [`build`](EnvBuilder::build);
    /// a builder from [`Env::to_builder`] may redeclare the environment's own variables (the
    /// new declaration replaces the old and moves last).
    pub fn variable(mut self, name: &str, ty: Type) -> Self {
        // Replacements are resolved once, in `build`: a linear pass, however many there are.
        self.variables.push((SmolStr::new(name), ty));
        self
    }

    /// Declares a variable with its type in CEL type syntax: `.declare("items", "list(int)")`.
    /// Names in the type resolve at [`build`](EnvBuilder::build) as [`Env::parse_type`]
    /// resolves them, in the builder's container and against its message types; an unknown
    /// type name is an error there (`declaration of 'x': unknown type 'integr'; did you mean
    /// 'int'?`).
    pub fn declare(mut self, name: &str, ty: &str) -> Self {
        self.variable_texts
            .push((SmolStr::new(name), ty.to_owned()));
        self
    }

    /// Whether values inserted into this environment's activations for declared variables
    /// are checked against their declared types (see [`Env::activation`]). On by default;
    /// the check walks each value as deep as its declared type nests (a `list(int)` of n
    /// elements is n checks) once per insertion, which a host that guarantees its values'
    /// types may skip.
    pub fn check_variable_types(mut self, enabled: bool) -> Self {
        self.skip_variable_type_checks = !enabled;
        self
    }

    /// Adds an overload of the global function `name`, with its implementation: a typed
    /// closure (`|x: i64| x * 2`, its signature read from the Rust types) or an
    /// [`Overload`](crate::Overload). Call again with the same name for more overloads. See
    /// the crate documentation's "Host functions".
    pub fn function<M>(mut self, name: &str, overload: impl IntoOverload<M>) -> Self {
        self.host.function(name, false, overload.into_overload());
        self.check_library = None;
        self.bound_host = None;
        self
    }

    /// Adds an overload of the method `name`, called `receiver.name(args)`; the first
    /// parameter of the implementation is the receiver.
    pub fn method<M>(mut self, name: &str, overload: impl IntoOverload<M>) -> Self {
        self.host.function(name, true, overload.into_overload());
        self.check_library = None;
        self.bound_host = None;
        self
    }

    /// Declares the host type `T`: its name becomes a type (in expressions and declarations),
    /// its values compare by [`HostType::equals`] and, if ordered, [`HostType::compare`],
    /// and celd JSON reads them with [`HostType::from_json`].
    pub fn host_type<T: HostType>(mut self) -> Self {
        self.host.host_type::<T>();
        self.check_library = None;
        self.bound_host = None;
        self
    }

    /// Declares a struct type: an object type with typed fields, checked like a message
    /// type and represented at run time by a map from field names to values.
    pub fn struct_type(mut self, ty: StructType) -> Self {
        if self.check_library.is_some() && self.bound_host.is_some() {
            self.added_structs.retain(|s| s.name() != ty.name());
            self.added_structs.push(ty.clone());
        }
        self.host.struct_type(ty);
        self
    }

    pub fn extension(mut self, ext: Extension) -> Self {
        if !self.extensions.contains(&ext) {
            self.extensions.push(ext);
            self.registry = None;
            self.check_library = None;
            self.bound_host = None;
        }
        self
    }

    pub fn all_extensions(mut self) -> Self {
        for ext in Extension::ALL {
            self = self.extension(*ext);
        }
        self
    }

    /// The namespace that names resolve in (`a.b` in container `x.y` tries `x.y.a.b` first).
    pub fn container(mut self, container: &str) -> Self {
        self.container = SmolStr::new(container.strip_prefix('.').unwrap_or(container));
        self
    }

    /// Message and enum types for construction, field access and type checking.
    pub fn descriptor_pool(mut self, pool: DescriptorPool) -> Self {
        self.pool = Some(pool);
        self.check_library = None;
        self.bound_host = None;
        self
    }

    /// Expands macros (`has`, `all`, `map`, ...) at parse time; on by default.
    pub fn macros(mut self, enabled: bool) -> Self {
        self.parse_options.macros = if enabled {
            Macros::all()
        } else {
            Macros::none()
        };
        self
    }

    /// Parser limits (expression size, nesting depth, error count).
    pub fn parse_options(mut self, options: ParseOptions) -> Self {
        self.parse_options = options;
        self
    }

    /// Evaluation limits (cost, value sizes).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Strong enums: each protobuf enum is its own type. Off by default, which is
    /// cel-go's default and cel-spec's legacy behaviour: enums are plain `int`s.
    ///
    /// With strong enums, `pkg.Color.RED` is a value of type `pkg.Color` (printed
    /// `pkg.Color(0)`, celd JSON `{"$enum": "pkg.Color", "value": 0}`), enum fields
    /// read as such values, `pkg.Color(1)` and `pkg.Color('RED')` convert an `int` in
    /// int32 range or a value name to the enum, `int(e)` gives the number back,
    /// values of one enum compare with `==` and `!=` only to each other, and a message
    /// field of an enum type takes values of that enum (not `int`s).
    pub fn strong_enums(mut self, enabled: bool) -> Self {
        if enabled != self.strong_enums {
            self.bound_host = None;
        }
        self.strong_enums = enabled;
        self
    }

    /// Homogeneous aggregate literals: the elements of a list literal, and the keys and the
    /// values of a map literal, must each be of one type, or checking reports
    /// `expected type 'T' but found 'U'` at the first element that differs (`dyn(e)` agrees
    /// with every type). Off by default, where mixed elements make the literal's element
    /// type `dyn`; Kubernetes turns it on (cel-go's `HomogeneousAggregateLiterals`).
    pub fn homogeneous_aggregate_literals(mut self, enabled: bool) -> Self {
        self.homogeneous_aggregate_literals = enabled;
        self
    }

    /// What compiling checks besides types: literal regular expressions, timestamps and
    /// durations (on by default), and a comprehension-nesting limit (off by default).
    pub fn validations(mut self, validations: Validations) -> Self {
        self.validations = validations;
        self
    }

    pub fn build(mut self) -> Result<Env, Error> {
        self.variables = replace_inherited(self.variables, self.inherited, &self.variable_texts);
        let mut check = CheckEnv::builder()
            .container(&self.container)
            .options(CheckOptions {
                max_depth: self.parse_options.max_depth.saturating_mul(2),
                strong_enums: self.strong_enums,
                homogeneous_aggregate_literals: self.homogeneous_aggregate_literals,
                ..CheckOptions::default()
            });
        for ext in &self.extensions {
            if ext.is_declared() {
                check = check.extension(ext.name());
            }
        }
        for (name, ty) in &self.variables {
            check = check.variable(name, ty.clone());
        }
        for (name, text) in &self.variable_texts {
            check = check.variable_text(name, text);
        }
        if let Some(pool) = &self.pool {
            check = check.type_provider(TypeProvider::new(pool.clone()));
        }
        // A bound host comes with the checker library that declares it.
        let mut check = match &self.bound_host {
            Some(_) => check,
            None => self.host.declare(check)?,
        };
        // Struct types added to a derived environment extend its tables (both are kept only
        // while nothing else that they depend on changed).
        let incremental = self.check_library.is_some() && self.bound_host.is_some();
        if let Some(library) = self.check_library {
            let library = match incremental {
                true => library.with_struct_types(&self.added_structs),
                false => library,
            };
            check = check.library_from(library);
        }
        let check = check.build().map_err(|e| self.host.explain(e))?;
        // The types as the checker resolved them (a host type's name is that type).
        let mut declared: Vec<(SmolStr, Type)> = self
            .variables
            .into_iter()
            .map(|(name, ty)| {
                let ty = check.variable(&name).cloned().unwrap_or(ty);
                (name, ty)
            })
            .collect();
        for (name, _) in self.variable_texts {
            let ty = check.variable(&name).cloned().unwrap_or(Type::Dyn);
            declared.push((name, ty));
        }
        let variables = if self.skip_variable_type_checks {
            VarTable::new(declared.iter().map(|(n, _)| n.clone()))
        } else {
            let held: Vec<Type> = declared
                .iter()
                .map(|(_, t)| self.host.runtime_type(t))
                .collect();
            VarTable::typed(declared.iter().zip(&held).map(|((n, t), h)| (n, t, h)))
        };
        let registry = match self.registry {
            Some(r) => r,
            None => Arc::new(crate::extensions::registry(&self.extensions)),
        };
        let host = match self.bound_host {
            Some(host) if incremental => host.with_structs(&check, &self.added_structs)?,
            Some(host) => host,
            None => self.host.bind(
                &check,
                &crate::host::extension_types(self.extensions.iter().map(|e| e.name())),
                crate::extensions::json_types(&self.extensions),
            )?,
        };
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Ok(Env {
            inner: Arc::new(EnvInner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                check,
                registry,
                variables: Arc::new(variables),
                declared,
                pool: self.pool,
                container: self.container,
                parse_options: self.parse_options,
                limits: Arc::new(self.limits),
                extensions: self.extensions,
                strong_enums: self.strong_enums,
                homogeneous_aggregate_literals: self.homogeneous_aggregate_literals,
                skip_variable_type_checks: self.skip_variable_type_checks,
                validations: self.validations,
                host,
                host_decls: self.host,
            }),
        })
    }
}

/// The inherited declarations (the first `inherited`) that this builder did not declare
/// again, then this builder's own, in order. Duplicates among its own are left for the
/// checker, which refuses them.
fn replace_inherited(
    mut variables: Vec<(SmolStr, Type)>,
    inherited: usize,
    texts: &[(SmolStr, String)],
) -> Vec<(SmolStr, Type)> {
    let own = variables.split_off(inherited.min(variables.len()));
    let redeclared: std::collections::HashSet<&SmolStr> = own
        .iter()
        .map(|(name, _)| name)
        .chain(texts.iter().map(|(name, _)| name))
        .collect();
    variables.retain(|(name, _)| !redeclared.contains(name));
    variables.extend(own);
    variables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redeclaration_replaces_an_inherited_one_and_moves_last() {
        let built = Env::builder()
            .variable("a", Type::Int)
            .variable("a", Type::String)
            .build();
        let err = built.err().expect("a name declared twice is an error");
        assert_eq!(err.message(), "variable 'a' is declared more than once");
        let env = Env::builder()
            .variable("a", Type::Int)
            .variable("b", Type::Int)
            .build()
            .unwrap();
        let again = env.to_builder().variable("a", Type::Bool).build().unwrap();
        let names: Vec<(&str, &Type)> = again
            .variables()
            .iter()
            .map(|(n, t)| (n.as_str(), t))
            .collect();
        assert_eq!(names, [("b", &Type::Int), ("a", &Type::Bool)]);
        let texts = env.to_builder().declare("b", "string").build().unwrap();
        assert_eq!(texts.variables().len(), 2);
        assert_eq!(texts.variable_type("b"), Some(&Type::String));
    }
}
