//! Runs one benchmark case in a loop, for profilers: `profile e05 eval 5` (case, eval|compile, seconds).

use std::hint::black_box;
use std::time::{Duration, Instant};

use celd_bench::{CASES, celd_env, celd_vars};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let id = args.get(1).map_or("e05", String::as_str);
    let mode = args.get(2).map_or("eval", String::as_str);
    let seconds: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let Some(case) = CASES.iter().find(|c| c.id == id) else {
        eprintln!("unknown case {id}; cases: e01..e13");
        std::process::exit(2);
    };
    let env = celd_env();
    let vars = celd_vars(&env);
    let program = env.compile(case.expr).expect("the case compiles");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut n: u64 = 0;
    while Instant::now() < deadline {
        for _ in 0..1000 {
            match mode {
                "noop" => {
                    black_box(black_box(&vars).get("x").cloned());
                }
                "compile" => {
                    black_box(env.compile(black_box(case.expr)).ok());
                }
                _ => {
                    black_box(program.eval(black_box(&vars)).ok());
                }
            }
        }
        n += 1000;
    }
    let per_call = seconds as f64 * 1e9 / n as f64;
    println!("{id} {mode}: {n} calls, {per_call:.1} ns/call");
}
