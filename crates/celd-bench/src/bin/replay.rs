//! The incident replay: a stream of requests whose expression texts are all distinct, through
//! the program cache with evaluation, sampling resident memory every 100,000 requests.
//!
//! ```text
//! replay a [--requests N] [--cache-mib M]   # 1,000 templates `x<i> <op> <k>` × random literals
//! replay a --mixed ...                      # 1,000 longer templates `((x0 * k) + k) > k`
//! replay b [--requests N] [--cache-mib M]   # every expression structurally new
//! ```
//!
//! Prints the cost of parsing, of a cache hit and of a compile, then one line per RSS sample,
//! then throughput, peak RSS and the cache's counters. Compile-storm warnings go to stderr.

use std::fmt::Write as _;
use std::hash::BuildHasher;
use std::hint::black_box;
use std::time::{Duration, Instant};

use celd::{Activation, Env, Type, Value};
use celd_cache::{CacheConfig, ProgramCache};

const SAMPLE_EVERY: u64 = 100_000;

/// Texts whose stage costs are printed first: the replay's shapes and a realistic rule.
const STAGE_SAMPLES: [&str; 4] = [
    "x + 12345",
    "has(m.f12345) || x > 5",
    "m.exists(k, k.startsWith('adm') && m[k] > 3) ? 'allow' : 'deny'",
    "[1, 2, 3].map(i, i * x).filter(i, i > 10 && i % 2 == 0).size() == 2",
];

#[derive(Clone, Copy, PartialEq)]
enum Scenario {
    /// 1,000 templates, each request with fresh literals.
    Templates,
    /// Every request a new structure.
    Novel,
}

struct Options {
    scenario: Scenario,
    /// Scenario (a) with longer templates (`((x0 * k) + k) > k`) instead of `x<i> <op> <k>`.
    mixed: bool,
    requests: u64,
    cache_mib: u64,
}

fn options() -> Result<Options, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scenario = match args.first().map(String::as_str) {
        Some("a") => Scenario::Templates,
        Some("b") => Scenario::Novel,
        _ => return Err("usage: replay a|b [--requests N] [--cache-mib M] [--mixed]".into()),
    };
    let mut options = Options {
        scenario,
        mixed: false,
        requests: if scenario == Scenario::Templates {
            10_000_000
        } else {
            1_000_000
        },
        cache_mib: if scenario == Scenario::Templates {
            64
        } else {
            16
        },
    };
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        if flag == "--mixed" {
            options.mixed = true;
            continue;
        }
        let value = rest
            .next()
            .and_then(|v| v.replace('_', "").parse::<u64>().ok())
            .ok_or(format!("{flag} needs a number"))?;
        match flag.as_str() {
            "--requests" => options.requests = value,
            "--cache-mib" => options.cache_mib = value,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(options)
}

/// A small deterministic generator (xorshift), so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ARITHMETIC: [&str; 5] = ["+", "-", "*", "/", "%"];
const COMPARISONS: [&str; 7] = ["", "==", "!=", "<", "<=", ">", ">="];

/// Template `i` of scenario (a): 1-3 arithmetic operators, then maybe a comparison, on
/// one of the variables.
struct Shape {
    variable: usize,
    ops: Vec<&'static str>,
    comparison: &'static str,
}

/// How many variables the environment declares (`x0` ... `x199`).
const VARIABLES: usize = 200;

/// 1,000 templates `x<i> <op> <k>`: one variable and one literal, as short as `x + 12345`.
fn short_shapes() -> Vec<Shape> {
    (0..1000)
        .map(|i| Shape {
            variable: i % VARIABLES,
            ops: vec![ARITHMETIC[i / VARIABLES]],
            comparison: "",
        })
        .collect()
}

/// 1,000 templates of 1-3 operators on `x0` and maybe a comparison: longer texts.
fn mixed_shapes(n: usize) -> Vec<Shape> {
    let mut out = Vec::with_capacity(n);
    'all: for len in 1..=3u32 {
        for combo in 0..5usize.pow(len) {
            for comparison in COMPARISONS {
                if out.len() == n {
                    break 'all;
                }
                let ops = (0..len)
                    .map(|d| ARITHMETIC[combo / 5usize.pow(d) % 5])
                    .collect();
                out.push(Shape {
                    variable: 0,
                    ops,
                    comparison,
                });
            }
        }
    }
    out
}

fn scenario_shapes(options: &Options) -> Vec<Shape> {
    if options.mixed {
        mixed_shapes(1000)
    } else {
        short_shapes()
    }
}

/// Writes request `n` of scenario (a): its first literal is `n + 1`, so every text differs.
/// Operators apply left to right (`(x * k1) + k2`): a written `k1 * k2` would be a constant
/// the planner folds, so it would stay in the key and make every request a new template.
fn write_templated(out: &mut String, shape: &Shape, n: u64, rng: &mut Rng) {
    out.clear();
    for _ in 1..shape.ops.len() {
        out.push('(');
    }
    let _ = write!(out, "x{}", shape.variable);
    for (i, op) in shape.ops.iter().enumerate() {
        let k = if i == 0 {
            n + 1
        } else {
            1 + rng.below(100_000)
        };
        let close = if i + 1 < shape.ops.len() { ")" } else { "" };
        let _ = write!(out, " {op} {k}{close}");
    }
    if !shape.comparison.is_empty() {
        let _ = write!(out, " {} {}", shape.comparison, rng.below(1_000_000));
    }
}

/// Writes request `n` of scenario (b): a field name nobody used before, so a new template.
fn write_novel(out: &mut String, n: u64, rng: &mut Rng) {
    out.clear();
    let op = COMPARISONS[1 + rng.below(6) as usize];
    let _ = write!(out, "has(m.f{n}) || x {op} {}", rng.below(1000));
}

fn env() -> Result<Env, celd::Error> {
    let mut builder = Env::builder()
        .variable("x", Type::Int)
        .variable("m", Type::map(Type::String, Type::Int));
    for i in 0..VARIABLES {
        builder = builder.variable(&format!("x{i}"), Type::Int);
    }
    builder.build()
}

fn activation(env: &Env) -> Activation {
    let mut vars = env.activation();
    vars.insert("x", 7);
    for i in 0..VARIABLES {
        vars.insert(&format!("x{i}"), 7 + i as i64);
    }
    vars.insert("m", celd::Map::default());
    vars
}

/// Resident set size in bytes, from `/proc/self/statm`.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Nanoseconds this thread has run on a CPU, from `/proc/thread-self/schedstat`: unlike the
/// wall clock it does not count time other processes on a shared machine took from us.
fn cpu_nanos() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// CPU nanoseconds per call of `f`, over at least 300 ms of wall time.
fn time_per_call(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let cpu = cpu_nanos();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_millis(300) {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    (cpu_nanos() - cpu) as f64 / n as f64
}

/// Costs of the stages for one text, so normalization can be compared with compiling.
fn stage_costs(env: &Env, text: &str) {
    let cache = ProgramCache::default();
    let vars = activation(env);
    cache.get_or_compile(env, text).ok();
    let mut normalizer = celd_cache::Normalizer::default();
    let hasher = foldhash::fast::FixedState::default();
    let parse = time_per_call(|| {
        black_box(env.parse(black_box(text)).ok());
    });
    let Ok(ast) = env.parse(text) else {
        println!("stage costs: {text:?} does not parse");
        return;
    };
    let normalize = time_per_call(|| {
        let (key, params) = normalizer.normalize(env, black_box(&ast));
        black_box((hasher.hash_one(key), params.len()));
    });
    let normalized = parse + normalize;
    let hit = time_per_call(|| {
        black_box(cache.get_or_compile(env, black_box(text)).ok());
    });
    let hit_eval = time_per_call(|| {
        let bound = cache.get_or_compile(env, black_box(text));
        black_box(bound.and_then(|b| b.eval(&vars)).ok());
    });
    let compile = time_per_call(|| {
        black_box(env.compile(black_box(text)).ok());
    });
    println!("stage costs (CPU ns) for {text:?}:");
    println!(
        "  parse {parse:.0}, normalize + hash {normalize:.0}, lookup and the rest of a hit {:.0}, \
         whole hit {hit:.0}, hit + eval {hit_eval:.0}; full compile {compile:.0}",
        hit - normalized
    );
    println!(
        "  normalize + hash = {:.1} % of a compile; parse + normalize + hash = {:.1} %",
        100.0 * normalize / compile,
        100.0 * normalized / compile
    );
}

struct Run {
    samples: Vec<(u64, u64)>,
    elapsed: Duration,
    cpu: Duration,
    checksum: u64,
    failures: u64,
}

fn run(options: &Options, env: &Env, cache: &ProgramCache) -> Run {
    let vars = activation(env);
    let shapes = scenario_shapes(options);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut text = String::with_capacity(128);
    let mut samples = Vec::new();
    let (mut checksum, mut failures) = (0u64, 0u64);
    let start = Instant::now();
    let cpu = cpu_nanos();
    for n in 0..options.requests {
        match options.scenario {
            Scenario::Templates => {
                let shape = &shapes[rng.below(shapes.len() as u64) as usize];
                write_templated(&mut text, shape, n, &mut rng);
            }
            Scenario::Novel => write_novel(&mut text, n, &mut rng),
        }
        match cache.get_or_compile(env, &text).and_then(|b| b.eval(&vars)) {
            Ok(Value::Int(i)) => checksum = checksum.wrapping_add(i as u64),
            Ok(Value::Bool(b)) => checksum = checksum.wrapping_add(u64::from(b)),
            Ok(_) => {}
            Err(_) => failures += 1,
        }
        if (n + 1) % SAMPLE_EVERY == 0 {
            let rss = rss_bytes();
            samples.push((n + 1, rss));
            println!("rss after {:>10} requests: {:>7.1} MiB", n + 1, mib(rss));
        }
    }
    Run {
        samples,
        elapsed: start.elapsed(),
        cpu: Duration::from_nanos(cpu_nanos() - cpu),
        checksum,
        failures,
    }
}

/// Time spent writing the texts alone, to report the cache's throughput without it.
fn generation_cost(options: &Options) -> Duration {
    let shapes = scenario_shapes(options);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut text = String::with_capacity(128);
    let n = options.requests.min(2_000_000);
    let start = cpu_nanos();
    for i in 0..n {
        match options.scenario {
            Scenario::Templates => {
                let shape = &shapes[rng.below(shapes.len() as u64) as usize];
                write_templated(&mut text, shape, i, &mut rng);
            }
            Scenario::Novel => write_novel(&mut text, i, &mut rng),
        }
        black_box(&text);
    }
    Duration::from_nanos(cpu_nanos() - start).mul_f64(options.requests as f64 / n as f64)
}

fn report(options: &Options, run: &Run, generation: Duration, cache: &ProgramCache) {
    let n = options.requests as f64;
    let wall = run.elapsed.as_secs_f64();
    let cpu = run.cpu.as_secs_f64();
    let net = run.cpu.saturating_sub(generation).as_secs_f64();
    println!(
        "throughput: {:.0} requests/s wall clock ({:.0} s); per core (thread CPU time): \
         {:.0} requests/s ({:.0} ns/request) with text generation, {:.0} requests/s \
         ({:.0} ns/request) without it ({:.0} ns/request to write the text)",
        n / wall,
        wall,
        n / cpu,
        1e9 * cpu / n,
        n / net,
        1e9 * net / n,
        1e9 * generation.as_secs_f64() / n
    );
    let peak = run.samples.iter().map(|s| s.1).max().unwrap_or(0);
    let tenth = run
        .samples
        .iter()
        .find(|s| s.0 >= options.requests / 10)
        .map_or(0, |s| s.1);
    println!(
        "rss: peak {:.1} MiB, at 10 % {:.1} MiB, peak - at 10 % = {:.1} MiB",
        mib(peak),
        mib(tenth),
        mib(peak.saturating_sub(tenth))
    );
    cache.run_pending_tasks();
    let s = cache.stats();
    println!(
        "counters: programs_loaded={} bytes_held={} ({:.1} MiB of {:.0} MiB) compilations={} \
         compile_failures={} hits={} misses={} evictions={} storms={} \
         compile_seconds_sum={:.2}",
        s.programs_loaded,
        s.bytes_held,
        mib(s.bytes_held),
        mib(s.max_bytes),
        s.compilations,
        s.compile_failures,
        s.hits,
        s.misses,
        s.evictions,
        s.storms,
        s.compile_duration.sum_seconds
    );
    println!(
        "evaluation: checksum {} failures {}",
        run.checksum, run.failures
    );
}

fn main() {
    let options = match options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let env = match env() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    for sample in STAGE_SAMPLES {
        stage_costs(&env, sample);
    }
    let cache = ProgramCache::new(CacheConfig {
        max_bytes: options.cache_mib * 1024 * 1024,
        ..CacheConfig::default()
    });
    println!(
        "replay {}: {} requests, cache {} MiB, rss at start {:.1} MiB",
        if options.scenario == Scenario::Templates {
            "a (1,000 templates x random literals)"
        } else {
            "b (every expression structurally new)"
        },
        options.requests,
        options.cache_mib,
        mib(rss_bytes())
    );
    let run = run(&options, &env, &cache);
    let generation = generation_cost(&options);
    report(&options, &run, generation, &cache);
}
