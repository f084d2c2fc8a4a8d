//! [`CheckEnv`]: declarations, enabled libraries, container and type provider,
//! prepared once for many checks.

use std::fmt;
use std::sync::Arc;

use celd_types::{
    FunctionDecl, Library, OverloadDecl, StructType, Type, TypeParseError, TypeProvider, library,
    parse_generic_type,
};
use hashbrown::{HashMap, HashSet};
use smol_str::SmolStr;

/// Default cap on the number of diagnostics one check reports.
pub const DEFAULT_MAX_ERRORS: usize = 100;

/// Default cap on how deeply the checker recurses into the AST.
pub const DEFAULT_MAX_DEPTH: u32 = 500;

/// Checker settings with safe defaults.
#[derive(Clone, Copy, Debug)]
pub struct CheckOptions {
    /// Diagnostics beyond this many are dropped.
    pub max_errors: usize,
    /// Nodes nested more deeply than this are reported, not checked.
    pub max_depth: u32,
    /// Strong enums: each protobuf enum is its own type (constants and enum fields
    /// have it, `E(int)`, `E(string)` and `int(E)` convert). Off by default: enums are `int`.
    pub strong_enums: bool,
    /// Each list literal's elements, and each map literal's keys and values, must be of one
    /// type; off by default, where mixed types join as `dyn`.
    pub homogeneous_aggregate_literals: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            max_errors: DEFAULT_MAX_ERRORS,
            max_depth: DEFAULT_MAX_DEPTH,
            strong_enums: false,
            homogeneous_aggregate_literals: false,
        }
    }
}

/// An environment could not be built.
#[derive(Clone, PartialEq, Debug)]
pub enum EnvError {
    /// No extension library has this name.
    UnknownExtension(String),
    /// Two overloads share an id.
    DuplicateOverload(String),
    /// A declaration table row has a malformed signature (a bug in the table).
    BadSignature {
        overload: String,
        error: TypeParseError,
    },
    /// A variable is declared more than once.
    DuplicateVariable(String),
    /// A variable's type (given as text) does not parse or names an unknown type.
    BadDeclaration {
        variable: String,
        error: TypeParseError,
    },
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvError::UnknownExtension(name) => write!(f, "unknown extension library '{name}'"),
            EnvError::DuplicateOverload(id) => write!(f, "overload id '{id}' declared twice"),
            EnvError::BadSignature { overload, error } => {
                write!(f, "bad signature for overload '{overload}': {error}")
            }
            EnvError::DuplicateVariable(name) => {
                write!(f, "variable '{name}' is declared more than once")
            }
            EnvError::BadDeclaration { variable, error } => {
                write!(f, "declaration of '{variable}': {error}")
            }
        }
    }
}

impl std::error::Error for EnvError {}

/// A function ready for overload resolution: type parameters numbered.
#[derive(Clone, Debug)]
pub(crate) struct PreparedFunction {
    pub(crate) name: SmolStr,
    pub(crate) overloads: Vec<PreparedOverload>,
}

#[derive(Clone, Debug)]
pub(crate) struct PreparedOverload {
    pub(crate) id: SmolStr,
    pub(crate) member: bool,
    /// Parameter types with type parameter `i` written as `Type::Var(i)`.
    pub(crate) params: Vec<Type>,
    pub(crate) result: Type,
    /// How many type parameters the overload has.
    pub(crate) n_vars: u32,
    /// `param_mask` of each parameter, for the overload pre-filter.
    pub(crate) masks: Vec<u32>,
}

/// Everything a check needs, built once and shared (`Send + Sync`).
#[derive(Clone, Debug)]
pub struct CheckEnv {
    inner: Arc<EnvInner>,
}

#[derive(Debug)]
pub(crate) struct EnvInner {
    pub(crate) container: SmolStr,
    pub(crate) variables: HashMap<SmolStr, Type>,
    /// First segments of every dotted variable, type and message name.
    pub(crate) name_roots: HashSet<SmolStr>,
    pub(crate) options: CheckOptions,
    // The rest depends only on the libraries, functions and message types: shared by every
    // environment built from the same ones ([`CheckLibrary`]).
    /// Identifier → the type it names (the identifier has type `type(T)`).
    pub(crate) type_names: Arc<HashMap<SmolStr, Type>>,
    pub(crate) functions: Arc<HashMap<SmolStr, PreparedFunction>>,
    pub(crate) decls: Arc<Vec<FunctionDecl>>,
    pub(crate) provider: TypeProvider,
    /// First segments of every dotted function name.
    pub(crate) function_roots: Arc<HashSet<SmolStr>>,
    /// First segments of every dotted type and message name.
    pub(crate) library_roots: Arc<Vec<SmolStr>>,
    /// Names declared as opaque types (libraries' and hosts').
    pub(crate) opaque: Arc<HashSet<SmolStr>>,
}

/// The part of a [`CheckEnv`] that depends only on its libraries, declared functions and
/// message types, prepared once: environments that differ only in their variables or
/// container share it ([`CheckEnvBuilder::library_from`]), so building one costs what its
/// own declarations cost.
#[derive(Clone, Debug)]
pub struct CheckLibrary {
    type_names: Arc<HashMap<SmolStr, Type>>,
    functions: Arc<HashMap<SmolStr, PreparedFunction>>,
    decls: Arc<Vec<FunctionDecl>>,
    provider: TypeProvider,
    function_roots: Arc<HashSet<SmolStr>>,
    library_roots: Arc<Vec<SmolStr>>,
    opaque: Arc<HashSet<SmolStr>>,
}

impl CheckLibrary {
    /// These tables with `structs` declared as well (each replacing a struct type of the same
    /// name): what declaring struct types on a derived environment costs, without preparing
    /// the functions again.
    pub fn with_struct_types(mut self, structs: &[StructType]) -> CheckLibrary {
        if structs.is_empty() {
            return self;
        }
        let opaque = self.opaque.clone();
        let mut roots: Vec<SmolStr> = (*self.library_roots).clone();
        let resolved = structs.iter().map(|st| {
            let mut st = st.clone();
            st.map_field_types(|ty| resolve_opaque(ty, &opaque));
            let root = st.name().split('.').next().unwrap_or_default();
            if !roots.iter().any(|r| r == root) {
                roots.push(SmolStr::new(root));
            }
            st
        });
        let resolved: Vec<StructType> = resolved.collect();
        self.provider = self.provider.with_struct_types(resolved);
        self.library_roots = Arc::new(roots);
        self
    }
}

impl CheckEnv {
    /// A builder that starts with the standard library and nothing else.
    pub fn builder() -> CheckEnvBuilder {
        CheckEnvBuilder {
            container: SmolStr::default(),
            variables: Vec::new(),
            variable_texts: Vec::new(),
            libraries: vec![library::STANDARD],
            extensions: Vec::new(),
            functions: Vec::new(),
            opaque_types: Vec::new(),
            struct_types: Vec::new(),
            provider: TypeProvider::default(),
            options: CheckOptions::default(),
            library: None,
        }
    }

    pub(crate) fn inner(&self) -> &EnvInner {
        &self.inner
    }

    /// The libraries, functions and message types of this environment, to share with
    /// environments that add variables ([`CheckEnvBuilder::library_from`]).
    pub fn library(&self) -> CheckLibrary {
        let inner = &self.inner;
        CheckLibrary {
            type_names: inner.type_names.clone(),
            functions: inner.functions.clone(),
            decls: inner.decls.clone(),
            provider: inner.provider.clone(),
            function_roots: inner.function_roots.clone(),
            library_roots: inner.library_roots.clone(),
            opaque: inner.opaque.clone(),
        }
    }

    /// `ty` as this environment reads it: a message name declared as an opaque type
    /// (`net.IP`, a host type) is that opaque type.
    pub fn resolve_type(&self, ty: &Type) -> Type {
        resolve_opaque(ty, &self.inner.opaque)
    }

    /// Whether `name` is an opaque type of this environment.
    pub fn is_opaque_type(&self, name: &str) -> bool {
        self.inner.opaque.contains(name)
    }

    pub fn container(&self) -> &str {
        &self.inner.container
    }

    pub fn provider(&self) -> &TypeProvider {
        &self.inner.provider
    }

    pub fn options(&self) -> CheckOptions {
        self.inner.options
    }

    /// The declared type of a variable, by fully qualified name.
    pub fn variable(&self, name: &str) -> Option<&Type> {
        self.inner.variables.get(name)
    }

    /// Every function declaration in the environment.
    pub fn functions(&self) -> &[FunctionDecl] {
        &self.inner.decls
    }

    /// A function declaration by its fully qualified name.
    pub fn function(&self, name: &str) -> Option<&FunctionDecl> {
        self.inner.decls.iter().find(|f| f.name == name)
    }

    /// Parses a type in CEL type syntax, resolving each name in `container` as identifiers
    /// in expressions resolve: `TestAllTypes` in container `pkg` is `pkg.TestAllTypes` if
    /// that message is loaded. Unknown names are errors, with a hint for near misses.
    pub fn parse_type(&self, text: &str, container: &str) -> Result<Type, TypeParseError> {
        let ty = self.inner.parse_type(text, container)?;
        Ok(resolve_opaque(&ty, &self.inner.opaque))
    }
}

/// Builds a [`CheckEnv`]; see [`CheckEnv::builder`].
#[derive(Clone, Debug)]
pub struct CheckEnvBuilder {
    container: SmolStr,
    variables: Vec<(SmolStr, Type)>,
    /// Variables whose types are given as text, resolved when the environment is built.
    variable_texts: Vec<(SmolStr, String)>,
    libraries: Vec<Library>,
    extensions: Vec<String>,
    functions: Vec<FunctionDecl>,
    opaque_types: Vec<SmolStr>,
    struct_types: Vec<StructType>,
    provider: TypeProvider,
    options: CheckOptions,
    library: Option<CheckLibrary>,
}

impl CheckEnvBuilder {
    /// Takes the libraries, functions and message types from `library` (another
    /// environment's, [`CheckEnv::library`]) instead of preparing them: what
    /// [`library`](Self::library), [`extension`](Self::extension),
    /// [`function`](Self::function) and [`type_provider`](Self::type_provider) say is then
    /// not used. Ignored if its enum mode differs from these options'.
    pub fn library_from(mut self, library: CheckLibrary) -> Self {
        self.library = Some(library);
        self
    }

    /// The namespace names resolve in (`a.b` in container `x.y` tries `x.y.a.b` first).
    pub fn container(mut self, container: &str) -> Self {
        self.container = SmolStr::new(container.strip_prefix('.').unwrap_or(container));
        self
    }

    /// Declares a variable. Declaring a name twice is an error when the environment is built.
    pub fn variable(mut self, name: &str, ty: Type) -> Self {
        self.variables.push((SmolStr::new(name), ty));
        self
    }

    /// Declares a variable with its type in CEL type syntax (`list(int)`, `pkg.Msg`), resolved
    /// when the environment is built as [`CheckEnv::parse_type`] resolves it, in the
    /// environment's container.
    pub fn variable_text(mut self, name: &str, ty: &str) -> Self {
        self.variable_texts
            .push((SmolStr::new(name), ty.to_owned()));
        self
    }

    /// Declares a function, adding its overloads to any of the same name.
    pub fn function(mut self, decl: FunctionDecl) -> Self {
        self.functions.push(decl);
        self
    }

    /// Declares an opaque type by name (a host type such as `k8s.Quantity`): the name is a
    /// type name in expressions, and wherever a declaration names it as a message type
    /// (`Type::named`, parsed type syntax) it means this opaque type.
    pub fn opaque_type(mut self, name: &str) -> Self {
        self.opaque_types.push(SmolStr::new(name));
        self
    }

    /// Declares a struct type: an object type with typed fields, checked as message types are.
    pub fn struct_type(mut self, ty: StructType) -> Self {
        self.struct_types.push(ty);
        self
    }

    /// Enables a library table.
    pub fn library(mut self, library: Library) -> Self {
        self.libraries.push(library);
        self
    }

    /// Enables an extension library by name (`strings`, `math`, `optional`, ...).
    pub fn extension(mut self, name: &str) -> Self {
        self.extensions.push(name.to_string());
        self
    }

    /// Message and enum types.
    pub fn type_provider(mut self, provider: TypeProvider) -> Self {
        self.provider = provider;
        self
    }

    pub fn options(mut self, options: CheckOptions) -> Self {
        self.options = options;
        self
    }

    /// Strong enums (see [`CheckOptions::strong_enums`]); off by default.
    pub fn strong_enums(mut self, strong: bool) -> Self {
        self.options.strong_enums = strong;
        self
    }

    pub fn build(self) -> Result<CheckEnv, EnvError> {
        let library = match self.library {
            Some(lib) if lib.provider.strong_enums() == self.options.strong_enums => lib,
            _ => prepare_library(LibraryParts {
                libraries: &self.libraries,
                extensions: &self.extensions,
                functions: self.functions,
                opaque_types: self.opaque_types,
                struct_types: self.struct_types,
                provider: self.provider.with_strong_enums(self.options.strong_enums),
            })?,
        };
        let mut variables: HashMap<SmolStr, Type> = HashMap::with_capacity(self.variables.len());
        for (name, ty) in self.variables {
            let ty = params_to_dyn(&resolve_opaque(&ty, &library.opaque));
            if variables.insert(name.clone(), ty).is_some() {
                return Err(EnvError::DuplicateVariable(name.to_string()));
            }
        }
        let mut inner = EnvInner {
            container: self.container,
            variables: HashMap::new(),
            name_roots: HashSet::new(),
            options: self.options,
            type_names: library.type_names,
            functions: library.functions,
            decls: library.decls,
            provider: library.provider,
            function_roots: library.function_roots,
            library_roots: library.library_roots,
            opaque: library.opaque,
        };
        // The variables declared as text resolve their types against everything else.
        for (name, text) in self.variable_texts {
            let ty = inner.parse_type(&text, &inner.container).map_err(|error| {
                EnvError::BadDeclaration {
                    variable: name.to_string(),
                    error,
                }
            })?;
            let ty = params_to_dyn(&resolve_opaque(&ty, &inner.opaque));
            if variables.insert(name.clone(), ty).is_some() {
                return Err(EnvError::DuplicateVariable(name.to_string()));
            }
        }
        let mut name_roots: HashSet<SmolStr> = inner.library_roots.iter().cloned().collect();
        for name in variables.keys() {
            insert_root(&mut name_roots, name);
        }
        inner.variables = variables;
        inner.name_roots = name_roots;
        Ok(CheckEnv {
            inner: Arc::new(inner),
        })
    }
}

/// What a [`CheckLibrary`] is prepared from.
struct LibraryParts<'a> {
    libraries: &'a [Library],
    extensions: &'a [String],
    functions: Vec<FunctionDecl>,
    opaque_types: Vec<SmolStr>,
    struct_types: Vec<StructType>,
    provider: TypeProvider,
}

/// Prepares the tables of the enabled libraries, the extra functions, the opaque and struct
/// types and the message types.
fn prepare_library(parts: LibraryParts) -> Result<CheckLibrary, EnvError> {
    let LibraryParts {
        libraries,
        extensions,
        functions,
        opaque_types,
        struct_types,
        provider,
    } = parts;
    let mut libraries = libraries.to_vec();
    for name in extensions {
        let lib =
            library::extension(name).ok_or_else(|| EnvError::UnknownExtension(name.clone()))?;
        libraries.push(*lib);
    }
    let mut decls = Vec::new();
    let mut type_names = HashMap::new();
    for lib in &libraries {
        decls.extend(library_decls(lib)?);
        for row in lib.type_names {
            let ty = parse_generic_type(row.ty).map_err(|error| EnvError::BadSignature {
                overload: row.name.to_string(),
                error,
            })?;
            type_names.insert(SmolStr::new(row.name), ty);
        }
    }
    let mut opaque: HashSet<SmolStr> = opaque_types.into_iter().collect();
    for lib in &libraries {
        opaque.extend(lib.opaque_types.iter().map(SmolStr::new));
    }
    for name in &opaque {
        type_names.insert(name.clone(), Type::opaque(name, Vec::new()));
    }
    let resolve = |ty: &Type| resolve_opaque(ty, &opaque);
    for ty in type_names.values_mut() {
        *ty = resolve(ty);
    }
    let struct_types = struct_types.into_iter().map(|mut st| {
        st.map_field_types(resolve);
        st
    });
    let provider = provider.with_struct_types(struct_types);
    decls.extend(provider.enum_functions());
    decls.extend(functions);
    let mut decls = merge_functions(decls)?;
    if !opaque.is_empty() {
        for overload in decls.iter_mut().flat_map(|f| &mut f.overloads) {
            overload.params.iter_mut().for_each(|p| *p = resolve(p));
            overload.result = resolve(&overload.result);
        }
    }
    let prepared = decls
        .iter()
        .map(|f| (f.name.clone(), prepare_function(f)))
        .collect();
    let mut roots = HashSet::new();
    for name in type_names.keys() {
        insert_root(&mut roots, name);
    }
    for root in provider.root_segments() {
        roots.insert(SmolStr::new(root));
    }
    let mut function_roots = HashSet::new();
    for f in &decls {
        insert_root(&mut function_roots, &f.name);
    }
    Ok(CheckLibrary {
        type_names: Arc::new(type_names),
        functions: Arc::new(prepared),
        decls: Arc::new(decls),
        provider,
        function_roots: Arc::new(function_roots),
        library_roots: Arc::new(roots.into_iter().collect()),
        opaque: Arc::new(opaque),
    })
}

fn library_decls(lib: &Library) -> Result<Vec<FunctionDecl>, EnvError> {
    let mut out: Vec<FunctionDecl> = Vec::new();
    for row in lib.overloads {
        let decl = row.to_decl().map_err(|error| EnvError::BadSignature {
            overload: row.id.to_string(),
            error,
        })?;
        out.push(FunctionDecl::new(row.function, vec![decl]));
    }
    Ok(out)
}

/// Merges declarations of the same function name, keeping first-seen order.
fn merge_functions(decls: Vec<FunctionDecl>) -> Result<Vec<FunctionDecl>, EnvError> {
    let mut merged: Vec<FunctionDecl> = Vec::new();
    let mut index: HashMap<SmolStr, usize> = HashMap::new();
    let mut ids: HashSet<SmolStr> = HashSet::new();
    for decl in decls {
        for o in &decl.overloads {
            if !ids.insert(o.id.clone()) {
                return Err(EnvError::DuplicateOverload(o.id.to_string()));
            }
        }
        match index.get(&decl.name) {
            Some(&i) => merged[i].overloads.extend(decl.overloads),
            None => {
                index.insert(decl.name.clone(), merged.len());
                merged.push(decl);
            }
        }
    }
    Ok(merged)
}

fn insert_root(roots: &mut HashSet<SmolStr>, name: &str) {
    if let Some((root, _)) = name.split_once('.') {
        roots.insert(SmolStr::new(root));
    }
}

fn prepare_function(decl: &FunctionDecl) -> PreparedFunction {
    PreparedFunction {
        name: decl.name.clone(),
        overloads: decl.overloads.iter().map(prepare_overload).collect(),
    }
}

fn prepare_overload(o: &OverloadDecl) -> PreparedOverload {
    let number = |t: &Type| number_params(t, &o.type_params);
    PreparedOverload {
        id: o.id.clone(),
        member: o.member,
        params: o.params.iter().map(number).collect(),
        result: number(&o.result),
        n_vars: o.type_params.len() as u32,
        masks: o.params.iter().map(crate::unify::param_mask).collect(),
    }
}

/// Replaces type parameter `names[i]` by `Type::Var(i)`.
fn number_params(ty: &Type, names: &[SmolStr]) -> Type {
    map_leaves(ty, &|t| match t {
        Type::Param(name) => {
            let i = names.iter().position(|n| n == name).unwrap_or(0);
            Some(Type::Var(i as u32))
        }
        _ => None,
    })
}

/// Variables have no type parameters of their own: a parameter means `dyn`.
fn params_to_dyn(ty: &Type) -> Type {
    map_leaves(ty, &|t| match t {
        Type::Param(_) | Type::Var(_) => Some(Type::Dyn),
        _ => None,
    })
}

/// Rebuilds `ty`, replacing every part for which `f` returns a type.
pub(crate) fn map_leaves(ty: &Type, f: &dyn Fn(&Type) -> Option<Type>) -> Type {
    if let Some(t) = f(ty) {
        return t;
    }
    if !ty.has_params() {
        return ty.clone();
    }
    match ty {
        Type::List(elem) => Type::list(map_leaves(elem, f)),
        Type::Map(kv) => Type::map(map_leaves(&kv.0, f), map_leaves(&kv.1, f)),
        Type::TypeOf(Some(t)) => Type::type_of(map_leaves(t, f)),
        Type::Opaque(o) => {
            Type::opaque(&o.name, o.params.iter().map(|p| map_leaves(p, f)).collect())
        }
        other => other.clone(),
    }
}

/// `ty` with every message type named in `opaque` read as that opaque type.
pub fn resolve_opaque(ty: &Type, opaque: &HashSet<SmolStr>) -> Type {
    match ty {
        Type::Message(name) if opaque.contains(name) => Type::opaque(name, Vec::new()),
        Type::List(elem) => Type::list(resolve_opaque(elem, opaque)),
        Type::Map(kv) => Type::map(resolve_opaque(&kv.0, opaque), resolve_opaque(&kv.1, opaque)),
        Type::TypeOf(Some(t)) => Type::type_of(resolve_opaque(t, opaque)),
        Type::Opaque(o) if !o.params.is_empty() => Type::opaque(
            &o.name,
            o.params.iter().map(|p| resolve_opaque(p, opaque)).collect(),
        ),
        other => other.clone(),
    }
}
