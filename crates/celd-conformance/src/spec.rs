//! The spec directory: where it is, the descriptor pool compiled from its protos,
//! and its test files.

use std::fmt;
use std::path::{Path, PathBuf};

use prost_reflect::DescriptorPool;

/// The environment variable naming the spec directory.
pub const SPEC_DIR_VAR: &str = "CEL_SPEC_DIR";

/// The protos the test files need, relative to `DIR/proto`.
pub const PROTO_FILES: [&str; 4] = [
    "cel/expr/conformance/test/simple.proto",
    "cel/expr/conformance/proto2/test_all_types.proto",
    "cel/expr/conformance/proto2/test_all_types_extensions.proto",
    "cel/expr/conformance/proto3/test_all_types.proto",
];

/// Where the test files live, relative to the spec directory.
pub const TESTDATA_DIR: &str = "tests/simple/testdata";

/// The message every test file holds.
pub const TEST_FILE_MESSAGE: &str = "cel.expr.conformance.test.SimpleTestFile";

/// The spec directory was not found or could not be read.
#[derive(Debug)]
pub enum SpecError {
    /// No directory given, `$CEL_SPEC_DIR` unset, and no `../shared/cel-spec` beside the repository.
    NotFound { tried: Vec<PathBuf> },
    /// The protos did not compile.
    Protos { dir: PathBuf, message: String },
    /// The test directory could not be listed.
    Listing { dir: PathBuf, message: String },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::NotFound { tried } => {
                write!(f, "cel-spec directory not found (tried:")?;
                for path in tried {
                    write!(f, " {}", path.display())?;
                }
                write!(f, "); pass --spec-dir DIR or set {SPEC_DIR_VAR}")
            }
            SpecError::Protos { dir, message } => {
                write!(
                    f,
                    "cannot compile the protos under {}: {message}",
                    dir.display()
                )
            }
            SpecError::Listing { dir, message } => {
                write!(f, "cannot list {}: {message}", dir.display())
            }
        }
    }
}

impl std::error::Error for SpecError {}

/// Finds the spec directory: `explicit`, else `$CEL_SPEC_DIR`, else
/// `../shared/cel-spec` relative to the repository root (found by walking up
/// from the current directory, then from where this crate was built).
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, SpecError> {
    let candidates = candidates(explicit);
    if let Some(found) = candidates.iter().find(|dir| is_spec_dir(dir)) {
        return Ok(found.clone());
    }
    Err(SpecError::NotFound { tried: candidates })
}

fn candidates(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(dir) = explicit {
        return vec![dir.to_owned()];
    }
    if let Some(dir) = std::env::var_os(SPEC_DIR_VAR).filter(|d| !d.is_empty()) {
        return vec![PathBuf::from(dir)];
    }
    let mut roots = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        roots.extend(repository_root(&cwd));
    }
    roots.extend(repository_root(Path::new(env!("CARGO_MANIFEST_DIR"))));
    roots.dedup();
    roots
        .into_iter()
        .map(|root| root.join("..").join("shared").join("cel-spec"))
        .collect()
}

/// The nearest ancestor of `start` (itself included) holding this workspace.
pub fn repository_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| {
            dir.join("crates").join("celd-conformance").is_dir() && dir.join("Cargo.toml").is_file()
        })
        .map(Path::to_owned)
}

fn is_spec_dir(dir: &Path) -> bool {
    dir.join("proto").is_dir() && dir.join(TESTDATA_DIR).is_dir()
}

/// Compiles the conformance protos under `DIR/proto` into one descriptor pool.
pub fn load_pool(spec_dir: &Path) -> Result<DescriptorPool, SpecError> {
    let proto_dir = spec_dir.join("proto");
    let error = |e: protox::Error| SpecError::Protos {
        dir: proto_dir.clone(),
        message: e.to_string(),
    };
    let mut compiler = protox::Compiler::new([&proto_dir]).map_err(error)?;
    compiler.open_files(PROTO_FILES).map_err(error)?;
    Ok(compiler.descriptor_pool())
}

/// The test files of the spec directory, sorted by name.
pub fn default_files(spec_dir: &Path) -> Result<Vec<PathBuf>, SpecError> {
    let dir = spec_dir.join(TESTDATA_DIR);
    let listing = std::fs::read_dir(&dir).map_err(|e| SpecError::Listing {
        dir: dir.clone(),
        message: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = listing
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "textproto"))
        .collect();
    files.sort();
    Ok(files)
}

/// Resolves a FILES argument: a path as given, or the name of a test file of the
/// spec directory (`basic` or `basic.textproto`).
pub fn resolve_file(spec_dir: &Path, arg: &str) -> PathBuf {
    let given = PathBuf::from(arg);
    if given.exists() {
        return given;
    }
    let testdata = spec_dir.join(TESTDATA_DIR);
    let named = testdata.join(arg);
    if named.exists() {
        return named;
    }
    let with_extension = testdata.join(format!("{arg}.textproto"));
    if with_extension.exists() {
        return with_extension;
    }
    given
}
