//! Limits on one evaluation: cost, and the size of any string, bytes, list or map it builds.

use celd_value::{EvalError, Result, Value};

/// Bounds for one evaluation. The defaults are safe for untrusted expressions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Cost units an evaluation may spend (calls, loop iterations); default 1,000,000.
    pub max_cost: u64,
    /// Largest string or bytes value an evaluation may build, in bytes; default 8 MiB.
    pub max_string_bytes: usize,
    /// Most values a built list may hold, counting through nested lists and maps (each
    /// occurrence of a shared part counts, so sharing cannot hide size); default 1,000,000.
    pub max_list_len: usize,
    /// Most values a built map may hold, counted the same way; default 1,000,000.
    pub max_map_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_cost: 1_000_000,
            max_string_bytes: 8 << 20,
            max_list_len: 1_000_000,
            max_map_len: 1_000_000,
        }
    }
}

impl Limits {
    /// Limits that never stop an evaluation (for trusted expressions and plan-time folding tests).
    pub fn unlimited() -> Limits {
        Limits {
            max_cost: u64::MAX,
            max_string_bytes: usize::MAX,
            max_list_len: usize::MAX,
            max_map_len: usize::MAX,
        }
    }

    /// Fails if `v` is a string, bytes, list or map larger than allowed.
    pub fn check_size(&self, v: &Value) -> Result<()> {
        match v {
            Value::String(s) if s.len() > self.max_string_bytes => Err(EvalError::limit(format!(
                "string of {} bytes exceeds the limit of {} bytes",
                s.len(),
                self.max_string_bytes
            ))),
            Value::Bytes(b) if b.len() > self.max_string_bytes => Err(EvalError::limit(format!(
                "bytes of length {} exceed the limit of {} bytes",
                b.len(),
                self.max_string_bytes
            ))),
            Value::List(items) if items.weight() > self.max_list_len as u64 => {
                Err(self.list_too_long())
            }
            Value::Map(map) if map.weight() > self.max_map_len as u64 => Err(EvalError::limit(
                format!("map exceeds the limit of {} entries", self.max_map_len),
            )),
            _ => Ok(()),
        }
    }

    pub fn list_too_long(&self) -> EvalError {
        EvalError::limit(format!(
            "list exceeds the limit of {} elements",
            self.max_list_len
        ))
    }
}
