//! Shared helpers: the spec directory (required unless `CELD_SKIP_CONFORMANCE=1` says to
//! skip, loudly), its descriptor pool, and parsing inline test files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use celd_conformance::spec;
use celd_conformance::suite::{TestFile, parse_file};
use prost_reflect::DescriptorPool;

/// The environment variable that lets the conformance tests be skipped when the suite is
/// not on this machine.
pub const SKIP_VARIABLE: &str = "CELD_SKIP_CONFORMANCE";

/// The spec directory. A missing directory fails the test, unless `CELD_SKIP_CONFORMANCE=1`
/// asks to skip: then `None`, after saying loudly that the conformance tests did not run.
pub fn spec_dir() -> Option<PathBuf> {
    match spec::locate(None) {
        Ok(dir) => Some(dir),
        Err(e) => {
            assert!(
                skip_requested(),
                "{e}\nthe conformance suite is required: put cel-spec at ../shared/cel-spec \
                 beside the repository, or set CEL_SPEC_DIR; {SKIP_VARIABLE}=1 skips these tests"
            );
            // Written to the real stderr: the test harness captures `eprintln!`.
            let warning =
                format!("\n!!! {e}\n!!! {SKIP_VARIABLE}=1: the conformance tests did NOT run\n\n");
            let _ = std::io::stderr().write_all(warning.as_bytes());
            None
        }
    }
}

fn skip_requested() -> bool {
    std::env::var(SKIP_VARIABLE).as_deref() == Ok("1")
}

/// The descriptor pool of the spec directory's protos, compiled once.
pub fn pool() -> Option<DescriptorPool> {
    static POOL: OnceLock<Option<DescriptorPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let dir = spec_dir()?;
        Some(spec::load_pool(&dir).unwrap_or_else(|e| panic!("{e}")))
    })
    .clone()
}

/// Parses an inline test file.
pub fn parse(pool: &DescriptorPool, text: &str) -> TestFile {
    parse_file(pool, text, Path::new("inline.textproto")).unwrap_or_else(|e| panic!("{e}"))
}
