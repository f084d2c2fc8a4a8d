"""Errors: the exception classes, their locations and the rendered caret text."""

import pytest

import celd


def test_parse_error_has_location_and_caret():
    env = celd.Env()
    with pytest.raises(celd.ParseError) as caught:
        env.compile("1 +")
    error = caught.value
    assert isinstance(error, celd.CompileError) and isinstance(error, celd.Error)
    assert error.kind == "parse"
    assert (error.line, error.column) == (1, 4)
    assert error.expression == "1 +"
    text = str(error)
    assert text.startswith("ERROR: <input>:1:4:")
    assert " | 1 +" in text and "^" in text


def test_check_error_names_the_problem():
    env = celd.Env(variables={"x": "int"})
    with pytest.raises(celd.CheckError) as caught:
        env.compile("x + y")
    error = caught.value
    assert error.kind == "check"
    assert "y" in error.message
    assert (error.line, error.column) == (1, 5)
    assert error.diagnostics[0][1:] == (1, 5)


def test_multiline_location():
    with pytest.raises(celd.ParseError) as caught:
        celd.Env().compile("1 +\n  2 +")
    assert caught.value.line == 2


def test_eval_error():
    program = celd.Env(variables={"x": "int"}).compile("10 / x")
    with pytest.raises(celd.EvalError) as caught:
        program.evaluate({"x": 0})
    error = caught.value
    assert not isinstance(error, celd.LimitError)
    assert "division by zero" in error.message
    assert error.kind == "eval"
    assert (error.line, error.column) == (1, 4)


def test_missing_key_is_eval_error():
    program = celd.Env(variables={"m": "map(string, int)"}).compile("m['b']")
    with pytest.raises(celd.EvalError, match="no such key"):
        program.evaluate({"m": {"a": 1}})


def test_unbound_variable_is_eval_error():
    program = celd.Env(variables={"x": "int"}).compile("x + 1")
    with pytest.raises(celd.EvalError):
        program.evaluate({})


def test_compile_limit_is_both_compile_and_limit_error():
    env = celd.Env(max_expression_length=10)
    with pytest.raises(celd.CompileLimitError) as caught:
        env.compile("1 + 2 + 3 + 4 + 5")
    assert isinstance(caught.value, celd.CompileError)
    assert isinstance(caught.value, celd.LimitError)
    assert caught.value.kind == "limit"


def test_nesting_limit():
    env = celd.Env(max_nesting_depth=10)
    with pytest.raises(celd.LimitError):
        env.compile("[" * 20 + "]" * 20)
    deep = "(" * 5000 + "1" + ")" * 5000
    with pytest.raises(celd.CompileLimitError):
        celd.Env().compile(deep)
