//! Type unification: the substitution of checker type variables, assignability
//! with `dyn`, wrappers and `null`, and the "most general" join of two types.
//!
//! The rules follow cel-go's checker: `assignable(t1, t2)` asks whether a
//! value of `t1` fits where `t2` is expected, binding type variables on the
//! way; a failed attempt leaves the substitution as it was (an undo trail
//! instead of cel-go's copy of the whole mapping).

use celd_types::{Primitive, Type};
use smallvec::SmallVec;

/// Deepest type nesting the relations follow before giving up.
const MAX_TYPE_DEPTH: u32 = 512;

/// Bindings of type variables (`Type::Var`), with an undo trail.
///
/// The trail only serves the assignability test in progress: each test rolls back to where
/// it started when it fails and forgets its entries when it is done, so it stays short.
#[derive(Default, Debug)]
pub(crate) struct Substitution {
    bound: SmallVec<[Option<Type>; 16]>,
    trail: SmallVec<[(u32, Option<Type>); 8]>,
}

/// A coarse classification in which a wrapper has its primitive's kind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Dyn,
    Any,
    Error,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Timestamp,
    Duration,
    List,
    Map,
    Type,
    Message,
    Enum,
    Opaque,
    Param,
}

#[inline]
fn kind(t: &Type) -> Kind {
    match t {
        Type::Dyn => Kind::Dyn,
        Type::Any => Kind::Any,
        Type::Error => Kind::Error,
        Type::Null => Kind::Null,
        Type::Bool => Kind::Bool,
        Type::Int => Kind::Int,
        Type::Uint => Kind::Uint,
        Type::Double => Kind::Double,
        Type::String => Kind::String,
        Type::Bytes => Kind::Bytes,
        Type::Timestamp => Kind::Timestamp,
        Type::Duration => Kind::Duration,
        Type::List(_) => Kind::List,
        Type::Map(_) => Kind::Map,
        Type::TypeOf(_) => Kind::Type,
        Type::Message(_) => Kind::Message,
        Type::Enum(_) => Kind::Enum,
        Type::Wrapper(p) => match p {
            Primitive::Bool => Kind::Bool,
            Primitive::Int => Kind::Int,
            Primitive::Uint => Kind::Uint,
            Primitive::Double => Kind::Double,
            Primitive::String => Kind::String,
            Primitive::Bytes => Kind::Bytes,
        },
        Type::Opaque(_) => Kind::Opaque,
        Type::Param(_) | Type::Var(_) => Kind::Param,
    }
}

fn is_dyn_or_error(t: &Type) -> bool {
    matches!(t, Type::Dyn | Type::Any | Type::Error)
}

fn is_type_var(t: &Type) -> bool {
    matches!(t, Type::Param(_) | Type::Var(_))
}

/// Whether `null` may stand where `t` is expected (messages, wrappers, some well-known types).
fn is_nullable(t: &Type) -> bool {
    matches!(
        t,
        Type::Null
            | Type::Wrapper(_)
            | Type::Opaque(_)
            | Type::Message(_)
            | Type::Any
            | Type::Duration
            | Type::Timestamp
    )
}

/// The same type, treating a wrapper as its primitive and comparing variables by identity.
pub(crate) fn is_exact(t1: &Type, t2: &Type) -> bool {
    // Variables first: they are compared most often, and only ever equal themselves.
    match (t1, t2) {
        (Type::Var(a), Type::Var(b)) => return a == b,
        (Type::Var(_), _) | (_, Type::Var(_)) => return false,
        _ => {}
    }
    if kind(t1) != kind(t2) {
        return false;
    }
    match (t1, t2) {
        (Type::List(a), Type::List(b)) => is_exact(a, b),
        (Type::Map(a), Type::Map(b)) => is_exact(&a.0, &b.0) && is_exact(&a.1, &b.1),
        (Type::TypeOf(a), Type::TypeOf(b)) => match (a, b) {
            (Some(a), Some(b)) => is_exact(a, b),
            (None, None) => true,
            _ => false,
        },
        (Type::Opaque(a), Type::Opaque(b)) => {
            a.name == b.name
                && a.params.len() == b.params.len()
                && a.params.iter().zip(&b.params).all(|(x, y)| is_exact(x, y))
        }
        (Type::Message(a), Type::Message(b)) | (Type::Enum(a), Type::Enum(b)) => a == b,
        (Type::Param(a), Type::Param(b)) => a == b,
        (Type::Var(a), Type::Var(b)) => a == b,
        (Type::Param(_), Type::Var(_)) | (Type::Var(_), Type::Param(_)) => false,
        _ => true,
    }
}

/// Whether `t1` is as general as `t2` or more (`dyn` is the most general).
fn is_equal_or_less_specific(t1: &Type, t2: &Type) -> bool {
    if t1.is_dyn() || is_type_var(t1) {
        return true;
    }
    if t2.is_dyn() || is_type_var(t2) {
        return false;
    }
    // `null` joins with a nullable type as that type: `[msg, null]` is a list of messages.
    if *t2 == Type::Null {
        return is_nullable(t1);
    }
    if kind(t1) != kind(t2) {
        return false;
    }
    match (t1, t2) {
        (Type::Opaque(a), Type::Opaque(b)) => {
            a.name == b.name
                && a.params.len() == b.params.len()
                && a.params
                    .iter()
                    .zip(&b.params)
                    .all(|(x, y)| is_equal_or_less_specific(x, y))
        }
        (Type::List(a), Type::List(b)) => is_equal_or_less_specific(a, b),
        (Type::Map(a), Type::Map(b)) => {
            is_equal_or_less_specific(&a.0, &b.0) && is_equal_or_less_specific(&a.1, &b.1)
        }
        (Type::TypeOf(_), Type::TypeOf(_)) => true,
        // A wrapper is its primitive or `null`, so it is the more general of the two:
        // `[1, msg.single_int64_wrapper]` is a `list(wrapper(int))`, in either order.
        (Type::Wrapper(_), _) => is_exact(t1, t2),
        (_, Type::Wrapper(_)) => false,
        _ => is_exact(t1, t2),
    }
}

/// The more general of two types known to unify.
pub(crate) fn most_general(t1: &Type, t2: &Type) -> Type {
    if is_equal_or_less_specific(t1, t2) {
        t1.clone()
    } else {
        t2.clone()
    }
}

/// Whether a value of type `from` fits where `to` is expected, for concrete
/// (non-parameterized) kinds: same kind and name, wrappers accept their primitive.
fn accepts(to: &Type, from: &Type) -> bool {
    match to {
        Type::Wrapper(p) => matches!(from, Type::Wrapper(q) if q == p) || p.to_type() == *from,
        Type::Message(name) => matches!(from, Type::Message(n) if n == name),
        _ => to == from || (kind(to) == kind(from) && matches!(from, Type::Wrapper(_))),
    }
}

impl Substitution {
    /// A new unbound type variable.
    pub(crate) fn fresh(&mut self) -> Type {
        self.bound.push(None);
        Type::Var(self.bound.len() as u32 - 1)
    }

    /// `n` new unbound type variables; returns the number of the first.
    pub(crate) fn fresh_block(&mut self, n: u32) -> u32 {
        let base = self.bound.len() as u32;
        for _ in 0..n {
            self.bound.push(None);
        }
        base
    }

    fn find(&self, t: &Type) -> Option<&Type> {
        match t {
            Type::Var(v) => self.bound.get(*v as usize).and_then(Option::as_ref),
            _ => None,
        }
    }

    fn bind(&mut self, var: &Type, ty: Type) {
        if let Type::Var(v) = var
            && let Some(slot) = self.bound.get_mut(*v as usize)
        {
            let previous = slot.replace(ty);
            self.trail.push((*v, previous));
        }
    }

    fn rollback(&mut self, mark: usize) {
        while self.trail.len() > mark {
            if let Some((v, previous)) = self.trail.pop()
                && let Some(slot) = self.bound.get_mut(v as usize)
            {
                *slot = previous;
            }
        }
    }

    /// Whether `t1` is assignable to `t2`; keeps new bindings only on success.
    pub(crate) fn assignable(&mut self, t1: &Type, t2: &Type) -> bool {
        let mark = self.trail.len();
        let ok = self.internal_assignable(t1, t2, 0);
        if !ok {
            self.rollback(mark);
        }
        self.trail.truncate(mark);
        ok
    }

    /// Whether each `l1[i]` is assignable to `l2[i]`; keeps new bindings only on success.
    pub(crate) fn assignable_list(&mut self, l1: &[&Type], l2: &[Type]) -> bool {
        let mark = self.trail.len();
        let ok = l1.len() == l2.len()
            && l1
                .iter()
                .zip(l2)
                .all(|(a, b)| self.internal_assignable(a, b, 0));
        if !ok {
            self.rollback(mark);
        }
        self.trail.truncate(mark);
        ok
    }

    /// Like [`assignable_list`](Self::assignable_list) against an overload's parameters
    /// with their variables renumbered from `base` (see [`shift_vars`]), without building
    /// the renumbered parameters unless a binding needs one.
    pub(crate) fn assignable_shifted(&mut self, l1: &[&Type], params: &[Type], base: u32) -> bool {
        let mark = self.trail.len();
        let ok = l1.len() == params.len()
            && l1
                .iter()
                .zip(params)
                .all(|(a, p)| self.assignable_to_shifted(a, p, base, 0));
        if !ok {
            self.rollback(mark);
        }
        self.trail.truncate(mark);
        ok
    }

    /// `internal_assignable(t1, shift_vars(p, base), depth)`, following matching list, map
    /// and abstract type structure without allocating the shifted parameter: only a
    /// variable of `t1` bound to a part of `p` needs that part built.
    fn assignable_to_shifted(&mut self, t1: &Type, p: &Type, base: u32, depth: u32) -> bool {
        if depth > MAX_TYPE_DEPTH {
            return false;
        }
        // The checks `internal_assignable` makes before comparing structure see a list, map
        // or abstract type on both sides here, so they pass through to the structure.
        match (t1, p) {
            (_, Type::Var(i)) => self.internal_assignable(t1, &Type::Var(base + i), depth),
            (Type::List(a), Type::List(b)) => self.assignable_to_shifted(a, b, base, depth + 1),
            (Type::Map(a), Type::Map(b)) => {
                self.assignable_to_shifted(&a.0, &b.0, base, depth + 1)
                    && self.assignable_to_shifted(&a.1, &b.1, base, depth + 1)
            }
            (Type::Opaque(a), Type::Opaque(b)) => {
                a.name == b.name
                    && a.params.len() == b.params.len()
                    && a.params
                        .iter()
                        .zip(&b.params)
                        .all(|(x, y)| self.assignable_to_shifted(x, y, base, depth + 1))
            }
            _ => match shifted(p, base) {
                Some(p) => self.internal_assignable(t1, &p, depth),
                None => self.internal_assignable(t1, p, depth),
            },
        }
    }

    /// `substitute(shift_vars(p, base), false)` in one step.
    pub(crate) fn substitute_shifted(&self, p: &Type, base: u32) -> Type {
        self.substituted_shifted(p, base, 0)
    }

    fn substituted_shifted(&self, p: &Type, base: u32, depth: u32) -> Type {
        if depth > MAX_TYPE_DEPTH {
            return Type::Error;
        }
        match p {
            Type::Var(i) => {
                let var = Type::Var(base + i);
                self.substituted(&var, false, depth).unwrap_or(var)
            }
            Type::List(elem) if elem.has_params() => {
                Type::list(self.substituted_shifted(elem, base, depth + 1))
            }
            Type::Map(kv) if p.has_params() => Type::map(
                self.substituted_shifted(&kv.0, base, depth + 1),
                self.substituted_shifted(&kv.1, base, depth + 1),
            ),
            _ => {
                let shifted = shift_vars(p, base);
                self.substituted(&shifted, false, depth).unwrap_or(shifted)
            }
        }
    }

    fn internal_assignable(&mut self, t1: &Type, t2: &Type, depth: u32) -> bool {
        if depth > MAX_TYPE_DEPTH {
            return false;
        }
        if matches!(t2, Type::Var(_)) {
            let (valid, has_sub) = self.valid_substitution(t1, t2, depth);
            if valid {
                return true;
            }
            if has_sub {
                return false;
            }
        }
        if matches!(t1, Type::Var(_)) {
            return self.valid_substitution(t2, t1, depth).0;
        }
        if is_dyn_or_error(t1) || is_dyn_or_error(t2) {
            return true;
        }
        if *t1 == Type::Null {
            return is_nullable(t2);
        }
        if *t2 == Type::Null {
            return is_nullable(t1);
        }
        match (t1, t2) {
            (Type::TypeOf(_), _) => matches!(t2, Type::TypeOf(_)),
            (Type::List(a), Type::List(b)) => self.internal_assignable(a, b, depth + 1),
            (Type::Map(a), Type::Map(b)) => {
                self.internal_assignable(&a.0, &b.0, depth + 1)
                    && self.internal_assignable(&a.1, &b.1, depth + 1)
            }
            (Type::Opaque(a), Type::Opaque(b)) => {
                a.name == b.name
                    && a.params.len() == b.params.len()
                    && a.params
                        .iter()
                        .zip(&b.params)
                        .all(|(x, y)| self.internal_assignable(x, y, depth + 1))
            }
            (Type::List(_) | Type::Map(_) | Type::Opaque(_) | Type::Param(_), _) => false,
            _ => accepts(t1, t2),
        }
    }

    /// Whether `var` (a type variable), or what it is bound to, can stand for `t`;
    /// and whether `var` was already bound.
    fn valid_substitution(&mut self, t: &Type, var: &Type, depth: u32) -> (bool, bool) {
        if is_exact(t, var) {
            return (true, true);
        }
        if let Some(sub) = self.find(var).cloned() {
            if is_exact(t, &sub) {
                return (true, true);
            }
            if self.internal_assignable(t, &sub, depth + 1) {
                let general = most_general(t, &sub);
                // Binding `var` again to what it is bound to changes nothing.
                if general != sub && self.not_referenced_in(var_id(var), &general, depth) {
                    self.bind(var, general);
                }
                return (true, true);
            }
            return (false, true);
        }
        if self.not_referenced_in(var_id(var), t, depth) {
            self.bind(var, t.clone());
            return (true, false);
        }
        (false, false)
    }

    /// The occurs check: `var` does not appear in `within`, directly or through bindings.
    fn not_referenced_in(&self, var: Option<u32>, within: &Type, depth: u32) -> bool {
        if depth > MAX_TYPE_DEPTH || matches!(within, Type::Var(w) if Some(*w) == var) {
            return false;
        }
        match within {
            Type::Var(_) => match self.find(within) {
                Some(sub) => self.not_referenced_in(var, sub, depth + 1),
                None => true,
            },
            Type::List(elem) => self.not_referenced_in(var, elem, depth + 1),
            Type::Map(kv) => {
                self.not_referenced_in(var, &kv.0, depth + 1)
                    && self.not_referenced_in(var, &kv.1, depth + 1)
            }
            Type::Opaque(o) => o
                .params
                .iter()
                .all(|p| self.not_referenced_in(var, p, depth + 1)),
            _ => true,
        }
    }

    /// Replaces bound variables by their bindings; unbound ones by `dyn` when `to_dyn`.
    pub(crate) fn substitute(&self, t: &Type, to_dyn: bool) -> Type {
        self.substituted(t, to_dyn, 0).unwrap_or_else(|| t.clone())
    }

    /// `t` with bound variables replaced (unbound ones by `dyn` when `to_dyn`), or `None`
    /// when that changes nothing: one walk, and types without variables are not rebuilt.
    #[inline]
    pub(crate) fn substituted(&self, t: &Type, to_dyn: bool, depth: u32) -> Option<Type> {
        if depth > MAX_TYPE_DEPTH {
            return Some(Type::Error);
        }
        // Most types have no variable: a quick look, no rebuilding.
        if !t.has_params() {
            return None;
        }
        self.substituted_params(t, to_dyn, depth)
    }

    fn substituted_params(&self, t: &Type, to_dyn: bool, depth: u32) -> Option<Type> {
        let next = |t: &Type| self.substituted(t, to_dyn, depth + 1);
        match t {
            Type::Var(_) => match self.find(t) {
                Some(sub) => Some(next(sub).unwrap_or_else(|| sub.clone())),
                None if to_dyn => Some(Type::Dyn),
                None => None,
            },
            Type::Param(_) if to_dyn => Some(Type::Dyn),
            Type::List(elem) => next(elem).map(Type::list),
            Type::Map(kv) => match (next(&kv.0), next(&kv.1)) {
                (None, None) => None,
                (k, v) => Some(Type::map(
                    k.unwrap_or_else(|| kv.0.clone()),
                    v.unwrap_or_else(|| kv.1.clone()),
                )),
            },
            Type::TypeOf(Some(inner)) => next(inner).map(Type::type_of),
            Type::Opaque(o) => {
                // Rebuilt only from the first parameter that changes.
                let mut params: Option<Vec<Type>> = None;
                for (i, p) in o.params.iter().enumerate() {
                    match (next(p), &mut params) {
                        (Some(new), Some(params)) => params.push(new),
                        (Some(new), None) => {
                            let mut rebuilt = Vec::with_capacity(o.params.len());
                            rebuilt.extend_from_slice(&o.params[..i]);
                            rebuilt.push(new);
                            params = Some(rebuilt);
                        }
                        (None, Some(params)) => params.push(p.clone()),
                        (None, None) => {}
                    }
                }
                params.map(|params| Type::opaque(&o.name, params))
            }
            _ => None,
        }
    }
}

/// The number of a type variable (`valid_substitution` is only asked about variables).
fn var_id(t: &Type) -> Option<u32> {
    match t {
        Type::Var(v) => Some(*v),
        _ => None,
    }
}

/// Renumbers an overload's type variables `Var(i)` to `Var(base + i)`.
pub(crate) fn shift_vars(t: &Type, base: u32) -> Type {
    shifted(t, base).unwrap_or_else(|| t.clone())
}

/// `t` with `Var(i)` renumbered to `Var(base + i)`, or `None` when it has no variable.
fn shifted(t: &Type, base: u32) -> Option<Type> {
    match t {
        Type::Var(i) => Some(Type::Var(base + i)),
        Type::List(elem) => shifted(elem, base).map(Type::list),
        Type::Map(kv) => match (shifted(&kv.0, base), shifted(&kv.1, base)) {
            (None, None) => None,
            (k, v) => Some(Type::map(
                k.unwrap_or_else(|| kv.0.clone()),
                v.unwrap_or_else(|| kv.1.clone()),
            )),
        },
        Type::TypeOf(Some(inner)) => shifted(inner, base).map(Type::type_of),
        Type::Opaque(o) if o.params.iter().any(Type::has_params) => Some(Type::opaque(
            &o.name,
            o.params.iter().map(|p| shift_vars(p, base)).collect(),
        )),
        _ => None,
    }
}

/// Bits classifying a type for the overload pre-filter: an argument can only
/// be assignable to a parameter if `arg_bits(arg) & param_mask(param) != 0`.
mod bits {
    pub const NULL: u32 = 1 << 0;
    pub const BOOL: u32 = 1 << 1;
    pub const INT: u32 = 1 << 2;
    pub const UINT: u32 = 1 << 3;
    pub const DOUBLE: u32 = 1 << 4;
    pub const STRING: u32 = 1 << 5;
    pub const BYTES: u32 = 1 << 6;
    pub const TIMESTAMP: u32 = 1 << 7;
    pub const DURATION: u32 = 1 << 8;
    pub const LIST: u32 = 1 << 9;
    pub const MAP: u32 = 1 << 10;
    pub const TYPE: u32 = 1 << 11;
    pub const MESSAGE: u32 = 1 << 12;
    pub const OPAQUE: u32 = 1 << 13;
    /// Set on arguments `null` may stand for (wrappers, messages, ...).
    pub const NULLABLE: u32 = 1 << 14;
    pub const ENUM: u32 = 1 << 15;
    pub const ALL: u32 = u32::MAX;
}

fn primitive_bits(t: &Type) -> u32 {
    match t {
        Type::Bool => bits::BOOL,
        Type::Int => bits::INT,
        Type::Uint => bits::UINT,
        Type::Double => bits::DOUBLE,
        Type::String => bits::STRING,
        Type::Bytes => bits::BYTES,
        _ => 0,
    }
}

/// The classes an argument type belongs to; wildcards (`dyn`, variables) belong to all.
pub(crate) fn arg_bits(arg: &Type) -> u32 {
    match arg {
        Type::Dyn | Type::Any | Type::Error | Type::Var(_) | Type::Param(_) => bits::ALL,
        Type::Null => bits::NULL,
        Type::Wrapper(p) => primitive_bits(&p.to_type()) | bits::NULLABLE,
        Type::Timestamp => bits::TIMESTAMP | bits::NULLABLE,
        Type::Duration => bits::DURATION | bits::NULLABLE,
        Type::List(_) => bits::LIST,
        Type::Map(_) => bits::MAP,
        Type::TypeOf(_) => bits::TYPE,
        Type::Message(_) => bits::MESSAGE | bits::NULLABLE,
        Type::Enum(_) => bits::ENUM,
        Type::Opaque(_) => bits::OPAQUE | bits::NULLABLE,
        primitive => primitive_bits(primitive),
    }
}

/// The argument classes a parameter type may accept.
pub(crate) fn param_mask(param: &Type) -> u32 {
    match param {
        Type::Dyn | Type::Any | Type::Error | Type::Var(_) | Type::Param(_) => bits::ALL,
        Type::Null => bits::NULL | bits::NULLABLE,
        Type::Wrapper(p) => primitive_bits(&p.to_type()) | bits::NULL,
        Type::Timestamp => bits::TIMESTAMP | bits::NULL,
        Type::Duration => bits::DURATION | bits::NULL,
        Type::List(_) => bits::LIST,
        Type::Map(_) => bits::MAP,
        Type::TypeOf(_) => bits::TYPE,
        Type::Message(_) => bits::MESSAGE | bits::NULL,
        Type::Enum(_) => bits::ENUM,
        Type::Opaque(_) => bits::OPAQUE | bits::NULL,
        primitive => primitive_bits(primitive),
    }
}
