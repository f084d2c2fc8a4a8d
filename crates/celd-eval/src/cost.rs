//! The cost model: what each step of an evaluation costs, after cel-go's runtime cost tracker.
//!
//! Reading a variable or selecting a field costs 1; constants are free; building a list
//! costs 10, a map 30, a message 40; each loop iteration costs 1; a call costs 1 unless its
//! work grows with its inputs, when it costs a tenth of the size it traverses (sizes are
//! byte lengths of strings and bytes, element counts of lists and maps). The standard
//! library's linear and quadratic functions follow cel-go's table; every other function is
//! charged for the size of its arguments and its result, a safe upper bound for the
//! extension libraries.

use celd_value::Value;

/// A variable read, a field selection or a presence test.
pub const SELECT: u64 = 1;
/// Building a list.
pub const LIST_CREATE: u64 = 10;
/// Building a map.
pub const MAP_CREATE: u64 = 30;
/// Building a message.
pub const STRUCT_CREATE: u64 = 40;
/// One iteration of a comprehension.
pub const ITERATION: u64 = 1;

/// How a function's cost grows with its arguments.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallCost {
    /// Constant: 1.
    Constant,
    /// A tenth of the first argument's size: `startsWith`, `endsWith`, string/bytes conversions.
    FirstArgument,
    /// The size of the list searched by `in` (its elements, through nested values).
    InList,
    /// A tenth of both operands' sizes: concatenation.
    Concatenation,
    /// The product of a tenth of each operand's size: `contains`.
    Contains,
    /// The string's size times the pattern's: `matches`.
    Matches,
    /// `matches` with a pattern compiled at plan time: the pattern's size is fixed.
    MatchesPattern { pattern_len: u32 },
    /// The regex extension (`regex.replace`, `regex.extract`, `regex.extractAll`): as
    /// [`CallCost::Linear`], and the pattern (the second argument) is compiled at run time.
    Pattern,
    /// 1 plus a tenth of the sizes of the arguments and the result.
    Linear,
}

impl CallCost {
    /// The cost rule of a function, by name.
    pub fn of(function: &str) -> CallCost {
        match function {
            "startsWith" | "endsWith" | "bytes" | "string" => CallCost::FirstArgument,
            "@in" => CallCost::InList,
            "_+_" => CallCost::Concatenation,
            "contains" => CallCost::Contains,
            "matches" => CallCost::Matches,
            "regex.replace" | "regex.extract" | "regex.extractAll" => CallCost::Pattern,
            f if is_constant_time(f) => CallCost::Constant,
            _ => CallCost::Linear,
        }
    }

    /// The cost of one call with these arguments and result.
    pub fn cost(self, args: &[&Value], result: &Value) -> u64 {
        let arg = |i: usize| args.get(i).map_or(1, |v| size(v));
        let units = match self {
            CallCost::Constant => 1,
            CallCost::FirstArgument => tenth(arg(0)),
            CallCost::InList => match args.get(1) {
                Some(list @ Value::List(_)) => size(list),
                _ => 1,
            },
            CallCost::Concatenation => tenth(arg(0).saturating_add(arg(1))),
            CallCost::Contains => tenth(arg(0)).saturating_mul(tenth(arg(1))),
            CallCost::Matches => {
                let pattern = arg(1).div_ceil(4);
                tenth(arg(0).saturating_add(1)).saturating_mul(pattern)
            }
            CallCost::MatchesPattern { pattern_len } => {
                let pattern = u64::from(pattern_len).div_ceil(4);
                tenth(arg(0).saturating_add(1)).saturating_mul(pattern)
            }
            CallCost::Linear | CallCost::Pattern => {
                let traversed = args
                    .iter()
                    .map(|v| size(v))
                    .fold(size(result), u64::saturating_add);
                1u64.saturating_add(tenth(traversed))
            }
        };
        units.max(1)
    }
}

impl CallCost {
    /// Whether the call compiles its second argument as a regular expression, which the
    /// evaluator charges before the call ([`pattern_compilation`]) besides the call's cost.
    #[inline]
    pub fn compiles_pattern(self) -> bool {
        matches!(self, CallCost::Matches | CallCost::Pattern)
    }
}

/// Compiling a pattern of `len` bytes at run time: a unit per byte (whether or not the
/// thread has it compiled already, so that a cost never depends on what ran before).
pub fn pattern_compilation(len: usize) -> u64 {
    (len as u64).max(1)
}

/// Equality and ordering: a tenth of the smaller operand (1 for scalars).
#[inline]
pub fn comparison(a: &Value, b: &Value) -> u64 {
    if is_sized(a) && is_sized(b) {
        tenth(size(a).min(size(b))).max(1)
    } else {
        1
    }
}

/// [`comparison`] of two strings of these lengths in bytes.
#[inline]
pub fn string_comparison(a_len: usize, b_len: usize) -> u64 {
    tenth(a_len.min(b_len) as u64).max(1)
}

/// Whether a value's cost [`size`] can exceed 1.
#[inline]
fn is_sized(v: &Value) -> bool {
    matches!(
        v,
        Value::String(_) | Value::Bytes(_) | Value::List(_) | Value::Map(_)
    )
}

/// The size of a value for costing: bytes of strings and bytes; for lists and maps, the
/// values they hold counted through nested ones (what equality or output traverses); else 1.
#[inline]
pub fn size(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.len() as u64,
        Value::Bytes(b) => b.len() as u64,
        Value::List(_) | Value::Map(_) => v.weight(),
        _ => 1,
    }
}

fn tenth(n: u64) -> u64 {
    n.div_ceil(10)
}

/// Functions whose work does not grow with their inputs.
fn is_constant_time(function: &str) -> bool {
    matches!(
        function,
        "size"
            | "int"
            | "uint"
            | "double"
            | "bool"
            | "type"
            | "dyn"
            | "timestamp"
            | "duration"
            | "!_"
            | "-_"
            | "_-_"
            | "_*_"
            | "_/_"
            | "_%_"
            | "_[_]"
            | "_[?_]"
            | "_?._"
            | "hasValue"
            | "value"
            | "or"
            | "orValue"
            | "optional.of"
            | "optional.none"
            | "optional.ofNonZeroValue"
            | "getFullYear"
            | "getMonth"
            | "getDayOfYear"
            | "getDayOfMonth"
            | "getDate"
            | "getDayOfWeek"
            | "getHours"
            | "getMinutes"
            | "getSeconds"
            | "getMilliseconds"
    ) || function.starts_with("math.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: usize) -> Value {
        Value::from("a".repeat(n))
    }

    #[test]
    fn costs_follow_the_sizes_they_traverse() {
        assert_eq!(CallCost::of("size").cost(&[&s(1000)], &Value::Int(1000)), 1);
        assert_eq!(
            CallCost::of("startsWith").cost(&[&s(1000), &s(1)], &Value::Bool(true)),
            100
        );
        assert_eq!(CallCost::of("_+_").cost(&[&s(50), &s(50)], &s(100)), 10);
        assert_eq!(
            CallCost::of("_+_").cost(&[&Value::Int(1), &Value::Int(2)], &Value::Int(3)),
            1
        );
        assert_eq!(
            CallCost::of("contains").cost(&[&s(100), &s(20)], &Value::Bool(true)),
            20
        );
        assert_eq!(
            CallCost::of("matches").cost(&[&s(99), &s(8)], &Value::Bool(true)),
            20
        );
        let compiled = CallCost::MatchesPattern { pattern_len: 8 };
        assert_eq!(compiled.cost(&[&s(99)], &Value::Bool(true)), 20);
        let list = Value::list(vec![Value::Int(1); 40]);
        assert_eq!(
            CallCost::of("@in").cost(&[&Value::Int(1), &list], &Value::Bool(true)),
            40
        );
        assert_eq!(CallCost::of("join").cost(&[&list], &s(80)), 13);
        assert_eq!(comparison(&s(30), &s(1000)), 3);
        assert_eq!(comparison(&Value::Int(1), &Value::Int(2)), 1);
    }
}
