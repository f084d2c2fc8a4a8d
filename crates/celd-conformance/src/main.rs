//! `celd-conformance [--spec-dir DIR] [--json] [FILES...]`: runs cel-spec's
//! conformance tests against celd. The last line of output is
//! `N passed, M failed, K skipped`; the exit status is 0 when nothing failed,
//! 1 when a test failed, 2 on a usage error or a missing spec directory.
//! `celd-conformance [--spec-dir DIR] --export OUT_DIR` writes the suite for other runners
//! instead (see [`celd_conformance::export`]).

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use celd_conformance::{Config, export, run, spec};

const USAGE: &str = "usage: celd-conformance [--spec-dir DIR] [--json] [FILES...]
       celd-conformance [--spec-dir DIR] --export OUT_DIR

Runs cel-spec's conformance tests against celd.

  --spec-dir DIR  the cel-spec directory (default: $CEL_SPEC_DIR, else
                  ../shared/cel-spec beside the repository)
  --json          print one JSON object per test
  FILES           test files (paths, or names such as `basic`); default: all
  --export OUT_DIR  run nothing: write every test as JSON lines (OUT_DIR/cases.jsonl,
                  values in celd JSON) and the message types (OUT_DIR/descriptors.binpb,
                  a FileDescriptorSet) for runners in other languages

$CEL_CONFORMANCE_FILTER=TEXT runs only tests whose file/section/test name contains TEXT.
Sections named strong_* (enums/strong_proto2, enums/strong_proto3) run with strong
enums on; every other test runs with celd's default, legacy enums (plain ints).";

/// The command line, validated.
struct Args {
    spec_dir: Option<PathBuf>,
    json: bool,
    export: Option<PathBuf>,
    files: Vec<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        spec_dir: None,
        json: false,
        export: None,
        files: Vec::new(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => parsed.json = true,
            "--spec-dir" => {
                let dir = args.next().ok_or("--spec-dir needs a directory")?;
                parsed.spec_dir = Some(PathBuf::from(dir));
            }
            "--export" => {
                let dir = args.next().ok_or("--export needs a directory")?;
                parsed.export = Some(PathBuf::from(dir));
            }
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--spec-dir=") => {
                parsed.spec_dir = Some(PathBuf::from(&flag["--spec-dir=".len()..]));
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            file => parsed.files.push(file.to_owned()),
        }
    }
    Ok(parsed)
}

/// `--export OUT_DIR`: the whole suite, files cannot be chosen.
fn export(spec_dir: &std::path::Path, out_dir: &std::path::Path, files: &[String]) -> ExitCode {
    if !files.is_empty() {
        eprintln!("celd-conformance: --export writes every test file; FILES cannot be given");
        return ExitCode::from(2);
    }
    match export::export(spec_dir, out_dir) {
        Ok(counts) => {
            println!(
                "{} cases ({} skipped) written to {}",
                counts.cases,
                counts.skipped,
                out_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("celd-conformance: export: {e}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("celd-conformance: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let spec_dir = match spec::locate(args.spec_dir.as_deref()) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("celd-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(out_dir) = &args.export {
        return export(&spec_dir, out_dir, &args.files);
    }
    let mut config = Config::new(spec_dir);
    config.files = args
        .files
        .iter()
        .map(|f| spec::resolve_file(&config.spec_dir, f))
        .collect();
    let report = match run(&config) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("celd-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = if args.json {
        report.write_json(&mut out)
    } else {
        report.write_text(&mut out)
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("celd-conformance: {e}");
            return ExitCode::from(2);
        }
    }
    if report.counts().failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
