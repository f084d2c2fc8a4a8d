//! The commands: turn validated flags into an environment and run `eval`, `check`, `dump`,
//! a batch, or the service.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead, Read, Write};
use std::path::Path;
use std::time::Instant;

use celd::layers::eval::estimate::SizeHints;
use celd::layers::value::json::to_json;
use celd::protos::ProtoSources;
use celd::{Env, Limits, Value};
use celd_cache::CacheConfig;
use celd_server::api::{self, ApiError, ErrorBody, EvalRequest, Evaluator};
use serde_json::Value as Json;

use crate::Failure;
use crate::args::{CheckArgs, Command, DumpArgs, EnvArgs, EvalArgs, ExprArgs, Output};
use crate::diagnostics;

pub fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Eval(args) => match &args.batch {
            Some(path) => batch(path, &args),
            None => eval(&args),
        },
        Command::Check(args) => check(&args),
        Command::Dump(args) => dump(&args),
        Command::Repl(args) => crate::repl::run(&args.env),
        Command::Serve(args) => crate::serve::serve(args),
        Command::Completions { shell } => {
            let mut command = <crate::args::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "celd", &mut io::stdout());
            Ok(())
        }
    }
}

/// The library every command starts from: the standard library, all extensions, the
/// message types of `--proto`/`--descriptor-set`, and `limits`.
pub fn base_env(args: &EnvArgs, limits: Limits) -> Result<Env, Failure> {
    let mut builder = Env::builder().all_extensions().limits(limits);
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
fn evaluator(base: Env, origin: &'static str) -> Evaluator {
    Evaluator::new(base, CacheConfig::default(), origin)
}

/// `--decl NAME:TYPE` flags; a name given twice is an error.
pub fn decls(env: &EnvArgs) -> Result<BTreeMap<String, String>, Failure> {
    let mut decls = BTreeMap::new();
    for decl in &env.decls {
        let Some((name, ty)) = decl.split_once(':') else {
            return Err(Failure::Usage(format!(
                "--decl '{decl}': expected NAME:TYPE, such as x:int"
            )));
        };
        let name = name.trim().to_owned();
        if decls.insert(name.clone(), ty.trim().to_owned()).is_some() {
            return Err(Failure::Usage(format!(
                "--decl: variable '{name}' is declared more than once"
            )));
        }
    }
    Ok(decls)
}

/// Reads all of stdin (`-` as a file name).
fn read_stdin(what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::Usage(format!("{what}: reading stdin: {e}")))?;
    Ok(text)
}

fn read_file(path: &Path, what: &str) -> Result<String, Failure> {
    if path == Path::new("-") {
        return read_stdin(what);
    }
    fs::read_to_string(path).map_err(|e| Failure::Usage(format!("{what} {}: {e}", path.display())))
}

/// Whether the expression is read from stdin.
fn expr_from_stdin(source: &ExprArgs) -> bool {
    source.expr.as_deref() == Some("-") || source.file.as_deref() == Some(Path::new("-"))
}

/// The expression: the argument, `-` (stdin), or `-f FILE`.
pub fn expression(source: &ExprArgs) -> Result<String, Failure> {
    match (&source.expr, &source.file) {
        (Some(text), _) if text == "-" => read_stdin("the expression"),
        (Some(text), _) => Ok(text.clone()),
        (None, Some(path)) => read_file(path, "-f"),
        (None, None) => Err(Failure::Usage(
            "no expression: give it as an argument, with -f FILE, or as - to read stdin".into(),
        )),
    }
}

/// `--vars`/`--vars-file` as a JSON object.
fn vars(args: &EvalArgs) -> Result<Option<serde_json::Map<String, Json>>, Failure> {
    let text = match (&args.vars, &args.vars_file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => {
            if path == Path::new("-") && expr_from_stdin(&args.source) {
                return Err(Failure::Usage(
                    "the expression and --vars-file cannot both be read from stdin".into(),
                ));
            }
            read_file(path, "--vars-file")?
        }
        (None, None) => return Ok(None),
    };
    match celd_server::api::decode(text.as_bytes()) {
        Ok(Json::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(Failure::Usage("--vars must be a JSON object".into())),
        Err(e) => Err(Failure::Usage(format!("--vars is not valid JSON: {e}"))),
    }
}

fn eval_limits(args: &EvalArgs) -> Limits {
    Limits {
        max_cost: args.max_cost,
        ..Limits::default()
    }
}

fn eval(args: &EvalArgs) -> Result<(), Failure> {
    let vars = vars(args)?;
    let request = EvalRequest {
        expr: expression(&args.source)?,
        vars,
        decls: Some(decls(&args.env)?),
        container: args.env.container.clone(),
        plain_json: args.plain_json,
        ..EvalRequest::default()
    };
    let deadline = args.timeout.map(|t| Instant::now() + t);
    let evaluator = evaluator(base_env(&args.env, eval_limits(args))?, "celd eval");
    let (value, _) = evaluator
        .evaluate_value(&request, deadline)
        .map_err(report)?;
    let mut out = io::stdout().lock();
    match (&value, args.raw, args.output) {
        (Value::String(s), true, _) => writeln!(out, "{s}")?,
        (_, _, Output::Json) => writeln!(out, "{}", to_json(&value))?,
        (_, _, Output::Cel) => writeln!(out, "{value}")?,
    }
    if args.fail && matches!(value, Value::Bool(false) | Value::Null) {
        return Err(Failure::Falsy);
    }
    Ok(())
}

/// Prints an expression error with its source line and caret; request errors are usage errors.
pub fn report(error: ApiError) -> Failure {
    match error {
        ApiError::Request(message) => Failure::Usage(message),
        ApiError::Expression(e) => {
            diagnostics::print_error(&e.to_string());
            Failure::Expression
        }
        other => Failure::Usage(other.body().error.message),
    }
}

fn check(args: &CheckArgs) -> Result<(), Failure> {
    let expr = expression(&args.source)?;
    let request = api::CheckRequest {
        expr: expr.clone(),
        decls: Some(decls(&args.env)?),
        container: args.env.container.clone(),
    };
    let base = base_env(&args.env, Limits::default())?;
    let response = evaluator(base.clone(), "celd check")
        .check(&request)
        .map_err(report)?;
    // Everything that can fail is done before anything is printed.
    let cost = match args.cost {
        true => {
            let env = declared_env(&base, &args.env)?;
            let hints = size_hints(&args.size_hints, &env)?;
            let program = env.compile(&expr).map_err(|e| report(ApiError::from(e)))?;
            let estimate = program.estimate_cost(&hints);
            let max = estimate
                .max
                .map_or_else(|| "unbounded".to_owned(), |m| m.to_string());
            Some(format!("cost: {} to {max}", estimate.min))
        }
        false => None,
    };
    let mut out = io::stdout().lock();
    writeln!(out, "{}", response.ty)?;
    if let Some(cost) = cost {
        writeln!(out, "{cost}")?;
    }
    Ok(())
}

/// `--size-hint NAME=N` flags. NAME is a declared variable; a dotted path (`req.items`) is
/// kept whole, for the estimate to read, and its first segment must be declared.
fn size_hints(flags: &[String], env: &Env) -> Result<SizeHints, Failure> {
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
        let root = name.split('.').next().unwrap_or(name);
        if env.variable_type(root).is_none() {
            return Err(Failure::Usage(format!(
                "--size-hint '{flag}': no variable '{root}' is declared (use --decl)"
            )));
        }
        hints.variables.insert(name.to_owned(), n);
    }
    Ok(hints)
}

/// `dump`: the program as the cache would compile it, explained.
fn dump(args: &DumpArgs) -> Result<(), Failure> {
    let expr = expression(&args.source)?;
    let env = declared_env(&base_env(&args.env, Limits::default())?, &args.env)?;
    let dump = celd_cache::dump(&env, &expr).map_err(|e| report(ApiError::from(e)))?;
    write!(io::stdout().lock(), "{dump}")?;
    Ok(())
}

/// `base` with the `--decl` variables and `--container`, names resolved in the container.
pub fn declared_env(base: &Env, args: &EnvArgs) -> Result<Env, Failure> {
    let mut builder = base.to_builder();
    let container = args.container.as_deref().unwrap_or("");
    if let Some(container) = &args.container {
        builder = builder.container(container);
    }
    for (name, text) in decls(args)? {
        let ty = api::parse_decl(base, &name, &text, container).map_err(Failure::Usage)?;
        builder = builder.variable(&name, ty);
    }
    builder
        .build()
        .map_err(|e| Failure::Usage(e.message().to_owned()))
}

/// `--batch`: one request per input line, one answer per output line, line for line.
fn batch(path: &str, args: &EvalArgs) -> Result<(), Failure> {
    let input: Box<dyn BufRead> = if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file =
            fs::File::open(path).map_err(|e| Failure::Usage(format!("--batch {path}: {e}")))?;
        Box::new(io::BufReader::new(file))
    };
    let defaults = BatchDefaults {
        decls: decls(&args.env)?,
        container: args.env.container.clone(),
        plain_json: args.plain_json,
    };
    let evaluator = evaluator(base_env(&args.env, eval_limits(args))?, "celd eval --batch");
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut any_failed = false;
    // Lines are read as bytes: a line that is not UTF-8 is one malformed request, answered
    // like any other, not the end of the batch.
    for line in input.split(b'\n') {
        let line = line.map_err(|e| Failure::Usage(format!("--batch {path}: {e}")))?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        let deadline = args.timeout.map(|t| Instant::now() + t);
        let (answer, failed) = answer_line(&evaluator, line, &defaults, deadline);
        any_failed |= failed;
        writeln!(out, "{answer}")?;
    }
    out.flush()?;
    if any_failed {
        Err(Failure::Expression)
    } else {
        Ok(())
    }
}

/// What `--decl`, `--container` and `--plain-json` give every batch line that does not say
/// otherwise.
struct BatchDefaults {
    decls: BTreeMap<String, String>,
    container: Option<String>,
    plain_json: bool,
}

/// The answer to one batch line (its `id` echoed), and whether it is an error.
fn answer_line(
    evaluator: &Evaluator,
    line: &[u8],
    defaults: &BatchDefaults,
    deadline: Option<Instant>,
) -> (String, bool) {
    let (id, parsed) = parse_line(line);
    let result = parsed.and_then(|mut request| {
        let mut decls = defaults.decls.clone();
        decls.extend(request.decls.take().unwrap_or_default());
        request.decls = Some(decls);
        request.container = request.container.or_else(|| defaults.container.clone());
        request.plain_json |= defaults.plain_json;
        evaluator.evaluate(&request, deadline).map_err(|e| e.body())
    });
    let (answer, failed) = match result {
        Ok(response) => (serde_json::to_string(&response), false),
        Err(body) => (serde_json::to_string(&body), true),
    };
    let answer = answer.unwrap_or_else(|_| "null".to_owned());
    // The id first, then the answer's own fields in their order.
    match (id, answer.strip_prefix('{')) {
        (Some(id), Some(rest)) => (format!("{{\"id\":{id},{rest}"), failed),
        _ => (answer, failed),
    }
}

/// A batch line as a request, and its `id` if it has one.
fn parse_line(line: &[u8]) -> (Option<Json>, Result<EvalRequest, ErrorBody>) {
    if line.trim_ascii().is_empty() {
        return (
            None,
            Err(ErrorBody::request("blank line: expected a request")),
        );
    }
    let mut object = match api::decode::<Json>(line) {
        Ok(Json::Object(object)) => object,
        Ok(_) => {
            return (
                None,
                Err(ErrorBody::request("invalid request: not a JSON object")),
            );
        }
        Err(e) => {
            return (
                None,
                Err(ErrorBody::request(format!("invalid request: {e}"))),
            );
        }
    };
    let id = object.remove("id");
    let request = serde_json::from_value(Json::Object(object))
        .map_err(|e| ErrorBody::request(format!("invalid request: {e}")));
    (id, request)
}
