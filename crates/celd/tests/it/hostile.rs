//! Hostile inputs through the library: every case of `tests/hostile/cases.toml` is compiled
//! and evaluated on a thread with a 2 MiB stack, with a 10 s evaluation deadline; each must
//! give its error kind (or value) without panicking, hanging or overflowing the stack, and
//! the whole table must stay within a bound on the process's peak memory.

#[path = "../hostile/table.rs"]
mod table;

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use celd::layers::types::parse_type;
use celd::layers::value::json::{
    JsonReader, MAX_DOCUMENT_DEPTH, check_integer_range, check_nesting, to_json,
};
use celd::{Env, Error, EvalOptions, Type};
use table::{Case, Outcome};

/// The stack each case runs on: a small thread stack, as hosts often give their workers.
const STACK_BYTES: usize = 2 << 20;
/// Evaluation stops itself after this long (the engine's own deadline, not a measurement).
const DEADLINE: Duration = Duration::from_secs(10);
/// Only turns a hang into a failure; no case comes near it.
const WATCHDOG: Duration = Duration::from_secs(30);
/// The process's peak resident memory after the whole table. The largest inputs are a few
/// MiB of text and values capped at 8 MiB strings and 1,000,000-element lists (README
/// "Limits"), and every case's values are dropped before the next starts.
const MAX_PEAK_RSS_BYTES: u64 = 1 << 30;

fn request(message: impl Into<String>) -> Outcome {
    Outcome::Error {
        kind: "request".into(),
        message: message.into(),
    }
}

fn failure(error: &Error) -> Outcome {
    Outcome::Error {
        kind: error.kind().name().into(),
        message: error.message().into(),
    }
}

/// Runs one case the way a host would: the expression and variables arrive as bytes, are
/// decoded strictly (a host cannot hand the library anything but `&str` and celd JSON),
/// then compiled with every extension and evaluated under the default limits and a deadline.
/// A successful result is written as celd JSON, as the CLI and the server do. Evaluation is
/// limited to `deadline`; also returns how long it took.
fn run_within(case: &Case, deadline: Duration) -> (Outcome, Duration) {
    let (program, activation, env) = match prepare(case) {
        Ok(prepared) => prepared,
        Err(outcome) => return (outcome, Duration::ZERO),
    };
    let start = Instant::now();
    let options = EvalOptions {
        limits: Some(env.limits()),
        deadline: Some(start + deadline),
        ..EvalOptions::default()
    };
    let outcome = match program.eval_with(&activation, &options) {
        Ok(value) => Outcome::Value(to_json(&value).to_string()),
        Err(e) => failure(&e),
    };
    (outcome, start.elapsed())
}

/// The case's program and variables, or the outcome that ends it before evaluation.
fn prepare(case: &Case) -> Result<(celd::Program, celd::Activation, Env), Outcome> {
    let Some(text) = case.expr_text() else {
        // What a JSON request decoder (the server's, `celd eval --batch`) says of such bytes.
        return Err(request(
            "invalid unicode code point: the expression is not UTF-8",
        ));
    };
    let vars: serde_json::Map<String, serde_json::Value> = match &case.vars {
        None => serde_json::Map::new(),
        Some(bytes) => {
            // The decoders refuse a document nested past the document limit, and integers
            // out of range, before parsing it.
            let checked = check_nesting(bytes, MAX_DOCUMENT_DEPTH)
                .and_then(|()| check_integer_range(bytes))
                .map(|()| serde_json::from_slice(bytes));
            match checked {
                Err(e) => return Err(request(format!("invalid variables: {e}"))),
                Ok(Ok(vars)) => vars,
                Ok(Err(e)) => return Err(request(format!("invalid variables: {e}"))),
            }
        }
    };
    let mut builder = Env::builder().all_extensions();
    for (name, ty) in &case.decls {
        builder = builder.variable(name, parse_type(ty).expect("a valid declaration"));
    }
    for name in vars.keys() {
        if !case.decls.contains_key(name) {
            builder = builder.variable(name, Type::Dyn);
        }
    }
    let env = builder.build().expect("the environment builds");
    let mut activation = env.activation();
    for (name, json) in &vars {
        match JsonReader::default().read(json) {
            Ok(value) => activation.insert(name, value),
            Err(e) => return Err(request(format!("variable '{name}': {e}"))),
        };
    }
    let program = match env.compile(text) {
        Ok(program) => program,
        Err(e) => return Err(failure(&e)),
    };
    Ok((program, activation, env))
}

/// Runs `case` on its own small-stack thread; a panic or a hang is a failure.
fn run_isolated(case: &Case) -> Result<Outcome, String> {
    run_isolated_within(case, DEADLINE).map(|(outcome, _)| outcome)
}

/// As [`run_isolated`], evaluating within `deadline`; also how long the evaluation took.
fn run_isolated_within(case: &Case, deadline: Duration) -> Result<(Outcome, Duration), String> {
    let (send, receive) = mpsc::channel();
    let owned = case.clone();
    std::thread::Builder::new()
        .name(case.name.clone())
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(|| run_within(&owned, deadline));
            let _ = send.send(outcome.map_err(|_| ()));
        })
        .expect("spawn a case thread");
    match receive.recv_timeout(WATCHDOG) {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(())) => Err(format!("{}: panicked", case.name)),
        Err(_) => Err(format!("{}: no answer within {WATCHDOG:?}", case.name)),
    }
}

/// The process's peak resident set size so far, in bytes.
fn peak_rss_bytes() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete `rusage` into the pointer it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    assert_eq!(rc, 0, "getrusage failed");
    // SAFETY: getrusage succeeded, so the struct is initialized.
    let usage = unsafe { usage.assume_init() };
    // Linux reports kibibytes.
    u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024
}

#[test]
fn hostile_table() {
    let cases = table::load();
    // HOSTILE_CASE=name runs the cases whose name contains it (while debugging one).
    if let Ok(filter) = std::env::var("HOSTILE_CASE") {
        let chosen: Vec<Case> = cases
            .into_iter()
            .filter(|c| c.name.contains(&filter))
            .collect();
        for case in &chosen {
            println!("{}: {:?}", case.name, run_isolated(case));
        }
        return;
    }
    assert!(cases.len() >= 40, "the table has {} cases", cases.len());
    let kinds: BTreeSet<&str> = cases.iter().map(|c| c.kind.as_str()).collect();
    for kind in ["parse", "check", "eval", "limit", "request", "ok"] {
        assert!(kinds.contains(kind), "no case of kind {kind}");
    }
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| match run_isolated(case) {
            Ok(outcome) => case.mismatch(&outcome),
            Err(problem) => Some(problem),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    let peak = peak_rss_bytes();
    assert!(
        peak < MAX_PEAK_RSS_BYTES,
        "peak resident memory {} MiB exceeds {} MiB",
        peak >> 20,
        MAX_PEAK_RSS_BYTES >> 20
    );
}

/// The deadline of [`a_limit_ends_every_case_at_once`]: short enough that most cases
/// that evaluate at length meet it.
const SHORT_DEADLINE: Duration = Duration::from_millis(5);

/// Under a 5 ms deadline every case gives its own answer or the time limit, never another
/// value or error: a time limit that `exists`, `||` or a fold absorbed would give one. It
/// prints the cases that ran longest past the deadline (the slack README documents; build
/// with `--release` for the figure).
#[test]
fn a_limit_ends_every_case_at_once() {
    if std::env::var("HOSTILE_CASE").is_ok() {
        return;
    }
    let mut overshoots: Vec<(Duration, String)> = Vec::new();
    let mut failures = Vec::new();
    for case in table::load() {
        let (outcome, took) = match run_isolated_within(&case, SHORT_DEADLINE) {
            Ok(ran) => ran,
            Err(problem) => {
                failures.push(problem);
                continue;
            }
        };
        let timed_out = matches!(&outcome, Outcome::Error { kind, message }
            if kind == "limit" && message.contains("time limit"));
        if timed_out {
            overshoots.push((took.saturating_sub(SHORT_DEADLINE), case.name.clone()));
        } else if let Some(mismatch) = case.mismatch(&outcome) {
            failures.push(mismatch);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(!overshoots.is_empty(), "no case met the deadline");
    overshoots.sort();
    println!(
        "{} cases met the {SHORT_DEADLINE:?} deadline; longest past it:",
        overshoots.len()
    );
    for (past, name) in overshoots.iter().rev().take(5) {
        println!("  {name}: {past:?}");
    }
}
