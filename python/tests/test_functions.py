"""Python functions as CEL functions: declared signatures, type hints, methods, errors."""

from typing import Dict, List

import pytest

import celd


def test_declared_signature():
    env = celd.Env(
        variables={"x": "int"},
        functions={"double_it": (lambda n: n * 2, ["int"], "int")},
    )
    program = env.compile("double_it(x) + 1")
    assert program.result_type == "int"
    assert program.evaluate({"x": 20}) == 41
    with pytest.raises(celd.CheckError):
        env.compile("double_it('a')")


def test_signature_from_type_hints():
    def join(parts: List[str], sep: str) -> str:
        return sep.join(parts)

    def counts(words: List[str]) -> Dict[str, int]:
        out: Dict[str, int] = {}
        for word in words:
            out[word] = out.get(word, 0) + 1
        return out

    env = celd.Env(functions={"join": join, "counts": counts})
    assert env.check("join(['a'], '-')") == "string"
    assert env.compile("join(['a', 'b'], '-')").evaluate() == "a-b"
    assert env.compile("counts(['a', 'b', 'a'])['a']").evaluate() == 2


def test_missing_hint_is_an_error():
    def untyped(x):
        return x

    with pytest.raises(TypeError, match="no type hint"):
        celd.Env(functions={"untyped": untyped})


def test_method():
    def shout(s: str) -> str:
        return s.upper() + "!"

    env = celd.Env(variables={"name": "string"}, methods={"shout": shout})
    assert env.compile("name.shout()").evaluate({"name": "hi"}) == "HI!"


def test_values_cross_in_both_directions():
    seen = []

    def record(value: object) -> object:
        seen.append(value)
        return {"got": value}

    env = celd.Env(functions={"record": record})
    assert env.compile("record(3u).got").evaluate() == celd.UInt(3)
    assert isinstance(seen[0], celd.UInt)


def test_python_exception_is_an_eval_error_at_the_call():
    def fail(x: int) -> int:
        raise ValueError("bad input")

    program = celd.Env(functions={"fail": fail}).compile("1 + fail(2)")
    with pytest.raises(celd.EvalError, match="fail: ValueError: bad input") as caught:
        program.evaluate()
    assert caught.value.column == 5


def test_unconvertible_result_is_an_eval_error():
    program = celd.Env(functions={"bad": (lambda: {1, 2}, [], "dyn")}).compile("bad()")
    with pytest.raises(celd.EvalError, match="bad result: unsupported type set"):
        program.evaluate()


def test_overlapping_builtin_is_env_error():
    with pytest.raises(celd.EnvError):
        celd.Env(functions={"size": (len, ["string"], "int")})
