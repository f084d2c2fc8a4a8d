//! Limits on one evaluation: cost, and the size of any string, bytes, list or map it builds.

use std::cell::Cell;

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
    /// Most bytes the regular expressions compiled from one program's constant patterns may
    /// hold together (a compile-time bound: a pattern past it is a `limit` error where it is
    /// used); default 4 MiB.
    pub max_program_regex_bytes: usize,
    /// Most bytes one evaluation may allocate beyond what it started with (net of what it
    /// frees), when the program's allocator is `memory::MeteredAlloc` (else not enforced);
    /// default 64 MiB.
    pub max_memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_cost: 1_000_000,
            max_string_bytes: SizeLimits::DEFAULT.max_string_bytes,
            max_list_len: SizeLimits::DEFAULT.max_list_len,
            max_map_len: SizeLimits::DEFAULT.max_map_len,
            max_program_regex_bytes: 4 << 20,
            max_memory_bytes: 64 << 20,
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
            max_program_regex_bytes: usize::MAX,
            max_memory_bytes: usize::MAX,
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
        SizeLimits::of(self).list_too_long()
    }
}

/// The size bounds of [`Limits`], as functions that build values see them: they refuse a size
/// before allocating it, so a limit set below the default bounds memory, not only the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeLimits {
    pub max_string_bytes: usize,
    pub max_list_len: usize,
    pub max_map_len: usize,
}

impl SizeLimits {
    pub const DEFAULT: SizeLimits = SizeLimits {
        max_string_bytes: 8 << 20,
        max_list_len: 1_000_000,
        max_map_len: 1_000_000,
    };

    fn of(limits: &Limits) -> SizeLimits {
        SizeLimits {
            max_string_bytes: limits.max_string_bytes,
            max_list_len: limits.max_list_len,
            max_map_len: limits.max_map_len,
        }
    }

    /// The bounds of the evaluation running on this thread ([`SizeLimits::DEFAULT`] outside one).
    pub fn current() -> SizeLimits {
        CURRENT.with(Cell::get)
    }

    pub fn list_too_long(self) -> EvalError {
        EvalError::limit(format!(
            "list exceeds the limit of {} elements",
            self.max_list_len
        ))
    }
}

thread_local! {
    static CURRENT: Cell<SizeLimits> = const { Cell::new(SizeLimits::DEFAULT) };
}

/// Makes an evaluation's size bounds [`SizeLimits::current`] on this thread until dropped; a
/// no-op when they already are (the common case: default limits).
pub(crate) struct SizeScope {
    previous: Option<SizeLimits>,
}

impl SizeScope {
    pub(crate) fn enter(limits: &Limits) -> SizeScope {
        let wanted = SizeLimits::of(limits);
        let previous = CURRENT.with(|current| {
            let previous = current.get();
            (previous != wanted).then(|| {
                current.set(wanted);
                previous
            })
        });
        SizeScope { previous }
    }
}

impl Drop for SizeScope {
    fn drop(&mut self) {
        if let Some(previous) = self.previous {
            CURRENT.with(|current| current.set(previous));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_sets_the_bounds_for_its_duration_only() {
        let small = Limits {
            max_list_len: 10,
            ..Limits::default()
        };
        assert_eq!(SizeLimits::current(), SizeLimits::DEFAULT);
        {
            let _scope = SizeScope::enter(&small);
            assert_eq!(SizeLimits::current().max_list_len, 10);
            {
                let _inner = SizeScope::enter(&Limits::default());
                assert_eq!(SizeLimits::current(), SizeLimits::DEFAULT);
            }
            assert_eq!(SizeLimits::current().max_list_len, 10);
        }
        assert_eq!(SizeLimits::current(), SizeLimits::DEFAULT);
    }
}
