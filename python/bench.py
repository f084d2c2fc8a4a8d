"""celd against the other CEL packages on PyPI, in one venv and one run.

    pip install ./python cel-python common-expression-language cel-expr-python
    python python/bench.py [--batch-ms MS] [--rounds R]

The 13 expressions of the Rust `compare` set (crates/celd-bench). Per-call evaluation
passes the variables as a Python dict each call, as users do; compile is measured apart.
Each figure is the median over R rounds of one batch of about MS milliseconds per
package, the packages taking turns within a round; the table prints each package's time
relative to celd's (``3.1x`` = celd is 3.1 times faster), ``-`` where a package fails the
case or gives another result.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

# The installed package, not the source tree beside this script: scripts/python-test.sh
# builds that tree's extension in debug, which would be measured instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import celd  # noqa: E402

ITEMS = [{"name": f"item{k}", "price": float(k)} for k in range(100)]
VARS: Dict[str, Any] = {
    "x": 1, "y": 2, "z": 3, "age": 30,
    "a": {"b": {"c": "hello"}},
    "name": "jane", "roles": ["user", "admin"], "s": "hello", "items": ITEMS,
    "request": {"auth": {"claims": {"groups": ["user", "dev", "admin"], "sub": "jane"}}},
}
TYPES = {
    "x": "int", "y": "int", "z": "int", "age": "int", "a": "map(string, dyn)",
    "name": "string", "roles": "list(string)", "s": "string",
    "items": "list(map(string, dyn))", "request": "map(string, dyn)",
}
CASES: List[Tuple[str, str]] = [
    ("e01", "1 + 2 * 3 - 4"),
    ("e02", "x + y * z"),
    ("e03", "a.b.c == 'hello'"),
    ("e04", "name.startsWith('j') && age >= 18 && 'admin' in roles"),
    ("e05", "items.filter(i, i.price > 10.0).map(i, i.name)"),
    ("e06", "items.exists(i, i.name == 'item99')"),
    ("e07", "size(s) > 5 && s.contains('lo') && s.matches('^h.*o$')"),
    ("e08", "request.auth.claims.groups.exists(g, g == 'admin') ? 'allow' : 'deny'"),
    ("e09", "[1,2,3,4,5,6,7,8,9,10].map(n, string(n)).join(',')"),
    ("e10", "timestamp('2024-01-01T00:00:00Z') + duration('1h') > timestamp('2023-12-31T00:00:00Z')"),
    ("e11", "{'a': [x], 'b': [y, z]}['b'][1] == z"),
    ("e12", "a.b.c + ' ' + name == 'hello jane'"),
    ("e13", "size(s) >= 5 && s.contains('lo') && s.matches('^h.*o$')"),
]

# The results crates/celd-bench expects, as plain Python values.
EXPECTED: Dict[str, Any] = {
    "e01": 3, "e02": 7, "e03": True, "e04": True,
    "e05": [f"item{k}" for k in range(11, 100)],
    "e06": True, "e07": False, "e08": "allow", "e09": "1,2,3,4,5,6,7,8,9,10",
    "e10": True, "e11": True, "e12": True, "e13": True,
}

Compile = Callable[[str], Any]
Evaluate = Callable[[Any, Dict[str, Any]], Any]


def engines() -> Dict[str, Tuple[Compile, Evaluate, Callable[[Any], Any]]]:
    """name -> (compile, evaluate(program, vars), result as plain Python)."""
    env = celd.Env(variables=TYPES, extensions="all")
    found = {"celd": (env.compile, lambda p, v: p.evaluate(v), lambda r: r)}
    try:
        import cel  # common-expression-language

        found["common-expression-language"] = (cel.compile, lambda p, v: p.execute(v), lambda r: r)
    except ImportError:
        pass
    try:
        from cel_expr_python import cel as cpp
        from cel_expr_python.ext import ext_strings

        cpp_types = {
            "x": cpp.Type.INT, "y": cpp.Type.INT, "z": cpp.Type.INT, "age": cpp.Type.INT,
            "a": cpp.Type.DYN, "name": cpp.Type.STRING, "roles": cpp.Type.List(cpp.Type.STRING),
            "s": cpp.Type.STRING, "items": cpp.Type.List(cpp.Type.DYN), "request": cpp.Type.DYN,
        }
        cpp_env = cpp.NewEnv(variables=cpp_types, extensions=[ext_strings.ExtStrings()])
        found["cel-expr-python"] = (
            cpp_env.compile,
            lambda p, v: p.eval(data=v),
            lambda r: r.plain_value(),
        )
    except Exception:  # not installed, or its API moved
        pass
    try:
        import celpy

        cel_env = celpy.Environment()
        found["cel-python"] = (
            lambda e: cel_env.program(cel_env.compile(e)),
            lambda p, v: p.evaluate(celpy.json_to_cel(v)),
            lambda r: r,
        )
    except ImportError:
        pass
    return found


def calls_per_batch(call: Callable[[], Any], batch_seconds: float) -> int:
    """How many calls take about `batch_seconds`, from a doubling warm-up (at least 3)."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            call()
        elapsed = time.perf_counter() - start
        if elapsed >= batch_seconds / 4 or n >= 1 << 24:
            return max(3, int(n * batch_seconds / max(elapsed, 1e-9)))
        n *= 2


def time_batch(call: Callable[[], Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n


def same(result: Any, expected: Any) -> bool:
    """Equal, and a bool only where a bool is expected (``1 == True`` in Python)."""
    if isinstance(expected, list):
        return isinstance(result, list) and len(result) == len(expected) and all(
            same(r, e) for r, e in zip(result, expected)
        )
    return result == expected and is_bool(result) == isinstance(expected, bool)


def is_bool(value: Any) -> bool:
    """A bool, or cel-python's ``BoolType`` (an int subclass)."""
    return isinstance(value, bool) or type(value).__name__ == "BoolType"


def measure(
    batch_seconds: float, rounds: int
) -> Tuple[Dict[str, Dict[str, Tuple[Optional[float], Optional[float]]]], List[str]]:
    """The medians per case and engine, and one line per engine that fails a case.

    Every round times one batch of each engine in turn (evaluate, then compile), so a
    burst of load on a shared machine falls on all of them alike instead of on whichever
    engine was being measured at the time.
    """
    results: Dict[str, Dict[str, Tuple[Optional[float], Optional[float]]]] = {}
    failures: List[str] = []
    found = engines()
    for case, expr in CASES:
        timed: List[Tuple[str, Callable[[], Any], int, Callable[[], Any], int]] = []
        for name, (compile_, evaluate, plain) in found.items():
            results.setdefault(case, {})[name] = (None, None)
            try:
                program = compile_(expr)
                result = plain(evaluate(program, VARS))
            except Exception as error:  # the package cannot compile or evaluate the case
                failures.append(f"{case} {name}: {type(error).__name__}: {str(error)[:100]}")
                continue
            if not same(result, EXPECTED[case]):
                failures.append(f"{case} {name}: {result!r:.100} instead of {EXPECTED[case]!r:.100}")
                continue
            run = (lambda ev, p: lambda: ev(p, VARS))(evaluate, program)
            build = (lambda c: lambda: c(expr))(compile_)
            timed.append((name, run, calls_per_batch(run, batch_seconds),
                          build, calls_per_batch(build, batch_seconds)))
        samples: Dict[str, Tuple[List[float], List[float]]] = {t[0]: ([], []) for t in timed}
        for round_ in range(rounds):
            # A different engine goes first each round.
            for name, run, runs, build, builds in timed[round_ % len(timed):] + timed[:round_ % len(timed)]:
                samples[name][0].append(time_batch(run, runs))
                samples[name][1].append(time_batch(build, builds))
        for name, (evals, compiles) in samples.items():
            results[case][name] = (statistics.median(evals), statistics.median(compiles))
    return results, failures


def table(results, column: int, title: str) -> None:
    """Each package's time over celd's, the fastest other package's, and their summaries."""
    names = list(next(iter(results.values())).keys())
    others = names[1:]
    print(f"\n{title}: time relative to celd (celd's own median in µs)")
    print("| case | celd µs | " + " | ".join(others) + " | fastest other |")
    print("|---" * (len(names) + 2) + "|")
    for case, by_engine in results.items():
        base = by_engine["celd"][column]
        ratios = [ratio(by_engine.get(name, (None, None))[column], base) for name in others]
        cells = [f"{r:.1f}x" if r else "-" for r in ratios]
        known = [r for r in ratios if r]
        fastest = f"{min(known):.1f}x" if known else "-"
        celd = f"{base * 1e6:.2f}" if base else "-"
        print(f"| {case} | {celd} | " + " | ".join(cells) + f" | {fastest} |")
    for name in others:
        summary(name, [ratio(r[name][column], r["celd"][column]) for r in results.values()])
    fastest = [
        min((x for x in (ratio(r[n][column], r["celd"][column]) for n in others) if x), default=None)
        for r in results.values()
    ]
    summary("fastest other", fastest)


def ratio(other: Optional[float], base: Optional[float]) -> Optional[float]:
    return other / base if other and base else None


def summary(name: str, ratios: List[Optional[float]]) -> None:
    known = [r for r in ratios if r]
    if known:
        geo = statistics.geometric_mean(known)
        print(f"{name}: geometric mean {geo:.1f}x, least {min(known):.1f}x over {len(known)} cases")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-ms", type=float, default=20.0, help="time per batch (default 20)")
    parser.add_argument("--rounds", type=int, default=9, help="batches per engine and case (default 9)")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f} at the start")
    print(f"celd from {os.path.dirname(celd.__file__)}")
    results, failures = measure(args.batch_ms / 1000, args.rounds)
    for line in failures:
        print(f"no result: {line}")
    table(results, 0, "evaluate (variables as a dict each call)")
    table(results, 1, "compile")


if __name__ == "__main__":
    main()
