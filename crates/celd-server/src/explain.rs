//! What `/v1/eval` adds when a request asks (`"cost": true`, `"dump": true`), for the
//! playground: the cost the evaluation spent and the static estimate for the request's own
//! inputs, and the program's dump (template, parameter slots, checked expression, plan).
//! Nothing here runs unless asked.

use celd::layers::eval::estimate::SizeHints;
use celd::{Env, Key, Program, Value};
use celd_cache::ProgramDump;
use serde::Serialize;

use crate::api::ApiError;

/// The least and most one evaluation can cost; `max` is `null` when unbounded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EstimateBody {
    pub min: u64,
    pub max: Option<u64>,
}

/// One parameter slot of a dump.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SlotBody {
    pub slot: u32,
    #[serde(rename = "type")]
    pub ty: &'static str,
    /// The literal in the text the dump was made from, in CEL syntax.
    pub value: String,
    pub line: u32,
    pub column: u32,
}

/// A program explained: as `celd dump` prints it, as JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DumpBody {
    pub id: String,
    pub template: String,
    pub result_type: String,
    pub parameters: Vec<SlotBody>,
    pub checked: String,
    pub plan: String,
}

impl From<ProgramDump> for DumpBody {
    fn from(dump: ProgramDump) -> DumpBody {
        DumpBody {
            id: dump.id.to_string(),
            template: dump.template,
            result_type: dump.result_type,
            parameters: dump
                .slots
                .into_iter()
                .map(|s| SlotBody {
                    slot: s.slot,
                    ty: s.ty,
                    value: s.value,
                    line: s.line,
                    column: s.column,
                })
                .collect(),
            checked: dump.checked,
            plan: dump.plan,
        }
    }
}

/// The estimate for one evaluation of `program` (as the program cache shares it) with this
/// request's literals in `params` and its variables: each variable's hint is the largest
/// string, bytes, list or map found in its value, so the cost spent is within the estimate.
pub fn estimate<'a>(
    program: &Program,
    params: &[Value],
    vars: impl Iterator<Item = (&'a str, &'a Value)>,
) -> EstimateBody {
    let hints = SizeHints {
        variables: vars
            .map(|(name, value)| (name.to_owned(), largest_size(value)))
            .collect(),
        default: None,
        params: params.iter().map(celd::layers::eval::cost::size).collect(),
        ..SizeHints::default()
    };
    let estimate = program.estimate_cost(&hints);
    EstimateBody {
        min: estimate.min,
        max: estimate.max,
    }
}

/// The dump of `text` as the program cache compiles it.
pub fn dump(env: &Env, text: &str) -> Result<DumpBody, ApiError> {
    Ok(celd_cache::dump(env, text)?.into())
}

/// The largest size, in the cost model's units, of `value` or anything inside it: bytes of a
/// string or bytes, entries of a list or map. Values nest at most as deep as the JSON reader
/// allows (128 levels).
pub fn largest_size(value: &Value) -> u64 {
    let own = |n: usize| n as u64;
    match value {
        Value::String(s) => own(s.len()),
        Value::Bytes(b) => own(b.len()),
        Value::List(list) => list
            .as_slice()
            .iter()
            .map(largest_size)
            .fold(own(list.as_slice().len()), u64::max),
        Value::Map(map) => map
            .iter()
            .map(|(k, v)| key_size(k).max(largest_size(v)))
            .fold(own(map.len()), u64::max),
        Value::Optional(Some(inner)) => largest_size(inner),
        _ => 0,
    }
}

fn key_size(key: &Key) -> u64 {
    match key {
        Key::String(s) => s.len() as u64,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_the_largest_found_inside() {
        let list = Value::list(vec![Value::from("abcdef"), Value::Int(1)]);
        assert_eq!(largest_size(&list), 6);
        assert_eq!(largest_size(&Value::list(vec![Value::Int(1); 9])), 9);
        assert_eq!(largest_size(&Value::Int(7)), 0);
    }

    #[test]
    fn the_estimate_uses_the_sizes_of_the_inputs() {
        let env = Env::builder()
            .variable("items", celd::Type::list(celd::Type::Int))
            .build()
            .unwrap();
        let program = env.compile("items.all(i, i > 0)").unwrap();
        let items = Value::list(vec![Value::Int(1); 10]);
        let bounded = estimate(&program, &[], [("items", &items)].into_iter());
        let unbounded = estimate(&program, &[], std::iter::empty());
        assert!(bounded.max.is_some_and(|max| max >= 10), "{bounded:?}");
        assert_eq!(unbounded.max, None);
    }
}
