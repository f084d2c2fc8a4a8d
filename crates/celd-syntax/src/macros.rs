//! Macro expansion at parse time: `has`, the comprehension macros, `cel.bind`, `cel.block`,
//! `optMap`/`optFlatMap`, two-variable comprehensions, `math.greatest`/`math.least`, `sortBy`
//! and `proto.getExt`/`proto.hasExt`, in the shapes cel-go produces.
//!
//! A call is a macro only when its name, receiver style and argument count match one of the
//! enabled macros; any other call is left alone. The accumulator is `@result`: names starting
//! with `@` cannot be written in source, so expansions never collide with user variables.
//!
//! Every node an expansion builds spans the whole macro call; calls, selects and folds among
//! them also point their errors at the macro's function name (`Ast::operator_spans`).

use smallvec::smallvec;
use smol_str::SmolStr;

use crate::ast::{
    CallArgs, Comprehension, Expr, ExprKind, ListExpr, Literal, MacroArg, MacroCall, MapExpr, Name,
    Select,
};
use crate::messages;
use crate::options::Macros;
use crate::parser::{PResult, Parser};
use crate::source::Span;

const ACCUMULATOR: &str = "@result";
const UNUSED_ITER_VAR: &str = "#unused";
/// The variable `sortBy` binds its receiver to, so the receiver is evaluated once.
const SORT_BY_INPUT: &str = "@__sortBy_input__";

/// The outcome of looking at a call: its expansion, or the call's parts given back.
pub(crate) enum Expansion {
    Expanded(Expr),
    NotAMacro {
        target: Option<Expr>,
        function: Name,
        args: CallArgs,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Quantifier {
    All,
    Exists,
    ExistsOne,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Transform {
    List,
    Map,
    MapEntry,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Macro {
    Has,
    Quantifier(Quantifier),
    Map,
    Filter,
    TwoVarQuantifier(Quantifier),
    TwoVarTransform(Transform),
    Bind,
    Block,
    Index,
    IterVar,
    AccuVar,
    OptMap,
    OptFlatMap,
    /// `math.greatest` (true) or `math.least` (false).
    Extreme(bool),
    SortBy,
    /// `proto.hasExt` (true) or `proto.getExt` (false).
    ProtoExt(bool),
}

/// Finds the macro a call names, if any is enabled for its shape.
fn find(macros: &Macros, function: &str, target: Option<&Expr>, n_args: usize) -> Option<Macro> {
    let Some(target) = target else {
        return (macros.standard && function == "has" && n_args == 1).then_some(Macro::Has);
    };
    let on = |namespace: &str| matches!(&target.kind, ExprKind::Ident(name) if name == namespace);
    let on_cel = on("cel");
    let found = match (function, n_args) {
        ("all", 2) => Macro::Quantifier(Quantifier::All),
        ("exists", 2) => Macro::Quantifier(Quantifier::Exists),
        ("exists_one" | "existsOne", 2) => Macro::Quantifier(Quantifier::ExistsOne),
        ("map", 2 | 3) => Macro::Map,
        ("filter", 2) => Macro::Filter,
        ("all", 3) => Macro::TwoVarQuantifier(Quantifier::All),
        ("exists", 3) => Macro::TwoVarQuantifier(Quantifier::Exists),
        ("exists_one" | "existsOne", 3) => Macro::TwoVarQuantifier(Quantifier::ExistsOne),
        ("transformList", 3 | 4) => Macro::TwoVarTransform(Transform::List),
        ("transformMap", 3 | 4) => Macro::TwoVarTransform(Transform::Map),
        ("transformMapEntry", 3 | 4) => Macro::TwoVarTransform(Transform::MapEntry),
        ("bind", 3) if on_cel => Macro::Bind,
        ("block", 2) if on_cel => Macro::Block,
        ("index", 1) if on_cel => Macro::Index,
        ("iterVar", 2) if on_cel => Macro::IterVar,
        ("accuVar", 2) if on_cel => Macro::AccuVar,
        ("optMap", 2) => Macro::OptMap,
        ("optFlatMap", 2) => Macro::OptFlatMap,
        ("greatest", _) if on("math") => Macro::Extreme(true),
        ("least", _) if on("math") => Macro::Extreme(false),
        ("sortBy", 2) => Macro::SortBy,
        ("getExt", 2) if on("proto") => Macro::ProtoExt(false),
        ("hasExt", 2) if on("proto") => Macro::ProtoExt(true),
        _ => return None,
    };
    let enabled = match found {
        Macro::Has | Macro::Quantifier(_) | Macro::Map | Macro::Filter => macros.standard,
        Macro::TwoVarQuantifier(_) | Macro::TwoVarTransform(_) => macros.two_var_comprehensions,
        Macro::Bind => macros.bindings,
        Macro::Block | Macro::Index | Macro::IterVar | Macro::AccuVar => macros.block,
        Macro::OptMap | Macro::OptFlatMap => macros.optional,
        Macro::Extreme(_) => macros.math,
        Macro::SortBy => macros.lists,
        Macro::ProtoExt(_) => macros.protos,
    };
    enabled.then_some(found)
}

/// Expands the call `target.function(args)` (or `function(args)`) if it is a macro; `span` is
/// the whole call, `name` its function name.
pub(crate) fn expand(
    p: &mut Parser<'_>,
    target: Option<Expr>,
    function: Name,
    args: CallArgs,
    span: Span,
    name: Span,
) -> PResult<Expansion> {
    let Some(found) = find(&p.options.macros, &function, target.as_ref(), args.len()) else {
        return Ok(Expansion::NotAMacro {
            target,
            function,
            args,
        });
    };
    let mut m = MacroBuilder {
        p: &mut *p,
        span,
        name,
        written: MacroCall {
            function,
            target: None,
            args: Vec::new(),
        },
    };
    let expanded = match m.expand(found, target, args)? {
        Ok(expr) => {
            let written = m.written;
            p.macro_calls.insert(expr.id, written);
            expr
        }
        Err((at, message)) => {
            p.report(at, message)?;
            p.error_expr(span)?
        }
    };
    Ok(Expansion::Expanded(expanded))
}

/// A macro argument problem: where, and what.
type ArgError = (Span, &'static str);

/// Builds one expansion; every node it makes carries the span of the whole call.
struct MacroBuilder<'p, 'a> {
    p: &'p mut Parser<'a>,
    span: Span,
    /// The macro's function name, where errors about the calls it builds point.
    name: Span,
    /// The call as written, filled in while its parts are used.
    written: MacroCall,
}

impl MacroBuilder<'_, '_> {
    fn expand(
        &mut self,
        found: Macro,
        target: Option<Expr>,
        args: CallArgs,
    ) -> PResult<Result<Expr, ArgError>> {
        let mut args = args.into_iter();
        let target = target.map(|t| self.keep_target(found, t));
        match (found, target) {
            (Macro::Has, _) => self.has(args.next()),
            (Macro::Quantifier(q), Some(range)) => {
                let (var, predicate) = (args.next(), args.next());
                self.quantifier(q, range, var, None, predicate)
            }
            (Macro::TwoVarQuantifier(q), Some(range)) => {
                let (var, var2, predicate) = (args.next(), args.next(), args.next());
                self.quantifier(q, range, var, var2, predicate)
            }
            (Macro::Map, Some(range)) => self.map(range, args.collect()),
            (Macro::Filter, Some(range)) => {
                let (var, predicate) = (args.next(), args.next());
                self.filter(range, var, predicate)
            }
            (Macro::TwoVarTransform(t), Some(range)) => self.transform(t, range, args.collect()),
            (Macro::Bind, _) => self.bind(args.collect()),
            (Macro::Block, _) => self.block(args.collect()),
            (Macro::Index, _) => self.index(args.next()),
            (Macro::IterVar, _) => self.compre_var("cel.iterVar", "@it", args.collect()),
            (Macro::AccuVar, _) => self.compre_var("cel.accuVar", "@ac", args.collect()),
            (Macro::OptMap, Some(target)) => self.opt_map(target, args.collect(), true),
            (Macro::OptFlatMap, Some(target)) => self.opt_map(target, args.collect(), false),
            (Macro::Extreme(greatest), Some(target)) => {
                self.extreme(greatest, &target, args.collect())
            }
            (Macro::SortBy, Some(target)) => {
                let (var, key) = (args.next(), args.next());
                self.sort_by(target, var, key)
            }
            (Macro::ProtoExt(test_only), _) => {
                let (message, field) = (args.next(), args.next());
                self.proto_ext(message, field, test_only)
            }
            (_, None) => Ok(Err((self.span, messages::SIMPLE_NAME_ARGUMENT))),
        }
    }

    /// Records the receiver; the `cel` of `cel.bind(...)` is consumed, any other receiver lives on.
    fn keep_target(&mut self, found: Macro, target: Expr) -> Expr {
        let consumed = matches!(
            found,
            Macro::Bind
                | Macro::Block
                | Macro::Index
                | Macro::IterVar
                | Macro::AccuVar
                | Macro::Extreme(_)
                | Macro::ProtoExt(_)
        );
        self.written.target = Some(if consumed {
            MacroArg::Detached(target.clone())
        } else {
            MacroArg::Expr(target.id)
        });
        target
    }

    /// Records an argument that lives on in the expansion and passes it through.
    fn kept(&mut self, arg: Expr) -> Expr {
        self.written.args.push(MacroArg::Expr(arg.id));
        arg
    }

    /// Records an argument the expansion consumes.
    fn consumed(&mut self, arg: Expr) {
        self.written.args.push(MacroArg::Detached(arg));
    }

    /// A loop or binding variable: must be a plain identifier.
    fn variable(&mut self, arg: Option<Expr>) -> Result<Name, ArgError> {
        let Some(arg) = arg else {
            return Err((self.span, messages::SIMPLE_NAME_ARGUMENT));
        };
        match &arg.kind {
            ExprKind::Ident(name) if !name.starts_with('.') => {
                let name = name.clone();
                self.consumed(arg);
                Ok(name)
            }
            _ => Err((self.p.span_of(&arg), messages::SIMPLE_NAME_ARGUMENT)),
        }
    }

    fn required(&mut self, arg: Option<Expr>) -> PResult<Expr> {
        match arg {
            Some(arg) => Ok(self.kept(arg)),
            None => self.p.error_expr(self.span),
        }
    }

    // ---- node helpers, all spanning the macro call ----

    fn ident(&mut self, name: Name) -> PResult<Expr> {
        self.p.ident(name, self.span)
    }

    fn accu(&mut self) -> PResult<Expr> {
        self.ident(SmolStr::new_static(ACCUMULATOR))
    }

    fn call(&mut self, function: &'static str, args: CallArgs) -> PResult<Expr> {
        self.p.operator_call(function, args, self.span, self.name)
    }

    fn member_call(
        &mut self,
        target: Expr,
        function: &'static str,
        args: CallArgs,
    ) -> PResult<Expr> {
        let call = crate::ast::Call {
            target: Some(target),
            function: SmolStr::new_static(function),
            args,
        };
        self.operator_node(ExprKind::Call(Box::new(call)))
    }

    /// A node pointing its errors at the macro's name.
    fn operator_node(&mut self, kind: ExprKind) -> PResult<Expr> {
        self.p.operator_node(kind, self.span, self.name)
    }

    fn literal(&mut self, literal: Literal) -> PResult<Expr> {
        self.p.literal_node(literal, self.span)
    }

    fn list(&mut self, elements: Vec<Expr>) -> PResult<Expr> {
        let list = ListExpr {
            elements,
            optional_indices: Vec::new(),
        };
        self.p.node(ExprKind::List(Box::new(list)), self.span)
    }

    fn empty_map(&mut self) -> PResult<Expr> {
        let map = MapExpr {
            entries: Vec::new(),
        };
        self.p.node(ExprKind::Map(Box::new(map)), self.span)
    }

    /// `cond ? step : @result`, the filtered form of a step.
    fn filtered(&mut self, filter: Option<Expr>, step: Expr) -> PResult<Expr> {
        match filter {
            None => Ok(step),
            Some(filter) => {
                let accu = self.accu()?;
                self.call("_?_:_", smallvec![filter, step, accu])
            }
        }
    }

    /// `@result + [element]`
    fn append(&mut self, element: Expr) -> PResult<Expr> {
        let accu = self.accu()?;
        let list = self.list(vec![element])?;
        self.call("_+_", smallvec![accu, list])
    }

    #[allow(clippy::too_many_arguments)]
    fn fold(
        &mut self,
        iter_var: Name,
        iter_var2: Option<Name>,
        iter_range: Expr,
        accu_var: Name,
        accu_init: Expr,
        loop_condition: Expr,
        loop_step: Expr,
        result: Expr,
    ) -> PResult<Expr> {
        let comprehension = Comprehension {
            iter_var,
            iter_var2,
            iter_range,
            accu_var,
            accu_init,
            loop_condition,
            loop_step,
            result,
        };
        self.operator_node(ExprKind::Comprehension(Box::new(comprehension)))
    }

    // ---- the macros ----

    /// `has(a.f)` is the presence test `a.f~test-only`.
    fn has(&mut self, arg: Option<Expr>) -> PResult<Result<Expr, ArgError>> {
        let Some(arg) = arg else {
            return Ok(Err((self.span, messages::HAS_ARGUMENT)));
        };
        let select = match arg.kind {
            ExprKind::Select(ref select) if !select.test_only => select,
            _ => return Ok(Err((self.p.span_of(&arg), messages::HAS_ARGUMENT))),
        };
        let presence = Select {
            operand: select.operand.clone(),
            field: select.field.clone(),
            test_only: true,
        };
        self.consumed(arg);
        let expr = self.operator_node(ExprKind::Select(Box::new(presence)))?;
        Ok(Ok(expr))
    }

    /// `all`, `exists`, `exists_one`/`existsOne`, with one or two variables.
    fn quantifier(
        &mut self,
        quantifier: Quantifier,
        range: Expr,
        var: Option<Expr>,
        var2: Option<Expr>,
        predicate: Option<Expr>,
    ) -> PResult<Result<Expr, ArgError>> {
        let two_vars = var2.is_some();
        let iter_var = match self.variable(var) {
            Ok(name) => name,
            Err(e) => return Ok(Err(e)),
        };
        let iter_var2 = if two_vars {
            match self.variable(var2) {
                Ok(name) => Some(name),
                Err(e) => return Ok(Err(e)),
            }
        } else {
            None
        };
        let predicate = self.required(predicate)?;
        let (init, condition, step, result) = match quantifier {
            Quantifier::All => {
                let init = self.literal(Literal::Bool(true))?;
                let accu = self.accu()?;
                let condition = self.call("@not_strictly_false", smallvec![accu])?;
                let accu = self.accu()?;
                let step = self.call("_&&_", smallvec![accu, predicate])?;
                (init, condition, step, self.accu()?)
            }
            Quantifier::Exists => {
                let init = self.literal(Literal::Bool(false))?;
                let accu = self.accu()?;
                let not_accu = self.call("!_", smallvec![accu])?;
                let condition = self.call("@not_strictly_false", smallvec![not_accu])?;
                let accu = self.accu()?;
                let step = self.call("_||_", smallvec![accu, predicate])?;
                (init, condition, step, self.accu()?)
            }
            Quantifier::ExistsOne => {
                let init = self.literal(Literal::Int(0))?;
                let condition = self.literal(Literal::Bool(true))?;
                let accu = self.accu()?;
                let one = self.literal(Literal::Int(1))?;
                let increment = self.call("_+_", smallvec![accu, one])?;
                let accu = self.accu()?;
                let step = self.call("_?_:_", smallvec![predicate, increment, accu])?;
                let accu = self.accu()?;
                let one = self.literal(Literal::Int(1))?;
                let result = self.call("_==_", smallvec![accu, one])?;
                (init, condition, step, result)
            }
        };
        let expr = self.fold(
            iter_var,
            iter_var2,
            range,
            SmolStr::new_static(ACCUMULATOR),
            init,
            condition,
            step,
            result,
        )?;
        Ok(Ok(expr))
    }

    /// `r.map(x, f)` and `r.map(x, p, f)`.
    fn map(&mut self, range: Expr, args: CallArgs) -> PResult<Result<Expr, ArgError>> {
        let mut args = args.into_iter();
        let iter_var = match self.variable(args.next()) {
            Ok(name) => name,
            Err(e) => return Ok(Err(e)),
        };
        let (filter, transform) = match (args.next(), args.next()) {
            (Some(filter), Some(transform)) => (Some(filter), Some(transform)),
            (transform, _) => (None, transform),
        };
        let filter = filter.map(|f| self.kept(f));
        let transform = self.required(transform)?;
        let init = self.list(Vec::new())?;
        let condition = self.literal(Literal::Bool(true))?;
        let step = self.append(transform)?;
        let step = self.filtered(filter, step)?;
        let result = self.accu()?;
        let expr = self.fold(
            iter_var,
            None,
            range,
            SmolStr::new_static(ACCUMULATOR),
            init,
            condition,
            step,
            result,
        )?;
        Ok(Ok(expr))
    }

    /// `r.filter(x, p)`.
    fn filter(
        &mut self,
        range: Expr,
        var: Option<Expr>,
        predicate: Option<Expr>,
    ) -> PResult<Result<Expr, ArgError>> {
        let iter_var = match self.variable(var) {
            Ok(name) => name,
            Err(e) => return Ok(Err(e)),
        };
        let predicate = self.required(predicate)?;
        let init = self.list(Vec::new())?;
        let condition = self.literal(Literal::Bool(true))?;
        let element = self.ident(iter_var.clone())?;
        let step = self.append(element)?;
        let step = self.filtered(Some(predicate), step)?;
        let result = self.accu()?;
        let expr = self.fold(
            iter_var,
            None,
            range,
            SmolStr::new_static(ACCUMULATOR),
            init,
            condition,
            step,
            result,
        )?;
        Ok(Ok(expr))
    }

    /// `transformList`, `transformMap`, `transformMapEntry`, each with an optional filter.
    fn transform(
        &mut self,
        kind: Transform,
        range: Expr,
        args: CallArgs,
    ) -> PResult<Result<Expr, ArgError>> {
        let mut args = args.into_iter();
        let iter_var = match self.variable(args.next()) {
            Ok(name) => name,
            Err(e) => return Ok(Err(e)),
        };
        let iter_var2 = match self.variable(args.next()) {
            Ok(name) => name,
            Err(e) => return Ok(Err(e)),
        };
        let (filter, transform) = match (args.next(), args.next()) {
            (Some(filter), Some(transform)) => (Some(filter), Some(transform)),
            (transform, _) => (None, transform),
        };
        let filter = filter.map(|f| self.kept(f));
        let transform = self.required(transform)?;
        let (init, step) = match kind {
            Transform::List => (self.list(Vec::new())?, self.append(transform)?),
            Transform::Map => {
                let accu = self.accu()?;
                let key = self.ident(iter_var.clone())?;
                let step = self.call("cel.@mapInsert", smallvec![accu, key, transform])?;
                (self.empty_map()?, step)
            }
            Transform::MapEntry => {
                let accu = self.accu()?;
                let step = self.call("cel.@mapInsert", smallvec![accu, transform])?;
                (self.empty_map()?, step)
            }
        };
        let step = self.filtered(filter, step)?;
        let condition = self.literal(Literal::Bool(true))?;
        let result = self.accu()?;
        let expr = self.fold(
            iter_var,
            Some(iter_var2),
            range,
            SmolStr::new_static(ACCUMULATOR),
            init,
            condition,
            step,
            result,
        )?;
        Ok(Ok(expr))
    }

    /// `cel.bind(v, init, e)`: a fold over nothing whose accumulator is `v`.
    fn bind(&mut self, args: CallArgs) -> PResult<Result<Expr, ArgError>> {
        let mut args = args.into_iter();
        let var = match self.variable(args.next()) {
            Ok(name) => name,
            Err(e) => return Ok(Err(e)),
        };
        let init = self.required(args.next())?;
        let result = self.required(args.next())?;
        let expr = self.binding(var, init, result)?;
        Ok(Ok(expr))
    }

    /// The `cel.bind` shape: `[]` as range, `var` as accumulator initialised to `init`.
    fn binding(&mut self, var: Name, init: Expr, result: Expr) -> PResult<Expr> {
        let range = self.list(Vec::new())?;
        let condition = self.literal(Literal::Bool(false))?;
        let step = self.ident(var.clone())?;
        self.fold(
            SmolStr::new_static(UNUSED_ITER_VAR),
            None,
            range,
            var,
            init,
            condition,
            step,
            result,
        )
    }

    /// `o.optMap(x, f)`: `o.hasValue() ? optional.of(bind x = o.value() in f) : optional.none()`;
    /// `optFlatMap` leaves out `optional.of`.
    fn opt_map(
        &mut self,
        target: Expr,
        args: CallArgs,
        wrap: bool,
    ) -> PResult<Result<Expr, ArgError>> {
        let mut args = args.into_iter();
        let var = match self.variable(args.next()) {
            Ok(name) => name,
            Err(e) => return Ok(Err(e)),
        };
        let transform = self.required(args.next())?;
        let target_copy = self.copy(&target)?;
        let has_value = self.member_call(target, "hasValue", CallArgs::new())?;
        let value = self.member_call(target_copy, "value", CallArgs::new())?;
        let bound = self.binding(var, value, transform)?;
        let present = if wrap {
            self.call("optional.of", smallvec![bound])?
        } else {
            bound
        };
        let absent = self.call("optional.none", CallArgs::new())?;
        let expr = self.call("_?_:_", smallvec![has_value, present, absent])?;
        Ok(Ok(expr))
    }

    /// `cel.block([bindings], e)` is the call `cel.@block([bindings], e)`.
    fn block(&mut self, args: CallArgs) -> PResult<Result<Expr, ArgError>> {
        let mut args = args.into_iter();
        let (Some(bindings), Some(result)) = (args.next(), args.next()) else {
            return Ok(Err((self.span, messages::BLOCK_NEEDS_LIST)));
        };
        if !matches!(bindings.kind, ExprKind::List(_)) {
            return Ok(Err((self.p.span_of(&bindings), messages::BLOCK_NEEDS_LIST)));
        }
        // `cel.index(N)` stands for entry N, so the tree a block means is its text with every
        // index replaced by its entry: a chain `[[1], [cel.index(0)], [cel.index(1)], ...]`
        // is as deep as its length. Bound that depth like any other, so no later pass (types,
        // values, equality, printing, dropping) meets a deeper structure than the limit.
        let inlined = block_depth(&bindings, &result);
        let bindings = self.kept(bindings);
        let result = self.kept(result);
        let expr = self.call("cel.@block", smallvec![bindings, result])?;
        self.p.deepen(&expr, inlined + 1, self.span)?;
        Ok(Ok(expr))
    }

    /// `cel.index(N)` is the identifier `@indexN`.
    fn index(&mut self, arg: Option<Expr>) -> PResult<Result<Expr, ArgError>> {
        let Some(arg) = arg else {
            return Ok(Err((self.span, messages::INDEX_NEEDS_INT)));
        };
        let Some(n) = non_negative_int(&arg) else {
            return Ok(Err((self.p.span_of(&arg), messages::INDEX_NEEDS_INT)));
        };
        self.consumed(arg);
        let expr = self.ident(SmolStr::from(format!("@index{n}")))?;
        Ok(Ok(expr))
    }

    /// `cel.iterVar(i, j)` is `@it:i:j`; `cel.accuVar(i, j)` is `@ac:i:j`.
    fn compre_var(
        &mut self,
        function: &'static str,
        prefix: &str,
        args: CallArgs,
    ) -> PResult<Result<Expr, ArgError>> {
        let numbers: Vec<Option<i64>> = args.iter().map(non_negative_int).collect();
        if let Some(bad) = args.iter().zip(&numbers).find(|(_, n)| n.is_none()) {
            let span = self.p.span_of(bad.0);
            return Ok(Err((span, compre_var_message(function))));
        }
        let (depth, unique) = match numbers.as_slice() {
            [Some(depth), Some(unique)] => (*depth, *unique),
            _ => return Ok(Err((self.span, compre_var_message(function)))),
        };
        for arg in args {
            self.consumed(arg);
        }
        let expr = self.ident(SmolStr::from(format!("{prefix}:{depth}:{unique}")))?;
        Ok(Ok(expr))
    }

    /// `math.greatest(args)` is `math.@max(args)` for one or two arguments and
    /// `math.@max([args])` for more; `math.least` likewise calls `math.@min`. Arguments that
    /// are literals must be numbers; a single argument may also be a list literal of them.
    fn extreme(
        &mut self,
        greatest: bool,
        target: &Expr,
        args: CallArgs,
    ) -> PResult<Result<Expr, ArgError>> {
        let function = if greatest { "math.@max" } else { "math.@min" };
        match args.as_slice() {
            [] => {
                let message = messages::extreme_needs_argument(greatest);
                return Ok(Err((self.p.span_of(target), message)));
            }
            [arg] if !is_numeric_list_literal(arg) && !may_be_numeric(arg) => {
                let message = messages::extreme_invalid_single_argument(greatest);
                return Ok(Err((self.p.span_of(arg), message)));
            }
            [_] => {}
            _ => {
                if let Some(arg) = args.iter().find(|arg| !may_be_numeric(arg)) {
                    let message = messages::extreme_non_numeric_literal(greatest);
                    return Ok(Err((self.p.span_of(arg), message)));
                }
            }
        }
        let args: CallArgs = args.into_iter().map(|arg| self.kept(arg)).collect();
        let expr = if args.len() <= 2 {
            self.call(function, args)?
        } else {
            let list = self.list(args.into_vec())?;
            self.call(function, smallvec![list])?
        };
        Ok(Ok(expr))
    }

    /// `l.sortBy(e, key)` binds `l` once and sorts it by the keys `map` computes:
    /// `cel.bind(@__sortBy_input__, l,
    ///     @__sortBy_input__.@sortByAssociatedKeys(@__sortBy_input__.map(e, key)))`.
    fn sort_by(
        &mut self,
        target: Expr,
        var: Option<Expr>,
        key: Option<Expr>,
    ) -> PResult<Result<Expr, ArgError>> {
        let sortable = matches!(
            target.kind,
            ExprKind::List(_)
                | ExprKind::Select(_)
                | ExprKind::Ident(_)
                | ExprKind::Comprehension(_)
                | ExprKind::Call(_)
        );
        if !sortable {
            return Ok(Err((self.p.span_of(&target), messages::SORT_BY_TARGET)));
        }
        let iter_var = match self.variable(var) {
            Ok(name) => name,
            Err(e) => return Ok(Err(e)),
        };
        let key = self.required(key)?;
        let input = self.ident(SmolStr::new_static(SORT_BY_INPUT))?;
        let init = self.list(Vec::new())?;
        let condition = self.literal(Literal::Bool(true))?;
        let step = self.append(key)?;
        let result = self.accu()?;
        let keys = self.fold(
            iter_var,
            None,
            input,
            SmolStr::new_static(ACCUMULATOR),
            init,
            condition,
            step,
            result,
        )?;
        let input = self.ident(SmolStr::new_static(SORT_BY_INPUT))?;
        let sorted = self.member_call(input, "@sortByAssociatedKeys", smallvec![keys])?;
        let expr = self.binding(SmolStr::new_static(SORT_BY_INPUT), target, sorted)?;
        Ok(Ok(expr))
    }

    /// `proto.getExt(m, pkg.ext)` selects the field named `pkg.ext` of `m`; `proto.hasExt`
    /// tests its presence.
    fn proto_ext(
        &mut self,
        message: Option<Expr>,
        field: Option<Expr>,
        test_only: bool,
    ) -> PResult<Result<Expr, ArgError>> {
        let (Some(message), Some(field)) = (message, field) else {
            return Ok(Err((self.span, messages::INVALID_EXTENSION_FIELD)));
        };
        let name = match &field.kind {
            ExprKind::Select(_) => qualified_name(&field),
            _ => None,
        };
        let Some(name) = name else {
            return Ok(Err((
                self.p.span_of(&field),
                messages::INVALID_EXTENSION_FIELD,
            )));
        };
        let operand = self.kept(message);
        self.consumed(field);
        let select = Select {
            operand,
            field: SmolStr::from(name),
            test_only,
        };
        let expr = self.operator_node(ExprKind::Select(Box::new(select)))?;
        Ok(Ok(expr))
    }

    /// A deep copy of `expr` with fresh ids and the original spans.
    fn copy(&mut self, expr: &Expr) -> PResult<Expr> {
        let span = self.p.span_of(expr);
        let kind = match &expr.kind {
            ExprKind::Literal(_) | ExprKind::Ident(_) => expr.kind.clone(),
            ExprKind::Select(s) => ExprKind::Select(Box::new(Select {
                operand: self.copy(&s.operand)?,
                field: s.field.clone(),
                test_only: s.test_only,
            })),
            ExprKind::Call(c) => {
                let target = match &c.target {
                    Some(t) => Some(self.copy(t)?),
                    None => None,
                };
                let args = self.copy_all(&c.args)?.into();
                ExprKind::Call(Box::new(crate::ast::Call {
                    target,
                    function: c.function.clone(),
                    args,
                }))
            }
            ExprKind::List(l) => ExprKind::List(Box::new(ListExpr {
                elements: self.copy_all(&l.elements)?,
                optional_indices: l.optional_indices.clone(),
            })),
            ExprKind::Map(m) => {
                let mut entries = Vec::with_capacity(m.entries.len());
                for e in &m.entries {
                    let key = self.copy(&e.key)?;
                    let value = self.copy(&e.value)?;
                    let id = self
                        .p
                        .new_id(self.p.span_of(&key).to(self.p.span_of(&value)), 1)?;
                    entries.push(crate::ast::MapEntry {
                        id,
                        key,
                        value,
                        optional: e.optional,
                    });
                }
                ExprKind::Map(Box::new(MapExpr { entries }))
            }
            ExprKind::Struct(s) => {
                let mut fields = Vec::with_capacity(s.fields.len());
                for f in &s.fields {
                    let value = self.copy(&f.value)?;
                    let id = self.p.new_id(self.p.span_of(&value), 1)?;
                    fields.push(crate::ast::FieldInit {
                        id,
                        name: f.name.clone(),
                        value,
                        optional: f.optional,
                    });
                }
                ExprKind::Struct(Box::new(crate::ast::StructExpr {
                    type_name: s.type_name.clone(),
                    fields,
                }))
            }
            ExprKind::Comprehension(c) => ExprKind::Comprehension(Box::new(Comprehension {
                iter_var: c.iter_var.clone(),
                iter_var2: c.iter_var2.clone(),
                iter_range: self.copy(&c.iter_range)?,
                accu_var: c.accu_var.clone(),
                accu_init: self.copy(&c.accu_init)?,
                loop_condition: self.copy(&c.loop_condition)?,
                loop_step: self.copy(&c.loop_step)?,
                result: self.copy(&c.result)?,
            })),
        };
        // A copy points its errors where the original does.
        match self.p.operator_span_of(expr) {
            Some(operator) => self.p.operator_node(kind, span, operator),
            None => self.p.node(kind, span),
        }
    }

    fn copy_all(&mut self, exprs: &[Expr]) -> PResult<Vec<Expr>> {
        exprs.iter().map(|e| self.copy(e)).collect()
    }
}

/// Whether a `math.greatest`/`math.least` argument may be a number: any expression but a
/// literal that is not a number and a list, map or message literal.
fn may_be_numeric(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Literal(literal) => matches!(
            literal,
            Literal::Int(_) | Literal::Uint(_) | Literal::Double(_)
        ),
        ExprKind::List(_) | ExprKind::Map(_) | ExprKind::Struct(_) => false,
        ExprKind::Ident(_)
        | ExprKind::Select(_)
        | ExprKind::Call(_)
        | ExprKind::Comprehension(_) => true,
    }
}

/// A non-empty list literal whose elements may all be numbers.
fn is_numeric_list_literal(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::List(list) => {
            !list.elements.is_empty() && list.elements.iter().all(may_be_numeric)
        }
        _ => false,
    }
}

/// `a.b.c` as the text `"a.b.c"`, if `expr` is a name made of identifiers and selects only
/// (no leading dot, no presence test).
fn qualified_name(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Ident(name) if !name.starts_with('.') => Some(name.to_string()),
        ExprKind::Select(select) if !select.test_only => {
            let mut name = qualified_name(&select.operand)?;
            name.push('.');
            name.push_str(&select.field);
            Some(name)
        }
        _ => None,
    }
}

fn non_negative_int(expr: &Expr) -> Option<i64> {
    match expr.kind {
        ExprKind::Literal(Literal::Int(n)) if n >= 0 => Some(n),
        _ => None,
    }
}

fn compre_var_message(function: &'static str) -> &'static str {
    if function == "cel.iterVar" {
        messages::ITER_VAR_NEEDS_INTS
    } else {
        messages::ACCU_VAR_NEEDS_INTS
    }
}

/// The depth of a block's tree with every `@indexN` replaced by entry N (entries may name only
/// earlier entries; other names count as leaves). Recurses only as deep as the written tree.
fn block_depth(bindings: &Expr, result: &Expr) -> u32 {
    fn depth(expr: &Expr, entries: &[u32]) -> u32 {
        if let ExprKind::Ident(name) = &expr.kind {
            let entry = name
                .strip_prefix("@index")
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| entries.get(n));
            return entry.copied().unwrap_or(1);
        }
        1 + expr
            .children()
            .into_iter()
            .map(|child| depth(child, entries))
            .max()
            .unwrap_or(0)
    }
    let mut entries = Vec::new();
    if let ExprKind::List(list) = &bindings.kind {
        for element in &list.elements {
            let d = depth(element, &entries);
            entries.push(d);
        }
    }
    let deepest_entry = entries.iter().copied().max().unwrap_or(0);
    depth(result, &entries).max(deepest_entry + 1)
}
