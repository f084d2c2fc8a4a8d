//! Host functions: implementations a host program supplies in Rust, bound to declared
//! overloads by id, dispatched by the checker's choice or by runtime argument types.
//!
//! A [`HostFunction`] is an implementation with its conversions erased: made from a typed
//! closure (`|x: i64| x * 2`, argument and result types read from the Rust signature through
//! [`FromValue`] and [`IntoResult`]) or from a dynamic `Fn(&[Value]) -> Result<Value>`.
//! A [`HostOverload`] pairs one with its declaration (overload id, parameter and result
//! types, [`Cost`]); [`HostFunctions`] holds an environment's overloads by id and by name, as
//! the planner looks them up. An overload may be late-bound ([`Binding::Late`]): its
//! implementation comes with each evaluation's activation.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use celd_types::Type;
use celd_value::{EvalError, FromValue, IntoResult, Result, Value};
use smol_str::SmolStr;

use crate::cost;
use crate::functions::{Impl, no_such_overload};

type Erased = dyn Fn(&str, &[Value]) -> Result<Value> + Send + Sync;

/// An implementation of a host function, its conversions erased. Cheap to clone.
#[derive(Clone)]
pub struct HostFunction {
    call: Arc<Erased>,
    /// The CEL types of the Rust signature (`None` for dynamic implementations).
    signature: Option<Arc<(Vec<Type>, Type)>>,
}

impl HostFunction {
    /// A typed closure: each argument converted by [`FromValue`], the result by
    /// [`IntoResult`]. An argument of another type makes the call a `no_such_overload` error.
    pub fn new<F, Args, R>(f: F) -> HostFunction
    where
        F: Function<Args, R> + for<'a> Function<<Args as FunctionArgs<'a>>::Output, R>,
        Args: for<'a> FunctionArgs<'a>,
        R: IntoResult,
    {
        let call = move |name: &str, args: &[Value]| -> Result<Value> {
            match <Args as FunctionArgs<'_>>::from_values(args) {
                Some(converted) => f.invoke(converted).into_result(),
                None => Err(no_such_overload(name, args)),
            }
        };
        HostFunction {
            call: Arc::new(call),
            signature: Some(Arc::new((
                <Args as FunctionArgs<'static>>::types(),
                R::cel_type(),
            ))),
        }
    }

    /// An implementation over the argument values as they come: for functions whose
    /// signature is declared separately (languages other than Rust, variadic dispatch).
    pub fn dynamic(
        f: impl Fn(&[Value]) -> std::result::Result<Value, EvalError> + Send + Sync + 'static,
    ) -> HostFunction {
        HostFunction {
            call: Arc::new(move |_: &str, args: &[Value]| f(args)),
            signature: None,
        }
    }

    /// Calls the implementation; `name` is the function's, for error messages.
    #[inline]
    pub fn call(&self, name: &str, args: &[Value]) -> Result<Value> {
        (self.call)(name, args)
    }

    /// The parameter and result types a typed closure's Rust signature declares.
    pub fn signature(&self) -> Option<(&[Type], &Type)> {
        self.signature.as_deref().map(|(p, r)| (p.as_slice(), r))
    }
}

impl fmt::Debug for HostFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.signature() {
            Some((params, result)) => {
                let params: Vec<String> = params.iter().map(Type::to_string).collect();
                write!(f, "HostFunction(({}) -> {result})", params.join(", "))
            }
            None => f.write_str("HostFunction(dynamic)"),
        }
    }
}

/// Converts into a [`HostFunction`]: typed closures, and host functions themselves.
/// `M` only tells the implementations apart.
pub trait IntoHostFunction<M> {
    fn into_host_function(self) -> HostFunction;
}

impl IntoHostFunction<HostFunction> for HostFunction {
    fn into_host_function(self) -> HostFunction {
        self
    }
}

impl<F, Args, R> IntoHostFunction<(Args, R)> for F
where
    F: Function<Args, R> + for<'a> Function<<Args as FunctionArgs<'a>>::Output, R>,
    Args: for<'a> FunctionArgs<'a>,
    R: IntoResult,
{
    fn into_host_function(self) -> HostFunction {
        HostFunction::new(self)
    }
}

/// The arguments of a typed closure, as a tuple of [`FromValue`] types.
pub trait FunctionArgs<'a> {
    type Output;
    /// The CEL type of each argument.
    fn types() -> Vec<Type>;
    /// The converted arguments, or `None` when their number or a type does not fit.
    fn from_values(values: &'a [Value]) -> Option<Self::Output>;
}

/// A closure callable with a tuple of arguments (implemented for `Fn` of up to six
/// arguments).
pub trait Function<Args, R>: Send + Sync + 'static {
    fn invoke(&self, args: Args) -> R;
}

macro_rules! tuples {
    ($( ($($arg:ident),*) )*) => {$(
        impl<'a, $($arg: FromValue<'a>),*> FunctionArgs<'a> for ($($arg,)*) {
            type Output = ($($arg::Output,)*);

            fn types() -> Vec<Type> {
                vec![$($arg::cel_type()),*]
            }

            #[allow(non_snake_case)]
            fn from_values(values: &'a [Value]) -> Option<Self::Output> {
                match values {
                    [$($arg),*] => Some(($($arg::from_value($arg)?,)*)),
                    _ => None,
                }
            }
        }

        impl<F, R, $($arg),*> Function<($($arg,)*), R> for F
        where
            F: Fn($($arg),*) -> R + Send + Sync + 'static,
        {
            #[allow(non_snake_case)]
            fn invoke(&self, ($($arg,)*): ($($arg,)*)) -> R {
                self($($arg),*)
            }
        }
    )*};
}

tuples! {
    ()
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, G)
}

/// What a call costs, in the units of the cost model (see [`crate::cost`]).
#[derive(Clone)]
pub struct Cost(CostRule);

/// A cost computed from argument sizes.
type SizeCost = Arc<dyn Fn(&[u64]) -> u64 + Send + Sync>;

#[derive(Clone)]
enum CostRule {
    Fixed(u64),
    Sizes(SizeCost),
}

impl Cost {
    /// The same cost for every call (the default is 1, as for a constant-time built-in).
    pub fn fixed(units: u64) -> Cost {
        Cost(CostRule::Fixed(units))
    }

    /// A cost computed from the sizes of the arguments (bytes of strings and bytes,
    /// values held by lists and maps through nested ones, 1 for anything else). The runtime
    /// charges it with the actual sizes; `estimate_cost` calls it with the least and the
    /// most sizes the inputs can have, so it should grow with the sizes.
    pub fn from_sizes(f: impl Fn(&[u64]) -> u64 + Send + Sync + 'static) -> Cost {
        Cost(CostRule::Sizes(Arc::new(f)))
    }

    /// The cost of a call with these sizes (at least 1).
    pub fn of_sizes(&self, sizes: &[u64]) -> u64 {
        match &self.0 {
            CostRule::Fixed(units) => *units,
            CostRule::Sizes(f) => f(sizes),
        }
        .max(1)
    }

    /// The cost of a call with these arguments.
    pub fn of_args(&self, args: &[Value]) -> u64 {
        match &self.0 {
            CostRule::Fixed(units) => (*units).max(1),
            CostRule::Sizes(f) => {
                let sizes: smallvec::SmallVec<[u64; 4]> = args.iter().map(cost::size).collect();
                f(&sizes).max(1)
            }
        }
    }

    /// The fixed cost, if the cost does not depend on the arguments.
    pub fn as_fixed(&self) -> Option<u64> {
        match &self.0 {
            CostRule::Fixed(units) => Some(*units),
            CostRule::Sizes(_) => None,
        }
    }
}

impl Default for Cost {
    fn default() -> Cost {
        Cost::fixed(1)
    }
}

impl fmt::Debug for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            CostRule::Fixed(units) => write!(f, "Cost::fixed({units})"),
            CostRule::Sizes(_) => f.write_str("Cost::from_sizes(..)"),
        }
    }
}

/// Where a host overload's implementation comes from.
#[derive(Clone, Debug)]
pub enum Binding {
    /// Given when the environment is built.
    Static(HostFunction),
    /// Given with each evaluation's activation ([`crate::Activation::bind`]).
    Late,
}

/// One declared overload of a host function and its implementation.
#[derive(Clone, Debug)]
pub struct HostOverload {
    pub function: SmolStr,
    pub id: SmolStr,
    /// Receiver style: `params[0]` is the receiver.
    pub member: bool,
    pub params: Vec<Type>,
    pub result: Type,
    pub cost: Cost,
    pub binding: Binding,
    /// Prepares the implementation of each call whose arguments are partly constant.
    pub prepare: Option<Prepare>,
}

/// Prepares a host overload's implementation for one call when the program is planned, from
/// the arguments known then (`Some` for each constant argument, receiver first, `None` for
/// the others): `Ok(Some(f))` is that call's implementation, `Ok(None)` keeps the general one,
/// and an error makes the program fail to compile, pointing at the call. For work an
/// implementation would otherwise redo on every call, such as compiling a constant pattern.
#[derive(Clone)]
pub struct Prepare(Arc<PrepareFn>);

type PrepareFn = dyn Fn(&[Option<&Value>]) -> Result<Option<HostFunction>> + Send + Sync;

impl Prepare {
    pub fn new(
        f: impl Fn(&[Option<&Value>]) -> Result<Option<HostFunction>> + Send + Sync + 'static,
    ) -> Prepare {
        Prepare(Arc::new(f))
    }

    /// The call's implementation for these constant arguments (see [`Prepare`]).
    pub fn call(&self, constants: &[Option<&Value>]) -> Result<Option<HostFunction>> {
        (self.0)(constants)
    }
}

impl fmt::Debug for Prepare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Prepare(..)")
    }
}

impl HostOverload {
    /// Whether the arguments' runtime types fit the declared parameters (shallowly: a list
    /// fits `list(int)` whatever it holds; the typed conversion checks the elements).
    pub fn accepts(&self, args: &[Value]) -> bool {
        self.params.len() == args.len() && self.params.iter().zip(args).all(|(ty, v)| fits(ty, v))
    }
}

/// Whether a value can be of type `ty`, by its runtime kind.
pub fn fits(ty: &Type, v: &Value) -> bool {
    match (ty, v) {
        (Type::Dyn | Type::Any | Type::Param(_) | Type::Var(_) | Type::Error, _) => true,
        (Type::Null, Value::Null)
        | (Type::Bool, Value::Bool(_))
        | (Type::Int, Value::Int(_))
        | (Type::Uint, Value::Uint(_))
        | (Type::Double, Value::Double(_))
        | (Type::String, Value::String(_))
        | (Type::Bytes, Value::Bytes(_))
        | (Type::Timestamp, Value::Timestamp(_))
        | (Type::Duration, Value::Duration(_))
        | (Type::List(_), Value::List(_))
        | (Type::Map(_), Value::Map(_))
        | (Type::TypeOf(_), Value::Type(_)) => true,
        (Type::Wrapper(p), v) => matches!(v, Value::Null) || fits(&p.to_type(), v),
        (Type::Opaque(o), Value::Optional(_)) => o.name == celd_types::OPTIONAL_TYPE_NAME,
        (Type::Opaque(o), Value::Opaque(x)) => o.name == x.type_name(),
        // Messages by name; struct types are maps at run time.
        (Type::Message(name), Value::Message(m)) => {
            use prost_reflect::ReflectMessage;
            m.descriptor().full_name() == name.as_str()
        }
        (Type::Message(_), Value::Map(_)) => true,
        (Type::Enum(name), Value::Opaque(x)) => x.type_name() == name.as_str(),
        (Type::Enum(_), Value::Int(_)) => true,
        _ => false,
    }
}

/// An environment's host overloads, by id and by function name.
#[derive(Clone, Debug, Default)]
pub struct HostFunctions {
    by_id: HashMap<SmolStr, Arc<HostOverload>, foldhash::fast::RandomState>,
    by_name: HashMap<SmolStr, Vec<Arc<HostOverload>>, foldhash::fast::RandomState>,
    /// The last segment of each function name (`quantity` of `k8s.quantity`).
    short_names: HashMap<SmolStr, (), foldhash::fast::RandomState>,
    /// Opaque type names usable as values (`k8s.Quantity`), host types and the extensions'.
    type_names: HashMap<SmolStr, (), foldhash::fast::RandomState>,
    /// Struct types and their field names, for `Name{field: value}` (built as maps).
    struct_names: HashMap<SmolStr, Vec<SmolStr>, foldhash::fast::RandomState>,
    /// Struct types that allow every field name.
    dynamic_structs: HashMap<SmolStr, (), foldhash::fast::RandomState>,
}

impl HostFunctions {
    pub fn new() -> HostFunctions {
        HostFunctions::default()
    }

    /// Adds an overload (a later one with the same id replaces an earlier one).
    pub fn add(&mut self, overload: HostOverload) {
        let overload = Arc::new(overload);
        if let Some(replaced) = self.by_id.get(&overload.id)
            && let Some(list) = self.by_name.get_mut(&replaced.function)
        {
            list.retain(|o| o.id != overload.id);
        }
        self.by_name
            .entry(overload.function.clone())
            .or_default()
            .push(overload.clone());
        let short = overload.function.rsplit('.').next().unwrap_or_default();
        self.short_names.insert(SmolStr::new(short), ());
        self.by_id.insert(overload.id.clone(), overload);
    }

    /// Declares an opaque type name usable as a value.
    pub fn add_type_name(&mut self, name: &str) {
        self.type_names.insert(SmolStr::new(name), ());
    }

    /// Declares a struct type and its field names, for construction.
    pub fn add_struct(&mut self, name: &str, fields: impl IntoIterator<Item = SmolStr>) {
        self.struct_names
            .insert(SmolStr::new(name), fields.into_iter().collect());
    }

    /// Declares that struct type `name` (declared by [`HostFunctions::add_struct`]) allows
    /// every field name.
    pub fn allow_every_field(&mut self, name: &str) {
        self.dynamic_structs.insert(SmolStr::new(name), ());
    }

    /// Whether struct type `name` allows every field name (see
    /// [`HostFunctions::allow_every_field`]), for a struct type declared again.
    pub fn set_every_field(&mut self, name: &str, allowed: bool) {
        if allowed {
            self.allow_every_field(name);
        } else {
            self.dynamic_structs.remove(name);
        }
    }

    /// Whether nothing at all is declared (planning then skips every host lookup).
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty() && self.type_names.is_empty() && self.struct_names.is_empty()
    }

    /// Whether there are no host functions (there may be types).
    pub fn has_no_functions(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn overload(&self, id: &str) -> Option<&Arc<HostOverload>> {
        self.by_id.get(id)
    }

    /// The overloads of a function, in declaration order.
    pub fn overloads(&self, function: &str) -> &[Arc<HostOverload>] {
        self.by_name.get(function).map_or(&[], Vec::as_slice)
    }

    /// Every overload, by function name then declaration order.
    pub fn all(&self) -> Vec<&Arc<HostOverload>> {
        let mut names: Vec<&SmolStr> = self.by_name.keys().collect();
        names.sort_unstable();
        names
            .into_iter()
            .flat_map(|name| self.by_name[name].iter())
            .collect()
    }

    /// Whether some host function's name ends in the segment `name`.
    pub fn has_short_name(&self, name: &str) -> bool {
        self.short_names.contains_key(name)
    }

    pub fn contains_function(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    pub fn is_type_name(&self, name: &str) -> bool {
        self.type_names.contains_key(name)
    }

    pub fn is_struct(&self, name: &str) -> bool {
        self.struct_names.contains_key(name)
    }

    /// Whether struct type `name` has a field called `field`.
    pub fn has_field(&self, name: &str, field: &str) -> bool {
        if self.dynamic_structs.contains_key(name) {
            return self.struct_names.contains_key(name);
        }
        self.struct_names
            .get(name)
            .is_some_and(|fields| fields.iter().any(|f| f == field))
    }
}

/// The overloads a call may run, chosen at plan time: the checker's choice, or (unchecked)
/// every host overload of the name and argument count; and the built-in implementation of
/// the name for arguments none of them accepts.
#[derive(Clone, Debug)]
pub struct HostCall {
    pub candidates: Vec<Arc<HostOverload>>,
    pub fallback: Option<(Impl, crate::cost::CallCost)>,
}

/// What runs for one call's arguments.
pub enum Selected<'a> {
    Host(&'a HostOverload),
    Builtin(&'a Impl, crate::cost::CallCost),
}

impl HostCall {
    /// The implementation for these arguments: the one candidate the checker chose (a typed
    /// closure checks its arguments itself), else the first whose parameters the runtime
    /// types fit, else the built-in.
    #[inline]
    pub fn select(&self, args: &[Value]) -> Option<Selected<'_>> {
        if let ([only], None) = (self.candidates.as_slice(), &self.fallback)
            && (is_typed(only) || only.accepts(args))
        {
            return Some(Selected::Host(only));
        }
        if let Some(found) = self.candidates.iter().find(|o| o.accepts(args)) {
            return Some(Selected::Host(found));
        }
        self.fallback
            .as_ref()
            .map(|(f, rule)| Selected::Builtin(f, *rule))
    }
}

/// A call that can only run one typed implementation at a fixed cost: the planner's
/// shortcut past [`HostCall::select`] and the cost rule, for the common case.
#[derive(Clone, Debug)]
pub struct DirectCall {
    pub f: HostFunction,
    pub cost: u64,
}

impl HostCall {
    /// The one implementation every call runs, when there is no choice to make at run time.
    pub fn direct(&self) -> Option<DirectCall> {
        let ([only], None) = (self.candidates.as_slice(), &self.fallback) else {
            return None;
        };
        match &only.binding {
            Binding::Static(f) if f.signature.is_some() => Some(DirectCall {
                f: f.clone(),
                cost: only.cost.as_fixed()?.max(1),
            }),
            _ => None,
        }
    }
}

fn is_typed(o: &HostOverload) -> bool {
    matches!(&o.binding, Binding::Static(f) if f.signature.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_closures_derive_their_signature_and_convert() {
        let double = HostFunction::new(|x: i64| x * 2);
        let (params, result) = double.signature().unwrap();
        assert_eq!((params, result), (&[Type::Int][..], &Type::Int));
        assert_eq!(
            double.call("double", &[Value::Int(21)]).unwrap(),
            Value::Int(42)
        );
        let err = double.call("double", &[Value::string("x")]).unwrap_err();
        assert_eq!(err.message(), "no such overload: double(string)");

        let greet = HostFunction::new(
            |name: &str, n: Option<i64>| -> std::result::Result<String, String> {
                match n {
                    Some(n) if n < 0 => Err(format!("negative count {n}")),
                    Some(n) => Ok(format!("hello {name} x{n}")),
                    None => Ok(format!("hello {name}")),
                }
            },
        );
        let (params, result) = greet.signature().unwrap();
        assert_eq!(params[1].to_string(), "optional_type(int)");
        assert_eq!(result, &Type::String);
        let none = Value::Optional(None);
        assert_eq!(
            greet.call("greet", &[Value::string("a"), none]).unwrap(),
            Value::string("hello a")
        );
        let bad = Value::Optional(Some(Arc::new(Value::Int(-1))));
        let err = greet.call("greet", &[Value::string("a"), bad]).unwrap_err();
        assert_eq!(err.message(), "negative count -1");
    }

    #[test]
    fn runtime_types_fit_declared_ones() {
        assert!(fits(&Type::list(Type::Int), &Value::list(vec![])));
        assert!(fits(&Type::param("A"), &Value::Int(1)));
        assert!(!fits(&Type::Int, &Value::Uint(1)));
        assert!(fits(
            &Type::Wrapper(celd_types::Primitive::Int),
            &Value::Null
        ));
        assert!(fits(&Type::optional(Type::Int), &Value::Optional(None)));
        assert!(!fits(
            &Type::opaque("net.IP", vec![]),
            &Value::Optional(None)
        ));
    }

    #[test]
    fn costs_are_fixed_or_grow_with_sizes() {
        assert_eq!(Cost::default().of_args(&[Value::string("abc")]), 1);
        let per_byte = Cost::from_sizes(|sizes| sizes[0]);
        assert_eq!(per_byte.of_args(&[Value::string("abcd")]), 4);
        assert_eq!(per_byte.of_sizes(&[0]), 1);
    }
}
