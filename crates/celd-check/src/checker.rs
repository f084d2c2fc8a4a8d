//! The checker walk: deduces a type for every node and resolves names and
//! overloads, recording both in side tables keyed by `ExprId`.

use std::borrow::Cow;
use std::sync::Arc;

use celd_syntax::ast::{
    Call, Comprehension, Expr, ExprKind, ListExpr, Literal, MapExpr, Select, StructExpr,
};
use celd_syntax::source::{Diagnostic, Span};
use celd_syntax::{Ast, ExprId};
use celd_types::suggest::did_you_mean;
use celd_types::{CandidateNames, Type, candidate_names};
use hashbrown::HashSet;
use smallvec::SmallVec;
use smol_str::SmolStr;

use crate::checked::{CheckedAst, FunctionRef, Reference};
use crate::env::{CheckEnv, EnvInner, PreparedFunction};
use crate::error::{CheckError, CheckErrorKind};
use crate::messages::{self, Message};
use crate::unify::{Substitution, is_exact, most_general};

const OPTIONAL_SELECT: &str = "_?._";
const OPTIONAL_SELECT_OVERLOAD: &str = "select_optional_field";
const BLOCK: &str = "cel.@block";

/// Type-checks `ast` in `env`: every node gets a type, every name and call a
/// resolution. All problems found (up to the environment's cap) are reported together.
pub fn check(ast: Ast, env: &CheckEnv) -> Result<CheckedAst, CheckError> {
    // The checker stays in place (moving it would copy its inline buffers) and is dropped
    // at the end of this block.
    let (types, references) = {
        let mut checker = Checker::new(env.inner(), &ast);
        checker.check(&ast.expr);
        if !checker.diagnostics.is_empty() {
            let diagnostics = std::mem::take(&mut checker.diagnostics);
            let kinds = std::mem::take(&mut checker.kinds);
            return Err(CheckError::new(ast.source.clone(), diagnostics, kinds));
        }
        resolve_types(&checker.subst, &mut checker.types);
        (
            std::mem::take(&mut checker.types),
            std::mem::take(&mut checker.references),
        )
    };
    Ok(CheckedAst {
        ast,
        types,
        references,
    })
}

/// Replaces the variables left in node types by their bindings (unbound ones by `dyn`).
///
/// Nodes often share one compound type (an accumulator's `list(_var3)` at each use), so each
/// distinct one is resolved once: a few are remembered by allocation, kept alive meanwhile
/// so an address cannot be reused by another type.
fn resolve_types(subst: &Substitution, types: &mut [Type]) {
    const MEMO: usize = 16;
    let mut memo: SmallVec<[(Type, Type); MEMO]> = SmallVec::new();
    for ty in types.iter_mut() {
        let compound = matches!(
            ty,
            Type::List(_) | Type::Map(_) | Type::Opaque(_) | Type::TypeOf(Some(_))
        );
        if compound
            && let Some((_, resolved)) = memo.iter().find(|(seen, _)| same_allocation(seen, ty))
        {
            *ty = resolved.clone();
            continue;
        }
        let resolved = subst.substituted(ty, true, 0);
        if compound && memo.len() < MEMO {
            let resolved = resolved.clone().unwrap_or_else(|| ty.clone());
            memo.push((ty.clone(), resolved));
        }
        if let Some(resolved) = resolved {
            *ty = resolved;
        }
    }
}

/// Whether two compound types are the same allocation (so certainly equal).
fn same_allocation(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::List(x), Type::List(y)) => Arc::ptr_eq(x, y),
        (Type::Map(x), Type::Map(y)) => Arc::ptr_eq(x, y),
        (Type::Opaque(x), Type::Opaque(y)) => Arc::ptr_eq(x, y),
        (Type::TypeOf(Some(x)), Type::TypeOf(Some(y))) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

/// What a name resolved to.
enum Resolved {
    Variable(SmolStr, Type),
    TypeName(SmolStr, Type),
    /// An enum constant: its name, number and type (`int` unless enums are strong).
    Enum(SmolStr, i64, Type),
}

impl Resolved {
    /// The type of the name used as an expression.
    fn expr_type(&self) -> Type {
        match self {
            Resolved::Variable(_, ty) | Resolved::Enum(_, _, ty) => ty.clone(),
            Resolved::TypeName(_, ty) => Type::type_of(ty.clone()),
        }
    }

    fn name(&self) -> &SmolStr {
        match self {
            Resolved::Variable(name, _)
            | Resolved::TypeName(name, _)
            | Resolved::Enum(name, _, _) => name,
        }
    }
}

struct Checker<'a> {
    env: &'a EnvInner,
    ast: &'a Ast,
    types: Vec<Type>,
    references: Vec<Option<Reference>>,
    subst: Substitution,
    /// Comprehension and block variables in scope, innermost last.
    locals: SmallVec<[(SmolStr, Type); 8]>,
    diagnostics: Vec<Diagnostic>,
    kinds: Vec<CheckErrorKind>,
    depth: u32,
    reported_depth: bool,
    /// Set while checking the operand of a field selection whose dotted name no declaration
    /// could have (see `check_select`): the operand's shorter name is not looked up either.
    chain_names_ruled_out: bool,
}

impl<'a> Checker<'a> {
    fn new(env: &'a EnvInner, ast: &'a Ast) -> Checker<'a> {
        let n = ast.id_bound() as usize;
        let mut types = Vec::with_capacity(n);
        types.resize_with(n, || Type::Dyn);
        let mut references = Vec::with_capacity(n);
        references.resize_with(n, || None);
        Checker {
            env,
            ast,
            types,
            references,
            subst: Substitution::default(),
            locals: SmallVec::new(),
            diagnostics: Vec::new(),
            kinds: Vec::new(),
            depth: 0,
            reported_depth: false,
            chain_names_ruled_out: false,
        }
    }

    fn report(&mut self, id: ExprId, message: Message) {
        self.report_at(self.ast.span(id), message);
    }

    /// Reports at the name of a member call or field selection (`startWith` in
    /// `"abc".startWith("a")`), not at the start of the whole expression.
    fn report_member(&mut self, id: ExprId, name: &str, message: Message) {
        // The operator span runs from the `.` through the name, except for nodes a macro
        // built, where it is the macro's name.
        let span = match self.ast.operator_span(id) {
            Some(op) if self.ast.source.slice(op).ends_with(name) => {
                Span::new(op.end - name.len() as u32, op.end)
            }
            _ => self.ast.error_span(id),
        };
        self.report_at(span, message);
    }

    /// Whether another diagnostic would still be kept (suggestions are only worked out then).
    fn reporting(&self) -> bool {
        self.diagnostics.len() < self.env.options.max_errors
    }

    fn report_at(&mut self, span: Span, (kind, message): Message) {
        if self.diagnostics.len() < self.env.options.max_errors {
            self.diagnostics.push(Diagnostic::new(span, message));
            self.kinds.push(kind);
        }
    }

    fn set_type(&mut self, id: ExprId, ty: Type) {
        let i = id.index();
        if i >= self.types.len() {
            self.types.resize(i + 1, Type::Dyn);
        }
        self.types[i] = ty;
    }

    fn type_of(&self, id: ExprId) -> Type {
        self.types.get(id.index()).cloned().unwrap_or(Type::Dyn)
    }

    fn set_reference(&mut self, id: ExprId, reference: Reference) {
        let i = id.index();
        if i >= self.references.len() {
            self.references.resize(i + 1, None);
        }
        self.references[i] = Some(reference);
    }

    fn check(&mut self, e: &Expr) {
        if self.depth >= self.env.options.max_depth {
            if !self.reported_depth {
                self.reported_depth = true;
                self.report(e.id, messages::nesting_too_deep(self.env.options.max_depth));
            }
            self.set_type(e.id, Type::Error);
            return;
        }
        self.depth += 1;
        match &e.kind {
            ExprKind::Literal(lit) => self.set_type(e.id, literal_type(lit)),
            ExprKind::Ident(name) => self.check_ident(e.id, name),
            ExprKind::Select(sel) => self.check_select(e, sel),
            ExprKind::Call(call) => self.check_call(e.id, call),
            ExprKind::List(list) => self.check_list(e.id, list),
            ExprKind::Map(map) => self.check_map(e.id, map),
            ExprKind::Struct(s) => self.check_struct(e.id, s),
            ExprKind::Comprehension(c) => self.check_comprehension(e.id, c),
        }
        self.depth -= 1;
    }

    // Names.

    fn lookup_local(&self, name: &str) -> Option<Type> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, ty)| ty.clone())
    }

    /// Candidate names, skipping container prefixes no declaration starts with.
    fn candidates<'n>(&self, name: &'n str, roots: &HashSet<SmolStr>) -> CandidateNames<'n>
    where
        'a: 'n,
    {
        let container = self.env.container.as_str();
        if container.is_empty() {
            return candidate_names("", name);
        }
        let root = container.split('.').next().unwrap_or_default();
        if !roots.contains(root) {
            candidate_names("", name)
        } else {
            candidate_names(container, name)
        }
    }

    fn resolve_name(&self, name: &str) -> Option<Resolved> {
        if self.env.container.is_empty() {
            // Without a container the only candidate is the name itself.
            let name = name.strip_prefix('.').unwrap_or(name);
            return self.resolve_exact(Cow::Borrowed(name));
        }
        for candidate in self.candidates(name, &self.env.name_roots) {
            if let Some(found) = self.resolve_exact(candidate) {
                return Some(found);
            }
        }
        None
    }

    fn resolve_exact(&self, name: Cow<'_, str>) -> Option<Resolved> {
        let env = self.env;
        if let Some((key, ty)) = env.variables.get_key_value(name.as_ref()) {
            return Some(Resolved::Variable(key.clone(), ty.clone()));
        }
        if let Some((key, ty)) = env.type_names.get_key_value(name.as_ref()) {
            return Some(Resolved::TypeName(key.clone(), ty.clone()));
        }
        if let Some(ty) = env.provider.message_type(&name) {
            return Some(Resolved::TypeName(SmolStr::new(&name), ty));
        }
        let strong = env.options.strong_enums;
        if strong && let Some(ty) = env.provider.enum_type(&name) {
            return Some(Resolved::TypeName(SmolStr::new(&name), ty));
        }
        let value = env.provider.enum_value(&name)?;
        let ty = match name.rsplit_once('.') {
            // `google.protobuf.NullValue.NULL_VALUE` is `null` when enums are typed.
            Some((enum_name, _)) if strong => {
                env.provider.enum_type(enum_name).unwrap_or(Type::Null)
            }
            _ => Type::Int,
        };
        Some(Resolved::Enum(SmolStr::new(&name), value, ty))
    }

    fn apply_resolution(&mut self, id: ExprId, resolved: Resolved) {
        self.set_type(id, resolved.expr_type());
        let reference = match resolved {
            Resolved::Variable(name, _) => Reference::Variable(name),
            Resolved::TypeName(name, ty) => Reference::TypeName { name, ty },
            Resolved::Enum(name, value, _) => Reference::EnumConstant { name, value },
        };
        self.set_reference(id, reference);
    }

    fn lookup_function(&self, name: &str) -> Option<&'a PreparedFunction> {
        let env = self.env;
        let operator = matches!(name.as_bytes().first(), Some(b'_' | b'@' | b'!' | b'-'));
        if operator || env.container.is_empty() {
            return env.functions.get(name.strip_prefix('.').unwrap_or(name));
        }
        self.candidates(name, &env.function_roots)
            .find_map(|candidate| env.functions.get(candidate.as_ref()))
    }

    fn check_ident(&mut self, id: ExprId, name: &SmolStr) {
        if !name.starts_with('.')
            && let Some(ty) = self.lookup_local(name)
        {
            self.set_type(id, ty);
            self.set_reference(id, Reference::Local(name.clone()));
            return;
        }
        match self.resolve_name(name) {
            Some(resolved) => self.apply_resolution(id, resolved),
            None => {
                let suggestion = self.suggest_variable(name);
                self.report(
                    id,
                    messages::undeclared_reference(
                        name,
                        &self.env.container,
                        suggestion.as_deref(),
                    ),
                );
                self.set_type(id, Type::Error);
            }
        }
    }

    /// The variable in scope whose name is closest to `name`, if one is close.
    fn suggest_variable(&self, name: &str) -> Option<String> {
        if !self.reporting() {
            return None;
        }
        let locals = self.locals.iter().map(|(n, _)| n.as_str());
        let declared = self.env.variables.keys().map(SmolStr::as_str);
        let candidates = locals.chain(declared).filter(|n| !n.starts_with('@'));
        did_you_mean(name, candidates).map(str::to_owned)
    }

    /// The function whose name is closest to `name`, if one is close (operators left out).
    fn suggest_function(&self, name: &str) -> Option<String> {
        if !self.reporting() {
            return None;
        }
        let names = self.env.functions.keys().map(SmolStr::as_str);
        let candidates = names.filter(|n| n.starts_with(|c: char| c.is_ascii_alphabetic()));
        did_you_mean(name, candidates).map(str::to_owned)
    }

    /// The field of message `message` whose name is closest to `field`, if one is close.
    fn suggest_field(&self, message: &str, field: &str) -> Option<String> {
        if !self.reporting() {
            return None;
        }
        let descriptor = self.env.provider.find_message(message)?;
        let names: Vec<String> = descriptor.fields().map(|f| f.name().to_owned()).collect();
        did_you_mean(field, names.iter().map(String::as_str)).map(str::to_owned)
    }

    /// The dotted name an ident/select chain spells, when some declaration
    /// could have that name (its first segment is in `roots`, or a container applies).
    fn qualified_name(&self, e: &Expr, roots: &HashSet<SmolStr>) -> Option<String> {
        let mut cursor = e;
        let mut n_fields = 0;
        let base = loop {
            match &cursor.kind {
                ExprKind::Select(sel) if !sel.test_only => {
                    n_fields += 1;
                    cursor = &sel.operand;
                }
                ExprKind::Ident(name) => break name,
                _ => return None,
            }
        };
        let rooted = base.starts_with('.');
        if !rooted && self.lookup_local(base).is_some() {
            return None;
        }
        let root = base
            .trim_start_matches('.')
            .split('.')
            .next()
            .unwrap_or_default();
        if (self.env.container.is_empty() || rooted) && !roots.contains(root) {
            return None;
        }
        let mut fields: SmallVec<[&str; 8]> = SmallVec::with_capacity(n_fields);
        let mut cursor = e;
        while let ExprKind::Select(sel) = &cursor.kind {
            fields.push(sel.field.as_str());
            cursor = &sel.operand;
        }
        let len = base.len() + fields.iter().map(|f| f.len() + 1).sum::<usize>();
        let mut name = String::with_capacity(len);
        name.push_str(base);
        for field in fields.iter().rev() {
            name.push('.');
            name.push_str(field);
        }
        Some(name)
    }

    fn check_select(&mut self, e: &Expr, sel: &Select) {
        let names_ruled_out = std::mem::take(&mut self.chain_names_ruled_out);
        let qualified = if sel.test_only || names_ruled_out {
            None
        } else {
            self.qualified_name(e, &self.env.name_roots)
        };
        if let Some(qualified) = &qualified
            && let Some(resolved) = self.resolve_name(qualified)
        {
            self.apply_resolution(e.id, resolved);
            return;
        }
        // An operand that is itself a field selection spells a prefix of this chain, ending
        // at the same base: when no declaration could have this name, none has that one.
        self.chain_names_ruled_out = !sel.test_only
            && qualified.is_none()
            && matches!(&sel.operand.kind, ExprKind::Select(inner) if !inner.test_only);
        self.check(&sel.operand);
        self.chain_names_ruled_out = false;
        let operand_type = self.type_of(sel.operand.id);
        let ty = self.select_field_type(e.id, &operand_type, &sel.field, false);
        let ty = if sel.test_only {
            Type::Bool
        } else {
            self.subst.substitute(&ty, false)
        };
        self.set_type(e.id, ty);
    }

    /// The type of `operand.field`; optional in, or `optional`, means optional out.
    fn select_field_type(
        &mut self,
        id: ExprId,
        operand: &Type,
        field: &str,
        optional: bool,
    ) -> Type {
        let operand = self.subst.substitute(operand, false);
        let (target, was_optional) = match operand.optional_param() {
            Some(inner) => (inner.clone(), true),
            None => (operand.clone(), false),
        };
        let result = match &target {
            Type::Map(kv) => kv.1.clone(),
            Type::Message(name) => match self.env.provider.field_type(name, field) {
                Some(ft) => ft.ty,
                None => {
                    let suggestion = self.suggest_field(name, field);
                    let message = messages::undefined_field(field, suggestion.as_deref());
                    self.report_member(id, field, message);
                    Type::Error
                }
            },
            Type::Var(_) => {
                self.subst.assignable(&Type::Dyn, &target);
                Type::Dyn
            }
            Type::Dyn | Type::Any | Type::Error => Type::Dyn,
            other => {
                self.report_member(id, field, messages::field_selection_unsupported(other));
                Type::Dyn
            }
        };
        if was_optional || optional {
            Type::optional(result)
        } else {
            result
        }
    }

    // Calls.

    fn check_call(&mut self, id: ExprId, call: &Call) {
        let name = call.function.as_str();
        if call.target.is_none() && name == OPTIONAL_SELECT {
            return self.check_optional_select(id, call);
        }
        if call.target.is_none()
            && name == BLOCK
            && let Some(function) = self.lookup_function(BLOCK)
            && self.check_block(id, call, function)
        {
            return;
        }
        let Some(target) = &call.target else {
            self.check_all(&call.args);
            return match self.lookup_function(name) {
                Some(function) => self.resolve_overload(id, function, None, &call.args, false),
                None => self.undeclared_function(id, name, false),
            };
        };
        if let Some(function) = self.namespaced_function(target, name) {
            self.check_all(&call.args);
            return self.resolve_overload(id, function, None, &call.args, true);
        }
        self.check_all(&call.args);
        self.check(target);
        match self.lookup_function(name) {
            Some(function) => self.resolve_overload(id, function, Some(target), &call.args, false),
            None => self.undeclared_function(id, name, true),
        }
    }

    fn check_all(&mut self, exprs: &[Expr]) {
        for e in exprs {
            self.check(e);
        }
    }

    /// A call of a function no library declares; a member call is reported at its name.
    fn undeclared_function(&mut self, id: ExprId, name: &str, member: bool) {
        let suggestion = self.suggest_function(name);
        let message =
            messages::undeclared_reference(name, &self.env.container, suggestion.as_deref());
        if member {
            self.report_member(id, name, message);
        } else {
            self.report(id, message);
        }
        self.set_type(id, Type::Error);
    }

    /// `a.b.f(x)` where `a.b.f` is a declared function (not `f` called on `a.b`).
    fn namespaced_function(&self, target: &Expr, name: &str) -> Option<&'a PreparedFunction> {
        let prefix = self.qualified_name(target, &self.env.function_roots)?;
        self.lookup_function(&format!("{prefix}.{name}"))
    }

    fn resolve_overload(
        &mut self,
        id: ExprId,
        function: &'a PreparedFunction,
        target: Option<&Expr>,
        args: &[Expr],
        namespaced: bool,
    ) {
        // The argument types (receiver first), borrowed from the table: no clones. Up to
        // four live on the stack.
        const DYN: &Type = &Type::Dyn;
        let n = usize::from(target.is_some()) + args.len();
        let mut inline = [DYN; 4];
        let mut spilled = Vec::new();
        let arg_types: &mut [&Type] = if n <= inline.len() {
            &mut inline[..n]
        } else {
            spilled.resize(n, DYN);
            &mut spilled
        };
        for (slot, e) in arg_types.iter_mut().zip(target.into_iter().chain(args)) {
            *slot = self.types.get(e.id.index()).unwrap_or(DYN);
        }
        let arg_types: &[&Type] = arg_types;
        let mut inline_bits = [0u32; 4];
        let mut spilled_bits = Vec::new();
        let arg_bits: &mut [u32] = if n <= inline_bits.len() {
            &mut inline_bits[..n]
        } else {
            spilled_bits.resize(n, 0);
            &mut spilled_bits
        };
        for (bits, t) in arg_bits.iter_mut().zip(arg_types) {
            *bits = crate::unify::arg_bits(t);
        }
        let arg_bits: &[u32] = arg_bits;
        let member = target.is_some();
        let mut result: Option<Type> = None;
        let mut overload_ids = SmallVec::new();
        for overload in &function.overloads {
            if overload.member != member || overload.params.len() != n {
                continue;
            }
            if !arg_bits
                .iter()
                .zip(&overload.masks)
                .all(|(a, mask)| a & mask != 0)
            {
                continue;
            }
            let Some(result_type) = try_overload(&mut self.subst, arg_types, overload) else {
                continue;
            };
            overload_ids.push(overload.id.clone());
            result = Some(match result {
                None => result_type,
                Some(prev) if !prev.is_dyn() && !is_exact(&result_type, &prev) => Type::Dyn,
                Some(prev) => prev,
            });
        }
        match result {
            Some(ty) => {
                self.set_type(id, ty);
                let reference = FunctionRef {
                    name: function.name.clone(),
                    overload_ids,
                    namespaced,
                };
                self.set_reference(id, Reference::Function(reference));
            }
            None => {
                let shown: Vec<Type> = arg_types
                    .iter()
                    .map(|t| self.subst.substitute(t, true))
                    .collect();
                let message = messages::no_matching_overload(&function.name, &shown, member);
                // The operator (`1 + 'a'` points at `+`), the `.f` of a member call, or the
                // macro name for calls a macro built; a global call's own span otherwise.
                self.report_at(self.ast.error_span(id), message);
                self.set_type(id, Type::Error);
            }
        }
    }

    /// `_?._(operand, 'field')`: optional field selection.
    fn check_optional_select(&mut self, id: ExprId, call: &Call) {
        let [operand, field] = call.args.as_slice() else {
            self.report(id, messages::invalid_optional_select());
            return self.set_type(id, Type::Error);
        };
        let ExprKind::Literal(Literal::String(field_name)) = &field.kind else {
            self.check(field);
            self.report(field.id, messages::invalid_optional_select());
            return self.set_type(id, Type::Error);
        };
        self.set_type(field.id, Type::String);
        self.check(operand);
        let operand_type = self.type_of(operand.id);
        let ty = self.select_field_type(id, &operand_type, field_name, true);
        let ty = self.subst.substitute(&ty, false);
        self.set_type(id, ty);
        let reference = FunctionRef {
            name: SmolStr::new_static(OPTIONAL_SELECT),
            overload_ids: smallvec::smallvec![SmolStr::new_static(OPTIONAL_SELECT_OVERLOAD)],
            namespaced: false,
        };
        self.set_reference(id, Reference::Function(reference));
    }

    /// `cel.@block([e0, e1, ...], result)`: `@indexN` names `eN` in later
    /// elements and in `result`. Returns false when the call is not of that shape.
    fn check_block(&mut self, id: ExprId, call: &Call, function: &PreparedFunction) -> bool {
        let [bindings, result] = call.args.as_slice() else {
            return false;
        };
        let ExprKind::List(list) = &bindings.kind else {
            return false;
        };
        let n_locals = self.locals.len();
        for (i, element) in list.elements.iter().enumerate() {
            self.check(element);
            let ty = self.type_of(element.id);
            self.locals.push((SmolStr::new(format!("@index{i}")), ty));
        }
        self.set_type(bindings.id, Type::list(Type::Dyn));
        self.check(result);
        self.locals.truncate(n_locals);
        let ty = self.type_of(result.id);
        self.set_type(id, ty);
        let reference = FunctionRef {
            name: function.name.clone(),
            overload_ids: function.overloads.iter().map(|o| o.id.clone()).collect(),
            namespaced: false,
        };
        self.set_reference(id, Reference::Function(reference));
        true
    }

    // Aggregates.

    /// The type of two elements of one literal together: the more general if they agree,
    /// else `dyn` (or, with homogeneous aggregate literals, an error at `element`).
    fn join_types(&mut self, element: ExprId, previous: Option<Type>, current: Type) -> Type {
        match previous {
            None => current,
            Some(prev) if self.subst.assignable(&prev, &current) => most_general(&prev, &current),
            Some(prev) if self.env.options.homogeneous_aggregate_literals => {
                let prev = self.subst.substitute(&prev, false);
                let current = self.subst.substitute(&current, false);
                self.report(element, messages::type_mismatch(&prev, &current));
                Type::Error
            }
            Some(_) => Type::Dyn,
        }
    }

    /// The `T` of an `optional_type(T)` value written `?e`; reports other types.
    fn unwrap_optional_value(&mut self, id: ExprId, ty: Type) -> Type {
        let ty = self.subst.substitute(&ty, false);
        if let Some(inner) = ty.optional_param() {
            return inner.clone();
        }
        if !ty.is_dyn() {
            self.report(
                id,
                messages::type_mismatch(&Type::optional(ty.clone()), &ty),
            );
        }
        ty
    }

    fn check_list(&mut self, id: ExprId, list: &ListExpr) {
        let mut elem = None;
        for (i, element) in list.elements.iter().enumerate() {
            self.check(element);
            let mut ty = self.type_of(element.id);
            if list.optional_indices.contains(&(i as u32)) {
                ty = self.unwrap_optional_value(element.id, ty);
            }
            elem = Some(self.join_types(element.id, elem, ty));
        }
        let elem = elem.unwrap_or_else(|| self.subst.fresh());
        self.set_type(id, Type::list(elem));
    }

    fn check_map(&mut self, id: ExprId, map: &MapExpr) {
        let mut key_type = None;
        let mut value_type = None;
        for entry in &map.entries {
            self.check(&entry.key);
            let key = self.type_of(entry.key.id);
            key_type = Some(self.join_types(entry.key.id, key_type, key));
            self.check(&entry.value);
            let mut value = self.type_of(entry.value.id);
            if entry.optional {
                value = self.unwrap_optional_value(entry.value.id, value);
            }
            value_type = Some(self.join_types(entry.value.id, value_type, value));
        }
        let key = key_type.unwrap_or_else(|| self.subst.fresh());
        let value = value_type.unwrap_or_else(|| self.subst.fresh());
        self.set_type(id, Type::map(key, value));
    }

    fn check_struct(&mut self, id: ExprId, s: &StructExpr) {
        let Some(resolved) = self.resolve_name(&s.type_name) else {
            self.report(
                id,
                messages::undeclared_reference(&s.type_name, &self.env.container, None),
            );
            self.set_type(id, Type::Error);
            for field in &s.fields {
                self.check(&field.value);
            }
            return;
        };
        let (message_type, message_name) = self.struct_message(id, &resolved);
        if let Some(name) = &message_name {
            let reference = Reference::TypeName {
                name: name.clone(),
                ty: message_type.clone(),
            };
            self.set_reference(id, reference);
        }
        self.set_type(id, message_type);
        for field in &s.fields {
            self.check(&field.value);
            let field_type = match &message_name {
                Some(message) => match self.env.provider.field_type(message, &field.name) {
                    Some(ft) => ft.ty,
                    None => {
                        let suggestion = self.suggest_field(message, &field.name);
                        let message = messages::undefined_field(&field.name, suggestion.as_deref());
                        self.report(field.id, message);
                        Type::Error
                    }
                },
                None => Type::Error,
            };
            let mut value_type = self.type_of(field.value.id);
            if field.optional {
                value_type = self.unwrap_optional_value(field.value.id, value_type);
            }
            if !self.subst.assignable(&field_type, &value_type)
                && !self.legacy_null_enum(&field_type, &value_type)
            {
                let message = messages::field_type_mismatch(&field.name, &field_type, &value_type);
                self.report(field.id, message);
            }
        }
    }

    /// Whether `value_type` fits a `google.protobuf.NullValue` field (typed `null`) as the
    /// enum's number: with enums as `int`s, `NullValue.NULL_VALUE` is the int `0`, and
    /// cel-go accepts it (or any int) there, as in `Value{null_value: NullValue.NULL_VALUE}`.
    fn legacy_null_enum(&mut self, field_type: &Type, value_type: &Type) -> bool {
        fn as_int(ty: &Type) -> Option<Type> {
            match ty {
                Type::Null => Some(Type::Int),
                Type::List(elem) => as_int(elem).map(Type::list),
                Type::Map(kv) => as_int(&kv.1).map(|v| Type::map(kv.0.clone(), v)),
                _ => None,
            }
        }
        if self.env.options.strong_enums {
            return false;
        }
        as_int(field_type).is_some_and(|int_type| self.subst.assignable(&int_type, value_type))
    }

    /// The type a struct literal builds and the message whose fields it sets.
    fn struct_message(&mut self, id: ExprId, resolved: &Resolved) -> (Type, Option<SmolStr>) {
        let ident_type = resolved.expr_type();
        let named = match &ident_type {
            Type::Error => return (Type::Error, None),
            Type::TypeOf(Some(named)) => (**named).clone(),
            other => {
                self.report(id, messages::not_a_type(other));
                return (Type::Error, None);
            }
        };
        match &named {
            Type::Message(name) => (named.clone(), Some(name.clone())),
            _ if self.env.provider.find_message(resolved.name()).is_some() => {
                (named, Some(resolved.name().clone()))
            }
            _ => {
                self.report(id, messages::not_a_message_type(&named));
                (Type::Error, None)
            }
        }
    }

    // Comprehensions.

    fn check_comprehension(&mut self, id: ExprId, c: &Comprehension) {
        self.check(&c.iter_range);
        self.check(&c.accu_init);
        let range_type = self.subst.substitute(&self.type_of(c.iter_range.id), false);
        let accu_type = self.type_of(c.accu_init.id);
        let (var_type, var2_type) = self.iteration_types(c, &range_type);
        let n_locals = self.locals.len();
        self.locals.push((c.accu_var.clone(), accu_type.clone()));
        self.locals.push((c.iter_var.clone(), var_type));
        if let Some(var2) = &c.iter_var2 {
            self.locals.push((var2.clone(), var2_type));
        }
        self.check(&c.loop_condition);
        self.assert_type(c.loop_condition.id, &Type::Bool);
        self.check(&c.loop_step);
        self.assert_type(c.loop_step.id, &accu_type);
        self.locals.truncate(n_locals + 1);
        self.check(&c.result);
        self.locals.truncate(n_locals);
        let ty = self.subst.substitute(&self.type_of(c.result.id), false);
        self.set_type(id, ty);
    }

    /// The types of the iteration variable(s): element (or index and element)
    /// of a list, key (or key and value) of a map.
    fn iteration_types(&mut self, c: &Comprehension, range: &Type) -> (Type, Type) {
        let two = c.iter_var2.is_some();
        match range {
            Type::List(elem) if two => (Type::Int, (**elem).clone()),
            Type::List(elem) => ((**elem).clone(), Type::Dyn),
            Type::Map(kv) => (kv.0.clone(), kv.1.clone()),
            Type::Dyn | Type::Any | Type::Error | Type::Var(_) => {
                self.subst.assignable(&Type::Dyn, range);
                (Type::Dyn, Type::Dyn)
            }
            other => {
                self.report(c.iter_range.id, messages::not_a_comprehension_range(other));
                (Type::Error, Type::Error)
            }
        }
    }

    fn assert_type(&mut self, id: ExprId, expected: &Type) {
        let actual = self.type_of(id);
        if !self.subst.assignable(expected, &actual) {
            let shown = self.subst.substitute(&actual, false);
            self.report(id, messages::type_mismatch(expected, &shown));
        }
    }
}

/// The result type if the arguments fit the overload (binding its type parameters).
fn try_overload(
    subst: &mut Substitution,
    arg_types: &[&Type],
    overload: &crate::env::PreparedOverload,
) -> Option<Type> {
    if overload.n_vars == 0 {
        let ok = subst.assignable_list(arg_types, &overload.params);
        return ok.then(|| subst.substitute(&overload.result, false));
    }
    let base = subst.fresh_block(overload.n_vars);
    let ok = subst.assignable_shifted(arg_types, &overload.params, base);
    ok.then(|| subst.substitute_shifted(&overload.result, base))
}

fn literal_type(lit: &Literal) -> Type {
    match lit {
        Literal::Null => Type::Null,
        Literal::Bool(_) => Type::Bool,
        Literal::Int(_) => Type::Int,
        Literal::Uint(_) => Type::Uint,
        Literal::Double(_) => Type::Double,
        Literal::String(_) => Type::String,
        Literal::Bytes(_) => Type::Bytes,
    }
}
