//! Test files: parsing `SimpleTestFile` text protos and preparing each test
//! (declarations, bindings, expectation) in engine-independent form.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use celd_value::Value;
use prost_reflect::{DescriptorPool, DynamicMessage, Value as PbValue};

use crate::pb::{self, DataError};
use crate::spec::TEST_FILE_MESSAGE;
use crate::types::{Decl, TypeSpec};
use crate::values::{self, ValueError};

/// One test file: its sections in order.
pub struct TestFile {
    /// The file's `name` field (the file stem when empty); the first part of test names.
    pub name: String,
    pub path: PathBuf,
    pub sections: Vec<Section>,
}

pub struct Section {
    pub name: String,
    pub tests: Vec<TestCase>,
}

pub struct TestCase {
    /// The test's name, with `#2`, `#3`, ... appended to repeats within its section.
    pub name: String,
    pub prepared: Prepared,
}

/// A test ready to run, one the runner cannot run, or one whose data is broken.
pub enum Prepared {
    Ready(TestSpec),
    Skip(String),
    Broken(DataError),
}

/// Everything needed to run one test.
pub struct TestSpec {
    pub expr: String,
    pub mode: Mode,
    pub env: EnvSpec,
    pub bindings: Vec<(String, Value)>,
    pub expected: Expected,
}

/// How far a test goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// Parse, check, evaluate.
    Checked,
    /// Parse and evaluate without checking (`disable_check`).
    Unchecked,
    /// Parse and check only (`check_only`).
    CheckOnly,
}

/// The environment a test asks for.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct EnvSpec {
    pub container: String,
    pub disable_macros: bool,
    pub decls: Vec<Decl>,
    /// Typed enums: on for the sections whose name starts with [`STRONG_ENUM_SECTION`]
    /// (`enums/strong_proto2`, `enums/strong_proto3`), which expect them; every other
    /// test runs with legacy enums (plain `int`s), cel-go's default.
    pub strong_enums: bool,
}

/// Sections whose name starts with this run with strong enums.
pub const STRONG_ENUM_SECTION: &str = "strong_";

/// What a test expects.
pub enum Expected {
    /// Evaluation yields this value (no matcher means `true`).
    Value(Value),
    /// The checker deduces this type and, unless the test is check-only, evaluation yields the value.
    Typed { value: Option<Value>, ty: TypeSpec },
    /// Evaluation fails; any error will do. The messages the test lists are kept: a
    /// compile error with one of exactly those messages also satisfies the test (the
    /// suite expects some errors that a type checker reports before evaluation).
    AnyError { messages: Vec<String> },
}

/// A test file that could not be read or parsed.
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for LoadError {}

/// Reads and parses one test file.
pub fn load_file(pool: &DescriptorPool, path: &Path) -> Result<TestFile, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    parse_file(pool, &text, path)
}

/// Parses the text of a test file; `path` names it (its stem is the fallback file name).
pub fn parse_file(pool: &DescriptorPool, text: &str, path: &Path) -> Result<TestFile, LoadError> {
    let error = |message: String| LoadError {
        path: path.to_owned(),
        message,
    };
    let desc = pool
        .get_message_by_name(TEST_FILE_MESSAGE)
        .ok_or_else(|| error(format!("{TEST_FILE_MESSAGE} is not in the descriptor pool")))?;
    let file = DynamicMessage::parse_text_format(desc, text).map_err(|e| error(e.to_string()))?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    read_file(&file, path, stem.unwrap_or_default()).map_err(|e| error(e.to_string()))
}

fn read_file(file: &DynamicMessage, path: &Path, stem: String) -> Result<TestFile, DataError> {
    let name = Some(pb::string(file, "name")?)
        .filter(|n| !n.is_empty())
        .unwrap_or(stem);
    let sections = pb::messages(file, "section")?
        .iter()
        .map(read_section)
        .collect::<Result<_, _>>()?;
    Ok(TestFile {
        name,
        path: path.to_owned(),
        sections,
    })
}

fn read_section(section: &DynamicMessage) -> Result<Section, DataError> {
    let section_name = pb::string(section, "name")?;
    let strong_enums = section_name.starts_with(STRONG_ENUM_SECTION);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut tests = Vec::new();
    for test in pb::messages(section, "test")? {
        let base = pb::string(&test, "name")?;
        let count = seen.entry(base.clone()).or_default();
        *count += 1;
        let name = match *count {
            1 => base,
            n => format!("{base}#{n}"),
        };
        tests.push(TestCase {
            name,
            prepared: prepare(&test, strong_enums),
        });
    }
    Ok(Section {
        name: section_name,
        tests,
    })
}

/// Why a test is not ready to run.
enum NotReady {
    /// The runner does not support something the test uses.
    Unsupported(String),
    Broken(DataError),
}

impl From<DataError> for NotReady {
    fn from(e: DataError) -> NotReady {
        NotReady::Broken(e)
    }
}

impl From<ValueError> for NotReady {
    fn from(e: ValueError) -> NotReady {
        match e {
            ValueError::Unsupported(reason) => NotReady::Unsupported(reason),
            ValueError::Data(e) => NotReady::Broken(e),
        }
    }
}

/// Converts a `SimpleTest` into a [`TestSpec`], or says why it cannot run.
fn prepare(test: &DynamicMessage, strong_enums: bool) -> Prepared {
    match read_test(test, strong_enums) {
        Ok(spec) => Prepared::Ready(spec),
        Err(NotReady::Unsupported(reason)) => Prepared::Skip(reason),
        Err(NotReady::Broken(e)) => Prepared::Broken(e),
    }
}

fn read_test(test: &DynamicMessage, strong_enums: bool) -> Result<TestSpec, NotReady> {
    let mode = match (
        pb::boolean(test, "check_only")?,
        pb::boolean(test, "disable_check")?,
    ) {
        (true, _) => Mode::CheckOnly,
        (false, true) => Mode::Unchecked,
        (false, false) => Mode::Checked,
    };
    let expected = read_expected(test)?;
    if mode == Mode::CheckOnly && !matches!(expected, Expected::Typed { .. }) {
        return Err(DataError::new("a check_only test needs a typed_result").into());
    }
    let env = EnvSpec {
        container: pb::string(test, "container")?,
        disable_macros: pb::boolean(test, "disable_macros")?,
        decls: pb::messages(test, "type_env")?
            .iter()
            .map(Decl::from_message)
            .collect::<Result<_, _>>()?,
        strong_enums,
    };
    Ok(TestSpec {
        expr: pb::string(test, "expr")?,
        mode,
        env,
        bindings: read_bindings(test)?,
        expected,
    })
}

fn read_expected(test: &DynamicMessage) -> Result<Expected, NotReady> {
    let Some((kind, value)) = pb::oneof_member(test, "result_matcher") else {
        return Ok(Expected::Value(Value::Bool(true)));
    };
    let PbValue::Message(matcher) = value else {
        return Err(DataError::new(format!("result matcher '{kind}' is not a message")).into());
    };
    Ok(match kind.as_str() {
        "value" => Expected::Value(values::value_from_message(&matcher)?),
        "typed_result" => read_typed_result(&matcher)?,
        "eval_error" => Expected::AnyError {
            messages: error_messages(&matcher)?,
        },
        "any_eval_errors" => Expected::AnyError {
            messages: Vec::new(),
        },
        other => {
            return Err(NotReady::Unsupported(format!(
                "result matcher '{other}' is not supported"
            )));
        }
    })
}

/// The `message` of every `Status` in an `ErrorSet`.
fn error_messages(error_set: &DynamicMessage) -> Result<Vec<String>, NotReady> {
    let mut messages = Vec::new();
    for status in pb::messages(error_set, "errors")? {
        messages.push(pb::string(&status, "message")?);
    }
    Ok(messages)
}

fn read_typed_result(matcher: &DynamicMessage) -> Result<Expected, NotReady> {
    let value = pb::message(matcher, "result")?
        .map(|v| values::value_from_message(&v))
        .transpose()?;
    let ty = TypeSpec::from_message(&pb::required_message(matcher, "deduced_type")?)?;
    Ok(Expected::Typed { value, ty })
}

/// The bindings, sorted by name (a map's order is arbitrary).
fn read_bindings(test: &DynamicMessage) -> Result<Vec<(String, Value)>, NotReady> {
    let mut bindings = Vec::new();
    for (name, expr_value) in pb::message_map(test, "bindings")? {
        match values::binding_from_message(&expr_value) {
            Ok(value) => bindings.push((name, value)),
            Err(ValueError::Unsupported(what)) => {
                return Err(NotReady::Unsupported(format!("binding '{name}': {what}")));
            }
            Err(ValueError::Data(e)) => return Err(e.into()),
        }
    }
    bindings.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(bindings)
}
