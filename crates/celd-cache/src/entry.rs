//! [`CachedProgram`]: one compiled template with its identity, weight and usage statistics.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use celd::{Env, Program, Value};

use crate::template::Params;

/// A short stable identity of a cached program: a hash of its template key (structure and
/// kept literals) and of its environment's declarations, printed as 12 hex digits. The same
/// template in the same declarations gets the same id in every process.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ProgramId(u64);

impl ProgramId {
    const DIGITS: usize = 12;
    const MASK: u64 = (1 << (4 * Self::DIGITS)) - 1;

    pub(crate) fn from_hash(hash: u64) -> ProgramId {
        ProgramId(hash & Self::MASK)
    }

    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ProgramId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012x}", self.0)
    }
}

/// Why a text is not a [`ProgramId`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseProgramIdError;

impl fmt::Display for ParseProgramIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a program id is {} hex digits", ProgramId::DIGITS)
    }
}

impl std::error::Error for ParseProgramIdError {}

impl FromStr for ProgramId {
    type Err = ParseProgramIdError;

    fn from_str(s: &str) -> Result<ProgramId, ParseProgramIdError> {
        if s.len() != Self::DIGITS {
            return Err(ParseProgramIdError);
        }
        u64::from_str_radix(s, 16)
            .map(ProgramId)
            .map_err(|_| ParseProgramIdError)
    }
}

/// 64-bit FNV-1a: stable across processes and versions, unlike the map's hasher.
pub(crate) fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        // Separate the parts, so ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// One cached template: the program, what it was compiled from, and its statistics.
pub(crate) struct CachedProgram {
    /// The cache key: the template's structure and the environment's id.
    pub key: Box<[u8]>,
    pub program: Arc<Program>,
    pub id: ProgramId,
    /// The first request's text with hoisted literals shown as `$N`.
    pub template: Box<str>,
    /// The environment it was compiled in (for dumps, which re-check the template's text).
    pub env: Env,
    /// Where the first request came from, if the caller said.
    pub origin: Option<Box<str>>,
    pub n_params: u32,
    /// The literal values of the text that compiled it (`program.source()`), for a lookup by
    /// that exact text.
    pub first_params: Params,
    /// Bytes charged against the cache budget.
    pub weight: u32,
    pub compile_time: Duration,
    /// Clock readings (nanoseconds) of the compilation and of the latest use.
    pub created: u64,
    pub last_use: AtomicU64,
    pub hits: AtomicU64,
}

/// Bytes moka keeps per entry besides our key and value: its hash-table node, the key's and
/// value's `Arc` blocks and the access-order deque node (measured by the weight test).
const MAP_ENTRY_OVERHEAD: usize = 320;

/// What an allocation of `n` bytes costs the allocator: rounded to 16 with a header.
pub(crate) fn allocation(n: usize) -> usize {
    if n == 0 { 0 } else { n.div_ceil(16) * 16 + 16 }
}

impl CachedProgram {
    /// The bytes this entry holds: the program's measured heap (its compiled patterns
    /// included), this struct, its texts and key, and the map's own bookkeeping.
    pub fn measure_weight(&self) -> u32 {
        let bytes = self.program.heap_size()
            + allocation(size_of::<Program>() + 16)
            + allocation(size_of::<CachedProgram>() + 16)
            + allocation(self.template.len())
            + self.origin.as_ref().map_or(0, |o| allocation(o.len()))
            + allocation(self.key.len())
            + params_heap(&self.first_params)
            + MAP_ENTRY_OVERHEAD;
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }

    pub fn touch(&self, now: u64) {
        self.hits.fetch_add(1, Ordering::Relaxed);
        self.note_use(now);
    }

    /// Records `now` as the last use.
    pub fn note_use(&self, now: u64) {
        // Skip the store when another thread already wrote this millisecond: the cache line
        // then stays shared instead of bouncing between cores on a hot template.
        if now.saturating_sub(self.last_use.load(Ordering::Relaxed)) >= 1_000_000 {
            self.last_use.store(now, Ordering::Relaxed);
        }
    }
}

/// Heap bytes of parameter values: the spilled vector and the texts of strings and bytes.
fn params_heap(params: &Params) -> usize {
    let spilled = if params.spilled() {
        allocation(params.capacity() * size_of::<Value>())
    } else {
        0
    };
    let texts: usize = params
        .iter()
        .map(|v| match v {
            Value::String(s) => allocation(s.len()),
            Value::Bytes(b) => allocation(b.len()),
            _ => 0,
        })
        .sum();
    spilled + texts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_and_parse() {
        let id = ProgramId::from_hash(0xdead_beef_1234_5678);
        assert_eq!(id.to_string(), "beef12345678");
        assert_eq!("beef12345678".parse(), Ok(id));
        assert_eq!("beef".parse::<ProgramId>(), Err(ParseProgramIdError));
        assert_eq!(
            "zzzzzzzzzzzz".parse::<ProgramId>(),
            Err(ParseProgramIdError)
        );
    }

    #[test]
    fn stable_hash_separates_parts() {
        assert_ne!(stable_hash(&[b"ab", b"c"]), stable_hash(&[b"a", b"bc"]));
        assert_eq!(stable_hash(&[b"x"]), stable_hash(&[b"x"]));
    }
}
