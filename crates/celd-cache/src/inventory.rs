//! The inventory: what programs are loaded, how much each holds and how each is used.

use std::cmp::Reverse;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::cache::ProgramCache;
use crate::entry::{CachedProgram, ProgramId};

/// One live program as the inventory shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgramInfo {
    pub id: ProgramId,
    /// The first request's text with hoisted literals shown as `$N`.
    pub template: String,
    /// Where the first request came from, if the caller said.
    pub origin: Option<String>,
    /// `Env::id()` of the environment it was compiled in.
    pub env_id: u64,
    /// The deduced result type.
    pub result_type: String,
    /// How many literals each request supplies.
    pub params: u32,
    /// Lookups that found this program (the first, compiling request not included).
    pub hits: u64,
    /// Bytes charged against the cache budget.
    pub bytes: u64,
    pub compile_time: Duration,
    /// Time since it was compiled (its first use).
    pub age: Duration,
    /// Time since its last use (to the millisecond).
    pub idle: Duration,
}

/// The order of [`ProgramCache::inventory`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Most hits first.
    #[default]
    Hits,
    /// Largest first.
    Bytes,
    /// Oldest first.
    Age,
}

/// Why a text is not a [`SortBy`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSortByError;

impl std::fmt::Display for ParseSortByError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sort by hits, bytes or age")
    }
}

impl std::error::Error for ParseSortByError {}

impl FromStr for SortBy {
    type Err = ParseSortByError;

    fn from_str(s: &str) -> Result<SortBy, ParseSortByError> {
        match s {
            "hits" => Ok(SortBy::Hits),
            "bytes" => Ok(SortBy::Bytes),
            "age" => Ok(SortBy::Age),
            _ => Err(ParseSortByError),
        }
    }
}

impl ProgramCache {
    /// Every live program, sorted; ties keep the id order.
    pub fn inventory(&self, sort: SortBy) -> Vec<ProgramInfo> {
        let now = self.now_nanos();
        let mut programs: Vec<ProgramInfo> = self.entries().map(|e| info(&e, now)).collect();
        programs.sort_by_key(|p| p.id);
        match sort {
            SortBy::Hits => programs.sort_by_key(|p| Reverse(p.hits)),
            SortBy::Bytes => programs.sort_by_key(|p| Reverse(p.bytes)),
            SortBy::Age => programs.sort_by_key(|p| Reverse(p.age)),
        }
        programs
    }

    /// One live program by id.
    pub fn program_info(&self, id: ProgramId) -> Option<ProgramInfo> {
        let now = self.now_nanos();
        self.entries().find(|e| e.id == id).map(|e| info(&e, now))
    }
}

pub(crate) fn info(entry: &CachedProgram, now: u64) -> ProgramInfo {
    let since = |t: u64| Duration::from_nanos(now.saturating_sub(t));
    ProgramInfo {
        id: entry.id,
        template: entry.template.to_string(),
        origin: entry.origin.as_deref().map(str::to_owned),
        env_id: entry.env.id(),
        result_type: entry.program.result_type().to_string(),
        params: entry.n_params,
        hits: entry.hits.load(Ordering::Relaxed),
        bytes: u64::from(entry.weight),
        compile_time: entry.compile_time,
        age: since(entry.created),
        idle: since(entry.last_use.load(Ordering::Relaxed)),
    }
}
