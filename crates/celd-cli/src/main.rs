//! The `celd` binary: parse flags, run the command, map the outcome to an exit status.

mod args;
mod commands;
mod diagnostics;
mod repl;
mod serve;

use std::io;
use std::process::ExitCode;

use clap::Parser;

/// Counts each thread's allocations, so that an evaluation's memory is bounded
/// (`Limits::max_memory_bytes`, `--max-request-memory`).
#[global_allocator]
static ALLOCATOR: celd::MeteredAlloc = celd::MeteredAlloc;

/// Why a command did not succeed.
pub enum Failure {
    /// The expression failed to parse, check or evaluate (exit status 1); already reported.
    Expression,
    /// `--fail`: the result was `false` or null (exit status 1).
    Falsy,
    /// Bad flags, unreadable files, malformed input (exit status 2).
    Usage(String),
    /// Output could not be written.
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Expression | Failure::Falsy) => ExitCode::from(1),
        Err(Failure::Usage(message)) => {
            diagnostics::print_usage_error(&message);
            ExitCode::from(2)
        }
        // A closed pipe (`celd eval ... | head`) is not an error.
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            diagnostics::print_usage_error(&e.to_string());
            ExitCode::from(2)
        }
    }
}
