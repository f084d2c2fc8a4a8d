//! Auto-parameterization: one walk over a parsed expression writes its template key (the
//! structure, with hoisted literals replaced by typed slots) and collects the request's
//! literal values in slot order.
//!
//! The key is a compact, prefix-free byte encoding: the environment id, then per node its id,
//! a tag and its names, kept literal values or the slot's type. Two expressions share a key
//! exactly when they compile to the same program up to the values of their hoisted literals.
//! Node ids are part of the key, so a runtime error raised by node `n` of the shared program
//! is located through node `n` of the request's own span table.

use celd::Value;
use celd::layers::eval::planner::literal_value;
use celd::layers::syntax::ast::{Call, Comprehension, Expr, ExprKind, Literal};
use celd::layers::syntax::{Ast, ExprId, Span};
use smallvec::SmallVec;

use crate::shaping::{HostCalls, Site, call_folds, folds, keeps_value};

/// Literal values of one request, in slot order.
pub type Params = SmallVec<[Value; 4]>;

/// The output of one walk; reused between requests so a hit allocates nothing here.
#[derive(Default)]
pub(crate) struct Template {
    pub key: Vec<u8>,
    pub params: Params,
    /// The node id of each slot's literal, in slot order.
    pub slots: SmallVec<[ExprId; 4]>,
}

mod tag {
    pub const LITERAL: u8 = 1;
    pub const SLOT: u8 = 2;
    pub const IDENT: u8 = 3;
    pub const SELECT: u8 = 4;
    pub const HAS: u8 = 5;
    pub const CALL: u8 = 6;
    pub const METHOD: u8 = 7;
    pub const LIST: u8 = 8;
    pub const MAP: u8 = 9;
    pub const STRUCT: u8 = 10;
    pub const COMPREHENSION: u8 = 11;
    pub const COMPREHENSION2: u8 = 12;
}

/// The type byte of a literal, so `x + 1` and `x + 1.0` get different keys.
fn literal_kind(literal: &Literal) -> u8 {
    match literal {
        Literal::Null => 0,
        Literal::Bool(false) => 1,
        Literal::Bool(true) => 2,
        Literal::Int(_) => 3,
        Literal::Uint(_) => 4,
        Literal::Double(_) => 5,
        Literal::String(_) => 6,
        Literal::Bytes(_) => 7,
    }
}

impl Template {
    /// Rewrites `self` for `ast` in the environment `env`.
    pub fn fill(&mut self, ast: &Ast, env: &celd::Env) {
        self.key.clear();
        self.params.clear();
        self.slots.clear();
        self.key.extend_from_slice(&env.id().to_le_bytes());
        let mut walk = Walk {
            spans: &ast.spans,
            out: self,
            host: env.has_host_functions().then_some(env),
        };
        walk.expr(&ast.expr, Span::default(), Site::default());
    }
}

struct Walk<'a> {
    spans: &'a [Span],
    out: &'a mut Template,
    /// The environment, when it has host functions (their calls are never folded).
    host: HostCalls<'a>,
}

impl<'a> Walk<'a> {
    fn span(&self, id: ExprId) -> Span {
        self.spans.get(id.index()).copied().unwrap_or_default()
    }

    fn byte(&mut self, b: u8) {
        self.out.key.push(b);
    }

    fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.out.key.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.out.key.push(n as u8);
    }

    fn name(&mut self, name: &str) {
        self.varint(name.len() as u64);
        self.out.key.extend_from_slice(name.as_bytes());
    }

    fn expr(&mut self, e: &'a Expr, parent_span: Span, site: Site<'a>) {
        self.varint(u64::from(e.id.0));
        let span = self.span(e.id);
        match &e.kind {
            ExprKind::Literal(literal) => {
                let site = Site {
                    generated: span == parent_span || span.is_empty(),
                    ..site
                };
                self.literal(e.id, literal, &site);
            }
            ExprKind::Ident(name) => {
                self.byte(tag::IDENT);
                self.name(name);
            }
            ExprKind::Select(select) => {
                self.byte(if select.test_only {
                    tag::HAS
                } else {
                    tag::SELECT
                });
                self.name(&select.field);
                self.expr(&select.operand, span, Site::default());
            }
            ExprKind::Call(call) => self.call(call, span),
            ExprKind::List(list) => {
                self.byte(tag::LIST);
                self.varint(list.elements.len() as u64);
                self.varint(list.optional_indices.len() as u64);
                for &i in &list.optional_indices {
                    self.varint(u64::from(i));
                }
                let site = Site {
                    constant_parent: folds(list.elements.iter(), self.host),
                    ..Site::default()
                };
                for element in &list.elements {
                    self.expr(element, span, site);
                }
            }
            ExprKind::Map(map) => {
                self.byte(tag::MAP);
                self.varint(map.entries.len() as u64);
                let children = map.entries.iter().flat_map(|e| [&e.key, &e.value]);
                let site = Site {
                    constant_parent: folds(children, self.host),
                    ..Site::default()
                };
                for entry in &map.entries {
                    self.varint(u64::from(entry.id.0));
                    self.byte(u8::from(entry.optional));
                    self.expr(&entry.key, span, site);
                    self.expr(&entry.value, span, site);
                }
            }
            ExprKind::Struct(message) => {
                self.byte(tag::STRUCT);
                self.name(&message.type_name);
                self.varint(message.fields.len() as u64);
                for field in &message.fields {
                    self.varint(u64::from(field.id.0));
                    self.byte(u8::from(field.optional));
                    self.name(&field.name);
                    self.expr(&field.value, span, Site::default());
                }
            }
            ExprKind::Comprehension(c) => self.comprehension(c, span),
        }
    }

    fn literal(&mut self, id: ExprId, literal: &Literal, site: &Site<'_>) {
        if !keeps_value(literal, site) {
            self.byte(tag::SLOT);
            self.byte(literal_kind(literal));
            self.out.params.push(literal_value(literal));
            self.out.slots.push(id);
            return;
        }
        self.byte(tag::LITERAL);
        self.byte(literal_kind(literal));
        match literal {
            Literal::Null | Literal::Bool(_) => {}
            Literal::Int(i) => self.out.key.extend_from_slice(&i.to_le_bytes()),
            Literal::Uint(u) => self.out.key.extend_from_slice(&u.to_le_bytes()),
            Literal::Double(d) => self.out.key.extend_from_slice(&d.to_bits().to_le_bytes()),
            Literal::String(s) => self.name(s),
            Literal::Bytes(b) => {
                self.varint(b.len() as u64);
                self.out.key.extend_from_slice(b);
            }
        }
    }

    fn call(&mut self, call: &'a Call, span: Span) {
        self.byte(if call.target.is_some() {
            tag::METHOD
        } else {
            tag::CALL
        });
        self.name(&call.function);
        self.varint(call.args.len() as u64);
        let constant_parent = call_folds(call, self.host);
        for (position, child) in call.target.iter().chain(&call.args).enumerate() {
            let site = Site {
                call: Some((call, position)),
                constant_parent,
                generated: false,
            };
            self.expr(child, span, site);
        }
    }

    fn comprehension(&mut self, c: &'a Comprehension, span: Span) {
        match &c.iter_var2 {
            Some(var2) => {
                self.byte(tag::COMPREHENSION2);
                self.name(var2);
            }
            None => self.byte(tag::COMPREHENSION),
        }
        self.name(&c.iter_var);
        self.name(&c.accu_var);
        for part in [
            &c.iter_range,
            &c.accu_init,
            &c.loop_condition,
            &c.loop_step,
            &c.result,
        ] {
            self.expr(part, span, Site::default());
        }
    }
}

/// The template as text: the request's source with each hoisted literal replaced by `$N`.
pub(crate) fn template_text(ast: &Ast, slots: &[ExprId]) -> String {
    let mut by_start: Vec<(Span, usize)> = slots
        .iter()
        .enumerate()
        .map(|(slot, &id)| (ast.span(id), slot))
        .collect();
    by_start.sort_by_key(|(span, _)| span.start);
    let text = ast.source.text();
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for (span, slot) in by_start {
        let (start, end) = (span.start as usize, span.end as usize);
        // A literal copied by a macro shares its span with the original: print it once.
        if start < at || end > text.len() {
            continue;
        }
        out.push_str(text.get(at..start).unwrap_or(""));
        out.push('$');
        out.push_str(&slot.to_string());
        at = end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

/// The normalization step on its own, with reusable buffers: what every lookup computes
/// before it consults the map (for tools and benchmarks).
#[derive(Default)]
pub struct Normalizer(Template);

impl Normalizer {
    /// The template key of `ast` in `env` and the literal values it hoists, in slot order.
    pub fn normalize(&mut self, env: &celd::Env, ast: &Ast) -> (&[u8], &[Value]) {
        self.0.fill(ast, env);
        (&self.0.key, &self.0.params)
    }
}
