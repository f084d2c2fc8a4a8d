//! Command-line flags as typed by the user: parsed and validated, nothing loaded yet.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "celd",
    version,
    about = "A Common Expression Language (CEL) engine"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Evaluate an expression and print its value.
    Eval(EvalArgs),
    /// Type-check an expression and print its type.
    Check(CheckArgs),
    /// Show what an expression compiles to: its template and parameter slots (as the program
    /// cache shares it), the checked expression with every type, and the evaluation plan.
    Dump(DumpArgs),
}

#[derive(Args, Debug)]
pub struct EnvArgs {
    /// Declare a variable: NAME:TYPE in CEL type syntax (`x:int`, `m:map(string, dyn)`).
    #[arg(long = "decl", value_name = "NAME:TYPE")]
    pub decls: Vec<String>,
    /// The namespace names resolve in.
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The expression (omit with --batch).
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    pub expr: Option<String>,
    /// Variables as a celd JSON object: '{"name": "jane"}'.
    #[arg(long, value_name = "JSON", conflicts_with = "vars_file")]
    pub vars: Option<String>,
    /// Variables as a celd JSON object read from a file.
    #[arg(long, value_name = "FILE")]
    pub vars_file: Option<PathBuf>,
    /// How to print the value.
    #[arg(long, value_enum, default_value_t = Output::Json)]
    pub output: Output,
    /// Evaluate JSON lines (each an /v1/eval request body) from FILE or `-` (stdin).
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["vars", "vars_file", "decls", "container"])]
    pub batch: Option<String>,
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The expression.
    pub expr: String,
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Args, Debug)]
pub struct DumpArgs {
    /// The expression.
    pub expr: String,
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// celd JSON (`{"$uint": "3"}` for non-JSON types).
    Json,
    /// CEL literal syntax (`3u`, `b"..."`, `timestamp("...")`).
    Cel,
}
