//! Side-by-side timing of celd, the `cel` crate, `@marcbachmann/cel-js` (under node, when
//! installed) and the cases hand-written in Rust, on the benchmark cases, in one run.
//!
//! For each case: a warm-up, then the median of timed batches, for evaluation, for
//! compilation and for the program cache finding the text again; then the seed replay
//! (100,000 distinct `x + k` compiled, evaluated and kept); then a host function against
//! the built-in of the same shape. Prints two tables and, as the last line, the ratios as
//! JSON (other engine's time / celd's time; celd's time / native's; cache hits in ns).
//! `compare host` runs only the host-function comparison.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use celd_bench::js::{self, JsRow, Timing};
use celd_bench::native::native_case;
use celd_bench::peers::cel_context;
use celd_bench::{
    CASES, Case, CaseValues, HOST_CASES, case_values, celd_env, celd_host_env, celd_vars, expected,
};
use celd_cache::ProgramCache;

/// Counts live heap bytes, so the replay can report what each program retains.
struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const WARM_UP: Duration = Duration::from_millis(100);
const BATCH: Duration = Duration::from_millis(25);
const BATCHES: usize = 7;
/// node's JIT tiers code up over a longer run than Rust needs.
const JS_TIMING: Timing = Timing {
    warm_up: Duration::from_millis(500),
    batch: BATCH,
    batches: BATCHES,
};

/// Nanoseconds per call of `f`: the median over timed batches after a warm-up.
fn measure(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < WARM_UP {
        f();
        n += 1;
    }
    let per_call = WARM_UP.as_secs_f64() / n.max(1) as f64;
    let iters = ((BATCH.as_secs_f64() / per_call) as u64).max(1);
    let mut samples: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[BATCHES / 2]
}

/// A `cel` crate value in celd's CEL syntax, for checking both engines agree.
fn cel_text(v: &cel::Value) -> String {
    match v {
        cel::Value::Int(i) => i.to_string(),
        cel::Value::UInt(u) => format!("{u}u"),
        cel::Value::Float(f) => format!("{f:?}"),
        cel::Value::Bool(b) => b.to_string(),
        cel::Value::String(s) => format!("{:?}", s.as_str()),
        cel::Value::List(items) => {
            let parts: Vec<String> = items.iter().map(cel_text).collect();
            format!("[{}]", parts.join(", "))
        }
        other => format!("{other:?}"),
    }
}

struct Row {
    id: &'static str,
    /// (celd, cel) nanoseconds per evaluation.
    eval: (f64, f64),
    /// (celd, cel) nanoseconds per compilation.
    compile: (f64, f64),
    /// The hand-written Rust, per evaluation.
    native: f64,
    /// celd's program cache finding the case's text it has seen before, per lookup.
    cache_hit: f64,
    /// `@marcbachmann/cel-js`'s figures, or why there are none.
    js: Result<JsRow, String>,
}

/// Runs a case in both engines after checking both give the expected result;
/// `Err` says which engine failed and how.
fn run_case(
    case: &Case,
    env: &celd::Env,
    vars: &celd::Activation,
    values: &CaseValues,
    ctx: &cel::Context,
    cache: &ProgramCache,
) -> Result<Row, String> {
    let program = env
        .compile(case.expr)
        .map_err(|e| format!("celd: {}", e.message()))?;
    let value = program
        .eval(vars)
        .map_err(|e| format!("celd: {}", e.message()))?;
    if value.to_string() != expected(case) {
        return Err(format!("celd returned {value}"));
    }
    let cel_program = cel::Program::compile(case.expr).map_err(|e| format!("cel: {e}"))?;
    let cel_value = cel_program
        .execute(ctx)
        .map_err(|e| format!("cel: {e:?}"))?;
    if cel_text(&cel_value) != expected(case) {
        return Err(format!("cel returned {}", cel_text(&cel_value)));
    }
    let native = native_case(case.id).ok_or("no native twin")?;
    if native(values).as_ref() != Some(&value) {
        return Err(format!("native returned {:?}", native(values)));
    }

    let celd_eval = measure(|| {
        black_box(program.eval(black_box(vars)).ok());
    });
    let cel_eval = measure(|| {
        black_box(cel_program.execute(black_box(ctx)).ok());
    });
    let celd_compile = measure(|| {
        black_box(env.compile(black_box(case.expr)).ok());
    });
    let cel_compile = measure(|| {
        black_box(cel::Program::compile(black_box(case.expr)).ok());
    });
    let native_eval = measure(|| {
        black_box(native(black_box(values)));
    });
    let cached = cache
        .get_or_compile(env, case.expr)
        .and_then(|bound| bound.eval(vars))
        .map_err(|e| format!("celd cache: {}", e.message()))?;
    if cached != value {
        return Err(format!("celd cache returned {cached}"));
    }
    let cache_hit = measure(|| {
        black_box(cache.get_or_compile(env, black_box(case.expr)).ok());
    });
    Ok(Row {
        id: case.id,
        eval: (celd_eval, cel_eval),
        compile: (celd_compile, cel_compile),
        native: native_eval,
        cache_hit,
        js: Err("not measured".into()),
    })
}

/// Nanoseconds per evaluation of the host `my_size(s)` and the built-in `size(s)`, measured
/// alternately (three rounds each, the medians' median) so both see the same machine.
fn host_function_ratio() -> (f64, f64) {
    let env = celd_host_env();
    let vars = celd_vars(&env);
    let programs: Vec<celd::Program> = HOST_CASES
        .iter()
        .map(|case| {
            let program = env.compile(case.expr).expect("the host case compiles");
            let value = program.eval(&vars).expect("the host case evaluates");
            assert_eq!(value.to_string(), case.expect, "{}", case.id);
            program
        })
        .collect();
    let mut rounds: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..3 {
        for (i, program) in programs.iter().enumerate() {
            rounds[i].push(measure(|| {
                black_box(program.eval(black_box(&vars)).ok());
            }));
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let [host, builtin] = rounds;
    (median(host), median(builtin))
}

const SEED_PROGRAMS: i64 = 100_000;

/// Compiles, evaluates and keeps `x + k` for k in 0..100,000: (seconds, bytes retained per program).
fn seed_replay_celd(env: &celd::Env, vars: &celd::Activation) -> (f64, f64) {
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let start = Instant::now();
    let mut kept = Vec::with_capacity(SEED_PROGRAMS as usize);
    for k in 0..SEED_PROGRAMS {
        let program = env.compile(&format!("x + {k}")).expect("compiles");
        let value = program.eval(vars).expect("evaluates");
        assert!(matches!(value, celd::Value::Int(v) if v == 1 + k));
        kept.push(program);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let retained = (LIVE_BYTES.load(Ordering::Relaxed) - before) as f64
        - (kept.capacity() * std::mem::size_of::<celd::Program>()) as f64;
    drop(black_box(kept));
    (
        elapsed,
        retained / SEED_PROGRAMS as f64 + std::mem::size_of::<celd::Program>() as f64,
    )
}

fn seed_replay_cel(ctx: &cel::Context) -> (f64, f64) {
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let start = Instant::now();
    let mut kept = Vec::with_capacity(SEED_PROGRAMS as usize);
    for k in 0..SEED_PROGRAMS {
        let program = cel::Program::compile(&format!("x + {k}")).expect("compiles");
        let value = program.execute(ctx).expect("evaluates");
        assert!(matches!(value, cel::Value::Int(v) if v == 1 + k));
        kept.push(program);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let retained = (LIVE_BYTES.load(Ordering::Relaxed) - before) as f64
        - (kept.capacity() * std::mem::size_of::<cel::Program>()) as f64;
    drop(black_box(kept));
    (
        elapsed,
        retained / SEED_PROGRAMS as f64 + std::mem::size_of::<cel::Program>() as f64,
    )
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.1} ns")
    }
}

fn print_host_ratio() -> f64 {
    let (host, builtin) = host_function_ratio();
    println!(
        "host function: my_size(s) {} vs built-in size(s) {}; ratio {:.2}×",
        fmt_ns(host),
        fmt_ns(builtin),
        host / builtin
    );
    host / builtin
}

/// `a ÷ b` to one decimal, with `×`.
fn times(a: f64, b: f64) -> String {
    format!("{:.1}×", a / b)
}

/// A JavaScript figure and its ratio to celd's, or a dash.
fn js_cells(js: &Result<JsRow, String>, pick: fn(&JsRow) -> f64, celd: f64) -> (String, String) {
    match js {
        Ok(row) => (fmt_ns(pick(row)), times(pick(row), celd)),
        Err(_) => ("-".into(), "-".into()),
    }
}

fn print_eval_table(rows: &[Row]) {
    println!(
        "evaluation (ratios: celd ÷ native; other engine ÷ celd; cache hit: the program cache \
         finding a text it has seen, before evaluation)"
    );
    println!(
        "{:<5} {:>11} {:>11} {:>8}   {:>11} {:>8}   {:>12} {:>8}   {:>10}",
        "case", "celd", "native", "c÷native", "cel", "cel÷c", "marcbachmann", "mb÷c", "cache hit"
    );
    for r in rows {
        let (js, js_ratio) = js_cells(&r.js, |j| j.eval, r.eval.0);
        println!(
            "{:<5} {:>11} {:>11} {:>8}   {:>11} {:>8}   {:>12} {:>8}   {:>10}",
            r.id,
            fmt_ns(r.eval.0),
            fmt_ns(r.native),
            times(r.eval.0, r.native),
            fmt_ns(r.eval.1),
            times(r.eval.1, r.eval.0),
            js,
            js_ratio,
            fmt_ns(r.cache_hit)
        );
    }
    println!(
        "celd ÷ native, geometric mean: {:.2}×",
        geomean(rows.iter().map(|r| r.eval.0 / r.native))
    );
}

fn print_compile_table(rows: &[Row]) {
    println!("compilation (marcbachmann: parse + type check, and parse alone)");
    println!(
        "{:<5} {:>11}   {:>11} {:>8}   {:>12} {:>8}   {:>11} {:>8}",
        "case", "celd", "cel", "cel÷c", "marcbachmann", "mb÷c", "mb parse", "parse÷c"
    );
    for r in rows {
        let (js, js_ratio) = js_cells(&r.js, |j| j.compile, r.compile.0);
        let (parse, parse_ratio) = js_cells(&r.js, |j| j.parse, r.compile.0);
        println!(
            "{:<5} {:>11}   {:>11} {:>8}   {:>12} {:>8}   {:>11} {:>8}",
            r.id,
            fmt_ns(r.compile.0),
            fmt_ns(r.compile.1),
            times(r.compile.1, r.compile.0),
            js,
            js_ratio,
            parse,
            parse_ratio
        );
    }
}

fn geomean(ratios: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = ratios.fold((0.0, 0usize), |(sum, n), r| (sum + r.ln(), n + 1));
    (sum / n.max(1) as f64).exp()
}

/// Fills each row's JavaScript figures from one run of the node harness.
fn add_js(rows: &mut [Row]) {
    let cases: Vec<Case> = rows
        .iter()
        .filter_map(|r| CASES.iter().find(|c| c.id == r.id).copied())
        .collect();
    match js::marcbachmann(&cases, JS_TIMING) {
        Ok(mut by_id) => {
            for r in rows.iter_mut() {
                r.js = by_id
                    .remove(r.id)
                    .unwrap_or_else(|| Err("no figures".into()));
                if let Err(why) = &r.js {
                    println!("{:<5} marcbachmann not measured: {why}", r.id);
                }
            }
        }
        Err(why) => println!("marcbachmann not measured: {why}"),
    }
}

/// `{"e01": 1.23, ...}` over the rows that have the figure.
fn ratio_map(rows: &[Row], ratio: impl Fn(&Row) -> Option<f64>) -> String {
    let entries: Vec<String> = rows
        .iter()
        .filter_map(|r| Some(format!("\"{}\": {:.2}", r.id, ratio(r)?)))
        .collect();
    format!("{{{}}}", entries.join(", "))
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("host") {
        let ratio = print_host_ratio();
        println!("{{\"host_over_builtin\": {ratio:.2}}}");
        return;
    }
    let env = celd_env();
    let vars = celd_vars(&env);
    let values = case_values();
    let ctx = cel_context();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let cache = ProgramCache::default();
    for case in CASES {
        match run_case(case, &env, &vars, &values, &ctx, &cache) {
            Ok(row) => rows.push(row),
            Err(why) => failures.push((case.id, why)),
        }
    }
    add_js(&mut rows);

    print_eval_table(&rows);
    println!();
    print_compile_table(&rows);
    for (id, why) in &failures {
        println!("{id:<5} not measured: {why}");
    }

    let host_ratio = print_host_ratio();

    let (celd_secs, celd_bytes) = seed_replay_celd(&env, &vars);
    let (cel_secs, cel_bytes) = seed_replay_cel(&ctx);
    println!(
        "seed replay ({SEED_PROGRAMS} programs `x + k`): celd {celd_secs:.3} s, {celd_bytes:.0} B/program; \
         cel {cel_secs:.3} s, {cel_bytes:.0} B/program; ratio {:.1}×",
        cel_secs / celd_secs
    );

    println!(
        "{{\"eval\": {}, \"compile\": {}, \"eval_marcbachmann\": {}, \"compile_marcbachmann\": {}, \"celd_over_native\": {}, \"celd_over_native_geomean\": {:.2}, \"cache_hit_ns\": {}, \"seed_replay\": {{\"ratio\": {:.2}, \"celd_bytes_per_program\": {:.0}}}, \"host_over_builtin\": {:.2}}}",
        ratio_map(&rows, |r| Some(r.eval.1 / r.eval.0)),
        ratio_map(&rows, |r| Some(r.compile.1 / r.compile.0)),
        ratio_map(&rows, |r| Some(r.js.as_ref().ok()?.eval / r.eval.0)),
        ratio_map(&rows, |r| Some(r.js.as_ref().ok()?.compile / r.compile.0)),
        ratio_map(&rows, |r| Some(r.eval.0 / r.native)),
        geomean(rows.iter().map(|r| r.eval.0 / r.native)),
        ratio_map(&rows, |r| Some(r.cache_hit)),
        cel_secs / celd_secs,
        celd_bytes,
        host_ratio
    );
}
