//! The memory limit of an evaluation, with the metered allocator installed (its own test
//! binary: the global allocator is the process's).

use celd::{Env, EvalOptions, Limits, MeteredAlloc};

#[global_allocator]
static ALLOCATOR: MeteredAlloc = MeteredAlloc;

fn run(src: &str, max_memory_bytes: usize) -> Result<celd::Value, celd::Error> {
    let env = Env::builder()
        .all_extensions()
        .variable("n", celd::Type::Int)
        .build()
        .unwrap();
    let program = env.compile(src).unwrap();
    let limits = Limits {
        max_memory_bytes,
        ..Limits::default()
    };
    let mut vars = env.activation();
    vars.insert("n", 1000);
    let options = EvalOptions {
        limits: Some(&limits),
        ..EvalOptions::default()
    };
    program.eval_with(&vars, &options)
}

fn memory_limit(result: Result<celd::Value, celd::Error>) -> bool {
    result.is_err_and(|e| {
        e.eval_error().and_then(|e| e.limit_kind()) == Some(celd::layers::value::LimitKind::Memory)
    })
}

#[test]
fn an_evaluation_stops_at_its_memory_limit() {
    assert!(celd::layers::eval::memory::is_metered());
    // 500 lists of 1,000 ints: 12 MB built, within the cost limit.
    let grows = "lists.range(500).map(i, lists.range(n)).size()";
    assert!(memory_limit(run(grows, 4 << 20)));
    assert_eq!(run(grows, 64 << 20).unwrap(), celd::Value::Int(500));
    // One large value is refused before it is built.
    let one = "lists.range(n * 900).size()";
    assert!(memory_limit(run(one, 4 << 20)));
    assert_eq!(run(one, 64 << 20).unwrap(), celd::Value::Int(900_000));
    // Values built and dropped along the way do not count.
    let transient = "lists.range(200).all(i, lists.range(n).size() == n)";
    assert_eq!(run(transient, 1 << 20).unwrap(), celd::Value::Bool(true));
}
