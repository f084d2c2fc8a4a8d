//! Static cost estimates: the least and most a plan can cost, before running it.
//!
//! The estimate walks the plan with the same rules the evaluator charges ([`crate::cost`]),
//! taking sizes of inputs from [`SizeHints`]. Short-circuits and conditionals make the least
//! cost smaller than the most; comprehensions multiply their body's cost by the size of
//! their range. An input without a size hint may be any size, so a traversal of it makes the
//! most cost unbounded ([`CostEstimate::max`] is then `None`).

use std::collections::HashMap;

use crate::cost::{self, CallCost};
use crate::plan::{Node, Plan};

/// Sizes of inputs, in the units the cost model uses (bytes of strings, entries of lists and maps).
#[derive(Clone, Debug, Default)]
pub struct SizeHints {
    /// The largest size of each named variable (and anything selected from it).
    pub variables: HashMap<String, u64>,
    /// The largest size of inputs without a hint of their own; `None` means unbounded.
    pub default: Option<u64>,
    /// The size of each parameter (a literal the program cache hoisted), by slot, for the
    /// estimate of one request's evaluation; a slot without one is an input of unknown size.
    pub params: Vec<u64>,
}

/// The least and most cost of one evaluation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CostEstimate {
    pub min: u64,
    /// `None` when the cost depends on an input of unbounded size.
    pub max: Option<u64>,
}

/// A range of sizes or costs; `None` as the upper end means unbounded.
#[derive(Clone, Copy, Debug)]
struct Range {
    min: u64,
    max: Option<u64>,
}

impl Range {
    const ZERO: Range = Range::exactly(0);

    const fn exactly(n: u64) -> Range {
        Range {
            min: n,
            max: Some(n),
        }
    }

    fn plus(self, other: Range) -> Range {
        Range {
            min: self.min.saturating_add(other.min),
            max: self.max.zip(other.max).map(|(a, b)| a.saturating_add(b)),
        }
    }

    fn times(self, other: Range) -> Range {
        Range {
            min: self.min.saturating_mul(other.min),
            max: self.max.zip(other.max).map(|(a, b)| a.saturating_mul(b)),
        }
    }

    /// Either of two alternatives: the least of the minimums, the most of the maximums.
    fn either(self, other: Range) -> Range {
        Range {
            min: self.min.min(other.min),
            max: self.max.zip(other.max).map(|(a, b)| a.max(b)),
        }
    }

    fn map(self, f: impl Fn(u64) -> u64) -> Range {
        Range {
            min: f(self.min),
            max: self.max.map(f),
        }
    }
}

/// What walking a node yields: its cost and the size of its value.
#[derive(Clone, Copy, Debug)]
struct Walk {
    cost: Range,
    size: Range,
}

/// Estimates the cost of evaluating `plan` with inputs no larger than `hints` say.
pub fn estimate(plan: &Plan, hints: &SizeHints) -> CostEstimate {
    let walker = Walker { plan, hints };
    let walk = walker.node(&plan.root, &mut Vec::new());
    CostEstimate {
        min: walk.cost.min,
        max: walk.cost.max,
    }
}

struct Walker<'a> {
    plan: &'a Plan,
    hints: &'a SizeHints,
}

impl Walker<'_> {
    fn unknown_size(&self) -> Range {
        Range {
            min: 0,
            max: self.hints.default,
        }
    }

    fn variable_size(&self, slot: u32) -> Range {
        let Some(var) = self.plan.variables.get(slot as usize) else {
            return self.unknown_size();
        };
        if var.scalar {
            return Range::exactly(1);
        }
        match self.hints.variables.get(var.name.as_str()) {
            Some(&max) => Range {
                min: 0,
                max: Some(max),
            },
            None => self.unknown_size(),
        }
    }

    /// The size of a loop variable's items: 1 for scalars, else unknown.
    fn item_size(&self, slot: u32) -> Range {
        if self.plan.scalar_locals.contains(&slot) {
            Range::exactly(1)
        } else {
            self.unknown_size()
        }
    }

    /// `locals` holds the size range of each loop variable in scope, by slot.
    fn node(&self, node: &Node, locals: &mut Vec<(u32, Range)>) -> Walk {
        let leaf = |cost: u64, size: Range| Walk {
            cost: Range::exactly(cost),
            size,
        };
        match node {
            Node::Const(v) => leaf(0, Range::exactly(cost::size(v))),
            Node::Error(_) => leaf(0, Range::ZERO),
            Node::Param(slot) => leaf(
                0,
                self.hints
                    .params
                    .get(*slot as usize)
                    .map_or_else(|| self.unknown_size(), |&n| Range::exactly(n)),
            ),
            Node::Var { slot, .. } => leaf(cost::SELECT, self.variable_size(*slot)),
            Node::Local(slot) => {
                let size = locals
                    .iter()
                    .rev()
                    .find(|(s, _)| s == slot)
                    .map_or_else(|| self.unknown_size(), |(_, r)| *r);
                leaf(cost::SELECT, size)
            }
            Node::Select { operand, .. } | Node::Has { operand, .. } => {
                let inner = self.node(operand, locals);
                Walk {
                    cost: inner.cost.plus(Range::exactly(cost::SELECT)),
                    size: inner.size,
                }
            }
            Node::And(pair) | Node::Or(pair) => {
                let a = self.node(&pair[0], locals);
                let b = self.node(&pair[1], locals);
                // The right side is skipped when the left side decides.
                Walk {
                    cost: Range {
                        min: a.cost.min,
                        max: a.cost.plus(b.cost).max,
                    },
                    size: Range::exactly(1),
                }
            }
            Node::Cond(parts, _) => {
                let c = self.node(&parts[0], locals);
                let t = self.node(&parts[1], locals);
                let f = self.node(&parts[2], locals);
                Walk {
                    cost: c.cost.plus(t.cost.either(f.cost)),
                    size: t.size.either(f.size),
                }
            }
            Node::NotStrictlyFalse(inner) => {
                let w = self.node(inner, locals);
                Walk {
                    cost: w.cost,
                    size: Range::exactly(1),
                }
            }
            Node::Concat(c) => {
                let mut cost = Range::ZERO;
                let mut running = Range::ZERO;
                for (i, part) in c.parts.iter().enumerate() {
                    let w = self.node(part, locals);
                    cost = cost.plus(w.cost);
                    running = running.plus(w.size);
                    if i > 0 {
                        cost = cost.plus(running.map(|n| n.div_ceil(10).max(1)));
                    }
                }
                Walk {
                    cost,
                    size: running,
                }
            }
            Node::Arith(a) => {
                let x = self.node(&a.args[0], locals);
                let y = self.node(&a.args[1], locals);
                Walk {
                    cost: x.cost.plus(y.cost).plus(Range::exactly(1)),
                    size: Range::exactly(1),
                }
            }
            Node::Compare(c) => {
                let a = self.node(&c.args[0], locals);
                let b = self.node(&c.args[1], locals);
                let smaller = Range {
                    min: a.size.min.min(b.size.min),
                    max: match (a.size.max, b.size.max) {
                        (Some(x), Some(y)) => Some(x.min(y)),
                        (x, y) => x.or(y),
                    },
                };
                let compare = smaller.map(|n| n.div_ceil(10).max(1));
                Walk {
                    cost: a.cost.plus(b.cost).plus(compare),
                    size: Range::exactly(1),
                }
            }
            Node::Call1(c) => self.call(c.cost, &[&c.arg], locals),
            Node::Call2(c) => self.call(c.cost, &[&c.args[0], &c.args[1]], locals),
            Node::CallN(c) => {
                let args: Vec<&Node> = c.args.iter().collect();
                self.call(c.cost, &args, locals)
            }
            Node::Host(h) => self.host_call(h, locals),
            Node::List(l) => self.aggregate(
                cost::LIST_CREATE,
                l.elements.iter(),
                l.elements.len(),
                locals,
            ),
            Node::Map(m) => self.aggregate(
                cost::MAP_CREATE,
                m.entries.iter().flat_map(|e| [&e.key, &e.value]),
                m.entries.len(),
                locals,
            ),
            Node::Struct(s) => self.aggregate(
                cost::STRUCT_CREATE,
                s.fields.iter().map(|f| &f.value),
                1,
                locals,
            ),
            Node::Fold(f) => {
                let range = self.node(&f.range, locals);
                let init = self.node(&f.init, locals);
                locals.push((f.accu_slot, init.size));
                locals.push((f.iter_slot, self.item_size(f.iter_slot)));
                if let Some(slot2) = f.iter_slot2 {
                    locals.push((slot2, self.item_size(slot2)));
                }
                let body = self
                    .node(&f.condition, locals)
                    .cost
                    .plus(self.node(&f.step, locals).cost)
                    .plus(Range::exactly(cost::ITERATION));
                let result = self.node(&f.result, locals);
                locals.truncate(locals.len() - 2 - usize::from(f.iter_slot2.is_some()));
                Walk {
                    cost: range
                        .cost
                        .plus(init.cost)
                        .plus(body.times(range.size))
                        .plus(result.cost),
                    size: self.unknown_size(),
                }
            }
            Node::Loop(l) => {
                let range = self.node(&l.range, locals);
                locals.push((l.iter_slot, self.item_size(l.iter_slot)));
                let mut body = Range::exactly(cost::ITERATION);
                for part in l.predicate.iter().chain(l.transform.iter()) {
                    body = body.plus(self.node(part, locals).cost);
                }
                locals.pop();
                let iterations = Range {
                    min: 0,
                    max: range.size.max,
                };
                Walk {
                    cost: range.cost.plus(body.times(iterations)),
                    size: range.size,
                }
            }
            Node::Block(b) => {
                let mut cost = Range::ZERO;
                for (i, entry) in b.entries.iter().enumerate() {
                    let w = self.node(entry, locals);
                    cost = cost.plus(w.cost);
                    locals.push((b.first_slot + i as u32, w.size));
                }
                let result = self.node(&b.result, locals);
                locals.truncate(locals.len() - b.entries.len());
                Walk {
                    cost: cost.plus(result.cost),
                    size: result.size,
                }
            }
            Node::Seq(seq) => {
                let mut cost = Range::exactly(seq.cost);
                for check in &seq.checks {
                    cost = cost.plus(self.node(check, locals).cost);
                }
                let value = self.node(&seq.value, locals);
                Walk {
                    cost: cost.plus(value.cost),
                    size: value.size,
                }
            }
            Node::OptionalOr(o) => {
                let r = self.node(&o.receiver, locals);
                let a = self.node(&o.alternative, locals);
                Walk {
                    cost: r.cost.plus(Range {
                        min: 0,
                        max: a.cost.max,
                    }),
                    size: r.size.either(a.size),
                }
            }
            Node::AccuAppend { elements, .. } | Node::AccuInsert { args: elements, .. } => {
                let mut cost = Range::exactly(1);
                for e in elements {
                    cost = cost.plus(self.node(e, locals).cost);
                }
                Walk {
                    cost,
                    size: self.unknown_size(),
                }
            }
        }
    }

    fn call(&self, rule: CallCost, args: &[&Node], locals: &mut Vec<(u32, Range)>) -> Walk {
        let walks: Vec<Walk> = args.iter().map(|a| self.node(a, locals)).collect();
        let args_cost = walks.iter().fold(Range::ZERO, |acc, w| acc.plus(w.cost));
        let call = self.rule_cost(rule, &walks);
        Walk {
            cost: args_cost.plus(call.cost),
            size: call.size,
        }
    }

    /// A host call: the least and most any overload it may run costs, by its declared cost
    /// (a cost function is called with the least and the most argument sizes).
    fn host_call(&self, h: &crate::plan::HostCallNode, locals: &mut Vec<(u32, Range)>) -> Walk {
        let walks: Vec<Walk> = h.args.iter().map(|a| self.node(a, locals)).collect();
        let args_cost = walks.iter().fold(Range::ZERO, |acc, w| acc.plus(w.cost));
        let mins: Vec<u64> = walks.iter().map(|w| w.size.min).collect();
        let maxes: Option<Vec<u64>> = walks.iter().map(|w| w.size.max).collect();
        let mut call: Option<Range> = None;
        let mut scalar_result = true;
        for overload in &h.call.candidates {
            let cost = Range {
                min: overload.cost.of_sizes(&mins),
                max: match overload.cost.as_fixed() {
                    Some(units) => Some(units.max(1)),
                    None => maxes.as_ref().map(|m| overload.cost.of_sizes(m)),
                },
            };
            call = Some(call.map_or(cost, |c| c.either(cost)));
            scalar_result &= is_scalar_type(&overload.result);
        }
        if let Some((_, rule)) = &h.call.fallback {
            let builtin = self.rule_cost(*rule, &walks).cost;
            call = Some(call.map_or(builtin, |c| c.either(builtin)));
            scalar_result = false;
        }
        let call = call.unwrap_or(Range::exactly(1));
        Walk {
            cost: args_cost.plus(call),
            size: if scalar_result {
                Range::exactly(1)
            } else {
                self.unknown_size()
            },
        }
    }

    /// The cost of a call by its rule (without its arguments' own costs) and its result size.
    fn rule_cost(&self, rule: CallCost, walks: &[Walk]) -> Walk {
        let size = |i: usize| walks.get(i).map_or(Range::exactly(1), |w| w.size);
        let compilation = |r: Range| r.map(|n| cost::pattern_compilation(n as usize));
        let tenth = |r: Range| r.map(|n| n.div_ceil(10));
        let call = match rule {
            CallCost::Constant => Range::exactly(1),
            CallCost::FirstArgument => tenth(size(0)),
            CallCost::InList => size(1),
            CallCost::Concatenation => tenth(size(0).plus(size(1))),
            CallCost::Contains => tenth(size(0)).times(tenth(size(1))),
            CallCost::Matches => tenth(size(0).plus(Range::exactly(1)))
                .times(size(1).map(|n| n.div_ceil(4)))
                .plus(compilation(size(1))),
            CallCost::MatchesPattern { pattern_len } => tenth(size(0).plus(Range::exactly(1)))
                .times(Range::exactly(u64::from(pattern_len).div_ceil(4))),
            CallCost::Linear => {
                let traversed = walks.iter().fold(Range::ZERO, |acc, w| acc.plus(w.size));
                Range::exactly(1).plus(tenth(traversed.plus(traversed)))
            }
            CallCost::Pattern => {
                let traversed = walks.iter().fold(Range::ZERO, |acc, w| acc.plus(w.size));
                Range::exactly(1)
                    .plus(tenth(traversed.plus(traversed)))
                    .plus(compilation(size(1)))
            }
        };
        let result_size = match rule {
            CallCost::Concatenation => size(0).plus(size(1)),
            CallCost::Constant
            | CallCost::FirstArgument
            | CallCost::InList
            | CallCost::Contains => Range::exactly(1),
            CallCost::Matches | CallCost::MatchesPattern { .. } => Range::exactly(1),
            CallCost::Linear | CallCost::Pattern => self.unknown_size(),
        };
        Walk {
            cost: call.map(|n| n.max(1)),
            size: result_size,
        }
    }

    fn aggregate<'n>(
        &self,
        base: u64,
        children: impl Iterator<Item = &'n Node>,
        len: usize,
        locals: &mut Vec<(u32, Range)>,
    ) -> Walk {
        let cost = children.fold(Range::exactly(base), |acc, c| {
            acc.plus(self.node(c, locals).cost)
        });
        Walk {
            cost,
            size: Range::exactly(len as u64),
        }
    }
}

/// Whether values of this declared type have size 1 for costing.
fn is_scalar_type(ty: &celd_types::Type) -> bool {
    use celd_types::Type;
    matches!(
        ty,
        Type::Bool
            | Type::Int
            | Type::Uint
            | Type::Double
            | Type::Null
            | Type::Timestamp
            | Type::Duration
            | Type::Opaque(_)
    ) && ty.optional_param().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::ITERATION;

    #[test]
    fn ranges_add_multiply_and_choose() {
        let a = Range {
            min: 1,
            max: Some(4),
        };
        let b = Range { min: 2, max: None };
        assert_eq!(a.plus(a).max, Some(8));
        assert_eq!(a.plus(b).max, None);
        assert_eq!(a.times(a).min, 1);
        assert_eq!(a.either(Range::exactly(3)).min, 1);
        assert_eq!(a.either(Range::exactly(9)).max, Some(9));
        assert_eq!(ITERATION, 1);
    }
}
