"""The API: environments, compile, evaluate, check, result types, dumps, cost estimates."""

import pytest

import celd


def test_compile_and_evaluate():
    env = celd.Env(variables={"name": "string", "age": "int"}, extensions="all", container="")
    program = env.compile("name.startsWith('j') && age >= 18")
    assert program.evaluate({"name": "jane", "age": 30}) is True
    assert program.evaluate({"name": "john", "age": 12}) is False
    assert program.result_type == "bool"
    assert program.source == "name.startsWith('j') && age >= 18"
    assert sorted(program.variables) == ["age", "name"]


def test_one_shot_evaluate():
    assert celd.evaluate("1 + 2") == 3
    assert celd.evaluate("x * 2", {"x": 21}) == 42
    assert celd.evaluate("x + 'b'", {"x": "a"}) == "ab"
    assert celd.evaluate("'hello'.upperAscii()") == "HELLO"


def test_check_returns_the_type():
    env = celd.Env(variables={"x": "int", "m": "map(string, list(double))"})
    assert env.check("x + 1") == "int"
    assert env.check("m['a']") == "list(double)"
    with pytest.raises(celd.CheckError):
        env.check("x + 'a'")


def test_container_resolves_names():
    env = celd.Env(variables={"a.b.c": "int"}, container="a.b")
    assert env.compile("c + 1").evaluate({"a.b.c": 1}) == 2
    assert env.container == "a.b"


def test_extensions_by_name():
    env = celd.Env(extensions=["strings"])
    assert env.compile("'a,b'.split(',')").evaluate() == ["a", "b"]
    assert env.extensions == ["strings"]
    with pytest.raises(celd.CheckError):
        env.compile("math.greatest(1, 2)")
    with pytest.raises(celd.EnvError, match="unknown extension"):
        celd.Env(extensions=["nope"])


def test_bad_type_is_env_error():
    with pytest.raises(celd.EnvError, match=r"type \"list\(int\": expected '\)'"):
        celd.Env(variables={"x": "list(int"})
    with pytest.raises(ValueError, match="takes 2 type parameter"):
        celd.Env(variables={"x": "map(int)"})


def test_dump_shows_the_plan():
    program = celd.Env(variables={"x": "int"}).compile("x + 1 > 2")
    dump = program.dump()
    assert "x" in dump
    assert "1:1" in dump


def test_estimate_cost():
    env = celd.Env(variables={"s": "string", "xs": "list(int)"})
    minimum, maximum = env.compile("1 + 2 == 3").estimate_cost()
    assert maximum is not None and minimum <= maximum
    loop = env.compile("xs.all(x, x > 0)")
    assert loop.estimate_cost()[1] is None
    bounded = loop.estimate_cost({"xs": 10})
    bigger = loop.estimate_cost({"xs": 1000})
    assert bounded[1] is not None and bigger[1] > bounded[1]
    assert loop.estimate_cost(default_size=5)[1] is not None


def test_repr():
    env = celd.Env(variables={"x": "int"})
    assert repr(env.compile("x")) == "celd.Program('x')"
    assert "celd.Env" in repr(env)
    assert env.variables == [("x", "int")]


def test_only_the_variables_read_are_converted():
    program = celd.Env(variables={"x": "int", "y": "int"}).compile("x + 1")
    assert program.variables == ["x"]
    # An entry the program does not read is neither converted nor checked.
    assert program.evaluate({"x": 1, "y": {1, 2}, "other": object()}) == 2
    with pytest.raises(TypeError, match=r"^vars\['x'\]: unsupported type set$"):
        program.evaluate({"x": {1}})


def test_a_variable_that_does_not_fit_its_declaration_names_where():
    program = celd.Env(variables={"xs": "list(map(string, int))"}).compile("size(xs)")
    assert program.evaluate({"xs": [{"a": 1}, {"b": 2}]}) == 2
    with pytest.raises(celd.EvalError, match=r"xs\[1\]\[\"b\"\]"):
        program.evaluate({"xs": [{"a": 1}, {"b": "two"}]})
