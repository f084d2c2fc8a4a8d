"""The exceptions celd raises.

Every failure of an expression is a :class:`celd.Error`. ``str(error)`` is the rendered
diagnostic, as the ``celd`` command prints it::

    ERROR: <input>:1:4: unexpected end of input, expected an expression
     | 1 +
     | ...^

The classes form two trees that meet in the limit errors::

    Error
    ├── CompileError            env.compile / env.check
    │   ├── ParseError
    │   ├── CheckError
    │   └── CompileLimitError   (also a LimitError: expression too long, nested too deep)
    ├── EvalError               program.evaluate
    │   └── EvalLimitError      (also a LimitError: cost, time, sizes)
    ├── LimitError
    └── EnvError                (also a ValueError: a bad declaration, type, descriptor set)

so ``except celd.CompileError`` catches every failure to compile, ``except celd.EvalError``
every failure to evaluate, and ``except celd.LimitError`` every limit, wherever it stopped.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

__all__ = [
    "Error",
    "CompileError",
    "ParseError",
    "CheckError",
    "CompileLimitError",
    "EvalError",
    "EvalLimitError",
    "LimitError",
    "EnvError",
]


class Error(Exception):
    """A CEL expression failed to compile or evaluate, or an environment is invalid.

    Attributes:
        kind: ``"parse"``, ``"check"``, ``"eval"``, ``"limit"`` or ``"env"``.
        message: the first problem's message, without location.
        line, column: where the first problem is (1-based), or ``None`` without a source.
        expression: the expression's text, or ``None``.
        diagnostics: every problem found, as ``(message, line, column)`` tuples.
    """

    kind: str
    message: str
    line: Optional[int]
    column: Optional[int]
    expression: Optional[str]
    diagnostics: List[Tuple[str, Optional[int], Optional[int]]]

    def __init__(
        self,
        rendered: str,
        *,
        kind: str = "eval",
        message: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        expression: Optional[str] = None,
        diagnostics: Optional[List[Tuple[str, Optional[int], Optional[int]]]] = None,
    ) -> None:
        super().__init__(rendered)
        self.kind = kind
        self.message = rendered if message is None else message
        self.line = line
        self.column = column
        self.expression = expression
        self.diagnostics = diagnostics if diagnostics is not None else [(self.message, line, column)]


class CompileError(Error):
    """The expression did not compile: it does not parse, or does not type-check."""


class ParseError(CompileError):
    """The expression is not valid CEL syntax."""


class CheckError(CompileError):
    """The expression parses but does not type-check (undeclared names, wrong types)."""


class EvalError(Error):
    """Evaluation failed: division by zero, a missing key, a failing function, ..."""


class LimitError(Error):
    """A limit stopped compilation or evaluation; the message names the limit."""


class CompileLimitError(CompileError, LimitError):
    """A compile-time limit: expression size, nesting depth, node count."""


class EvalLimitError(EvalError, LimitError):
    """An evaluation limit: cost, time, string, list or map size."""


class EnvError(Error, ValueError):
    """An environment could not be built: a bad type, declaration or descriptor set."""
