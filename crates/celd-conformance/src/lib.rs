//! Runs cel-spec's conformance tests (the `SimpleTestFile` text protos under
//! `tests/simple/testdata`) against celd and reports a verdict per test.
//!
//! The suite is not part of this repository: it is read from a spec directory
//! (`--spec-dir`, `$CEL_SPEC_DIR`, or `../shared/cel-spec` beside the
//! repository). Its protos are compiled at run time with protox.
//!
//! Each test is named `file/section/test` (a name repeated within a section gets
//! `#2`, `#3`, ...). Only [`engine`] calls celd; loading, conversions,
//! comparison and reporting do not depend on the engine.
//!
//! Every test runs in celd's default environment plus what the test asks for,
//! with two exceptions the suite needs. The sections whose name starts with
//! `strong_` (`enums/strong_proto2`, `enums/strong_proto3`) expect typed enums,
//! so they run with `EnvBuilder::strong_enums(true)`; all others run with
//! legacy enums (plain `int`s), celd's and cel-go's default. And the suite expects
//! literals that can never be valid (`duration('10000000000s')`) to fail at
//! evaluation, as in cel-go without its literal validators, so every test runs with
//! `Validations::none()` instead of celd's default, which rejects them at compile time.

pub mod compare;
pub mod engine;
pub mod expected;
pub mod export;
pub mod pb;
pub mod report;
pub mod runner;
pub mod spec;
pub mod suite;
pub mod types;
pub mod values;

use std::path::PathBuf;

use prost_reflect::DescriptorPool;

use crate::engine::Engine;
use crate::report::{Report, TestResult};
use crate::runner::{Status, run_test};
use crate::spec::SpecError;
use crate::suite::{TestFile, load_file};

/// The environment variable holding a substring that test names must contain to run.
pub const FILTER_VAR: &str = "CEL_CONFORMANCE_FILTER";

/// What to run.
#[derive(Clone, Debug)]
pub struct Config {
    pub spec_dir: PathBuf,
    /// Test files; empty means every file of the spec directory.
    pub files: Vec<PathBuf>,
    /// Run only tests whose `file/section/test` name contains this.
    pub filter: Option<String>,
}

impl Config {
    /// Every file of `spec_dir`, filtered by `$CEL_CONFORMANCE_FILTER` when it is set.
    pub fn new(spec_dir: PathBuf) -> Config {
        Config {
            spec_dir,
            files: Vec::new(),
            filter: filter_from_env(),
        }
    }
}

/// The filter `$CEL_CONFORMANCE_FILTER` asks for, if any.
pub fn filter_from_env() -> Option<String> {
    std::env::var(FILTER_VAR).ok().filter(|f| !f.is_empty())
}

/// Runs the tests `config` names. A file that cannot be read is one failed entry
/// in the report; only a spec directory without usable protos stops the run.
pub fn run(config: &Config) -> Result<Report, SpecError> {
    let pool = spec::load_pool(&config.spec_dir)?;
    let files = if config.files.is_empty() {
        spec::default_files(&config.spec_dir)?
    } else {
        config.files.clone()
    };
    let engine = Engine::new(pool.clone());
    let mut report = Report::default();
    for path in &files {
        run_file(&engine, &pool, path, config.filter.as_deref(), &mut report);
    }
    Ok(report)
}

fn run_file(
    engine: &Engine,
    pool: &DescriptorPool,
    path: &std::path::Path,
    filter: Option<&str>,
    report: &mut Report,
) {
    match load_file(pool, path) {
        Ok(file) => {
            report.files.push(file.name.clone());
            run_tests(engine, &file, filter, report);
        }
        Err(e) => {
            let name = path.display().to_string();
            report.files.push(name.clone());
            report.results.push(TestResult {
                file: name,
                section: String::new(),
                test: String::new(),
                status: Status::Fail,
                detail: format!("cannot load the test file: {e}"),
            });
        }
    }
}

fn run_tests(engine: &Engine, file: &TestFile, filter: Option<&str>, report: &mut Report) {
    for section in &file.sections {
        for test in &section.tests {
            let mut result = TestResult {
                file: file.name.clone(),
                section: section.name.clone(),
                test: test.name.clone(),
                status: Status::Skip,
                detail: String::new(),
            };
            if filter.is_some_and(|f| !result.name().contains(f)) {
                continue;
            }
            let verdict = run_test(engine, &test.prepared);
            result.status = verdict.status;
            result.detail = verdict.detail;
            report.results.push(result);
        }
    }
}
