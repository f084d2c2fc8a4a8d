"""celd.ProgramCache: shared templates, stats, the inventory, the byte budget."""

import pytest

import celd


def test_templates_are_shared():
    cache = celd.ProgramCache(max_bytes=1 << 20)
    env = celd.Env(variables={"x": "int"})
    assert cache.compile(env, "x + 1").evaluate({"x": 1}) == 2
    assert cache.compile(env, "x + 2").evaluate({"x": 1}) == 3
    stats = cache.stats()
    assert stats["compilations"] == 1
    assert stats["hits"] == 1 and stats["misses"] == 1
    assert stats["programs"] == 1 and 0 < stats["bytes"] <= stats["max_bytes"] == 1 << 20
    (program,) = cache.programs()
    assert program["template"] == "x + $0"
    assert program["params"] == 1 and program["hits"] == 1
    assert program["result_type"] == "int"


def test_origin_and_clear():
    cache = celd.ProgramCache()
    env = celd.Env()
    cache.compile(env, "'a' + 'b'", origin="rules.yaml")
    assert cache.programs()[0]["origin"] == "rules.yaml"
    cache.clear()
    assert cache.stats()["programs"] == 0


def test_budget_evicts():
    cache = celd.ProgramCache(max_bytes=16 * 1024)
    env = celd.Env(variables={"x": "int"})
    for i in range(200):
        text = " + ".join(["x"] * (i % 40 + 1)) + f" > {i}" + " && x > 0" * (i // 40)
        # Twice: a full cache admits a template only on its second sighting (the doorkeeper).
        for _ in range(2):
            cache.compile(env, text).evaluate({"x": 1})
    stats = cache.stats()
    assert stats["bytes"] <= 16 * 1024
    assert stats["evictions"] > 0


def test_compile_errors_are_not_cached():
    cache = celd.ProgramCache()
    env = celd.Env(variables={"x": "int"})
    for _ in range(2):
        with pytest.raises(celd.CheckError):
            cache.compile(env, "x + 'a'")
    with pytest.raises(celd.ParseError):
        cache.compile(env, "1 +")
    stats = cache.stats()
    assert stats["compile_failures"] == 2 and stats["programs"] == 0


def test_cached_program_api():
    cache = celd.ProgramCache()
    program = cache.compile(celd.Env(variables={"s": "string"}), "s.size() > 3")
    assert program.result_type == "bool"
    assert program.source == "s.size() > 3"
    assert program.estimate_cost({"s": 10})[1] is not None
    assert "size" in program.dump()
