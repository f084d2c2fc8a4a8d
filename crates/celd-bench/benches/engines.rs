//! Criterion benches of every case in both engines (evaluation and compilation).

use std::hint::black_box;

use celd_bench::peers::cel_context;
use celd_bench::{CASES, celd_env, celd_vars};
use criterion::{Criterion, criterion_group, criterion_main};

fn eval(c: &mut Criterion) {
    let env = celd_env();
    let vars = celd_vars(&env);
    let ctx = cel_context();
    let mut group = c.benchmark_group("eval");
    for case in CASES {
        let program = env.compile(case.expr).expect("celd compiles");
        group.bench_function(format!("{}/celd", case.id), |b| {
            b.iter(|| black_box(program.eval(black_box(&vars)).ok()))
        });
        let cel_program = cel::Program::compile(case.expr).expect("cel compiles");
        group.bench_function(format!("{}/cel", case.id), |b| {
            b.iter(|| black_box(cel_program.execute(black_box(&ctx)).ok()))
        });
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    let env = celd_env();
    let mut group = c.benchmark_group("compile");
    for case in CASES {
        group.bench_function(format!("{}/celd", case.id), |b| {
            b.iter(|| black_box(env.compile(black_box(case.expr)).ok()))
        });
        group.bench_function(format!("{}/cel", case.id), |b| {
            b.iter(|| black_box(cel::Program::compile(black_box(case.expr)).ok()))
        });
    }
    group.finish();
}

criterion_group!(benches, eval, compile);
criterion_main!(benches);
