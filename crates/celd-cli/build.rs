//! `celd --version`: the version, the commit it was built from (`git`, else `CELD_COMMIT`,
//! else unknown), and the cel-spec suite the conformance tests run against
//! (`crates/celd-conformance/CEL_SPEC_VERSION`, which the conformance test checks).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

fn main() {
    let spec_file = "../celd-conformance/CEL_SPEC_VERSION";
    println!("cargo:rerun-if-changed={spec_file}");
    println!("cargo:rerun-if-env-changed=CELD_COMMIT");
    // Rebuilt when the commit moves (a path that does not exist would rebuild every time).
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
    }
    for path in watched.into_iter().flatten() {
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let commit = std::env::var("CELD_COMMIT")
        .ok()
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    let spec = std::fs::read_to_string(spec_file).unwrap_or_default();
    let version = env!("CARGO_PKG_VERSION");
    println!(
        "cargo:rustc-env=CELD_VERSION_LINE={version} (commit {commit}; conformance: {})",
        spec.trim()
    );
}
