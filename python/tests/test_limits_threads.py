"""Limits as keyword arguments, timeouts, and evaluation from many threads."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import celd


def test_cost_limit():
    env = celd.Env(variables={"xs": "list(int)"}, max_cost=100)
    program = env.compile("xs.all(x, x >= 0)")
    assert program.evaluate({"xs": list(range(10))}) is True
    with pytest.raises(celd.EvalLimitError, match="cost") as caught:
        program.evaluate({"xs": list(range(1000))})
    assert isinstance(caught.value, celd.EvalError) and isinstance(caught.value, celd.LimitError)
    assert caught.value.kind == "limit"


def test_string_size_limit():
    env = celd.Env(variables={"s": "string"}, max_string_bytes=64)
    program = env.compile("s + s")
    assert program.evaluate({"s": "a" * 16}) == "a" * 32
    with pytest.raises(celd.LimitError):
        program.evaluate({"s": "a" * 40})


def test_list_size_limit():
    env = celd.Env(variables={"xs": "list(int)"}, max_list_len=10)
    program = env.compile("xs + xs")
    with pytest.raises(celd.LimitError):
        program.evaluate({"xs": list(range(8))})


def test_timeout_stops_evaluation():
    env = celd.Env(variables={"xs": "list(int)"}, max_cost=10**12)
    program = env.compile("xs.all(a, xs.all(b, xs.all(c, a + b + c > -1)))")
    xs = list(range(150))  # 3.4 million iterations without a deadline
    with pytest.raises(celd.EvalLimitError):
        program.evaluate({"xs": xs}, timeout=0.0)
    assert program.evaluate({"xs": [1, 2]}, timeout=60.0) is True
    with pytest.raises(ValueError, match="timeout"):
        program.evaluate({"xs": xs}, timeout=-1)


def test_many_threads_share_one_program():
    program = celd.Env(variables={"x": "int"}).compile("x * x")

    def square(n):
        return program.evaluate({"x": n})

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(square, range(2000)))
    assert results == [n * n for n in range(2000)]


def test_gil_is_released_during_evaluation():
    # A Python function sleeping inside an evaluation holds no GIL while it waits, and the
    # evaluation around it runs without the GIL: another thread makes progress meanwhile.
    started = threading.Event()

    def wait(x: int) -> int:
        started.set()
        time.sleep(0.2)
        return x

    program = celd.Env(functions={"wait": wait}).compile("wait(1) + 1")
    ticks = []
    worker = threading.Thread(target=lambda: ticks.append(program.evaluate()))
    worker.start()
    started.wait(5)
    while worker.is_alive():
        ticks.append(0)
        time.sleep(0.01)
    worker.join()
    assert ticks[-1] == 2
    assert len(ticks) > 3
