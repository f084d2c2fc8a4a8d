//! `console-test`: celd's web console and playground in headless Chromium.
//!
//! ```text
//! console-test --celd target/debug/celd --out DIR [--chromium /usr/bin/chromium]
//! ```
//!
//! Starts `celd serve` on 127.0.0.1 (with an admin token, `--max-rss` and a small cache),
//! evaluates expressions in the playground and checks the value, the cost and the caret under
//! an error, opens the console with the token, watches its counters move under a short load,
//! checks that its figures equal `/metrics`, sorts and filters the inventory, opens a
//! program's dump, lists the storms and downloads the export. Screenshots go to DIR. Any
//! JavaScript error fails the run. Exit status 0 when every check passed.
//! `scripts/browser-test.sh` installs Chromium when it is missing and runs this.

mod cdp;
mod load;
mod scenario;
mod server;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "console-test",
    about = "celd's console and playground in headless Chromium"
)]
struct Args {
    /// The celd binary to serve with.
    #[arg(long)]
    celd: PathBuf,
    /// Where screenshots, the export and the report go (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// The browser.
    #[arg(long, default_value = "/usr/bin/chromium")]
    chromium: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("console-test: {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    let mut run = scenario::Run::new(&args.celd, &args.chromium, &args.out);
    let outcome = run.all();
    let report = run.report();
    println!("{report}");
    let _ = std::fs::write(args.out.join("report.txt"), &report);
    match outcome {
        Ok(()) => {
            println!("console-test: {} passed, 0 failed", run.checks());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("console-test: FAILED: {e}");
            println!("console-test: {} passed, 1 failed", run.checks());
            ExitCode::from(1)
        }
    }
}
