//! The recursive-descent parser: tokens to an expanded AST with ids, spans, limits and error recovery.
//!
//! Precedence, loosest first: `?:`, `||`, `&&`, relations, `+ -`, `* / %`, unary `! -`,
//! then member access, indexing and calls. Logical chains are balanced like cel-go's parser
//! helper does, so `a && b && c && d` is `(a && b) && (c && d)`.
//!
//! Two limits keep every input safe: the parser's own recursion (one level per nested
//! sub-expression or prefix operator) and the depth of every node it builds are both bounded
//! by `ParseOptions::max_depth`; exceeding either stops parsing with one diagnostic.

use smol_str::SmolStr;

use smallvec::smallvec;

use crate::ast::{
    Call, CallArgs, Expr, ExprId, ExprKind, FieldInit, ListExpr, Literal, MacroCalls, MapEntry,
    MapExpr, Name, Select, StructExpr,
};
use crate::lexer::{Token, TokenKind};
use crate::literal;
use crate::macros::{self, Expansion};
use crate::messages;
use crate::options::ParseOptions;
use crate::source::{Diagnostic, Span};

/// Parsing stopped early: a limit was exceeded or the error cap was reached.
pub(crate) struct Abort;

pub(crate) type PResult<T> = Result<T, Abort>;

/// The name error placeholders carry; they only exist in ASTs that are never returned.
const ERROR_NAME: &str = "@error";

/// Words CEL reserves: not usable as identifiers.
fn is_reserved_word(text: &str) -> bool {
    matches!(
        text,
        "as" | "break"
            | "const"
            | "continue"
            | "else"
            | "for"
            | "function"
            | "if"
            | "import"
            | "let"
            | "loop"
            | "package"
            | "namespace"
            | "return"
            | "var"
            | "void"
            | "while"
    )
}

pub(crate) struct Parser<'a> {
    text: &'a str,
    /// Ends with the one `Eof` token.
    tokens: Vec<Token>,
    /// The `Eof` token, returned for any look-ahead past the end.
    eof: Token,
    pos: usize,
    pub(crate) options: &'a ParseOptions,
    /// Span of every id; index 0 is unused.
    pub(crate) spans: Vec<Span>,
    /// Depth of the subtree under every id, parallel to `spans`.
    depths: Vec<u32>,
    /// The operator token of every node that has one, in id order (see `Ast::operator_spans`).
    pub(crate) operator_spans: Vec<(ExprId, Span)>,
    pub(crate) macro_calls: MacroCalls,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// How many nested sub-expressions the parser is inside of now.
    nesting: u32,
    pub(crate) limit_exceeded: bool,
}

/// What a finished parse produced: the tree and its tables, or the diagnostics.
pub(crate) struct Parsed {
    pub expr: Expr,
    pub spans: Vec<Span>,
    pub operator_spans: Vec<(ExprId, Span)>,
    pub macro_calls: MacroCalls,
}

pub(crate) struct Failed {
    pub diagnostics: Vec<Diagnostic>,
    pub limit_exceeded: bool,
}

/// Buffers a parse needs only while it runs, handed from one parse to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The tokens, ending with `Eof`.
    pub tokens: Vec<Token>,
    /// The depth of the subtree under every id (cleared by the parser).
    pub depths: Vec<u32>,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(
        text: &'a str,
        scratch: Scratch,
        diagnostics: Vec<Diagnostic>,
        options: &'a ParseOptions,
    ) -> Parser<'a> {
        let Scratch { tokens, mut depths } = scratch;
        // About one node per token, plus the nodes macro expansions add; index 0 is unused.
        let capacity = tokens.len() + tokens.len() / 2 + 2;
        let mut spans = Vec::with_capacity(capacity);
        spans.push(Span::default());
        depths.clear();
        depths.reserve(capacity);
        depths.push(0);
        let operator_spans = Vec::with_capacity(tokens.len() / 2);
        let eof = tokens.last().copied().unwrap_or(Token {
            kind: TokenKind::Eof,
            span: Span::default(),
        });
        Parser {
            text,
            tokens,
            eof,
            pos: 0,
            options,
            spans,
            depths,
            operator_spans,
            macro_calls: MacroCalls::new(),
            diagnostics,
            nesting: 0,
            limit_exceeded: false,
        }
    }

    /// Parses the whole input as one expression; gives back the scratch buffers.
    pub(crate) fn parse(mut self) -> (Result<Parsed, Failed>, Scratch) {
        let result = self.parse_root();
        let scratch = Scratch {
            tokens: self.tokens,
            depths: self.depths,
        };
        let result = match result {
            Ok(expr) if self.diagnostics.is_empty() => Ok(Parsed {
                expr,
                spans: self.spans,
                operator_spans: self.operator_spans,
                macro_calls: self.macro_calls,
            }),
            _ => {
                let mut diagnostics = self.diagnostics;
                diagnostics.sort_by_key(|d| d.span.start);
                Err(Failed {
                    diagnostics,
                    limit_exceeded: self.limit_exceeded,
                })
            }
        };
        (result, scratch)
    }

    fn parse_root(&mut self) -> PResult<Expr> {
        let expr = self.parse_expr()?;
        if !self.at(TokenKind::Eof) {
            self.unexpected("an operator or end of input")?;
        }
        Ok(expr)
    }

    // ---- tokens ----

    fn peek(&self) -> Token {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> Token {
        self.tokens
            .get(self.pos + ahead)
            .copied()
            .unwrap_or(self.eof)
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.peek().kind == kind
    }

    fn bump(&mut self) -> Token {
        let token = self.peek();
        if token.kind != TokenKind::Eof {
            self.pos += 1;
        }
        token
    }

    fn eat(&mut self, kind: TokenKind) -> Option<Token> {
        if self.at(kind) {
            Some(self.bump())
        } else {
            None
        }
    }

    fn text_of(&self, span: Span) -> &'a str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    // ---- diagnostics and limits ----

    /// Records a problem; stops parsing once `max_errors` problems are known.
    pub(crate) fn report(&mut self, span: Span, message: impl Into<String>) -> PResult<()> {
        // A second complaint at the same place is noise from the first one.
        if self
            .diagnostics
            .last()
            .is_some_and(|d| d.span.start == span.start)
        {
            return Ok(());
        }
        self.diagnostics.push(Diagnostic::new(span, message));
        if self.diagnostics.len() >= self.options.max_errors.max(1) {
            return Err(Abort);
        }
        Ok(())
    }

    /// Reports the current token as unexpected, unless the lexer already reported it.
    fn unexpected(&mut self, expected: &str) -> PResult<()> {
        let token = self.peek();
        if token.kind == TokenKind::Error {
            return Ok(());
        }
        let found = match token.kind {
            TokenKind::Eof => "end of input".to_string(),
            _ => format!("'{}'", messages::printable(self.text_of(token.span))),
        };
        self.report(token.span, messages::unexpected(&found, expected))
    }

    fn too_deep(&mut self, span: Span) -> Abort {
        self.limit_exceeded = true;
        self.diagnostics.push(Diagnostic::new(
            span,
            messages::too_deep(self.options.max_depth),
        ));
        Abort
    }

    fn too_large(&mut self, span: Span) -> Abort {
        self.limit_exceeded = true;
        self.diagnostics.push(Diagnostic::new(
            span,
            messages::too_many_nodes(self.options.max_nodes),
        ));
        Abort
    }

    /// Enters one level of parser recursion.
    fn enter(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > self.options.max_depth {
            let span = self.peek().span;
            return Err(self.too_deep(span));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting = self.nesting.saturating_sub(1);
    }

    // ---- node construction ----

    pub(crate) fn span_of(&self, expr: &Expr) -> Span {
        self.spans.get(expr.id.index()).copied().unwrap_or_default()
    }

    fn depth_of(&self, expr: &Expr) -> u32 {
        self.depths.get(expr.id.index()).copied().unwrap_or(0)
    }

    /// A fresh id for a node of the given depth; fails once the depth passes the limit.
    pub(crate) fn new_id(&mut self, span: Span, depth: u32) -> PResult<ExprId> {
        if depth > self.options.max_depth {
            return Err(self.too_deep(span));
        }
        if self.spans.len() >= self.options.max_nodes {
            return Err(self.too_large(span));
        }
        let id = ExprId(self.spans.len() as u32);
        self.spans.push(span);
        self.depths.push(depth);
        Ok(id)
    }

    /// Records that `expr` stands for a tree `depth` deep (a `cel.block` with its indexes
    /// inlined); fails once that passes the limit.
    pub(crate) fn deepen(&mut self, expr: &Expr, depth: u32, span: Span) -> PResult<()> {
        if depth > self.options.max_depth {
            return Err(self.too_deep(span));
        }
        if let Some(d) = self.depths.get_mut(expr.id.index()) {
            *d = (*d).max(depth);
        }
        Ok(())
    }

    /// Builds a node with a fresh id, checking the depth of the tree it tops.
    pub(crate) fn node(&mut self, kind: ExprKind, span: Span) -> PResult<Expr> {
        let depth = 1 + self.max_child_depth(&kind);
        let id = self.new_id(span, depth)?;
        Ok(Expr { id, kind })
    }

    fn max_child_depth(&self, kind: &ExprKind) -> u32 {
        let max = |exprs: &[Expr]| exprs.iter().map(|e| self.depth_of(e)).max().unwrap_or(0);
        match kind {
            ExprKind::Literal(_) | ExprKind::Ident(_) => 0,
            ExprKind::Select(s) => self.depth_of(&s.operand),
            ExprKind::Call(c) => {
                let target = c.target.as_ref().map_or(0, |t| self.depth_of(t));
                target.max(max(&c.args))
            }
            ExprKind::List(l) => max(&l.elements),
            ExprKind::Map(m) => m
                .entries
                .iter()
                .map(|e| self.depth_of(&e.key).max(self.depth_of(&e.value)))
                .max()
                .unwrap_or(0),
            ExprKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| self.depth_of(&f.value))
                .max()
                .unwrap_or(0),
            ExprKind::Comprehension(c) => [
                &c.iter_range,
                &c.accu_init,
                &c.loop_condition,
                &c.loop_step,
                &c.result,
            ]
            .into_iter()
            .map(|e| self.depth_of(e))
            .max()
            .unwrap_or(0),
        }
    }

    pub(crate) fn error_expr(&mut self, span: Span) -> PResult<Expr> {
        self.ident(SmolStr::new_static(ERROR_NAME), span)
    }

    pub(crate) fn ident(&mut self, name: Name, span: Span) -> PResult<Expr> {
        self.node(ExprKind::Ident(name), span)
    }

    pub(crate) fn literal_node(&mut self, literal: Literal, span: Span) -> PResult<Expr> {
        self.node(ExprKind::Literal(literal), span)
    }

    /// Builds a node whose errors point at `operator` (see `Ast::operator_spans`).
    pub(crate) fn operator_node(
        &mut self,
        kind: ExprKind,
        span: Span,
        operator: Span,
    ) -> PResult<Expr> {
        let expr = self.node(kind, span)?;
        // Ids only grow, so pushing keeps the table sorted by id.
        self.operator_spans.push((expr.id, operator));
        Ok(expr)
    }

    /// A global call whose errors point at `operator`.
    pub(crate) fn operator_call(
        &mut self,
        function: &'static str,
        args: CallArgs,
        span: Span,
        operator: Span,
    ) -> PResult<Expr> {
        let call = Call {
            target: None,
            function: SmolStr::new_static(function),
            args,
        };
        self.operator_node(ExprKind::Call(Box::new(call)), span, operator)
    }

    /// The operator span recorded for `expr`, if any.
    pub(crate) fn operator_span_of(&self, expr: &Expr) -> Option<Span> {
        let i = self
            .operator_spans
            .binary_search_by_key(&expr.id, |&(id, _)| id)
            .ok()?;
        self.operator_spans.get(i).map(|&(_, span)| span)
    }

    fn binary(
        &mut self,
        function: &'static str,
        lhs: Expr,
        rhs: Expr,
        operator: Span,
    ) -> PResult<Expr> {
        let span = self.span_of(&lhs).to(self.span_of(&rhs));
        self.operator_call(function, smallvec![lhs, rhs], span, operator)
    }

    // ---- expressions, loosest binding first ----

    /// One sub-expression: counts as a level of nesting. Also parses `c ? a : b`.
    fn parse_expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let condition = self.parse_binary(Prec::Or);
        let result = match condition {
            Ok(condition) if self.at(TokenKind::Question) => self.parse_conditional(condition),
            other => other,
        };
        self.leave();
        result
    }

    /// The rest of `condition ? if_true : if_false`, from the `?`.
    fn parse_conditional(&mut self, condition: Expr) -> PResult<Expr> {
        let question = self.bump().span;
        let if_true = self.parse_binary(Prec::Or)?;
        if self.eat(TokenKind::Colon).is_none() {
            self.unexpected("':'")?;
            return self.error_expr(self.span_of(&condition));
        }
        let if_false = self.parse_expr()?;
        let span = self.span_of(&condition).to(self.span_of(&if_false));
        self.operator_call(
            "_?_:_",
            smallvec![condition, if_true, if_false],
            span,
            question,
        )
    }

    /// Binary operators binding at least as tightly as `min`, by precedence climbing.
    ///
    /// Left-associative; `&&` and `||` chains are collected and balanced.
    fn parse_binary(&mut self, min: Prec) -> PResult<Expr> {
        let mut lhs = self.parse_unary()?;
        while let Some((function, prec)) = binary_operator(self.peek().kind) {
            if prec < min {
                break;
            }
            let op = self.bump();
            if matches!(prec, Prec::Or | Prec::And) {
                lhs = self.parse_logical_chain(lhs, op, function, prec)?;
                continue;
            }
            let rhs = self.parse_binary(prec.tighter())?;
            lhs = self.binary(function, lhs, rhs, op.span)?;
        }
        Ok(lhs)
    }

    /// `first op b op c ...`, the first `op` already eaten, as a balanced tree.
    fn parse_logical_chain(
        &mut self,
        first: Expr,
        op: Token,
        function: &'static str,
        prec: Prec,
    ) -> PResult<Expr> {
        let mut terms = vec![first, self.parse_binary(prec.tighter())?];
        // `ops[i]` is the operator between `terms[i]` and `terms[i + 1]`.
        let mut ops = vec![op.span];
        while let Some(next) = self.eat(op.kind) {
            ops.push(next.span);
            terms.push(self.parse_binary(prec.tighter())?);
        }
        let count = terms.len();
        self.balance(function, &mut terms.into_iter(), &ops, 0, count)
    }

    /// Joins terms `first..first + count` (the next `count` of `terms`) into a tree of depth
    /// about log2(count), as cel-go does; each join points at the operator between its halves.
    fn balance(
        &mut self,
        function: &'static str,
        terms: &mut std::vec::IntoIter<Expr>,
        ops: &[Span],
        first: usize,
        count: usize,
    ) -> PResult<Expr> {
        if count <= 1 {
            return match terms.next() {
                Some(term) => Ok(term),
                None => self.error_expr(Span::default()),
            };
        }
        let left_count = (count - 1) / 2 + 1;
        let left = self.balance(function, terms, ops, first, left_count)?;
        let right = self.balance(function, terms, ops, first + left_count, count - left_count)?;
        let op = ops.get(first + left_count - 1).copied().unwrap_or_default();
        self.binary(function, left, right, op)
    }

    /// `!x`, `-x` (repeatable; `-` directly before a number is part of the literal), or a
    /// primary followed by any number of `.f`, `.?f`, `.f(args)`, `[i]` and `[?i]`.
    fn parse_unary(&mut self) -> PResult<Expr> {
        let token = self.peek();
        let function = match token.kind {
            TokenKind::Bang => "!_",
            TokenKind::Minus if !self.negative_literal_ahead() => "-_",
            _ => return self.parse_member(),
        };
        self.bump();
        self.enter()?;
        let operand = self.parse_unary();
        self.leave();
        let operand = operand?;
        let span = token.span.to(self.span_of(&operand));
        self.operator_call(function, smallvec![operand], span, token.span)
    }

    fn negative_literal_ahead(&self) -> bool {
        self.peek().kind == TokenKind::Minus
            && matches!(self.peek_at(1).kind, TokenKind::Int | TokenKind::Double)
    }

    /// A primary followed by any number of `.f`, `.?f`, `.f(args)`, `[i]` and `[?i]`.
    fn parse_member(&mut self) -> PResult<Expr> {
        let mut expr = self.parse_primary()?;
        loop {
            expr = match self.peek().kind {
                TokenKind::Dot => self.parse_dot_suffix(expr)?,
                TokenKind::LBracket => self.parse_index(expr)?,
                _ => return Ok(expr),
            };
        }
    }

    fn parse_dot_suffix(&mut self, operand: Expr) -> PResult<Expr> {
        let dot = self.bump().span;
        let optional = self.eat_optional_marker(".?")?.is_some();
        let name = self.peek();
        let field = match name.kind {
            TokenKind::Ident => SmolStr::new(self.text_of(name.span)),
            TokenKind::EscapedIdent => self.escaped_name(name),
            _ => {
                self.unexpected("a field name")?;
                if is_keyword(name.kind) {
                    // `a.in` meant a field; reading `in` as an operator would only add noise.
                    self.bump();
                }
                return self.error_expr(self.span_of(&operand));
            }
        };
        self.bump();
        let span = self.span_of(&operand).to(name.span);
        let operator = dot.to(name.span);
        if self.at(TokenKind::LParen) && !optional {
            if name.kind == TokenKind::EscapedIdent {
                self.report(name.span, messages::ESCAPED_IDENT_NOT_CALLABLE)?;
            }
            let at = CallName {
                start: span.start,
                name: name.span,
                operator: Some(operator),
            };
            return self.parse_call(Some(operand), field, at);
        }
        if optional {
            let field = self.literal_node(Literal::String(field), name.span)?;
            return self.operator_call("_?._", smallvec![operand, field], span, operator);
        }
        let select = Select {
            operand,
            field,
            test_only: false,
        };
        self.operator_node(ExprKind::Select(Box::new(select)), span, operator)
    }

    fn escaped_name(&self, token: Token) -> Name {
        let text = self.text_of(token.span);
        let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
        SmolStr::new(inner)
    }

    /// Eats a `?` (in `.?f`, `[?i]`, `[?e]`, `{?k: v}`) and returns its span, reporting it
    /// when optional syntax is off.
    fn eat_optional_marker(&mut self, syntax: &str) -> PResult<Option<Span>> {
        let Some(question) = self.eat(TokenKind::Question) else {
            return Ok(None);
        };
        if !self.options.optional_syntax {
            self.report(question.span, messages::unsupported_optional_syntax(syntax))?;
        }
        Ok(Some(question.span))
    }

    fn parse_index(&mut self, operand: Expr) -> PResult<Expr> {
        let open = self.bump().span;
        let question = self.eat_optional_marker("[?")?;
        let index = self.parse_expr()?;
        let end = self.expect_close(TokenKind::RBracket, "']'")?;
        let span = Span::new(self.span_of(&operand).start, end);
        let (function, operator) = match question {
            Some(question) => ("_[?_]", open.to(question)),
            None => ("_[_]", open),
        };
        self.operator_call(function, smallvec![operand, index], span, operator)
    }

    /// Eats `close` and returns where it ends, or reports it missing.
    fn expect_close(&mut self, close: TokenKind, shown: &str) -> PResult<u32> {
        match self.eat(close) {
            Some(token) => Ok(token.span.end),
            None => {
                let at = self.peek().span.start;
                self.unexpected(shown)?;
                Ok(at)
            }
        }
    }

    /// The arguments of a call whose name was just read, then the call or its macro expansion.
    fn parse_call(&mut self, target: Option<Expr>, function: Name, at: CallName) -> PResult<Expr> {
        self.bump();
        let mut args = CallArgs::new();
        let mut seq = Sequence::new(TokenKind::RParen, false, "',' or ')'");
        while self.next_item(&mut seq)? {
            args.push(self.parse_expr()?);
            if !self.end_item(&mut seq)? {
                break;
            }
        }
        let span = Span::new(at.start, seq.end);
        match macros::expand(self, target, function, args, span, at.name)? {
            Expansion::Expanded(expr) => Ok(expr),
            Expansion::NotAMacro {
                target,
                function,
                args,
            } => {
                let call = Call {
                    target,
                    function,
                    args,
                };
                let kind = ExprKind::Call(Box::new(call));
                match at.operator {
                    Some(operator) => self.operator_node(kind, span, operator),
                    None => self.node(kind, span),
                }
            }
        }
    }

    fn parse_primary(&mut self) -> PResult<Expr> {
        let token = self.peek();
        match token.kind {
            TokenKind::Int
            | TokenKind::Uint
            | TokenKind::Double
            | TokenKind::String
            | TokenKind::Bytes
            | TokenKind::True
            | TokenKind::False
            | TokenKind::Null => {
                self.bump();
                self.parse_literal(token)
            }
            TokenKind::Minus if self.negative_literal_ahead() => {
                self.bump();
                let number = self.bump();
                self.parse_negative_literal(token.span, number)
            }
            TokenKind::Ident | TokenKind::Dot => match self.message_brace_ahead() {
                Some(brace) => self.parse_message(brace),
                None => self.parse_name(),
            },
            TokenKind::LParen => {
                self.bump();
                let expr = self.parse_expr()?;
                self.expect_close(TokenKind::RParen, "')'")?;
                Ok(expr)
            }
            TokenKind::LBracket => self.parse_list(),
            TokenKind::LBrace => self.parse_map(),
            TokenKind::EscapedIdent => {
                self.bump();
                self.report(token.span, messages::ESCAPED_IDENT_NOT_FIELD)?;
                self.error_expr(token.span)
            }
            TokenKind::Error => {
                self.bump();
                self.error_expr(token.span)
            }
            _ => {
                self.unexpected("an expression")?;
                self.error_expr(token.span)
            }
        }
    }

    fn parse_literal(&mut self, token: Token) -> PResult<Expr> {
        let text = self.text_of(token.span);
        let literal = match token.kind {
            TokenKind::Int => literal::int_magnitude(text)
                .and_then(|m| i64::try_from(m).ok())
                .map(Literal::Int)
                .ok_or(messages::INT_OUT_OF_RANGE),
            TokenKind::Uint => literal::uint_value(text)
                .map(Literal::Uint)
                .ok_or(messages::UINT_OUT_OF_RANGE),
            TokenKind::Double => literal::double_value(text)
                .map(Literal::Double)
                .ok_or(messages::DOUBLE_OUT_OF_RANGE),
            TokenKind::True => Ok(Literal::Bool(true)),
            TokenKind::False => Ok(Literal::Bool(false)),
            TokenKind::Null => Ok(Literal::Null),
            _ => match literal::decode_quoted(text, token.span.start) {
                Ok(literal) => Ok(literal),
                Err(diagnostic) => {
                    self.report(diagnostic.span, diagnostic.message)?;
                    return self.error_expr(token.span);
                }
            },
        };
        match literal {
            Ok(literal) => self.literal_node(literal, token.span),
            Err(message) => {
                self.report(token.span, message)?;
                self.error_expr(token.span)
            }
        }
    }

    /// `-` directly applied to an int or double literal: one literal, so `-9223372036854775808` fits.
    fn parse_negative_literal(&mut self, minus: Span, number: Token) -> PResult<Expr> {
        let span = minus.to(number.span);
        let text = self.text_of(number.span);
        let literal = if number.kind == TokenKind::Int {
            literal::int_magnitude(text)
                .filter(|&m| m <= i64::MIN.unsigned_abs())
                .map(|m| Literal::Int((m as i64).wrapping_neg()))
                .ok_or(messages::INT_OUT_OF_RANGE)
        } else {
            literal::double_value(text)
                .map(|value| Literal::Double(-value))
                .ok_or(messages::DOUBLE_OUT_OF_RANGE)
        };
        match literal {
            Ok(literal) => self.literal_node(literal, span),
            Err(message) => {
                self.report(span, message)?;
                self.error_expr(span)
            }
        }
    }

    /// `x`, `.x`, `f(args)` or `.f(args)`.
    fn parse_name(&mut self) -> PResult<Expr> {
        let first = self.peek();
        let leading_dot = self.eat(TokenKind::Dot).is_some();
        let name_token = self.peek();
        if name_token.kind != TokenKind::Ident {
            self.unexpected("an identifier")?;
            return self.error_expr(first.span);
        }
        self.bump();
        let span = first.span.to(name_token.span);
        let text = self.text_of(name_token.span);
        if is_reserved_word(text) {
            self.report(name_token.span, messages::reserved_identifier(text))?;
        }
        let name = if leading_dot {
            SmolStr::from(format!(".{text}"))
        } else {
            SmolStr::new(text)
        };
        if self.at(TokenKind::LParen) {
            let at = CallName {
                start: span.start,
                name: name_token.span,
                operator: None,
            };
            return self.parse_call(None, name, at);
        }
        self.node(ExprKind::Ident(name), span)
    }

    /// If the tokens ahead are `.`? `a` (`.` `b`)* `{`, the index of that `{`.
    fn message_brace_ahead(&self) -> Option<usize> {
        let mut i = self.pos;
        let kind_at = |i: usize| self.tokens.get(i).map(|t| t.kind);
        if kind_at(i) == Some(TokenKind::Dot) {
            i += 1;
        }
        if kind_at(i) != Some(TokenKind::Ident) {
            return None;
        }
        i += 1;
        while kind_at(i) == Some(TokenKind::Dot) && kind_at(i + 1) == Some(TokenKind::Ident) {
            i += 2;
        }
        (kind_at(i) == Some(TokenKind::LBrace)).then_some(i)
    }

    /// `pkg.Msg{f: v, ?g: w}`; the name's tokens run from the current token to `brace`.
    fn parse_message(&mut self, brace: usize) -> PResult<Expr> {
        let start = self.peek().span.start;
        let type_name = self.qualified_name(self.pos, brace);
        self.pos = brace + 1;
        let mut fields = Vec::new();
        let mut seq = Sequence::new(TokenKind::RBrace, true, "',' or '}'");
        while self.next_item(&mut seq)? {
            fields.extend(self.parse_field_init()?);
            if !self.end_item(&mut seq)? {
                break;
            }
        }
        let message = StructExpr { type_name, fields };
        self.node(
            ExprKind::Struct(Box::new(message)),
            Span::new(start, seq.end),
        )
    }

    /// The text of tokens `from..to`, without any whitespace or comments between them.
    fn qualified_name(&self, from: usize, to: usize) -> Name {
        let tokens = self.tokens.get(from..to).unwrap_or(&[]);
        let adjacent = tokens.windows(2).all(|w| w[0].span.end == w[1].span.start);
        match (tokens.first(), tokens.last()) {
            (Some(first), Some(last)) if adjacent => {
                SmolStr::new(self.text_of(first.span.to(last.span)))
            }
            _ => SmolStr::from(
                tokens
                    .iter()
                    .map(|t| self.text_of(t.span))
                    .collect::<String>(),
            ),
        }
    }

    fn parse_field_init(&mut self) -> PResult<Option<FieldInit>> {
        let start = self.peek().span;
        let optional = self.eat_optional_marker("?")?.is_some();
        let name_token = self.peek();
        let name = match name_token.kind {
            TokenKind::Ident => SmolStr::new(self.text_of(name_token.span)),
            TokenKind::EscapedIdent => self.escaped_name(name_token),
            _ => {
                self.unexpected("a field name")?;
                return Ok(None);
            }
        };
        self.bump();
        if self.eat(TokenKind::Colon).is_none() {
            self.unexpected("':'")?;
            return Ok(None);
        }
        let value = self.parse_expr()?;
        let span = start.to(self.span_of(&value));
        let id = self.new_id(span, self.depth_of(&value) + 1)?;
        Ok(Some(FieldInit {
            id,
            name,
            value,
            optional,
        }))
    }

    /// `[a, ?b, c,]`
    fn parse_list(&mut self) -> PResult<Expr> {
        let open = self.bump();
        let mut elements = Vec::new();
        let mut optional_indices = Vec::new();
        let mut seq = Sequence::new(TokenKind::RBracket, true, "',' or ']'");
        while self.next_item(&mut seq)? {
            if self.eat_optional_marker("?")?.is_some() {
                optional_indices.push(elements.len() as u32);
            }
            elements.push(self.parse_expr()?);
            if !self.end_item(&mut seq)? {
                break;
            }
        }
        let list = ListExpr {
            elements,
            optional_indices,
        };
        let span = Span::new(open.span.start, seq.end);
        self.node(ExprKind::List(Box::new(list)), span)
    }

    /// `{k: v, ?k2: v2,}`
    fn parse_map(&mut self) -> PResult<Expr> {
        let open = self.bump();
        let mut entries = Vec::new();
        let mut seq = Sequence::new(TokenKind::RBrace, true, "',' or '}'");
        while self.next_item(&mut seq)? {
            entries.extend(self.parse_map_entry()?);
            if !self.end_item(&mut seq)? {
                break;
            }
        }
        let map = MapExpr { entries };
        let span = Span::new(open.span.start, seq.end);
        self.node(ExprKind::Map(Box::new(map)), span)
    }

    fn parse_map_entry(&mut self) -> PResult<Option<MapEntry>> {
        let optional = self.eat_optional_marker("?")?.is_some();
        let key = self.parse_expr()?;
        if self.eat(TokenKind::Colon).is_none() {
            self.unexpected("':'")?;
            return Ok(None);
        }
        let value = self.parse_expr()?;
        let span = self.span_of(&key).to(self.span_of(&value));
        let depth = self.depth_of(&key).max(self.depth_of(&value)) + 1;
        let id = self.new_id(span, depth)?;
        Ok(Some(MapEntry {
            id,
            key,
            value,
            optional,
        }))
    }

    /// Starts the next item of a comma-separated sequence; false once its closing bracket
    /// is eaten (then `seq.end` is where it ends).
    ///
    /// The caller parses items itself (no closure), keeping recursion frames few and small.
    fn next_item(&mut self, seq: &mut Sequence) -> PResult<bool> {
        if seq.first
            && seq.trailing_comma
            && self.at(TokenKind::Comma)
            && self.peek_at(1).kind == seq.close
        {
            self.bump();
        }
        if (seq.first || seq.trailing_comma)
            && let Some(token) = self.eat(seq.close)
        {
            seq.end = token.span.end;
            return Ok(false);
        }
        seq.first = false;
        seq.errors_before = self.diagnostics.len();
        Ok(true)
    }

    /// Ends an item: after a broken one skips to the next `,` or closing bracket, so one
    /// input can report several independent errors. False when the sequence is over.
    fn end_item(&mut self, seq: &mut Sequence) -> PResult<bool> {
        if self.diagnostics.len() > seq.errors_before {
            self.skip_to_delimiter();
        }
        if self.eat(TokenKind::Comma).is_some() {
            return Ok(true);
        }
        if let Some(token) = self.eat(seq.close) {
            seq.end = token.span.end;
            return Ok(false);
        }
        self.unexpected(seq.expected)?;
        self.skip_to_delimiter();
        if self.eat(TokenKind::Comma).is_some() {
            return Ok(true);
        }
        let at = self.peek().span.start;
        seq.end = self.eat(seq.close).map_or(at, |token| token.span.end);
        Ok(false)
    }

    /// Skips tokens up to a `,` or an unmatched closing bracket (or the end).
    fn skip_to_delimiter(&mut self) {
        let mut open = 0u32;
        loop {
            match self.peek().kind {
                TokenKind::Eof => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => open += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if open == 0 {
                        return;
                    }
                    open -= 1;
                }
                TokenKind::Comma if open == 0 => return,
                _ => {}
            }
            self.bump();
        }
    }
}

fn is_keyword(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::True | TokenKind::False | TokenKind::Null | TokenKind::In
    )
}

/// Where a call's name is: where the call starts, the function name token, and for member
/// calls the operator span (`.` through the name).
#[derive(Clone, Copy)]
struct CallName {
    start: u32,
    name: Span,
    operator: Option<Span>,
}

/// The state of a comma-separated sequence: call arguments, list, map or message entries.
struct Sequence {
    close: TokenKind,
    trailing_comma: bool,
    /// What an error after an item says was expected, e.g. `',' or ')'`.
    expected: &'static str,
    first: bool,
    errors_before: usize,
    /// Where the closing bracket ends (or where it was missing).
    end: u32,
}

impl Sequence {
    fn new(close: TokenKind, trailing_comma: bool, expected: &'static str) -> Sequence {
        Sequence {
            close,
            trailing_comma,
            expected,
            first: true,
            errors_before: 0,
            end: 0,
        }
    }
}

/// Binary operator precedence, loosest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Or,
    And,
    Relation,
    Additive,
    Multiplicative,
    /// Tighter than any binary operator: only a unary expression.
    Unary,
}

impl Prec {
    fn tighter(self) -> Prec {
        match self {
            Prec::Or => Prec::And,
            Prec::And => Prec::Relation,
            Prec::Relation => Prec::Additive,
            Prec::Additive => Prec::Multiplicative,
            Prec::Multiplicative | Prec::Unary => Prec::Unary,
        }
    }
}

/// The function and precedence of a binary operator token.
fn binary_operator(kind: TokenKind) -> Option<(&'static str, Prec)> {
    use TokenKind::*;
    let operator = match kind {
        OrOr => ("_||_", Prec::Or),
        AndAnd => ("_&&_", Prec::And),
        Less => ("_<_", Prec::Relation),
        LessEq => ("_<=_", Prec::Relation),
        Greater => ("_>_", Prec::Relation),
        GreaterEq => ("_>=_", Prec::Relation),
        EqEq => ("_==_", Prec::Relation),
        NotEq => ("_!=_", Prec::Relation),
        In => ("@in", Prec::Relation),
        Plus => ("_+_", Prec::Additive),
        Minus => ("_-_", Prec::Additive),
        Star => ("_*_", Prec::Multiplicative),
        Slash => ("_/_", Prec::Multiplicative),
        Percent => ("_%_", Prec::Multiplicative),
        _ => return None,
    };
    Some(operator)
}
