//! Exports the suite for runners in other languages: every test as one JSON object a line
//! (`cases.jsonl`), values in celd JSON and types in celd's type syntax, plus the message
//! types as a serialized `FileDescriptorSet` (`descriptors.binpb`).
//!
//! A case is `{"name", "file", "section", "test", "expr", "mode", "container",
//! "disable_macros", "strong_enums", "declarations", "bindings", "expected"}` or, for a test
//! the Rust runner skips, `{"name", ..., "skip": reason}`. `mode` is `checked`, `unchecked`
//! (`disable_check`) or `check_only`. A declaration is `{"name", "type"}` (a variable) or
//! `{"name", "overloads": [{"id", "member", "params", "result"}]}` (a function, declared
//! without an implementation). `expected` is `{"value": JSON}`, `{"type": T}` or
//! `{"type": T, "value": JSON}` (a typed result), or `{"error": [messages]}` (any evaluation
//! error, or a compile error with one of those messages).
//!
//! Every value written is read back with the descriptors and must equal the original, so a
//! reader of the export sees exactly what the Rust runner compares with.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use celd_value::Value;
use celd_value::json::{JsonReader, to_json};
use prost_reflect::DescriptorPool;
use serde_json::{Map as JsonMap, Value as Json, json};

use crate::compare::same_value;
use crate::engine::to_celd_type;
use crate::spec::{self, SpecError};
use crate::suite::{Expected, Mode, Prepared, TestFile, TestSpec, load_file};
use crate::types::{Decl, Overload, TypeSpec};

/// The file of cases an export writes.
pub const CASES_FILE: &str = "cases.jsonl";
/// The file of message types an export writes.
pub const DESCRIPTORS_FILE: &str = "descriptors.binpb";

/// Why an export failed.
#[derive(Debug)]
pub enum ExportError {
    Spec(SpecError),
    /// A test file did not load, or a test cannot be written exactly.
    Data(String),
    Io {
        path: PathBuf,
        message: String,
    },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Spec(e) => e.fmt(f),
            ExportError::Data(message) => f.write_str(message),
            ExportError::Io { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for ExportError {}

/// What an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportCounts {
    pub cases: usize,
    pub skipped: usize,
}

/// Writes [`CASES_FILE`] and [`DESCRIPTORS_FILE`] into `out_dir` (created when missing) for
/// every test file of `spec_dir`.
pub fn export(spec_dir: &Path, out_dir: &Path) -> Result<ExportCounts, ExportError> {
    let pool = spec::load_pool(spec_dir).map_err(ExportError::Spec)?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |e: std::io::Error| ExportError::Io {
            path,
            message: e.to_string(),
        }
    };
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let descriptors = out_dir.join(DESCRIPTORS_FILE);
    std::fs::write(&descriptors, pool.encode_to_vec()).map_err(io(&descriptors))?;
    let mut lines = Vec::new();
    let mut counts = ExportCounts::default();
    for path in spec::default_files(spec_dir).map_err(ExportError::Spec)? {
        let file = load_file(&pool, &path).map_err(|e| ExportError::Data(e.to_string()))?;
        for case in file_cases(&pool, &file)? {
            counts.cases += 1;
            counts.skipped += usize::from(case.get("skip").is_some());
            lines.push(case.to_string());
        }
    }
    let cases = out_dir.join(CASES_FILE);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&cases).map_err(io(&cases))?);
    for line in &lines {
        writeln!(out, "{line}").map_err(io(&cases))?;
    }
    out.flush().map_err(io(&cases))?;
    Ok(counts)
}

/// The cases of one file, in order.
pub fn file_cases(pool: &DescriptorPool, file: &TestFile) -> Result<Vec<Json>, ExportError> {
    let mut cases = Vec::new();
    for section in &file.sections {
        for test in &section.tests {
            let name = format!("{}/{}/{}", file.name, section.name, test.name);
            let mut case = JsonMap::new();
            case.insert("name".into(), json!(name));
            case.insert("file".into(), json!(file.name));
            case.insert("section".into(), json!(section.name));
            case.insert("test".into(), json!(test.name));
            match &test.prepared {
                Prepared::Ready(spec) => {
                    write_spec(pool, spec, &mut case)
                        .map_err(|e| ExportError::Data(format!("{name}: {e}")))?;
                }
                Prepared::Skip(reason) => {
                    case.insert("skip".into(), json!(reason));
                }
                Prepared::Broken(e) => {
                    return Err(ExportError::Data(format!("{name}: broken test data: {e}")));
                }
            }
            cases.push(Json::Object(case));
        }
    }
    Ok(cases)
}

fn write_spec(
    pool: &DescriptorPool,
    spec: &TestSpec,
    case: &mut JsonMap<String, Json>,
) -> Result<(), String> {
    let mode = match spec.mode {
        Mode::Checked => "checked",
        Mode::Unchecked => "unchecked",
        Mode::CheckOnly => "check_only",
    };
    case.insert("expr".into(), json!(spec.expr));
    case.insert("mode".into(), json!(mode));
    case.insert("container".into(), json!(spec.env.container));
    case.insert("disable_macros".into(), json!(spec.env.disable_macros));
    case.insert("strong_enums".into(), json!(spec.env.strong_enums));
    let decls = spec
        .env
        .decls
        .iter()
        .map(declaration)
        .collect::<Result<Vec<_>, _>>()?;
    case.insert("declarations".into(), Json::Array(decls));
    let mut bindings = JsonMap::new();
    for (name, value) in &spec.bindings {
        bindings.insert(name.clone(), exact_json(pool, value)?);
    }
    case.insert("bindings".into(), Json::Object(bindings));
    case.insert("expected".into(), expected(pool, &spec.expected)?);
    Ok(())
}

fn declaration(decl: &Decl) -> Result<Json, String> {
    Ok(match decl {
        Decl::Variable { name, ty } => json!({"name": name, "type": type_text(ty)?}),
        Decl::Function { name, overloads } => {
            let overloads = overloads
                .iter()
                .map(overload)
                .collect::<Result<Vec<_>, _>>()?;
            json!({"name": name, "overloads": overloads})
        }
    })
}

fn overload(overload: &Overload) -> Result<Json, String> {
    let params = overload
        .params
        .iter()
        .map(type_text)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "id": overload.id,
        "member": overload.member,
        "params": params,
        "result": type_text(&overload.result)?,
    }))
}

/// A type as celd writes it, which is how the Rust runner's deduced types read.
fn type_text(ty: &TypeSpec) -> Result<String, String> {
    to_celd_type(ty)
        .map(|t| t.to_string())
        .map_err(|e| e.to_string())
}

fn expected(pool: &DescriptorPool, expected: &Expected) -> Result<Json, String> {
    Ok(match expected {
        Expected::Value(value) => json!({"value": exact_json(pool, value)?}),
        Expected::Typed { value: None, ty } => json!({"type": type_text(ty)?}),
        Expected::Typed {
            value: Some(value),
            ty,
        } => json!({"type": type_text(ty)?, "value": exact_json(pool, value)?}),
        Expected::AnyError { messages } => json!({"error": messages}),
    })
}

/// `value` in celd JSON, checked to read back as the same value.
fn exact_json(pool: &DescriptorPool, value: &Value) -> Result<Json, String> {
    let written = to_json(value);
    let reader = JsonReader {
        pool: Some(pool),
        ..JsonReader::default()
    };
    let read = reader
        .read(&written)
        .map_err(|e| format!("{value} does not read back from {written}: {e}"))?;
    if same_value(value, &read) {
        Ok(written)
    } else {
        Err(format!("{value} reads back from {written} as {read}"))
    }
}
