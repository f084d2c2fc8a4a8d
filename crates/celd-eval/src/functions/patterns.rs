//! Regular expressions: RE2's syntax and meaning (translated by [`re2`](super::re2)),
//! compiled within bounds on their size, weighed in bytes, and reused per thread within a
//! byte budget.
//!
//! A compiled pattern holds from a few kilobytes to megabytes (`\w` expands to every Unicode
//! word character), and each thread that searches with it grows a search cache (the lazy DFA's
//! states) up to [`SEARCH_CACHE_BYTES`]. So every compilation is bounded
//! ([`COMPILED_SIZE_LIMIT`]), a program's constant patterns are weighed
//! ([`held_bytes`]), built on first use ([`ConstPattern`]) and bounded together
//! ([`PatternBudget`], `Limits::max_program_regex_bytes`), and the
//! per-thread cache of patterns compiled at run time ([`cached`]) is bounded by the most its
//! entries can hold ([`bound_bytes`]), not by their count.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use celd_value::{EvalError, Result};

use super::re2;
use regex_automata::meta;
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use smol_str::SmolStr;

pub type Regex = meta::Regex;

/// The largest automaton (NFA) one pattern may compile to, in bytes.
pub const COMPILED_SIZE_LIMIT: usize = 1 << 20;

/// The most a search cache (the lazy DFA's) of one pattern may grow to on one thread; a pattern
/// whose automaton needs more is searched by the slower engines instead.
pub const SEARCH_CACHE_BYTES: usize = 256 << 10;

/// The most bytes the patterns one thread keeps compiled may hold ([`bound_bytes`] summed).
pub const THREAD_CACHE_BYTES: usize = 2 << 20;

/// Compiles `pattern` with RE2's syntax and meaning: what RE2 rejects is an error, the
/// constructs whose meaning differs are rewritten ([`re2::translate`]), and the result is
/// compiled as the `regex` crate does (leftmost-first, Unicode, UTF-8) within the size bounds.
pub fn compile(pattern: &str) -> Result<Regex> {
    let translated = re2::translate(pattern).map_err(invalid_re2)?;
    compile_translated(&translated.pattern)
}

/// Checks `pattern`'s syntax without building its automaton (much cheaper than [`compile`],
/// with the same verdict and message on everything but the size bounds).
pub fn check_syntax(pattern: &str) -> Result<()> {
    check_syntax_now(pattern)
}

/// [`check_syntax`], remembering a valid pattern for the planner, whose constant pattern of
/// the same text ([`ConstPattern::new`]) then takes the verdict instead of checking again:
/// compile-time validation checks the patterns the planner is about to.
pub fn check_syntax_for_plan(pattern: &str) -> Result<()> {
    check_syntax_now(pattern)?;
    let _ = VALID_PATTERNS.try_with(|valid| {
        let mut valid = valid.borrow_mut();
        if valid.len() >= VALID_PATTERNS_KEPT {
            valid.remove(0);
        }
        valid.push(SmolStr::new(pattern));
    });
    Ok(())
}

/// The most valid patterns a thread remembers for the planner (each is taken when used; the
/// oldest goes first when a validation's patterns are not planned).
const VALID_PATTERNS_KEPT: usize = 8;

thread_local! {
    /// Patterns [`check_syntax_for_plan`] found valid that no constant pattern took yet.
    static VALID_PATTERNS: RefCell<Vec<SmolStr>> = const { RefCell::new(Vec::new()) };
}

/// Whether `pattern` was found valid by [`check_syntax_for_plan`]; the verdict is taken (a
/// pattern's validity depends on its text alone, so a verdict is never stale).
fn take_valid(pattern: &str) -> bool {
    VALID_PATTERNS
        .try_with(|valid| {
            let mut valid = valid.borrow_mut();
            match valid.iter().position(|p| p == pattern) {
                Some(i) => {
                    valid.remove(i);
                    true
                }
                None => false,
            }
        })
        .unwrap_or(false)
}

fn check_syntax_now(pattern: &str) -> Result<()> {
    let translated = re2::translate(pattern).map_err(invalid_re2)?;
    // Translating the syntax tree for the automaton can only fail on what the tree does
    // not settle (a Unicode class's table); most patterns skip that step, most of the work.
    if !translated.needs_translation_check {
        return Ok(());
    }
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(&translated.pattern)
        .map(|_| ())
        .map_err(|e| invalid_re2(re2::Re2Error(last_line(&e.to_string()).to_owned())))
}

fn invalid_re2(e: re2::Re2Error) -> EvalError {
    EvalError::invalid_argument(format!("invalid regular expression: {}", e.0))
}

/// Compiles an already translated pattern; errors are worded as the `regex` crate's are.
fn compile_translated(pattern: &str) -> Result<Regex> {
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

/// The bytes a program's constant patterns may hold together, taken as each is compiled.
#[derive(Debug)]
pub struct PatternBudget {
    limit: usize,
    used: AtomicUsize,
}

impl PatternBudget {
    pub fn new(limit: usize) -> Arc<PatternBudget> {
        Arc::new(PatternBudget {
            limit,
            used: AtomicUsize::new(0),
        })
    }

    /// Takes `bytes` from the budget, or says it would be exceeded (and takes nothing).
    fn take(&self, bytes: usize) -> Result<()> {
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(bytes).filter(|&total| total <= self.limit)
            })
            .map(|_| ())
            .map_err(|_| {
                EvalError::limit(format!(
                    "the regular expressions of this program exceed the limit of {} bytes compiled",
                    self.limit
                ))
            })
    }
}

/// A program's constant pattern. Its syntax is checked when the program is planned; its
/// automaton, the costly part, is built once, on the first match or when the program is
/// weighed, within the program's [`PatternBudget`]. Compiling a program that is evaluated
/// rarely (or never, as most in a flood of one-off expressions) so costs no automaton.
#[derive(Debug)]
pub struct ConstPattern {
    text: SmolStr,
    budget: Arc<PatternBudget>,
    compiled: OnceLock<Result<Regex>>,
}

impl ConstPattern {
    /// A pattern whose syntax is valid (an invalid one is an error now, with RE2's message).
    pub fn new(text: SmolStr, budget: Arc<PatternBudget>) -> Result<ConstPattern> {
        if !take_valid(&text) {
            check_syntax(&text)?;
        }
        Ok(ConstPattern {
            text,
            budget,
            compiled: OnceLock::new(),
        })
    }

    /// The compiled pattern, built on the first call; the error of a pattern over the size
    /// bounds or the program's budget is kept and returned on every call.
    pub fn regex(&self) -> Result<&Regex> {
        self.compiled
            .get_or_init(|| {
                let re = compile(&self.text)?;
                self.budget.take(held_bytes(&re))?;
                Ok(re)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// What the compiled pattern holds ([`held_bytes`]), compiling it if it is not yet; a
    /// pattern that failed to compile holds nothing.
    pub fn held_bytes(&self) -> usize {
        self.regex().map_or(0, held_bytes)
    }
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
    fn a_verdict_left_by_validation_is_taken_once() {
        assert!(check_syntax_for_plan("^h.*o$").is_ok());
        assert!(take_valid("^h.*o$"));
        assert!(!take_valid("^h.*o$"));
    }

    #[test]
    fn an_invalid_pattern_leaves_no_verdict_and_still_fails_to_plan() {
        assert!(check_syntax_for_plan("x++").is_err());
        assert!(!take_valid("x++"));
        let budget = PatternBudget::new(usize::MAX);
        assert!(ConstPattern::new(SmolStr::new("x++"), budget).is_err());
    }

    #[test]
    fn the_remembered_verdicts_are_bounded() {
        for i in 0..VALID_PATTERNS_KEPT + 4 {
            assert!(check_syntax_for_plan(&format!("p{i}")).is_ok());
        }
        let kept = VALID_PATTERNS.with(|valid| valid.borrow().len());
        assert_eq!(kept, VALID_PATTERNS_KEPT);
        assert!(!take_valid("p0"));
        assert!(take_valid(&format!("p{}", VALID_PATTERNS_KEPT + 3)));
    }

    #[test]
    fn errors_are_worded_as_the_regex_crate_words_them() {
        let e = compile("(").unwrap_err();
        assert_eq!(e.message(), "invalid regular expression: unclosed group");
        let e = compile("\\pL{1000}\\pL{1000}").unwrap_err();
        assert!(
            e.message()
                .contains("Compiled regex exceeds size limit of 1048576 bytes"),
            "{e:?}"
        );
    }

    /// What RE2 accepts, translated, compiles as the `regex` crate compiles it with the same
    /// bounds, with the same wording; what RE2 rejects is an error.
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
            let Ok(translated) = re2::translate(pattern) else {
                assert!(compile(pattern).is_err(), "{pattern}");
                continue;
            };
            let theirs = regex::RegexBuilder::new(&translated.pattern)
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
                let pattern = format!("\\pL{{5}}x{i}");
                let re = cached(&pattern).unwrap();
                assert!(re.is_match(format!("éééééx{i}").as_str()));
                compiled += bound_bytes(&re, &pattern);
                assert!(thread_cache_bytes() <= THREAD_CACHE_BYTES);
            }
            assert!(compiled > 4 * THREAD_CACHE_BYTES, "{compiled}");
            let last = cached("\\pL{5}x19").unwrap();
            assert!(Arc::ptr_eq(&last, &cached("\\pL{5}x19").unwrap()));
        })
        .join()
        .unwrap();
    }

    /// The syntax check (which skips building the automaton) accepts and rejects exactly what
    /// compiling does, with the same message.
    #[test]
    fn syntax_check_agrees_with_compiling() {
        let patterns = [
            "^h.*o$",
            r"\d+",
            r"\D\W\S",
            r"[\d\w]",
            "a|b|",
            "(a)(?:b)(?P<name>c)",
            "a{2,3}",
            "[a-z&&[^x]]",
            r"\xFF",
            r"\x{10FFFF}",
            "é.ü",
            r"\p{Greek}",
            r"\pL",
            r"\p{Foo}",
            r"[\p{Foo}]",
            r"\P{Greek}",
            r"[\p{Greek}\PL]",
            r"(?-u:\xFF)",
            "(?i)abc",
            "(?i:é)",
            "(?s).",
            "(?x) a b",
            "(a",
            "a)",
            "[z-a]",
            "*",
            "a{3,2}",
            r"\",
            r"\q",
            "",
            "(((((((((())))))))))",
            "x++",
            r"\012",
            r"\b{start}",
            "a{ 2 }",
        ];
        for pattern in patterns {
            let compiled = compile(pattern).map(|_| ());
            let checked = check_syntax(pattern);
            assert_eq!(
                checked.as_ref().map_err(|e| e.message()),
                compiled.as_ref().map_err(|e| e.message()),
                "{pattern}"
            );
        }
        let deep = format!("{}a{}", "(".repeat(300), ")".repeat(300));
        assert!(check_syntax(&deep).is_err());
    }
}
