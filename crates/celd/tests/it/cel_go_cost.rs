//! cel-go's estimate (`Env::estimate_cel_go`): the figures of cel-go's `checker/cost_test.go`
//! (`TestCost`), whose estimator sizes inputs by path hints (`input.@items`, `input.@keys`, ...).

use std::collections::HashMap;

use celd::cel_go_cost::{AstNode, CostEstimate, CostEstimator, CostOptions, SizeEstimate};
use celd::{Env, StructType, Type};

/// `testCostEstimator` of `cost_test.go`: a hint per joined path, `0..hint`.
struct Hints(HashMap<&'static str, u64>);

impl CostEstimator for Hints {
    fn estimate_size(&self, node: &AstNode<'_>) -> Option<SizeEstimate> {
        let path: Vec<&str> = node.path.iter().map(|p| p.as_str()).collect();
        let max = *self.0.get(path.join(".").as_str())?;
        Some(SizeEstimate { min: 0, max })
    }
}

fn estimate(vars: &[(&str, Type)], hints: &[(&'static str, u64)], expr: &str) -> CostEstimate {
    let message = StructType::new("test.TestAllTypes").field("single_int32", Type::Int);
    let mut env = Env::builder().struct_type(message);
    for (name, ty) in vars {
        env = env.variable(name, ty.clone());
    }
    let env = env.build().unwrap();
    let (_, checked) = env
        .compile_with_checked(expr)
        .unwrap_or_else(|e| panic!("{expr}: {e}"));
    let hints = Hints(hints.iter().copied().collect());
    env.estimate_cel_go(&checked, &hints, &CostOptions::default())
}

/// Variables, size hints, the expression, and cel-go's least and most cost.
type Case = (
    Vec<(&'static str, Type)>,
    Vec<(&'static str, u64)>,
    &'static str,
    u64,
    u64,
);

#[test]
fn cel_go_figures() {
    let all = Type::object("test.TestAllTypes");
    let all_list = Type::list(all.clone());
    let all_map = Type::map(Type::String, all.clone());
    let nested_map = Type::map(Type::String, all_map.clone());
    let ints = Type::list(Type::Int);
    let input = |ty: &Type| vec![("input", ty.clone())];
    let cases: Vec<Case> = vec![
        (vec![], vec![], "\"Hello World!\"", 0, 0),
        (input(&ints), vec![], "input", 1, 1),
        (
            input(&Type::map(Type::String, Type::String)),
            vec![],
            "input['key']",
            2,
            2,
        ),
        (input(&all), vec![], "input.single_int32", 2, 2),
        (input(&all), vec![], "has(input.single_int32)", 2, 2),
        (vec![], vec![], "[1, 2, 3]", 10, 10),
        (vec![], vec![], "test.TestAllTypes{single_int32: 1}", 40, 40),
        (vec![], vec![], "{\"a\": 1, \"b\": 2, \"c\": 3}", 30, 30),
        (
            input(&all_list),
            vec![("input", 100)],
            "input.all(x, true)",
            2,
            302,
        ),
        (
            input(&Type::list(all_list.clone())),
            vec![("input", 50), ("input.@items", 10)],
            "input.all(x, x.all(y, true))",
            2,
            1752,
        ),
        (vec![], vec![], "[1, 2, 3].all(x, true)", 20, 20),
        (
            input(&Type::String),
            vec![("input", 500)],
            "input.matches('[0-9]')",
            3,
            103,
        ),
        (vec![], vec![], "'123'.matches('[0-9]')", 2, 2),
        (vec![], vec![], "true || false", 0, 0),
        (vec![], vec![], "true && false", 0, 0),
        (vec![], vec![], "1 < 2", 1, 1),
        (vec![], vec![], "1 == 2", 1, 1),
        (vec![], vec![], "2 in [1, 2, 3]", 13, 13),
        (vec![], vec![], "1 + 1", 1, 1),
        (vec![], vec![], "true ? 1 : 2", 0, 0),
        (vec![], vec![], "size(\"123\")", 1, 1),
        (
            input(&Type::Bytes),
            vec![("input", 500)],
            "string(input)",
            1,
            51,
        ),
        (
            input(&Type::String),
            vec![("input", 500)],
            "bytes(input)",
            1,
            51,
        ),
        (vec![], vec![], "string(1)", 1, 1),
        (
            vec![("input", Type::String), ("arg1", Type::String)],
            vec![("input", 500), ("arg1", 500)],
            "input.contains(arg1)",
            2,
            2502,
        ),
        (
            vec![("input", Type::String), ("arg1", Type::String)],
            vec![("arg1", 500)],
            "input.startsWith(arg1)",
            2,
            52,
        ),
        (input(&Type::String), vec![], "input.size()", 2, 2),
        (input(&Type::String), vec![], "size(input)", 2, 2),
        (
            vec![
                ("x", Type::Int),
                ("input1", all_list.clone()),
                ("input2", all_list.clone()),
            ],
            vec![("input1", 1), ("input2", 1)],
            "(x > 2 ? input1 : input2).all(y, true)",
            4,
            7,
        ),
        (
            input(&all_map),
            vec![("input", 10)],
            "input.all(k, input[k].single_int32 > 3)",
            2,
            82,
        ),
        (
            input(&nested_map),
            vec![("input", 5), ("input.@values", 10)],
            "input.all(k, input[k].all(x, true))",
            2,
            187,
        ),
        (
            input(&nested_map),
            vec![("input", 5), ("input.@keys", 10)],
            "input.all(k, k.contains(k))",
            2,
            32,
        ),
        (
            input(&nested_map),
            vec![("input", 2), ("input.@values", 2), ("input.@keys", 5)],
            "input.all(k, input[k].all(k, true) && k.contains(k))",
            2,
            34,
        ),
        (
            vec![("list1", ints.clone()), ("list2", ints.clone())],
            vec![("list1", 10), ("list2", 10)],
            "(list1 + list2).all(x, true)",
            4,
            64,
        ),
        (
            vec![("str1", Type::String), ("str2", Type::String)],
            vec![("str1", 10), ("str2", 10)],
            "\"abcdefg\".contains(str1 + str2)",
            2,
            6,
        ),
    ];
    let mut wrong = Vec::new();
    for (vars, hints, expr, min, max) in &cases {
        let got = estimate(vars, hints, expr);
        if got
            != (CostEstimate {
                min: *min,
                max: *max,
            })
        {
            wrong.push(format!(
                "{expr}: want {min}..{max}, got {}..{}",
                got.min, got.max
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `cel.bind` costs its value and its body once; `dyn(x)` costs 1 more than `x`, keeping its
/// size; an unknown-size string compared for equality costs a tenth of the largest `u64`.
#[test]
fn binds_dyn_and_unbounded_equality() {
    let env = Env::builder()
        .extension(celd::Extension::Bindings)
        .variable("s", Type::String)
        .build()
        .unwrap();
    let est = |expr: &str| {
        let (_, checked) = env.compile_with_checked(expr).unwrap();
        env.estimate_cel_go(
            &checked,
            &celd::cel_go_cost::NoSizes,
            &CostOptions::default(),
        )
    };
    // [] 10, the value 10, the body: `x` 1 and `in` the size of `x`, 2.
    assert_eq!(
        est("cel.bind(x, [1, 2], 1 in x)"),
        CostEstimate { min: 23, max: 23 }
    );
    assert_eq!(est("dyn([1, 2]).size()"), CostEstimate { min: 12, max: 12 });
    assert_eq!(
        est("s == s"),
        CostEstimate {
            min: 3,
            max: 2 + 1_844_674_407_370_955_264
        }
    );
}
