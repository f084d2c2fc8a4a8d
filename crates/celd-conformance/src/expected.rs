//! The expected-failures list: one `file/section/test  # reason` per line.
//!
//! The integration test runs the suite and compares it with the list: a failure
//! not on the list is a regression, and a listed test that no longer fails must
//! leave the list. [`render`] writes the list for a report, keeping the reasons
//! already given.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::report::Report;
use crate::runner::Status;

/// Separates a test name from its reason.
const REASON_SEPARATOR: &str = "  # ";

/// The header written at the top of a rendered list.
const HEADER: &str = "\
# Conformance tests celd is known to fail: `file/section/test  # reason`.
# `cargo test -p celd-conformance` fails when a test not listed here fails, and
# when a listed test passes (remove its line). To rewrite the list from a run:
# CEL_CONFORMANCE_UPDATE=1 cargo test -p celd-conformance --test it
";

/// A parsed list: test names and their reasons, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedFailures {
    pub entries: Vec<(String, String)>,
}

/// A line of the list that does not follow the format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected_failures.txt:{}: {}", self.line, self.message)
    }
}

impl std::error::Error for ListError {}

impl ExpectedFailures {
    /// Parses the list; blank lines and lines starting with `#` are ignored.
    pub fn parse(text: &str) -> Result<ExpectedFailures, ListError> {
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        for (index, line) in text.lines().enumerate() {
            let error = |message: &str| ListError {
                line: index + 1,
                message: message.to_owned(),
            };
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, reason) = line
                .split_once(REASON_SEPARATOR)
                .ok_or_else(|| error("expected `file/section/test  # reason`"))?;
            let (name, reason) = (name.trim(), reason.trim());
            if reason.is_empty() {
                return Err(error("the reason is empty"));
            }
            if name.split('/').count() < 3 {
                return Err(error("the name is not `file/section/test`"));
            }
            if !seen.insert(name.to_owned()) {
                return Err(error("the test is listed twice"));
            }
            entries.push((name.to_owned(), reason.to_owned()));
        }
        Ok(ExpectedFailures { entries })
    }

    fn reasons(&self) -> HashMap<&str, &str> {
        self.entries
            .iter()
            .map(|(name, reason)| (name.as_str(), reason.as_str()))
            .collect()
    }
}

/// How a run differs from the list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Differences {
    /// Failed but not listed: name and detail.
    pub regressions: Vec<(String, String)>,
    /// Listed but passed or skipped: name and status.
    pub no_longer_failing: Vec<(String, Status)>,
    /// Listed but not in the run (renamed or removed tests), among those the filter selects.
    pub missing: Vec<String>,
}

impl Differences {
    pub fn is_empty(&self) -> bool {
        self.regressions.is_empty() && self.no_longer_failing.is_empty() && self.missing.is_empty()
    }
}

impl fmt::Display for Differences {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, detail) in &self.regressions {
            writeln!(f, "REGRESSION {name}: {}", first_line(detail))?;
        }
        for (name, status) in &self.no_longer_failing {
            writeln!(
                f,
                "NOW {} {name}: remove its line from expected_failures.txt",
                status.name().to_uppercase()
            )?;
        }
        for name in &self.missing {
            writeln!(
                f,
                "NOT FOUND {name}: no such test ran; remove or rename its line in expected_failures.txt"
            )?;
        }
        Ok(())
    }
}

/// Compares a run with the list. With a filter, only listed names containing it count.
pub fn compare(report: &Report, list: &ExpectedFailures, filter: Option<&str>) -> Differences {
    let reasons = list.reasons();
    let mut differences = Differences::default();
    let mut ran = HashSet::new();
    for result in &report.results {
        let name = result.name();
        let listed = reasons.contains_key(name.as_str());
        match (result.status, listed) {
            (Status::Fail, false) => differences
                .regressions
                .push((name.clone(), result.detail.clone())),
            (Status::Pass | Status::Skip, true) => differences
                .no_longer_failing
                .push((name.clone(), result.status)),
            _ => {}
        }
        ran.insert(name);
    }
    differences.missing = list
        .entries
        .iter()
        .map(|(name, _)| name)
        .filter(|name| filter.is_none_or(|f| name.contains(f)) && !ran.contains(*name))
        .cloned()
        .collect();
    differences
}

/// The list for a report: every failure, with the reason from `previous` when it
/// had one, else the first line of the failure's detail.
pub fn render(report: &Report, previous: &ExpectedFailures) -> String {
    let reasons = previous.reasons();
    let mut out = String::from(HEADER);
    for result in report.results.iter().filter(|r| r.status == Status::Fail) {
        let name = result.name();
        let reason = match reasons.get(name.as_str()) {
            Some(reason) => (*reason).to_owned(),
            None => reason_from_detail(&result.detail),
        };
        out.push_str(&name);
        out.push_str(REASON_SEPARATOR);
        out.push_str(&reason);
        out.push('\n');
    }
    out
}

/// A one-line reason: the detail's first line without the diagnostic's location prefix.
fn reason_from_detail(detail: &str) -> String {
    const MAX_CHARS: usize = 120;
    let line = first_line(detail).replace("ERROR: <input>:", "");
    let line = strip_location(&line);
    let reason: String = line.chars().take(MAX_CHARS).collect();
    if reason.trim().is_empty() {
        "fails".to_owned()
    } else {
        reason
    }
}

/// `compile error: 1:5: message` becomes `compile error: message`.
fn strip_location(line: &str) -> String {
    let Some((stage, rest)) = line.split_once(": ") else {
        return line.to_owned();
    };
    let mut parts = rest.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(l), Some(c), Some(message))
            if l.chars().all(|ch| ch.is_ascii_digit())
                && c.chars().all(|ch| ch.is_ascii_digit()) =>
        {
            format!("{stage}: {}", message.trim_start())
        }
        _ => line.to_owned(),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}
