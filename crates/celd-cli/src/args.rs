//! Command-line flags as typed by the user: parsed and validated, nothing loaded yet.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use celd_server::config::{parse_duration, parse_listen, parse_size};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// `celd --version`: the version, the commit it was built from, and the cel-spec suite the
/// conformance tests ran against (set by `build.rs`).
const VERSION: &str = env!("CELD_VERSION_LINE");

#[derive(Parser, Debug)]
#[command(
    name = "celd",
    version = VERSION,
    about = "A Common Expression Language (CEL) engine",
    after_help = "Examples:
  celd eval '[1, 2, 3].map(x, x * 2)'
  celd check 'x + 1' --decl x:int
  celd repl
  celd serve --listen :8080"
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
    /// An interactive session: evaluate expressions, declare variables, inspect types.
    Repl(ReplArgs),
    /// Run the HTTP evaluation service: a supervisor that owns the socket and runs a worker,
    /// replacing it with overlap on SIGHUP, past --max-rss, or when it dies.
    Serve(ServeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "Examples:
  celd completions bash > /etc/bash_completion.d/celd
  celd completions zsh > \"${fpath[1]}/_celd\"
  celd completions fish > ~/.config/fish/completions/celd.fish")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Kubernetes CEL offline: check a CRD's rules as the API server does when it is
    /// created, and validate objects against them.
    #[command(subcommand)]
    K8s(K8sCommand),
}

#[derive(Subcommand, Debug)]
pub enum K8sCommand {
    /// Compile and cost-check every rule of a CRD; exit 1 listing each refused rule.
    Check(K8sCheckArgs),
    /// Validate objects (YAML or JSON, multi-document) against a CRD's rules; exit 1 when
    /// any object is invalid.
    Validate(K8sValidateArgs),
    /// Evaluate an admission policy on one request, its kind read from the document: a
    /// ValidatingAdmissionPolicy (under its bindings when given) prints the decision, a
    /// MutatingAdmissionPolicy the mutated object (YAML or JSON, as the object was given);
    /// exit 1 when the request is denied.
    Admission(K8sAdmissionArgs),
}

#[derive(Args, Debug)]
pub struct K8sAdmissionArgs {
    /// The ValidatingAdmissionPolicy or MutatingAdmissionPolicy.
    #[arg(long, value_name = "POLICY.yaml")]
    pub policy: PathBuf,
    /// The object's CRD: its schema types a MutatingAdmissionPolicy's `Object…` literals and
    /// decides how apply configurations merge lists (without it the types are dynamic and
    /// lists merge by a table of the built-in kinds' lists).
    #[arg(long, value_name = "CRD.yaml")]
    pub crd: Option<PathBuf>,
    /// For a MutatingAdmissionPolicy: print the JSON Patch from the object to the mutated
    /// object instead of the mutated object.
    #[arg(long)]
    pub patch: bool,
    /// The param objects: without --binding, the first document is `params`; with
    /// bindings, every document of the policy's paramKind is a candidate for `paramRef`.
    #[arg(long, value_name = "PARAMS.yaml")]
    pub params: Option<PathBuf>,
    /// A file of bindings of the policy (repeatable, multi-document): Validating- or
    /// MutatingAdmissionPolicyBindings, as the policy is. Each binding's matchResources,
    /// paramRef and validationActions apply; a mutating policy runs once per binding and
    /// param, in order, each on the previous result. Without one, the policy is evaluated
    /// once with --params as `params` (its denials are denials).
    #[arg(long = "binding", value_name = "BINDING.yaml")]
    pub bindings: Vec<PathBuf>,
    /// The Namespace of the request (`namespaceObject`, and the labels namespaceSelector
    /// matches). Without it a namespaced request's namespace is unknown, as if it did not
    /// exist.
    #[arg(long, value_name = "NS.yaml")]
    pub namespace_object: Option<PathBuf>,
    /// The object of the request (`object`); for DELETE, the object deleted, which
    /// kube-apiserver passes as `oldObject` (`object` is null).
    #[arg(long, value_name = "OBJECT.yaml")]
    pub object: PathBuf,
    /// The object before the request (`oldObject`), for updates (not with DELETE).
    #[arg(long, value_name = "OLD.yaml")]
    pub old_object: Option<PathBuf>,
    /// The request's operation.
    #[arg(long, value_name = "OPERATION", default_value = "CREATE",
          value_parser = ["CREATE", "UPDATE", "DELETE", "CONNECT"])]
    pub operation: String,
    /// An authorization the request's user has, for `authorizer` checks (repeatable):
    /// `VERB:GROUP/RESOURCE[/SUBRESOURCE]` (core group empty: `get:/pods`) or
    /// `VERB:path:/PATH`; `*` matches any verb, group, resource or subresource. Every other
    /// check has no opinion (`allowed()` is false).
    #[arg(long = "allow", value_name = "RULE")]
    pub allow: Vec<String>,
    /// The request's resource, lower-case plural, for resource rules and
    /// `authorizer.requestResource` (default:
    /// the object's kind, lower-cased, with an `s`).
    #[arg(long, value_name = "RESOURCE")]
    pub resource: Option<String>,
    /// The request's subresource (`status`, `scale`), for resource rules and
    /// `authorizer.requestResource`.
    #[arg(long, value_name = "SUBRESOURCE", default_value = "")]
    pub subresource: String,
}

#[derive(Args, Debug)]
pub struct K8sCheckArgs {
    /// The CustomResourceDefinition (YAML or JSON).
    #[arg(long, value_name = "CRD.yaml")]
    pub crd: PathBuf,
}

#[derive(Args, Debug)]
pub struct K8sValidateArgs {
    /// The CustomResourceDefinition (YAML or JSON).
    #[arg(long, value_name = "CRD.yaml")]
    pub crd: PathBuf,
    /// The objects to validate.
    #[arg(required = true, value_name = "OBJECT.yaml")]
    pub objects: Vec<PathBuf>,
    /// The objects as stored before this update, matched by kind and metadata.name: the
    /// transition rules (those reading oldSelf) run against them.
    #[arg(long, value_name = "OLD.yaml")]
    pub old: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct EnvArgs {
    /// Declare a variable: NAME:TYPE in CEL type syntax (`x:int`, `m:map(string, dyn)`).
    #[arg(long = "decl", value_name = "NAME:TYPE")]
    pub decls: Vec<String>,
    /// The namespace names resolve in (type names in --decl too).
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    /// Message types from a `.proto` file, compiled at start-up (repeatable); a relative
    /// FILE not found from here is looked up under each --proto-path, as protoc does.
    #[arg(long = "proto", value_name = "FILE")]
    pub protos: Vec<PathBuf>,
    /// A directory `.proto` files and their imports are found in (repeatable).
    #[arg(long = "proto-path", value_name = "DIR")]
    pub proto_paths: Vec<PathBuf>,
    /// Message types from a serialized FileDescriptorSet (`protoc --descriptor_set_out`).
    #[arg(long = "descriptor-set", value_name = "FILE")]
    pub descriptor_sets: Vec<PathBuf>,
}

/// Where the expression comes from.
#[derive(Args, Debug)]
pub struct ExprArgs {
    /// The expression; `-` reads it from stdin.
    #[arg(allow_hyphen_values = true, conflicts_with = "file")]
    pub expr: Option<String>,
    /// Read the expression from FILE (`-`: stdin).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:
  celd eval 'name.startsWith(\"j\")' --vars '{\"name\": \"jane\"}'
  echo '{\"x\": 2}' | celd eval 'x * 2' --vars-file -
  celd eval -f rule.cel --vars-file input.json --plain-json --fail
  celd eval 'greeting' --vars '{\"greeting\": \"hi\"}' --raw
  celd eval --batch requests.jsonl --decl x:int

Exit status: 0 on success; 1 when the expression fails to parse, check or evaluate (or,
with --fail, is false or null; in batch mode, when any line failed); 2 on usage errors.")]
pub struct EvalArgs {
    #[command(flatten)]
    pub source: ExprArgs,
    /// Variables as a celd JSON object: '{"name": "jane"}'.
    #[arg(long, value_name = "JSON", conflicts_with = "vars_file")]
    pub vars: Option<String>,
    /// Variables as a celd JSON object read from FILE (`-`: stdin).
    #[arg(long, value_name = "FILE|-")]
    pub vars_file: Option<PathBuf>,
    /// Read variables as plain JSON, with no `$` tags (`{"$uint": "3"}` is a map); strings
    /// and objects become the timestamps, bytes, messages, ... their --decl names.
    #[arg(long)]
    pub plain_json: bool,
    /// How to print the value.
    #[arg(long, value_enum, default_value_t = Output::Json)]
    pub output: Output,
    /// Print a string result without quotes or escapes (as `jq -r`).
    #[arg(short = 'r', long)]
    pub raw: bool,
    /// Exit with status 1 when the result is false or null (as `jq -e`, `opa eval --fail`).
    #[arg(short = 'e', long, conflicts_with = "batch")]
    pub fail: bool,
    /// Cost units one evaluation may spend (the cost model's units).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_cost: u64,
    /// Time one evaluation may take (`100ms`, `1.5s`); unlimited by default.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Evaluate JSON lines (each an /v1/eval request body, with an optional "id" echoed in
    /// its answer) from FILE or `-` (stdin): line N of the output answers line N of the input.
    /// --decl, --container and --plain-json apply to every line as defaults.
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["vars", "vars_file", "expr", "file"])]
    pub batch: Option<String>,
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:
  celd check 'x + 1' --decl x:int
  celd check 'items.exists(i, i > 10)' --decl 'items:list(int)' --cost --size-hint items=100
  celd check -f rule.cel --proto-path proto --proto shop/order.proto --decl order:shop.Order")]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: ExprArgs,
    /// Also print the least and most cost of one evaluation (the cost model's units).
    #[arg(long)]
    pub cost: bool,
    /// The largest size of a variable or a path into one for the estimate: PATH=N (bytes
    /// of a string, values in a list or map), such as items=100 or
    /// request.auth.claims.groups=20; `@items` names a comprehension's elements
    /// (self.items.@items.tags=5). Inputs without a hint are unbounded.
    #[arg(long = "size-hint", value_name = "PATH=N", requires = "cost")]
    pub size_hints: Vec<String>,
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:
  celd dump 'x + 1' --decl x:int
  celd dump 'items.filter(i, i.price > 10.0)' --decl 'items:list(map(string, dyn))'")]
pub struct DumpArgs {
    #[command(flatten)]
    pub source: ExprArgs,
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:
  celd repl
  celd repl --decl x:int --proto-path proto --proto shop/order.proto

In the session: an expression evaluates; `let x = EXPR` binds a variable; `%declare x: TYPE`
declares one; `%type EXPR` and `%dump EXPR` inspect; `%help` lists the commands. A line
that leaves a bracket or string open continues on the next. History is kept in
$CELD_HISTORY (default ~/.celd_history).")]
pub struct ReplArgs {
    #[command(flatten)]
    pub env: EnvArgs,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:
  celd serve
  celd serve --listen :8080 --max-rss 400MiB --admin-token-file /etc/celd/token
  celd serve --listen localhost:0 --ready-file /run/celd.addr --eval-timeout 50ms

Sizes take B, KiB, MiB, GiB (K, M, G mean the same) and decimals (1.5GiB); durations take
us, ms, s, m, h and decimals (1.5s). A number without a unit is an error.")]
pub struct ServeArgs {
    /// The address to listen on: HOST:PORT, `localhost:8080`, or `:8080` for every interface
    /// (`127.0.0.1:0` picks a free port; see --ready-file). Ignored when systemd passes a
    /// socket (LISTEN_FDS).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080", value_parser = parse_listen)]
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
