//! The one place the tests call the API: environments, `check_type`, `check_error`.

use std::path::PathBuf;
use std::sync::OnceLock;

use celd_check::{CheckEnv, CheckEnvBuilder, CheckedAst, check};
use celd_syntax::ast::{Expr, ExprKind};
use celd_syntax::parse_str;
use celd_types::{TypeProvider, library, parse_type};

/// The cel-spec checkout: `$CEL_SPEC_DIR`, else `shared/cel-spec` beside the repository.
pub fn spec_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CEL_SPEC_DIR") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cel-spec")
}

/// Message types from the cel-spec conformance protos (compiled once).
pub fn conformance_provider() -> TypeProvider {
    static PROVIDER: OnceLock<TypeProvider> = OnceLock::new();
    PROVIDER
        .get_or_init(|| {
            let proto_dir = spec_dir().join("proto");
            assert!(
                proto_dir.is_dir(),
                "cel-spec protos not found at {} (set CEL_SPEC_DIR)",
                proto_dir.display()
            );
            let files = [
                "cel/expr/conformance/proto3/test_all_types.proto",
                "cel/expr/conformance/proto2/test_all_types.proto",
                "cel/expr/conformance/proto2/test_all_types_extensions.proto",
            ];
            let pool = protox::Compiler::new([&proto_dir])
                .and_then(|mut c| {
                    c.open_files(files)?;
                    Ok(c.descriptor_pool())
                })
                .unwrap_or_else(|e| panic!("compiling conformance protos: {e}"));
            TypeProvider::new(pool)
        })
        .clone()
}

/// Every extension library's name.
pub fn all_extensions() -> Vec<&'static str> {
    library::EXTENSIONS.iter().map(|lib| lib.name).collect()
}

/// An environment with every extension, the conformance messages, `decls`
/// (name and CEL type syntax) and `container`.
pub fn env(decls: &[(&str, &str)], container: &str) -> CheckEnv {
    builder(decls, container)
        .build()
        .unwrap_or_else(|e| panic!("building env: {e}"))
}

pub fn builder(decls: &[(&str, &str)], container: &str) -> CheckEnvBuilder {
    let mut b = CheckEnv::builder()
        .container(container)
        .type_provider(conformance_provider());
    for name in all_extensions() {
        b = b.extension(name);
    }
    for (name, ty) in decls {
        let ty = parse_type(ty).unwrap_or_else(|e| panic!("decl {name}: {e}"));
        b = b.variable(name, ty);
    }
    b
}

/// Parses and checks `src` in `env`.
///
/// Internal function names that CEL syntax cannot spell (`math.@max`) are
/// written with `AT_` in their place (`math.AT_max`) and renamed after parsing.
pub fn check_in(env: &CheckEnv, src: &str) -> Result<CheckedAst, String> {
    let mut ast = parse_str(src).map_err(|e| format!("parse error: {e}"))?;
    rename_internal_calls(&mut ast.expr);
    check(ast, env).map_err(|e| e.to_string())
}

fn rename_internal_calls(e: &mut Expr) {
    match &mut e.kind {
        ExprKind::Call(call) => {
            if call.function.contains("AT_") {
                call.function = call.function.replace("AT_", "@").into();
            }
            call.target.iter_mut().for_each(rename_internal_calls);
            call.args.iter_mut().for_each(rename_internal_calls);
        }
        ExprKind::Select(sel) => rename_internal_calls(&mut sel.operand),
        ExprKind::List(list) => list.elements.iter_mut().for_each(rename_internal_calls),
        ExprKind::Map(map) => {
            for entry in &mut map.entries {
                rename_internal_calls(&mut entry.key);
                rename_internal_calls(&mut entry.value);
            }
        }
        ExprKind::Struct(s) => s
            .fields
            .iter_mut()
            .for_each(|f| rename_internal_calls(&mut f.value)),
        ExprKind::Comprehension(c) => {
            for part in [
                &mut c.iter_range,
                &mut c.accu_init,
                &mut c.loop_condition,
                &mut c.loop_step,
                &mut c.result,
            ] {
                rename_internal_calls(part);
            }
        }
        ExprKind::Literal(_) | ExprKind::Ident(_) => {}
    }
}

/// The deduced type of `src`, or the rendered error.
pub fn deduce(env: &CheckEnv, src: &str) -> String {
    match check_in(env, src) {
        Ok(checked) => checked.result_type().to_string(),
        Err(e) => format!("ERROR {e}"),
    }
}

/// Asserts the deduced type of `src` given `decls`.
pub fn check_type(src: &str, decls: &[(&str, &str)], expect: &str) {
    let env = env(decls, "");
    assert_eq!(deduce(&env, src), expect, "type of {src}");
}

/// Checks every `(expression, expected type)` row in `env`; fails listing every mismatch.
pub fn check_table(env: &CheckEnv, rows: &[(&str, &str)]) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(src, expect)| {
            let got = deduce(env, src);
            (got != *expect).then(|| format!("{src}\n  expected: {expect}\n  got:      {got}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// The rendered check error of `src` (fails if it checks).
pub fn check_error_in(env: &CheckEnv, src: &str) -> String {
    match check_in(env, src) {
        Ok(checked) => panic!("{src} checked as {}", checked.result_type()),
        Err(e) => e,
    }
}
