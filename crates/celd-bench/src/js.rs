//! The JavaScript engine `@marcbachmann/cel-js`, timed by `js/marcbachmann.mjs` under the
//! machine's node, for `compare`'s third column.
//!
//! The package is installed into `crates/celd-bench/js/node_modules` by
//! `scripts/install-js-peers.sh` (not committed). Without node or the package the column is
//! left out and `compare` says why.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value as Json, json};

use crate::{Case, expected};

/// The harness's folder in this crate.
fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// How each figure is taken (the same method as `compare`'s own `measure`).
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub warm_up: Duration,
    pub batch: Duration,
    pub batches: usize,
}

/// One case's figures in nanoseconds: evaluation, parse alone, parse plus type check.
#[derive(Clone, Copy, Debug)]
pub struct JsRow {
    pub eval: f64,
    pub parse: f64,
    pub compile: f64,
}

/// Runs the harness over `cases`: each case's figures, or why it was not measured.
pub fn marcbachmann(
    cases: &[Case],
    timing: Timing,
) -> Result<HashMap<String, Result<JsRow, String>>, String> {
    let dir = js_dir();
    if !dir.join("node_modules/@marcbachmann/cel-js").is_dir() {
        return Err("the package is not installed: run scripts/install-js-peers.sh".into());
    }
    let mut child = Command::new("node")
        .arg(dir.join("marcbachmann.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("node could not be started: {e}"))?;
    let request = json!({
        "cases": cases.iter().map(|c| json!({"id": c.id, "expr": c.expr, "expect": expected(c)})).collect::<Vec<_>>(),
        "warm_up_ms": timing.warm_up.as_millis() as u64,
        "batch_ms": timing.batch.as_millis() as u64,
        "batches": timing.batches,
    });
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(request.to_string().as_bytes())
        .map_err(|e| format!("writing to node: {e}"))?;
    drop(stdin);
    let output = child
        .wait_with_output()
        .map_err(|e| format!("waiting for node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "node failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(parse_row)
        .collect()
}

/// One output line: `{id, eval_ns, parse_ns, compile_ns}` or `{id, error}`.
fn parse_row(line: &str) -> Result<(String, Result<JsRow, String>), String> {
    let row: Json =
        serde_json::from_str(line).map_err(|e| format!("bad line from node ({e}): {line}"))?;
    let id = row["id"]
        .as_str()
        .ok_or_else(|| format!("no id in {line}"))?
        .to_owned();
    if let Some(error) = row["error"].as_str() {
        return Ok((id, Err(error.to_owned())));
    }
    let figure = |name: &str| {
        row[name]
            .as_f64()
            .ok_or_else(|| format!("no {name} in {line}"))
    };
    let figures = JsRow {
        eval: figure("eval_ns")?,
        parse: figure("parse_ns")?,
        compile: figure("compile_ns")?,
    };
    Ok((id, Ok(figures)))
}

#[cfg(test)]
mod tests {
    use super::parse_row;

    #[test]
    fn rows_and_errors_are_read_back() {
        let (id, row) =
            parse_row(r#"{"id":"e02","eval_ns":12.5,"parse_ns":900,"compile_ns":1500}"#).unwrap();
        assert_eq!(id, "e02");
        let row = row.unwrap();
        assert_eq!((row.eval, row.parse, row.compile), (12.5, 900.0, 1500.0));
        let (id, row) = parse_row(r#"{"id":"e09","error":"returned 3"}"#).unwrap();
        assert_eq!(
            (id.as_str(), row.unwrap_err().as_str()),
            ("e09", "returned 3")
        );
        assert!(parse_row(r#"{"id":"e01"}"#).is_err());
        assert!(parse_row("not json").is_err());
    }
}
