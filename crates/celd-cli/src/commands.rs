//! The commands: turn validated flags into an environment and run `eval`, `check`, a batch,
//! or the service.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead, Write};

use celd::Env;
use celd::layers::eval::estimate::SizeHints;
use celd::layers::value::json::to_json;
use celd::protos::ProtoSources;
use celd_cache::CacheConfig;
use celd_server::api::{self, ApiError, EvalRequest, Evaluator};
use serde_json::Value as Json;

use crate::Failure;
use crate::args::{CheckArgs, Command, DumpArgs, EnvArgs, EvalArgs, Output};

pub fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Eval(args) => match &args.batch {
            Some(path) => batch(path, &args.env),
            None => eval(&args),
        },
        Command::Check(args) => check(&args),
        Command::Dump(args) => dump(&args),
        Command::Serve(args) => crate::serve::serve(args),
    }
}

/// The library every command starts from: the standard library, all extensions, and the
/// message types of `--proto`/`--descriptor-set`.
fn base_env(args: &EnvArgs) -> Result<Env, Failure> {
    let mut builder = Env::builder().all_extensions();
    let sources = ProtoSources {
        proto_files: args.protos.clone(),
        include_dirs: args.proto_paths.clone(),
        descriptor_sets: args.descriptor_sets.clone(),
    };
    if !sources.is_empty() {
        let pool = sources
            .load()
            .map_err(|e| Failure::Usage(e.message().to_owned()))?;
        builder = builder.descriptor_pool(pool);
    }
    builder
        .build()
        .map_err(|e| Failure::Usage(e.message().to_owned()))
}

/// Evaluation through a program cache, as the service does it.
fn evaluator(args: &EnvArgs, origin: &'static str) -> Result<Evaluator, Failure> {
    Ok(Evaluator::new(
        base_env(args)?,
        CacheConfig::default(),
        origin,
    ))
}

fn decls(env: &EnvArgs) -> Result<BTreeMap<String, String>, Failure> {
    let mut decls = BTreeMap::new();
    for decl in &env.decls {
        let Some((name, ty)) = decl.split_once(':') else {
            return Err(Failure::Usage(format!(
                "--decl '{decl}': expected NAME:TYPE, such as x:int"
            )));
        };
        decls.insert(name.trim().to_owned(), ty.trim().to_owned());
    }
    Ok(decls)
}

fn vars(args: &EvalArgs) -> Result<Option<serde_json::Map<String, Json>>, Failure> {
    let text = match (&args.vars, &args.vars_file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("--vars-file {}: {e}", path.display())))?,
        (None, None) => return Ok(None),
    };
    match celd_server::api::decode(text.as_bytes()) {
        Ok(Json::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(Failure::Usage("--vars must be a JSON object".into())),
        Err(e) => Err(Failure::Usage(format!("--vars is not valid JSON: {e}"))),
    }
}

fn eval(args: &EvalArgs) -> Result<(), Failure> {
    let request = EvalRequest {
        expr: args.expr.clone().unwrap_or_default(),
        vars: vars(args)?,
        decls: Some(decls(&args.env)?),
        container: args.env.container.clone(),
        ..EvalRequest::default()
    };
    let (value, _) = evaluator(&args.env, "celd eval")?
        .evaluate_value(&request, None)
        .map_err(report)?;
    let mut out = io::stdout().lock();
    match args.output {
        Output::Json => writeln!(out, "{}", to_json(&value))?,
        Output::Cel => writeln!(out, "{value}")?,
    }
    Ok(())
}

/// Prints an expression error with its source line and caret; request errors are usage errors.
fn report(error: ApiError) -> Failure {
    match error {
        ApiError::Request(message) => Failure::Usage(message),
        ApiError::Expression(e) => {
            let _ = writeln!(io::stderr(), "{e}");
            Failure::Expression
        }
        other => Failure::Usage(other.body().error.message),
    }
}

fn check(args: &CheckArgs) -> Result<(), Failure> {
    let request = api::CheckRequest {
        expr: args.expr.clone(),
        decls: Some(decls(&args.env)?),
        container: args.env.container.clone(),
    };
    let response = evaluator(&args.env, "celd check")?
        .check(&request)
        .map_err(report)?;
    writeln!(io::stdout().lock(), "{}", response.ty)?;
    if args.cost {
        let hints = size_hints(&args.size_hints)?;
        let program = declared_env(&args.env)?
            .compile(&args.expr)
            .map_err(|e| report(ApiError::from(e)))?;
        let estimate = program.estimate_cost(&hints);
        let max = estimate
            .max
            .map_or_else(|| "unbounded".to_owned(), |m| m.to_string());
        writeln!(io::stdout().lock(), "cost: {} to {max}", estimate.min)?;
    }
    Ok(())
}

/// `--size-hint NAME=N` flags.
fn size_hints(flags: &[String]) -> Result<SizeHints, Failure> {
    let mut hints = SizeHints::default();
    for flag in flags {
        let parsed = flag
            .split_once('=')
            .and_then(|(name, n)| Some((name.trim(), n.trim().parse::<u64>().ok()?)));
        let Some((name, n)) = parsed else {
            return Err(Failure::Usage(format!(
                "--size-hint '{flag}': expected NAME=N, such as items=100"
            )));
        };
        hints.variables.insert(name.to_owned(), n);
    }
    Ok(hints)
}

/// `dump`: the program as the cache would compile it, explained.
fn dump(args: &DumpArgs) -> Result<(), Failure> {
    let env = declared_env(&args.env)?;
    let dump = celd_cache::dump(&env, &args.expr).map_err(|e| report(ApiError::from(e)))?;
    write!(io::stdout().lock(), "{dump}")?;
    Ok(())
}

/// The base library with `--decl` variables and `--container`.
fn declared_env(args: &EnvArgs) -> Result<Env, Failure> {
    let base = base_env(args)?;
    let mut builder = base.to_builder();
    if let Some(container) = &args.container {
        builder = builder.container(container);
    }
    for (name, text) in decls(args)? {
        let ty = base
            .parse_type(&text)
            .map_err(|e| Failure::Usage(format!("--decl {name}:{text}: {e}")))?;
        builder = builder.variable(&name, ty);
    }
    builder
        .build()
        .map_err(|e| Failure::Usage(e.message().to_owned()))
}

/// `--batch`: one request per input line, one response per output line, in order.
fn batch(path: &str, env_args: &EnvArgs) -> Result<(), Failure> {
    let input: Box<dyn BufRead> = if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file =
            fs::File::open(path).map_err(|e| Failure::Usage(format!("--batch {path}: {e}")))?;
        Box::new(io::BufReader::new(file))
    };
    let evaluator = evaluator(env_args, "celd eval --batch")?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut any_failed = false;
    // Lines are read as bytes: a line that is not UTF-8 is one malformed request, answered
    // like any other, not the end of the batch.
    for line in input.split(b'\n') {
        let line = line.map_err(|e| Failure::Usage(format!("--batch {path}: {e}")))?;
        if line.trim_ascii().is_empty() {
            continue;
        }
        let answer = evaluator.answer_line(&line).unwrap_or_else(|error| {
            any_failed = true;
            error
        });
        writeln!(out, "{answer}")?;
    }
    out.flush()?;
    if any_failed {
        Err(Failure::Expression)
    } else {
        Ok(())
    }
}
