//! Runs one benchmark case in a loop, for profilers: `profile e05 eval 5` (case,
//! eval|eval-details|compile|parse|check|cache-hit|cel-eval|cel-compile|noop, seconds;
//! `cache-hit` looks the case's text up in a program cache that holds it; the `cel-` modes
//! run the `cel` crate; cases e01..e13, and h01/h02: a host `my_size(s)` and the built-in
//! `size(s)`). A count of calls instead of seconds, `x10000`, runs exactly that many
//! calls: a fixed amount of work for instruction counters such as callgrind (`x0` measures
//! the set-up alone).

use std::hint::black_box;
use std::time::{Duration, Instant};

use celd_bench::peers::cel_context;
use celd_bench::{CASES, HOST_CASES, celd_env, celd_host_env, celd_vars};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let id = args.get(1).map_or("e05", String::as_str);
    let mode = args.get(2).map_or("eval", String::as_str);
    let amount = args.get(3).map_or("5", String::as_str);
    let fixed_calls: Option<u64> = amount.strip_prefix('x').and_then(|n| n.parse().ok());
    let seconds: u64 = amount.parse().unwrap_or(5);
    let Some(case) = CASES.iter().chain(HOST_CASES).find(|c| c.id == id) else {
        eprintln!("unknown case {id}; cases: e01..e13, h01 (host my_size), h02 (size)");
        std::process::exit(2);
    };
    let host = HOST_CASES.iter().any(|c| c.id == id);
    let env = if host { celd_host_env() } else { celd_env() };
    let vars = celd_vars(&env);
    let program = env.compile(case.expr).expect("the case compiles");
    let cache = celd_cache::ProgramCache::default();
    cache
        .get_or_compile(&env, case.expr)
        .expect("the case compiles");
    let cel_ctx = cel_context();
    // The host cases have no `cel` counterpart: its modes run a constant there.
    let cel_program = cel::Program::compile(if host { "1" } else { case.expr })
        .expect("the case compiles in cel");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut n: u64 = 0;
    while fixed_calls.map_or(Instant::now() < deadline, |calls| n < calls) {
        let batch = fixed_calls.map_or(1000, |calls| (calls - n).min(1000));
        for _ in 0..batch {
            match mode {
                "cel-eval" => {
                    black_box(cel_program.execute(black_box(&cel_ctx)).ok());
                }
                "cel-compile" => {
                    black_box(cel::Program::compile(black_box(case.expr)).ok());
                }
                "noop" => {
                    black_box(black_box(&vars).get("x").cloned());
                }
                "parse" => {
                    black_box(env.parse(black_box(case.expr)).ok());
                }
                "check" => {
                    let ast = env.parse(black_box(case.expr)).ok();
                    black_box(ast.map(|a| env.check_ast(a).ok()));
                }
                "eval-details" => {
                    black_box(program.eval_details(black_box(&vars)).1.cost());
                }
                "compile" => {
                    black_box(env.compile(black_box(case.expr)).ok());
                }
                "cache-hit" => {
                    black_box(cache.get_or_compile(&env, black_box(case.expr)).ok());
                }
                _ => {
                    black_box(program.eval(black_box(&vars)).ok());
                }
            }
        }
        n += batch;
    }
    let per_call = start.elapsed().as_nanos() as f64 / n as f64;
    println!("{id} {mode}: {n} calls, {per_call:.1} ns/call");
}
