//! Regular expressions: compiled with RE2 semantics within bounds on their size, weighed in
//! bytes, and reused per thread within a byte budget.
//!
//! A compiled pattern holds from a few kilobytes to megabytes (`\w` expands to every Unicode
//! word character), and each thread that searches with it grows a search cache (the lazy DFA's
//! states) up to [`SEARCH_CACHE_BYTES`]. So every compilation is bounded
//! ([`COMPILED_SIZE_LIMIT`]), a program's constant patterns are weighed
//! ([`held_bytes`]) and bounded together (`Limits::max_program_regex_bytes`), and the
//! per-thread cache of patterns compiled at run time ([`cached`]) is bounded by the most its
//! entries can hold ([`bound_bytes`]), not by their count.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use celd_value::{EvalError, Result};
use regex_automata::meta;
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;

pub type Regex = meta::Regex;

/// The largest automaton (NFA) one pattern may compile to, in bytes.
pub const COMPILED_SIZE_LIMIT: usize = 1 << 20;

/// The most a search cache (the lazy DFA's) of one pattern may grow to on one thread; a pattern
/// whose automaton needs more is searched by the slower engines instead.
pub const SEARCH_CACHE_BYTES: usize = 256 << 10;

/// The most bytes the patterns one thread keeps compiled may hold ([`bound_bytes`] summed).
pub const THREAD_CACHE_BYTES: usize = 2 << 20;

/// Compiles `pattern` as the `regex` crate does (leftmost-first, Unicode, UTF-8), within the
/// size bounds; errors are worded as `regex`'s are.
pub fn compile(pattern: &str) -> Result<Regex> {
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(Some(COMPILED_SIZE_LIMIT))
        .hybrid_cache_capacity(SEARCH_CACHE_BYTES);
    meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().utf8(true))
        .build(pattern)
        .map_err(|e| invalid(&e))
}

fn invalid(e: &meta::BuildError) -> EvalError {
    let detail = if let Some(limit) = e.size_limit() {
        format!("Compiled regex exceeds size limit of {limit} bytes.")
    } else if let Some(syntax) = e.syntax_error() {
        syntax.to_string()
    } else {
        e.to_string()
    };
    EvalError::invalid_argument(format!(
        "invalid regular expression: {}",
        last_line(&detail)
    ))
}

/// The last line of a regex error ("error: unclosed group"), without its "error: " label.
fn last_line(text: &str) -> &str {
    let last = text.lines().last().unwrap_or(text).trim();
    last.strip_prefix("error: ").unwrap_or(last)
}

/// What a compiled pattern holds once it has searched: its automata, and a first search
/// cache. Measured: after a first match the allocator holds 1.2 to 1.8 times
/// `memory_usage()` of the larger automata and about 3 KiB more for the wrappers; 1.45 times
/// plus 6 KiB is within ±25 % of the program cache's weight test patterns.
pub fn held_bytes(re: &Regex) -> usize {
    re.memory_usage() * 29 / 20 + 6 * 1024
}

/// The most a compiled pattern can hold for one thread: its automata, a search cache grown
/// to its limit, and its text.
pub fn bound_bytes(re: &Regex, pattern: &str) -> usize {
    re.memory_usage() + SEARCH_CACHE_BYTES + pattern.len() + 1024
}

/// Patterns this thread compiled at run time, and the bytes they may hold.
#[derive(Default)]
struct ThreadCache {
    patterns: HashMap<String, Arc<Regex>>,
    bytes: usize,
}

thread_local! {
    static COMPILED: RefCell<ThreadCache> = RefCell::new(ThreadCache::default());
}

/// Compiles `pattern`, reusing a recent compilation on this thread. The thread's patterns
/// hold at most [`THREAD_CACHE_BYTES`]: when a new one does not fit, the others are dropped;
/// one that alone would not fit is not kept.
pub fn cached(pattern: &str) -> Result<Arc<Regex>> {
    if let Some(re) = COMPILED.with(|c| c.borrow().patterns.get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Arc::new(compile(pattern)?);
    let bytes = bound_bytes(&re, pattern);
    if bytes <= THREAD_CACHE_BYTES {
        COMPILED.with(|c| {
            let mut cache = c.borrow_mut();
            if cache.bytes + bytes > THREAD_CACHE_BYTES {
                cache.patterns.clear();
                cache.bytes = 0;
            }
            cache.patterns.insert(pattern.to_owned(), re.clone());
            cache.bytes += bytes;
        });
    }
    Ok(re)
}

/// The bytes this thread's cache of run-time patterns may hold now (at most
/// [`THREAD_CACHE_BYTES`]).
pub fn thread_cache_bytes() -> usize {
    COMPILED.with(|c| c.borrow().bytes)
}

/// The text of capture group `group` of the match `caps`, if it took part.
pub fn group<'h>(caps: &Captures, group: usize, haystack: &'h str) -> Option<&'h str> {
    caps.get_group(group)
        .and_then(|span| haystack.get(span.range()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_worded_as_the_regex_crate_words_them() {
        let e = compile("(").unwrap_err();
        assert_eq!(e.message(), "invalid regular expression: unclosed group");
        let e = compile("\\w{1000}\\w{1000}").unwrap_err();
        assert!(
            e.message()
                .contains("Compiled regex exceeds size limit of 1048576 bytes"),
            "{e:?}"
        );
    }

    /// The same acceptance and wording as the `regex` crate with the same bounds.
    #[test]
    fn compile_agrees_with_the_regex_crate() {
        let patterns = [
            "^h.*o$",
            r"\d+",
            r"[\d\w]",
            "a|b|",
            "(a)(?:b)(?P<name>c)",
            "[a-z&&[^x]]",
            r"\x{10FFFF}",
            r"\p{Greek}",
            r"\p{Foo}",
            r"(?-u:\xFF)",
            r"(?-u)é",
            "(?i:é)",
            "(a",
            "a)",
            "[z-a]",
            "*",
            "a{3,2}",
            r"\",
            r"\q",
            "",
            r"\w{1000}",
        ];
        for pattern in patterns {
            let theirs = regex::RegexBuilder::new(pattern)
                .size_limit(COMPILED_SIZE_LIMIT)
                .dfa_size_limit(SEARCH_CACHE_BYTES)
                .build()
                .map_err(|e| e.to_string());
            let ours = compile(pattern);
            assert_eq!(ours.is_ok(), theirs.is_ok(), "{pattern}");
            if let (Err(ours), Err(theirs)) = (ours, theirs) {
                assert!(
                    ours.message().ends_with(last_line(&theirs)),
                    "{pattern}: {ours:?}"
                );
            }
        }
    }

    #[test]
    fn a_threads_patterns_hold_at_most_their_budget() {
        std::thread::spawn(|| {
            let mut compiled = 0;
            for i in 0..20 {
                // Each holds about half a megabyte at most: the budget keeps three or four.
                let pattern = format!("\\w{{5}}x{i}");
                let re = cached(&pattern).unwrap();
                assert!(re.is_match(format!("éééééx{i}").as_str()));
                compiled += bound_bytes(&re, &pattern);
                assert!(thread_cache_bytes() <= THREAD_CACHE_BYTES);
            }
            assert!(compiled > 4 * THREAD_CACHE_BYTES, "{compiled}");
            let last = cached("\\w{5}x19").unwrap();
            assert!(Arc::ptr_eq(&last, &cached("\\w{5}x19").unwrap()));
        })
        .join()
        .unwrap();
    }
}
