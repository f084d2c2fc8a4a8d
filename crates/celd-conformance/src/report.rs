//! Results of a run and how they print: a line per failure (or a JSON object per
//! test), per-file counts, and the closing line `N passed, M failed, K skipped`.

use std::io::{self, Write};

use crate::runner::Status;

/// The verdict on one test, named `file/section/test`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TestResult {
    pub file: String,
    pub section: String,
    pub test: String,
    pub status: Status,
    pub detail: String,
}

impl TestResult {
    /// `file/section/test`.
    pub fn name(&self) -> String {
        format!("{}/{}/{}", self.file, self.section, self.test)
    }

    /// `{"file", "section", "test", "status", "detail"}`, keys in that order.
    fn to_json(&self) -> String {
        let string = |s: &str| serde_json::Value::from(s).to_string();
        format!(
            "{{\"file\":{},\"section\":{},\"test\":{},\"status\":{},\"detail\":{}}}",
            string(&self.file),
            string(&self.section),
            string(&self.test),
            string(self.status.name()),
            string(&self.detail)
        )
    }
}

/// How many tests passed, failed and were skipped.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.passed += 1,
            Status::Fail => self.failed += 1,
            Status::Skip => self.skipped += 1,
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Every result of a run, in file order.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The files that ran, by test-file name, in order (a file may have no tests).
    pub files: Vec<String>,
    pub results: Vec<TestResult>,
}

impl Report {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for result in &self.results {
            counts.add(result.status);
        }
        counts
    }

    /// Counts per file, in the order the files ran.
    pub fn per_file(&self) -> Vec<(&str, Counts)> {
        let mut files: Vec<(&str, Counts)> = self
            .files
            .iter()
            .map(|name| (name.as_str(), Counts::default()))
            .collect();
        for result in &self.results {
            match files.iter_mut().find(|(name, _)| *name == result.file) {
                Some((_, counts)) => counts.add(result.status),
                None => {
                    let mut counts = Counts::default();
                    counts.add(result.status);
                    files.push((&result.file, counts));
                }
            }
        }
        files
    }

    /// Failures and skips with their details, per-file counts, then the closing line.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        for result in self.results.iter().filter(|r| r.status != Status::Pass) {
            let label = if result.status == Status::Fail {
                "FAIL"
            } else {
                "SKIP"
            };
            writeln!(out, "{label} {}: {}", result.name(), indent(&result.detail))?;
        }
        self.write_summary(out)
    }

    /// A JSON object per test, per-file counts, then the closing line.
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        for result in &self.results {
            writeln!(out, "{}", result.to_json())?;
        }
        self.write_summary(out)
    }

    fn write_summary(&self, out: &mut impl Write) -> io::Result<()> {
        let files = self.per_file();
        let width = files.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        for (name, counts) in files {
            writeln!(out, "{name:<width$}  {counts}")?;
        }
        writeln!(out, "{}", self.counts())
    }
}

/// Continuation lines of a multi-line detail, indented under the test name.
fn indent(detail: &str) -> String {
    detail.replace('\n', "\n    ")
}
