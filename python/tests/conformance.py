"""The CEL conformance suite through the Python API.

Reads the export of ``celd-conformance --export DIR`` (``cases.jsonl``: one test a line,
values in celd JSON; ``descriptors.binpb``: the message types) and runs every test as a
user of the package would: a ``celd.Env`` built from the test's declarations with the
Python API, ``compile`` (``check=False`` for ``disable_check``) or ``check``, ``evaluate``
with the bindings converted to Python values (``celd.from_json``), and the result, a Python
value, compared with the expected value converted to Python the same way. So every value
crosses the Python conversion: bindings Python to CEL, results and expectations CEL to
Python.

    python python/tests/conformance.py [EXPORT_DIR]     # default: target/conformance-export

prints the failures and ``N passed, M failed, K skipped``; the exit status is 1 when a test
failed.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import celd

CASES_FILE = "cases.jsonl"
DESCRIPTORS_FILE = "descriptors.binpb"


@dataclass
class Report:
    """The verdicts of a run: names of passed and skipped tests, failures with details."""

    passed: List[str] = field(default_factory=list)
    failed: List[Tuple[str, str]] = field(default_factory=list)
    skipped: List[Tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.passed)} passed, {len(self.failed)} failed, {len(self.skipped)} skipped"


class Failure(Exception):
    """A test did not get what it expects; the message says what happened."""


def load_cases(export_dir: Path) -> List[Dict[str, Any]]:
    with open(export_dir / CASES_FILE, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


class Runner:
    """Runs exported cases; environments are shared by the tests that declare the same."""

    def __init__(self, descriptors: bytes) -> None:
        self.descriptors = descriptors
        self.envs: Dict[str, celd.Env] = {}

    def env(self, case: Dict[str, Any]) -> celd.Env:
        key = json.dumps(
            [case["container"], case["disable_macros"], case["strong_enums"], case["declarations"]]
        )
        if key not in self.envs:
            self.envs[key] = self.build_env(case)
        return self.envs[key]

    def build_env(self, case: Dict[str, Any]) -> celd.Env:
        variables: Dict[str, str] = {}
        functions: Dict[str, list] = {}
        methods: Dict[str, list] = {}
        for decl in case["declarations"]:
            if "type" in decl:
                variables[decl["name"]] = decl["type"]
                continue
            for overload in decl["overloads"]:
                declared = methods if overload["member"] else functions
                spec = (None, overload["params"], overload["result"])
                declared.setdefault(decl["name"], []).append(spec)
        # The suite expects literals that can never be valid to fail at evaluation, and
        # typed enums in the sections that say so (as the Rust runner runs them).
        return celd.Env(
            variables,
            extensions="all",
            container=case["container"] or None,
            functions=functions,
            methods=methods,
            descriptors=self.descriptors,
            macros=not case["disable_macros"],
            strong_enums=case["strong_enums"],
            validate_literals=False,
        )

    def run(self, case: Dict[str, Any]) -> None:
        """Raises :class:`Failure` unless the case gets what it expects."""
        env = self.env(case)
        expected = case["expected"]
        expr = case["expr"]
        if case["mode"] == "check_only":
            expect_type(expected["type"], check(env, expr))
            return
        try:
            program = env.compile(expr, check=case["mode"] == "checked")
        except celd.CompileError as e:
            # A compile error passes only a test expecting an error with exactly its message.
            if e.message in expected.get("error", ()):
                return
            raise Failure(f"compile error: {e}") from None
        if "type" in expected:
            expect_type(expected["type"], program.result_type)
        bindings = {name: from_json(env, value) for name, value in case["bindings"].items()}
        try:
            result = program.evaluate(bindings)
        except celd.EvalError as e:
            if "error" in expected:
                return
            raise Failure(f"eval error: {e}") from None
        if "error" in expected:
            raise Failure(f"expected an evaluation error, got {result!r}")
        if "value" in expected:
            want = from_json(env, expected["value"])
            if not same_value(want, result):
                raise Failure(f"expected {want!r}, got {result!r}")


def check(env: celd.Env, expr: str) -> str:
    try:
        return env.check(expr)
    except celd.CompileError as e:
        raise Failure(f"compile error: {e}") from None


def expect_type(want: str, got: str) -> None:
    if want != got:
        raise Failure(f"expected type {want}, deduced {got}")


def from_json(env: celd.Env, value: Any) -> Any:
    return celd.from_json(json.dumps(value), env=env)


def same_value(want: Any, got: Any) -> bool:
    """Whether ``got`` is the value ``want`` is, as the Rust runner decides it: types exactly
    (``1`` is not ``UInt(1)`` nor ``True``), map order not counting, NaN matching NaN, and
    messages field by field (their fields converted to Python too)."""
    if type(want) is not type(got):
        return False
    if isinstance(want, float):
        return want == got or (math.isnan(want) and math.isnan(got))
    if isinstance(want, list):
        return len(want) == len(got) and all(same_value(w, g) for w, g in zip(want, got))
    if isinstance(want, dict):
        return len(want) == len(got) and all(
            any(same_value(k, gk) and same_value(v, gv) for gk, gv in got.items())
            for k, v in want.items()
        )
    if isinstance(want, celd.Optional):
        if want.has_value() != got.has_value():
            return False
        return not want.has_value() or same_value(want.value(), got.value())
    if isinstance(want, celd.Message):
        return want.type_name == got.type_name and same_value(want.fields, got.fields)
    return bool(want == got)


def run(export_dir: Path) -> Report:
    cases = load_cases(export_dir)
    runner = Runner((export_dir / DESCRIPTORS_FILE).read_bytes())
    report = Report()
    for case in cases:
        name = case["name"]
        if "skip" in case:
            report.skipped.append((name, case["skip"]))
            continue
        try:
            runner.run(case)
        except Failure as e:
            report.failed.append((name, str(e)))
        except Exception as e:  # a crash in one test is that test's failure, not the run's
            report.failed.append((name, f"{type(e).__name__}: {e}"))
        else:
            report.passed.append(name)
    return report


def main(argv: List[str]) -> int:
    export_dir = Path(argv[1] if len(argv) > 1 else "target/conformance-export")
    report = run(export_dir)
    for name, detail in report.failed:
        print(f"FAIL {name}: {detail}")
    print(report.summary())
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
