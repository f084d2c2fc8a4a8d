//! `--export`: every test as a JSON line, values in celd JSON, and the descriptor set.

use std::process::Command;

use celd_conformance::export::{CASES_FILE, DESCRIPTORS_FILE, export};
use prost_reflect::DescriptorPool;
use serde_json::{Value as Json, json};

use crate::support::spec_dir;

fn out_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("celd-export-{name}-{}", std::process::id()))
}

fn cases(dir: &std::path::Path) -> Vec<Json> {
    let text = std::fs::read_to_string(dir.join(CASES_FILE)).expect("cases written");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect()
}

fn case<'a>(cases: &'a [Json], name: &str) -> &'a Json {
    cases
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

#[test]
fn every_test_is_exported_with_the_message_types() {
    let Some(spec) = spec_dir() else { return };
    let dir = out_dir("lib");
    let counts = export(&spec, &dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((counts.cases, counts.skipped), (1963, 0));
    let cases = cases(&dir);
    assert_eq!(cases.len(), 1963);

    let zero = case(&cases, "basic/self_eval_zeroish/self_eval_uint_zero");
    assert_eq!(zero["expected"], json!({"value": {"$uint": "0"}}));
    assert_eq!(zero["mode"], "checked");

    let typed = case(&cases, "type_deductions/functions/function_result_type");
    assert_eq!(typed["mode"], "check_only");
    assert_eq!(
        typed["declarations"][0]["overloads"][0],
        json!({"id": "fn_string_int", "member": false, "params": ["string", "int"], "result": "string"})
    );

    let bytes = std::fs::read(dir.join(DESCRIPTORS_FILE)).expect("descriptors written");
    let pool = DescriptorPool::decode(bytes.as_slice()).expect("a FileDescriptorSet");
    assert!(
        pool.get_message_by_name("cel.expr.conformance.proto2.TestAllTypes")
            .is_some()
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn the_binary_exports_and_refuses_file_arguments() {
    let Some(spec) = spec_dir() else { return };
    let dir = out_dir("bin");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_celd-conformance"))
            .arg("--spec-dir")
            .arg(&spec)
            .arg("--export")
            .arg(&dir)
            .args(extra)
            .output()
            .expect("the binary runs")
    };
    let refused = run(&["basic"]);
    assert_eq!(refused.status.code(), Some(2));
    let output = run(&[]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("1963 cases (0 skipped) written to {}", dir.display())
    );
    assert_eq!(cases(&dir).len(), 1963);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
