//! Shared helpers: the spec directory (loudly absent outside CI, required in CI),
//! its descriptor pool, and parsing inline test files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use celd_conformance::spec;
use celd_conformance::suite::{TestFile, parse_file};
use prost_reflect::DescriptorPool;

/// The spec directory, or `None` after saying loudly that it is missing; in CI
/// (`CI=true`) a missing directory fails the test.
pub fn spec_dir() -> Option<PathBuf> {
    match spec::locate(None) {
        Ok(dir) => Some(dir),
        Err(e) => {
            // Written to the real stderr: the test harness captures `eprintln!`.
            let warning = format!("\n!!! {e}\n!!! the conformance tests did NOT run\n\n");
            let _ = std::io::stderr().write_all(warning.as_bytes());
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "the cel-spec directory is required in CI: {e}"
            );
            None
        }
    }
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
