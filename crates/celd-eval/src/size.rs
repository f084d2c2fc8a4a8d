//! The memory a plan holds on the heap, measured by walking it.
//!
//! The program cache weighs entries with this figure, so it must track what the
//! allocator really hands out; a test compares it with a counting allocator.

use std::mem::size_of;

use celd_value::Value;
use prost_reflect::prost::Message;
use smol_str::SmolStr;

use crate::plan::{Node, Plan};

/// Bytes an allocation of `n` bytes really costs: rounded up to 16, plus allocator bookkeeping.
fn alloc(n: usize) -> usize {
    if n == 0 { 0 } else { n.div_ceil(16) * 16 + 16 }
}

pub(crate) fn plan_heap_size(plan: &Plan) -> usize {
    let vars = alloc(plan.variables.len() * size_of::<crate::plan::PlanVariable>())
        + plan
            .variables
            .iter()
            .map(|v| name_size(&v.name))
            .sum::<usize>();
    // Weighing compiles the constant patterns not yet compiled: a cache must count what an
    // entry will hold once evaluated, not what it holds before its first match.
    let patterns = plan
        .patterns
        .iter()
        .map(|p| p.held_bytes() + boxed::<crate::functions::patterns::ConstPattern>())
        .sum::<usize>();
    let lists = alloc(plan.scalar_locals.len() * size_of::<u32>())
        + alloc(plan.patterns.len() * size_of::<usize>());
    vars + lists + node_size(&plan.root) + patterns
}

fn name_size(name: &SmolStr) -> usize {
    if name.is_heap_allocated() {
        alloc(name.len() + 16)
    } else {
        0
    }
}

fn boxed<T>() -> usize {
    alloc(size_of::<T>())
}

/// The heap bytes owned by a node and its children (not the node itself).
fn node_size(node: &Node) -> usize {
    match node {
        Node::Const(v) => value_size(v),
        Node::Error(_) => alloc(64),
        Node::Param(_) | Node::Var { .. } | Node::Local(_) => 0,
        Node::Select { operand, field, .. } | Node::Has { operand, field, .. } => {
            boxed::<Node>() + node_size(operand) + name_size(field)
        }
        Node::And(pair) | Node::Or(pair) => {
            boxed::<[Node; 2]>() + pair.iter().map(node_size).sum::<usize>()
        }
        Node::Cond(parts, _) => boxed::<[Node; 3]>() + parts.iter().map(node_size).sum::<usize>(),
        Node::NotStrictlyFalse(inner) => boxed::<Node>() + node_size(inner),
        Node::Concat(c) => {
            boxed::<crate::plan::Concat>()
                + alloc(c.parts.capacity() * size_of::<Node>())
                + c.parts.iter().map(node_size).sum::<usize>()
        }
        Node::Arith(a) => {
            boxed::<crate::plan::Arith>() + a.args.iter().map(node_size).sum::<usize>()
        }
        Node::Compare(c) => {
            boxed::<crate::plan::Compare>() + c.args.iter().map(node_size).sum::<usize>()
        }
        Node::Call1(c) => boxed::<crate::plan::Call1>() + node_size(&c.arg) + name_size(&c.name),
        Node::Call2(c) => {
            boxed::<crate::plan::Call2>()
                + c.args.iter().map(node_size).sum::<usize>()
                + name_size(&c.name)
        }
        Node::CallN(c) => {
            boxed::<crate::plan::CallN>()
                + alloc(c.args.capacity() * size_of::<Node>())
                + c.args.iter().map(node_size).sum::<usize>()
                + name_size(&c.name)
        }
        Node::Host(h) => {
            // The overloads are shared with the environment; the call's own list is not.
            boxed::<crate::plan::HostCallNode>()
                + alloc(size_of::<crate::functions::host::HostCall>() + 16)
                + alloc(h.call.candidates.capacity() * size_of::<usize>())
                + alloc(h.args.capacity() * size_of::<Node>())
                + h.args.iter().map(node_size).sum::<usize>()
                + name_size(&h.function)
        }
        Node::List(l) => {
            boxed::<crate::plan::ListNode>()
                + alloc(l.elements.capacity() * size_of::<Node>())
                + alloc(l.optional.capacity())
                + l.elements.iter().map(node_size).sum::<usize>()
        }
        Node::Map(m) => {
            boxed::<crate::plan::MapNode>()
                + alloc(m.entries.capacity() * size_of::<crate::plan::MapEntryNode>())
                + m.entries
                    .iter()
                    .map(|e| node_size(&e.key) + node_size(&e.value))
                    .sum::<usize>()
        }
        Node::Struct(s) => {
            boxed::<crate::plan::StructNode>()
                + alloc(s.fields.capacity() * size_of::<crate::plan::FieldNode>())
                + s.fields.iter().map(|f| node_size(&f.value)).sum::<usize>()
        }
        Node::Fold(f) => {
            boxed::<crate::plan::Fold>()
                + [&f.range, &f.init, &f.condition, &f.step, &f.result]
                    .into_iter()
                    .map(node_size)
                    .sum::<usize>()
        }
        Node::Loop(l) => {
            boxed::<crate::plan::Loop>()
                + node_size(&l.range)
                + l.predicate.as_ref().map_or(0, node_size)
                + l.transform.as_ref().map_or(0, node_size)
        }
        Node::Seq(seq) => {
            boxed::<crate::plan::Seq>()
                + alloc(seq.checks.capacity() * size_of::<Node>())
                + seq.checks.iter().map(node_size).sum::<usize>()
                + node_size(&seq.value)
        }
        Node::OptionalOr(o) => {
            boxed::<crate::plan::OptionalOr>() + node_size(&o.receiver) + node_size(&o.alternative)
        }
        Node::AccuAppend {
            elements: nodes, ..
        }
        | Node::AccuInsert { args: nodes, .. } => {
            alloc(nodes.capacity() * size_of::<Node>()) + nodes.iter().map(node_size).sum::<usize>()
        }
        Node::Block(b) => {
            boxed::<crate::plan::Block>()
                + alloc(b.entries.capacity() * size_of::<Node>())
                + b.entries.iter().map(node_size).sum::<usize>()
                + node_size(&b.result)
        }
    }
}

/// Heap bytes of a constant value; shared values are counted in full (they are usually unique to the plan).
fn value_size(v: &Value) -> usize {
    match v {
        Value::String(s) => alloc(s.len() + 16),
        Value::Bytes(b) => alloc(b.len() + 16),
        Value::List(items) => {
            alloc(size_of::<Vec<Value>>() + 16)
                + alloc(items.len() * size_of::<Value>())
                + items.iter().map(value_size).sum::<usize>()
        }
        Value::Map(map) => {
            alloc(64)
                + map.len() * (size_of::<Value>() + 48)
                + map
                    .iter()
                    .map(|(k, v)| value_size(&k.to_value()) + value_size(v))
                    .sum::<usize>()
        }
        Value::Message(m) => alloc(m.encoded_len() * 2 + 64),
        Value::Optional(Some(inner)) => alloc(size_of::<Value>() + 16) + value_size(inner),
        Value::Opaque(_) => alloc(64),
        _ => 0,
    }
}
