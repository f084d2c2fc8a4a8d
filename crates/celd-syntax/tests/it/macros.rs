//! Macro expansion: every macro's shape, its recorded call, argument errors, and switches.

use celd_syntax::ast::MacroArg;
use celd_syntax::{Macros, ParseOptions};
use expect_test::expect;

use crate::support::{check_table, dump, parse_ok, parse_outcome};

#[test]
fn standard_macros() {
    check_table(
        &[
            "has(a.b)",
            "has(a.b.c)",
            "[1].all(x, x > 0)",
            "[1].exists(x, x > 0)",
            "[1].exists_one(x, x > 0)",
            "[1].existsOne(x, x > 0)",
            "[1].map(x, x * 2)",
            "[1].map(x, x > 0, x * 2)",
            "[1].filter(x, x > 0)",
            "m.all(k, m[k] > 0)",
            "[[1]].all(l, l.exists(x, x == 1))",
        ],
        expect![[r#"
            has(a.b)  ==>  a.b~test
            has(a.b.c)  ==>  a.b.c~test
            [1].all(x, x > 0)  ==>  fold(x in [1]; @result = true; @not_strictly_false(@result); _&&_(@result, _>_(x, 0)); @result)
            [1].exists(x, x > 0)  ==>  fold(x in [1]; @result = false; @not_strictly_false(!_(@result)); _||_(@result, _>_(x, 0)); @result)
            [1].exists_one(x, x > 0)  ==>  fold(x in [1]; @result = 0; true; _?_:_(_>_(x, 0), _+_(@result, 1), @result); _==_(@result, 1))
            [1].existsOne(x, x > 0)  ==>  fold(x in [1]; @result = 0; true; _?_:_(_>_(x, 0), _+_(@result, 1), @result); _==_(@result, 1))
            [1].map(x, x * 2)  ==>  fold(x in [1]; @result = []; true; _+_(@result, [_*_(x, 2)]); @result)
            [1].map(x, x > 0, x * 2)  ==>  fold(x in [1]; @result = []; true; _?_:_(_>_(x, 0), _+_(@result, [_*_(x, 2)]), @result); @result)
            [1].filter(x, x > 0)  ==>  fold(x in [1]; @result = []; true; _?_:_(_>_(x, 0), _+_(@result, [x]), @result); @result)
            m.all(k, m[k] > 0)  ==>  fold(k in m; @result = true; @not_strictly_false(@result); _&&_(@result, _>_(_[_](m, k), 0)); @result)
            [[1]].all(l, l.exists(x, x == 1))  ==>  fold(l in [[1]]; @result = true; @not_strictly_false(@result); _&&_(@result, fold(x in l; @result = false; @not_strictly_false(!_(@result)); _||_(@result, _==_(x, 1)); @result)); @result)
        "#]],
    );
}

#[test]
fn extension_macros() {
    check_table(
        &[
            "cel.bind(x, 1, x + 1)",
            "cel.bind(a, 1, cel.bind(b, a, a + b))",
            "[1].all(i, v, i < v)",
            "[1].exists(i, v, i < v)",
            "[1].existsOne(i, v, i < v)",
            "[1].exists_one(i, v, i < v)",
            "[1].transformList(i, v, v * 2)",
            "[1].transformList(i, v, i > 0, v * 2)",
            "{'a': 1}.transformMap(k, v, v + 1)",
            "{'a': 1}.transformMap(k, v, v > 0, v + 1)",
            "{'a': 1}.transformMapEntry(k, v, {v: k})",
            "{'a': 1}.transformMapEntry(k, v, v > 0, {v: k})",
            "o.optMap(x, x + 1)",
            "o.optFlatMap(x, optional.of(x))",
            "a.b.optMap(x, x)",
            "cel.block([1, cel.index(0) + 1], cel.index(1))",
            "cel.iterVar(0, 1) + cel.accuVar(2, 3)",
        ],
        expect![[r#"
            cel.bind(x, 1, x + 1)  ==>  fold(#unused in []; x = 1; false; x; _+_(x, 1))
            cel.bind(a, 1, cel.bind(b, a, a + b))  ==>  fold(#unused in []; a = 1; false; a; fold(#unused in []; b = a; false; b; _+_(a, b)))
            [1].all(i, v, i < v)  ==>  fold(i, v in [1]; @result = true; @not_strictly_false(@result); _&&_(@result, _<_(i, v)); @result)
            [1].exists(i, v, i < v)  ==>  fold(i, v in [1]; @result = false; @not_strictly_false(!_(@result)); _||_(@result, _<_(i, v)); @result)
            [1].existsOne(i, v, i < v)  ==>  fold(i, v in [1]; @result = 0; true; _?_:_(_<_(i, v), _+_(@result, 1), @result); _==_(@result, 1))
            [1].exists_one(i, v, i < v)  ==>  fold(i, v in [1]; @result = 0; true; _?_:_(_<_(i, v), _+_(@result, 1), @result); _==_(@result, 1))
            [1].transformList(i, v, v * 2)  ==>  fold(i, v in [1]; @result = []; true; _+_(@result, [_*_(v, 2)]); @result)
            [1].transformList(i, v, i > 0, v * 2)  ==>  fold(i, v in [1]; @result = []; true; _?_:_(_>_(i, 0), _+_(@result, [_*_(v, 2)]), @result); @result)
            {'a': 1}.transformMap(k, v, v + 1)  ==>  fold(k, v in {"a": 1}; @result = {}; true; cel.@mapInsert(@result, k, _+_(v, 1)); @result)
            {'a': 1}.transformMap(k, v, v > 0, v + 1)  ==>  fold(k, v in {"a": 1}; @result = {}; true; _?_:_(_>_(v, 0), cel.@mapInsert(@result, k, _+_(v, 1)), @result); @result)
            {'a': 1}.transformMapEntry(k, v, {v: k})  ==>  fold(k, v in {"a": 1}; @result = {}; true; cel.@mapInsert(@result, {v: k}); @result)
            {'a': 1}.transformMapEntry(k, v, v > 0, {v: k})  ==>  fold(k, v in {"a": 1}; @result = {}; true; _?_:_(_>_(v, 0), cel.@mapInsert(@result, {v: k}), @result); @result)
            o.optMap(x, x + 1)  ==>  _?_:_(o.hasValue(), optional.of(fold(#unused in []; x = o.value(); false; x; _+_(x, 1))), optional.none())
            o.optFlatMap(x, optional.of(x))  ==>  _?_:_(o.hasValue(), fold(#unused in []; x = o.value(); false; x; optional.of(x)), optional.none())
            a.b.optMap(x, x)  ==>  _?_:_(a.b.hasValue(), optional.of(fold(#unused in []; x = a.b.value(); false; x; x)), optional.none())
            cel.block([1, cel.index(0) + 1], cel.index(1))  ==>  cel.@block([1, _+_(@index0, 1)], @index1)
            cel.iterVar(0, 1) + cel.accuVar(2, 3)  ==>  _+_(@it:0:1, @ac:2:3)
        "#]],
    );
}

#[test]
fn math_lists_and_protos_macros() {
    check_table(
        &[
            "math.greatest(1)",
            "math.least(-1.5)",
            "math.greatest(x)",
            "math.greatest([1, 2u, x])",
            "math.least(1, 2)",
            "math.greatest(a.b, f(c))",
            "math.least(1, 2.0, 3u, -x)",
            "math.greatest(l.map(x, x), 1)",
            "l.sortBy(e, -e)",
            "[3, 1, 2].sortBy(e, e)",
            "a.b.sortBy(e, e.c)",
            "f(x).sortBy(e, e)",
            "l.map(x, x).sortBy(e, e)",
            "proto.getExt(msg, cel.expr.conformance.proto2.int32_ext)",
            "proto.hasExt(msg, pkg.ext)",
            "proto.getExt(a.b, pkg.`ext-1`)",
        ],
        expect![[r#"
            math.greatest(1)  ==>  math.@max(1)
            math.least(-1.5)  ==>  math.@min(-1.5)
            math.greatest(x)  ==>  math.@max(x)
            math.greatest([1, 2u, x])  ==>  math.@max([1, 2u, x])
            math.least(1, 2)  ==>  math.@min(1, 2)
            math.greatest(a.b, f(c))  ==>  math.@max(a.b, f(c))
            math.least(1, 2.0, 3u, -x)  ==>  math.@min([1, 2.0, 3u, -_(x)])
            math.greatest(l.map(x, x), 1)  ==>  math.@max(fold(x in l; @result = []; true; _+_(@result, [x]); @result), 1)
            l.sortBy(e, -e)  ==>  fold(#unused in []; @__sortBy_input__ = l; false; @__sortBy_input__; @__sortBy_input__.@sortByAssociatedKeys(fold(e in @__sortBy_input__; @result = []; true; _+_(@result, [-_(e)]); @result)))
            [3, 1, 2].sortBy(e, e)  ==>  fold(#unused in []; @__sortBy_input__ = [3, 1, 2]; false; @__sortBy_input__; @__sortBy_input__.@sortByAssociatedKeys(fold(e in @__sortBy_input__; @result = []; true; _+_(@result, [e]); @result)))
            a.b.sortBy(e, e.c)  ==>  fold(#unused in []; @__sortBy_input__ = a.b; false; @__sortBy_input__; @__sortBy_input__.@sortByAssociatedKeys(fold(e in @__sortBy_input__; @result = []; true; _+_(@result, [e.c]); @result)))
            f(x).sortBy(e, e)  ==>  fold(#unused in []; @__sortBy_input__ = f(x); false; @__sortBy_input__; @__sortBy_input__.@sortByAssociatedKeys(fold(e in @__sortBy_input__; @result = []; true; _+_(@result, [e]); @result)))
            l.map(x, x).sortBy(e, e)  ==>  fold(#unused in []; @__sortBy_input__ = fold(x in l; @result = []; true; _+_(@result, [x]); @result); false; @__sortBy_input__; @__sortBy_input__.@sortByAssociatedKeys(fold(e in @__sortBy_input__; @result = []; true; _+_(@result, [e]); @result)))
            proto.getExt(msg, cel.expr.conformance.proto2.int32_ext)  ==>  msg.cel.expr.conformance.proto2.int32_ext
            proto.hasExt(msg, pkg.ext)  ==>  msg.pkg.ext~test
            proto.getExt(a.b, pkg.`ext-1`)  ==>  a.b.pkg.ext-1
        "#]],
    );
}

#[test]
fn calls_that_are_not_macros() {
    check_table(
        &[
            "has(a.b, c)",
            "a.has(b.c)",
            "[1].all(x)",
            "[1].map(x, y, z, w)",
            "all(l, x, p)",
            "x.bind(a, 1, a)",
            "cel.bind(a, 1)",
            ".cel.bind(a, 1, a)",
            "cel.block([1])",
            "o.optMap(x)",
            "m.greatest(1)",
            ".math.greatest(1)",
            "math.x.greatest(1)",
            "greatest(1)",
            "l.sortBy(e)",
            "l.sortBy(e, e, e)",
            "p.getExt(m, a.b)",
            "proto.getExt(m)",
            "proto.hasExt(m, a.b, c)",
        ],
        expect![[r#"
            has(a.b, c)  ==>  has(a.b, c)
            a.has(b.c)  ==>  a.has(b.c)
            [1].all(x)  ==>  [1].all(x)
            [1].map(x, y, z, w)  ==>  [1].map(x, y, z, w)
            all(l, x, p)  ==>  all(l, x, p)
            x.bind(a, 1, a)  ==>  x.bind(a, 1, a)
            cel.bind(a, 1)  ==>  cel.bind(a, 1)
            .cel.bind(a, 1, a)  ==>  .cel.bind(a, 1, a)
            cel.block([1])  ==>  cel.block([1])
            o.optMap(x)  ==>  o.optMap(x)
            m.greatest(1)  ==>  m.greatest(1)
            .math.greatest(1)  ==>  .math.greatest(1)
            math.x.greatest(1)  ==>  math.x.greatest(1)
            greatest(1)  ==>  greatest(1)
            l.sortBy(e)  ==>  l.sortBy(e)
            l.sortBy(e, e, e)  ==>  l.sortBy(e, e, e)
            p.getExt(m, a.b)  ==>  p.getExt(m, a.b)
            proto.getExt(m)  ==>  proto.getExt(m)
            proto.hasExt(m, a.b, c)  ==>  proto.hasExt(m, a.b, c)
        "#]],
    );
}

#[test]
fn macro_argument_errors() {
    check_table(
        &[
            "has(a)",
            "has(a[0])",
            "has(a.?b)",
            "has(1)",
            "[1].all(1, true)",
            "[1].exists(x.y, true)",
            "[1].map(f(x), x)",
            "[1].filter(.x, x)",
            "[1].all(i, 2, true)",
            "[1].transformList(i, v.w, v)",
            "cel.bind(a.b, 1, a)",
            "o.optMap(1, 2)",
            "cel.block(1, 2)",
            "cel.index(-1)",
            "cel.index(x)",
            "cel.index(1u)",
            "cel.iterVar(0, x)",
            "cel.accuVar(-1, 0)",
            "[has(a), has(b)]",
            "math.greatest()",
            "math.least()",
            "math.greatest('a')",
            "math.least(true)",
            "math.greatest(null)",
            "math.greatest(b'x')",
            "math.greatest({})",
            "math.greatest(M{})",
            "math.greatest([])",
            "math.least(['a'])",
            "math.greatest([1, 'a'])",
            "math.greatest(1, 'a')",
            "math.least(true, 1)",
            "math.greatest(1, 2, [3])",
            "math.least(1, 2, {})",
            "1.sortBy(e, e)",
            "{}.sortBy(e, e)",
            "M{}.sortBy(e, e)",
            "l.sortBy(1, e)",
            "l.sortBy(e.f, e)",
            "proto.getExt(m, ext)",
            "proto.getExt(m, a.b())",
            "proto.hasExt(m, .a.b)",
            "proto.getExt(m, a[0].b)",
            "proto.getExt(m, a.?b)",
            "proto.hasExt(m, has(a.b))",
            "proto.getExt(m, 1)",
        ],
        expect![[r#"
            has(a)
                ERROR: <input>:1:5: invalid argument to has() macro
                 | has(a)
                 | ....^
            has(a[0])
                ERROR: <input>:1:5: invalid argument to has() macro
                 | has(a[0])
                 | ....^
            has(a.?b)
                ERROR: <input>:1:5: invalid argument to has() macro
                 | has(a.?b)
                 | ....^
            has(1)
                ERROR: <input>:1:5: invalid argument to has() macro
                 | has(1)
                 | ....^
            [1].all(1, true)
                ERROR: <input>:1:9: argument must be a simple name
                 | [1].all(1, true)
                 | ........^
            [1].exists(x.y, true)
                ERROR: <input>:1:12: argument must be a simple name
                 | [1].exists(x.y, true)
                 | ...........^
            [1].map(f(x), x)
                ERROR: <input>:1:9: argument must be a simple name
                 | [1].map(f(x), x)
                 | ........^
            [1].filter(.x, x)
                ERROR: <input>:1:12: argument must be a simple name
                 | [1].filter(.x, x)
                 | ...........^
            [1].all(i, 2, true)
                ERROR: <input>:1:12: argument must be a simple name
                 | [1].all(i, 2, true)
                 | ...........^
            [1].transformList(i, v.w, v)
                ERROR: <input>:1:22: argument must be a simple name
                 | [1].transformList(i, v.w, v)
                 | .....................^
            cel.bind(a.b, 1, a)
                ERROR: <input>:1:10: argument must be a simple name
                 | cel.bind(a.b, 1, a)
                 | .........^
            o.optMap(1, 2)
                ERROR: <input>:1:10: argument must be a simple name
                 | o.optMap(1, 2)
                 | .........^
            cel.block(1, 2)
                ERROR: <input>:1:11: cel.block requires the first argument to be a list literal
                 | cel.block(1, 2)
                 | ..........^
            cel.index(-1)
                ERROR: <input>:1:11: cel.index requires a single non-negative int literal argument
                 | cel.index(-1)
                 | ..........^
            cel.index(x)
                ERROR: <input>:1:11: cel.index requires a single non-negative int literal argument
                 | cel.index(x)
                 | ..........^
            cel.index(1u)
                ERROR: <input>:1:11: cel.index requires a single non-negative int literal argument
                 | cel.index(1u)
                 | ..........^
            cel.iterVar(0, x)
                ERROR: <input>:1:16: cel.iterVar requires two non-negative int literal arguments
                 | cel.iterVar(0, x)
                 | ...............^
            cel.accuVar(-1, 0)
                ERROR: <input>:1:13: cel.accuVar requires two non-negative int literal arguments
                 | cel.accuVar(-1, 0)
                 | ............^
            [has(a), has(b)]
                ERROR: <input>:1:6: invalid argument to has() macro
                 | [has(a), has(b)]
                 | .....^
                ERROR: <input>:1:14: invalid argument to has() macro
                 | [has(a), has(b)]
                 | .............^
            math.greatest()
                ERROR: <input>:1:1: math.greatest() requires at least one argument
                 | math.greatest()
                 | ^
            math.least()
                ERROR: <input>:1:1: math.least() requires at least one argument
                 | math.least()
                 | ^
            math.greatest('a')
                ERROR: <input>:1:15: math.greatest() invalid single argument value
                 | math.greatest('a')
                 | ..............^
            math.least(true)
                ERROR: <input>:1:12: math.least() invalid single argument value
                 | math.least(true)
                 | ...........^
            math.greatest(null)
                ERROR: <input>:1:15: math.greatest() invalid single argument value
                 | math.greatest(null)
                 | ..............^
            math.greatest(b'x')
                ERROR: <input>:1:15: math.greatest() invalid single argument value
                 | math.greatest(b'x')
                 | ..............^
            math.greatest({})
                ERROR: <input>:1:15: math.greatest() invalid single argument value
                 | math.greatest({})
                 | ..............^
            math.greatest(M{})
                ERROR: <input>:1:15: math.greatest() invalid single argument value
                 | math.greatest(M{})
                 | ..............^
            math.greatest([])
                ERROR: <input>:1:15: math.greatest() invalid single argument value
                 | math.greatest([])
                 | ..............^
            math.least(['a'])
                ERROR: <input>:1:12: math.least() invalid single argument value
                 | math.least(['a'])
                 | ...........^
            math.greatest([1, 'a'])
                ERROR: <input>:1:15: math.greatest() invalid single argument value
                 | math.greatest([1, 'a'])
                 | ..............^
            math.greatest(1, 'a')
                ERROR: <input>:1:18: math.greatest() simple literal arguments must be numeric
                 | math.greatest(1, 'a')
                 | .................^
            math.least(true, 1)
                ERROR: <input>:1:12: math.least() simple literal arguments must be numeric
                 | math.least(true, 1)
                 | ...........^
            math.greatest(1, 2, [3])
                ERROR: <input>:1:21: math.greatest() simple literal arguments must be numeric
                 | math.greatest(1, 2, [3])
                 | ....................^
            math.least(1, 2, {})
                ERROR: <input>:1:18: math.least() simple literal arguments must be numeric
                 | math.least(1, 2, {})
                 | .................^
            1.sortBy(e, e)
                ERROR: <input>:1:1: sortBy can only be applied to a list, identifier, comprehension, call or select expression
                 | 1.sortBy(e, e)
                 | ^
            {}.sortBy(e, e)
                ERROR: <input>:1:1: sortBy can only be applied to a list, identifier, comprehension, call or select expression
                 | {}.sortBy(e, e)
                 | ^
            M{}.sortBy(e, e)
                ERROR: <input>:1:1: sortBy can only be applied to a list, identifier, comprehension, call or select expression
                 | M{}.sortBy(e, e)
                 | ^
            l.sortBy(1, e)
                ERROR: <input>:1:10: argument must be a simple name
                 | l.sortBy(1, e)
                 | .........^
            l.sortBy(e.f, e)
                ERROR: <input>:1:10: argument must be a simple name
                 | l.sortBy(e.f, e)
                 | .........^
            proto.getExt(m, ext)
                ERROR: <input>:1:17: invalid extension field
                 | proto.getExt(m, ext)
                 | ................^
            proto.getExt(m, a.b())
                ERROR: <input>:1:17: invalid extension field
                 | proto.getExt(m, a.b())
                 | ................^
            proto.hasExt(m, .a.b)
                ERROR: <input>:1:17: invalid extension field
                 | proto.hasExt(m, .a.b)
                 | ................^
            proto.getExt(m, a[0].b)
                ERROR: <input>:1:17: invalid extension field
                 | proto.getExt(m, a[0].b)
                 | ................^
            proto.getExt(m, a.?b)
                ERROR: <input>:1:17: invalid extension field
                 | proto.getExt(m, a.?b)
                 | ................^
            proto.hasExt(m, has(a.b))
                ERROR: <input>:1:17: invalid extension field
                 | proto.hasExt(m, has(a.b))
                 | ................^
            proto.getExt(m, 1)
                ERROR: <input>:1:17: invalid extension field
                 | proto.getExt(m, 1)
                 | ................^
        "#]],
    );
}

#[test]
fn macro_families_can_be_disabled() {
    let inputs = [
        "has(a.b)",
        "l.all(x, x)",
        "cel.bind(a, 1, a)",
        "cel.index(0)",
        "l.all(i, v, v)",
        "o.optMap(x, x)",
        "math.greatest(1)",
        "l.sortBy(e, e)",
        "proto.hasExt(m, a.b)",
    ];
    let families: [(&str, Macros); 9] = [
        ("none", Macros::none()),
        (
            "standard",
            Macros {
                standard: true,
                ..Macros::none()
            },
        ),
        (
            "bindings",
            Macros {
                bindings: true,
                ..Macros::none()
            },
        ),
        (
            "block",
            Macros {
                block: true,
                ..Macros::none()
            },
        ),
        (
            "two_var",
            Macros {
                two_var_comprehensions: true,
                ..Macros::none()
            },
        ),
        (
            "optional",
            Macros {
                optional: true,
                ..Macros::none()
            },
        ),
        (
            "math",
            Macros {
                math: true,
                ..Macros::none()
            },
        ),
        (
            "lists",
            Macros {
                lists: true,
                ..Macros::none()
            },
        ),
        (
            "protos",
            Macros {
                protos: true,
                ..Macros::none()
            },
        ),
    ];
    let mut out = String::new();
    for (family, macros) in families {
        let options = ParseOptions {
            macros,
            ..ParseOptions::default()
        };
        out.push_str(family);
        out.push('\n');
        for input in inputs {
            out.push_str(&format!(
                "    {input}  ==>  {}\n",
                parse_outcome(input, &options)
            ));
        }
    }
    expect![[r#"
        none
            has(a.b)  ==>  has(a.b)
            l.all(x, x)  ==>  l.all(x, x)
            cel.bind(a, 1, a)  ==>  cel.bind(a, 1, a)
            cel.index(0)  ==>  cel.index(0)
            l.all(i, v, v)  ==>  l.all(i, v, v)
            o.optMap(x, x)  ==>  o.optMap(x, x)
            math.greatest(1)  ==>  math.greatest(1)
            l.sortBy(e, e)  ==>  l.sortBy(e, e)
            proto.hasExt(m, a.b)  ==>  proto.hasExt(m, a.b)
        standard
            has(a.b)  ==>  a.b~test
            l.all(x, x)  ==>  fold(x in l; @result = true; @not_strictly_false(@result); _&&_(@result, x); @result)
            cel.bind(a, 1, a)  ==>  cel.bind(a, 1, a)
            cel.index(0)  ==>  cel.index(0)
            l.all(i, v, v)  ==>  l.all(i, v, v)
            o.optMap(x, x)  ==>  o.optMap(x, x)
            math.greatest(1)  ==>  math.greatest(1)
            l.sortBy(e, e)  ==>  l.sortBy(e, e)
            proto.hasExt(m, a.b)  ==>  proto.hasExt(m, a.b)
        bindings
            has(a.b)  ==>  has(a.b)
            l.all(x, x)  ==>  l.all(x, x)
            cel.bind(a, 1, a)  ==>  fold(#unused in []; a = 1; false; a; a)
            cel.index(0)  ==>  cel.index(0)
            l.all(i, v, v)  ==>  l.all(i, v, v)
            o.optMap(x, x)  ==>  o.optMap(x, x)
            math.greatest(1)  ==>  math.greatest(1)
            l.sortBy(e, e)  ==>  l.sortBy(e, e)
            proto.hasExt(m, a.b)  ==>  proto.hasExt(m, a.b)
        block
            has(a.b)  ==>  has(a.b)
            l.all(x, x)  ==>  l.all(x, x)
            cel.bind(a, 1, a)  ==>  cel.bind(a, 1, a)
            cel.index(0)  ==>  @index0
            l.all(i, v, v)  ==>  l.all(i, v, v)
            o.optMap(x, x)  ==>  o.optMap(x, x)
            math.greatest(1)  ==>  math.greatest(1)
            l.sortBy(e, e)  ==>  l.sortBy(e, e)
            proto.hasExt(m, a.b)  ==>  proto.hasExt(m, a.b)
        two_var
            has(a.b)  ==>  has(a.b)
            l.all(x, x)  ==>  l.all(x, x)
            cel.bind(a, 1, a)  ==>  cel.bind(a, 1, a)
            cel.index(0)  ==>  cel.index(0)
            l.all(i, v, v)  ==>  fold(i, v in l; @result = true; @not_strictly_false(@result); _&&_(@result, v); @result)
            o.optMap(x, x)  ==>  o.optMap(x, x)
            math.greatest(1)  ==>  math.greatest(1)
            l.sortBy(e, e)  ==>  l.sortBy(e, e)
            proto.hasExt(m, a.b)  ==>  proto.hasExt(m, a.b)
        optional
            has(a.b)  ==>  has(a.b)
            l.all(x, x)  ==>  l.all(x, x)
            cel.bind(a, 1, a)  ==>  cel.bind(a, 1, a)
            cel.index(0)  ==>  cel.index(0)
            l.all(i, v, v)  ==>  l.all(i, v, v)
            o.optMap(x, x)  ==>  _?_:_(o.hasValue(), optional.of(fold(#unused in []; x = o.value(); false; x; x)), optional.none())
            math.greatest(1)  ==>  math.greatest(1)
            l.sortBy(e, e)  ==>  l.sortBy(e, e)
            proto.hasExt(m, a.b)  ==>  proto.hasExt(m, a.b)
        math
            has(a.b)  ==>  has(a.b)
            l.all(x, x)  ==>  l.all(x, x)
            cel.bind(a, 1, a)  ==>  cel.bind(a, 1, a)
            cel.index(0)  ==>  cel.index(0)
            l.all(i, v, v)  ==>  l.all(i, v, v)
            o.optMap(x, x)  ==>  o.optMap(x, x)
            math.greatest(1)  ==>  math.@max(1)
            l.sortBy(e, e)  ==>  l.sortBy(e, e)
            proto.hasExt(m, a.b)  ==>  proto.hasExt(m, a.b)
        lists
            has(a.b)  ==>  has(a.b)
            l.all(x, x)  ==>  l.all(x, x)
            cel.bind(a, 1, a)  ==>  cel.bind(a, 1, a)
            cel.index(0)  ==>  cel.index(0)
            l.all(i, v, v)  ==>  l.all(i, v, v)
            o.optMap(x, x)  ==>  o.optMap(x, x)
            math.greatest(1)  ==>  math.greatest(1)
            l.sortBy(e, e)  ==>  fold(#unused in []; @__sortBy_input__ = l; false; @__sortBy_input__; @__sortBy_input__.@sortByAssociatedKeys(fold(e in @__sortBy_input__; @result = []; true; _+_(@result, [e]); @result)))
            proto.hasExt(m, a.b)  ==>  proto.hasExt(m, a.b)
        protos
            has(a.b)  ==>  has(a.b)
            l.all(x, x)  ==>  l.all(x, x)
            cel.bind(a, 1, a)  ==>  cel.bind(a, 1, a)
            cel.index(0)  ==>  cel.index(0)
            l.all(i, v, v)  ==>  l.all(i, v, v)
            o.optMap(x, x)  ==>  o.optMap(x, x)
            math.greatest(1)  ==>  math.greatest(1)
            l.sortBy(e, e)  ==>  l.sortBy(e, e)
            proto.hasExt(m, a.b)  ==>  m.a.b~test
    "#]].assert_eq(&out);
}

#[test]
fn macro_calls_record_the_call_as_written() {
    let ast = parse_ok("[1, 2].map(x, x > 1, x * 2)");
    let call = &ast.macro_calls[&ast.expr.id];
    assert_eq!(call.function, "map");
    let describe = |arg: &MacroArg| match arg {
        MacroArg::Expr(id) => format!("kept {}", ast.source.slice(ast.span(*id))),
        MacroArg::Detached(expr) => format!("consumed {}", dump(expr)),
    };
    let target = call.target.as_ref().map(describe);
    let args: Vec<String> = call.args.iter().map(describe).collect();
    expect![[r#"
        (
            Some(
                "kept [1, 2]",
            ),
            [
                "consumed x",
                "kept x > 1",
                "kept x * 2",
            ],
        )
    "#]]
    .assert_debug_eq(&(target, args));
    let whole = ast.source.slice(ast.span(ast.expr.id));
    assert_eq!(whole, "[1, 2].map(x, x > 1, x * 2)");
}

#[test]
fn extension_macro_calls_record_the_call_as_written() {
    let describe = |ast: &celd_syntax::Ast, arg: &MacroArg| match arg {
        MacroArg::Expr(id) => format!("kept {}", ast.source.slice(ast.span(*id))),
        MacroArg::Detached(expr) => format!("consumed {}", dump(expr)),
    };
    let mut out = String::new();
    for text in [
        "math.greatest(1, x, 3)",
        "l.sortBy(e, -e)",
        "proto.hasExt(m, a.b)",
    ] {
        let ast = parse_ok(text);
        let call = &ast.macro_calls[&ast.expr.id];
        let target = call.target.as_ref().map(|t| describe(&ast, t));
        let args: Vec<String> = call.args.iter().map(|a| describe(&ast, a)).collect();
        out.push_str(&format!("{text}: {} {target:?} {args:?}\n", call.function));
    }
    expect![[r#"
        math.greatest(1, x, 3): greatest Some("consumed math") ["kept 1", "kept x", "kept 3"]
        l.sortBy(e, -e): sortBy Some("kept l") ["consumed e", "kept -e"]
        proto.hasExt(m, a.b): hasExt Some("consumed proto") ["kept m", "consumed a.b"]
    "#]]
    .assert_eq(&out);
}

#[test]
fn nested_macros_each_record_their_call() {
    let ast = parse_ok("cel.bind(l, [1], l.exists(x, has(x.y)))");
    let mut functions: Vec<&str> = ast
        .macro_calls
        .values()
        .map(|c| c.function.as_str())
        .collect();
    functions.sort();
    assert_eq!(functions, ["bind", "exists", "has"]);
}

#[test]
fn expansion_nodes_span_the_macro_call() {
    let ast = parse_ok("a + [1].all(x, x > 0)");
    let texts: Vec<&str> = (1..ast.id_bound())
        .map(|i| ast.source.slice(ast.span(celd_syntax::ExprId(i))))
        .collect();
    expect![[r#"
        [
            "a",
            "1",
            "[1]",
            "x",
            "x",
            "0",
            "x > 0",
            "[1].all(x, x > 0)",
            "[1].all(x, x > 0)",
            "[1].all(x, x > 0)",
            "[1].all(x, x > 0)",
            "[1].all(x, x > 0)",
            "[1].all(x, x > 0)",
            "[1].all(x, x > 0)",
            "a + [1].all(x, x > 0)",
        ]
    "#]]
    .assert_debug_eq(&texts);
}
