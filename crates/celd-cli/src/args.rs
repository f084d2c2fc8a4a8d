//! Command-line flags as typed by the user: parsed and validated, nothing loaded yet.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use celd_server::config::{parse_duration, parse_size};
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
    /// Run the HTTP evaluation service: a supervisor that owns the socket and runs a worker,
    /// replacing it with overlap on SIGHUP, past --max-rss, or when it dies.
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
pub struct EnvArgs {
    /// Declare a variable: NAME:TYPE in CEL type syntax (`x:int`, `m:map(string, dyn)`).
    #[arg(long = "decl", value_name = "NAME:TYPE")]
    pub decls: Vec<String>,
    /// The namespace names resolve in.
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    /// Message types from a `.proto` file, compiled at start-up (repeatable).
    #[arg(long = "proto", value_name = "FILE")]
    pub protos: Vec<PathBuf>,
    /// A directory `.proto` imports are resolved in (repeatable).
    #[arg(long = "proto-path", value_name = "DIR")]
    pub proto_paths: Vec<PathBuf>,
    /// Message types from a serialized FileDescriptorSet (`protoc --descriptor_set_out`).
    #[arg(long = "descriptor-set", value_name = "FILE")]
    pub descriptor_sets: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The expression (omit with --batch).
    #[arg(
        required_unless_present = "batch",
        conflicts_with = "batch",
        allow_hyphen_values = true
    )]
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
    #[arg(allow_hyphen_values = true)]
    pub expr: String,
    /// Also print the least and most cost of one evaluation (the cost model's units).
    #[arg(long)]
    pub cost: bool,
    /// The largest size of a variable for the estimate: NAME=N (bytes of a string,
    /// values in a list or map). Variables without a hint are unbounded.
    #[arg(long = "size-hint", value_name = "NAME=N", requires = "cost")]
    pub size_hints: Vec<String>,
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Args, Debug)]
pub struct DumpArgs {
    /// The expression.
    #[arg(allow_hyphen_values = true)]
    pub expr: String,
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on (`127.0.0.1:0` picks a free port; see --ready-file). Ignored
    /// when systemd passes a socket (LISTEN_FDS).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Replace the worker when its resident memory passes SIZE (checked every second).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "3GiB", conflicts_with = "no_supervisor")]
    pub max_rss: u64,
    /// Kill a worker whose resident memory passes SIZE, draining or not (default: 1.5 times
    /// --max-rss, at least 256 MiB above it).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, conflicts_with = "no_supervisor")]
    pub max_rss_hard: Option<u64>,
    /// The program cache's budget.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
    pub cache_bytes: u64,
    /// How long a worker may take to finish its requests when told to drain.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30s")]
    pub drain_timeout: Duration,
    /// Serve in this process, without a supervisor (for containers that restart themselves).
    #[arg(long)]
    pub no_supervisor: bool,
    /// Once ready, write the listening address (`127.0.0.1:41234`) to FILE.
    #[arg(long, value_name = "FILE")]
    pub ready_file: Option<PathBuf>,
    /// Message types from a `.proto` file, compiled when a worker starts (repeatable).
    #[arg(long = "proto", value_name = "FILE")]
    pub protos: Vec<PathBuf>,
    /// A directory `.proto` imports are resolved in (repeatable).
    #[arg(long = "proto-path", value_name = "DIR")]
    pub proto_paths: Vec<PathBuf>,
    /// Message types from a serialized FileDescriptorSet (repeatable).
    #[arg(long = "descriptor-set", value_name = "FILE")]
    pub descriptor_sets: Vec<PathBuf>,
    /// Read the /debug bearer token from FILE (else from CELD_ADMIN_TOKEN; without either,
    /// /debug answers 403). Workers read it when they start, so SIGHUP rotates it.
    #[arg(long, value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// Log lines as text or as JSON objects.
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,
    /// Log level; CELD_LOG overrides it with a filter (`celd_server=debug`).
    #[arg(
        long,
        value_name = "LEVEL",
        default_value = "info",
        value_parser = ["error", "warn", "info", "debug", "trace"]
    )]
    pub log_level: String,
    /// Largest request body.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1MiB")]
    pub max_body: u64,
    /// Longest expression, in code points.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_expr_size: usize,
    /// Deepest nesting of an expression.
    #[arg(long, value_name = "N", default_value_t = 250)]
    pub max_depth: u32,
    /// Cost units one evaluation may spend.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_cost: u64,
    /// Time one evaluation may take.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "100ms")]
    pub eval_timeout: Duration,
    /// Time one request may take, reading its body included.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    pub request_timeout: Duration,
    /// Requests evaluated or checked at once; more are answered 503 at once.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_concurrency: usize,
    /// Open connections per worker; more wait in the kernel's accept queue.
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub max_connections: usize,
    /// Largest /v1/eval response body, counted while it is written (422, kind limit, beyond).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "8MiB")]
    pub max_response: u64,
    /// Time to receive a request's headers, from its first byte (or from the connection's
    /// accept); the connection is closed beyond.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s")]
    pub header_read_timeout: Duration,
    /// Time a keep-alive connection may stay idle (1 s while the worker is near
    /// --max-connections).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30s")]
    pub keep_alive_timeout: Duration,
    /// Time a response may wait for a client that does not read it.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    pub write_timeout: Duration,
    /// Bytes one request may allocate (decoding, preparing and evaluating it).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "24MiB")]
    pub max_request_memory: u64,
    /// Where evaluations run: auto (inline, moved to the blocking pool when long), always
    /// (blocking pool), never (inline). For measurements.
    #[arg(long, value_enum, default_value_t = OffloadArg::Auto, hide = true)]
    pub offload: OffloadArg,
    /// Run as a supervisor's worker (set by the supervisor).
    #[arg(long, hide = true)]
    pub worker: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OffloadArg {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// celd JSON (`{"$uint": "3"}` for non-JSON types).
    Json,
    /// CEL literal syntax (`3u`, `b"..."`, `timestamp("...")`).
    Cel,
}
